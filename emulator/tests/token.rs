//! The OAuth token endpoint and token expiry.

mod common;

use std::time::Duration;

use ccx_emulator::Config;
use common::{basic, quiet, Api};

const TOKEN: &str = "/api/v1/oauth/token";

fn token_of(resp: &common::Resp) -> String {
    assert_eq!(resp.status, 200, "{}", resp.body);
    let body = resp.json();
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["scope"], "read write");
    assert!(body["expires_in"].is_i64());
    let token = body["access_token"].as_str().unwrap().to_string();
    assert!(token.len() >= 32);
    token
}

#[test]
fn every_credential_style_is_accepted() {
    let api = Api::start(quiet());
    let (id, secret) = (api.emu.client_id(), api.emu.client_secret());

    let query =
        format!("{TOKEN}?client_id={id}&client_secret={secret}&grant_type=client_credentials");
    let by_query = api.request("POST", &query, &[], None);
    let by_basic = api.request(
        "POST",
        TOKEN,
        &[("Authorization", &basic(id, secret))],
        None,
    );
    let json = format!(r#"{{"client_id":"{id}","client_secret":"{secret}"}}"#);
    let by_json = api.request(
        "POST",
        TOKEN,
        &[("Content-Type", "application/json")],
        Some(&json),
    );
    let form = format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
    let by_form = api.request(
        "POST",
        TOKEN,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(&form),
    );
    let tokens: Vec<String> = [by_query, by_basic, by_json, by_form]
        .iter()
        .map(token_of)
        .collect();
    assert_eq!(
        tokens
            .iter()
            .collect::<std::collections::HashSet<_>>()
            .len(),
        4
    );
    for token in tokens {
        let auth = format!("Bearer {token}");
        let resp = api.request("GET", "/api/v1/regions", &[("Authorization", &auth)], None);
        assert_eq!(resp.status, 200);
    }
    assert_eq!(api.emu.stats().token_requests, 5);
}

#[test]
fn bad_or_missing_credentials_are_refused() {
    let api = Api::start(quiet());
    let wrong = api.request(
        "POST",
        TOKEN,
        &[("Authorization", &basic(api.emu.client_id(), "nope"))],
        None,
    );
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.json()["error"], "invalid_client");
    assert_eq!(wrong.json()["error_description"], "Bad client credentials");

    let missing = api.request("POST", TOKEN, &[], None);
    assert_eq!(missing.status, 401);
    assert_eq!(missing.json()["error"], "invalid_client");

    let grant = api.request(
        "POST",
        &format!("{TOKEN}?grant_type=password"),
        &[(
            "Authorization",
            &basic(api.emu.client_id(), api.emu.client_secret()),
        )],
        None,
    );
    assert_eq!(grant.status, 400);

    assert_eq!(api.request("GET", TOKEN, &[], None).status, 405);
}

#[test]
fn resource_calls_need_a_valid_bearer() {
    let api = Api::start(quiet());
    for auth in ["", "Bearer nonsense", "Basic abc"] {
        let headers: Vec<(&str, &str)> = if auth.is_empty() {
            vec![]
        } else {
            vec![("Authorization", auth)]
        };
        let resp = api.request("GET", "/api/v1/networks", &headers, None);
        assert_eq!(resp.status, 401);
        assert_eq!(
            resp.json(),
            serde_json::json!({
                "errorMessage": "Unauthorized: token expired or invalid",
                "statusError": "Unauthorized"
            })
        );
    }
}

#[test]
fn tokens_expire_after_their_ttl() {
    let api = Api::start(Config {
        token_ttl_secs: 1.0,
        ..quiet()
    });
    let resp = api.get("/api/v1/networks");
    assert_eq!(resp.status, 200);
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(api.get("/api/v1/networks").status, 401);

    // expires_in is a whole number of seconds, never below 1.
    let auth = basic(api.emu.client_id(), api.emu.client_secret());
    let fresh = api.request("POST", TOKEN, &[("Authorization", &auth)], None);
    assert_eq!(fresh.json()["expires_in"], 1);

    api.emu.set_token_ttl(2.0);
    let later = api.request("POST", TOKEN, &[("Authorization", &auth)], None);
    assert_eq!(later.json()["expires_in"], 2);
}
