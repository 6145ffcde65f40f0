//! What goes over the wire, through the built shared library against the
//! emulator: the documented example bodies byte for byte (scenario 23),
//! every setting in its own format, page sizes and cursors, the emulator's
//! object graph as the library shows it, and bad JSON stopped before
//! sending.

mod api_support;

use std::collections::HashMap;

use api_support::*;
use serde_json::value::RawValue;
use serde_json::{json, Value};

fn setup(emulator: &ccx_emulator::Emulator) -> Client {
    Client::for_emulator(emulator, None)
}

/// Creates an object through the escape hatch and returns its id.
fn create(client: &Client, path: &str, body: &str) -> String {
    let created = client.json("POST", path, Some(body));
    created["id"].as_str().expect("created id").to_string()
}

fn network(client: &Client) -> String {
    create(client, "/networks", r#"{"name":"wire-net"}"#)
}

fn host(client: &Client) -> String {
    create(client, "/hosts", r#"{"name":"wire-host"}"#)
}

fn user(client: &Client) -> String {
    create(
        client,
        "/users",
        r#"{"firstName":"A","lastName":"B","username":"ab","email":"ab@example.com"}"#,
    )
}

fn row(name: &str) -> Row {
    functions()
        .into_iter()
        .find(|r| r.function == name)
        .unwrap_or_else(|| panic!("{name} is not in functions.tsv"))
}

/// Calls a tsv function by name with its inputs in order.
fn call(client: &Client, function: &str, args: &[Arg]) -> Reply {
    client.call(function, &row(function).shape(), args)
}

fn text(s: &str) -> Arg {
    Arg::text(s)
}

// ------------------------------------------------------------ golden bodies

/// Where a fixture file's examples go: the create and update functions,
/// and how to make the parent and the object they need.
struct Target {
    file: &'static str,
    create: &'static str,
    update: Option<&'static str>,
    parent: Option<fn(&Client) -> String>,
    /// Collection path (below /api/v1) and query parent name, to make an
    /// object for the update.
    collection: &'static str,
    parent_param: Option<&'static str>,
}

const TARGETS: &[Target] = &[
    Target {
        file: "access_group",
        create: "ccx_access_groups_create",
        update: Some("ccx_access_groups_update"),
        parent: None,
        collection: "access-groups",
        parent_param: None,
    },
    Target {
        file: "device",
        create: "ccx_devices_create",
        update: Some("ccx_devices_update"),
        parent: Some(user),
        collection: "devices",
        parent_param: Some("userId"),
    },
    Target {
        file: "dns_record",
        create: "ccx_dns_records_create",
        update: Some("ccx_dns_records_update"),
        parent: None,
        collection: "dns-records",
        parent_param: None,
    },
    Target {
        file: "host_connector",
        create: "ccx_host_connectors_create",
        update: Some("ccx_host_connectors_update"),
        parent: Some(host),
        collection: "hosts/connectors",
        parent_param: Some("hostId"),
    },
    Target {
        file: "host_ip_service",
        create: "ccx_host_ip_services_create",
        update: Some("ccx_host_ip_services_update"),
        parent: Some(host),
        collection: "hosts/ip-services",
        parent_param: Some("hostId"),
    },
    Target {
        file: "location_context",
        create: "ccx_location_contexts_create",
        update: Some("ccx_location_contexts_update"),
        parent: None,
        collection: "location-contexts",
        parent_param: None,
    },
    Target {
        file: "network",
        create: "ccx_networks_create",
        update: Some("ccx_networks_update"),
        parent: None,
        collection: "networks",
        parent_param: None,
    },
    Target {
        file: "network_connector",
        create: "ccx_network_connectors_create",
        update: Some("ccx_network_connectors_update"),
        parent: Some(network),
        collection: "networks/connectors",
        parent_param: Some("networkId"),
    },
    Target {
        file: "network_ip_service",
        create: "ccx_network_ip_services_create",
        update: Some("ccx_network_ip_services_update"),
        parent: Some(network),
        collection: "networks/ip-services",
        parent_param: Some("networkId"),
    },
    Target {
        file: "route",
        create: "ccx_network_routes_create",
        update: Some("ccx_network_routes_update"),
        parent: Some(network),
        collection: "networks/routes",
        parent_param: Some("networkId"),
    },
    Target {
        file: "user",
        create: "ccx_users_create",
        update: Some("ccx_users_update"),
        parent: None,
        collection: "users",
        parent_param: None,
    },
    Target {
        file: "user_group",
        create: "ccx_user_groups_create",
        update: Some("ccx_user_groups_update"),
        parent: None,
        collection: "user-groups",
        parent_param: None,
    },
];

/// The examples of one fixture file, each as the exact text in the file.
fn examples(file: &str) -> Vec<(String, String)> {
    let path = repo_file(&format!("tests/fixtures/api-examples/{file}.json"));
    let text = std::fs::read_to_string(&path).expect("fixture");
    let map: HashMap<String, Box<RawValue>> = serde_json::from_str(&text).expect("fixture JSON");
    let mut found: Vec<(String, String)> = map
        .into_iter()
        .filter(|(_, v)| v.get().starts_with('{'))
        .map(|(k, v)| (k, v.get().to_string()))
        .collect();
    found.sort();
    found
}

/// Is this fixture key a request body of a create or an update?
fn request_kind(key: &str) -> Option<&'static str> {
    if key.contains("schema") || key.starts_with("ipsec_config") {
        return None;
    }
    if key.contains("create_request") {
        Some("create")
    } else if key.contains("update_request") || key == "beta_request" {
        Some("update")
    } else {
        None
    }
}

/// The one request the last call made, token requests left out.
fn only_request(emulator: &ccx_emulator::Emulator, what: &str) -> ccx_emulator::RecordedRequest {
    let requests = api_requests(emulator);
    assert_eq!(requests.len(), 1, "{what}: {requests:?}");
    requests.into_iter().next().unwrap()
}

fn assert_same_bytes(sent: &[u8], expected: &str, what: &str) {
    assert_eq!(
        String::from_utf8_lossy(sent),
        expected,
        "{what}: the body on the wire differs from the example"
    );
}

#[test]
fn documented_example_bodies_reach_the_server_byte_for_byte() {
    let emulator = emulator();
    let client = setup(&emulator);
    let mut sent = 0;
    let mut seen_keys = Vec::new();
    for target in TARGETS {
        for (key, body) in examples(target.file) {
            let Some(kind) = request_kind(&key) else {
                continue;
            };
            let what = format!("{}.json {key}", target.file);
            let parent = target.parent.map(|make| make(&client));
            let (function, args) = if kind == "create" {
                let mut args = Vec::new();
                if parent.is_some() {
                    args.push(Arg::Str(parent.clone()));
                }
                args.push(text(&body));
                (target.create, args)
            } else {
                let Some(update) = target.update else {
                    continue;
                };
                let path = match (target.parent_param, &parent) {
                    (Some(param), Some(pid)) => format!("/{}?{param}={pid}", target.collection),
                    _ => format!("/{}", target.collection),
                };
                let id = create(&client, &path, &minimal_body(target.collection));
                let mut args = Vec::new();
                if target.file == "device" {
                    args.push(Arg::Str(parent.clone()));
                }
                args.push(text(&id));
                args.push(text(&body));
                (update, args)
            };
            emulator.clear_requests();
            let reply = call(&client, function, &args);
            assert_eq!(reply.status, CCX_OK, "{what}: {}", reply.error);
            let request = only_request(&emulator, &what);
            assert!((200..300).contains(&request.status), "{what}: refused");
            assert_same_bytes(&request.body, &body, &what);
            let on_wire: Value = serde_json::from_slice(&request.body).unwrap();
            seen_keys.extend(on_wire.as_object().unwrap().keys().cloned());
            sent += 1;
        }
    }
    // The spellings real clients got wrong must be among what was sent.
    for key in ["ipSecConfig", "vpnRegionId", "ipv4Addresses", "value"] {
        assert!(
            seen_keys.iter().any(|k| k == key),
            "no example carried {key}"
        );
    }
    assert!(sent >= 20, "only {sent} examples were sent");
}

/// Enough for the emulator to create an object an example then updates.
fn minimal_body(collection: &str) -> String {
    match collection {
        "networks/routes" => r#"{"value":"10.9.0.0/24"}"#.into(),
        "dns-records" => r#"{"domain":"x.example.com"}"#.into(),
        "users" => r#"{"username":"u","email":"u@example.com"}"#.into(),
        _ => r#"{"name":"to-update"}"#.into(),
    }
}

#[test]
fn route_updates_send_value_and_the_emulator_applies_it() {
    let emulator = emulator();
    let client = setup(&emulator);
    let net = network(&client);
    let route = create(
        &client,
        &format!("/networks/routes?networkId={net}"),
        r#"{"value":"10.1.0.0/24"}"#,
    );
    let body = r#"{"value":"fd00:1::/64","description":"moved"}"#;
    let updated = call(
        &client,
        "ccx_network_routes_update",
        &[text(&route), text(body)],
    )
    .json("route update");
    assert_eq!(updated["subnet"], "fd00:1::/64");
    assert_eq!(updated["type"], "IP_V6");
}

#[test]
fn cyber_shield_examples_are_sent_as_documented() {
    let emulator = emulator();
    let client = setup(&emulator);
    let examples: HashMap<String, String> = examples("cyber_shield").into_iter().collect();
    for list in ["allow", "block"] {
        for (action, key) in [("add", "add_request"), ("remove", "remove_request")] {
            let function = format!("ccx_cyber_shield_{list}_list_{action}");
            let body = &examples[key];
            emulator.clear_requests();
            call(&client, &function, &[text(body)]).ok(&function);
            let request = only_request(&emulator, &function);
            assert_same_bytes(&request.body, body, &function);
            let state = emulator.state_json(&format!("cyber_shield_{list}"));
            let listed = state
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["domain"] == "sample.domain.com");
            assert_eq!(listed, action == "add", "{function}: {state}");
        }
    }
}

// ------------------------------------------------------------ settings

/// A value for each setting of settings.tsv, from its `value` column: what
/// the caller passes, the bytes that must go on the wire, whether they go
/// as text/plain, and what reading it back gives.
fn setting_value(name: &str, shape: &str) -> (String, String, bool, Value) {
    let json_case = |v: &str| {
        (
            v.to_string(),
            v.to_string(),
            false,
            serde_json::from_str(v).unwrap(),
        )
    };
    if shape.starts_with("bool") {
        return json_case("true");
    }
    if shape.starts_with("integer") {
        return json_case("7");
    }
    if let Some(rest) = shape.strip_prefix("string") {
        // "string A|B|C (tf)": the last listed value, so it differs from
        // the default; free text where no values are listed.
        let listed = rest.split_whitespace().find(|w| w.contains('|'));
        let value = match listed {
            Some(values) => values.rsplit('|').next().unwrap().to_string(),
            None if name.contains("region") => "eu-central-1".to_string(),
            None => "corp.example.internal".to_string(),
        };
        return (format!("\"{value}\""), value.clone(), true, json!(value));
    }
    if shape.starts_with("{zones") {
        let zones = r#"[{"name":"example.com","addresses":["8.8.8.8"]}]"#;
        let wrapped = format!("{{\"zones\":{zones}}}");
        let read = serde_json::from_str(&wrapped).unwrap();
        return (zones.to_string(), wrapped, false, read);
    }
    if shape.starts_with("array of strings") {
        return json_case(r#"["--verb 3","--mute 10"]"#);
    }
    match name {
        "dns/custom-servers" => json_case(r#"{"primaryIpV4":"10.0.0.53","secondaryIpV4":""}"#),
        "wpc/domain-routing-subnet" => {
            json_case(r#"{"ipV4Address":"100.80.0.0/12","ipV6Address":"fd:0:0:4000::/52"}"#)
        }
        "wpc/subnet" => {
            json_case(r#"{"ipV4Address":["100.96.0.0/11"],"ipV6Address":["fd:0:0:8000::/49"]}"#)
        }
        _ if shape.contains("unverified") => {
            json_case(r#"[{"groupName":"admins","userGroupId":"g-1"}]"#)
        }
        _ => panic!("settings.tsv has a value shape the test does not know: {name}: {shape}"),
    }
}

fn settings_rows() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(repo_file("api/settings.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            (cells[0].to_string(), cells[1].to_string())
        })
        .collect()
}

#[test]
fn every_setting_goes_on_the_wire_in_its_own_format() {
    let emulator = emulator();
    let client = setup(&emulator);
    let rows = settings_rows();
    assert!(rows.len() >= 20);
    for (name, shape) in rows {
        let (value, wire, as_text, read_back) = setting_value(&name, &shape);
        let what = format!("{name} = {value}");

        emulator.clear_requests();
        let stored = call(&client, "ccx_settings_set", &[text(&name), text(&value)]).json(&what);
        let request = only_request(&emulator, &what);
        assert_eq!(request.method, "PUT", "{what}");
        assert_eq!(request.path, format!("/api/v1/settings/{name}"), "{what}");
        assert_same_bytes(&request.body, &wire, &what);
        let content_type = request.header("content-type").unwrap_or_default();
        let expected_type = if as_text {
            "text/plain"
        } else {
            "application/json"
        };
        assert!(
            content_type.starts_with(expected_type),
            "{what}: Content-Type {content_type:?}"
        );
        assert_eq!(stored, read_back, "{what}: the reply to PUT");

        emulator.clear_requests();
        let read = call(&client, "ccx_settings_get", &[text(&name)]).json(&what);
        let request = only_request(&emulator, &what);
        assert_eq!(request.method, "GET", "{what}");
        assert_eq!(request.path, format!("/api/v1/settings/{name}"), "{what}");
        assert!(request.body.is_empty(), "{what}: GET with a body");
        assert_eq!(read, read_back, "{what}: read back");
        assert_eq!(
            emulator.state_json("settings")[&name],
            read_back,
            "{what}: stored"
        );
    }
}

#[test]
fn zones_given_wrapped_are_sent_as_given() {
    let emulator = emulator();
    let client = setup(&emulator);
    let wrapped = r#"{"zones":[{"name":"corp.example","addresses":["10.0.0.53","10.0.1.53"]}]}"#;
    emulator.clear_requests();
    call(
        &client,
        "ccx_settings_set",
        &[text("dns/zones"), text(wrapped)],
    )
    .ok("dns/zones");
    assert_same_bytes(
        &only_request(&emulator, "dns/zones").body,
        wrapped,
        "dns/zones",
    );
}

#[test]
fn bad_setting_names_and_values_are_refused_before_sending() {
    let emulator = emulator();
    let client = setup(&emulator);
    let cases = [
        ("no/such-setting", "true"),
        ("wpc/topology", "FULL_MESH"),
        ("wpc/topology", "\"STAR\""),
        ("wpc/snat", "\"yes\""),
        ("user/device-allowance", "2.5"),
        ("dns/zones", r#"{"name":"example.com"}"#),
    ];
    let before = emulator.stats().requests;
    for (name, value) in cases {
        let set = call(&client, "ccx_settings_set", &[text(name), text(value)]);
        assert_eq!(set.status, CCX_ERR_INVALID_ARGUMENT, "{name} = {value}");
    }
    let get = call(&client, "ccx_settings_get", &[text("no/such-setting")]);
    assert_eq!(get.status, CCX_ERR_INVALID_ARGUMENT);
    assert!(get.error.contains("no/such-setting"), "{}", get.error);
    assert_eq!(emulator.stats().requests, before, "something was sent");
}

// ------------------------------------------------------------ pages and cursors

#[test]
fn lists_ask_for_pages_of_a_thousand() {
    let emulator = emulator();
    let client = setup(&emulator);
    let mut checked = 0;
    for row in functions() {
        let paged = row.function.ends_with("_list")
            && !row.has("filter_json")
            && functions()
                .iter()
                .any(|r| r.function == row.function.replace("_list", "_page"));
        if !paged {
            continue;
        }
        let args: Vec<Arg> = row
            .params
            .iter()
            .filter(|(t, _)| *t != Ty::Out)
            .map(|_| Arg::Str(None))
            .collect();
        emulator.clear_requests();
        client
            .call(&row.function, &row.shape(), &args)
            .ok(&row.function);
        let request = only_request(&emulator, &row.function);
        assert_eq!(request.query, "page=0&size=1000", "{}", row.function);
        checked += 1;
    }
    assert!(checked >= 16, "only {checked} paged lists");
}

#[test]
fn feeds_follow_every_cursor_until_none_is_left() {
    let emulator = emulator();
    let client = setup(&emulator);
    for (function, state, field) in [
        ("ccx_sessions_list", "sessions", "sessions"),
        ("ccx_audit_logs_list", "audit_logs", "auditLogs"),
    ] {
        let all = emulator.state_json(state);
        let total = all.as_array().unwrap().len();
        assert!(
            total > 100,
            "{state}: the emulator should seed more than a batch"
        );
        emulator.clear_requests();
        let items = call(&client, function, &[Arg::Str(None)]).json(function);
        assert_eq!(items, all, "{function}: every item, in order");

        let requests = api_requests(&emulator);
        assert_eq!(requests.len(), total.div_ceil(100), "{function}: batches");
        let mut cursors = Vec::new();
        for (i, request) in requests.iter().enumerate() {
            assert_eq!(query_value(&request.query, "size").as_deref(), Some("100"));
            let cursor = query_value(&request.query, "cursor");
            assert_eq!(cursor.is_none(), i == 0, "{function}: cursor of batch {i}");
            cursors.extend(cursor);
        }
        cursors.dedup();
        assert_eq!(
            cursors.len(),
            requests.len() - 1,
            "{function}: a cursor repeated"
        );

        // One batch, then the next by its cursor: the envelopes unchanged.
        let first = call(
            &client,
            &function.replace("_list", "_page"),
            &[Arg::Str(None), Arg::Str(None), Arg::Int(100)],
        )
        .ok(function)
        .unwrap();
        let path = if field == "sessions" {
            "/sessions"
        } else {
            "/audit-log"
        };
        assert_eq!(
            first.as_bytes(),
            raw_get(&emulator, &format!("{path}?size=100"))
        );
        let next: Value = serde_json::from_str(&first).unwrap();
        let cursor = next["nextCursor"].as_str().expect("nextCursor").to_string();
        emulator.clear_requests();
        let second = call(
            &client,
            &function.replace("_list", "_page"),
            &[Arg::Str(None), text(&cursor), Arg::Int(100)],
        )
        .ok(function)
        .unwrap();
        let request = only_request(&emulator, function);
        assert_eq!(query_value(&request.query, "cursor"), Some(cursor.clone()));
        let raw = raw_get(&emulator, &format!("{path}?cursor={cursor}&size=100"));
        assert_eq!(second.as_bytes(), raw, "{function}: second batch");
        let second: Value = serde_json::from_str(&second).unwrap();
        assert_eq!(
            second[field][0], all[100],
            "{function}: the batch after the cursor"
        );
    }
}

#[test]
fn pages_come_back_as_the_server_sent_them() {
    let emulator = emulator();
    let client = setup(&emulator);
    for _ in 0..3 {
        network(&client);
    }
    let page = call(&client, "ccx_networks_page", &[Arg::Int(1), Arg::Int(2)])
        .ok("networks page")
        .unwrap();
    let raw = raw_get(&emulator, "/networks?page=1&size=2");
    assert_eq!(page.as_bytes(), raw);
    let envelope: Value = serde_json::from_str(&page).unwrap();
    assert_eq!(envelope["content"].as_array().unwrap().len(), 2);
}

// ------------------------------------------------------------ consistency

const NOWHERE: &str = "00000000-0000-4000-8000-00000000dead";

fn status_of(reply: Reply) -> i32 {
    reply.status
}

#[test]
fn routes_and_connectors_live_and_die_with_their_network() {
    let emulator = emulator();
    let client = setup(&emulator);
    let net = call(
        &client,
        "ccx_networks_create",
        &[text(r#"{"name":"graph"}"#)],
    )
    .json("create");
    let net = net["id"].as_str().unwrap().to_string();
    let route = call(
        &client,
        "ccx_network_routes_create",
        &[
            text(&net),
            text(r#"{"value":"10.50.0.0/16","description":"r"}"#),
        ],
    )
    .json("route");
    let connector = call(
        &client,
        "ccx_network_connectors_create",
        &[
            text(&net),
            text(r#"{"name":"c","vpnRegionId":"us-east-1"}"#),
        ],
    )
    .json("connector");
    let (route, connector) = (
        route["id"].as_str().unwrap(),
        connector["id"].as_str().unwrap(),
    );

    let shown = call(&client, "ccx_networks_get", &[text(&net)]).json("get");
    assert!(shown["routes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == route));
    assert!(shown["connectors"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == connector));
    let routes = call(&client, "ccx_network_routes_list", &[text(&net)]).json("routes");
    assert_eq!(routes.as_array().unwrap().len(), 1);
    assert_eq!(routes[0]["subnet"], "10.50.0.0/16");

    call(&client, "ccx_networks_delete", &[text(&net)]).ok("delete");
    let gone = |function: &str, id: &str| status_of(call(&client, function, &[text(id)]));
    assert_eq!(gone("ccx_networks_get", &net), CCX_ERR_NOT_FOUND);
    assert_eq!(gone("ccx_network_routes_get", route), CCX_ERR_NOT_FOUND);
    assert_eq!(
        gone("ccx_network_connectors_get", connector),
        CCX_ERR_NOT_FOUND
    );
    let all_routes = call(&client, "ccx_network_routes_list", &[Arg::Str(None)]).json("routes");
    assert!(!all_routes
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == route));
}

#[test]
fn devices_belong_to_their_user() {
    let emulator = emulator();
    let client = setup(&emulator);
    let (owner, other) = (user(&client), user(&client));
    let device = call(
        &client,
        "ccx_devices_create",
        &[text(&owner), text(r#"{"name":"phone","description":"d"}"#)],
    )
    .json("device");
    let device = device["id"].as_str().unwrap().to_string();

    let got = call(&client, "ccx_devices_get", &[text(&owner), text(&device)]).json("get");
    assert_eq!(got["userId"], owner.as_str());
    let foreign = call(&client, "ccx_devices_get", &[text(&other), text(&device)]);
    assert_eq!(foreign.status, CCX_ERR_NOT_FOUND, "{}", foreign.error);
    let listed = |user: &str| {
        let items = call(&client, "ccx_devices_list", &[text(user)]).json("list");
        items
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == device.as_str())
    };
    assert!(listed(&owner));
    assert!(!listed(&other));
    let shown = call(&client, "ccx_users_get", &[text(&owner)]).json("user");
    assert!(shown["devices"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["id"] == device.as_str()));

    let removed = call(
        &client,
        "ccx_devices_delete",
        &[text(&other), text(&device)],
    );
    assert_eq!(
        removed.status, CCX_ERR_NOT_FOUND,
        "another user's device was deleted"
    );
    call(
        &client,
        "ccx_devices_delete",
        &[text(&owner), text(&device)],
    )
    .ok("delete");
    assert!(!listed(&owner));
}

#[test]
fn activate_and_suspend_change_status() {
    let emulator = emulator();
    let client = setup(&emulator);
    let person = user(&client);
    let status = |function: &str, id: &str| {
        call(&client, function, &[text(id)]).json(function)["status"].clone()
    };
    call(&client, "ccx_users_suspend", &[text(&person)]).ok("suspend");
    assert_eq!(status("ccx_users_get", &person), "SUSPENDED");
    call(&client, "ccx_users_activate", &[text(&person)]).ok("activate");
    assert_eq!(status("ccx_users_get", &person), "ACTIVE");

    let net = network(&client);
    let connector = create(
        &client,
        &format!("/networks/connectors?networkId={net}"),
        r#"{"name":"c","vpnRegionId":"us-east-1"}"#,
    );
    let h = host(&client);
    let host_connector = create(
        &client,
        &format!("/hosts/connectors?hostId={h}"),
        r#"{"name":"hc","vpnRegionId":"us-east-1"}"#,
    );
    for (prefix, id) in [("network", &connector), ("host", &host_connector)] {
        let get = format!("ccx_{prefix}_connectors_get");
        call(
            &client,
            &format!("ccx_{prefix}_connectors_suspend"),
            &[text(id)],
        )
        .ok("suspend");
        assert_eq!(status(&get, id), "SUSPENDED", "{prefix}");
        call(
            &client,
            &format!("ccx_{prefix}_connectors_activate"),
            &[text(id)],
        )
        .ok("activate");
        assert_eq!(status(&get, id), "ACTIVE", "{prefix}");
    }
}

#[test]
fn a_missing_dns_record_is_not_found_although_the_api_says_400() {
    let emulator = emulator();
    let client = setup(&emulator);
    for function in ["ccx_dns_records_get", "ccx_dns_records_delete"] {
        emulator.clear_requests();
        let reply = call(&client, function, &[text(NOWHERE)]);
        assert_eq!(
            lib().last_http_status(),
            400,
            "{function}: the reply's status"
        );
        assert_eq!(
            reply.status, CCX_ERR_NOT_FOUND,
            "{function}: {}",
            reply.error
        );
        assert_eq!(only_request(&emulator, function).status, 400, "{function}");
    }
    emulator.clear_requests();
    let reply = call(
        &client,
        "ccx_dns_records_update",
        &[text(NOWHERE), text(r#"{"domain":"x.example.com"}"#)],
    );
    assert_eq!(reply.status, CCX_ERR_NOT_FOUND, "update: {}", reply.error);
}

#[test]
fn malformed_json_is_refused_before_anything_is_sent() {
    let emulator = emulator();
    let client = setup(&emulator);
    let parent = network(&client);
    let before = emulator.stats().requests;
    let mut checked = 0;
    for row in functions() {
        let takes_json = row.has("body_json") || row.has("filter_json") || row.has("value_json");
        if !takes_json {
            continue;
        }
        for bad in [
            "{\"name\":",
            "{'name':'x'}",
            "not json",
            "{\"a\":1} trailing",
        ] {
            let args: Vec<Arg> = row
                .params
                .iter()
                .filter(|(t, _)| *t != Ty::Out)
                .map(|(ty, name)| match (ty, name.as_str()) {
                    (Ty::Int, _) => Arg::Int(10),
                    (_, "body_json" | "filter_json" | "value_json") => text(bad),
                    (_, "name") => text("wpc/subnet"),
                    (_, "cursor") => Arg::Str(None),
                    _ => text(&parent),
                })
                .collect();
            let reply = client.call(&row.function, &row.shape(), &args);
            assert_eq!(
                reply.status, CCX_ERR_INVALID_ARGUMENT,
                "{} with {bad:?}: {}",
                row.function, reply.error
            );
            assert!(reply.out.is_none());
        }
        checked += 1;
    }
    assert_eq!(
        emulator.stats().requests,
        before,
        "a malformed body was sent"
    );
    assert!(checked >= 30, "only {checked} functions take JSON");
}

#[test]
fn an_empty_text_setting_reads_back_as_an_empty_string() {
    let emulator = emulator();
    let client = setup(&emulator);
    let name = "dns/default-suffix";
    call(&client, "ccx_settings_set", &[text(name), text("\"\"")]).ok(name);
    assert_eq!(emulator.state_json("settings")[name], "");
    let read = call(&client, "ccx_settings_get", &[text(name)]).ok(name);
    assert_eq!(
        read.as_deref(),
        Some("\"\""),
        "a set value must not read back as no value"
    );
}
