//! The C entry points with arbitrary NUL-terminated strings, as a careless
//! or hostile caller would pass them. Calls that reach the network use a
//! client aimed at a closed loopback port with a 1 ms timeout and no
//! retries; clients made from fuzzed URLs or proxies never send anything.
#![no_main]

use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::sync::OnceLock;

use cloudconnexa::ffi::{self, ccx_client, resources as r};
use libfuzzer_sys::fuzz_target;

struct Offline(*mut ccx_client);

// The C ABI documents a client as usable from any thread.
unsafe impl Send for Offline {}
unsafe impl Sync for Offline {}

fn offline() -> *mut ccx_client {
    static CLIENT: OnceLock<Offline> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            // A port that was free a moment ago: connections are refused.
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
                .unwrap_or(9);
            let url = CString::new(format!("http://127.0.0.1:{port}")).unwrap();
            let (id, secret) = (c"fuzz-client", c"fuzz-secret");
            // SAFETY: NUL-terminated strings; the client lives for the run.
            unsafe {
                let client =
                    ffi::ccx_client_new(url.as_ptr(), id.as_ptr(), secret.as_ptr(), ptr::null());
                assert!(!client.is_null());
                assert_eq!(ffi::ccx_client_set_proxy(client, ptr::null()), ffi::CCX_OK);
                assert_eq!(ffi::ccx_client_set_timeout_ms(client, 1), ffi::CCX_OK);
                assert_eq!(ffi::ccx_client_set_max_retries(client, 0), ffi::CCX_OK);
                Offline(client)
            }
        })
        .0
}

/// Checks what a call left behind and frees its output.
unsafe fn settle(status: ffi::ccx_status, out: *mut c_char) {
    if status == ffi::CCX_OK {
        if !out.is_null() {
            let _ = CStr::from_ptr(out).to_str().expect("output is UTF-8");
        }
    } else {
        assert!(out.is_null(), "output set on failure");
        assert_eq!(ffi::ccx_last_error_code(), status);
        let message = CStr::from_ptr(ffi::ccx_last_error());
        assert!(!message.to_bytes().is_empty(), "a failure needs a message");
        let _ = CStr::from_ptr(ffi::ccx_last_error_body());
    }
    ffi::ccx_string_free(out);
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let mut parts: Vec<CString> = rest
        .split(|b| *b == 0)
        .take(4)
        .map(|p| CString::new(p).unwrap())
        .collect();
    parts.resize(4, CString::default());
    let [a, b, c, d] = [&parts[0], &parts[1], &parts[2], &parts[3]].map(|s| s.as_ptr());
    let client = offline();
    let mut out: *mut c_char = ptr::null_mut();
    // SAFETY: every pointer is NULL or a live NUL-terminated string, and
    // `out` is writable, as the header asks.
    unsafe {
        let status = match selector % 12 {
            0 => ffi::ccx_request(client, a, b, c, &mut out),
            1 => ffi::ccx_request(client, a, b, ptr::null(), &mut out),
            2 => r::ccx_networks_get(client, a, &mut out),
            3 => r::ccx_networks_update(client, a, b, &mut out),
            4 => r::ccx_network_routes_create(client, a, b, &mut out),
            5 => r::ccx_network_connectors_delete(client, a, b),
            6 => r::ccx_sessions_list(client, a, &mut out),
            7 => r::ccx_settings_get(client, a, &mut out),
            8 => r::ccx_settings_set(client, a, b, &mut out),
            9 => r::ccx_networks_get(ptr::null_mut(), a, &mut out),
            10 => {
                // A client from fuzzed settings; it is configured and
                // freed, never used to send.
                let made = ffi::ccx_client_new(a, b, c, d);
                if !made.is_null() {
                    let _ = ffi::ccx_client_set_user_agent(made, d);
                    let _ = ffi::ccx_client_set_proxy(made, a);
                    ffi::ccx_client_free(made);
                }
                ffi::CCX_OK
            }
            _ => {
                let _ = ffi::ccx_status_str(i32::from(selector) - 128);
                let _ = ffi::ccx_client_set_user_agent(ptr::null_mut(), a);
                ffi::CCX_OK
            }
        };
        settle(status, out);
    }
});
