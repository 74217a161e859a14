//! The `saved_filters` rows the caller may see: their own and the shared ones.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tenancy::ScopedConn;

use super::{FilterId, SavedFilter};
use crate::audit::{self, Change, Entity};
use crate::http::{ApiError, IfMatch};
use crate::schema::saved_filters;

/// Filters the caller may see: their own and the shared ones.
fn visible(tx: &ScopedConn<'_>) -> saved_filters::BoxedQuery<'static, diesel::pg::Pg> {
    let scope = tx.scope();
    saved_filters::table
        .filter(saved_filters::org_id.eq(scope.org_id()))
        .filter(
            saved_filters::owner_id
                .eq(scope.user_id())
                .or(saved_filters::shared.eq(true)),
        )
        .into_boxed()
}

pub(crate) async fn find(tx: &mut ScopedConn<'_>, id: FilterId) -> Result<SavedFilter, ApiError> {
    visible(tx)
        .filter(saved_filters::id.eq(id))
        .select(SavedFilter::as_select())
        .first(tx.conn())
        .await
        .optional()?
        .ok_or_else(|| ApiError::not_found("filter"))
}

/// Loads a filter its owner is about to change; others (even admins) get 403 on a
/// shared filter and 404 on a private one.
pub(crate) async fn find_own(
    tx: &mut ScopedConn<'_>,
    id: FilterId,
    if_match: &IfMatch,
) -> Result<SavedFilter, ApiError> {
    let filter = find(tx, id).await?;
    if filter.owner_id != tx.scope().user_id() {
        return Err(ApiError::forbidden(
            "only the owner may change a saved filter",
        ));
    }
    if_match.check(filter.version)?;
    Ok(filter)
}

/// Inserts a filter owned by the caller.
pub(crate) async fn insert(
    tx: &mut ScopedConn<'_>,
    name: &str,
    jql: &str,
    shared: bool,
) -> Result<SavedFilter, ApiError> {
    let scope = tx.scope();
    let filter: SavedFilter = diesel::insert_into(saved_filters::table)
        .values((
            saved_filters::id.eq(FilterId::new()),
            saved_filters::org_id.eq(scope.org_id()),
            saved_filters::owner_id.eq(scope.user_id()),
            saved_filters::name.eq(name),
            saved_filters::jql.eq(jql),
            saved_filters::shared.eq(shared),
        ))
        .returning(SavedFilter::as_returning())
        .get_result(tx.conn())
        .await
        .map_err(|e| {
            ApiError::unique_as(
                e,
                ApiError::conflict(
                    "filter-name-taken",
                    "you already have a filter with this name",
                )
                .with_field("name"),
            )
        })?;
    audit::record(
        tx,
        "filter.create",
        Entity::Filter(filter.id),
        None,
        Some(audit::to_json(&filter)),
    )
    .await?;
    Ok(filter)
}

/// One page of visible filters by name, after `(name, id)`.
pub(crate) async fn list(
    tx: &mut ScopedConn<'_>,
    after: Option<(String, FilterId)>,
    limit: i64,
) -> QueryResult<Vec<SavedFilter>> {
    let mut q = visible(tx);
    if let Some((name, id)) = after {
        q = q.filter(
            saved_filters::name
                .gt(name.clone())
                .or(saved_filters::name.eq(name).and(saved_filters::id.gt(id))),
        );
    }
    q.order((saved_filters::name.asc(), saved_filters::id.asc()))
        .limit(limit + 1)
        .select(SavedFilter::as_select())
        .load(tx.conn())
        .await
}

/// The fields a `PATCH` may change (`None`: keep).
pub(crate) struct FilterChange {
    pub name: Option<String>,
    pub jql: Option<String>,
    pub shared: Option<bool>,
}

/// Applies `change` to a filter read at its version.
pub(crate) async fn update(
    tx: &mut ScopedConn<'_>,
    before: &SavedFilter,
    change: FilterChange,
) -> Result<SavedFilter, ApiError> {
    let (id, version) = (before.id, before.version);
    Change {
        action: "filter.update",
        entity: Entity::Filter(id),
        before,
        version,
    }
    .update_returning(tx, async |tx| {
        diesel::update(
            saved_filters::table
                .filter(saved_filters::org_id.eq(tx.scope().org_id()))
                .filter(saved_filters::id.eq(id))
                .filter(saved_filters::version.eq(version)),
        )
        .set((
            saved_filters::name.eq(change.name.unwrap_or_else(|| before.name.clone())),
            saved_filters::jql.eq(change.jql.unwrap_or_else(|| before.jql.clone())),
            saved_filters::shared.eq(change.shared.unwrap_or(before.shared)),
            saved_filters::version.eq(saved_filters::version + 1),
            saved_filters::updated_at.eq(diesel::dsl::now),
        ))
        .returning(SavedFilter::as_returning())
        .get_result(tx.conn())
        .await
        .optional()
    })
    .await
}

/// Deletes a filter (saved filters are not kept once deleted).
pub(crate) async fn delete(tx: &mut ScopedConn<'_>, before: &SavedFilter) -> Result<(), ApiError> {
    diesel::delete(
        saved_filters::table
            .filter(saved_filters::org_id.eq(tx.scope().org_id()))
            .filter(saved_filters::id.eq(before.id)),
    )
    .execute(tx.conn())
    .await?;
    audit::record(
        tx,
        "filter.delete",
        Entity::Filter(before.id),
        Some(audit::to_json(before)),
        None,
    )
    .await?;
    Ok(())
}
