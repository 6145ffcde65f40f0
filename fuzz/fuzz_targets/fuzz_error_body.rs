//! Error replies: the server's reason and the error kind for any status
//! and body.
#![no_main]

use cloudconnexa::error::{kind_for_status, server_reason};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u16, &[u8])| {
    let (status, body) = input;
    let _ = kind_for_status(status, body);
    if let Some(reason) = server_reason(body) {
        // A reason is text for a message: bounded by what was sent.
        assert!(reason.len() <= body.len() * 6 + 64);
    }
});
