//! `/_emulator/...`: the same controls as the library API, over HTTP, for tests
//! written in other languages against the binary.

use serde_json::{json, Value};

use crate::http::{Reply, Req};
use crate::server::Shared;

pub(crate) fn handle(shared: &Shared, req: &Req) -> Reply {
    let segments = req.segments_after("/_emulator").unwrap_or_default();
    let s: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (req.method.as_str(), s.as_slice()) {
        ("POST", ["faults"]) => {
            let parsed = serde_json::from_slice::<Value>(&req.body)
                .map_err(|e| e.to_string())
                .and_then(|v| crate::faults::from_json(&v));
            match parsed {
                Ok(fault) => {
                    shared.faults.push(fault);
                    Reply::empty(204)
                }
                Err(message) => Reply::error(400, &message),
            }
        }
        ("GET", ["stats"]) => {
            let stats = shared.log.lock().unwrap().stats.clone();
            Reply::json(
                200,
                &json!({
                    "token_requests": stats.token_requests,
                    "requests": stats.requests,
                    "rate_limited": stats.rate_limited,
                    "by_method": stats.by_method,
                }),
            )
        }
        ("GET", ["requests"]) => {
            let log = shared.log.lock().unwrap();
            let items: Vec<Value> = log
                .requests
                .iter()
                .map(|r| {
                    json!({
                        "method": r.method,
                        "path": r.path,
                        "query": r.query,
                        "headers": r.headers,
                        "body": String::from_utf8_lossy(&r.body),
                        "status": r.status,
                    })
                })
                .collect();
            Reply::json(200, &Value::Array(items))
        }
        ("DELETE", ["requests"]) => {
            shared.log.lock().unwrap().requests.clear();
            Reply::empty(204)
        }
        ("GET", ["state", collection]) => {
            match shared.store.lock().unwrap().state_json(collection) {
                Value::Null => Reply::error(404, &format!("No collection '{collection}'")),
                value => Reply::json(200, &value),
            }
        }
        ("PUT", ["token-ttl"]) => {
            let secs = serde_json::from_slice::<Value>(&req.body)
                .ok()
                .and_then(|v| v.get("secs").and_then(Value::as_f64))
                .filter(|s| *s >= 0.0);
            match secs {
                Some(secs) => {
                    shared.auth.set_ttl(secs);
                    Reply::empty(204)
                }
                None => Reply::error(400, "expected {\"secs\": <non-negative number>}"),
            }
        }
        _ => Reply::error(
            404,
            &format!("No control endpoint {} {}", req.method, req.path),
        ),
    }
}
