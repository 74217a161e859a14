//! Row-level security and migrations, checked against a real PostgreSQL.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncMigrationHarness, RunQueryDsl};
use diesel_migrations::MigrationHarness;
use reqwest::Method;
use tenancy::DbConn;

use crate::test_support::{TestApp, TestDatabase};

fn tls() -> crate::db::DbTls {
    crate::db::DbTls::new(None).expect("tls")
}

#[derive(QueryableByName, Debug)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(conn: &mut DbConn, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .await
        .expect(sql)
        .n
}

async fn two_orgs_with_tickets(app: &TestApp) -> (tenancy::OrgScope, uuid::Uuid) {
    for slug in ["alpha", "beta"] {
        let org = app.org(slug).await;
        app.project(&org, "WEB").await;
        for i in 0..3 {
            app.ticket(&org, "WEB", &format!("{slug} {i}")).await;
        }
        let (status, _) = app
            .send_json(
                Method::POST,
                &org.owner_token,
                &format!("/api/v1/orgs/{slug}/tickets/WEB-1/comments"),
                serde_json::json!({ "body": "hi" }),
            )
            .await;
        assert_eq!(status, 201);
        let (status, _) = app
            .send_json(
                Method::POST,
                &org.owner_token,
                &format!("/api/v1/orgs/{slug}/invitations"),
                serde_json::json!({ "github_login": "invitee", "role": "member" }),
            )
            .await;
        assert_eq!(status, 201);
        app.attachment(&org, "WEB-1", "notes.txt", b"notes", "text/plain")
            .await;
    }
    let mut conn = app.conn().await;
    let owner: uuid::Uuid = crate::schema::users::table
        .filter(crate::schema::users::login.eq("alpha-owner"))
        .select(crate::schema::users::id)
        .first(&mut *conn)
        .await
        .expect("owner");
    let alpha = tenancy::authorize_user(&mut conn, tenancy::UserId(owner), "alpha")
        .await
        .expect("lookup")
        .expect("member");
    let beta_id: uuid::Uuid = {
        let mut owner_conn = DbConn::establish(&app.db.owner_url)
            .await
            .expect("owner conn");
        crate::schema::orgs::table
            .filter(crate::schema::orgs::slug.eq("beta"))
            .select(crate::schema::orgs::id)
            .first(&mut owner_conn)
            .await
            .expect("beta")
    };
    (alpha, beta_id)
}

const TENANT_TABLES: [&str; 22] = [
    "orgs",
    "memberships",
    "workflows",
    "statuses",
    "transitions",
    "projects",
    "tickets",
    "comments",
    "api_tokens",
    "audit_log",
    "ticket_views",
    "ticket_search",
    "saved_filters",
    "invitations",
    "sprints",
    "ticket_sprints",
    "sprint_scope_changes",
    "attachments",
    "worklogs",
    "idempotency_keys",
    "ticket_key_aliases",
    "ticket_import_keys",
];

#[tokio::test]
async fn unscoped_queries_through_the_app_role_see_no_tenant_rows() {
    let app = TestApp::start().await;
    two_orgs_with_tickets(&app).await;
    let mut conn = app.conn().await;
    for table in TENANT_TABLES {
        // Deliberately no org filter and no scope: RLS must hide every row.
        assert_eq!(
            count(&mut conn, &format!("SELECT count(*) AS n FROM {table}")).await,
            0,
            "{table}"
        );
    }
    // The rows are there: the owner role (a superuser here) sees both orgs.
    let mut owner = DbConn::establish(&app.db.owner_url).await.expect("owner");
    assert_eq!(
        count(&mut owner, "SELECT count(*) AS n FROM tickets").await,
        6
    );
    assert_eq!(
        count(&mut owner, "SELECT count(*) AS n FROM invitations").await,
        2
    );
    assert_eq!(
        count(&mut owner, "SELECT count(*) AS n FROM attachments").await,
        2
    );
}

#[tokio::test]
async fn a_scoped_transaction_sees_only_its_org_even_when_asking_for_another() {
    let app = TestApp::start().await;
    let (alpha, beta) = two_orgs_with_tickets(&app).await;
    let mut conn = app.conn().await;
    let (own, foreign, inserted) = alpha
        .transaction(&mut conn, async |tx| {
            let own = count(tx.conn(), "SELECT count(*) AS n FROM tickets").await;
            let foreign: i64 =
                diesel::sql_query("SELECT count(*) AS n FROM tickets WHERE org_id = $1")
                    .bind::<SqlUuid, _>(beta)
                    .get_result::<Count>(tx.conn())
                    .await?
                    .n;
            // Writing a row into another org is refused by the policy's WITH CHECK.
            let inserted =
                diesel::sql_query("INSERT INTO workflows (id, org_id, name) VALUES ($1, $2, 'x')")
                    .bind::<SqlUuid, _>(uuid::Uuid::now_v7())
                    .bind::<SqlUuid, _>(beta)
                    .execute(tx.conn())
                    .await;
            Ok::<_, diesel::result::Error>((own, foreign, inserted.is_ok()))
        })
        .await
        .expect("transaction");
    assert_eq!(own, 3);
    assert_eq!(foreign, 0);
    assert!(!inserted, "cross-tenant insert succeeded");
    // The setting was transaction-local: the pooled connection is unscoped again.
    assert_eq!(
        count(&mut conn, "SELECT count(*) AS n FROM tickets").await,
        0
    );
}

#[tokio::test]
async fn the_app_refuses_a_role_that_bypasses_row_level_security() {
    let db = TestDatabase::create().await;
    let pool = crate::db::connect_pool(&db.owner_url, 1, &tls())
        .await
        .expect("pool");
    let err = crate::db::ensure_confined_role(&pool)
        .await
        .expect_err("superuser accepted");
    assert!(
        err.to_string().contains("bypasses row-level security"),
        "{err}"
    );
    let pool = crate::db::connect_pool(&db.app_url, 1, &tls())
        .await
        .expect("pool");
    crate::db::ensure_confined_role(&pool)
        .await
        .expect("app role accepted");
}

#[derive(QueryableByName, Debug, PartialEq)]
struct CatalogRow {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Tables, columns, indexes, policies, functions and grants of the public schema.
async fn catalog(conn: &mut DbConn) -> Vec<String> {
    diesel::sql_query(
        "SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable AS line
           FROM information_schema.columns WHERE table_schema = 'public'
         UNION ALL SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
         UNION ALL SELECT 'policy ' || tablename || ' ' || policyname || ' ' || coalesce(qual, '') FROM pg_policies
         UNION ALL SELECT 'rls ' || relname || ' ' || relrowsecurity || ' ' || relforcerowsecurity
           FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
         UNION ALL SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace
         UNION ALL SELECT 'grant ' || table_name || ' ' || privilege_type FROM information_schema.role_table_grants
           WHERE grantee = 'trellis_app'
         ORDER BY 1",
    )
    .load::<CatalogRow>(conn)
    .await
    .expect("catalog")
    .into_iter()
    .map(|r| r.line)
    .collect()
}

#[tokio::test]
async fn every_migration_reverts_cleanly_and_reapplies_identically() {
    let db = TestDatabase::empty().await;
    crate::db::migrate(&db.owner_url, &tls()).await.expect("up");
    let mut conn = DbConn::establish(&db.owner_url).await.expect("conn");
    let first = catalog(&mut conn).await;
    assert!(
        first.iter().any(|l| l == "rls tickets true true"),
        "{first:?}"
    );

    let url = db.owner_url.clone();
    let after_revert = tokio::task::spawn_blocking(move || {
        let rt = tokio::runtime::Handle::current();
        let conn = rt.block_on(DbConn::establish(&url)).expect("conn");
        let mut harness = AsyncMigrationHarness::new(conn);
        harness
            .revert_all_migrations(crate::db::MIGRATIONS)
            .expect("down");
    })
    .await;
    after_revert.expect("revert");
    let reverted = catalog(&mut conn).await;
    let leftovers: Vec<_> = reverted
        .iter()
        .filter(|l| !l.contains("__diesel_schema_migrations"))
        .collect();
    assert!(leftovers.is_empty(), "down left behind: {leftovers:?}");

    crate::db::migrate(&db.owner_url, &tls())
        .await
        .expect("up again");
    assert_eq!(catalog(&mut conn).await, first);
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    on: bool,
}

#[tokio::test]
async fn sslmode_require_encrypts_or_refuses_never_silently_plaintext() {
    let db = TestDatabase::create().await;
    let mut plain = DbConn::establish(&db.owner_url).await.expect("plain");
    let server_ssl: Flag = diesel::sql_query("SELECT current_setting('ssl') = 'on' AS on")
        .get_result(&mut plain)
        .await
        .expect("ssl setting");
    let url = format!("{}?sslmode=require", db.app_url);
    let result = crate::db::connect(&url, &tls()).await;
    if server_ssl.on {
        let mut conn = result.expect("TLS connection");
        let encrypted: Flag =
            diesel::sql_query("SELECT ssl AS on FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                .get_result(&mut conn)
                .await
                .expect("pg_stat_ssl");
        assert!(encrypted.on, "sslmode=require connected without TLS");
    } else {
        assert!(
            result.is_err(),
            "sslmode=require connected to a server without TLS"
        );
    }
}

#[test]
fn a_ca_file_without_certificates_is_a_configuration_error() {
    let dir = std::env::temp_dir().join(format!("trellis-ca-{}", uuid::Uuid::now_v7().simple()));
    std::fs::write(&dir, "not a certificate\n").expect("write");
    let err = crate::db::DbTls::new(Some(&dir))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let _ = std::fs::remove_file(&dir);
    assert!(err.contains("TRELLIS_DATABASE_CA_FILE"), "{err}");
}
