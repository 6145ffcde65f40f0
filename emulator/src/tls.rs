//! HTTPS for the emulator: each connection's thread ends TLS itself, so the
//! fault machinery and the recording see plain HTTP whichever way a client
//! came in.

use std::io;
use std::sync::Arc;

use rustls::ServerConfig;
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
