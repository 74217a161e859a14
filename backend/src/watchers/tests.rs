use reqwest::Method;
use serde_json::{Value, json};
use tenancy::Role;

use crate::test_support::{TestApp, TestOrg, assert_problem};

async fn setup() -> (TestApp, TestOrg) {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    (app, org)
}

async fn watchers(app: &TestApp, token: &str, key: &str) -> (bool, Vec<String>) {
    let (status, body) = app
        .get(token, &format!("/api/v1/orgs/acme/tickets/{key}/watchers"))
        .await;
    assert_eq!(status, 200, "{body}");
    let logins: Vec<String> = body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["login"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(body["count"], logins.len());
    (body["watching"] == true, logins)
}

async fn send(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
    app.send_json(method, token, &format!("/api/v1/orgs/acme{path}"), body)
        .await
}

#[tokio::test]
async fn reporter_assignee_commenters_and_mentioned_members_watch_by_themselves() {
    let (app, org) = setup().await;
    let t = &org.owner_token;
    let bob = app.member(&org, "bob", Role::Member).await;
    app.member(&org, "carol", Role::Member).await;
    app.member(&org, "dave", Role::Member).await;
    let (status, ticket) = send(
        &app,
        t,
        Method::POST,
        "/projects/WEB/tickets",
        json!({ "title": "Crash", "assignee": "bob", "description": "cc @Carol, not `@dave`, not @nobody" }),
    )
    .await;
    assert_eq!(status, 201, "{ticket}");
    assert_eq!(ticket["watchers"], 3);
    assert_eq!(
        watchers(&app, t, "WEB-1").await,
        (
            true,
            vec!["acme-owner".into(), "bob".into(), "carol".into()]
        )
    );

    // A comment makes its author watch; a mention in it, the one mentioned.
    let (status, comment) = send(
        &app,
        &bob,
        Method::POST,
        "/tickets/WEB-1/comments",
        json!({ "body": "@dave can you look?" }),
    )
    .await;
    assert_eq!(status, 201, "{comment}");
    let (_, logins) = watchers(&app, &bob, "WEB-1").await;
    assert_eq!(logins, ["acme-owner", "bob", "carol", "dave"]);
    // Mentions are stored for notifications: the description's and the comment's.
    let mentioned = mentions(&app, &org).await;
    assert_eq!(
        mentioned,
        [("carol".to_owned(), false), ("dave".to_owned(), true)]
    );

    // Editing the comment updates its mentions (dave stays a watcher).
    let id = comment["id"].as_str().unwrap_or_default();
    let (status, body) = crate::test_support::send(
        app.request(
            Method::PATCH,
            &bob,
            &format!("/api/v1/orgs/acme/tickets/WEB-1/comments/{id}"),
        )
        .header("If-Match", "\"1\"")
        .json(&json!({ "body": "actually @carol" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        mentions(&app, &org).await,
        [("carol".to_owned(), false), ("carol".to_owned(), true)]
    );
    assert_eq!(watchers(&app, t, "WEB-1").await.1.len(), 4);

    // Assigning someone new makes them watch too.
    let eve = app.member(&org, "eve", Role::Member).await;
    let (status, body) = crate::test_support::send(
        app.request(Method::PATCH, t, "/api/v1/orgs/acme/tickets/WEB-1")
            .header("If-Match", "\"1\"")
            .json(&json!({ "assignee": "eve" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(watchers(&app, &eve, "WEB-1").await.0);
}

/// `(login, in a comment)` of every mention in acme, by login.
async fn mentions(app: &TestApp, org: &TestOrg) -> Vec<(String, bool)> {
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;
    let mut conn = app.conn().await;
    let scope = tenancy::authorize_user(&mut conn, org.owner, &org.slug)
        .await
        .expect("lookup")
        .expect("owner scope");
    let mut rows: Vec<(String, bool)> = scope
        .transaction(&mut conn, async |tx| {
            crate::schema::mentions::table
                .inner_join(
                    crate::schema::users::table
                        .on(crate::schema::users::id.eq(crate::schema::mentions::user_id)),
                )
                .select((
                    crate::schema::users::login,
                    crate::schema::mentions::comment_id.is_not_null(),
                ))
                .load(tx.conn())
                .await
        })
        .await
        .expect("mentions");
    rows.sort();
    rows
}

#[tokio::test]
async fn people_watch_and_unwatch_and_only_editors_change_others() {
    let (app, org) = setup().await;
    let t = &org.owner_token;
    app.ticket(&org, "WEB", "One").await;
    let viewer = app.member(&org, "vic", Role::Viewer).await;
    app.member(&org, "bob", Role::Member).await;

    // A viewer may watch (reading is enough) and unwatch themselves.
    let (status, body) = send(
        &app,
        &viewer,
        Method::POST,
        "/tickets/WEB-1/watchers",
        json!({ "login": "vic" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["watching"], true);
    assert_eq!(body["count"], 2);
    // Twice is the same.
    let (status, body) = send(
        &app,
        &viewer,
        Method::POST,
        "/tickets/WEB-1/watchers",
        json!({ "login": "VIC" }),
    )
    .await;
    assert_eq!((status, body["count"].clone()), (200, json!(2)));
    // ... but not add or remove someone else.
    let (status, body) = send(
        &app,
        &viewer,
        Method::POST,
        "/tickets/WEB-1/watchers",
        json!({ "login": "bob" }),
    )
    .await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, body) = send(
        &app,
        &viewer,
        Method::DELETE,
        "/tickets/WEB-1/watchers/acme-owner",
        json!(null),
    )
    .await;
    assert_problem(status, &body, 403, "forbidden");
    let (status, _) = send(
        &app,
        &viewer,
        Method::DELETE,
        "/tickets/WEB-1/watchers/vic",
        json!(null),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        watchers(&app, &viewer, "WEB-1").await,
        (false, vec!["acme-owner".into()])
    );

    // The owner adds bob; nobody who is not a member can be added.
    let (status, _) = send(
        &app,
        t,
        Method::POST,
        "/tickets/WEB-1/watchers",
        json!({ "login": "bob" }),
    )
    .await;
    assert_eq!(status, 200);
    for bad in [
        json!({ "login": "stranger" }),
        json!({ "login": "" }),
        json!({ "login": "a b" }),
        json!({}),
        json!({ "login": "bob", "x": 1 }),
    ] {
        let (status, body) = send(
            &app,
            t,
            Method::POST,
            "/tickets/WEB-1/watchers",
            bad.clone(),
        )
        .await;
        assert_problem(status, &body, 422, "validation");
        let _ = bad;
    }
    // Unwatching someone who does not watch is a no-op.
    let (status, _) = send(
        &app,
        t,
        Method::DELETE,
        "/tickets/WEB-1/watchers/nobody-at-all",
        json!(null),
    )
    .await;
    assert_eq!(status, 204);
    let (_, ticket) = app.get(t, "/api/v1/orgs/acme/tickets/WEB-1").await;
    assert_eq!(ticket["watchers"], 2);

    // Audited on the ticket: its history shows who started and stopped watching.
    let (_, history) = app.get(t, "/api/v1/orgs/acme/tickets/WEB-1/history").await;
    let watcher_changes: Vec<(Value, Value)> = history["items"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|e| e["changes"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["field"] == "watcher")
        .map(|c| (c["from"].clone(), c["to"].clone()))
        .collect();
    assert_eq!(
        watcher_changes,
        vec![
            (Value::Null, json!("bob")),
            (json!("vic"), Value::Null),
            (Value::Null, json!("vic")),
        ]
    );

    // JQL: watcher = currentUser(), watchedIssues(), watcher = login, IS EMPTY.
    app.ticket(&org, "WEB", "Two").await;
    let bob = app.member(&org, "bob2", Role::Member).await;
    assert!(
        app.found(&bob, "acme", "watcher = currentUser()")
            .await
            .is_empty()
    );
    assert_eq!(
        app.found(t, "acme", "issue in watchedIssues()").await,
        ["WEB-1", "WEB-2"]
    );
    assert_eq!(app.found(t, "acme", "watcher = bob").await, ["WEB-1"]);
    assert_eq!(
        app.found(t, "acme", "watcher in (bob, vic)").await,
        ["WEB-1"]
    );
    assert_eq!(app.found(t, "acme", "watcher != bob").await, ["WEB-2"]);
    assert_eq!(
        app.found(t, "acme", "issue not in watchedIssues()").await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn private_projects_hide_watchers_who_cannot_see_them() {
    let (app, org) = setup().await;
    let t = &org.owner_token;
    let bob = app.member(&org, "bob", Role::Member).await;
    let (status, body) = send(
        &app,
        t,
        Method::POST,
        "/projects",
        json!({ "key": "SEC", "name": "Security", "private": true }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    app.ticket(&org, "SEC", "Secret").await;
    // bob cannot be added (he cannot see the project), nor read its watchers.
    let (status, body) = send(
        &app,
        t,
        Method::POST,
        "/tickets/SEC-1/watchers",
        json!({ "login": "bob" }),
    )
    .await;
    assert_problem(status, &body, 422, "validation");
    let (status, body) = app
        .get(&bob, "/api/v1/orgs/acme/tickets/SEC-1/watchers")
        .await;
    assert_problem(status, &body, 404, "not-found");
    let (status, body) = send(
        &app,
        &bob,
        Method::POST,
        "/tickets/SEC-1/watchers",
        json!({ "login": "bob" }),
    )
    .await;
    assert_problem(status, &body, 404, "not-found");
    // Mentioning him in the private ticket records nothing he could see in the list.
    let (status, _) = send(
        &app,
        t,
        Method::POST,
        "/tickets/SEC-1/comments",
        json!({ "body": "@bob look" }),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(watchers(&app, t, "SEC-1").await.1, ["acme-owner"]);
}

#[tokio::test]
async fn twenty_concurrent_watchers_all_count_once() {
    let (app, org) = setup().await;
    app.ticket(&org, "WEB", "Popular").await;
    let mut tokens = Vec::new();
    for i in 0..20 {
        tokens.push(app.member(&org, &format!("fan{i}"), Role::Member).await);
    }
    let requests = tokens.iter().enumerate().map(|(i, token)| {
        let app = &app;
        async move {
            // Each watches twice at once: still one row each.
            let body = json!({ "login": format!("fan{i}") });
            let a = send(
                app,
                token,
                Method::POST,
                "/tickets/WEB-1/watchers",
                body.clone(),
            );
            let b = send(app, token, Method::POST, "/tickets/WEB-1/watchers", body);
            let ((sa, _), (sb, _)) = tokio::join!(a, b);
            (sa, sb)
        }
    });
    for (a, b) in futures_util::future::join_all(requests).await {
        assert_eq!((a, b), (200, 200));
    }
    let (_, logins) = watchers(&app, &org.owner_token, "WEB-1").await;
    assert_eq!(logins.len(), 21);
    let (_, ticket) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/tickets/WEB-1")
        .await;
    assert_eq!(ticket["watchers"], 21);
    // Exactly one audit entry per fan.
    let (_, history) = app
        .get(
            &org.owner_token,
            "/api/v1/orgs/acme/tickets/WEB-1/history?limit=100",
        )
        .await;
    let watches = history["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["action"] == "ticket.watch")
        .count();
    assert_eq!(watches, 20);
}
