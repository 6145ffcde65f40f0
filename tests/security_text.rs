//! Server text cannot forge or hide what a program prints: control
//! characters and bidirectional overrides in the server's words are shown
//! escaped in `ccx_last_error()` and in log lines, while
//! `ccx_last_error_body()` keeps the body exactly as it came.

mod support;

use std::ffi::{c_char, c_void, CStr};
use std::sync::{Arc, Mutex};

use cloudconnexa::ffi::{self, ccx_log_level};
use support::cabi::{last_error, CClient};
use support::fake::{FakeServer, Reply};
use support::{CLIENT_ID, SECRET};

unsafe extern "C" fn collect(_level: ccx_log_level, message: *const c_char, data: *mut c_void) {
    let lines = &*(data as *const Mutex<Vec<String>>);
    lines
        .lock()
        .unwrap()
        .push(CStr::from_ptr(message).to_string_lossy().into_owned());
}

#[test]
fn a_server_message_cannot_forge_a_log_line_or_steer_the_terminal() {
    let body = "{\"errorMessage\":\"bad\\ncloudconnexa info: forged \\u001b[2J\\u202eevil\"}";
    let server = FakeServer::scripted(vec![Reply::json(400, body)]);
    let client = CClient::new(&server.url(), CLIENT_ID, SECRET).unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    // SAFETY: a live client; the data outlives it (dropped after it).
    unsafe {
        let data = Arc::as_ptr(&lines) as *mut c_void;
        assert_eq!(
            ffi::ccx_client_set_log_callback(client.0, ffi::CCX_LOG_DEBUG, Some(collect), data),
            ffi::CCX_OK
        );
    }

    let (status, _) = client.request("GET", "/networks", None);

    let error = last_error();
    assert_eq!(status, ffi::CCX_ERR_VALIDATION, "{error:?}");
    assert!(
        error
            .message
            .contains("bad\\ncloudconnexa info: forged \\u{1b}[2J\\u{202e}evil"),
        "{}",
        error.message
    );
    for text in [&error.message]
        .into_iter()
        .chain(lines.lock().unwrap().iter())
    {
        assert!(
            !text.contains(['\n', '\r', '\u{1b}', '\u{202e}']),
            "raw control text in {text:?}"
        );
    }
    assert!(
        lines.lock().unwrap().iter().any(|l| l.contains("forged")),
        "the failure was not logged: {:?}",
        lines.lock().unwrap()
    );
    // The body is the server's, untouched.
    assert_eq!(error.body, body);
    drop(client);
}
