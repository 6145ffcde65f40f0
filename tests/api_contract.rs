//! Every function of `api/functions.tsv`, called through the built shared
//! library, must send exactly the documented request to the emulator and
//! return what the emulator holds; the header exports nothing else; and a
//! client on an older API version refuses newer functions without any I/O.

mod api_support;

use api_support::*;
use std::collections::HashMap;

use serde_json::{json, Value};

/// How to make an object of a collection, and what an update changes.
struct Recipe {
    /// Collection path below `/api/v1`.
    collection: &'static str,
    /// The name `Emulator::state_json` knows it by.
    state: &'static str,
    /// Query parameter and collection of the parent object.
    parent: Option<(&'static str, &'static str)>,
    create: &'static str,
    update: &'static str,
    /// A field the update sets, and its new value.
    updated: (&'static str, &'static str),
}

const fn recipe(
    collection: &'static str,
    state: &'static str,
    parent: Option<(&'static str, &'static str)>,
    create: &'static str,
    update: &'static str,
    updated: (&'static str, &'static str),
) -> Recipe {
    Recipe {
        collection,
        state,
        parent,
        create,
        update,
        updated,
    }
}

const NETWORK: Option<(&str, &str)> = Some(("networkId", "networks"));
const HOST: Option<(&str, &str)> = Some(("hostId", "hosts"));
const USER: Option<(&str, &str)> = Some(("userId", "users"));
const DESCRIBED: (&str, &str) = ("description", "updated by the contract test");
const DESCRIBE: &str = r#"{"description":"updated by the contract test"}"#;

#[rustfmt::skip]
const RECIPES: &[Recipe] = &[
    recipe("networks", "networks", None,
        r#"{"name":"contract-net","description":"d","internetAccess":"SPLIT_TUNNEL_ON","egress":false}"#,
        DESCRIBE, DESCRIBED),
    recipe("networks/routes", "network_routes", NETWORK,
        r#"{"value":"10.20.0.0/24","description":"contract route"}"#,
        r#"{"value":"10.21.0.0/24","description":"updated by the contract test"}"#, DESCRIBED),
    recipe("networks/ip-services", "network_ip_services", NETWORK,
        r#"{"name":"svc","description":"d","routes":[{"value":"10.30.0.0/24"}],"config":{"serviceTypes":["ANY"]}}"#,
        DESCRIBE, DESCRIBED),
    recipe("networks/connectors", "network_connectors", NETWORK,
        r#"{"name":"connector","description":"d","vpnRegionId":"us-east-1"}"#,
        DESCRIBE, DESCRIBED),
    recipe("networks/applications", "network_applications", NETWORK,
        r#"{"name":"app","description":"d","routes":[{"value":"app.example.com","allowEmbeddedIp":false}],"config":{"serviceTypes":["HTTPS"]}}"#,
        DESCRIBE, DESCRIBED),
    recipe("hosts", "hosts", None,
        r#"{"name":"contract-host","description":"d","domain":"host.example.com"}"#,
        DESCRIBE, DESCRIBED),
    recipe("hosts/connectors", "host_connectors", HOST,
        r#"{"name":"host-connector","description":"d","vpnRegionId":"us-east-1"}"#,
        DESCRIBE, DESCRIBED),
    recipe("hosts/ip-services", "host_ip_services", HOST,
        r#"{"name":"host-svc","description":"d","config":{"serviceTypes":["ANY"]}}"#,
        DESCRIBE, DESCRIBED),
    recipe("hosts/applications", "host_applications", HOST,
        r#"{"name":"host-app","description":"d","routes":[{"value":"h.example.com"}]}"#,
        DESCRIBE, DESCRIBED),
    recipe("users", "users", None,
        r#"{"firstName":"Ada","lastName":"Lovelace","username":"ada","email":"ada@example.com","role":"MEMBER"}"#,
        r#"{"firstName":"Grace"}"#, ("firstName", "Grace")),
    recipe("user-groups", "user_groups", None,
        r#"{"name":"contract-group","internetAccess":"SPLIT_TUNNEL_ON","maxDevice":3}"#,
        r#"{"name":"renamed-group"}"#, ("name", "renamed-group")),
    recipe("devices", "devices", USER,
        r#"{"name":"laptop","description":"d","clientUUID":"c0ffee00-0000-4000-8000-000000000001"}"#,
        DESCRIBE, DESCRIBED),
    recipe("device-postures", "device_postures", None,
        r#"{"name":"posture","description":"d","userGroupsIds":[]}"#,
        DESCRIBE, DESCRIBED),
    recipe("dns-records", "dns_records", None,
        r#"{"domain":"db.example.com","description":"d","ipv4Addresses":["10.0.0.5"],"ipv6Addresses":[]}"#,
        DESCRIBE, DESCRIBED),
    recipe("location-contexts", "location_contexts", None,
        r#"{"name":"office","description":"d","userGroupsIds":[]}"#,
        DESCRIBE, DESCRIBED),
    recipe("access-groups", "access_groups", None,
        r#"{"name":"contract-access","description":"d","source":[],"destination":[]}"#,
        DESCRIBE, DESCRIBED),
];

fn recipe_for(collection: &str) -> Option<&'static Recipe> {
    RECIPES.iter().find(|r| r.collection == collection)
}

const FILTER: &str = r#"{"startDate":"2001-01-01T00:00:00.000Z"}"#;
const SETTING: &str = "wpc/topology";
const ALLOW_ADD: &str =
    r#"{"domainAndComments":[{"domain":"contract.example.com","comment":"c"}]}"#;
const REMOVE: &str = r#"{"domains":["contract.example.com"]}"#;
const IPSEC_CONNECTOR: &str = r#"{"name":"ipsec","vpnRegionId":"us-east-1","ipSecConfig":{"platform":"AWS","authenticationType":"SHARED_SECRET","preSharedKey":"k"}}"#;

/// The part of a path below `/api/v1/` that names the collection.
fn collection_of(path: &str) -> String {
    let below = path.strip_prefix("/api/v1/").expect("path under /api/v1");
    below
        .split('/')
        .take_while(|s| !s.starts_with('{'))
        .collect::<Vec<_>>()
        .join("/")
}

fn verb(function: &str) -> &str {
    for v in ["_list", "_page", "_create", "_get", "_update", "_delete"] {
        if function.ends_with(v) && !function.ends_with("profile_delete") {
            return &v[1..];
        }
    }
    "action"
}

/// The emulator, and a client of the newest version for setting up.
struct World {
    emulator: ccx_emulator::Emulator,
    setup: Client,
    /// One client per api_version, kept so each fetches one token only.
    clients: std::cell::RefCell<HashMap<Option<String>, std::rc::Rc<Client>>>,
}

impl World {
    fn new() -> World {
        let emulator = emulator();
        let setup = Client::for_emulator(&emulator, None);
        World {
            emulator,
            setup,
            clients: Default::default(),
        }
    }

    /// Creates an object (and its parent) through the library's escape
    /// hatch; returns (parent id, id).
    fn create(&self, collection: &str, body: Option<&str>) -> (Option<String>, String) {
        let recipe = recipe_for(collection).expect("recipe");
        let parent = recipe
            .parent
            .map(|(_, parent_collection)| self.create(parent_collection, None).1);
        let path = match (recipe.parent, &parent) {
            (Some((param, _)), Some(pid)) => format!("/{collection}?{param}={pid}"),
            _ => format!("/{collection}"),
        };
        let created = self
            .setup
            .json("POST", &path, Some(body.unwrap_or(recipe.create)));
        let id = created["id"].as_str().expect("created id").to_string();
        (parent, id)
    }

    fn client(&self, version: Option<&str>) -> std::rc::Rc<Client> {
        let key = version.map(str::to_string);
        let mut clients = self.clients.borrow_mut();
        let client = clients
            .entry(key)
            .or_insert_with(|| Client::for_emulator(&self.emulator, version).into());
        client.clone()
    }

    fn state(&self, name: &str) -> Value {
        self.emulator.state_json(name)
    }

    fn stored(&self, name: &str, id: &str) -> Option<Value> {
        self.state(name)
            .as_array()
            .expect("collection")
            .iter()
            .find(|o| o["id"] == id)
            .cloned()
    }
}

/// One prepared call of a contract row.
struct Case {
    parent: Option<String>,
    id: Option<String>,
    body: Option<String>,
}

fn args_for(row: &Row, case: &Case, region: &str) -> Vec<Arg> {
    let cursor_feed = row.has("cursor") || row.has("filter_json");
    row.params
        .iter()
        .filter(|(ty, _)| *ty != Ty::Out)
        .map(|(_, name)| match name.as_str() {
            "network_id" | "host_id" | "user_id" => Arg::Str(case.parent.clone()),
            "id" => Arg::Str(case.id.clone()),
            "region_id" => Arg::text(region),
            "body_json" | "value_json" => Arg::Str(case.body.clone()),
            "page" => Arg::Int(0),
            "size" if cursor_feed => Arg::Int(100),
            "size" => Arg::Int(1000),
            "filter_json" => Arg::text(FILTER),
            "cursor" => Arg::Str(None),
            "name" => Arg::text(SETTING),
            other => panic!("{}: no value for parameter {other}", row.function),
        })
        .collect()
}

/// Sets up what `row` needs, calls it with a client of `version`, and
/// checks the request the emulator saw and the JSON that came back.
fn exercise(world: &World, row: &Row, version: Option<&str>, with_parent: bool) {
    let what = format!("{} (api_version {:?})", row.function, version);
    let collection = collection_of(&row.path);
    let recipe = recipe_for(&collection);
    let verb = verb(&row.function);
    let region = world.state("regions")[0]["id"]
        .as_str()
        .expect("a seeded region")
        .to_string();

    // Arrange: the objects and state the call needs.
    let mut case = Case {
        parent: None,
        id: None,
        body: None,
    };
    if let Some(recipe) = recipe {
        let needs_object = row.has("id") || matches!(verb, "list" | "page");
        if needs_object {
            let ipsec = row.function.contains("ipsec");
            let (parent, id) = world.create(&collection, ipsec.then_some(IPSEC_CONNECTOR));
            case.parent = parent;
            case.id = Some(id);
        } else if let Some((_, parent_collection)) = recipe.parent {
            case.parent = Some(world.create(parent_collection, None).1);
        }
        if !with_parent {
            case.parent = None;
        }
        case.body = match verb {
            "create" => Some(recipe.create.to_string()),
            "update" => Some(recipe.update.to_string()),
            _ => None,
        };
    }
    let id = case.id.clone().unwrap_or_default();
    let setup = &world.setup;
    match row.function.as_str() {
        f if f.ends_with("connectors_activate") => {
            setup.json("PUT", &format!("/{collection}/{id}/suspend"), None);
        }
        "ccx_users_activate" => {
            setup.json("PUT", &format!("/users/{id}/suspend"), None);
        }
        f if f.starts_with("ccx_cyber_shield_") => {
            let list = if f.contains("allow") {
                "allow"
            } else {
                "block"
            };
            if f.ends_with("_remove") {
                let add = format!("/cybershield/{list}-list-add-domains");
                setup.json("POST", &add, Some(ALLOW_ADD));
                case.body = Some(REMOVE.to_string());
            } else {
                case.body = Some(ALLOW_ADD.to_string());
            }
        }
        "ccx_dns_log_enable" => {
            setup.json("PUT", "/dns-log/user-dns-resolutions/disable", None);
        }
        "ccx_dns_log_disable" => {
            setup.json("PUT", "/dns-log/user-dns-resolutions/enable", None);
        }
        "ccx_access_visibility_enable" => {
            setup.json("PUT", "/access-visibility/disable", None);
        }
        "ccx_access_visibility_disable" => {
            setup.json("PUT", "/access-visibility/enable", None);
        }
        "ccx_settings_set" => case.body = Some("\"CUSTOM\"".to_string()),
        "ccx_settings_get" => {
            setup.json(
                "PUT",
                &format!("/settings/{SETTING}"),
                Some("\"FULL_MESH\""),
            );
        }
        _ => {}
    }

    // Act.
    let client = world.client(version);
    world.emulator.clear_requests();
    let reply = client.call(&row.function, &row.shape(), &args_for(row, &case, &region));
    assert_eq!(reply.status, CCX_OK, "{what}: {}", reply.error);
    if row.has_out() {
        assert!(reply.out.is_some(), "{what}: no out_json");
    } else {
        assert!(
            reply.out.is_none(),
            "{what}: out_json without an out parameter"
        );
    }
    let out: Option<Value> = reply.out.as_deref().map(|text| {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: out_json {e}: {text}"))
    });

    // The request on the wire.
    let requests = api_requests(&world.emulator);
    assert!(!requests.is_empty(), "{what}: nothing was sent");
    let path = row.path.replace("{id}", &id).replace("{name}", SETTING);
    for request in &requests {
        assert_eq!(request.method, row.method, "{what}: method");
        assert_eq!(request.path, path, "{what}: path");
        assert!(
            (200..300).contains(&request.status),
            "{what}: the emulator answered {}",
            request.status
        );
    }
    let first = &requests[0];
    let mut expected_query: Vec<(&str, String)> = Vec::new();
    for (param, c_name) in [
        ("networkId", "network_id"),
        ("hostId", "host_id"),
        ("userId", "user_id"),
    ] {
        if row.has(c_name) {
            assert!(
                row.names_query(param),
                "{what}: {c_name} but no {param} in the tsv"
            );
        }
        if row.names_query(param) {
            match &case.parent {
                Some(parent) => expected_query.push((param, parent.clone())),
                None => assert_eq!(
                    query_value(&first.query, param),
                    None,
                    "{what}: NULL {c_name} must leave {param} out"
                ),
            }
        }
    }
    if row.names_query("regionId") {
        expected_query.push(("regionId", region.clone()));
    }
    if row.names_query("page") {
        expected_query.push(("page", "0".into()));
    }
    if row.names_query("size") {
        let size = if row.has("cursor") { "100" } else { "1000" };
        expected_query.push(("size", size.into()));
    }
    if row.has("filter_json") {
        expected_query.push(("startDate", "2001-01-01T00:00:00.000Z".into()));
    }
    if row.has("cursor") {
        assert_eq!(
            query_value(&first.query, "cursor"),
            None,
            "{what}: NULL cursor"
        );
    }
    for (name, value) in &expected_query {
        assert_eq!(
            query_value(&first.query, name).as_deref(),
            Some(value.as_str()),
            "{what}: query {name} in {:?}",
            first.query
        );
    }
    let expected_body: Vec<u8> = match row.function.as_str() {
        "ccx_settings_set" => b"CUSTOM".to_vec(),
        _ => case.body.clone().unwrap_or_default().into_bytes(),
    };
    assert_eq!(
        String::from_utf8_lossy(&first.body),
        String::from_utf8_lossy(&expected_body),
        "{what}: body bytes"
    );

    // A get or a page is the server's reply itself, byte for byte (a
    // setting is not: text settings come back quoted).
    if matches!(verb, "get" | "page") && collection != "settings" {
        let below = first.path.strip_prefix("/api/v1").unwrap();
        let again = raw_get(&world.emulator, &format!("{below}?{}", first.query));
        let out_text = reply.out.as_deref().unwrap_or_default();
        assert_eq!(
            out_text.as_bytes(),
            again.as_slice(),
            "{what}: not the reply's bytes"
        );
    }

    // The result, against what the emulator now holds.
    check_outcome(world, row, recipe, &case, out.as_ref(), &what);
}

fn contains_id(items: &Value, id: &str) -> bool {
    items
        .as_array()
        .is_some_and(|items| items.iter().any(|o| o["id"] == id))
}

fn check_outcome(
    world: &World,
    row: &Row,
    recipe: Option<&Recipe>,
    case: &Case,
    out: Option<&Value>,
    what: &str,
) {
    let id = case.id.clone().unwrap_or_default();
    let out_value = || out.unwrap_or_else(|| panic!("{what}: no out_json"));
    let function = row.function.as_str();
    if let Some(recipe) = recipe {
        match verb(function) {
            "list" => assert!(contains_id(out_value(), &id), "{what}: {id} not listed"),
            "page" => assert!(
                contains_id(&out_value()["content"], &id),
                "{what}: {id} not on the page"
            ),
            "get" => assert_eq!(out_value()["id"], id, "{what}"),
            "create" => {
                let new_id = out_value()["id"]
                    .as_str()
                    .expect("id of the created object");
                let stored = world
                    .stored(recipe.state, new_id)
                    .unwrap_or_else(|| panic!("{what}: not stored"));
                if let Some(parent) = &case.parent {
                    let key = if recipe.state == "devices" {
                        "userId"
                    } else {
                        "networkItemId"
                    };
                    assert_eq!(stored[key], parent.as_str(), "{what}: parent");
                }
            }
            "update" => {
                let (field, value) = recipe.updated;
                assert_eq!(out_value()[field], value, "{what}: reply");
                let stored = world.stored(recipe.state, &id).expect("still stored");
                assert_eq!(stored[field], value, "{what}: stored");
            }
            "delete" => assert!(world.stored(recipe.state, &id).is_none(), "{what}: kept"),
            _ => check_action(world, recipe, function, &id, out, what),
        }
        return;
    }
    let flags = world.state("flags");
    let settings = world.state("settings");
    match function {
        "ccx_vpn_regions_list" => assert_eq!(out_value(), &world.state("regions"), "{what}"),
        "ccx_sessions_list" | "ccx_audit_logs_list" => {
            let all = world.state(feed_state(function));
            let items = out_value().as_array().expect("array");
            assert_eq!(items.len(), all.as_array().unwrap().len(), "{what}: items");
            assert!(
                items.len() > 100,
                "{what}: the seed should need several batches"
            );
        }
        "ccx_sessions_page" | "ccx_audit_logs_page" => {
            let field = if function.contains("sessions") {
                "sessions"
            } else {
                "auditLogs"
            };
            let items = out_value()[field].as_array().expect("a batch");
            assert_eq!(items.len(), 100, "{what}: batch size");
            assert!(out_value()["nextCursor"].is_string(), "{what}: nextCursor");
        }
        "ccx_dns_log_get" => assert_eq!(out_value(), &flags["dns_log"], "{what}"),
        "ccx_access_visibility_get" => {
            assert_eq!(out_value(), &flags["access_visibility"], "{what}")
        }
        "ccx_dns_log_enable" => assert_eq!(flags["dns_log"], true, "{what}"),
        "ccx_dns_log_disable" => assert_eq!(flags["dns_log"], false, "{what}"),
        "ccx_access_visibility_enable" => assert_eq!(flags["access_visibility"], true),
        "ccx_access_visibility_disable" => assert_eq!(flags["access_visibility"], false),
        "ccx_settings_get" => assert_eq!(out_value(), &json!("FULL_MESH"), "{what}"),
        "ccx_settings_set" => {
            assert_eq!(out_value(), &json!("CUSTOM"), "{what}");
            assert_eq!(settings[SETTING], "CUSTOM", "{what}: stored");
        }
        f if f.starts_with("ccx_cyber_shield_") => {
            let list = if f.contains("allow") {
                "cyber_shield_allow"
            } else {
                "cyber_shield_block"
            };
            let domains = world.state(list);
            let listed = domains
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["domain"] == "contract.example.com");
            assert_eq!(listed, f.ends_with("_add"), "{what}: {domains}");
        }
        other => panic!("{other}: the contract test does not know how to check it"),
    }
}

fn feed_state(function: &str) -> &'static str {
    if function.contains("sessions") {
        "sessions"
    } else {
        "audit_logs"
    }
}

fn check_action(
    world: &World,
    recipe: &Recipe,
    function: &str,
    id: &str,
    out: Option<&Value>,
    what: &str,
) {
    let stored = || world.stored(recipe.state, id).expect("stored");
    let text = || {
        out.and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{what}: out_json is not a JSON string: {out:?}"))
            .to_string()
    };
    if function.ends_with("_profile") {
        let profile = text();
        assert!(profile.contains("client") && profile.contains(id), "{what}");
    } else if function.ends_with("_profile_token") {
        assert!(!text().is_empty(), "{what}");
    } else if function.ends_with("_activate") {
        assert_eq!(stored()["status"], "ACTIVE", "{what}");
    } else if function.ends_with("_suspend") {
        assert_eq!(stored()["status"], "SUSPENDED", "{what}");
    } else if function.ends_with("_ipsec_start") {
        assert_eq!(
            stored()["ipSecConfig"]["connectorState"],
            "ACTIVE",
            "{what}"
        );
    } else if function.ends_with("_ipsec_stop") {
        assert_eq!(
            stored()["ipSecConfig"]["connectorState"],
            "STOPPED",
            "{what}"
        );
    } else if function.ends_with("_profile_revoke") {
        assert!(
            world.stored(recipe.state, id).is_some(),
            "{what}: device kept"
        );
    } else {
        panic!("{function}: the contract test does not know how to check it");
    }
}

#[test]
fn every_function_sends_the_documented_request() {
    let world = World::new();
    let rows = functions();
    for row in &rows {
        exercise(&world, row, None, true);
        // Where the parent is optional, NULL must leave it out and still work.
        if row.query.contains("optional") && verb(&row.function) != "create" {
            exercise(&world, row, None, false);
        }
    }
}

#[test]
fn every_function_works_from_the_version_that_introduced_it() {
    let world = World::new();
    for row in functions() {
        exercise(&world, &row, Some(&row.since), true);
    }
}

/// Placeholder arguments: a refused call must not look at them anyway.
fn dummy_args(row: &Row) -> Vec<Arg> {
    row.params
        .iter()
        .filter(|(ty, _)| *ty != Ty::Out)
        .map(|(ty, name)| match (ty, name.as_str()) {
            (Ty::Int, "page") => Arg::Int(0),
            (Ty::Int, _) => Arg::Int(10),
            (_, "name") => Arg::text(SETTING),
            (_, "value_json") => Arg::text("\"CUSTOM\""),
            (_, "body_json" | "filter_json") => Arg::text("{}"),
            (_, "cursor") => Arg::Str(None),
            _ => Arg::text("00000000-0000-0000-0000-000000000000"),
        })
        .collect()
}

#[test]
fn older_versions_refuse_newer_functions_without_sending_anything() {
    let emulator = emulator();
    let mut refused = 0;
    for row in functions() {
        let since = version_index(&row.since);
        for version in &VERSIONS[..since] {
            let client = Client::for_emulator(&emulator, Some(version));
            let before = emulator.stats().requests;
            let reply = client.call(&row.function, &row.shape(), &dummy_args(&row));
            assert_eq!(
                reply.status, CCX_ERR_UNSUPPORTED,
                "{} on {version}: {}",
                row.function, reply.error
            );
            assert!(reply.out.is_none());
            assert!(reply.error.contains(&row.since), "{}", reply.error);
            assert_eq!(
                emulator.stats().requests,
                before,
                "{} on {version} sent a request",
                row.function
            );
            refused += 1;
        }
    }
    assert!(
        refused > 0,
        "functions.tsv names no function newer than 1.0"
    );
}

#[test]
fn newer_settings_are_refused_below_their_version() {
    let emulator = emulator();
    let settings = std::fs::read_to_string(repo_file("api/settings.tsv")).unwrap();
    let shape_get = [Ty::Str, Ty::Out];
    let shape_set = [Ty::Str, Ty::Str, Ty::Out];
    let mut checked = 0;
    for line in settings.lines().skip(1) {
        let cells: Vec<&str> = line.split('\t').collect();
        let (name, value, since) = (cells[0], cells[1], cells[2].trim());
        let example = if value.starts_with("bool") {
            "true"
        } else {
            "\"IP_V4_ONLY\""
        };
        for version in &VERSIONS[..version_index(since)] {
            let client = Client::for_emulator(&emulator, Some(version));
            let before = emulator.stats().requests;
            let get = client.call("ccx_settings_get", &shape_get, &[Arg::text(name)]);
            let set = client.call(
                "ccx_settings_set",
                &shape_set,
                &[Arg::text(name), Arg::text(example)],
            );
            assert_eq!(get.status, CCX_ERR_UNSUPPORTED, "get {name} on {version}");
            assert_eq!(set.status, CCX_ERR_UNSUPPORTED, "set {name} on {version}");
            assert_eq!(emulator.stats().requests, before, "{name} on {version}");
            checked += 1;
        }
        if version_index(since) > 0 {
            let client = Client::for_emulator(&emulator, Some(since));
            client
                .call(
                    "ccx_settings_set",
                    &shape_set,
                    &[Arg::text(name), Arg::text(example)],
                )
                .ok(&format!("set {name} on {since}"));
            let read = client
                .call("ccx_settings_get", &shape_get, &[Arg::text(name)])
                .json(&format!("get {name} on {since}"));
            assert_eq!(
                read,
                serde_json::from_str::<Value>(example).unwrap(),
                "{name}"
            );
        }
    }
    assert!(checked > 0, "settings.tsv names no setting newer than 1.0");
}

/// Declarations in the header: function name and its signature with
/// whitespace collapsed.
fn header_functions() -> Vec<(String, String)> {
    let header = std::fs::read_to_string(repo_file("include/cloudconnexa.h")).unwrap();
    let mut code = String::new();
    let mut in_comment = false;
    for line in header.lines() {
        let trimmed = line.trim();
        if in_comment {
            in_comment = !trimmed.contains("*/");
            continue;
        }
        if trimmed.starts_with("/*") {
            in_comment = !trimmed.contains("*/");
            continue;
        }
        if trimmed.starts_with("//") || trimmed.starts_with('#') {
            continue;
        }
        code.push_str(trimmed);
        code.push(' ');
    }
    let mut found = Vec::new();
    for declaration in code.split(';') {
        let declaration = declaration.split_whitespace().collect::<Vec<_>>().join(" ");
        let Some(open) = declaration.find('(') else {
            continue;
        };
        let before = &declaration[..open];
        let name = before.rsplit([' ', '*']).next().unwrap_or("");
        if name.starts_with("ccx_") && !declaration.starts_with("typedef") {
            let signature = declaration[declaration.rfind(['{', '}']).map_or(0, |i| i + 1)..]
                .trim()
                .replace("( ", "(");
            found.push((name.to_string(), signature));
        }
    }
    found
}

/// The core functions fixed by the ABI document.
const CORE: &[&str] = &[
    "ccx_client_new",
    "ccx_client_free",
    "ccx_authenticate",
    "ccx_last_error",
    "ccx_last_error_code",
    "ccx_last_http_status",
    "ccx_last_error_body",
    "ccx_status_str",
    "ccx_string_free",
    "ccx_version",
    "ccx_token_expires_at",
    "ccx_request",
    "ccx_client_set_timeout_ms",
    "ccx_client_set_max_retries",
    "ccx_client_set_max_retry_wait_ms",
    "ccx_client_set_page_size",
    "ccx_client_set_user_agent",
    "ccx_client_set_ca_file",
    "ccx_client_set_proxy",
    "ccx_client_set_log_callback",
];

#[test]
fn the_library_exports_exactly_the_contract() {
    let rows = functions();
    let lib = lib();
    let mut names: Vec<&str> = rows.iter().map(|r| r.function.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), rows.len(), "a function is listed twice");

    let missing: Vec<&str> = rows
        .iter()
        .map(|r| r.function.as_str())
        .chain(CORE.iter().copied())
        .filter(|name| lib.symbol(name).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "not exported by {}: {missing:?}",
        lib.path.display()
    );

    let declared = header_functions();
    let extra: Vec<&str> = declared
        .iter()
        .map(|(name, _)| name.as_str())
        .filter(|name| !CORE.contains(name) && !names.contains(name))
        .collect();
    assert!(
        extra.is_empty(),
        "in the header but neither core nor in the tsv: {extra:?}"
    );

    // The tests call each function with the shape the tsv gives it; the
    // header must declare that same signature.
    for row in &rows {
        let (_, header) = declared
            .iter()
            .find(|(name, _)| *name == row.function)
            .unwrap_or_else(|| panic!("{} is not declared in the header", row.function));
        let tsv = row
            .signature
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(header, &tsv, "signature of {}", row.function);
    }
}

/// Is a NULL allowed for this parameter of this row?
fn may_be_null(row: &Row, name: &str) -> bool {
    match name {
        "cursor" | "filter_json" => true,
        "network_id" | "host_id" | "user_id" => row.query.contains("optional"),
        _ => false,
    }
}

#[test]
fn missing_and_out_of_range_arguments_are_refused_before_sending() {
    let emulator = emulator();
    let client = Client::for_emulator(&emulator, None);
    let before = emulator.stats().requests;
    let mut refused = 0;
    for row in functions() {
        let good = dummy_args(&row);
        let inputs: Vec<&(Ty, String)> = row.params.iter().filter(|(t, _)| *t != Ty::Out).collect();
        let mut bad_cases: Vec<(String, Vec<Arg>)> = Vec::new();
        for (i, (ty, name)) in inputs.iter().enumerate() {
            let mut args = good.clone();
            match (ty, name.as_str()) {
                (Ty::Str, name) if !may_be_null(&row, name) => {
                    args[i] = Arg::Str(None);
                    bad_cases.push((format!("NULL {name}"), args));
                }
                (Ty::Str, "id" | "network_id" | "host_id" | "user_id" | "region_id") => {
                    args[i] = Arg::text("");
                    bad_cases.push((format!("empty {name}"), args));
                }
                (Ty::Int, "page") => {
                    args[i] = Arg::Int(-1);
                    bad_cases.push(("page -1".into(), args));
                }
                (Ty::Int, "size") => {
                    let max = if row.has("cursor") { 100 } else { 1000 };
                    for size in [0, -5, max + 1] {
                        let mut args = good.clone();
                        args[i] = Arg::Int(size);
                        bad_cases.push((format!("size {size}"), args));
                    }
                }
                _ => {}
            }
        }
        for (case, args) in bad_cases {
            let reply = client.call(&row.function, &row.shape(), &args);
            assert_eq!(
                reply.status, CCX_ERR_INVALID_ARGUMENT,
                "{} with {case}: {}",
                row.function, reply.error
            );
            assert!(reply.out.is_none(), "{} with {case}", row.function);
            refused += 1;
        }
    }
    assert_eq!(
        emulator.stats().requests,
        before,
        "a refused call sent a request"
    );
    assert!(refused > 127, "only {refused} refusals checked");
}
