//! In-memory state: one ordered collection per resource kind, plus the singletons
//! (settings, feature flags, Cyber Shield lists, sessions, audit log, regions).

use std::collections::HashMap;

use indexmap::IndexMap;

use serde_json::{json, Map, Value};

pub(crate) type Object = Map<String, Value>;

/// Objects in creation order with lookup by id. Positional access keeps deep
/// pages cheap when a benchmark lists 100,000 users.
#[derive(Default)]
pub(crate) struct Collection {
    items: IndexMap<String, Object>,
}

impl Collection {
    /// Stores an object that already carries its `id`.
    pub fn insert(&mut self, object: Object) {
        let id = object["id"].as_str().unwrap_or_default().to_string();
        self.items.insert(id, object);
    }

    pub fn get(&self, id: &str) -> Option<&Object> {
        self.items.get(id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Object> {
        self.items.get_mut(id)
    }

    pub fn remove(&mut self, id: &str) -> Option<Object> {
        self.items.shift_remove(id)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Object> + Clone {
        self.items.values()
    }

    /// Objects from position `start`, at most `count` of them.
    pub fn slice(&self, start: usize, count: usize) -> impl Iterator<Item = &Object> {
        let start = start.min(self.items.len());
        let end = start.saturating_add(count).min(self.items.len());
        self.items
            .get_range(start..end)
            .into_iter()
            .flat_map(|m| m.values())
    }

    /// Ids of the objects whose `key` field equals `value`.
    pub fn ids_where(&self, key: &str, value: &str) -> Vec<String> {
        self.iter()
            .filter(|o| o.get(key).and_then(Value::as_str) == Some(value))
            .filter_map(|o| o.get("id").and_then(Value::as_str).map(str::to_string))
            .collect()
    }
}

pub(crate) const COLLECTIONS: &[&str] = &[
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
];

pub(crate) struct Store {
    collections: HashMap<&'static str, Collection>,
    pub settings: Object,
    pub dns_log: bool,
    pub access_visibility: bool,
    pub allow_list: Vec<Value>,
    pub block_list: Vec<Value>,
    pub sessions: Vec<Value>,
    pub audit_logs: Vec<Value>,
    pub regions: Vec<Value>,
}

impl Store {
    pub fn new() -> Store {
        Store {
            collections: COLLECTIONS
                .iter()
                .map(|name| (*name, Collection::default()))
                .collect(),
            settings: crate::settings::defaults(),
            dns_log: false,
            access_visibility: false,
            allow_list: Vec::new(),
            block_list: Vec::new(),
            sessions: Vec::new(),
            audit_logs: Vec::new(),
            regions: Vec::new(),
        }
    }

    pub fn col(&self, name: &str) -> &Collection {
        &self.collections[name]
    }

    pub fn col_mut(&mut self, name: &str) -> &mut Collection {
        self.collections.get_mut(name).expect("known collection")
    }

    pub fn state_json(&self, name: &str) -> Value {
        match name {
            "settings" => Value::Object(self.settings.clone()),
            "cyber_shield_allow" => Value::Array(self.allow_list.clone()),
            "cyber_shield_block" => Value::Array(self.block_list.clone()),
            "sessions" => Value::Array(self.sessions.clone()),
            "audit_logs" => Value::Array(self.audit_logs.clone()),
            "regions" => Value::Array(self.regions.clone()),
            "flags" => json!({
                "dns_log": self.dns_log,
                "access_visibility": self.access_visibility,
            }),
            _ => match self.collections.get(name) {
                Some(col) => Value::Array(
                    col.iter()
                        .map(|o| crate::resources::state_view(self, name, o))
                        .collect(),
                ),
                None => Value::Null,
            },
        }
    }
}

/// A random (version 4) UUID.
pub(crate) fn new_id() -> String {
    let mut bytes = fastrand::u128(..).to_be_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let hex: String = bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// One page in the documented envelope. `items` starts at the page's first object
/// and `total` counts the whole (filtered) collection.
pub(crate) fn page<'a>(
    items: impl Iterator<Item = &'a Object>,
    total: usize,
    page: u64,
    size: u64,
    render: impl Fn(&Object) -> Value,
) -> Value {
    let content: Vec<Value> = items.take(size as usize).map(render).collect();
    let total_pages = (total as u64).div_ceil(size);
    json!({
        "content": content,
        "totalElements": total,
        "totalPages": total_pages,
        "numberOfElements": content.len(),
        "page": page,
        "size": size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v4_uuids() {
        let id = new_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_ne!(new_id(), id);
    }

    #[test]
    fn page_edges() {
        let objects: Vec<Object> = (0..3)
            .map(|i| json!({"id": i.to_string()}).as_object().unwrap().clone())
            .collect();
        let render = |o: &Object| Value::Object(o.clone());
        let p = page(objects.iter().skip(2), 3, 1, 2, render);
        assert_eq!(p["totalPages"], 2);
        assert_eq!(p["numberOfElements"], 1);
        let p = page(objects.iter().skip(10), 3, 5, 2, render);
        assert_eq!(p["content"], json!([]));
        assert_eq!(p["totalElements"], 3);
        let p = page(objects.iter().take(0), 0, 0, 10, render);
        assert_eq!(p["totalPages"], 0);
    }
}
