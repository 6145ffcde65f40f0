//! Token replies: any bytes give a token or a `Response` error, never a
//! panic, and a refused reply's message never repeats the body.
#![no_main]

use cloudconnexa::config::Secret;
use cloudconnexa::token::parse_token_reply;
use cloudconnexa::ErrorKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    match parse_token_reply(body) {
        Ok((token, _lifetime)) => {
            let value = token.expose();
            assert!(!value.trim().is_empty());
            assert!(!value.chars().any(|c| c.is_control() || c == ' '));
            // Debug output is the same whatever the token is.
            let blank = Secret::new(String::new());
            assert_eq!(format!("{token:?}"), format!("{blank:?}"));
        }
        Err(error) => {
            assert_eq!(error.kind(), ErrorKind::Response);
            assert!(error.body().is_none());
        }
    }
});
