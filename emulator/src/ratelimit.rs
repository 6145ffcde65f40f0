//! Per-key token bucket that mirrors the real API's `X-RateLimit-*` headers.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use crate::RateLimit;

pub(crate) struct Limiter {
    limit: Option<RateLimit>,
    /// Seconds for one replenish period, after time scaling.
    period: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

pub(crate) struct Verdict {
    pub allowed: bool,
    pub headers: Vec<(String, String)>,
}

impl Limiter {
    pub fn new(limit: Option<RateLimit>, time_scale: f64) -> Limiter {
        let scale = if time_scale > 0.0 { time_scale } else { 1.0 };
        let period = limit
            .as_ref()
            .map(|l| l.replenish_time_secs / scale)
            .unwrap_or(1.0);
        Limiter {
            limit,
            period,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`. `None` when limiting is off.
    pub fn check(&self, key: &str) -> Option<Verdict> {
        let limit = self.limit.as_ref()?;
        let burst = f64::from(limit.burst);
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap();
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: burst,
            last: now,
        });
        // Continuous refill rather than whole periods, so that a client pacing
        // itself from the headers never runs into a 429 by rounding.
        let elapsed = now.duration_since(bucket.last).as_secs_f64();
        if self.period > 0.0 {
            let per_sec = f64::from(limit.replenish_rate) / self.period;
            bucket.tokens = (bucket.tokens + elapsed * per_sec).min(burst);
        } else {
            bucket.tokens = burst;
        }
        bucket.last = now;
        let allowed = bucket.tokens >= 1.0;
        if allowed {
            bucket.tokens -= 1.0;
        }
        let remaining = if allowed { bucket.tokens.floor() } else { 0.0 };
        let headers = vec![
            (
                "X-RateLimit-Remaining".into(),
                format!("{}", remaining as u64),
            ),
            (
                "X-RateLimit-Replenish-Rate".into(),
                limit.replenish_rate.to_string(),
            ),
            ("X-RateLimit-Replenish-Time".into(), seconds(self.period)),
            ("X-RateLimit-Burst-Capacity".into(), limit.burst.to_string()),
        ];
        Some(Verdict { allowed, headers })
    }
}

/// Whole seconds as an integer, otherwise a short decimal such as "0.15".
pub(crate) fn seconds(secs: f64) -> String {
    if (secs - secs.round()).abs() < 1e-9 {
        format!("{}", secs.round() as i64)
    } else {
        let text = format!("{secs:.6}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_format() {
        assert_eq!(seconds(15.0), "15");
        assert_eq!(seconds(0.15), "0.15");
        assert_eq!(seconds(15.0 / 7.0), "2.142857");
    }

    #[test]
    fn burst_then_refused() {
        let limiter = Limiter::new(
            Some(RateLimit {
                burst: 3,
                replenish_rate: 1,
                replenish_time_secs: 1000.0,
            }),
            1.0,
        );
        let remaining: Vec<String> = (0..4)
            .map(|_| limiter.check("k").unwrap())
            .map(|v| format!("{}{}", v.allowed, v.headers[0].1))
            .collect();
        assert_eq!(remaining, ["true2", "true1", "true0", "false0"]);
        assert!(limiter.check("other").unwrap().allowed);
    }
}
