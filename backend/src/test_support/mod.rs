//! Test harness: a fresh PostgreSQL database per test, cloned from a migrated template,
//! and the real application served over HTTP on a free port.

mod browser;
mod database;
mod github;
pub mod moto;

use std::net::TcpListener;

use actix_web::{HttpServer, web};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use tenancy::{DbPool, Role, UserId};

use crate::config::Config;
use crate::http::{AppState, RedisPool};

pub use browser::{Browser, location};
pub use database::TestDatabase;
pub use github::{Account, FakeGitHub};

/// The Redis the tests use (`TRELLIS_TEST_REDIS_URL`, default the local one).
pub fn redis_url() -> String {
    std::env::var("TRELLIS_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// A running application on its own database.
pub struct TestApp {
    pub db: TestDatabase,
    pub pool: DbPool,
    pub base: String,
    /// The running app's state (its keys, cipher, caches, billing clock).
    pub state: web::Data<AppState>,
    pub client: reqwest::Client,
    /// The attachment store the app uses.
    pub attachments: crate::attachments::AttachmentStore,
    /// This app's own `TRELLIS_DATA_DIR` (local attachments), removed on drop.
    pub data_dir: std::path::PathBuf,
    server: actix_web::dev::ServerHandle,
}

/// An organization created for a test, with its owner's API token.
pub struct TestOrg {
    pub slug: String,
    pub owner: UserId,
    pub owner_token: String,
}

impl TestApp {
    /// Starts the app with the default test configuration.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts the app after `adjust` has changed the configuration.
    pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start_with_store(adjust, None).await
    }

    /// Starts the app with an attachment store of our choosing (S3 on moto, say);
    /// `None`: the local directory of the configuration.
    pub async fn start_with_store(
        adjust: impl FnOnce(&mut Config),
        store: Option<crate::attachments::AttachmentStore>,
    ) -> Self {
        let db = TestDatabase::create().await;
        let pool =
            crate::db::connect_pool(&db.app_url, 8, &crate::db::DbTls::new(None).expect("tls"))
                .await
                .expect("app pool");
        crate::db::ensure_confined_role(&pool)
            .await
            .expect("app role is confined");
        let redis = crate::http::redis_pool(&redis_url()).expect("redis pool");
        Self::serve_with_store(db, pool, redis, adjust, store)
    }

    /// Starts the app with a Redis pool of our choosing (e.g. one pointing nowhere).
    pub fn serve(
        db: TestDatabase,
        pool: DbPool,
        redis: RedisPool,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        Self::serve_with_store(db, pool, redis, adjust, None)
    }

    fn serve_with_store(
        db: TestDatabase,
        pool: DbPool,
        redis: RedisPool,
        adjust: impl FnOnce(&mut Config),
        store: Option<crate::attachments::AttachmentStore>,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let mut config = Config::from_lookup(|_| None).expect("default config");
        config.public_url = Some(base.clone());
        // Tests share one Redis and one client address: each app counts on its own,
        // and generously, unless a test is about the limits.
        config.auth.rate_limits.namespace = format!("test-{}", uuid::Uuid::now_v7().simple());
        config.auth.rate_limits.auth_per_minute = 1000;
        config.auth.rate_limits.tokens_per_hour = 1000;
        let data_dir =
            std::env::temp_dir().join(format!("trellis-test-{}", uuid::Uuid::now_v7().simple()));
        config.data_dir = data_dir.clone();
        adjust(&mut config);
        let attachments = store.unwrap_or_else(|| {
            crate::attachments::AttachmentStore::local(
                crate::attachments::local::LocalStore::new(
                    config.data_dir.join("attachments"),
                    &config.public_url(),
                    config.secret_key.as_ref().map(|s| s.expose()),
                )
                .expect("local attachment store"),
                config.attachments.max_file_bytes,
            )
        });
        let features = crate::app::Features::new(&config, redis.clone(), attachments.clone())
            .expect("features");
        let state = web::Data::new(AppState::new(pool.clone(), redis, config).expect("state"));
        let app_state = state.clone();
        let app_features = features.clone();
        let server =
            HttpServer::new(move || crate::app::build_app(app_state.clone(), app_features.clone()))
                .workers(1)
                .disable_signals()
                .listen(listener)
                .expect("listen")
                .run();
        let handle = server.handle();
        tokio::spawn(server);
        TestApp {
            db,
            pool,
            base,
            state,
            client: reqwest::Client::new(),
            attachments,
            data_dir,
            server: handle,
        }
    }

    /// A database connection as the application role (row-level security applies).
    pub async fn conn(
        &self,
    ) -> bb8::PooledConnection<
        '_,
        diesel_async::pooled_connection::AsyncDieselConnectionManager<tenancy::DbConn>,
    > {
        self.pool.get().await.expect("connection")
    }

    /// Creates an organization owned by a new user named after it.
    pub async fn org(&self, slug: &str) -> TestOrg {
        let mut conn = self.conn().await;
        let login = format!("{slug}-owner");
        let owner = crate::demo::ensure_user(&mut conn, &login, &login)
            .await
            .expect("user");
        crate::auth::create_org(&mut conn, slug, &format!("{slug} Inc."), owner)
            .await
            .expect("org");
        let owner_token = crate::cli::create_token(&mut conn, slug, &login, "test")
            .await
            .expect("token");
        TestOrg {
            slug: slug.to_owned(),
            owner,
            owner_token,
        }
    }

    /// Adds a new user with `role` to `org` and returns their API token.
    pub async fn member(&self, org: &TestOrg, login: &str, role: Role) -> String {
        let mut conn = self.conn().await;
        let user = crate::demo::ensure_user(&mut conn, login, login)
            .await
            .expect("user");
        let scope = tenancy::authorize_user(&mut conn, org.owner, &org.slug)
            .await
            .expect("lookup")
            .expect("owner scope");
        scope
            .transaction(&mut conn, async |tx| {
                tenancy::add_member(tx, user, role).await
            })
            .await
            .expect("add member");
        crate::cli::create_token(&mut conn, &org.slug, login, "test")
            .await
            .expect("token")
    }

    /// A request to `path` (relative to the server) with a bearer token.
    pub fn request(&self, method: Method, token: &str, path: &str) -> RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token)
    }

    /// `GET` with a token, returning status and JSON body.
    /// The keys a JQL search in `org` finds (first page), sorted; panics unless 200.
    pub async fn found(&self, token: &str, org: &str, jql: &str) -> Vec<String> {
        let (status, body) = self
            .send_json(
                Method::POST,
                token,
                &format!("/api/v1/orgs/{org}/search"),
                serde_json::json!({ "jql": jql }),
            )
            .await;
        assert_eq!(status, 200, "{jql}: {body}");
        let mut keys: Vec<String> = body["issues"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["key"].as_str().map(str::to_owned))
            .collect();
        keys.sort();
        keys
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        send(self.request(Method::GET, token, path)).await
    }

    /// Sends `body` as JSON with a token, returning status and JSON body.
    pub async fn send_json(
        &self,
        method: Method,
        token: &str,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        send(self.request(method, token, path).json(&body)).await
    }

    /// Creates a project in `org` through the API and returns its JSON.
    pub async fn project(&self, org: &TestOrg, key: &str) -> Value {
        let (status, body) = self
            .send_json(
                Method::POST,
                &org.owner_token,
                &format!("/api/v1/orgs/{}/projects", org.slug),
                serde_json::json!({ "key": key, "name": format!("Project {key}") }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// Creates a private project `SEC` ("Security") in `org`: visible only to its
    /// members and the org's owners and admins.
    pub async fn private_project(&self, org: &TestOrg) -> Value {
        let (status, body) = self
            .send_json(
                Method::POST,
                &org.owner_token,
                &format!("/api/v1/orgs/{}/projects", org.slug),
                serde_json::json!({ "key": "SEC", "name": "Security", "private": true }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// Creates a ticket through the API and returns its JSON.
    pub async fn ticket(&self, org: &TestOrg, project: &str, title: &str) -> Value {
        let (status, body) = self
            .send_json(
                Method::POST,
                &org.owner_token,
                &format!("/api/v1/orgs/{}/projects/{project}/tickets", org.slug),
                serde_json::json!({ "title": title }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// Starts an upload of `bytes` to ticket `key` as `token` and answers the API's
    /// `201` body (the pending attachment and its upload instructions).
    pub async fn start_upload(
        &self,
        org: &TestOrg,
        token: &str,
        key: &str,
        name: &str,
        bytes: &[u8],
        content_type: &str,
    ) -> Value {
        let (status, created) = self
            .send_json(
                Method::POST,
                token,
                &format!("/api/v1/orgs/{}/tickets/{key}/attachments", org.slug),
                serde_json::json!({
                    "file_name": name,
                    "size": bytes.len(),
                    "content_type": content_type,
                }),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        created
    }

    /// `PUT`s `body` to a started upload's URL with its headers (the content type
    /// replaced by `content_type` when given), answering status and body.
    pub async fn put_upload(
        &self,
        created: &Value,
        body: Vec<u8>,
        content_type: Option<&str>,
    ) -> (u16, Value) {
        let upload = &created["upload"];
        assert_eq!(upload["method"], "PUT", "{created}");
        let mut request = self
            .client
            .put(upload["url"].as_str().expect("upload url"))
            .body(body);
        for (name, value) in upload["headers"].as_object().into_iter().flatten() {
            let value = match (name.as_str(), content_type) {
                ("content-type", Some(other)) => other,
                _ => value.as_str().unwrap_or_default(),
            };
            request = request.header(name.as_str(), value);
        }
        send(request).await
    }

    /// Confirms an upload to ticket `key` as `token`.
    pub async fn confirm_upload(
        &self,
        org: &TestOrg,
        token: &str,
        key: &str,
        created: &Value,
    ) -> (u16, Value) {
        let id = created["attachment"]["id"].as_str().unwrap_or_default();
        send(self.request(
            Method::POST,
            token,
            &format!(
                "/api/v1/orgs/{}/tickets/{key}/attachments/{id}/confirm",
                org.slug
            ),
        ))
        .await
    }

    /// Uploads `bytes` to ticket `key` as its org's owner through the API (start,
    /// `PUT`, confirm) and answers the confirmed attachment.
    pub async fn attachment(
        &self,
        org: &TestOrg,
        key: &str,
        name: &str,
        bytes: &[u8],
        content_type: &str,
    ) -> Value {
        let created = self
            .start_upload(org, &org.owner_token, key, name, bytes, content_type)
            .await;
        let (status, body) = self.put_upload(&created, bytes.to_vec(), None).await;
        assert_eq!(status, 200, "{body}");
        let (status, confirmed) = self
            .confirm_upload(org, &org.owner_token, key, &created)
            .await;
        assert_eq!(status, 200, "{confirmed}");
        assert_eq!(confirmed["state"], "confirmed");
        confirmed
    }

    /// Number of audit entries of `org` (read through the API as its owner).
    pub async fn audit_count(&self, org: &TestOrg) -> usize {
        let mut count = 0;
        let mut cursor: Option<String> = None;
        loop {
            let path = match &cursor {
                Some(c) => format!("/api/v1/orgs/{}/audit-log?limit=100&cursor={c}", org.slug),
                None => format!("/api/v1/orgs/{}/audit-log?limit=100", org.slug),
            };
            let (status, body) = self.get(&org.owner_token, &path).await;
            assert_eq!(status, 200, "{body}");
            count += body["items"].as_array().map_or(0, Vec::len);
            match body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => return count,
            }
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting; the runtime's end cancels the rest.
        drop(self.server.stop(false));
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Sends a request and returns status and body (JSON, or the text as a JSON string).
pub async fn send(request: RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("request");
    read(response).await
}

/// Status and body of a response.
pub async fn read(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// A response header's value as text (empty when absent).
pub fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// `text` percent-encoded for a query string (unreserved characters kept).
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Asserts a response is a problem document of `status` and `kind`, with a request id.
#[track_caller]
pub fn assert_problem(status: u16, body: &Value, expected_status: u16, kind: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(
        body["type"],
        format!("urn:trellis:problem:{kind}"),
        "{body}"
    );
    assert_eq!(body["status"], expected_status, "{body}");
    assert!(
        body["request_id"].as_str().is_some_and(|id| !id.is_empty()),
        "{body}"
    );
}
