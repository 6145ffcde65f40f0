//! SCENARIOS.md, input and output (17 to 22), through the C functions a
//! program calls.

mod support;

use std::time::Duration;

use ccx_emulator::{Config as EmulatorConfig, Emulator};
use cloudconnexa::client::REPLY_CAP;
use cloudconnexa::ffi;
use support::cabi::{last_error, CClient};
use support::fake::{FakeServer, Reply};
use support::{assert_no_secret, CLIENT_ID, SECRET};

#[test]
fn scenario_17_url_mistakes_say_what_to_fix() {
    let cases = [
        ("acme.api.openvpn.com", "https://acme.api.openvpn.com"),
        ("https://acme.openvpn.com", "https://acme.api.openvpn.com"),
        ("https://acme.openvpn.com/", "admin portal"),
        ("https://admin:hunter2@acme.api.openvpn.com", "client_id"),
        (
            "http://acme.api.openvpn.com",
            "https://acme.api.openvpn.com",
        ),
        ("http://192.0.2.10:8080", "loopback"),
        ("ftp://acme.api.openvpn.com", "https://"),
        ("", "CLOUDCONNEXA_API_URL"),
    ];
    for (url, advice) in cases {
        let error = match CClient::new(url, CLIENT_ID, SECRET) {
            Ok(_) => panic!("{url:?} was accepted"),
            Err(error) => error,
        };
        assert_eq!(error.code, ffi::CCX_ERR_CONFIG, "{url:?}: {error:?}");
        assert!(error.message.contains(advice), "{url:?}: {}", error.message);
        assert!(!error.message.contains("hunter2"), "{}", error.message);
        assert_no_secret(&error.message);
    }
}

#[test]
fn scenario_17_a_path_in_the_url_is_tolerated() {
    let server = FakeServer::scripted(vec![Reply::json(200, r#"{"content":[]}"#)]);
    for suffix in ["/", "/api/v1", "/api/v1/"] {
        let client = CClient::new(&format!("{}{suffix}", server.url()), CLIENT_ID, SECRET)
            .unwrap_or_else(|e| panic!("{suffix}: {e:?}"));

        let (status, _) = client.request("GET", "/networks?page=0&size=1", None);

        assert_eq!(status, ffi::CCX_OK, "{suffix}: {:?}", last_error());
    }
    let targets: Vec<String> = server.received().into_iter().map(|r| r.target).collect();
    for target in targets {
        assert!(
            target == "/api/v1/oauth/token" || target == "/api/v1/networks?page=0&size=1",
            "{target}"
        );
    }
}

#[test]
fn scenario_18_ids_become_one_escaped_path_segment() {
    let cases = [
        ("a/b", "a%2Fb"),
        ("../users", "..%2Fusers"),
        ("x?size=1000", "x%3Fsize%3D1000"),
        ("frag#ment", "frag%23ment"),
        ("with space", "with%20space"),
        ("per%cent", "per%25cent"),
        ("ünï", "%C3%BCn%C3%AF"),
    ];
    let server = FakeServer::scripted(vec![Reply::json(200, "{}")]);
    let client = CClient::new(&server.url(), CLIENT_ID, SECRET).unwrap();

    for (id, _) in cases {
        let (status, _) = client.with_text(ffi::resources::ccx_networks_get, id);
        assert_eq!(status, ffi::CCX_OK, "{id}: {:?}", last_error());
    }

    let seen: Vec<String> = server
        .api_requests()
        .into_iter()
        .map(|r| r.target)
        .collect();
    let expected: Vec<String> = cases
        .iter()
        .map(|(_, escaped)| format!("/api/v1/networks/{escaped}"))
        .collect();
    assert_eq!(seen, expected);
}

#[test]
fn scenario_18_empty_and_dot_ids_are_refused_before_sending() {
    let server = FakeServer::scripted(vec![Reply::json(200, "{}")]);
    let client = CClient::new(&server.url(), CLIENT_ID, SECRET).unwrap();

    for id in ["", ".", ".."] {
        let id = support::cabi::c(id);

        // SAFETY: live client and string.
        let status = unsafe { ffi::resources::ccx_networks_delete(client.0, id.as_ptr()) };

        assert_eq!(status, ffi::CCX_ERR_INVALID_ARGUMENT);
    }
    assert!(server.api_requests().is_empty());
}

#[test]
fn scenario_19_validation_errors_reach_the_caller() {
    let body = r#"{"errorMessage":"Validation failed","errorDetails":{"name":[{"errorCode":"1-2-3","message":"must not be blank"}],"egress":[{"message":"must be true or false"}]},"statusError":"Bad Request"}"#;
    let server = FakeServer::scripted(vec![Reply::json(400, body)]);
    let client = CClient::new(&server.url(), CLIENT_ID, SECRET).unwrap();

    let (status, json) = client.request("POST", "/networks", Some(r#"{"name":""}"#));

    let error = last_error();
    assert_eq!(status, ffi::CCX_ERR_VALIDATION, "{error:?}");
    assert_eq!(json, None);
    assert_eq!(error.http_status, 400);
    assert_eq!(error.body, body);
    for words in [
        "Validation failed",
        "name: must not be blank [1-2-3]",
        "egress: must be true or false",
        "POST /api/v1/networks",
    ] {
        assert!(error.message.contains(words), "{words}: {}", error.message);
    }
    assert_eq!(server.api_requests().len(), 1, "a 400 is not retried");
}

#[test]
fn scenario_20_missing_entities_answered_with_400_are_not_found() {
    let bodies = [
        r#"{"errorDetails":{"network":[{"errorCode":"9-11-6","message":"Entity does not exist"}]},"statusError":"Bad Request"}"#,
        r#"{"errorMessage":"Network not found"}"#,
        r#"{"errorMessage":"Bad request","errorCode":"9-11-6"}"#,
    ];
    for body in bodies {
        let server = FakeServer::scripted(vec![Reply::json(400, body)]);
        let client = CClient::new(&server.url(), CLIENT_ID, SECRET).unwrap();

        let (status, _) = client.with_text(ffi::resources::ccx_networks_get, "gone");

        let error = last_error();
        assert_eq!(status, ffi::CCX_ERR_NOT_FOUND, "{body}: {error:?}");
        assert_eq!(error.http_status, 400);
        assert_eq!(error.body, body);
    }
}

#[test]
fn scenario_20_emulator_missing_network_is_not_found() {
    let emulator = Emulator::start(EmulatorConfig {
        rate_limit: None,
        ..Default::default()
    })
    .unwrap();
    let client = CClient::for_emulator(&emulator).unwrap();

    let (status, _) = client.with_text(
        ffi::resources::ccx_networks_get,
        "00000000-0000-0000-0000-000000000000",
    );

    assert_eq!(status, ffi::CCX_ERR_NOT_FOUND, "{:?}", last_error());
}

/// Every oddity a newer API may send, with unusual spacing kept.
const ODD_OBJECT: &str = r#"{ "id" : "n-1", "name":"Zürich 東京 🚀 \"quoted\" \u00e9",
  "newField":{"nested":[1,2.50,-0.0,1e400]}, "status":"SOME_NEW_ENUM_VALUE",
  "nullable":null, "counter":123456789012345678901234567890,
  "negative":-9223372036854775809, "escaped":"line\nbreak\u0000nul"}"#;

#[test]
fn scenario_21_objects_pass_through_byte_for_byte() {
    let server = FakeServer::scripted(vec![Reply::json(200, ODD_OBJECT)]);
    let client = CClient::new(&server.url(), CLIENT_ID, SECRET).unwrap();

    let (status, json) = client.with_text(ffi::resources::ccx_networks_get, "n-1");

    assert_eq!(status, ffi::CCX_OK, "{:?}", last_error());
    assert_eq!(json.as_deref(), Some(ODD_OBJECT));
}

#[test]
fn scenario_21_listed_items_pass_through_byte_for_byte() {
    let envelope = format!(
        r#"{{"content":[{ODD_OBJECT},{{"id":"n-2"}}],"totalPages":1,"totalElements":2,
        "unknownEnvelopeField":true}}"#
    );
    let server = FakeServer::scripted(vec![Reply::json(200, &envelope)]);
    let client = CClient::new(&server.url(), CLIENT_ID, SECRET).unwrap();

    let (status, json) = client.with_out(ffi::resources::ccx_networks_list);

    assert_eq!(status, ffi::CCX_OK, "{:?}", last_error());
    assert_eq!(json.unwrap(), format!(r#"[{ODD_OBJECT},{{"id":"n-2"}}]"#));
}

#[test]
fn scenario_22_reply_over_the_cap_is_refused_with_bounded_memory() {
    // Far more than the cap, so that reading it all would show.
    let over = 16 * REPLY_CAP;
    for chunked in [false, true] {
        let server = FakeServer::scripted(vec![Reply::Endless {
            total: over,
            chunked,
        }]);
        let client = CClient::new(&server.url(), CLIENT_ID, SECRET).unwrap();
        // SAFETY: live client.
        unsafe { ffi::ccx_client_set_timeout_ms(client.0, 30_000) };

        let (status, json) = client.request("GET", "/audit-log?size=10", None);

        let error = last_error();
        assert_eq!(
            status,
            ffi::CCX_ERR_RESPONSE,
            "chunked {chunked}: {error:?}"
        );
        assert_eq!(json, None);
        assert!(error.message.contains("cap"), "{}", error.message);
        // A reply came, so its status is kept: 0 means none at all.
        assert_eq!(error.http_status, 200, "chunked {chunked}");
        assert_eq!(
            server.api_requests().len(),
            1,
            "an oversized reply is not retried"
        );
        // The client stopped reading near the cap: what the server got to
        // write is the cap plus what the socket buffers hold.
        std::thread::sleep(Duration::from_millis(100));
        let streamed = server.streamed_bytes();
        assert!(
            streamed < REPLY_CAP + 32 * 1024 * 1024,
            "chunked {chunked}: the server wrote {streamed} bytes"
        );
    }
}

/// A server that answers the token request, then `reply` to everything.
fn answering(reply: Reply) -> FakeServer {
    FakeServer::start(move |request| {
        if request.is_token_request() {
            Reply::token("tok", r#""expires_in":3600"#)
        } else {
            reply.clone()
        }
    })
}

#[test]
fn a_success_status_with_a_body_that_is_not_json_is_a_bad_reply() {
    let cases = [
        Reply::json(200, r#"{"content":[{"id":"8f3c"#),
        Reply::text(200, "text/html", "<html>portal</html>"),
        Reply::text(200, "text/plain", "<!DOCTYPE html><html></html>"),
    ];
    for reply in cases {
        let server = answering(reply);
        let client = support::client(&server.url());
        for function in ["ccx_networks_get", "ccx_users_get"] {
            let args = cloudconnexa::Args {
                id: Some("x"),
                ..Default::default()
            };
            let error = support::call(&client, function, args).unwrap_err();
            assert_eq!(error.kind(), cloudconnexa::ErrorKind::Response, "{error:?}");
        }
        let setting = cloudconnexa::Args {
            name: Some("wpc/snat"),
            ..Default::default()
        };
        let error = support::call(&client, "ccx_settings_get", setting).unwrap_err();
        assert_eq!(error.kind(), cloudconnexa::ErrorKind::Response, "{error:?}");
    }
}

#[test]
fn a_profile_answered_as_text_comes_back_as_a_json_string() {
    let server = answering(Reply::text(200, "text/plain", "client\ndev tun\n"));
    let client = support::client(&server.url());
    let args = cloudconnexa::Args {
        id: Some("c1"),
        ..Default::default()
    };

    let json = support::call(&client, "ccx_network_connectors_profile", args)
        .unwrap()
        .unwrap();

    assert_eq!(json, r#""client\ndev tun\n""#);
}
