//! Component queries, inside an org-scoped transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types;
use diesel_async::RunQueryDsl;
use tenancy::{ScopedConn, UserId};

use super::{Component, ComponentChange, ComponentId, PER_PROJECT_MAX};
use crate::audit::{self, Change, Entity};
use crate::http::{ApiError, IfMatch};
use crate::ids::{ProjectId, TicketId};
use crate::refs::UserRef;
use crate::schema::{components, ticket_components};

#[derive(QueryableByName)]
struct ComponentRow {
    #[diesel(sql_type = sql_types::Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = sql_types::Uuid)]
    project_id: uuid::Uuid,
    #[diesel(sql_type = sql_types::Text)]
    project: String,
    #[diesel(sql_type = sql_types::Text)]
    name: String,
    #[diesel(sql_type = sql_types::Text)]
    description: String,
    #[diesel(sql_type = sql_types::Nullable<sql_types::Uuid>)]
    lead_id: Option<uuid::Uuid>,
    #[diesel(sql_type = sql_types::Nullable<sql_types::Text>)]
    lead_login: Option<String>,
    #[diesel(sql_type = sql_types::Nullable<sql_types::Text>)]
    lead_name: Option<String>,
    #[diesel(sql_type = sql_types::BigInt)]
    tickets: i64,
    #[diesel(sql_type = sql_types::Integer)]
    version: i32,
    #[diesel(sql_type = sql_types::Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = sql_types::Timestamptz)]
    updated_at: DateTime<Utc>,
}

impl ComponentRow {
    fn into_component(self) -> (Component, ProjectId) {
        let lead = match (self.lead_id, self.lead_login, self.lead_name) {
            (Some(id), Some(login), Some(name)) => Some(UserRef {
                id: UserId(id),
                login,
                name,
            }),
            _ => None,
        };
        (
            Component {
                id: ComponentId(self.id),
                project: self.project,
                name: self.name,
                description: self.description,
                lead,
                tickets: self.tickets,
                version: self.version,
                created_at: self.created_at,
                updated_at: self.updated_at,
            },
            ProjectId(self.project_id),
        )
    }
}

const SELECT: &str = "SELECT c.id, c.project_id, p.key AS project, c.name, c.description, \
        c.lead_id, u.login AS lead_login, u.name AS lead_name, \
        (SELECT count(*) FROM ticket_components tc JOIN tickets t \
            ON t.org_id = tc.org_id AND t.id = tc.ticket_id AND t.deleted_at IS NULL \
          WHERE tc.org_id = c.org_id AND tc.component_id = c.id) AS tickets, \
        c.version, c.created_at, c.updated_at \
   FROM components c \
   JOIN projects p ON p.org_id = c.org_id AND p.id = c.project_id \
   LEFT JOIN users u ON u.id = c.lead_id";

/// The project's components, by name.
pub(crate) async fn list(
    tx: &mut ScopedConn<'_>,
    project: ProjectId,
) -> QueryResult<Vec<Component>> {
    let rows: Vec<ComponentRow> = diesel::sql_query(format!(
        "{SELECT} WHERE c.org_id = $1 AND c.project_id = $2 ORDER BY lower(c.name), c.id"
    ))
    .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
    .bind::<sql_types::Uuid, _>(project.0)
    .load(tx.conn())
    .await?;
    Ok(rows.into_iter().map(|r| r.into_component().0).collect())
}

/// The component `id` and its project, or 404.
pub(crate) async fn find(
    tx: &mut ScopedConn<'_>,
    id: ComponentId,
) -> Result<(Component, ProjectId), ApiError> {
    let row: Option<ComponentRow> =
        diesel::sql_query(format!("{SELECT} WHERE c.org_id = $1 AND c.id = $2"))
            .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
            .bind::<sql_types::Uuid, _>(id.0)
            .get_result(tx.conn())
            .await
            .optional()?;
    row.map(ComponentRow::into_component)
        .ok_or_else(|| ApiError::not_found("component"))
}

/// The lead's user id: a member of the organization (422 on `lead` otherwise).
async fn lead_id(tx: &mut ScopedConn<'_>, login: Option<&str>) -> Result<Option<UserId>, ApiError> {
    let Some(login) = login else { return Ok(None) };
    crate::orgs::queries::find_member(tx, login)
        .await?
        .map(|(id, _)| Some(id))
        .ok_or_else(|| ApiError::validation("lead", format!("`{login}` is not a member")))
}

/// A name another component of the project already has (ignoring case) is a 409.
async fn name_free(
    tx: &mut ScopedConn<'_>,
    project: ProjectId,
    name: &str,
    except: Option<ComponentId>,
) -> Result<(), ApiError> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = sql_types::BigInt)]
        n: i64,
    }
    let taken = diesel::sql_query(
        "SELECT count(*) AS n FROM components \
         WHERE org_id = $1 AND project_id = $2 AND lower(name) = lower($3) AND id <> $4",
    )
    .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
    .bind::<sql_types::Uuid, _>(project.0)
    .bind::<sql_types::Text, _>(name)
    .bind::<sql_types::Uuid, _>(except.map_or(uuid::Uuid::nil(), |c| c.0))
    .get_result::<Count>(tx.conn())
    .await?
    .n;
    if taken > 0 {
        return Err(ApiError::conflict(
            "already-exists",
            format!("the project has a component named `{name}`"),
        )
        .with_field("name"));
    }
    Ok(())
}

pub(crate) async fn create(
    tx: &mut ScopedConn<'_>,
    project: ProjectId,
    change: ComponentChange,
) -> Result<Component, ApiError> {
    // A concurrent create of the same name fails on the unique index (also a 409).
    let name = change.name.unwrap_or_default();
    name_free(tx, project, &name, None).await?;
    let count: i64 = components::table
        .filter(components::org_id.eq(tx.scope().org_id()))
        .filter(components::project_id.eq(project))
        .count()
        .get_result(tx.conn())
        .await?;
    if count >= PER_PROJECT_MAX {
        return Err(ApiError::conflict(
            "limit-reached",
            format!("a project has at most {PER_PROJECT_MAX} components"),
        ));
    }
    let lead = lead_id(tx, change.lead.flatten().as_deref()).await?;
    let id = ComponentId::new();
    diesel::insert_into(components::table)
        .values((
            components::id.eq(id),
            components::org_id.eq(tx.scope().org_id()),
            components::project_id.eq(project),
            components::name.eq(&name),
            components::description.eq(change.description.unwrap_or_default()),
            components::lead_id.eq(lead),
        ))
        .execute(tx.conn())
        .await?;
    let (component, _) = find(tx, id).await?;
    audit::record(
        tx,
        "component.create",
        Entity::Component(id),
        None,
        Some(audit::to_json(&component)),
    )
    .await?;
    Ok(component)
}

pub(crate) async fn update(
    tx: &mut ScopedConn<'_>,
    before: Component,
    project: ProjectId,
    if_match: &IfMatch,
    change: ComponentChange,
) -> Result<Component, ApiError> {
    if_match.check(before.version)?;
    if let Some(name) = &change.name {
        name_free(tx, project, name, Some(before.id)).await?;
    }
    let lead = match &change.lead {
        Some(login) => lead_id(tx, login.as_deref()).await?,
        None => before.lead.as_ref().map(|l| l.id),
    };
    let (id, version) = (before.id, before.version);
    Change {
        action: "component.update",
        entity: Entity::Component(id),
        before: &before,
        version,
    }
    .update(
        tx,
        async |tx| {
            diesel::update(
                components::table
                    .filter(components::org_id.eq(tx.scope().org_id()))
                    .filter(components::id.eq(id))
                    .filter(components::version.eq(version)),
            )
            .set((
                components::name.eq(change.name.unwrap_or_else(|| before.name.clone())),
                components::description.eq(change
                    .description
                    .unwrap_or_else(|| before.description.clone())),
                components::lead_id.eq(lead),
                components::version.eq(components::version + 1),
                components::updated_at.eq(diesel::dsl::now),
            ))
            .execute(tx.conn())
            .await
        },
        async |tx| Ok(find(tx, id).await?.0),
    )
    .await
}

/// Deletes the component; its tickets simply leave it.
pub(crate) async fn delete(
    tx: &mut ScopedConn<'_>,
    before: Component,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    if_match.check(before.version)?;
    let (id, version) = (before.id, before.version);
    Change {
        action: "component.delete",
        entity: Entity::Component(id),
        before: &before,
        version,
    }
    .delete(tx, async |tx| {
        diesel::delete(
            components::table
                .filter(components::org_id.eq(tx.scope().org_id()))
                .filter(components::id.eq(id))
                .filter(components::version.eq(version)),
        )
        .execute(tx.conn())
        .await
    })
    .await
}

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = sql_types::Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = sql_types::Text)]
    name: String,
}

/// Makes `names` (case-insensitive) the ticket's components: each must be one of the
/// project's, else a 422 on `components[i]`.
pub(crate) async fn set_for_ticket(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    project: ProjectId,
    names: &[String],
) -> Result<(), ApiError> {
    let org = tx.scope().org_id();
    let lowered: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    let found: Vec<Named> = if lowered.is_empty() {
        Vec::new()
    } else {
        diesel::sql_query(
            "SELECT id, name FROM components \
             WHERE org_id = $1 AND project_id = $2 AND lower(name) = ANY($3)",
        )
        .bind::<sql_types::Uuid, _>(org.0)
        .bind::<sql_types::Uuid, _>(project.0)
        .bind::<sql_types::Array<sql_types::Text>, _>(&lowered)
        .load(tx.conn())
        .await?
    };
    if let Some((i, name)) = names.iter().enumerate().find(|(_, n)| {
        !found
            .iter()
            .any(|f| f.name.to_lowercase() == n.to_lowercase())
    }) {
        return Err(ApiError::validation(
            format!("components[{i}]"),
            format!("the project has no component `{name}`"),
        ));
    }
    diesel::delete(
        ticket_components::table
            .filter(ticket_components::org_id.eq(org))
            .filter(ticket_components::ticket_id.eq(ticket)),
    )
    .execute(tx.conn())
    .await?;
    let rows: Vec<_> = found
        .iter()
        .map(|c| {
            (
                ticket_components::org_id.eq(org),
                ticket_components::ticket_id.eq(ticket),
                ticket_components::component_id.eq(c.id),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(ticket_components::table)
            .values(rows)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}
