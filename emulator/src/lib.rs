//! A local, stateful emulator of the CloudConnexa REST API.
//!
//! It exists so that the client library (and anything built on it) can be tested
//! without a real tenant: it speaks the documented wire format, keeps objects in
//! memory, enforces tokens and rate limits the way the real service does, and lets a
//! test queue faults (error replies, delays, hangs, dropped connections) to reproduce
//! the failures real clients have met.
//!
//! ```no_run
//! let emulator = ccx_emulator::Emulator::start(ccx_emulator::Config::default())?;
//! println!("{} {} {}", emulator.url(), emulator.client_id(), emulator.client_secret());
//! # Ok::<(), std::io::Error>(())
//! ```

mod auth;
mod control;
mod faults;
mod feeds;
mod http;
mod ratelimit;
mod resources;
mod seed;
mod server;
mod settings;
mod store;
mod tls;
mod wire;

use std::collections::BTreeMap;
use std::sync::Arc;

/// How an emulator behaves. Every field is public; start from `Config::default()`.
#[derive(Debug, Clone)]
pub struct Config {
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    pub client_id: String,
    pub client_secret: String,
    /// Lifetime of issued tokens, sent as `expires_in` (rounded down, at least 1) and
    /// enforced with sub-second precision.
    pub token_ttl_secs: f64,
    /// `None` turns the limiter off (and its headers with it).
    pub rate_limit: Option<RateLimit>,
    /// Values above 1 make rate-limit time run faster, so tests need not wait 15 s.
    pub time_scale: f64,
    /// Load the documented example objects at start.
    pub seed: bool,
    /// Generate this many additional users (for list benchmarks).
    pub extra_users: usize,
    /// Serve the `/_emulator/...` control endpoints.
    pub control: bool,
    /// Largest accepted `size` for page-number listing.
    pub max_page_size: u32,
    /// Log one line per request to stderr (never a token or secret).
    pub verbose: bool,
    /// Serve HTTPS with this certificate instead of plain HTTP.
    pub tls: Option<TlsIdentity>,
}

/// A server certificate chain and its private key, both as PEM text.
#[derive(Clone)]
pub struct TlsIdentity {
    /// The server's certificate first, then any intermediates.
    pub cert_chain_pem: String,
    /// PKCS#8, PKCS#1 or SEC1 private key.
    pub key_pem: String,
}

impl std::fmt::Debug for TlsIdentity {
    // The key is a secret even in a test tool.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TlsIdentity { .. }")
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            port: 0,
            client_id: "ccx-demo-client".to_string(),
            client_secret: "ccx-demo-secret".to_string(),
            token_ttl_secs: 43199.0,
            rate_limit: Some(RateLimit::default()),
            time_scale: 1.0,
            seed: true,
            extra_users: 0,
            control: false,
            max_page_size: 1000,
            verbose: false,
            tls: None,
        }
    }
}

/// Token-bucket parameters, named after the `X-RateLimit-*` headers.
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimit {
    pub burst: u32,
    pub replenish_rate: u32,
    pub replenish_time_secs: f64,
}

impl Default for RateLimit {
    /// The defaults CloudConnexa support quoted: a burst of 20, then 1 per 15 s.
    fn default() -> Self {
        RateLimit {
            burst: 20,
            replenish_rate: 1,
            replenish_time_secs: 15.0,
        }
    }
}

/// A request as the emulator saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path without the query string, exactly as sent (still percent-encoded).
    pub path: String,
    /// Raw query string without `?`; empty when there was none.
    pub query: String,
    /// Lower-case names. An `Authorization` value is cut to its scheme ("Bearer").
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Status sent back; 0 when no reply was sent (hang, drop).
    pub status: u16,
}

impl RecordedRequest {
    /// First header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Counters over every non-control request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    pub token_requests: u64,
    /// All requests, token requests included.
    pub requests: u64,
    /// 429 replies, from the limiter or injected.
    pub rate_limited: u64,
    pub by_method: BTreeMap<String, u64>,
}

/// A queued misbehaviour. A request takes the first queued fault whose method and
/// path prefix match it; the fault is gone after `times` requests.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// `None` matches every method.
    pub method: Option<String>,
    /// Matched against the request path, e.g. "/api/v1/networks"; `None` matches all.
    pub path_prefix: Option<String>,
    pub times: u32,
    pub kind: FaultKind,
}

impl Fault {
    /// A fault for every request, once.
    pub fn new(kind: FaultKind) -> Fault {
        Fault {
            method: None,
            path_prefix: None,
            times: 1,
            kind,
        }
    }

    pub fn method(mut self, method: &str) -> Fault {
        self.method = Some(method.to_string());
        self
    }

    pub fn path_prefix(mut self, prefix: &str) -> Fault {
        self.path_prefix = Some(prefix.to_string());
        self
    }

    pub fn times(mut self, times: u32) -> Fault {
        self.times = times;
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Reply this instead of acting.
    Status {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Sleep, then serve normally.
    Delay { ms: u64 },
    /// Read the request and never answer (until shutdown).
    Hang,
    /// Read the request, then close the connection without a reply.
    Drop,
    /// Perform the operation, then close the connection without a reply.
    DropAfterActing,
    /// 200 with a body that is not JSON.
    Malformed,
    /// 200 with a valid JSON body of exactly this many bytes.
    Oversized { bytes: usize },
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    shared: Arc<server::Shared>,
    running: Option<server::Running>,
}

impl Emulator {
    /// Binds 127.0.0.1 and returns once the server accepts connections.
    pub fn start(config: Config) -> std::io::Result<Emulator> {
        let (shared, running) = server::start(config)?;
        Ok(Emulator {
            shared,
            running: Some(running),
        })
    }

    /// Base URL, e.g. "http://127.0.0.1:40123" (no trailing slash, no path);
    /// "https://..." when serving TLS.
    pub fn url(&self) -> String {
        let scheme = if self.shared.config.tls.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.shared.addr)
    }

    pub fn port(&self) -> u16 {
        self.shared.addr.port()
    }

    pub fn client_id(&self) -> &str {
        &self.shared.config.client_id
    }

    pub fn client_secret(&self) -> &str {
        &self.shared.config.client_secret
    }

    pub fn inject(&self, fault: Fault) {
        self.shared.faults.push(fault);
    }

    pub fn stats(&self) -> Stats {
        self.shared.log.lock().unwrap().stats.clone()
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.log.lock().unwrap().requests.clone()
    }

    pub fn clear_requests(&self) {
        self.shared.log.lock().unwrap().requests.clear();
    }

    /// The stored objects of one collection as the API would show them, for tests
    /// to check final state. Unknown names give `null`.
    pub fn state_json(&self, collection: &str) -> serde_json::Value {
        self.shared.store.lock().unwrap().state_json(collection)
    }

    /// Lifetime of tokens issued from now on.
    pub fn set_token_ttl(&self, secs: f64) {
        self.shared.auth.set_ttl(secs);
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            running.stop(&self.shared);
        }
    }
}
