//! API URLs from a caller or the environment: an accepted URL is
//! scheme://host[:port] only, never carries credentials, and is plain http
//! only for loopback.
#![no_main]

use cloudconnexa::config::parse_base_url;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(base) = parse_base_url(text) else {
        return;
    };
    let url = url::Url::parse(&base).expect("an accepted URL parses again");
    assert!(
        url.username().is_empty() && url.password().is_none(),
        "{base}"
    );
    assert!(url.query().is_none() && url.fragment().is_none(), "{base}");
    assert!(!base.ends_with('/'), "{base}");
    assert_eq!(url.path(), "/", "{base}");
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            assert!(loopback, "plain http to a remote host: {base}");
        }
        other => panic!("scheme {other} accepted: {base}"),
    }
});
