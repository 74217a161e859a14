use reqwest::Method;
use serde_json::json;
use tenancy::Role;

use crate::test_support::{TestApp, assert_problem, send};

#[tokio::test]
async fn org_reads_and_renames_with_etag() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    let response = app
        .request(Method::GET, &org.owner_token, "/api/v1/orgs/acme")
        .send()
        .await
        .expect("send");
    assert_eq!(response.headers()["etag"], "\"1\"");
    let (status, body) = send(
        app.request(Method::PATCH, &org.owner_token, "/api/v1/orgs/acme")
            .header("if-match", "\"1\"")
            .json(&json!({ "name": "Acme Corporation" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Acme Corporation");
    assert_eq!(body["slug"], "acme");

    let member = app.member(&org, "bob", Role::Member).await;
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &member,
            "/api/v1/orgs/acme",
            json!({ "name": "Mine now" }),
        )
        .await;
    assert_problem(status, &body, 403, "forbidden");
}

#[tokio::test]
async fn members_are_listed_with_roles() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.member(&org, "bob", Role::Viewer).await;
    let (status, body) = app.get(&org.owner_token, "/api/v1/orgs/acme/members").await;
    assert_eq!(status, 200, "{body}");
    let members: Vec<(String, String)> = body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| (m["user"]["login"].to_string(), m["role"].to_string()))
        .collect();
    assert_eq!(
        members,
        vec![
            ("\"acme-owner\"".to_owned(), "\"owner\"".to_owned()),
            ("\"bob\"".to_owned(), "\"viewer\"".to_owned())
        ]
    );
}
