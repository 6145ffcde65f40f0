//! Reply bodies handed to C: JSON passes through, text becomes a JSON
//! string, anything else is an error; the result is always valid JSON.
#![no_main]

use cloudconnexa::endpoints::{check_json, json_or_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(json) = json_or_text(body) {
        assert!(check_json(&json, "reply").is_ok(), "{json}");
    }
});
