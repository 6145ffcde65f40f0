//! The proxy the environment asks for, read the way curl reads it.
//!
//! ureq's own reading differs from curl's in ways users trip over: it takes
//! `ALL_PROXY` before `HTTPS_PROXY`, sends https through `HTTP_PROXY`,
//! skips a malformed value without a word, and matches a `NO_PROXY` entry
//! `example.com` against that name only. A client talks to one host, so the
//! choice is made once, when the client is made:
//!
//! - https: `https_proxy`, `HTTPS_PROXY`, then `all_proxy`, `ALL_PROXY`;
//! - http (loopback only): `http_proxy`, then `all_proxy`, `ALL_PROXY`;
//!   upper-case `HTTP_PROXY` is ignored, as curl ignores it, since a CGI
//!   server sets it from a request header;
//! - `no_proxy` or `NO_PROXY`: comma-separated; `*` alone bypasses the
//!   proxy for every host; a name matches itself and its subdomains (a
//!   leading dot is optional); an IP address matches itself, a CIDR block
//!   (`10.0.0.0/8`, `::1/128`) every address in it;
//! - an empty variable counts as unset; a value that is not a proxy URL is
//!   a configuration error naming the variable (never its value, which may
//!   hold a password).

use std::net::IpAddr;

use ureq::http::Uri;
use ureq::Proxy;

use crate::error::{Error, Result};

/// The variables that name a proxy for `scheme`, in the order curl tries
/// them.
fn proxy_variables(scheme: &str) -> &'static [&'static str] {
    if scheme == "https" {
        &["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
    } else {
        &["http_proxy", "all_proxy", "ALL_PROXY"]
    }
}

fn variable(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The proxy for requests to `base_url`, or `None` for a direct connection.
pub fn from_environment(base_url: &str) -> Result<Option<Proxy>> {
    let uri: Uri = base_url
        .parse()
        .map_err(|_| Error::config("API URL is not valid"))?;
    let scheme = uri.scheme_str().unwrap_or("https");
    let Some((name, value)) = proxy_variables(scheme)
        .iter()
        .find_map(|name| variable(name).map(|value| (*name, value)))
    else {
        return Ok(None);
    };
    let proxy = Proxy::new(value.trim()).map_err(|_| {
        Error::config(format!(
            "{name} is not a valid proxy URL: write it as http://host:port \
             (or socks5://host:port), or unset it"
        ))
    })?;
    let host = uri.host().unwrap_or_default();
    let bypass = ["no_proxy", "NO_PROXY"]
        .iter()
        .find_map(|name| variable(name))
        .is_some_and(|list| no_proxy_matches(&list, host));
    Ok((!bypass).then_some(proxy))
}

/// Whether a `NO_PROXY` list names `host`, by curl's rules.
pub fn no_proxy_matches(list: &str, host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let address: Option<IpAddr> = host.parse().ok();
    list.split(',').map(str::trim).any(|entry| {
        if entry == "*" {
            return true;
        }
        let entry = entry.trim_start_matches('[').trim_end_matches(']');
        if let Some(address) = address {
            return match entry.split_once('/') {
                Some((network, bits)) => in_block(address, network, bits),
                None => entry.parse::<IpAddr>() == Ok(address),
            };
        }
        let entry = entry
            .trim_start_matches('*')
            .trim_start_matches('.')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        !entry.is_empty()
            && (host == entry
                || (host.ends_with(&entry) && host[..host.len() - entry.len()].ends_with('.')))
    })
}

/// Whether `address` lies in the block `network`/`bits`.
fn in_block(address: IpAddr, network: &str, bits: &str) -> bool {
    let (Ok(network), Ok(bits)) = (network.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    match (address, network) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::no_proxy_matches;

    #[test]
    fn names_match_themselves_and_their_subdomains() {
        for (list, host) in [
            ("example.com", "example.com"),
            ("example.com", "api.example.com"),
            (".example.com", "api.example.com"),
            ("*.example.com", "a.b.example.com"),
            ("other.org, Example.COM", "EXAMPLE.com"),
            ("example.com.", "example.com"),
            ("*", "anything.at.all"),
        ] {
            assert!(no_proxy_matches(list, host), "{list} should match {host}");
        }
        for (list, host) in [
            ("example.com", "notexample.com"),
            ("example.com", "example.com.evil.net"),
            ("api.example.com", "example.com"),
            ("", "example.com"),
            (".", "example.com"),
            ("*.", "example.com"),
            ("ex*", "example.com"),
        ] {
            assert!(
                !no_proxy_matches(list, host),
                "{list} should not match {host}"
            );
        }
    }

    #[test]
    fn addresses_match_exactly_or_by_block() {
        for (list, host) in [
            ("127.0.0.1", "127.0.0.1"),
            ("10.0.0.0/8, 127.0.0.0/8", "127.1.2.3"),
            ("::1", "[::1]"),
            ("[::1]", "::1"),
            ("fd00::/8", "fd12::5"),
            ("0.0.0.0/0", "192.0.2.7"),
        ] {
            assert!(no_proxy_matches(list, host), "{list} should match {host}");
        }
        for (list, host) in [
            ("127.0.0.2", "127.0.0.1"),
            ("10.0.0.0/8", "11.0.0.1"),
            ("127.0.0.0/33", "127.0.0.1"),
            ("127.0.0.0/x", "127.0.0.1"),
            ("::/0", "127.0.0.1"),
            ("127.0.0.1", "localhost"),
        ] {
            assert!(
                !no_proxy_matches(list, host),
                "{list} should not match {host}"
            );
        }
    }
}
