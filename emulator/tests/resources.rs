//! Stateful CRUD, pagination, parent parameters, cascades and error bodies.

mod common;

use ccx_emulator::Config;
use common::{ids, quiet, Api};
use serde_json::{json, Value};

fn empty() -> Api {
    Api::start(Config {
        seed: false,
        ..quiet()
    })
}

#[test]
fn page_envelope_and_edges() {
    let api = empty();
    let none = api.get("/api/v1/networks?page=0&size=10").json();
    assert_eq!(
        none,
        json!({"content": [], "totalElements": 0, "totalPages": 0,
               "numberOfElements": 0, "page": 0, "size": 10})
    );
    let created: Vec<String> = (0..3)
        .map(|i| api.create("/api/v1/networks", &format!(r#"{{"name":"n{i}"}}"#)))
        .collect();

    let first = api.get("/api/v1/networks?page=0&size=2").json();
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "content",
            "totalElements",
            "totalPages",
            "numberOfElements",
            "page",
            "size"
        ]
    );
    assert_eq!(first["totalElements"], 3);
    assert_eq!(first["totalPages"], 2);
    assert_eq!(first["numberOfElements"], 2);
    let second = api.get("/api/v1/networks?page=1&size=2").json();
    assert_eq!(second["numberOfElements"], 1);
    assert_eq!(second["page"], 1);
    let mut seen = ids(&first["content"]);
    seen.extend(ids(&second["content"]));
    assert_eq!(seen, created, "creation order, no duplicates");

    let past = api.get("/api/v1/networks?page=7&size=2").json();
    assert_eq!(past["content"], json!([]));
    assert_eq!(past["totalElements"], 3);
    assert_eq!(past["totalPages"], 2);

    // Documented choice: size defaults to 10.
    assert_eq!(api.get("/api/v1/networks").json()["size"], 10);
    for bad in ["size=0", "size=1001", "size=abc", "page=-1", "page=x"] {
        let resp = api.get(&format!("/api/v1/networks?{bad}"));
        assert_eq!(resp.status, 400, "{bad}");
        assert_eq!(resp.json()["statusError"], "Bad Request");
    }
    assert_eq!(api.get("/api/v1/networks?size=1000").status, 200);
}

#[test]
fn children_need_an_existing_parent() {
    let api = empty();
    let route = r#"{"value":"10.0.0.0/24","description":"r"}"#;
    let missing = api.post("/api/v1/networks/routes", route);
    assert_eq!(missing.status, 400);
    assert!(missing.body.contains("networkId"), "{}", missing.body);

    let unknown = api.post("/api/v1/networks/routes?networkId=nope", route);
    assert_eq!(unknown.status, 400);
    assert_eq!(
        unknown.json(),
        json!({"errorDetails": {"network": [{"errorCode": "9-11-6",
                "message": "Entity does not exist"}]},
               "errorMessage": "Entity does not exist", "statusError": "Bad Request"})
    );
    for (path, param) in [
        ("/api/v1/hosts/connectors", "hostId"),
        ("/api/v1/hosts/ip-services", "hostId"),
        ("/api/v1/hosts/applications", "hostId"),
        ("/api/v1/networks/connectors", "networkId"),
        ("/api/v1/networks/ip-services", "networkId"),
        ("/api/v1/networks/applications", "networkId"),
        ("/api/v1/devices", "userId"),
    ] {
        let resp = api.post(path, r#"{"name":"x"}"#);
        assert_eq!(resp.status, 400, "{path}");
        assert!(resp.body.contains(param), "{path}: {}", resp.body);
    }
}

#[test]
fn networks_show_their_children_and_delete_them() {
    let api = empty();
    let body = json!({
        "name": "office", "description": "d", "internetAccess": "SPLIT_TUNNEL_ON",
        "egress": false, "id": "ignored", "systemSubnets": ["ignored"],
        "routes": [{"value": "10.1.0.0/16", "description": "lan"}],
        "connectors": [{"name": "c1", "vpnRegionId": "us-east-1"}],
    });
    let created = api.post("/api/v1/networks", &body.to_string());
    assert_eq!(created.status, 201);
    let network = created.json();
    let id = network["id"].as_str().unwrap().to_string();
    assert_ne!(id, "ignored");
    assert_eq!(network["routes"][0]["subnet"], "10.1.0.0/16");
    assert_eq!(network["routes"][0]["type"], "IP_V4");
    assert_eq!(network["connectors"][0]["networkItemId"], id.as_str());
    assert_eq!(network["connectors"][0]["networkItemType"], "NETWORK");

    let v6 = api.post(
        &format!("/api/v1/networks/routes?networkId={id}"),
        r#"{"value":"fd00::/64","description":"v6"}"#,
    );
    assert_eq!(v6.status, 201);
    let v6 = v6.json();
    assert_eq!(
        v6.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["id", "type", "subnet", "description"]
    );
    assert_eq!(v6["type"], "IP_V6");
    let v6_id = v6["id"].as_str().unwrap();
    let updated = api.put(
        &format!("/api/v1/networks/routes/{v6_id}"),
        r#"{"value":"10.9.0.0/16","description":"now v4"}"#,
    );
    assert_eq!(updated.json()["type"], "IP_V4");
    api.create(
        &format!("/api/v1/networks/ip-services?networkId={id}"),
        r#"{"name":"svc","type":"IP_SOURCE","routes":[{"value":"10.1.2.0/24"}],
            "config":{"serviceTypes":["ANY"]}}"#,
    );
    api.create(
        &format!("/api/v1/networks/applications?networkId={id}"),
        r#"{"name":"app","routes":[{"value":"app.example.com","allowEmbeddedIp":false}]}"#,
    );
    let shown = api.get(&format!("/api/v1/networks/{id}")).json();
    assert_eq!(shown["routes"].as_array().unwrap().len(), 2);
    let filtered = api.get(&format!("/api/v1/networks/routes?networkId={id}&size=100"));
    assert_eq!(filtered.json()["totalElements"], 2);

    assert_eq!(api.delete(&format!("/api/v1/networks/{id}")).status, 204);
    for collection in [
        "networks",
        "network_routes",
        "network_connectors",
        "network_ip_services",
        "network_applications",
    ] {
        assert_eq!(api.emu.state_json(collection), json!([]), "{collection}");
    }
    let gone = api.get(&format!("/api/v1/networks/{id}"));
    assert_eq!(gone.status, 404);
    assert_eq!(
        gone.json(),
        json!({"errorMessage": format!("Network with ID {id} not found"),
               "statusError": "Not Found"})
    );
}

#[test]
fn hosts_and_users_cascade() {
    let api = empty();
    let host = api.create(
        "/api/v1/hosts",
        r#"{"name":"h","connectors":[{"name":"hc","vpnRegionId":"eu-west-1"}]}"#,
    );
    api.create(
        &format!("/api/v1/hosts/ip-services?hostId={host}"),
        r#"{"name":"s"}"#,
    );
    api.create(
        &format!("/api/v1/hosts/applications?hostId={host}"),
        r#"{"name":"a"}"#,
    );
    assert_eq!(
        api.get(&format!("/api/v1/hosts/{host}")).json()["connectors"][0]["networkItemType"],
        "HOST"
    );
    assert_eq!(api.delete(&format!("/api/v1/hosts/{host}")).status, 204);
    for collection in [
        "hosts",
        "host_connectors",
        "host_ip_services",
        "host_applications",
    ] {
        assert_eq!(api.emu.state_json(collection), json!([]), "{collection}");
    }

    let user = api.create(
        "/api/v1/users",
        r#"{"username":"ann","email":"ann@example.com","role":"MEMBER",
            "devices":[{"name":"laptop","clientUUID":"abc"}]}"#,
    );
    let device = api.create(
        &format!("/api/v1/devices?userId={user}"),
        r#"{"name":"phone"}"#,
    );
    let shown = api.get(&format!("/api/v1/users/{user}")).json();
    assert_eq!(
        shown["status"], "INVITED",
        "documented choice for new users"
    );
    assert_eq!(shown["devices"].as_array().unwrap().len(), 2);

    // Devices are addressed through their user.
    assert_eq!(api.get(&format!("/api/v1/devices/{device}")).status, 400);
    let path = format!("/api/v1/devices/{device}?userId={user}");
    assert_eq!(api.get(&path).json()["name"], "phone");
    let other = api.create("/api/v1/users", r#"{"username":"bob"}"#);
    let wrong = api.get(&format!("/api/v1/devices/{device}?userId={other}"));
    assert_eq!(wrong.status, 404);
    assert_eq!(
        api.put(&path, r#"{"name":"tablet"}"#).json()["name"],
        "tablet"
    );
    let profile_path = format!("/api/v1/devices/{device}/profile?userId={user}");
    let profile = api.act("POST", &format!("{profile_path}&regionId=us-east-1"));
    assert_eq!(profile.status, 200);
    assert!(profile
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    assert!(profile.body.contains("client"));
    let revoke = api.act("DELETE", &profile_path);
    assert_eq!(revoke.status, 204);

    for (action, status) in [("suspend", "SUSPENDED"), ("activate", "ACTIVE")] {
        let resp = api.act("PUT", &format!("/api/v1/users/{user}/{action}"));
        assert_eq!((resp.status, resp.body.as_str()), (200, ""));
        assert_eq!(
            api.get(&format!("/api/v1/users/{user}")).json()["status"],
            status
        );
    }
    assert_eq!(api.delete(&format!("/api/v1/users/{user}")).status, 204);
    let devices = api.emu.state_json("devices");
    assert!(devices.as_array().unwrap().is_empty(), "{devices}");
}

#[test]
fn connector_actions() {
    let api = empty();
    let network = api.create("/api/v1/networks", r#"{"name":"n"}"#);
    let connector = api.create(
        &format!("/api/v1/networks/connectors?networkId={network}"),
        r#"{"name":"c","vpnRegionId":"us-east-1","ipSecConfig":{"platform":"AWS"}}"#,
    );
    let base = format!("/api/v1/networks/connectors/{connector}");
    assert_eq!(api.get(&base).json()["tunnelingProtocol"], "IPSEC");
    let profile = api.act("POST", &format!("{base}/profile"));
    assert!(profile
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    let token = api.act("POST", &format!("{base}/profile/encrypt"));
    assert_eq!(token.status, 200);
    assert!(!token.body.is_empty() && !token.body.starts_with('"'));
    assert_eq!(api.act("POST", &format!("{base}/ipsec/start")).status, 200);
    assert_eq!(
        api.get(&base).json()["ipSecConfig"]["connectorState"],
        "ACTIVE"
    );
    assert_eq!(api.act("PUT", &format!("{base}/suspend")).status, 200);
    assert_eq!(api.get(&base).json()["status"], "SUSPENDED");
    let delete = api.delete(&format!("{base}?networkId={network}"));
    assert_eq!(delete.status, 204);
    assert_eq!(api.act("PUT", &format!("{base}/activate")).status, 404);
}

#[test]
fn error_bodies_match_the_real_api() {
    let api = Api::start(quiet());
    let bad = api.post("/api/v1/networks", "{not json");
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.json(),
        json!({"errorMessage": "Http message not readable", "statusError": "Bad Request"})
    );
    let record = "/api/v1/dns-records/4ec8c3a1-0000-4000-8000-000000000001";
    for resp in [
        api.get(record),
        api.put(record, r#"{"domain":"x.example.com"}"#),
        api.delete(record),
    ] {
        assert_eq!(resp.status, 400, "the DNS record quirk");
        assert_eq!(
            resp.json()["errorMessage"],
            "DNS record with ID 4ec8c3a1-0000-4000-8000-000000000001 not found"
        );
    }
    assert_eq!(api.get("/api/v1/user-groups/nope").status, 404);
    assert_eq!(api.get("/api/v1/nothing-here").status, 404);
    assert_eq!(
        api.get("/api/v1/nothing-here").json()["statusError"],
        "Not Found"
    );
    let patch = api.request(
        "PATCH",
        "/api/v1/networks",
        &[("Authorization", &format!("Bearer {}", api.token))],
        Some("{}"),
    );
    assert_eq!(patch.status, 405);
    assert_eq!(api.act("DELETE", "/api/v1/networks").status, 405);
    let blank = api.post("/api/v1/networks", r#"{"description":"no name"}"#);
    assert_eq!(blank.status, 400);
    assert!(blank.json()["errorDetails"]["name"].is_array());
}

#[test]
fn encoded_ids_stay_in_one_segment() {
    let api = Api::start(quiet());
    let resp = api.get("/api/v1/networks/a%2F..%2Fusers");
    assert_eq!(resp.status, 404);
    assert_eq!(
        resp.json()["errorMessage"],
        "Network with ID a/../users not found"
    );
}

#[test]
fn plain_crud_round_trips() {
    let api = empty();
    let cases = [
        (
            "/api/v1/user-groups",
            r#"{"name":"g","maxDevice":3}"#,
            "maxDevice",
            json!(5),
        ),
        (
            "/api/v1/dns-records",
            r#"{"domain":"a.example.com"}"#,
            "ipv4Addresses",
            json!(["10.0.0.1"]),
        ),
        (
            "/api/v1/device-postures",
            r#"{"name":"p"}"#,
            "linux",
            json!({"allowed": true}),
        ),
        (
            "/api/v1/location-contexts",
            r#"{"name":"l"}"#,
            "defaultCheck",
            json!({"allowed": false}),
        ),
        (
            "/api/v1/access-groups",
            r#"{"name":"a"}"#,
            "source",
            json!([{"type": "USER_GROUP", "allCovered": true}]),
        ),
    ];
    for (path, body, field, value) in cases {
        let id = api.create(path, body);
        let item = format!("{path}/{id}");
        let update = json!({ field: value.clone(), "id": "not-mine" }).to_string();
        let resp = api.put(&item, &update);
        assert_eq!(resp.status, 200, "{path}: {}", resp.body);
        assert_eq!(resp.json()[field], value);
        assert_eq!(resp.json()["id"], id.as_str());
        assert_eq!(api.get(&item).json()[field], value);
        let page = api.get(&format!("{path}?page=0&size=5")).json();
        assert_eq!(page["totalElements"], 1);
        assert_eq!(api.delete(&item).status, 204);
        assert!(matches!(api.get(&item).status, 400 | 404));
    }
}

#[test]
fn regions_flags_and_cyber_shield() {
    let api = Api::start(quiet());
    let regions = api.get("/api/v1/regions").json();
    assert!(regions.as_array().unwrap().len() >= 5);
    assert_eq!(regions[0]["id"], "us-east-1");
    for key in ["continent", "country", "countryIso", "regionName"] {
        assert!(regions[0][key].is_string(), "{key}");
    }

    for base in [
        "/api/v1/dns-log/user-dns-resolutions",
        "/api/v1/access-visibility",
    ] {
        assert_eq!(api.get(&format!("{base}/enabled")).body, "false");
        let on = api.act("PUT", &format!("{base}/enable"));
        assert_eq!((on.status, on.body.as_str()), (200, ""));
        assert_eq!(api.get(&format!("{base}/enabled")).body, "true");
        api.act("PUT", &format!("{base}/disable"));
        assert_eq!(api.get(&format!("{base}/enabled")).json(), json!(false));
    }

    let add = r#"{"domainAndComments":[{"domain":"a.example.com","comment":"x"},
                  {"domain":"b.example.com","comment":"y"},{"domain":"a.example.com","comment":"z"}]}"#;
    let resp = api.post("/api/v1/cybershield/block-list-add-domains", add);
    assert_eq!((resp.status, resp.body.as_str()), (200, ""));
    let block = api.emu.state_json("cyber_shield_block");
    assert_eq!(
        block,
        json!([{"domain": "b.example.com", "comment": "y"},
               {"domain": "a.example.com", "comment": "z"}])
    );
    api.post(
        "/api/v1/cybershield/block-list-remove-domains",
        r#"{"domains":["b.example.com"]}"#,
    );
    assert_eq!(
        api.emu
            .state_json("cyber_shield_block")
            .as_array()
            .unwrap()
            .len(),
        1
    );
    api.post("/api/v1/cybershield/allow-list-add-domains", add);
    api.post(
        "/api/v1/cybershield/allow-list-remove-domains",
        r#"{"domains":["a.example.com","b.example.com"]}"#,
    );
    assert_eq!(api.emu.state_json("cyber_shield_allow"), json!([]));
    assert_eq!(
        api.post("/api/v1/cybershield/allow-list-add-domains", "{}")
            .status,
        400
    );
}

#[test]
fn seed_replaces_example_ids_consistently() {
    let api = Api::start(quiet());
    let zero = "00000000-0000-0000-0000-000000000000";
    let groups = api.emu.state_json("user_groups");
    let group_id = groups[0]["id"].as_str().unwrap().to_string();
    for name in [
        "networks",
        "network_routes",
        "network_connectors",
        "network_ip_services",
        "network_applications",
        "hosts",
        "host_connectors",
        "host_ip_services",
        "host_applications",
        "users",
        "user_groups",
        "devices",
        "device_postures",
        "dns_records",
        "location_contexts",
        "access_groups",
    ] {
        let state = api.emu.state_json(name);
        assert!(!state.as_array().unwrap().is_empty(), "{name} is seeded");
        assert!(!state.to_string().contains(zero), "{name}");
    }
    let user = &api.emu.state_json("users")[0];
    assert_eq!(user["groupId"], group_id.as_str());
    assert_eq!(user["devices"][0]["userId"], user["id"]);
    let network = &api.emu.state_json("networks")[0];
    let access = &api.emu.state_json("access_groups")[0];
    assert_eq!(access["source"][0]["parent"], network["id"]);
    assert_eq!(access["destination"][0]["parent"], group_id.as_str());
    assert_eq!(network["connectors"][0]["networkItemId"], network["id"]);
    assert!(api.emu.state_json("settings").is_object());
    assert_eq!(api.emu.state_json("no-such-thing"), Value::Null);
}

/// Every method and path of the client's function table reaches a handler: no
/// reply says "no endpoint" and none is a 405.
#[test]
fn every_documented_function_is_routed() {
    let api = Api::start(quiet());
    let table = include_str!("../../api/functions.tsv");
    let mut checked = 0;
    for line in table.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (method, path, query) = (cols[1], cols[2], cols[3]);
        let mut url = path
            .replace("{id}", "7d5c1a52-5f0e-4bd5-9a51-0c8f2f1f0a11")
            .replace("{name}", "wpc/snat");
        if query.contains("size") {
            url.push_str("?size=5");
        }
        let body = if path.contains("settings") {
            "true"
        } else {
            "{}"
        };
        let resp = match method {
            "GET" | "DELETE" => api.act(method, &url),
            _ => api.send(method, &url, body),
        };
        assert_ne!(resp.status, 405, "{method} {url}: {}", resp.body);
        assert!(resp.status < 500, "{method} {url}: {}", resp.body);
        assert!(
            !resp.body.contains("No endpoint"),
            "{method} {url}: {}",
            resp.body
        );
        checked += 1;
    }
    assert!(checked >= 120, "{checked}");
}
