//! PostgreSQL: the application pool, migrations, and the checks that keep the
//! application role unable to bypass row-level security.

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, bb8::Pool};
use diesel_async::{AsyncConnection, AsyncMigrationHarness, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use tenancy::{DbConn, DbPool};

/// The migrations, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The role the application serves as. It owns no table, so row-level security applies.
pub const APP_ROLE: &str = "trellis_app";

/// Opens the application pool. Connections are not pinged on checkout: a broken one is
/// detected by the failed query and dropped, which saves a round trip per request.
pub async fn connect_pool(url: &str, size: u32) -> anyhow::Result<DbPool> {
    let manager = AsyncDieselConnectionManager::<DbConn>::new(url);
    let pool = Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(5))
        .build(manager)
        .await?;
    Ok(pool)
}

/// A pool that opens connections on first use, on the runtime that first asks: each
/// HTTP worker builds its own, so connections live on the worker's thread.
pub fn lazy_pool(url: &str, size: u32) -> DbPool {
    let manager = AsyncDieselConnectionManager::<DbConn>::new(url);
    Pool::builder()
        .max_size(size.max(1))
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(5))
        .build_unchecked(manager)
}

/// Runs pending migrations as the owner role and returns how many ran.
pub async fn migrate(owner_url: &str) -> anyhow::Result<usize> {
    let conn = DbConn::establish(owner_url).await?;
    // The harness drives the async connection through a blocking wrapper.
    let applied = tokio::task::spawn_blocking(move || {
        let mut harness = AsyncMigrationHarness::new(conn);
        harness
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.len())
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"))
    })
    .await??;
    Ok(applied)
}

#[derive(QueryableByName)]
struct RoleCheck {
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(sql_type = Bool)]
    bypasses_rls: bool,
}

/// Refuses to serve through a role that row-level security would not confine: a
/// superuser or a role with BYPASSRLS would turn one missing filter into a leak.
pub async fn ensure_confined_role(pool: &DbPool) -> anyhow::Result<()> {
    let mut conn = pool.get().await?;
    let check: RoleCheck = diesel::sql_query(
        "SELECT current_user::text AS role, (rolsuper OR rolbypassrls) AS bypasses_rls \
         FROM pg_roles WHERE rolname = current_user",
    )
    .get_result(&mut *conn)
    .await?;
    if check.bypasses_rls {
        anyhow::bail!(
            "DATABASE_URL connects as `{}`, which bypasses row-level security; \
             connect as `{APP_ROLE}` (or another role without SUPERUSER/BYPASSRLS) \
             and put the owner in DATABASE_OWNER_URL",
            check.role
        );
    }
    Ok(())
}

/// Whether PostgreSQL answers through the pool (for `/readyz`).
pub async fn ping(pool: &DbPool) -> bool {
    let Ok(mut conn) = pool.get().await else {
        return false;
    };
    diesel::sql_query("SELECT 1")
        .execute(&mut *conn)
        .await
        .is_ok()
}

#[cfg(test)]
mod tests;
