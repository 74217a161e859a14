use reqwest::Method;
use serde_json::{Value, json};
use tenancy::Role;

use crate::test_support::{TestApp, TestOrg, assert_problem, send};

const WORKLOGS: &str = "/api/v1/orgs/acme/tickets/WEB-1/worklogs";
const TICKET: &str = "/api/v1/orgs/acme/tickets/WEB-1";

async fn estimated_ticket(app: &TestApp) -> TestOrg {
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    let (status, ticket) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/projects/WEB/tickets",
            json!({ "title": "Estimated", "original_estimate": 120 }),
        )
        .await;
    assert_eq!(status, 201, "{ticket}");
    assert_eq!(ticket["remaining_estimate"], 120);
    org
}

async fn log(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, worklog) = app.send_json(Method::POST, token, WORKLOGS, body).await;
    assert_eq!(status, 201, "{worklog}");
    worklog
}

#[tokio::test]
async fn worklogs_update_time_spent_and_the_remaining_estimate() {
    let app = TestApp::start().await;
    let org = estimated_ticket(&app).await;
    let token = &org.owner_token;
    let first = log(&app, token, json!({ "minutes": 30, "comment": "spike" })).await;
    assert_eq!(first["minutes"], 30);
    let (_, ticket) = app.get(token, TICKET).await;
    assert_eq!(
        (
            ticket["time_spent"].clone(),
            ticket["remaining_estimate"].clone()
        ),
        (json!(30), json!(90))
    );

    // Auto never goes below zero; new sets; leave leaves; manual reduces by its amount.
    log(&app, token, json!({ "minutes": 200 })).await;
    let (_, ticket) = app.get(token, TICKET).await;
    assert_eq!(
        (
            ticket["time_spent"].clone(),
            ticket["remaining_estimate"].clone()
        ),
        (json!(230), json!(0))
    );
    log(
        &app,
        token,
        json!({ "minutes": 10, "adjust_estimate": "new", "new_estimate": 60 }),
    )
    .await;
    log(
        &app,
        token,
        json!({ "minutes": 10, "adjust_estimate": "leave" }),
    )
    .await;
    log(
        &app,
        token,
        json!({ "minutes": 10, "adjust_estimate": "manual", "reduce_by": 25 }),
    )
    .await;
    let (_, ticket) = app.get(token, TICKET).await;
    assert_eq!(
        (
            ticket["time_spent"].clone(),
            ticket["remaining_estimate"].clone()
        ),
        (json!(260), json!(35))
    );

    // Editing changes by the difference; deleting gives the minutes back.
    let path = format!("{WORKLOGS}/{}", first["id"].as_str().unwrap_or_default());
    let (status, edited) = app
        .send_json(Method::PATCH, token, &path, json!({ "minutes": 40 }))
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["version"], 2);
    let (_, ticket) = app.get(token, TICKET).await;
    assert_eq!(
        (
            ticket["time_spent"].clone(),
            ticket["remaining_estimate"].clone()
        ),
        (json!(270), json!(25))
    );
    let (status, _) = send(app.request(Method::DELETE, token, &path)).await;
    assert_eq!(status, 204);
    let (_, ticket) = app.get(token, TICKET).await;
    assert_eq!(
        (
            ticket["time_spent"].clone(),
            ticket["remaining_estimate"].clone()
        ),
        (json!(230), json!(65))
    );
    let (_, list) = app.get(token, WORKLOGS).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(4));

    // Each change is in the ticket's history.
    let (_, history) = app.get(token, &format!("{TICKET}/history")).await;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| a.starts_with("worklog."))
        .collect();
    assert_eq!(actions.first(), Some(&"worklog.delete"), "{history}");
    assert_eq!(actions.len(), 7, "{history}");
    let latest = &history["items"][0]["changes"];
    assert!(
        latest
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["field"] == "time_spent" && c["from"] == 270 && c["to"] == 230),
        "{latest}"
    );
}

#[tokio::test]
async fn authors_change_their_worklogs_and_admins_moderate() {
    let app = TestApp::start().await;
    let org = estimated_ticket(&app).await;
    let bob = app.member(&org, "bob", Role::Member).await;
    let eve = app.member(&org, "eve", Role::Member).await;
    let ada = app.member(&org, "ada", Role::Admin).await;
    let viewer = app.member(&org, "vic", Role::Viewer).await;
    let worklog = log(&app, &bob, json!({ "minutes": 15 })).await;
    let path = format!("{WORKLOGS}/{}", worklog["id"].as_str().unwrap_or_default());

    let (status, body) = app
        .send_json(Method::PATCH, &eve, &path, json!({ "minutes": 1 }))
        .await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, body) = send(app.request(Method::DELETE, &eve, &path)).await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, body) = app
        .send_json(Method::POST, &viewer, WORKLOGS, json!({ "minutes": 5 }))
        .await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, list) = app.get(&viewer, WORKLOGS).await;
    assert_eq!(status, 200, "{list}");

    let (status, body) = send(
        app.request(Method::PATCH, &bob, &path)
            .header("if-match", "\"9\"")
            .json(&json!({ "minutes": 20 })),
    )
    .await;
    assert_problem(status, &body, 412, "stale-version");
    let (status, _) = app
        .send_json(
            Method::PATCH,
            &ada,
            &path,
            json!({ "comment": "moderated" }),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = send(app.request(Method::DELETE, &ada, &path)).await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn bad_worklog_input_is_a_field_problem_and_writes_nothing() {
    let app = TestApp::start().await;
    let org = estimated_ticket(&app).await;
    let token = &org.owner_token;
    for (body, field) in [
        (json!({ "minutes": 0 }), "minutes"),
        (json!({ "minutes": 10_081 }), "minutes"),
        (
            json!({ "minutes": 5, "adjust_estimate": "new" }),
            "new_estimate",
        ),
        (json!({ "minutes": 5, "new_estimate": 3 }), "new_estimate"),
        (
            json!({ "minutes": 5, "adjust_estimate": "manual" }),
            "reduce_by",
        ),
        (
            json!({ "minutes": 5, "adjust_estimate": "new", "new_estimate": -1 }),
            "new_estimate",
        ),
        (
            json!({ "minutes": 5, "comment": "x".repeat(10_001) }),
            "comment",
        ),
        (
            json!({ "minutes": 5, "adjust_estimate": "sometimes" }),
            "adjust_estimate",
        ),
    ] {
        let (status, problem) = app
            .send_json(Method::POST, token, WORKLOGS, body.clone())
            .await;
        assert_problem(status, &problem, 422, "validation");
        assert_eq!(problem["field"], field, "{body}: {problem}");
    }
    let (_, ticket) = app.get(token, TICKET).await;
    assert_eq!(ticket["time_spent"], 0);
    assert_eq!(ticket["version"], 1);
}

#[tokio::test]
async fn twenty_concurrent_worklogs_lose_no_minutes() {
    let app = TestApp::start().await;
    let org = estimated_ticket(&app).await;
    let requests = (1..=20).map(|i| {
        app.send_json(
            Method::POST,
            &org.owner_token,
            WORKLOGS,
            json!({ "minutes": i, "adjust_estimate": "auto" }),
        )
    });
    for (status, body) in futures_util::future::join_all(requests).await {
        assert_eq!(status, 201, "{body}");
    }
    let (_, ticket) = app.get(&org.owner_token, TICKET).await;
    assert_eq!(ticket["time_spent"], 210);
    assert_eq!(ticket["remaining_estimate"], 0);
    assert_eq!(ticket["version"], 21);
}

#[tokio::test]
async fn jql_finds_tickets_by_time_and_worklog() {
    let app = TestApp::start().await;
    let org = estimated_ticket(&app).await;
    app.ticket(&org, "WEB", "untouched").await;
    let bob = app.member(&org, "bob", Role::Member).await;
    log(
        &app,
        &bob,
        json!({ "minutes": 150, "started_at": "2026-12-01T09:00:00Z" }),
    )
    .await;
    let owner = &org.owner_token;
    assert_eq!(
        app.found(owner, "acme", r#"timeSpent >= "2h 30m""#).await,
        ["WEB-1"]
    );
    assert_eq!(app.found(owner, "acme", "timeSpent = 0").await, ["WEB-2"]);
    assert_eq!(
        app.found(owner, "acme", "remainingEstimate = 0").await,
        ["WEB-1"]
    );
    assert_eq!(
        app.found(owner, "acme", "remainingEstimate IS EMPTY").await,
        ["WEB-2"]
    );
    assert_eq!(
        app.found(owner, "acme", "originalEstimate = 2h").await,
        ["WEB-1"]
    );
    assert_eq!(
        app.found(&bob, "acme", "worklogAuthor = currentUser()")
            .await,
        ["WEB-1"]
    );
    assert_eq!(
        app.found(owner, "acme", "worklogAuthor = currentUser()")
            .await
            .len(),
        0
    );
    assert_eq!(
        app.found(owner, "acme", "worklogAuthor = bob").await,
        ["WEB-1"]
    );
    assert_eq!(
        app.found(owner, "acme", "worklogAuthor IN membersOf(member)")
            .await,
        ["WEB-1"]
    );
    assert_eq!(
        app.found(owner, "acme", r#"worklogDate >= "2026-12-01""#)
            .await,
        ["WEB-1"]
    );
    assert_eq!(
        app.found(owner, "acme", r#"worklogDate < "2026-12-01""#)
            .await
            .len(),
        0
    );
}
