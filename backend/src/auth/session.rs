//! Browser sessions: a 15-minute access JWT plus a rotating refresh token, both in
//! `HttpOnly; Secure; SameSite=Lax` cookies, and a CSRF token bound to the session.
//!
//! - The access JWT (`trellis_session`) is verified without a database round trip. Its
//!   header names the key (`kid`) that signed it; every configured key verifies, the
//!   first signs, so keys rotate without logging anyone out (docs/runbooks/key-rotation.md).
//! - The refresh token (`trellis_refresh`, sent only to `/auth`) is opaque, stored as
//!   SHA-256, and replaced on every use. A sign-in is one *family*; presenting a token
//!   that was already replaced means two parties hold it, so the whole family is revoked.
//! - The CSRF token (`trellis_csrf`, readable by the page) is an HMAC of the family id:
//!   double-submitted in `X-CSRF-Token` and checked against the session it belongs to.

use std::collections::HashMap;
use std::time::Duration;

use actix_web::HttpResponseBuilder;
use actix_web::cookie::{Cookie, SameSite, time};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use tenancy::{DbConn, UserId};

use super::tokens::{REFRESH_TOKEN, random_token, sha256};
use crate::config::Config;
use crate::schema::refresh_tokens;

/// Access token lifetime.
pub const ACCESS_TTL: Duration = Duration::from_secs(15 * 60);
/// Refresh token lifetime: a session idle this long ends.
pub const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

pub const ACCESS_COOKIE: &str = "trellis_session";
pub const REFRESH_COOKIE: &str = "trellis_refresh";
pub const CSRF_COOKIE: &str = "trellis_csrf";
pub const CSRF_HEADER: &str = "X-CSRF-Token";
const REFRESH_PATH: &str = "/auth";
const ISSUER: &str = "trellis";

type HmacSha256 = Hmac<Sha256>;

/// The claims of an access JWT.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user.
    pub sub: uuid::Uuid,
    /// The session family (one sign-in), for logout and the CSRF binding.
    pub sid: uuid::Uuid,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    /// Unique per token.
    pub jti: uuid::Uuid,
}

/// The JWT keys (newest first) and the CSRF key.
pub struct SessionKeys {
    signing_kid: String,
    signing: EncodingKey,
    verifying: HashMap<String, DecodingKey>,
    csrf: [u8; 32],
}

/// Derives a 32-byte key for `purpose` from a configured secret.
pub(crate) fn derive_key(secret: &str, purpose: &str) -> [u8; 32] {
    let mut mac = hmac_with(secret.as_bytes());
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

fn hmac_with(key: &[u8]) -> HmacSha256 {
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC takes any key length"),
    }
}

impl SessionKeys {
    /// `TRELLIS_JWT_KEYS` when set; else one key derived from `TRELLIS_SECRET_KEY`;
    /// else (local mode) a random key: sessions then end when the process does.
    pub fn from_config(config: &Config) -> Self {
        let secret = config.secret_key.as_ref().map(|s| s.expose().to_owned());
        let keys: Vec<(String, Vec<u8>)> = if config.auth.jwt_keys.is_empty() {
            let material = secret.clone().unwrap_or_else(random_token);
            vec![(
                "derived".to_owned(),
                derive_key(&material, "trellis jwt v1").to_vec(),
            )]
        } else {
            config
                .auth
                .jwt_keys
                .iter()
                .map(|(kid, s)| (kid.clone(), s.expose().as_bytes().to_vec()))
                .collect()
        };
        // Never empty: config rejects an empty TRELLIS_JWT_KEYS, and the fallback is one key.
        let (signing_kid, signing_secret) = <[_]>::first(&keys)
            .cloned()
            .unwrap_or_else(|| ("derived".to_owned(), random_token().into_bytes()));
        let csrf_material = secret.unwrap_or_else(|| URL_SAFE_NO_PAD.encode(&signing_secret));
        Self {
            signing_kid,
            signing: EncodingKey::from_secret(&signing_secret),
            verifying: keys
                .iter()
                .map(|(kid, k)| (kid.clone(), DecodingKey::from_secret(k)))
                .collect(),
            csrf: derive_key(&csrf_material, "trellis csrf v1"),
        }
    }

    /// Signs an access token for `user` in session family `sid`, with the newest key.
    pub fn sign_access(&self, user: UserId, sid: uuid::Uuid) -> String {
        let now = Utc::now().timestamp();
        let claims = AccessClaims {
            sub: user.0,
            sid,
            iat: now,
            exp: now + ACCESS_TTL.as_secs() as i64,
            iss: ISSUER.to_owned(),
            jti: uuid::Uuid::now_v7(),
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(self.signing_kid.clone());
        match jsonwebtoken::encode(&header, &claims, &self.signing) {
            Ok(token) => token,
            // HS256 over a serialisable struct cannot fail.
            Err(e) => unreachable!("signing a JWT failed: {e}"),
        }
    }

    /// Verifies an access token: HS256 only (no `none`, no algorithm confusion), a known
    /// `kid`, a valid signature, not expired, our issuer.
    pub fn verify_access(&self, token: &str) -> Option<AccessClaims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::HS256 {
            return None;
        }
        let key = self.verifying.get(header.kid.as_deref()?)?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        jsonwebtoken::decode::<AccessClaims>(token, key, &validation)
            .ok()
            .map(|data| data.claims)
    }

    /// The CSRF token of session family `sid`.
    pub fn csrf_token(&self, sid: uuid::Uuid) -> String {
        let mut mac = hmac_with(&self.csrf);
        mac.update(sid.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// What a new or refreshed session puts in the browser.
pub struct SessionTokens {
    pub access: String,
    pub refresh: String,
    pub csrf: String,
}

/// Why a refresh token was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum RefreshError {
    /// Unknown, expired or revoked.
    Invalid,
    /// Already rotated: the family has now been revoked.
    Reused,
}

async fn insert_refresh(
    conn: &mut DbConn,
    user: UserId,
    family: uuid::Uuid,
) -> QueryResult<String> {
    let (refresh, hash) = REFRESH_TOKEN.mint();
    let expires = Utc::now() + REFRESH_TTL;
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(uuid::Uuid::now_v7()),
            refresh_tokens::family_id.eq(family),
            refresh_tokens::user_id.eq(user.0),
            refresh_tokens::token_hash.eq(&hash[..]),
            refresh_tokens::expires_at.eq(expires),
        ))
        .execute(conn)
        .await?;
    Ok(refresh)
}

/// Starts a session (a new family) for `user`.
pub async fn start(
    conn: &mut DbConn,
    keys: &SessionKeys,
    user: UserId,
) -> QueryResult<SessionTokens> {
    let family = uuid::Uuid::now_v7();
    let refresh = insert_refresh(conn, user, family).await?;
    Ok(SessionTokens {
        access: keys.sign_access(user, family),
        refresh,
        csrf: keys.csrf_token(family),
    })
}

/// Exchanges a refresh token for a new pair. Marking the old token rotated is one
/// conditional `UPDATE`, so of two concurrent uses exactly one wins; the loser is a
/// reuse and revokes the family.
pub async fn refresh(
    conn: &mut DbConn,
    keys: &SessionKeys,
    presented: &str,
) -> Result<(UserId, SessionTokens), RefreshError> {
    let hash = REFRESH_TOKEN
        .hash_presented(presented)
        .ok_or(RefreshError::Invalid)?;
    let rotated: Option<(uuid::Uuid, uuid::Uuid)> = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&hash[..]))
            .filter(refresh_tokens::rotated_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null())
            .filter(refresh_tokens::expires_at.gt(diesel::dsl::now)),
    )
    .set(refresh_tokens::rotated_at.eq(diesel::dsl::now))
    .returning((refresh_tokens::user_id, refresh_tokens::family_id))
    .get_result(conn)
    .await
    .optional()
    .map_err(|e| {
        tracing::error!(error = %e, "refresh rotation");
        RefreshError::Invalid
    })?;
    let Some((user, family)) = rotated else {
        let known: Option<(uuid::Uuid, Option<chrono::DateTime<Utc>>)> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&hash[..]))
            .select((refresh_tokens::family_id, refresh_tokens::rotated_at))
            .first(conn)
            .await
            .optional()
            .map_err(|_| RefreshError::Invalid)?;
        return match known {
            Some((family, Some(_))) => {
                tracing::warn!(%family, "refresh token reused; revoking the session");
                revoke_family(conn, family)
                    .await
                    .map_err(|_| RefreshError::Invalid)?;
                Err(RefreshError::Reused)
            }
            _ => Err(RefreshError::Invalid),
        };
    };
    let user = UserId(user);
    let refresh = insert_refresh(conn, user, family)
        .await
        .map_err(|_| RefreshError::Invalid)?;
    Ok((
        user,
        SessionTokens {
            access: keys.sign_access(user, family),
            refresh,
            csrf: keys.csrf_token(family),
        },
    ))
}

/// Ends a session: every refresh token of the family stops working.
pub async fn revoke_family(conn: &mut DbConn, family: uuid::Uuid) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
}

/// The family a refresh token belongs to, if we know it.
pub async fn family_of(conn: &mut DbConn, presented: &str) -> QueryResult<Option<uuid::Uuid>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(&sha256(presented)[..]))
        .select(refresh_tokens::family_id)
        .first(conn)
        .await
        .optional()
}

/// Whether cookies get `Secure`: always in production and behind HTTPS; not for a
/// local-mode server on plain `http://` (Safari, for one, drops `Secure` cookies from
/// `http://localhost`, which would make the printed login link useless there).
pub(crate) fn secure_cookies(config: &Config) -> bool {
    config.environment == crate::config::Environment::Production
        || !config.public_url().starts_with("http://")
}

fn cookie<'a>(
    config: &Config,
    name: &'a str,
    value: String,
    path: &'a str,
    max_age: Duration,
    http_only: bool,
) -> Cookie<'a> {
    let mut c = Cookie::build(name, value)
        .path(path)
        .secure(secure_cookies(config))
        .http_only(http_only)
        .same_site(SameSite::Lax)
        .max_age(time::Duration::seconds(max_age.as_secs() as i64))
        .finish();
    if let Some(domain) = &config.auth.cookie_domain {
        c.set_domain(domain.clone());
    }
    c
}

/// Puts a session's three cookies on a response.
pub fn set_cookies(response: &mut HttpResponseBuilder, config: &Config, tokens: SessionTokens) {
    response.cookie(cookie(
        config,
        ACCESS_COOKIE,
        tokens.access,
        "/",
        ACCESS_TTL,
        true,
    ));
    response.cookie(cookie(
        config,
        REFRESH_COOKIE,
        tokens.refresh,
        REFRESH_PATH,
        REFRESH_TTL,
        true,
    ));
    // Readable by the page, which echoes it in X-CSRF-Token.
    response.cookie(cookie(
        config,
        CSRF_COOKIE,
        tokens.csrf,
        "/",
        REFRESH_TTL,
        false,
    ));
}

/// Cookies that expire the session's three.
pub fn expired_cookies(config: &Config) -> Vec<Cookie<'static>> {
    [
        (ACCESS_COOKIE, "/", true),
        (REFRESH_COOKIE, REFRESH_PATH, true),
        (CSRF_COOKIE, "/", false),
    ]
    .into_iter()
    .map(|(name, path, http_only)| {
        cookie(config, name, String::new(), path, Duration::ZERO, http_only).into_owned()
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn keys(jwt_keys: &str) -> SessionKeys {
        let config = Config::from_lookup(|name| {
            (name == "TRELLIS_JWT_KEYS" && !jwt_keys.is_empty()).then(|| jwt_keys.to_owned())
        })
        .expect("config");
        SessionKeys::from_config(&config)
    }

    fn secret(c: char) -> String {
        c.to_string().repeat(40)
    }

    fn forge(header: &str, claims: &serde_json::Value, key: &[u8]) -> String {
        let h = URL_SAFE_NO_PAD.encode(header);
        let c = URL_SAFE_NO_PAD.encode(claims.to_string());
        let mut mac = hmac_with(key);
        mac.update(format!("{h}.{c}").as_bytes());
        format!(
            "{h}.{c}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    fn claims(exp_offset: i64) -> serde_json::Value {
        let now = Utc::now().timestamp();
        serde_json::json!({
            "sub": uuid::Uuid::now_v7(), "sid": uuid::Uuid::now_v7(),
            "iat": now, "exp": now + exp_offset, "iss": "trellis", "jti": uuid::Uuid::now_v7(),
        })
    }

    #[test]
    fn a_signed_token_verifies_and_carries_its_kid() {
        let keys = keys(&format!("k2:{},k1:{}", secret('b'), secret('a')));
        let user = UserId::new();
        let sid = uuid::Uuid::now_v7();
        let token = keys.sign_access(user, sid);
        assert_eq!(
            jsonwebtoken::decode_header(&token).ok().and_then(|h| h.kid),
            Some("k2".to_owned())
        );
        let claims = keys.verify_access(&token).expect("valid");
        assert_eq!((claims.sub, claims.sid), (user.0, sid));
    }

    #[test]
    fn tokens_signed_by_an_older_listed_key_still_verify() {
        let old = keys(&format!("k1:{}", secret('a')));
        let rotated = keys(&format!("k2:{},k1:{}", secret('b'), secret('a')));
        let token = old.sign_access(UserId::new(), uuid::Uuid::now_v7());
        assert!(rotated.verify_access(&token).is_some());
        // Once k1 is dropped from the list, its tokens stop working.
        let dropped = keys(&format!("k2:{}", secret('b')));
        assert!(dropped.verify_access(&token).is_none());
    }

    #[test]
    fn expired_tampered_none_and_unknown_kid_tokens_are_refused() {
        let keys = keys(&format!("k1:{}", secret('a')));
        let key = secret('a');
        let valid = forge(
            r#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#,
            &claims(600),
            key.as_bytes(),
        );
        assert!(
            keys.verify_access(&valid).is_some(),
            "the forger is faithful"
        );

        let expired = forge(
            r#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#,
            &claims(-600),
            key.as_bytes(),
        );
        assert!(keys.verify_access(&expired).is_none(), "expired");

        let mut tampered = valid.clone();
        let payload = URL_SAFE_NO_PAD.encode(claims(600).to_string());
        let parts: Vec<&str> = valid.split('.').collect();
        tampered = tampered.replace(parts[1], &payload);
        assert!(keys.verify_access(&tampered).is_none(), "tampered payload");

        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT","kid":"k1"}"#),
            URL_SAFE_NO_PAD.encode(claims(600).to_string())
        );
        assert!(keys.verify_access(&none).is_none(), "alg none");

        let hs512 = forge(
            r#"{"alg":"HS512","typ":"JWT","kid":"k1"}"#,
            &claims(600),
            key.as_bytes(),
        );
        assert!(keys.verify_access(&hs512).is_none(), "other algorithm");

        let unknown = forge(
            r#"{"alg":"HS256","typ":"JWT","kid":"k9"}"#,
            &claims(600),
            key.as_bytes(),
        );
        assert!(keys.verify_access(&unknown).is_none(), "unknown kid");

        let no_kid = forge(
            r#"{"alg":"HS256","typ":"JWT"}"#,
            &claims(600),
            key.as_bytes(),
        );
        assert!(keys.verify_access(&no_kid).is_none(), "missing kid");

        let wrong_key = forge(
            r#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#,
            &claims(600),
            secret('z').as_bytes(),
        );
        assert!(
            keys.verify_access(&wrong_key).is_none(),
            "wrong key for kid"
        );

        let mut foreign = claims(600);
        foreign["iss"] = "someone-else".into();
        let foreign = forge(
            r#"{"alg":"HS256","typ":"JWT","kid":"k1"}"#,
            &foreign,
            key.as_bytes(),
        );
        assert!(keys.verify_access(&foreign).is_none(), "other issuer");
    }

    #[test]
    fn csrf_tokens_are_bound_to_the_session() {
        let keys = keys(&format!("k1:{}", secret('a')));
        let (a, b) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        assert_eq!(keys.csrf_token(a), keys.csrf_token(a));
        assert_ne!(keys.csrf_token(a), keys.csrf_token(b));
    }
}
