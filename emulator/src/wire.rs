//! HTTP/1.1 on one connection: reading a request head and body, writing a
//! reply. Only what API clients send is supported: Content-Length or chunked
//! bodies, `Expect: 100-continue`, keep-alive and pipelining. The syntax is
//! httparse's; this module only frames the bytes around it.

use std::io::{self, BufRead, BufReader, Read, Write};

use httparse::{Status, EMPTY_HEADER};

use crate::http::{Body, FillerReader, Reply};

/// Largest request head (request line and headers together), and largest
/// chunk-size line or trailer section.
const MAX_HEAD: usize = 64 * 1024;

/// Most header fields in one request head (what hyper allows too).
const MAX_HEADERS: usize = 100;

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

impl Incoming {
    /// The first value of a header, in lower case.
    fn header(&self, name: &str) -> Option<String> {
        let (_, value) = self.headers.iter().find(|(k, _)| k == name)?;
        Some(value.to_ascii_lowercase())
    }
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

impl From<httparse::Error> for Refusal {
    fn from(error: httparse::Error) -> Refusal {
        Refusal::Bad(match error {
            httparse::Error::Version => 505,
            httparse::Error::TooManyHeaders => 431,
            _ => 400,
        })
    }
}

/// Reads the next request. The connection is written to only for the
/// interim `100 Continue` a client may wait for before sending its body.
pub(crate) fn read_request<S: Read + Write>(
    reader: &mut BufReader<S>,
    max_body: u64,
) -> Result<Incoming, Refusal> {
    let mut incoming = read_item(reader, |bytes| {
        let mut slots = [EMPTY_HEADER; MAX_HEADERS];
        let mut head = httparse::Request::new(&mut slots);
        match head.parse(bytes)? {
            Status::Partial => Ok(None),
            Status::Complete(n) => Ok(Some((n, incoming(&head)?))),
        }
    })?;
    let header = |name| incoming.header(name);
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
    incoming.body = match length {
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
    Ok(incoming)
}

/// The owned form of a parsed head, with no body yet.
fn incoming(head: &httparse::Request) -> Result<Incoming, Refusal> {
    let (Some(method), Some(target)) = (head.method, head.path) else {
        return Err(Refusal::Bad(400));
    };
    // The origin form is all an API client sends.
    if !target.starts_with('/') {
        return Err(Refusal::Bad(400));
    }
    let headers = head
        .headers
        .iter()
        .map(|h| match std::str::from_utf8(h.value) {
            Ok(value) => Ok((h.name.to_ascii_lowercase(), value.to_string())),
            Err(_) => Err(Refusal::Bad(400)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut incoming = Incoming {
        method: method.to_ascii_uppercase(),
        target: target.to_string(),
        headers,
        body: Vec::new(),
        close: false,
    };
    let connection = incoming.header("connection").unwrap_or_default();
    let http_10 = head.version == Some(0);
    incoming.close = connection.contains("close") || http_10 && !connection.contains("keep-alive");
    Ok(incoming)
}

fn read_chunked<R: BufRead>(reader: &mut R, max_body: u64) -> Result<Vec<u8>, Refusal> {
    let mut body = Vec::new();
    loop {
        let size = read_item(reader, |bytes| {
            match httparse::parse_chunk_size(bytes) {
                Ok(Status::Partial) => Ok(None),
                // httparse reads a line with no digits as size 0.
                Ok(Status::Complete(sized)) if bytes[0].is_ascii_hexdigit() => Ok(Some(sized)),
                _ => Err(Refusal::Bad(400)),
            }
        })?;
        if size == 0 {
            // Trailers, which nothing here needs, end with an empty line.
            read_item(reader, |bytes| {
                match httparse::parse_headers(bytes, &mut [EMPTY_HEADER; MAX_HEADERS])? {
                    Status::Partial => Ok(None),
                    Status::Complete((n, _)) => Ok(Some((n, ()))),
                }
            })?;
            return Ok(body);
        }
        if body.len() as u64 + size > max_body {
            return Err(Refusal::Bad(413));
        }
        let start = body.len();
        body.resize(start + size as usize, 0);
        reader.read_exact(&mut body[start..])?;
        let mut end = [0; 2];
        reader.read_exact(&mut end)?;
        if end != *b"\r\n" {
            return Err(Refusal::Bad(400));
        }
    }
}

/// Reads until `parse` finds a complete item (a head, a chunk-size line,
/// trailers) at the start of the bytes so far, and consumes only that item:
/// what follows it stays in `reader` for the next read, as pipelining needs.
/// `parse` gives the item's length and value, or `None` when it needs more.
fn read_item<R: BufRead, T>(
    reader: &mut R,
    mut parse: impl FnMut(&[u8]) -> Result<Option<(usize, T)>, Refusal>,
) -> Result<T, Refusal> {
    let mut seen = Vec::new();
    loop {
        let fresh = reader.fill_buf()?;
        if fresh.is_empty() {
            return Err(Refusal::Gone);
        }
        let fresh = &fresh[..fresh.len().min(MAX_HEAD - seen.len())];
        let taken = fresh.len();
        // Every item ends a line; parsing only when one may have ended keeps
        // a client that trickles its head from costing a parse per byte.
        let line_ended = fresh.contains(&b'\n');
        let before = seen.len();
        seen.extend_from_slice(fresh);
        if line_ended {
            if let Some((n, item)) = parse(&seen)? {
                reader.consume(n - before);
                return Ok(item);
            }
        }
        if seen.len() == MAX_HEAD {
            return Err(Refusal::Bad(431));
        }
        reader.consume(taken);
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
    let reason = http::StatusCode::from_u16(reply.status)
        .ok()
        .and_then(|status| status.canonical_reason())
        .unwrap_or("");
    let mut out = io::BufWriter::with_capacity(64 * 1024, writer);
    write!(out, "HTTP/1.1 {} {reason}\r\n", reply.status)?;
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
        assert_eq!(status(b"GET / HTTP/1.1\r\nName : v\r\n\r\n"), 400);
        assert_eq!(status(b"GET / HTTP/1.1\r\nX: \xff\r\n\r\n"), 400);
        assert_eq!(status(b"GET http://h/ HTTP/1.1\r\n\r\n"), 400);
        let chunked = |rest: &[u8]| {
            let mut bytes = b"PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
            bytes.extend_from_slice(rest);
            status(&bytes)
        };
        assert_eq!(chunked(b"\r\n"), 400);
        assert_eq!(chunked(b"zz\r\n"), 400);
        assert_eq!(chunked(b"2\r\nhiXX"), 400);
        assert_eq!(chunked(b"65\r\n"), 413);
        assert_eq!(chunked(b"2\r\nh"), 0);
        assert_eq!(chunked(b"0\r\nX-T: 1\r\n\r\n"), 1);
    }

    #[test]
    fn a_head_is_refused_when_too_large_or_with_too_many_fields() {
        let mut big = b"GET / HTTP/1.1\r\nX: ".to_vec();
        big.resize(MAX_HEAD + 10, b'a');
        assert!(matches!(read(&big), Err(Refusal::Bad(431))));
        let mut many = b"GET / HTTP/1.1\r\n".to_vec();
        for _ in 0..=MAX_HEADERS {
            many.extend_from_slice(b"X: 1\r\n");
        }
        many.extend_from_slice(b"\r\n");
        assert!(matches!(read(&many), Err(Refusal::Bad(431))));
    }

    /// A client that hands over at most `step` bytes per read, as a slow
    /// one would, and expects no interim reply.
    struct Trickle<'a> {
        input: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.step);
            self.input.read(&mut buf[..n])
        }
    }

    impl Write for Trickle<'_> {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::Unsupported.into())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn items_split_across_reads_are_put_together() {
        let wire = b"\r\nPOST /a HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\
                     3\r\nabc\r\n0\r\nX-T: 1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
        for step in [1, 2, 5, 7, 64] {
            let mut reader = BufReader::with_capacity(8, Trickle { input: wire, step });
            let mut next = || read_request(&mut reader, 100).ok().unwrap();
            let a = next();
            assert_eq!((a.target.as_str(), a.body.as_slice()), ("/a", &b"abc"[..]));
            let b = next();
            assert_eq!((b.target.as_str(), b.body.as_slice()), ("/b", &b""[..]));
        }
    }
}
