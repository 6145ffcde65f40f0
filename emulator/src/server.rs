//! HTTP plumbing: one thread per client connection, reading requests and
//! writing replies itself, and the request pipeline (control endpoints,
//! faults, rate limit, auth, resources, recording).
//!
//! The connections are ours rather than a server library's, so the `Drop`
//! faults can close one without a reply, `Hang` can leave one unanswered, and
//! `Drop` for `Emulator` can cut every one so shutdown never waits on a client.
//! (tiny_http, used before, queued a new connection behind a busy one when
//! several arrived at once, so a client could wait forever for a reply.)

use std::collections::HashMap;
use std::io::{self, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::auth::Auth;
use crate::faults::FaultQueue;
use crate::http::{Body, Reply, Req};
use crate::ratelimit::Limiter;
use crate::store::Store;
use crate::wire::{self, Incoming, Refusal};
use crate::{Config, FaultKind, RecordedRequest, Stats};

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
    /// Set when serving HTTPS.
    tls: Option<Arc<rustls::ServerConfig>>,
}

#[derive(Default)]
pub(crate) struct Log {
    pub stats: Stats,
    pub requests: Vec<RecordedRequest>,
}

/// Open client connections, so that stopping can cut them.
#[derive(Default)]
struct Conns {
    open: HashMap<u64, TcpStream>,
    next: u64,
    threads: Vec<JoinHandle<()>>,
}

pub(crate) struct Running {
    acceptor: JoinHandle<()>,
}

/// What to do with a request's connection once the pipeline is done with it.
enum Action {
    Send(Reply),
    /// Leave the request unanswered until shutdown.
    Hang,
    /// Close the connection without a reply.
    Cut,
}

pub(crate) fn start(config: Config) -> io::Result<(Arc<Shared>, Running)> {
    let mut store = Store::new();
    store.regions = crate::seed::regions();
    if config.seed {
        crate::seed::seed_examples(&mut store);
    }
    crate::seed::extra_users(&mut store, config.extra_users);

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
        tls,
        config,
        addr,
    });

    let acceptor = {
        let shared = shared.clone();
        thread::Builder::new()
            .name("ccx-emulator-accept".into())
            .spawn(move || accept_loop(shared, listener))?
    };
    Ok((shared, Running { acceptor }))
}

impl Running {
    pub fn stop(self, shared: &Shared) {
        shared.stopping.store(true, Ordering::SeqCst);
        // Wake the acceptor out of accept(); it sees the flag and drops the listener.
        let _ = TcpStream::connect(shared.addr);
        let _ = self.acceptor.join();
        // No connection opens from here on; cutting the open ones wakes their
        // threads out of reading, and a hung one notices the flag.
        let threads = {
            let mut conns = shared.conns.lock().unwrap();
            for socket in conns.open.values() {
                let _ = socket.shutdown(Shutdown::Both);
            }
            std::mem::take(&mut conns.threads)
        };
        for thread in threads {
            let _ = thread.join();
        }
    }
}

fn accept_loop(shared: Arc<Shared>, listener: TcpListener) {
    for incoming in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let socket = match incoming {
            Ok(stream) => stream,
            Err(_) => {
                // Typically out of file descriptors; back off instead of spinning.
                thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        if let Err(error) = open(&shared, socket) {
            if shared.config.verbose {
                eprintln!("ccx-emulator: cannot serve a connection: {error}");
            }
        }
    }
}

/// Registers the connection and gives it a thread of its own, so that no
/// client ever waits for another one's connection to close.
fn open(shared: &Arc<Shared>, socket: TcpStream) -> io::Result<()> {
    // A reply larger than the write buffer, or one after a 100 Continue, goes
    // out in several writes; the later ones must not wait for a delayed ACK.
    socket.set_nodelay(true)?;
    let mut conns = shared.conns.lock().unwrap();
    conns.threads.retain(|t| !t.is_finished());
    let id = conns.next;
    conns.next += 1;
    conns.open.insert(id, socket.try_clone()?);
    let shared = shared.clone();
    let thread = thread::Builder::new()
        .name("ccx-emulator-conn".into())
        .spawn(move || {
            match &shared.tls {
                Some(tls) => {
                    if let Ok(session) = rustls::ServerConnection::new(tls.clone()) {
                        let mut stream = rustls::StreamOwned::new(session, &socket);
                        if converse(&shared, &mut stream) {
                            stream.conn.send_close_notify();
                            let _ = stream.conn.complete_io(&mut stream.sock);
                        }
                    }
                }
                None => {
                    converse(&shared, &mut &socket);
                }
            }
            let _ = socket.shutdown(Shutdown::Both);
            shared.conns.lock().unwrap().open.remove(&id);
        })?;
    conns.threads.push(thread);
    Ok(())
}

/// Serves requests on one connection until either side ends it. Returns
/// whether it ended in good order (rather than cut, or failed).
fn converse<S: io::Read + Write>(shared: &Shared, stream: &mut S) -> bool {
    let mut reader = BufReader::new(stream);
    loop {
        let incoming = match wire::read_request(&mut reader, MAX_BODY) {
            Ok(incoming) => incoming,
            Err(Refusal::Gone) => return false,
            Err(Refusal::Bad(status)) => {
                let reply = Reply::error(status, crate::http::reason(status));
                return wire::write_reply(reader.get_mut(), reply, false, true).is_ok();
            }
        };
        let close = incoming.close;
        let head_only = incoming.method == "HEAD";
        match serve(shared, incoming) {
            Action::Send(reply) => {
                if wire::write_reply(reader.get_mut(), reply, head_only, close).is_err() {
                    return false;
                }
                if close {
                    return true;
                }
            }
            Action::Cut => return false,
            Action::Hang => {
                while !shared.stopping.load(Ordering::SeqCst) {
                    thread::sleep(Duration::from_millis(20));
                }
                return false;
            }
        }
    }
}

fn serve(shared: &Shared, incoming: Incoming) -> Action {
    let started = Instant::now();
    let req = Req::new(
        incoming.method,
        &incoming.target,
        incoming.headers,
        incoming.body,
    );

    if req.segments_after("/_emulator").is_some() {
        return Action::Send(if shared.config.control {
            crate::control::handle(shared, &req)
        } else {
            Reply::error(404, &format!("No endpoint {} {}.", req.method, req.path))
        });
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
            return Action::Hang;
        }
        Some(FaultKind::Drop) => {
            shared.finish(&req, 0, started);
            return Action::Cut;
        }
        Some(FaultKind::DropAfterActing) => {
            let _ = dispatch(shared, &req);
            shared.finish(&req, 0, started);
            return Action::Cut;
        }
    };
    if reply.status == 429 {
        shared.log.lock().unwrap().stats.rate_limited += 1;
    }
    shared.finish(&req, reply.status, started);
    Action::Send(reply)
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
