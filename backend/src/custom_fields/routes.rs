//! `/api/v1/orgs/{org}/custom-fields` and `/custom-fields/{field}` (by id or number).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use tenancy::Permission;

use super::{CustomField, CustomFieldPatch, NewCustomField, queries};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, Idempotency, IfMatch, Items, JsonBody, Reply, json_with_etag};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/custom-fields")
            .route(web::get().to(list_custom_fields))
            .route(web::post().to(create_custom_field)),
    )
    .service(
        web::resource("/custom-fields/{field}")
            .route(web::get().to(get_custom_field))
            .route(web::patch().to(update_custom_field))
            .route(web::delete().to(delete_custom_field)),
    );
}

/// The organization's custom fields, by name, with their options and projects.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/custom-fields", tag = "custom-fields",
    params(("org" = String, Path, description = "Organization slug")),
    responses((status = 200, body = Items<CustomField>), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_custom_fields(
    mut caller: Caller,
) -> Result<web::Json<Items<CustomField>>, ApiError> {
    let hidden = crate::projects::access::hidden(&caller.scope);
    let items = caller
        .tx(Permission::TicketsRead, async move |tx| {
            Ok(queries::definitions(tx, &hidden).await?)
        })
        .await?
        .into_iter()
        .map(|d| d.field)
        .collect();
    Ok(web::Json(Items { items }))
}

/// Defines a field (admins and owners).
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/custom-fields", tag = "custom-fields",
    params(("org" = String, Path, description = "Organization slug"),
           ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response to the same key and body")),
    request_body = NewCustomField,
    responses(
        (status = 201, body = CustomField), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Name taken, or too many fields", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_custom_field(
    mut caller: Caller,
    idempotency: Idempotency,
    body: JsonBody<NewCustomField>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::OrgUpdate)?;
    let change = body.validate()?;
    let kind = body.kind;
    let reply = caller
        .tx(Permission::OrgUpdate, async move |tx| {
            idempotency
                .run(tx, body.digest(), async move |tx| {
                    let field = queries::create(tx, kind, change).await?;
                    Ok(Reply::json(StatusCode::CREATED, &field)?.with_etag(field.version))
                })
                .await
        })
        .await?;
    Ok(reply.into_response())
}

/// One field, with its `ETag`.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/custom-fields/{field}", tag = "custom-fields",
    params(("org" = String, Path, description = "Organization slug"), ("field" = String, Path, description = "Field id or number")),
    responses((status = 200, body = CustomField), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn get_custom_field(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let hidden = crate::projects::access::hidden(&caller.scope);
    let field = caller
        .tx(Permission::TicketsRead, async move |tx| {
            queries::find(tx, &path.1, &hidden).await
        })
        .await?
        .field;
    Ok(json_with_etag(StatusCode::OK, field.version, &field))
}

/// Renames a field, changes its description, whether it is required, its projects or
/// its options (the whole list, in order).
#[utoipa::path(
    patch, path = "/api/v1/orgs/{org}/custom-fields/{field}", tag = "custom-fields",
    params(("org" = String, Path, description = "Organization slug"), ("field" = String, Path, description = "Field id or number"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    request_body = CustomFieldPatch,
    responses((status = 200, body = CustomField), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn update_custom_field(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: JsonBody<CustomFieldPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::OrgUpdate)?;
    let change = body.validate()?;
    let hidden = crate::projects::access::hidden(&caller.scope);
    let field = caller
        .tx(Permission::OrgUpdate, async move |tx| {
            let before = queries::find(tx, &path.1, &hidden).await?;
            queries::update(tx, before, &if_match, change).await
        })
        .await?;
    Ok(json_with_etag(StatusCode::OK, field.version, &field))
}

/// Deletes a field and every ticket's value of it.
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/custom-fields/{field}", tag = "custom-fields",
    params(("org" = String, Path, description = "Organization slug"), ("field" = String, Path, description = "Field id or number"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn delete_custom_field(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    caller.scope.require(Permission::OrgUpdate)?;
    let hidden = crate::projects::access::hidden(&caller.scope);
    caller
        .tx(Permission::OrgUpdate, async move |tx| {
            let before = queries::find(tx, &path.1, &hidden).await?;
            queries::delete(tx, before, &if_match).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
