//! Behaviour every route shares: tenant isolation, bad input, request ids, metrics,
//! the OpenAPI document.

use reqwest::Method;
use serde_json::{Value, json};
use tenancy::Role;

use crate::test_support::{TestApp, TestOrg, assert_problem, read, send};

/// Every API route: method, path template (`{org}`, `{project}`, `{key}`, `{comment}`),
/// and a valid body for writes.
fn routes() -> Vec<(Method, &'static str, Option<Value>)> {
    vec![
        (Method::GET, "/api/v1/orgs/{org}", None),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}",
            Some(json!({ "name": "Renamed" })),
        ),
        (Method::GET, "/api/v1/orgs/{org}/members", None),
        (Method::GET, "/api/v1/orgs/{org}/projects", None),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects",
            Some(json!({ "key": "NEWP", "name": "New" })),
        ),
        (Method::GET, "/api/v1/orgs/{org}/projects/{project}", None),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/projects/{project}",
            Some(json!({ "name": "Renamed" })),
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/archive",
            None,
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/unarchive",
            None,
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/tickets",
            Some(json!({ "title": "Injected" })),
        ),
        (
            Method::GET,
            "/api/v1/orgs/{org}/projects/{project}/tickets",
            None,
        ),
        (Method::GET, "/api/v1/orgs/{org}/tickets", None),
        (Method::GET, "/api/v1/orgs/{org}/tickets/{key}", None),
        (
            Method::PUT,
            "/api/v1/orgs/{org}/tickets/{key}",
            Some(json!({ "title": "Replaced", "type": "bug", "priority": "high" })),
        ),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/tickets/{key}",
            Some(json!({ "title": "Patched" })),
        ),
        (Method::DELETE, "/api/v1/orgs/{org}/tickets/{key}", None),
        (
            Method::GET,
            "/api/v1/orgs/{org}/tickets/{key}/transitions",
            None,
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/transitions",
            Some(json!({ "to": "In Progress" })),
        ),
        (
            Method::GET,
            "/api/v1/orgs/{org}/tickets/{key}/history",
            None,
        ),
        (
            Method::GET,
            "/api/v1/orgs/{org}/tickets/{key}/comments",
            None,
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/comments",
            Some(json!({ "body": "Injected" })),
        ),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/tickets/{key}/comments/{comment}",
            Some(json!({ "body": "Edited" })),
        ),
        (
            Method::DELETE,
            "/api/v1/orgs/{org}/tickets/{key}/comments/{comment}",
            None,
        ),
        (
            Method::GET,
            "/api/v1/orgs/{org}/tickets/{key}/worklogs",
            None,
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/worklogs",
            Some(json!({ "minutes": 30, "comment": "Injected" })),
        ),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/tickets/{key}/worklogs/{worklog}",
            Some(json!({ "minutes": 45 })),
        ),
        (
            Method::DELETE,
            "/api/v1/orgs/{org}/tickets/{key}/worklogs/{worklog}",
            None,
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/bulk",
            Some(json!({ "keys": ["{key}"], "operations": { "add_labels": ["injected"] } })),
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/move",
            Some(json!({ "project": "LNK" })),
        ),
        // A string body is sent as `text/csv` (see `with_body`).
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/import",
            Some(json!("Summary,Issue key\nInjected,INJ-1\n")),
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/bulk",
            Some(json!({ "keys": ["{key}"], "operations": { "move": { "project": "LNK" } } })),
        ),
        (
            Method::GET,
            "/api/v1/orgs/{org}/projects/{project}/components",
            None,
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/components",
            Some(json!({ "name": "Injected" })),
        ),
        (
            Method::GET,
            "/api/v1/orgs/{org}/components/{component}",
            None,
        ),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/components/{component}",
            Some(json!({ "name": "Renamed" })),
        ),
        (
            Method::DELETE,
            "/api/v1/orgs/{org}/components/{component}",
            None,
        ),
        (Method::GET, "/api/v1/orgs/{org}/custom-fields", None),
        (
            Method::POST,
            "/api/v1/orgs/{org}/custom-fields",
            Some(json!({ "name": "Injected", "type": "text" })),
        ),
        (
            Method::GET,
            "/api/v1/orgs/{org}/custom-fields/{field}",
            None,
        ),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/custom-fields/{field}",
            Some(json!({ "name": "Renamed" })),
        ),
        (
            Method::DELETE,
            "/api/v1/orgs/{org}/custom-fields/{field}",
            None,
        ),
        (Method::GET, "/api/v1/orgs/{org}/link-types", None),
        (Method::GET, "/api/v1/orgs/{org}/tickets/{key}/links", None),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/links",
            Some(json!({ "link": "blocks", "ticket": "{key}" })),
        ),
        (
            Method::DELETE,
            "/api/v1/orgs/{org}/tickets/{key}/links/{link}",
            None,
        ),
        (
            Method::GET,
            "/api/v1/orgs/{org}/tickets/{key}/watchers",
            None,
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/watchers",
            Some(json!({ "login": "{member}" })),
        ),
        (
            Method::DELETE,
            "/api/v1/orgs/{org}/tickets/{key}/watchers/{member}",
            None,
        ),
        (
            Method::GET,
            "/api/v1/orgs/{org}/tickets/{key}/attachments",
            None,
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/attachments",
            Some(json!({ "file_name": "Injected.txt", "size": 5, "content_type": "text/plain" })),
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/attachments/{attachment}/confirm",
            None,
        ),
        (
            Method::GET,
            "/api/v1/orgs/{org}/tickets/{key}/attachments/{attachment}/download",
            None,
        ),
        (
            Method::DELETE,
            "/api/v1/orgs/{org}/tickets/{key}/attachments/{attachment}",
            None,
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/rank",
            Some(json!({ "before": "{key}" })),
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/sprints",
            Some(json!({ "name": "Injected" })),
        ),
        (
            Method::GET,
            "/api/v1/orgs/{org}/projects/{project}/sprints",
            None,
        ),
        (Method::GET, "/api/v1/orgs/{org}/sprints/{sprint}", None),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/sprints/{sprint}",
            Some(json!({ "name": "Renamed" })),
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/sprints/{sprint}/tickets",
            Some(json!({ "add": ["{key}"] })),
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/sprints/{sprint}/start",
            None,
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/sprints/{sprint}/complete",
            Some(json!({ "move_open_to": null })),
        ),
        (
            Method::GET,
            "/api/v1/orgs/{org}/sprints/{sprint}/scope-changes",
            None,
        ),
        (Method::DELETE, "/api/v1/orgs/{org}/sprints/{sprint}", None),
        (
            Method::GET,
            "/api/v1/orgs/{org}/projects/{project}/workflow",
            None,
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/workflow/statuses",
            Some(json!({ "name": "Injected", "category": "todo", "from": ["To Do"] })),
        ),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/projects/{project}/workflow/statuses/{status}",
            Some(json!({ "name": "Renamed" })),
        ),
        (
            Method::DELETE,
            "/api/v1/orgs/{org}/projects/{project}/workflow/statuses/{status}?move_to=To%20Do",
            None,
        ),
        (
            Method::PUT,
            "/api/v1/orgs/{org}/projects/{project}/workflow/order",
            Some(json!({ "statuses": ["To Do", "In Progress", "Done"] })),
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/workflow/transitions",
            Some(json!({ "from": "Done", "to": "To Do", "name": "Injected" })),
        ),
        (
            Method::DELETE,
            "/api/v1/orgs/{org}/projects/{project}/workflow/transitions/{transition}",
            None,
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/workflow/copy",
            Some(json!({ "from": "LNK" })),
        ),
        (Method::GET, "/api/v1/orgs/{org}/audit-log", None),
        (Method::GET, "/api/v1/orgs/{org}/search", None),
        (Method::GET, "/api/v1/orgs/{org}/export?format=json", None),
        (
            Method::GET,
            "/api/v1/orgs/{org}/search/autocomplete?jql=project%20%3D%20",
            None,
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/search",
            Some(json!({ "jql": "summary ~ secret" })),
        ),
        (Method::GET, "/api/v1/orgs/{org}/filters", None),
        (
            Method::POST,
            "/api/v1/orgs/{org}/filters",
            Some(json!({ "name": "Injected", "jql": "project = WEB" })),
        ),
        (Method::GET, "/api/v1/orgs/{org}/filters/{filter}", None),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/filters/{filter}",
            Some(json!({ "name": "Renamed" })),
        ),
        (Method::DELETE, "/api/v1/orgs/{org}/filters/{filter}", None),
        (Method::GET, "/api/v1/orgs/{org}/billing", None),
        (
            Method::POST,
            "/api/v1/orgs/{org}/billing/checkout",
            Some(json!({ "plan": "team", "seats": 3 })),
        ),
        (Method::POST, "/api/v1/orgs/{org}/billing/portal", None),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/members/{member}",
            Some(json!({ "role": "viewer" })),
        ),
        (Method::DELETE, "/api/v1/orgs/{org}/members/{member}", None),
        (
            Method::POST,
            "/api/v1/orgs/{org}/transfer-ownership",
            Some(json!({ "login": "{member}" })),
        ),
        (
            Method::GET,
            "/api/v1/orgs/{org}/projects/{project}/members",
            None,
        ),
        (
            Method::PUT,
            "/api/v1/orgs/{org}/projects/{project}/members/{member}",
            Some(json!({ "role": "viewer" })),
        ),
        (
            Method::DELETE,
            "/api/v1/orgs/{org}/projects/{project}/members/{member}",
            None,
        ),
        (Method::GET, "/api/v1/orgs/{org}/invitations", None),
        (
            Method::POST,
            "/api/v1/orgs/{org}/invitations",
            Some(json!({ "github_login": "someone", "role": "admin" })),
        ),
        (
            Method::DELETE,
            "/api/v1/orgs/{org}/invitations/{invitation}",
            None,
        ),
        (Method::GET, "/api/v1/orgs/{org}/tokens", None),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tokens",
            Some(json!({ "name": "Injected" })),
        ),
        (Method::DELETE, "/api/v1/orgs/{org}/tokens/{token}", None),
        // Last: whoever may call it is gone afterwards.
        (Method::POST, "/api/v1/orgs/{org}/leave", None),
    ]
}

/// Read-only routes that use a write method (search), and saving one's own filter:
/// a viewer may use both.
fn viewer_may(method: &Method, template: &str) -> bool {
    template.ends_with("/search")
        || (template.ends_with("/filters") && *method == Method::POST)
        || template.ends_with("/leave")
}

/// Reads a viewer may not make.
fn viewer_may_not_read(template: &str) -> bool {
    ["audit-log", "invitations", "tokens", "/billing"]
        .iter()
        .any(|end| template.ends_with(end))
}

struct Fixture {
    org: TestOrg,
    project: String,
    key: String,
    comment: String,
    filter: String,
    member: String,
    invitation: String,
    token: String,
    sprint: String,
    /// A confirmed attachment on `key`, and a pending upload there.
    attachment: String,
    /// A link of `key` to LNK-1, in a project of its own.
    link: String,
    /// WEB's `In Progress` status and a transition of its workflow.
    status: String,
    transition: String,
    /// A component of WEB.
    component: String,
    /// A worklog on `key`.
    worklog: String,
    /// A select custom field (by id), with a value on `key`.
    field: String,
}

/// An org with project WEB, `tickets` tickets in it, and a comment on the last one.
async fn fixture(app: &TestApp, slug: &str, tickets: usize) -> Fixture {
    let org = app.org(slug).await;
    app.project(&org, "WEB").await;
    let mut key = String::new();
    for i in 0..tickets {
        let ticket = app.ticket(&org, "WEB", &format!("Secret plans {i}")).await;
        key = ticket["key"].as_str().unwrap_or_default().to_owned();
    }
    let (status, comment) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("/api/v1/orgs/{slug}/tickets/{key}/comments"),
            json!({ "body": "top secret" }),
        )
        .await;
    assert_eq!(status, 201, "{comment}");
    let (status, filter) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("/api/v1/orgs/{slug}/filters"),
            json!({ "name": "Secret filter", "jql": "summary ~ secret", "shared": true }),
        )
        .await;
    assert_eq!(status, 201, "{filter}");
    let member = format!("{slug}-member");
    app.member(&org, &member, Role::Member).await;
    let (status, invitation) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("/api/v1/orgs/{slug}/invitations"),
            json!({ "email": format!("secret@{slug}.example"), "role": "member" }),
        )
        .await;
    assert_eq!(status, 201, "{invitation}");
    let (status, token) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("/api/v1/orgs/{slug}/tokens"),
            json!({ "name": "Secret automation" }),
        )
        .await;
    assert_eq!(status, 201, "{token}");
    let (status, sprint) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("/api/v1/orgs/{slug}/projects/WEB/sprints"),
            json!({ "name": "Secret sprint" }),
        )
        .await;
    assert_eq!(status, 201, "{sprint}");
    let attachment = app
        .attachment(&org, &key, "secret-plan.txt", b"top secret", "text/plain")
        .await;
    app.project(&org, "LNK").await;
    app.ticket(&org, "LNK", "Linked secret").await;
    let (status, link) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("/api/v1/orgs/{slug}/tickets/{key}/links"),
            json!({ "link": "relates to", "ticket": "LNK-1" }),
        )
        .await;
    assert_eq!(status, 201, "{link}");
    let (status, workflow) = app
        .get(
            &org.owner_token,
            &format!("/api/v1/orgs/{slug}/projects/WEB/workflow"),
        )
        .await;
    assert_eq!(status, 200, "{workflow}");
    let (status, component) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("/api/v1/orgs/{slug}/projects/WEB/components"),
            json!({ "name": "Secret component" }),
        )
        .await;
    assert_eq!(status, 201, "{component}");
    let (status, worklog) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("/api/v1/orgs/{slug}/tickets/{key}/worklogs"),
            json!({ "minutes": 90, "comment": "secret work" }),
        )
        .await;
    assert_eq!(status, 201, "{worklog}");
    let (status, field) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("/api/v1/orgs/{slug}/custom-fields"),
            json!({ "name": "Secret customer", "type": "select", "options": ["Secret Corp"] }),
        )
        .await;
    assert_eq!(status, 201, "{field}");
    let (status, valued) = app
        .send_json(
            Method::PATCH,
            &org.owner_token,
            &format!("/api/v1/orgs/{slug}/tickets/{key}"),
            json!({ "custom_fields": { "10001": "Secret Corp" } }),
        )
        .await;
    assert_eq!(status, 200, "{valued}");
    Fixture {
        field: field["id"].as_str().unwrap_or_default().to_owned(),
        worklog: worklog["id"].as_str().unwrap_or_default().to_owned(),
        component: component["id"].as_str().unwrap_or_default().to_owned(),
        status: workflow["statuses"][1]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        transition: workflow["transitions"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        link: link["id"].as_str().unwrap_or_default().to_owned(),
        attachment: attachment["id"].as_str().unwrap_or_default().to_owned(),
        sprint: sprint["id"].as_str().unwrap_or_default().to_owned(),
        member,
        invitation: invitation["id"].as_str().unwrap_or_default().to_owned(),
        token: token["id"].as_str().unwrap_or_default().to_owned(),
        filter: filter["id"].as_str().unwrap_or_default().to_owned(),
        comment: comment["id"].as_str().unwrap_or_default().to_owned(),
        org,
        project: "WEB".to_owned(),
        key,
    }
}

fn fill(template: &str, org: &str, f: &Fixture) -> String {
    template
        .replace("{org}", org)
        .replace("{project}", &f.project)
        .replace("{key}", &f.key)
        .replace("{comment}", &f.comment)
        .replace("{filter}", &f.filter)
        .replace("{member}", &f.member)
        .replace("{invitation}", &f.invitation)
        .replace("{token}", &f.token)
        .replace("{sprint}", &f.sprint)
        .replace("{attachment}", &f.attachment)
        .replace("{link}", &f.link)
        .replace("{status}", &f.status)
        .replace("{transition}", &f.transition)
        .replace("{component}", &f.component)
        .replace("{worklog}", &f.worklog)
        .replace("{field}", &f.field)
}

fn fill_body(body: &Option<Value>, org: &str, f: &Fixture) -> Option<Value> {
    body.as_ref()
        .map(|b| serde_json::from_str(&fill(&b.to_string(), org, f)).unwrap_or(Value::Null))
}

/// What org B looks like from its own owner's side, to prove nothing changed.
async fn snapshot(app: &TestApp, f: &Fixture) -> Vec<Value> {
    let slug = &f.org.slug;
    let mut out = Vec::new();
    for path in [
        format!("/api/v1/orgs/{slug}"),
        format!("/api/v1/orgs/{slug}/projects?archived=true"),
        format!("/api/v1/orgs/{slug}/tickets"),
        format!("/api/v1/orgs/{slug}/tickets/{}/comments", f.key),
        format!("/api/v1/orgs/{slug}/tickets/{}/attachments", f.key),
        format!("/api/v1/orgs/{slug}/tickets/{}/worklogs", f.key),
        format!("/api/v1/orgs/{slug}/billing"),
        format!("/api/v1/orgs/{slug}/projects/WEB/workflow"),
        format!("/api/v1/orgs/{slug}/members"),
        format!("/api/v1/orgs/{slug}/filters"),
        format!("/api/v1/orgs/{slug}/invitations"),
        format!("/api/v1/orgs/{slug}/tokens"),
        format!("/api/v1/orgs/{slug}/custom-fields"),
    ] {
        let (status, mut body) = app.get(&f.org.owner_token, &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        // Using a token stamps it; that is not a change anyone made.
        for item in body["items"].as_array_mut().into_iter().flatten() {
            if let Some(fields) = item.as_object_mut() {
                fields.remove("last_used_at");
            }
        }
        out.push(body);
    }
    out.push(json!(app.audit_count(&f.org).await));
    out
}

/// Adds a route's body: JSON, or for a string (the import's file) that text as
/// `text/csv`.
fn with_body(request: reqwest::RequestBuilder, body: &Option<Value>) -> reqwest::RequestBuilder {
    match body {
        Some(Value::String(csv)) => request.header("content-type", "text/csv").body(csv.clone()),
        Some(body) => request.json(body),
        None => request,
    }
}

async fn expect_404(app: &TestApp, token: &str, method: &Method, path: &str, body: &Option<Value>) {
    let request = with_body(app.request(method.clone(), token, path), body);
    let (status, problem) = send(request).await;
    assert_problem(status, &problem, 404, "not-found");
    let text = problem.to_string();
    assert!(!text.contains("ecret"), "{method} {path}: {text}");
}

#[tokio::test]
async fn member_of_other_org_gets_404_on_every_route_and_changes_nothing() {
    let app = TestApp::start().await;
    // Both orgs have a project WEB and a ticket WEB-1; only B has WEB-2 and project BET.
    let a = fixture(&app, "alpha", 1).await;
    let b = fixture(&app, "beta", 2).await;
    app.project(&b.org, "BET").await;
    let before = snapshot(&app, &b).await;

    for (method, template, body) in routes() {
        let body = fill_body(&body, "beta", &b);
        // A's owner token, B's slug, B's ids.
        expect_404(
            &app,
            &a.org.owner_token,
            &method,
            &fill(template, "beta", &b),
            &body,
        )
        .await;

        // A's own slug with ids that exist only in B: row-level security and the
        // org filters must hide them.
        if template.contains("{project}") {
            let path = template
                .replace("{org}", "alpha")
                .replace("{project}", "BET");
            expect_404(&app, &a.org.owner_token, &method, &path, &body).await;
        }
        if template.contains("{key}")
            && !template.contains("{comment}")
            && !template.contains("{attachment}")
            && !template.contains("{worklog}")
            && !template.contains("{link}")
        {
            let path = template.replace("{org}", "alpha").replace("{key}", &b.key);
            expect_404(&app, &a.org.owner_token, &method, &path, &body).await;
        }
        if template.contains("{filter}") {
            let path = template
                .replace("{org}", "alpha")
                .replace("{filter}", &b.filter);
            expect_404(&app, &a.org.owner_token, &method, &path, &body).await;
        }
        for placeholder in [
            "{member}",
            "{invitation}",
            "{token}",
            "{sprint}",
            "{status}",
            "{transition}",
            "{component}",
            "{worklog}",
            "{field}",
        ] {
            if template.contains(placeholder) {
                let path = fill(template, "beta", &b).replace("/beta/", "/alpha/");
                expect_404(&app, &a.org.owner_token, &method, &path, &body).await;
            }
        }
        if template.contains("{attachment}") {
            // A's own ticket, B's attachment id.
            let path = template
                .replace("{org}", "alpha")
                .replace("{key}", &a.key)
                .replace("{attachment}", &b.attachment);
            expect_404(&app, &a.org.owner_token, &method, &path, &body).await;
        }
        if template.contains("{link}") {
            // A's own ticket, B's link id.
            let path = template
                .replace("{org}", "alpha")
                .replace("{key}", &a.key)
                .replace("{link}", &b.link);
            expect_404(&app, &a.org.owner_token, &method, &path, &body).await;
        }
        if template.contains("{comment}") {
            // A's own ticket, B's comment id.
            let path = template
                .replace("{org}", "alpha")
                .replace("{key}", &a.key)
                .replace("{comment}", &b.comment);
            expect_404(&app, &a.org.owner_token, &method, &path, &body).await;
        }
    }
    // A's filtered list naming B's project finds nothing; A's WEB-1 is A's own.
    let (status, list) = app
        .get(&a.org.owner_token, "/api/v1/orgs/alpha/tickets?project=BET")
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"], json!([]));
    let (_, own) = app
        .get(&a.org.owner_token, "/api/v1/orgs/alpha/tickets/WEB-1")
        .await;
    assert_eq!(own["title"], "Secret plans 0");

    assert_eq!(snapshot(&app, &b).await, before, "org B changed");
}

#[tokio::test]
async fn nul_and_control_characters_are_refused_not_500() {
    let app = TestApp::start().await;
    let f = fixture(&app, "alpha", 1).await;
    let token = &f.org.owner_token;
    let cursor = |text: &str| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
    };
    for (path, status) in [
        ("/api/v1/orgs/al%00pha/tickets".to_owned(), 404),
        ("/api/v1/orgs/alpha/projects/W%00EB".to_owned(), 404),
        ("/api/v1/orgs/alpha/projects/W%00EB/tickets".to_owned(), 404),
        ("/api/v1/orgs/alpha/tickets/WEB%00-1".to_owned(), 404),
        ("/api/v1/orgs/alpha/tickets?status=a%00b".to_owned(), 422),
        ("/api/v1/orgs/alpha/tickets?assignee=bo%00b".to_owned(), 422),
        ("/api/v1/orgs/alpha/tickets?project=W%00".to_owned(), 422),
        (
            format!(
                "/api/v1/orgs/alpha/members?cursor={}",
                cursor(r#""a\u0000""#)
            ),
            422,
        ),
        (
            format!(
                "/api/v1/orgs/alpha/projects?cursor={}",
                cursor(r#""A\u0000""#)
            ),
            422,
        ),
    ] {
        let (got, body) = app.get(token, &path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert!(body["type"].is_string(), "{path}: {body}");
    }
    for body in [
        json!({ "title": "a\u{0}b" }),
        json!({ "title": "ok", "assignee": "bo\u{0}b" }),
        json!({ "title": "ok", "labels": ["a\u{0}"] }),
        json!({ "title": "ok", "description": "x\u{0}" }),
    ] {
        let (status, problem) = app
            .send_json(
                Method::POST,
                token,
                "/api/v1/orgs/alpha/projects/WEB/tickets",
                body.clone(),
            )
            .await;
        assert_problem(status, &problem, 422, "validation");
    }
}

#[tokio::test]
async fn every_route_is_documented_in_openapi() {
    let doc: Value = serde_json::from_str(&crate::app::openapi::document()).unwrap_or_default();
    for (method, template, _) in routes() {
        let path = template.split('?').next().unwrap_or(template);
        let operation = &doc["paths"][path][method.as_str().to_ascii_lowercase()];
        assert!(
            operation.is_object(),
            "{method} {template} is not in the OpenAPI document"
        );
    }
}

/// Every path parameter is in its route's template and every template variable is
/// declared in the path: a query parameter declared `in: path` (utoipa's default for
/// `IntoParams` without `parameter_in = Query`) makes generated clients unusable.
#[test]
fn openapi_path_parameters_match_the_templates() {
    let doc: Value = serde_json::from_str(&crate::app::openapi::document()).unwrap_or_default();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    assert!(!paths.is_empty());
    for (path, item) in &paths {
        let variables: std::collections::BTreeSet<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split('}').next())
            .collect();
        for (method, operation) in item.as_object().into_iter().flatten() {
            let declared: std::collections::BTreeSet<&str> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str())
                .collect();
            assert_eq!(declared, variables, "{method} {path}: path parameters");
        }
    }
}

#[test]
fn openapi_document_matches_snapshot_and_docs() {
    let document = crate::app::openapi::document();
    insta::assert_snapshot!("openapi", document);
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    if std::env::var_os("TRELLIS_UPDATE_DOCS").is_some() {
        std::fs::write(&docs, &document).expect("write docs/openapi.json");
    }
    let committed = std::fs::read_to_string(&docs).unwrap_or_default();
    assert!(
        committed == document,
        "docs/openapi.json is out of date: run `TRELLIS_UPDATE_DOCS=1 cargo nextest run openapi`"
    );
}

/// Write routes with a body, and the field a type error or an oversized value goes in.
fn write_routes() -> Vec<(Method, &'static str, &'static str)> {
    vec![
        (Method::PATCH, "/api/v1/orgs/{org}", "name"),
        (Method::POST, "/api/v1/orgs/{org}/projects", "name"),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/projects/{project}",
            "name",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/tickets",
            "title",
        ),
        (Method::PUT, "/api/v1/orgs/{org}/tickets/{key}", "title"),
        (Method::PATCH, "/api/v1/orgs/{org}/tickets/{key}", "title"),
        (Method::POST, "/api/v1/orgs/{org}/custom-fields", "name"),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/custom-fields/{field}",
            "name",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/transitions",
            "to",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/comments",
            "body",
        ),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/tickets/{key}/comments/{comment}",
            "body",
        ),
        (Method::POST, "/api/v1/orgs/{org}/search", "jql"),
        (Method::POST, "/api/v1/orgs/{org}/filters", "name"),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/components",
            "name",
        ),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/components/{component}",
            "name",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/links",
            "link",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/worklogs",
            "comment",
        ),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/tickets/{key}/worklogs/{worklog}",
            "comment",
        ),
        (Method::POST, "/api/v1/orgs/{org}/tickets/bulk", "keys"),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/move",
            "project",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/watchers",
            "login",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/rank",
            "before",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/tickets/{key}/attachments",
            "file_name",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/sprints",
            "name",
        ),
        (Method::PATCH, "/api/v1/orgs/{org}/sprints/{sprint}", "name"),
        (
            Method::POST,
            "/api/v1/orgs/{org}/sprints/{sprint}/tickets",
            "add",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/sprints/{sprint}/complete",
            "move_open_to",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/workflow/statuses",
            "name",
        ),
        (
            Method::PATCH,
            "/api/v1/orgs/{org}/projects/{project}/workflow/statuses/{status}",
            "name",
        ),
        (
            Method::PUT,
            "/api/v1/orgs/{org}/projects/{project}/workflow/order",
            "statuses",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/workflow/transitions",
            "name",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/projects/{project}/workflow/copy",
            "from",
        ),
        (Method::PATCH, "/api/v1/orgs/{org}/filters/{filter}", "name"),
        (Method::PATCH, "/api/v1/orgs/{org}/members/{member}", "role"),
        (
            Method::PUT,
            "/api/v1/orgs/{org}/projects/{project}/members/{member}",
            "role",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/transfer-ownership",
            "login",
        ),
        (
            Method::POST,
            "/api/v1/orgs/{org}/invitations",
            "github_login",
        ),
        (Method::POST, "/api/v1/orgs/{org}/tokens", "name"),
        (Method::POST, "/api/v1/orgs/{org}/billing/checkout", "plan"),
    ]
}

#[tokio::test]
async fn bad_input_on_every_write_route_is_a_problem_and_writes_nothing() {
    let app = TestApp::start().await;
    let f = fixture(&app, "alpha", 1).await;
    let before = snapshot(&app, &f).await;
    let huge = "x".repeat(10 * 1024 * 1024);
    let long = "t".repeat(100_000);

    for (method, template, field) in write_routes() {
        let path = fill(template, "alpha", &f);
        let raw = |body: Vec<u8>| {
            app.request(method.clone(), &f.org.owner_token, &path)
                .header("content-type", "application/json")
                .body(body)
        };
        let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
            (
                "malformed JSON",
                raw(b"{\"title\": ".to_vec()),
                400,
                "malformed-json",
            ),
            (
                "invalid UTF-8",
                raw(b"{\"title\": \"\xff\xfe\"}".to_vec()),
                400,
                "malformed-json",
            ),
            (
                "wrong type",
                raw(json!({ field: 12345 }).to_string().into_bytes()),
                422,
                "validation",
            ),
            (
                "unknown field",
                raw(json!({ "bogus": true }).to_string().into_bytes()),
                422,
                "validation",
            ),
            ("array body", raw(b"[]".to_vec()), 422, "validation"),
            (
                "100,000-character value",
                raw(json!({ field: long }).to_string().into_bytes()),
                422,
                "validation",
            ),
            (
                "10 MB body",
                raw(json!({ field: huge }).to_string().into_bytes()),
                413,
                "payload-too-large",
            ),
            (
                "not JSON",
                app.request(method.clone(), &f.org.owner_token, &path)
                    .header("content-type", "text/plain")
                    .body("title=x"),
                415,
                "unsupported-media-type",
            ),
        ];
        for (case, request, status, kind) in cases {
            let response = request.send().await.expect("send");
            let content_type = crate::test_support::header(&response, "content-type");
            let (got, body) = read(response).await;
            assert_eq!(got, status, "{method} {path} with {case}: {body}");
            assert_eq!(
                content_type, "application/problem+json",
                "{method} {path} with {case}"
            );
            assert_eq!(
                body["type"],
                format!("urn:trellis:problem:{kind}"),
                "{method} {path} with {case}: {body}"
            );
            assert!(body["request_id"].is_string(), "{body}");
            if kind == "validation" {
                assert!(
                    body["field"].is_string(),
                    "{method} {path} with {case}: {body}"
                );
            }
        }
    }
    // The 100,000-character and type-error cases name the field at fault.
    let (_, body) = app
        .send_json(
            Method::PATCH,
            &f.org.owner_token,
            &fill("/api/v1/orgs/{org}/tickets/{key}", "alpha", &f),
            json!({ "title": long }),
        )
        .await;
    assert_eq!(body["field"], "title", "{body}");
    assert_eq!(
        snapshot(&app, &f).await,
        before,
        "bad input changed something"
    );
}

#[tokio::test]
async fn bad_input_on_the_import_route_is_a_problem_and_writes_nothing() {
    let app = TestApp::start_with(|c| c.import_max_bytes = 1 << 20).await;
    let f = fixture(&app, "alpha", 1).await;
    let before = snapshot(&app, &f).await;
    let path = fill("/api/v1/orgs/{org}/projects/{project}/import", "alpha", &f);
    let huge = format!("Summary,Issue key\n\"{}\",BIG-1\n", "x".repeat(2 << 20));
    let csv = |query: &str, body: Vec<u8>| {
        app.request(Method::POST, &f.org.owner_token, &format!("{path}{query}"))
            .header("content-type", "text/csv")
            .body(body)
    };
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        (
            "JSON",
            app.request(Method::POST, &f.org.owner_token, &path)
                .json(&json!({})),
            415,
            "unsupported-media-type",
        ),
        ("no header row", csv("", b"".to_vec()), 422, "validation"),
        (
            "not a Jira export",
            csv("", b"a,b\n1,2\n".to_vec()),
            422,
            "validation",
        ),
        (
            "invalid UTF-8",
            csv("", b"Summary,Issue key\n\xff\xfe,K-1\n".to_vec()),
            422,
            "import-invalid",
        ),
        (
            "NUL in a cell",
            csv("", b"Summary,Issue key\na\x00b,K-1\n".to_vec()),
            422,
            "import-invalid",
        ),
        (
            "ragged row",
            csv("", b"Summary,Issue key\nx,K-1,extra\n".to_vec()),
            422,
            "import-invalid",
        ),
        (
            "unknown option",
            csv("?bogus=1", b"Summary,Issue key\n".to_vec()),
            422,
            "validation",
        ),
        (
            "bad option value",
            csv("?dry_run=perhaps", b"Summary,Issue key\n".to_vec()),
            422,
            "validation",
        ),
        (
            "over the limit",
            csv("", huge.into_bytes()),
            413,
            "payload-too-large",
        ),
    ];
    for (case, request, status, kind) in cases {
        let response = request.send().await.expect("send");
        let content_type = crate::test_support::header(&response, "content-type");
        let (got, body) = read(response).await;
        assert_eq!(got, status, "import with {case}: {body}");
        assert_eq!(
            content_type, "application/problem+json",
            "import with {case}"
        );
        assert_eq!(
            body["type"],
            format!("urn:trellis:problem:{kind}"),
            "{case}: {body}"
        );
        if status != 413 {
            assert!(body["field"].is_string(), "{case}: {body}");
        }
    }
    assert_eq!(
        snapshot(&app, &f).await,
        before,
        "bad input changed something"
    );
}

#[tokio::test]
async fn missing_or_invalid_tokens_are_401_problems() {
    let app = TestApp::start().await;
    let org = app.org("alpha").await;
    let url = format!("{}/api/v1/orgs/alpha/tickets", app.base);
    let client = reqwest::Client::new();
    for request in [
        client.get(&url),
        client
            .get(&url)
            .header("authorization", "Basic Zm9vOmJhcg=="),
        client.get(&url).bearer_auth("trl_not-a-real-token"),
        client
            .get(&url)
            .bearer_auth(format!("trl_{}", "A".repeat(43))),
    ] {
        let (status, body) = send(request).await;
        assert_problem(status, &body, 401, "unauthenticated");
    }
    let (status, _) = app
        .get(&org.owner_token, "/api/v1/orgs/alpha/tickets")
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn viewer_cannot_write_and_member_cannot_read_the_audit_log() {
    let app = TestApp::start().await;
    let f = fixture(&app, "alpha", 1).await;
    let viewer = app.member(&f.org, "vera", Role::Viewer).await;
    let member = app.member(&f.org, "max", Role::Member).await;
    let before = snapshot(&app, &f).await;
    for (method, template, body) in routes() {
        if viewer_may(&method, template) {
            continue;
        }
        if method == Method::GET {
            let expected = if viewer_may_not_read(template) {
                403
            } else {
                200
            };
            let (status, body) = app.get(&viewer, &fill(template, "alpha", &f)).await;
            assert_eq!(status, expected, "viewer GET {template}: {body}");
            continue;
        }
        let request = with_body(
            app.request(method.clone(), &viewer, &fill(template, "alpha", &f)),
            &fill_body(&body, "alpha", &f),
        );
        let (status, problem) = send(request).await;
        assert_problem(status, &problem, 403, "forbidden");
    }
    let (status, body) = app.get(&member, "/api/v1/orgs/alpha/audit-log").await;
    assert_problem(status, &body, 403, "forbidden");
    assert_eq!(snapshot(&app, &f).await, before);
}

#[tokio::test]
async fn request_ids_are_echoed_or_minted_and_unknown_routes_are_problems() {
    let app = TestApp::start().await;
    let client = reqwest::Client::new();
    // Unknown paths outside the API answer the web app (deep links); inside it, a problem.
    let response = client
        .get(format!("{}/api/v1/no/such/route", app.base))
        .header("x-request-id", "trace-42")
        .send()
        .await
        .expect("send");
    assert_eq!(response.headers()["x-request-id"], "trace-42");
    let (status, body) = read(response).await;
    assert_problem(status, &body, 404, "not-found");
    assert_eq!(body["request_id"], "trace-42");

    let response = client
        .get(format!("{}/healthz", app.base))
        .header("x-request-id", "bad id\twith tab")
        .send()
        .await
        .expect("send");
    let minted = response.headers()["x-request-id"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(uuid::Uuid::parse_str(&minted).is_ok(), "{minted}");
}

#[tokio::test]
async fn readyz_reports_postgres_and_redis() {
    let app = TestApp::start().await;
    let (status, body) = send(reqwest::Client::new().get(format!("{}/readyz", app.base))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["checks"], json!({ "database": true, "redis": true }));
}

#[tokio::test]
async fn readyz_fails_when_redis_is_down_while_the_api_keeps_serving() {
    let db = crate::test_support::TestDatabase::create().await;
    let pool = crate::db::connect_pool(&db.app_url, 4, &crate::db::DbTls::new(None).expect("tls"))
        .await
        .expect("pool");
    // Nothing listens on port 1.
    let redis = crate::http::redis_pool("redis://127.0.0.1:1").expect("pool");
    let app = TestApp::serve(db, pool, redis, |_| {});
    let (status, body) = send(reqwest::Client::new().get(format!("{}/readyz", app.base))).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["checks"]["redis"], false);
    let org = app.org("alpha").await;
    let (status, _) = app.get(&org.owner_token, "/api/v1/orgs/alpha").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn metrics_are_valid_prometheus_text_without_tenant_labels() {
    let app = TestApp::start().await;
    let f = fixture(&app, "alpha", 1).await;
    app.get(
        &f.org.owner_token,
        &format!("/api/v1/orgs/alpha/tickets/{}", f.key),
    )
    .await;
    app.get(&f.org.owner_token, "/api/v1/orgs/alpha/tickets/NOPE-1")
        .await;
    let text = reqwest::get(format!("{}/metrics", app.base))
        .await
        .expect("scrape")
        .text()
        .await
        .expect("body");
    assert!(
        text.contains(r#"http_requests_total{method="GET",route="/api/v1/orgs/{org}/tickets/{key}",status="200"} 1"#),
        "{text}"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket"),
        "{text}"
    );
    assert!(text.contains("trellis_db_pool_connections"), "{text}");
    assert!(
        !text.contains("alpha") && !text.contains(&f.key),
        "metrics carry tenant data"
    );

    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool (Debian package `prometheus`; ./scripts/test installs it)");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("promtool");
    assert!(
        output.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::start().await;
    let client = reqwest::Client::new();
    for path in [
        "/",
        "/healthz",
        "/api/v1/orgs/acme/tickets",
        "/no/such/route",
    ] {
        let response = client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .expect("send");
        let headers = response.headers();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert!(
            header("content-security-policy").contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(
            header("content-security-policy").contains("object-src 'none'"),
            "{path}"
        );
        // Local-mode attachments are same-origin: nothing else may be reached.
        assert!(
            header("content-security-policy").contains("connect-src 'self';"),
            "{path}"
        );
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert!(
            header("strict-transport-security").starts_with("max-age="),
            "{path}"
        );
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
    }
}

#[tokio::test]
async fn cors_answers_only_the_configured_origins_with_credentials() {
    let app = TestApp::start_with(|c| {
        c.auth.cors_origins = vec!["https://app.example.test".to_owned()];
    })
    .await;
    let client = reqwest::Client::new();
    let preflight = |origin: &str| {
        client
            .request(
                Method::OPTIONS,
                format!("{}/api/v1/orgs/acme/projects", app.base),
            )
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "content-type, x-csrf-token",
            )
            .send()
    };
    let allowed = preflight("https://app.example.test").await.expect("send");
    let headers = allowed.headers();
    assert_eq!(
        headers
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://app.example.test")
    );
    assert_eq!(
        headers
            .get("access-control-allow-credentials")
            .and_then(|v| v.to_str().ok()),
        Some("true")
    );
    let allowed_headers = headers
        .get("access-control-allow-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        allowed_headers.contains("x-csrf-token"),
        "{allowed_headers}"
    );

    let refused = preflight("https://evil.example").await.expect("send");
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    // A simple cross-origin GET gets no CORS headers either: the browser hides the body.
    let response = client
        .get(format!("{}/healthz", app.base))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .expect("send");
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}
