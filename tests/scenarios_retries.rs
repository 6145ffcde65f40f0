//! SCENARIOS.md, rate limits and retries (6 to 13), against a scripted
//! server on loopback whose clock is the arrival time of each request.

mod support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use cloudconnexa::ffi;
use support::cabi::{last_error, CClient};
use support::fake::{FakeServer, Received, Reply};
use support::{assert_no_secret, CLIENT_ID, SECRET};

fn c_client(server: &FakeServer) -> CClient {
    CClient::new(&server.url(), CLIENT_ID, SECRET).unwrap()
}

/// Seconds between consecutive API requests, as the server saw them.
fn gaps(requests: &[Received]) -> Vec<f64> {
    requests
        .windows(2)
        .map(|w| w[1].at.duration_since(w[0].at).as_secs_f64())
        .collect()
}

fn too_many() -> Reply {
    Reply::json(429, r#"{"errorMessage":"Too many requests"}"#)
}

#[test]
fn scenario_06_two_429_with_retry_after_then_success() {
    let server = FakeServer::scripted(vec![
        too_many().header("Retry-After", "1"),
        too_many().header("Retry-After", "1"),
        Reply::json(200, r#"{"id":"n1"}"#),
    ]);
    let client = c_client(&server);

    let (status, json) = client.request("GET", "/networks/n1", None);

    assert_eq!(status, ffi::CCX_OK, "{:?}", last_error());
    assert_eq!(json.as_deref(), Some(r#"{"id":"n1"}"#));
    let api = server.api_requests();
    assert_eq!(api.len(), 3);
    for gap in gaps(&api) {
        assert!(
            (0.95..2.5).contains(&gap),
            "waited {gap:.3} s, not about 1 s"
        );
    }
}

#[test]
fn scenario_07_429_forever_gives_up_after_the_retry_budget() {
    let server = FakeServer::scripted(vec![too_many()]);
    let client = c_client(&server);

    let (status, json) = client.request("GET", "/networks?page=0&size=10", None);

    assert_eq!(status, ffi::CCX_ERR_RATE_LIMITED);
    assert_eq!(json, None);
    let error = last_error();
    assert_eq!(error.http_status, 429);
    for words in ["429", "GET", "/api/v1/networks", "4 attempts"] {
        assert!(error.message.contains(words), "{words}: {}", error.message);
    }
    let api = server.api_requests();
    assert_eq!(
        api.len(),
        1 + cloudconnexa::client::DEFAULT_MAX_RETRIES as usize
    );
    let waits = gaps(&api);
    // Backoff steps are 0.25 s doubling, each wait between half and all of
    // its step. Scheduling can only lengthen a measured wait, so the upper
    // end gets slack and the lower end none.
    for (n, wait) in waits.iter().enumerate() {
        let step = 0.25 * f64::from(1u32 << n);
        assert!(
            (step / 2.0..step + 0.5).contains(wait),
            "wait {n} of {waits:?} is outside [{}, {step}] s",
            step / 2.0
        );
    }
    assert!(waits[2] > waits[0], "waits {waits:?} do not grow");
}

#[test]
fn scenario_07_max_retries_is_obeyed() {
    for retries in [0u32, 1, 2] {
        let server = FakeServer::scripted(vec![too_many()]);
        let client = c_client(&server);
        // SAFETY: live client.
        unsafe { ffi::ccx_client_set_max_retries(client.0, retries) };

        let (status, _) = client.request("DELETE", "/networks/n1", None);

        assert_eq!(status, ffi::CCX_ERR_RATE_LIMITED);
        assert_eq!(server.api_requests().len(), 1 + retries as usize);
    }
}

#[test]
fn scenario_08_rate_limit_headers_alone_give_the_wait() {
    let empty_bucket = Reply::Send {
        status: 429,
        headers: vec![
            ("X-RateLimit-Remaining".into(), "0".into()),
            ("X-RateLimit-Replenish-Rate".into(), "1".into()),
            ("X-RateLimit-Replenish-Time".into(), "2".into()),
        ],
        body: Vec::new(),
    };
    let server = FakeServer::scripted(vec![empty_bucket, Reply::json(200, "[]")]);
    let client = c_client(&server);

    let (status, _) = client.request("GET", "/vpn-regions", None);

    assert_eq!(status, ffi::CCX_OK, "{:?}", last_error());
    let api = server.api_requests();
    assert_eq!(api.len(), 2);
    let gap = gaps(&api)[0];
    assert!(
        (1.95..3.5).contains(&gap),
        "waited {gap:.3} s, not about 2 s"
    );
}

#[test]
fn scenario_09_nonsense_rate_limit_headers_are_ignored() {
    let nonsense = [
        ("0", "0", "0"),
        ("-5", "-1", "-30"),
        ("many", "fast", "soon"),
        ("0", "1", "0"),
        ("0", "1e400", "1"),
        ("", "NaN", "inf"),
    ];
    let replies: Vec<Reply> = nonsense
        .iter()
        .flat_map(|(remaining, rate, time)| {
            let headers = vec![
                ("X-RateLimit-Remaining".to_string(), remaining.to_string()),
                ("X-RateLimit-Replenish-Rate".to_string(), rate.to_string()),
                ("X-RateLimit-Replenish-Time".to_string(), time.to_string()),
                ("X-RateLimit-Burst-Capacity".to_string(), rate.to_string()),
            ];
            [
                Reply::Send {
                    status: 429,
                    headers: headers.clone(),
                    body: Vec::new(),
                },
                Reply::Send {
                    status: 200,
                    headers,
                    body: b"{}".to_vec(),
                },
            ]
        })
        .chain([Reply::json(200, "{}")])
        .collect();
    let server = FakeServer::scripted(replies);
    let client = c_client(&server);
    // A nonsense header read as a long wait would fail a call at once.
    // SAFETY: live client.
    unsafe { ffi::ccx_client_set_max_retry_wait_ms(client.0, 3000) };

    for _ in 0..nonsense.len() {
        let (status, _) = client.request("GET", "/networks", None);
        assert_eq!(status, ffi::CCX_OK, "{:?}", last_error());
    }
    assert_eq!(server.api_requests().len(), 2 * nonsense.len());
}

#[test]
fn scenario_10_retry_after_as_an_http_date() {
    // The date is made when the 429 is sent, so slow set-up on a busy
    // machine cannot eat into the wait being measured.
    let first = AtomicBool::new(true);
    let server = FakeServer::start(move |request| {
        if request.is_token_request() {
            Reply::token("tok-1", r#""expires_in":3600"#)
        } else if first.swap(false, Ordering::SeqCst) {
            let when = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2));
            too_many().header("Retry-After", &when)
        } else {
            Reply::json(200, "{}")
        }
    });
    let client = c_client(&server);

    let (status, _) = client.request("GET", "/networks", None);

    assert_eq!(status, ffi::CCX_OK, "{:?}", last_error());
    let api = server.api_requests();
    assert_eq!(api.len(), 2);
    // The date has whole seconds, so the wait is between 1 and 2 s.
    let gap = gaps(&api)[0];
    assert!((0.9..3.0).contains(&gap), "waited {gap:.3} s");
}

#[test]
fn scenario_10_a_wait_over_the_maximum_gives_up_at_once() {
    let far = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
    for retry_after in ["120", far.as_str()] {
        let server = FakeServer::scripted(vec![
            too_many().header("Retry-After", retry_after),
            Reply::json(200, "{}"),
        ]);
        let client = c_client(&server);
        let started = Instant::now();

        let (status, _) = client.request("GET", "/networks", None);

        let error = last_error();
        assert_eq!(status, ffi::CCX_ERR_RATE_LIMITED, "{error:?}");
        assert!(
            error.message.contains("max retry wait"),
            "{}",
            error.message
        );
        assert_eq!(server.api_requests().len(), 1);
        assert!(started.elapsed() < Duration::from_secs(3), "it slept");
    }
}

#[test]
fn scenario_11_server_errors_are_retried_for_idempotent_methods() {
    for method in ["GET", "PUT", "DELETE"] {
        for code in [502u16, 503, 504] {
            let server = FakeServer::scripted(vec![
                Reply::text(code, "text/html", "<html>upstream trouble</html>"),
                Reply::json(200, r#"{"ok":true}"#),
            ]);
            let client = c_client(&server);
            let body = (method == "PUT").then_some(r#"{"name":"n"}"#);

            let (status, _) = client.request(method, "/networks/n1", body);

            assert_eq!(status, ffi::CCX_OK, "{method} {code}: {:?}", last_error());
            assert_eq!(server.api_requests().len(), 2, "{method} {code}");
        }
    }
}

#[test]
fn scenario_11_post_is_retried_only_when_the_server_did_not_act() {
    // (first reply, whether the POST is sent again)
    let cases = [
        (Reply::json(502, "{}"), false),
        (Reply::json(503, "{}"), false),
        (Reply::json(504, "{}"), false),
        (Reply::json(500, "{}"), false),
        (too_many(), true),
        (too_many().header("Retry-After", "0"), true),
        (Reply::json(503, "{}").header("Retry-After", "0"), true),
    ];
    for (first, retried) in cases {
        let label = format!("{first:?}");
        let server = FakeServer::scripted(vec![first, Reply::json(201, r#"{"id":"new"}"#)]);
        let client = c_client(&server);

        let (status, json) = client.request("POST", "/networks", Some(r#"{"name":"n"}"#));

        let posts = server.api_requests();
        if retried {
            assert_eq!(status, ffi::CCX_OK, "{label}: {:?}", last_error());
            assert_eq!(json.as_deref(), Some(r#"{"id":"new"}"#));
            assert_eq!(posts.len(), 2, "{label}");
        } else {
            assert_eq!(status, ffi::CCX_ERR_SERVER, "{label}");
            assert_eq!(posts.len(), 1, "{label}");
        }
    }
}

#[test]
fn scenario_12_post_without_an_answer_is_ambiguous() {
    let cases = [
        ("timeout", Reply::Hang),
        ("dropped", Reply::Drop),
        (
            "cut short",
            Reply::Partial {
                status: 201,
                declared: 200,
                body: br#"{"id":"n"#.to_vec(),
            },
        ),
    ];
    for (name, reply) in cases {
        let server = FakeServer::scripted(vec![reply]);
        let client = c_client(&server);
        // SAFETY: live client.
        unsafe { ffi::ccx_client_set_timeout_ms(client.0, 700) };

        let (status, json) = client.request("POST", "/networks", Some(r#"{"name":"n"}"#));

        let error = last_error();
        assert_eq!(status, ffi::CCX_ERR_AMBIGUOUS, "{name}: {error:?}");
        assert_eq!(json, None);
        assert!(
            error.message.contains("may have happened"),
            "{name}: {}",
            error.message
        );
        assert_no_secret(&error.message);
        // Only the reply cut short got as far as a status line.
        let expected_status = if name == "cut short" { 201 } else { 0 };
        assert_eq!(error.http_status, expected_status, "{name}");
        let posts = server.api_requests();
        assert_eq!(posts.len(), 1, "{name}: the POST was repeated");
        assert_eq!(posts[0].body, br#"{"name":"n"}"#);
    }
}

#[test]
fn scenario_12_idempotent_call_after_a_dropped_connection_is_retried() {
    let server = FakeServer::scripted(vec![Reply::Drop, Reply::json(200, r#"{"id":"n1"}"#)]);
    let client = c_client(&server);

    let (status, json) = client.request("GET", "/networks/n1", None);

    assert_eq!(status, ffi::CCX_OK, "{:?}", last_error());
    assert_eq!(json.as_deref(), Some(r#"{"id":"n1"}"#));
    assert_eq!(server.api_requests().len(), 2);
}

#[test]
fn scenario_13_silent_server_times_out_for_get() {
    let server = FakeServer::scripted(vec![Reply::Hang]);
    let client = c_client(&server);
    // SAFETY: live client.
    unsafe { ffi::ccx_client_set_timeout_ms(client.0, 800) };
    let started = Instant::now();

    let (status, _) = client.request("GET", "/networks", None);

    let elapsed = started.elapsed();
    let error = last_error();
    assert_eq!(status, ffi::CCX_ERR_TIMEOUT, "{error:?}");
    assert!(error.message.contains("800 ms"), "{}", error.message);
    assert!(
        elapsed >= Duration::from_millis(750) && elapsed < Duration::from_millis(2500),
        "{elapsed:?}"
    );
    assert_eq!(server.api_requests().len(), 1);
}

#[test]
fn scenario_13_silent_server_times_out_for_the_token_request() {
    let server = FakeServer::start(|_| Reply::Hang);
    let client = c_client(&server);
    // SAFETY: live client.
    unsafe { ffi::ccx_client_set_timeout_ms(client.0, 800) };
    let started = Instant::now();

    // SAFETY: live client.
    let status = unsafe { ffi::ccx_authenticate(client.0) };

    let elapsed = started.elapsed();
    let error = last_error();
    assert_eq!(status, ffi::CCX_ERR_TIMEOUT, "{error:?}");
    assert!(
        elapsed >= Duration::from_millis(750) && elapsed < Duration::from_millis(2500),
        "{elapsed:?}"
    );
    assert_eq!(server.token_requests().len(), 1);
}
