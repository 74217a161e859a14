//! Authentication: API tokens and cookie sessions, and the extractors that turn a
//! request into an [`OrgScope`] ([`Caller`]) or a signed-in user ([`SessionUser`]).
//!
//! - `Authorization: Bearer trl_...`: an API token, scoped to one organization and
//!   possibly to a subset of permissions.
//! - The `trellis_session` cookie: a signed-in browser (see [`session`]); unsafe
//!   methods also need the CSRF checks of [`csrf`].
//!
//! Every authenticated org request also spends one unit of the principal's API budget
//! (`TRELLIS_RATE_LIMIT_API_PER_MINUTE`, counted in Redis).

mod cache;
mod cipher;
pub mod csrf;
pub mod github;
pub mod invalidation;
pub mod local_login;
mod queries;
pub mod routes;
pub mod session;
pub(crate) mod tokens;
mod users;

#[cfg(test)]
mod session_tests;
#[cfg(test)]
mod tests;

use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use tenancy::{OrgScope, ScopedConn, TokenAuth, UserId};

use crate::config::Config;
use crate::http::{ApiError, AppState, PooledConn};
use crate::rate_limit::{Budget, RateLimiter};

pub use cache::PrincipalCache;
pub use cipher::TokenCipher;
pub use tokens::{TokenGrant, TokenSecret, create_token};
pub use users::{SignedIn, create_org, sign_in_with_github};

/// Everything authentication needs, built once from the configuration.
pub struct AuthState {
    pub keys: session::SessionKeys,
    pub cipher: TokenCipher,
    /// `None` when no GitHub OAuth application is configured.
    pub github: Option<github::GitHub>,
    pub limiter: RateLimiter,
    pub allowed_origins: Vec<String>,
}

impl AuthState {
    pub fn new(config: &Config, redis: crate::http::RedisPool) -> anyhow::Result<Self> {
        Ok(Self {
            keys: session::SessionKeys::from_config(config),
            cipher: TokenCipher::from_config(config),
            github: github::GitHub::from_config(config)?,
            limiter: RateLimiter::new(redis, &config.auth.rate_limits.namespace),
            allowed_origins: config.allowed_origins(),
        })
    }
}

/// The per-principal API budget.
pub fn api_budget(config: &Config) -> Budget {
    Budget {
        name: "api",
        limit: config.auth.rate_limits.api_per_minute,
        window: Duration::from_secs(60),
    }
}

/// An authenticated member of the organization named in the path (`{org}`), holding a
/// pooled connection for the request's queries.
///
/// Extraction costs one database round trip (the token or membership lookup) unless
/// the [`PrincipalCache`] has the answer, plus one Redis round trip for the API budget.
/// A missing or invalid credential is a 401; a caller who is not a member of the
/// named organization gets the same 404 as an organization that does not exist.
pub struct Caller {
    pub scope: OrgScope,
    conn: PooledConn,
    state: web::Data<AppState>,
    principals: web::Data<PrincipalCache>,
    slug: String,
}

impl Caller {
    /// Checks a permission, then runs `f` in a transaction confined to the caller's org.
    /// A write (any permission but a read) first checks, in the same transaction, that
    /// billing has not made the organization read-only.
    pub async fn tx<T, F>(&mut self, permission: tenancy::Permission, f: F) -> Result<T, ApiError>
    where
        F: AsyncFnOnce(&mut ScopedConn<'_>) -> Result<T, ApiError>,
    {
        self.scope.require(permission)?;
        let gated = crate::entitlements::read_only_gated(permission);
        let (state, slug) = (&self.state, &self.slug);
        self.scope
            .transaction(&mut self.conn, async |tx| {
                if gated {
                    crate::entitlements::read_only_check(state, slug, tx).await?;
                }
                f(tx).await
            })
            .await
    }

    /// Runs a write whose permission depends on more than the organization role (a
    /// project lead's rights, say): the handler checks it inside `f`. The read-only
    /// billing gate applies as to any write.
    pub async fn write_checked_inside<T, F>(&mut self, f: F) -> Result<T, ApiError>
    where
        F: AsyncFnOnce(&mut ScopedConn<'_>) -> Result<T, ApiError>,
    {
        let (state, slug) = (&self.state, &self.slug);
        self.scope
            .transaction(&mut self.conn, async |tx| {
                crate::entitlements::read_only_check(state, slug, tx).await?;
                f(tx).await
            })
            .await
    }

    /// The organization's slug, as named in the path.
    pub fn slug(&self) -> &str {
        &self.slug
    }

    /// After a membership, role, token or project-membership change: drops the
    /// organization's cached principals here and on every other instance.
    pub async fn principals_changed(&self) {
        invalidation::publish(&self.state.redis, &self.principals, self.scope.org_id()).await;
    }
}

const INVALID_TOKEN: &str = "the API token is invalid, expired or revoked";

fn bearer_token(req: &HttpRequest) -> Option<Result<&str, ApiError>> {
    let header = req.headers().get(actix_web::http::header::AUTHORIZATION)?;
    let Ok(value) = header.to_str() else {
        return Some(Err(ApiError::unauthenticated(
            "the Authorization header is not valid text",
        )));
    };
    Some(match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(ApiError::unauthenticated(
            "the Authorization header must be `Bearer <API token>`",
        )),
    })
}

/// The signed-in user of a cookie session, after the CSRF checks for unsafe methods.
fn session_claims(
    req: &HttpRequest,
    auth: &AuthState,
) -> Option<Result<session::AccessClaims, ApiError>> {
    let cookie = req.cookie(session::ACCESS_COOKIE)?;
    let Some(claims) = auth.keys.verify_access(cookie.value()) else {
        return Some(Err(ApiError::unauthenticated(
            "the session has expired; POST /auth/refresh or sign in again",
        )));
    };
    if csrf::is_unsafe(req.method())
        && let Err(e) = csrf::check(req, &auth.keys, &auth.allowed_origins, claims.sid)
    {
        return Some(Err(e));
    }
    Some(Ok(claims))
}

/// State the app registered (`app::build_app`).
fn data<T: 'static>(req: &HttpRequest) -> Result<web::Data<T>, ApiError> {
    req.app_data::<web::Data<T>>()
        .cloned()
        .ok_or_else(|| ApiError::internal("application state missing"))
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = data::<AppState>(&req)?;
            let auth = data::<AuthState>(&req)?;
            let principals = data::<PrincipalCache>(&req)?;
            let slug = req
                .match_info()
                .get("org")
                .filter(|slug| tenancy::valid_slug(slug))
                .ok_or_else(|| ApiError::not_found("organization"))?
                .to_owned();
            let (conn, scope) = match bearer_token(&req) {
                Some(token) => {
                    let hash = TokenSecret::hash_presented(token?)
                        .ok_or_else(|| ApiError::unauthenticated(INVALID_TOKEN))?;
                    let mut conn = state.db.get_owned().await?;
                    let scope = match principals.get(&hash, &slug) {
                        Some(scope) => scope,
                        None => match tenancy::authorize_token(&mut conn, &hash, &slug).await? {
                            TokenAuth::Member(scope) => {
                                principals.put(hash, &slug, scope.clone());
                                scope
                            }
                            TokenAuth::NotMember => {
                                return Err(ApiError::not_found("organization"));
                            }
                            TokenAuth::InvalidToken => {
                                return Err(ApiError::unauthenticated(INVALID_TOKEN));
                            }
                        },
                    };
                    (conn, scope)
                }
                None => {
                    let claims = session_claims(&req, &auth).ok_or_else(|| {
                        ApiError::unauthenticated(
                            "sign in, or send `Authorization: Bearer <API token>`",
                        )
                    })??;
                    let key = tokens::sha256(&format!("session:{}", claims.sub));
                    let mut conn = state.db.get_owned().await?;
                    let scope = match principals.get(&key, &slug) {
                        Some(scope) => scope,
                        None => {
                            let scope =
                                tenancy::authorize_user(&mut conn, UserId(claims.sub), &slug)
                                    .await?
                                    .ok_or_else(|| ApiError::not_found("organization"))?;
                            principals.put(key, &slug, scope.clone());
                            scope
                        }
                    };
                    (conn, scope)
                }
            };
            let principal = match scope.token_id() {
                Some(token) => format!("{}:token:{token}", scope.org_id()),
                None => format!("{}:user:{}", scope.org_id(), scope.user_id()),
            };
            auth.limiter
                .check(api_budget(&state.config), &principal)
                .await?;
            Ok(Caller {
                scope,
                conn,
                state,
                principals,
                slug,
            })
        })
    }
}

/// A signed-in browser user (cookie session only: API tokens belong to one
/// organization and do not speak for the person across organizations).
pub struct SessionUser {
    pub user: UserId,
    /// The session family, for logout.
    pub sid: uuid::Uuid,
}

impl FromRequest for SessionUser {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready((|| {
            let auth = data::<AuthState>(req)?;
            let claims = session_claims(req, &auth).ok_or_else(|| {
                ApiError::unauthenticated("sign in first (this route needs a browser session)")
            })??;
            Ok(SessionUser {
                user: UserId(claims.sub),
                sid: claims.sid,
            })
        })())
    }
}
