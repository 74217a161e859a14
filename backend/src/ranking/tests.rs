use reqwest::Method;
use serde_json::{Value, json};

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

/// The project's keys in `ORDER BY rank`, with their ranks.
async fn order(app: &TestApp, org: &TestOrg) -> Vec<(String, String)> {
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/search",
            json!({ "jql": "project = WEB ORDER BY rank", "maxResults": 100 }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["issues"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t["key"].as_str().unwrap_or_default().to_owned(),
                t["rank"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn keys(order: &[(String, String)]) -> Vec<&str> {
    order.iter().map(|(k, _)| k.as_str()).collect()
}

async fn rank(app: &TestApp, org: &TestOrg, key: &str, body: Value) -> (u16, Value) {
    app.send_json(
        Method::POST,
        &org.owner_token,
        &format!("/api/v1/orgs/acme/tickets/{key}/rank"),
        body,
    )
    .await
}

#[tokio::test]
async fn new_tickets_go_last_and_moves_change_only_the_moved_ticket() {
    let (app, org) = setup(4).await;
    let start = order(&app, &org).await;
    assert_eq!(keys(&start), ["WEB-1", "WEB-2", "WEB-3", "WEB-4"]);

    let (status, body) = rank(&app, &org, "WEB-4", json!({ "before": "WEB-1" })).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = rank(&app, &org, "WEB-1", json!({ "after": "WEB-3" })).await;
    assert_eq!(status, 200);
    let (status, _) = rank(&app, &org, "WEB-2", json!({ "after": "WEB-1" })).await;
    assert_eq!(status, 200);
    let now = order(&app, &org).await;
    assert_eq!(keys(&now), ["WEB-4", "WEB-3", "WEB-1", "WEB-2"]);
    // WEB-3 never moved: its key is the one it was created with.
    assert_eq!(now[1], start[2]);
    app.ticket(&org, "WEB", "Newest").await;
    assert_eq!(
        keys(&order(&app, &org).await).last().copied(),
        Some("WEB-5")
    );

    for (body, field) in [
        (json!({}), "before"),
        (json!({ "before": "WEB-1", "after": "WEB-2" }), "before"),
        (json!({ "before": "WEB-99" }), "before"),
        (json!({ "after": "nonsense" }), "after"),
        (json!({ "after": "WEB-2" }), "after"),
    ] {
        let (status, problem) = rank(&app, &org, "WEB-2", body.clone()).await;
        assert_problem(status, &problem, 422, "validation");
        assert_eq!(problem["field"], field, "{body}: {problem}");
    }
    app.project(&org, "API").await;
    app.ticket(&org, "API", "Elsewhere").await;
    let (status, problem) = rank(&app, &org, "WEB-2", json!({ "before": "API-1" })).await;
    assert_problem(status, &problem, 422, "validation");
}

#[tokio::test]
async fn twenty_concurrent_moves_lose_nothing_and_never_tie() {
    let (app, org) = setup(25).await;
    // WEB-1..20 each move before one of WEB-21..25, which stay put.
    let moves: Vec<(String, String)> = (1..=20)
        .map(|i| (format!("WEB-{i}"), format!("WEB-{}", 21 + i % 5)))
        .collect();
    let requests = moves
        .iter()
        .map(|(key, target)| rank(&app, &org, key, json!({ "before": target })));
    for (status, body) in futures_util::future::join_all(requests).await {
        assert_eq!(status, 200, "{body}");
    }
    let after = order(&app, &org).await;
    assert_eq!(after.len(), 25);
    let mut ranks: Vec<&str> = after.iter().map(|(_, r)| r.as_str()).collect();
    ranks.dedup();
    assert_eq!(ranks.len(), 25, "a tie: {after:?}");
    let position = |key: &str| {
        after
            .iter()
            .position(|(k, _)| k == key)
            .unwrap_or(usize::MAX)
    };
    for (key, target) in &moves {
        // Everything between the moved ticket and its target moved before that target.
        let (from, to) = (position(key), position(target));
        assert!(from < to, "{key} is not before {target}: {after:?}");
        for (between, _) in &after[from + 1..to] {
            assert!(
                moves.iter().any(|(k, t)| k == between && t == target),
                "{between} sits between {key} and {target}: {after:?}"
            );
        }
    }
}

#[tokio::test]
async fn keys_that_grow_long_are_rebalanced_in_the_same_order() {
    let (app, org) = setup(3).await;
    // Always just before WEB-2: each move halves the gap, so keys grow.
    let (mut longest, mut previous, mut rebalanced) = (0, 0, false);
    for i in 0..240 {
        let mover = if i % 2 == 0 { "WEB-1" } else { "WEB-3" };
        let (status, body) = rank(&app, &org, mover, json!({ "before": "WEB-2" })).await;
        assert_eq!(status, 200, "{body}");
        let len = body["rank"].as_str().map_or(0, str::len);
        rebalanced |= len + 10 < previous;
        (longest, previous) = (longest.max(len), len);
    }
    assert!(rebalanced, "never rebalanced (longest {longest})");
    assert!(longest <= super::REBALANCE_AT + 1, "{longest}");
    let now = order(&app, &org).await;
    // The last move put WEB-3 just before WEB-2, after WEB-1.
    assert_eq!(keys(&now), ["WEB-1", "WEB-3", "WEB-2"]);
    assert!(
        now.iter().all(|(_, r)| r.len() <= super::REBALANCE_AT + 1),
        "{now:?}"
    );
}

#[tokio::test]
async fn rust_slots_match_the_sql_function() {
    use diesel::sql_types::BigInt;
    use diesel_async::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct Slot {
        #[diesel(sql_type = diesel::sql_types::Text)]
        slot: String,
    }
    let app = TestApp::start().await;
    let mut conn = app.conn().await;
    for n in [0u32, 1, 35, 36, 1295, 1296, 99_999, 630_000, 1_679_615] {
        let sql: Slot = diesel::sql_query("SELECT trellis_rank_slot($1) AS slot")
            .bind::<BigInt, _>(i64::from(n))
            .get_result(&mut *conn)
            .await
            .expect("slot");
        assert_eq!(super::slot(n), sql.slot, "slot {n}");
    }
    assert!(super::slot(1) < super::slot(2) && super::slot(35) < super::slot(36));
}

#[tokio::test]
async fn rust_slots_after_a_key_match_the_insert_trigger() {
    use diesel::sql_types::{Nullable, Text};
    use diesel_async::RunQueryDsl;

    #[derive(diesel::QueryableByName)]
    struct After {
        #[diesel(sql_type = Text)]
        key: String,
    }
    let app = TestApp::start().await;
    let mut conn = app.conn().await;
    let slot3 = super::slot(3);
    let mut prevs: Vec<Option<&str>> = vec![None, Some("i"), Some("0i"), Some("zz")];
    prevs.push(Some(slot3.as_str()));
    for prev in prevs {
        let sql: After = diesel::sql_query("SELECT trellis_rank_after($1) AS key")
            .bind::<Nullable<Text>, _>(prev)
            .get_result(&mut *conn)
            .await
            .expect("after");
        let slots = super::slots_after(prev, 2).expect("slots");
        assert_eq!(super::slot(slots.start), sql.key, "after {prev:?}");
        assert_eq!(slots.len(), 2);
    }
    assert_eq!(super::slots_after(Some("zzzzzz"), 1), None);
}
