use reqwest::Method;
use serde_json::{Value, json};
use tenancy::Role;

use crate::test_support::{TestApp, TestOrg, assert_problem, read};

/// A Jira Cloud export written for these tests (invented people): a byte order
/// mark, CRLF line ends, three `Labels` columns, a description with embedded
/// newlines, quotes and commas, parents by Jira id (`10001`) and by key (`JRA-2`,
/// named before its row), an unknown user, a sprint, two custom fields and a column
/// nobody reads.
const FIXTURE: &[u8] = include_bytes!("fixtures/jira-cloud.csv");

/// The mappings the fixture needs: a display name, and two statuses our workflow
/// names otherwise.
const MAPPED: &str = "user:Ada%20Quill=ada&status:In%20Review=In%20Progress&status:Closed=Done";

fn path(org: &str, project: &str, query: &str) -> String {
    format!("/api/v1/orgs/{org}/projects/{project}/import?{query}")
}

async fn import(app: &TestApp, token: &str, query: &str, csv: Vec<u8>) -> (u16, Value) {
    read(
        app.request(Method::POST, token, &path("acme", "WEB", query))
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .expect("request"),
    )
    .await
}

async fn acme(app: &TestApp) -> TestOrg {
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    app.member(&org, "ada", Role::Member).await;
    app.member(&org, "bob", Role::Member).await;
    org
}

async fn ticket(app: &TestApp, org: &TestOrg, key: &str) -> Value {
    let (status, body) = app
        .get(
            &org.owner_token,
            &format!("/api/v1/orgs/{}/tickets/{key}", org.slug),
        )
        .await;
    assert_eq!(status, 200, "{key}: {body}");
    body
}

/// A header and `n` plain rows `KEY-1` .. `KEY-n`.
fn generated(n: usize) -> Vec<u8> {
    let mut csv = String::from("Issue key,Summary,Status,Labels,Labels\n");
    for i in 1..=n {
        csv.push_str(&format!("OLD-{i},Row {i},Done,batch,n{i}\n"));
    }
    csv.into_bytes()
}

#[tokio::test]
async fn a_jira_export_imports_with_its_labels_people_statuses_and_parents() {
    let app = TestApp::start().await;
    let org = acme(&app).await;
    let (status, report) = import(&app, &org.owner_token, MAPPED, FIXTURE.to_vec()).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["applied"], true);
    assert_eq!(
        (report["rows"].clone(), report["created"].clone()),
        (json!(4), json!(4))
    );
    assert_eq!(report["errors"], json!([]));
    assert_eq!(report["unknown_users"], json!(["ghost@example.invalid"]));
    assert_eq!(report["unmatched_sprints"], json!(["Comet Sprint 1"]));
    assert_eq!(report["ignored_columns"], json!(["Watchers"]));
    assert_eq!(
        report["custom_field_columns"],
        json!([{ "name": "Story Points", "rows_with_values": 2 },
               { "name": "Team", "rows_with_values": 2 }])
    );
    assert!(report["custom_fields_note"].is_string(), "{report}");
    assert_eq!(
        (
            report["first_ticket"].clone(),
            report["last_ticket"].clone()
        ),
        (json!("WEB-1"), json!("WEB-4"))
    );

    // Rows keep file order: JRA-3 (first row) is WEB-1, JRA-1 is WEB-2.
    let epic = ticket(&app, &org, "WEB-2").await;
    assert_eq!(epic["title"], "Launch the comet tracker");
    assert_eq!(epic["type"], "epic");
    assert_eq!(epic["priority"], "high");
    assert_eq!(epic["status"]["name"], "In Progress");
    assert_eq!(epic["assignee"]["login"], "ada");
    assert_eq!(epic["reporter"]["login"], "bob");
    assert_eq!(epic["labels"], json!(["space", "launch"]));
    assert_eq!(
        epic["description"],
        "Plan:\n- build the \"tracker\"\n- ship it, then celebrate"
    );
    assert_eq!(epic["created_at"], "2024-03-12T15:04:00Z");
    assert_eq!(epic["moved_from"], json!(["JRA-1"]));
    assert_eq!(epic["resolved_at"], Value::Null);

    let story = ticket(&app, &org, "WEB-3").await;
    assert_eq!(story["parent"], "WEB-2", "parent by Jira id");
    assert_eq!(story["status"]["name"], "Done");
    assert_eq!(story["resolved_at"], "2024-03-20T17:45:00Z");
    assert_eq!(story["created_at"], "2024-03-13T09:00:00Z");
    assert_eq!(story["assignee"]["login"], "bob");
    assert_eq!(story["reporter"]["login"], "ada");

    // Named before its parent's row, by key; an unknown user: unassigned, and the
    // importer reports it.
    let subtask = ticket(&app, &org, "WEB-1").await;
    assert_eq!(subtask["type"], "subtask");
    assert_eq!(subtask["parent"], "WEB-3");
    assert_eq!(subtask["assignee"], Value::Null);
    assert_eq!(subtask["reporter"]["login"], "acme-owner");
    assert_eq!(ticket(&app, &org, "WEB-4").await["status"]["name"], "Done");

    // The Jira key resolves, in reads and in JQL.
    assert_eq!(ticket(&app, &org, "JRA-1").await["key"], "WEB-2");
    assert_eq!(
        app.found(&org.owner_token, "acme", "key = JRA-2").await,
        vec!["WEB-3"]
    );
    assert_eq!(
        app.found(
            &org.owner_token,
            "acme",
            "key IN (JRA-1, JRA-4) ORDER BY key"
        )
        .await,
        vec!["WEB-2", "WEB-4"]
    );
    assert_eq!(
        app.found(&org.owner_token, "acme", "text ~ tracker").await,
        vec!["WEB-2"],
        "search rows written"
    );

    // One audit entry per ticket, each with the import's id.
    let (_, log) = app
        .get(
            &org.owner_token,
            "/api/v1/orgs/acme/audit-log?action=ticket.create",
        )
        .await;
    let tagged: Vec<&Value> = log["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["import_id"] == report["import_id"])
        .collect();
    assert_eq!(tagged.len(), 4, "{log}");
    assert!(
        tagged.iter().any(|e| e["after"]["parent"] == "WEB-3"),
        "{log}"
    );
}

#[tokio::test]
async fn importing_the_same_file_again_creates_nothing_and_reports_skipped_rows() {
    let app = TestApp::start().await;
    let org = acme(&app).await;
    // More rows than one batch (7 in tests), so skipping spans batches.
    let csv = generated(20);
    let (status, first) = import(&app, &org.owner_token, "", csv.clone()).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["created"], 20);
    let (status, again) = import(&app, &org.owner_token, "", csv).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        (again["created"].clone(), again["applied"].clone()),
        (json!(0), json!(true))
    );
    let skipped = again["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 20);
    assert_eq!(
        skipped[0],
        json!({ "row": 2, "key": "OLD-1", "ticket": "WEB-1" })
    );
    assert_eq!(again["last_ticket"], Value::Null);
    assert_eq!(
        app.found(&org.owner_token, "acme", "project = WEB ORDER BY key")
            .await
            .len(),
        20
    );
    // A file with old and new rows imports only the new ones.
    let (_, grown) = import(&app, &org.owner_token, "", generated(22)).await;
    assert_eq!(
        (grown["created"].clone(), grown["first_ticket"].clone()),
        (json!(2), json!("WEB-21"))
    );
}

#[tokio::test]
async fn a_dry_run_reports_every_row_error_by_row_and_column_and_writes_nothing() {
    let app = TestApp::start().await;
    let org = acme(&app).await;
    let csv = concat!(
        "Issue key,Summary,Status,Priority,Assignee,Created,Description,Issue Type,Parent\n",
        // row 2 spans two lines: row numbers count records, not lines
        "BAD-1,\"Two\nlines\",Waiting,High,,12/Mar/24 3:04 PM,,Task,\n",
        "BAD-2,,To Do,Urgent,nobody-known,yesterday,,Task,\n",
        "BAD-1,Again,To Do,,,,,Task,\n",
        "BAD-4,Orphan,To Do,,,,,Sub-task,NOPE-9\n",
        "BAD-5,Fine,To Do,,,,,Story,BAD-4\n",
    );
    let (status, report) = import(
        &app,
        &org.owner_token,
        "dry_run=true&unknown_users=refuse",
        csv.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["dry_run"].clone(), report["applied"].clone()),
        (json!(true), json!(false))
    );
    let errors: Vec<(u64, String)> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap_or(0),
                e["field"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected: Vec<(u64, String)> = [
        (2, "Summary"),
        (2, "Status"),
        (3, "Summary"),
        (3, "Priority"),
        (3, "Assignee"),
        (3, "Created"),
        (4, "Issue key"),
        (5, "Parent"),
        (6, "Parent"),
    ]
    .into_iter()
    .map(|(r, f)| (r, f.to_owned()))
    .collect();
    assert_eq!(errors, expected, "{report}");
    assert_eq!(report["errors"][0]["line"], 2);
    assert_eq!(report["errors"][2]["line"], 4, "row 3 starts on line 4");
    assert_eq!(report["unmapped_statuses"], json!(["Waiting"]));
    assert_eq!(
        report["errors"][8]["detail"],
        "the parent of a story must be an epic, not a subtask"
    );
    assert_eq!(report["unknown_users"], json!(["nobody-known"]));
    assert!(
        app.found(&org.owner_token, "acme", "").await.is_empty(),
        "a dry run writes nothing"
    );
}

#[tokio::test]
async fn rows_with_errors_import_nothing_and_answer_the_report_in_a_problem() {
    let app = TestApp::start().await;
    let org = acme(&app).await;
    // Without the mappings, the fixture's `In Review` and `Closed` are unmapped.
    let (status, body) = import(&app, &org.owner_token, "", FIXTURE.to_vec()).await;
    assert_problem(status, &body, 422, "import-invalid");
    assert_eq!(
        body["report"]["unmapped_statuses"],
        json!(["In Review", "Closed"]),
        "{body}"
    );
    assert_eq!(body["report"]["errors"][0]["row"], 3, "{body}");
    assert!(app.found(&org.owner_token, "acme", "").await.is_empty());
    // The project's numbers were not spent: the next ticket is WEB-1.
    assert_eq!(app.ticket(&org, "WEB", "after").await["key"], "WEB-1");
}

#[tokio::test]
async fn a_ten_megabyte_description_is_reported_not_imported() {
    let app = TestApp::start().await;
    let org = acme(&app).await;
    let mut csv = b"Summary,Issue key,Description\nHuge,BIG-1,\"".to_vec();
    csv.extend(std::iter::repeat_n(b'x', 10 << 20));
    csv.extend_from_slice(b"\"\nSmall,BIG-2,fine\n");
    let (status, report) = import(&app, &org.owner_token, "dry_run=true", csv).await;
    assert_eq!(
        status,
        200,
        "{}",
        report.to_string().chars().take(500).collect::<String>()
    );
    assert_eq!(report["errors"].as_array().map(Vec::len), Some(1));
    assert_eq!(report["errors"][0]["field"], "Description");
    assert_eq!(report["errors"][0]["key"], "BIG-1");
    assert_eq!(report["created"], 1);
}

#[tokio::test]
async fn a_file_over_the_limit_is_a_413_and_not_csv_a_415() {
    let app = TestApp::start_with(|c| c.import_max_bytes = 4096).await;
    let org = acme(&app).await;
    let (status, body) = import(&app, &org.owner_token, "", generated(500)).await;
    assert_problem(status, &body, 413, "payload-too-large");
    let (status, body) = send_as(&app, &org, "application/json", b"{}".to_vec()).await;
    assert_problem(status, &body, 415, "unsupported-media-type");
    assert!(app.found(&org.owner_token, "acme", "").await.is_empty());
}

async fn send_as(app: &TestApp, org: &TestOrg, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    read(
        app.request(Method::POST, &org.owner_token, &path("acme", "WEB", ""))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("request"),
    )
    .await
}

#[tokio::test]
async fn bad_files_and_options_are_field_errors() {
    let app = TestApp::start().await;
    let org = acme(&app).await;
    for (query, csv, field) in [
        ("", "Summary,Status\nx,To Do\n", "file"),
        ("", "", "file"),
        ("dry_run=maybe", "Summary,Issue key\n", "dry_run"),
        (
            "unknown_users=ignore",
            "Summary,Issue key\n",
            "unknown_users",
        ),
        ("user:Ada=not-a-member", "Summary,Issue key\n", "user:Ada"),
        (
            "status:Review=Nowhere",
            "Summary,Issue key\n",
            "status:Review",
        ),
        ("colour=blue", "Summary,Issue key\n", "colour"),
    ] {
        let (status, body) = import(&app, &org.owner_token, query, csv.as_bytes().to_vec()).await;
        assert_problem(status, &body, 422, "validation");
        assert_eq!(body["field"], field, "{query} {csv:?}: {body}");
    }
}

#[tokio::test]
async fn an_idempotency_key_replays_the_import_and_refuses_another_file() {
    let app = TestApp::start().await;
    let org = acme(&app).await;
    let send = |csv: Vec<u8>| {
        app.request(Method::POST, &org.owner_token, &path("acme", "WEB", ""))
            .header("content-type", "text/csv")
            .header("Idempotency-Key", "import-1")
            .body(csv)
            .send()
    };
    let first = send(generated(3)).await.expect("request");
    assert_eq!(first.status().as_u16(), 200);
    let (_, first) = read(first).await;
    let again = send(generated(3)).await.expect("request");
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let (status, again) = read(again).await;
    assert_eq!(status, 200);
    assert_eq!(
        again, first,
        "the first response, not a run that skips everything"
    );
    let (status, body) = read(send(generated(4)).await.expect("request")).await;
    assert_problem(status, &body, 422, "idempotency-mismatch");
}

#[tokio::test]
async fn the_cli_imports_through_the_same_code_as_the_route() {
    let app = TestApp::start().await;
    let org = acme(&app).await;
    let dir = std::env::temp_dir().join(format!("trellis-import-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("jira.csv");
    std::fs::write(&file, FIXTURE).expect("write");
    let pairs = |dry: bool| {
        vec![
            ("dry_run".to_owned(), dry.to_string()),
            ("user:Ada Quill".to_owned(), "ada".to_owned()),
            ("status:In Review".to_owned(), "In Progress".to_owned()),
            ("status:Closed".to_owned(), "Done".to_owned()),
        ]
    };
    let mut conn = app.conn().await;
    crate::import::command::command(&mut conn, "acme", "WEB", "bob", pairs(true), &file)
        .await
        .expect("dry run");
    assert!(app.found(&org.owner_token, "acme", "").await.is_empty());
    crate::import::command::command(&mut conn, "acme", "WEB", "bob", pairs(false), &file)
        .await
        .expect("import");
    assert_eq!(app.found(&org.owner_token, "acme", "").await.len(), 4);
    // As `bob`: the unknown user's ticket is reported by him.
    assert_eq!(
        ticket(&app, &org, "JRA-3").await["reporter"]["login"],
        "bob"
    );
    // A viewer of the org may not import.
    app.member(&org, "vera", Role::Viewer).await;
    let refused =
        crate::import::command::command(&mut conn, "acme", "WEB", "vera", pairs(false), &file)
            .await;
    assert!(refused.is_err());
    std::fs::remove_dir_all(&dir).ok();
}
