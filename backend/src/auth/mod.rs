//! Authentication: API tokens and the [`Caller`] extractor that turns a request into an
//! [`OrgScope`] (GitHub sign-in plugs into the same extractor in its own issue).

mod cache;
mod tokens;

#[cfg(test)]
mod tests;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use tenancy::{OrgScope, ScopedConn, TokenAuth};

use crate::http::{ApiError, AppState, PooledConn};

pub use cache::PrincipalCache;
pub use tokens::{TokenSecret, create_token};

/// An authenticated member of the organization named in the path (`{org}`), holding a
/// pooled connection for the request's queries.
///
/// Extraction costs one database round trip (the token and membership lookup) unless
/// the [`PrincipalCache`] has the answer. A missing or invalid token is a 401; a token
/// whose user is not a member of the named organization gets the same 404 as an
/// organization that does not exist.
pub struct Caller {
    pub scope: OrgScope,
    conn: PooledConn,
}

impl Caller {
    /// Checks a permission, then runs `f` in a transaction confined to the caller's org.
    pub async fn tx<T, F>(&mut self, permission: tenancy::Permission, f: F) -> Result<T, ApiError>
    where
        F: AsyncFnOnce(&mut ScopedConn<'_>) -> Result<T, ApiError>,
    {
        self.scope.require(permission)?;
        self.scope.transaction(&mut self.conn, f).await
    }
}

fn bearer_token(req: &HttpRequest) -> Result<&str, ApiError> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthenticated("send `Authorization: Bearer <API token>`"))?;
    let value = header
        .to_str()
        .map_err(|_| ApiError::unauthenticated("the Authorization header is not valid text"))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(ApiError::unauthenticated(
            "the Authorization header must be `Bearer <API token>`",
        )),
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| ApiError::internal("application state missing"))?;
            let token = bearer_token(&req)?;
            let hash = TokenSecret::hash_presented(token).ok_or_else(|| {
                ApiError::unauthenticated("the API token is invalid, expired or revoked")
            })?;
            let slug = req
                .match_info()
                .get("org")
                .filter(|slug| tenancy::valid_slug(slug))
                .ok_or_else(|| ApiError::not_found("organization"))?;
            let mut conn = state.db.get_owned().await?;
            if let Some(scope) = state.principals.get(&hash, slug) {
                return Ok(Caller { scope, conn });
            }
            match tenancy::authorize_token(&mut conn, &hash, slug).await? {
                TokenAuth::Member(scope) => {
                    state.principals.put(hash, slug, scope.clone());
                    Ok(Caller { scope, conn })
                }
                TokenAuth::NotMember => Err(ApiError::not_found("organization")),
                TokenAuth::InvalidToken => Err(ApiError::unauthenticated(
                    "the API token is invalid, expired or revoked",
                )),
            }
        })
    }
}
