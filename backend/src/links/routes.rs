//! `/api/v1/orgs/{org}/tickets/{key}/links` and `/api/v1/orgs/{org}/link-types`

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use tenancy::Permission;

use super::{Link, LinkId, LinkType, LinkTypeInfo, NewLink, queries};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, Items, JsonBody};
use crate::projects::access;
use crate::tickets::TicketKey;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/link-types", web::get().to(list_link_types))
        .service(
            web::resource("/tickets/{key}/links")
                .route(web::get().to(list_links))
                .route(web::post().to(create_link)),
        )
        .route("/tickets/{key}/links/{link}", web::delete().to(delete_link));
}

fn link_id(raw: &str) -> Result<LinkId, ApiError> {
    raw.parse()
        .map(LinkId)
        .map_err(|_| ApiError::not_found("link"))
}

/// The kinds of link and how each side names them.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/link-types", tag = "links",
    params(("org" = String, Path, description = "Organization slug")),
    responses((status = 200, body = Items<LinkTypeInfo>)),
    security(("bearer" = []))
)]
pub(crate) async fn list_link_types(
    caller: Caller,
) -> Result<web::Json<Items<LinkTypeInfo>>, ApiError> {
    caller.scope.require(Permission::TicketsRead)?;
    Ok(web::Json(Items {
        items: LinkType::ALL.into_iter().map(LinkTypeInfo::from).collect(),
    }))
}

/// The ticket's links, each from this ticket's side; links to deleted tickets or to
/// projects the caller cannot see are left out.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/tickets/{key}/links", tag = "links",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key")),
    responses((status = 200, body = Items<Link>), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_links(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<web::Json<Items<Link>>, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    let items = caller
        .tx(Permission::TicketsRead, async move |tx| {
            let ticket = crate::tickets::queries::find(tx, &key).await?;
            Ok(queries::list(tx, ticket.id).await?)
        })
        .await?;
    Ok(web::Json(Items { items }))
}

/// Links the ticket to another of the organization (any project the caller sees):
/// `{"link": "is blocked by", "ticket": "API-3"}`. Needs `tickets.update` on this one.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/tickets/{key}/links", tag = "links",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key")),
    request_body = NewLink,
    responses(
        (status = 201, body = Link), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "The link exists already, or the ticket has too many", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_link(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<NewLink>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsUpdate)?;
    let key = TicketKey::parse(&path.1)?;
    let (kind, outward, other) = body.validate()?;
    let link = caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            let ticket = crate::tickets::queries::find(tx, &key).await?;
            access::require(tx, Permission::TicketsUpdate, ticket.project_id)?;
            let other = queries::other_end(tx, &other).await?;
            queries::create(tx, &ticket, &other, kind, outward).await
        })
        .await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(link))
}

/// Removes a link, from either of its tickets. Needs `tickets.update` on the ticket in
/// the path.
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/tickets/{key}/links/{link}", tag = "links",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("link" = String, Path, description = "Link id")),
    responses((status = 204, description = "Removed"), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn delete_link(
    mut caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::TicketsUpdate)?;
    let key = TicketKey::parse(&path.1)?;
    let id = link_id(&path.2)?;
    caller
        .tx(Permission::TicketsUpdate, async move |tx| {
            let ticket = crate::tickets::queries::find(tx, &key).await?;
            access::require(tx, Permission::TicketsUpdate, ticket.project_id)?;
            queries::delete(tx, &ticket, id).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
