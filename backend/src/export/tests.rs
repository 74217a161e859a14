//! Exports over HTTP: CSV and JSON across several pages (7 rows a page in tests),
//! formula injection, private projects, time zones, and bad input.

use reqwest::Method;
use serde_json::{Value, json};

use crate::test_support::{TestApp, TestOrg, assert_problem, header, read};

/// The raw response: status, content type, content disposition, body.
async fn export(app: &TestApp, token: &str, query: &str) -> (u16, String, String, String) {
    let response = app
        .request(
            Method::GET,
            token,
            &format!("/api/v1/orgs/acme/export?{query}"),
        )
        .send()
        .await
        .expect("export");
    let (kind, disposition) = (
        header(&response, "content-type"),
        header(&response, "content-disposition"),
    );
    let status = response.status().as_u16();
    let body = response.text().await.expect("body");
    (status, kind, disposition, body)
}

fn records(csv: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv.as_bytes())
        .records()
        .map(|r| r.expect("record").iter().map(str::to_owned).collect())
        .collect()
}

async fn setup() -> (TestApp, TestOrg) {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    (app, org)
}

#[tokio::test]
async fn csv_export_streams_every_page_in_order_with_formulas_neutralised() {
    let (app, org) = setup().await;
    let awkward = [
        "=HYPERLINK(\"http://evil.example\",\"click\")",
        "+1+2",
        "-3",
        "@SUM(A1)",
        "Commas, \"quotes\"; semicolons",
        "Ünïcödé ✓",
    ];
    for title in awkward {
        app.ticket(&org, "WEB", title).await;
    }
    // 20 plain ones after them: 26 rows, four pages of seven.
    for i in 0..20 {
        app.ticket(&org, "WEB", &format!("Plain {i}")).await;
    }
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &org.owner_token,
            "/api/v1/orgs/acme/tickets/WEB-1",
            json!({
                "labels": ["=cmd", "ok"], "story_points": 3.5,
                "description": "-two\nlines, \"quoted\""
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, kind, disposition, csv) = export(
        &app,
        &org.owner_token,
        "jql=project%20%3D%20WEB%20ORDER%20BY%20key%20ASC",
    )
    .await;
    assert_eq!(status, 200, "{csv}");
    assert_eq!(kind, "text/csv; charset=utf-8");
    assert!(
        disposition.starts_with("attachment; filename=\"acme-") && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    assert!(csv.ends_with("\r\n") && !csv.starts_with('\u{feff}'));
    let rows = records(&csv);
    assert_eq!(
        rows[0],
        [
            "Issue key",
            "Summary",
            "Issue Type",
            "Status",
            "Priority",
            "Assignee",
            "Reporter",
            "Created",
            "Updated",
            "Resolved"
        ]
    );
    assert_eq!(rows.len(), 27, "a header and 26 rows");
    let keys: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    let expected: Vec<String> = (1..=26).map(|n| format!("WEB-{n}")).collect();
    assert_eq!(keys, expected);
    let titles: Vec<&str> = rows[1..7].iter().map(|r| r[1].as_str()).collect();
    assert_eq!(
        titles,
        [
            "'=HYPERLINK(\"http://evil.example\",\"click\")",
            "'+1+2",
            "'-3",
            "'@SUM(A1)",
            "Commas, \"quotes\"; semicolons",
            "Ünïcödé ✓",
        ]
    );
    assert_eq!(rows[1][2], "task");
    assert_eq!(rows[1][3], "To Do");
    assert_eq!(rows[1][6], "acme-owner");
    assert_eq!(rows[1][5], "", "unassigned");
    assert!(rows[1][7].ends_with('Z'), "UTC by default: {}", rows[1][7]);

    // Chosen columns, in the caller's zone, with a BOM for Excel.
    let (status, _, _, csv) = export(
        &app,
        &org.owner_token,
        "jql=key%20%3D%20WEB-1&columns=key,labels,storyPoints,description,created&timeZone=%2B02:00&bom=true",
    )
    .await;
    assert_eq!(status, 200, "{csv}");
    let csv = csv.strip_prefix('\u{feff}').expect("a BOM");
    let rows = records(csv);
    assert_eq!(
        rows[0],
        [
            "Issue key",
            "Labels",
            "Story Points",
            "Description",
            "Created"
        ]
    );
    assert_eq!(
        rows[1][..4],
        ["WEB-1", "'=cmd, ok", "3.5", "'-two\nlines, \"quoted\""]
    );
    assert!(rows[1][4].ends_with("+02:00"), "{}", rows[1][4]);
    assert_eq!(rows.len(), 2);

    // Nothing found: the header alone.
    let (status, _, _, csv) = export(&app, &org.owner_token, "jql=summary%20~%20nowhere").await;
    assert_eq!(status, 200);
    assert_eq!(records(&csv).len(), 1);
}

#[tokio::test]
async fn json_export_is_one_array_across_pages_with_typed_values() {
    let (app, org) = setup().await;
    for i in 0..15 {
        app.ticket(&org, "WEB", &format!("=Ticket {i}")).await;
    }
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &org.owner_token,
            "/api/v1/orgs/acme/tickets/WEB-2",
            json!({ "labels": ["a", "b"], "story_points": 2, "due_date": "2027-01-31" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, kind, disposition, body) = export(
        &app,
        &org.owner_token,
        "format=json&columns=key,summary,labels,storyPoints,due,parent&jql=ORDER%20BY%20key%20ASC",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(kind, "application/json");
    assert!(disposition.ends_with(".json\""), "{disposition}");
    let rows: Vec<Value> = serde_json::from_str(&body).expect("one JSON array");
    assert_eq!(rows.len(), 15);
    assert_eq!(
        rows[1],
        json!({
            "key": "WEB-2", "summary": "=Ticket 1", "labels": ["a", "b"],
            "storyPoints": 2.0, "due": "2027-01-31", "parent": null
        }),
        "JSON is not a spreadsheet: no quote added"
    );
    let (status, _, _, body) =
        export(&app, &org.owner_token, "format=json&jql=key%20%3D%20WEB-99").await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&body).ok(), Some(json!([])));
}

#[tokio::test]
async fn private_projects_stay_out_for_those_who_may_not_see_them() {
    let (app, org) = setup().await;
    app.ticket(&org, "WEB", "Public work").await;
    app.private_project(&org).await;
    app.ticket(&org, "SEC", "Embargoed exploit").await;
    let outsider = app.member(&org, "outsider", tenancy::Role::Member).await;
    let (status, _, _, csv) = export(&app, &outsider, "columns=key,summary").await;
    assert_eq!(status, 200);
    assert!(
        !csv.contains("Embargoed") && !csv.contains("SEC-1"),
        "{csv}"
    );
    assert_eq!(records(&csv).len(), 2);
    let (_, _, _, csv) = export(&app, &org.owner_token, "columns=key,summary").await;
    assert!(csv.contains("Embargoed exploit"), "{csv}");
    // Another org's member sees none of it.
    let other = app.org("other").await;
    let response = app
        .request(Method::GET, &other.owner_token, "/api/v1/orgs/acme/export")
        .send()
        .await
        .expect("export");
    let (status, body) = read(response).await;
    assert!(status == 403 || status == 404, "{status} {body}");
    assert!(!body.to_string().contains("Public work"));
}

#[tokio::test]
async fn bad_input_is_a_problem_naming_the_field() {
    let (app, org) = setup().await;
    app.ticket(&org, "WEB", "Something").await;
    for (query, status, kind, field) in [
        ("format=xml", 422, "validation", "format"),
        ("columns=key,nope", 422, "validation", "columns"),
        ("columns=key,key", 422, "validation", "columns"),
        ("timeZone=Mars", 422, "validation", "timeZone"),
        ("jql=project%20%3D", 400, "jql", "jql"),
        ("jql=statusCategory%20%3D%20Later", 400, "jql", "jql"),
        ("surprise=1", 422, "validation", "query"),
    ] {
        let response = app
            .request(
                Method::GET,
                &org.owner_token,
                &format!("/api/v1/orgs/acme/export?{query}"),
            )
            .send()
            .await
            .expect("export");
        let content_type = header(&response, "content-type");
        let (got, body) = read(response).await;
        assert_eq!(content_type, "application/problem+json", "{query}");
        assert_problem(got, &body, status, kind);
        assert_eq!(body["field"], field, "{query}: {body}");
    }
}

#[tokio::test]
async fn a_fifth_concurrent_export_is_told_to_retry() {
    let (app, org) = setup().await;
    // The server runs in this process: take the four slots as four running exports.
    let held = super::routes::RUNNING
        .try_acquire_many(4)
        .expect("four slots");
    let response = app
        .request(Method::GET, &org.owner_token, "/api/v1/orgs/acme/export")
        .send()
        .await
        .expect("export");
    let retry = header(&response, "retry-after");
    let (status, body) = read(response).await;
    assert_problem(status, &body, 429, "rate-limited");
    assert_eq!(retry, "5");
    drop(held);
    let (status, _, _, _) = export(&app, &org.owner_token, "").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn custom_fields_export_by_name_with_jiras_headers() {
    let (app, org) = setup().await;
    let t = &org.owner_token;
    for body in [
        json!({ "name": "Customer", "type": "select", "options": ["Acme", "=Evil"] }),
        json!({ "name": "Platforms", "type": "multi_select", "options": ["iOS", "Web"] }),
        json!({ "name": "Score", "type": "number" }),
        json!({ "name": "Reviewer", "type": "user" }),
    ] {
        let (status, field) = app
            .send_json(Method::POST, t, "/api/v1/orgs/acme/custom-fields", body)
            .await;
        assert_eq!(status, 201, "{field}");
    }
    for values in [
        json!({ "10001": "Acme", "10002": ["Web", "iOS"], "10003": 2.5, "10004": "acme-owner" }),
        json!({ "10001": "=Evil" }),
    ] {
        let (status, ticket) = app
            .send_json(
                Method::POST,
                t,
                "/api/v1/orgs/acme/projects/WEB/tickets",
                json!({ "title": "Valued", "custom_fields": values }),
            )
            .await;
        assert_eq!(status, 201, "{ticket}");
    }
    let (status, _, _, body) = export(
        &app,
        t,
        "jql=ORDER%20BY%20key%20ASC&columns=key,Customer,cf%5B10002%5D,score,Reviewer",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        records(&body),
        [
            vec![
                "Issue key",
                "Custom field (Customer)",
                "Custom field (Platforms)",
                "Custom field (Score)",
                "Custom field (Reviewer)"
            ],
            vec!["WEB-1", "Acme", "iOS, Web", "2.5", "acme-owner"],
            vec!["WEB-2", "'=Evil", "", "", ""],
        ]
    );
    let (status, _, _, body) = export(
        &app,
        t,
        "jql=key%3DWEB-1&format=json&columns=key,Customer,Platforms,Score",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let rows: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        rows,
        json!([{ "key": "WEB-1", "Customer": "Acme", "Platforms": ["iOS", "Web"], "Score": 2.5 }])
    );
    let (status, _, _, body) = export(&app, t, "columns=key,Nope").await;
    let problem: Value = serde_json::from_str(&body).expect("problem");
    assert_problem(status, &problem, 422, "validation");
    assert_eq!(problem["field"], "columns");
}
