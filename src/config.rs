//! Client configuration: the API URL, the credentials and the API version,
//! from arguments or the `CLOUDCONNEXA_*` environment variables.

use std::fmt;
use std::net::IpAddr;

use url::{Host, Url};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// A versioned API release the library knows. Ordered: later is newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiVersion {
    V1_0,
    V1_1_0,
    V1_1_1,
    V1_1_6,
    V1_2_0,
    V1_2_3,
}

impl ApiVersion {
    pub const NEWEST: ApiVersion = ApiVersion::V1_2_3;

    pub const ALL: [ApiVersion; 6] = [
        ApiVersion::V1_0,
        ApiVersion::V1_1_0,
        ApiVersion::V1_1_1,
        ApiVersion::V1_1_6,
        ApiVersion::V1_2_0,
        ApiVersion::V1_2_3,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1_0 => "1.0",
            ApiVersion::V1_1_0 => "1.1.0",
            ApiVersion::V1_1_1 => "1.1.1",
            ApiVersion::V1_1_6 => "1.1.6",
            ApiVersion::V1_2_0 => "1.2.0",
            ApiVersion::V1_2_3 => "1.2.3",
        }
    }

    /// Parses a documented version; a leading `v` and the short forms `1.1`
    /// and `1.2` (meaning 1.1.0 and 1.2.0) are accepted.
    pub fn parse(text: &str) -> Result<ApiVersion> {
        let trimmed = text.trim();
        let bare = trimmed.strip_prefix(['v', 'V']).unwrap_or(trimmed);
        let version = match bare {
            "1" | "1.0" | "1.0.0" => ApiVersion::V1_0,
            "1.1" | "1.1.0" => ApiVersion::V1_1_0,
            "1.1.1" => ApiVersion::V1_1_1,
            "1.1.6" => ApiVersion::V1_1_6,
            "1.2" | "1.2.0" => ApiVersion::V1_2_0,
            "1.2.3" => ApiVersion::V1_2_3,
            _ => {
                let known: Vec<&str> = ApiVersion::ALL.iter().map(|v| v.as_str()).collect();
                return Err(Error::config(format!(
                    "unknown api_version {trimmed:?}: use one of {}",
                    known.join(", ")
                )));
            }
        };
        Ok(version)
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secret string: wiped from memory when dropped, never shown by `Debug`.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(Zeroizing::new(value))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Everything needed to talk to one tenant's API.
#[derive(Debug, Clone)]
pub struct Config {
    /// `scheme://host[:port]`, without a trailing slash or path.
    pub base_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub api_version: ApiVersion,
}

pub const ENV_API_URL: &str = "CLOUDCONNEXA_API_URL";
pub const ENV_BASE_URL: &str = "CLOUDCONNEXA_BASE_URL";
pub const ENV_CLIENT_ID: &str = "CLOUDCONNEXA_CLIENT_ID";
pub const ENV_CLIENT_SECRET: &str = "CLOUDCONNEXA_CLIENT_SECRET";
pub const ENV_API_VERSION: &str = "CLOUDCONNEXA_API_VERSION";

impl Config {
    /// Builds a configuration; each `None` falls back to its environment
    /// variable. Nothing is sent over the network.
    pub fn new(
        api_url: Option<&str>,
        client_id: Option<&str>,
        client_secret: Option<&str>,
        api_version: Option<&str>,
    ) -> Result<Config> {
        let url = pick(api_url, "api_url", &[ENV_API_URL, ENV_BASE_URL])?.ok_or_else(|| {
            Error::config(format!(
                "no API URL: pass api_url or set {ENV_API_URL} \
                 (https://<cloud-id>.api.openvpn.com)"
            ))
        })?;
        let client_id = pick(client_id, "client_id", &[ENV_CLIENT_ID])?.ok_or_else(|| {
            Error::config(format!(
                "no client ID: pass client_id or set {ENV_CLIENT_ID}"
            ))
        })?;
        let client_secret = pick(client_secret, "client_secret", &[ENV_CLIENT_SECRET])?
            .ok_or_else(|| {
                Error::config(format!(
                    "no client secret: pass client_secret or set {ENV_CLIENT_SECRET}"
                ))
            })?;
        let api_version = match pick(api_version, "api_version", &[ENV_API_VERSION])? {
            Some(text) => ApiVersion::parse(&text)?,
            None => ApiVersion::NEWEST,
        };
        if client_id.trim() != client_id || client_id.contains(':') {
            return Err(Error::config(
                "client ID has surrounding spaces or a ':'; copy it exactly from the \
                 admin portal (API & Logs > API)",
            ));
        }
        Ok(Config {
            base_url: parse_base_url(&url)?,
            client_id,
            client_secret: Secret::new(client_secret),
            api_version,
        })
    }
}

/// The given value, else the first non-empty environment variable.
/// An empty argument is a mistake, not a request for the variable: only
/// NULL (`None`) reads the environment.
fn pick(given: Option<&str>, argument: &str, variables: &[&str]) -> Result<Option<String>> {
    if let Some(value) = given {
        if value.is_empty() {
            return Err(Error::config(format!(
                "{argument} is empty: pass a value, or NULL to read {}",
                variables.join(" or ")
            )));
        }
        return Ok(Some(value.to_string()));
    }
    Ok(variables
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.is_empty()))
}

/// Checks an API URL and reduces it to `scheme://host[:port]`.
///
/// A trailing slash or path (such as `/api/v1`) is tolerated and dropped,
/// since every resource path is built from the host.
pub fn parse_base_url(text: &str) -> Result<String> {
    let text = text.trim();
    // Messages quote the URL, so never with a password someone put in it.
    let shown = without_userinfo(text);
    if !text.contains("://") {
        return Err(Error::config(format!(
            "API URL {shown:?} has no scheme: write it as https://{shown}"
        )));
    }
    let url = Url::parse(text)
        .map_err(|e| Error::config(format!("API URL {shown:?} is not a valid URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            "API URL contains credentials: remove them from the URL and pass \
             client_id and client_secret instead",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(
            "API URL has a query or fragment: use just https://<cloud-id>.api.openvpn.com",
        ));
    }
    let host = url
        .host()
        .ok_or_else(|| Error::config(format!("API URL {shown:?} has no host")))?;
    let host_text = url.host_str().unwrap_or_default().to_ascii_lowercase();
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&host) => {}
        "http" => {
            return Err(Error::config(format!(
                "plain http:// is allowed only to loopback hosts; use https://{host_text}"
            )))
        }
        other => {
            return Err(Error::config(format!(
                "API URL scheme {other:?} is not supported: use https://"
            )))
        }
    }
    if host_text.ends_with(".openvpn.com") && !host_text.ends_with(".api.openvpn.com") {
        let cloud_id = host_text.trim_end_matches(".openvpn.com");
        return Err(Error::config(format!(
            "{host_text} is the admin portal, not the API: use \
             https://{cloud_id}.api.openvpn.com"
        )));
    }
    let mut base = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        base.push_str(&format!(":{port}"));
    }
    Ok(base)
}

/// The URL text without any `user:password@` before its host, for
/// messages; the rest is kept so that the caller recognises it.
fn without_userinfo(text: &str) -> String {
    let authority_start = text.find("://").map_or(0, |i| i + 3);
    let rest = &text[authority_start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &text[..authority_start], &rest[at + 1..]),
        None => text.to_string(),
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => name.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_is_reduced_to_origin() {
        let cases = [
            (
                "https://acme.api.openvpn.com",
                "https://acme.api.openvpn.com",
            ),
            (
                "https://acme.api.openvpn.com/",
                "https://acme.api.openvpn.com",
            ),
            (
                "https://acme.api.openvpn.com/api/v1",
                "https://acme.api.openvpn.com",
            ),
            ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
            ("http://[::1]:9/", "http://[::1]:9"),
            ("http://localhost:1", "http://localhost:1"),
        ];
        for (given, expected) in cases {
            assert_eq!(parse_base_url(given).unwrap(), expected, "{given}");
        }
    }

    #[test]
    fn url_mistakes_are_config_errors_that_say_what_to_fix() {
        let cases = [
            ("acme.api.openvpn.com", "no scheme"),
            ("https://acme.openvpn.com", "admin portal"),
            ("https://user:pw@acme.api.openvpn.com", "credentials"),
            ("http://acme.api.openvpn.com", "loopback"),
            ("ftp://acme.api.openvpn.com", "not supported"),
            ("https://acme.api.openvpn.com?x=1", "query"),
        ];
        for (given, needle) in cases {
            let error = parse_base_url(given).unwrap_err();
            assert_eq!(error.kind(), crate::ErrorKind::Config);
            assert!(
                error.message().contains(needle),
                "{given}: {}",
                error.message()
            );
            assert!(!error.message().contains("pw@"), "{}", error.message());
        }
    }

    #[test]
    fn messages_never_repeat_a_password_from_the_url() {
        for given in [
            "user:pa55w0rd@acme.api.openvpn.com",
            "https://user:pa55w0rd@acme api.openvpn.com",
            "https://user:pa55w0rd@acme.api.openvpn.com/api/v1",
        ] {
            let error = parse_base_url(given).unwrap_err();
            assert!(!error.message().contains("pa55w0rd"), "{}", error.message());
        }
        assert_eq!(
            without_userinfo("user:pw@acme.api.openvpn.com/x"),
            "acme.api.openvpn.com/x"
        );
    }

    #[test]
    fn an_empty_argument_is_named_not_read_from_the_environment() {
        let error = Config::new(
            Some("https://a.api.openvpn.com"),
            Some("id"),
            Some(""),
            None,
        )
        .unwrap_err();
        assert!(
            error.message().starts_with("client_secret is empty"),
            "{}",
            error.message()
        );
    }

    #[test]
    fn versions_parse_in_all_documented_spellings() {
        assert_eq!(ApiVersion::parse("v1.1").unwrap(), ApiVersion::V1_1_0);
        assert_eq!(ApiVersion::parse("1.2").unwrap(), ApiVersion::V1_2_0);
        assert_eq!(ApiVersion::parse("1.0").unwrap(), ApiVersion::V1_0);
        assert_eq!(ApiVersion::parse("1.2.3").unwrap(), ApiVersion::V1_2_3);
        assert!(ApiVersion::parse("2.0").is_err());
        assert!(ApiVersion::V1_0 < ApiVersion::V1_2_3);
    }

    #[test]
    fn secret_is_not_debug_printed() {
        let secret = Secret::new("hunter2".into());
        assert!(!format!("{secret:?}").contains("hunter2"));
    }
}
