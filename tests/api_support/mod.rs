//! Shared pieces of the `api_*` tests: the built library opened with
//! `dlopen` (so the tests see exactly what a C program links against),
//! `api/functions.tsv` parsed as the contract, an in-process emulator and a
//! scripted loopback server for replies the emulator would normalise.

#![allow(dead_code)]

use std::ffi::{c_char, c_void, CStr, CString};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

pub const CCX_OK: i32 = 0;
pub const CCX_ERR_INVALID_ARGUMENT: i32 = 1;
pub const CCX_ERR_NOT_FOUND: i32 = 5;
pub const CCX_ERR_UNSUPPORTED: i32 = 15;

/// The API versions the ABI names, oldest first.
pub const VERSIONS: [&str; 6] = ["1.0", "1.1.0", "1.1.1", "1.1.6", "1.2.0", "1.2.3"];

pub fn version_index(version: &str) -> usize {
    VERSIONS
        .iter()
        .position(|v| *v == version)
        .unwrap_or_else(|| panic!("unknown API version {version:?} in the contract"))
}

pub fn repo_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative)
}

// ---------------------------------------------------------------- library

/// The shared library as a C program would load it.
pub struct Lib {
    handle: *mut c_void,
    pub path: PathBuf,
}

// The handle is only used with dlsym, which is thread-safe.
unsafe impl Send for Lib {}
unsafe impl Sync for Lib {}

/// The `.so` that `cargo test` built with this test binary, in `deps/`
/// beside it: that one always matches the sources. (Test builds leave the
/// copy in the profile directory, which `make build` writes, as it was.)
fn library_path() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let deps = exe.parent().map(PathBuf::from).unwrap_or_default();
    let fresh = deps.join("libcloudconnexa.so");
    if fresh.exists() {
        return fresh;
    }
    deps.parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_file("target/debug"))
        .join("libcloudconnexa.so")
}

pub fn lib() -> &'static Lib {
    static LIB: OnceLock<Lib> = OnceLock::new();
    LIB.get_or_init(|| {
        let path = library_path();
        assert!(
            path.exists(),
            "{} is missing: build it with `make build` (cargo build -p cloudconnexa)",
            path.display()
        );
        let c_path = CString::new(path.to_str().unwrap()).unwrap();
        let handle = unsafe { libc::dlopen(c_path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        if handle.is_null() {
            let why = unsafe { CStr::from_ptr(libc::dlerror()) };
            panic!("dlopen {}: {}", path.display(), why.to_string_lossy());
        }
        Lib { handle, path }
    })
}

impl Lib {
    pub fn symbol(&self, name: &str) -> Option<*mut c_void> {
        let c_name = CString::new(name).unwrap();
        let found = unsafe { libc::dlsym(self.handle, c_name.as_ptr()) };
        (!found.is_null()).then_some(found)
    }

    fn must(&self, name: &str) -> *mut c_void {
        self.symbol(name)
            .unwrap_or_else(|| panic!("{name} is not exported by the library"))
    }

    pub fn last_error(&self) -> String {
        let f: extern "C" fn() -> *const c_char =
            unsafe { std::mem::transmute(self.must("ccx_last_error")) };
        unsafe { CStr::from_ptr(f()) }
            .to_string_lossy()
            .into_owned()
    }

    /// The HTTP status of this thread's last call; 0 when none.
    pub fn last_http_status(&self) -> i32 {
        let f: extern "C" fn() -> i32 =
            unsafe { std::mem::transmute(self.must("ccx_last_http_status")) };
        f()
    }

    fn take_string(&self, s: *mut c_char) -> Option<String> {
        if s.is_null() {
            return None;
        }
        let text = unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned();
        let free: unsafe extern "C" fn(*mut c_char) =
            unsafe { std::mem::transmute(self.must("ccx_string_free")) };
        unsafe { free(s) };
        Some(text)
    }
}

/// A `ccx_client` made through the C ABI; freed on drop.
pub struct Client {
    ptr: *mut c_void,
}

impl Client {
    pub fn new(url: &str, id: &str, secret: &str, version: Option<&str>) -> Client {
        let lib = lib();
        let new: unsafe extern "C" fn(
            *const c_char,
            *const c_char,
            *const c_char,
            *const c_char,
        ) -> *mut c_void = unsafe { std::mem::transmute(lib.must("ccx_client_new")) };
        let (url, id, secret) = (cstr(url), cstr(id), cstr(secret));
        let version = version.map(cstr);
        let version_ptr = version.as_ref().map_or(std::ptr::null(), |v| v.as_ptr());
        let ptr = unsafe { new(url.as_ptr(), id.as_ptr(), secret.as_ptr(), version_ptr) };
        assert!(!ptr.is_null(), "ccx_client_new: {}", lib.last_error());
        let client = Client { ptr };
        // A misbehaving fake must fail fast, not be retried for a minute.
        client.set_u32("ccx_client_set_max_retries", 0);
        client.set_u32("ccx_client_set_timeout_ms", 5000);
        client
    }

    pub fn for_emulator(emulator: &ccx_emulator::Emulator, version: Option<&str>) -> Client {
        Client::new(
            &emulator.url(),
            emulator.client_id(),
            emulator.client_secret(),
            version,
        )
    }

    pub fn set_u32(&self, setter: &str, value: u32) {
        let f: unsafe extern "C" fn(*mut c_void, u32) -> i32 =
            unsafe { std::mem::transmute(lib().must(setter)) };
        assert_eq!(unsafe { f(self.ptr, value) }, CCX_OK, "{setter}");
    }

    /// `ccx_request`, the generic escape hatch, used to set up objects.
    pub fn request(&self, method: &str, path: &str, body: Option<&str>) -> Reply {
        let args = [
            Arg::text(method),
            Arg::text(path),
            Arg::Str(body.map(str::to_string)),
        ];
        let shape = [Ty::Str, Ty::Str, Ty::Str, Ty::Out];
        self.call("ccx_request", &shape, &args)
    }

    /// `ccx_request` that must succeed, returning its JSON.
    pub fn json(&self, method: &str, path: &str, body: Option<&str>) -> serde_json::Value {
        let reply = self.request(method, path, body);
        assert_eq!(reply.status, CCX_OK, "{method} {path}: {}", reply.error);
        match reply.out {
            Some(text) => serde_json::from_str(&text).expect("JSON reply"),
            None => serde_json::Value::Null,
        }
    }

    /// Calls an exported function whose parameters after the client have
    /// the given shape; `args` has one entry per non-`Out` parameter.
    pub fn call(&self, function: &str, shape: &[Ty], args: &[Arg]) -> Reply {
        let lib = lib();
        let f = lib.must(function);
        let inputs: Vec<Arg> = args.to_vec();
        assert_eq!(
            inputs.len(),
            shape.iter().filter(|t| **t != Ty::Out).count(),
            "{function}: argument count"
        );
        let strings: Vec<Option<CString>> = inputs
            .iter()
            .map(|a| match a {
                Arg::Str(s) => s.as_deref().map(cstr),
                Arg::Int(_) => None,
            })
            .collect();
        let s = |i: usize| -> *const c_char {
            strings[i].as_ref().map_or(std::ptr::null(), |c| c.as_ptr())
        };
        let n = |i: usize| -> i32 {
            match inputs[i] {
                Arg::Int(v) => v,
                Arg::Str(_) => panic!("{function}: argument {i} is not an integer"),
            }
        };
        let mut out: *mut c_char = std::ptr::null_mut();
        let o = &mut out as *mut *mut c_char;
        let c = self.ptr;
        type S = *const c_char;
        type O = *mut *mut c_char;
        type C = *mut c_void;
        use Ty::{Int as I, Out as W, Str as T};
        // The symbol as a C function taking the client, then these types.
        macro_rules! as_fn {
            ($($t:ty),*) => {
                std::mem::transmute::<*mut c_void, unsafe extern "C" fn(C, $($t),*) -> i32>(f)
            };
        }
        // One arm per signature shape of functions.tsv; a new shape fails
        // here rather than being called with the wrong arguments.
        let status = unsafe {
            match shape {
                [] => as_fn!()(c),
                [W] => as_fn!(O)(c, o),
                [T] => as_fn!(S)(c, s(0)),
                [T, W] => as_fn!(S, O)(c, s(0), o),
                [T, T] => as_fn!(S, S)(c, s(0), s(1)),
                [T, T, W] => as_fn!(S, S, O)(c, s(0), s(1), o),
                [T, T, T] => as_fn!(S, S, S)(c, s(0), s(1), s(2)),
                [T, T, T, W] => as_fn!(S, S, S, O)(c, s(0), s(1), s(2), o),
                [I, I, W] => as_fn!(i32, i32, O)(c, n(0), n(1), o),
                [T, I, I, W] => as_fn!(S, i32, i32, O)(c, s(0), n(1), n(2), o),
                [T, T, I, W] => as_fn!(S, S, i32, O)(c, s(0), s(1), n(2), o),
                other => panic!("{function}: no caller for the shape {other:?}"),
            }
        };
        let error = if status == CCX_OK {
            String::new()
        } else {
            lib.last_error()
        };
        Reply {
            status,
            out: lib.take_string(out),
            error,
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let free: unsafe extern "C" fn(*mut c_void) =
            unsafe { std::mem::transmute(lib().must("ccx_client_free")) };
        unsafe { free(self.ptr) };
    }
}

fn cstr(s: &str) -> CString {
    CString::new(s).expect("no NUL inside test strings")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Str,
    Int,
    Out,
}

#[derive(Debug, Clone)]
pub enum Arg {
    Str(Option<String>),
    Int(i32),
}

impl Arg {
    pub fn text(s: &str) -> Arg {
        Arg::Str(Some(s.to_string()))
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: i32,
    pub out: Option<String>,
    pub error: String,
}

impl Reply {
    pub fn ok(self, what: &str) -> Option<String> {
        assert_eq!(self.status, CCX_OK, "{what}: {}", self.error);
        self.out
    }

    pub fn json(self, what: &str) -> serde_json::Value {
        let text = self
            .ok(what)
            .unwrap_or_else(|| panic!("{what}: no out_json"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: {e}: {text}"))
    }
}

// ---------------------------------------------------------------- contract

/// One row of `api/functions.tsv`.
#[derive(Debug, Clone)]
pub struct Row {
    pub function: String,
    pub method: String,
    pub path: String,
    pub query: String,
    pub signature: String,
    pub since: String,
    /// Parameters after `ccx_client *client`: type and C name.
    pub params: Vec<(Ty, String)>,
}

impl Row {
    pub fn shape(&self) -> Vec<Ty> {
        self.params.iter().map(|(t, _)| *t).collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.params.iter().any(|(_, n)| n == name)
    }

    pub fn has_out(&self) -> bool {
        self.params.iter().any(|(t, _)| *t == Ty::Out)
    }

    /// Does the `query` column name this query parameter?
    pub fn names_query(&self, name: &str) -> bool {
        self.query
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .any(|word| word == name)
    }
}

pub fn functions() -> Vec<Row> {
    let text = std::fs::read_to_string(repo_file("api/functions.tsv")).expect("api/functions.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("functions.tsv has no {name} column"))
    };
    let (f, m, p, q, s, v) = (
        col("function"),
        col("method"),
        col("path"),
        col("query"),
        col("c_signature"),
        col("since"),
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            let cell = |i: usize| cells.get(i).copied().unwrap_or("").trim().to_string();
            Row {
                function: cell(f),
                method: cell(m),
                path: cell(p),
                query: cell(q),
                params: parse_params(&cell(s)),
                signature: cell(s),
                since: cell(v),
            }
        })
        .collect()
}

fn parse_params(signature: &str) -> Vec<(Ty, String)> {
    let inner = signature
        .split_once('(')
        .and_then(|(_, rest)| rest.rsplit_once(')'))
        .map(|(inner, _)| inner)
        .unwrap_or_else(|| panic!("signature without parameters: {signature}"));
    let mut params = inner.split(',').map(str::trim);
    assert_eq!(
        params.next(),
        Some("ccx_client *client"),
        "first parameter of {signature}"
    );
    params
        .map(|p| {
            let name = p.rsplit(['*', ' ']).next().unwrap().to_string();
            let ty = if p.starts_with("const char *") {
                Ty::Str
            } else if p.starts_with("int32_t ") {
                Ty::Int
            } else if p.starts_with("char **") {
                Ty::Out
            } else {
                panic!("unknown parameter type in {signature}: {p}")
            };
            (ty, name)
        })
        .collect()
}

// ---------------------------------------------------------------- emulator

pub fn emulator() -> ccx_emulator::Emulator {
    ccx_emulator::Emulator::start(ccx_emulator::Config {
        rate_limit: None,
        ..Default::default()
    })
    .expect("emulator starts")
}

pub fn is_token_request(path: &str) -> bool {
    path.ends_with("/oauth/token")
}

/// The API requests the emulator recorded, token requests left out.
pub fn api_requests(emulator: &ccx_emulator::Emulator) -> Vec<ccx_emulator::RecordedRequest> {
    emulator
        .requests()
        .into_iter()
        .filter(|r| !is_token_request(&r.path))
        .collect()
}

/// Decoded `name=value` pairs of a raw query string.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn query_value(query: &str, name: &str) -> Option<String> {
    query_pairs(query)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Fetches a path straight from the emulator, bypassing the library, to
/// compare the library's output with the bytes the server sends.
pub fn raw_get(emulator: &ccx_emulator::Emulator, path_and_query: &str) -> Vec<u8> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .build()
        .into();
    let token_url = format!(
        "{}/api/v1/oauth/token?client_id={}&client_secret={}&grant_type=client_credentials",
        emulator.url(),
        emulator.client_id(),
        emulator.client_secret()
    );
    let mut reply = agent.post(&token_url).send_empty().expect("token");
    let token: serde_json::Value =
        serde_json::from_slice(&reply.body_mut().read_to_vec().expect("token body"))
            .expect("token JSON");
    let token = token["access_token"]
        .as_str()
        .expect("access_token")
        .to_string();
    let mut reply = agent
        .get(format!("{}/api/v1{}", emulator.url(), path_and_query))
        .header("Authorization", format!("Bearer {token}"))
        .call()
        .expect("GET");
    assert_eq!(reply.status().as_u16(), 200, "raw GET {path_and_query}");
    reply.body_mut().read_to_vec().expect("body")
}

// ---------------------------------------------------------------- fake server

/// A request as the scripted server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// What the scripted server answers: status, content type, body.
pub type Answer = (u16, &'static str, Vec<u8>);

/// A loopback HTTP/1.1 server that answers each request from a script, one
/// connection per request. It hands out tokens itself, so a script only
/// describes API replies.
pub struct FakeServer {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    port: u16,
}

impl FakeServer {
    pub fn start(script: impl Fn(&Seen) -> Answer + Send + 'static) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (seen, stop) = (seen.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    serve(stream, &script, &seen);
                }
            })
        };
        FakeServer {
            url: format!("http://127.0.0.1:{port}"),
            seen,
            stop,
            thread: Some(thread),
            port,
        }
    }

    /// Every request, token requests included.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub fn api_seen(&self) -> Vec<Seen> {
        self.seen()
            .into_iter()
            .filter(|r| !is_token_request(&r.path))
            .collect()
    }

    pub fn client(&self, version: Option<&str>) -> Client {
        Client::new(&self.url, "fake-id", "fake-secret", version)
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Reads one request, records it, then replies. Recording comes first: the
/// reply wakes the test, which may look at `seen` at once.
fn serve(
    stream: TcpStream,
    script: &impl Fn(&Seen) -> Answer,
    seen: &Mutex<Vec<Seen>>,
) -> Option<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut words = line.split_whitespace();
    let method = words.next()?.to_string();
    let target = words.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.clone(), String::new()),
    };
    let request = Seen {
        method,
        path,
        query,
        headers,
        body,
    };
    let (status, content_type, reply) = if is_token_request(&request.path) {
        let token = br#"{"access_token":"fake-token","token_type":"bearer","expires_in":3600}"#;
        (200, "application/json", token.to_vec())
    } else {
        script(&request)
    };
    seen.lock().unwrap().push(request);
    let mut stream = stream;
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        reply.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(&reply).ok()?;
    stream.flush().ok()
}
