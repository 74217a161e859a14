//! The OpenAPI 3.1 document, generated from the handlers' annotations and served at
//! `/api/v1/openapi.json`. A snapshot test keeps `docs/openapi.json` in step.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (`trl_...`), created with `POST /api/v1/orgs/{org}/tokens` \
                         or `trellis token create`. Browsers use the session cookies instead.",
                    ))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Trellis API",
        description = "Multi-tenant issue tracker. Every route lives under an organization \
                       (`/api/v1/orgs/{org}`); errors are RFC 9457 problem documents.",
    ),
    paths(
        crate::orgs::routes::get_org,
        crate::orgs::routes::update_org,
        crate::orgs::routes::list_members,
        crate::orgs::members::change_role,
        crate::orgs::members::remove_member,
        crate::orgs::members::leave,
        crate::orgs::members::transfer_ownership,
        crate::orgs::invitations::invite,
        crate::orgs::invitations::list_invitations,
        crate::orgs::invitations::revoke_invitation,
        crate::tokens::routes::create,
        crate::tokens::routes::list_tokens,
        crate::tokens::routes::revoke,
        crate::auth::routes::github_login,
        crate::auth::routes::github_callback,
        crate::auth::routes::refresh,
        crate::auth::routes::logout,
        crate::me::routes::me,
        crate::me::routes::my_invitations,
        crate::me::routes::accept_mine,
        crate::me::routes::decline_mine,
        crate::me::routes::accept_link,
        crate::projects::routes::create_project,
        crate::projects::routes::list_projects,
        crate::projects::routes::get_project,
        crate::projects::routes::update_project,
        crate::projects::routes::archive_project,
        crate::projects::routes::unarchive_project,
        crate::projects::members::list_project_members,
        crate::projects::members::set_project_member,
        crate::projects::members::remove_project_member,
        crate::tickets::routes::create_ticket,
        crate::tickets::routes::list_tickets,
        crate::tickets::routes::list_project_tickets,
        crate::tickets::routes::get_ticket,
        crate::tickets::routes::replace_ticket,
        crate::tickets::routes::patch_ticket,
        crate::tickets::routes::delete_ticket,
        crate::tickets::routes::list_transitions,
        crate::tickets::routes::perform_transition,
        crate::tickets::routes::ticket_history,
        crate::tickets::routes::move_ticket,
        crate::bulk::routes::bulk_change,
        crate::import::routes::import_csv,
        crate::ranking::routes::rank_ticket,
        crate::components::routes::list_components,
        crate::components::routes::create_component,
        crate::components::routes::get_component,
        crate::components::routes::update_component,
        crate::components::routes::delete_component,
        crate::custom_fields::routes::list_custom_fields,
        crate::custom_fields::routes::create_custom_field,
        crate::custom_fields::routes::get_custom_field,
        crate::custom_fields::routes::update_custom_field,
        crate::custom_fields::routes::delete_custom_field,
        crate::links::routes::list_link_types,
        crate::links::routes::list_links,
        crate::links::routes::create_link,
        crate::links::routes::delete_link,
        crate::watchers::routes::list_watchers,
        crate::watchers::routes::add_watcher,
        crate::watchers::routes::remove_watcher,
        crate::sprints::routes::create_sprint,
        crate::sprints::routes::list_sprints,
        crate::sprints::routes::get_sprint,
        crate::sprints::routes::update_sprint,
        crate::sprints::routes::delete_sprint,
        crate::sprints::routes::start_sprint,
        crate::sprints::routes::complete_sprint,
        crate::sprints::routes::change_sprint_tickets,
        crate::sprints::routes::list_scope_changes,
        crate::workflows::routes::get_workflow,
        crate::workflows::routes::create_status,
        crate::workflows::routes::update_status,
        crate::workflows::routes::delete_status,
        crate::workflows::routes::reorder_statuses,
        crate::workflows::routes::create_transition,
        crate::workflows::routes::delete_transition,
        crate::workflows::routes::copy_workflow,
        crate::comments::routes::create_comment,
        crate::comments::routes::list_comments,
        crate::comments::routes::edit_comment,
        crate::comments::routes::delete_comment,
        crate::worklogs::routes::create_worklog,
        crate::worklogs::routes::list_worklogs,
        crate::worklogs::routes::edit_worklog,
        crate::worklogs::routes::delete_worklog,
        crate::attachments::routes::create_upload,
        crate::attachments::routes::list_attachments,
        crate::attachments::routes::confirm_upload,
        crate::attachments::routes::download_attachment,
        crate::attachments::routes::delete_attachment,
        crate::attachments::routes::upload_file,
        crate::attachments::routes::download_file,
        crate::orgs::audit_log::list_audit_log,
        crate::search::routes::search_get,
        crate::search::routes::search_post,
        crate::export::routes::export,
        crate::search::autocomplete::autocomplete,
        crate::filters::routes::create_filter,
        crate::filters::routes::list_filters,
        crate::filters::routes::get_filter,
        crate::filters::routes::update_filter,
        crate::filters::routes::delete_filter,
        crate::billing::routes::get_billing,
        crate::billing::routes::create_checkout,
        crate::billing::routes::create_portal,
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "GitHub sign-in and browser sessions (cookies; unsafe \
                                         methods need the X-CSRF-Token header)"),
        (name = "invitations", description = "The signed-in user's invitations"),
        (name = "tokens", description = "API tokens"),
        (name = "orgs", description = "The organization, its members and invitations"),
        (name = "projects", description = "Projects and their workflows"),
        (name = "tickets", description = "Tickets, lists and transitions"),
        (name = "components", description = "Components of a project"),
        (name = "custom-fields", description = "An organization's own ticket fields"),
        (name = "links", description = "Links between tickets: blocks, relates to, duplicates, clones"),
        (name = "watchers", description = "Who follows a ticket"),
        (name = "sprints", description = "Sprints: planning, starting, completing, scope"),
        (name = "workflows", description = "A project's statuses and transitions"),
        (name = "comments", description = "Comments on tickets"),
        (name = "worklogs", description = "Time logged on tickets; the ticket's time spent and remaining estimate"),
        (name = "attachments", description = "Files on tickets: presigned uploads and downloads \
                                               (S3, or this server's signed file URLs in local mode)"),
        (name = "audit", description = "The audit log"),
        (name = "search", description = "JQL search"),
        (name = "billing", description = "Plan, usage, Stripe Checkout and the Billing Portal"),
    )
)]
pub struct ApiDoc;

/// The document as JSON text.
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

/// `GET /api/v1/openapi.json`
pub async fn serve() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document())
}
