//! `POST /api/v1/orgs/{org}/tickets/bulk`

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use tenancy::Permission;

use super::{BulkRequest, BulkResponse, queries};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, Idempotency, JsonBody, Reply};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/tickets/bulk", web::post().to(bulk_change));
}

/// Applies one operation set to up to 1,000 tickets in one transaction, with a
/// result per ticket. Atomic by default (nothing applied if any ticket fails);
/// `dry_run` previews. Honours `Idempotency-Key`.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/tickets/bulk", tag = "tickets",
    params(("org" = String, Path, description = "Organization slug"),
           ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response of a retried request (24 h)")),
    request_body = BulkRequest,
    responses((status = 200, description = "One result per ticket; `applied` says whether anything was committed", body = BulkResponse),
              (status = 402, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn bulk_change(
    mut caller: Caller,
    idempotency: Idempotency,
    body: JsonBody<BulkRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsUpdate)?;
    let bulk = body.validate()?;
    let reply = caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            idempotency
                .run(tx, body.digest(), async move |tx| {
                    let response = queries::apply(tx, bulk).await?;
                    Reply::json(StatusCode::OK, &response)
                })
                .await
        })
        .await?;
    Ok(reply.into_response())
}
