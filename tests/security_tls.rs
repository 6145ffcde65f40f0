//! TLS: the emulator serves HTTPS with a certificate this test issues from a
//! CA it makes itself; the client must trust exactly what it is told to
//! (`ccx_client_set_ca_file` or `SSL_CERT_FILE`) and refuse everything else
//! before a single request reaches the server.
//!
//! `SSL_CERT_FILE` is process-global, and the client reads it when it is
//! made, so every test here holds one lock for its whole run.

mod support;

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::ptr;
use std::sync::Mutex;

use ccx_emulator::{Config, Emulator, TlsIdentity};
use cloudconnexa::ffi::{self, ccx_status};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, SanType};
use support::cabi::{c, last_error, CClient};

static ENVIRONMENT: Mutex<()> = Mutex::new(());

/// A certificate authority made for one test, and a directory for its files.
struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
    dir: PathBuf,
}

impl Pki {
    fn new(name: &str) -> Pki {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("ccx security test CA {name}"));
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        let dir =
            std::env::temp_dir().join(format!("ccx-security-tls-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pki = Pki { ca, dir };
        std::fs::write(pki.ca_file(), pki.ca.pem()).unwrap();
        pki
    }

    fn ca_file(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// A server certificate for these names, signed by this CA.
    fn server(&self, dns: &[&str], ips: &[IpAddr]) -> TlsIdentity {
        let mut params =
            CertificateParams::new(dns.iter().map(|d| d.to_string()).collect::<Vec<_>>()).unwrap();
        params
            .subject_alt_names
            .extend(ips.iter().map(|ip| SanType::IpAddress(*ip)));
        params
            .distinguished_name
            .push(DnType::CommonName, "ccx emulator");
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.ca).unwrap();
        TlsIdentity {
            cert_chain_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn https_emulator(identity: TlsIdentity) -> Emulator {
    Emulator::start(Config {
        rate_limit: None,
        tls: Some(identity),
        ..Config::default()
    })
    .expect("emulator with TLS")
}

fn client_for(emulator: &Emulator, url: &str) -> CClient {
    let client = CClient::new(url, emulator.client_id(), emulator.client_secret())
        .expect("client for the HTTPS emulator");
    // SAFETY: a live client.
    unsafe { assert_eq!(ffi::ccx_client_set_max_retries(client.0, 0), ffi::CCX_OK) };
    client
}

fn set_ca_file(client: &CClient, path: &Path) -> ccx_status {
    let path = c(path.to_str().unwrap());
    // SAFETY: a live client and a NUL-terminated path.
    unsafe { ffi::ccx_client_set_ca_file(client.0, path.as_ptr()) }
}

fn list_networks(client: &CClient) -> ccx_status {
    client.with_out(ffi::resources::ccx_networks_list).0
}

/// Asserts a refusal that names TLS or the certificate, and that the server
/// saw no HTTP request at all (the handshake failed before one).
fn assert_refused_by_tls(status: ccx_status, emulator: &Emulator) {
    let error = last_error();
    assert_eq!(status, ffi::CCX_ERR_NETWORK, "{error:?}");
    let message = error.message.to_lowercase();
    assert!(
        message.contains("tls") || message.contains("certificate"),
        "message should say TLS or certificate: {}",
        error.message
    );
    support::assert_no_secret(&error.message);
    assert_eq!(
        emulator.stats().requests,
        0,
        "no request may pass the TLS check"
    );
}

#[test]
fn trusted_via_ca_file_over_ip_and_name() {
    let _env = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
    let pki = Pki::new("ca-file");
    let emulator = https_emulator(pki.server(&["localhost"], &[LOOPBACK]));
    assert!(emulator.url().starts_with("https://127.0.0.1:"));

    let by_ip = client_for(&emulator, &emulator.url());
    assert_eq!(set_ca_file(&by_ip, &pki.ca_file()), ffi::CCX_OK);
    assert_eq!(list_networks(&by_ip), ffi::CCX_OK, "{:?}", last_error());

    // The DNS name resolves to loopback; only the emulator's port is used.
    let by_name = client_for(&emulator, &format!("https://localhost:{}", emulator.port()));
    assert_eq!(set_ca_file(&by_name, &pki.ca_file()), ffi::CCX_OK);
    assert_eq!(list_networks(&by_name), ffi::CCX_OK, "{:?}", last_error());

    let stats = emulator.stats();
    assert_eq!(stats.token_requests, 2);
    assert_eq!(stats.requests, 4);
}

#[test]
fn trusted_via_ssl_cert_file() {
    let _env = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
    let pki = Pki::new("env");
    let emulator = https_emulator(pki.server(&["localhost"], &[LOOPBACK]));

    std::env::set_var("SSL_CERT_FILE", pki.ca_file());
    let client = CClient::for_emulator(&emulator);
    std::env::remove_var("SSL_CERT_FILE");
    let client = client.expect("client with SSL_CERT_FILE");
    assert_eq!(list_networks(&client), ffi::CCX_OK, "{:?}", last_error());
    assert_eq!(emulator.stats().token_requests, 1);
}

#[test]
fn set_ca_file_overrides_ssl_cert_file() {
    let _env = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
    let right = Pki::new("override-right");
    let wrong = Pki::new("override-wrong");
    let emulator = https_emulator(right.server(&["localhost"], &[LOOPBACK]));

    std::env::set_var("SSL_CERT_FILE", wrong.ca_file());
    let client = CClient::for_emulator(&emulator);
    std::env::remove_var("SSL_CERT_FILE");
    let client = client.expect("client");
    // SAFETY: a live client.
    unsafe { assert_eq!(ffi::ccx_client_set_max_retries(client.0, 0), ffi::CCX_OK) };
    assert_refused_by_tls(list_networks(&client), &emulator);

    assert_eq!(set_ca_file(&client, &right.ca_file()), ffi::CCX_OK);
    assert_eq!(list_networks(&client), ffi::CCX_OK, "{:?}", last_error());
}

#[test]
fn unreadable_ssl_cert_file_is_a_config_error() {
    let _env = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
    let missing = std::env::temp_dir().join("ccx-security-no-such-ca.pem");
    std::env::set_var("SSL_CERT_FILE", &missing);
    let made = CClient::new("https://127.0.0.1:9", "id", "secret-not-shown");
    std::env::remove_var("SSL_CERT_FILE");
    let error = made
        .err()
        .expect("a client must not silently ignore SSL_CERT_FILE");
    assert_eq!(error.code, ffi::CCX_ERR_CONFIG, "{error:?}");
    assert!(error.message.contains("SSL_CERT_FILE"), "{}", error.message);
    assert!(!error.message.contains("secret-not-shown"));
}

#[test]
fn refused_with_the_bundled_roots() {
    let _env = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
    let pki = Pki::new("bundled");
    let emulator = https_emulator(pki.server(&["localhost"], &[LOOPBACK]));
    let client = client_for(&emulator, &emulator.url());
    assert_refused_by_tls(list_networks(&client), &emulator);
    // Refusals are not retried: a certificate does not get better.
    // SAFETY: a live client.
    unsafe { assert_eq!(ffi::ccx_client_set_max_retries(client.0, 3), ffi::CCX_OK) };
    assert_refused_by_tls(list_networks(&client), &emulator);
}

/// A POST whose TLS handshake fails was never sent: it is a network error
/// like any other refusal, not a write that "may have happened".
#[test]
fn a_post_refused_by_tls_is_not_ambiguous() {
    let _env = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
    let server_ca = Pki::new("post-server");
    let other_ca = Pki::new("post-other");
    let emulator = https_emulator(server_ca.server(&["localhost"], &[LOOPBACK]));
    let client = client_for(&emulator, &emulator.url());
    assert_eq!(set_ca_file(&client, &server_ca.ca_file()), ffi::CCX_OK);
    // SAFETY: a live client.
    assert_eq!(unsafe { ffi::ccx_authenticate(client.0) }, ffi::CCX_OK);
    // A new CA means new connections, and this one is not trusted.
    assert_eq!(set_ca_file(&client, &other_ca.ca_file()), ffi::CCX_OK);

    let (status, json) = client.request("POST", "/user-groups", Some(r#"{"name":"g"}"#));

    let error = last_error();
    assert_eq!(status, ffi::CCX_ERR_NETWORK, "{error:?}");
    assert_eq!(json, None);
    assert!(
        error.message.contains("nothing was sent"),
        "{}",
        error.message
    );
    assert!(error.message.contains("certificate"), "{}", error.message);
    let stats = emulator.stats();
    assert_eq!((stats.requests, stats.token_requests), (1, 1));
}

#[test]
fn refused_with_another_ca() {
    let _env = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
    let server_ca = Pki::new("another-server");
    let client_ca = Pki::new("another-client");
    let emulator = https_emulator(server_ca.server(&["localhost"], &[LOOPBACK]));
    let client = client_for(&emulator, &emulator.url());
    assert_eq!(set_ca_file(&client, &client_ca.ca_file()), ffi::CCX_OK);
    assert_refused_by_tls(list_networks(&client), &emulator);
}

#[test]
fn refused_for_a_name_the_certificate_does_not_carry() {
    let _env = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
    let pki = Pki::new("hostname");
    // Trusted CA, but the certificate is for another name and no IP.
    let emulator = https_emulator(pki.server(&["api.ccx-other.test"], &[]));
    for url in [
        emulator.url(),
        format!("https://localhost:{}", emulator.port()),
    ] {
        let client = client_for(&emulator, &url);
        assert_eq!(set_ca_file(&client, &pki.ca_file()), ffi::CCX_OK);
        assert_refused_by_tls(list_networks(&client), &emulator);
    }
}

#[test]
fn a_ca_file_without_certificates_is_refused() {
    let _env = ENVIRONMENT.lock().unwrap_or_else(|e| e.into_inner());
    let pki = Pki::new("empty");
    let empty = pki.dir.join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let client = CClient::new("https://127.0.0.1:9", "id", "secret").expect("client");
    assert_eq!(set_ca_file(&client, &empty), ffi::CCX_ERR_CONFIG);
    let missing = pki.dir.join("missing.pem");
    assert_eq!(set_ca_file(&client, &missing), ffi::CCX_ERR_CONFIG);
    // SAFETY: NULL client and path are refused, not dereferenced.
    unsafe {
        assert_eq!(
            ffi::ccx_client_set_ca_file(ptr::null_mut(), ptr::null()),
            ffi::CCX_ERR_INVALID_ARGUMENT
        );
    }
}
