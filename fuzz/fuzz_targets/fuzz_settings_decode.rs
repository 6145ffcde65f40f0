//! Setting replies: every setting's decoder with any body, and every
//! encoder with any caller JSON.
#![no_main]

use cloudconnexa::settings::{decode, encode, SETTINGS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, bool, &[u8])| {
    let (which, reading, body) = input;
    let setting = &SETTINGS[usize::from(which) % SETTINGS.len()];
    if let Ok(Some(json)) = decode(setting, body, reading) {
        // What goes back to C must be JSON.
        assert!(serde_json_check(&json), "{}: {json}", setting.name);
    }
    if let Ok(text) = std::str::from_utf8(body) {
        let _ = encode(setting, text);
    }
});

fn serde_json_check(text: &str) -> bool {
    cloudconnexa::endpoints::check_json(text, "decoded setting").is_ok()
}
