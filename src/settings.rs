//! The tenant settings under `/api/v1/settings/`, each with the wire format
//! the API expects for its value.

use serde_json::Value;

use crate::client::Body;
use crate::config::ApiVersion;
use crate::error::{Error, Result};

/// How a setting's value goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A bare JSON `true` or `false`.
    Bool,
    /// A bare JSON integer.
    Integer,
    /// Raw text sent as `text/plain`; the allowed values when the API
    /// has a fixed set.
    Text(&'static [&'static str]),
    /// A JSON object.
    Object,
    /// `{"zones":[...]}`; a bare array is wrapped, since the API rejects it.
    Zones,
    /// A JSON array of strings.
    StringArray,
    /// JSON whose shape is not documented; passed as given.
    Json,
}

#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub name: &'static str,
    pub kind: Kind,
    pub since: ApiVersion,
}

const fn setting(name: &'static str, kind: Kind, since: ApiVersion) -> Setting {
    Setting { name, kind, since }
}

use ApiVersion::{V1_0, V1_2_3};

pub static SETTINGS: &[Setting] = &[
    setting("auth/ldap/group-mappings", Kind::Json, V1_0),
    setting("auth/saml/group-mappings", Kind::Json, V1_0),
    setting("auth/trusted-devices-allowed", Kind::Bool, V1_0),
    setting("auth/two-factor-auth", Kind::Bool, V1_0),
    setting("dns/custom-servers", Kind::Object, V1_0),
    setting("dns/default-suffix", Kind::Text(&[]), V1_0),
    setting("dns/proxy-enabled", Kind::Bool, V1_0),
    setting("dns/zones", Kind::Zones, V1_0),
    setting(
        "user/connect-auth",
        Kind::Text(&["NO_AUTH", "ON_PRIOR_AUTH", "EVERY_TIME"]),
        V1_0,
    ),
    setting("user/device-allowance", Kind::Integer, V1_0),
    setting("user/device-allowance-force-update", Kind::Bool, V1_0),
    setting(
        "user/device-enforcement",
        Kind::Text(&["OFF", "LEARN_AND_ENFORCE", "ENFORCE"]),
        V1_0,
    ),
    setting(
        "user/profile-distribution",
        Kind::Text(&["AUTOMATIC", "MANUAL"]),
        V1_0,
    ),
    setting("users/connection-timeout", Kind::Integer, V1_0),
    setting("wpc/client-options", Kind::StringArray, V1_0),
    setting("wpc/default-region", Kind::Text(&[]), V1_0),
    setting("wpc/domain-routing-subnet", Kind::Object, V1_0),
    setting("wpc/snat", Kind::Bool, V1_0),
    setting("wpc/subnet", Kind::Object, V1_0),
    setting("wpc/topology", Kind::Text(&["FULL_MESH", "CUSTOM"]), V1_0),
    setting(
        "wpc/routes-advanced-configuration-enabled",
        Kind::Bool,
        V1_2_3,
    ),
    setting(
        "wpc/ip-allocation-mode",
        Kind::Text(&["BOTH", "IP_V4_ONLY"]),
        V1_2_3,
    ),
];

pub fn find(name: &str) -> Result<&'static Setting> {
    SETTINGS.iter().find(|s| s.name == name).ok_or_else(|| {
        Error::invalid_argument(format!(
            "unknown setting {name:?}: use one of the names listed for \
             ccx_settings_get, such as \"wpc/topology\" or \"dns/zones\""
        ))
    })
}

/// A value ready to send: the bytes and their content type.
pub enum Encoded {
    Json(Vec<u8>),
    Text(Vec<u8>),
}

impl Encoded {
    pub fn body(&self) -> Body<'_> {
        match self {
            Encoded::Json(bytes) => Body::Json(bytes),
            Encoded::Text(bytes) => Body::Text(bytes),
        }
    }
}

/// Checks `value_json` against the setting's kind and encodes it.
pub fn encode(setting: &Setting, value_json: &str) -> Result<Encoded> {
    let name = setting.name;
    let value: Value = serde_json::from_str(value_json).map_err(|e| {
        let hint = match setting.kind {
            Kind::Text(_) => " (a text setting takes a JSON string, with quotes: \"VALUE\")",
            _ => "",
        };
        Error::invalid_argument(format!(
            "value_json for {name} is not valid JSON: {e}{hint}"
        ))
    })?;
    let wrong = |expected: &str| {
        Error::invalid_argument(format!("value_json for {name} must be {expected}"))
    };
    let encoded = match setting.kind {
        Kind::Bool if value.is_boolean() => Encoded::Json(value_json.trim().as_bytes().to_vec()),
        Kind::Bool => return Err(wrong("true or false")),
        Kind::Integer if value.is_i64() || value.is_u64() => {
            Encoded::Json(value_json.trim().as_bytes().to_vec())
        }
        Kind::Integer => return Err(wrong("an integer")),
        Kind::Text(allowed) => {
            let Value::String(text) = &value else {
                return Err(wrong("a JSON string such as \"VALUE\""));
            };
            if !allowed.is_empty() && !allowed.contains(&text.as_str()) {
                return Err(wrong(&format!("one of {}", allowed.join(", "))));
            }
            Encoded::Text(text.as_bytes().to_vec())
        }
        Kind::Object if value.is_object() => Encoded::Json(value_json.as_bytes().to_vec()),
        Kind::Object => return Err(wrong("a JSON object")),
        Kind::Zones => match &value {
            Value::Object(map) if map.get("zones").is_some_and(Value::is_array) => {
                Encoded::Json(value_json.as_bytes().to_vec())
            }
            Value::Array(_) => {
                Encoded::Json(format!("{{\"zones\":{}}}", value_json.trim()).into_bytes())
            }
            _ => return Err(wrong("{\"zones\":[{\"name\":...,\"addresses\":[...]}]}")),
        },
        Kind::StringArray => match &value {
            Value::Array(items) if items.iter().all(Value::is_string) => {
                Encoded::Json(value_json.as_bytes().to_vec())
            }
            _ => return Err(wrong("a JSON array of strings")),
        },
        Kind::Json => Encoded::Json(value_json.as_bytes().to_vec()),
    };
    Ok(encoded)
}

/// Turns a settings reply into JSON: text settings come back as raw text
/// and are returned as a JSON string; an empty reply means no value, except
/// that reading a text setting whose value is "" gives an empty body.
pub fn decode(setting: &Setting, body: &[u8], reading: bool) -> Result<Option<String>> {
    let is_text = matches!(setting.kind, Kind::Text(_));
    if body.iter().all(u8::is_ascii_whitespace) && !(reading && is_text) {
        return Ok(None);
    }
    if is_text {
        let text = String::from_utf8_lossy(body);
        if serde_json::from_str::<String>(&text).is_ok() {
            return Ok(Some(text.into_owned()));
        }
        return Ok(Some(Value::String(text.into_owned()).to_string()));
    }
    match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        Ok(_) => Ok(Some(String::from_utf8_lossy(body).into_owned())),
        Err(_) => Err(Error::new(
            crate::error::ErrorKind::Response,
            format!("setting {}: the reply is not valid JSON", setting.name),
        )
        .with_reply(200, body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(name: &str, value: &str) -> Result<(bool, String)> {
        let setting = find(name)?;
        Ok(match encode(setting, value)? {
            Encoded::Json(bytes) => (true, String::from_utf8(bytes).unwrap()),
            Encoded::Text(bytes) => (false, String::from_utf8(bytes).unwrap()),
        })
    }

    #[test]
    fn each_kind_has_its_wire_format() {
        assert_eq!(
            encoded("wpc/topology", "\"FULL_MESH\"").unwrap(),
            (false, "FULL_MESH".into())
        );
        assert_eq!(encoded("wpc/snat", "true").unwrap(), (true, "true".into()));
        assert_eq!(
            encoded("user/device-allowance", "15").unwrap(),
            (true, "15".into())
        );
        let zones = r#"[{"name":"example.com","addresses":["8.8.8.8"]}]"#;
        assert_eq!(
            encoded("dns/zones", zones).unwrap().1,
            format!("{{\"zones\":{zones}}}")
        );
    }

    #[test]
    fn wrong_values_say_what_is_expected() {
        let message = |name: &str, value: &str| encoded(name, value).unwrap_err().to_string();
        assert!(message("wpc/topology", "FULL_MESH").contains("with quotes"));
        assert!(message("wpc/topology", "\"STAR\"").contains("FULL_MESH, CUSTOM"));
        assert!(message("wpc/snat", "1").contains("true or false"));
        assert!(message("no/such", "1").contains("unknown setting"));
    }
}
