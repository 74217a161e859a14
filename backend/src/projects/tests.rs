use reqwest::Method;
use serde_json::json;

use crate::test_support::{TestApp, assert_problem, send};

#[tokio::test]
async fn new_project_gets_the_default_workflow() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    let (status, project) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/projects/WEB")
        .await;
    assert_eq!(status, 200, "{project}");
    let statuses: Vec<(&str, &str)> = project["statuses"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| Some((s["name"].as_str()?, s["category"].as_str()?)))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        statuses,
        vec![
            ("To Do", "todo"),
            ("In Progress", "in_progress"),
            ("Done", "done")
        ]
    );
}

#[tokio::test]
async fn project_keys_are_validated_and_unique_per_org() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    let other = app.org("globex").await;
    app.project(&org, "WEB").await;
    async fn create(app: &TestApp, token: &str, slug: &str, key: &str) -> (u16, serde_json::Value) {
        let path = format!("/api/v1/orgs/{slug}/projects");
        app.send_json(
            Method::POST,
            token,
            &path,
            json!({ "key": key, "name": "x" }),
        )
        .await
    }
    let (status, body) = create(&app, &org.owner_token, "acme", "WEB").await;
    assert_problem(status, &body, 409, "project-key-taken");
    for bad in ["web", "W", "1WEB", "WEB-1", "ABCDEFGHIJK", ""] {
        let (status, body) = create(&app, &org.owner_token, "acme", bad).await;
        assert_problem(status, &body, 422, "validation");
        assert_eq!(body["field"], "key");
    }
    // Keys are per organization.
    let (status, _) = create(&app, &other.owner_token, "globex", "WEB").await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn archived_projects_take_no_tickets_and_leave_the_default_list() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    app.project(&org, "OPS").await;
    let (status, archived) = send(app.request(
        Method::POST,
        &org.owner_token,
        "/api/v1/orgs/acme/projects/OPS/archive",
    ))
    .await;
    assert_eq!(status, 200);
    assert!(archived["archived_at"].is_string());

    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/projects/OPS/tickets",
            json!({ "title": "x" }),
        )
        .await;
    assert_problem(status, &body, 409, "project-archived");

    let (_, list) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/projects")
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    let (_, all) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/projects?archived=true")
        .await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));

    send(app.request(
        Method::POST,
        &org.owner_token,
        "/api/v1/orgs/acme/projects/OPS/unarchive",
    ))
    .await;
    assert_eq!(app.ticket(&org, "OPS", "back").await["key"], "OPS-1");
}

#[tokio::test]
async fn project_update_honours_if_match() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    let patch = |etag: &'static str| {
        app.request(
            Method::PATCH,
            &org.owner_token,
            "/api/v1/orgs/acme/projects/WEB",
        )
        .header("if-match", etag)
        .json(&json!({ "name": "Website", "description": "The site" }))
    };
    let (status, body) = send(patch("\"1\"")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Website");
    let (status, body) = send(patch("\"1\"")).await;
    assert_problem(status, &body, 412, "stale-version");
}

#[tokio::test]
async fn project_list_pages_by_key() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    for key in ["CC", "AA", "BB"] {
        app.project(&org, key).await;
    }
    let (_, first) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/projects?limit=2")
        .await;
    assert_eq!(first["items"][0]["key"], "AA");
    assert_eq!(first["items"][1]["key"], "BB");
    let cursor = first["next_cursor"].as_str().unwrap_or_default();
    let (_, second) = app
        .get(
            &org.owner_token,
            &format!("/api/v1/orgs/acme/projects?limit=2&cursor={cursor}"),
        )
        .await;
    assert_eq!(second["items"][0]["key"], "CC");
    assert!(second["next_cursor"].is_null());
}
