//! The OAuth2 client-credentials token: one cached token per client, fetched
//! on demand, refreshed before it expires, and fetched by one thread at a
//! time while the others wait for that fetch.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::config::Secret;
use crate::error::{Error, ErrorKind, Result};

/// A bearer token and when to stop using it.
#[derive(Clone)]
pub struct Token {
    pub value: Secret,
    /// When the library refreshes it: a margin before the server's expiry.
    pub refresh_at: Instant,
    /// The server's expiry, in unix seconds.
    pub expires_unix: i64,
    /// Distinguishes tokens, so that a 401 invalidates only the token it was
    /// answered to, not a newer one another thread already fetched.
    pub serial: u64,
}

/// Lifetime assumed when the reply gives none we can use.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(600);
/// Longest lifetime believed, whatever the reply says (tokens last ~12 h).
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Longest margin by which a token is refreshed before its expiry.
const MAX_MARGIN: Duration = Duration::from_secs(60);

#[derive(Default)]
struct State {
    token: Option<Token>,
    fetching: bool,
    /// Counts finished fetches, so a waiter knows whether the fetch it
    /// waited for failed.
    fetches_done: u64,
    last_failure: Option<Error>,
    serial: u64,
}

#[derive(Default)]
pub struct TokenCache {
    state: Mutex<State>,
    fetched: Condvar,
}

impl TokenCache {
    /// The current token, fetching one with `fetch` when there is none or it
    /// is due for refresh. Only one thread fetches at a time; the others
    /// wait for its result, success or failure, and share it.
    pub fn get(&self, fetch: impl FnOnce() -> Result<(Secret, Option<u64>)>) -> Result<Token> {
        let mut state = self.lock();
        let waited_from = state.fetches_done;
        loop {
            if let Some(token) = &state.token {
                if Instant::now() < token.refresh_at {
                    return Ok(token.clone());
                }
            }
            if !state.fetching {
                if state.fetches_done > waited_from {
                    if let Some(failure) = &state.last_failure {
                        return Err(failure.clone());
                    }
                }
                break;
            }
            state = self.fetched.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        state.fetching = true;
        drop(state);

        // The fetch runs without the lock: other threads block on the
        // condition variable, not on network I/O under a mutex.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(fetch));

        let mut state = self.lock();
        state.fetching = false;
        state.fetches_done += 1;
        let result = match outcome {
            Ok(Ok((value, lifetime))) => {
                state.serial += 1;
                let token = make_token(value, lifetime, state.serial);
                state.token = Some(token.clone());
                state.last_failure = None;
                Ok(token)
            }
            Ok(Err(error)) => {
                state.last_failure = Some(error.clone());
                Err(error)
            }
            Err(panic) => {
                state.last_failure = Some(Error::new(ErrorKind::Internal, "token fetch panicked"));
                self.fetched.notify_all();
                drop(state);
                std::panic::resume_unwind(panic);
            }
        };
        self.fetched.notify_all();
        result
    }

    /// Forgets the token with this serial after the server refused it.
    pub fn invalidate(&self, serial: u64) {
        let mut state = self.lock();
        if state.token.as_ref().is_some_and(|t| t.serial == serial) {
            state.token = None;
        }
    }

    /// The current token's value, if any, for redacting it from errors.
    pub fn current_value(&self) -> Option<Secret> {
        self.lock().token.as_ref().map(|t| t.value.clone())
    }

    /// The server's expiry of the current token in unix seconds, 0 if none.
    pub fn expires_unix(&self) -> i64 {
        self.lock().token.as_ref().map_or(0, |t| t.expires_unix)
    }

    /// Drops the token; it is wiped from memory.
    pub fn clear(&self) {
        self.lock().token = None;
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn make_token(value: Secret, lifetime_secs: Option<u64>, serial: u64) -> Token {
    let lifetime = lifetime_secs
        .filter(|secs| *secs > 0)
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_LIFETIME)
        .min(MAX_LIFETIME);
    let margin = (lifetime / 10).min(MAX_MARGIN);
    let now_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Token {
        value,
        refresh_at: Instant::now() + lifetime - margin,
        expires_unix: now_unix + lifetime.as_secs() as i64,
        serial,
    }
}

/// Reads a token reply: the token and its lifetime in seconds, if usable.
///
/// `expires_in` is taken as a number or a numeric string; anything else
/// leaves the lifetime unknown, and a default is assumed.
pub fn parse_token_reply(body: &[u8]) -> Result<(Secret, Option<u64>)> {
    let not_a_token = |what: &str| {
        Error::new(
            ErrorKind::Response,
            format!(
                "token reply {what}; check that the API URL is \
                 https://<cloud-id>.api.openvpn.com"
            ),
        )
    };
    let value: Value = serde_json::from_slice(body).map_err(|_| not_a_token("is not JSON"))?;
    let Value::Object(mut object) = value else {
        return Err(not_a_token("is not a JSON object"));
    };
    // Moved out, not copied, so the only copy is the wiped Secret.
    let token = match object.remove("access_token") {
        Some(Value::String(text)) => Secret::new(text),
        Some(Value::Null) | None => return Err(not_a_token("has no access_token")),
        Some(_) => return Err(not_a_token("has an access_token that is not a string")),
    };
    if token.expose().trim().is_empty() {
        return Err(not_a_token("has an empty access_token"));
    }
    if token.expose().chars().any(|c| c.is_control() || c == ' ') {
        return Err(not_a_token(
            "has an access_token with spaces or control characters",
        ));
    }
    let lifetime = match object.get("expires_in") {
        Some(Value::Number(n)) => n.as_u64().or_else(|| n.as_f64().map(|f| f as u64)),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    Ok((token, lifetime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_replies_that_are_not_tokens_are_refused() {
        for body in [
            &br#"{"access_token":null}"#[..],
            br#"{"token_type":"bearer"}"#,
            br#"{"access_token":""}"#,
            br#"{"access_token":12}"#,
            b"<html>login</html>",
            b"[]",
        ] {
            let error = parse_token_reply(body).unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Response);
        }
    }

    #[test]
    fn odd_lifetimes_are_read_or_left_unknown() {
        let life = |body: &str| parse_token_reply(body.as_bytes()).unwrap().1;
        assert_eq!(
            life(r#"{"access_token":"t","expires_in":43199}"#),
            Some(43199)
        );
        assert_eq!(
            life(r#"{"access_token":"t","expires_in":"3600"}"#),
            Some(3600)
        );
        assert_eq!(life(r#"{"access_token":"t","expires_in":"soon"}"#), None);
        assert_eq!(life(r#"{"access_token":"t"}"#), None);
    }

    #[test]
    fn lifetimes_are_bounded() {
        let now = Instant::now();
        let absurd = make_token(Secret::new("t".into()), Some(10 * 365 * 86400), 1);
        assert!(absurd.refresh_at <= now + MAX_LIFETIME);
        let zero = make_token(Secret::new("t".into()), Some(0), 1);
        assert!(zero.refresh_at > now + Duration::from_secs(500));
        let short = make_token(Secret::new("t".into()), Some(2), 1);
        assert!(short.refresh_at > now + Duration::from_millis(1500));
    }
}
