//! The client: tokens, pacing and retries around the transport.
//!
//! One `Client` is shared by any number of threads. No lock is held across
//! network I/O: the token cache makes waiting threads block on a condition
//! variable during the single token fetch, and the pacer only computes waits.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use base64::Engine;

use crate::config::Config;
use crate::error::{kind_for_status, server_reason, Error, ErrorKind, Result};
use crate::log::{Level, Logger, Sink};
use crate::ratelimit::{retry_after, Pacer, RateHeaders};
use crate::token::{parse_token_reply, Token, TokenCache};
use crate::transport::{Failure, Outgoing, ProxySetting, Reply, Transport};

pub const DEFAULT_USER_AGENT: &str = concat!("libcloudconnexa/", env!("CARGO_PKG_VERSION"));
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;
pub const DEFAULT_MAX_RETRIES: u32 = 3;
pub const DEFAULT_MAX_RETRY_WAIT_MS: u32 = 60_000;
/// The documented maximum page size: a tenth of the requests of the Go
/// client's 100, which matters under a limit of one request per 15 s.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;
pub const MAX_PAGE_SIZE: u32 = 1000;
/// Largest reply read into memory; larger ones fail with `Response`.
pub const REPLY_CAP: u64 = 64 * 1024 * 1024;

const TOKEN_PATH: &str = "/api/v1/oauth/token";
const API_PREFIX: &str = "/api/v1";

/// An HTTP method the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    pub fn parse(text: &str) -> Option<Method> {
        match text {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "PATCH" => Some(Method::Patch),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }

    /// Whether repeating the request cannot duplicate a write.
    pub fn is_idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Put | Method::Delete)
    }
}

/// A request body and how it goes on the wire.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    Json(&'a [u8]),
    /// `text/plain`, used by the string-valued settings.
    Text(&'a [u8]),
}

/// A request to the API: `path_and_query` is relative to `/api/v1` and
/// already escaped.
#[derive(Debug, Clone, Copy)]
pub struct ApiRequest<'a> {
    pub method: Method,
    pub path_and_query: &'a str,
    pub body: Option<Body<'a>>,
}

struct Options {
    timeout_ms: AtomicU32,
    max_retries: AtomicU32,
    max_retry_wait_ms: AtomicU32,
    page_size: AtomicU32,
    user_agent: RwLock<String>,
}

pub struct Client {
    config: Config,
    transport: Transport,
    tokens: TokenCache,
    pacer: Pacer,
    options: Options,
    logger: Logger,
}

/// How a request authenticates.
enum Credential<'a> {
    /// The token request: HTTP Basic with the client's credentials.
    Basic(&'a crate::config::Secret),
    /// Everything else: the current token, taken right before each attempt;
    /// the serial of the token last sent is written back.
    Bearer(&'a mut Option<u64>),
}

/// What one attempt led to.
enum Next {
    Done(Reply),
    Retry {
        wait: Duration,
        reason: String,
        error: Error,
    },
}

impl Client {
    pub fn new(config: Config) -> Result<Client> {
        Ok(Client {
            transport: Transport::new(&config.base_url)?,
            config,
            tokens: TokenCache::default(),
            pacer: Pacer::default(),
            options: Options {
                timeout_ms: AtomicU32::new(DEFAULT_TIMEOUT_MS),
                max_retries: AtomicU32::new(DEFAULT_MAX_RETRIES),
                max_retry_wait_ms: AtomicU32::new(DEFAULT_MAX_RETRY_WAIT_MS),
                page_size: AtomicU32::new(DEFAULT_PAGE_SIZE),
                user_agent: RwLock::new(DEFAULT_USER_AGENT.to_string()),
            },
            logger: Logger::from_environment(),
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn set_timeout(&self, timeout: Duration) -> Result<()> {
        let ms = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
        if ms == 0 {
            return Err(Error::invalid_argument("timeout must be at least 1 ms"));
        }
        self.options.timeout_ms.store(ms, Ordering::Relaxed);
        Ok(())
    }

    pub fn set_max_retries(&self, retries: u32) -> Result<()> {
        if retries > 100 {
            return Err(Error::invalid_argument("max retries must be at most 100"));
        }
        self.options.max_retries.store(retries, Ordering::Relaxed);
        Ok(())
    }

    pub fn set_max_retry_wait(&self, wait: Duration) -> Result<()> {
        let ms = u32::try_from(wait.as_millis()).unwrap_or(u32::MAX);
        self.options.max_retry_wait_ms.store(ms, Ordering::Relaxed);
        Ok(())
    }

    pub fn set_page_size(&self, size: u32) -> Result<()> {
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(Error::invalid_argument(format!(
                "page size {size} is out of range: the API takes 1 to {MAX_PAGE_SIZE}"
            )));
        }
        self.options.page_size.store(size, Ordering::Relaxed);
        Ok(())
    }

    pub fn page_size(&self) -> u32 {
        self.options.page_size.load(Ordering::Relaxed)
    }

    pub fn set_user_agent(&self, user_agent: &str) -> Result<()> {
        if user_agent.is_empty() || user_agent.chars().any(|c| c.is_control()) {
            return Err(Error::invalid_argument(
                "user agent must be non-empty printable text without line breaks",
            ));
        }
        *self
            .options
            .user_agent
            .write()
            .unwrap_or_else(|e| e.into_inner()) = user_agent.to_string();
        Ok(())
    }

    pub fn set_proxy(&self, proxy: ProxySetting) -> Result<()> {
        self.transport.set_proxy(proxy)
    }

    pub fn set_ca_file(&self, path: &str) -> Result<()> {
        let pem = std::fs::read(path)
            .map_err(|e| Error::config(format!("cannot read CA file {path:?}: {e}")))?;
        self.transport.set_ca_pem(pem)
    }

    pub fn set_log_sink(&self, sink: Option<(Level, Sink)>) {
        self.logger.set(sink);
    }

    pub fn log(&self, level: Level, message: impl FnOnce() -> String) {
        self.logger.log(level, message);
    }

    /// Fetches a token now if there is no valid one.
    pub fn authenticate(&self) -> Result<()> {
        self.redacted(self.token().map(|_| ()))
    }

    /// An error without any credential a server may have echoed into it:
    /// the secret, the Basic credentials and the current token.
    fn redacted<T>(&self, result: Result<T>) -> Result<T> {
        result.map_err(|error| {
            let secret = self.config.client_secret.expose();
            let pair = zeroize::Zeroizing::new(format!("{}:{secret}", self.config.client_id));
            let basic = zeroize::Zeroizing::new(
                base64::engine::general_purpose::STANDARD.encode(pair.as_bytes()),
            );
            let token = self.tokens.current_value();
            let token = token.as_ref().map_or("", |t| t.expose());
            error.redact(&[secret, basic.as_str(), token])
        })
    }

    /// The current token's expiry in unix seconds, 0 when there is none.
    pub fn token_expires_at(&self) -> i64 {
        self.tokens.expires_unix()
    }

    fn token(&self) -> Result<Token> {
        self.tokens.get(|| self.fetch_token())
    }

    fn fetch_token(&self) -> Result<(crate::config::Secret, Option<u64>)> {
        let started = Instant::now();
        let credentials = format!(
            "{}:{}",
            self.config.client_id,
            self.config.client_secret.expose()
        );
        let encoded = zeroize::Zeroizing::new(
            base64::engine::general_purpose::STANDARD.encode(credentials.as_bytes()),
        );
        drop(zeroize::Zeroizing::new(credentials));
        let basic = crate::config::Secret::new(format!("Basic {}", encoded.as_str()));
        let body = br#"{"grant_type":"client_credentials","scope":"default"}"#;
        let url = format!("{}{}", self.config.base_url, TOKEN_PATH);
        let reply = self.exchange(
            Method::Post,
            &url,
            Some(Body::Json(body)),
            Credential::Basic(&basic),
        )?;
        // A 2xx token reply is meant to carry a credential, even one that
        // is refused here, so its body is wiped after use and never handed
        // back as the error body.
        let body = zeroize::Zeroizing::new(reply.body);
        let token = parse_token_reply(&body).map_err(|e| e.with_reply(reply.status, &[]))?;
        self.log(Level::Info, || {
            format!(
                "token fetched in {} ms, valid for {}",
                started.elapsed().as_millis(),
                token
                    .1
                    .map_or("an unstated time".to_string(), |s| format!("{s} s"))
            )
        });
        Ok(token)
    }

    /// Sends an API request with a bearer token, pacing and retries, and
    /// returns the successful reply.
    pub fn send(&self, request: &ApiRequest<'_>) -> Result<Reply> {
        let result = self.redacted(self.send_once_reauthenticated(request));
        if let Err(error) = &result {
            self.log(Level::Error, || error.message().to_string());
        }
        result
    }

    /// [`Client::send`] without the final log line.
    fn send_once_reauthenticated(&self, request: &ApiRequest<'_>) -> Result<Reply> {
        let url = format!(
            "{}{}{}",
            self.config.base_url, API_PREFIX, request.path_and_query
        );
        let mut reauthenticated = false;
        loop {
            let mut used_token = None;
            let outcome = self.exchange(
                request.method,
                &url,
                request.body,
                Credential::Bearer(&mut used_token),
            );
            match outcome {
                Err(error)
                    if error.kind() == ErrorKind::Auth
                        && used_token.is_some()
                        && !reauthenticated =>
                {
                    // One fresh token and one more try: a token can be
                    // revoked or expire early on the server's side.
                    reauthenticated = true;
                    self.log(Level::Info, || {
                        format!(
                            "{} {}: 401, fetching a fresh token and retrying once",
                            request.method.as_str(),
                            path_only(&url)
                        )
                    });
                    if let Some(serial) = used_token {
                        self.tokens.invalidate(serial);
                    }
                }
                Err(error) if error.kind() == ErrorKind::Auth && used_token.is_some() => {
                    return Err(error.with_suffix(" (again after fetching a fresh token)"))
                }
                other => return other,
            }
        }
    }

    /// One logical exchange: paced, retried where that cannot duplicate a
    /// write, with errors mapped to kinds. A 401 comes back as `Auth`.
    fn exchange(
        &self,
        method: Method,
        url: &str,
        body: Option<Body<'_>>,
        mut credential: Credential<'_>,
    ) -> Result<Reply> {
        let is_token_request = matches!(credential, Credential::Basic(_));
        let max_retries = self.options.max_retries.load(Ordering::Relaxed);
        let max_wait = Duration::from_millis(u64::from(
            self.options.max_retry_wait_ms.load(Ordering::Relaxed),
        ));
        let user_agent = self
            .options
            .user_agent
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut headers: Vec<(&'static str, String)> = vec![
            ("user-agent", user_agent),
            ("accept", "application/json".to_string()),
        ];
        let payload = match body {
            Some(Body::Json(bytes)) => {
                headers.push(("content-type", "application/json".to_string()));
                Some(bytes)
            }
            Some(Body::Text(bytes)) => {
                headers.push(("content-type", "text/plain".to_string()));
                Some(bytes)
            }
            None => None,
        };
        let base_headers = headers.len();
        let mut wipe = Wipe(&mut headers);
        let path = path_only(url);
        let what = format!("{} {}", method.as_str(), path);
        // Logs show the query too (page numbers, parent ids), which helps
        // to see where a long list stands; messages keep to the path.
        let logged = format!("{} {}", method.as_str(), target_of(url));

        let mut attempt: u32 = 0;
        loop {
            let turn = self.pacer.reserve();
            let pace = turn.wait();
            if pace > max_wait {
                turn.cancel();
                return Err(Error::new(
                    ErrorKind::RateLimited,
                    format!(
                        "{what}: the rate limit would need a wait of {:.1} s, more than the \
                         max retry wait of {:.1} s",
                        pace.as_secs_f64(),
                        max_wait.as_secs_f64()
                    ),
                ));
            }
            if !pace.is_zero() {
                self.log(Level::Info, || {
                    format!(
                        "{logged}: waiting {} ms for the rate limit",
                        pace.as_millis()
                    )
                });
                std::thread::sleep(pace);
            }
            // The token is taken after any wait, so that a long wait for the
            // rate limit or a retry does not send a token that expired in
            // the meantime.
            let authorization = match &mut credential {
                Credential::Basic(secret) => secret.expose().to_string(),
                Credential::Bearer(used) => {
                    // None until a token is sent: a failed token fetch is
                    // not a 401 to answer with another fetch.
                    **used = None;
                    let token = match self.token() {
                        Ok(token) => token,
                        Err(error) => {
                            turn.cancel();
                            return Err(error);
                        }
                    };
                    **used = Some(token.serial);
                    format!("Bearer {}", token.value.expose())
                }
            };
            wipe.replace_from(base_headers, ("authorization", authorization));
            let timeout =
                Duration::from_millis(u64::from(self.options.timeout_ms.load(Ordering::Relaxed)));
            let started = Instant::now();
            let outcome = self.transport.send(&Outgoing {
                method: method.as_str(),
                url,
                headers: &wipe.0[..],
                body: payload,
                timeout,
                reply_cap: REPLY_CAP,
            });
            let next = match outcome {
                Ok(reply) => {
                    let rate = RateHeaders::parse(&reply.headers);
                    turn.finish(Some(&rate), reply.status == 429);
                    self.log(Level::Debug, || {
                        format!(
                            "{logged} -> {} in {} ms",
                            reply.status,
                            started.elapsed().as_millis()
                        )
                    });
                    self.judge(method, &what, reply, &rate, attempt, is_token_request)
                }
                Err(failure) => {
                    turn.finish(None, false);
                    self.log(Level::Debug, || {
                        format!("{logged} failed after {} ms", started.elapsed().as_millis())
                    });
                    judge_failure(method, failure, attempt, is_token_request)
                }
            };
            match next? {
                Next::Done(reply) => return Ok(reply),
                Next::Retry {
                    wait,
                    reason,
                    error,
                } => {
                    if attempt >= max_retries {
                        return Err(error.with_suffix(&match attempt {
                            0 => " (not retried: max retries is 0)".to_string(),
                            n => format!(" (gave up after {} attempts)", n + 1),
                        }));
                    }
                    if wait > max_wait {
                        return Err(error.with_suffix(&format!(
                            " (a retry would wait {:.1} s, more than the max retry wait \
                                 of {:.1} s)",
                            wait.as_secs_f64(),
                            max_wait.as_secs_f64()
                        )));
                    }
                    self.log(Level::Warn, || {
                        format!(
                            "{logged}: {reason}; retry {} of {max_retries} in {} ms",
                            attempt + 1,
                            wait.as_millis()
                        )
                    });
                    std::thread::sleep(wait);
                    attempt += 1;
                }
            }
        }
    }

    /// Decides what a reply means: success, an error, or a retry.
    fn judge(
        &self,
        method: Method,
        what: &str,
        reply: Reply,
        rate: &RateHeaders,
        attempt: u32,
        is_token_request: bool,
    ) -> Result<Next> {
        let status = reply.status;
        if (200..300).contains(&status) {
            return Ok(Next::Done(reply));
        }
        let error = http_error(what, &reply, is_token_request);
        let stated = retry_after(&reply.headers);
        let repeatable = method.is_idempotent() || is_token_request;
        let retry = match status {
            429 => Some((
                stated
                    .or_else(|| rate.wait_for_one())
                    .unwrap_or_else(|| backoff(attempt)),
                "rate limited (429)".to_string(),
            )),
            503 if stated.is_some() => Some((
                stated.unwrap_or_default(),
                "service unavailable (503) with Retry-After".to_string(),
            )),
            500..=599 if repeatable => Some((
                stated.unwrap_or_else(|| backoff(attempt)),
                format!("server error ({status})"),
            )),
            _ => None,
        };
        match retry {
            Some((wait, reason)) => Ok(Next::Retry {
                wait,
                reason,
                error,
            }),
            None => Err(error),
        }
    }

    /// A generic call: `path` relative to `/api/v1`, optional JSON body.
    pub fn request(&self, method: Method, path: &str, body: Option<&str>) -> Result<Reply> {
        self.send(&ApiRequest {
            method,
            path_and_query: path,
            body: body.map(|b| Body::Json(b.as_bytes())),
        })
    }

    /// Drops the cached token; it is wiped from memory.
    pub fn forget_token(&self) {
        self.tokens.clear();
    }
}

fn judge_failure(
    method: Method,
    failure: Failure,
    attempt: u32,
    is_token_request: bool,
) -> Result<Next> {
    match failure {
        Failure::NotSent { error, retryable } if retryable => Ok(Next::Retry {
            wait: backoff(attempt),
            reason: "could not connect".to_string(),
            error,
        }),
        Failure::NotSent { error, .. } => Err(error),
        Failure::Lost { error, .. } if method == Method::Post && !is_token_request => {
            Err(Error::new(
                ErrorKind::Ambiguous,
                format!(
                    "{}; the request was sent, so the write may have happened: check \
                     before repeating it",
                    error.message()
                ),
            )
            .with_reply(error.http_status(), b""))
        }
        Failure::Lost {
            timed_out: true,
            error,
        } => Err(error),
        Failure::Lost { error, .. } => Ok(Next::Retry {
            wait: backoff(attempt),
            reason: "connection lost".to_string(),
            error,
        }),
    }
}

/// The error for a non-2xx reply, with the server's own reason.
fn http_error(what: &str, reply: &Reply, is_token_request: bool) -> Error {
    let status = reply.status;
    let reason = server_reason(&reply.body);
    let phrase = ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("");
    let mut message = format!("{what}: HTTP {status} {phrase}")
        .trim_end()
        .to_string();
    if let Some(reason) = &reason {
        message.push_str(": ");
        message.push_str(reason);
    }
    let kind = if is_token_request {
        match status {
            400 | 401 | 403 => {
                message.push_str(
                    " (token request refused: check the client ID and secret, that the \
                     API credential has not expired, and that API access is enabled)",
                );
                ErrorKind::Auth
            }
            _ => kind_for_status(status, &reply.body),
        }
    } else {
        kind_for_status(status, &reply.body)
    };
    if (300..400).contains(&status) {
        let target = reply.header("location").unwrap_or("elsewhere");
        message.push_str(&format!(
            " (redirected to {}; redirects are not followed: check the API URL)",
            crate::error::truncate(target, 200)
        ));
    }
    if kind == ErrorKind::Forbidden {
        message.push_str(" (the API credential may lack permission for this operation)");
    }
    Error::new(kind, message).with_reply(status, &reply.body)
}

/// Exponential backoff with jitter: 0.25 s doubling, capped at 30 s, each
/// wait drawn between half and all of its step.
fn backoff(attempt: u32) -> Duration {
    let step = 0.25 * 2f64.powi(attempt.min(16) as i32);
    let step = step.min(30.0);
    Duration::from_secs_f64(step * (0.5 + fastrand::f64() * 0.5))
}

/// The path of a URL, for messages.
fn path_only(url: &str) -> &str {
    crate::transport::path_of(url)
}

/// The path and query of a URL, for logs.
fn target_of(url: &str) -> &str {
    // path_only returns a slice of url, so its offset is where it starts.
    let start = path_only(url).as_ptr() as usize - url.as_ptr() as usize;
    &url[start..]
}

/// Wipes the header values (which carry the credentials) when dropped.
struct Wipe<'a>(&'a mut Vec<(&'static str, String)>);

impl Wipe<'_> {
    /// Wipes the headers from `keep` on and puts `header` in their place.
    fn replace_from(&mut self, keep: usize, header: (&'static str, String)) {
        use zeroize::Zeroize;
        for (_, value) in self.0[keep..].iter_mut() {
            value.zeroize();
        }
        self.0.truncate(keep);
        self.0.push(header);
    }
}

impl Drop for Wipe<'_> {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for (_, value) in self.0.iter_mut() {
            value.zeroize();
        }
    }
}
