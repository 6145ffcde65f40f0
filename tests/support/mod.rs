//! Shared helpers of the scenario tests: a scripted HTTP server on loopback
//! that misbehaves on request, and clients made through the Rust API or the
//! C ABI. Each test binary uses a different subset, hence the allow.
#![allow(dead_code)]

pub mod cabi;
pub mod fake;

use std::time::Duration;

use cloudconnexa::transport::ProxySetting;
use cloudconnexa::{Client, Config};

/// The secret every scripted test client uses; tests check that it never
/// shows up in a message.
pub const SECRET: &str = "s3cr3t-never-shown-0xC0FFEE";
pub const CLIENT_ID: &str = "scenario-client";

/// A Rust client for `url` with short timeouts and small retry waits, so a
/// test that exercises them takes seconds, and with no proxy, so nothing
/// leaves loopback whatever the environment says.
pub fn client(url: &str) -> Client {
    client_with(url, CLIENT_ID, SECRET)
}

pub fn client_with(url: &str, id: &str, secret: &str) -> Client {
    let config = Config::new(Some(url), Some(id), Some(secret), None).expect("config");
    let client = Client::new(config).expect("client");
    client.set_proxy(ProxySetting::Disabled).expect("no proxy");
    client.set_timeout(Duration::from_secs(3)).expect("timeout");
    client
        .set_max_retry_wait(Duration::from_secs(5))
        .expect("retry wait");
    client
}

/// A client of an in-process emulator.
pub fn emulator_client(emulator: &ccx_emulator::Emulator) -> Client {
    client_with(
        &emulator.url(),
        emulator.client_id(),
        emulator.client_secret(),
    )
}

/// Runs one operation of the endpoint table by its C function name.
pub fn call(
    client: &Client,
    function: &str,
    args: cloudconnexa::Args<'_>,
) -> cloudconnexa::Result<Option<String>> {
    let endpoint = cloudconnexa::endpoints::find(function).expect("known function");
    client.call(endpoint, &args)
}

/// Asserts that `text` does not carry the test secret, nor the base64 of
/// the credentials that hold it.
pub fn assert_no_secret(text: &str) {
    use base64::Engine;
    assert!(!text.contains(SECRET), "secret leaked: {text}");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{SECRET}"));
    assert!(!text.contains(&basic), "credentials leaked: {text}");
}

/// Runs `work` on `threads` threads released together, so that they all
/// reach the client at the same moment, and returns their results in order.
pub fn at_once<T: Send + 'static>(
    threads: usize,
    work: impl Fn() -> T + Send + Sync + 'static,
) -> Vec<T> {
    let start = std::sync::Arc::new(std::sync::Barrier::new(threads));
    let work = std::sync::Arc::new(work);
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let start = start.clone();
            let work = work.clone();
            std::thread::spawn(move || {
                start.wait();
                work()
            })
        })
        .collect();
    workers.into_iter().map(|w| w.join().unwrap()).collect()
}

/// Counts threads as they reach a call, so a fake server can hold a reply
/// until every one of them is inside the client, however late the
/// scheduler let some of them start.
#[derive(Clone, Default)]
pub struct Arrivals(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Arrivals {
    /// Called by each thread right before its call.
    pub fn arrive(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Waits (at most 10 s) until `threads` have arrived, then 200 ms more
    /// for the last of them to get from `arrive` into the client's wait.
    pub fn wait_for(&self, threads: usize) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while self.0.load(std::sync::atomic::Ordering::SeqCst) < threads
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}
