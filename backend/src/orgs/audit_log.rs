//! `/api/v1/orgs/{org}/audit-log`: the organization's audit log over HTTP.

use actix_web::web;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use tenancy::Permission;

use crate::audit::queries::AuditFilter;
use crate::audit::{self, AuditEntry, AuditId};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, Page, PageParams, validate};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit-log", web::get().to(list_audit_log));
}

/// Filters of `GET /audit-log` (all optional, combined).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AuditQuery {
    /// An exact action (`ticket.update`), or every action of a kind (`ticket.`).
    action: Option<String>,
    /// `org`, `project`, `ticket`, `comment`, `token`, `filter`, `member`, `invitation`.
    entity_type: Option<String>,
    /// The entity's id (with `entity_type`).
    entity_id: Option<String>,
    /// The actor's login.
    actor: Option<String>,
    /// Entries at or after this instant (RFC 3339).
    since: Option<DateTime<Utc>>,
    /// Entries before this instant (RFC 3339).
    until: Option<DateTime<Utc>>,
}

/// The audit log, newest first (admins and owners), filtered by action, entity, actor
/// and time.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/audit-log", tag = "audit",
    params(("org" = String, Path, description = "Organization slug"), AuditQuery, PageParams),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = Problem),
              (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_audit_log(
    mut caller: Caller,
    page: web::Query<PageParams>,
    query: web::Query<AuditQuery>,
) -> Result<web::Json<Page<AuditEntry>>, ApiError> {
    caller.scope.require(Permission::AuditRead)?;
    let limit = page.limit()?;
    let before: Option<AuditId> = page.cursor()?;
    let query = query.into_inner();
    let action = query
        .action
        .map(|a| validate::required_text("action", &a, 100))
        .transpose()?;
    if let Some(t) = &query.entity_type
        && !crate::audit::Entity::TYPES.contains(&t.as_str())
    {
        return Err(ApiError::validation(
            "entity_type",
            format!("must be one of {}", crate::audit::Entity::TYPES.join(", ")),
        ));
    }
    let entity_id = query
        .entity_id
        .map(|id| {
            id.parse::<uuid::Uuid>()
                .map_err(|_| ApiError::validation("entity_id", "must be a UUID"))
        })
        .transpose()?;
    if let (Some(since), Some(until)) = (query.since, query.until)
        && since >= until
    {
        return Err(ApiError::validation("until", "must be after `since`"));
    }
    let actor_login = query.actor;
    let rows = caller
        .tx(Permission::AuditRead, async move |tx| {
            let actor = match actor_login.as_deref() {
                None => None,
                Some(login) => Some(
                    crate::orgs::queries::find_member(tx, login)
                        .await?
                        .map(|(id, _)| id)
                        .ok_or_else(|| ApiError::validation("actor", "no member has this login"))?,
                ),
            };
            let filter = AuditFilter {
                action,
                entity_type: query.entity_type,
                entity_id,
                actor,
                since: query.since,
                until: query.until,
            };
            Ok(audit::queries::page(tx, filter, before, limit).await?)
        })
        .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |e: &AuditEntry| {
        e.id
    })))
}
