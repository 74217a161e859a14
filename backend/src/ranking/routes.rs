//! `/api/v1/orgs/{org}/tickets/{key}/rank`

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use tenancy::Permission;

use super::RankMove;
use super::queries;
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, JsonBody, json_with_etag};
use crate::tickets::{Ticket, TicketKey};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/tickets/{key}/rank", web::post().to(rank_ticket));
}

/// Moves the ticket just before or just after another ticket of its project in the
/// backlog order; only this ticket's `rank` changes.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/tickets/{key}/rank", tag = "tickets",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key")),
    request_body = RankMove,
    responses((status = 200, body = Ticket), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn rank_ticket(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<RankMove>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsUpdate)?;
    let key = TicketKey::parse(&path.1)?;
    let (place, field) = body.validate()?;
    let ticket = caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            queries::move_ticket(tx, &key, &place, field).await
        })
        .await?;
    Ok(json_with_etag(StatusCode::OK, ticket.version, &ticket))
}
