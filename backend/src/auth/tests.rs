use std::time::Duration;

use diesel_async::{AsyncConnection, RunQueryDsl};
use tenancy::DbConn;

use crate::test_support::{TestApp, assert_problem};

async fn as_owner(app: &TestApp, sql: &str) {
    let mut conn = DbConn::establish(&app.db.owner_url).await.expect("owner");
    diesel::sql_query(sql).execute(&mut conn).await.expect(sql);
}

async fn uncached_app() -> TestApp {
    TestApp::start_with(|c| c.auth_cache_ttl = Duration::ZERO).await
}

#[tokio::test]
async fn revoked_and_expired_tokens_are_refused() {
    let app = uncached_app().await;
    let org = app.org("acme").await;
    let (status, _) = app.get(&org.owner_token, "/api/v1/orgs/acme").await;
    assert_eq!(status, 200);

    as_owner(
        &app,
        "UPDATE api_tokens SET expires_at = now() - interval '1 second'",
    )
    .await;
    let (status, body) = app.get(&org.owner_token, "/api/v1/orgs/acme").await;
    assert_problem(status, &body, 401, "unauthenticated");

    as_owner(
        &app,
        "UPDATE api_tokens SET expires_at = NULL, revoked_at = now()",
    )
    .await;
    let (status, body) = app.get(&org.owner_token, "/api/v1/orgs/acme").await;
    assert_problem(status, &body, 401, "unauthenticated");
}

#[tokio::test]
async fn a_token_stops_working_in_an_org_its_user_left() {
    let app = uncached_app().await;
    let org = app.org("acme").await;
    let member = app.member(&org, "bob", tenancy::Role::Member).await;
    let (status, _) = app.get(&member, "/api/v1/orgs/acme/tickets").await;
    assert_eq!(status, 200);
    as_owner(
        &app,
        "DELETE FROM memberships WHERE user_id = (SELECT id FROM users WHERE login = 'bob')",
    )
    .await;
    let (status, body) = app.get(&member, "/api/v1/orgs/acme/tickets").await;
    assert_problem(status, &body, 404, "not-found");
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    let mut conn = DbConn::establish(&app.db.owner_url).await.expect("owner");
    #[derive(diesel::QueryableByName)]
    struct Stored {
        #[diesel(sql_type = diesel::sql_types::Bytea)]
        token_hash: Vec<u8>,
    }
    let stored: Vec<Stored> = diesel::sql_query("SELECT token_hash FROM api_tokens")
        .load(&mut conn)
        .await
        .expect("tokens");
    assert_eq!(stored.len(), 1);
    let plain = org.owner_token.as_bytes();
    assert!(
        !stored[0]
            .token_hash
            .windows(plain.len())
            .any(|w| w == plain)
    );
    assert_eq!(stored[0].token_hash.len(), 32);
}

mod cache {
    use std::time::Duration;

    use crate::auth::PrincipalCache;

    async fn some_scope() -> (crate::test_support::TestApp, tenancy::OrgScope) {
        let app = crate::test_support::TestApp::start().await;
        let org = app.org("acme").await;
        let mut conn = app.conn().await;
        let scope = tenancy::authorize_user(&mut conn, org.owner, "acme")
            .await
            .expect("lookup")
            .expect("member");
        drop(conn);
        (app, scope)
    }

    #[tokio::test]
    async fn fresh_entries_are_served_and_zero_ttl_disables() {
        let (_app, scope) = some_scope().await;
        let cache = PrincipalCache::new(Duration::from_secs(60));
        cache.put([1; 32], "acme", scope.clone());
        assert_eq!(
            cache.get(&[1; 32], "acme").map(|s| s.org_id()),
            Some(scope.org_id())
        );
        assert!(cache.get(&[1; 32], "other").is_none());
        assert!(cache.get(&[2; 32], "acme").is_none());
        cache.clear();
        assert!(cache.get(&[1; 32], "acme").is_none());

        let disabled = PrincipalCache::new(Duration::ZERO);
        disabled.put([1; 32], "acme", scope);
        assert!(disabled.get(&[1; 32], "acme").is_none());
    }
}

#[tokio::test]
async fn a_principal_change_published_on_redis_empties_other_instances_caches() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    let other = app.org("other").await;
    let mut conn = app.conn().await;
    let scope = tenancy::authorize_user(&mut conn, org.owner, "acme")
        .await
        .expect("lookup")
        .expect("member");
    let other_scope = tenancy::authorize_user(&mut conn, other.owner, "other")
        .await
        .expect("lookup")
        .expect("member");
    // Another instance's cache, listening on the channel.
    let cache = std::sync::Arc::new(super::PrincipalCache::new(Duration::from_secs(300)));
    cache.put([7; 32], "acme", scope.clone());
    cache.put([8; 32], "other", other_scope);
    super::invalidation::spawn_listener(crate::test_support::redis_url(), cache.clone());

    let client = redis::Client::open(crate::test_support::redis_url()).expect("redis");
    let mut publisher = client
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    // The listener subscribes asynchronously; publish until it has heard.
    while cache.get(&[7; 32], "acme").is_some() {
        assert!(std::time::Instant::now() < deadline, "never invalidated");
        let _: i64 = redis::cmd("PUBLISH")
            .arg(super::invalidation::CHANNEL)
            .arg(scope.org_id().to_string())
            .query_async(&mut publisher)
            .await
            .expect("publish");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Only that organization's entries: the other one's stay.
    assert!(cache.get(&[8; 32], "other").is_some());
}
