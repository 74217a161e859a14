//! Link queries, inside an org-scoped transaction.

use actix_web::ResponseError;
use actix_web::http::StatusCode;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types;
use diesel_async::RunQueryDsl;
use serde_json::json;
use tenancy::ScopedConn;

use super::{Direction, LINKS_MAX, Link, LinkId, LinkType, LinkedTicket};
use crate::audit::{self, Entity};
use crate::http::ApiError;
use crate::projects::access;
use crate::schema::ticket_links;
use crate::tickets::{Priority, Ticket, TicketId, TicketType};
use crate::workflows::{Status, StatusCategory, StatusId};

#[derive(QueryableByName)]
struct LinkRow {
    #[diesel(sql_type = sql_types::Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = sql_types::Text)]
    link_type: String,
    #[diesel(sql_type = sql_types::Bool)]
    outward: bool,
    #[diesel(sql_type = sql_types::Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = sql_types::Uuid)]
    other_id: uuid::Uuid,
    #[diesel(sql_type = sql_types::Text)]
    key: String,
    #[diesel(sql_type = sql_types::Text)]
    title: String,
    #[diesel(sql_type = sql_types::Uuid)]
    status_id: uuid::Uuid,
    #[diesel(sql_type = sql_types::Text)]
    status_name: String,
    #[diesel(sql_type = sql_types::Text)]
    status_category: String,
    #[diesel(sql_type = sql_types::Text)]
    kind: String,
    #[diesel(sql_type = sql_types::SmallInt)]
    priority: i16,
}

impl LinkRow {
    fn into_link(self) -> (Link, TicketId) {
        let kind = LinkType::from_db(&self.link_type);
        let (direction, link) = if self.outward {
            (Direction::Outward, kind.outward())
        } else {
            (Direction::Inward, kind.inward())
        };
        (
            Link {
                id: LinkId(self.id),
                kind,
                direction,
                link,
                ticket: LinkedTicket {
                    key: self.key,
                    title: self.title,
                    status: Status {
                        id: StatusId(self.status_id),
                        name: self.status_name,
                        category: StatusCategory::from_db(&self.status_category),
                    },
                    kind: TicketType::from_db(&self.kind),
                    priority: Priority::from_db(self.priority),
                },
                created_at: self.created_at,
            },
            TicketId(self.other_id),
        )
    }
}

/// The links of `ticket` whose other end is live and visible to the caller, by type,
/// outward before inward, oldest first. `only` narrows to one link.
async fn load(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    only: Option<LinkId>,
) -> QueryResult<Vec<(Link, TicketId)>> {
    let hidden: Vec<uuid::Uuid> = tx.scope().hidden_projects().to_vec();
    let rows: Vec<LinkRow> = diesel::sql_query(
        "SELECT l.id, l.link_type, l.source_id = $2 AS outward, l.created_at, \
                o.id AS other_id, p.key || '-' || o.number AS key, o.title, \
                o.status_id, s.name AS status_name, s.category AS status_category, \
                o.type AS kind, o.priority \
           FROM ticket_links l \
           JOIN tickets o ON o.org_id = l.org_id \
                AND o.id = CASE WHEN l.source_id = $2 THEN l.target_id ELSE l.source_id END \
           JOIN projects p ON p.org_id = o.org_id AND p.id = o.project_id \
           JOIN statuses s ON s.org_id = o.org_id AND s.id = o.status_id \
          WHERE l.org_id = $1 AND (l.source_id = $2 OR l.target_id = $2) \
            AND ($3::uuid IS NULL OR l.id = $3) \
            AND o.deleted_at IS NULL AND o.project_id <> ALL($4) \
          ORDER BY l.link_type, l.source_id = $2 DESC, l.created_at, l.id",
    )
    .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
    .bind::<sql_types::Uuid, _>(ticket.0)
    .bind::<sql_types::Nullable<sql_types::Uuid>, _>(only.map(|l| l.0))
    .bind::<sql_types::Array<sql_types::Uuid>, _>(hidden)
    .load(tx.conn())
    .await?;
    Ok(rows.into_iter().map(LinkRow::into_link).collect())
}

pub(crate) async fn list(tx: &mut ScopedConn<'_>, ticket: TicketId) -> QueryResult<Vec<Link>> {
    Ok(load(tx, ticket, None)
        .await?
        .into_iter()
        .map(|(l, _)| l)
        .collect())
}

/// Links `from` (the path's ticket) and `other`: `from` is the source when `outward`.
/// A link that exists already (either way round for "relates to") is a 409.
pub(crate) async fn create(
    tx: &mut ScopedConn<'_>,
    from: &Ticket,
    other: &Ticket,
    kind: LinkType,
    outward: bool,
) -> Result<Link, ApiError> {
    if from.id == other.id {
        return Err(ApiError::validation(
            "ticket",
            "a ticket cannot link to itself",
        ));
    }
    let count: i64 = ticket_links::table
        .filter(ticket_links::org_id.eq(tx.scope().org_id()))
        .filter(
            ticket_links::source_id
                .eq(from.id)
                .or(ticket_links::target_id.eq(from.id)),
        )
        .count()
        .get_result(tx.conn())
        .await?;
    if count >= LINKS_MAX {
        return Err(ApiError::conflict(
            "limit-reached",
            format!("a ticket has at most {LINKS_MAX} links"),
        ));
    }
    let (source, target) = if outward {
        (from.id, other.id)
    } else {
        (other.id, from.id)
    };
    let id = LinkId::new();
    let scope = tx.scope();
    let inserted = diesel::insert_into(ticket_links::table)
        .values((
            ticket_links::id.eq(id),
            ticket_links::org_id.eq(scope.org_id()),
            ticket_links::source_id.eq(source),
            ticket_links::target_id.eq(target),
            ticket_links::link_type.eq(kind.as_str()),
            ticket_links::created_by.eq(scope.user_id()),
        ))
        .on_conflict_do_nothing()
        .execute(tx.conn())
        .await?;
    if inserted == 0 {
        return Err(ApiError::conflict(
            "already-exists",
            format!(
                "{} {} {} already",
                from.key,
                phrase(kind, outward),
                other.key
            ),
        ));
    }
    audit_both(tx, "ticket.link", from, other, kind, outward, false).await?;
    load(tx, from.id, Some(id))
        .await?
        .into_iter()
        .next()
        .map(|(l, _)| l)
        .ok_or_else(|| ApiError::internal("the new link cannot be read"))
}

/// Removes the link `id` of `from` (from either end). The other end may be hidden from
/// the caller or deleted; the link still goes.
pub(crate) async fn delete(
    tx: &mut ScopedConn<'_>,
    from: &Ticket,
    id: LinkId,
) -> Result<(), ApiError> {
    let row: Option<(uuid::Uuid, uuid::Uuid, String)> = diesel::delete(
        ticket_links::table
            .filter(ticket_links::org_id.eq(tx.scope().org_id()))
            .filter(ticket_links::id.eq(id))
            .filter(
                ticket_links::source_id
                    .eq(from.id)
                    .or(ticket_links::target_id.eq(from.id)),
            ),
    )
    .returning((
        ticket_links::source_id,
        ticket_links::target_id,
        ticket_links::link_type,
    ))
    .get_result(tx.conn())
    .await
    .optional()?;
    let Some((source, target, kind)) = row else {
        return Err(ApiError::not_found("link"));
    };
    let outward = source == from.id.0;
    let other_id = TicketId(if outward { target } else { source });
    let other = crate::tickets::queries::load(tx, other_id).await?;
    audit_both(
        tx,
        "ticket.unlink",
        from,
        &other,
        LinkType::from_db(&kind),
        outward,
        true,
    )
    .await?;
    Ok(())
}

fn phrase(kind: LinkType, outward: bool) -> &'static str {
    if outward {
        kind.outward()
    } else {
        kind.inward()
    }
}

/// One audit entry on each ticket, each in its own words (`link`: "blocks API-3" on one,
/// "is blocked by WEB-1" on the other), so both histories show the change.
async fn audit_both(
    tx: &mut ScopedConn<'_>,
    action: &'static str,
    from: &Ticket,
    other: &Ticket,
    kind: LinkType,
    outward: bool,
    removed: bool,
) -> QueryResult<()> {
    for (me, them, out) in [(from, other, outward), (other, from, !outward)] {
        let text = format!("{} {}", phrase(kind, out), them.key);
        let (before, after) = if removed {
            (json!({ "link": text }), json!({ "link": null }))
        } else {
            (json!({ "link": null }), json!({ "link": text }))
        };
        audit::record(tx, action, Entity::Ticket(me.id), Some(before), Some(after)).await?;
    }
    Ok(())
}

/// The other ticket of a new link: live, in this organization, visible to the caller
/// (a 422 on `ticket` otherwise: it is not the path's ticket that is missing).
pub(crate) async fn other_end(
    tx: &mut ScopedConn<'_>,
    key: &crate::tickets::TicketKey,
) -> Result<Ticket, ApiError> {
    let ticket = crate::tickets::queries::find(tx, key).await.map_err(|e| {
        if e.status_code() == StatusCode::NOT_FOUND {
            ApiError::validation(
                "ticket",
                format!("no ticket {}-{}", key.project, key.number),
            )
        } else {
            e
        }
    })?;
    access::visible(tx, ticket.project_id)
        .map_err(|_| ApiError::validation("ticket", "no such ticket"))?;
    Ok(ticket)
}
