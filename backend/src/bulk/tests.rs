use std::time::Instant;

use reqwest::Method;
use serde_json::{Value, json};
use tenancy::Role;

use crate::test_support::{TestApp, TestOrg, assert_problem};

const BULK: &str = "/api/v1/orgs/acme/tickets/bulk";

async fn org_with_tickets(app: &TestApp, n: usize) -> TestOrg {
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    for i in 0..n {
        app.ticket(&org, "WEB", &format!("t{i}")).await;
    }
    org
}

async fn bulk(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    app.send_json(Method::POST, token, BULK, body).await
}

async fn ticket(app: &TestApp, org: &TestOrg, key: &str) -> Value {
    app.get(
        &org.owner_token,
        &format!("/api/v1/orgs/acme/tickets/{key}"),
    )
    .await
    .1
}

#[tokio::test]
async fn bulk_changes_apply_to_every_ticket_with_a_result_each() {
    let app = TestApp::start().await;
    let org = org_with_tickets(&app, 3).await;
    app.member(&org, "bob", Role::Member).await;
    let (status, body) = bulk(
        &app,
        &org.owner_token,
        json!({
            "keys": ["WEB-1", "web-2", "WEB-3"],
            "operations": {
                "set": { "assignee": "bob", "priority": "high" },
                "add_labels": ["triaged"],
                "transition": "In Progress"
            }
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["applied"].clone(), body["succeeded"].clone()),
        (json!(true), json!(3))
    );
    assert_eq!(
        body["results"][1],
        json!({ "key": "WEB-2", "status": "ok", "ticket": "WEB-2" })
    );
    let t = ticket(&app, &org, "WEB-2").await;
    assert_eq!(t["status"]["name"], "In Progress");
    assert_eq!(t["assignee"]["login"], "bob");
    assert_eq!(t["labels"], json!(["triaged"]));
    // Every audit entry of the request carries its id.
    let (_, log) = app
        .get(
            &org.owner_token,
            "/api/v1/orgs/acme/audit-log?action=ticket.",
        )
        .await;
    let tagged = log["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["bulk_id"] == body["bulk_id"])
        .count();
    assert_eq!(tagged, 6, "{log}");
}

#[tokio::test]
async fn by_default_nothing_is_applied_when_one_ticket_fails() {
    let app = TestApp::start().await;
    let org = org_with_tickets(&app, 2).await;
    let (status, body) = bulk(
        &app,
        &org.owner_token,
        json!({ "keys": ["WEB-1", "WEB-99", "NOPE"], "operations": { "transition": "In Progress" } }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["applied"], false);
    assert_eq!(body["results"][0]["status"], "ok");
    assert_eq!(
        body["results"][1]["error"]["type"],
        "urn:trellis:problem:not-found"
    );
    assert_eq!(body["results"][2]["error"]["status"], 404);
    assert_eq!(ticket(&app, &org, "WEB-1").await["version"], 1);

    // Not atomic: the good ones are applied.
    let (_, body) = bulk(
        &app,
        &org.owner_token,
        json!({ "keys": ["WEB-1", "WEB-99"], "atomic": false,
                "operations": { "transition": "In Progress" } }),
    )
    .await;
    assert_eq!(
        (body["applied"].clone(), body["failed"].clone()),
        (json!(true), json!(1))
    );
    assert_eq!(
        ticket(&app, &org, "WEB-1").await["status"]["name"],
        "In Progress"
    );
}

#[tokio::test]
async fn workflow_rules_and_dry_runs_apply_per_ticket() {
    let app = TestApp::start().await;
    let org = org_with_tickets(&app, 2).await;
    let (_, body) = bulk(
        &app,
        &org.owner_token,
        json!({ "keys": ["WEB-1"], "operations": { "transition": "Done" } }),
    )
    .await;
    assert_eq!(
        body["results"][0]["error"]["type"], "urn:trellis:problem:transition-not-allowed",
        "{body}"
    );
    let (_, body) = bulk(
        &app,
        &org.owner_token,
        json!({ "keys": ["WEB-1", "WEB-2"], "dry_run": true, "operations": { "delete": true } }),
    )
    .await;
    assert_eq!(
        (body["applied"].clone(), body["succeeded"].clone()),
        (json!(false), json!(2))
    );
    assert_eq!(ticket(&app, &org, "WEB-2").await["key"], "WEB-2");
}

#[tokio::test]
async fn hidden_tickets_are_not_found_and_viewers_may_not_bulk() {
    let app = TestApp::start().await;
    let org = org_with_tickets(&app, 1).await;
    app.private_project(&org).await;
    app.ticket(&org, "SEC", "secret").await;
    let bob = app.member(&org, "bob", Role::Member).await;
    let (_, body) = bulk(
        &app,
        &bob,
        json!({ "keys": ["SEC-1"], "operations": { "add_labels": ["x"] } }),
    )
    .await;
    assert_eq!(body["results"][0]["error"]["status"], 404, "{body}");
    assert!(!body.to_string().contains("secret"));
    let viewer = app.member(&org, "vic", Role::Viewer).await;
    let (status, problem) = bulk(
        &app,
        &viewer,
        json!({ "keys": ["WEB-1"], "operations": { "add_labels": ["x"] } }),
    )
    .await;
    assert_problem(status, &problem, 403, "forbidden");
}

#[tokio::test]
async fn bad_bulk_requests_are_field_problems_and_write_nothing() {
    let app = TestApp::start().await;
    let org = org_with_tickets(&app, 1).await;
    let many: Vec<String> = (1..=1001).map(|n| format!("WEB-{n}")).collect();
    for (body, field) in [
        (
            json!({ "keys": many, "operations": { "delete": true } }),
            "keys",
        ),
        (
            json!({ "keys": [], "operations": { "delete": true } }),
            "keys",
        ),
        (
            json!({ "keys": ["WEB-1", "web-1"], "operations": { "delete": true } }),
            "keys[1]",
        ),
        (json!({ "keys": ["WEB-1"], "operations": {} }), "operations"),
        (
            json!({ "keys": ["WEB-1"], "operations": { "add_labels": ["a b"] } }),
            "operations.add_labels[0]",
        ),
        (
            json!({ "keys": ["WEB-1"], "operations": { "set": { "title": "" } } }),
            "operations.set.title",
        ),
        (
            json!({ "keys": ["WEB-1"], "operations": { "bogus": 1 } }),
            "operations",
        ),
    ] {
        let (status, problem) = bulk(&app, &org.owner_token, body.clone()).await;
        assert_problem(status, &problem, 422, "validation");
        assert!(
            problem["field"]
                .as_str()
                .is_some_and(|f| f.starts_with(field)),
            "{body}: {problem}"
        );
    }
    assert_eq!(ticket(&app, &org, "WEB-1").await["version"], 1);
}

/// `cargo nextest run -p trellis --run-ignored only -E 'test(bulk_transition_of_1000)'`
#[tokio::test]
#[ignore = "benchmark: prints the time of a bulk transition of 1,000 tickets"]
async fn bulk_transition_of_1000_tickets_benchmark() {
    let app = TestApp::start().await;
    let org = org_with_tickets(&app, 0).await;
    // Created 20 at a time: the pool, not the benchmark, would limit more at once.
    for chunk in 0..50 {
        let created = futures_util::future::join_all((0..20).map(|i| {
            app.send_json(
                Method::POST,
                &org.owner_token,
                "/api/v1/orgs/acme/projects/WEB/tickets",
                json!({ "title": format!("t{chunk}-{i}") }),
            )
        }))
        .await;
        assert!(created.iter().all(|(s, _)| *s == 201), "{:?}", created[0]);
    }
    let keys: Vec<String> = (1..=1000).map(|n| format!("WEB-{n}")).collect();
    let started = Instant::now();
    let (status, body) = bulk(
        &app,
        &org.owner_token,
        json!({ "keys": keys, "operations": { "transition": "In Progress" } }),
    )
    .await;
    let elapsed = started.elapsed();
    assert_eq!(status, 200);
    assert_eq!(body["succeeded"], 1000, "{}", body["results"][0]);
    println!(
        "bulk transition of 1,000 tickets: {} ms",
        elapsed.as_millis()
    );
}
