//! `/api/v1/orgs/{org}/audit-log`

use actix_web::web;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use tenancy::Permission;

use super::AuditId;
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, Page, PageParams};
use crate::schema::audit_log;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit-log", web::get().to(list_audit_log));
}

/// One audited change.
#[derive(Debug, Queryable, Selectable, Serialize, utoipa::ToSchema)]
#[diesel(table_name = audit_log)]
pub(crate) struct AuditEntry {
    id: AuditId,
    actor_id: Option<uuid::Uuid>,
    /// The API token used, when the change came through one.
    token_id: Option<uuid::Uuid>,
    /// e.g. `ticket.update`.
    action: String,
    entity_type: String,
    entity_id: uuid::Uuid,
    #[schema(value_type = Option<Object>)]
    before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    after: Option<serde_json::Value>,
    request_id: Option<String>,
    ip: Option<String>,
    created_at: DateTime<Utc>,
}

/// The audit log, newest first (admins and owners).
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/audit-log", tag = "audit",
    params(("org" = String, Path, description = "Organization slug"), PageParams),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_audit_log(
    mut caller: Caller,
    page: web::Query<PageParams>,
) -> Result<web::Json<Page<AuditEntry>>, ApiError> {
    let limit = page.limit()?;
    let before: Option<AuditId> = page.cursor()?;
    let rows = caller
        .tx(Permission::AuditRead, async move |tx| {
            // Ids are UUIDv7: id order is time order, and a single-column keyset.
            let mut q = audit_log::table
                .filter(audit_log::org_id.eq(tx.scope().org_id()))
                .select(AuditEntry::as_select())
                .into_boxed();
            if let Some(before) = before {
                q = q.filter(audit_log::id.lt(before.0));
            }
            Ok(q.order(audit_log::id.desc())
                .limit(limit + 1)
                .load(tx.conn())
                .await?)
        })
        .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |e: &AuditEntry| {
        e.id
    })))
}
