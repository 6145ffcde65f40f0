//! The OAuth client-credentials token endpoint and bearer-token checks.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

use crate::http::{Reply, Req};

pub(crate) struct Auth {
    client_id: String,
    client_secret: String,
    ttl_secs: Mutex<f64>,
    tokens: Mutex<HashMap<String, Issued>>,
}

struct Issued {
    client_id: String,
    expires: Instant,
}

/// Credentials and grant type gathered from wherever the client put them.
#[derive(Default)]
struct Presented {
    id: Option<String>,
    secret: Option<String>,
    grant_type: Option<String>,
}

impl Auth {
    pub fn new(client_id: &str, client_secret: &str, ttl_secs: f64) -> Auth {
        Auth {
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
            ttl_secs: Mutex::new(ttl_secs),
            tokens: Mutex::new(HashMap::new()),
        }
    }

    pub fn set_ttl(&self, secs: f64) {
        *self.ttl_secs.lock().unwrap() = secs;
    }

    /// The key the rate limiter counts this request against: the client id it
    /// presents or its token stands for, "" when neither is known.
    pub fn limiter_key(&self, req: &Req, token_endpoint: bool) -> String {
        if token_endpoint {
            return presented(req).id.unwrap_or_default();
        }
        bearer(req)
            .and_then(|token| {
                let tokens = self.tokens.lock().unwrap();
                tokens.get(token).map(|t| t.client_id.clone())
            })
            .unwrap_or_default()
    }

    /// POST /api/v1/oauth/token.
    pub fn token(&self, req: &Req) -> Reply {
        if req.method != "POST" {
            return Reply::error(
                405,
                &format!("Request method '{}' is not supported", req.method),
            )
            .with_header("Allow", "POST");
        }
        let body_is_json = req.is_json() || req.body.first() == Some(&b'{');
        if !req.body.is_empty()
            && body_is_json
            && serde_json::from_slice::<Value>(&req.body).is_err()
        {
            return oauth_error(400, "invalid_request", "Malformed request body");
        }
        let presented = presented(req);
        if let Some(grant) = &presented.grant_type {
            if grant != "client_credentials" {
                return oauth_error(400, "unsupported_grant_type", "Unsupported grant type");
            }
        }
        let (Some(id), Some(secret)) = (presented.id, presented.secret) else {
            return oauth_error(401, "invalid_client", "Missing client credentials");
        };
        if id != self.client_id || secret != self.client_secret {
            return oauth_error(401, "invalid_client", "Bad client credentials");
        }
        let ttl = *self.ttl_secs.lock().unwrap();
        let token: String = std::iter::repeat_with(fastrand::alphanumeric)
            .take(40)
            .collect();
        let lifetime = Duration::from_secs_f64(ttl.clamp(0.0, 1e9));
        let mut tokens = self.tokens.lock().unwrap();
        let now = Instant::now();
        // Keep expired tokens for a while so they still map to their client for
        // rate limiting, but do not let the table grow without end.
        if tokens.len() > 10_000 {
            tokens.retain(|_, t| t.expires > now);
        }
        tokens.insert(
            token.clone(),
            Issued {
                client_id: id,
                expires: now + lifetime,
            },
        );
        Reply::json(
            200,
            &json!({
                "access_token": token,
                "token_type": "bearer",
                "expires_in": (ttl.floor() as i64).max(1),
                "scope": "read write",
            }),
        )
    }

    /// Checks the bearer token of a resource call.
    pub fn check(&self, req: &Req) -> Result<(), Reply> {
        let valid = bearer(req).is_some_and(|token| {
            let tokens = self.tokens.lock().unwrap();
            tokens
                .get(token)
                .is_some_and(|t| t.expires > Instant::now())
        });
        if valid {
            Ok(())
        } else {
            Err(Reply::error(401, "Unauthorized: token expired or invalid"))
        }
    }
}

fn oauth_error(status: u16, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

fn bearer(req: &Req) -> Option<&str> {
    let value = req.header("authorization")?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Basic auth first, then the body (JSON or form), then the query string.
fn presented(req: &Req) -> Presented {
    let mut found = Presented::default();
    if let Some((scheme, encoded)) = req.header("authorization").and_then(|v| v.split_once(' ')) {
        if scheme.eq_ignore_ascii_case("basic") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok());
            if let Some((id, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
                found.id = Some(id.to_string());
                found.secret = Some(secret.to_string());
            }
        }
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&req.body) {
        for (k, v) in map {
            if let Value::String(s) = v {
                fields.push((k, s));
            }
        }
    } else if !req.body.is_empty() {
        fields.extend(
            url::form_urlencoded::parse(&req.body).map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
    }
    let from_body = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let pick = |name: &str| from_body(name).or_else(|| req.param(name).map(str::to_string));
    if found.id.is_none() {
        found.id = pick("client_id");
        found.secret = pick("client_secret");
    }
    found.grant_type = pick("grant_type");
    found
}
