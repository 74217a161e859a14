//! `Idempotency-Key` for creating `POST`s: the same key with the same request within
//! 24 hours answers the first response again (status, body, `Location`, `ETag`,
//! `Content-Type`, plus `Idempotent-Replayed: true`); the same key with another
//! request is a 422 `idempotency-mismatch`. Keys belong to one principal (the API
//! token, or the signed-in user) in one organization.
//!
//! One mechanism for every creating route: the handler extracts [`Idempotency`] and
//! runs its work through [`Idempotency::run`] inside the request's transaction,
//! answering a [`Reply`]. `run` first claims the key with an `INSERT .. ON CONFLICT`
//! in that transaction, and stores the reply in the same transaction before it
//! commits, so a change never commits without its key, nor a key without its change.
//! A second request with the same key meanwhile blocks on the claimed row's unique
//! index entry until the first transaction ends: after a commit it finds the stored
//! reply and replays it; after a rollback its own claim succeeds and it runs. Errors
//! roll the claim back with everything else, so they are not stored (nothing was
//! written; a retry runs again), and a 5xx never is.

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Bytea, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tenancy::ScopedConn;

use super::{ApiError, BodyDigest};
use crate::schema::idempotency_keys;

/// The request header.
pub const HEADER: &str = "Idempotency-Key";
/// The response header on a replayed response.
pub const REPLAYED: &str = "Idempotent-Replayed";
/// Longest key accepted.
pub const KEY_MAX: usize = 255;
/// How long a stored response answers its key.
const RETENTION_HOURS: i32 = 24;
/// Expired rows removed per claim: the organization's own, never blocking on a row
/// another request holds.
const PURGE_BATCH: i64 = 100;

/// The `Idempotency-Key` of a request (if sent) and what identifies the request
/// besides its body: method, path and query.
#[derive(Debug, Clone)]
pub struct Idempotency {
    key: Option<String>,
    target: String,
}

impl Idempotency {
    /// Checks the header's syntax: 1 to 255 printable ASCII characters.
    fn parse(raw: Option<&HeaderValue>) -> Result<Option<String>, ApiError> {
        let Some(raw) = raw else {
            return Ok(None);
        };
        let bad =
            |detail: &'static str| ApiError::bad_request("bad-header", detail).with_field(HEADER);
        let key = raw
            .to_str()
            .map_err(|_| bad("Idempotency-Key must be printable ASCII"))?;
        if key.is_empty() || key.len() > KEY_MAX {
            return Err(bad("Idempotency-Key must be 1 to 255 characters"));
        }
        if !key.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(bad("Idempotency-Key must be printable ASCII"));
        }
        Ok(Some(key.to_owned()))
    }

    /// The request's fingerprint: method, path and query, and the body's digest.
    fn fingerprint(&self, body: BodyDigest) -> Vec<u8> {
        let mut hash = Sha256::new();
        hash.update(self.target.as_bytes());
        hash.update([0]);
        hash.update(body.0);
        hash.finalize().to_vec()
    }

    /// Runs `work` once per key: claims the key in `tx`, runs `work`, stores its reply
    /// in `tx`; or, when the key's first request committed already, answers its
    /// stored reply (422 `idempotency-mismatch` if that request was another). Without
    /// a key, just runs `work`. `body` is the request body's digest (the default for
    /// requests without one).
    pub async fn run(
        &self,
        tx: &mut ScopedConn<'_>,
        body: BodyDigest,
        work: impl AsyncFnOnce(&mut ScopedConn<'_>) -> Result<Reply, ApiError>,
    ) -> Result<Reply, ApiError> {
        let Some(key) = &self.key else {
            return work(tx).await;
        };
        let fingerprint = self.fingerprint(body);
        let scope = tx.scope();
        let (org, principal) = (
            scope.org_id().0,
            scope.token_id().map_or(scope.user_id().0, |t| t.0),
        );
        purge_expired(tx).await?;
        if claim(tx, principal, key, &fingerprint).await? {
            let reply = work(tx).await?;
            store(tx, principal, key, &reply).await?;
            return Ok(reply);
        }
        let (hash, status, headers, stored): (Vec<u8>, i16, serde_json::Value, Vec<u8>) =
            idempotency_keys::table
                .filter(idempotency_keys::org_id.eq(org))
                .filter(idempotency_keys::principal_id.eq(principal))
                .filter(idempotency_keys::key.eq(key))
                .select((
                    idempotency_keys::request_hash,
                    idempotency_keys::status,
                    idempotency_keys::headers,
                    idempotency_keys::body,
                ))
                .first(tx.conn())
                .await?;
        if hash != fingerprint {
            return Err(ApiError::unprocessable(
                "idempotency-mismatch",
                "this Idempotency-Key was used with another request in the last 24 hours",
            )
            .with_field(HEADER));
        }
        Ok(Reply {
            status: StatusCode::from_u16(u16::try_from(status).unwrap_or(200))
                .unwrap_or(StatusCode::OK),
            headers: headers
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(name, value)| Some((name.clone(), value.as_str()?.to_owned())))
                .collect(),
            body: stored,
            replayed: true,
        })
    }
}

impl FromRequest for Idempotency {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let target = format!(
            "{} {}",
            req.method(),
            req.uri().path_and_query().map_or("", |p| p.as_str())
        );
        std::future::ready(
            Self::parse(req.headers().get(HEADER)).map(|key| Idempotency { key, target }),
        )
    }
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = Bool)]
    #[allow(dead_code)]
    claimed: bool,
}

/// Inserts the key's row (status 0: running), or takes over an expired one. Blocks
/// while another transaction holds a fresh claim on the key. `false`: the key is
/// taken by a committed request.
async fn claim(
    tx: &mut ScopedConn<'_>,
    principal: uuid::Uuid,
    key: &str,
    fingerprint: &[u8],
) -> Result<bool, ApiError> {
    let org = tx.scope().org_id().0;
    // Raw SQL: diesel cannot say `ON CONFLICT .. DO UPDATE .. WHERE`.
    let claimed: Option<Claimed> = diesel::sql_query(format!(
        "INSERT INTO idempotency_keys \
             (org_id, principal_id, key, request_hash, status, body, expires_at) \
         VALUES ($1, $2, $3, $4, 0, ''::bytea, now() + interval '{RETENTION_HOURS} hours') \
         ON CONFLICT (org_id, principal_id, key) DO UPDATE \
             SET request_hash = EXCLUDED.request_hash, status = 0, headers = '{{}}', \
                 body = ''::bytea, created_at = now(), expires_at = EXCLUDED.expires_at \
             WHERE idempotency_keys.expires_at <= now() \
         RETURNING true AS claimed"
    ))
    .bind::<SqlUuid, _>(org)
    .bind::<SqlUuid, _>(principal)
    .bind::<Text, _>(key)
    .bind::<Bytea, _>(fingerprint)
    .get_result(tx.conn())
    .await
    .optional()?;
    Ok(claimed.is_some())
}

async fn store(
    tx: &mut ScopedConn<'_>,
    principal: uuid::Uuid,
    key: &str,
    reply: &Reply,
) -> Result<(), ApiError> {
    let headers: serde_json::Map<String, serde_json::Value> = reply
        .headers
        .iter()
        .map(|(name, value)| (name.clone(), value.clone().into()))
        .collect();
    diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::org_id.eq(tx.scope().org_id().0))
            .filter(idempotency_keys::principal_id.eq(principal))
            .filter(idempotency_keys::key.eq(key)),
    )
    .set((
        idempotency_keys::status.eq(i16::try_from(reply.status.as_u16()).unwrap_or(200)),
        idempotency_keys::headers.eq(serde_json::Value::Object(headers)),
        idempotency_keys::body.eq(&reply.body),
    ))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Removes some of the organization's expired keys, skipping rows other requests
/// hold (so purging never waits, nor deadlocks with another purge).
async fn purge_expired(tx: &mut ScopedConn<'_>) -> Result<(), ApiError> {
    let org = tx.scope().org_id().0;
    // Raw SQL: diesel cannot say `FOR UPDATE SKIP LOCKED` in a subquery of a DELETE.
    diesel::sql_query(format!(
        "DELETE FROM idempotency_keys WHERE ctid = ANY(ARRAY( \
             SELECT ctid FROM idempotency_keys \
              WHERE org_id = $1 AND expires_at <= now() \
              LIMIT {PURGE_BATCH} FOR UPDATE SKIP LOCKED))"
    ))
    .bind::<SqlUuid, _>(org)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// A creating route's response, built inside its transaction so that it can be
/// stored with the change (see [`Idempotency::run`]).
#[derive(Debug, Clone)]
pub struct Reply {
    status: StatusCode,
    /// Lower-case names: `content-type`, `etag`, `location`.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    replayed: bool,
}

impl Reply {
    /// A JSON response.
    pub fn json<T: Serialize>(status: StatusCode, body: &T) -> Result<Self, ApiError> {
        Ok(Reply {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: serde_json::to_vec(body).map_err(ApiError::internal)?,
            replayed: false,
        })
    }

    /// Adds the resource's strong `ETag`.
    pub fn with_etag(mut self, version: i32) -> Self {
        self.headers.push(("etag".to_owned(), super::etag(version)));
        self
    }

    /// Adds a `Location`.
    pub fn with_location(mut self, path: String) -> Self {
        self.headers.push(("location".to_owned(), path));
        self
    }

    /// Whether this is a stored response answered again.
    pub fn is_replayed(&self) -> bool {
        self.replayed
    }

    /// The body's bytes.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The HTTP response.
    pub fn into_response(self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        for (name, value) in &self.headers {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                response.insert_header((name, value));
            }
        }
        if self.replayed {
            response.insert_header((REPLAYED, "true"));
        }
        if !self.headers.iter().any(|(n, _)| n == "content-type") {
            response.insert_header((header::CONTENT_TYPE, "application/json"));
        }
        response.body(self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_1_to_255_printable_ascii_characters() {
        let parse = |s: &str| Idempotency::parse(Some(&HeaderValue::from_str(s).unwrap()));
        assert_eq!(
            parse("order-42 retry").ok().flatten(),
            Some("order-42 retry".into())
        );
        assert!(parse(&"k".repeat(255)).is_ok());
        for bad in [String::new(), "k".repeat(256), "tab\there".to_owned()] {
            let err = parse(&bad).unwrap_err();
            assert_eq!(err.kind(), "bad-header", "{bad:?}");
        }
        let non_ascii = HeaderValue::from_bytes("schlüssel".as_bytes()).unwrap();
        assert!(Idempotency::parse(Some(&non_ascii)).is_err());
        assert_eq!(Idempotency::parse(None).ok().flatten(), None);
    }
}
