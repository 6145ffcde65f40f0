//! Initial state, built from the documented examples. Every example id is replaced
//! by a fresh UUID and every reference points at the seeded object it names.

use serde_json::{json, Value};

use crate::resources::{self, insert_new, Kind};
use crate::store::{Object, Store};

macro_rules! example {
    ($file:literal) => {
        include_str!(concat!("../../tests/fixtures/api-examples/", $file))
    };
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("bundled example is valid JSON")
}

fn object(value: &Value) -> Object {
    value.as_object().cloned().unwrap_or_default()
}

/// Regions are reference data and present even without seeding.
pub(crate) fn regions() -> Vec<Value> {
    let rows = [
        (
            "us-east-1",
            "North America",
            "United States",
            "US",
            "Virginia",
        ),
        (
            "us-west-1",
            "North America",
            "United States",
            "US",
            "California",
        ),
        ("ca-central-1", "North America", "Canada", "CA", "Montréal"),
        ("eu-central-1", "Europe", "Germany", "DE", "Frankfurt"),
        ("eu-west-1", "Europe", "Ireland", "IE", "Dublin"),
        ("ap-southeast-1", "Asia", "Singapore", "SG", "Singapore"),
        ("ap-northeast-1", "Asia", "Japan", "JP", "Tokyo"),
        ("sa-east-1", "South America", "Brazil", "BR", "São Paulo"),
    ];
    rows.iter()
        .map(|(id, continent, country, iso, name)| {
            json!({
                "id": id,
                "continent": continent,
                "country": country,
                "countryIso": iso,
                "regionName": name,
            })
        })
        .collect()
}

fn add(store: &mut Store, kind: &Kind, body: &Value, parent: Option<&str>) -> String {
    insert_new(store, kind, &object(body), parent)
}

/// Overwrites fields of a stored object, for values only the server sets.
fn patch(store: &mut Store, collection: &str, id: &str, fields: &[(&str, Value)]) {
    if let Some(stored) = store.col_mut(collection).get_mut(id) {
        for (key, value) in fields {
            stored.insert(key.to_string(), value.clone());
        }
    }
}

/// Replaces the documentation's `"string"` placeholders with realistic
/// values, by field name, so that seeded objects read like a real tenant's.
/// An array of placeholders is replaced whole by an array value.
fn fill(value: &mut Value, values: &[(&str, Value)]) {
    let placeholder = |v: &Value| v.as_str() == Some("string");
    match value {
        Value::Object(map) => {
            for (key, field) in map.iter_mut() {
                let replacement = values.iter().find(|(k, _)| k == key).map(|(_, v)| v);
                match (replacement, &*field) {
                    (Some(new), old) if placeholder(old) => *field = new.clone(),
                    (Some(new), Value::Array(items))
                        if !items.is_empty() && items.iter().all(placeholder) =>
                    {
                        *field = match new {
                            Value::Array(_) => new.clone(),
                            single => Value::Array(vec![single.clone()]),
                        };
                    }
                    _ => fill(field, values),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| fill(item, values)),
        _ => {}
    }
}

pub(crate) fn seed_examples(store: &mut Store) {
    let mut group = parse(example!("user_group.json"))["get_response"].clone();
    fill(
        &mut group,
        &[
            ("name", json!("Engineering")),
            ("vpnRegionIds", json!(["us-east-1", "eu-central-1"])),
            ("gatewaysIds", json!([])),
            ("systemSubnets", json!(["100.96.0.0/24"])),
            ("ipv4Subnets", json!(["192.168.50.0/24"])),
        ],
    );
    let group_id = add(store, &resources::USER_GROUPS, &group, None);

    let mut network = parse(example!("network.json"))["get_response"].clone();
    // A response lists routes as {subnet}; a create body carries {value}.
    let routes: Vec<Value> = network["routes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| json!({"value": r["subnet"], "description": r["description"]}))
        .collect();
    network["routes"] = Value::Array(routes);
    fill(
        &mut network,
        &[
            ("name", json!("headquarters")),
            ("description", json!("Main office in Berlin")),
            ("value", json!("10.10.0.0/16")),
            ("vpnRegionId", json!("eu-central-1")),
            ("gatewaysIds", json!([])),
        ],
    );
    let network_id = add(store, &resources::NETWORKS, &network, None);

    let mut ip_service = parse(example!("network_ip_service.json"))["create_request"].clone();
    fill(
        &mut ip_service,
        &[
            ("name", json!("intranet-web")),
            ("description", json!("Intranet web servers")),
            ("value", json!("10.10.20.0/24")),
        ],
    );
    add(
        store,
        &resources::NETWORK_IP_SERVICES,
        &ip_service,
        Some(&network_id),
    );
    let application = json!({
        "name": "wiki",
        "description": "Team wiki",
        "routes": [{"value": "app.example.com", "allowEmbeddedIp": false, "exactMatch": true}],
        "config": {"serviceTypes": ["ANY"], "customServiceTypes": []},
    });
    add(
        store,
        &resources::NETWORK_APPLICATIONS,
        &application,
        Some(&network_id),
    );

    let mut host_connector = parse(example!("host_connector.json"))["create_request"].clone();
    fill(
        &mut host_connector,
        &[
            ("name", json!("build-server-connector")),
            ("description", json!("Connector on the build server")),
            ("vpnRegionId", json!("us-east-1")),
        ],
    );
    let host = json!({
        "name": "build-server",
        "description": "CI build server",
        "domain": "host.example.com",
        "internetAccess": "SPLIT_TUNNEL_ON",
        "gatewaysIds": [],
        "connectors": [host_connector],
    });
    let host_id = add(store, &resources::HOSTS, &host, None);
    let mut host_service =
        parse(example!("host_ip_service.json"))["page_response_v1_1_1"]["content"][0].clone();
    fill(
        &mut host_service,
        &[
            ("name", json!("ssh")),
            ("description", json!("SSH to the build server")),
        ],
    );
    add(
        store,
        &resources::HOST_IP_SERVICES,
        &host_service,
        Some(&host_id),
    );
    add(
        store,
        &resources::HOST_APPLICATIONS,
        &application,
        Some(&host_id),
    );

    let laptop = [
        ("name", json!("ada-laptop")),
        ("description", json!("Work laptop")),
        ("clientUUID", json!("5b0f7a52-6c1d-4b0e-9d8e-2f4b7c1a9e11")),
        ("ipV4Address", json!("100.96.1.2")),
        ("ipV6Address", json!("fd00:100:96::2")),
        ("os", json!("macOS")),
        ("version", json!("14.5")),
        ("firstName", json!("Ada")),
        ("lastName", json!("Lovelace")),
        ("username", json!("ada")),
        ("email", json!("ada@example.com")),
    ];
    let mut device = parse(example!("device.json"))["get_response_v1_0"].clone();
    fill(&mut device, &laptop);
    let mut user = parse(example!("user.json"))["page_response_v1_2_0"]["content"][0].clone();
    fill(&mut user, &laptop);
    user["groupId"] = json!(group_id);
    user["secondaryGroupIds"] = json!([]);
    user["devices"] = json!([device]);
    let user_id = add(store, &resources::USERS, &user, None);
    for device_id in store.col("devices").ids_where("userId", &user_id) {
        let fields = [
            ("platform", device["platform"].clone()),
            ("connectionStatus", device["connectionStatus"].clone()),
        ];
        patch(store, "devices", &device_id, &fields);
    }
    let user_fields = [("status", user["status"].clone())];
    patch(store, "users", &user_id, &user_fields);

    let mut posture = parse(example!("device_posture.json"))["get_response"].clone();
    fill(
        &mut posture,
        &[
            ("name", json!("managed-laptops")),
            ("description", json!("Company laptops with disk encryption")),
            ("version", json!("10.0.19045")),
            ("volume", json!("C:")),
            ("certificate", json!("corp-device-ca")),
        ],
    );
    posture["userGroupsIds"] = json!([group_id]);
    add(store, &resources::DEVICE_POSTURES, &posture, None);

    let mut record = parse(example!("dns_record.json"))["get_response"].clone();
    fill(
        &mut record,
        &[
            ("domain", json!("wiki.corp.example")),
            ("description", json!("Team wiki")),
            ("ipv4Addresses", json!(["10.10.20.15"])),
            ("ipv6Addresses", json!([])),
        ],
    );
    add(store, &resources::DNS_RECORDS, &record, None);

    let mut context = parse(example!("location_context.json"))["get_response"].clone();
    fill(
        &mut context,
        &[
            ("name", json!("office-only")),
            ("description", json!("Allow connections from the office")),
            ("ip", json!("203.0.113.0/24")),
            ("countries", json!(["DE", "US"])),
        ],
    );
    context["userGroupsIds"] = json!([group_id]);
    add(store, &resources::LOCATION_CONTEXTS, &context, None);

    let mut access = parse(example!("access_group.json"))["get_response"].clone();
    access["source"][0]["parent"] = json!(network_id);
    access["destination"][0]["parent"] = json!(group_id);
    let access_id = add(store, &resources::ACCESS_GROUPS, &access, None);
    patch(
        store,
        "access_groups",
        &access_id,
        &[("defaultGroup", json!(true))],
    );

    let settings = parse(example!("settings.json"));
    store
        .settings
        .insert("dns/zones".into(), settings["dns_zones_request"].clone());

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let users: Vec<(String, String)> = store
        .col("users")
        .iter()
        .map(|u| {
            let id = u["id"].as_str().unwrap_or_default().to_string();
            let name = u["username"].as_str().unwrap_or_default().to_string();
            (id, name)
        })
        .collect();
    store.sessions = crate::feeds::make_sessions(now, 250, &users);
    store.audit_logs = crate::feeds::make_audit_logs(now, 150);
}

/// Additional users for list benchmarks, named user1..userN. Built directly
/// rather than through `insert_new`, which matters for 100,000 users in a debug
/// build.
pub(crate) fn extra_users(store: &mut Store, count: usize) {
    let group_id = store
        .col("user_groups")
        .iter()
        .next()
        .map(|g| g["id"].clone())
        .unwrap_or(Value::Null);
    let users = store.col_mut("users");
    for n in 1..=count {
        let mut user = Object::new();
        let mut set = |key: &str, value: Value| {
            user.insert(key.to_string(), value);
        };
        set("id", crate::store::new_id().into());
        set("firstName", "User".into());
        set("lastName", format!("Number {n}").into());
        set("username", format!("user{n}").into());
        set("email", format!("user{n}@example.com").into());
        set("groupId", group_id.clone());
        set("secondaryGroupIds", Value::Array(Vec::new()));
        set("role", "MEMBER".into());
        set("status", "ACTIVE".into());
        set("authType", "INTERNAL".into());
        set("connectionStatus", "OFFLINE".into());
        set("licensed", true.into());
        users.insert(user);
    }
}
