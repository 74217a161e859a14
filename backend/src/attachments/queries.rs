//! Attachment queries. All run inside an org-scoped transaction; the storage calls
//! they lead to happen outside it (see `routes`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tenancy::ScopedConn;

use super::storage::{CONFIRM_GRACE, UPLOAD_TTL};
use super::{Attachment, AttachmentId, AttachmentState, UploadRequest};
use crate::audit::{self, Entity};
use crate::http::ApiError;
use crate::ids::TicketId;
use crate::refs::UserRef;
use crate::schema::{attachments, users};

#[derive(Queryable)]
struct Row {
    id: AttachmentId,
    ticket_id: TicketId,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    object_key: String,
    state: String,
    confirm_by: DateTime<Utc>,
    created_at: DateTime<Utc>,
    confirmed_at: Option<DateTime<Utc>>,
    uploader: (tenancy::UserId, String, String),
}

macro_rules! columns {
    () => {
        (
            attachments::id,
            attachments::ticket_id,
            attachments::file_name,
            attachments::content_type,
            attachments::size_bytes,
            attachments::object_key,
            attachments::state,
            attachments::confirm_by,
            attachments::created_at,
            attachments::confirmed_at,
            (users::id, users::login, users::name),
        )
    };
}

impl From<Row> for Attachment {
    fn from(r: Row) -> Self {
        let (id, login, name) = r.uploader;
        Attachment {
            id: r.id,
            ticket_id: r.ticket_id,
            file_name: r.file_name,
            size: u64::try_from(r.size_bytes).unwrap_or(0),
            content_type: r.content_type,
            state: AttachmentState::from_db(&r.state),
            uploaded_by: UserRef { id, login, name },
            created_at: r.created_at,
            confirmed_at: r.confirmed_at,
            confirm_by: r.confirm_by,
            object_key: r.object_key,
        }
    }
}

/// The ticket's attachment `id` in one of `states`.
pub(crate) async fn find(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    id: AttachmentId,
    states: &[AttachmentState],
) -> Result<Attachment, ApiError> {
    let states: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
    let row: Option<Row> = attachments::table
        .inner_join(users::table)
        .filter(attachments::org_id.eq(tx.scope().org_id()))
        .filter(attachments::ticket_id.eq(ticket))
        .filter(attachments::id.eq(id))
        .filter(attachments::state.eq_any(states))
        .select(columns!())
        .first(tx.conn())
        .await
        .optional()?;
    row.map(Attachment::from)
        .ok_or_else(|| ApiError::not_found("attachment"))
}

/// Creates a pending attachment of `request` under `key`, audited as
/// `attachment.upload`. The caller has checked the storage entitlement in this
/// transaction.
pub(crate) async fn create_pending(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    id: AttachmentId,
    key: &str,
    request: &UploadRequest,
) -> Result<Attachment, ApiError> {
    let confirm_by =
        Utc::now() + chrono::Duration::from_std(UPLOAD_TTL + CONFIRM_GRACE).unwrap_or_default();
    let scope = tx.scope();
    diesel::insert_into(attachments::table)
        .values((
            attachments::id.eq(id),
            attachments::org_id.eq(scope.org_id()),
            attachments::ticket_id.eq(ticket),
            attachments::uploader_id.eq(scope.user_id()),
            attachments::file_name.eq(&request.file_name),
            attachments::content_type.eq(&request.content_type),
            attachments::size_bytes.eq(i64::try_from(request.size).unwrap_or(i64::MAX)),
            attachments::object_key.eq(key),
            attachments::confirm_by.eq(confirm_by),
        ))
        .execute(tx.conn())
        .await?;
    let attachment = find(tx, ticket, id, &[AttachmentState::Pending]).await?;
    audit::record(
        tx,
        "attachment.upload",
        Entity::Attachment(id),
        None,
        Some(audit::to_json(&attachment)),
    )
    .await?;
    Ok(attachment)
}

/// Pending uploads of the organization whose time to confirm is over become deleted
/// (no longer holding storage); the janitor removes whatever was uploaded.
pub(crate) async fn expire_pending(tx: &mut ScopedConn<'_>) -> QueryResult<usize> {
    diesel::update(
        attachments::table
            .filter(attachments::org_id.eq(tx.scope().org_id()))
            .filter(attachments::state.eq(AttachmentState::Pending.as_str()))
            .filter(attachments::confirm_by.le(diesel::dsl::now)),
    )
    .set((
        attachments::state.eq(AttachmentState::Deleted.as_str()),
        attachments::deleted_at.eq(diesel::dsl::now),
        attachments::next_removal_at.eq(diesel::dsl::now),
    ))
    .execute(tx.conn())
    .await
}

/// Marks the pending attachment confirmed (audited as `attachment.confirm`). A second
/// confirmation answers the confirmed attachment again and audits nothing.
pub(crate) async fn confirm(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    id: AttachmentId,
) -> Result<Attachment, ApiError> {
    let before = find(
        tx,
        ticket,
        id,
        &[AttachmentState::Pending, AttachmentState::Confirmed],
    )
    .await?;
    if before.state == AttachmentState::Confirmed {
        return Ok(before);
    }
    let updated = diesel::update(
        attachments::table
            .filter(attachments::org_id.eq(tx.scope().org_id()))
            .filter(attachments::id.eq(id))
            .filter(attachments::state.eq(AttachmentState::Pending.as_str())),
    )
    .set((
        attachments::state.eq(AttachmentState::Confirmed.as_str()),
        attachments::confirmed_at.eq(diesel::dsl::now),
    ))
    .execute(tx.conn())
    .await?;
    let after = find(tx, ticket, id, &[AttachmentState::Confirmed]).await?;
    if updated == 1 {
        audit::record(
            tx,
            "attachment.confirm",
            Entity::Attachment(id),
            Some(audit::to_json(&before)),
            Some(audit::to_json(&after)),
        )
        .await?;
    }
    Ok(after)
}

/// Deletes the attachment (confirmed: `attachment.delete`; a pending upload:
/// `attachment.cancel`). Its object is due for removal from now on; the caller tries
/// at once, and the janitor retries after `retry_after`.
pub(crate) async fn delete(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    id: AttachmentId,
    retry_after: std::time::Duration,
) -> Result<Attachment, ApiError> {
    let before = find(
        tx,
        ticket,
        id,
        &[AttachmentState::Pending, AttachmentState::Confirmed],
    )
    .await?;
    let retry_at = Utc::now() + chrono::Duration::from_std(retry_after).unwrap_or_default();
    let updated = diesel::update(
        attachments::table
            .filter(attachments::org_id.eq(tx.scope().org_id()))
            .filter(attachments::id.eq(id))
            .filter(attachments::state.eq(before.state.as_str())),
    )
    .set((
        attachments::state.eq(AttachmentState::Deleted.as_str()),
        attachments::deleted_at.eq(diesel::dsl::now),
        attachments::next_removal_at.eq(retry_at),
    ))
    .execute(tx.conn())
    .await?;
    if updated == 0 {
        // A concurrent delete or confirmation won; as if it had come first.
        return Err(ApiError::not_found("attachment"));
    }
    let action = match before.state {
        AttachmentState::Confirmed => "attachment.delete",
        _ => "attachment.cancel",
    };
    audit::record(
        tx,
        action,
        Entity::Attachment(id),
        Some(audit::to_json(&before)),
        None,
    )
    .await?;
    Ok(before)
}

/// A page of the ticket's confirmed attachments, oldest first, after `after`.
pub(crate) async fn list(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    after: Option<AttachmentId>,
    limit: i64,
) -> Result<Vec<Attachment>, ApiError> {
    let mut q = attachments::table
        .inner_join(users::table)
        .filter(attachments::org_id.eq(tx.scope().org_id()))
        .filter(attachments::ticket_id.eq(ticket))
        .filter(attachments::state.eq(AttachmentState::Confirmed.as_str()))
        .select(columns!())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(attachments::id.gt(after));
    }
    let rows: Vec<Row> = q
        .order(attachments::id.asc())
        .limit(limit + 1)
        .load(tx.conn())
        .await?;
    Ok(rows.into_iter().map(Attachment::from).collect())
}

/// Records that a deleted attachment's object is gone from storage.
pub(crate) async fn object_removed(tx: &mut ScopedConn<'_>, id: AttachmentId) -> QueryResult<()> {
    diesel::update(
        attachments::table
            .filter(attachments::org_id.eq(tx.scope().org_id()))
            .filter(attachments::id.eq(id))
            .filter(attachments::state.eq(AttachmentState::Deleted.as_str())),
    )
    .set((
        attachments::object_removed_at.eq(diesel::dsl::now),
        attachments::next_removal_at.eq(None::<DateTime<Utc>>),
        attachments::removal_error.eq(None::<String>),
    ))
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Records a failed removal and when to try again: 1, 2, 4 ... minutes after each
/// failure, at most six hours apart.
pub(crate) async fn removal_failed(
    tx: &mut ScopedConn<'_>,
    id: AttachmentId,
    error: &str,
) -> QueryResult<()> {
    let attempts: i32 = attachments::table
        .filter(attachments::org_id.eq(tx.scope().org_id()))
        .filter(attachments::id.eq(id))
        .select(attachments::removal_attempts)
        .first(tx.conn())
        .await?;
    let delay_minutes = 1i64 << attempts.clamp(0, 9);
    let next = Utc::now() + chrono::Duration::minutes(delay_minutes.min(360));
    let error: String = error.chars().take(500).collect();
    diesel::update(
        attachments::table
            .filter(attachments::org_id.eq(tx.scope().org_id()))
            .filter(attachments::id.eq(id))
            .filter(attachments::state.eq(AttachmentState::Deleted.as_str())),
    )
    .set((
        attachments::removal_attempts.eq(attachments::removal_attempts + 1),
        attachments::next_removal_at.eq(next),
        attachments::removal_error.eq(error),
    ))
    .execute(tx.conn())
    .await?;
    Ok(())
}
