//! Clients made and used through the exported C functions, as a C program
//! would: NUL-terminated strings in, status codes and the thread's last
//! error out.

use std::ffi::{c_char, CStr, CString};
use std::ptr;

use cloudconnexa::ffi::{self, ccx_client, ccx_status};

/// What a failed call left in the thread's last-error slots.
#[derive(Debug, Clone)]
pub struct LastError {
    pub code: ccx_status,
    pub message: String,
    pub http_status: i32,
    pub body: String,
}

pub fn last_error() -> LastError {
    // SAFETY: the ccx_last_* functions return NUL-terminated strings that
    // stay valid until the next ccx_ call on this thread; they are copied
    // at once.
    unsafe {
        LastError {
            code: ffi::ccx_last_error_code(),
            message: CStr::from_ptr(ffi::ccx_last_error())
                .to_string_lossy()
                .into_owned(),
            http_status: ffi::ccx_last_http_status(),
            body: CStr::from_ptr(ffi::ccx_last_error_body())
                .to_string_lossy()
                .into_owned(),
        }
    }
}

pub fn c(text: &str) -> CString {
    CString::new(text).expect("no NUL in test text")
}

/// Takes ownership of a string the library returned.
///
/// # Safety
/// `json` is NULL or a string from this library not yet freed.
pub unsafe fn take(json: *mut c_char) -> Option<String> {
    if json.is_null() {
        return None;
    }
    let text = CStr::from_ptr(json).to_string_lossy().into_owned();
    ffi::ccx_string_free(json);
    Some(text)
}

/// A `ccx_client` freed when dropped.
pub struct CClient(pub *mut ccx_client);

// The C ABI documents a client as shareable between threads.
unsafe impl Send for CClient {}
unsafe impl Sync for CClient {}

impl CClient {
    /// A client of `emulator` with its own credentials, as `new` makes it.
    pub fn for_emulator(emulator: &ccx_emulator::Emulator) -> Result<CClient, LastError> {
        CClient::new(
            &emulator.url(),
            emulator.client_id(),
            emulator.client_secret(),
        )
    }

    /// `ccx_client_new` with these arguments, then short timeouts and no
    /// proxy. The error is the thread's last error after a NULL result.
    pub fn new(url: &str, id: &str, secret: &str) -> Result<CClient, LastError> {
        let (url, id, secret) = (c(url), c(id), c(secret));
        // SAFETY: every argument is a live NUL-terminated string.
        let raw =
            unsafe { ffi::ccx_client_new(url.as_ptr(), id.as_ptr(), secret.as_ptr(), ptr::null()) };
        if raw.is_null() {
            return Err(last_error());
        }
        let client = CClient(raw);
        // SAFETY: `raw` is a live client; NULL proxy means none.
        unsafe {
            assert_eq!(ffi::ccx_client_set_proxy(raw, ptr::null()), ffi::CCX_OK);
            assert_eq!(ffi::ccx_client_set_timeout_ms(raw, 3000), ffi::CCX_OK);
            assert_eq!(
                ffi::ccx_client_set_max_retry_wait_ms(raw, 5000),
                ffi::CCX_OK
            );
        }
        Ok(client)
    }

    /// `ccx_request`: the status and the reply's JSON.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> (ccx_status, Option<String>) {
        let (method, path) = (c(method), c(path));
        let body = body.map(c);
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: live client and strings; `out` is writable.
        unsafe {
            let status = ffi::ccx_request(
                self.0,
                method.as_ptr(),
                path.as_ptr(),
                body.as_ref().map_or(ptr::null(), |b| b.as_ptr()),
                &mut out,
            );
            (status, take(out))
        }
    }

    /// Runs an exported function that takes the client, one string and
    /// `out_json`, such as `ccx_networks_get`.
    pub fn with_text(
        &self,
        function: unsafe extern "C" fn(*mut ccx_client, *const c_char, *mut *mut c_char) -> i32,
        text: &str,
    ) -> (ccx_status, Option<String>) {
        let text = c(text);
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: live client and string; `out` is writable.
        unsafe {
            let status = function(self.0, text.as_ptr(), &mut out);
            (status, take(out))
        }
    }

    /// Runs an exported function that takes the client and `out_json`,
    /// such as `ccx_networks_list`.
    pub fn with_out(
        &self,
        function: unsafe extern "C" fn(*mut ccx_client, *mut *mut c_char) -> i32,
    ) -> (ccx_status, Option<String>) {
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: live client; `out` is writable.
        unsafe {
            let status = function(self.0, &mut out);
            (status, take(out))
        }
    }
}

impl Drop for CClient {
    fn drop(&mut self) {
        // SAFETY: the client came from ccx_client_new and is freed once.
        unsafe { ffi::ccx_client_free(self.0) }
    }
}
