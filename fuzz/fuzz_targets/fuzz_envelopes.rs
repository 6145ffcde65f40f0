//! Page envelopes and cursor batches: whatever the server sends, reading
//! one never panics, and the items it yields are JSON that joins into a
//! valid array, byte for byte as sent.
#![no_main]

use cloudconnexa::endpoints::{parse_batch, parse_page};
use libfuzzer_sys::fuzz_target;

fn joins_into_an_array(items: &[&serde_json::value::RawValue]) {
    let joined: Vec<&str> = items.iter().map(|item| item.get()).collect();
    let array = format!("[{}]", joined.join(","));
    let parsed: serde_json::Value = serde_json::from_str(&array).expect("a JSON array");
    assert_eq!(parsed.as_array().map(Vec::len), Some(items.len()));
}

fuzz_target!(|body: &[u8]| {
    if let Ok(page) = parse_page(body) {
        joins_into_an_array(&page.items);
    }
    for field in ["sessions", "auditLogs"] {
        if let Ok(batch) = parse_batch(body, field) {
            joins_into_an_array(&batch.items);
            assert!(batch.next_cursor.as_deref() != Some(""));
        }
    }
});
