//! The boundary every exported function goes through: panics caught,
//! pointers checked, strings converted, and the thread's last error written.

use std::cell::RefCell;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::{ccx_client, ccx_status, status_of, CCX_OK};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};

struct LastError {
    code: ccx_status,
    message: CString,
    http_status: i32,
    body: CString,
}

impl LastError {
    fn empty() -> LastError {
        LastError {
            code: CCX_OK,
            message: CString::default(),
            http_status: 0,
            body: CString::default(),
        }
    }
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> = RefCell::new(LastError::empty());
}

/// Text for C: interior NUL bytes, which C cannot carry, become spaces.
pub fn c_text(text: &str) -> CString {
    CString::new(text.replace('\0', " ")).unwrap_or_default()
}

fn record(error: &Error) -> ccx_status {
    let code = status_of(error.kind());
    LAST_ERROR.with(|slot| {
        *slot.borrow_mut() = LastError {
            code,
            message: c_text(&crate::error::printable(error.message())),
            http_status: i32::from(error.http_status()),
            body: c_text(error.body().unwrap_or_default()),
        };
    });
    code
}

fn clear() {
    LAST_ERROR.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.code != CCX_OK || !slot.message.is_empty() {
            *slot = LastError::empty();
        }
    });
}

pub fn last_message() -> *const c_char {
    LAST_ERROR.with(|slot| slot.borrow().message.as_ptr())
}

pub fn last_code() -> ccx_status {
    LAST_ERROR.with(|slot| slot.borrow().code)
}

pub fn last_http_status() -> i32 {
    LAST_ERROR.with(|slot| slot.borrow().http_status)
}

pub fn last_body() -> *const c_char {
    LAST_ERROR.with(|slot| slot.borrow().body.as_ptr())
}

/// Runs the body of an exported function: a panic becomes
/// `CCX_ERR_INTERNAL`, an error is recorded, success clears the slot.
pub fn run<T>(body: impl FnOnce() -> Result<T>) -> std::result::Result<T, ccx_status> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => {
            clear();
            Ok(value)
        }
        Ok(Err(error)) => Err(record(&error)),
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let error = Error::new(
                ErrorKind::Internal,
                format!("internal error (a bug in libcloudconnexa, please report it): {detail}"),
            );
            Err(record(&error))
        }
    }
}

/// [`run`] for functions that return a status.
pub fn status(body: impl FnOnce() -> Result<()>) -> ccx_status {
    match run(body) {
        Ok(()) => CCX_OK,
        Err(code) => code,
    }
}

/// The client behind a handle.
///
/// # Safety
/// `client` is NULL or a handle from `ccx_client_new` not yet freed.
pub unsafe fn client<'a>(client: *const ccx_client) -> Result<&'a Client> {
    client
        .as_ref()
        .map(|handle| &handle.client)
        .ok_or_else(|| Error::invalid_argument("client is NULL"))
}

/// A required string argument.
///
/// # Safety
/// `text` is NULL or points to a NUL-terminated string.
pub unsafe fn text<'a>(text: *const c_char, name: &str) -> Result<&'a str> {
    optional_text(text, name)?.ok_or_else(|| Error::invalid_argument(format!("{name} is NULL")))
}

/// An optional string argument: NULL is `None`.
///
/// # Safety
/// `text` is NULL or points to a NUL-terminated string.
pub unsafe fn optional_text<'a>(text: *const c_char, name: &str) -> Result<Option<&'a str>> {
    if text.is_null() {
        return Ok(None);
    }
    CStr::from_ptr(text).to_str().map(Some).map_err(|e| {
        Error::invalid_argument(format!(
            "{name} is not valid UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })
}

/// Sets `*out` to NULL so that every failure leaves it NULL.
///
/// # Safety
/// `out` is NULL or points to writable storage for a pointer.
pub unsafe fn reset_out(out: *mut *mut c_char) {
    if !out.is_null() {
        *out = std::ptr::null_mut();
    }
}

/// Hands a result string to the caller, who frees it with
/// `ccx_string_free`. `None` leaves `*out` NULL.
///
/// # Safety
/// `out` is NULL or points to writable storage for a pointer.
pub unsafe fn write_out(out: *mut *mut c_char, json: Option<String>) -> Result<()> {
    if out.is_null() {
        return Ok(());
    }
    if let Some(json) = json {
        let c = CString::new(json).map_err(|_| {
            Error::new(
                ErrorKind::Response,
                "reply contains a NUL byte, which C cannot carry",
            )
        })?;
        *out = c.into_raw();
    }
    Ok(())
}
