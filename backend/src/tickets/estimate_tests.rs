//! Story points, original estimate and start date: set, change, clear, refuse, search.

use reqwest::Method;
use serde_json::{Value, json};

use crate::test_support::{TestApp, TestOrg, assert_problem};

async fn setup() -> (TestApp, TestOrg) {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    (app, org)
}

async fn send(
    app: &TestApp,
    org: &TestOrg,
    method: Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    app.send_json(
        method,
        &org.owner_token,
        &format!("/api/v1/orgs/acme{path}"),
        body,
    )
    .await
}

#[tokio::test]
async fn estimates_are_set_changed_cleared_and_checked() {
    let (app, org) = setup().await;
    let (status, t) = send(
        &app,
        &org,
        Method::POST,
        "/projects/WEB/tickets",
        json!({ "title": "A", "story_points": 2.5, "original_estimate": 90, "start_date": "2026-12-01" }),
    )
    .await;
    assert_eq!(status, 201, "{t}");
    assert_eq!(t["story_points"], 2.5);
    assert_eq!(t["original_estimate"], 90);
    assert_eq!(t["start_date"], "2026-12-01");

    let (status, t) = send(
        &app,
        &org,
        Method::PATCH,
        "/tickets/WEB-1",
        json!({ "story_points": 5 }),
    )
    .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["story_points"], 5.0);
    assert_eq!(t["original_estimate"], 90, "untouched");
    let (status, t) = send(
        &app,
        &org,
        Method::PATCH,
        "/tickets/WEB-1",
        json!({ "original_estimate": null, "start_date": null }),
    )
    .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["original_estimate"], Value::Null);
    assert_eq!(t["start_date"], Value::Null);
    assert_eq!(t["story_points"], 5.0);
    // PUT clears what it leaves out.
    let (status, t) = send(
        &app,
        &org,
        Method::PUT,
        "/tickets/WEB-1",
        json!({ "title": "A", "type": "task", "priority": "low" }),
    )
    .await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["story_points"], Value::Null);

    for (body, field) in [
        (json!({ "story_points": -1 }), "story_points"),
        (json!({ "story_points": 1001 }), "story_points"),
        (json!({ "original_estimate": -5 }), "original_estimate"),
        (
            json!({ "original_estimate": 1_000_001 }),
            "original_estimate",
        ),
    ] {
        let (status, problem) =
            send(&app, &org, Method::PATCH, "/tickets/WEB-1", body.clone()).await;
        assert_problem(status, &problem, 422, "validation");
        assert_eq!(problem["field"], field, "{body}");
    }
    for body in [
        json!({ "original_estimate": 1.5 }),
        json!({ "story_points": "many" }),
        json!({ "start_date": "tomorrow" }),
    ] {
        let (status, problem) =
            send(&app, &org, Method::PATCH, "/tickets/WEB-1", body.clone()).await;
        assert!((400..500).contains(&status), "{body}: {status} {problem}");
        assert!(problem["type"].is_string(), "{body}: {problem}");
    }
    let (_, t) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/tickets/WEB-1")
        .await;
    assert_eq!(t["version"], 4, "refused writes changed nothing: {t}");
}

#[tokio::test]
async fn jql_story_points_original_estimate_and_start_date() {
    let (app, org) = setup().await;
    for body in [
        json!({ "title": "A", "story_points": 1, "original_estimate": 30, "start_date": "2026-11-30" }),
        json!({ "title": "B", "story_points": 2.5, "original_estimate": 120, "start_date": "2026-12-02" }),
        json!({ "title": "C", "story_points": 8 }),
        json!({ "title": "D" }),
    ] {
        let (status, t) = send(&app, &org, Method::POST, "/projects/WEB/tickets", body).await;
        assert_eq!(status, 201, "{t}");
    }
    let keys = async |jql: &str| -> Vec<String> {
        let (status, body) = send(&app, &org, Method::POST, "/search", json!({ "jql": jql })).await;
        assert_eq!(status, 200, "{jql}: {body}");
        let mut keys: Vec<String> = body["issues"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["key"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(body["total"], keys.len(), "{jql}");
        keys.sort();
        keys
    };
    assert_eq!(keys("\"story points\" >= 2.5").await, ["WEB-2", "WEB-3"]);
    assert_eq!(keys("storyPoints = 1").await, ["WEB-1"]);
    assert_eq!(keys("storyPoints in (1, 8)").await, ["WEB-1", "WEB-3"]);
    assert_eq!(keys("storyPoints != 1").await, ["WEB-2", "WEB-3"]);
    assert_eq!(keys("storyPoints is empty").await, ["WEB-4"]);
    assert_eq!(keys("originalEstimate < 60").await, ["WEB-1"]);
    assert_eq!(
        keys("originalEstimate is not empty").await,
        ["WEB-1", "WEB-2"]
    );
    assert_eq!(keys("startDate >= \"2026-12-01\"").await, ["WEB-2"]);
    assert_eq!(keys("startDate is empty").await, ["WEB-3", "WEB-4"]);
    let (status, problem) = send(
        &app,
        &org,
        Method::POST,
        "/search",
        json!({ "jql": "originalEstimate = 1.5" }),
    )
    .await;
    assert_problem(status, &problem, 400, "jql");
}
