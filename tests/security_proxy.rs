//! Proxies: the variables are read as curl reads them (`https_proxy` /
//! `HTTPS_PROXY` for https, `http_proxy` for http, then `ALL_PROXY`, and
//! `NO_PROXY`); `ccx_client_set_proxy(client, url)` sets one and
//! `ccx_client_set_proxy(client, NULL)` turns proxying off. The proxy here is
//! a small CONNECT proxy on loopback that records what it was asked and
//! tunnels only to loopback.
//!
//! The proxy variables are process-global and read when a client is made,
//! so every test in this binary holds one lock while it changes them.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use ccx_emulator::{Config, Emulator, TlsIdentity};
use cloudconnexa::ffi;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, SanType};
use support::cabi::{c, last_error, CClient};

const PROXY_VARIABLES: [&str; 8] = [
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "NO_PROXY",
    "no_proxy",
];

static ENVIRONMENT: Mutex<()> = Mutex::new(());

/// Holds the environment lock with every proxy variable cleared, and puts
/// back what was there when dropped.
struct ProxyEnv {
    saved: Vec<(&'static str, Option<String>)>,
    _lock: MutexGuard<'static, ()>,
}

impl ProxyEnv {
    fn clear() -> ProxyEnv {
        let lock = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
        let saved = PROXY_VARIABLES
            .iter()
            .map(|name| (*name, std::env::var(name).ok()))
            .collect();
        for name in PROXY_VARIABLES {
            std::env::remove_var(name);
        }
        ProxyEnv { saved, _lock: lock }
    }

    fn set(&self, name: &str, value: &str) {
        std::env::set_var(name, value);
    }
}

impl Drop for ProxyEnv {
    fn drop(&mut self) {
        for (name, value) in &self.saved {
            match value {
                Some(value) => std::env::set_var(name, value),
                None => std::env::remove_var(name),
            }
        }
    }
}

/// What a connection to the proxy asked for.
#[derive(Debug, Clone)]
struct Asked {
    request_line: String,
    headers: Vec<String>,
}

/// A CONNECT proxy on 127.0.0.1. It refuses any target that is not
/// loopback, so a test can never tunnel anywhere else.
struct ConnectProxy {
    port: u16,
    scheme: &'static str,
    asked: Arc<Mutex<Vec<Asked>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl ConnectProxy {
    fn start(refuse_all: bool) -> ConnectProxy {
        ConnectProxy::start_serving(
            move |stream, asked| serve(stream, asked, refuse_all),
            "http",
        )
    }

    /// A SOCKS5 proxy (no authentication, CONNECT only), recorded the same
    /// way: each request line reads `SOCKS5 CONNECT host:port`.
    fn start_socks5() -> ConnectProxy {
        ConnectProxy::start_serving(|stream, asked| serve_socks5(stream, asked, false), "socks5")
    }

    /// A SOCKS5 proxy whose rules allow nothing (reply 2).
    fn start_socks5_refusing() -> ConnectProxy {
        ConnectProxy::start_serving(|stream, asked| serve_socks5(stream, asked, true), "socks5")
    }

    fn start_serving(
        serve: impl Fn(TcpStream, &Mutex<Vec<Asked>>) + Send + Sync + Copy + 'static,
        scheme: &'static str,
    ) -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let asked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (asked, stop) = (asked.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut tunnels = Vec::new();
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            stream.set_nonblocking(false).unwrap();
                            let asked = asked.clone();
                            tunnels.push(std::thread::spawn(move || serve(stream, &asked)));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
                for tunnel in tunnels {
                    let _ = tunnel.join();
                }
            })
        };
        ConnectProxy {
            port,
            scheme,
            asked,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("{}://127.0.0.1:{}", self.scheme, self.port)
    }

    fn asked(&self) -> Vec<Asked> {
        self.asked.lock().unwrap().clone()
    }
}

impl Drop for ConnectProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Copies bytes both ways between the client and the target until both
/// are done.
fn pipe(client: TcpStream, reader: impl std::io::Read + Send + 'static, upstream: TcpStream) {
    let mut writer = client;
    let mut reader = reader;
    let mut to_upstream = upstream.try_clone().unwrap();
    let inbound = std::thread::spawn(move || {
        let _ = std::io::copy(&mut reader, &mut to_upstream);
        let _ = to_upstream.shutdown(Shutdown::Write);
    });
    let mut from_upstream = upstream;
    let _ = std::io::copy(&mut from_upstream, &mut writer);
    let _ = writer.shutdown(Shutdown::Both);
    let _ = inbound.join();
}

fn serve_socks5(client: TcpStream, asked: &Mutex<Vec<Asked>>, refuse_all: bool) {
    use std::io::Read;
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = client.try_clone().unwrap();
    let mut writer = client.try_clone().unwrap();
    let mut head = [0u8; 2];
    if reader.read_exact(&mut head).is_err() || head[0] != 5 {
        return;
    }
    let mut methods = vec![0u8; usize::from(head[1])];
    if reader.read_exact(&mut methods).is_err() || !methods.contains(&0) {
        let _ = writer.write_all(&[5, 0xff]);
        return;
    }
    let _ = writer.write_all(&[5, 0]);
    let mut request = [0u8; 4];
    if reader.read_exact(&mut request).is_err() || request[..3] != [5, 1, 0] {
        return;
    }
    let host = match request[3] {
        1 => {
            let mut ip = [0u8; 4];
            reader.read_exact(&mut ip).unwrap();
            std::net::Ipv4Addr::from(ip).to_string()
        }
        3 => {
            let mut len = [0u8; 1];
            reader.read_exact(&mut len).unwrap();
            let mut name = vec![0u8; usize::from(len[0])];
            reader.read_exact(&mut name).unwrap();
            String::from_utf8_lossy(&name).into_owned()
        }
        _ => return,
    };
    let mut port = [0u8; 2];
    reader.read_exact(&mut port).unwrap();
    let target = format!("{host}:{}", u16::from_be_bytes(port));
    asked.lock().unwrap().push(Asked {
        request_line: format!("SOCKS5 CONNECT {target}"),
        headers: Vec::new(),
    });
    // Loopback only, so a test can never reach anywhere else.
    let upstream = if !refuse_all && (host == "127.0.0.1" || host == "localhost") {
        TcpStream::connect(&target).ok()
    } else {
        None
    };
    let Some(upstream) = upstream else {
        let _ = writer.write_all(&[5, 2, 0, 1, 0, 0, 0, 0, 0, 0]);
        return;
    };
    let _ = writer.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0]);
    client.set_read_timeout(None).unwrap();
    pipe(client, reader, upstream);
}

fn serve(client: TcpStream, asked: &Mutex<Vec<Asked>>, refuse_all: bool) {
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
            break;
        }
        headers.push(line.trim_end().to_string());
    }
    let request_line = request_line.trim_end().to_string();
    asked.lock().unwrap().push(Asked {
        request_line: request_line.clone(),
        headers,
    });
    let mut writer = client.try_clone().unwrap();
    let target = request_line
        .strip_prefix("CONNECT ")
        .and_then(|rest| rest.split(' ').next())
        .filter(|target| target.starts_with("127.0.0.1:") || target.starts_with("localhost:"));
    let upstream = match target {
        Some(target) if !refuse_all => TcpStream::connect(target).ok(),
        _ => None,
    };
    let Some(upstream) = upstream else {
        let _ = writer.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        return;
    };
    let _ = writer.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    client.set_read_timeout(None).unwrap();
    // Bytes the reader buffered past the head belong to the tunnel.
    let early = reader.buffer().to_vec();
    let _ = upstream.try_clone().unwrap().write_all(&early);
    pipe(writer, reader, upstream);
}

fn emulator(tls: Option<TlsIdentity>) -> Emulator {
    Emulator::start(Config {
        rate_limit: None,
        tls,
        ..Config::default()
    })
    .unwrap()
}

/// A certificate for 127.0.0.1 and the PEM of the CA that signed it.
fn identity() -> (TlsIdentity, String) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    leaf.subject_alt_names
        .push(SanType::IpAddress([127, 0, 0, 1].into()));
    let key = KeyPair::generate().unwrap();
    let cert = leaf.signed_by(&key, &ca).unwrap();
    let identity = TlsIdentity {
        cert_chain_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    };
    (identity, ca.pem())
}

/// `ccx_client_new` for the emulator, NULL when it fails.
fn new_raw_client(emulator: &Emulator) -> *mut ffi::ccx_client {
    let (url, id, secret) = (
        c(&emulator.url()),
        c(emulator.client_id()),
        c(emulator.client_secret()),
    );
    // SAFETY: live NUL-terminated strings.
    unsafe { ffi::ccx_client_new(url.as_ptr(), id.as_ptr(), secret.as_ptr(), ptr::null()) }
}

/// A client made as a C program would make one, without the test helper's
/// "no proxy" override, so the environment decides.
fn client_from_environment(emulator: &Emulator) -> CClient {
    let raw = new_raw_client(emulator);
    assert!(!raw.is_null(), "{:?}", last_error());
    // SAFETY: a live client.
    unsafe {
        assert_eq!(ffi::ccx_client_set_max_retries(raw, 0), ffi::CCX_OK);
        assert_eq!(ffi::ccx_client_set_timeout_ms(raw, 3000), ffi::CCX_OK);
    }
    CClient(raw)
}

fn set_proxy(client: &CClient, url: Option<&str>) -> i32 {
    let url = url.map(c);
    // SAFETY: a live client; NULL or a NUL-terminated URL.
    unsafe { ffi::ccx_client_set_proxy(client.0, url.as_ref().map_or(ptr::null(), |u| u.as_ptr())) }
}

fn list(client: &CClient) -> i32 {
    client.with_out(ffi::resources::ccx_networks_list).0
}

fn connects(proxy: &ConnectProxy) -> Vec<String> {
    proxy.asked().into_iter().map(|a| a.request_line).collect()
}

/// A client of an HTTPS emulator that trusts the emulator's CA, with
/// whatever proxy the environment names.
fn https_client(emulator: &Emulator, ca_pem: &str) -> CClient {
    let client = client_from_environment(emulator);
    let ca_file = std::env::temp_dir().join(format!("ccx-proxy-ca-{}.pem", std::process::id()));
    std::fs::write(&ca_file, ca_pem).unwrap();
    let path = c(ca_file.to_str().unwrap());
    // SAFETY: a live client and path.
    let status = unsafe { ffi::ccx_client_set_ca_file(client.0, path.as_ptr()) };
    let _ = std::fs::remove_file(&ca_file);
    assert_eq!(status, ffi::CCX_OK);
    client
}

#[test]
fn https_proxy_from_the_environment_tunnels_https() {
    let env = ProxyEnv::clear();
    let (identity, ca_pem) = identity();
    let emulator = emulator(Some(identity));
    let proxy = ConnectProxy::start(false);
    env.set("HTTPS_PROXY", &proxy.url());

    let client = https_client(&emulator, &ca_pem);

    assert_eq!(list(&client), ffi::CCX_OK, "{:?}", last_error());
    let target = format!("CONNECT 127.0.0.1:{} HTTP/1.1", emulator.port());
    let asked = proxy.asked();
    assert!(!asked.is_empty());
    for a in &asked {
        assert_eq!(a.request_line, target);
        // The proxy learns the host and port, never the credentials.
        for header in &a.headers {
            let lower = header.to_ascii_lowercase();
            assert!(!lower.starts_with("authorization"), "{header}");
            assert!(!header.contains(emulator.client_secret()));
        }
    }
    assert_eq!(emulator.stats().requests, 2);
}

/// For each variable of `order` in turn: sets it to a working proxy, every
/// later one and each of `ignored` to a refusing one, and checks that a
/// client made by `client` goes through the working proxy only.
fn check_order(order: &[&str], ignored: &[&str], client: impl Fn() -> CClient) {
    for (i, winner) in order.iter().enumerate() {
        let env = ProxyEnv::clear();
        let working = ConnectProxy::start(false);
        let refusing = ConnectProxy::start(true);
        env.set(winner, &working.url());
        for loser in order[i + 1..].iter().chain(ignored) {
            env.set(loser, &refusing.url());
        }

        let client = client();

        assert_eq!(list(&client), ffi::CCX_OK, "{winner}: {:?}", last_error());
        assert!(!connects(&working).is_empty(), "{winner} was not used");
        assert!(
            connects(&working)
                .iter()
                .all(|line| line.starts_with("CONNECT 127.0.0.1:")),
            "{winner}"
        );
        assert!(connects(&refusing).is_empty(), "{winner} lost to another");
    }
}

/// curl's order for https: https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY;
/// the http variables never apply.
#[test]
fn https_takes_the_scheme_variable_before_all_proxy() {
    let (identity, ca_pem) = identity();
    let emulator = emulator(Some(identity));
    check_order(
        &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"],
        &["HTTP_PROXY", "http_proxy"],
        || https_client(&emulator, &ca_pem),
    );
}

/// For plain http (loopback only): http_proxy, then all_proxy, ALL_PROXY.
/// The https variables do not apply, and upper-case HTTP_PROXY is ignored
/// as curl ignores it.
#[test]
fn http_takes_lower_case_http_proxy_then_all_proxy() {
    let emulator = emulator(None);
    check_order(
        &["http_proxy", "all_proxy", "ALL_PROXY"],
        &["HTTPS_PROXY", "https_proxy", "HTTP_PROXY"],
        || client_from_environment(&emulator),
    );

    let env = ProxyEnv::clear();
    let refusing = ConnectProxy::start(true);
    for name in ["HTTP_PROXY", "HTTPS_PROXY", "https_proxy"] {
        env.set(name, &refusing.url());
    }
    let client = client_from_environment(&emulator);
    assert_eq!(list(&client), ffi::CCX_OK, "{:?}", last_error());
    assert!(connects(&refusing).is_empty());
}

/// A proxy variable that is set but is not a proxy URL stops the client
/// from being made, rather than being skipped in silence; the message
/// names the variable and never repeats its value, which may carry a
/// password.
#[test]
fn a_malformed_proxy_variable_is_a_config_error_at_creation() {
    let emulator = emulator(None);
    for (name, value) in [
        ("http_proxy", "http://user:hunter2@[::1"),
        ("ALL_PROXY", "ftp://user:hunter2@127.0.0.1:21"),
        ("all_proxy", "http://user:hunter2@127.0.0.1:99999"),
        ("http_proxy", "socks5://user:hunter2@127.0.0.1:0"),
    ] {
        let env = ProxyEnv::clear();
        env.set(name, value);
        let raw = new_raw_client(&emulator);
        assert!(raw.is_null(), "{name}={value} was accepted");
        let error = last_error();
        assert_eq!(error.code, ffi::CCX_ERR_CONFIG);
        assert!(error.message.contains(name), "{}", error.message);
        assert!(!error.message.contains("hunter2"), "{}", error.message);
    }
}

#[test]
fn no_proxy_bypasses_the_proxy() {
    for (variable, value) in [
        ("NO_PROXY", "127.0.0.1"),
        ("no_proxy", "localhost,127.0.0.1,::1"),
        ("NO_PROXY", "*"),
        ("NO_PROXY", "example.com, 127.0.0.0/8"),
        ("no_proxy", " 10.0.0.0/8 ,127.0.0.1 "),
    ] {
        let env = ProxyEnv::clear();
        let emulator = emulator(None);
        let proxy = ConnectProxy::start(true);
        env.set("http_proxy", &proxy.url());
        env.set(variable, value);
        let client = client_from_environment(&emulator);
        assert_eq!(
            list(&client),
            ffi::CCX_OK,
            "{variable}={value}: {:?}",
            last_error()
        );
        assert!(connects(&proxy).is_empty(), "{variable}={value}");
    }
}

/// curl's edge cases: the first variable set is the one read, even blank;
/// a host NO_PROXY bypasses never has its proxy variable parsed; entries
/// may be separated by spaces.
#[test]
fn blank_and_bypassed_variables_are_read_as_curl_reads_them() {
    let emulator = emulator(None);

    // A blank http_proxy means no proxy, whatever ALL_PROXY says.
    let env = ProxyEnv::clear();
    let refusing = ConnectProxy::start(true);
    env.set("http_proxy", " ");
    env.set("ALL_PROXY", &refusing.url());
    let client = client_from_environment(&emulator);
    assert_eq!(list(&client), ffi::CCX_OK, "{:?}", last_error());
    assert!(connects(&refusing).is_empty());
    drop(env);

    // A blank no_proxy bypasses nothing, whatever NO_PROXY says.
    let env = ProxyEnv::clear();
    let working = ConnectProxy::start(false);
    env.set("http_proxy", &working.url());
    env.set("no_proxy", "");
    env.set("NO_PROXY", "127.0.0.1");
    let client = client_from_environment(&emulator);
    assert_eq!(list(&client), ffi::CCX_OK, "{:?}", last_error());
    assert!(
        !connects(&working).is_empty(),
        "the blank no_proxy was skipped"
    );
    drop(env);

    // A bypassed host does not care that its proxy variable is malformed;
    // entries separated by spaces count.
    let env = ProxyEnv::clear();
    env.set("http_proxy", "not a proxy URL");
    env.set("NO_PROXY", "example.com 127.0.0.1");
    let client = client_from_environment(&emulator);
    assert_eq!(list(&client), ffi::CCX_OK, "{:?}", last_error());
    drop(env);
}

#[test]
fn no_proxy_that_names_other_hosts_keeps_the_proxy() {
    for value in [
        "example.com",
        "10.0.0.0/8",
        "127.0.0.2",
        "0.0.1",
        "example.com,*",
        "0.0.0.0/0",
    ] {
        let env = ProxyEnv::clear();
        let emulator = emulator(None);
        let proxy = ConnectProxy::start(false);
        env.set("http_proxy", &proxy.url());
        env.set("NO_PROXY", value);
        let client = client_from_environment(&emulator);
        assert_eq!(list(&client), ffi::CCX_OK, "{value}: {:?}", last_error());
        assert!(!connects(&proxy).is_empty(), "NO_PROXY={value} bypassed it");
    }
}

#[test]
fn set_proxy_overrides_the_environment_both_ways() {
    let env = ProxyEnv::clear();
    let emulator = emulator(None);
    let refusing = ConnectProxy::start(true);
    let tunnelling = ConnectProxy::start(false);

    // The environment names a proxy; NULL turns proxying off.
    env.set("http_proxy", &refusing.url());
    let client = client_from_environment(&emulator);
    assert_eq!(set_proxy(&client, None), ffi::CCX_OK);
    assert_eq!(list(&client), ffi::CCX_OK, "{:?}", last_error());
    assert!(connects(&refusing).is_empty());

    // An explicit proxy is used even where NO_PROXY would bypass one.
    env.set("NO_PROXY", "127.0.0.1");
    assert_eq!(set_proxy(&client, Some(&tunnelling.url())), ffi::CCX_OK);
    assert_eq!(list(&client), ffi::CCX_OK, "{:?}", last_error());
    assert!(!connects(&tunnelling).is_empty());
    assert!(connects(&refusing).is_empty());
}

/// SOCKS5, from ALL_PROXY and from ccx_client_set_proxy, for plain http
/// and for https (TLS end to end through the tunnel).
#[test]
fn a_socks5_proxy_carries_http_and_https() {
    let env = ProxyEnv::clear();
    let plain = emulator(None);
    let socks = ConnectProxy::start_socks5();
    env.set("ALL_PROXY", &socks.url());
    let client = client_from_environment(&plain);
    assert_eq!(list(&client), ffi::CCX_OK, "{:?}", last_error());
    let target = format!("SOCKS5 CONNECT 127.0.0.1:{}", plain.port());
    assert!(!connects(&socks).is_empty());
    assert!(connects(&socks).iter().all(|line| *line == target));
    drop(env);

    let env = ProxyEnv::clear();
    let (identity, ca_pem) = identity();
    let secure = emulator(Some(identity));
    let socks = ConnectProxy::start_socks5();
    let client = https_client(&secure, &ca_pem);
    assert_eq!(set_proxy(&client, Some(&socks.url())), ffi::CCX_OK);
    assert_eq!(list(&client), ffi::CCX_OK, "{:?}", last_error());
    let target = format!("SOCKS5 CONNECT 127.0.0.1:{}", secure.port());
    assert!(!connects(&socks).is_empty());
    assert!(connects(&socks).iter().all(|line| *line == target));
    assert_eq!(secure.stats().requests, 2);
    drop(env);
}

/// A POST that a proxy refused to carry was never sent: a network error,
/// not a write that "may have happened", and not retried.
#[test]
fn a_post_a_socks_proxy_refuses_is_not_ambiguous() {
    let _env = ProxyEnv::clear();
    let emulator = emulator(None);
    let client = client_from_environment(&emulator);
    // SAFETY: a live client.
    assert_eq!(unsafe { ffi::ccx_authenticate(client.0) }, ffi::CCX_OK);
    let refusing = ConnectProxy::start_socks5_refusing();
    assert_eq!(set_proxy(&client, Some(&refusing.url())), ffi::CCX_OK);
    // SAFETY: a live client.
    assert_eq!(
        unsafe { ffi::ccx_client_set_max_retries(client.0, 3) },
        ffi::CCX_OK
    );

    let (status, _) = client.request("POST", "/user-groups", Some(r#"{"name":"g"}"#));

    let error = last_error();
    assert_eq!(status, ffi::CCX_ERR_NETWORK, "{error:?}");
    assert!(
        error.message.contains("nothing was sent"),
        "{}",
        error.message
    );
    let via = format!("(through the proxy {})", refusing.url());
    assert!(error.message.ends_with(&via), "{}", error.message);
    assert_eq!(connects(&refusing).len(), 1, "a refusal is not retried");
    assert_eq!(
        emulator.stats().requests,
        1,
        "only the token request arrived"
    );
}

#[test]
fn a_refusing_proxy_is_a_network_error() {
    let env = ProxyEnv::clear();
    let emulator = emulator(None);
    let proxy = ConnectProxy::start(true);
    env.set("http_proxy", &proxy.url());
    let client = client_from_environment(&emulator);
    assert_eq!(list(&client), ffi::CCX_ERR_NETWORK);
    let error = last_error();
    assert!(
        error
            .message
            .contains(&format!("(through the proxy {})", proxy.url())),
        "{}",
        error.message
    );
    support::assert_no_secret(&error.message);
    assert!(!error.message.contains(emulator.client_secret()));
    assert_eq!(emulator.stats().requests, 0);
    assert!(!connects(&proxy).is_empty());
}

#[test]
fn a_proxy_url_that_is_not_a_url_is_a_config_error() {
    let _env = ProxyEnv::clear();
    let client = CClient::new("https://127.0.0.1:9", "id", "secret").unwrap();
    assert_eq!(set_proxy(&client, Some("http://[::1")), ffi::CCX_ERR_CONFIG);
    assert_eq!(
        set_proxy(&client, Some("ftp://127.0.0.1:21")),
        ffi::CCX_ERR_CONFIG
    );
}
