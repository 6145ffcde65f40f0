//! Scenario 21: replies reach the caller untouched. The emulator rebuilds
//! every object it stores, so a scripted loopback server sends the odd
//! bytes here: unknown fields, other key spellings, enum values from the
//! future, null beside missing, integers past 2^63, non-ASCII text and
//! escapes. Every comparison is byte for byte.

mod api_support;

use api_support::*;

/// An object the library has never heard of the like of.
const ODD: &str = concat!(
    r#"{"id":"n-1","name":"Zürich – 東京 🚀","Name":"other spelling","#,
    r#""ip_sec_config":{"IPSecConfig":null},"internetAccess":"MODE_FROM_2031","#,
    r#""description":null,"bytesIn":18446744073709551616,"#,
    r#""delta":-9223372036854775809,"ratio":0.100000000000000000055511151231257827,"#,
    r#""escaped":"tab\tquote\" \u00e9 \ud83d\ude80 \/","empty":{},"list":[ ],"#,
    r#""f\u00fcnf":5,"spaced" :  [1 ,2]}"#
);

/// The same kind of thing, differently odd: the field `description` is
/// missing rather than null, and it is spread over lines.
const ODD_TOO: &str =
    "{\n  \"id\": \"n-2\",\n  \"name\": \"\u{0645}\u{0631}\u{062d}\u{0628}\u{0627}\",\n  \
                       \"count\": 99999999999999999999999999999,\n  \"status\": \"HIBERNATING\"\n}";

const ODD_THREE: &str = r#"{"id":"n-3","nested":{"deep":[{"x":null},{"y":[[]]}]},"flag":false}"#;

fn json_answer(body: &str) -> Answer {
    (200, "application/json", body.as_bytes().to_vec())
}

fn page_envelope(items: &[&str], page: usize, total_pages: usize, total: usize) -> String {
    format!(
        "{{\"content\": [{}],\"totalElements\":{total},\"totalPages\":{total_pages},\
         \"numberOfElements\":{},\"page\":{page},\"size\":2,\"sort\":{{\"unsorted\":true}}}}",
        items.join(" ,\n "),
        items.len()
    )
}

fn joined(items: &[&str]) -> String {
    format!("[{}]", items.join(","))
}

#[test]
fn get_create_and_update_return_the_reply_bytes() {
    let server = FakeServer::start(|_| json_answer(ODD));
    let client = server.client(None);
    let shape_get = [Ty::Str, Ty::Out];
    let got = client.call("ccx_networks_get", &shape_get, &[Arg::text("n-1")]);
    assert_eq!(got.ok("get").as_deref(), Some(ODD));
    let created = client.call(
        "ccx_networks_create",
        &[Ty::Str, Ty::Out],
        &[Arg::text(r#"{"name":"x"}"#)],
    );
    assert_eq!(created.ok("create").as_deref(), Some(ODD));
    let updated = client.call(
        "ccx_user_groups_update",
        &[Ty::Str, Ty::Str, Ty::Out],
        &[Arg::text("g"), Arg::text(r#"{"name":"y"}"#)],
    );
    assert_eq!(updated.ok("update").as_deref(), Some(ODD));
    let seen = server.api_seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].path, "/api/v1/networks/n-1");
}

#[test]
fn list_joins_the_raw_items_of_every_page() {
    let server = FakeServer::start(|request| {
        let page = query_value(&request.query, "page").unwrap_or_default();
        match page.as_str() {
            "0" => json_answer(&page_envelope(&[ODD, ODD_TOO], 0, 2, 3)),
            "1" => json_answer(&page_envelope(&[ODD_THREE], 1, 2, 3)),
            _ => (500, "text/plain", b"no such page".to_vec()),
        }
    });
    let client = server.client(None);
    let list = client.call("ccx_hosts_list", &[Ty::Out], &[]).ok("list");
    assert_eq!(
        list.as_deref(),
        Some(joined(&[ODD, ODD_TOO, ODD_THREE]).as_str())
    );
    let pages: Vec<String> = server.api_seen().into_iter().map(|r| r.query).collect();
    assert_eq!(pages, ["page=0&size=1000", "page=1&size=1000"]);
}

#[test]
fn a_page_comes_back_as_sent() {
    let envelope = page_envelope(&[ODD, ODD_TOO], 3, 9, 17);
    let answer = envelope.clone();
    let server = FakeServer::start(move |_| json_answer(&answer));
    let client = server.client(None);
    let page = client.call(
        "ccx_network_routes_page",
        &[Ty::Str, Ty::Int, Ty::Int, Ty::Out],
        &[Arg::text("net-1"), Arg::Int(3), Arg::Int(2)],
    );
    assert_eq!(page.ok("page"), Some(envelope));
    let seen = server.api_seen();
    assert_eq!(seen[0].query, "networkId=net-1&page=3&size=2");
}

/// A cursor batch with fields no client knows, one of them spelt with an
/// escape, as a JSON encoder that escapes non-ASCII would send it.
fn batch(field: &str, items: &[&str], next: Option<&str>) -> String {
    let next = next.map_or(String::new(), |c| format!(",\"nextCursor\":\"{c}\""));
    format!(
        "{{\"{field}\":[{}],\"caf\\u00e9\":true,\"totalHint\":18446744073709551616{next}}}",
        items.join(", ")
    )
}

#[test]
fn feeds_join_the_raw_items_of_every_batch() {
    for (function, field) in [
        ("ccx_sessions_list", "sessions"),
        ("ccx_audit_logs_list", "auditLogs"),
    ] {
        let server = FakeServer::start(move |request| {
            let body = match query_value(&request.query, "cursor").as_deref() {
                None => batch(field, &[ODD, ODD_TOO], Some("c-1")),
                Some("c-1") => batch(field, &[ODD_THREE], Some("c-2")),
                Some(_) => batch(field, &[], None),
            };
            json_answer(&body)
        });
        let client = server.client(None);
        let filter = r#"{"startDate":"2024-01-01T00:00:00Z","status":"ACTIVE"}"#;
        let list = client.call(function, &[Ty::Str, Ty::Out], &[Arg::text(filter)]);
        assert_eq!(
            list.ok(function).as_deref(),
            Some(joined(&[ODD, ODD_TOO, ODD_THREE]).as_str()),
            "{function}"
        );
        let cursors: Vec<Option<String>> = server
            .api_seen()
            .iter()
            .map(|r| query_value(&r.query, "cursor"))
            .collect();
        assert_eq!(cursors, [None, Some("c-1".into()), Some("c-2".into())]);
    }
}

#[test]
fn a_feed_batch_comes_back_as_sent() {
    let body = batch("sessions", &[ODD, ODD_TOO], Some("c-9"));
    let answer = body.clone();
    let server = FakeServer::start(move |_| json_answer(&answer));
    let client = server.client(None);
    let page = client.call(
        "ccx_sessions_page",
        &[Ty::Str, Ty::Str, Ty::Int, Ty::Out],
        &[Arg::Str(None), Arg::text("c-8"), Arg::Int(50)],
    );
    assert_eq!(page.ok("page"), Some(body));
    assert_eq!(server.api_seen()[0].query, "cursor=c-8&size=50");
}

#[test]
fn bare_arrays_flags_and_settings_come_back_as_sent() {
    let regions = format!("[{ODD}, {ODD_THREE}]");
    let mappings = r#"[{"groupName":"Ärzte","userGroupId":"g-1","futureField":[null]}]"#;
    let answers = (regions.clone(), mappings);
    let server = FakeServer::start(move |request| match request.path.as_str() {
        "/api/v1/regions" => json_answer(&answers.0),
        "/api/v1/dns-log/user-dns-resolutions/enabled" => json_answer("true"),
        "/api/v1/settings/auth/ldap/group-mappings" => json_answer(answers.1),
        "/api/v1/settings/dns/default-suffix" => {
            (200, "text/plain", "büro.example".as_bytes().to_vec())
        }
        _ => (404, "application/json", b"{}".to_vec()),
    });
    let client = server.client(None);
    let out = |function: &str, shape: &[Ty], args: &[Arg]| {
        client.call(function, shape, args).ok(function).unwrap()
    };
    assert_eq!(out("ccx_vpn_regions_list", &[Ty::Out], &[]), regions);
    assert_eq!(out("ccx_dns_log_get", &[Ty::Out], &[]), "true");
    let name = |n: &str| [Arg::text(n)];
    let shape = [Ty::Str, Ty::Out];
    let ldap = out(
        "ccx_settings_get",
        &shape,
        &name("auth/ldap/group-mappings"),
    );
    assert_eq!(ldap, mappings);
    let suffix = out("ccx_settings_get", &shape, &name("dns/default-suffix"));
    assert_eq!(suffix, "\"büro.example\"");
}
