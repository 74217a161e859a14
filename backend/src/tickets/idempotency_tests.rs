//! `Idempotency-Key` on creating routes, over HTTP (the mechanism is
//! `http::idempotency`; tickets are the route with the most at stake).

use reqwest::Method;
use serde_json::{Value, json};

use crate::test_support::{TestApp, assert_problem, read};

const CREATE: &str = "/api/v1/orgs/acme/projects/WEB/tickets";

async fn create(
    app: &TestApp,
    token: &str,
    key: &str,
    body: Value,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let response = app
        .request(Method::POST, token, CREATE)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .expect("send");
    let headers = response.headers().clone();
    let (status, body) = read(response).await;
    (status, body, headers)
}

async fn ticket_count(app: &TestApp, token: &str) -> usize {
    let (_, list) = app.get(token, "/api/v1/orgs/acme/tickets").await;
    list["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_retried_create_replays_the_first_response_and_creates_once() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    let token = &org.owner_token;
    let body = json!({ "title": "Once" });
    let (status, first, headers) = create(&app, token, "order-1", body.clone()).await;
    assert_eq!(status, 201, "{first}");
    assert!(headers.get("idempotent-replayed").is_none());
    let (status, again, replayed) = create(&app, token, "order-1", body).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again, first);
    assert_eq!(replayed["idempotent-replayed"], "true");
    assert_eq!(replayed["location"], headers["location"]);
    assert_eq!(replayed["etag"], headers["etag"]);
    assert_eq!(replayed["content-type"], "application/json");
    assert_eq!(ticket_count(&app, token).await, 1);

    // Another body with the key: a mismatch, nothing written.
    let (status, problem, _) = create(&app, token, "order-1", json!({ "title": "Twice" })).await;
    assert_problem(status, &problem, 422, "idempotency-mismatch");
    assert_eq!(problem["field"], "Idempotency-Key");
    // Keys are per principal: another token's "order-1" is its own.
    let (_, other_token) = app
        .send_json(
            Method::POST,
            token,
            "/api/v1/orgs/acme/tokens",
            json!({ "name": "ci" }),
        )
        .await;
    let other = other_token["token"].as_str().unwrap_or_default().to_owned();
    let (status, _, _) = create(&app, &other, "order-1", json!({ "title": "Twice" })).await;
    assert_eq!(status, 201);
    assert_eq!(ticket_count(&app, token).await, 2);
}

#[tokio::test]
async fn two_concurrent_requests_with_one_key_execute_once() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    let token = &org.owner_token;
    let body = json!({ "title": "Raced" });
    let (a, b) = tokio::join!(
        create(&app, token, "race", body.clone()),
        create(&app, token, "race", body.clone()),
    );
    assert_eq!((a.0, b.0), (201, 201), "{} / {}", a.1, b.1);
    assert_eq!(a.1, b.1);
    assert_eq!(a.1["key"], "WEB-1");
    let replays = [&a.2, &b.2]
        .iter()
        .filter(|h| h.get("idempotent-replayed").is_some())
        .count();
    assert_eq!(replays, 1);
    assert_eq!(ticket_count(&app, token).await, 1);
}

#[tokio::test]
async fn bad_keys_are_400_problems_naming_the_header() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    for key in ["k".repeat(256), "tab\tkey".to_owned()] {
        let (status, problem, _) =
            create(&app, &org.owner_token, &key, json!({ "title": "x" })).await;
        assert_problem(status, &problem, 400, "bad-header");
        assert_eq!(problem["field"], "Idempotency-Key");
    }
    assert_eq!(ticket_count(&app, &org.owner_token).await, 0);
}

#[tokio::test]
async fn an_error_is_not_stored_and_a_retry_runs_again() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    let (status, problem, _) =
        create(&app, &org.owner_token, "early", json!({ "title": "x" })).await;
    assert_problem(status, &problem, 404, "not-found");
    app.project(&org, "WEB").await;
    let (status, ticket, _) =
        create(&app, &org.owner_token, "early", json!({ "title": "x" })).await;
    assert_eq!(status, 201, "{ticket}");
}

#[tokio::test]
async fn comments_projects_and_worklogs_honour_the_key() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    app.ticket(&org, "WEB", "t").await;
    for (path, body) in [
        (
            "/api/v1/orgs/acme/projects",
            json!({ "key": "API", "name": "Api" }),
        ),
        (
            "/api/v1/orgs/acme/tickets/WEB-1/comments",
            json!({ "body": "hi" }),
        ),
        (
            "/api/v1/orgs/acme/tickets/WEB-1/worklogs",
            json!({ "minutes": 5 }),
        ),
    ] {
        let send = || {
            app.request(Method::POST, &org.owner_token, path)
                .header("idempotency-key", path)
                .json(&body)
                .send()
        };
        let (first, _) = read(send().await.expect("send")).await;
        let response = send().await.expect("send");
        assert_eq!(response.headers()["idempotent-replayed"], "true", "{path}");
        let (second, _) = read(response).await;
        assert_eq!((first, second), (201, 201), "{path}");
    }
    let (_, list) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/tickets/WEB-1/worklogs")
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
}
