//! The C ABI. Every exported function has the same three steps: check and
//! convert the arguments, call the Rust client, write the outputs and
//! return. No API logic lives here.

#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]

pub mod boundary;
pub mod resources;

use std::ffi::{c_char, c_void, CStr};
use std::sync::Arc;
use std::time::Duration;

use crate::client::{Client, Method};
use crate::config::Config;
use crate::endpoints::{Args, Param, ENDPOINTS};
use crate::error::{Error, ErrorKind};
use crate::log::Level;
use crate::transport::ProxySetting;

/// The outcome of a call: `CCX_OK` (0) or one of the `CCX_ERR_` values.
/// The values are fixed and only ever added to; a program should treat an
/// unknown value like `CCX_ERR_INTERNAL`. (An integer rather than a C enum,
/// so that any value a caller passes back in is defined behaviour.)
pub type ccx_status = i32;

/// Success.
pub const CCX_OK: ccx_status = 0;
/// NULL where a value is needed, text that is not UTF-8, malformed JSON
/// input, or an unknown setting name.
pub const CCX_ERR_INVALID_ARGUMENT: ccx_status = 1;
/// Missing or malformed URL or credentials, unknown api_version, plain
/// http to a host that is not loopback.
pub const CCX_ERR_CONFIG: ccx_status = 2;
/// The token request was refused, or a call got 401 again after one
/// fresh token.
pub const CCX_ERR_AUTH: ccx_status = 3;
/// HTTP 403: the credential may not do this.
pub const CCX_ERR_FORBIDDEN: ccx_status = 4;
/// HTTP 404, or the API's 400 answers that say an entity does not exist.
pub const CCX_ERR_NOT_FOUND: ccx_status = 5;
/// HTTP 409.
pub const CCX_ERR_CONFLICT: ccx_status = 6;
/// HTTP 400 or 422: the server rejected the request's content.
pub const CCX_ERR_VALIDATION: ccx_status = 7;
/// HTTP 429 after the retry budget was spent, or a wait longer than the
/// max retry wait.
pub const CCX_ERR_RATE_LIMITED: ccx_status = 8;
/// HTTP 5xx after the retry budget was spent.
pub const CCX_ERR_SERVER: ccx_status = 9;
/// Any other status that is not 2xx (redirects included).
pub const CCX_ERR_HTTP: ccx_status = 10;
/// DNS, connect, TLS, proxy or I/O failure.
pub const CCX_ERR_NETWORK: ccx_status = 11;
/// The request timeout passed.
pub const CCX_ERR_TIMEOUT: ccx_status = 12;
/// A reply that is not what the API promises: bad JSON, no token, over
/// the size cap.
pub const CCX_ERR_RESPONSE: ccx_status = 13;
/// A POST was sent and its outcome is unknown (timeout or connection
/// lost after sending): the write may have happened.
pub const CCX_ERR_AMBIGUOUS: ccx_status = 14;
/// The operation needs a newer api_version than the client's.
pub const CCX_ERR_UNSUPPORTED: ccx_status = 15;
/// A bug: a panic was caught at the boundary.
pub const CCX_ERR_INTERNAL: ccx_status = 16;

/// The status for an error kind of the Rust client.
pub fn status_of(kind: ErrorKind) -> ccx_status {
    match kind {
        ErrorKind::InvalidArgument => CCX_ERR_INVALID_ARGUMENT,
        ErrorKind::Config => CCX_ERR_CONFIG,
        ErrorKind::Auth => CCX_ERR_AUTH,
        ErrorKind::Forbidden => CCX_ERR_FORBIDDEN,
        ErrorKind::NotFound => CCX_ERR_NOT_FOUND,
        ErrorKind::Conflict => CCX_ERR_CONFLICT,
        ErrorKind::Validation => CCX_ERR_VALIDATION,
        ErrorKind::RateLimited => CCX_ERR_RATE_LIMITED,
        ErrorKind::Server => CCX_ERR_SERVER,
        ErrorKind::Http => CCX_ERR_HTTP,
        ErrorKind::Network => CCX_ERR_NETWORK,
        ErrorKind::Timeout => CCX_ERR_TIMEOUT,
        ErrorKind::Response => CCX_ERR_RESPONSE,
        ErrorKind::Ambiguous => CCX_ERR_AMBIGUOUS,
        ErrorKind::Unsupported => CCX_ERR_UNSUPPORTED,
        ErrorKind::Internal => CCX_ERR_INTERNAL,
    }
}

/// Log levels for `ccx_client_set_log_callback`: each level includes the
/// ones above it.
pub type ccx_log_level = i32;
/// Failures the caller will also see as a status.
pub const CCX_LOG_ERROR: ccx_log_level = 1;
/// Retries and waits for the rate limit.
pub const CCX_LOG_WARN: ccx_log_level = 2;
/// Token fetches and refreshes.
pub const CCX_LOG_INFO: ccx_log_level = 3;
/// Each request: method, path, status and duration.
pub const CCX_LOG_DEBUG: ccx_log_level = 4;

/// Receives one log message. `message` is borrowed for the call only; the
/// callback may run on any thread that uses the client, concurrently.
pub type ccx_log_fn = Option<
    unsafe extern "C" fn(level: ccx_log_level, message: *const c_char, user_data: *mut c_void),
>;

/// A client of one tenant's API. Opaque; create it with `ccx_client_new`
/// and free it with `ccx_client_free`. One client may be used from many
/// threads at once.
pub struct ccx_client {
    pub(crate) client: Client,
}

/// The major version of this header.
pub const CCX_VERSION_MAJOR: u32 = 0;
/// The minor version of this header.
pub const CCX_VERSION_MINOR: u32 = 1;
/// The patch version of this header.
pub const CCX_VERSION_PATCH: u32 = 0;

/// Creates a client. Nothing is sent over the network.
///
/// - `api_url`: borrowed; `https://<cloud-id>.api.openvpn.com` (a trailing
///   slash or path is tolerated; plain `http://` only to loopback). NULL
///   reads `CLOUDCONNEXA_API_URL`, then `CLOUDCONNEXA_BASE_URL`.
/// - `client_id`: borrowed; NULL reads `CLOUDCONNEXA_CLIENT_ID`.
/// - `client_secret`: borrowed, copied and wiped when the client is freed;
///   NULL reads `CLOUDCONNEXA_CLIENT_SECRET`.
/// - `api_version`: borrowed; one of `1.0`, `1.1.0`, `1.1.1`, `1.1.6`,
///   `1.2.0`, `1.2.3` (a leading `v` and `1.1`, `1.2` accepted). NULL reads
///   `CLOUDCONNEXA_API_VERSION`, and when that is unset too the newest.
///
/// Returns the client, or NULL with `CCX_ERR_CONFIG` (or
/// `CCX_ERR_INVALID_ARGUMENT` for text that is not UTF-8) in the last
/// error. Free the client with `ccx_client_free`. Since 0.1.0.
#[no_mangle]
pub unsafe extern "C" fn ccx_client_new(
    api_url: *const c_char,
    client_id: *const c_char,
    client_secret: *const c_char,
    api_version: *const c_char,
) -> *mut ccx_client {
    let created = boundary::run(|| {
        let api_url = boundary::optional_text(api_url, "api_url")?;
        let client_id = boundary::optional_text(client_id, "client_id")?;
        let client_secret = boundary::optional_text(client_secret, "client_secret")?;
        let api_version = boundary::optional_text(api_version, "api_version")?;

        let config = Config::new(api_url, client_id, client_secret, api_version)?;
        let client = Client::new(config)?;

        Ok(Box::into_raw(Box::new(ccx_client { client })))
    });
    created.unwrap_or(std::ptr::null_mut())
}

/// Frees a client and wipes its secret and token from memory.
///
/// - `client`: owned; NULL is a no-op. No other thread may be using it.
///
/// Since 0.1.0.
#[no_mangle]
pub unsafe extern "C" fn ccx_client_free(client: *mut ccx_client) {
    if client.is_null() {
        return;
    }
    // Not through boundary::run: freeing returns nothing, so it must leave
    // the thread's last error (of an earlier call) as it was.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let handle = Box::from_raw(client);
        handle.client.forget_token();
        drop(handle);
    }));
}

/// Fetches a token now if the client has no valid one. Other calls fetch
/// and refresh tokens by themselves; this is for checking credentials early.
///
/// - `client`: borrowed; must not be NULL.
///
/// Returns `CCX_OK`, `CCX_ERR_AUTH` when the credentials are refused (the
/// server's reason in `ccx_last_error`, never the secret), or a transport
/// status. Since 0.1.0.
#[no_mangle]
pub unsafe extern "C" fn ccx_authenticate(client: *mut ccx_client) -> ccx_status {
    boundary::status(|| {
        let client = boundary::client(client)?;

        client.authenticate()
    })
}

/// The calling thread's last error message: never NULL, `""` after a
/// success. Valid until the next `ccx_` call on this thread. Never contains
/// the client secret or a token. Since 0.1.0.
#[no_mangle]
pub extern "C" fn ccx_last_error() -> *const c_char {
    boundary::last_message()
}

/// The calling thread's last status, `CCX_OK` after a success. Since 0.1.0.
#[no_mangle]
pub extern "C" fn ccx_last_error_code() -> ccx_status {
    boundary::last_code()
}

/// The HTTP status of the calling thread's last failing reply; 0 when no
/// HTTP reply was involved. Since 0.1.0.
#[no_mangle]
pub extern "C" fn ccx_last_http_status() -> i32 {
    boundary::last_http_status()
}

/// The body of the calling thread's last failing reply (the API's error
/// JSON), capped at 64 KiB; `""` if none. Valid until the next `ccx_` call
/// on this thread. Since 0.1.0.
#[no_mangle]
pub extern "C" fn ccx_last_error_body() -> *const c_char {
    boundary::last_body()
}

/// Static text for a status, e.g. "not found"; "unknown status" for a
/// value this version does not know. Never NULL; do not free. Since 0.1.0.
#[no_mangle]
pub extern "C" fn ccx_status_str(status: ccx_status) -> *const c_char {
    let text: &'static CStr = match status {
        0 => c"ok",
        1 => c"invalid argument",
        2 => c"configuration error",
        3 => c"authentication failed",
        4 => c"forbidden",
        5 => c"not found",
        6 => c"conflict",
        7 => c"validation failed",
        8 => c"rate limited",
        9 => c"server error",
        10 => c"unexpected HTTP status",
        11 => c"network error",
        12 => c"timeout",
        13 => c"invalid response",
        14 => c"outcome unknown",
        15 => c"unsupported by this API version",
        16 => c"internal error",
        _ => c"unknown status",
    };
    text.as_ptr()
}

/// Frees a string the library returned through an `out_json` argument.
///
/// - `s`: owned; NULL is a no-op. Only strings from this library.
///
/// Since 0.1.0.
#[no_mangle]
pub unsafe extern "C" fn ccx_string_free(s: *mut c_char) {
    if !s.is_null() {
        drop(std::ffi::CString::from_raw(s));
    }
}

/// The library's version, e.g. "0.1.0". Static; do not free. Since 0.1.0.
#[no_mangle]
pub extern "C" fn ccx_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// When the client's current token expires, in unix seconds; 0 when it has
/// none (or `client` is NULL). Never shows the token. Since 0.1.0.
#[no_mangle]
pub unsafe extern "C" fn ccx_token_expires_at(client: *const ccx_client) -> i64 {
    match client.as_ref() {
        Some(handle) => handle.client.token_expires_at(),
        None => 0,
    }
}

/// Sends any API request: the escape hatch for operations not wrapped.
///
/// - `client`: borrowed; must not be NULL.
/// - `method`: borrowed; `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
/// - `path`: borrowed; relative to `/api/v1`, with its query, e.g.
///   `"/networks?page=0&size=10"`. Query values must already be escaped.
///   A leading `/api/v1` is tolerated and dropped; any other path is taken
///   as relative, so `/api/beta/x` is sent as `/api/v1/api/beta/x`. No
///   scheme, host, `..` step or fragment; at most 8 KiB.
/// - `json_body`: borrowed; may be NULL. Must be valid JSON.
/// - `out_json`: may be NULL. On success receives the reply's JSON (text
///   replies as a JSON string), or NULL when the reply has no body; free it
///   with `ccx_string_free`. NULL on failure.
///
/// Tokens, pacing and retries apply as for every call. Returns `CCX_OK` or
/// any error status. Since 0.1.0.
#[no_mangle]
pub unsafe extern "C" fn ccx_request(
    client: *mut ccx_client,
    method: *const c_char,
    path: *const c_char,
    json_body: *const c_char,
    out_json: *mut *mut c_char,
) -> ccx_status {
    boundary::reset_out(out_json);
    boundary::status(|| {
        let client = boundary::client(client)?;
        let method = boundary::text(method, "method")?;
        let method = Method::parse(method).ok_or_else(|| {
            Error::invalid_argument(format!(
                "method {method:?} is not one of GET, POST, PUT, PATCH, DELETE"
            ))
        })?;
        let path = crate::endpoints::check_request_path(boundary::text(path, "path")?)?;
        let body = boundary::optional_text(json_body, "json_body")?;
        if let Some(body) = body {
            crate::endpoints::check_json(body, "json_body")?;
        }

        let reply = client.request(method, &path, body)?;
        let route = path.split('?').next().unwrap_or_default();
        let what = format!("{} /api/v1{route}", method.as_str());
        let json = crate::endpoints::reply_json(&reply, true, &what)?;

        boundary::write_out(out_json, json)
    })
}

/// Sets the timeout of each HTTP request, from connecting to the end of the
/// reply. Default 30000 ms.
///
/// - `client`: borrowed; must not be NULL.
/// - `ms`: at least 1.
///
/// Applies to later requests, from any thread. Since 0.1.0.
#[no_mangle]
pub unsafe extern "C" fn ccx_client_set_timeout_ms(client: *mut ccx_client, ms: u32) -> ccx_status {
    boundary::status(|| {
        let client = boundary::client(client)?;

        client.set_timeout(Duration::from_millis(u64::from(ms)))
    })
}

/// Sets how many times a request is retried: after a 429 or a 503 with
/// `Retry-After` (any method), a refused connection (any method), and a
/// 5xx or a lost connection (GET, PUT and DELETE only, since a POST may
/// have acted). Default 3; at most 100; 0 turns retries off. Since 0.1.0.
#[no_mangle]
pub unsafe extern "C" fn ccx_client_set_max_retries(client: *mut ccx_client, n: u32) -> ccx_status {
    boundary::status(|| {
        let client = boundary::client(client)?;

        client.set_max_retries(n)
    })
}

/// Sets the longest single wait for a retry or for the rate limit. A wait
/// that would be longer fails at once with `CCX_ERR_RATE_LIMITED` (or the
/// status of the failed reply). Default 60000 ms. Since 0.1.0.
#[no_mangle]
pub unsafe extern "C" fn ccx_client_set_max_retry_wait_ms(
    client: *mut ccx_client,
    ms: u32,
) -> ccx_status {
    boundary::status(|| {
        let client = boundary::client(client)?;

        client.set_max_retry_wait(Duration::from_millis(u64::from(ms)))
    })
}

/// Sets the page size the `_list` functions use to fetch every page: 1 to
/// 1000, default 1000 (the API's maximum, so the fewest requests). Since
/// 0.1.0.
#[no_mangle]
pub unsafe extern "C" fn ccx_client_set_page_size(
    client: *mut ccx_client,
    size: u32,
) -> ccx_status {
    boundary::status(|| {
        let client = boundary::client(client)?;

        client.set_page_size(size)
    })
}

/// Sets the `User-Agent` header. Default `libcloudconnexa/<version>`.
///
/// - `user_agent`: borrowed and copied; printable text, not NULL.
///
/// Since 0.1.0.
#[no_mangle]
pub unsafe extern "C" fn ccx_client_set_user_agent(
    client: *mut ccx_client,
    user_agent: *const c_char,
) -> ccx_status {
    boundary::status(|| {
        let client = boundary::client(client)?;
        let user_agent = boundary::text(user_agent, "user_agent")?;

        client.set_user_agent(user_agent)
    })
}

/// Trusts the CA certificates in a PEM file instead of the bundled public
/// roots, for a private API endpoint or a TLS-inspecting proxy.
///
/// - `pem_path`: borrowed; a readable PEM file with at least one
///   certificate. Returns `CCX_ERR_CONFIG` when it is not.
///
/// Since 0.1.0.
#[no_mangle]
pub unsafe extern "C" fn ccx_client_set_ca_file(
    client: *mut ccx_client,
    pem_path: *const c_char,
) -> ccx_status {
    boundary::status(|| {
        let client = boundary::client(client)?;
        let pem_path = boundary::text(pem_path, "pem_path")?;

        client.set_ca_file(pem_path)
    })
}

/// Sets the proxy: `http://host:port` (CONNECT for https) or
/// `socks5://host:port`, or NULL for none. By default
/// `https_proxy`/`HTTPS_PROXY`, then `ALL_PROXY`, and `NO_PROXY` are
/// honoured, as curl reads them. Returns `CCX_ERR_CONFIG` for a malformed
/// URL. Since 0.1.0.
#[no_mangle]
pub unsafe extern "C" fn ccx_client_set_proxy(
    client: *mut ccx_client,
    proxy_url: *const c_char,
) -> ccx_status {
    boundary::status(|| {
        let client = boundary::client(client)?;
        let proxy = match boundary::optional_text(proxy_url, "proxy_url")? {
            Some(url) => ProxySetting::Url(url.to_string()),
            None => ProxySetting::Disabled,
        };

        client.set_proxy(proxy)
    })
}

/// A C callback and its user data, callable from any thread.
struct CallbackSink {
    callback: unsafe extern "C" fn(ccx_log_level, *const c_char, *mut c_void),
    user_data: *mut c_void,
}

impl CallbackSink {
    fn deliver(&self, level: ccx_log_level, message: &str) {
        let text = boundary::c_text(message);
        // SAFETY: the caller registered this callback for this user data.
        unsafe { (self.callback)(level, text.as_ptr(), self.user_data) };
    }
}

// The caller promises, by registering them, that the callback and its user
// data may be used from any thread that uses the client.
unsafe impl Send for CallbackSink {}
unsafe impl Sync for CallbackSink {}

/// Sends the client's log messages up to `max_level` to `callback`.
///
/// - `callback`: called on the thread that makes the request, possibly
///   from several threads at once; `message` is borrowed for the call.
///   NULL removes the callback (then `CCX_LOG` applies again).
/// - `user_data`: passed to the callback as it is.
///
/// Messages never contain the client secret, a token or an Authorization
/// header. Since 0.1.0.
#[no_mangle]
pub unsafe extern "C" fn ccx_client_set_log_callback(
    client: *mut ccx_client,
    max_level: ccx_log_level,
    callback: ccx_log_fn,
    user_data: *mut c_void,
) -> ccx_status {
    boundary::status(|| {
        let client = boundary::client(client)?;
        let max_level = match max_level {
            1 => Level::Error,
            2 => Level::Warn,
            3 => Level::Info,
            4 => Level::Debug,
            other => {
                return Err(Error::invalid_argument(format!(
                    "max_level {other} is not a ccx_log_level (1 to 4)"
                )))
            }
        };

        let sink = callback.map(|callback| {
            let target = CallbackSink {
                callback,
                user_data,
            };
            let sink: crate::log::Sink = Arc::new(move |level: Level, message: &str| {
                let level = match level {
                    Level::Error => CCX_LOG_ERROR,
                    Level::Warn => CCX_LOG_WARN,
                    Level::Info => CCX_LOG_INFO,
                    Level::Debug => CCX_LOG_DEBUG,
                };
                target.deliver(level, message);
            });
            (max_level, sink)
        });
        client.set_log_sink(sink);
        Ok(())
    })
}

/// The raw arguments of a resource function; NULL and 0 where the function
/// has no such parameter.
pub(crate) struct RawArgs {
    pub parent: *const c_char,
    pub id: *const c_char,
    pub region: *const c_char,
    pub page: i32,
    pub size: i32,
    pub body: *const c_char,
    pub filter: *const c_char,
    pub cursor: *const c_char,
    pub name: *const c_char,
    pub value: *const c_char,
    pub out: *mut *mut c_char,
}

impl RawArgs {
    pub const NONE: RawArgs = RawArgs {
        parent: std::ptr::null(),
        id: std::ptr::null(),
        region: std::ptr::null(),
        page: 0,
        size: 0,
        body: std::ptr::null(),
        filter: std::ptr::null(),
        cursor: std::ptr::null(),
        name: std::ptr::null(),
        value: std::ptr::null(),
        out: std::ptr::null_mut(),
    };
}

/// The body of every resource function: endpoint `index` of the table.
pub(crate) unsafe fn invoke(index: usize, client: *mut ccx_client, raw: RawArgs) -> ccx_status {
    boundary::reset_out(raw.out);
    boundary::status(|| {
        let endpoint = &ENDPOINTS[index];
        let client = boundary::client(client)?;
        let parent_name = endpoint
            .parent
            .map(crate::endpoints::c_name)
            .unwrap_or_default();
        let args = Args {
            parent: boundary::optional_text(raw.parent, &parent_name)?,
            id: required(endpoint.has(Param::Id), raw.id, "id")?,
            region: required(endpoint.has(Param::Region), raw.region, "region_id")?,
            page: raw.page,
            size: raw.size,
            body: required(endpoint.has(Param::Body), raw.body, "body_json")?,
            filter: boundary::optional_text(raw.filter, "filter_json")?,
            cursor: boundary::optional_text(raw.cursor, "cursor")?,
            name: required(endpoint.has(Param::Name), raw.name, "name")?,
            value: required(endpoint.has(Param::Value), raw.value, "value_json")?,
        };

        let json = client.call(endpoint, &args)?;

        boundary::write_out(raw.out, json)
    })
}

unsafe fn required<'a>(
    wanted: bool,
    text: *const c_char,
    name: &str,
) -> crate::error::Result<Option<&'a str>> {
    if wanted {
        boundary::text(text, name).map(Some)
    } else {
        Ok(None)
    }
}
