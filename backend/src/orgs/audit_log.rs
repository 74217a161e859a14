//! `/api/v1/orgs/{org}/audit-log`: the organization's audit log over HTTP.

use actix_web::web;
use tenancy::Permission;

use crate::audit::{self, AuditEntry, AuditId};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, Page, PageParams};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/audit-log", web::get().to(list_audit_log));
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
            Ok(audit::queries::page(tx, before, limit).await?)
        })
        .await?;
    Ok(web::Json(Page::from_rows(rows, limit, |e: &AuditEntry| {
        e.id
    })))
}
