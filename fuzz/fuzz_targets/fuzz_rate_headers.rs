//! Rate-limit headers: `X-RateLimit-*` and `Retry-After` with any values.
//! Input lines are `name:value`; values may hold any bytes a header can.
#![no_main]

use cloudconnexa::ratelimit::{retry_after, RateHeaders};
use libfuzzer_sys::fuzz_target;
use ureq::http::{HeaderMap, HeaderName, HeaderValue};

const NAMES: [&str; 5] = [
    "retry-after",
    "x-ratelimit-remaining",
    "x-ratelimit-replenish-rate",
    "x-ratelimit-replenish-time",
    "x-ratelimit-burst-capacity",
];

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    for line in data.split(|b| *b == b'\n') {
        let Some((&which, value)) = line.split_first() else {
            continue;
        };
        let name = HeaderName::from_static(NAMES[usize::from(which) % NAMES.len()]);
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.append(name, value);
        }
    }
    let rate = RateHeaders::parse(&headers);
    let _ = rate.wait_for_one();
    // An HTTP date may ask for decades; the client compares any wait with
    // its max retry wait before sleeping, so only a panic is a failure here.
    let _ = retry_after(&headers);
});
