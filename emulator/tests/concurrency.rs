//! Many threads sharing one keep-alive client: every request must reach the
//! handler and be answered, however many connections open at once.

mod common;

use std::sync::{Arc, Barrier};
use std::time::Duration;

use common::{quiet, Api};

const THREADS: usize = 12;
const CALLS: usize = 20;

/// What one run against a fresh emulator ended with.
#[derive(Debug, PartialEq)]
struct Run {
    posts_handled: u64,
    gets_handled: u64,
    networks_created: usize,
    errors: Vec<String>,
}

/// THREADS threads share one agent, each alternating POST and GET.
fn run() -> Run {
    let mut api = Api::start(quiet());
    // Like the library's agent: an idle connection is kept for every thread,
    // so a connection, once open, stays open for the whole run. A request the
    // emulator lost shows up as a timeout, not as a hung test.
    api.agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(3)))
        .max_idle_connections_per_host(THREADS)
        .build()
        .into();
    let api = Arc::new(api);
    // Starting together makes the client open its connections in a burst, as
    // it does when threads waiting for a token are released at once.
    let start = Arc::new(Barrier::new(THREADS));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (api, start) = (api.clone(), start.clone());
            std::thread::spawn(move || {
                let auth = format!("Bearer {}", api.token);
                let json = [
                    ("Authorization", auth.as_str()),
                    ("Content-Type", "application/json"),
                ];
                start.wait();
                let mut errors = Vec::new();
                for n in 0..CALLS {
                    let result = if n % 2 == 0 {
                        let body = format!(r#"{{"name":"net-{t}-{n}"}}"#);
                        api.try_request("POST", "/api/v1/networks", &json, Some(&body))
                            .map(|r| (r.status, 201))
                    } else {
                        api.try_request("GET", "/api/v1/networks?size=1", &json[..1], None)
                            .map(|r| (r.status, 200))
                    };
                    match result {
                        Ok((got, want)) if got == want => {}
                        Ok((got, want)) => errors.push(format!("{t}/{n}: {got} not {want}")),
                        Err(e) => errors.push(format!("{t}/{n}: {e}")),
                    }
                }
                errors
            })
        })
        .collect();
    let errors = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();

    let stats = api.emu.stats();
    let handled = |method: &str| stats.by_method.get(method).copied().unwrap_or(0);
    let networks = api.emu.state_json("networks");
    Run {
        // Less the token request.
        posts_handled: handled("POST") - 1,
        gets_handled: handled("GET"),
        networks_created: networks
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["name"].as_str().is_some_and(|s| s.starts_with("net-")))
            .count(),
        errors,
    }
}

#[test]
fn one_shared_keep_alive_client_loses_no_requests() {
    let each = (THREADS * CALLS / 2) as u64;
    let expected = Run {
        posts_handled: each,
        gets_handled: each,
        networks_created: each as usize,
        errors: Vec::new(),
    };
    // Losses depended on thread timing, so a few fresh emulators are tried.
    for _ in 0..4 {
        assert_eq!(run(), expected);
    }
}
