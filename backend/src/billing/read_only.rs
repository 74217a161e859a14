//! Read-only mode: once a past-due organization's grace period is over, every write
//! under `/api/v1/orgs/{org}` answers `402` with a link to the Billing Portal, while
//! reads, search and export keep working and billing itself stays reachable (to pay).
//!
//! A middleware around the org-scoped API rather than a check in each handler: one
//! place decides what a write is. It authenticates the caller the way handlers do
//! (the `Caller` extractor, usually a principal-cache hit) and reads the billing
//! account in the caller's scoped transaction; requests it cannot authenticate pass
//! through untouched, so a stranger learns nothing about an organization's billing.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{FromRequest, ResponseError, web};
use tenancy::Permission;

use crate::auth::Caller;
use crate::http::{ApiError, AppState};

/// Writes that read-only mode lets through: searching (a read sent as `POST`) and
/// billing itself (the way out of read-only mode).
fn exempt(path: &str) -> bool {
    path.ends_with("/search")
        || path.ends_with("/billing/checkout")
        || path.ends_with("/billing/portal")
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

async fn refusal(req: &ServiceRequest) -> Option<ApiError> {
    let state = req.app_data::<web::Data<AppState>>()?;
    if !state.billing.enabled() {
        return None;
    }
    let mut caller = Caller::from_request(req.request(), &mut Payload::None)
        .await
        .ok()?;
    let billing = state.billing.clone();
    let read_only = caller
        .tx(Permission::OrgRead, async |tx| {
            Ok(billing.read_only(tx).await?)
        })
        .await;
    match read_only {
        Ok(false) => None,
        Ok(true) => {
            let slug = req.match_info().get("org").unwrap_or_default();
            state.metrics.entitlement_refusal("read_only");
            Some(
                ApiError::payment_required(
                    "read-only",
                    "this organization is read-only: its subscription is past due and the grace \
                     period is over. Reads, search and export keep working; pay the open invoice \
                     in the billing portal to restore everything at once",
                )
                .with_extension("portal", super::portal_link(state, slug).into()),
            )
        }
        Err(e) => Some(e),
    }
}

/// The middleware (wrapped around `/api/v1/orgs/{org}`).
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if is_write(req.method())
        && !exempt(req.path())
        && let Some(error) = refusal(&req).await
    {
        let response = error.error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}
