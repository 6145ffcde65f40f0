//! `GET`/`PUT /api/v1/settings/{name}`, with each value on the wire in the form the
//! real API uses: bare JSON booleans and integers, raw text for strings, JSON for
//! objects and lists.

use serde_json::{json, Value};

use crate::http::{Outcome, Reply, Req};
use crate::store::{Object, Store};

#[derive(Clone, Copy)]
enum Shape {
    Bool,
    Int,
    /// Raw text; `Some` lists the accepted values.
    Text(Option<&'static [&'static str]>),
    Object,
    List,
    /// `{"zones": [...]}`; a bare array is refused, as the real API does.
    Zones,
}

struct Setting {
    name: &'static str,
    shape: Shape,
    default: fn() -> Value,
}

const CONNECT_AUTH: &[&str] = &["NO_AUTH", "ON_PRIOR_AUTH", "EVERY_TIME"];
const ENFORCEMENT: &[&str] = &["OFF", "LEARN_AND_ENFORCE", "ENFORCE"];
const DISTRIBUTION: &[&str] = &["AUTOMATIC", "MANUAL"];
const TOPOLOGY: &[&str] = &["FULL_MESH", "CUSTOM"];
const ALLOCATION: &[&str] = &["BOTH", "IP_V4_ONLY"];

static SETTINGS: &[Setting] = &[
    Setting {
        name: "auth/ldap/group-mappings",
        shape: Shape::List,
        default: || json!([]),
    },
    Setting {
        name: "auth/saml/group-mappings",
        shape: Shape::List,
        default: || json!([]),
    },
    Setting {
        name: "auth/trusted-devices-allowed",
        shape: Shape::Bool,
        default: || json!(false),
    },
    Setting {
        name: "auth/two-factor-auth",
        shape: Shape::Bool,
        default: || json!(false),
    },
    Setting {
        name: "dns/custom-servers",
        shape: Shape::Object,
        default: || json!({"primaryIpV4": "", "secondaryIpV4": ""}),
    },
    Setting {
        name: "dns/default-suffix",
        shape: Shape::Text(None),
        default: || json!(""),
    },
    Setting {
        name: "dns/proxy-enabled",
        shape: Shape::Bool,
        default: || json!(true),
    },
    Setting {
        name: "dns/zones",
        shape: Shape::Zones,
        default: || json!({"zones": []}),
    },
    Setting {
        name: "user/connect-auth",
        shape: Shape::Text(Some(CONNECT_AUTH)),
        default: || json!("NO_AUTH"),
    },
    Setting {
        name: "user/device-allowance",
        shape: Shape::Int,
        default: || json!(3),
    },
    Setting {
        name: "user/device-allowance-force-update",
        shape: Shape::Bool,
        default: || json!(false),
    },
    Setting {
        name: "user/device-enforcement",
        shape: Shape::Text(Some(ENFORCEMENT)),
        default: || json!("OFF"),
    },
    Setting {
        name: "user/profile-distribution",
        shape: Shape::Text(Some(DISTRIBUTION)),
        default: || json!("AUTOMATIC"),
    },
    Setting {
        name: "users/connection-timeout",
        shape: Shape::Int,
        default: || json!(30),
    },
    Setting {
        name: "wpc/client-options",
        shape: Shape::List,
        default: || json!([]),
    },
    Setting {
        name: "wpc/default-region",
        shape: Shape::Text(None),
        default: || json!("us-east-1"),
    },
    Setting {
        name: "wpc/domain-routing-subnet",
        shape: Shape::Object,
        default: || json!({"ipV4Address": "100.80.0.0/12", "ipV6Address": "fd:0:0:4000::/52"}),
    },
    Setting {
        name: "wpc/snat",
        shape: Shape::Bool,
        default: || json!(true),
    },
    Setting {
        name: "wpc/subnet",
        shape: Shape::Object,
        default: || json!({"ipV4Address": ["100.96.0.0/11"], "ipV6Address": ["fd:0:0:8000::/49"]}),
    },
    Setting {
        name: "wpc/topology",
        shape: Shape::Text(Some(TOPOLOGY)),
        default: || json!("FULL_MESH"),
    },
    Setting {
        name: "wpc/routes-advanced-configuration-enabled",
        shape: Shape::Bool,
        default: || json!(false),
    },
    Setting {
        name: "wpc/ip-allocation-mode",
        shape: Shape::Text(Some(ALLOCATION)),
        default: || json!("BOTH"),
    },
];

pub(crate) fn defaults() -> Object {
    SETTINGS
        .iter()
        .map(|s| (s.name.to_string(), (s.default)()))
        .collect()
}

pub(crate) fn handle(store: &mut Store, req: &Req, name: &str) -> Outcome {
    let Some(setting) = SETTINGS.iter().find(|s| s.name == name) else {
        return Err(Reply::error(404, &format!("Setting '{name}' not found")));
    };
    if req.method == "PUT" {
        let value = parse(setting.shape, req)?;
        store.settings.insert(name.to_string(), value);
    }
    let value = store.settings.get(name).cloned().unwrap_or(Value::Null);
    Ok(render(setting.shape, &value))
}

fn render(shape: Shape, value: &Value) -> Reply {
    match (shape, value) {
        (Shape::Text(_), Value::String(text)) => Reply::text(200, text.clone()),
        _ => Reply::json(200, value),
    }
}

fn parse(shape: Shape, req: &Req) -> Result<Value, Reply> {
    let text = String::from_utf8(req.body.clone()).map_err(|_| Reply::not_readable())?;
    let json = || serde_json::from_str::<Value>(&text).map_err(|_| Reply::not_readable());
    let value = match shape {
        Shape::Bool => Value::Bool(json()?.as_bool().ok_or_else(Reply::not_readable)?),
        Shape::Int => Value::from(json()?.as_i64().ok_or_else(Reply::not_readable)?),
        Shape::Text(allowed) => {
            // A JSON client may quote the value; the wire form is raw text.
            let raw = match (req.is_json(), serde_json::from_str::<Value>(&text)) {
                (true, Ok(Value::String(inner))) => inner,
                _ => text.trim().to_string(),
            };
            if let Some(allowed) = allowed {
                if !allowed.contains(&raw.as_str()) {
                    let message = format!(
                        "Invalid value '{}'; expected one of {}",
                        raw,
                        allowed.join(", ")
                    );
                    return Err(Reply::error_detail(400, "value", "400", &message, &message));
                }
            }
            Value::String(raw)
        }
        Shape::Object => match json()? {
            value @ Value::Object(_) => value,
            _ => return Err(Reply::not_readable()),
        },
        Shape::List => match json()? {
            value @ Value::Array(_) => value,
            _ => return Err(Reply::not_readable()),
        },
        Shape::Zones => match json()? {
            Value::Object(map) if map.get("zones").is_some_and(Value::is_array) => {
                json!({"zones": map["zones"]})
            }
            _ => return Err(Reply::not_readable()),
        },
    };
    Ok(value)
}
