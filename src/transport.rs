//! One HTTP exchange over a shared, keep-alive ureq agent.
//!
//! This layer knows nothing of tokens, retries or the API's JSON: it sends a
//! request, reads the reply (capped) and says, when it fails, whether the
//! server can have acted on the request.

use std::io::ErrorKind as IoKind;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use ureq::http::{self, HeaderMap};
use ureq::tls::{parse_pem, PemItem, RootCerts, TlsConfig};
use ureq::{Agent, Proxy, Timeout};

use crate::error::{Error, ErrorKind, Result};

/// Where requests go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxySetting {
    /// `HTTPS_PROXY` / `ALL_PROXY` and `NO_PROXY`, as curl reads them
    /// (see `crate::proxy`).
    FromEnvironment,
    Disabled,
    Url(String),
}

#[derive(Debug, Clone)]
struct AgentSettings {
    /// Resolved when set, so a later rebuild (a new CA file) does not read
    /// the environment again.
    proxy: Option<Proxy>,
    ca_pem: Option<Arc<Vec<u8>>>,
}

/// A request as the transport sends it.
pub struct Outgoing<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(&'static str, String)],
    pub body: Option<&'a [u8]>,
    pub timeout: Duration,
    pub reply_cap: u64,
}

/// A reply with any status.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Why an exchange failed, split by what the server may have done.
#[derive(Debug)]
pub enum Failure {
    /// The request provably never reached the server. `retryable` is set
    /// where trying again may help (a refused connection), not where it
    /// cannot (a TLS or configuration error).
    NotSent { error: Error, retryable: bool },
    /// The request was sent, or may have been, and no reply came back.
    Lost { timed_out: bool, error: Error },
}

pub struct Transport {
    agent: RwLock<Arc<Built>>,
    settings: RwLock<AgentSettings>,
    /// `scheme://host[:port]` of the API, which picks the proxy variable.
    base_url: String,
}

/// Longest time spent connecting, so that a dead host fails as "not sent".
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl Transport {
    /// A transport for the API at `base_url`, with the proxy and CA file
    /// the environment names.
    pub fn new(base_url: &str) -> Result<Transport> {
        let settings = AgentSettings {
            proxy: crate::proxy::from_environment(base_url)?,
            ca_pem: ca_pem_from_environment()?,
        };
        let agent = build_agent(&settings)?;
        Ok(Transport {
            agent: RwLock::new(Arc::new(agent)),
            settings: RwLock::new(settings),
            base_url: base_url.to_string(),
        })
    }

    pub fn set_proxy(&self, proxy: ProxySetting) -> Result<()> {
        let proxy = match proxy {
            ProxySetting::FromEnvironment => crate::proxy::from_environment(&self.base_url)?,
            ProxySetting::Disabled => None,
            ProxySetting::Url(url) => Some(crate::proxy::parse_proxy(&url).map_err(|problem| {
                Error::config(format!(
                    "proxy URL is not valid ({problem}): use http://host:port \
                         (or socks5://host:port)"
                ))
            })?),
        };
        self.rebuild(|settings| settings.proxy = proxy)
    }

    /// Trusts exactly the certificates in this PEM data instead of the
    /// bundled public roots.
    pub fn set_ca_pem(&self, pem: Vec<u8>) -> Result<()> {
        self.rebuild(|settings| settings.ca_pem = Some(Arc::new(pem)))
    }

    fn rebuild(&self, change: impl FnOnce(&mut AgentSettings)) -> Result<()> {
        let mut settings = self.settings.write().unwrap_or_else(|e| e.into_inner());
        let mut next = settings.clone();
        change(&mut next);
        let agent = build_agent(&next)?;
        *settings = next;
        *self.agent.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(agent);
        Ok(())
    }

    /// Sends one request and reads its reply, whatever the status.
    pub fn send(&self, outgoing: &Outgoing<'_>) -> std::result::Result<Reply, Failure> {
        let built = self.agent.read().unwrap_or_else(|e| e.into_inner()).clone();
        let mut builder = http::Request::builder()
            .method(outgoing.method)
            .uri(outgoing.url);
        for (name, value) in outgoing.headers {
            builder = builder.header(*name, value.as_str());
        }
        let body = outgoing.body.unwrap_or_default().to_vec();
        let request = builder.body(body).map_err(|e| Failure::NotSent {
            error: Error::invalid_argument(format!("cannot build request: {e}")),
            retryable: false,
        })?;
        let connect = outgoing.timeout.min(CONNECT_TIMEOUT);
        let mut response = {
            use ureq::RequestExt;
            request
                .with_agent(&built.agent)
                .configure()
                .timeout_global(Some(outgoing.timeout))
                .timeout_connect(Some(connect))
                .build()
                .run()
        }
        .map_err(|e| built.blame_proxy(classify(e, outgoing)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .body_mut()
            .with_config()
            .limit(outgoing.reply_cap)
            .read_to_vec()
            .map_err(|e| with_status(classify(e, outgoing), status))?;
        Ok(Reply {
            status,
            headers,
            body,
        })
    }
}

/// Names a PEM file of CA certificates to trust instead of the bundled
/// roots, as OpenSSL and curl read it; `ccx_client_set_ca_file` overrides it.
pub const ENV_SSL_CERT_FILE: &str = "SSL_CERT_FILE";

/// The PEM that `SSL_CERT_FILE` names, if it is set. A file that cannot be
/// read is an error rather than a silent fall-back to the bundled roots:
/// whoever set the variable meant to narrow or replace them.
fn ca_pem_from_environment() -> Result<Option<Arc<Vec<u8>>>> {
    let Some(path) = std::env::var_os(ENV_SSL_CERT_FILE).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    std::fs::read(&path)
        .map(|pem| Some(Arc::new(pem)))
        .map_err(|e| {
            Error::config(format!(
                "cannot read {ENV_SSL_CERT_FILE} {:?}: {e}",
                path.to_string_lossy()
            ))
        })
}

/// An agent, and the proxy it goes through as messages name it.
struct Built {
    agent: Agent,
    via: Option<String>,
}

impl Built {
    /// Names the proxy in a connection failure, which would otherwise read
    /// as if the API itself were down.
    fn blame_proxy(&self, failure: Failure) -> Failure {
        match (failure, &self.via) {
            (Failure::NotSent { error, retryable }, Some(via))
                if error.kind() == ErrorKind::Network =>
            {
                Failure::NotSent {
                    error: error.with_suffix(&format!(" (through the proxy {via})")),
                    retryable,
                }
            }
            (failure, _) => failure,
        }
    }
}

fn build_agent(settings: &AgentSettings) -> Result<Built> {
    let proxy = settings.proxy.clone();
    let mut tls = TlsConfig::builder();
    if let Some(pem) = &settings.ca_pem {
        let mut certificates = Vec::new();
        for item in parse_pem(pem) {
            match item {
                Ok(PemItem::Certificate(certificate)) => certificates.push(certificate),
                Ok(_) => {}
                Err(e) => return Err(Error::config(format!("CA file is not valid PEM: {e}"))),
            }
        }
        if certificates.is_empty() {
            return Err(Error::config("CA file holds no PEM certificate"));
        }
        tls = tls.root_certs(RootCerts::from(certificates));
    }
    let config = Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .max_redirects_will_error(false)
        .proxy(proxy)
        .tls_config(tls.build())
        .user_agent(crate::client::DEFAULT_USER_AGENT)
        // Enough kept-alive connections for a few dozen threads sharing a
        // client; each new one to the real API costs a TLS handshake.
        .max_idle_connections(64)
        .max_idle_connections_per_host(32)
        .build();
    let via = settings.proxy.as_ref().map(|proxy| {
        format!("{}://{}:{}", proxy.protocol(), proxy.host(), proxy.port()).to_ascii_lowercase()
    });
    let agent = Agent::with_parts(
        config,
        MarkConnectFailures(ureq::unversioned::transport::DefaultConnector::new()),
        crate::resolver::CachingResolver::default(),
    );
    Ok(Built { agent, via })
}

/// Tags every I/O failure while a connection is made (TCP, the proxy's
/// handshake, TLS's) as `BeforeSending`. Such a failure reaches `classify`
/// as a plain I/O error, like a connection lost mid-reply; the tag is what
/// tells them apart, so that a POST refused by a SOCKS proxy or a bad
/// certificate is not reported as a write that may have happened.
#[derive(Debug)]
struct MarkConnectFailures<C>(C);

impl<C> ureq::unversioned::transport::Connector<()> for MarkConnectFailures<C>
where
    C: ureq::unversioned::transport::Connector<()>,
{
    type Out = C::Out;

    fn connect(
        &self,
        details: &ureq::unversioned::transport::ConnectionDetails,
        chained: Option<()>,
    ) -> std::result::Result<Option<Self::Out>, ureq::Error> {
        self.0
            .connect(details, chained)
            .map_err(|error| match error {
                ureq::Error::Io(e) => {
                    ureq::Error::Io(std::io::Error::new(e.kind(), BeforeSending(e)))
                }
                other => other,
            })
    }
}

/// An I/O failure from before the request was written.
#[derive(Debug)]
struct BeforeSending(std::io::Error);

impl std::fmt::Display for BeforeSending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for BeforeSending {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

fn before_sending(error: &std::io::Error) -> bool {
    error
        .get_ref()
        .is_some_and(|inner| inner.is::<BeforeSending>())
}

/// Turns a ureq error into a failure that says whether the server can have
/// acted on the request.
fn classify(error: ureq::Error, outgoing: &Outgoing<'_>) -> Failure {
    let what = format!("{} {}", outgoing.method, path_of(outgoing.url));
    let not_sent = |kind: ErrorKind, text: String| Failure::NotSent {
        retryable: kind == ErrorKind::Network && !text.contains("TLS"),
        error: Error::new(kind, text),
    };
    match error {
        ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect) => not_sent(
            ErrorKind::Timeout,
            format!(
                "{what}: could not connect within {} ms",
                CONNECT_TIMEOUT.as_millis()
            ),
        ),
        ureq::Error::Timeout(_) => Failure::Lost {
            timed_out: true,
            error: Error::new(
                ErrorKind::Timeout,
                format!(
                    "{what}: no complete reply within the {} ms timeout",
                    outgoing.timeout.as_millis()
                ),
            ),
        },
        ureq::Error::HostNotFound => not_sent(
            ErrorKind::Network,
            format!("{what}: host not found (check the API URL)"),
        ),
        ureq::Error::ConnectionFailed => {
            not_sent(ErrorKind::Network, format!("{what}: connection failed"))
        }
        ureq::Error::BodyExceedsLimit(limit) => too_large(&what, limit),
        ureq::Error::Io(e) if is_connect_error(e.kind()) => {
            not_sent(ErrorKind::Network, format!("{what}: cannot connect: {e}"))
        }
        // A proxy that refused, a certificate not trusted: nothing was sent,
        // and only a connection cut short is worth another try.
        ureq::Error::Io(e) if before_sending(&e) => Failure::NotSent {
            retryable: matches!(
                e.kind(),
                IoKind::ConnectionReset
                    | IoKind::ConnectionAborted
                    | IoKind::UnexpectedEof
                    | IoKind::TimedOut
                    | IoKind::Interrupted
            ),
            error: Error::new(
                ErrorKind::Network,
                format!("{what}: could not set up the connection, nothing was sent: {e}"),
            ),
        },
        ureq::Error::Io(e) => match ureq::Error::from(e) {
            ureq::Error::BodyExceedsLimit(limit) => too_large(&what, limit),
            other => lost(&what, &other),
        },
        e @ (ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::Pem(_)) => {
            not_sent(ErrorKind::Network, format!("{what}: TLS failed: {e}"))
        }
        ureq::Error::InvalidProxyUrl => not_sent(
            ErrorKind::Config,
            format!("{what}: the proxy URL is not valid"),
        ),
        ureq::Error::ConnectProxyFailed(reason) => not_sent(
            ErrorKind::Network,
            format!("{what}: proxy refused: {reason}"),
        ),
        e @ (ureq::Error::BadUri(_) | ureq::Error::Http(_)) => not_sent(
            ErrorKind::InvalidArgument,
            format!("{what}: bad request: {e}"),
        ),
        other => lost(&what, &other),
    }
}

/// A reply whose body could not be read still had a status line; keep it
/// for `ccx_last_http_status`, so that 0 keeps meaning "no reply at all".
fn with_status(failure: Failure, status: u16) -> Failure {
    match failure {
        Failure::NotSent { error, retryable } => Failure::NotSent {
            error: error.with_reply(status, b""),
            retryable,
        },
        Failure::Lost { timed_out, error } => Failure::Lost {
            timed_out,
            error: error.with_reply(status, b""),
        },
    }
}

/// A reply over the cap: the server answered, so this is a bad reply, and
/// repeating the request would only fetch it again.
fn too_large(what: &str, limit: u64) -> Failure {
    Failure::NotSent {
        error: Error::new(
            ErrorKind::Response,
            format!("{what}: reply is larger than the {limit}-byte cap"),
        ),
        retryable: false,
    }
}

fn lost(what: &str, error: &ureq::Error) -> Failure {
    Failure::Lost {
        timed_out: false,
        error: Error::new(
            ErrorKind::Network,
            format!("{what}: connection lost before a complete reply: {error}"),
        ),
    }
}

fn is_connect_error(kind: IoKind) -> bool {
    matches!(
        kind,
        IoKind::ConnectionRefused | IoKind::AddrNotAvailable | IoKind::NotFound
    )
}

/// The path part of a URL, for messages (never the host's credentials or
/// the query, which may carry filter values).
pub fn path_of(url: &str) -> &str {
    let after_scheme = url.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = url[after_scheme..]
        .find('/')
        .map(|i| i + after_scheme)
        .unwrap_or(url.len());
    let path = &url[path_start..];
    path.split('?').next().unwrap_or(path)
}
