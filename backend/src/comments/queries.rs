//! Comment queries. All run inside an org-scoped transaction.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tenancy::{Permission, ScopedConn};

use super::{Comment, CommentId, CommentRow};
use crate::audit::{self, Change, Entity};
use crate::http::{ApiError, IfMatch};
use crate::schema::{comment_views, comments};
use crate::tickets::{TicketId, watching};

/// The comment `$id` of the organization in scope, if it is still at `$version`.
macro_rules! guarded {
    ($tx:expr, $id:expr, $version:expr) => {
        comments::table
            .filter(comments::org_id.eq($tx.scope().org_id()))
            .filter(comments::id.eq($id))
            .filter(comments::version.eq($version))
    };
}

async fn load(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    id: CommentId,
) -> Result<Comment, ApiError> {
    let row: Option<CommentRow> = comment_views::table
        .filter(comment_views::org_id.eq(tx.scope().org_id()))
        .filter(comment_views::id.eq(id))
        .filter(comment_views::ticket_id.eq(ticket))
        .filter(comment_views::deleted_at.is_null())
        .select(CommentRow::as_select())
        .first(tx.conn())
        .await
        .optional()?;
    row.map(Comment::from)
        .ok_or_else(|| ApiError::not_found("comment"))
}

pub(crate) async fn create(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    body: String,
) -> Result<Comment, ApiError> {
    let id = CommentId::new();
    let scope = tx.scope();
    diesel::insert_into(comments::table)
        .values((
            comments::id.eq(id),
            comments::org_id.eq(scope.org_id()),
            comments::ticket_id.eq(ticket),
            comments::author_id.eq(scope.user_id()),
            comments::body.eq(&body),
        ))
        .execute(tx.conn())
        .await?;
    let author = tx.scope().user_id();
    watching::watch(tx, ticket, &[author]).await?;
    watching::record_mentions(tx, ticket, Some(id), &body).await?;
    let comment = load(tx, ticket, id).await?;
    audit::record(
        tx,
        "comment.create",
        Entity::Comment(id),
        None,
        Some(audit::to_json(&comment)),
    )
    .await?;
    Ok(comment)
}

pub(super) async fn list(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    after: Option<CommentId>,
    limit: i64,
) -> Result<Vec<Comment>, ApiError> {
    // Ids are UUIDv7, so id order is creation order.
    let mut q = comment_views::table
        .filter(comment_views::org_id.eq(tx.scope().org_id()))
        .filter(comment_views::ticket_id.eq(ticket))
        .filter(comment_views::deleted_at.is_null())
        .select(CommentRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(comment_views::id.gt(after.0));
    }
    let rows: Vec<CommentRow> = q
        .order(comment_views::id.asc())
        .limit(limit + 1)
        .load(tx.conn())
        .await?;
    Ok(rows.into_iter().map(Comment::from).collect())
}

/// Loads a comment the caller may change: their own, or anyone's with moderation.
async fn load_for_change(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    id: CommentId,
    if_match: &IfMatch,
) -> Result<Comment, ApiError> {
    let comment = load(tx, ticket, id).await?;
    let scope = tx.scope();
    if comment.author.id != scope.user_id() && !scope.can(Permission::CommentsModerate) {
        return Err(ApiError::forbidden(
            "only the author or a moderator may change this comment",
        ));
    }
    if_match.check(comment.version)?;
    Ok(comment)
}

pub(super) async fn edit(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    id: CommentId,
    if_match: &IfMatch,
    body: String,
) -> Result<Comment, ApiError> {
    let before = load_for_change(tx, ticket, id, if_match).await?;
    let version = before.version;
    // Before the write: a 412 rolls it back with everything else.
    watching::record_mentions(tx, ticket, Some(id), &body).await?;
    Change {
        action: "comment.update",
        entity: Entity::Comment(id),
        before: &before,
        version,
    }
    .update(
        tx,
        async |tx| {
            diesel::update(guarded!(tx, id, version))
                .set((
                    comments::body.eq(body),
                    comments::version.eq(comments::version + 1),
                    comments::updated_at.eq(diesel::dsl::now),
                ))
                .execute(tx.conn())
                .await
        },
        async |tx| load(tx, ticket, id).await,
    )
    .await
}

pub(super) async fn delete(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    id: CommentId,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let before = load_for_change(tx, ticket, id, if_match).await?;
    let version = before.version;
    // A deleted comment mentions no one any more.
    watching::record_mentions(tx, ticket, Some(id), "").await?;
    Change {
        action: "comment.delete",
        entity: Entity::Comment(id),
        before: &before,
        version,
    }
    .delete(tx, async |tx| {
        diesel::update(guarded!(tx, id, version))
            .set((
                comments::deleted_at.eq(diesel::dsl::now),
                comments::version.eq(comments::version + 1),
            ))
            .execute(tx.conn())
            .await
    })
    .await
}
