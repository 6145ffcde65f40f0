//! Shared helpers: an in-process emulator and a small HTTP client over loopback.

#![allow(dead_code)]

use std::time::Duration;

use ccx_emulator::{Config, Emulator};
use serde_json::Value;

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A config without rate limiting, so functional tests never trip over it.
pub fn quiet() -> Config {
    Config {
        rate_limit: None,
        ..Config::default()
    }
}

pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .proxy(None)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

pub struct Api {
    pub emu: Emulator,
    pub agent: ureq::Agent,
    pub token: String,
}

impl Api {
    /// Starts an emulator and fetches a token with the Go client's request shape.
    pub fn start(config: Config) -> Api {
        let emu = Emulator::start(config).expect("emulator starts");
        let mut api = Api {
            emu,
            agent: agent(Duration::from_secs(10)),
            token: String::new(),
        };
        api.token = api.fetch_token();
        api
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.emu.url(), path)
    }

    /// A token request with the emulator's credentials as HTTP Basic.
    pub fn token_request(&self, body: Option<&str>) -> Resp {
        let auth = basic(self.emu.client_id(), self.emu.client_secret());
        self.request(
            "POST",
            "/api/v1/oauth/token",
            &[("Authorization", &auth)],
            body,
        )
    }

    pub fn fetch_token(&self) -> String {
        let resp = self.token_request(Some(
            r#"{"grant_type":"client_credentials","scope":"default"}"#,
        ));
        assert_eq!(resp.status, 200, "{}", resp.body);
        resp.json()["access_token"].as_str().unwrap().to_string()
    }

    pub fn try_request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Result<Resp, ureq::Error> {
        let url = self.url(path);
        let result = match method {
            "GET" => with_headers(self.agent.get(&url), headers).call(),
            "DELETE" => with_headers(self.agent.delete(&url), headers).call(),
            _ => {
                let builder = match method {
                    "POST" => self.agent.post(&url),
                    "PUT" => self.agent.put(&url),
                    _ => self.agent.patch(&url),
                };
                let builder = with_headers(builder, headers);
                match body {
                    Some(b) => builder.send(b),
                    None => builder.send_empty(),
                }
            }
        };
        finish(result)
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Resp {
        self.try_request(method, path, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }

    pub fn get(&self, path: &str) -> Resp {
        self.request("GET", path, &[("Authorization", &self.bearer())], None)
    }

    pub fn delete(&self, path: &str) -> Resp {
        self.request("DELETE", path, &[("Authorization", &self.bearer())], None)
    }

    pub fn send(&self, method: &str, path: &str, body: &str) -> Resp {
        let auth = self.bearer();
        let headers = [
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ];
        self.request(method, path, &headers, Some(body))
    }

    pub fn post(&self, path: &str, body: &str) -> Resp {
        self.send("POST", path, body)
    }

    pub fn put(&self, path: &str, body: &str) -> Resp {
        self.send("PUT", path, body)
    }

    pub fn put_text(&self, path: &str, body: &str) -> Resp {
        let auth = self.bearer();
        let headers = [
            ("Authorization", auth.as_str()),
            ("Content-Type", "text/plain"),
        ];
        self.request("PUT", path, &headers, Some(body))
    }

    /// A body-less action call (activate, suspend, profile...).
    pub fn act(&self, method: &str, path: &str) -> Resp {
        self.request(method, path, &[("Authorization", &self.bearer())], None)
    }

    /// Creates an object and returns its id.
    pub fn create(&self, path: &str, body: &str) -> String {
        let resp = self.post(path, body);
        assert_eq!(resp.status, 201, "POST {path}: {}", resp.body);
        resp.json()["id"].as_str().unwrap().to_string()
    }
}

fn with_headers<B>(
    mut builder: ureq::RequestBuilder<B>,
    headers: &[(&str, &str)],
) -> ureq::RequestBuilder<B> {
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    builder
}

type Reply = Result<ureq::http::Response<ureq::Body>, ureq::Error>;

fn finish(result: Reply) -> Result<Resp, ureq::Error> {
    let mut response = result?;
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(100 * 1024 * 1024)
        .read_to_string()?;
    Ok(Resp {
        status,
        headers,
        body,
    })
}

pub fn basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    format!("Basic {encoded}")
}

pub fn ids(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}
