//! SCENARIOS.md, pagination (14 to 16): the emulator for honest
//! collections, a scripted server for envelopes that do not add up.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use ccx_emulator::{Config as EmulatorConfig, Emulator};
use cloudconnexa::{Args, ErrorKind};
use serde_json::Value;
use support::fake::{FakeServer, Reply};

fn emulator(users: usize) -> Emulator {
    Emulator::start(EmulatorConfig {
        seed: false,
        extra_users: users,
        rate_limit: None,
        ..Default::default()
    })
    .unwrap()
}

/// The `page` values the emulator was asked for on `path`.
fn pages_asked(emulator: &Emulator, path: &str) -> Vec<String> {
    emulator
        .requests()
        .iter()
        .filter(|r| r.path == path)
        .map(|r| {
            r.query
                .split('&')
                .find_map(|p| p.strip_prefix("page="))
                .unwrap_or("none")
                .to_string()
        })
        .collect()
}

fn list(client: &cloudconnexa::Client, function: &str) -> cloudconnexa::Result<Vec<Value>> {
    let json = support::call(client, function, Args::default())?.expect("a list");
    Ok(serde_json::from_str(&json).expect("a JSON array"))
}

#[test]
fn scenario_14_three_items_at_size_two_take_pages_zero_and_one() {
    let emulator = emulator(3);
    let client = support::emulator_client(&emulator);
    client.set_page_size(2).unwrap();

    let users = list(&client, "ccx_users_list").unwrap();

    assert_eq!(users.len(), 3);
    assert_eq!(pages_asked(&emulator, "/api/v1/users"), ["0", "1"]);
    for request in emulator
        .requests()
        .iter()
        .filter(|r| r.path == "/api/v1/users")
    {
        assert!(request.query.contains("size=2"), "{}", request.query);
    }
}

#[test]
fn scenario_14_empty_collection_is_one_request() {
    let emulator = emulator(0);
    let client = support::emulator_client(&emulator);

    let json = support::call(&client, "ccx_networks_list", Args::default()).unwrap();

    assert_eq!(json.as_deref(), Some("[]"));
    assert_eq!(pages_asked(&emulator, "/api/v1/networks"), ["0"]);
}

#[test]
fn scenario_15_item_101_at_size_100_is_listed() {
    let emulator = emulator(101);
    let client = support::emulator_client(&emulator);
    client.set_page_size(100).unwrap();

    let users = list(&client, "ccx_users_list").unwrap();

    assert_eq!(users.len(), 101);
    let names: Vec<&str> = users
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"user101"), "{names:?}");
    assert!(names.contains(&"user1"));
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 101, "an item was listed twice");
    assert_eq!(pages_asked(&emulator, "/api/v1/users"), ["0", "1"]);
}

/// A page of `size` items numbered from `first`, in the API's envelope
/// with `extra` fields spliced in.
fn page(first: usize, count: usize, extra: &str) -> String {
    let items: Vec<String> = (first..first + count)
        .map(|n| format!(r#"{{"id":"item-{n}"}}"#))
        .collect();
    let comma = if extra.is_empty() { "" } else { "," };
    format!(r#"{{"content":[{}]{comma}{extra}}}"#, items.join(","))
}

/// A server whose page replies come from `pages(page_number)`; after 50
/// API requests it answers an empty page, so that a client that never
/// stops by itself still ends and the test can say it looped.
fn paging_server(pages: impl Fn(usize) -> String + Send + Sync + 'static) -> FakeServer {
    let served = Arc::new(AtomicUsize::new(0));
    FakeServer::start(move |request| {
        if request.is_token_request() {
            return Reply::token("tok", r#""expires_in":3600"#);
        }
        if served.fetch_add(1, Ordering::SeqCst) >= 50 {
            return Reply::json(200, r#"{"content":[]}"#);
        }
        let number: usize = request
            .query_value("page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(usize::MAX);
        Reply::json(200, &pages(number))
    })
}

fn list_from(server: &FakeServer, size: u32) -> cloudconnexa::Result<Vec<Value>> {
    let client = support::client(&server.url());
    client.set_page_size(size).unwrap();
    list(&client, "ccx_networks_list")
}

#[test]
fn scenario_16_without_total_pages_a_short_page_ends_the_list() {
    let server = paging_server(|n| match n {
        0 => page(0, 2, ""),
        1 => page(2, 2, ""),
        _ => page(4, 1, ""),
    });

    let items = list_from(&server, 2).unwrap();

    let ids: Vec<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["item-0", "item-1", "item-2", "item-3", "item-4"]);
    assert_eq!(server.api_requests().len(), 3);
}

#[test]
fn scenario_16_server_that_ignores_the_page_number_is_not_followed_for_ever() {
    // Every page is the same full page and no envelope field says
    // otherwise: following it would list the same items again and again.
    let server = paging_server(|_| page(0, 2, ""));

    let outcome = list_from(&server, 2);

    let requests = server.api_requests().len();
    assert!(requests < 50, "the client looped: {requests} requests");
    let error = outcome.expect_err("a repeated page is an error");
    assert_eq!(error.kind(), ErrorKind::Response);
    assert!(error.message().contains("page"), "{}", error.message());
}

#[test]
fn scenario_16_repeated_pages_under_a_large_total_pages_stop() {
    let server = paging_server(|_| page(0, 2, r#""totalPages":1000000"#));

    let outcome = list_from(&server, 2);

    let requests = server.api_requests().len();
    assert!(requests < 50, "the client looped: {requests} requests");
    assert_eq!(outcome.unwrap_err().kind(), ErrorKind::Response);
}

#[test]
fn scenario_16_empty_page_before_total_pages_is_an_error() {
    let server = paging_server(|n| match n {
        0 => page(0, 2, r#""totalPages":5"#),
        _ => page(0, 0, r#""totalPages":5"#),
    });

    let error = list_from(&server, 2).unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Response);
    assert!(
        error.message().contains("totalPages"),
        "{}",
        error.message()
    );
    assert_eq!(server.api_requests().len(), 2);
}

#[test]
fn scenario_16_wrong_page_echo_is_an_error() {
    let server = paging_server(|_| page(0, 2, r#""totalPages":3,"page":0"#));

    let error = list_from(&server, 2).unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Response);
    assert!(
        error.message().contains("not the page asked for"),
        "{}",
        error.message()
    );
    assert_eq!(server.api_requests().len(), 2);
}

#[test]
fn scenario_16_envelopes_that_are_not_pages_are_errors() {
    for body in [
        r#"{"items":[]}"#,
        r#"{"content":{"id":"x"}}"#,
        r#"{"content":[],"totalPages":"2"}"#,
        r#"[{"id":"x"}]"#,
        "<html>maintenance</html>",
    ] {
        let server = paging_server(move |_| body.to_string());

        let error = list_from(&server, 2).unwrap_err();

        assert_eq!(error.kind(), ErrorKind::Response, "{body}");
        assert_eq!(error.body(), Some(body));
        assert_eq!(server.api_requests().len(), 1, "{body}");
    }
}

#[test]
fn scenario_16_total_pages_smaller_than_the_data_returns_the_items_seen() {
    // totalPages says one page; the client believes it rather than guess.
    let server = paging_server(|n| page(n * 2, 2, r#""totalPages":1,"totalElements":6"#));

    let items = list_from(&server, 2).unwrap();

    assert_eq!(items.len(), 2);
    assert_eq!(server.api_requests().len(), 1);
}

#[test]
fn scenario_16_cursors_that_cycle_are_an_error_not_a_loop() {
    // A hands out B, B hands out A again: a cycle that never repeats the
    // cursor just used, so only remembering every cursor catches it.
    let server = FakeServer::start(|request| {
        if request.is_token_request() {
            return Reply::token("tok", r#""expires_in":3600"#);
        }
        let next = match request.query_value("cursor") {
            None | Some("B") => "A",
            Some(_) => "B",
        };
        Reply::json(
            200,
            &format!(r#"{{"sessions":[{{"n":1}}],"nextCursor":"{next}"}}"#),
        )
    });
    let client = support::client(&server.url());

    let error = list(&client, "ccx_sessions_list").unwrap_err();

    assert_eq!(error.kind(), ErrorKind::Response);
    assert!(
        error.message().contains("nextCursor"),
        "{}",
        error.message()
    );
    assert!(
        server.api_requests().len() <= 3,
        "{}",
        server.api_requests().len()
    );
}
