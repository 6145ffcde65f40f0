//! SCENARIOS.md, tokens (1 to 5), and one token fetch however many threads
//! wait for it.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ccx_emulator::{Config as EmulatorConfig, Emulator};
use cloudconnexa::ffi;
use cloudconnexa::{ErrorKind, Method};
use support::cabi::{last_error, CClient};
use support::fake::{FakeServer, Reply};
use support::{assert_no_secret, CLIENT_ID, SECRET};

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// No API request may carry an empty or "null" bearer.
fn assert_bearers_are_real(server: &FakeServer) {
    for request in server.api_requests() {
        let auth = request.header("authorization").unwrap_or_default();
        let token = auth.strip_prefix("Bearer ").unwrap_or_default().trim();
        assert!(
            !token.is_empty() && token != "null" && token != "undefined",
            "{} {} went out with authorization {auth:?}",
            request.method,
            request.target
        );
    }
}

#[test]
fn scenario_01_expired_token_is_refreshed() {
    let emulator = Emulator::start(EmulatorConfig {
        token_ttl_secs: 2.0,
        rate_limit: None,
        ..Default::default()
    })
    .unwrap();
    let client = support::emulator_client(&emulator);

    client
        .request(Method::Get, "/networks?page=0&size=10", None)
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    client
        .request(Method::Get, "/networks?page=0&size=10", None)
        .unwrap();

    let stats = emulator.stats();
    assert_eq!(stats.token_requests, 2, "{stats:?}");
    // Both calls were answered on the first try: no 401 was needed.
    assert_eq!(stats.requests, 4, "{stats:?}");
    let statuses: Vec<u16> = emulator.requests().iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
}

#[test]
fn scenario_02_one_fresh_token_after_401_then_success() {
    let server = FakeServer::scripted(vec![
        Reply::json(401, r#"{"error":"invalid_token"}"#),
        Reply::json(200, r#"{"id":"n1"}"#),
    ]);
    let client = CClient::new(&server.url(), CLIENT_ID, SECRET).unwrap();

    let (status, json) = client.request("GET", "/networks/n1", None);

    assert_eq!(status, ffi::CCX_OK, "{:?}", last_error());
    assert_eq!(json.as_deref(), Some(r#"{"id":"n1"}"#));
    let api = server.api_requests();
    assert_eq!(server.token_requests().len(), 2);
    assert_eq!(api.len(), 2);
    assert_eq!(api[0].header("authorization"), Some("Bearer tok-1"));
    assert_eq!(api[1].header("authorization"), Some("Bearer tok-2"));
}

#[test]
fn scenario_02_second_401_is_auth_error_without_a_loop() {
    let server = FakeServer::scripted(vec![Reply::json(401, r#"{"error":"invalid_token"}"#)]);
    let client = CClient::new(&server.url(), CLIENT_ID, SECRET).unwrap();

    let (status, json) = client.request("GET", "/networks", None);

    assert_eq!(status, ffi::CCX_ERR_AUTH);
    assert_eq!(json, None);
    let error = last_error();
    assert_eq!(error.http_status, 401);
    assert_no_secret(&error.message);
    assert_eq!(server.token_requests().len(), 2);
    assert_eq!(server.api_requests().len(), 2);
}

#[test]
fn scenario_03_token_replies_that_are_not_tokens() {
    let html = "<!doctype html><html><body>Sign in to CloudConnexa</body></html>";
    let cases = [
        (
            "401 invalid_client",
            Reply::json(401, r#"{"error":"invalid_client"}"#),
            ffi::CCX_ERR_AUTH,
        ),
        (
            "200 without access_token",
            Reply::json(200, r#"{"token_type":"bearer","expires_in":3600}"#),
            ffi::CCX_ERR_RESPONSE,
        ),
        (
            "access_token null",
            Reply::json(200, r#"{"access_token":null,"expires_in":3600}"#),
            ffi::CCX_ERR_RESPONSE,
        ),
        (
            "access_token empty",
            Reply::json(200, r#"{"access_token":"","expires_in":3600}"#),
            ffi::CCX_ERR_RESPONSE,
        ),
        (
            "HTML page",
            Reply::text(200, "text/html", html),
            ffi::CCX_ERR_RESPONSE,
        ),
        (
            "502",
            Reply::text(502, "text/html", "<html>Bad Gateway</html>"),
            ffi::CCX_ERR_SERVER,
        ),
    ];
    for (name, reply, expected) in cases {
        let server = FakeServer::start(move |_| reply.clone());
        let client = CClient::new(&server.url(), CLIENT_ID, SECRET).unwrap();
        // SAFETY: live client.
        unsafe { ffi::ccx_client_set_max_retries(client.0, 1) };

        let (status, _) = client.request("GET", "/networks", None);

        let error = last_error();
        assert_eq!(status, expected, "{name}: {error:?}");
        assert!(!error.message.is_empty(), "{name}");
        assert_no_secret(&error.message);
        assert!(
            server.api_requests().is_empty(),
            "{name}: an API call went out"
        );
        assert_bearers_are_real(&server);
        if expected == ffi::CCX_ERR_RESPONSE {
            assert!(
                error.message.contains("API URL"),
                "{name}: {}",
                error.message
            );
        }
    }
}

#[test]
fn scenario_04_odd_expires_in_still_works_and_is_bounded() {
    let day = 24 * 3600;
    // (expires_in fragment, lowest and highest expiry the client may
    // believe, in seconds from now)
    let cases = [
        ("", 500, 700),
        (r#""expires_in":0"#, 500, 700),
        (r#""expires_in":"3600""#, 3590, 3610),
        (r#""expires_in":315360000"#, 3600, day + 10),
    ];
    for (extra, low, high) in cases {
        let tokens = Arc::new(AtomicUsize::new(0));
        let counted = tokens.clone();
        let server = FakeServer::start(move |request| {
            if request.is_token_request() {
                counted.fetch_add(1, Ordering::SeqCst);
                return Reply::token("tok-odd", extra);
            }
            Reply::json(200, r#"{"content":[]}"#)
        });
        let client = CClient::new(&server.url(), CLIENT_ID, SECRET).unwrap();

        for _ in 0..3 {
            let (status, _) = client.request("GET", "/networks", None);
            assert_eq!(status, ffi::CCX_OK, "{extra}: {:?}", last_error());
        }

        // SAFETY: live client.
        let expires = unsafe { ffi::ccx_token_expires_at(client.0) } - now_unix();
        assert!(
            (low..=high).contains(&expires),
            "{extra}: expires in {expires} s"
        );
        assert_eq!(tokens.load(Ordering::SeqCst), 1, "{extra}");
        assert_bearers_are_real(&server);
    }
}

#[test]
fn scenario_05_refused_credentials_message_reaches_last_error() {
    let cases = [
        (
            401,
            r#"{"error":"invalid_client","error_description":"API credential expired on 2024-05-01"}"#,
            "API credential expired on 2024-05-01",
        ),
        (
            403,
            r#"{"errorMessage":"API access is disabled for this tenant"}"#,
            "API access is disabled for this tenant",
        ),
    ];
    for (code, body, words) in cases {
        let server = FakeServer::start(move |_| Reply::json(code, body));
        let client = CClient::new(&server.url(), CLIENT_ID, SECRET).unwrap();

        // SAFETY: live client.
        let status = unsafe { ffi::ccx_authenticate(client.0) };

        let error = last_error();
        assert_eq!(status, ffi::CCX_ERR_AUTH, "{error:?}");
        assert_eq!(error.code, ffi::CCX_ERR_AUTH);
        assert_eq!(error.http_status, i32::from(code));
        assert!(error.message.contains(words), "{}", error.message);
        assert_eq!(error.body, body);
        assert_no_secret(&error.message);
        assert_no_secret(&error.body);
        assert_eq!(server.received().len(), 1, "a refusal is not retried");
    }
}

#[test]
fn waiting_threads_share_one_token_fetch() {
    let threads = 8;
    let arrivals = support::Arrivals::default();
    let held = arrivals.clone();
    let server = FakeServer::start(move |request| {
        if request.is_token_request() {
            // The fetch lasts until every thread is waiting on it.
            held.wait_for(threads);
            return Reply::token("tok-shared", r#""expires_in":3600"#);
        }
        Reply::json(200, "{}")
    });
    let client = Arc::new(support::client(&server.url()));

    let shared = client.clone();
    let results = support::at_once(threads, move || {
        arrivals.arrive();
        shared.request(Method::Get, "/networks", None)
    });
    for result in results {
        result.unwrap();
    }

    assert_eq!(server.token_requests().len(), 1);
    let api = server.api_requests();
    assert_eq!(api.len(), threads);
    assert!(api
        .iter()
        .all(|r| r.header("authorization") == Some("Bearer tok-shared")));
}

#[test]
fn waiting_threads_share_one_failed_token_fetch() {
    let threads = 8;
    let arrivals = support::Arrivals::default();
    let held = arrivals.clone();
    let server = FakeServer::start(move |_| {
        held.wait_for(threads);
        Reply::json(401, r#"{"error":"invalid_client"}"#)
    });
    let client = Arc::new(support::client(&server.url()));

    let results = support::at_once(threads, move || {
        arrivals.arrive();
        client.request(Method::Get, "/networks", None)
    });
    for result in results {
        let error = result.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Auth);
    }

    // Every thread arrived during the slow fetch and took its failure
    // rather than asking again.
    assert_eq!(server.token_requests().len(), 1);
    assert!(server.api_requests().is_empty());
}

#[test]
fn scenario_5_a_server_that_echoes_the_secret_does_not_leak_it() {
    let echo = format!(r#"{{"error_description":"secret {SECRET} is wrong"}}"#);
    let server = FakeServer::start(move |_| Reply::json(400, &echo));
    let client = support::client(&server.url());

    let error = client.authenticate().unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Auth);
    assert!(
        error.message().contains("[redacted]"),
        "{}",
        error.message()
    );
    assert_no_secret(error.message());
    assert_no_secret(error.body().unwrap_or_default());
}
