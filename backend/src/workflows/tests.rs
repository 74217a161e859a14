//! Workflow editing over HTTP: the invariants, role-guarded transitions, deleting a
//! status with its tickets, concurrency, copying, permissions and search.

use reqwest::Method;
use serde_json::{Value, json};
use tenancy::Role;

use super::queries::{StatusRow, TransitionRow, invariant_violation};
use super::{StatusCategory, StatusId, TransitionId};
use crate::test_support::{TestApp, TestOrg, assert_problem};

const WF: &str = "/api/v1/orgs/acme/projects/WEB/workflow";

/// Org `acme` with project WEB and `tickets` tickets (all in To Do).
async fn setup(tickets: usize) -> (TestApp, TestOrg) {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    for i in 0..tickets {
        app.ticket(&org, "WEB", &format!("Ticket {i}")).await;
    }
    (app, org)
}

async fn workflow(app: &TestApp, token: &str) -> Value {
    let (status, body) = app.get(token, WF).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn status_id(workflow: &Value, name: &str) -> String {
    workflow["statuses"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["name"] == name)
        .and_then(|s| s["id"].as_str())
        .unwrap_or_default()
        .to_owned()
}

fn names(workflow: &Value) -> Vec<String> {
    workflow["statuses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str().map(str::to_owned))
        .collect()
}

async fn transition(app: &TestApp, token: &str, key: &str, to: &str) -> (u16, Value) {
    app.send_json(
        Method::POST,
        token,
        &format!("/api/v1/orgs/acme/tickets/{key}/transitions"),
        json!({ "to": to }),
    )
    .await
}

async fn ticket(app: &TestApp, org: &TestOrg, key: &str) -> Value {
    let (status, body) = app
        .get(
            &org.owner_token,
            &format!("/api/v1/orgs/acme/tickets/{key}"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn delete_status(
    app: &TestApp,
    token: &str,
    id: &str,
    move_to: Option<&str>,
) -> (u16, Value) {
    let mut path = format!("{WF}/statuses/{id}");
    if let Some(to) = move_to {
        path = format!("{path}?move_to={}", to.replace(' ', "%20"));
    }
    crate::test_support::send(app.request(Method::DELETE, token, &path)).await
}

async fn search_keys(app: &TestApp, org: &TestOrg, jql: &str) -> Vec<String> {
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/search",
            json!({ "jql": jql, "maxResults": 100 }),
        )
        .await;
    assert_eq!(status, 200, "{jql}: {body}");
    let mut keys: Vec<String> = body["issues"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["key"].as_str().map(str::to_owned))
        .collect();
    keys.sort();
    keys
}

fn row(name: &str, category: StatusCategory, position: i32) -> StatusRow {
    StatusRow {
        id: StatusId::new(),
        name: name.to_owned(),
        category,
        position,
    }
}

fn step(from: &StatusRow, to: &StatusRow) -> TransitionRow {
    TransitionRow {
        id: TransitionId::new(),
        from: from.id,
        to: to.id,
        name: to.name.clone(),
        allowed_roles: Vec::new(),
    }
}

#[test]
fn invariants_need_todo_and_done_and_every_status_reachable() {
    let todo = row("To Do", StatusCategory::Todo, 0);
    let doing = row("Doing", StatusCategory::InProgress, 1);
    let done = row("Done", StatusCategory::Done, 2);
    let all = [todo.clone(), doing.clone(), done.clone()];
    let chain = [step(&todo, &doing), step(&doing, &done)];
    assert_eq!(invariant_violation(&all, &chain), None);
    let message = invariant_violation(&all, &chain[..1]).unwrap_or_default();
    assert!(message.contains("`Done` cannot be reached"), "{message}");
    let message = invariant_violation(&all[..2], &chain[..1]).unwrap_or_default();
    assert!(message.contains("`done`"), "{message}");
    let message = invariant_violation(&all[1..], &chain[1..]).unwrap_or_default();
    assert!(message.contains("`todo`"), "{message}");
    assert!(invariant_violation(&[], &[]).is_some());
    // Reachability goes by direction: Done -> Doing does not reach Doing from To Do.
    let backwards = [step(&todo, &done), step(&done, &doing)];
    assert_eq!(invariant_violation(&all, &backwards), None);
    let only_back = [step(&done, &doing), step(&todo, &done)];
    assert!(invariant_violation(&all, &only_back[..1]).is_some());
}

#[tokio::test]
async fn lead_and_admin_edit_the_workflow_member_and_viewer_get_403() {
    let (app, org) = setup(0).await;
    let lead = app.member(&org, "lena", Role::Member).await;
    let member = app.member(&org, "mo", Role::Member).await;
    let viewer = app.member(&org, "vi", Role::Viewer).await;
    let admin = app.member(&org, "ada", Role::Admin).await;
    let (status, body) = app
        .send_json(
            Method::PUT,
            &org.owner_token,
            "/api/v1/orgs/acme/projects/WEB/members/lena",
            json!({ "role": "lead" }),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let new = |name: &str| json!({ "name": name, "category": "in_progress", "from": ["To Do"], "to": ["Done"] });
    for token in [&member, &viewer] {
        let (status, body) = app
            .send_json(
                Method::POST,
                token,
                &format!("{WF}/statuses"),
                new("Review"),
            )
            .await;
        assert_problem(status, &body, 403, "forbidden");
        // A forbidden caller gets 403 even for a body with bad fields.
        let (status, body) = app
            .send_json(
                Method::POST,
                token,
                &format!("{WF}/statuses"),
                json!({ "name": "", "category": "todo" }),
            )
            .await;
        assert_problem(status, &body, 403, "forbidden");
    }
    let (status, body) = app
        .send_json(
            Method::POST,
            &lead,
            &format!("{WF}/statuses"),
            new("Review"),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(names(&body), ["To Do", "In Progress", "Done", "Review"]);
    let (status, body) = app
        .send_json(Method::POST, &admin, &format!("{WF}/statuses"), new("QA"))
        .await;
    assert_eq!(status, 201, "{body}");
    // Names are unique case-insensitively.
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("{WF}/statuses"),
            new("review"),
        )
        .await;
    assert_problem(status, &body, 409, "already-exists");
    // Everyone who sees the project reads it.
    assert_eq!(names(&workflow(&app, &viewer).await).len(), 5);
    // The other project's workflow is its own.
    app.project(&org, "API").await;
    let (_, api) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/projects/API/workflow")
        .await;
    assert_eq!(names(&api), ["To Do", "In Progress", "Done"]);
}

#[tokio::test]
async fn private_project_workflow_is_404_to_non_members() {
    let (app, org) = setup(0).await;
    let member = app.member(&org, "mo", Role::Member).await;
    app.private_project(&org).await;
    let path = "/api/v1/orgs/acme/projects/SEC/workflow";
    let (status, body) = app.get(&member, path).await;
    assert_problem(status, &body, 404, "not-found");
    let (status, body) = app
        .send_json(
            Method::POST,
            &member,
            &format!("{path}/statuses"),
            json!({ "name": "X", "category": "todo", "from": ["To Do"] }),
        )
        .await;
    assert_problem(status, &body, 404, "not-found");
}

#[tokio::test]
async fn changes_breaking_the_invariants_are_422_and_write_nothing() {
    let (app, org) = setup(1).await;
    let before = workflow(&app, &org.owner_token).await;
    let audit_before = app.audit_count(&org).await;
    // A status nothing leads to is unreachable.
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("{WF}/statuses"),
            json!({ "name": "Limbo", "category": "in_progress" }),
        )
        .await;
    assert_problem(status, &body, 422, "workflow-invariant");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("`Limbo`"),
        "{body}"
    );
    // The only `done` status cannot go, nor become something else.
    let done = status_id(&before, "Done");
    let (status, body) = delete_status(&app, &org.owner_token, &done, Some("In Progress")).await;
    assert_problem(status, &body, 422, "workflow-invariant");
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &org.owner_token,
            &format!("{WF}/statuses/{done}"),
            json!({ "category": "in_progress" }),
        )
        .await;
    assert_problem(status, &body, 422, "workflow-invariant");
    // Without To Do -> In Progress, nothing but To Do is reachable.
    let start = before["transitions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["from"]["name"] == "To Do")
        .and_then(|t| t["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let (status, body) = crate::test_support::send(app.request(
        Method::DELETE,
        &org.owner_token,
        &format!("{WF}/transitions/{start}"),
    ))
    .await;
    assert_problem(status, &body, 422, "workflow-invariant");
    // A new order names every status once.
    let (status, body) = app
        .send_json(
            Method::PUT,
            &org.owner_token,
            &format!("{WF}/order"),
            json!({ "statuses": ["Done", "To Do"] }),
        )
        .await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(workflow(&app, &org.owner_token).await, before);
    assert_eq!(app.audit_count(&org).await, audit_before);
}

#[tokio::test]
async fn deleting_a_status_moves_its_tickets_audited_with_resolved_at_right() {
    let (app, org) = setup(3).await;
    for key in ["WEB-1", "WEB-2"] {
        let (status, body) = transition(&app, &org.owner_token, key, "In Progress").await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = transition(&app, &org.owner_token, key, "Done").await;
        assert_eq!(status, 200, "{body}");
    }
    let resolved = ticket(&app, &org, "WEB-1").await["resolved_at"].clone();
    assert!(resolved.is_string());
    // A second done status, entered from In Progress.
    let (status, wf) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("{WF}/statuses"),
            json!({ "name": "Closed", "category": "done", "from": ["In Progress"] }),
        )
        .await;
    assert_eq!(status, 201, "{wf}");
    let done = status_id(&wf, "Done");
    // Tickets in it: a target is required.
    let (status, body) = delete_status(&app, &org.owner_token, &done, None).await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(body["field"], "move_to");
    let (status, body) = delete_status(&app, &org.owner_token, &done, Some("Nowhere")).await;
    assert_problem(status, &body, 422, "validation");
    // Done -> Closed keeps the resolution date.
    let (status, wf) = delete_status(&app, &org.owner_token, &done, Some("closed")).await;
    assert_eq!(status, 200, "{wf}");
    assert_eq!(names(&wf), ["To Do", "In Progress", "Closed"]);
    let one = ticket(&app, &org, "WEB-1").await;
    assert_eq!(one["status"]["name"], "Closed");
    assert_eq!(one["resolved_at"], resolved);
    // Reopening: Closed -> In Progress needs a transition back; deleting In Progress
    // moves its tickets to To Do (not done: resolved_at cleared).
    let (status, body) = transition(&app, &org.owner_token, "WEB-3", "In Progress").await;
    assert_eq!(status, 200, "{body}");
    let (status, wf) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("{WF}/transitions"),
            json!({ "from": "To Do", "to": "Closed", "name": "Close" }),
        )
        .await;
    assert_eq!(status, 201, "{wf}");
    let closed = status_id(&wf, "Closed");
    let (status, wf) = delete_status(&app, &org.owner_token, &closed, Some("Done")).await;
    assert_problem(status, &wf, 422, "validation");
    let in_progress = status_id(&wf_now(&app, &org).await, "In Progress");
    let (status, body) = delete_status(&app, &org.owner_token, &in_progress, Some("Closed")).await;
    assert_eq!(status, 200, "{body}");
    let three = ticket(&app, &org, "WEB-3").await;
    assert_eq!(three["status"]["name"], "Closed");
    assert!(three["resolved_at"].is_string(), "{three}");
    // The history shows the move.
    let (status, history) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/tickets/WEB-1/history")
        .await;
    assert_eq!(status, 200, "{history}");
    let newest = &history["items"][0];
    assert_eq!(newest["action"], "ticket.transition", "{history}");
    let change = newest["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["field"] == "status")
        .cloned()
        .unwrap_or_default();
    assert_eq!(change["from"], "Done", "{newest}");
    assert_eq!(change["to"], "Closed", "{newest}");
}

async fn wf_now(app: &TestApp, org: &TestOrg) -> Value {
    workflow(app, &org.owner_token).await
}

#[tokio::test]
async fn changing_a_category_sets_or_clears_resolved_at_and_search_sees_it() {
    let (app, org) = setup(2).await;
    let (status, body) = transition(&app, &org.owner_token, "WEB-1", "In Progress").await;
    assert_eq!(status, 200, "{body}");
    let wf = wf_now(&app, &org).await;
    let in_progress = status_id(&wf, "In Progress");
    assert!(ticket(&app, &org, "WEB-1").await["resolved_at"].is_null());
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &org.owner_token,
            &format!("{WF}/statuses/{in_progress}"),
            json!({ "name": "Shipped", "category": "done" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let one = ticket(&app, &org, "WEB-1").await;
    assert_eq!(one["status"]["name"], "Shipped");
    assert!(one["resolved_at"].is_string(), "{one}");
    assert_eq!(
        search_keys(&app, &org, "status = \"Shipped\"").await,
        ["WEB-1"]
    );
    assert_eq!(
        search_keys(&app, &org, "statusCategory = Done").await,
        ["WEB-1"]
    );
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &org.owner_token,
            &format!("{WF}/statuses/{in_progress}"),
            json!({ "category": "in_progress" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(ticket(&app, &org, "WEB-1").await["resolved_at"].is_null());
    assert_eq!(
        search_keys(&app, &org, "statusCategory = Done").await,
        Vec::<String>::new()
    );
    assert_eq!(
        search_keys(&app, &org, "statusCategory = \"In Progress\"").await,
        ["WEB-1"]
    );
}

#[tokio::test]
async fn transitions_limited_to_leads_are_403_and_unlisted_for_members() {
    let (app, org) = setup(1).await;
    let member = app.member(&org, "mo", Role::Member).await;
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("{WF}/transitions"),
            json!({ "from": "To Do", "to": "Done", "name": "Close", "allowed_roles": ["lead"] }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let close = body["transitions"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["name"] == "Close")
        .cloned()
        .unwrap_or_default();
    assert_eq!(close["allowed_roles"], json!(["lead"]));
    let list = "/api/v1/orgs/acme/tickets/WEB-1/transitions";
    let (_, listed) = app.get(&member, list).await;
    let names: Vec<&str> = listed["transitions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["Start progress"]);
    let (status, body) = transition(&app, &member, "WEB-1", "Done").await;
    assert_problem(status, &body, 403, "forbidden");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("`Close`"),
        "{body}"
    );
    assert_eq!(ticket(&app, &org, "WEB-1").await["status"]["name"], "To Do");
    let (_, listed) = app.get(&org.owner_token, list).await;
    assert_eq!(listed["transitions"].as_array().map(Vec::len), Some(2));
    let (status, body) = transition(&app, &org.owner_token, "WEB-1", "Done").await;
    assert_eq!(status, 200, "{body}");
    // Viewers never transition.
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("{WF}/transitions"),
            json!({ "from": "To Do", "to": "Done", "name": "X", "allowed_roles": ["viewer"] }),
        )
        .await;
    assert_problem(status, &body, 422, "validation");
}

#[tokio::test]
async fn two_concurrent_deletes_of_one_status_one_wins_the_other_404() {
    let (app, org) = setup(4).await;
    for key in ["WEB-1", "WEB-2", "WEB-3"] {
        let (status, body) = transition(&app, &org.owner_token, key, "In Progress").await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, wf) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("{WF}/statuses"),
            json!({ "name": "Review", "category": "in_progress", "from": ["To Do", "In Progress"], "to": ["Done"] }),
        )
        .await;
    assert_eq!(status, 201, "{wf}");
    let in_progress = status_id(&wf, "In Progress");
    let audit_before = app.audit_count(&org).await;
    let (a, b) = tokio::join!(
        delete_status(&app, &org.owner_token, &in_progress, Some("Review")),
        delete_status(&app, &org.owner_token, &in_progress, Some("Review")),
    );
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [200, 404], "{a:?} {b:?}");
    let wf = wf_now(&app, &org).await;
    assert_eq!(names(&wf), ["To Do", "Done", "Review"]);
    let review = wf["statuses"][2]["tickets"].clone();
    assert_eq!(review, 3);
    // One delete entry and one move entry per ticket, once.
    assert_eq!(app.audit_count(&org).await, audit_before + 4);
}

#[tokio::test]
async fn copying_a_workflow_maps_statuses_and_refuses_unmapped_ones() {
    let (app, org) = setup(2).await;
    app.project(&org, "API").await;
    let api = "/api/v1/orgs/acme/projects/API/workflow";
    // API: Backlog -> Doing -> Done.
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("{api}/statuses"),
            json!({ "name": "Backlog", "category": "todo", "from": ["To Do"], "to": ["In Progress"] }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = app
        .send_json(
            Method::PUT,
            &org.owner_token,
            &format!("{api}/order"),
            json!({ "statuses": ["Backlog", "To Do", "In Progress", "Done"] }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let to_do = status_id(&body, "To Do");
    let (status, body) = crate::test_support::send(app.request(
        Method::DELETE,
        &org.owner_token,
        &format!("{api}/statuses/{to_do}"),
    ))
    .await;
    // API has no tickets, so no target is needed.
    assert_eq!(status, 200, "{body}");
    assert_eq!(names(&body), ["Backlog", "In Progress", "Done"]);

    // WEB's tickets: WEB-1 in To Do (a name API lacks), WEB-2 in Done.
    for to in ["In Progress", "Done"] {
        let (status, body) = transition(&app, &org.owner_token, "WEB-2", to).await;
        assert_eq!(status, 200, "{body}");
    }
    let resolved = ticket(&app, &org, "WEB-2").await["resolved_at"].clone();
    let before = wf_now(&app, &org).await;
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("{WF}/copy"),
            json!({ "from": "API" }),
        )
        .await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(body["unmapped"], json!(["To Do"]), "{body}");
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("{WF}/copy"),
            json!({ "from": "API", "mapping": { "To Do": "Nope" } }),
        )
        .await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(wf_now(&app, &org).await, before);

    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("{WF}/copy"),
            json!({ "from": "API", "mapping": { "To Do": "Backlog" } }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(names(&body), ["Backlog", "In Progress", "Done"]);
    assert_eq!(
        body["transitions"].as_array().map(Vec::len),
        Some(3),
        "{body}"
    );
    assert_eq!(
        ticket(&app, &org, "WEB-1").await["status"]["name"],
        "Backlog"
    );
    let two = ticket(&app, &org, "WEB-2").await;
    assert_eq!(two["status"]["name"], "Done");
    assert_eq!(two["resolved_at"], resolved);
    // New tickets start in the copied initial status, and search sees it at once.
    let three = app.ticket(&org, "WEB", "After the copy").await;
    assert_eq!(three["status"]["name"], "Backlog", "{three}");
    assert_eq!(
        search_keys(&app, &org, "project = WEB AND status = Backlog").await,
        ["WEB-1", "WEB-3"]
    );
    // API's own workflow is untouched by the copy.
    let (_, api_now) = app.get(&org.owner_token, api).await;
    assert_eq!(names(&api_now), ["Backlog", "In Progress", "Done"]);
    assert_ne!(status_id(&api_now, "Backlog"), status_id(&body, "Backlog"));
}
