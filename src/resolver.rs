//! Name resolution for the HTTP agent.
//!
//! ureq's default resolver starts a thread for every request that has a
//! timeout, to bound the lookup, even when the request then goes out on a
//! kept-alive connection. That thread cost more CPU than the rest of the
//! request (see BENCHMARKS.md). Here IP literals need no lookup at all, and
//! names are looked up once (with the bounded, threaded lookup) and then
//! reused for a short while, so a steady workload does no per-request
//! lookup.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a looked-up address is reused. Short, so that a moved API
/// endpoint is followed within half a minute.
const CACHE_TIME: Duration = Duration::from_secs(30);

#[derive(Debug, Default)]
pub struct CachingResolver {
    lookup: DefaultResolver,
    cache: Mutex<HashMap<String, (Instant, ResolvedSocketAddrs)>>,
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let Some(authority) = uri.authority() else {
            return self.lookup.resolve(uri, config, timeout);
        };
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let port = authority.port_u16().or_else(|| match uri.scheme_str() {
            Some("https") => Some(443),
            Some("http") => Some(80),
            _ => None,
        });
        if let (Ok(ip), Some(port)) = (host.parse::<IpAddr>(), port) {
            let mut addresses = self.empty();
            addresses.push(SocketAddr::new(ip, port));
            return Ok(addresses);
        }
        let key = format!("{}://{}", uri.scheme_str().unwrap_or_default(), authority);
        let now = Instant::now();
        if let Some((when, addresses)) = self.lock().get(&key) {
            if now.saturating_duration_since(*when) < CACHE_TIME {
                return Ok(addresses.clone());
            }
        }
        let addresses = self.lookup.resolve(uri, config, timeout)?;
        self.lock().insert(key, (now, addresses.clone()));
        Ok(addresses)
    }
}

impl CachingResolver {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, ResolvedSocketAddrs)>> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }
}
