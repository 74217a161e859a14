use reqwest::Method;
use serde_json::{Value, json};
use tenancy::Role;

use crate::test_support::{TestApp, TestOrg, assert_problem};

async fn setup() -> (TestApp, TestOrg) {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    app.project(&org, "API").await;
    (app, org)
}

async fn send(app: &TestApp, method: Method, token: &str, path: &str, body: Value) -> (u16, Value) {
    app.send_json(method, token, &format!("/api/v1/orgs/acme{path}"), body)
        .await
}

async fn field(app: &TestApp, org: &TestOrg, body: Value) -> Value {
    let (status, field) = send(app, Method::POST, &org.owner_token, "/custom-fields", body).await;
    assert_eq!(status, 201, "{field}");
    field
}

async fn ticket(app: &TestApp, org: &TestOrg, project: &str, body: Value) -> Value {
    let (status, ticket) = send(
        app,
        Method::POST,
        &org.owner_token,
        &format!("/projects/{project}/tickets"),
        body,
    )
    .await;
    assert_eq!(status, 201, "{ticket}");
    ticket
}

/// The search's total and keys (first page, in the query's order).
async fn search(app: &TestApp, token: &str, jql: &str) -> (i64, Vec<String>) {
    let (status, body) = send(app, Method::POST, token, "/search", json!({ "jql": jql })).await;
    assert_eq!(status, 200, "{jql}: {body}");
    let keys = body["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap().to_owned())
        .collect();
    (body["total"].as_i64().unwrap(), keys)
}

fn option_id(field: &Value, value: &str) -> String {
    field["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["value"] == value)
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no option {value} in {field}"))
}

#[tokio::test]
async fn fields_are_defined_by_admins_and_read_by_members() {
    let (app, org) = setup().await;
    let bob = app.member(&org, "bob", Role::Member).await;
    let customer = field(
        &app,
        &org,
        json!({ "name": "Customer", "type": "select", "options": ["Acme", "Globex", "Initech"] }),
    )
    .await;
    assert_eq!(customer["number"], 10001);
    assert_eq!(customer["projects"], Value::Null);
    assert_eq!(
        customer["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["value"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["Acme", "Globex", "Initech"]
    );
    let score = field(
        &app,
        &org,
        json!({ "name": "Score", "type": "number", "projects": ["web"] }),
    )
    .await;
    assert_eq!(score["number"], 10002);
    assert_eq!(score["projects"], json!(["WEB"]));

    // Members read them, by id or number; only admins and owners define them.
    let (status, list) = app.get(&bob, "/api/v1/orgs/acme/custom-fields").await;
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let (status, one) = app.get(&bob, "/api/v1/orgs/acme/custom-fields/10002").await;
    assert_eq!((status, &one["name"]), (200, &json!("Score")));
    let id = customer["id"].as_str().unwrap();
    let (status, one) = app
        .get(&bob, &format!("/api/v1/orgs/acme/custom-fields/{id}"))
        .await;
    assert_eq!((status, &one["number"]), (200, &json!(10001)));
    let (status, body) = send(
        &app,
        Method::POST,
        &bob,
        "/custom-fields",
        json!({ "name": "Mine", "type": "text" }),
    )
    .await;
    assert_problem(status, &body, 403, "forbidden");

    // Bad definitions.
    for (body, status, kind, at) in [
        (
            json!({ "name": "Customer", "type": "text" }),
            409,
            "already-exists",
            "name",
        ),
        (
            json!({ "name": "customer", "type": "text" }),
            409,
            "already-exists",
            "name",
        ),
        (
            json!({ "name": "Status", "type": "text" }),
            422,
            "validation",
            "name",
        ),
        (
            json!({ "name": "cf[1]", "type": "text" }),
            422,
            "validation",
            "name",
        ),
        (
            json!({ "name": "Notes", "type": "text", "options": ["a"] }),
            422,
            "validation",
            "options",
        ),
        (
            json!({ "name": "Tier", "type": "select", "options": ["Gold", "gold"] }),
            422,
            "validation",
            "options[1]",
        ),
        (
            json!({ "name": "Tier", "type": "select", "options": [""] }),
            422,
            "validation",
            "options[0]",
        ),
        (
            json!({ "name": "Tier", "type": "select", "projects": ["NOPE"] }),
            422,
            "validation",
            "projects[0]",
        ),
        (
            json!({ "name": "", "type": "text" }),
            422,
            "validation",
            "name",
        ),
    ] {
        let (got, problem) = send(
            &app,
            Method::POST,
            &org.owner_token,
            "/custom-fields",
            body.clone(),
        )
        .await;
        assert_problem(got, &problem, status, kind);
        assert_eq!(problem["field"], at, "{body}: {problem}");
    }
    let (status, body) = send(
        &app,
        Method::POST,
        &org.owner_token,
        "/custom-fields",
        json!({ "name": "Tier", "type": "colour" }),
    )
    .await;
    assert!(status == 400 || status == 422, "{status} {body}");
    // Nothing half-made: still two fields, the failed ones used no number.
    let (_, list) = app.get(&bob, "/api/v1/orgs/acme/custom-fields").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn ticket_values_are_checked_stored_and_changed() {
    let (app, org) = setup().await;
    app.member(&org, "bob", Role::Member).await;
    let customer = field(
        &app,
        &org,
        json!({ "name": "Customer", "type": "select", "options": ["Acme", "Globex"], "required": true }),
    )
    .await;
    field(&app, &org, json!({ "name": "Platforms", "type": "multi_select", "options": ["iOS", "Android", "Web"] })).await;
    field(
        &app,
        &org,
        json!({ "name": "Score", "type": "number", "projects": ["WEB"] }),
    )
    .await;
    field(&app, &org, json!({ "name": "Go-live", "type": "date" })).await;
    field(&app, &org, json!({ "name": "Notes", "type": "text" })).await;
    field(&app, &org, json!({ "name": "Reviewer", "type": "user" })).await;
    let acme = option_id(&customer, "Acme");

    let created = ticket(
        &app,
        &org,
        "WEB",
        json!({ "title": "Checkout fails", "custom_fields": {
            "10001": "acme", "10002": ["web", "iOS", "Web"], "10003": 4.5,
            "10004": "2027-01-15", "10005": "Seen on the login page", "10006": "bob"
        } }),
    )
    .await;
    let values = &created["custom_fields"];
    assert_eq!(values["10001"], json!(acme));
    assert_eq!(values["10003"], json!(4.5));
    assert_eq!(values["10004"], "2027-01-15");
    assert_eq!(values["10005"], "Seen on the login page");
    // A multi-select keeps the field's order, without duplicates.
    let (_, platforms) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/custom-fields/10002")
        .await;
    assert_eq!(
        values["10002"],
        json!([option_id(&platforms, "iOS"), option_id(&platforms, "Web")])
    );
    let (_, read) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/tickets/WEB-1")
        .await;
    assert_eq!(read["custom_fields"], *values);

    // Every bad value is a 422 naming the field, and nothing is written.
    for (fields, at) in [
        (json!({}), "custom_fields.10001"),
        (json!({ "10001": null }), "custom_fields.10001"),
        (json!({ "10001": "Umbrella" }), "custom_fields.10001"),
        (
            json!({ "10001": "Acme", "10003": "four" }),
            "custom_fields.10003",
        ),
        (
            json!({ "10001": "Acme", "10003": 1e300 }),
            "custom_fields.10003",
        ),
        (
            json!({ "10001": "Acme", "10002": "iOS" }),
            "custom_fields.10002",
        ),
        (
            json!({ "10001": "Acme", "10002": ["iOS", "Symbian"] }),
            "custom_fields.10002[1]",
        ),
        (
            json!({ "10001": "Acme", "10004": "15/01/2027" }),
            "custom_fields.10004",
        ),
        (
            json!({ "10001": "Acme", "10006": "nobody" }),
            "custom_fields.10006",
        ),
        (
            json!({ "10001": "Acme", "10005": 12 }),
            "custom_fields.10005",
        ),
        (
            json!({ "10001": "Acme", "99999": 1 }),
            "custom_fields.99999",
        ),
        (
            json!({ "10001": "Acme", "10005": "x".repeat(10_001) }),
            "custom_fields.10005",
        ),
    ] {
        let (status, body) = send(
            &app,
            Method::POST,
            &org.owner_token,
            "/projects/WEB/tickets",
            json!({ "title": "Bad", "custom_fields": fields }),
        )
        .await;
        assert_problem(status, &body, 422, "validation");
        assert_eq!(body["field"], at, "{fields}: {body}");
    }
    // Score is enabled in WEB only.
    let (status, body) = send(
        &app,
        Method::POST,
        &org.owner_token,
        "/projects/API/tickets",
        json!({ "title": "Bad", "custom_fields": { "10001": "Acme", "10003": 1 } }),
    )
    .await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(body["field"], "custom_fields.10003");
    assert_eq!(
        search(&app, &org.owner_token, "").await.0,
        1,
        "nothing else was created"
    );

    // PATCH changes only what it names; null clears; a required field stays.
    let (status, patched) = send(
        &app,
        Method::PATCH,
        &org.owner_token,
        "/tickets/WEB-1",
        json!({ "custom_fields": { "10003": null, "10001": "Globex" } }),
    )
    .await;
    assert_eq!(status, 200, "{patched}");
    assert_eq!(
        patched["custom_fields"]["10001"],
        json!(option_id(&customer, "Globex"))
    );
    assert!(patched["custom_fields"].get("10003").is_none());
    assert_eq!(patched["custom_fields"]["10005"], "Seen on the login page");
    assert_eq!(patched["version"], 2);
    let (status, body) = send(
        &app,
        Method::PATCH,
        &org.owner_token,
        "/tickets/WEB-1",
        json!({ "custom_fields": { "10001": null } }),
    )
    .await;
    assert_problem(status, &body, 422, "validation");
    assert_eq!(body["field"], "custom_fields.10001");
    // PUT replaces every value.
    let (status, put) = send(
        &app,
        Method::PUT,
        &org.owner_token,
        "/tickets/WEB-1",
        json!({ "title": "Checkout fails", "type": "task", "priority": "medium",
                "custom_fields": { "10001": "Acme" } }),
    )
    .await;
    assert_eq!(status, 200, "{put}");
    assert_eq!(put["custom_fields"], json!({ "10001": acme }));
    assert_eq!(
        search(
            &app,
            &org.owner_token,
            r#"Notes ~ login OR cf[10002] IS NOT EMPTY"#
        )
        .await
        .0,
        0,
        "the search rows follow a PUT"
    );
}

#[tokio::test]
async fn jql_finds_custom_values_with_every_operator_and_sorts_by_them() {
    let (app, org) = setup().await;
    let bob = app.member(&org, "bob", Role::Member).await;
    field(
        &app,
        &org,
        json!({ "name": "Customer", "type": "select", "options": ["Acme", "Globex", "Initech"] }),
    )
    .await;
    field(&app, &org, json!({ "name": "Platforms", "type": "multi_select", "options": ["iOS", "Android", "Web"] })).await;
    field(&app, &org, json!({ "name": "Score", "type": "number" })).await;
    field(&app, &org, json!({ "name": "Go-live", "type": "date" })).await;
    field(&app, &org, json!({ "name": "Notes", "type": "text" })).await;
    field(&app, &org, json!({ "name": "Reviewer", "type": "user" })).await;
    let rows = [
        json!({ "10001": "Acme", "10002": ["iOS", "Web"], "10003": 3, "10004": "2027-01-10", "10005": "crashes on login", "10006": "bob" }),
        json!({ "10001": "Globex", "10002": ["Android"], "10003": 8, "10004": "2027-03-01", "10005": "slow export" }),
        json!({ "10001": "Acme", "10003": 5.5 }),
        json!({ "10001": "Initech", "10002": ["Web"], "10006": "acme-owner" }),
        json!({}),
    ];
    for (i, values) in rows.iter().enumerate() {
        ticket(
            &app,
            &org,
            "WEB",
            json!({ "title": format!("T{}", i + 1), "custom_fields": values }),
        )
        .await;
    }
    let keys = |n: &[u32]| n.iter().map(|n| format!("WEB-{n}")).collect::<Vec<_>>();
    for (jql, expected) in [
        (r#""Customer" = Acme"#, keys(&[3, 1])),
        ("customer = acme", keys(&[3, 1])),
        ("cf[10001] IN (Globex, Initech)", keys(&[4, 2])),
        ("cf[10001] != Acme", keys(&[4, 2])),
        ("cf[10001] NOT IN (Acme, Globex)", keys(&[4])),
        ("cf[10001] IS EMPTY", keys(&[5])),
        ("cf[10001] IS NOT EMPTY", keys(&[4, 3, 2, 1])),
        ("cf[10001] = Umbrella", keys(&[])),
        ("Platforms = Web", keys(&[4, 1])),
        ("Platforms IN (iOS, Android)", keys(&[2, 1])),
        ("Platforms != Web", keys(&[2])),
        ("Score > 3", keys(&[3, 2])),
        ("Score >= 3", keys(&[3, 2, 1])),
        ("Score <= 5.5", keys(&[3, 1])),
        ("Score IN (3, 8)", keys(&[2, 1])),
        ("Score != 3", keys(&[3, 2])),
        ("Score IS EMPTY", keys(&[5, 4])),
        (r#""Go-live" < "2027-02-01""#, keys(&[1])),
        (r#""Go-live" >= 2027-01-10"#, keys(&[2, 1])),
        (r#""Go-live" = 2027-03-01"#, keys(&[2])),
        ("Notes ~ login", keys(&[1])),
        ("Notes ~ crash", keys(&[1])),
        ("Notes !~ login", keys(&[2])),
        ("Notes IS EMPTY", keys(&[5, 4, 3])),
        ("Reviewer = bob", keys(&[1])),
        ("Reviewer = currentUser()", keys(&[4])),
        ("Reviewer IN (bob, EMPTY)", keys(&[5, 3, 2, 1])),
        ("Reviewer != bob", keys(&[4])),
        (r#""Customer" = Acme AND Score > 4"#, keys(&[3])),
        ("cf[10001] = Acme ORDER BY cf[10003] DESC", keys(&[3, 1])),
        ("ORDER BY cf[10003] ASC", keys(&[1, 3, 2, 4, 5])),
        ("ORDER BY Customer ASC, created ASC", keys(&[1, 3, 2, 4, 5])),
        (r#"ORDER BY "Go-live" DESC"#, keys(&[5, 4, 3, 2, 1])),
        ("ORDER BY Reviewer ASC, created ASC", keys(&[2, 3, 5, 4, 1])),
        ("ORDER BY Notes ASC, created ASC", keys(&[3, 4, 5, 1, 2])),
    ] {
        let (total, found) = search(&app, &org.owner_token, jql).await;
        assert_eq!(found, expected, "{jql}");
        assert_eq!(total, expected.len() as i64, "{jql}");
    }
    // A member's search knows the fields too; an unknown one is a 400 naming it.
    assert_eq!(search(&app, &bob, "Customer = Acme").await.0, 2);
    let (status, body) = send(
        &app,
        Method::POST,
        &bob,
        "/search",
        json!({ "jql": "Custmer = Acme" }),
    )
    .await;
    assert_problem(status, &body, 400, "jql");
    assert!(
        body["detail"].as_str().unwrap().contains("Customer"),
        "{body}"
    );
    let (status, body) = send(
        &app,
        Method::POST,
        &bob,
        "/search",
        json!({ "jql": "Customer ~ acme" }),
    )
    .await;
    assert_problem(status, &body, 400, "jql");

    // Pages by a custom sort follow each other without gaps or repeats.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({ "jql": "ORDER BY Customer DESC", "maxResults": 2 });
        if let Some(t) = &token {
            body["nextPageToken"] = json!(t);
        }
        let (status, page) = send(&app, Method::POST, &org.owner_token, "/search", body).await;
        assert_eq!(status, 200, "{page}");
        seen.extend(
            page["issues"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["key"].as_str().unwrap().to_owned()),
        );
        match page["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    let (_, all) = search(&app, &org.owner_token, "ORDER BY Customer DESC").await;
    assert_eq!(seen, all);
    assert_eq!(seen.len(), 5);

    // A deleted ticket leaves every count, the lone-comparison one included.
    let (status, _) = send(
        &app,
        Method::DELETE,
        &org.owner_token,
        "/tickets/WEB-1",
        json!({}),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        search(&app, &org.owner_token, "Customer = Acme").await,
        (1, keys(&[3]))
    );
    assert_eq!(
        search(&app, &org.owner_token, "Platforms = Web").await,
        (1, keys(&[4]))
    );
}

#[tokio::test]
async fn values_in_a_private_project_stay_out_of_other_members_counts() {
    let (app, org) = setup().await;
    let bob = app.member(&org, "bob", Role::Member).await;
    app.private_project(&org).await;
    field(
        &app,
        &org,
        json!({ "name": "Customer", "type": "select", "options": ["Acme"] }),
    )
    .await;
    ticket(
        &app,
        &org,
        "WEB",
        json!({ "title": "Open", "custom_fields": { "10001": "Acme" } }),
    )
    .await;
    ticket(
        &app,
        &org,
        "SEC",
        json!({ "title": "Secret", "custom_fields": { "10001": "Acme" } }),
    )
    .await;
    assert_eq!(search(&app, &org.owner_token, "Customer = Acme").await.0, 2);
    assert_eq!(
        search(&app, &bob, "Customer = Acme").await,
        (1, vec!["WEB-1".to_owned()])
    );
    // Moving the open ticket into the private project takes its value along.
    let (status, body) = send(
        &app,
        Method::POST,
        &org.owner_token,
        "/tickets/WEB-1/move",
        json!({ "project": "SEC" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(search(&app, &bob, "Customer = Acme").await.0, 0);
    // So does its field history (a lone WAS clause is counted on the history rows).
    assert_eq!(
        search(&app, &org.owner_token, r#"status WAS "To Do""#)
            .await
            .0,
        2
    );
    assert_eq!(search(&app, &bob, r#"status WAS "To Do""#).await.0, 0);
    assert_eq!(
        search(&app, &org.owner_token, "Customer = Acme AND project = SEC")
            .await
            .0,
        2
    );
    // The field list names only the projects the reader may see.
    let (_, restricted) = send(
        &app,
        Method::POST,
        &org.owner_token,
        "/custom-fields",
        json!({ "name": "Threat", "type": "text", "projects": ["SEC", "WEB"] }),
    )
    .await;
    assert_eq!(restricted["projects"], json!(["SEC", "WEB"]));
    let (_, seen) = app.get(&bob, "/api/v1/orgs/acme/custom-fields/10002").await;
    assert_eq!(seen["projects"], json!(["WEB"]));
}

#[tokio::test]
async fn options_are_renamed_reordered_and_removed_and_fields_deleted() {
    let (app, org) = setup().await;
    let customer = field(
        &app,
        &org,
        json!({ "name": "Customer", "type": "select", "options": ["Acme", "Globex", "Initech"] }),
    )
    .await;
    let platforms = field(
        &app,
        &org,
        json!({ "name": "Platforms", "type": "multi_select", "options": ["iOS", "Android"] }),
    )
    .await;
    let (acme, globex, initech) = (
        option_id(&customer, "Acme"),
        option_id(&customer, "Globex"),
        option_id(&customer, "Initech"),
    );
    ticket(
        &app,
        &org,
        "WEB",
        json!({ "title": "A", "custom_fields": { "10001": "Acme", "10002": ["iOS", "Android"] } }),
    )
    .await;
    ticket(
        &app,
        &org,
        "WEB",
        json!({ "title": "G", "custom_fields": { "10001": "Globex", "10002": ["Android"] } }),
    )
    .await;
    ticket(
        &app,
        &org,
        "WEB",
        json!({ "title": "I", "custom_fields": { "10001": "Initech" } }),
    )
    .await;

    // Swap two names, drop Initech, add Umbrella, in one PATCH (with If-Match).
    let (status, body) = app
        .request(
            Method::PATCH,
            &org.owner_token,
            "/api/v1/orgs/acme/custom-fields/10001",
        )
        .header("If-Match", "\"7\"")
        .json(&json!({ "options": [] }))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map(|s| (s, ()))
        .unwrap();
    assert_eq!(status, 412, "{body:?}");
    let (status, edited) = send(
        &app,
        Method::PATCH,
        &org.owner_token,
        "/custom-fields/10001",
        json!({ "name": "Client", "options": [
            { "id": globex, "value": "Acme" }, { "id": acme, "value": "Globex" }, { "value": "Umbrella" }
        ] }),
    )
    .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["name"], "Client");
    assert_eq!(edited["version"], 2);
    assert_eq!(option_id(&edited, "Acme"), globex);
    assert_eq!(edited["options"].as_array().unwrap().len(), 3);
    // Search goes by the new names, under the new field name.
    assert_eq!(
        search(&app, &org.owner_token, "Client = Acme").await.1,
        ["WEB-2"]
    );
    assert_eq!(
        search(&app, &org.owner_token, "Client = Initech").await.0,
        0
    );
    let (_, third) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/tickets/WEB-3")
        .await;
    assert!(third["custom_fields"].get("10001").is_none(), "{third}");
    let _ = initech;

    // A removed multi-select option leaves the others on the ticket.
    let android = option_id(&platforms, "Android");
    let ios = option_id(&platforms, "iOS");
    let (status, _) = send(
        &app,
        Method::PATCH,
        &org.owner_token,
        "/custom-fields/10002",
        json!({ "options": [{ "id": ios, "value": "iOS" }] }),
    )
    .await;
    assert_eq!(status, 200);
    let (_, first) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/tickets/WEB-1")
        .await;
    assert_eq!(first["custom_fields"]["10002"], json!([ios]));
    let (_, second) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/tickets/WEB-2")
        .await;
    assert!(second["custom_fields"].get("10002").is_none(), "{second}");
    let _ = android;
    assert_eq!(
        search(&app, &org.owner_token, "Platforms IS NOT EMPTY")
            .await
            .1,
        ["WEB-1"]
    );

    // Deleting a field takes its values off every ticket; its number is not reused.
    let (status, _) = send(
        &app,
        Method::DELETE,
        &org.owner_token,
        "/custom-fields/10001",
        json!({}),
    )
    .await;
    assert_eq!(status, 204);
    let (_, first) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/tickets/WEB-1")
        .await;
    assert!(first["custom_fields"].get("10001").is_none(), "{first}");
    let (status, body) = send(
        &app,
        Method::POST,
        &org.owner_token,
        "/search",
        json!({ "jql": "cf[10001] = Acme" }),
    )
    .await;
    assert_problem(status, &body, 400, "jql");
    let again = field(&app, &org, json!({ "name": "Client", "type": "text" })).await;
    assert_eq!(again["number"], 10003);
}

#[tokio::test]
async fn bulk_changes_set_custom_fields_checked_per_ticket() {
    let (app, org) = setup().await;
    field(&app, &org, json!({ "name": "Customer", "type": "select", "options": ["Acme", "Globex"], "projects": ["WEB"] })).await;
    for project in ["WEB", "WEB", "API"] {
        ticket(&app, &org, project, json!({ "title": "T" })).await;
    }
    let bulk = async |keys: Value| {
        send(
            &app,
            Method::POST,
            &org.owner_token,
            "/tickets/bulk",
            json!({ "keys": keys, "operations": { "set": { "custom_fields": { "10001": "Globex" } } } }),
        )
        .await
    };
    // API-1's project does not have the field: nothing is applied, and its result says why.
    let (status, body) = bulk(json!(["WEB-1", "WEB-2", "API-1"])).await;
    assert_eq!((status, &body["applied"]), (200, &json!(false)), "{body}");
    assert_eq!(
        body["results"][2]["error"]["field"], "custom_fields.10001",
        "{body}"
    );
    assert_eq!(
        search(&app, &org.owner_token, "Customer = Globex").await.0,
        0
    );
    let (status, body) = bulk(json!(["WEB-1", "WEB-2"])).await;
    assert_eq!((status, &body["applied"]), (200, &json!(true)), "{body}");
    assert_eq!(
        search(&app, &org.owner_token, "Customer = Globex").await.0,
        2
    );
}

#[tokio::test]
async fn autocomplete_offers_custom_fields_and_their_options() {
    let (app, org) = setup().await;
    field(
        &app,
        &org,
        json!({ "name": "Customer", "type": "select", "options": ["Acme", "Globex", "Aperture"] }),
    )
    .await;
    field(&app, &org, json!({ "name": "Cost centre", "type": "text" })).await;
    let suggest = async |jql: &str| -> Vec<String> {
        let (status, body) = app
            .get(
                &org.owner_token,
                &format!(
                    "/api/v1/orgs/acme/search/autocomplete?jql={}",
                    crate::test_support::urlencode(jql)
                ),
            )
            .await;
        assert_eq!(status, 200, "{jql}: {body}");
        body["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["value"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(suggest("Cus").await, ["Customer"]);
    assert_eq!(suggest("cost").await, ["\"Cost centre\""]);
    assert_eq!(suggest("Customer = A").await, ["Acme", "Aperture"]);
    assert_eq!(suggest("cf[10001] IN (Gl").await, ["Globex"]);
}
