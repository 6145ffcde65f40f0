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
//! - `no_proxy`, else `NO_PROXY`: entries separated by commas or spaces;
//!   `*` as the whole list bypasses the proxy for every host; a name
//!   matches itself and its subdomains (one leading dot is optional, and
//!   no other wildcard is read); an IP address matches itself, a CIDR
//!   block (`10.0.0.0/8`, `fd00::/8`) every address in it, and `/0` only
//!   its own address, as curl reads it;
//! - the first variable that is set is the one read, even when it is
//!   blank: a blank proxy variable means no proxy, a blank `no_proxy`
//!   bypasses nothing;
//! - a host the list bypasses needs no proxy, so its variable is not
//!   parsed; otherwise a value that is not a proxy URL is a configuration
//!   error naming the variable (never its value, which may hold a
//!   password), as is a port outside 1 to 65535.

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

/// The first of `names` that is set, with its value, blank or not.
fn first_set(names: &[&'static str]) -> Option<(&'static str, String)> {
    names
        .iter()
        .find_map(|name| std::env::var(name).ok().map(|value| (*name, value)))
}

/// The proxy for requests to `base_url`, or `None` for a direct connection.
pub fn from_environment(base_url: &str) -> Result<Option<Proxy>> {
    let uri: Uri = base_url
        .parse()
        .map_err(|_| Error::config("API URL is not valid"))?;
    let scheme = uri.scheme_str().unwrap_or("https");
    let Some((name, value)) = first_set(proxy_variables(scheme)) else {
        return Ok(None);
    };
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let host = uri.host().unwrap_or_default();
    if first_set(&["no_proxy", "NO_PROXY"]).is_some_and(|(_, list)| no_proxy_matches(&list, host)) {
        return Ok(None);
    }
    parse_proxy(value).map(Some).map_err(|problem| {
        Error::config(format!(
            "{name} is not a valid proxy URL ({problem}): write it as http://host:port \
             (or socks5://host:port), or unset it"
        ))
    })
}

/// A proxy URL as ureq reads it, with a port that fits in 16 bits (ureq
/// would quietly use its default port for one that does not).
pub fn parse_proxy(value: &str) -> std::result::Result<Proxy, &'static str> {
    let proxy = Proxy::new(value).map_err(|_| "not a URL with a known scheme")?;
    let authority = proxy.uri().authority().map_or("", |a| a.as_str());
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    // After an IPv6 literal's ']', or else after the host's last ':'.
    let port = match host_port.rfind(']') {
        Some(end) => host_port[end + 1..].strip_prefix(':'),
        None => host_port.rsplit_once(':').map(|(_, port)| port),
    };
    match port {
        Some(port) if port.parse::<u16>().map_or(true, |p| p == 0) => Err("port out of range"),
        _ => Ok(proxy),
    }
}

/// Whether a `NO_PROXY` list names `host`, by curl's rules.
pub fn no_proxy_matches(list: &str, host: &str) -> bool {
    if list.trim() == "*" {
        return true;
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let address: Option<IpAddr> = host.parse().ok();
    list.split([',', ' ', '\t'])
        .filter(|entry| !entry.is_empty())
        .any(|entry| {
            let entry = entry.trim_start_matches('[').trim_end_matches(']');
            if let Some(address) = address {
                return match entry.split_once('/') {
                    Some((network, bits)) => in_block(address, network, bits),
                    None => entry.parse::<IpAddr>() == Ok(address),
                };
            }
            let entry = entry.strip_prefix('.').unwrap_or(entry);
            let entry = entry
                .strip_suffix('.')
                .unwrap_or(entry)
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
    // curl reads /0 as the one address, not every address.
    if bits == 0 {
        return network == address;
    }
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
            ("other.org, Example.COM", "EXAMPLE.com"),
            ("other.org example.com", "example.com"),
            ("example.com.", "example.com"),
            ("example.com", "example.com."),
            ("*", "anything.at.all"),
            (" * ", "anything.at.all"),
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
            ("*.example.com", "api.example.com"),
            ("..example.com", "api.example.com"),
            ("other.org,*", "example.com"),
            ("example.com:443", "example.com"),
        ] {
            assert!(
                !no_proxy_matches(list, host),
                "{list} should not match {host}"
            );
        }
    }

    #[test]
    fn proxy_ports_must_fit() {
        use super::parse_proxy;
        for good in [
            "http://127.0.0.1:3128",
            "http://u:p@[::1]:1080",
            "proxy.example:8080",
            "http://proxy.example",
        ] {
            assert!(parse_proxy(good).is_ok(), "{good}");
        }
        for bad in [
            "http://127.0.0.1:99999",
            "http://u:p@127.0.0.1:0",
            "socks5://[::1]:70000",
            "http://h:x",
        ] {
            assert!(parse_proxy(bad).is_err(), "{bad}");
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
            ("127.0.0.1/0", "127.0.0.1"),
        ] {
            assert!(no_proxy_matches(list, host), "{list} should match {host}");
        }
        for (list, host) in [
            ("127.0.0.2", "127.0.0.1"),
            ("10.0.0.0/8", "11.0.0.1"),
            ("127.0.0.0/33", "127.0.0.1"),
            ("127.0.0.0/x", "127.0.0.1"),
            ("::/0", "127.0.0.1"),
            ("0.0.0.0/0", "192.0.2.7"),
            ("127.0.0.1", "localhost"),
        ] {
            assert!(
                !no_proxy_matches(list, host),
                "{list} should not match {host}"
            );
        }
    }
}
