//! HTTP plumbing: a TCP front door, tiny_http behind it, and the request pipeline
//! (control endpoints, faults, rate limit, auth, resources, recording).
//!
//! tiny_http parses HTTP and handles keep-alive, but it has no way to close a
//! connection without sending a reply, which the `Drop` faults need. So clients
//! connect to our own listener, and each connection is relayed to tiny_http on a
//! second loopback socket that we can shut down at will. The relay also lets `Drop`
//! for `Emulator` cut every connection, so shutdown never waits on a client.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::auth::Auth;
use crate::faults::FaultQueue;
use crate::http::{Body, FillerReader, Reply, Req};
use crate::ratelimit::Limiter;
use crate::store::Store;
use crate::{Config, FaultKind, RecordedRequest, Stats};

const WORKERS: usize = 32;
const MAX_BODY: u64 = 64 * 1024 * 1024;
const MAX_RECORDED: usize = 200_000;
const TOKEN_PATH: &str = "/api/v1/oauth/token";

pub(crate) struct Shared {
    pub config: Config,
    pub addr: SocketAddr,
    pub auth: Auth,
    pub limiter: Limiter,
    pub faults: FaultQueue,
    pub store: Mutex<Store>,
    pub log: Mutex<Log>,
    stopping: AtomicBool,
    conns: Mutex<Conns>,
    /// Requests held unanswered by `Hang` faults until shutdown.
    parked: Mutex<Vec<tiny_http::Request>>,
    /// Set when serving HTTPS.
    tls: Option<Arc<rustls::ServerConfig>>,
}

#[derive(Default)]
pub(crate) struct Log {
    pub stats: Stats,
    pub requests: Vec<RecordedRequest>,
}

/// Relayed connections, keyed by the relay's address as tiny_http sees it.
#[derive(Default)]
struct Conns {
    open: HashMap<SocketAddr, (TcpStream, TcpStream)>,
    relays: Vec<JoinHandle<()>>,
}

impl Conns {
    fn close(&mut self, key: &SocketAddr) {
        if let Some((client, upstream)) = self.open.remove(key) {
            let _ = client.shutdown(Shutdown::Both);
            let _ = upstream.shutdown(Shutdown::Both);
        }
    }
}

pub(crate) struct Running {
    server: Arc<tiny_http::Server>,
    acceptor: JoinHandle<()>,
    workers: Vec<JoinHandle<()>>,
}

fn other(error: impl std::fmt::Display) -> io::Error {
    io::Error::other(error.to_string())
}

pub(crate) fn start(config: Config) -> io::Result<(Arc<Shared>, Running)> {
    let mut store = Store::new();
    store.regions = crate::seed::regions();
    if config.seed {
        crate::seed::seed_examples(&mut store);
    }
    crate::seed::extra_users(&mut store, config.extra_users);

    let server =
        Arc::new(tiny_http::Server::from_listener(no_delay_listener()?, None).map_err(other)?);
    let upstream = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| other("tiny_http did not bind an IP address"))?;
    let listener = TcpListener::bind(("127.0.0.1", config.port))?;
    let addr = listener.local_addr()?;
    let tls = match &config.tls {
        Some(identity) => Some(crate::tls::server_config(identity)?),
        None => None,
    };

    let shared = Arc::new(Shared {
        auth: Auth::new(
            &config.client_id,
            &config.client_secret,
            config.token_ttl_secs,
        ),
        limiter: Limiter::new(config.rate_limit.clone(), config.time_scale),
        faults: FaultQueue::default(),
        store: Mutex::new(store),
        log: Mutex::new(Log::default()),
        stopping: AtomicBool::new(false),
        conns: Mutex::new(Conns::default()),
        parked: Mutex::new(Vec::new()),
        tls,
        config,
        addr,
    });

    let acceptor = {
        let shared = shared.clone();
        thread::Builder::new()
            .name("ccx-emulator-accept".into())
            .spawn(move || accept_loop(shared, listener, upstream))?
    };
    let mut workers = Vec::with_capacity(WORKERS);
    for n in 0..WORKERS {
        let shared = shared.clone();
        let server = server.clone();
        let handle = thread::Builder::new()
            .name(format!("ccx-emulator-{n}"))
            .spawn(move || {
                while !shared.stopping.load(Ordering::SeqCst) {
                    if let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(500)) {
                        serve(&shared, request);
                    }
                }
            })?;
        workers.push(handle);
    }
    let running = Running {
        server,
        acceptor,
        workers,
    };
    Ok((shared, running))
}

impl Running {
    pub fn stop(self, shared: &Shared) {
        shared.stopping.store(true, Ordering::SeqCst);
        // Wake the acceptor out of accept(); it sees the flag and drops the listener.
        let _ = TcpStream::connect(shared.addr);
        let _ = self.acceptor.join();
        let relays = {
            let mut conns = shared.conns.lock().unwrap();
            let keys: Vec<SocketAddr> = conns.open.keys().copied().collect();
            for key in keys {
                conns.close(&key);
            }
            std::mem::take(&mut conns.relays)
        };
        for _ in &self.workers {
            self.server.unblock();
        }
        for worker in self.workers {
            let _ = worker.join();
        }
        shared.parked.lock().unwrap().clear();
        for relay in relays {
            let _ = relay.join();
        }
    }
}

/// The loopback listener for tiny_http. Sockets accepted from it inherit
/// TCP_NODELAY; without it, tiny_http's several small writes per reply meet the
/// relay's delayed ACKs and every reply over about 1 KiB waits some 40 ms.
fn no_delay_listener() -> io::Result<TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    socket.set_tcp_nodelay(true)?;
    socket.bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

fn accept_loop(shared: Arc<Shared>, listener: TcpListener, upstream: SocketAddr) {
    for incoming in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let client = match incoming {
            Ok(stream) => stream,
            Err(_) => {
                // Typically out of file descriptors; back off instead of spinning.
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        if let Err(error) = relay(&shared, client, upstream) {
            if shared.config.verbose {
                eprintln!("ccx-emulator: cannot relay a connection: {error}");
            }
        }
    }
}

fn relay(shared: &Arc<Shared>, client: TcpStream, upstream: SocketAddr) -> io::Result<()> {
    let server_side = TcpStream::connect(upstream)?;
    client.set_nodelay(true)?;
    server_side.set_nodelay(true)?;
    let key = server_side.local_addr()?;
    let mut conns = shared.conns.lock().unwrap();
    conns.relays.retain(|h| !h.is_finished());
    conns
        .open
        .insert(key, (client.try_clone()?, server_side.try_clone()?));

    if let Some(tls) = &shared.tls {
        let session = crate::tls::Session::new(tls, client)?;
        let (inbound_session, to_server) = (session.clone(), server_side.try_clone()?);
        let inbound = thread::Builder::new()
            .name("ccx-emulator-tls-in".into())
            .spawn(move || {
                inbound_session.pump_in(&to_server);
                let _ = to_server.shutdown(Shutdown::Write);
            })?;
        let shared_out = shared.clone();
        let outbound = thread::Builder::new()
            .name("ccx-emulator-tls-out".into())
            .spawn(move || {
                session.pump_out(server_side);
                session.shutdown();
                shared_out.conns.lock().unwrap().close(&key);
            })?;
        conns.relays.push(inbound);
        conns.relays.push(outbound);
        return Ok(());
    }

    let (from_client, to_server) = (client.try_clone()?, server_side.try_clone()?);
    let inbound = thread::Builder::new()
        .name("ccx-emulator-in".into())
        .spawn(move || {
            pump(from_client, &to_server);
            // Pass the client's end of input on, so a half-closed request still
            // gets its reply.
            let _ = to_server.shutdown(Shutdown::Write);
        })?;
    let shared_out = shared.clone();
    let outbound = thread::Builder::new()
        .name("ccx-emulator-out".into())
        .spawn(move || {
            pump(server_side, &client);
            shared_out.conns.lock().unwrap().close(&key);
        })?;
    conns.relays.push(inbound);
    conns.relays.push(outbound);
    Ok(())
}

fn pump(mut from: TcpStream, mut to: &TcpStream) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match from.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if to.write_all(&buffer[..n]).is_err() {
                    return;
                }
            }
        }
    }
}

fn serve(shared: &Shared, mut request: tiny_http::Request) {
    let started = Instant::now();
    let method = request.method().as_str().to_ascii_uppercase();
    let url = request.url().to_string();
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .map(|h| {
            let name = h.field.as_str().as_str().to_ascii_lowercase();
            (name, h.value.as_str().to_string())
        })
        .collect();
    let mut body = Vec::new();
    if request
        .as_reader()
        .take(MAX_BODY)
        .read_to_end(&mut body)
        .is_err()
    {
        return;
    }
    let req = Req::new(method, &url, headers, body);

    if req.segments_after("/_emulator").is_some() {
        let reply = if shared.config.control {
            crate::control::handle(shared, &req)
        } else {
            Reply::error(404, &format!("No endpoint {} {}.", req.method, req.path))
        };
        send(request, reply);
        return;
    }

    shared.count(&req);
    let reply = match shared.faults.take(&req.method, &req.path) {
        None => dispatch(shared, &req),
        Some(FaultKind::Delay { ms }) => {
            shared.sleep(Duration::from_millis(ms));
            dispatch(shared, &req)
        }
        Some(FaultKind::Status {
            status,
            headers,
            body,
        }) => Reply {
            status,
            headers,
            body: Body::Bytes(body.into_bytes()),
        },
        Some(FaultKind::Malformed) => Reply::new(
            200,
            "application/json",
            b"{\"content\":[{\"id\":\"8f3c".to_vec(),
        ),
        Some(FaultKind::Oversized { bytes }) => Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Body::Filler(bytes),
        },
        Some(FaultKind::Hang) => {
            shared.finish(&req, 0, started);
            shared.parked.lock().unwrap().push(request);
            return;
        }
        Some(FaultKind::Drop) => {
            shared.finish(&req, 0, started);
            shared.cut(request);
            return;
        }
        Some(FaultKind::DropAfterActing) => {
            let _ = dispatch(shared, &req);
            shared.finish(&req, 0, started);
            shared.cut(request);
            return;
        }
    };
    if reply.status == 429 {
        shared.log.lock().unwrap().stats.rate_limited += 1;
    }
    shared.finish(&req, reply.status, started);
    send(request, reply);
}

/// Rate limit, then authentication, then the resource itself.
fn dispatch(shared: &Shared, req: &Req) -> Reply {
    if req.segments_after("/api/v1").is_none() {
        return Reply::error(404, &format!("No endpoint {} {}.", req.method, req.path));
    }
    let token_endpoint = req.path == TOKEN_PATH;
    let key = shared.auth.limiter_key(req, token_endpoint);
    let verdict = shared.limiter.check(&key);
    let mut reply = match &verdict {
        // The real API refuses with an empty body and no Retry-After.
        Some(v) if !v.allowed => Reply::empty(429),
        _ if token_endpoint => shared.auth.token(req),
        _ => match shared.auth.check(req) {
            Err(refusal) => refusal,
            Ok(()) => {
                let mut store = shared.store.lock().unwrap();
                crate::resources::handle(&mut store, req, shared.config.max_page_size)
            }
        },
    };
    if let Some(verdict) = verdict {
        reply.headers.extend(verdict.headers);
    }
    reply
}

fn send(request: tiny_http::Request, reply: Reply) {
    let length = reply.body_len();
    let headers: Vec<tiny_http::Header> = reply
        .headers
        .iter()
        .filter_map(|(k, v)| tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).ok())
        .collect();
    let reader: Box<dyn Read + Send> = match reply.body {
        Body::Bytes(bytes) => Box::new(io::Cursor::new(bytes)),
        Body::Filler(n) => Box::new(FillerReader::new(n)),
    };
    // A known length always goes out as Content-Length, never chunked, so clients
    // can refuse an oversized reply before reading it.
    let response = tiny_http::Response::new(
        tiny_http::StatusCode(reply.status),
        headers,
        reader,
        Some(length),
        None,
    )
    .with_chunked_threshold(usize::MAX);
    let _ = request.respond(response);
}

impl Shared {
    fn count(&self, req: &Req) {
        let mut log = self.log.lock().unwrap();
        log.stats.requests += 1;
        if req.path == TOKEN_PATH {
            log.stats.token_requests += 1;
        }
        *log.stats.by_method.entry(req.method.clone()).or_default() += 1;
    }

    /// Records the request with the status sent (0 for none) and logs it.
    fn finish(&self, req: &Req, status: u16, started: Instant) {
        let headers = req
            .headers
            .iter()
            .map(|(name, value)| {
                if name == "authorization" {
                    let scheme = value.split(' ').next().unwrap_or_default();
                    (name.clone(), scheme.to_string())
                } else {
                    (name.clone(), value.clone())
                }
            })
            .collect();
        let record = RecordedRequest {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.query.clone(),
            headers,
            body: req.body.clone(),
            status,
        };
        let mut log = self.log.lock().unwrap();
        // A long soak run must not grow without bound; tests look at recent history.
        if log.requests.len() >= MAX_RECORDED {
            log.requests.drain(..MAX_RECORDED / 2);
        }
        log.requests.push(record);
        drop(log);
        if self.config.verbose {
            // Path only: the query of a token request may carry the secret.
            eprintln!(
                "{} {} {} {:.1}ms",
                req.method,
                req.path,
                status,
                started.elapsed().as_secs_f64() * 1000.0
            );
        }
    }

    /// Closes the request's connection without a reply.
    fn cut(&self, request: tiny_http::Request) {
        if let Some(key) = request.remote_addr().copied() {
            self.conns.lock().unwrap().close(&key);
        }
        drop(request.into_writer());
    }

    /// Sleeps, but gives up early when the emulator is stopping.
    fn sleep(&self, total: Duration) {
        let until = Instant::now() + total;
        while !self.stopping.load(Ordering::SeqCst) {
            let now = Instant::now();
            if now >= until {
                break;
            }
            thread::sleep((until - now).min(Duration::from_millis(20)));
        }
    }
}
