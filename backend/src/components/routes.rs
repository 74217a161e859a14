//! `/api/v1/orgs/{org}/projects/{project}/components` and `/components/{component}`

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use tenancy::Permission;

use super::{Component, ComponentId, ComponentPatch, NewComponent, queries};
use crate::auth::Caller;
use crate::http::error::Problem;
use crate::http::{ApiError, IfMatch, Items, JsonBody, json_with_etag};
use crate::projects::access;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/projects/{project}/components")
            .route(web::get().to(list_components))
            .route(web::post().to(create_component)),
    )
    .service(
        web::resource("/components/{component}")
            .route(web::get().to(get_component))
            .route(web::patch().to(update_component))
            .route(web::delete().to(delete_component)),
    );
}

fn component_id(raw: &str) -> Result<ComponentId, ApiError> {
    raw.parse()
        .map(ComponentId)
        .map_err(|_| ApiError::not_found("component"))
}

/// The project's components, by name, each with its number of live tickets.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/projects/{project}/components", tag = "components",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key")),
    responses((status = 200, body = Items<Component>), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn list_components(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<web::Json<Items<Component>>, ApiError> {
    let key = crate::projects::key_from_path(&path.1)?;
    let items = caller
        .tx(Permission::ProjectsRead, async move |tx| {
            let project = crate::projects::queries::find(tx, &key).await?;
            Ok(queries::list(tx, project.id).await?)
        })
        .await?;
    Ok(web::Json(Items { items }))
}

/// Adds a component (the project's lead, an admin or the owner).
#[utoipa::path(
    post, path = "/api/v1/orgs/{org}/projects/{project}/components", tag = "components",
    params(("org" = String, Path, description = "Organization slug"), ("project" = String, Path, description = "Project key")),
    request_body = NewComponent,
    responses(
        (status = 201, body = Component), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, description = "Name taken, or too many components", body = Problem),
        (status = 422, body = Problem),
    ),
    security(("bearer" = []))
)]
pub(crate) async fn create_component(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    body: JsonBody<NewComponent>,
) -> Result<HttpResponse, ApiError> {
    let key = crate::projects::key_from_path(&path.1)?;
    let change = body.validate()?;
    let component = caller
        .write_checked_inside(async move |tx| {
            let project = crate::projects::queries::find(tx, &key).await?;
            access::require(tx, Permission::ProjectsUpdate, project.id)?;
            queries::create(tx, project.id, change).await
        })
        .await?;
    Ok(json_with_etag(
        StatusCode::CREATED,
        component.version,
        &component,
    ))
}

/// One component, with its `ETag`.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/components/{component}", tag = "components",
    params(("org" = String, Path, description = "Organization slug"), ("component" = String, Path, description = "Component id")),
    responses((status = 200, body = Component), (status = 404, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn get_component(
    mut caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let id = component_id(&path.1)?;
    let component = caller
        .tx(Permission::ProjectsRead, async move |tx| {
            let (component, project) = queries::find(tx, id).await?;
            access::visible(tx, project).map_err(|_| ApiError::not_found("component"))?;
            Ok(component)
        })
        .await?;
    Ok(json_with_etag(
        StatusCode::OK,
        component.version,
        &component,
    ))
}

/// Renames a component, or changes its description or lead.
#[utoipa::path(
    patch, path = "/api/v1/orgs/{org}/components/{component}", tag = "components",
    params(("org" = String, Path, description = "Organization slug"), ("component" = String, Path, description = "Component id"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    request_body = ComponentPatch,
    responses((status = 200, body = Component), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn update_component(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
    body: JsonBody<ComponentPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = component_id(&path.1)?;
    let change = body.validate()?;
    let component = caller
        .write_checked_inside(async move |tx| {
            let (before, project) = queries::find(tx, id).await?;
            access::visible(tx, project).map_err(|_| ApiError::not_found("component"))?;
            access::require(tx, Permission::ProjectsUpdate, project)?;
            queries::update(tx, before, project, &if_match, change).await
        })
        .await?;
    Ok(json_with_etag(
        StatusCode::OK,
        component.version,
        &component,
    ))
}

/// Deletes a component; its tickets leave it.
#[utoipa::path(
    delete, path = "/api/v1/orgs/{org}/components/{component}", tag = "components",
    params(("org" = String, Path, description = "Organization slug"), ("component" = String, Path, description = "Component id"),
           ("If-Match" = Option<String>, Header, description = "ETag from a previous read")),
    responses((status = 204, description = "Deleted"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn delete_component(
    mut caller: Caller,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = component_id(&path.1)?;
    caller
        .write_checked_inside(async move |tx| {
            let (before, project) = queries::find(tx, id).await?;
            access::visible(tx, project).map_err(|_| ApiError::not_found("component"))?;
            access::require(tx, Permission::ProjectsUpdate, project)?;
            queries::delete(tx, before, &if_match).await
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
