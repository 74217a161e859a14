use reqwest::Method;
use serde_json::json;
use tenancy::Role;

use crate::test_support::{TestApp, assert_problem, send};

#[tokio::test]
async fn authors_edit_their_comments_and_admins_moderate() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    app.ticket(&org, "WEB", "discuss").await;
    let bob = app.member(&org, "bob", Role::Member).await;
    let eve = app.member(&org, "eve", Role::Member).await;
    let admin = app.member(&org, "ada", Role::Admin).await;
    let comments = "/api/v1/orgs/acme/tickets/WEB-1/comments";

    let (status, comment) = app
        .send_json(
            Method::POST,
            &bob,
            comments,
            json!({ "body": "I'll take it" }),
        )
        .await;
    assert_eq!(status, 201, "{comment}");
    assert_eq!(comment["author"]["login"], "bob");
    let path = format!("{comments}/{}", comment["id"].as_str().unwrap_or_default());

    let (status, body) = app
        .send_json(Method::PATCH, &eve, &path, json!({ "body": "hijack" }))
        .await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, edited) = app
        .send_json(Method::PATCH, &bob, &path, json!({ "body": "On it" }))
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["version"], 2);

    let (status, body) = send(app.request(Method::DELETE, &eve, &path)).await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, _) = send(app.request(Method::DELETE, &admin, &path)).await;
    assert_eq!(status, 204);
    let (_, list) = app.get(&bob, comments).await;
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn comments_list_oldest_first_in_pages() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    app.ticket(&org, "WEB", "chatty").await;
    let comments = "/api/v1/orgs/acme/tickets/WEB-1/comments";
    for i in 0..5 {
        app.send_json(
            Method::POST,
            &org.owner_token,
            comments,
            json!({ "body": format!("c{i}") }),
        )
        .await;
    }
    let (_, first) = app
        .get(&org.owner_token, &format!("{comments}?limit=3"))
        .await;
    assert_eq!(first["items"][0]["body"], "c0");
    let cursor = first["next_cursor"].as_str().unwrap_or_default();
    let (_, rest) = app
        .get(
            &org.owner_token,
            &format!("{comments}?limit=3&cursor={cursor}"),
        )
        .await;
    assert_eq!(rest["items"][0]["body"], "c3");
    assert_eq!(rest["items"].as_array().map(Vec::len), Some(2));
    assert!(rest["next_cursor"].is_null());

    let (status, body) = app
        .send_json(
            Method::PATCH,
            &org.owner_token,
            &format!("{comments}/not-a-uuid"),
            json!({ "body": "x" }),
        )
        .await;
    assert_problem(status, &body, 404, "not-found");
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            comments,
            json!({ "body": "   " }),
        )
        .await;
    assert_problem(status, &body, 422, "validation");
}
