//! Ids and request paths from a C caller: an id is always one path
//! segment, and a checked request path never leaves the API.
#![no_main]

use cloudconnexa::endpoints::{check_request_path, path_segment};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(segment) = path_segment(text, "id") {
        assert!(!segment.is_empty());
        assert!(!segment.contains(['/', '?', '#', ' ', '\\']), "{segment}");
        assert!(segment != "." && segment != "..");
        let decoded = percent_decode(&segment);
        assert_eq!(decoded, text.as_bytes());
    }
    if let Ok(path) = check_request_path(text) {
        assert!(path.starts_with('/') && !path.starts_with("//"), "{path}");
        assert!(!path.contains("://") && !path.contains('#'), "{path}");
        let route = path.split('?').next().unwrap_or_default();
        assert!(!route.split('/').any(|s| s == "." || s == ".."), "{path}");
    }
});

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}
