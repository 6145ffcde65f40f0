//! Redirects are never followed: a 3xx comes back as an error naming the
//! Location, and the host it points at receives nothing at all, so neither
//! the Basic credentials of a token request nor a bearer token can be sent
//! somewhere the caller did not configure.

mod support;

use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use ccx_emulator::{Config, Emulator, Fault, FaultKind};
use cloudconnexa::ffi;
use support::cabi::{last_error, CClient};

/// A loopback listener that only counts: any connection or byte that
/// reaches it is a failure of the test.
struct Bystander {
    port: u16,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
    bytes: Arc<Mutex<Vec<u8>>>,
    thread: Option<JoinHandle<()>>,
}

impl Bystander {
    fn start() -> Bystander {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let bytes = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (stop, connections, bytes) = (stop.clone(), connections.clone(), bytes.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((mut stream, _)) => {
                            connections.fetch_add(1, Ordering::SeqCst);
                            stream.set_nonblocking(false).unwrap();
                            stream
                                .set_read_timeout(Some(Duration::from_millis(300)))
                                .unwrap();
                            let mut seen = Vec::new();
                            let _ = stream.read_to_end(&mut seen);
                            bytes.lock().unwrap().extend(seen);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Bystander {
            port,
            stop,
            connections,
            bytes,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Stops listening and returns what arrived.
    fn finish(mut self) -> (usize, Vec<u8>) {
        // A client that followed the redirect would already have connected
        // and written before its call returned; the pause only lets the
        // accept loop notice a connection that is already queued.
        std::thread::sleep(Duration::from_millis(50));
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
        let bytes = self.bytes.lock().unwrap().clone();
        (self.connections.load(Ordering::SeqCst), bytes)
    }
}

fn emulator() -> Emulator {
    Emulator::start(Config {
        rate_limit: None,
        ..Config::default()
    })
    .unwrap()
}

fn redirect(status: u16, location: &str) -> FaultKind {
    FaultKind::Status {
        status,
        headers: vec![("Location".into(), location.into())],
        body: String::new(),
    }
}

#[test]
fn a_resource_call_is_not_redirected() {
    for status in [301, 302, 303, 307, 308] {
        let emulator = emulator();
        let bystander = Bystander::start();
        let location = bystander.url("/api/v1/networks");
        emulator.inject(
            Fault::new(redirect(status, &location))
                .method("GET")
                .path_prefix("/api/v1/networks"),
        );
        let client = CClient::for_emulator(&emulator).unwrap();
        let (code, json) = client.with_out(ffi::resources::ccx_networks_list);
        let error = last_error();
        assert_eq!(code, ffi::CCX_ERR_HTTP, "{status}: {error:?}");
        assert!(json.is_none());
        assert_eq!(error.http_status, i32::from(status));
        assert!(error.message.contains(&location), "{}", error.message);
        assert!(error.message.contains("not followed"), "{}", error.message);

        let (connections, bytes) = bystander.finish();
        assert_eq!(
            connections, 0,
            "{status}: the redirect target was contacted"
        );
        assert!(bytes.is_empty());
        // The emulator saw the token request and the one redirected call.
        assert_eq!(emulator.stats().requests, 2, "{status}");
    }
}

#[test]
fn a_token_request_is_not_redirected() {
    for status in [302, 307] {
        let emulator = emulator();
        let bystander = Bystander::start();
        let location = bystander.url("/api/v1/oauth/token");
        emulator.inject(
            Fault::new(redirect(status, &location))
                .path_prefix("/api/v1/oauth/token")
                .times(10),
        );
        let client = CClient::for_emulator(&emulator).unwrap();
        // SAFETY: a live client.
        let code = unsafe { ffi::ccx_authenticate(client.0) };
        let error = last_error();
        assert_ne!(code, ffi::CCX_OK);
        assert!(error.message.contains(&location), "{}", error.message);
        support::assert_no_secret(&error.message);
        assert!(!error.message.contains(emulator.client_secret()));

        let (connections, bytes) = bystander.finish();
        assert_eq!(connections, 0, "{status}: credentials could have followed");
        assert!(bytes.is_empty());
        assert_eq!(emulator.stats().token_requests, 1, "3xx is not retried");
    }
}

#[test]
fn a_redirect_to_https_elsewhere_is_not_followed_either() {
    // A Location on another scheme and port, as a captive portal or a
    // misconfigured load balancer would send.
    let emulator = emulator();
    let bystander = Bystander::start();
    let location = format!("https://127.0.0.1:{}/login", bystander.port);
    emulator.inject(Fault::new(redirect(302, &location)).path_prefix("/api/v1/users"));
    let client = CClient::for_emulator(&emulator).unwrap();
    let (code, _) = client.with_out(ffi::resources::ccx_users_list);
    assert_eq!(code, ffi::CCX_ERR_HTTP, "{:?}", last_error());
    let (connections, _) = bystander.finish();
    assert_eq!(connections, 0);
}
