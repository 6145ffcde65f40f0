//! Cursor-paged feeds: `GET /api/v1/sessions` and `GET /api/v1/audit-log`.

use serde_json::{json, Map, Value};

use crate::http::{Outcome, Reply, Req};
use crate::store::Store;

/// Cursors are offsets disguised as the 24-hex-digit ids the real API hands out,
/// so clients cannot come to depend on them being numbers.
const CURSOR_MASK: u128 = 0x6352_7ce1_d8e5_8112_43db_4902;

pub(crate) fn sessions(store: &Store, req: &Req) -> Outcome {
    let status = req.param("status").map(str::to_string);
    batch(req, &store.sessions, "sessions", "startDateTime", |item| {
        status
            .as_deref()
            .is_none_or(|s| item.get("connectionStatus").and_then(Value::as_str) == Some(s))
    })
}

pub(crate) fn audit_logs(store: &Store, req: &Req) -> Outcome {
    let initiator = req.param("initiatorId").map(str::to_string);
    batch(req, &store.audit_logs, "auditLogs", "timestamp", |item| {
        initiator
            .as_deref()
            .is_none_or(|i| item.get("initiatorId").and_then(Value::as_str) == Some(i))
    })
}

fn batch(
    req: &Req,
    items: &[Value],
    list_key: &str,
    time_key: &str,
    keep: impl Fn(&Value) -> bool,
) -> Outcome {
    let size = match req.param("size") {
        None => {
            return Err(bad(
                "size",
                "Required request parameter 'size' is not present",
            ))
        }
        Some(text) => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| bad("size", "size must be between 1 and 100"))?,
    };
    let start = date_param(req, "startDate")?;
    let end = date_param(req, "endDate")?;
    let offset = match req.param("cursor") {
        None => 0,
        Some(cursor) => u128::from_str_radix(cursor, 16)
            .ok()
            .filter(|_| cursor.len() == 24)
            .map(|n| (n ^ CURSOR_MASK) as usize)
            .filter(|n| *n <= items.len())
            .ok_or_else(|| bad("cursor", "Invalid cursor"))?,
    };
    let in_window = |item: &Value| {
        let at = item
            .get(time_key)
            .and_then(Value::as_str)
            .and_then(parse_instant);
        match at {
            Some(at) => start.is_none_or(|s| at >= s) && end.is_none_or(|e| at < e),
            None => true,
        }
    };
    let mut found = Vec::new();
    let mut next = None;
    for (index, item) in items.iter().enumerate().skip(offset) {
        if !(keep(item) && in_window(item)) {
            continue;
        }
        if found.len() == size {
            next = Some(index);
            break;
        }
        found.push(item.clone());
    }
    let mut body = Map::new();
    body.insert(list_key.into(), Value::Array(found));
    if let Some(index) = next {
        let cursor = format!("{:024x}", index as u128 ^ CURSOR_MASK);
        body.insert("nextCursor".into(), cursor.into());
    }
    Ok(Reply::json(200, &Value::Object(body)))
}

fn bad(key: &str, message: &str) -> Reply {
    Reply::error_detail(400, key, "400", message, message)
}

fn date_param(req: &Req, name: &str) -> Result<Option<i64>, Reply> {
    match req.param(name) {
        None => Ok(None),
        Some(text) => parse_instant(text).map(Some).ok_or_else(|| {
            bad(
                name,
                &format!("Invalid {name} '{text}'; expected an ISO instant"),
            )
        }),
    }
}

/// Seconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM)".
pub(crate) fn parse_instant(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' {
        return None;
    }
    let num = |from: usize, to: usize| text.get(from..to)?.parse::<i64>().ok();
    let days = days_from_civil(num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let secs = num(11, 13)? * 3600 + num(14, 16)? * 60 + num(17, 19)?;
    let mut rest = &text[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && (rest.starts_with('+') || rest.starts_with('-')) => {
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            let hours = rest.get(1..3)?.parse::<i64>().ok()?;
            let minutes = rest.get(4..6)?.parse::<i64>().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
        _ => return None,
    };
    Some(days * 86_400 + secs - offset)
}

pub(crate) fn format_instant(epoch: i64) -> String {
    let days = epoch.div_euclid(86_400);
    let secs = epoch.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

// Howard Hinnant's well-known calendar algorithms, for the proleptic Gregorian
// calendar; they avoid a date-time dependency for two conversions.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Seed sessions spread over the last day, oldest first.
pub(crate) fn make_sessions(now: i64, count: usize, users: &[(String, String)]) -> Vec<Value> {
    let statuses = ["ACTIVE", "COMPLETED", "COMPLETED", "FAILED"];
    let regions = [("us-east-1", "Virginia"), ("eu-central-1", "Frankfurt")];
    (0..count)
        .map(|i| {
            let (user_id, user_name) = users
                .get(i % users.len().max(1))
                .cloned()
                .unwrap_or_else(|| (crate::store::new_id(), format!("user{i}")));
            let (region_id, region_name) = regions[i % regions.len()];
            json!({
                "sessionId": format!("{:024x}", 0x5e55_0000_0000_0000_0000_u128 + i as u128),
                "userId": user_id,
                "deviceId": crate::store::new_id(),
                "regionId": region_id,
                "bytesIn": 1000 * (i as u64 + 1),
                "bytesOut": 700 * (i as u64 + 1),
                "connectorName": null,
                "userName": user_name,
                "deviceName": format!("device-{i}"),
                "clientIp": format!("198.51.100.{}", i % 250 + 1),
                "startDateTime": format_instant(now - 86_000 + (i as i64) * 300),
                "vpnIpv4": format!("100.96.{}.{}", i / 250, i % 250 + 1),
                "networkName": null,
                "regionName": region_name,
                "connectionStatus": statuses[i % statuses.len()],
            })
        })
        .collect()
}

/// Seed audit entries; the docs did not show the item shape, so these fields are
/// the emulator's own.
pub(crate) fn make_audit_logs(now: i64, count: usize) -> Vec<Value> {
    let initiators = ["admin@example.com", "ops@example.com", "api-client"];
    let actions = ["CREATE", "UPDATE", "DELETE"];
    let entities = ["NETWORK", "USER", "USER_GROUP", "HOST", "DNS_RECORD"];
    (0..count)
        .map(|i| {
            json!({
                "id": format!("{:024x}", 0xa0d1_0000_0000_0000_0000_u128 + i as u128),
                "timestamp": format_instant(now - 86_000 + (i as i64) * 500),
                "initiatorId": initiators[i % initiators.len()],
                "action": actions[i % actions.len()],
                "entityType": entities[i % entities.len()],
                "entityId": crate::store::new_id(),
                "description": format!("Emulated change number {i}"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_round_trip() {
        let t = parse_instant("2022-11-08T14:53:43Z").unwrap();
        assert_eq!(t, 1_667_919_223);
        assert_eq!(format_instant(t), "2022-11-08T14:53:43Z");
        assert_eq!(parse_instant("2022-11-08T15:53:43.123+01:00"), Some(t));
        assert_eq!(parse_instant("2022-11-08"), None);
    }
}
