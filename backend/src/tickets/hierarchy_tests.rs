//! Parents and children over HTTP: the type rules, set/change/clear, progress, the
//! races, and JQL `parent`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::test_support::{TestApp, TestOrg, assert_problem, send};

async fn setup() -> (TestApp, TestOrg) {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    (app, org)
}

async fn create(app: &TestApp, org: &TestOrg, body: Value) -> (u16, Value) {
    app.send_json(
        Method::POST,
        &org.owner_token,
        "/api/v1/orgs/acme/projects/WEB/tickets",
        body,
    )
    .await
}

async fn created(app: &TestApp, org: &TestOrg, body: Value) -> Value {
    let (status, ticket) = create(app, org, body).await;
    assert_eq!(status, 201, "{ticket}");
    ticket
}

async fn patch(app: &TestApp, org: &TestOrg, key: &str, body: Value) -> (u16, Value) {
    app.send_json(
        Method::PATCH,
        &org.owner_token,
        &format!("/api/v1/orgs/acme/tickets/{key}"),
        body,
    )
    .await
}

async fn get(app: &TestApp, org: &TestOrg, key: &str) -> Value {
    let (status, ticket) = app
        .get(
            &org.owner_token,
            &format!("/api/v1/orgs/acme/tickets/{key}"),
        )
        .await;
    assert_eq!(status, 200, "{ticket}");
    ticket
}

async fn total_tickets(app: &TestApp, org: &TestOrg) -> usize {
    let (_, list) = app.get(&org.owner_token, "/api/v1/orgs/acme/tickets").await;
    list["items"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn types_nest_epic_story_subtask_and_refuse_the_rest() {
    let (app, org) = setup().await;
    let epic = created(&app, &org, json!({ "title": "Epic", "type": "epic" })).await;
    assert_eq!(epic["parent"], Value::Null);
    assert_eq!(epic["children"], json!({ "total": 0, "done": 0 }));
    let story = created(
        &app,
        &org,
        json!({ "title": "Story", "type": "story", "parent": "web-1" }),
    )
    .await;
    assert_eq!(story["parent"], "WEB-1");
    let sub = created(
        &app,
        &org,
        json!({ "title": "Sub", "type": "subtask", "parent": "WEB-2" }),
    )
    .await;
    assert_eq!(sub["parent"], "WEB-2");
    assert_eq!(
        get(&app, &org, "WEB-1").await["children"],
        json!({ "total": 1, "done": 0 })
    );
    assert_eq!(get(&app, &org, "WEB-2").await["children"]["total"], 1);

    let before = total_tickets(&app, &org).await;
    for (body, why) in [
        (json!({ "title": "x", "type": "subtask" }), "needs a parent"),
        (
            json!({ "title": "x", "type": "epic", "parent": "WEB-1" }),
            "epic has no parent",
        ),
        (
            json!({ "title": "x", "type": "task", "parent": "WEB-2" }),
            "must be an epic",
        ),
        (
            json!({ "title": "x", "type": "subtask", "parent": "WEB-1" }),
            "story, task or bug",
        ),
        (
            json!({ "title": "x", "type": "subtask", "parent": "WEB-3" }),
            "story, task or bug",
        ),
        (
            json!({ "title": "x", "type": "task", "parent": "WEB-99" }),
            "no ticket",
        ),
        (
            json!({ "title": "x", "type": "task", "parent": "nonsense" }),
            "ticket key",
        ),
    ] {
        let (status, problem) = create(&app, &org, body.clone()).await;
        assert_problem(status, &problem, 422, "validation");
        assert_eq!(problem["field"], "parent", "{body}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap_or_default().contains(why),
            "{body}: {problem}"
        );
    }
    assert_eq!(total_tickets(&app, &org).await, before, "nothing written");
}

#[tokio::test]
async fn parent_is_set_changed_and_cleared_with_progress_and_audit() {
    let (app, org) = setup().await;
    created(&app, &org, json!({ "title": "E1", "type": "epic" })).await;
    created(&app, &org, json!({ "title": "E2", "type": "epic" })).await;
    created(&app, &org, json!({ "title": "Task", "type": "task" })).await;
    created(
        &app,
        &org,
        json!({ "title": "Bug", "type": "bug", "parent": "WEB-1" }),
    )
    .await;

    let (status, task) = patch(&app, &org, "WEB-3", json!({ "parent": "WEB-1" })).await;
    assert_eq!(status, 200, "{task}");
    assert_eq!(task["parent"], "WEB-1");
    assert_eq!(task["version"], 2);
    assert_eq!(get(&app, &org, "WEB-1").await["children"]["total"], 2);

    // Progress follows the children's status category.
    for to in ["In Progress", "Done"] {
        let (status, body) = app
            .send_json(
                Method::POST,
                &org.owner_token,
                "/api/v1/orgs/acme/tickets/WEB-3/transitions",
                json!({ "to": to }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(
        get(&app, &org, "WEB-1").await["children"],
        json!({ "total": 2, "done": 1 })
    );

    let (status, task) = patch(&app, &org, "WEB-3", json!({ "parent": "WEB-2" })).await;
    assert_eq!(status, 200, "{task}");
    assert_eq!(task["parent"], "WEB-2");
    assert_eq!(
        get(&app, &org, "WEB-1").await["children"],
        json!({ "total": 1, "done": 0 })
    );
    let (status, task) = patch(&app, &org, "WEB-3", json!({ "parent": null })).await;
    assert_eq!(status, 200, "{task}");
    assert_eq!(task["parent"], Value::Null);
    assert_eq!(get(&app, &org, "WEB-2").await["children"]["total"], 0);

    // PUT is the whole state: leaving `parent` out clears it.
    let (status, bug) = app
        .send_json(
            Method::PUT,
            &org.owner_token,
            "/api/v1/orgs/acme/tickets/WEB-4",
            json!({ "title": "Bug", "type": "bug", "priority": "high" }),
        )
        .await;
    assert_eq!(status, 200, "{bug}");
    assert_eq!(bug["parent"], Value::Null);

    // A deleted parent disappears from its children and cannot be chosen.
    patch(&app, &org, "WEB-3", json!({ "parent": "WEB-2" })).await;
    let (status, _) = send(app.request(
        Method::DELETE,
        &org.owner_token,
        "/api/v1/orgs/acme/tickets/WEB-2",
    ))
    .await;
    assert_eq!(status, 204);
    assert_eq!(get(&app, &org, "WEB-3").await["parent"], Value::Null);
    let (status, problem) = patch(&app, &org, "WEB-4", json!({ "parent": "WEB-2" })).await;
    assert_problem(status, &problem, 422, "validation");

    // Parent-only changes are audited as `ticket.parent`.
    let (_, log) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/audit-log?limit=100")
        .await;
    let actions: Vec<&str> = log["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == "ticket.parent").count(),
        4,
        "{actions:?}"
    );
}

#[tokio::test]
async fn type_changes_must_fit_parent_and_children() {
    let (app, org) = setup().await;
    created(&app, &org, json!({ "title": "Epic", "type": "epic" })).await;
    created(
        &app,
        &org,
        json!({ "title": "Story", "type": "story", "parent": "WEB-1" }),
    )
    .await;
    created(
        &app,
        &org,
        json!({ "title": "Sub", "type": "subtask", "parent": "WEB-2" }),
    )
    .await;

    // An epic with stories cannot become a story; a story with sub-tasks not an epic.
    let (status, problem) = patch(&app, &org, "WEB-1", json!({ "type": "story" })).await;
    assert_problem(status, &problem, 422, "validation");
    assert_eq!(problem["field"], "type", "{problem}");
    let (status, problem) = patch(
        &app,
        &org,
        "WEB-2",
        json!({ "type": "epic", "parent": null }),
    )
    .await;
    assert_problem(status, &problem, 422, "validation");
    // A sub-task under a story cannot become a task there, but can at the top.
    let (status, problem) = patch(&app, &org, "WEB-3", json!({ "type": "task" })).await;
    assert_problem(status, &problem, 422, "validation");
    assert_eq!(problem["field"], "parent");
    let (status, task) = patch(
        &app,
        &org,
        "WEB-3",
        json!({ "type": "task", "parent": "WEB-1" }),
    )
    .await;
    assert_eq!(status, 200, "{task}");
    // Same level: a story may become a bug and keep its epic.
    let (status, bug) = patch(&app, &org, "WEB-2", json!({ "type": "bug" })).await;
    assert_eq!(status, 200, "{bug}");
    assert_eq!(bug["parent"], "WEB-1");
    // No parent across organizations: globex's WEB-1 is not acme's.
    let globex = app.org("globex").await;
    app.project(&globex, "GLX").await;
    app.ticket(&globex, "GLX", "Theirs").await;
    let (status, problem) = patch(&app, &org, "WEB-3", json!({ "parent": "GLX-1" })).await;
    assert_problem(status, &problem, 422, "validation");
    assert_eq!(problem["field"], "parent");
}

/// Two tasks each made the other's sub-task at once: one wins, never a cycle.
#[tokio::test]
async fn concurrent_reparenting_into_a_cycle_lets_one_win() {
    let (app, org) = setup().await;
    for round in 0..5 {
        let a = created(&app, &org, json!({ "title": format!("A{round}") })).await;
        let b = created(&app, &org, json!({ "title": format!("B{round}") })).await;
        let (ka, kb) = (
            a["key"].as_str().unwrap_or_default().to_owned(),
            b["key"].as_str().unwrap_or_default().to_owned(),
        );
        let (ra, rb) = futures_util::join!(
            patch(&app, &org, &ka, json!({ "type": "subtask", "parent": kb })),
            patch(&app, &org, &kb, json!({ "type": "subtask", "parent": ka })),
        );
        let won = [ra.0, rb.0].iter().filter(|s| **s == 200).count();
        assert_eq!(won, 1, "{ra:?} {rb:?}");
        for (status, body) in [ra, rb] {
            if status != 200 {
                assert_problem(status, &body, 422, "validation");
            }
        }
        let (a, b) = (get(&app, &org, &ka).await, get(&app, &org, &kb).await);
        assert!(
            a["parent"].is_null() || b["parent"].is_null(),
            "cycle: {a} {b}"
        );
    }
}

/// A ticket joining an epic while the epic becomes a story: never both.
#[tokio::test]
async fn concurrent_parent_and_type_change_never_break_the_rules() {
    let (app, org) = setup().await;
    for round in 0..5 {
        let epic = created(
            &app,
            &org,
            json!({ "title": format!("E{round}"), "type": "epic" }),
        )
        .await;
        let task = created(&app, &org, json!({ "title": format!("T{round}") })).await;
        let (ke, kt) = (
            epic["key"].as_str().unwrap_or_default().to_owned(),
            task["key"].as_str().unwrap_or_default().to_owned(),
        );
        let (join, demote) = futures_util::join!(
            patch(&app, &org, &kt, json!({ "parent": ke })),
            patch(&app, &org, &ke, json!({ "type": "story" })),
        );
        assert!(join.0 != 200 || demote.0 != 200, "{join:?} {demote:?}");
        let (epic, task) = (get(&app, &org, &ke).await, get(&app, &org, &kt).await);
        if !task["parent"].is_null() {
            assert_eq!(epic["type"], "epic");
        }
    }
}

#[tokio::test]
async fn jql_parent_in_and_epic_link() {
    let (app, org) = setup().await;
    created(&app, &org, json!({ "title": "E1", "type": "epic" })).await;
    created(&app, &org, json!({ "title": "E2", "type": "epic" })).await;
    created(
        &app,
        &org,
        json!({ "title": "S1", "type": "story", "parent": "WEB-1" }),
    )
    .await;
    created(
        &app,
        &org,
        json!({ "title": "S2", "type": "story", "parent": "WEB-2" }),
    )
    .await;
    created(
        &app,
        &org,
        json!({ "title": "Sub", "type": "subtask", "parent": "WEB-3" }),
    )
    .await;
    let keys = async |jql: &str| -> Vec<String> {
        let (status, body) = app
            .send_json(
                Method::POST,
                &org.owner_token,
                "/api/v1/orgs/acme/search",
                json!({ "jql": jql }),
            )
            .await;
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
    assert_eq!(keys("parent = WEB-1").await, ["WEB-3"]);
    assert_eq!(keys("parent in (web-1, WEB-3)").await, ["WEB-3", "WEB-5"]);
    assert_eq!(keys("\"Epic Link\" = WEB-2").await, ["WEB-4"]);
    assert_eq!(keys("parent != WEB-1").await, ["WEB-4", "WEB-5"]);
    assert_eq!(keys("parent is empty").await, ["WEB-1", "WEB-2"]);
    assert_eq!(keys("parent = WEB-99").await, Vec::<String>::new());
    let (status, problem) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/search",
            json!({ "jql": "parent = nonsense" }),
        )
        .await;
    assert_problem(status, &problem, 400, "jql");
}

#[tokio::test]
async fn a_parent_in_a_private_project_stays_unnamed_for_those_who_cannot_see_it() {
    let (app, org) = setup().await;
    app.private_project(&org).await;
    let (status, epic) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/projects/SEC/tickets",
            json!({ "title": "Embargoed epic", "type": "epic" }),
        )
        .await;
    assert_eq!(status, 201, "{epic}");
    let story = created(
        &app,
        &org,
        json!({ "title": "Public story", "type": "story", "parent": "SEC-1" }),
    )
    .await;
    assert_eq!(story["parent"], "SEC-1");
    assert_eq!(get(&app, &org, "WEB-1").await["parent"], "SEC-1");

    let outsider = app.member(&org, "outsider", tenancy::Role::Member).await;
    let (status, seen) = app.get(&outsider, "/api/v1/orgs/acme/tickets/WEB-1").await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["parent"], Value::Null, "{seen}");
    let (_, list) = app.get(&outsider, "/api/v1/orgs/acme/tickets").await;
    let (_, found) = app
        .get(
            &outsider,
            "/api/v1/orgs/acme/search?jql=project%20%3D%20WEB",
        )
        .await;
    for body in [&list, &found] {
        assert!(!body.to_string().contains("SEC-1"), "{body}");
    }
    assert_eq!(list["items"][0]["key"], "WEB-1", "{list}");
    assert_eq!(found["issues"][0]["key"], "WEB-1", "{found}");
    // Children in the private project are not counted for them on a public parent.
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/projects/WEB/tickets",
            json!({ "title": "Public epic", "type": "epic" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    for title in ["Hidden child", "Another hidden child"] {
        let (status, body) = app
            .send_json(
                Method::POST,
                &org.owner_token,
                "/api/v1/orgs/acme/projects/SEC/tickets",
                json!({ "title": title, "type": "story", "parent": "WEB-2" }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    created(
        &app,
        &org,
        json!({ "title": "Public child", "type": "story", "parent": "WEB-2" }),
    )
    .await;
    assert_eq!(
        get(&app, &org, "WEB-2").await["children"],
        json!({ "total": 3, "done": 0 })
    );
    let (_, seen) = app.get(&outsider, "/api/v1/orgs/acme/tickets/WEB-2").await;
    assert_eq!(seen["children"], json!({ "total": 1, "done": 0 }), "{seen}");
    let (_, found) = app
        .get(&outsider, "/api/v1/orgs/acme/search?jql=key%20%3D%20WEB-2")
        .await;
    assert_eq!(found["issues"][0]["children"]["total"], 1, "{found}");
    // Their edits of the child keep the parent they cannot see.
    let (status, edited) = app
        .send_json(
            Method::PATCH,
            &outsider,
            "/api/v1/orgs/acme/tickets/WEB-1",
            json!({ "title": "Public story, renamed" }),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(get(&app, &org, "WEB-1").await["parent"], "SEC-1");
}
