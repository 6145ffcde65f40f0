//! The client secret and the access token never show up in anything the
//! library says: error messages and error bodies, the log callback at its
//! most detailed level, or what ureq (and rustls) log through the `log`
//! crate at TRACE. One broad workload goes through success and every error
//! path against a scripted server that hands out a token this test knows,
//! and every line produced is checked.

mod support;

use std::ffi::{c_char, c_void, CStr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine;
use cloudconnexa::ffi::{self, ccx_log_level};
use support::cabi::{last_error, CClient};
use support::fake::{FakeServer, Received, Reply};
use support::{CLIENT_ID, SECRET};

const TOKEN: &str = "tok-known-to-the-test-7f3a9c21e4b8";

/// Every line `log` produced in this process, from any crate.
struct Collector(Mutex<Vec<String>>);

impl log::Log for Collector {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}: {}", record.level(), record.target(), record.args());
        self.0.lock().unwrap().push(line);
    }

    fn flush(&self) {}
}

fn log_lines() -> &'static Collector {
    static COLLECTOR: OnceLock<&'static Collector> = OnceLock::new();
    COLLECTOR.get_or_init(|| {
        let collector: &'static Collector = Box::leak(Box::new(Collector(Mutex::new(Vec::new()))));
        log::set_logger(collector).expect("the only logger in this test binary");
        log::set_max_level(log::LevelFilter::Trace);
        collector
    })
}

unsafe extern "C" fn collect(_level: ccx_log_level, message: *const c_char, data: *mut c_void) {
    let lines = &*(data as *const Mutex<Vec<String>>);
    let text = CStr::from_ptr(message).to_string_lossy().into_owned();
    lines.lock().unwrap().push(text);
}

/// What a run of the workload produced, to be searched for secrets.
#[derive(Default)]
struct Said {
    callback: Arc<Mutex<Vec<String>>>,
    errors: Vec<String>,
}

impl Said {
    fn client(&self, url: &str) -> CClient {
        let client = CClient::new(url, CLIENT_ID, SECRET).expect("client");
        // SAFETY: a live client; the callback's data outlives it (held by
        // `self`, which the test keeps until after every client is freed).
        unsafe {
            let data = Arc::as_ptr(&self.callback) as *mut c_void;
            assert_eq!(
                ffi::ccx_client_set_log_callback(client.0, ffi::CCX_LOG_DEBUG, Some(collect), data),
                ffi::CCX_OK
            );
            assert_eq!(ffi::ccx_client_set_max_retries(client.0, 2), ffi::CCX_OK);
        }
        client
    }

    /// A generic call; a failure's message and body are kept.
    fn call(&mut self, client: &CClient, path: &str) -> i32 {
        let (code, json) = client.request("GET", path, None);
        if code != ffi::CCX_OK {
            let error = last_error();
            self.errors.push(error.message);
            self.errors.push(error.body);
        }
        if let Some(json) = json {
            self.errors.push(json);
        }
        code
    }

    fn authenticate(&mut self, client: &CClient) -> i32 {
        // SAFETY: a live client.
        let code = unsafe { ffi::ccx_authenticate(client.0) };
        if code != ffi::CCX_OK {
            let error = last_error();
            self.errors.push(error.message);
            self.errors.push(error.body);
        }
        code
    }
}

/// A server that gives out `TOKEN` and answers API calls with `api`.
fn server(api: impl Fn(&Received, usize) -> Reply + Send + Sync + 'static) -> FakeServer {
    let calls = AtomicUsize::new(0);
    FakeServer::start(move |request| {
        if request.is_token_request() {
            return Reply::token(TOKEN, r#""expires_in":3600"#);
        }
        api(request, calls.fetch_add(1, Ordering::SeqCst))
    })
}

fn forbidden_texts() -> Vec<(&'static str, String)> {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{SECRET}"));
    let url_safe =
        base64::engine::general_purpose::URL_SAFE.encode(format!("{CLIENT_ID}:{SECRET}"));
    vec![
        ("client secret", SECRET.to_string()),
        ("access token", TOKEN.to_string()),
        ("Basic credentials", basic),
        ("Basic credentials (URL-safe base64)", url_safe),
        ("Authorization value", "Basic ".to_string()),
        ("Authorization value", format!("Bearer {}", &TOKEN[..8])),
    ]
}

fn assert_clean(source: &str, lines: &[String]) {
    for line in lines {
        for (what, text) in forbidden_texts() {
            assert!(!line.contains(&text), "{what} found in {source}: {line:?}");
        }
    }
}

#[test]
fn nothing_said_or_logged_carries_a_secret() {
    let logged = log_lines();
    let mut said = Said::default();

    // Success, and the client's token checked as actually used, so the
    // test knows the secret values were really in play.
    let ok = server(|_, _| Reply::json(200, r#"{"content":[],"totalPages":1}"#));
    let client = said.client(&ok.url());
    assert_eq!(said.call(&client, "/networks"), ffi::CCX_OK);
    let api = ok.api_requests();
    assert_eq!(
        api[0].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let token = &ok.token_requests()[0];
    assert!(token.header("authorization").unwrap().starts_with("Basic "));
    drop(client);

    // A 401 once, then a fresh token and success; then 401 for good.
    let unauthorized = server(|request, n| {
        if request.path.ends_with("/users") && n == 0 {
            Reply::json(401, r#"{"error":"invalid_token"}"#)
        } else if request.path.ends_with("/hosts") {
            Reply::json(
                401,
                r#"{"error":"invalid_token","error_description":"expired"}"#,
            )
        } else {
            Reply::json(200, "[]")
        }
    });
    let client = said.client(&unauthorized.url());
    assert_eq!(said.call(&client, "/users"), ffi::CCX_OK);
    assert_eq!(said.call(&client, "/hosts"), ffi::CCX_ERR_AUTH);
    drop(client);

    // 429 with Retry-After, then 5xx until the retries run out, then an
    // error reply that echoes what it was sent.
    let busy = server(|request, n| match request.path.as_str() {
        p if p.ends_with("/networks") && n == 0 => Reply::json(429, "").header("Retry-After", "0"),
        p if p.ends_with("/networks") => Reply::json(200, "[]"),
        p if p.ends_with("/devices") => Reply::json(503, r#"{"errorMessage":"maintenance"}"#),
        _ => Reply::json(
            400,
            &format!(
                r#"{{"errorMessage":"bad request","path":"{}"}}"#,
                request.target
            ),
        ),
    });
    let client = said.client(&busy.url());
    assert_eq!(said.call(&client, "/networks"), ffi::CCX_OK);
    assert_eq!(said.call(&client, "/devices"), ffi::CCX_ERR_SERVER);
    assert_ne!(said.call(&client, "/dns-records"), ffi::CCX_OK);
    drop(client);

    // A hung reply, a dropped connection and a redirect.
    let broken = server(|request, _| match request.path.as_str() {
        p if p.ends_with("/hang") => Reply::Hang,
        p if p.ends_with("/drop") => Reply::Drop,
        _ => Reply::json(307, "").header("Location", "http://127.0.0.1:9/elsewhere"),
    });
    let client = said.client(&broken.url());
    // A short timeout for the hung reply only: the other calls keep the
    // default, so a slow moment on a busy machine cannot fail them.
    // SAFETY: a live client.
    unsafe { assert_eq!(ffi::ccx_client_set_timeout_ms(client.0, 400), ffi::CCX_OK) };
    assert_eq!(said.call(&client, "/hang"), ffi::CCX_ERR_TIMEOUT);
    assert_ne!(said.call(&client, "/drop"), ffi::CCX_OK);
    assert_eq!(said.call(&client, "/moved"), ffi::CCX_ERR_HTTP);
    drop(client);

    // Token requests that fail: refused, not JSON, and a reply that is
    // not a usable token.
    for reply in [
        Reply::json(401, r#"{"error":"invalid_client"}"#),
        Reply::text(200, "text/html", "<html>sign in</html>"),
        Reply::json(200, r#"{"token_type":"bearer"}"#),
        Reply::json(500, r#"{"errorMessage":"down"}"#),
    ] {
        let refusing = FakeServer::start(move |_| reply.clone());
        let client = said.client(&refusing.url());
        assert_ne!(said.authenticate(&client), ffi::CCX_OK);
        drop(client);
    }

    // Nothing listening: a connection failure.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = said.client(&format!("http://127.0.0.1:{closed}"));
    // SAFETY: a live client.
    unsafe { assert_eq!(ffi::ccx_client_set_max_retries(client.0, 0), ffi::CCX_OK) };
    assert_ne!(said.call(&client, "/networks"), ffi::CCX_OK);
    drop(client);

    let callback = said.callback.lock().unwrap().clone();
    let logged = logged.0.lock().unwrap().clone();
    assert!(
        callback.len() >= 10,
        "the log callback saw too little: {callback:?}"
    );
    assert!(
        logged.iter().any(|l| l.contains("ureq")),
        "ureq's own log was not captured: {logged:?}"
    );
    assert!(said.errors.len() >= 10);
    assert_clean("the log callback", &callback);
    assert_clean("the `log` crate output", &logged);
    assert_clean("an error message or body", &said.errors);
}

#[test]
fn debug_output_hides_the_secret() {
    let config = cloudconnexa::Config::new(
        Some("https://example.invalid"),
        Some(CLIENT_ID),
        Some(SECRET),
        None,
    )
    .unwrap();
    let shown = format!("{config:?} {:?}", config.client_secret);
    assert!(!shown.contains(SECRET), "{shown}");
    let token = cloudconnexa::token::parse_token_reply(
        format!(r#"{{"access_token":"{TOKEN}","expires_in":60}}"#).as_bytes(),
    )
    .unwrap();
    assert!(!format!("{token:?}").contains(TOKEN));
    // Nothing here is sent anywhere: Config::new does no I/O.
    let _ = Duration::ZERO;
}

#[test]
fn a_token_reply_that_fails_to_parse_keeps_no_token_in_the_error_body() {
    // A 200 token reply whose token the client refuses (here, a trailing
    // space) still holds what the server meant as a credential; it must not
    // be handed back as the error body.
    let odd = FakeServer::start(|_| Reply::json(200, &format!(r#"{{"access_token":"{TOKEN} "}}"#)));
    let client = CClient::new(&odd.url(), CLIENT_ID, SECRET).unwrap();
    // SAFETY: a live client.
    let code = unsafe { ffi::ccx_authenticate(client.0) };
    assert_eq!(code, ffi::CCX_ERR_RESPONSE);
    let error = last_error();
    assert!(!error.message.contains(TOKEN), "{}", error.message);
    assert!(
        !error.body.contains(TOKEN),
        "token in the error body: {}",
        error.body
    );
}

#[test]
fn tls_and_its_logging_carry_no_secret() {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, SanType};

    let logged = log_lines();
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let mut leaf = CertificateParams::new(Vec::<String>::new()).unwrap();
    leaf.subject_alt_names
        .push(SanType::IpAddress([127, 0, 0, 1].into()));
    let key = KeyPair::generate().unwrap();
    let cert = leaf.signed_by(&key, &ca).unwrap();
    let emulator = ccx_emulator::Emulator::start(ccx_emulator::Config {
        rate_limit: None,
        client_id: CLIENT_ID.to_string(),
        client_secret: SECRET.to_string(),
        tls: Some(ccx_emulator::TlsIdentity {
            cert_chain_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }),
        ..ccx_emulator::Config::default()
    })
    .unwrap();
    let ca_file = std::env::temp_dir().join(format!("ccx-secrets-ca-{}.pem", std::process::id()));
    std::fs::write(&ca_file, ca.pem()).unwrap();

    let mut said = Said::default();
    // Refused first (the bundled roots do not know the test CA), then
    // trusted; rustls logs the handshake both times.
    let client = said.client(&emulator.url());
    assert_eq!(said.call(&client, "/networks"), ffi::CCX_ERR_NETWORK);
    let path = support::cabi::c(ca_file.to_str().unwrap());
    // SAFETY: a live client and a NUL-terminated path.
    assert_eq!(
        unsafe { ffi::ccx_client_set_ca_file(client.0, path.as_ptr()) },
        ffi::CCX_OK
    );
    assert_eq!(said.call(&client, "/networks"), ffi::CCX_OK);
    assert_eq!(said.call(&client, "/no-such-thing"), ffi::CCX_ERR_NOT_FOUND);
    drop(client);
    let _ = std::fs::remove_file(&ca_file);

    let logged = logged.0.lock().unwrap().clone();
    assert!(
        logged.iter().any(|l| l.contains("rustls")),
        "rustls's log was not captured"
    );
    assert_clean("the `log` crate output", &logged);
    assert_clean("the log callback", &said.callback.lock().unwrap());
    assert_clean("an error message or body", &said.errors);
}
