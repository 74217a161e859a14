//! Moving tickets between projects, over HTTP: keys, statuses, children, old keys
//! resolving (reads, sub-resources, JQL), permissions, concurrency, bulk moves.

use reqwest::Method;
use serde_json::{Value, json};
use tenancy::Role;

use crate::test_support::{TestApp, TestOrg, assert_problem};

const ORG: &str = "/api/v1/orgs/acme";

async fn setup(projects: &[&str]) -> (TestApp, TestOrg) {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    for key in projects {
        app.project(&org, key).await;
    }
    (app, org)
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    app.get(token, &format!("{ORG}{path}")).await
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    app.send_json(Method::POST, token, &format!("{ORG}{path}"), body)
        .await
}

async fn move_to(app: &TestApp, token: &str, key: &str, body: Value) -> (u16, Value) {
    post(app, token, &format!("/tickets/{key}/move"), body).await
}

async fn create(app: &TestApp, org: &TestOrg, project: &str, body: Value) -> Value {
    let (status, ticket) = post(
        app,
        &org.owner_token,
        &format!("/projects/{project}/tickets"),
        body,
    )
    .await;
    assert_eq!(status, 201, "{ticket}");
    ticket
}

async fn transition(app: &TestApp, org: &TestOrg, key: &str, to: &str) {
    let (status, body) = post(
        app,
        &org.owner_token,
        &format!("/tickets/{key}/transitions"),
        json!({ "to": to }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

/// WEB-1, an epic, and WEB-2, a story in it.
async fn epic_with_story(app: &TestApp, org: &TestOrg) {
    create(app, org, "WEB", json!({ "title": "Epic", "type": "epic" })).await;
    create(
        app,
        org,
        "WEB",
        json!({ "title": "Story", "type": "story", "parent": "WEB-1" }),
    )
    .await;
}

/// The `(a, b)` members of every object in the array `list`.
fn pairs(list: &Value, a: &str, b: &str) -> Vec<(Value, Value)> {
    list.as_array()
        .into_iter()
        .flatten()
        .map(|m| (m[a].clone(), m[b].clone()))
        .collect()
}

/// Adds `In Review` (reachable from `To Do`) to `project`'s workflow.
async fn add_in_review(app: &TestApp, org: &TestOrg, project: &str) {
    let (status, body) = post(
        app,
        &org.owner_token,
        &format!("/projects/{project}/workflow/statuses"),
        json!({ "name": "In Review", "category": "in_progress", "from": ["To Do"], "to": ["Done"] }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn move_gives_the_next_key_of_the_target_and_the_old_key_keeps_resolving() {
    let (app, org) = setup(&["WEB", "OPS"]).await;
    let token = &org.owner_token;
    app.ticket(&org, "OPS", "ops one").await;
    app.ticket(&org, "OPS", "ops two").await;
    let (status, body) = post(
        &app,
        token,
        "/projects/WEB/components",
        json!({ "name": "UI" }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    create(
        &app,
        &org,
        "WEB",
        json!({ "title": "Login page", "components": ["UI"] }),
    )
    .await;
    transition(&app, &org, "WEB-1", "In Progress").await;
    let (status, _) = post(
        &app,
        token,
        "/tickets/WEB-1/comments",
        json!({ "body": "hi" }),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = post(
        &app,
        token,
        "/tickets/WEB-1/worklogs",
        json!({ "minutes": 30 }),
    )
    .await;
    assert_eq!(status, 201);

    let (status, moved) = move_to(&app, token, "WEB-1", json!({ "project": "ops" })).await;
    assert_eq!(status, 200, "{moved}");
    let ticket = &moved["ticket"];
    assert_eq!(ticket["key"], "OPS-3");
    assert_eq!(ticket["status"]["name"], "In Progress");
    assert_eq!(ticket["components"], json!([]));
    assert_eq!(ticket["moved_from"], json!(["WEB-1"]));
    assert_eq!(
        moved["moved"],
        json!([{ "from": "WEB-1", "to": "OPS-3", "status_from": "In Progress",
                 "status_to": "In Progress", "dropped_components": ["UI"], "left_sprint": null }])
    );
    // Last in the target's order, as a new ticket would be.
    let (_, ops2) = get(&app, token, "/tickets/OPS-2").await;
    assert!(ticket["rank"].as_str() > ops2["rank"].as_str(), "{ticket}");

    // Reads of the old key answer the ticket under its new key.
    let (status, old) = get(&app, token, "/tickets/web-1").await;
    assert_eq!((status, old["key"].clone()), (200, json!("OPS-3")), "{old}");
    assert_eq!(old["moved_from"], json!(["WEB-1"]));
    for sub in [
        "comments",
        "worklogs",
        "watchers",
        "links",
        "attachments",
        "history",
    ] {
        let (status, body) = get(&app, token, &format!("/tickets/WEB-1/{sub}")).await;
        assert_eq!(status, 200, "{sub}: {body}");
    }
    let (_, comments) = get(&app, token, "/tickets/WEB-1/comments").await;
    assert_eq!(comments["items"][0]["body"], "hi");
    let (_, history) = get(&app, token, "/tickets/WEB-1/history").await;
    let entry = &history["items"][0];
    assert_eq!(entry["action"], "ticket.move", "{history}");
    for (field, from, to) in [("key", "WEB-1", "OPS-3"), ("project", "WEB", "OPS")] {
        assert!(
            entry["changes"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["field"] == field && c["from"] == from && c["to"] == to),
            "{entry}"
        );
    }

    // JQL finds it by its old key too.
    assert_eq!(app.found(token, "acme", "key = WEB-1").await, ["OPS-3"]);
    assert_eq!(
        app.found(token, "acme", "issue IN (web-1, OPS-1)").await,
        ["OPS-1", "OPS-3"]
    );
    assert_eq!(
        app.found(token, "acme", "project = OPS AND key != WEB-1")
            .await,
        ["OPS-1", "OPS-2"]
    );

    // The old key is never handed out again.
    assert_eq!(app.ticket(&org, "WEB", "next").await["key"], "WEB-2");
    // Writes follow the alias too.
    let (status, patched) = app
        .send_json(
            Method::PATCH,
            token,
            &format!("{ORG}/tickets/WEB-1"),
            json!({ "title": "Renamed" }),
        )
        .await;
    assert_eq!((status, patched["key"].clone()), (200, json!("OPS-3")));
}

#[tokio::test]
async fn move_takes_children_along_each_with_a_new_key() {
    let (app, org) = setup(&["WEB", "OPS"]).await;
    let token = &org.owner_token;
    epic_with_story(&app, &org).await;
    create(
        &app,
        &org,
        "WEB",
        json!({ "title": "Sub", "type": "subtask", "parent": "WEB-2" }),
    )
    .await;
    app.ticket(&org, "WEB", "Unrelated").await;

    // A sub-task moves only with its parent.
    let (status, problem) = move_to(&app, token, "WEB-3", json!({ "project": "OPS" })).await;
    assert_problem(status, &problem, 422, "validation");
    assert_eq!(problem["field"], "project");

    let (status, moved) = move_to(&app, token, "WEB-1", json!({ "project": "OPS" })).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(
        pairs(&moved["moved"], "from", "to"),
        [
            (json!("WEB-1"), json!("OPS-1")),
            (json!("WEB-2"), json!("OPS-2")),
            (json!("WEB-3"), json!("OPS-3")),
        ]
    );
    let (_, sub) = get(&app, token, "/tickets/WEB-3").await;
    assert_eq!(
        (sub["key"].clone(), sub["parent"].clone()),
        (json!("OPS-3"), json!("OPS-2"))
    );
    let (_, story) = get(&app, token, "/tickets/OPS-2").await;
    assert_eq!(story["parent"], "OPS-1");
    assert_eq!(story["moved_from"], json!(["WEB-2"]));
    let (_, unrelated) = get(&app, token, "/tickets/WEB-4").await;
    assert_eq!(unrelated["key"], "WEB-4");
    let (_, log) = get(&app, token, "/audit-log?action=ticket.move").await;
    assert_eq!(log["items"].as_array().map(Vec::len), Some(3), "{log}");
}

#[tokio::test]
async fn move_with_unmapped_statuses_is_a_422_naming_status_map_and_writes_nothing() {
    let (app, org) = setup(&["WEB", "OPS"]).await;
    let token = &org.owner_token;
    add_in_review(&app, &org, "WEB").await;
    app.ticket(&org, "WEB", "Reviewed").await;
    transition(&app, &org, "WEB-1", "In Review").await;
    let audit_before = app.audit_count(&org).await;

    let (status, problem) = move_to(&app, token, "WEB-1", json!({ "project": "OPS" })).await;
    assert_problem(status, &problem, 422, "validation");
    assert_eq!(problem["field"], "status_map");
    assert_eq!(problem["unmapped"], json!(["In Review"]));
    let (status, problem) = move_to(
        &app,
        token,
        "WEB-1",
        json!({ "project": "OPS", "status_map": { "In Review": "Nowhere" } }),
    )
    .await;
    assert_problem(status, &problem, 422, "validation");
    assert_eq!(problem["field"], "status_map");
    let (_, same) = get(&app, token, "/tickets/WEB-1").await;
    assert_eq!(
        (same["key"].clone(), same["version"].clone()),
        (json!("WEB-1"), json!(2))
    );
    assert_eq!(app.audit_count(&org).await, audit_before);
    // OPS's counter did not move either.
    assert_eq!(app.ticket(&org, "OPS", "first").await["key"], "OPS-1");

    let (status, moved) = move_to(
        &app,
        token,
        "WEB-1",
        json!({ "project": "OPS", "status_map": { "in review": "in progress" } }),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["ticket"]["key"], "OPS-2");
    assert_eq!(moved["ticket"]["status"]["name"], "In Progress");
}

#[tokio::test]
async fn move_to_or_from_a_hidden_project_is_404_and_a_viewer_gets_403() {
    let (app, org) = setup(&["WEB", "OPS"]).await;
    let token = &org.owner_token;
    let (status, body) = post(
        &app,
        token,
        "/projects",
        json!({ "key": "SEC", "name": "Security", "private": true }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    app.ticket(&org, "WEB", "public").await;
    app.ticket(&org, "WEB", "soon secret").await;
    app.ticket(&org, "SEC", "secret").await;
    let bob = app.member(&org, "bob", Role::Member).await;

    let (status, problem) = move_to(&app, &bob, "WEB-1", json!({ "project": "SEC" })).await;
    assert_problem(status, &problem, 404, "not-found");
    let (status, problem) = move_to(&app, &bob, "SEC-1", json!({ "project": "WEB" })).await;
    assert_problem(status, &problem, 404, "not-found");
    let (status, problem) = move_to(&app, &bob, "WEB-1", json!({ "project": "NOPE" })).await;
    assert_problem(status, &problem, 404, "not-found");

    let viewer = app.member(&org, "vic", Role::Viewer).await;
    let (status, problem) = move_to(&app, &viewer, "WEB-1", json!({ "project": "OPS" })).await;
    assert_problem(status, &problem, 403, "forbidden");
    // A project viewer may not create in the target.
    let (status, _) = app
        .send_json(
            Method::PUT,
            token,
            &format!("{ORG}/projects/OPS/members/bob"),
            json!({ "role": "viewer" }),
        )
        .await;
    assert_eq!(status, 204);
    let (status, problem) = move_to(&app, &bob, "WEB-1", json!({ "project": "OPS" })).await;
    assert_problem(status, &problem, 403, "forbidden");

    // An old key into a project bob cannot see stays unknown to him.
    let (status, moved) = move_to(&app, token, "WEB-2", json!({ "project": "SEC" })).await;
    assert_eq!(status, 200, "{moved}");
    let (status, _) = get(&app, &bob, "/tickets/WEB-2").await;
    assert_eq!(status, 404);
    let (status, _) = get(&app, &bob, "/tickets/WEB-2/comments").await;
    assert_eq!(status, 404);
    assert!(app.found(&bob, "acme", "key = WEB-2").await.is_empty());
    let (_, still) = get(&app, &bob, "/tickets/WEB-1").await;
    assert_eq!(still["key"], "WEB-1");
}

#[tokio::test]
async fn move_honours_if_match_and_refuses_the_project_it_is_in() {
    let (app, org) = setup(&["WEB", "OPS"]).await;
    app.ticket(&org, "WEB", "t").await;
    let (status, problem) = crate::test_support::send(
        app.request(
            Method::POST,
            &org.owner_token,
            &format!("{ORG}/tickets/WEB-1/move"),
        )
        .header("if-match", "\"7\"")
        .json(&json!({ "project": "OPS" })),
    )
    .await;
    assert_problem(status, &problem, 412, "stale-version");
    let (status, problem) =
        move_to(&app, &org.owner_token, "WEB-1", json!({ "project": "WEB" })).await;
    assert_problem(status, &problem, 409, "already-in-project");
}

#[tokio::test]
async fn concurrent_moves_of_one_ticket_never_lose_or_double_it() {
    let (app, org) = setup(&["WEB", "OPS", "OTH"]).await;
    let token = &org.owner_token;
    for round in 0..5 {
        let title = format!("raced {round}");
        let ticket = app.ticket(&org, "WEB", &title).await;
        let key = ticket["key"].as_str().unwrap_or_default().to_owned();
        let (a, b) = tokio::join!(
            move_to(&app, token, &key, json!({ "project": "OPS" })),
            move_to(&app, token, &key, json!({ "project": "OTH" })),
        );
        let (_, found) = get(&app, token, &format!("/tickets/{key}")).await;
        match (a.0, b.0) {
            // Both ran: the second found the ticket where the first had put it (its
            // old key followed it) and moved it on, so it ends where the second said,
            // with both old keys in its trail.
            (200, 200) => {
                let (first, second) = if b.1["moved"][0]["from"] == a.1["ticket"]["key"] {
                    (&a.1, &b.1)
                } else {
                    (&b.1, &a.1)
                };
                assert_eq!(
                    second["moved"][0]["from"], first["ticket"]["key"],
                    "{a:?} {b:?}"
                );
                assert_eq!(found["key"], second["ticket"]["key"]);
                assert_eq!(
                    found["moved_from"],
                    json!([key, first["ticket"]["key"]]),
                    "{found}"
                );
            }
            (200, other) | (other, 200) => {
                assert!([409, 412].contains(&other), "{a:?} {b:?}");
                let winner = if a.0 == 200 { &a.1 } else { &b.1 };
                assert_eq!(found["key"], winner["ticket"]["key"]);
                assert_eq!(found["moved_from"], json!([key]), "{found}");
            }
            _ => panic!("neither move ran: {a:?} {b:?}"),
        }
    }
    // No ticket lost or doubled, no key given twice.
    let (_, list) = get(&app, token, "/tickets?limit=100").await;
    let mut keys: Vec<String> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["key"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(keys.len(), 5, "{list}");
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 5, "{keys:?}");
}

#[tokio::test]
async fn move_twice_keeps_both_old_keys_resolving() {
    let (app, org) = setup(&["WEB", "OPS", "OTH"]).await;
    let token = &org.owner_token;
    app.ticket(&org, "WEB", "wanderer").await;
    let (status, _) = move_to(&app, token, "WEB-1", json!({ "project": "OPS" })).await;
    assert_eq!(status, 200);
    let (status, moved) = move_to(&app, token, "WEB-1", json!({ "project": "OTH" })).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["moved"][0]["from"], "OPS-1");
    assert_eq!(moved["ticket"]["moved_from"], json!(["WEB-1", "OPS-1"]));
    for old in ["WEB-1", "OPS-1", "OTH-1"] {
        let (status, ticket) = get(&app, token, &format!("/tickets/{old}")).await;
        assert_eq!(
            (status, ticket["key"].clone()),
            (200, json!("OTH-1")),
            "{old}"
        );
    }
    assert_eq!(
        app.found(token, "acme", "key IN (WEB-1, OPS-1)").await,
        ["OTH-1"]
    );
    // Back where it started: a new number, the old ones still resolve.
    let (status, moved) = move_to(&app, token, "OPS-1", json!({ "project": "WEB" })).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["ticket"]["key"], "WEB-2");
    let (_, first) = get(&app, token, "/tickets/WEB-1").await;
    assert_eq!(first["key"], "WEB-2");
}

async fn bulk(app: &TestApp, org: &TestOrg, body: Value) -> Value {
    let (status, body) = post(app, &org.owner_token, "/tickets/bulk", body).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn bulk_move_moves_every_ticket_with_its_children_and_audits_the_bulk_id() {
    let (app, org) = setup(&["WEB", "OPS"]).await;
    let token = &org.owner_token;
    epic_with_story(&app, &org).await;
    app.ticket(&org, "WEB", "Task").await;
    let body = bulk(
        &app,
        &org,
        json!({ "keys": ["WEB-1", "WEB-2", "WEB-3"], "operations": { "move": { "project": "OPS" } } }),
    )
    .await;
    assert_eq!(body["applied"], true, "{body}");
    assert_eq!(
        pairs(&body["results"], "key", "ticket"),
        [
            (json!("WEB-1"), json!("OPS-1")),
            // Moved along with its epic; its old key followed it.
            (json!("WEB-2"), json!("OPS-2")),
            (json!("WEB-3"), json!("OPS-3")),
        ]
    );
    let (_, log) = get(&app, token, "/audit-log?action=ticket.move").await;
    let entries = log["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), 3, "{log}");
    assert!(
        entries.iter().all(|e| e["bulk_id"] == body["bulk_id"]),
        "{log}"
    );
}

#[tokio::test]
async fn bulk_move_is_atomic_and_a_dry_run_writes_nothing() {
    let (app, org) = setup(&["WEB", "OPS"]).await;
    let token = &org.owner_token;
    add_in_review(&app, &org, "WEB").await;
    app.ticket(&org, "WEB", "fine").await;
    app.ticket(&org, "WEB", "in review").await;
    transition(&app, &org, "WEB-2", "In Review").await;
    let audit_before = app.audit_count(&org).await;

    let body = bulk(
        &app,
        &org,
        json!({ "keys": ["WEB-1", "WEB-2"], "operations": { "move": { "project": "OPS" } } }),
    )
    .await;
    assert_eq!(body["applied"], false, "{body}");
    assert_eq!(body["results"][0]["status"], "ok");
    assert_eq!(body["results"][1]["error"]["field"], "status_map");
    let body = bulk(
        &app,
        &org,
        json!({ "keys": ["WEB-1"], "dry_run": true, "operations": { "move": { "project": "OPS" } } }),
    )
    .await;
    assert_eq!(
        (body["applied"].clone(), body["succeeded"].clone()),
        (json!(false), json!(1))
    );
    for key in ["WEB-1", "WEB-2"] {
        let (_, ticket) = get(&app, token, &format!("/tickets/{key}")).await;
        assert_eq!(ticket["key"], key);
    }
    assert_eq!(app.audit_count(&org).await, audit_before);
    assert_eq!(app.ticket(&org, "OPS", "first").await["key"], "OPS-1");

    // With the map, both go.
    let body = bulk(
        &app,
        &org,
        json!({ "keys": ["WEB-1", "WEB-2"],
                "operations": { "move": { "project": "OPS", "status_map": { "In Review": "In Progress" } } } }),
    )
    .await;
    assert_eq!(body["succeeded"], 2, "{body}");
    // Bad move operations are field problems of the request.
    for (operations, field) in [
        (
            json!({ "move": { "project": "no such key!" } }),
            "operations.move.project",
        ),
        (
            json!({ "move": { "project": "OPS" }, "delete": true }),
            "operations.move",
        ),
    ] {
        let (status, problem) = post(
            &app,
            token,
            "/tickets/bulk",
            json!({ "keys": ["OPS-1"], "operations": operations }),
        )
        .await;
        assert_problem(status, &problem, 422, "validation");
        assert_eq!(problem["field"], field, "{problem}");
    }
}

#[tokio::test]
async fn bulk_move_takes_a_sub_task_listed_before_its_parent_along_with_it() {
    let (app, org) = setup(&["WEB", "OPS"]).await;
    create(
        &app,
        &org,
        "WEB",
        json!({ "title": "Story", "type": "story" }),
    )
    .await;
    create(
        &app,
        &org,
        "WEB",
        json!({ "title": "Sub", "type": "subtask", "parent": "WEB-1" }),
    )
    .await;
    let body = bulk(
        &app,
        &org,
        json!({ "keys": ["WEB-2", "WEB-1"], "operations": { "move": { "project": "OPS" } } }),
    )
    .await;
    assert_eq!(body["applied"], true, "{body}");
    assert_eq!(
        body["results"],
        json!([{ "key": "WEB-2", "status": "ok", "ticket": "OPS-2" },
               { "key": "WEB-1", "status": "ok", "ticket": "OPS-1" }])
    );
    // Without its parent, a sub-task is refused.
    create(
        &app,
        &org,
        "WEB",
        json!({ "title": "Story 2", "type": "story" }),
    )
    .await;
    create(
        &app,
        &org,
        "WEB",
        json!({ "title": "Sub 2", "type": "subtask", "parent": "WEB-3" }),
    )
    .await;
    let body = bulk(
        &app,
        &org,
        json!({ "keys": ["WEB-4"], "operations": { "move": { "project": "OPS" } } }),
    )
    .await;
    assert_eq!(body["results"][0]["error"]["field"], "project", "{body}");
}

/// `key = OLD-7` stays index-driven for the application role under row-level security:
/// with sequential scans priced out, neither `tickets` nor `ticket_key_aliases` is
/// scanned whole (a non-LEAKPROOF operator would leave the planner no index to use).
#[tokio::test]
async fn old_key_in_jql_after_a_move_is_answered_by_indexes() {
    use diesel_async::RunQueryDsl;
    let (app, org) = setup(&["WEB", "OPS"]).await;
    app.ticket(&org, "WEB", "wanderer").await;
    let (status, _) = move_to(&app, &org.owner_token, "WEB-1", json!({ "project": "OPS" })).await;
    assert_eq!(status, 200);
    let mut conn = app.conn().await;
    let scope = tenancy::authorize_user(&mut conn, org.owner, "acme")
        .await
        .expect("lookup")
        .expect("member");
    let query = jql::parse("key IN (WEB-1, OPS-9)").expect("jql");
    let mut plans = Vec::new();
    let found = scope
        .transaction(&mut conn, async |tx| {
            diesel::sql_query("SET LOCAL enable_seqscan = off")
                .execute(tx.conn())
                .await?;
            let ctx = crate::search::compile::Context {
                user: tx.scope().user_id(),
                now: chrono::Utc::now(),
                zone: chrono::FixedOffset::east_opt(0).expect("utc"),
                hidden_projects: Vec::new(),
            };
            crate::search::run(tx, &query, &ctx, None, 10, Some(&mut plans)).await
        })
        .await
        .expect("search");
    assert_eq!(found.total, 1);
    let plan = plans.join("\n");
    assert!(!plan.contains("Seq Scan"), "{plan}");
    assert!(plan.contains("ticket_key_aliases"), "{plan}");
}

#[tokio::test]
async fn parent_and_linked_issues_in_jql_follow_an_old_key() {
    let (app, org) = setup(&["WEB", "OPS", "API"]).await;
    let token = &org.owner_token;
    create(
        &app,
        &org,
        "WEB",
        json!({ "title": "Epic", "type": "epic" }),
    )
    .await;
    // A child in another project stays there when its epic moves.
    create(
        &app,
        &org,
        "API",
        json!({ "title": "Story elsewhere", "type": "story", "parent": "WEB-1" }),
    )
    .await;
    app.ticket(&org, "API", "Related").await;
    let (status, link) = post(
        &app,
        token,
        "/tickets/API-2/links",
        json!({ "link": "blocks", "ticket": "WEB-1" }),
    )
    .await;
    assert_eq!(status, 201, "{link}");
    let (status, moved) = move_to(&app, token, "WEB-1", json!({ "project": "OPS" })).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["ticket"]["key"], "OPS-1");
    for old_or_new in ["WEB-1", "OPS-1"] {
        assert_eq!(
            app.found(token, "acme", &format!("parent = {old_or_new}"))
                .await,
            ["API-1"],
            "{old_or_new}"
        );
        assert_eq!(
            app.found(
                token,
                "acme",
                &format!("issue IN linkedIssues({old_or_new})")
            )
            .await,
            ["API-2"],
            "{old_or_new}"
        );
        assert_eq!(
            app.found(
                token,
                "acme",
                &format!("issue IN linkedIssues({old_or_new}, \"is blocked by\")")
            )
            .await,
            ["API-2"],
            "{old_or_new}"
        );
    }
    assert!(
        app.found(token, "acme", "parent != WEB-1 AND project = API")
            .await
            .is_empty()
    );
}
