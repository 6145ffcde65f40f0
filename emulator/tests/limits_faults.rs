//! Rate limiting, injected faults, recording, control endpoints, concurrency.

mod common;

use std::time::{Duration, Instant};

use ccx_emulator::{Config, Fault, FaultKind, RateLimit};
use common::{quiet, Api};
use serde_json::json;

#[test]
fn rate_limit_headers_and_refusal() {
    let api = Api::start(Config {
        rate_limit: Some(RateLimit {
            burst: 3,
            replenish_rate: 1,
            // 3 s at this scale: long enough that no token comes back while
            // a busy machine runs the four requests below.
            replenish_time_secs: 60.0,
        }),
        time_scale: 20.0,
        ..Config::default()
    });
    // The token request took the first of the three.
    let first = api.get("/api/v1/regions");
    assert_eq!(first.header("x-ratelimit-remaining"), Some("1"));
    assert_eq!(first.header("x-ratelimit-replenish-rate"), Some("1"));
    assert_eq!(first.header("x-ratelimit-replenish-time"), Some("3"));
    assert_eq!(first.header("x-ratelimit-burst-capacity"), Some("3"));
    assert_eq!(
        api.get("/api/v1/regions").header("x-ratelimit-remaining"),
        Some("0")
    );

    let refused = api.get("/api/v1/regions");
    assert_eq!(refused.status, 429);
    assert_eq!(refused.body, "");
    assert_eq!(refused.header("retry-after"), None);
    assert_eq!(refused.header("x-ratelimit-remaining"), Some("0"));
    assert_eq!(refused.header("x-ratelimit-replenish-time"), Some("3"));
    assert_eq!(api.emu.stats().rate_limited, 1);

    std::thread::sleep(Duration::from_millis(3100));
    assert_eq!(api.get("/api/v1/regions").status, 200);
}

#[test]
fn a_client_pacing_from_headers_never_sees_429() {
    let api = Api::start(Config {
        rate_limit: Some(RateLimit {
            burst: 2,
            replenish_rate: 1,
            replenish_time_secs: 0.04,
        }),
        ..Config::default()
    });
    for _ in 0..15 {
        let resp = api.get("/api/v1/networks");
        assert_eq!(resp.status, 200);
        if resp.header("x-ratelimit-remaining") == Some("0") {
            let time: f64 = resp
                .header("x-ratelimit-replenish-time")
                .unwrap()
                .parse()
                .unwrap();
            let rate: f64 = resp
                .header("x-ratelimit-replenish-rate")
                .unwrap()
                .parse()
                .unwrap();
            std::thread::sleep(Duration::from_secs_f64(time / rate));
        }
    }
    assert_eq!(api.emu.stats().rate_limited, 0);
}

#[test]
fn no_headers_without_a_limit() {
    let api = Api::start(quiet());
    assert_eq!(
        api.get("/api/v1/regions").header("x-ratelimit-remaining"),
        None
    );
}

#[test]
fn status_faults_are_consumed_in_order() {
    let api = Api::start(quiet());
    api.emu.inject(Fault {
        method: Some("POST".into()),
        path_prefix: None,
        times: 1,
        kind: FaultKind::Status {
            status: 500,
            headers: vec![],
            body: String::new(),
        },
    });
    api.emu.inject(
        Fault::new(FaultKind::Status {
            status: 429,
            headers: vec![("Retry-After".into(), "1".into())],
            body: "slow down".into(),
        })
        .method("GET")
        .path_prefix("/api/v1/networks")
        .times(2),
    );
    assert_eq!(
        api.get("/api/v1/regions").status,
        200,
        "other paths untouched"
    );
    for _ in 0..2 {
        let resp = api.get("/api/v1/networks/routes");
        assert_eq!(resp.status, 429);
        assert_eq!(resp.header("retry-after"), Some("1"));
        assert_eq!(resp.body, "slow down");
    }
    assert_eq!(api.get("/api/v1/networks").status, 200);
    assert_eq!(api.post("/api/v1/networks", r#"{"name":"x"}"#).status, 500);
    assert_eq!(api.post("/api/v1/networks", r#"{"name":"x"}"#).status, 201);
    let stats = api.emu.stats();
    assert_eq!(stats.rate_limited, 2);
    assert_eq!(
        stats.by_method["POST"], 3,
        "two creates and the token request"
    );

    api.emu.inject(
        Fault::new(FaultKind::Status {
            status: 503,
            headers: vec![],
            body: "<html>down</html>".into(),
        })
        .path_prefix("/api/v1/oauth/token"),
    );
    let token = api.token_request(None);
    assert_eq!(token.status, 503);
}

#[test]
fn delay_malformed_and_oversized() {
    let api = Api::start(quiet());
    api.emu.inject(Fault::new(FaultKind::Delay { ms: 300 }));
    let started = Instant::now();
    assert_eq!(api.get("/api/v1/users").status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    api.emu.inject(Fault::new(FaultKind::Malformed));
    let bad = api.get("/api/v1/users");
    assert_eq!(bad.status, 200);
    assert!(serde_json::from_str::<serde_json::Value>(&bad.body).is_err());

    api.emu
        .inject(Fault::new(FaultKind::Oversized { bytes: 3_000_001 }));
    let big = api.get("/api/v1/users");
    assert_eq!(big.status, 200);
    assert_eq!(big.header("content-length"), Some("3000001"));
    assert_eq!(big.body.len(), 3_000_001);
    assert!(big.json().is_array());
}

#[test]
fn hang_and_drop_leave_the_client_without_a_reply() {
    let mut api = Api::start(quiet());
    let patient = api.agent.clone();
    api.agent = common::agent(Duration::from_millis(400));
    api.emu
        .inject(Fault::new(FaultKind::Hang).path_prefix("/api/v1/users"));
    let started = Instant::now();
    assert!(api.try_request("GET", "/api/v1/users", &[], None).is_err());
    assert!(started.elapsed() < Duration::from_secs(3));

    // From here the 10 s agent: a dropped connection fails well before it
    // would time out.
    api.agent = patient.clone();
    let before = api.emu.state_json("networks").as_array().unwrap().len();
    api.emu.inject(Fault::new(FaultKind::Drop).method("POST"));
    let started = Instant::now();
    assert!(api
        .try_request("POST", "/api/v1/networks", &[], Some(r#"{"name":"lost"}"#))
        .is_err());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "closed, not timed out"
    );
    let auth = format!("Bearer {}", api.token);
    let headers = [("Authorization", auth.as_str())];
    api.emu
        .inject(Fault::new(FaultKind::DropAfterActing).method("POST"));
    let acted = api.try_request(
        "POST",
        "/api/v1/networks",
        &headers,
        Some(r#"{"name":"kept"}"#),
    );
    assert!(acted.is_err());
    let networks = api.emu.state_json("networks");
    assert_eq!(networks.as_array().unwrap().len(), before + 1);
    assert_eq!(networks.as_array().unwrap().last().unwrap()["name"], "kept");

    api.agent = patient;
    assert_eq!(api.get("/api/v1/users").status, 200, "still serving");
    let statuses: Vec<u16> = api.emu.requests().iter().map(|r| r.status).collect();
    assert_eq!(&statuses[statuses.len() - 4..], [0, 0, 0, 200]);

    // Stopping must not wait for the hung connection.
    let started = Instant::now();
    drop(api);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn requests_are_recorded_without_secrets() {
    let api = Api::start(quiet());
    api.post("/api/v1/user-groups?x=1", r#"{"name":"g"}"#);
    let all = api.emu.requests();
    assert_eq!(all[0].path, "/api/v1/oauth/token");
    assert_eq!(all[0].header("authorization"), Some("Basic"));
    let last = all.last().unwrap();
    assert_eq!(last.method, "POST");
    assert_eq!(last.path, "/api/v1/user-groups");
    assert_eq!(last.query, "x=1");
    assert_eq!(last.body, br#"{"name":"g"}"#);
    assert_eq!(last.status, 201);
    assert_eq!(last.header("Authorization"), Some("Bearer"));
    assert_eq!(last.header("content-type"), Some("application/json"));
    api.emu.clear_requests();
    assert!(api.emu.requests().is_empty());
    assert_eq!(api.emu.stats().requests, 2);
    assert_eq!(api.emu.stats().token_requests, 1);
}

#[test]
fn control_endpoints_are_off_by_default() {
    let api = Api::start(quiet());
    for path in ["/_emulator/stats", "/_emulator/requests"] {
        assert_eq!(api.request("GET", path, &[], None).status, 404);
    }
    assert_eq!(api.emu.stats().requests, 1, "control calls are not counted");
}

#[test]
fn control_endpoints_drive_the_emulator() {
    let api = Api::start(Config {
        control: true,
        ..quiet()
    });
    let fault = json!({"method": "GET", "path_prefix": "/api/v1/networks", "times": 2,
        "kind": "status", "status": 429, "headers": {"Retry-After": "1"}, "body": ""});
    let json_type = [("Content-Type", "application/json")];
    let resp = api.request(
        "POST",
        "/_emulator/faults",
        &json_type,
        Some(&fault.to_string()),
    );
    assert_eq!(resp.status, 204, "{}", resp.body);
    let bad = api.request(
        "POST",
        "/_emulator/faults",
        &json_type,
        Some(r#"{"kind":"x"}"#),
    );
    assert_eq!(bad.status, 400);
    assert_eq!(api.get("/api/v1/networks").status, 429);
    assert_eq!(api.get("/api/v1/networks").status, 429);
    assert_eq!(api.get("/api/v1/networks").status, 200);
    for kind in [
        json!({"kind": "delay", "ms": 1}),
        json!({"kind": "oversized", "bytes": 9}),
    ] {
        let resp = api.request(
            "POST",
            "/_emulator/faults",
            &json_type,
            Some(&kind.to_string()),
        );
        assert_eq!(resp.status, 204);
    }
    assert_eq!(api.get("/api/v1/networks").status, 200);
    assert_eq!(api.get("/api/v1/networks").body, "[0,0,0,0]");

    let stats = api.request("GET", "/_emulator/stats", &[], None).json();
    assert_eq!(stats["requests"], 6);
    assert_eq!(stats["token_requests"], 1);
    assert_eq!(stats["rate_limited"], 2);
    assert_eq!(stats["by_method"]["GET"], 5);

    let recorded = api.request("GET", "/_emulator/requests", &[], None).json();
    assert_eq!(recorded.as_array().unwrap().len(), 6);
    assert_eq!(recorded[1]["status"], 429);
    assert_eq!(recorded[1]["path"], "/api/v1/networks");
    assert_eq!(
        api.request("DELETE", "/_emulator/requests", &[], None)
            .status,
        204
    );
    let recorded = api.request("GET", "/_emulator/requests", &[], None).json();
    assert_eq!(recorded, json!([]));

    let state = api
        .request("GET", "/_emulator/state/networks", &[], None)
        .json();
    assert_eq!(state, api.emu.state_json("networks"));
    assert_eq!(
        api.request("GET", "/_emulator/state/bogus", &[], None)
            .status,
        404
    );

    let ttl = api.request(
        "PUT",
        "/_emulator/token-ttl",
        &json_type,
        Some(r#"{"secs": 7}"#),
    );
    assert_eq!(ttl.status, 204);
    assert_eq!(api.fetch_token().len(), 40);
    let token = api.token_request(None);
    assert_eq!(token.json()["expires_in"], 7);
}

#[test]
fn keep_alive_clients_are_served_in_parallel() {
    let api = Api::start(quiet());
    api.emu
        .inject(Fault::new(FaultKind::Delay { ms: 150 }).times(32 * 4));
    let url = api.url("/api/v1/regions");
    let auth = format!("Bearer {}", api.token);
    let started = Instant::now();
    let threads: Vec<_> = (0..32)
        .map(|_| {
            let (url, auth) = (url.clone(), auth.clone());
            std::thread::spawn(move || {
                let agent = common::agent(Duration::from_secs(20));
                for _ in 0..4 {
                    let resp = agent
                        .get(&url)
                        .header("Authorization", &auth)
                        .call()
                        .unwrap();
                    assert_eq!(resp.status().as_u16(), 200);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    // 128 delayed requests one at a time would take 19 s; at once, 0.6 s.
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(api.emu.stats().requests, 1 + 128);
}
