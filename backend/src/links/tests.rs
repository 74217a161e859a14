use reqwest::Method;
use serde_json::{Value, json};
use tenancy::Role;

use crate::test_support::{TestApp, TestOrg, assert_problem};

/// acme with WEB-1..3 and API-1..2.
async fn setup() -> (TestApp, TestOrg) {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    app.project(&org, "API").await;
    for i in 1..=3 {
        app.ticket(&org, "WEB", &format!("Web {i}")).await;
    }
    for i in 1..=2 {
        app.ticket(&org, "API", &format!("Api {i}")).await;
    }
    (app, org)
}

async fn link(app: &TestApp, token: &str, from: &str, phrase: &str, to: &str) -> (u16, Value) {
    app.send_json(
        Method::POST,
        token,
        &format!("/api/v1/orgs/acme/tickets/{from}/links"),
        json!({ "link": phrase, "ticket": to }),
    )
    .await
}

/// `(phrase, other key)` of each link of `key`, as listed.
async fn links(app: &TestApp, token: &str, key: &str) -> Vec<(String, String)> {
    let (status, body) = app
        .get(token, &format!("/api/v1/orgs/acme/tickets/{key}/links"))
        .await;
    assert_eq!(status, 200, "{body}");
    body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            (
                l["link"].as_str().unwrap_or_default().to_owned(),
                l["ticket"]["key"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

async fn search(app: &TestApp, token: &str, jql: &str) -> (u16, Value) {
    app.send_json(
        Method::POST,
        token,
        "/api/v1/orgs/acme/search",
        json!({ "jql": jql }),
    )
    .await
}

#[tokio::test]
async fn links_show_from_both_ends_and_go_from_either() {
    let (app, org) = setup().await;
    let t = &org.owner_token;
    let (status, body) = link(&app, t, "WEB-1", "blocks", "API-1").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["type"], "blocks");
    assert_eq!(body["direction"], "outward");
    assert_eq!(body["link"], "blocks");
    assert_eq!(body["ticket"]["key"], "API-1");
    assert_eq!(body["ticket"]["status"]["name"], "To Do");
    let (status, _) = link(&app, t, "WEB-1", "is duplicated by", "WEB-2").await;
    assert_eq!(status, 201);
    let (status, relates) = link(&app, t, "WEB-3", "relates to", "WEB-1").await;
    assert_eq!(status, 201);
    let (status, _) = link(&app, t, "API-2", "clones", "WEB-1").await;
    assert_eq!(status, 201);

    assert_eq!(
        links(&app, t, "WEB-1").await,
        pairs(&[
            ("blocks", "API-1"),
            ("is cloned by", "API-2"),
            ("is duplicated by", "WEB-2"),
            ("relates to", "WEB-3"),
        ])
    );
    assert_eq!(
        links(&app, t, "API-1").await,
        pairs(&[("is blocked by", "WEB-1")])
    );
    assert_eq!(
        links(&app, t, "WEB-2").await,
        pairs(&[("duplicates", "WEB-1")])
    );
    assert_eq!(
        links(&app, t, "WEB-3").await,
        pairs(&[("relates to", "WEB-1")])
    );

    // Removable from the other end; gone from both.
    let id = relates["id"].as_str().unwrap_or_default();
    let (status, _) = app
        .send_json(
            Method::DELETE,
            t,
            &format!("/api/v1/orgs/acme/tickets/WEB-1/links/{id}"),
            json!(null),
        )
        .await;
    assert_eq!(status, 204);
    assert!(links(&app, t, "WEB-3").await.is_empty());
    assert_eq!(links(&app, t, "WEB-1").await.len(), 3);
    // A link of other tickets cannot be removed through this one.
    let (status, body) = app
        .send_json(
            Method::DELETE,
            t,
            &format!("/api/v1/orgs/acme/tickets/WEB-3/links/{id}"),
            json!(null),
        )
        .await;
    assert_problem(status, &body, 404, "not-found");

    // Both histories tell the story, each in its own words.
    let (_, history) = app.get(t, "/api/v1/orgs/acme/tickets/WEB-3/history").await;
    let changes: Vec<(String, Value, Value)> = history["items"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|e| e["changes"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["field"] == "link")
        .map(|c| ("link".to_owned(), c["from"].clone(), c["to"].clone()))
        .collect();
    assert_eq!(
        changes,
        vec![
            ("link".to_owned(), json!("relates to WEB-1"), Value::Null),
            ("link".to_owned(), Value::Null, json!("relates to WEB-1")),
        ]
    );
    let (_, history) = app.get(t, "/api/v1/orgs/acme/tickets/API-1/history").await;
    assert!(
        history.to_string().contains("is blocked by WEB-1"),
        "{history}"
    );

    // The types and how each side reads them.
    let (status, types) = app.get(t, "/api/v1/orgs/acme/link-types").await;
    assert_eq!(status, 200);
    assert_eq!(types["items"].as_array().map(Vec::len), Some(4));
    assert_eq!(types["items"][0]["inward"], "is blocked by");
}

#[tokio::test]
async fn no_duplicate_no_self_link_and_bad_input_is_a_field_problem() {
    let (app, org) = setup().await;
    let t = &org.owner_token;
    assert_eq!(link(&app, t, "WEB-1", "blocks", "WEB-2").await.0, 201);
    // The same link again, also written from the other side.
    let (status, body) = link(&app, t, "WEB-1", "blocks", "WEB-2").await;
    assert_problem(status, &body, 409, "already-exists");
    let (status, body) = link(&app, t, "WEB-2", "is blocked by", "WEB-1").await;
    assert_problem(status, &body, 409, "already-exists");
    // Blocking the other way round is another link; "relates to" has no way round.
    assert_eq!(link(&app, t, "WEB-2", "blocks", "WEB-1").await.0, 201);
    assert_eq!(link(&app, t, "WEB-1", "relates to", "WEB-3").await.0, 201);
    let (status, body) = link(&app, t, "WEB-3", "relates to", "WEB-1").await;
    assert_problem(status, &body, 409, "already-exists");

    let (status, body) = link(&app, t, "WEB-1", "blocks", "WEB-1").await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(body["field"], "ticket");
    let (status, body) = link(&app, t, "WEB-1", "depends on", "WEB-2").await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(body["field"], "link");
    for bad in ["WEB-99", "NOPE-1", "not a key"] {
        let (status, body) = link(&app, t, "WEB-1", "blocks", bad).await;
        assert_problem(status, &body, 422, "validation");
        assert_eq!(body["field"], "ticket", "{bad}");
    }
    let (status, body) = link(&app, t, "WEB-99", "blocks", "WEB-1").await;
    assert_problem(status, &body, 404, "not-found");
    let (status, body) = app
        .send_json(
            Method::POST,
            t,
            "/api/v1/orgs/acme/tickets/WEB-1/links",
            json!({ "link": "blocks", "ticket": "WEB-2", "extra": 1 }),
        )
        .await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(links(&app, t, "WEB-1").await.len(), 3);
}

#[tokio::test]
async fn deleted_and_hidden_tickets_drop_out_of_links_and_viewers_only_read() {
    let (app, org) = setup().await;
    let t = &org.owner_token;
    let viewer = app.member(&org, "vic", Role::Viewer).await;
    let member = app.member(&org, "mia", Role::Member).await;
    app.private_project(&org).await;
    app.ticket(&org, "SEC", "Secret").await;
    assert_eq!(link(&app, t, "WEB-1", "blocks", "SEC-1").await.0, 201);
    assert_eq!(link(&app, t, "WEB-1", "relates to", "WEB-2").await.0, 201);

    // The member does not see the private project: neither its end of a link, nor may
    // they link to it.
    assert_eq!(
        links(&app, &member, "WEB-1").await,
        pairs(&[("relates to", "WEB-2")])
    );
    let (status, body) = link(&app, &member, "WEB-3", "blocks", "SEC-1").await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(links(&app, t, "WEB-1").await.len(), 2);

    // Viewers read links but cannot make or remove them.
    assert_eq!(links(&app, &viewer, "WEB-1").await.len(), 1);
    let (status, body) = link(&app, &viewer, "WEB-1", "blocks", "WEB-3").await;
    assert_problem(status, &body, 403, "forbidden");

    // A deleted ticket's links disappear from reads (and searches).
    let (status, _) = app
        .send_json(
            Method::DELETE,
            t,
            "/api/v1/orgs/acme/tickets/WEB-2",
            json!(null),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(links(&app, t, "WEB-1").await, pairs(&[("blocks", "SEC-1")]));
    assert!(
        app.found(t, "acme", "issue in linkedIssues(WEB-1, \"relates to\")")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn jql_linked_issues_by_phrase_and_type() {
    let (app, org) = setup().await;
    let t = &org.owner_token;
    assert_eq!(link(&app, t, "WEB-1", "blocks", "API-1").await.0, 201);
    assert_eq!(link(&app, t, "WEB-2", "blocks", "WEB-1").await.0, 201);
    assert_eq!(link(&app, t, "WEB-3", "relates to", "WEB-1").await.0, 201);
    assert_eq!(link(&app, t, "API-2", "duplicates", "API-1").await.0, 201);

    assert_eq!(
        app.found(t, "acme", "issue in linkedIssues(WEB-1)").await,
        ["API-1", "WEB-2", "WEB-3"]
    );
    assert_eq!(
        app.found(t, "acme", "issue in linkedIssues(WEB-1, blocks)")
            .await,
        ["API-1"]
    );
    assert_eq!(
        app.found(t, "acme", "issue in linkedIssues(web-1, \"is blocked by\")")
            .await,
        ["WEB-2"]
    );
    // A type's name (here Jira's "Duplicate") finds both directions.
    assert_eq!(
        app.found(t, "acme", "issue in linkedIssues(API-1, Duplicate)")
            .await,
        ["API-2"]
    );
    assert_eq!(
        app.found(t, "acme", "issue in linkedIssues(API-2, duplicates)")
            .await,
        ["API-1"]
    );
    assert!(
        app.found(t, "acme", "issue in linkedIssues(API-1, duplicates)")
            .await
            .is_empty()
    );
    assert_eq!(
        app.found(t, "acme", "issue in linkedIssues(WEB-1, \"relates to\")")
            .await,
        ["WEB-3"]
    );
    assert_eq!(
        app.found(
            t,
            "acme",
            "project = API AND issue not in linkedIssues(WEB-1)"
        )
        .await,
        ["API-2"]
    );
    assert_eq!(
        app.found(
            t,
            "acme",
            "issue in linkedIssues(API-1) OR issue in linkedIssues(API-2)"
        )
        .await,
        ["API-1", "API-2", "WEB-1"]
    );
    assert!(
        app.found(t, "acme", "issue in linkedIssues(NOPE-1)")
            .await
            .is_empty()
    );
    let (status, body) = search(&app, t, "issue in linkedIssues(WEB-1, \"depends on\")").await;
    assert_problem(status, &body, 400, "jql");
}
