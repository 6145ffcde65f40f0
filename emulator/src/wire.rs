//! HTTP/1.1 on one connection: reading a request head and body, writing a
//! reply. Only what API clients send is supported: Content-Length or chunked
//! bodies, `Expect: 100-continue`, keep-alive and pipelining.

use std::io::{self, BufRead, BufReader, Read, Write};

use crate::http::{reason, Body, FillerReader, Reply};

/// Largest request head (request line and headers together).
const MAX_HEAD: u64 = 64 * 1024;

/// A request as read off the wire.
pub(crate) struct Incoming {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The client asked for the connection to end after this reply.
    pub close: bool,
}

/// Why no request could be read.
pub(crate) enum Refusal {
    /// The client closed the connection (or it failed) between requests.
    Gone,
    /// Unreadable; answer this status and close, since where the next request
    /// would start is unknown.
    Bad(u16),
}

impl From<io::Error> for Refusal {
    fn from(_: io::Error) -> Refusal {
        Refusal::Gone
    }
}

/// Reads the next request. The connection is written to only for the
/// interim `100 Continue` a client may wait for before sending its body.
pub(crate) fn read_request<S: Read + Write>(
    reader: &mut BufReader<S>,
    max_body: u64,
) -> Result<Incoming, Refusal> {
    let mut budget = MAX_HEAD;
    let mut line = read_line(reader, &mut budget)?;
    // RFC 9112 lets a server skip empty lines before a request line.
    while line.is_empty() {
        line = read_line(reader, &mut budget)?;
    }
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refusal::Bad(400));
    };
    let http_10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Err(Refusal::Bad(505)),
    };
    if method.is_empty() || !target.starts_with('/') {
        return Err(Refusal::Bad(400));
    }

    let mut headers = Vec::new();
    loop {
        let line = read_line(reader, &mut budget)?;
        if line.is_empty() {
            break;
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(Refusal::Bad(400));
        };
        if name.is_empty() || name.ends_with([' ', '\t']) {
            return Err(Refusal::Bad(400));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    let connection = header("connection").unwrap_or_default();
    let close = connection.contains("close") || http_10 && !connection.contains("keep-alive");

    let chunked = header("transfer-encoding").is_some_and(|t| t.contains("chunked"));
    let length = match header("content-length") {
        _ if chunked => None,
        None => Some(0),
        Some(text) => Some(text.parse::<u64>().map_err(|_| Refusal::Bad(400))?),
    };
    if length.is_some_and(|n| n > max_body) {
        return Err(Refusal::Bad(413));
    }
    if length != Some(0) && header("expect").is_some_and(|e| e == "100-continue") {
        let writer = reader.get_mut();
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        writer.flush()?;
    }
    let body = match length {
        Some(n) => {
            let mut body = Vec::new();
            reader.by_ref().take(n).read_to_end(&mut body)?;
            if body.len() as u64 != n {
                return Err(Refusal::Gone);
            }
            body
        }
        None => read_chunked(reader, max_body)?,
    };
    Ok(Incoming {
        method: method.to_ascii_uppercase(),
        target: target.to_string(),
        headers,
        body,
        close,
    })
}

/// One line without its line end; EOF before the line end means the
/// client has gone.
fn read_line<R: BufRead>(reader: &mut R, budget: &mut u64) -> Result<String, Refusal> {
    let mut line = Vec::new();
    let n = reader.by_ref().take(*budget).read_until(b'\n', &mut line)?;
    *budget -= n as u64;
    if line.last() != Some(&b'\n') {
        return Err(if *budget == 0 {
            Refusal::Bad(431)
        } else {
            Refusal::Gone
        });
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| Refusal::Bad(400))
}

fn read_chunked<R: BufRead>(reader: &mut R, max_body: u64) -> Result<Vec<u8>, Refusal> {
    let mut body = Vec::new();
    loop {
        let mut budget = MAX_HEAD;
        let line = read_line(reader, &mut budget)?;
        let size = line.split(';').next().unwrap_or_default().trim();
        let size = u64::from_str_radix(size, 16).map_err(|_| Refusal::Bad(400))?;
        if size == 0 {
            // Trailers, which nothing here needs, end with an empty line.
            while !read_line(reader, &mut budget)?.is_empty() {}
            return Ok(body);
        }
        if body.len() as u64 + size > max_body {
            return Err(Refusal::Bad(413));
        }
        let before = body.len();
        reader.by_ref().take(size).read_to_end(&mut body)?;
        if (body.len() - before) as u64 != size || !read_line(reader, &mut budget)?.is_empty() {
            return Err(Refusal::Bad(400));
        }
    }
}

/// Writes a reply, always with a Content-Length (never chunked) so that
/// clients can refuse an oversized reply before reading it.
pub(crate) fn write_reply<W: Write>(
    writer: &mut W,
    reply: Reply,
    head_only: bool,
    close: bool,
) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(64 * 1024, writer);
    write!(
        out,
        "HTTP/1.1 {} {}\r\n",
        reply.status,
        reason_phrase(reply.status)
    )?;
    for (name, value) in &reply.headers {
        // The framing is ours to set; an injected reply cannot break it.
        let framing = ["content-length", "transfer-encoding", "connection"];
        if framing.iter().any(|f| name.eq_ignore_ascii_case(f)) {
            continue;
        }
        write!(out, "{name}: {value}\r\n")?;
    }
    let date = httpdate::fmt_http_date(std::time::SystemTime::now());
    write!(out, "Date: {date}\r\n")?;
    let bodiless = matches!(reply.status, 100..=199 | 204 | 304);
    if !bodiless {
        write!(out, "Content-Length: {}\r\n", reply.body_len())?;
    }
    if close {
        out.write_all(b"Connection: close\r\n")?;
    }
    out.write_all(b"\r\n")?;
    if !(head_only || bodiless) {
        match reply.body {
            Body::Bytes(bytes) => out.write_all(&bytes)?,
            Body::Filler(n) => {
                io::copy(&mut FillerReader::new(n), &mut out)?;
            }
        }
    }
    out.flush()
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        505 => "HTTP Version Not Supported",
        _ => reason(status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection whose client sends `input` and then closes.
    struct Wire<'a> {
        input: &'a [u8],
        output: Vec<u8>,
    }

    impl Read for Wire<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.input.read(buf)
        }
    }

    impl Write for Wire<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.write(buf)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn connection(input: &[u8]) -> BufReader<Wire<'_>> {
        BufReader::new(Wire {
            input,
            output: Vec::new(),
        })
    }

    fn read(bytes: &[u8]) -> Result<Incoming, Refusal> {
        read_request(&mut connection(bytes), 100)
    }

    #[test]
    fn pipelined_requests_with_both_body_framings() {
        let wire = b"POST /a?x=1 HTTP/1.1\r\nContent-Length: 3\r\nX-A: b \r\n\r\nabc\
                     PUT /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2;e=1\r\nhi\r\n1\r\n!\r\n0\r\n\r\n\
                     GET /c HTTP/1.0\r\n\r\n";
        let mut reader = connection(wire);
        let mut next = || read_request(&mut reader, 100);
        let a = next().ok().unwrap();
        assert_eq!((a.method.as_str(), a.target.as_str()), ("POST", "/a?x=1"));
        assert_eq!(a.headers[1], ("x-a".to_string(), "b".to_string()));
        assert_eq!((a.body.as_slice(), a.close), (&b"abc"[..], false));
        let b = next().ok().unwrap();
        assert_eq!(b.body, b"hi!");
        let c = next().ok().unwrap();
        assert!(c.body.is_empty() && c.close);
        assert!(matches!(next(), Err(Refusal::Gone)));
    }

    #[test]
    fn a_client_that_expects_100_continue_gets_it_before_the_body_is_read() {
        let mut reader =
            connection(b"PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok");
        let put = read_request(&mut reader, 100).ok().unwrap();
        assert_eq!(put.body, b"ok");
        assert_eq!(reader.get_ref().output, b"HTTP/1.1 100 Continue\r\n\r\n");
    }

    #[test]
    fn refusals() {
        let status = |bytes: &[u8]| match read(bytes) {
            Err(Refusal::Bad(status)) => status,
            Err(Refusal::Gone) => 0,
            Ok(_) => 1,
        };
        assert_eq!(status(b"GET /\r\n\r\n"), 400);
        assert_eq!(status(b"GET / HTTP/2.0\r\n\r\n"), 505);
        assert_eq!(status(b"GET / HTTP/1.1\r\nbad\r\n\r\n"), 400);
        assert_eq!(status(b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n"), 400);
        assert_eq!(
            status(b"POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n"),
            413
        );
        assert_eq!(status(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab"), 0);
        assert_eq!(status(b"GET / HTTP/1.1\r\nHost: x\r\n"), 0);
    }
}
