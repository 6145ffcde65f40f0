//! A scripted HTTP/1.1 server on 127.0.0.1 for behaviour the emulator should
//! not have: it answers each request with whatever the test's handler
//! returns (a reply, silence, a dropped connection, a truncated or endless
//! body) and records every request as it arrived on the wire.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const TOKEN_PATH: &str = "/api/v1/oauth/token";

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    /// The request target exactly as sent, e.g. `/api/v1/networks?page=0`.
    pub target: String,
    pub path: String,
    /// Without the `?`; empty when there is none.
    pub query: String,
    /// Names in lower case, values as sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
    /// Which TCP connection carried it, counting from 0.
    pub connection: usize,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_token_request(&self) -> bool {
        self.path == TOKEN_PATH
    }

    /// The value of `name=` in the query, undecoded.
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }
}

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    Send {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Never answer; the connection stays open until the server stops.
    Hang,
    /// Close the connection without a byte of reply.
    Drop,
    /// Announce `declared` body bytes, send `body`, then close.
    Partial {
        status: u16,
        declared: u64,
        body: Vec<u8>,
    },
    /// A 200 whose JSON-looking body goes on for `total` bytes (announced
    /// with Content-Length, or chunked when `chunked`), until the client
    /// stops reading.
    Endless { total: u64, chunked: bool },
    /// Wait, then do the other thing.
    After(Duration, Box<Reply>),
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Send {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn text(status: u16, content_type: &str, body: &str) -> Reply {
        Reply::Send {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// A token reply; `extra` is spliced into the JSON object as it is.
    pub fn token(value: &str, extra: &str) -> Reply {
        let comma = if extra.is_empty() { "" } else { "," };
        Reply::json(
            200,
            &format!(r#"{{"access_token":"{value}","token_type":"bearer"{comma}{extra}}}"#),
        )
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Send { headers, .. } = &mut self {
            headers.push((name.to_string(), value.to_string()));
        }
        self
    }

    pub fn after(self, wait: Duration) -> Reply {
        Reply::After(wait, Box::new(self))
    }
}

type Handler = dyn Fn(&Received) -> Reply + Send + Sync;

struct Shared {
    handler: Box<Handler>,
    received: Mutex<Vec<Received>>,
    stop: AtomicBool,
    connections: AtomicUsize,
    /// Body bytes written by `Endless` replies, to show the client stopped.
    streamed: AtomicU64,
    workers: Mutex<Vec<JoinHandle<()>>>,
}

pub struct FakeServer {
    shared: Arc<Shared>,
    addr: std::net::SocketAddr,
    acceptor: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// Serves every request with `handler`, on a port of its own.
    pub fn start(handler: impl Fn(&Received) -> Reply + Send + Sync + 'static) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("address");
        let shared = Arc::new(Shared {
            handler: Box::new(handler),
            received: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            connections: AtomicUsize::new(0),
            streamed: AtomicU64::new(0),
            workers: Mutex::new(Vec::new()),
        });
        let accepting = shared.clone();
        let acceptor = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accepting.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let id = accepting.connections.fetch_add(1, Ordering::SeqCst);
                let serving = accepting.clone();
                let worker = std::thread::spawn(move || serve(&serving, stream, id));
                accepting.workers.lock().unwrap().push(worker);
            }
        });
        FakeServer {
            shared,
            addr,
            acceptor: Some(acceptor),
        }
    }

    /// Token requests get a fresh valid token (`tok-1`, `tok-2`, ...) valid
    /// for an hour; API requests get `replies` in order, the last one
    /// repeated once the list is used up.
    pub fn scripted(replies: Vec<Reply>) -> FakeServer {
        let tokens = AtomicUsize::new(0);
        let next = AtomicUsize::new(0);
        FakeServer::start(move |request| {
            if request.is_token_request() {
                let n = tokens.fetch_add(1, Ordering::SeqCst) + 1;
                return Reply::token(&format!("tok-{n}"), r#""expires_in":3600"#);
            }
            let i = next.fetch_add(1, Ordering::SeqCst);
            replies[i.min(replies.len() - 1)].clone()
        })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    pub fn token_requests(&self) -> Vec<Received> {
        let all = self.received();
        all.into_iter().filter(|r| r.is_token_request()).collect()
    }

    pub fn api_requests(&self) -> Vec<Received> {
        let all = self.received();
        all.into_iter().filter(|r| !r.is_token_request()).collect()
    }

    pub fn streamed_bytes(&self) -> u64 {
        self.shared.streamed.load(Ordering::SeqCst)
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wakes the blocking accept so that its thread sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        let workers = std::mem::take(&mut *self.shared.workers.lock().unwrap());
        for worker in workers {
            let _ = worker.join();
        }
    }
}

/// Serves the requests of one keep-alive connection.
fn serve(shared: &Shared, stream: TcpStream, connection: usize) {
    // Short read timeouts let a waiting worker notice that the server stops.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        let Some(request) = read_request(shared, &mut reader, connection) else {
            return;
        };
        shared.received.lock().unwrap().push(request.clone());
        let reply = (shared.handler)(&request);
        if !answer(shared, &mut writer, reply) {
            let _ = writer.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// Writes a reply; false when the connection must close afterwards.
fn answer(shared: &Shared, out: &mut TcpStream, reply: Reply) -> bool {
    match reply {
        Reply::Send {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            for (name, value) in &headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
            out.write_all(head.as_bytes()).is_ok() && out.write_all(&body).is_ok()
        }
        Reply::Hang => {
            while !shared.stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
            }
            false
        }
        Reply::Drop => false,
        Reply::Partial {
            status,
            declared,
            body,
        } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\n\
                 content-length: {declared}\r\n\r\n",
                reason(status)
            );
            let _ = out.write_all(head.as_bytes());
            let _ = out.write_all(&body);
            let _ = out.flush();
            // Lets the client read what was sent before the close.
            std::thread::sleep(Duration::from_millis(50));
            false
        }
        Reply::Endless { total, chunked } => {
            stream_endless(shared, out, total, chunked);
            false
        }
        Reply::After(wait, then) => {
            let until = Instant::now() + wait;
            while Instant::now() < until && !shared.stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5).min(wait));
            }
            answer(shared, out, *then)
        }
    }
}

fn stream_endless(shared: &Shared, out: &mut TcpStream, total: u64, chunked: bool) {
    let framing = if chunked {
        "transfer-encoding: chunked".to_string()
    } else {
        format!("content-length: {total}")
    };
    let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{framing}\r\n\r\n");
    if out.write_all(head.as_bytes()).is_err() {
        return;
    }
    // A string value that never closes: valid JSON so far, whatever the
    // point at which the client gives up.
    let prefix = br#"{"padding":""#;
    if chunked {
        let _ = out.write_all(format!("{:x}\r\n", prefix.len()).as_bytes());
        let _ = out.write_all(prefix);
        let _ = out.write_all(b"\r\n");
    } else {
        let _ = out.write_all(prefix);
    }
    let block = vec![b'x'; 64 * 1024];
    let mut sent: u64 = 0;
    while sent < total && !shared.stop.load(Ordering::SeqCst) {
        let n = (total - sent).min(block.len() as u64) as usize;
        let ok = if chunked {
            out.write_all(format!("{n:x}\r\n").as_bytes()).is_ok()
                && out.write_all(&block[..n]).is_ok()
                && out.write_all(b"\r\n").is_ok()
        } else {
            out.write_all(&block[..n]).is_ok()
        };
        if !ok {
            break;
        }
        sent += n as u64;
        shared.streamed.fetch_add(n as u64, Ordering::SeqCst);
    }
}

/// The standard reason phrase, from the http crate.
fn reason(status: u16) -> &'static str {
    ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
        .unwrap_or("Other")
}

/// Reads one request; `None` at the end of the connection or on shutdown.
fn read_request(
    shared: &Shared,
    reader: &mut BufReader<TcpStream>,
    connection: usize,
) -> Option<Received> {
    let first = read_line(shared, reader)?;
    let at = Instant::now();
    let mut parts = first.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let line = read_line(shared, reader)?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let body = if find("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        read_chunked(shared, reader)?
    } else {
        let length: usize = find("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        read_exact(shared, reader, length)?
    };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.clone(), String::new()),
    };
    Some(Received {
        method,
        target,
        path,
        query,
        headers,
        body,
        at,
        connection,
    })
}

fn read_line(shared: &Shared, reader: &mut BufReader<TcpStream>) -> Option<String> {
    let mut line = Vec::new();
    loop {
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => return None,
            Ok(_) if line.ends_with(b"\n") => break,
            Ok(_) => {}
            Err(e) if is_timeout(&e) => {
                if shared.stop.load(Ordering::SeqCst) {
                    return None;
                }
            }
            Err(_) => return None,
        }
    }
    let text = String::from_utf8_lossy(&line);
    Some(text.trim_end_matches(['\r', '\n']).to_string())
}

fn read_exact(
    shared: &Shared,
    reader: &mut BufReader<TcpStream>,
    length: usize,
) -> Option<Vec<u8>> {
    let mut body = vec![0u8; length];
    let mut filled = 0;
    while filled < length {
        match reader.read(&mut body[filled..]) {
            Ok(0) => return None,
            Ok(n) => filled += n,
            Err(e) if is_timeout(&e) => {
                if shared.stop.load(Ordering::SeqCst) {
                    return None;
                }
            }
            Err(_) => return None,
        }
    }
    Some(body)
}

fn read_chunked(shared: &Shared, reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let size_line = read_line(shared, reader)?;
        let size = usize::from_str_radix(size_line.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            // Trailers end with an empty line.
            while !read_line(shared, reader)?.is_empty() {}
            return Some(body);
        }
        body.extend(read_exact(shared, reader, size)?);
        read_line(shared, reader)?;
    }
}

fn is_timeout(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}
