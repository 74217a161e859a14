use reqwest::Method;
use serde_json::{Value, json};
use tenancy::Role;

use crate::test_support::{TestApp, TestOrg, assert_problem, send};

async fn setup() -> (TestApp, TestOrg) {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    app.project(&org, "API").await;
    (app, org)
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    app.send_json(
        Method::POST,
        token,
        &format!("/api/v1/orgs/acme{path}"),
        body,
    )
    .await
}

#[tokio::test]
async fn components_are_managed_set_on_tickets_and_searched() {
    let (app, org) = setup().await;
    let t = &org.owner_token;
    app.member(&org, "bob", Role::Member).await;
    let (status, backend) = post(
        &app,
        t,
        "/projects/WEB/components",
        json!({ "name": "Backend", "description": "Server side", "lead": "bob" }),
    )
    .await;
    assert_eq!(status, 201, "{backend}");
    assert_eq!(backend["lead"]["login"], "bob");
    assert_eq!(backend["project"], "WEB");
    assert_eq!(
        post(&app, t, "/projects/WEB/components", json!({ "name": "UI" }))
            .await
            .0,
        201
    );
    assert_eq!(
        post(
            &app,
            t,
            "/projects/API/components",
            json!({ "name": "Backend" })
        )
        .await
        .0,
        201
    );
    // Names are unique per project, ignoring case.
    let (status, body) = post(
        &app,
        t,
        "/projects/WEB/components",
        json!({ "name": "backend" }),
    )
    .await;
    assert_problem(status, &body, 409, "already-exists");

    // Tickets take components by name (any case); unknown ones are a 422 naming them.
    let (status, ticket) = post(
        &app,
        t,
        "/projects/WEB/tickets",
        json!({ "title": "Crash", "components": ["backend", "UI"] }),
    )
    .await;
    assert_eq!(status, 201, "{ticket}");
    assert_eq!(ticket["components"], json!(["Backend", "UI"]));
    let (status, body) = post(
        &app,
        t,
        "/projects/WEB/tickets",
        json!({ "title": "Bad", "components": ["UI", "Billing"] }),
    )
    .await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(body["field"], "components[1]");
    // Another project's component is not this project's.
    let (status, body) = post(
        &app,
        t,
        "/projects/API/tickets",
        json!({ "title": "Bad", "components": ["UI"] }),
    )
    .await;
    assert_problem(status, &body, 422, "validation");
    let (status, api) = post(
        &app,
        t,
        "/projects/API/tickets",
        json!({ "title": "Api", "components": ["Backend"] }),
    )
    .await;
    assert_eq!(status, 201, "{api}");
    app.ticket(&org, "WEB", "Plain").await;

    // PATCH replaces them (audited as a field change).
    let (status, patched) = send(
        app.request(Method::PATCH, t, "/api/v1/orgs/acme/tickets/WEB-1")
            .header("if-match", "\"1\"")
            .json(&json!({ "components": ["UI"] })),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["components"], json!(["UI"]));
    let (_, history) = app.get(t, "/api/v1/orgs/acme/tickets/WEB-1/history").await;
    assert_eq!(
        history["items"][0]["changes"][0]["field"], "components",
        "{history}"
    );

    // JQL, names ignoring case across projects; negative tests skip tickets without.
    assert_eq!(app.found(t, "acme", "component = backend").await, ["API-1"]);
    assert_eq!(
        app.found(t, "acme", "component in (UI, Backend)").await,
        ["API-1", "WEB-1"]
    );
    assert_eq!(app.found(t, "acme", "component != UI").await, ["API-1"]);
    assert_eq!(app.found(t, "acme", "component is empty").await, ["WEB-2"]);
    assert_eq!(
        app.found(t, "acme", "component is not empty").await,
        ["API-1", "WEB-1"]
    );
    assert!(app.found(t, "acme", "component = nothing").await.is_empty());

    // The list counts live tickets; deleting a component takes it off its tickets.
    let (status, list) = app
        .get(t, "/api/v1/orgs/acme/projects/WEB/components")
        .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["Backend", "UI"]);
    assert_eq!(list["items"][1]["tickets"], 1);
    let ui = list["items"][1]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (status, body) = send(
        app.request(
            Method::DELETE,
            t,
            &format!("/api/v1/orgs/acme/components/{ui}"),
        )
        .header("if-match", "\"2\""),
    )
    .await;
    assert_problem(status, &body, 412, "stale-version");
    let (status, _) = send(
        app.request(
            Method::DELETE,
            t,
            &format!("/api/v1/orgs/acme/components/{ui}"),
        )
        .header("if-match", "\"1\""),
    )
    .await;
    assert_eq!(status, 204);
    let (_, ticket) = app.get(t, "/api/v1/orgs/acme/tickets/WEB-1").await;
    assert_eq!(ticket["components"], json!([]));
}

#[tokio::test]
async fn leads_manage_components_members_and_viewers_only_read() {
    let (app, org) = setup().await;
    let t = &org.owner_token;
    let member = app.member(&org, "mia", Role::Member).await;
    let viewer = app.member(&org, "vic", Role::Viewer).await;
    let lead = app.member(&org, "leo", Role::Member).await;
    let (status, _) = send(
        app.request(Method::PUT, t, "/api/v1/orgs/acme/projects/WEB/members/leo")
            .json(&json!({ "role": "lead" })),
    )
    .await;
    assert_eq!(status, 204);
    for token in [&member, &viewer] {
        let (status, body) = post(
            &app,
            token,
            "/projects/WEB/components",
            json!({ "name": "X" }),
        )
        .await;
        assert_problem(status, &body, 403, "forbidden");
    }
    let (status, created) = post(
        &app,
        &lead,
        "/projects/WEB/components",
        json!({ "name": "Lead's" }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    // ... but only in the project they lead.
    let (status, body) = post(
        &app,
        &lead,
        "/projects/API/components",
        json!({ "name": "No" }),
    )
    .await;
    assert_problem(status, &body, 403, "forbidden");
    let id = created["id"].as_str().unwrap_or_default();
    let (status, body) = send(
        app.request(
            Method::PATCH,
            &lead,
            &format!("/api/v1/orgs/acme/components/{id}"),
        )
        .header("if-match", "\"1\"")
        .json(&json!({ "name": "Renamed", "lead": null })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Renamed");
    assert_eq!(body["lead"], Value::Null);
    let (status, body) = app
        .get(&viewer, &format!("/api/v1/orgs/acme/components/{id}"))
        .await;
    assert_eq!((status, body["name"].clone()), (200, json!("Renamed")));
    // Bad input names the field; nothing is written.
    for (bad, field) in [
        (json!({ "name": "" }), "name"),
        (json!({ "name": "x".repeat(101) }), "name"),
        (json!({ "name": "Ok", "lead": "not a login" }), "lead"),
        (json!({ "name": "Ok", "lead": "stranger" }), "lead"),
        (
            json!({ "name": "Ok", "description": "d".repeat(2001) }),
            "description",
        ),
    ] {
        let (status, body) = post(&app, t, "/projects/WEB/components", bad).await;
        assert_problem(status, &body, 422, "validation");
        assert_eq!(body["field"], field, "{body}");
    }
    let (_, list) = app
        .get(t, "/api/v1/orgs/acme/projects/WEB/components")
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
}
