//! Pacing from the API's rate-limit headers.
//!
//! The API limits each key with a token bucket and reports it in every
//! reply (`X-RateLimit-Remaining`, `-Replenish-Rate`, `-Replenish-Time`,
//! `-Burst-Capacity`). The pacer keeps a local copy of that bucket, shared by
//! all threads of one client, and makes a request wait for its turn instead
//! of sending it to be refused.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use ureq::http::HeaderMap;

/// The rate-limit headers of one reply; a header that is missing, not a
/// number, negative or zero where that makes no sense is left out.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RateHeaders {
    pub remaining: Option<f64>,
    pub replenish_rate: Option<f64>,
    pub replenish_time: Option<f64>,
    pub burst: Option<f64>,
}

impl RateHeaders {
    pub fn parse(headers: &HeaderMap) -> RateHeaders {
        let number = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|v| v.is_finite() && *v >= 0.0 && *v < 1e9)
        };
        let positive = |name: &str| number(name).filter(|v| *v > 0.0);
        RateHeaders {
            remaining: number("x-ratelimit-remaining"),
            replenish_rate: positive("x-ratelimit-replenish-rate"),
            replenish_time: positive("x-ratelimit-replenish-time"),
            burst: positive("x-ratelimit-burst-capacity"),
        }
    }

    /// Requests regained per second, when the headers say.
    fn rate_per_second(&self) -> Option<f64> {
        let rate = self.replenish_rate?;
        // A reply with a rate but no period means "per second".
        let period = self.replenish_time.unwrap_or(1.0);
        Some(rate / period)
    }

    /// How long until one request is allowed, from these headers alone.
    pub fn wait_for_one(&self) -> Option<Duration> {
        let remaining = self.remaining?;
        let rate = self.rate_per_second()?;
        let missing = (1.0 - remaining).max(0.0);
        Some(with_margin(missing / rate))
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    rate_per_second: f64,
    capacity: f64,
    updated: Instant,
}

impl Bucket {
    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate_per_second).min(self.capacity);
        self.updated = now;
    }
}

#[derive(Debug, Default)]
struct State {
    bucket: Option<Bucket>,
    in_flight: u32,
}

#[derive(Debug, Default)]
pub struct Pacer {
    state: Mutex<State>,
}

impl Pacer {
    /// Takes a turn, whose `wait` says how long to wait before sending.
    /// Waits are queued: each caller reserves the next free slot, so
    /// threads are spread over time rather than all woken at once.
    pub fn reserve(&self) -> Turn<'_> {
        let mut state = self.lock();
        state.in_flight += 1;
        let wait = match state.bucket.as_mut() {
            None => Duration::ZERO,
            Some(bucket) => {
                bucket.refill(Instant::now());
                bucket.tokens -= 1.0;
                if bucket.tokens >= 0.0 {
                    Duration::ZERO
                } else {
                    with_margin(-bucket.tokens / bucket.rate_per_second)
                }
            }
        };
        Turn {
            pacer: self,
            wait,
            open: true,
        }
    }

    fn cancel(&self) {
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        if let Some(bucket) = state.bucket.as_mut() {
            bucket.tokens += 1.0;
        }
    }

    /// The server's count is the truth, but it does not know about requests
    /// still on their way; with others in flight the lower count is kept.
    fn finish(&self, headers: Option<&RateHeaders>, refused: bool) {
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
        let others_in_flight = state.in_flight > 0;
        let Some(headers) = headers else {
            return;
        };
        let (Some(remaining), Some(rate)) = (headers.remaining, headers.rate_per_second()) else {
            return;
        };
        let now = Instant::now();
        let capacity = headers.burst.unwrap_or(remaining.max(1.0)).max(1.0);
        let remaining = if refused {
            remaining.min(0.0)
        } else {
            remaining
        };
        match state.bucket.as_mut() {
            Some(bucket) => {
                bucket.refill(now);
                bucket.rate_per_second = rate;
                bucket.capacity = capacity.max(remaining);
                bucket.tokens = if others_in_flight {
                    bucket.tokens.min(remaining)
                } else {
                    remaining
                };
            }
            None => {
                state.bucket = Some(Bucket {
                    tokens: remaining,
                    rate_per_second: rate,
                    capacity: capacity.max(remaining),
                    updated: now,
                });
            }
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One reserved turn. It is spent with `finish` or given back with
/// `cancel`; dropped any other way (a panic in a log callback, say) it
/// still leaves the in-flight count, so pacing cannot drift.
#[must_use = "a turn is spent with finish or given back with cancel"]
pub struct Turn<'a> {
    pacer: &'a Pacer,
    wait: Duration,
    open: bool,
}

impl Turn<'_> {
    /// How long to wait before sending.
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// Gives back a turn that was reserved but not used.
    pub fn cancel(mut self) {
        self.open = false;
        self.pacer.cancel();
    }

    /// Records the outcome of the request sent in this turn.
    pub fn finish(mut self, headers: Option<&RateHeaders>, refused: bool) {
        self.open = false;
        self.pacer.finish(headers, refused);
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if self.open {
            let mut state = self.pacer.lock();
            state.in_flight = state.in_flight.saturating_sub(1);
        }
    }
}

/// A wait a little longer than computed, so that rounding on either side
/// does not land the request a moment before its token exists.
fn with_margin(seconds: f64) -> Duration {
    if seconds <= 0.0 {
        return Duration::ZERO;
    }
    Duration::from_secs_f64((seconds * 1.02 + 0.005).min(1e6))
}

/// The wait a `Retry-After` header asks for: delay-seconds or an HTTP date.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<f64>() {
        return (0.0..1e9)
            .contains(&seconds)
            .then(|| Duration::from_secs_f64(seconds));
    }
    let when = httpdate::parse_http_date(text).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn bad_header_values_are_ignored() {
        let parsed = RateHeaders::parse(&headers(&[
            ("x-ratelimit-remaining", "-3"),
            ("x-ratelimit-replenish-rate", "0"),
            ("x-ratelimit-replenish-time", "soon"),
            ("x-ratelimit-burst-capacity", "NaN"),
        ]));
        assert_eq!(parsed, RateHeaders::default());
        assert_eq!(parsed.wait_for_one(), None);
    }

    #[test]
    fn empty_bucket_waits_one_replenish_period() {
        let parsed = RateHeaders::parse(&headers(&[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-replenish-rate", "1"),
            ("x-ratelimit-replenish-time", "2"),
        ]));
        let wait = parsed.wait_for_one().unwrap();
        assert!(wait >= Duration::from_secs(2) && wait < Duration::from_millis(2100));
    }

    #[test]
    fn reservations_queue_behind_an_empty_bucket() {
        let pacer = Pacer::default();
        let turn = pacer.reserve();
        assert_eq!(turn.wait(), Duration::ZERO);
        let empty = RateHeaders {
            remaining: Some(0.0),
            replenish_rate: Some(1.0),
            replenish_time: Some(1.0),
            burst: Some(20.0),
        };
        turn.finish(Some(&empty), false);
        let first = pacer.reserve();
        let second = pacer.reserve();
        assert!(
            first.wait() >= Duration::from_millis(990),
            "{:?}",
            first.wait()
        );
        assert!(
            second.wait() >= Duration::from_millis(1990),
            "{:?}",
            second.wait()
        );
    }

    #[test]
    fn a_turn_abandoned_by_a_panic_leaves_the_in_flight_count() {
        let pacer = Pacer::default();
        let kept = pacer.reserve();
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _turn = pacer.reserve();
            panic!("a log callback failed");
        }));
        assert!(unwound.is_err());
        assert_eq!(pacer.lock().in_flight, 1);
        kept.cancel();
        assert_eq!(pacer.lock().in_flight, 0);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "3")])),
            Some(Duration::from_secs(3))
        );
        let later = SystemTime::now() + Duration::from_secs(30);
        let date = httpdate::fmt_http_date(later);
        let wait = retry_after(&headers(&[("retry-after", &date)])).unwrap();
        assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30));
        assert_eq!(retry_after(&headers(&[("retry-after", "-1")])), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "later")])), None);
    }
}
