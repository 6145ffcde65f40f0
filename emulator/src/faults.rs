//! The queue of injected faults and their JSON form for the control endpoint.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde_json::Value;

use crate::{Fault, FaultKind};

#[derive(Default)]
pub(crate) struct FaultQueue {
    queue: Mutex<VecDeque<Fault>>,
}

impl FaultQueue {
    pub fn push(&self, fault: Fault) {
        if fault.times > 0 {
            self.queue.lock().unwrap().push_back(fault);
        }
    }

    /// The first queued fault that matches, used up by one.
    pub fn take(&self, method: &str, path: &str) -> Option<FaultKind> {
        let mut queue = self.queue.lock().unwrap();
        let index = queue.iter().position(|f| {
            f.method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
                && f.path_prefix.as_deref().is_none_or(|p| path.starts_with(p))
        })?;
        let fault = &mut queue[index];
        fault.times -= 1;
        let kind = fault.kind.clone();
        if fault.times == 0 {
            queue.remove(index);
        }
        Some(kind)
    }
}

/// Parses `{"method":..,"path_prefix":..,"times":..,"kind":"status",...}`.
pub(crate) fn from_json(value: &Value) -> Result<Fault, String> {
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_string);
    let number = |key: &str| value.get(key).and_then(Value::as_u64);
    let times = match value.get("times") {
        None | Some(Value::Null) => 1,
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or("times must be a non-negative integer")?,
    };
    let kind = match text("kind").as_deref() {
        Some("status") => {
            let status = number("status")
                .and_then(|s| u16::try_from(s).ok())
                .filter(|s| (100..=999).contains(s))
                .ok_or("status kind needs an integer \"status\"")?;
            let mut headers = Vec::new();
            if let Some(map) = value.get("headers").and_then(Value::as_object) {
                for (name, v) in map {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    headers.push((name.clone(), v));
                }
            }
            FaultKind::Status {
                status,
                headers,
                body: text("body").unwrap_or_default(),
            }
        }
        Some("delay") => FaultKind::Delay {
            ms: number("ms").ok_or("delay kind needs \"ms\"")?,
        },
        Some("hang") => FaultKind::Hang,
        Some("drop") => FaultKind::Drop,
        Some("drop_after_acting") => FaultKind::DropAfterActing,
        Some("malformed") => FaultKind::Malformed,
        Some("oversized") => FaultKind::Oversized {
            bytes: number("bytes").ok_or("oversized kind needs \"bytes\"")? as usize,
        },
        _ => return Err("unknown or missing \"kind\"".into()),
    };
    Ok(Fault {
        method: text("method"),
        path_prefix: text("path_prefix"),
        times,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_match_is_used_up() {
        let queue = FaultQueue::default();
        queue.push(Fault::new(FaultKind::Hang).method("POST").times(2));
        queue.push(Fault::new(FaultKind::Drop).path_prefix("/api/v1/users"));
        assert_eq!(queue.take("GET", "/api/v1/users/1"), Some(FaultKind::Drop));
        assert_eq!(queue.take("GET", "/api/v1/users/1"), None);
        assert_eq!(queue.take("post", "/x"), Some(FaultKind::Hang));
        assert_eq!(queue.take("POST", "/x"), Some(FaultKind::Hang));
        assert_eq!(queue.take("POST", "/x"), None);
    }

    #[test]
    fn parses_control_json() {
        let v = serde_json::json!({"method":"GET","path_prefix":"/api/v1/networks",
            "times":2,"kind":"status","status":429,"headers":{"Retry-After":"1"},"body":""});
        let fault = from_json(&v).unwrap();
        assert_eq!(fault.times, 2);
        assert_eq!(
            fault.kind,
            FaultKind::Status {
                status: 429,
                headers: vec![("Retry-After".into(), "1".into())],
                body: String::new()
            }
        );
        assert!(from_json(&serde_json::json!({"kind":"nope"})).is_err());
    }
}
