use reqwest::Method;
use serde_json::{Value, json};
use tenancy::Role;

use crate::test_support::{TestApp, TestOrg, assert_problem};

async fn setup(tickets: usize) -> (TestApp, TestOrg) {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    for i in 0..tickets {
        app.ticket(&org, "WEB", &format!("Ticket {i}")).await;
    }
    (app, org)
}

async fn sprint(app: &TestApp, org: &TestOrg, name: &str) -> String {
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/projects/WEB/sprints",
            json!({ "name": name, "goal": "Ship it", "start_date": "2026-12-01", "end_date": "2026-12-14" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["state"], "future");
    body["id"].as_str().unwrap_or_default().to_owned()
}

async fn post(app: &TestApp, org: &TestOrg, path: &str, body: Value) -> (u16, Value) {
    app.send_json(
        Method::POST,
        &org.owner_token,
        &format!("/api/v1/orgs/acme{path}"),
        body,
    )
    .await
}

async fn search(app: &TestApp, org: &TestOrg, jql: &str) -> Vec<String> {
    let (status, body) = post(app, org, "/search", json!({ "jql": jql })).await;
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

fn keys(list: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = list.iter().map(|k| (*k).to_owned()).collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_sprint_is_planned_started_and_completed_with_scope_history_and_jql() {
    let (app, org) = setup(5).await;
    let s4 = sprint(&app, &org, "WEB Sprint 4").await;
    let s5 = sprint(&app, &org, "WEB Sprint 5").await;

    // Planned through the sprint's route and through the ticket PATCH.
    let (status, body) = post(
        &app,
        &org,
        &format!("/sprints/{s4}/tickets"),
        json!({ "add": ["WEB-1", "WEB-2"] }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tickets"][0]["sprint"]["name"], "WEB Sprint 4");
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &org.owner_token,
            "/api/v1/orgs/acme/tickets/WEB-3",
            json!({ "sprint": s4 }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sprint"]["id"], s4.as_str());
    // WEB-4 goes to Sprint 5, then moves to Sprint 4 and out again.
    let (status, _) = post(
        &app,
        &org,
        &format!("/sprints/{s5}/tickets"),
        json!({ "add": ["WEB-4"] }),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = post(
        &app,
        &org,
        &format!("/sprints/{s4}/tickets"),
        json!({ "add": ["WEB-4"] }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(
        &app,
        &org,
        &format!("/sprints/{s4}/tickets"),
        json!({ "remove": ["WEB-4"] }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["tickets"][0]["sprint"], Value::Null);
    // Removing a ticket that is not in the sprint names it.
    let (status, body) = post(
        &app,
        &org,
        &format!("/sprints/{s4}/tickets"),
        json!({ "remove": ["WEB-5"] }),
    )
    .await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(body["field"], "remove[0]");

    assert_eq!(
        search(&app, &org, "sprint = \"WEB Sprint 4\"").await,
        keys(&["WEB-1", "WEB-2", "WEB-3"])
    );
    assert_eq!(
        search(&app, &org, "sprint IN openSprints()").await,
        keys(&["WEB-1", "WEB-2", "WEB-3"])
    );
    assert_eq!(
        search(&app, &org, "sprint IS EMPTY").await,
        keys(&["WEB-4", "WEB-5"])
    );
    assert!(
        search(&app, &org, "sprint IN closedSprints()")
            .await
            .is_empty()
    );

    // Start: one active sprint per project.
    let (status, body) = post(&app, &org, &format!("/sprints/{s4}/start"), Value::Null).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "active");
    let (status, body) = post(&app, &org, &format!("/sprints/{s5}/start"), Value::Null).await;
    assert_problem(status, &body, 409, "active-sprint-exists");
    // An active sprint cannot be deleted.
    let (status, body) = app
        .send_json(
            Method::DELETE,
            &org.owner_token,
            &format!("/api/v1/orgs/acme/sprints/{s4}"),
            Value::Null,
        )
        .await;
    assert_problem(status, &body, 409, "sprint-state");

    // WEB-1 is done; complete moves WEB-2 and WEB-3 to Sprint 5.
    for to in ["In Progress", "Done"] {
        let (status, body) = post(
            &app,
            &org,
            "/tickets/WEB-1/transitions",
            json!({ "to": to }),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = post(
        &app,
        &org,
        &format!("/sprints/{s4}/complete"),
        json!({ "move_open_to": s5 }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["sprint"]["state"], "closed");
    assert_eq!(body["done"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["moved"].as_array().map(Vec::len), Some(2));

    assert_eq!(
        search(&app, &org, "sprint = \"web sprint 4\"").await,
        keys(&["WEB-1", "WEB-2", "WEB-3"])
    );
    assert_eq!(
        search(&app, &org, "sprint IN closedSprints()").await,
        keys(&["WEB-1", "WEB-2", "WEB-3"])
    );
    assert_eq!(
        search(&app, &org, "sprint = \"WEB Sprint 5\"").await,
        keys(&["WEB-2", "WEB-3"])
    );
    assert_eq!(
        search(&app, &org, "sprint IN openSprints()").await,
        keys(&["WEB-2", "WEB-3"])
    );
    assert_eq!(
        search(&app, &org, "sprint NOT IN openSprints()").await,
        keys(&["WEB-1"])
    );
    assert_eq!(
        search(&app, &org, "sprint != \"WEB Sprint 5\"").await,
        keys(&["WEB-1"])
    );
    assert_eq!(
        search(&app, &org, "sprint IS EMPTY").await,
        keys(&["WEB-4", "WEB-5"])
    );
    let (_, web1) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/tickets/WEB-1")
        .await;
    assert_eq!(web1["sprint"], Value::Null);

    // A closed sprint takes no tickets, through either route.
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &org.owner_token,
            "/api/v1/orgs/acme/tickets/WEB-5",
            json!({ "sprint": s4 }),
        )
        .await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(body["field"], "sprint");
    let (status, body) = post(
        &app,
        &org,
        &format!("/sprints/{s4}/tickets"),
        json!({ "add": ["WEB-5"] }),
    )
    .await;
    assert_problem(status, &body, 409, "sprint-state");

    // The scope history, for burndown.
    let (status, body) = app
        .get(
            &org.owner_token,
            &format!("/api/v1/orgs/acme/sprints/{s4}/scope-changes"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let changes: Vec<String> = body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["change"].as_str().map(str::to_owned))
        .collect();
    // WEB-1..3 and WEB-4 added, WEB-4 removed, WEB-2 and WEB-3 carried over.
    assert_eq!(
        changes.iter().filter(|c| *c == "added").count(),
        4,
        "{body}"
    );
    assert_eq!(
        changes.iter().filter(|c| *c == "removed").count(),
        3,
        "{body}"
    );
    let (_, body) = app
        .get(
            &org.owner_token,
            &format!("/api/v1/orgs/acme/sprints/{s5}/scope-changes"),
        )
        .await;
    // WEB-4 added and removed, WEB-2 and WEB-3 carried in.
    assert_eq!(body["items"].as_array().map(Vec::len), Some(4), "{body}");

    // The list and its filter.
    let (_, list) = app
        .get(
            &org.owner_token,
            "/api/v1/orgs/acme/projects/WEB/sprints?state=future",
        )
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list["items"][0]["name"], "WEB Sprint 5");
}

#[tokio::test]
async fn deleting_a_future_sprint_returns_its_tickets_to_the_backlog() {
    let (app, org) = setup(2).await;
    let s1 = sprint(&app, &org, "Sprint 1").await;
    let (status, _) = post(
        &app,
        &org,
        &format!("/sprints/{s1}/tickets"),
        json!({ "add": ["WEB-1", "WEB-2"] }),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = app
        .send_json(
            Method::DELETE,
            &org.owner_token,
            &format!("/api/v1/orgs/acme/sprints/{s1}"),
            Value::Null,
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, web1) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/tickets/WEB-1")
        .await;
    assert_eq!(web1["sprint"], Value::Null);
    let (status, _) = app
        .get(&org.owner_token, &format!("/api/v1/orgs/acme/sprints/{s1}"))
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        search(&app, &org, "sprint IS EMPTY").await,
        keys(&["WEB-1", "WEB-2"])
    );
}

#[tokio::test]
async fn sprint_fields_are_validated_and_names_are_unique_per_project() {
    let (app, org) = setup(0).await;
    sprint(&app, &org, "Sprint 1").await;
    let create = |body: Value| {
        app.send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/projects/WEB/sprints",
            body,
        )
    };
    let (status, body) = create(json!({ "name": "Sprint 1" })).await;
    assert_problem(status, &body, 409, "already-exists");
    // Names compare ignoring case, as JQL reads them.
    let (status, body) = create(json!({ "name": "SPRINT 1" })).await;
    assert_problem(status, &body, 409, "already-exists");
    let (status, body) = create(json!({ "name": "  " })).await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(body["field"], "name");
    let (status, body) = create(
        json!({ "name": "Backwards", "start_date": "2026-12-10", "end_date": "2026-12-01" }),
    )
    .await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(body["field"], "end_date");
    let (status, body) = create(json!({ "name": "Bad date", "start_date": "tomorrow" })).await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(body["field"], "start_date");
    // A viewer may read sprints but not plan them.
    let viewer = app.member(&org, "vera", Role::Viewer).await;
    let (status, _) = app
        .get(&viewer, "/api/v1/orgs/acme/projects/WEB/sprints")
        .await;
    assert_eq!(status, 200);
    let (status, body) = app
        .send_json(
            Method::POST,
            &viewer,
            "/api/v1/orgs/acme/projects/WEB/sprints",
            json!({ "name": "Mine" }),
        )
        .await;
    assert_problem(status, &body, 403, "forbidden");
}

#[tokio::test]
async fn concurrent_starts_leave_exactly_one_active_sprint() {
    let (app, org) = setup(0).await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(sprint(&app, &org, &format!("Sprint {i}")).await);
    }
    let paths: Vec<String> = ids
        .iter()
        .map(|id| format!("/api/v1/orgs/acme/sprints/{id}/start"))
        .collect();
    let starts = paths
        .iter()
        .map(|path| app.send_json(Method::POST, &org.owner_token, path, Value::Null));
    let results = futures_util::future::join_all(starts).await;
    let started = results.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(started, 1, "{results:?}");
    for (status, body) in &results {
        if *status != 200 {
            assert_problem(*status, body, 409, "active-sprint-exists");
        }
    }
    let (_, list) = app
        .get(
            &org.owner_token,
            "/api/v1/orgs/acme/projects/WEB/sprints?state=active",
        )
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
}

#[tokio::test]
async fn completion_reports_live_tickets_and_every_moved_ticket_has_its_history() {
    let (app, org) = setup(4).await;
    let s1 = sprint(&app, &org, "WEB Sprint 1").await;
    let s2 = sprint(&app, &org, "WEB Sprint 2").await;
    let (status, body) = post(
        &app,
        &org,
        &format!("/sprints/{s1}/tickets"),
        json!({ "add": ["WEB-1", "WEB-2", "WEB-3"] }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // WEB-2 done, WEB-3 deleted while planned.
    for to in ["In Progress", "Done"] {
        let (status, body) = post(
            &app,
            &org,
            "/tickets/WEB-2/transitions",
            json!({ "to": to }),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, _) = app
        .send_json(
            Method::DELETE,
            &org.owner_token,
            "/api/v1/orgs/acme/tickets/WEB-3",
            json!(null),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        post(&app, &org, &format!("/sprints/{s1}/start"), json!({}))
            .await
            .0,
        200
    );
    let (status, done) = post(
        &app,
        &org,
        &format!("/sprints/{s1}/complete"),
        json!({ "move_open_to": s2 }),
    )
    .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["done"].as_array().map(Vec::len), Some(1), "{done}");
    assert_eq!(done["moved"].as_array().map(Vec::len), Some(1), "{done}");
    for (key, to) in [("WEB-1", json!("WEB Sprint 2")), ("WEB-2", Value::Null)] {
        let (_, history) = app
            .get(
                &org.owner_token,
                &format!("/api/v1/orgs/acme/tickets/{key}/history"),
            )
            .await;
        let change = &history["items"][0]["changes"][0];
        assert_eq!(change["field"], "sprint", "{key}: {history}");
        assert_eq!(change["from"], "WEB Sprint 1", "{key}");
        assert_eq!(change["to"], to, "{key}");
    }
    // Deleting a future sprint returns its tickets, each with a history entry.
    let (status, body) = app
        .request(
            Method::DELETE,
            &org.owner_token,
            &format!("/api/v1/orgs/acme/sprints/{s2}"),
        )
        .header("if-match", "\"1\"")
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap_or((0, ()));
    assert_eq!(status, 204, "{body:?}");
    let (_, history) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/tickets/WEB-1/history")
        .await;
    let change = &history["items"][0]["changes"][0];
    assert_eq!(
        (change["from"].clone(), change["to"].clone()),
        (json!("WEB Sprint 2"), Value::Null)
    );
}
