//! The query table: JQL against a fixed dataset over real HTTP, plus paging, limits,
//! injection attempts and tenancy.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use diesel_async::{AsyncConnection, RunQueryDsl};
use reqwest::Method;
use serde_json::{Value, json};
use tenancy::{DbConn, Role};

use crate::test_support::{TestApp, TestOrg, assert_problem, urlencode};

struct Dataset {
    app: TestApp,
    org: TestOrg,
}

/// Eight tickets whose every field is chosen, with creation times pinned around
/// today's UTC midnight (M): WEB-5 at M, API-1 one microsecond before it.
async fn dataset() -> Dataset {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.member(&org, "bob", Role::Member).await;
    app.member(&org, "ada", Role::Admin).await;
    app.project(&org, "WEB").await;
    app.project(&org, "API").await;
    let tickets = [
        (
            "WEB",
            "Login page crashes on submit",
            "The login form throws an error",
            "bug",
            "highest",
            Some("bob"),
            vec!["auth", "frontend"],
            Some(3),
        ),
        (
            "WEB",
            "Add dark mode",
            "Users want a darker theme",
            "story",
            "medium",
            None,
            vec!["ux"],
            None,
        ),
        (
            "WEB",
            "Slow search results",
            "Search takes seconds on big projects",
            "bug",
            "high",
            Some("ada"),
            vec!["performance"],
            None,
        ),
        (
            "WEB",
            "Update privacy policy",
            "",
            "task",
            "low",
            Some("acme-owner"),
            vec![],
            None,
        ),
        (
            "WEB",
            "Login with GitHub",
            "OAuth login through GitHub",
            "story",
            "high",
            Some("bob"),
            vec!["auth"],
            Some(-2),
        ),
        (
            "API",
            "Rate limit the API",
            "Return 429 when over budget",
            "task",
            "medium",
            Some("bob"),
            vec!["backend"],
            None,
        ),
        (
            "API",
            "Document pagination",
            "Explain nextPageToken",
            "task",
            "lowest",
            None,
            vec!["docs"],
            None,
        ),
        (
            "API",
            "Pagination breaks on deleted tickets",
            "cursor skips rows",
            "bug",
            "highest",
            Some("ada"),
            vec!["backend", "performance"],
            None,
        ),
    ];
    let today = Utc::now().date_naive();
    for (project, title, description, kind, priority, assignee, labels, due) in tickets {
        let due = due.map(|days: i64| (today + chrono::Duration::days(days)).to_string());
        let (status, body) = app
            .send_json(
                Method::POST,
                &org.owner_token,
                &format!("/api/v1/orgs/acme/projects/{project}/tickets"),
                json!({ "title": title, "description": description, "type": kind, "priority": priority,
                        "assignee": assignee, "labels": labels, "due_date": due }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    for (key, moves) in [
        ("WEB-2", &["In Progress"][..]),
        ("WEB-3", &["In Progress", "Done"][..]),
        ("WEB-5", &["In Progress"][..]),
        ("API-2", &["In Progress", "Done"][..]),
        ("API-3", &["In Progress"][..]),
    ] {
        for to in moves {
            let (status, body) = app
                .send_json(
                    Method::POST,
                    &org.owner_token,
                    &format!("/api/v1/orgs/acme/tickets/{key}/transitions"),
                    json!({ "to": to }),
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
    }
    for (key, text) in [
        ("WEB-2", "customers keep asking for this"),
        ("API-3", "reproduced with the login page"),
    ] {
        let (status, _) = app
            .send_json(
                Method::POST,
                &org.owner_token,
                &format!("/api/v1/orgs/acme/tickets/{key}/comments"),
                json!({ "body": text }),
            )
            .await;
        assert_eq!(status, 201);
    }
    // Pin creation times (the API always stamps "now").
    let mut owner = DbConn::establish(&app.db.owner_url).await.expect("owner");
    diesel::sql_query(
        "UPDATE tickets t SET created_at = v.at FROM (VALUES
            ('WEB', 1, date_trunc('day', now()) - interval '12 hours'),
            ('WEB', 2, date_trunc('day', now()) - interval '10 days'),
            ('WEB', 3, date_trunc('day', now()) - interval '40 days'),
            ('WEB', 4, date_trunc('day', now()) - interval '400 days'),
            ('WEB', 5, date_trunc('day', now())),
            ('API', 1, date_trunc('day', now()) - interval '1 microsecond'),
            ('API', 2, date_trunc('day', now()) - interval '20 days'),
            ('API', 3, date_trunc('day', now()) - interval '5 days')
         ) AS v(project, number, at), projects p
         WHERE p.id = t.project_id AND p.key = v.project AND t.number = v.number",
    )
    .execute(&mut owner)
    .await
    .expect("pin dates");
    Dataset { app, org }
}

impl Dataset {
    async fn search(&self, jql: &str) -> (u16, Value) {
        let (status, body) = self
            .app
            .send_json(
                Method::POST,
                &self.org.owner_token,
                "/api/v1/orgs/acme/search",
                json!({ "jql": jql, "maxResults": 100 }),
            )
            .await;
        (status, body)
    }

    async fn keys(&self, jql: &str) -> Vec<String> {
        let (status, body) = self.search(jql).await;
        assert_eq!(status, 200, "{jql}: {body}");
        let keys: Vec<String> = body["issues"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["key"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(body["total"], keys.len(), "{jql}: total");
        keys
    }
}

const ALL: &str = "WEB-1 WEB-2 WEB-3 WEB-4 WEB-5 API-1 API-2 API-3";

fn set(keys: &str) -> BTreeSet<String> {
    keys.split_whitespace().map(str::to_owned).collect()
}

/// (JQL, expected keys). Sets unless the query orders; then the exact order.
const TABLE: &[(&str, &str)] = &[
    ("", ALL),
    ("project = WEB", "WEB-1 WEB-2 WEB-3 WEB-4 WEB-5"),
    ("project = web", "WEB-1 WEB-2 WEB-3 WEB-4 WEB-5"),
    ("project != WEB", "API-1 API-2 API-3"),
    ("project IN (WEB, API)", ALL),
    ("project NOT IN (API)", "WEB-1 WEB-2 WEB-3 WEB-4 WEB-5"),
    ("key = WEB-3", "WEB-3"),
    ("issuekey IN (WEB-1, API-2)", "WEB-1 API-2"),
    ("key != WEB-1 AND project = WEB", "WEB-2 WEB-3 WEB-4 WEB-5"),
    ("key > WEB-3", "WEB-4 WEB-5"),
    ("key <= API-2", "API-1 API-2"),
    ("status = \"To Do\"", "WEB-1 WEB-4 API-1"),
    ("status = 'to do'", "WEB-1 WEB-4 API-1"),
    ("status != Done", "WEB-1 WEB-2 WEB-4 WEB-5 API-1 API-3"),
    (
        "status IN (\"In Progress\", Done)",
        "WEB-2 WEB-3 WEB-5 API-2 API-3",
    ),
    ("statusCategory = Done", "WEB-3 API-2"),
    (
        "statusCategory != \"To Do\"",
        "WEB-2 WEB-3 WEB-5 API-2 API-3",
    ),
    ("type = bug", "WEB-1 WEB-3 API-3"),
    (
        "issuetype IN (story, task)",
        "WEB-2 WEB-4 WEB-5 API-1 API-2",
    ),
    ("type != Bug", "WEB-2 WEB-4 WEB-5 API-1 API-2"),
    ("priority = High", "WEB-3 WEB-5"),
    ("priority > medium", "WEB-1 WEB-3 WEB-5 API-3"),
    ("priority >= high", "WEB-1 WEB-3 WEB-5 API-3"),
    ("priority < medium", "WEB-4 API-2"),
    ("priority <= low", "WEB-4 API-2"),
    ("priority IN (lowest, highest)", "WEB-1 API-2 API-3"),
    ("assignee = bob", "WEB-1 WEB-5 API-1"),
    ("assignee != bob", "WEB-3 WEB-4 API-3"),
    ("assignee IS EMPTY", "WEB-2 API-2"),
    (
        "assignee IS NOT EMPTY",
        "WEB-1 WEB-3 WEB-4 WEB-5 API-1 API-3",
    ),
    ("assignee is null", "WEB-2 API-2"),
    ("assignee IN (bob, ada)", "WEB-1 WEB-3 WEB-5 API-1 API-3"),
    ("assignee NOT IN (bob)", "WEB-3 WEB-4 API-3"),
    ("assignee = currentUser()", "WEB-4"),
    ("reporter = currentUser()", ALL),
    ("assignee IN membersOf(\"admin\")", "WEB-3 API-3"),
    ("assignee in membersOf('member')", "WEB-1 WEB-5 API-1"),
    ("labels = auth", "WEB-1 WEB-5"),
    ("labels IN (docs, ux)", "WEB-2 API-2"),
    ("labels != auth", "WEB-2 WEB-3 API-1 API-2 API-3"),
    ("labels IS EMPTY", "WEB-4"),
    ("labels NOT IN (backend, auth)", "WEB-2 WEB-3 API-2"),
    ("summary ~ login", "WEB-1 WEB-5"),
    ("summary ~ \"login page\"", "WEB-1"),
    ("summary ~ \"pagin*\"", "API-2 API-3"),
    ("summary !~ login", "WEB-2 WEB-3 WEB-4 API-1 API-2 API-3"),
    ("description ~ oauth", "WEB-5"),
    ("text ~ login", "WEB-1 WEB-5 API-3"),
    ("comment ~ customers", "WEB-2"),
    ("summary ~ \"\\\"login page\\\"\"", "WEB-1"),
    ("summary ~ \"page login\"", "WEB-1"),
    ("summary ~ \"\\\"page login\\\"\"", ""),
    ("summary ~ LOGINS", "WEB-1 WEB-5"),
    ("description IS EMPTY", "WEB-4"),
    ("created >= -7d", "WEB-1 WEB-5 API-1 API-3"),
    ("created < -30d", "WEB-3 WEB-4"),
    ("created > -1w", "WEB-1 WEB-5 API-1 API-3"),
    (
        "created >= -1y",
        "WEB-1 WEB-2 WEB-3 WEB-5 API-1 API-2 API-3",
    ),
    ("created >= startOfDay()", "WEB-5"),
    (
        "created < startOfDay()",
        "WEB-1 WEB-2 WEB-3 WEB-4 API-1 API-2 API-3",
    ),
    ("created >= startOfDay(-1)", "WEB-1 WEB-5 API-1"),
    (
        "created <= endOfDay(-1)",
        "WEB-1 WEB-2 WEB-3 WEB-4 API-1 API-2 API-3",
    ),
    ("created <= now()", ALL),
    ("due < now()", "WEB-5"),
    ("due IS EMPTY", "WEB-2 WEB-3 WEB-4 API-1 API-2 API-3"),
    ("duedate > startOfDay()", "WEB-1"),
    ("resolved IS NOT EMPTY", "WEB-3 API-2"),
    ("resolved IS EMPTY AND project = API", "API-1 API-3"),
    (
        "project = WEB AND status = \"To Do\" OR project = API AND priority = highest",
        "WEB-1 WEB-4 API-3",
    ),
    (
        "project = WEB AND (status = \"To Do\" OR priority = highest)",
        "WEB-1 WEB-4",
    ),
    ("NOT project = WEB", "API-1 API-2 API-3"),
    (
        "NOT (assignee = bob OR assignee IS EMPTY)",
        "WEB-3 WEB-4 API-3",
    ),
    ("NOT status = Done AND type = bug", "WEB-1 API-3"),
    ("PROJECT = web and Status = \"TO DO\"", "WEB-1 WEB-4"),
];

/// Ordered queries: the exact sequence.
const ORDERED: &[(&str, &str)] = &[
    (
        "project = WEB ORDER BY priority DESC, key ASC",
        "WEB-1 WEB-3 WEB-5 WEB-2 WEB-4",
    ),
    (
        "ORDER BY created ASC",
        "WEB-4 WEB-3 API-2 WEB-2 API-3 WEB-1 API-1 WEB-5",
    ),
    ("", "WEB-5 API-1 WEB-1 API-3 WEB-2 API-2 WEB-3 WEB-4"),
    ("project = API ORDER BY key DESC", "API-3 API-2 API-1"),
    (
        "ORDER BY due ASC",
        "WEB-5 WEB-1 WEB-2 WEB-3 WEB-4 API-1 API-2 API-3",
    ),
    (
        "labels in (auth) and assignee = bob order by key",
        "WEB-1 WEB-5",
    ),
    (
        "project = WEB ORDER BY assignee ASC, key DESC",
        "WEB-2 WEB-4 WEB-3 WEB-5 WEB-1",
    ),
];

#[tokio::test]
async fn the_query_table_matches_on_the_fixed_dataset() {
    check_the_query_table(&dataset().await).await;
}

/// The same table with text tested row by row on the page (the plan for common terms).
#[tokio::test]
async fn the_query_table_matches_with_text_tested_per_row() {
    std::sync::atomic::AtomicI64::store(
        &super::MATCHES_FIRST_MAX,
        -1,
        std::sync::atomic::Ordering::Relaxed,
    );
    check_the_query_table(&dataset().await).await;
}

async fn check_the_query_table(data: &Dataset) {
    let mut checked = 0;
    for (jql, expected) in TABLE {
        let got: BTreeSet<String> = data.keys(jql).await.into_iter().collect();
        assert_eq!(got, set(expected), "{jql}");
        checked += 1;
    }
    for (jql, expected) in ORDERED {
        let got = data.keys(jql).await;
        let expected: Vec<String> = expected.split_whitespace().map(str::to_owned).collect();
        assert_eq!(got, expected, "{jql}");
        checked += 1;
    }
    assert!(checked >= 60, "{checked}");
}

#[tokio::test]
async fn get_and_post_agree_and_fields_trim_the_issues() {
    let data = dataset().await;
    let (status, body) = data
        .app
        .get(
            &data.org.owner_token,
            "/api/v1/orgs/acme/search?jql=project%20%3D%20API%20ORDER%20BY%20key&fields=title,priority&maxResults=2",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 3);
    assert_eq!(body["isLast"], false);
    assert_eq!(
        body["issues"][0],
        json!({ "id": body["issues"][0]["id"], "key": "API-1", "title": "Rate limit the API", "priority": "medium" })
    );
    let token = body["nextPageToken"].as_str().unwrap_or_default();
    let (status, rest) = data
        .app
        .send_json(
            Method::POST,
            &data.org.owner_token,
            "/api/v1/orgs/acme/search",
            // The same query re-spaced: the token follows the canonical query.
            json!({ "jql": "project=API  order by key", "maxResults": 2, "nextPageToken": token }),
        )
        .await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(rest["issues"].as_array().map(Vec::len), Some(1));
    assert_eq!(rest["issues"][0]["key"], "API-3");
    assert_eq!(rest["isLast"], true);
    assert!(rest["nextPageToken"].is_null());

    // A token from one query is refused by another.
    let (status, problem) = data
        .app
        .send_json(
            Method::POST,
            &data.org.owner_token,
            "/api/v1/orgs/acme/search",
            json!({ "jql": "project = WEB ORDER BY key", "maxResults": 2, "nextPageToken": token }),
        )
        .await;
    assert_problem(status, &problem, 422, "validation");
    assert_eq!(problem["field"], "nextPageToken");
}

#[tokio::test]
async fn paging_while_tickets_are_created_never_repeats_or_skips() {
    let data = dataset().await;
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({ "jql": "", "maxResults": 3 });
        if let Some(t) = &token {
            body["nextPageToken"] = json!(t);
        }
        let (status, page) = data
            .app
            .send_json(
                Method::POST,
                &data.org.owner_token,
                "/api/v1/orgs/acme/search",
                body,
            )
            .await;
        assert_eq!(status, 200, "{page}");
        for issue in page["issues"].as_array().into_iter().flatten() {
            seen.push(issue["key"].as_str().unwrap_or_default().to_owned());
        }
        // Newer than everything: sorts before the cursor under created DESC.
        data.app
            .ticket(&data.org, "WEB", "arrived while paging")
            .await;
        match page["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = "WEB-5 API-1 WEB-1 API-3 WEB-2 API-2 WEB-3 WEB-4"
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    assert_eq!(seen, expected);
    // And a write is visible to the very next search.
    let keys = data.keys("summary ~ arrived").await;
    assert_eq!(keys.len(), 3);
}

#[tokio::test]
async fn query_errors_are_400_problems_with_the_column_never_500() {
    let data = dataset().await;
    for (jql, column) in [
        ("project = ", 11),
        ("stauts = Done", 1),
        ("project = WEB AND", 18),
        ("(project = WEB", 1),
        ("issue in linkedIssues(nonsense)", 10),
        ("priority = urgent", 12),
        ("key = nonsense", 7),
    ] {
        let (status, problem) = data.search(jql).await;
        assert_problem(status, &problem, 400, "jql");
        assert_eq!(problem["field"], "jql", "{jql}");
        assert!(problem["column"].as_u64().is_some(), "{jql}: {problem}");
        let _ = column;
    }
    let deep = format!("{}project = WEB{}", "(".repeat(100), ")".repeat(100));
    let (status, problem) = data.search(&deep).await;
    assert_problem(status, &problem, 400, "jql");
    let long = format!("summary ~ \"{}\"", "x".repeat(20_000));
    let (status, problem) = data.search(&long).await;
    assert_problem(status, &problem, 422, "validation");
    assert_eq!(problem["field"], "jql");
    for (query, field) in [
        ("maxResults=0", "maxResults"),
        ("maxResults=101", "maxResults"),
        ("timeZone=Mars", "timeZone"),
    ] {
        let (status, problem) = data
            .app
            .get(
                &data.org.owner_token,
                &format!("/api/v1/orgs/acme/search?jql=&{query}"),
            )
            .await;
        assert_problem(status, &problem, 422, "validation");
        assert_eq!(problem["field"], field);
    }
}

#[tokio::test]
async fn injection_attempts_are_just_text() {
    let data = dataset().await;
    for jql in [
        "summary ~ \"' OR 1=1 --\"",
        "project = \"WEB' OR '1'='1\"",
        "status = \"Done'; DROP TABLE tickets; --\"",
        "summary ~ \"\\\\\"",
        "summary ~ \"a & b | !c :* <->\"",
        "summary ~ \"Straße 😀\"",
        "labels = \"\\u0000\"",
        "assignee = \"bob\\\" OR \\\"1\\\"=\\\"1\"",
    ] {
        let (status, body) = data.search(jql).await;
        assert!(status == 200 || status == 400, "{jql}: {status} {body}");
        if status == 200 {
            assert_eq!(body["total"], 0, "{jql}");
        }
    }
    assert_eq!(data.keys("").await.len(), 8, "tickets still there");
}

#[tokio::test]
async fn search_sees_only_the_callers_org() {
    let data = dataset().await;
    let other = data.app.org("globex").await;
    data.app.project(&other, "WEB").await;
    data.app.ticket(&other, "WEB", "Login page of globex").await;
    let (status, body) = data
        .app
        .send_json(
            Method::POST,
            &other.owner_token,
            "/api/v1/orgs/globex/search",
            json!({ "jql": "summary ~ login" }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["total"], 1);
    assert_eq!(body["issues"][0]["title"], "Login page of globex");
    // Another org's token on this org's search: 404, like any route.
    let (status, problem) = data
        .app
        .send_json(
            Method::POST,
            &other.owner_token,
            "/api/v1/orgs/acme/search",
            json!({ "jql": "" }),
        )
        .await;
    assert_problem(status, &problem, 404, "not-found");
    // A role without tickets.read is refused.
    let billing = data.app.member(&data.org, "bill", Role::Billing).await;
    let (status, problem) = data
        .app
        .send_json(
            Method::POST,
            &billing,
            "/api/v1/orgs/acme/search",
            json!({ "jql": "" }),
        )
        .await;
    assert_problem(status, &problem, 403, "forbidden");
}

#[test]
fn relative_dates_follow_the_callers_midnight() {
    use super::compile::Context;
    let now: DateTime<Utc> = Utc
        .with_ymd_and_hms(2026, 11, 25, 23, 30, 0)
        .single()
        .unwrap_or_default();
    let start_of_day = |zone: FixedOffset| {
        let ctx = Context {
            user: tenancy::UserId::new(),
            now,
            zone,
            hidden_projects: Vec::new(),
        };
        super::compile::instant_for_test("created >= startOfDay()", &ctx)
    };
    let utc = FixedOffset::east_opt(0).unwrap_or(FixedOffset::east_opt(0).expect("utc"));
    // 23:30 UTC: still the 25th in UTC, already the 26th at +02:00, 18:30 on the 25th at -05:00.
    assert_eq!(
        start_of_day(utc),
        Utc.with_ymd_and_hms(2026, 11, 25, 0, 0, 0).single()
    );
    assert_eq!(
        start_of_day(FixedOffset::east_opt(2 * 3600).unwrap_or(utc)),
        Utc.with_ymd_and_hms(2026, 11, 25, 22, 0, 0).single()
    );
    assert_eq!(
        start_of_day(FixedOffset::west_opt(5 * 3600).unwrap_or(utc)),
        Utc.with_ymd_and_hms(2026, 11, 25, 5, 0, 0).single()
    );
    let ctx = Context {
        user: tenancy::UserId::new(),
        now,
        zone: utc,
        hidden_projects: Vec::new(),
    };
    assert_eq!(
        super::compile::instant_for_test("created <= endOfMonth()", &ctx),
        Utc.with_ymd_and_hms(2026, 11, 30, 23, 59, 59)
            .single()
            .map(|t| t + chrono::Duration::microseconds(999_999))
    );
    assert_eq!(
        super::compile::instant_for_test("created >= startOfWeek()", &ctx),
        Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).single()
    );
    assert_eq!(
        super::compile::instant_for_test("created >= -1M", &ctx),
        Utc.with_ymd_and_hms(2026, 10, 25, 23, 30, 0).single()
    );
}

#[tokio::test]
async fn autocomplete_suggests_fields_operators_and_the_orgs_values() {
    let data = dataset().await;
    let suggest = |jql: &'static str| {
        let path = format!(
            "/api/v1/orgs/acme/search/autocomplete?jql={}",
            urlencode(jql)
        );
        let app = &data.app;
        let token = data.org.owner_token.clone();
        async move {
            let (status, body) = app.get(&token, &path).await;
            assert_eq!(status, 200, "{jql}: {body}");
            body["suggestions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["value"].as_str().map(str::to_owned))
                .collect::<Vec<_>>()
        }
    };
    assert!(suggest("sta").await.contains(&"status".to_owned()));
    assert!(suggest("sta").await.contains(&"statusCategory".to_owned()));
    assert_eq!(
        suggest("priority ").await,
        vec![
            "=",
            "!=",
            ">",
            ">=",
            "<",
            "<=",
            "IN",
            "NOT IN",
            "WAS",
            "WAS NOT",
            "WAS IN",
            "WAS NOT IN",
            "CHANGED"
        ]
    );
    assert_eq!(
        suggest("status = ").await,
        vec!["Done", "\"In Progress\"", "\"To Do\""]
    );
    assert_eq!(suggest("status = in").await, vec!["\"In Progress\""]);
    let users = suggest("assignee = ").await;
    assert!(
        users.contains(&"bob".to_owned()) && users.contains(&"currentUser()".to_owned()),
        "{users:?}"
    );
    assert!(suggest("labels in (a").await.contains(&"auth".to_owned()));
    assert_eq!(suggest("project = W").await, vec!["WEB"]);
    assert_eq!(
        suggest("project = WEB ").await,
        vec!["AND", "OR", "ORDER BY"]
    );
    assert!(
        suggest("created > start")
            .await
            .contains(&"startOfDay()".to_owned())
    );

    // Another org's values never appear.
    let other = data.app.org("globex").await;
    data.app.project(&other, "SECRET").await;
    assert_eq!(suggest("project = S").await, Vec::<String>::new());
}

#[tokio::test]
async fn saved_filters_are_private_unless_shared_and_only_their_owner_changes_them() {
    let data = dataset().await;
    let bob = data.app.member(&data.org, "bobby", Role::Member).await;
    let create = |token: String, name: &'static str, shared: bool| {
        let app = &data.app;
        async move {
            app.send_json(
                Method::POST,
                &token,
                "/api/v1/orgs/acme/filters",
                json!({ "name": name, "jql": "assignee = currentUser() ORDER BY priority DESC", "shared": shared }),
            )
            .await
        }
    };
    let (status, private) = create(data.org.owner_token.clone(), "Mine", false).await;
    assert_eq!(status, 201, "{private}");
    let (status, shared) = create(data.org.owner_token.clone(), "Team", true).await;
    assert_eq!(status, 201, "{shared}");
    let (status, problem) = create(data.org.owner_token.clone(), "Mine", true).await;
    assert_problem(status, &problem, 409, "filter-name-taken");

    let (_, list) = data.app.get(&bob, "/api/v1/orgs/acme/filters").await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(names, vec!["Team"]);
    let private_path = format!(
        "/api/v1/orgs/acme/filters/{}",
        private["id"].as_str().unwrap_or_default()
    );
    let shared_path = format!(
        "/api/v1/orgs/acme/filters/{}",
        shared["id"].as_str().unwrap_or_default()
    );
    let (status, problem) = data.app.get(&bob, &private_path).await;
    assert_problem(status, &problem, 404, "not-found");
    let (status, problem) = data
        .app
        .send_json(
            Method::PATCH,
            &bob,
            &shared_path,
            json!({ "name": "Hijacked" }),
        )
        .await;
    assert_problem(status, &problem, 403, "forbidden");

    let (status, problem) = data
        .app
        .send_json(
            Method::POST,
            &bob,
            "/api/v1/orgs/acme/filters",
            json!({ "name": "Bad", "jql": "status = " }),
        )
        .await;
    assert_problem(status, &problem, 400, "jql");

    let (status, renamed) = data
        .app
        .send_json(
            Method::PATCH,
            &data.org.owner_token,
            &shared_path,
            json!({ "shared": false, "name": "Mine too" }),
        )
        .await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(renamed["version"], 2);
    let (_, list) = data.app.get(&bob, "/api/v1/orgs/acme/filters").await;
    assert_eq!(list["items"], json!([]));

    // The saved query runs as the person who runs it.
    let (_, filter) = data.app.get(&data.org.owner_token, &private_path).await;
    let jql = filter["jql"].as_str().unwrap_or_default();
    assert_eq!(data.keys(jql).await, vec!["WEB-4"]);
    let (status, _) = crate::test_support::send(data.app.request(
        Method::DELETE,
        &data.org.owner_token,
        &private_path,
    ))
    .await;
    assert_eq!(status, 204);
}

/// Runs `jql` through `search::run` as the owner with `hidden` projects left out.
async fn search_hiding(data: &Dataset, jql: &str, hidden: &[&str]) -> (i64, BTreeSet<String>) {
    use diesel::{ExpressionMethods, QueryDsl};
    let mut conn = data.app.conn().await;
    let scope = tenancy::authorize_user(&mut conn, data.org.owner, "acme")
        .await
        .expect("lookup")
        .expect("member");
    let query = jql::parse(jql).expect("jql");
    let hidden: Vec<String> = hidden.iter().map(|k| (*k).to_owned()).collect();
    let found = scope
        .transaction(&mut conn, async |tx| {
            let ids: Vec<uuid::Uuid> = crate::schema::projects::table
                .filter(crate::schema::projects::key.eq_any(&hidden))
                .select(crate::schema::projects::id)
                .load(tx.conn())
                .await?;
            let ctx = super::compile::Context {
                user: tx.scope().user_id(),
                now: Utc::now(),
                zone: FixedOffset::east_opt(0).expect("utc"),
                hidden_projects: ids.into_iter().map(crate::projects::ProjectId).collect(),
            };
            super::run(tx, &query, &ctx, None, 100, None).await
        })
        .await
        .expect("search");
    (
        found.total,
        found.issues.iter().map(|t| t.key.clone()).collect(),
    )
}

#[tokio::test]
async fn hidden_projects_vanish_from_results_and_total() {
    let data = dataset().await;
    for (jql, expected) in [
        ("", "WEB-1 WEB-2 WEB-3 WEB-4 WEB-5"),
        ("text ~ login", "WEB-1 WEB-5"),
        ("project = API", ""),
        ("summary ~ pagination", ""),
        ("priority = highest ORDER BY key", "WEB-1"),
    ] {
        let (total, keys) = search_hiding(&data, jql, &["API"]).await;
        assert_eq!(keys, set(expected), "{jql}");
        assert_eq!(total, keys.len() as i64, "{jql}: total");
    }
    // Nothing hidden: everything, as through the API.
    let (total, keys) = search_hiding(&data, "text ~ login", &[]).await;
    assert_eq!((total, keys), (3, set("WEB-1 WEB-5 API-3")));
}

#[tokio::test]
async fn deleted_tickets_leave_text_search_and_its_total() {
    let data = dataset().await;
    assert_eq!(data.keys("summary ~ login").await.len(), 2);
    let (status, body) = crate::test_support::send(
        data.app
            .request(
                Method::DELETE,
                &data.org.owner_token,
                "/api/v1/orgs/acme/tickets/WEB-1",
            )
            .header("if-match", "\"1\""),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    // `keys` checks that the total equals the number of issues.
    assert_eq!(data.keys("summary ~ login").await, vec!["WEB-5"]);
    assert_eq!(data.keys("text ~ login").await.len(), 2);
    // Comments still index on live tickets (WEB-2, API-3); a comment on the deleted
    // ticket does not bring it back.
    let mut owner = DbConn::establish(&data.app.db.owner_url)
        .await
        .expect("owner");
    diesel::sql_query("UPDATE comments SET body = body || ' login' ")
        .execute(&mut owner)
        .await
        .expect("touch comments");
    diesel::sql_query(
        "INSERT INTO comments (id, org_id, ticket_id, author_id, body)
         SELECT gen_random_uuid(), org_id, id, reporter_id, 'login again'
           FROM tickets WHERE title LIKE 'Login page%'",
    )
    .execute(&mut owner)
    .await
    .expect("comment");
    assert_eq!(data.keys("comment ~ login").await.len(), 2);
}

#[tokio::test]
async fn pages_follow_any_order_mixed_directions_included() {
    let data = dataset().await;
    for jql in [
        "ORDER BY priority DESC, key ASC",
        "ORDER BY key DESC",
        "ORDER BY assignee ASC, created DESC",
        "ORDER BY due ASC, status DESC",
        "text ~ login OR project = API ORDER BY resolved DESC, summary ASC",
    ] {
        let all = data.keys(jql).await;
        let mut paged = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut body = json!({ "jql": jql, "maxResults": 3 });
            if let Some(t) = &token {
                body["nextPageToken"] = json!(t);
            }
            let (status, page) = data
                .app
                .send_json(
                    Method::POST,
                    &data.org.owner_token,
                    "/api/v1/orgs/acme/search",
                    body,
                )
                .await;
            assert_eq!(status, 200, "{jql}: {page}");
            paged.extend(
                page["issues"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|i| i["key"].as_str().map(str::to_owned)),
            );
            match page["nextPageToken"].as_str() {
                Some(t) => token = Some(t.to_owned()),
                None => break,
            }
        }
        assert_eq!(paged, all, "{jql}");
    }
}

/// `WAS` and `CHANGED` over real changes: transitions, assignments and priority edits
/// made by three people through the API, one ticket's history moved to a fixed day
/// (2026-01-15) so the time bounds have something to tell apart.
#[tokio::test]
async fn history_operators_answer_from_every_recorded_change() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    let bob = app.member(&org, "bob", Role::Member).await;
    let ada = app.member(&org, "ada", Role::Admin).await;
    let owner = org.owner_token.clone();
    app.project(&org, "WEB").await;
    for title in ["one", "two", "three"] {
        app.ticket(&org, "WEB", title).await;
    }
    let call = async |token: &str, method: Method, path: &str, body: Value| {
        let (status, body) = app
            .send_json(method, token, &format!("/api/v1/orgs/acme{path}"), body)
            .await;
        assert!(status < 300, "{path}: {status} {body}");
    };
    let move_to = |to: &str| json!({ "to": to });
    // WEB-1: To Do -> In Progress (owner) -> Done (bob); assigned to bob by ada.
    call(
        &owner,
        Method::POST,
        "/tickets/WEB-1/transitions",
        move_to("In Progress"),
    )
    .await;
    call(
        &bob,
        Method::POST,
        "/tickets/WEB-1/transitions",
        move_to("Done"),
    )
    .await;
    call(
        &ada,
        Method::PATCH,
        "/tickets/WEB-1",
        json!({ "assignee": "bob" }),
    )
    .await;
    // WEB-2: priority medium -> high (owner).
    call(
        &owner,
        Method::PATCH,
        "/tickets/WEB-2",
        json!({ "priority": "high" }),
    )
    .await;
    // WEB-3: To Do -> In Progress (bob); assigned to ada, then unassigned (owner).
    call(
        &bob,
        Method::POST,
        "/tickets/WEB-3/transitions",
        move_to("In Progress"),
    )
    .await;
    call(
        &owner,
        Method::PATCH,
        "/tickets/WEB-3",
        json!({ "assignee": "ada" }),
    )
    .await;
    call(
        &owner,
        Method::PATCH,
        "/tickets/WEB-3",
        json!({ "assignee": null }),
    )
    .await;
    // WEB-1's history happened on 2026-01-15 (shifted as a whole, order kept).
    let mut db = DbConn::establish(&app.db.owner_url).await.expect("owner");
    diesel::sql_query(
        "WITH one AS (SELECT t.id FROM tickets t JOIN projects p ON p.id = t.project_id
                       WHERE p.key = 'WEB' AND t.number = 1),
              shift AS (SELECT timestamptz '2026-01-15 12:00+00' - min(started_at) AS by
                          FROM ticket_field_history WHERE ticket_id = (SELECT id FROM one))
         UPDATE ticket_field_history h
            SET started_at = started_at + shift.by, ended_at = ended_at + shift.by
           FROM shift WHERE h.ticket_id = (SELECT id FROM one)",
    )
    .execute(&mut db)
    .await
    .expect("shift WEB-1's history");
    // Another organization's changes never count.
    let other = app.org("other").await;
    app.project(&other, "OTH").await;
    app.ticket(&other, "OTH", "elsewhere").await;
    let (status, _) = app
        .send_json(
            Method::POST,
            &other.owner_token,
            "/api/v1/orgs/other/tickets/OTH-1/transitions",
            json!({ "to": "In Progress" }),
        )
        .await;
    assert_eq!(status, 200);

    let cases: &[(&str, &str)] = &[
        (r#"status WAS "In Progress""#, "WEB-1 WEB-3"),
        (r#"status was "to do""#, "WEB-1 WEB-2 WEB-3"),
        (r#"status WAS NOT "In Progress""#, "WEB-2"),
        (r#"status WAS IN (Done, "In Progress")"#, "WEB-1 WEB-3"),
        (r#"status WAS NOT IN (Done, "In Progress")"#, "WEB-2"),
        (r#"status WAS Nonexistent"#, ""),
        (r#"status WAS "In Progress" BY bob"#, "WEB-3"),
        (r#"status WAS Done BY bob"#, "WEB-1"),
        (r#"status WAS "To Do" BY acme-owner"#, "WEB-1 WEB-2 WEB-3"),
        (
            r#"status WAS "In Progress" DURING ("2026-01-14", "2026-01-15")"#,
            "WEB-1",
        ),
        (
            r#"status WAS "In Progress" DURING ("2026-01-16", "2026-02-01")"#,
            "",
        ),
        (r#"status WAS "In Progress" AFTER "2026-06-01""#, "WEB-3"),
        (r#"status WAS Done AFTER "2026-06-01""#, "WEB-1"),
        (r#"status WAS "To Do" BEFORE "2026-06-01""#, "WEB-1"),
        (r#"status WAS "To Do" ON "2026-01-15""#, "WEB-1"),
        (r#"status CHANGED"#, "WEB-1 WEB-3"),
        (r#"NOT status CHANGED"#, "WEB-2"),
        (
            r#"status CHANGED FROM "To Do" TO "In Progress""#,
            "WEB-1 WEB-3",
        ),
        (r#"status CHANGED FROM "In Progress""#, "WEB-1"),
        (r#"status CHANGED TO Done BY bob"#, "WEB-1"),
        (r#"status CHANGED TO Done BY (ada, acme-owner)"#, ""),
        (r#"status CHANGED ON "2026-01-15""#, "WEB-1"),
        (r#"status CHANGED ON "2026-01-16""#, ""),
        (r#"status CHANGED AFTER -1d"#, "WEB-3"),
        (r#"status CHANGED BEFORE -1d"#, "WEB-1"),
        (r#"assignee WAS bob"#, "WEB-1"),
        (r#"assignee WAS ada"#, "WEB-3"),
        (r#"assignee WAS IN (ada, bob)"#, "WEB-1 WEB-3"),
        (r#"assignee WAS EMPTY"#, "WEB-1 WEB-2 WEB-3"),
        (r#"assignee WAS EMPTY AFTER -1d"#, "WEB-2 WEB-3"),
        (r#"assignee CHANGED FROM ada TO EMPTY"#, "WEB-3"),
        (r#"assignee CHANGED FROM EMPTY"#, "WEB-1 WEB-3"),
        (r#"assignee CHANGED BY ada"#, "WEB-1"),
        (r#"assignee CHANGED BY membersOf(admin)"#, "WEB-1"),
        (r#"priority WAS medium"#, "WEB-1 WEB-2 WEB-3"),
        (r#"priority WAS IN (highest, high)"#, "WEB-2"),
        (
            r#"priority CHANGED FROM medium TO high BY acme-owner"#,
            "WEB-2",
        ),
        (
            r#"project = WEB AND status WAS "In Progress" AND assignee WAS EMPTY ORDER BY key"#,
            "WEB-1 WEB-3",
        ),
    ];
    let found = async |token: &str, jql: &str| -> BTreeSet<String> {
        let (status, body) = app
            .send_json(
                Method::POST,
                token,
                "/api/v1/orgs/acme/search",
                json!({ "jql": jql, "maxResults": 100 }),
            )
            .await;
        assert_eq!(status, 200, "{jql}: {body}");
        let keys: BTreeSet<String> = body["issues"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["key"].as_str().map(str::to_owned))
            .collect();
        assert_eq!(body["total"], keys.len(), "{jql}: total");
        keys
    };
    for (jql, expected) in cases {
        assert_eq!(found(&owner, jql).await, set(expected), "{jql}");
    }
    assert_eq!(
        found(&bob, "assignee WAS currentUser()").await,
        set("WEB-1")
    );
    assert_eq!(
        found(&bob, "status CHANGED BY currentUser()").await,
        set("WEB-1 WEB-3")
    );
    // The other org sees its own change only.
    let (status, body) = app
        .send_json(
            Method::POST,
            &other.owner_token,
            "/api/v1/orgs/other/search",
            json!({ "jql": r#"status WAS "In Progress""# }),
        )
        .await;
    assert_eq!((status, body["total"].clone()), (200, json!(1)), "{body}");

    // A deleted ticket leaves the results, its history stays recorded.
    let (status, _) = app
        .send_json(
            Method::DELETE,
            &owner,
            "/api/v1/orgs/acme/tickets/WEB-3",
            Value::Null,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        found(&owner, r#"status WAS "In Progress""#).await,
        set("WEB-1")
    );

    // Mistakes are 400 problems pointing at the column.
    for (jql, column) in [
        ("summary WAS x", 9),
        ("status CHANGED AFTER bob", 22),
        ("status WAS Done FROM Open", 17),
        (r#"status CHANGED DURING ("2026-02-01", "2026-01-01")"#, 23),
        ("priority WAS nonsense", 14),
    ] {
        let (status, body) = app
            .send_json(
                Method::POST,
                &owner,
                "/api/v1/orgs/acme/search",
                json!({ "jql": jql }),
            )
            .await;
        assert_problem(status, &body, 400, "jql");
        assert_eq!(body["column"], column, "{jql}: {body}");
    }
}
