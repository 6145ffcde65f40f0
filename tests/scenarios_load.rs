//! Issue 4: pacing from the rate-limit headers keeps a steady workload free
//! of 429s, and one client shared by 32 threads stays correct under short
//! token lifetimes, injected 429s and 503s and a live rate limit.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::c_char;
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ccx_emulator::{Config as EmulatorConfig, Emulator, Fault, FaultKind, RateLimit};
use cloudconnexa::ffi::{self, ccx_status, resources as r};
use support::cabi::{c, last_error, take, CClient};

#[test]
fn issue_4_steady_sequential_workload_sees_no_429() {
    // The real API's default limit (a burst of 20, then 1 per 15 s) with
    // time running 100 times faster: one request per 150 ms after the burst.
    let emulator = Emulator::start(EmulatorConfig {
        rate_limit: Some(RateLimit::default()),
        time_scale: 100.0,
        seed: false,
        ..Default::default()
    })
    .unwrap();
    let client = CClient::for_emulator(&emulator).unwrap();
    let calls = 60;

    for n in 0..calls {
        let (status, json) = client.request("GET", "/networks?page=0&size=10", None);
        assert_eq!(status, ffi::CCX_OK, "call {n}: {:?}", last_error());
        assert!(json.is_some());
    }

    let stats = emulator.stats();
    assert_eq!(stats.rate_limited, 0, "{stats:?}");
    assert_eq!(stats.token_requests, 1, "{stats:?}");
    assert_eq!(stats.requests, calls + 1, "{stats:?}");
}

/// What one thread created and deleted, and how its calls ended.
#[derive(Default)]
struct Tally {
    networks: BTreeSet<String>,
    users: BTreeSet<String>,
    failed_creates: Vec<String>,
    /// Creates that ended in CCX_ERR_AMBIGUOUS: they may exist, once.
    unknown: Vec<String>,
    outcomes: BTreeMap<(&'static str, ccx_status), u32>,
}

/// The id field of a created object.
fn id_of(json: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(json).expect("object JSON");
    value["id"].as_str().expect("an id").to_string()
}

/// 200 mixed calls on this thread's own networks and users.
fn workload(client: &CClient, thread: usize, calls: usize) -> Tally {
    let mut tally = Tally::default();
    // (id, name) of the objects this thread owns now.
    let mut networks: Vec<(String, String)> = Vec::new();
    let mut users: Vec<(String, String)> = Vec::new();
    let live = client.0;
    for n in 0..calls {
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: a live client, live strings, writable `out`.
        let (op, status) = unsafe {
            match n % 10 {
                0 | 5 => {
                    let name = format!("t{thread}-net{n}");
                    let body = c(&format!(r#"{{"name":"{name}","egress":false}}"#));
                    let status = r::ccx_networks_create(live, body.as_ptr(), &mut out);
                    match take(out) {
                        Some(json) => networks.push((id_of(&json), name)),
                        None if status == ffi::CCX_ERR_AMBIGUOUS => tally.unknown.push(name),
                        None => tally.failed_creates.push(name),
                    }
                    ("networks_create", status)
                }
                1 => {
                    let name = format!("t{thread}-user{n}");
                    let body = c(&format!(
                        r#"{{"username":"{name}","email":"{name}@example.com","firstName":"T","lastName":"{n}","role":"MEMBER"}}"#
                    ));
                    let status = r::ccx_users_create(live, body.as_ptr(), &mut out);
                    match take(out) {
                        Some(json) => users.push((id_of(&json), name)),
                        None if status == ffi::CCX_ERR_AMBIGUOUS => tally.unknown.push(name),
                        None => tally.failed_creates.push(name),
                    }
                    ("users_create", status)
                }
                2 => {
                    let status = r::ccx_networks_page(live, 0, 20, &mut out);
                    take(out);
                    ("networks_page", status)
                }
                3 if !networks.is_empty() => {
                    let id = c(&networks[networks.len() - 1].0);
                    let status = r::ccx_networks_get(live, id.as_ptr(), &mut out);
                    take(out);
                    ("networks_get", status)
                }
                4 if !networks.is_empty() => {
                    let (id, name) = &networks[networks.len() - 1];
                    let body = c(&format!(
                        r#"{{"name":"{name}","description":"pass {n}","egress":false}}"#
                    ));
                    let status =
                        r::ccx_networks_update(live, c(id).as_ptr(), body.as_ptr(), &mut out);
                    take(out);
                    ("networks_update", status)
                }
                6 if networks.len() > 1 => {
                    let id = c(&networks[0].0);
                    let status = r::ccx_networks_delete(live, id.as_ptr());
                    if status == ffi::CCX_OK {
                        networks.remove(0);
                    }
                    ("networks_delete", status)
                }
                7 if !users.is_empty() => {
                    let id = c(&users[users.len() - 1].0);
                    let status = r::ccx_users_get(live, id.as_ptr(), &mut out);
                    take(out);
                    ("users_get", status)
                }
                8 if users.len() > 1 => {
                    let id = c(&users[0].0);
                    let status = r::ccx_users_delete(live, id.as_ptr());
                    if status == ffi::CCX_OK {
                        users.remove(0);
                    }
                    ("users_delete", status)
                }
                _ => {
                    let status = r::ccx_users_page(live, 0, 10, &mut out);
                    take(out);
                    ("users_page", status)
                }
            }
        };
        if status != ffi::CCX_OK {
            let error = last_error();
            assert_eq!(error.code, status, "the thread's own last error");
            let write = op.ends_with("create");
            // A 503 without Retry-After is not retried for a POST; any
            // call may spend its retry budget on injected faults. Every
            // request gets a reply here, so nothing may time out or be
            // left ambiguous.
            let expected = status == ffi::CCX_ERR_RATE_LIMITED
                || status == ffi::CCX_ERR_SERVER && (write || error.message.contains("attempts"));
            assert!(expected, "thread {thread} {op}: {error:?}");
        }
        *tally.outcomes.entry((op, status)).or_default() += 1;
    }
    tally.networks = networks.into_iter().map(|(_, name)| name).collect();
    tally.users = users.into_iter().map(|(_, name)| name).collect();
    tally
}

fn names(emulator: &Emulator, collection: &str, field: &str) -> Vec<String> {
    emulator
        .state_json(collection)
        .as_array()
        .expect("a collection")
        .iter()
        .map(|o| o[field].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn issue_4_stress_32_threads_share_one_client() {
    let token_ttl = 2.0;
    let emulator = Arc::new(
        Emulator::start(EmulatorConfig {
            token_ttl_secs: token_ttl,
            // One request per 15 s at a time scale of 7500: 500 a second.
            rate_limit: Some(RateLimit {
                burst: 40,
                replenish_rate: 1,
                replenish_time_secs: 15.0,
            }),
            time_scale: 7500.0,
            seed: false,
            ..Default::default()
        })
        .unwrap(),
    );
    let client = Arc::new(CClient::for_emulator(&emulator).unwrap());
    let (threads, calls) = (32, 200);

    // One fault is queued for about every 15 requests, so that faults hit
    // calls of every kind through the run without piling up. Token requests
    // are left alone: their faults are the token tests' business.
    let done = Arc::new(AtomicBool::new(false));
    let injector = {
        let emulator = emulator.clone();
        let done = done.clone();
        std::thread::spawn(move || {
            let mut injected = 0u64;
            while !done.load(Ordering::SeqCst) {
                if emulator.stats().requests < 15 * (injected + 1) {
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                }
                let status = |status: u16, headers: &[(&str, &str)]| FaultKind::Status {
                    status,
                    headers: headers
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                    body: r#"{"errorMessage":"injected"}"#.to_string(),
                };
                let kind = match injected % 3 {
                    0 => status(429, &[("Retry-After", "0.05")]),
                    1 => status(503, &[]),
                    _ => status(503, &[("Retry-After", "0.02")]),
                };
                let prefix = if injected % 2 == 0 {
                    "/api/v1/networks"
                } else {
                    "/api/v1/users"
                };
                emulator.inject(Fault::new(kind).path_prefix(prefix));
                injected += 1;
            }
            injected
        })
    };

    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|thread| {
            let client = client.clone();
            std::thread::spawn(move || workload(&client, thread, calls))
        })
        .collect();
    let tallies: Vec<Tally> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let elapsed = started.elapsed().as_secs_f64();
    done.store(true, Ordering::SeqCst);
    let injected = injector.join().unwrap();

    let mut outcomes: BTreeMap<(&str, ccx_status), u32> = BTreeMap::new();
    for tally in &tallies {
        for (key, count) in &tally.outcomes {
            *outcomes.entry(*key).or_default() += count;
        }
    }
    let total: u32 = outcomes.values().sum();
    assert_eq!(total as usize, threads * calls);

    // No write was lost or made twice: the emulator holds exactly what the
    // threads created and did not delete, each once.
    let expect_networks: BTreeSet<String> =
        tallies.iter().flat_map(|t| t.networks.clone()).collect();
    let expect_users: BTreeSet<String> = tallies.iter().flat_map(|t| t.users.clone()).collect();
    let mut seen_networks = names(&emulator, "networks", "name");
    let mut seen_users = names(&emulator, "users", "username");
    seen_networks.sort();
    seen_users.sort();
    let unique_networks: BTreeSet<String> = seen_networks.iter().cloned().collect();
    let unique_users: BTreeSet<String> = seen_users.iter().cloned().collect();
    assert_eq!(
        unique_networks.len(),
        seen_networks.len(),
        "a network was created twice"
    );
    assert_eq!(
        unique_users.len(),
        seen_users.len(),
        "a user was created twice"
    );
    // No create may end with an unknown outcome: every request is answered.
    let unknown: BTreeSet<String> = tallies.iter().flat_map(|t| t.unknown.clone()).collect();
    assert!(
        unknown.is_empty(),
        "creates of unknown outcome: {unknown:?}"
    );
    assert_eq!(unique_networks, expect_networks);
    assert_eq!(unique_users, expect_users);
    for tally in &tallies {
        for name in &tally.failed_creates {
            assert!(
                !unique_networks.contains(name) && !unique_users.contains(name),
                "{name} was reported failed but exists"
            );
        }
    }

    // Tokens: one per lifetime. The client refreshes a tenth before expiry,
    // so (elapsed / (0.9 x lifetime)) + 1 fetches; two more are allowed for
    // a request that waited (pacing, retry backoff) past its token's expiry
    // and was refused with 401 while that token was still the newest.
    let stats = emulator.stats();
    let expected_tokens = (elapsed / (0.9 * token_ttl)).floor() as u64 + 1;
    let unauthorized = emulator
        .requests()
        .iter()
        .filter(|r| r.status == 401)
        .count();
    println!(
        "stress: {elapsed:.1} s, {} requests, {} token requests (bound {}), {} x 401, \
         {} x 429, {injected} faults injected, {} creates of unknown outcome; \
         outcomes {outcomes:?}",
        stats.requests,
        stats.token_requests,
        expected_tokens,
        unauthorized,
        stats.rate_limited,
        unknown.len()
    );
    assert!(
        stats.token_requests <= expected_tokens + 2,
        "{} token requests in {elapsed:.1} s",
        stats.token_requests
    );
    // Below: every lifetime that passed needed a token of its own. Each
    // refresh comes a little later than 0.9 x lifetime after the last (the
    // first request to notice, then the fetch), and on a loaded machine that
    // lag adds up, so the lower bound counts whole lifetimes only.
    let lifetimes = (elapsed / token_ttl).floor() as u64;
    assert!(
        stats.token_requests > lifetimes,
        "{} token requests in {elapsed:.1} s of {token_ttl} s tokens",
        stats.token_requests
    );
}
