//! The names autocomplete offers, from the organization in scope.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tenancy::ScopedConn;

use crate::projects::ProjectId;
use crate::schema::{memberships, projects, statuses, tickets, users};

/// Status names matching the `ILIKE` `pattern`, by name.
pub(crate) async fn status_names(
    tx: &mut ScopedConn<'_>,
    pattern: &str,
    limit: i64,
) -> QueryResult<Vec<String>> {
    statuses::table
        .filter(statuses::org_id.eq(tx.scope().org_id()))
        .filter(statuses::name.ilike(pattern))
        .select(statuses::name)
        .distinct()
        .order(statuses::name.asc())
        .limit(limit)
        .load(tx.conn())
        .await
}

/// Keys of the projects whose key or name matches `pattern`, but the `hidden` ones.
pub(crate) async fn project_keys(
    tx: &mut ScopedConn<'_>,
    pattern: &str,
    hidden: &[ProjectId],
    limit: i64,
) -> QueryResult<Vec<String>> {
    projects::table
        .filter(projects::org_id.eq(tx.scope().org_id()))
        .filter(
            projects::key
                .ilike(pattern)
                .or(projects::name.ilike(pattern)),
        )
        .filter(projects::id.ne_all(hidden))
        .select(projects::key)
        .order(projects::key.asc())
        .limit(limit)
        .load(tx.conn())
        .await
}

/// Logins of the members matching `pattern`, by login.
pub(crate) async fn member_logins(
    tx: &mut ScopedConn<'_>,
    pattern: &str,
    limit: i64,
) -> QueryResult<Vec<String>> {
    memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(tx.scope().org_id()))
        .filter(users::login.ilike(pattern))
        .select(users::login)
        .order(users::login.asc())
        .limit(limit)
        .load(tx.conn())
        .await
}

/// The labels of the 1,000 newest tickets outside the `hidden` projects: cheap at any
/// size, and the ones people are using now (one list a ticket).
pub(crate) async fn recent_labels(
    tx: &mut ScopedConn<'_>,
    hidden: &[ProjectId],
) -> QueryResult<Vec<String>> {
    let recent: Vec<Vec<String>> = tickets::table
        .filter(tickets::org_id.eq(tx.scope().org_id()))
        .filter(tickets::deleted_at.is_null())
        .filter(tickets::project_id.ne_all(hidden))
        .order(tickets::created_at.desc())
        .limit(1000)
        .select(tickets::labels)
        .load(tx.conn())
        .await?;
    Ok(recent.into_iter().flatten().collect())
}

/// Values of the options of custom field `number` matching `pattern`, in option order.
pub(crate) async fn option_values(
    tx: &mut ScopedConn<'_>,
    number: u32,
    pattern: &str,
    limit: i64,
) -> QueryResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT o.value FROM custom_field_options o \
           JOIN custom_fields f ON f.org_id = o.org_id AND f.id = o.field_id \
          WHERE o.org_id = $1 AND f.number = $2 AND o.value ILIKE $3 \
          ORDER BY o.position LIMIT $4",
    )
    .bind::<diesel::sql_types::Uuid, _>(tx.scope().org_id().0)
    .bind::<diesel::sql_types::Integer, _>(i32::try_from(number).unwrap_or(-1))
    .bind::<diesel::sql_types::Text, _>(pattern)
    .bind::<diesel::sql_types::BigInt, _>(limit)
    .load(tx.conn())
    .await?;
    Ok(rows.into_iter().map(|r| r.value).collect())
}
