//! The `ccx-emulator` binary: first line, flags, and serving until killed.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ccx_emulator::Config;
use common::quiet;

const BIN: &str = env!("CARGO_BIN_EXE_ccx-emulator");

#[test]
fn first_line_is_the_client_environment() {
    let mut child = Command::new(BIN)
        .args([
            "--client-id",
            "me",
            "--client-secret",
            "s3cret",
            "--no-rate-limit",
        ])
        .args(["--token-ttl", "1.5", "--control"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let vars: Vec<(&str, &str)> = line
        .trim_end()
        .split(' ')
        .map(|pair| pair.split_once('=').unwrap())
        .collect();
    let names: Vec<&str> = vars.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        names,
        [
            "CLOUDCONNEXA_API_URL",
            "CLOUDCONNEXA_CLIENT_ID",
            "CLOUDCONNEXA_CLIENT_SECRET"
        ]
    );
    let url = vars[0].1;
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!((vars[1].1, vars[2].1), ("me", "s3cret"));

    let agent = common::agent(Duration::from_secs(5));
    let token = agent
        .post(&format!(
            "{url}/api/v1/oauth/token?client_id=me&client_secret=s3cret"
        ))
        .send_empty()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(token.contains("\"expires_in\":1"), "{token}");
    let stats = agent
        .get(&format!("{url}/_emulator/stats"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    assert!(stats.contains("\"token_requests\":1"), "{stats}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn bad_flags_exit_with_2() {
    for args in [&["--bogus"][..], &["--port", "x"], &["--rate-limit", "1:1"]] {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
        assert!(out.stdout.is_empty());
    }
    let help = Command::new(BIN).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--rate-limit"));
}

#[test]
fn ten_thousand_extra_users_list_quickly() {
    let api = common::Api::start(Config {
        extra_users: 10_000,
        ..quiet()
    });
    let started = Instant::now();
    let mut seen = 0;
    for page in 0.. {
        let body = api
            .get(&format!("/api/v1/users?page={page}&size=1000"))
            .json();
        seen += body["numberOfElements"].as_u64().unwrap();
        if page + 1 >= body["totalPages"].as_u64().unwrap() {
            assert_eq!(body["totalElements"], 10_001);
            break;
        }
    }
    assert_eq!(seen, 10_001);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
