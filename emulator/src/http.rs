//! Request and reply values that the handlers work with, independent of the server
//! library, plus the API's error-body conventions.

use serde_json::{json, Map, Value};

pub(crate) struct Req {
    pub method: String,
    /// Raw path, still percent-encoded.
    pub path: String,
    pub query: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    params: Vec<(String, String)>,
}

impl Req {
    pub fn new(method: String, url: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Req {
        let (path, query) = match url.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (url.to_string(), String::new()),
        };
        let params = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Req {
            method,
            path,
            query,
            headers,
            body,
            params,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter; an empty value counts as absent, as Spring treats it.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Path segments after `prefix`, percent-decoded one by one so that an encoded
    /// `/` inside an id stays inside its segment.
    pub fn segments_after(&self, prefix: &str) -> Option<Vec<String>> {
        let rest = self.path.strip_prefix(prefix)?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        Some(
            rest.split('/')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    percent_encoding::percent_decode_str(s)
                        .decode_utf8_lossy()
                        .into_owned()
                })
                .collect(),
        )
    }

    pub fn is_json(&self) -> bool {
        self.header("content-type")
            .is_some_and(|t| t.to_ascii_lowercase().contains("json"))
    }
}

pub(crate) enum Body {
    Bytes(Vec<u8>),
    /// A JSON array of exactly this many bytes, generated while sending so that a
    /// huge reply costs no memory here.
    Filler(usize),
}

pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
}

pub(crate) type Outcome = Result<Reply, Reply>;

const JSON: &str = "application/json";
const TEXT: &str = "text/plain;charset=UTF-8";

impl Reply {
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: Body::Bytes(body),
        }
    }

    pub fn json(status: u16, value: &Value) -> Reply {
        Reply::new(status, JSON, serde_json::to_vec(value).unwrap_or_default())
    }

    pub fn text(status: u16, text: String) -> Reply {
        Reply::new(status, TEXT, text.into_bytes())
    }

    pub fn empty(status: u16) -> Reply {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Bytes(Vec::new()),
        }
    }

    /// The documented `ErrorResponse` without details.
    pub fn error(status: u16, message: &str) -> Reply {
        Reply::json(
            status,
            &json!({"errorMessage": message, "statusError": reason(status)}),
        )
    }

    /// `ErrorResponse` with one entry under `errorDetails`.
    pub fn error_detail(status: u16, key: &str, code: &str, detail: &str, message: &str) -> Reply {
        Reply::json(
            status,
            &json!({
                "errorDetails": {key: [{"errorCode": code, "message": detail}]},
                "errorMessage": message,
                "statusError": reason(status),
            }),
        )
    }

    pub fn not_readable() -> Reply {
        Reply::error(400, "Http message not readable")
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body_len(&self) -> usize {
        match &self.body {
            Body::Bytes(b) => b.len(),
            Body::Filler(n) => *n,
        }
    }
}

/// Spring's reason phrases, which the real API puts in `statusError`.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// The body as a JSON object; anything else is the API's "not readable" 400.
pub(crate) fn json_object(req: &Req) -> Result<Map<String, Value>, Reply> {
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Reply::not_readable()),
    }
}

/// Reads the filler body: `[0,0,...,0]` padded with spaces to the exact length.
pub(crate) struct FillerReader {
    total: usize,
    sent: usize,
}

impl FillerReader {
    pub fn new(total: usize) -> FillerReader {
        FillerReader { total, sent: 0 }
    }

    fn byte_at(&self, i: usize) -> u8 {
        let n = self.total;
        if n < 2 {
            return b' ';
        }
        // Elements sit at odd positions and commas at even ones, so "]" must land on
        // an even position; a leftover byte is whitespace, which JSON allows.
        let close = match n {
            2 => 1,
            _ if n % 2 == 1 => n - 1,
            _ => n - 2,
        };
        match i {
            0 => b'[',
            _ if i == close => b']',
            _ if i > close => b' ',
            _ if i % 2 == 1 => b'0',
            _ => b',',
        }
    }
}

impl std::io::Read for FillerReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let count = buf.len().min(self.total - self.sent);
        for (k, slot) in buf[..count].iter_mut().enumerate() {
            *slot = self.byte_at(self.sent + k);
        }
        self.sent += count;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn filler_is_json_of_exact_length() {
        for n in 2..40 {
            let mut s = String::new();
            FillerReader::new(n).read_to_string(&mut s).unwrap();
            assert_eq!(s.len(), n);
            let v: Value = serde_json::from_str(&s).unwrap_or_else(|e| panic!("{n} {s}: {e}"));
            assert!(v.is_array());
        }
    }
}
