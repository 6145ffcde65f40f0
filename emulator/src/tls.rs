//! HTTPS for the emulator: TLS is ended in the relay, so tiny_http, the fault
//! machinery and the recording see plain HTTP whichever way a client came in.
//!
//! A rustls connection cannot be split between two threads, so both relay
//! directions share it behind a mutex. Each side holds the lock only to move
//! bytes through it and to write the resulting records, which keeps records in
//! order on the wire.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Mutex};

use rustls::{ServerConfig, ServerConnection};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use crate::TlsIdentity;

/// Builds the server side of TLS from PEM text, with the errors a person who
/// passed the wrong file needs to see.
pub(crate) fn server_config(identity: &TlsIdentity) -> io::Result<Arc<ServerConfig>> {
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_string());
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(identity.cert_chain_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| invalid(&format!("TLS certificate is not valid PEM: {e}")))?;
    if chain.is_empty() {
        return Err(invalid("TLS certificate file holds no certificate"));
    }
    let key = PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes())
        .map_err(|e| invalid(&format!("TLS key is not a valid PEM private key: {e}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(&e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| invalid(&format!("TLS certificate and key do not fit: {e}")))?;
    Ok(Arc::new(config))
}

/// One client connection's TLS state, shared by the two relay directions.
pub(crate) struct Session {
    conn: Mutex<ServerConnection>,
    socket: TcpStream,
}

impl Session {
    pub fn new(config: &Arc<ServerConfig>, socket: TcpStream) -> io::Result<Arc<Session>> {
        let conn = ServerConnection::new(config.clone()).map_err(io::Error::other)?;
        Ok(Arc::new(Session {
            conn: Mutex::new(conn),
            socket,
        }))
    }

    /// Client to upstream: decrypts what the client sends and answers the
    /// handshake. Returns when either side closes or TLS fails, which is
    /// how a client that distrusts our certificate ends up here.
    pub fn pump_in(&self, mut upstream: &TcpStream) {
        let mut socket = &self.socket;
        let mut plain = vec![0u8; 64 * 1024];
        loop {
            let mut conn = self.conn.lock().unwrap();
            let flushed = self.flush(&mut conn);
            if flushed.is_err() {
                return;
            }
            let wants_read = conn.wants_read();
            drop(conn);
            if !wants_read {
                return;
            }
            // Read without the lock, so the other direction can send replies
            // while we wait for the client's next request.
            let mut incoming = [0u8; 16 * 1024];
            let n = match socket.read(&mut incoming) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let mut conn = self.conn.lock().unwrap();
            let mut cursor = &incoming[..n];
            while !cursor.is_empty() {
                if conn.read_tls(&mut cursor).is_err() {
                    return;
                }
                if conn.process_new_packets().is_err() {
                    // Tell the client why (an alert), then give up.
                    let _ = self.flush(&mut conn);
                    return;
                }
            }
            let mut closed = false;
            let mut pending = Vec::new();
            loop {
                match conn.reader().read(&mut plain) {
                    Ok(0) => {
                        let _ = self.flush(&mut conn);
                        closed = true;
                        break;
                    }
                    Ok(n) => pending.extend_from_slice(&plain[..n]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(_) => return,
                }
            }
            // Hand the request on without the lock: tiny_http may be slow to
            // read, and replies on this connection must not wait for it.
            drop(conn);
            if upstream.write_all(&pending).is_err() || closed {
                return;
            }
        }
    }

    /// Upstream to client: encrypts tiny_http's replies.
    pub fn pump_out(&self, mut upstream: TcpStream) {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = match upstream.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let mut conn = self.conn.lock().unwrap();
            if conn.writer().write_all(&buffer[..n]).is_err() || self.flush(&mut conn).is_err() {
                break;
            }
        }
        let mut conn = self.conn.lock().unwrap();
        conn.send_close_notify();
        let _ = self.flush(&mut conn);
    }

    pub fn shutdown(&self) {
        let _ = self.socket.shutdown(Shutdown::Both);
    }

    fn flush(&self, conn: &mut ServerConnection) -> io::Result<()> {
        let mut socket = &self.socket;
        while conn.wants_write() {
            conn.write_tls(&mut socket)?;
        }
        Ok(())
    }
}
