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

pub(crate) fn seed_examples(store: &mut Store) {
    let group = parse(example!("user_group.json"))["get_response"].clone();
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
    let network_id = add(store, &resources::NETWORKS, &network, None);

    let ip_service = parse(example!("network_ip_service.json"))["create_request"].clone();
    add(
        store,
        &resources::NETWORK_IP_SERVICES,
        &ip_service,
        Some(&network_id),
    );
    let application = json!({
        "name": "string",
        "description": "string",
        "routes": [{"value": "app.example.com", "allowEmbeddedIp": false, "exactMatch": true}],
        "config": {"serviceTypes": ["ANY"], "customServiceTypes": []},
    });
    add(
        store,
        &resources::NETWORK_APPLICATIONS,
        &application,
        Some(&network_id),
    );

    let host_connector = parse(example!("host_connector.json"))["create_request"].clone();
    let host = json!({
        "name": "string",
        "description": "string",
        "domain": "host.example.com",
        "internetAccess": "SPLIT_TUNNEL_ON",
        "gatewaysIds": [],
        "connectors": [host_connector],
    });
    let host_id = add(store, &resources::HOSTS, &host, None);
    let host_service =
        parse(example!("host_ip_service.json"))["page_response_v1_1_1"]["content"][0].clone();
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

    let device = parse(example!("device.json"))["get_response_v1_0"].clone();
    let mut user = parse(example!("user.json"))["page_response_v1_2_0"]["content"][0].clone();
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
    posture["userGroupsIds"] = json!([group_id]);
    add(store, &resources::DEVICE_POSTURES, &posture, None);

    let record = parse(example!("dns_record.json"))["get_response"].clone();
    add(store, &resources::DNS_RECORDS, &record, None);

    let mut context = parse(example!("location_context.json"))["get_response"].clone();
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
