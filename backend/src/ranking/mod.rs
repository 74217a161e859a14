//! Backlog ranking: a total order of each project's tickets by `tickets.rank`, a key
//! of base-36 digits read as a fraction (compared as bytes: `COLLATE "C"`). Moving a
//! ticket writes only that ticket, with a key strictly between its new neighbours';
//! moves in a project queue on the project row (as ticket creation, which appends
//! with `trellis_rank_after`, does), so none is lost and no two keys tie (a unique
//! index backs that up). Keys that grow past [`REBALANCE_AT`] characters trigger a
//! rewrite of the project's keys to evenly spaced six-character ones.

pub(crate) mod queries;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use serde::Deserialize;

use crate::http::ApiError;

/// A key longer than this makes the move rebalance the project.
pub(crate) const REBALANCE_AT: usize = 32;

const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

fn digit_values(key: &str) -> Option<Vec<u8>> {
    key.bytes()
        .map(|b| {
            DIGITS
                .iter()
                .position(|d| *d == b)
                .and_then(|p| u8::try_from(p).ok())
        })
        .collect()
}

fn to_key(values: &[u8]) -> String {
    values
        .iter()
        .map(|v| char::from(DIGITS[usize::from(*v)]))
        .collect()
}

/// Digits of the fraction strictly between `a` (empty: 0) and `b` (`None`: 1), never
/// ending in 0. Needs `a < b`, neither ending in 0.
fn midpoint(a: &[u8], b: Option<&[u8]>) -> Vec<u8> {
    if let Some(b) = b {
        let mut n = 0;
        while n < b.len() && a.get(n).copied().unwrap_or(0) == b[n] {
            n += 1;
        }
        if n > 0 {
            let mut out = b[..n].to_vec();
            out.extend(midpoint(a.get(n..).unwrap_or(&[]), Some(&b[n..])));
            return out;
        }
    }
    let da = a.first().copied().unwrap_or(0);
    let db = b.and_then(|b| b.first().copied()).unwrap_or(36);
    if db > da + 1 {
        return vec![(da + db) / 2];
    }
    if let Some(b) = b.filter(|b| b.len() > 1) {
        return vec![b[0]];
    }
    let mut out = vec![da];
    out.extend(midpoint(a.get(1..).unwrap_or(&[]), None));
    out
}

fn valid(key: &str) -> bool {
    !key.is_empty() && !key.ends_with('0') && digit_values(key).is_some()
}

/// A key strictly between `before` and `after` (either may be absent: the start or
/// the end of the order). `None` when the keys are not valid or not in order.
pub(crate) fn between(before: Option<&str>, after: Option<&str>) -> Option<String> {
    if before.is_some_and(|k| !valid(k)) || after.is_some_and(|k| !valid(k)) {
        return None;
    }
    if let (Some(a), Some(b)) = (before, after)
        && a >= b
    {
        return None;
    }
    let a = digit_values(before.unwrap_or(""))?;
    let b = match after {
        Some(k) => Some(digit_values(k)?),
        None => None,
    };
    let key = to_key(&midpoint(&a, b.as_deref()));
    debug_assert!(valid(&key));
    Some(key)
}

/// The `n`-th of the evenly spaced six-digit keys (`n * 36^2 + 18`), as SQL's
/// `trellis_rank_slot` computes it: the keys new tickets get, for bulk loads that
/// write ranks themselves. `n` below 36^4.
pub(crate) fn slot(n: u32) -> String {
    let mut v = u64::from(n) * 1296 + 18;
    let mut out = [0u8; 6];
    for digit in out.iter_mut().rev() {
        *digit = DIGITS[(v % 36) as usize];
        v /= 36;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The slot [`slot`] numbers that `trellis_rank_after(prev)` (what the insert trigger
/// gives a new ticket after the project's last key `prev`) would hand out to the next
/// `count` tickets, for bulk inserts that rank in one go; `None` when they would run
/// past the last slot (then the trigger ranks them).
pub(crate) fn slots_after(prev: Option<&str>, count: u32) -> Option<std::ops::Range<u32>> {
    let head = prev.unwrap_or("");
    let mut n: u64 = 0;
    for i in 0..6 {
        let digit = head.as_bytes().get(i).copied().unwrap_or(b'0');
        n = n * 36 + DIGITS.iter().position(|d| *d == digit)? as u64;
    }
    let first = u32::try_from(n / 1296 + 1).ok()?;
    let end = first.checked_add(count)?;
    (end <= 1_679_616).then_some(first..end)
}

/// `POST /tickets/{key}/rank` body: exactly one of `before` and `after`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RankMove {
    /// Put the ticket just before this ticket (same project).
    pub before: Option<String>,
    /// Put the ticket just after this ticket (same project).
    pub after: Option<String>,
}

/// Where a ticket goes.
#[derive(Debug, Clone)]
pub(crate) enum Place {
    Before(crate::tickets::TicketKey),
    After(crate::tickets::TicketKey),
}

impl RankMove {
    pub(crate) fn validate(&self) -> Result<(Place, &'static str), ApiError> {
        let parse = |field: &'static str, raw: &str| {
            if raw.chars().count() > 30 {
                return Err(ApiError::validation(
                    field,
                    "must be a ticket key such as WEB-12",
                ));
            }
            crate::tickets::TicketKey::parse(raw)
                .map_err(|_| ApiError::validation(field, format!("no ticket `{raw}`")))
        };
        match (&self.before, &self.after) {
            (Some(b), None) => Ok((Place::Before(parse("before", b)?), "before")),
            (None, Some(a)) => Ok((Place::After(parse("after", a)?), "after")),
            _ => Err(ApiError::validation(
                "before",
                "give exactly one of `before` and `after`",
            )),
        }
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn keys_between_are_strictly_between_and_never_end_in_zero() {
        let cases = [
            (None, None),
            (None, Some("00010i")),
            (Some("00010i"), None),
            (Some("00010i"), Some("00020i")),
            (Some("a"), Some("b")),
            (Some("a"), Some("a1")),
            (Some("az"), Some("b")),
            (Some("zz"), None),
            (None, Some("1")),
            (Some("0001"), Some("00011")),
        ];
        for (a, b) in cases {
            let k = between(a, b).unwrap_or_default();
            assert!(valid(&k), "{a:?} {b:?} -> {k}");
            assert!(a.is_none_or(|a| a < k.as_str()), "{a:?} < {k}");
            assert!(b.is_none_or(|b| k.as_str() < b), "{k} < {b:?}");
        }
        assert_eq!(between(Some("b"), Some("a")), None);
        assert_eq!(between(Some("a"), Some("a")), None);
        assert_eq!(between(Some("a0"), None), None);
        assert_eq!(between(Some("A"), None), None);
    }

    #[test]
    fn repeated_moves_to_one_place_grow_keys_slowly() {
        // Always just before the same ticket: the worst case for key length.
        let (low, high) = ("00010i".to_owned(), "00020i".to_owned());
        let mut next = high;
        for _ in 0..100 {
            let k = between(Some(&low), Some(&next)).unwrap_or_default();
            assert!(low < k && k < next);
            next = k;
        }
        assert!(next.len() <= 40, "{}", next.len());
    }
}
