//! Routing of `/api/v1/...` resource calls and the stateful CRUD behind them.

use serde_json::{json, Value};

use crate::http::{json_object, Outcome, Reply, Req};
use crate::store::{new_id, page, Object, Store};

/// A resource collection: where it lives, what a client may write, who owns it.
pub(crate) struct Kind {
    pub collection: &'static str,
    /// Used in "<entity> with ID <id> not found".
    pub entity: &'static str,
    /// Body fields stored on create and update; everything else is ignored.
    pub fields: &'static [&'static str],
    /// Body fields that must be present (and not blank) on create.
    pub required: &'static [&'static str],
    pub parent: Option<Parent>,
}

pub(crate) struct Parent {
    /// Query parameter naming the parent.
    pub param: &'static str,
    pub collection: &'static str,
    /// Field of the child that holds the parent id.
    pub key: &'static str,
    /// Key used in the "Entity does not exist" error details.
    pub detail: &'static str,
    /// `networkItemType` of the child, when the API shows one.
    pub item_type: Option<&'static str>,
}

const fn network_child() -> Parent {
    Parent {
        param: "networkId",
        collection: "networks",
        key: "networkItemId",
        detail: "network",
        item_type: Some("NETWORK"),
    }
}

const fn host_child() -> Parent {
    Parent {
        param: "hostId",
        collection: "hosts",
        key: "networkItemId",
        detail: "host",
        item_type: Some("HOST"),
    }
}

const CONNECTOR_FIELDS: &[&str] = &["name", "description", "vpnRegionId", "ipSecConfig"];
const APPLICATION_FIELDS: &[&str] = &["name", "description", "routes", "config"];

pub(crate) static NETWORKS: Kind = Kind {
    collection: "networks",
    entity: "Network",
    fields: &[
        "name",
        "description",
        "egress",
        "internetAccess",
        "tunnelingProtocol",
        "gatewaysIds",
    ],
    required: &["name"],
    parent: None,
};
pub(crate) static NETWORK_ROUTES: Kind = Kind {
    collection: "network_routes",
    entity: "Route",
    fields: &["description"],
    required: &["value"],
    parent: Some(network_child()),
};
pub(crate) static NETWORK_CONNECTORS: Kind = Kind {
    collection: "network_connectors",
    entity: "Connector",
    fields: CONNECTOR_FIELDS,
    required: &[],
    parent: Some(network_child()),
};
pub(crate) static NETWORK_IP_SERVICES: Kind = Kind {
    collection: "network_ip_services",
    entity: "IP service",
    fields: &["name", "description", "routes", "config", "type"],
    required: &[],
    parent: Some(network_child()),
};
pub(crate) static NETWORK_APPLICATIONS: Kind = Kind {
    collection: "network_applications",
    entity: "Application",
    fields: APPLICATION_FIELDS,
    required: &[],
    parent: Some(network_child()),
};
pub(crate) static HOSTS: Kind = Kind {
    collection: "hosts",
    entity: "Host",
    fields: &[
        "name",
        "description",
        "domain",
        "internetAccess",
        "gatewaysIds",
    ],
    required: &["name"],
    parent: None,
};
pub(crate) static HOST_CONNECTORS: Kind = Kind {
    collection: "host_connectors",
    entity: "Connector",
    fields: &["name", "description", "vpnRegionId"],
    required: &[],
    parent: Some(host_child()),
};
pub(crate) static HOST_IP_SERVICES: Kind = Kind {
    collection: "host_ip_services",
    entity: "IP service",
    fields: &["name", "description", "config", "type"],
    required: &[],
    parent: Some(host_child()),
};
pub(crate) static HOST_APPLICATIONS: Kind = Kind {
    collection: "host_applications",
    entity: "Application",
    fields: APPLICATION_FIELDS,
    required: &[],
    parent: Some(host_child()),
};
pub(crate) static USERS: Kind = Kind {
    collection: "users",
    entity: "User",
    fields: &[
        "firstName",
        "lastName",
        "username",
        "email",
        "groupId",
        "secondaryGroupIds",
        "role",
    ],
    required: &[],
    parent: None,
};
pub(crate) static USER_GROUPS: Kind = Kind {
    collection: "user_groups",
    entity: "User group",
    fields: &[
        "name",
        "vpnRegionIds",
        "internetAccess",
        "maxDevice",
        "connectAuth",
        "allRegionsIncluded",
        "gatewaysIds",
        "tunnelBypass",
    ],
    required: &["name"],
    parent: None,
};
pub(crate) static DEVICES: Kind = Kind {
    collection: "devices",
    entity: "Device",
    fields: &["name", "description", "clientUUID"],
    required: &[],
    parent: Some(Parent {
        param: "userId",
        collection: "users",
        key: "userId",
        detail: "user",
        item_type: None,
    }),
};
pub(crate) static DEVICE_POSTURES: Kind = Kind {
    collection: "device_postures",
    entity: "Device posture",
    fields: &[
        "name",
        "description",
        "userGroupsIds",
        "windows",
        "macos",
        "linux",
        "android",
        "ios",
    ],
    required: &[],
    parent: None,
};
pub(crate) static DNS_RECORDS: Kind = Kind {
    collection: "dns_records",
    entity: "DNS record",
    fields: &["domain", "description", "ipv4Addresses", "ipv6Addresses"],
    required: &[],
    parent: None,
};
pub(crate) static LOCATION_CONTEXTS: Kind = Kind {
    collection: "location_contexts",
    entity: "Location context",
    fields: &[
        "name",
        "description",
        "userGroupsIds",
        "ipCheck",
        "countryCheck",
        "defaultCheck",
    ],
    required: &[],
    parent: None,
};
pub(crate) static ACCESS_GROUPS: Kind = Kind {
    collection: "access_groups",
    entity: "Access group",
    fields: &["name", "description", "source", "destination"],
    required: &[],
    parent: None,
};

static KINDS: &[&Kind] = &[
    &NETWORKS,
    &NETWORK_ROUTES,
    &NETWORK_CONNECTORS,
    &NETWORK_IP_SERVICES,
    &NETWORK_APPLICATIONS,
    &HOSTS,
    &HOST_CONNECTORS,
    &HOST_IP_SERVICES,
    &HOST_APPLICATIONS,
    &USERS,
    &USER_GROUPS,
    &DEVICES,
    &DEVICE_POSTURES,
    &DNS_RECORDS,
    &LOCATION_CONTEXTS,
    &ACCESS_GROUPS,
];

fn top_level(segment: &str) -> Option<&'static Kind> {
    Some(match segment {
        "networks" => &NETWORKS,
        "hosts" => &HOSTS,
        "users" => &USERS,
        "user-groups" => &USER_GROUPS,
        "devices" => &DEVICES,
        "device-postures" => &DEVICE_POSTURES,
        "dns-records" => &DNS_RECORDS,
        "location-contexts" => &LOCATION_CONTEXTS,
        "access-groups" => &ACCESS_GROUPS,
        _ => return None,
    })
}

fn child(parent: &str, segment: &str) -> Option<&'static Kind> {
    Some(match (parent, segment) {
        ("networks", "routes") => &NETWORK_ROUTES,
        ("networks", "connectors") => &NETWORK_CONNECTORS,
        ("networks", "ip-services") => &NETWORK_IP_SERVICES,
        ("networks", "applications") => &NETWORK_APPLICATIONS,
        ("hosts", "connectors") => &HOST_CONNECTORS,
        ("hosts", "ip-services") => &HOST_IP_SERVICES,
        ("hosts", "applications") => &HOST_APPLICATIONS,
        _ => return None,
    })
}

/// What a path names, before the method is considered.
enum Endpoint {
    Collection(&'static Kind),
    Item(&'static Kind, String),
    ConnectorProfile(&'static Kind, String),
    ConnectorProfileToken(&'static Kind, String),
    Ipsec(String, &'static str),
    ConnectorStatus(&'static Kind, String, &'static str),
    UserStatus(String, &'static str),
    DeviceProfile(String),
    Regions,
    CyberShield { allow: bool, add: bool },
    Sessions,
    AuditLog,
    FlagGet(Flag),
    FlagSet(Flag, bool),
    Setting(String),
}

#[derive(Clone, Copy)]
enum Flag {
    DnsLog,
    AccessVisibility,
}

impl Endpoint {
    fn methods(&self) -> &'static [&'static str] {
        match self {
            Endpoint::Collection(_) => &["GET", "POST"],
            Endpoint::Item(..) => &["GET", "PUT", "DELETE"],
            Endpoint::ConnectorProfile(..)
            | Endpoint::ConnectorProfileToken(..)
            | Endpoint::Ipsec(..)
            | Endpoint::CyberShield { .. } => &["POST"],
            Endpoint::ConnectorStatus(..) | Endpoint::UserStatus(..) | Endpoint::FlagSet(..) => {
                &["PUT"]
            }
            Endpoint::DeviceProfile(_) => &["POST", "DELETE"],
            Endpoint::Regions | Endpoint::Sessions | Endpoint::AuditLog | Endpoint::FlagGet(_) => {
                &["GET"]
            }
            Endpoint::Setting(_) => &["GET", "PUT"],
        }
    }
}

fn resolve(segments: &[String]) -> Option<Endpoint> {
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    let id = |i: usize| s[i].to_string();
    Some(match s.as_slice() {
        ["regions"] => Endpoint::Regions,
        ["sessions"] => Endpoint::Sessions,
        ["audit-log"] => Endpoint::AuditLog,
        ["cybershield", action] => {
            let (allow, add) = match *action {
                "allow-list-add-domains" => (true, true),
                "allow-list-remove-domains" => (true, false),
                "block-list-add-domains" => (false, true),
                "block-list-remove-domains" => (false, false),
                _ => return None,
            };
            Endpoint::CyberShield { allow, add }
        }
        ["dns-log", "user-dns-resolutions", action] => flag(Flag::DnsLog, action)?,
        ["access-visibility", action] => flag(Flag::AccessVisibility, action)?,
        ["settings", rest @ ..] if !rest.is_empty() => Endpoint::Setting(rest.join("/")),
        [parent, sub] if child(parent, sub).is_some() => Endpoint::Collection(child(parent, sub)?),
        [parent, sub, _] if child(parent, sub).is_some() => {
            Endpoint::Item(child(parent, sub)?, id(2))
        }
        [parent, "connectors", _, rest @ ..] => {
            let kind = child(parent, "connectors")?;
            match rest {
                ["profile"] => Endpoint::ConnectorProfile(kind, id(2)),
                ["profile", "encrypt"] => Endpoint::ConnectorProfileToken(kind, id(2)),
                ["activate"] => Endpoint::ConnectorStatus(kind, id(2), "ACTIVE"),
                ["suspend"] => Endpoint::ConnectorStatus(kind, id(2), "SUSPENDED"),
                ["ipsec", "start"] if *parent == "networks" => Endpoint::Ipsec(id(2), "ACTIVE"),
                ["ipsec", "stop"] if *parent == "networks" => Endpoint::Ipsec(id(2), "STOPPED"),
                _ => return None,
            }
        }
        [top] => Endpoint::Collection(top_level(top)?),
        [top, _] => Endpoint::Item(top_level(top)?, id(1)),
        ["users", _, "suspend"] => Endpoint::UserStatus(id(1), "SUSPENDED"),
        ["users", _, "activate"] => Endpoint::UserStatus(id(1), "ACTIVE"),
        ["devices", _, "profile"] => Endpoint::DeviceProfile(id(1)),
        _ => return None,
    })
}

fn flag(flag: Flag, action: &str) -> Option<Endpoint> {
    Some(match action {
        "enabled" => Endpoint::FlagGet(flag),
        "enable" => Endpoint::FlagSet(flag, true),
        "disable" => Endpoint::FlagSet(flag, false),
        _ => return None,
    })
}

/// Serves an authenticated `/api/v1/...` call (other than the token endpoint).
pub(crate) fn handle(store: &mut Store, req: &Req, max_page_size: u32) -> Reply {
    let segments = req.segments_after("/api/v1").unwrap_or_default();
    let Some(endpoint) = resolve(&segments) else {
        let message = format!("No endpoint {} {}.", req.method, req.path);
        return Reply::error(404, &message);
    };
    let methods = endpoint.methods();
    if !methods.contains(&req.method.as_str()) {
        let message = format!("Request method '{}' is not supported", req.method);
        return Reply::error(405, &message).with_header("Allow", &methods.join(", "));
    }
    let outcome = match endpoint {
        Endpoint::Collection(kind) if req.method == "GET" => list(store, kind, req, max_page_size),
        Endpoint::Collection(kind) => create(store, kind, req),
        Endpoint::Item(kind, id) => match req.method.as_str() {
            "GET" => get(store, kind, req, &id),
            "PUT" => update(store, kind, req, &id),
            _ => delete(store, kind, req, &id),
        },
        Endpoint::ConnectorProfile(kind, id) => {
            existing(store, kind, &id).map(|c| Reply::text(200, ovpn_profile(&c)))
        }
        Endpoint::ConnectorProfileToken(kind, id) => {
            existing(store, kind, &id).map(|_| Reply::text(200, random_token()))
        }
        Endpoint::Ipsec(id, state) => ipsec(store, &id, state),
        Endpoint::ConnectorStatus(kind, id, status) => set_status(store, kind, &id, status),
        Endpoint::UserStatus(id, status) => set_status(store, &USERS, &id, status),
        Endpoint::DeviceProfile(id) => device_profile(store, req, &id),
        Endpoint::Regions => Ok(Reply::json(200, &Value::Array(store.regions.clone()))),
        Endpoint::CyberShield { allow, add } => cyber_shield(store, req, allow, add),
        Endpoint::Sessions => crate::feeds::sessions(store, req),
        Endpoint::AuditLog => crate::feeds::audit_logs(store, req),
        Endpoint::FlagGet(flag) => {
            let on = match flag {
                Flag::DnsLog => store.dns_log,
                Flag::AccessVisibility => store.access_visibility,
            };
            Ok(Reply::json(200, &Value::Bool(on)))
        }
        Endpoint::FlagSet(flag, on) => {
            match flag {
                Flag::DnsLog => store.dns_log = on,
                Flag::AccessVisibility => store.access_visibility = on,
            }
            Ok(Reply::empty(200))
        }
        Endpoint::Setting(name) => crate::settings::handle(store, req, &name),
    };
    outcome.unwrap_or_else(|error| error)
}

/// Zero-based `page` (default 0) and `size` (default 10, at most `max`).
fn page_params(req: &Req, max: u32) -> Result<(u64, u64), Reply> {
    let number = |name: &str, default: u64| -> Result<u64, Reply> {
        match req.param(name) {
            None => Ok(default),
            Some(text) => text
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=i64::from(i32::MAX)).contains(n))
                .map(|n| n as u64)
                .ok_or_else(|| {
                    let message = format!("Invalid value '{text}' for parameter '{name}'");
                    Reply::error(400, &message)
                }),
        }
    };
    let page = number("page", 0)?;
    let size = number("size", 10)?;
    if size < 1 || size > u64::from(max) {
        let message = format!("Page size must be between 1 and {max}");
        return Err(Reply::error_detail(400, "size", "400", &message, &message));
    }
    Ok((page, size))
}

fn missing_param(name: &str) -> Reply {
    let message = format!("Required request parameter '{name}' is not present");
    Reply::error_detail(400, name, "400", "must not be null", &message)
}

fn no_such_entity(detail: &str) -> Reply {
    let message = "Entity does not exist";
    Reply::error_detail(400, detail, "9-11-6", message, message)
}

/// The parent id from the query, checked to exist. `Ok(None)` when absent.
fn parent_param(store: &Store, kind: &Kind, req: &Req) -> Result<Option<String>, Reply> {
    let Some(parent) = &kind.parent else {
        return Ok(None);
    };
    match req.param(parent.param) {
        None => Ok(None),
        Some(id) if store.col(parent.collection).get(id).is_some() => Ok(Some(id.to_string())),
        Some(_) => Err(no_such_entity(parent.detail)),
    }
}

fn required_parent(store: &Store, kind: &Kind, req: &Req) -> Result<Option<String>, Reply> {
    match (&kind.parent, parent_param(store, kind, req)?) {
        (Some(parent), None) => Err(missing_param(parent.param)),
        (_, found) => Ok(found),
    }
}

fn not_found(kind: &Kind, id: &str) -> Reply {
    let message = format!("{} with ID {} not found", kind.entity, id);
    // The real API answers a missing DNS record with 400, not 404.
    let status = if kind.collection == "dns_records" {
        400
    } else {
        404
    };
    Reply::error(status, &message)
}

/// A copy of the stored object, so that the caller may go on to change the store.
fn existing(store: &Store, kind: &Kind, id: &str) -> Result<Object, Reply> {
    let object = store
        .col(kind.collection)
        .get(id)
        .ok_or_else(|| not_found(kind, id))?;
    Ok(object.clone())
}

/// Devices are only reachable through their user: `userId` is required and must
/// be the device's owner.
fn owned_device(store: &Store, req: &Req, id: &str) -> Result<Object, Reply> {
    let user = required_parent(store, &DEVICES, req)?.unwrap_or_default();
    let device = existing(store, &DEVICES, id)?;
    if device.get("userId").and_then(Value::as_str) != Some(user.as_str()) {
        return Err(not_found(&DEVICES, id));
    }
    Ok(device)
}

fn list(store: &Store, kind: &Kind, req: &Req, max: u32) -> Outcome {
    let (page_index, size) = page_params(req, max)?;
    let filter = parent_param(store, kind, req)?;
    let key = kind.parent.as_ref().map(|p| p.key).unwrap_or("");
    let keep = |o: &&Object| {
        filter
            .as_deref()
            .is_none_or(|pid| o.get(key).and_then(Value::as_str) == Some(pid))
    };
    let col = store.col(kind.collection);
    let render = |o: &Object| view(store, kind.collection, o);
    let start = page_index.saturating_mul(size).min(usize::MAX as u64) as usize;
    let body = if filter.is_none() {
        let items = col.slice(start, size as usize);
        page(items, col.len(), page_index, size, render)
    } else {
        let total = col.iter().filter(keep).count();
        page(
            col.iter().filter(keep).skip(start),
            total,
            page_index,
            size,
            render,
        )
    };
    Ok(Reply::json(200, &body))
}

fn get(store: &Store, kind: &Kind, req: &Req, id: &str) -> Outcome {
    let object = if kind.collection == "devices" {
        owned_device(store, req, id)?
    } else {
        existing(store, kind, id)?
    };
    Ok(Reply::json(200, &view(store, kind.collection, &object)))
}

fn create(store: &mut Store, kind: &Kind, req: &Req) -> Outcome {
    let parent = required_parent(store, kind, req)?;
    let body = json_object(req)?;
    for field in kind.required {
        let blank = match body.get(*field) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.trim().is_empty(),
            Some(_) => false,
        };
        if blank {
            let message = format!("Field '{field}' must not be blank");
            return Err(Reply::error_detail(
                400,
                field,
                "400",
                "must not be blank",
                &message,
            ));
        }
    }
    let id = insert_new(store, kind, &body, parent.as_deref());
    let object = existing(store, kind, &id)?;
    Ok(Reply::json(201, &view(store, kind.collection, &object)))
}

fn update(store: &mut Store, kind: &Kind, req: &Req, id: &str) -> Outcome {
    if kind.collection == "devices" {
        owned_device(store, req, id)?;
    }
    let body = json_object(req)?;
    let object = store
        .col_mut(kind.collection)
        .get_mut(id)
        .ok_or_else(|| not_found(kind, id))?;
    fill(kind, object, &body, false);
    let object = object.clone();
    Ok(Reply::json(200, &view(store, kind.collection, &object)))
}

fn delete(store: &mut Store, kind: &Kind, req: &Req, id: &str) -> Outcome {
    if kind.collection == "devices" {
        owned_device(store, req, id)?;
    }
    existing(store, kind, id)?;
    remove_cascade(store, kind, id);
    Ok(Reply::empty(204))
}

fn remove_cascade(store: &mut Store, kind: &Kind, id: &str) {
    store.col_mut(kind.collection).remove(id);
    for child in KINDS {
        let Some(parent) = &child.parent else {
            continue;
        };
        if parent.collection != kind.collection {
            continue;
        }
        for child_id in store.col(child.collection).ids_where(parent.key, id) {
            remove_cascade(store, child, &child_id);
        }
    }
}

fn set_status(store: &mut Store, kind: &Kind, id: &str, status: &str) -> Outcome {
    let object = store
        .col_mut(kind.collection)
        .get_mut(id)
        .ok_or_else(|| not_found(kind, id))?;
    object.insert("status".into(), status.into());
    Ok(Reply::empty(200))
}

fn ipsec(store: &mut Store, id: &str, state: &str) -> Outcome {
    let connector = store
        .col_mut("network_connectors")
        .get_mut(id)
        .ok_or_else(|| not_found(&NETWORK_CONNECTORS, id))?;
    if let Some(Value::Object(config)) = connector.get_mut("ipSecConfig") {
        config.insert("connectorState".into(), state.into());
    }
    Ok(Reply::empty(200))
}

fn device_profile(store: &mut Store, req: &Req, id: &str) -> Outcome {
    let device = owned_device(store, req, id)?;
    if req.method == "DELETE" {
        return Ok(Reply::empty(204));
    }
    let mut profile = ovpn_profile(&device);
    if let Some(region) = req.param("regionId") {
        profile.push_str(&format!("# region {region}\n"));
    }
    Ok(Reply::text(200, profile))
}

fn cyber_shield(store: &mut Store, req: &Req, allow: bool, add: bool) -> Outcome {
    let body = json_object(req)?;
    let list = if allow {
        &mut store.allow_list
    } else {
        &mut store.block_list
    };
    let domain_of = |v: &Value| v.get("domain").and_then(Value::as_str).map(str::to_string);
    if add {
        let entries = body
            .get("domainAndComments")
            .and_then(Value::as_array)
            .ok_or_else(|| missing_field("domainAndComments"))?;
        let mut fresh = Vec::new();
        for entry in entries {
            let domain = domain_of(entry)
                .filter(|d| !d.trim().is_empty())
                .ok_or_else(|| missing_field("domain"))?;
            let comment = entry.get("comment").and_then(Value::as_str).unwrap_or("");
            if domain.len() + comment.len() > 150 {
                let message = "Domain and comment together must not exceed 150 characters";
                return Err(Reply::error_detail(400, "domain", "400", message, message));
            }
            fresh.push(json!({"domain": domain, "comment": comment}));
        }
        // The last duplicate wins, as documented.
        for entry in fresh {
            list.retain(|e| domain_of(e) != domain_of(&entry));
            list.push(entry);
        }
        if list.len() > 1000 {
            let message = "A list holds at most 1000 domains";
            return Err(Reply::error_detail(400, "domains", "400", message, message));
        }
    } else {
        let domains: Vec<String> = body
            .get("domains")
            .and_then(Value::as_array)
            .ok_or_else(|| missing_field("domains"))?
            .iter()
            .filter_map(|d| d.as_str().map(str::to_string))
            .collect();
        list.retain(|e| domain_of(e).is_none_or(|d| !domains.contains(&d)));
    }
    Ok(Reply::empty(200))
}

fn missing_field(name: &str) -> Reply {
    let message = format!("Field '{name}' must not be null");
    Reply::error_detail(400, name, "400", "must not be null", &message)
}

/// Creates an object (and the children a network, host or user body carries) and
/// returns its id. Also used for seeding.
pub(crate) fn insert_new(
    store: &mut Store,
    kind: &Kind,
    body: &Object,
    parent: Option<&str>,
) -> String {
    let id = new_id();
    let mut object = Object::new();
    object.insert("id".into(), id.clone().into());
    if let (Some(p), Some(pid)) = (&kind.parent, parent) {
        object.insert(p.key.into(), pid.into());
        if let Some(item_type) = p.item_type {
            object.insert("networkItemType".into(), item_type.into());
        }
    }
    fill(kind, &mut object, body, true);
    add_server_fields(kind, &mut object);
    store.col_mut(kind.collection).insert(object);
    let children: &[(&str, &Kind)] = match kind.collection {
        "networks" => &[
            ("routes", &NETWORK_ROUTES),
            ("connectors", &NETWORK_CONNECTORS),
        ],
        "hosts" => &[("connectors", &HOST_CONNECTORS)],
        "users" => &[("devices", &DEVICES)],
        _ => &[],
    };
    for (field, child_kind) in children {
        let items = body.get(*field).and_then(Value::as_array).cloned();
        for item in items.unwrap_or_default() {
            if let Value::Object(child_body) = item {
                insert_new(store, child_kind, &child_body, Some(&id));
            }
        }
    }
    id
}

/// Copies the writable fields of `body`; on create, absent ones get defaults.
fn fill(kind: &Kind, object: &mut Object, body: &Object, creating: bool) {
    for field in kind.fields {
        match body.get(*field) {
            Some(value) => {
                object.insert(field.to_string(), value.clone());
            }
            None if creating => {
                object.insert(field.to_string(), default_for(kind, field));
            }
            None => {}
        }
    }
    match kind.collection {
        "network_routes" => {
            if let Some(value) = body.get("value") {
                object.insert("type".into(), route_type(value).into());
                object.insert("subnet".into(), value.clone());
            }
        }
        "network_ip_services" => normalize_routes(object, |route| {
            let value = route.get("value").cloned().unwrap_or(Value::Null);
            json!({
                "id": new_id(),
                "parentRouteId": null,
                "type": route_type(&value),
                "subnet": value,
            })
        }),
        "network_applications" | "host_applications" => normalize_routes(object, |route| {
            json!({
                "id": new_id(),
                "type": "DOMAIN",
                "domain": route.get("value").cloned().unwrap_or(Value::Null),
                "allowEmbeddedIp": route.get("allowEmbeddedIp").cloned().unwrap_or(false.into()),
                "exactMatch": route.get("exactMatch").cloned().unwrap_or(false.into()),
            })
        }),
        "network_connectors" => {
            // The documented OpenVPN connector example carries `"ipSecConfig": {}`.
            let ipsec =
                matches!(object.get("ipSecConfig"), Some(Value::Object(c)) if !c.is_empty());
            let protocol = if ipsec { "IPSEC" } else { "OPENVPN" };
            object.insert("tunnelingProtocol".into(), protocol.into());
        }
        _ => {}
    }
}

/// Request routes (`{value, ...}`) become response routes; ones that already look
/// like response routes (a re-sent GET body) are kept.
fn normalize_routes(object: &mut Object, convert: impl Fn(&Object) -> Value) {
    if let Some(Value::Array(routes)) = object.get_mut("routes") {
        for route in routes.iter_mut() {
            if let Value::Object(map) = route {
                if map.contains_key("value") {
                    *route = convert(map);
                }
            }
        }
    }
}

fn route_type(value: &Value) -> &'static str {
    if value.as_str().is_some_and(|v| v.contains(':')) {
        "IP_V6"
    } else {
        "IP_V4"
    }
}

fn default_for(kind: &Kind, field: &str) -> Value {
    match field {
        "routes" | "source" | "destination" | "gatewaysIds" | "secondaryGroupIds"
        | "vpnRegionIds" | "userGroupsIds" | "ipv4Addresses" | "ipv6Addresses" => json!([]),
        "egress" | "allRegionsIncluded" => false.into(),
        "internetAccess" => "SPLIT_TUNNEL_ON".into(),
        "tunnelingProtocol" => "OPENVPN".into(),
        "role" => "MEMBER".into(),
        "connectAuth" => "NO_AUTH".into(),
        "type" if kind.collection == "network_ip_services" => "IP_SOURCE".into(),
        "type" => "SERVICE_DESTINATION".into(),
        _ => Value::Null,
    }
}

/// Fields only the server sets, given once at creation.
fn add_server_fields(kind: &Kind, object: &mut Object) {
    let mut set = |key: &str, value: Value| {
        object.insert(key.to_string(), value);
    };
    match kind.collection {
        "networks" | "hosts" | "user_groups" => set("systemSubnets", system_subnets()),
        "network_connectors" | "host_connectors" => {
            set("ipV4Address", ipv4().into());
            set("ipV6Address", ipv6().into());
            set("connectionStatus", "OFFLINE".into());
            set("licensed", true.into());
            set("status", "ACTIVE".into());
        }
        "users" => {
            // New local users wait for their invitation to be accepted.
            set("status", "INVITED".into());
            set("authType", "INTERNAL".into());
            set("connectionStatus", "OFFLINE".into());
            set("licensed", true.into());
        }
        "devices" => {
            set("ipV4Address", ipv4().into());
            set("ipV6Address", ipv6().into());
            set(
                "platform",
                json!({"os": null, "version": null, "clientVersion": null}),
            );
            set("connectionStatus", "OFFLINE".into());
        }
        "access_groups" => set("defaultGroup", false.into()),
        _ => {}
    }
}

fn system_subnets() -> Value {
    json!([
        format!("100.{}.{}.0/24", fastrand::u8(64..=127), fastrand::u8(..)),
        format!("fd00:{:x}:{:x}::/64", fastrand::u16(..), fastrand::u16(..)),
    ])
}

fn ipv4() -> String {
    format!("100.96.{}.{}", fastrand::u8(..), fastrand::u8(1..=254))
}

fn ipv6() -> String {
    format!("fd00:a516:7c1b:17cd::{:x}", fastrand::u16(1..))
}

fn random_token() -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(48)
        .collect()
}

/// A plausible client profile; its contents only need to look like one.
fn ovpn_profile(owner: &Object) -> String {
    let id = owner.get("id").and_then(Value::as_str).unwrap_or_default();
    let region = owner
        .get("vpnRegionId")
        .and_then(Value::as_str)
        .unwrap_or("us-east-1");
    format!(
        "# CloudConnexa emulator profile for {id}\nclient\ndev tun\nproto udp\n\
         remote {region}.emulator.invalid 1194\nnobind\npersist-key\npersist-tun\n\
         remote-cert-tls server\nverb 3\n<ca>\nEMULATOR-CA\n</ca>\n"
    )
}

/// An object as the API shows it: networks, hosts and users include their current
/// children, and routes omit the parent id they are stored with.
pub(crate) fn view(store: &Store, collection: &str, object: &Object) -> Value {
    let mut shown = object.clone();
    let id = object.get("id").and_then(Value::as_str).unwrap_or_default();
    let children = |collection: &str, key: &str| -> Value {
        let col = store.col(collection);
        let items = col
            .iter()
            .filter(|o| o.get(key).and_then(Value::as_str) == Some(id))
            .map(|o| view(store, collection, o));
        Value::Array(items.collect())
    };
    match collection {
        "networks" => {
            shown.insert("routes".into(), children("network_routes", "networkItemId"));
            shown.insert(
                "connectors".into(),
                children("network_connectors", "networkItemId"),
            );
        }
        "hosts" => {
            shown.insert(
                "connectors".into(),
                children("host_connectors", "networkItemId"),
            );
        }
        "users" => {
            shown.insert("devices".into(), children("devices", "userId"));
        }
        "network_routes" => {
            let field = |key: &str| object.get(key).cloned().unwrap_or(Value::Null);
            return json!({
                "id": field("id"),
                "type": field("type"),
                "subnet": field("subnet"),
                "description": field("description"),
            });
        }
        _ => {}
    }
    Value::Object(shown)
}

/// What `state_json` shows: the API view, except that routes keep their parent.
pub(crate) fn state_view(store: &Store, collection: &str, object: &Object) -> Value {
    if collection == "network_routes" {
        return Value::Object(object.clone());
    }
    view(store, collection, object)
}
