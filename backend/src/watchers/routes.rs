//! `/api/v1/orgs/{org}/tickets/{key}/watchers`

use actix_web::{HttpResponse, web};
use tenancy::{Permission, ScopedConn};

use super::{NewWatcher, Watchers, queries};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, JsonBody};
use crate::projects::access;
use crate::tickets::{Ticket, TicketKey};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/tickets/{key}/watchers")
            .route(web::get().to(list_watchers))
            .route(web::post().to(add_watcher)),
    )
    .route(
        "/tickets/{key}/watchers/{member}",
        web::delete().to(remove_watcher),
    );
}

/// Watching oneself needs only to read the ticket; adding or removing someone else
/// needs the right to change it.
fn may_change_watcher(
    tx: &ScopedConn<'_>,
    ticket: &Ticket,
    user: tenancy::UserId,
) -> Result<(), ApiError> {
    if user == tx.scope().user_id() {
        Ok(())
    } else {
        access::require(tx, Permission::TicketsUpdate, ticket.project_id)
    }
}

/// The ticket's watchers (members who may see it), and whether the caller is one.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/tickets/{key}/watchers", tag = "watchers",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key")),
    responses((status = 200, body = Watchers), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_watchers(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<web::Json<Watchers>, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    let watchers = caller
        .tx(Permission::TicketsRead, async move |tx| {
            let ticket = crate::tickets::queries::find(tx, &key).await?;
            queries::list(tx, ticket.id, ticket.project_id).await
        })
        .await?;
    Ok(web::Json(watchers))
}

/// Adds a watcher: the caller's own login to watch (reading the ticket is enough), or
/// another member's (needs `tickets.update`). Adding one who watches already is a no-op.
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/tickets/{key}/watchers", tag = "watchers",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key")),
    request_body = NewWatcher,
    responses((status = 200, body = Watchers), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn add_watcher(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<NewWatcher>,
) -> Result<web::Json<Watchers>, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    let login = body.0.login;
    if !tenancy::valid_login(&login) {
        return Err(ApiError::validation("login", "not a GitHub login"));
    }
    let watchers = caller
        .tx(Permission::TicketsRead, async move |tx| {
            let ticket = crate::tickets::queries::find(tx, &key).await?;
            let user = queries::member_who_sees(tx, &login, ticket.project_id).await?;
            may_change_watcher(tx, &ticket, user.id)?;
            queries::add(tx, ticket.id, &user).await?;
            queries::list(tx, ticket.id, ticket.project_id).await
        })
        .await?;
    Ok(web::Json(watchers))
}

/// Removes a watcher: oneself (reading the ticket is enough) or another member (needs
/// `tickets.update`). Removing one who does not watch is a no-op.
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/tickets/{key}/watchers/{member}", tag = "watchers",
    params(("org" = String, Path, description = "Organization slug"), ("key" = String, Path, description = "Ticket key"),
           ("member" = String, Path, description = "The watcher's login")),
    responses((status = 204, description = "Not watching (any more)"), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn remove_watcher(
    mut caller: Caller,
    path: web::Path<(String, String, String)>,
) -> Result<HttpResponse, ApiError> {
    let key = TicketKey::parse(&path.1)?;
    let login = path.2.clone();
    caller
        .tx(Permission::TicketsRead, async move |tx| {
            let ticket = crate::tickets::queries::find(tx, &key).await?;
            let Some(user) = queries::user_by_login(tx, &login).await? else {
                // No such person: nothing to do, and nothing told.
                return Ok(());
            };
            may_change_watcher(tx, &ticket, user.id)?;
            queries::remove(tx, ticket.id, &user).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
