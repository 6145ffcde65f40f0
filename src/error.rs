//! Errors of the Rust client: a kind the C layer maps to a status code, a
//! message meant for people, and, when a reply was involved, its HTTP status
//! and body.

use std::fmt;

/// What went wrong, in the terms of the C ABI's status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    InvalidArgument,
    Config,
    Auth,
    Forbidden,
    NotFound,
    Conflict,
    Validation,
    RateLimited,
    Server,
    Http,
    Network,
    Timeout,
    Response,
    Ambiguous,
    Unsupported,
    Internal,
}

/// An error with everything a caller needs to act on it.
///
/// Messages never contain the client secret or a token: they are built only
/// from the method, the path, the HTTP status and the server's own words.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    http_status: u16,
    body: Option<String>,
}

/// How much of a failing reply's body is kept for the caller.
pub const ERROR_BODY_CAP: usize = 64 * 1024;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            http_status: 0,
            body: None,
        }
    }

    pub fn invalid_argument(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    pub fn config(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Config, message)
    }

    /// Attaches the HTTP status and the reply body (capped) to the error.
    pub fn with_reply(mut self, http_status: u16, body: &[u8]) -> Error {
        self.http_status = http_status;
        if !body.is_empty() {
            let kept = &body[..body.len().min(ERROR_BODY_CAP)];
            self.body = Some(String::from_utf8_lossy(kept).into_owned());
        }
        self
    }

    /// The same error with `suffix` added to its message.
    pub fn with_suffix(mut self, suffix: &str) -> Error {
        self.message.push_str(suffix);
        self
    }

    /// Replaces each of `secrets` in the message and body, for a server
    /// that echoes a credential back in its error.
    pub fn redact(mut self, secrets: &[&str]) -> Error {
        for secret in secrets.iter().filter(|s| s.len() >= 4) {
            if self.message.contains(secret) {
                self.message = self.message.replace(secret, "[redacted]");
            }
            if let Some(body) = &mut self.body {
                if body.contains(secret) {
                    *body = body.replace(secret, "[redacted]");
                }
            }
        }
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the failing reply, 0 when there was none.
    pub fn http_status(&self) -> u16 {
        self.http_status
    }

    /// The failing reply's body, capped at [`ERROR_BODY_CAP`] bytes.
    pub fn body(&self) -> Option<&str> {
        self.body.as_deref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("http_status", &self.http_status)
            .finish()
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// The kind an HTTP error status maps to, before retries are considered.
///
/// The API answers some lookups of missing objects with 400 and a message
/// such as "Entity does not exist" (code 9-11-6) or "... not found" where a
/// 404 would be expected; those are reported as not found.
pub fn kind_for_status(status: u16, body: &[u8]) -> ErrorKind {
    match status {
        400 | 422 if says_not_found(body) => ErrorKind::NotFound,
        400 | 422 => ErrorKind::Validation,
        401 => ErrorKind::Auth,
        403 => ErrorKind::Forbidden,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::Conflict,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::Http,
    }
}

fn says_not_found(body: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    let lower = text.to_ascii_lowercase();
    lower.contains("does not exist") || lower.contains("not found") || lower.contains("9-11-6")
}

/// The server's own explanation from the API's error body: `errorMessage`,
/// then each field error of `errorDetails`, or the OAuth `error_description`.
pub fn server_reason(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let object = value.as_object()?;
    let mut parts: Vec<String> = Vec::new();
    for key in ["errorMessage", "error_description", "message", "error"] {
        if let Some(text) = object.get(key).and_then(|v| v.as_str()) {
            if !text.is_empty() {
                parts.push(text.to_string());
                break;
            }
        }
    }
    if let Some(details) = object.get("errorDetails").and_then(|v| v.as_object()) {
        for (field, list) in details {
            for item in list.as_array().into_iter().flatten() {
                let message = item.get("message").and_then(|v| v.as_str()).unwrap_or("");
                let code = item.get("errorCode").and_then(|v| v.as_str());
                let mut line = format!("{field}: {message}");
                if let Some(code) = code {
                    line.push_str(&format!(" [{code}]"));
                }
                parts.push(line);
            }
        }
    }
    if parts.is_empty() {
        None
    } else {
        Some(truncate(&parts.join("; "), 1000))
    }
}

/// Text that cannot pass for something else once printed: control
/// characters (a newline that would forge a second log line, an escape
/// sequence for the terminal), line and paragraph separators, and the
/// invisible format characters (bidirectional controls, zero-width
/// characters, tags) are shown escaped, `\n` or `\u{1b}`. Messages and
/// log lines quote the server's words, so they pass through here; the raw
/// body stays as it came.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| c.is_control() || is_invisible(c);
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if hidden(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Unicode's line and paragraph separators and its format characters
/// (general category Cf) that matter in text: they break lines in some
/// viewers, reorder what is shown, or hide text altogether.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
    )
}

/// Shortens text for a message, on a character boundary.
pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_what_could_forge_or_hide_text() {
        assert_eq!(printable("plain, été ✓"), "plain, été ✓");
        assert_eq!(
            printable("a\nccx info: forged\r\t\u{1b}[31m\u{7f}\u{202e}"),
            "a\\nccx info: forged\\r\\t\\u{1b}[31m\\u{7f}\\u{202e}"
        );
        for hidden in [
            '\u{85}',
            '\u{ad}',
            '\u{61c}',
            '\u{200b}',
            '\u{200d}',
            '\u{200e}',
            '\u{2028}',
            '\u{2029}',
            '\u{2060}',
            '\u{feff}',
            '\u{fffb}',
            '\u{e0041}',
        ] {
            let shown = printable(&format!("a{hidden}b")).into_owned();
            assert_eq!(shown, format!("a{}b", hidden.escape_unicode()));
        }
    }

    #[test]
    fn missing_entity_400_is_not_found() {
        let body = br#"{"errorDetails":{"application":[{"errorCode":"9-11-6",
            "message":"Entity does not exist"}]},"statusError":"Bad Request"}"#;
        assert_eq!(kind_for_status(400, body), ErrorKind::NotFound);
        assert_eq!(
            kind_for_status(400, br#"{"errorMessage":"bad"}"#),
            ErrorKind::Validation
        );
    }

    #[test]
    fn redaction_covers_message_and_body() {
        let error = Error::new(ErrorKind::Auth, "secret hunter22 is wrong")
            .with_reply(401, b"{\"error\":\"hunter22\"}")
            .redact(&["hunter22", "abc"]);
        assert_eq!(error.message(), "secret [redacted] is wrong");
        assert_eq!(error.body(), Some("{\"error\":\"[redacted]\"}"));
    }

    #[test]
    fn reason_lists_field_errors() {
        let body = br#"{"errorMessage":"Validation failed","errorDetails":
            {"name":[{"errorCode":"1-2","message":"must not be blank"}]}}"#;
        assert_eq!(
            server_reason(body).unwrap(),
            "Validation failed; name: must not be blank [1-2]"
        );
        assert_eq!(server_reason(b"<html>"), None);
    }
}
