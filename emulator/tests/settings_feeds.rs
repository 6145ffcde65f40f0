//! Settings in their wire formats, and the cursor-paged feeds.

mod common;

use common::{quiet, Api};
use serde_json::{json, Value};

#[test]
fn settings_use_the_real_wire_formats() {
    let api = Api::start(quiet());
    let names: Vec<String> = include_str!("../../api/settings.tsv")
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    assert!(names.len() >= 20);
    for name in &names {
        assert_eq!(
            api.get(&format!("/api/v1/settings/{name}")).status,
            200,
            "{name}"
        );
    }

    let snat = "/api/v1/settings/wpc/snat";
    let resp = api.put(snat, "false");
    assert_eq!((resp.status, resp.body.as_str()), (200, "false"));
    assert_eq!(api.get(snat).body, "false");
    assert_eq!(api.put(snat, "\"no\"").status, 400);

    let allowance = "/api/v1/settings/user/device-allowance";
    assert_eq!(api.put(allowance, "15").body, "15");
    assert_eq!(api.get(allowance).json(), json!(15));
    assert_eq!(api.put(allowance, "many").status, 400);

    let topology = "/api/v1/settings/wpc/topology";
    let resp = api.put_text(topology, "CUSTOM");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.body, "CUSTOM");
    assert!(resp
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(api.get(topology).body, "CUSTOM");
    assert_eq!(api.put_text(topology, "STAR").status, 400);
    assert_eq!(
        api.put_text(topology, "\"FULL_MESH\"").status,
        400,
        "quotes are not raw text"
    );
    let suffix = "/api/v1/settings/dns/default-suffix";
    assert_eq!(
        api.put_text(suffix, "corp.example.com").body,
        "corp.example.com"
    );

    let zones = "/api/v1/settings/dns/zones";
    let wrapped = r#"{"zones":[{"name":"example.com","addresses":["10.0.0.53"]}]}"#;
    assert_eq!(
        api.put(zones, wrapped).json()["zones"][0]["name"],
        "example.com"
    );
    assert_eq!(api.put(zones, r#"[{"name":"example.com"}]"#).status, 400);
    assert_eq!(
        api.get(zones).json()["zones"][0]["addresses"][0],
        "10.0.0.53"
    );

    let servers = "/api/v1/settings/dns/custom-servers";
    let body = r#"{"primaryIpV4":"1.1.1.1","secondaryIpV4":"8.8.8.8"}"#;
    assert_eq!(api.put(servers, body).json()["primaryIpV4"], "1.1.1.1");
    let options = "/api/v1/settings/wpc/client-options";
    assert_eq!(api.put(options, r#"["a","b"]"#).json(), json!(["a", "b"]));
    assert_eq!(api.get("/api/v1/settings/wpc/nothing").status, 404);
    assert_eq!(api.emu.state_json("settings")["wpc/topology"], "CUSTOM");
}

fn walk(api: &Api, path: &str, list: &str, size: usize) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut calls = 0;
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}size={size}&cursor={c}"),
            None => format!("{path}size={size}"),
        };
        let resp = api.get(&url);
        assert_eq!(resp.status, 200, "{url}: {}", resp.body);
        let body = resp.json();
        calls += 1;
        let batch = body[list].as_array().unwrap();
        assert!(batch.len() <= size);
        items.extend(batch.iter().cloned());
        match body.get("nextCursor") {
            Some(Value::String(c)) => cursor = Some(c.clone()),
            None => break,
            Some(other) => panic!("nextCursor {other}"),
        }
        assert!(calls < 100, "cursor loop");
    }
    (items, calls)
}

#[test]
fn sessions_and_audit_log_follow_cursors() {
    let api = Api::start(quiet());
    let (sessions, calls) = walk(&api, "/api/v1/sessions?", "sessions", 100);
    assert_eq!((sessions.len(), calls), (250, 3));
    let unique: std::collections::HashSet<&str> = sessions
        .iter()
        .map(|s| s["sessionId"].as_str().unwrap())
        .collect();
    assert_eq!(unique.len(), 250);
    for key in [
        "userId",
        "regionId",
        "bytesIn",
        "startDateTime",
        "connectionStatus",
    ] {
        assert!(!sessions[0][key].is_null(), "{key}");
    }
    let (failed, _) = walk(&api, "/api/v1/sessions?status=FAILED&", "sessions", 100);
    assert!(!failed.is_empty() && failed.len() < 250);
    assert!(failed.iter().all(|s| s["connectionStatus"] == "FAILED"));

    let (logs, calls) = walk(&api, "/api/v1/audit-log?", "auditLogs", 100);
    assert_eq!((logs.len(), calls), (150, 2));
    let (mine, _) = walk(
        &api,
        "/api/v1/audit-log?initiatorId=ops%40example.com&",
        "auditLogs",
        7,
    );
    assert_eq!(mine.len(), 50);

    let window = format!(
        "/api/v1/sessions?startDate={}&endDate=2999-01-01T00:00:00.000Z&",
        sessions[200]["startDateTime"].as_str().unwrap()
    );
    assert_eq!(walk(&api, &window, "sessions", 100).0.len(), 50);

    for bad in [
        "/api/v1/sessions",
        "/api/v1/sessions?size=0",
        "/api/v1/sessions?size=101",
        "/api/v1/sessions?size=10&cursor=zzz",
        "/api/v1/sessions?size=10&startDate=yesterday",
        "/api/v1/audit-log",
    ] {
        assert_eq!(api.get(bad).status, 400, "{bad}");
    }
    let last = api
        .get("/api/v1/sessions?size=100&startDate=2999-01-01T00:00:00Z")
        .json();
    assert_eq!(last, json!({"sessions": []}));
}
