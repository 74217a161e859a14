//! Verifying the `Stripe-Signature` header, as Stripe documents it: the header holds a
//! timestamp `t` and one or more `v1` signatures, each the hex HMAC-SHA256 of
//! `"{t}.{body}"` under an endpoint secret.
//!
//! Several secrets are accepted (newest first) so a secret can be rotated without
//! failing a delivery; any `v1` signature may match any secret. The comparison is
//! constant-time (`Mac::verify_slice`), and a timestamp more than the tolerance away
//! from now is refused, so a captured delivery cannot be replayed later.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a signature's timestamp may be from now: Stripe's own libraries' default.
pub const TOLERANCE_SECONDS: i64 = 300;

/// Why a delivery was refused. The messages are safe to send back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the Stripe-Signature header is missing")]
    Missing,
    #[error("the Stripe-Signature header is malformed")]
    Malformed,
    #[error("the Stripe-Signature timestamp is outside the tolerance")]
    Expired,
    #[error("no Stripe-Signature v1 signature matches an endpoint secret")]
    NoMatch,
    #[error("no webhook secret is configured")]
    NoSecrets,
}

/// Webhook endpoint secrets (`whsec_...`), newest first.
#[derive(Clone, Default)]
pub struct WebhookSecrets(Vec<String>);

impl std::fmt::Debug for WebhookSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WebhookSecrets([{} redacted])", self.0.len())
    }
}

impl WebhookSecrets {
    /// Secrets from a comma-separated list; blanks are dropped.
    pub fn parse(list: &str) -> Self {
        Self(
            list.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }

    /// Whether no secret is configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Checks `header` against `payload` at time `now`.
    pub fn verify(
        &self,
        header: Option<&str>,
        payload: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), SignatureError> {
        if self.0.is_empty() {
            return Err(SignatureError::NoSecrets);
        }
        let header = header.ok_or(SignatureError::Missing)?;
        let mut timestamp: Option<i64> = None;
        let mut signatures: Vec<Vec<u8>> = Vec::new();
        for part in header.split(',') {
            let Some((key, value)) = part.trim().split_once('=') else {
                return Err(SignatureError::Malformed);
            };
            match key {
                "t" => timestamp = Some(value.parse().map_err(|_| SignatureError::Malformed)?),
                // A v1 value that is not hex cannot match; other schemes (v0) are ignored.
                "v1" => {
                    if let Ok(bytes) = hex::decode(value) {
                        signatures.push(bytes);
                    }
                }
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
        if signatures.is_empty() {
            return Err(SignatureError::NoMatch);
        }
        if (now.timestamp() - timestamp).abs() > TOLERANCE_SECONDS {
            return Err(SignatureError::Expired);
        }
        for secret in &self.0 {
            for signature in &signatures {
                if mac(secret, timestamp, payload)
                    .verify_slice(signature)
                    .is_ok()
                {
                    return Ok(());
                }
            }
        }
        Err(SignatureError::NoMatch)
    }
}

fn mac(secret: &str, timestamp: i64, payload: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

/// The `Stripe-Signature` header Stripe would send for `payload` at `timestamp`: for
/// tests, the Stripe CLI's stand-in, and our own fakes.
pub fn sign(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    let signature = hex::encode(mac(secret, timestamp, payload).finalize().into_bytes());
    format!("t={timestamp},v1={signature}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"id":"evt_1","type":"invoice.paid"}"#;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap_or_default()
    }

    #[test]
    fn a_signature_by_any_configured_secret_verifies() {
        let secrets = WebhookSecrets::parse("whsec_new, whsec_old");
        let now = 1_700_000_000;
        for secret in ["whsec_new", "whsec_old"] {
            let header = sign(secret, now, BODY);
            assert_eq!(secrets.verify(Some(&header), BODY, at(now + 10)), Ok(()));
        }
    }

    #[test]
    fn any_v1_signature_may_match() {
        let secrets = WebhookSecrets::parse("whsec_new");
        let now = 1_700_000_000;
        let good = sign("whsec_new", now, BODY);
        let good_sig = good.split_once(",v1=").map(|(_, s)| s).unwrap_or_default();
        let header = format!("t={now},v1={},v0=abc,v1={good_sig}", "0".repeat(64));
        assert_eq!(secrets.verify(Some(&header), BODY, at(now)), Ok(()));
    }

    #[test]
    fn forged_expired_missing_and_rotated_out_signatures_fail() {
        let secrets = WebhookSecrets::parse("whsec_new");
        let now = 1_700_000_000;
        let header = sign("whsec_new", now, BODY);
        assert_eq!(
            secrets.verify(None, BODY, at(now)),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            secrets.verify(Some("garbage"), BODY, at(now)),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            secrets.verify(Some(&header), b"{\"id\":\"evt_2\"}", at(now)),
            Err(SignatureError::NoMatch)
        );
        assert_eq!(
            secrets.verify(Some(&header), BODY, at(now + TOLERANCE_SECONDS + 1)),
            Err(SignatureError::Expired)
        );
        assert_eq!(
            secrets.verify(Some(&header), BODY, at(now - TOLERANCE_SECONDS - 1)),
            Err(SignatureError::Expired)
        );
        let rotated_out = sign("whsec_old", now, BODY);
        assert_eq!(
            secrets.verify(Some(&rotated_out), BODY, at(now)),
            Err(SignatureError::NoMatch)
        );
        assert_eq!(
            WebhookSecrets::default().verify(Some(&header), BODY, at(now)),
            Err(SignatureError::NoSecrets)
        );
    }

    #[test]
    fn matches_a_signature_computed_independently() {
        // HMAC-SHA256("whsec_test", "1614556800.{}") computed with Python's hmac.
        let header = sign("whsec_test", 1_614_556_800, b"{}");
        assert_eq!(
            header,
            "t=1614556800,v1=6bd5ebbc9cbce4fe6d9c728ba6c962ae7ec5510179f82646471f20bba89e7ffd"
        );
    }
}
