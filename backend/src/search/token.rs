//! `nextPageToken`: the last row's sort key, bound to the query it came from and signed
//! (HMAC-SHA256), so a client can neither forge a position nor reuse a token with
//! another query. Opaque to clients; stable while tickets are written, because it is a
//! keyset position, not an offset.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::compile::SortValue;
use crate::http::ApiError;

type HmacSha256 = Hmac<Sha256>;

/// The signing key: from `TRELLIS_SECRET_KEY`, or random per process (tokens then do
/// not survive a restart or cross instances; production sets the variable).
pub struct PageTokenKey([u8; 32]);

impl PageTokenKey {
    /// Derives the key from a configured secret, or makes a random one.
    pub fn new(secret: Option<&str>) -> Self {
        match secret {
            Some(secret) => {
                let mut hash = Sha256::new();
                hash.update(b"trellis page token v1\0");
                hash.update(secret.as_bytes());
                Self(hash.finalize().into())
            }
            None => {
                let mut key = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
                Self(key)
            }
        }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length; 32 bytes cannot fail.
        match HmacSha256::new_from_slice(&self.0) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC takes any key length"),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Payload {
    /// SHA-256 of the canonical query text and the caller's org and user.
    q: String,
    /// The last row's sort key.
    k: Vec<SortValue>,
}

/// Binds a token to the query (canonical JQL) and to who runs it.
pub(crate) fn query_binding(canonical_jql: &str, scope: &tenancy::OrgScope) -> String {
    let mut hash = Sha256::new();
    hash.update(canonical_jql.as_bytes());
    hash.update(scope.org_id().0.as_bytes());
    hash.update(scope.user_id().0.as_bytes());
    hex::encode(&hash.finalize()[..16])
}

pub(crate) fn encode(key: &PageTokenKey, binding: &str, last: Vec<SortValue>) -> String {
    let payload = serde_json::to_vec(&Payload {
        q: binding.to_owned(),
        k: last,
    })
    .unwrap_or_default();
    let mut mac = key.mac();
    mac.update(&payload);
    let tag = mac.finalize().into_bytes();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

pub(crate) fn decode(
    key: &PageTokenKey,
    binding: &str,
    token: &str,
) -> Result<Vec<SortValue>, ApiError> {
    let invalid = || {
        ApiError::validation(
            "nextPageToken",
            "not a token from this query's previous page",
        )
    };
    if token.len() > 4096 {
        return Err(invalid());
    }
    let (payload, tag) = token.split_once('.').ok_or_else(invalid)?;
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
    let mut mac = key.mac();
    mac.update(&payload);
    // Constant-time comparison.
    mac.verify_slice(&tag).map_err(|_| invalid())?;
    let payload: Payload = serde_json::from_slice(&payload).map_err(|_| invalid())?;
    if payload.q != binding {
        return Err(invalid());
    }
    Ok(payload.k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_reject_tampering_and_other_queries() {
        let key = PageTokenKey::new(Some("secret"));
        let last = vec![
            SortValue::Text("2026-01-01T00:00:00.000000Z".into()),
            SortValue::Int(3),
        ];
        let token = encode(&key, "q1", last.clone());
        assert_eq!(decode(&key, "q1", &token).ok(), Some(last));
        assert!(decode(&key, "q2", &token).is_err(), "another query");
        assert!(
            decode(&PageTokenKey::new(Some("other")), "q1", &token).is_err(),
            "another key"
        );
        let (payload, tag) = token.split_once('.').unwrap_or_default();
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(br#"{"q":"q1","k":[1]}"#));
        assert!(decode(&key, "q1", &forged).is_err(), "forged payload");
        assert!(decode(&key, "q1", payload).is_err(), "no signature");
        assert!(decode(&key, "q1", "garbage").is_err());
    }
}
