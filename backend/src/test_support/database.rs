//! One PostgreSQL database per test, cloned from a migrated template
//! (`CREATE DATABASE ... TEMPLATE`, a fraction of a second), dropped afterwards.
//!
//! nextest runs each test in its own process, so the template is built once under an
//! advisory lock and named after a hash of the migrations: a changed migration gets a
//! new template, and test runs from different checkouts can share the database server.

use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use tenancy::DbConn;

use crate::db::APP_ROLE;

/// The maintenance URL tests connect to (`TRELLIS_TEST_DATABASE_URL`), as a superuser.
pub fn admin_url() -> String {
    std::env::var("TRELLIS_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn with_database(url: &str, database: &str, user: Option<&str>) -> String {
    let (head, _) = url.rsplit_once('/').expect("URL with a database");
    let head = match user {
        // postgres://USER@HOST:PORT -> postgres://APP@HOST:PORT
        Some(user) => match head
            .split_once("://")
            .and_then(|(s, rest)| rest.split_once('@').map(|(_, h)| (s, h)))
        {
            Some((scheme, host)) => format!("{scheme}://{user}@{host}"),
            None => head.to_owned(),
        },
        None => head.to_owned(),
    };
    format!("{head}/{database}")
}

fn template_name() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    let mut hash = Sha256::new();
    for file in files {
        // Relative names: two checkouts with the same migrations share one template.
        let name = file.strip_prefix(&dir).unwrap_or(&file);
        hash.update(name.to_string_lossy().as_bytes());
        hash.update(std::fs::read(&file).expect("read migration"));
    }
    format!("trellis_tpl_{}", &hex::encode(hash.finalize())[..16])
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("migrations dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    datname: String,
}

async fn databases_like(conn: &mut DbConn, pattern: &str) -> Vec<String> {
    diesel::sql_query("SELECT datname::text FROM pg_database WHERE datname LIKE $1")
        .bind::<Text, _>(pattern)
        .load::<Name>(conn)
        .await
        .expect("list databases")
        .into_iter()
        .map(|n| n.datname)
        .collect()
}

async fn ensure_template(admin: &str, template: &str) {
    let mut conn = DbConn::establish(admin).await.expect(
        "PostgreSQL for tests: set TRELLIS_TEST_DATABASE_URL or run ./scripts/test, which starts one",
    );
    const LOCK: i64 = 0x7472_656c_6c69; // "trelli"
    diesel::sql_query("SELECT pg_advisory_lock($1)")
        .bind::<BigInt, _>(LOCK)
        .execute(&mut conn)
        .await
        .expect("lock");
    if databases_like(&mut conn, template).await.is_empty() {
        // Templates of other migration sets are left alone: another checkout's test run
        // may be cloning them right now. They are small; drop them by hand if they pile
        // up (`DROP DATABASE trellis_tpl_...`).
        let building = format!("{template}_building");
        diesel::sql_query(format!(
            "DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"
        ))
        .execute(&mut conn)
        .await
        .expect("drop half-built template");
        diesel::sql_query(format!("CREATE DATABASE \"{building}\""))
            .execute(&mut conn)
            .await
            .expect("create template");
        crate::db::migrate(
            &with_database(admin, &building, None),
            &crate::db::DbTls::new(None).expect("tls"),
        )
        .await
        .expect("migrate template");
        diesel::sql_query(format!("ALTER ROLE {APP_ROLE} LOGIN"))
            .execute(&mut conn)
            .await
            .expect("app role login");
        // Published by rename, so a crash mid-migration never leaves a bad template.
        diesel::sql_query(format!(
            "ALTER DATABASE \"{building}\" RENAME TO \"{template}\""
        ))
        .execute(&mut conn)
        .await
        .expect("publish template");
    }
    diesel::sql_query("SELECT pg_advisory_unlock($1)")
        .bind::<BigInt, _>(LOCK)
        .execute(&mut conn)
        .await
        .expect("unlock");
}

/// A database of our own for one test.
pub struct TestDatabase {
    name: String,
    admin: String,
    /// As the application role (`trellis_app`): row-level security applies.
    pub app_url: String,
    /// As the superuser that owns the schema (for setup and inspection only).
    pub owner_url: String,
}

impl TestDatabase {
    /// Clones the migrated template into a new database.
    pub async fn create() -> Self {
        let admin = admin_url();
        let template = template_name();
        ensure_template(&admin, &template).await;
        let name = format!("trellis_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn = DbConn::establish(&admin).await.expect("admin connection");
        diesel::sql_query(format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
        ))
        .execute(&mut conn)
        .await
        .expect("clone template");
        TestDatabase {
            app_url: with_database(&admin, &name, Some(APP_ROLE)),
            owner_url: with_database(&admin, &name, None),
            name,
            admin,
        }
    }

    /// An empty database (no migrations), for migration tests.
    pub async fn empty() -> Self {
        let admin = admin_url();
        let name = format!("trellis_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn = DbConn::establish(&admin).await.expect("admin connection");
        diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .expect("create database");
        TestDatabase {
            app_url: with_database(&admin, &name, Some(APP_ROLE)),
            owner_url: with_database(&admin, &name, None),
            name,
            admin,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin = self.admin.clone();
        let name = self.name.clone();
        // Drop runs outside any usable async context: use a thread with its own runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let mut conn = DbConn::establish(&admin).await.ok()?;
                diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut conn)
                    .await
                    .ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("warning: test database {} was not dropped", self.name);
        }
    }
}
