use reqwest::Method;
use serde_json::json;

use crate::test_support::{TestApp, assert_problem, send};

#[tokio::test]
async fn new_project_gets_the_default_workflow() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    let (status, project) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/projects/WEB")
        .await;
    assert_eq!(status, 200, "{project}");
    let statuses: Vec<(&str, &str)> = project["statuses"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| Some((s["name"].as_str()?, s["category"].as_str()?)))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        statuses,
        vec![
            ("To Do", "todo"),
            ("In Progress", "in_progress"),
            ("Done", "done")
        ]
    );
}

#[tokio::test]
async fn project_keys_are_validated_and_unique_per_org() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    let other = app.org("globex").await;
    app.project(&org, "WEB").await;
    async fn create(app: &TestApp, token: &str, slug: &str, key: &str) -> (u16, serde_json::Value) {
        let path = format!("/api/v1/orgs/{slug}/projects");
        app.send_json(
            Method::POST,
            token,
            &path,
            json!({ "key": key, "name": "x" }),
        )
        .await
    }
    let (status, body) = create(&app, &org.owner_token, "acme", "WEB").await;
    assert_problem(status, &body, 409, "project-key-taken");
    for bad in ["web", "W", "1WEB", "WEB-1", "ABCDEFGHIJK", ""] {
        let (status, body) = create(&app, &org.owner_token, "acme", bad).await;
        assert_problem(status, &body, 422, "validation");
        assert_eq!(body["field"], "key");
    }
    // Keys are per organization.
    let (status, _) = create(&app, &other.owner_token, "globex", "WEB").await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn archived_projects_take_no_tickets_and_leave_the_default_list() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    app.project(&org, "OPS").await;
    let (status, archived) = send(app.request(
        Method::POST,
        &org.owner_token,
        "/api/v1/orgs/acme/projects/OPS/archive",
    ))
    .await;
    assert_eq!(status, 200);
    assert!(archived["archived_at"].is_string());

    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/projects/OPS/tickets",
            json!({ "title": "x" }),
        )
        .await;
    assert_problem(status, &body, 409, "project-archived");

    let (_, list) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/projects")
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    let (_, all) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/projects?archived=true")
        .await;
    assert_eq!(all["items"].as_array().map(Vec::len), Some(2));

    send(app.request(
        Method::POST,
        &org.owner_token,
        "/api/v1/orgs/acme/projects/OPS/unarchive",
    ))
    .await;
    assert_eq!(app.ticket(&org, "OPS", "back").await["key"], "OPS-1");
}

#[tokio::test]
async fn project_update_honours_if_match() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    let patch = |etag: &'static str| {
        app.request(
            Method::PATCH,
            &org.owner_token,
            "/api/v1/orgs/acme/projects/WEB",
        )
        .header("if-match", etag)
        .json(&json!({ "name": "Website", "description": "The site" }))
    };
    let (status, body) = send(patch("\"1\"")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Website");
    let (status, body) = send(patch("\"1\"")).await;
    assert_problem(status, &body, 412, "stale-version");
}

#[tokio::test]
async fn project_list_pages_by_key() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    for key in ["CC", "AA", "BB"] {
        app.project(&org, key).await;
    }
    let (_, first) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/projects?limit=2")
        .await;
    assert_eq!(first["items"][0]["key"], "AA");
    assert_eq!(first["items"][1]["key"], "BB");
    let cursor = first["next_cursor"].as_str().unwrap_or_default();
    let (_, second) = app
        .get(
            &org.owner_token,
            &format!("/api/v1/orgs/acme/projects?limit=2&cursor={cursor}"),
        )
        .await;
    assert_eq!(second["items"][0]["key"], "CC");
    assert!(second["next_cursor"].is_null());
}

mod private_projects {
    use reqwest::Method;
    use serde_json::json;
    use tenancy::Role;

    use crate::test_support::{TestApp, TestOrg, assert_problem};

    /// acme with a public WEB and a private SEC (one ticket each, a comment on SEC-1).
    async fn setup(app: &TestApp) -> TestOrg {
        let acme = app.org("acme").await;
        app.project(&acme, "WEB").await;
        let (status, body) = app
            .send_json(
                Method::POST,
                &acme.owner_token,
                "/api/v1/orgs/acme/projects",
                json!({ "key": "SEC", "name": "Security", "private": true }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["private"], true);
        app.ticket(&acme, "WEB", "public work").await;
        app.ticket(&acme, "SEC", "embargoed vulnerability").await;
        let (status, _) = app
            .send_json(
                Method::POST,
                &acme.owner_token,
                "/api/v1/orgs/acme/tickets/SEC-1/comments",
                json!({ "body": "the exploit works" }),
            )
            .await;
        assert_eq!(status, 201);
        acme
    }

    /// Every write on SEC and its ticket SEC-1.
    fn sec_writes() -> Vec<(Method, &'static str, serde_json::Value)> {
        vec![
            (
                Method::POST,
                "/api/v1/orgs/acme/projects/SEC/tickets",
                json!({ "title": "x" }),
            ),
            (
                Method::PATCH,
                "/api/v1/orgs/acme/tickets/SEC-1",
                json!({ "title": "x" }),
            ),
            (
                Method::POST,
                "/api/v1/orgs/acme/tickets/SEC-1/comments",
                json!({ "body": "x" }),
            ),
            (
                Method::POST,
                "/api/v1/orgs/acme/tickets/SEC-1/transitions",
                json!({ "to": "In Progress" }),
            ),
            (
                Method::DELETE,
                "/api/v1/orgs/acme/tickets/SEC-1",
                json!(null),
            ),
        ]
    }

    async fn add(app: &TestApp, acme: &TestOrg, token: &str, login: &str, role: &str) -> u16 {
        let _ = acme;
        app.send_json(
            Method::PUT,
            token,
            &format!("/api/v1/orgs/acme/projects/SEC/members/{login}"),
            json!({ "role": role }),
        )
        .await
        .0
    }

    #[tokio::test]
    async fn a_private_project_is_invisible_to_non_members_everywhere() {
        let app = TestApp::start().await;
        let acme = setup(&app).await;
        let outsider = app.member(&acme, "outsider", Role::Member).await;
        for path in [
            "/api/v1/orgs/acme/projects/SEC",
            "/api/v1/orgs/acme/projects/SEC/tickets",
            "/api/v1/orgs/acme/projects/SEC/members",
            "/api/v1/orgs/acme/tickets/SEC-1",
            "/api/v1/orgs/acme/tickets/SEC-1/comments",
            "/api/v1/orgs/acme/tickets/SEC-1/transitions",
        ] {
            let (status, body) = app.get(&outsider, path).await;
            assert_problem(status, &body, 404, "not-found");
            assert!(!body.to_string().contains("embargoed"), "{path}: {body}");
        }
        for (method, path, body) in sec_writes() {
            let (status, problem) = app.send_json(method, &outsider, path, body).await;
            assert_problem(status, &problem, 404, "not-found");
        }
        let (_, projects) = app.get(&outsider, "/api/v1/orgs/acme/projects").await;
        let keys: Vec<&str> = projects["items"]
            .as_array()
            .map(|p| p.iter().filter_map(|p| p["key"].as_str()).collect())
            .unwrap_or_default();
        assert_eq!(keys, ["WEB"]);
        let (_, tickets) = app.get(&outsider, "/api/v1/orgs/acme/tickets").await;
        assert!(!tickets.to_string().contains("embargoed"), "{tickets}");
        assert_eq!(tickets["items"].as_array().map(Vec::len), Some(1));
        // Search: neither the tickets nor the total, by text or by project.
        for jql in [
            "summary ~ embargoed",
            "text ~ exploit",
            "project = SEC",
            "project IN (WEB, SEC)",
        ] {
            let (status, found) = app
                .send_json(
                    Method::POST,
                    &outsider,
                    "/api/v1/orgs/acme/search",
                    json!({ "jql": jql }),
                )
                .await;
            assert!(!found.to_string().contains("embargoed"), "{jql}: {found}");
            if status == 200 {
                let expected = if jql.contains("WEB") { 1 } else { 0 };
                assert_eq!(found["total"], expected, "{jql}: {found}");
            } else {
                // An unknown project name is a query error, as for one that does not exist.
                assert_eq!(status, 400, "{jql}: {found}");
            }
        }
        let (_, suggestions) = app
            .get(
                &outsider,
                "/api/v1/orgs/acme/search/autocomplete?jql=project%20%3D%20",
            )
            .await;
        assert!(!suggestions.to_string().contains("SEC"), "{suggestions}");

        // The owner (and admins) see it; so does a member once added to the project.
        let (status, _) = app
            .get(&acme.owner_token, "/api/v1/orgs/acme/tickets/SEC-1")
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            add(&app, &acme, &acme.owner_token, "outsider", "member").await,
            204
        );
        let (status, ticket) = app.get(&outsider, "/api/v1/orgs/acme/tickets/SEC-1").await;
        assert_eq!(status, 200, "{ticket}");
        // ...and loses it again when removed, at once.
        let (status, _) = app
            .send_json(
                Method::DELETE,
                &acme.owner_token,
                "/api/v1/orgs/acme/projects/SEC/members/outsider",
                json!(null),
            )
            .await;
        assert_eq!(status, 204);
        let (status, _) = app.get(&outsider, "/api/v1/orgs/acme/tickets/SEC-1").await;
        assert_eq!(status, 404);
    }

    #[tokio::test]
    async fn a_project_viewer_reads_but_cannot_write_there() {
        let app = TestApp::start().await;
        let acme = setup(&app).await;
        let member = app.member(&acme, "auditor", Role::Member).await;
        assert_eq!(
            add(&app, &acme, &acme.owner_token, "auditor", "viewer").await,
            204
        );
        let (status, _) = app.get(&member, "/api/v1/orgs/acme/tickets/SEC-1").await;
        assert_eq!(status, 200);
        // The project tells them so: reads only there, their member rights elsewhere.
        let permissions = |body: &serde_json::Value| -> Vec<String> {
            body["my_permissions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p.as_str().map(str::to_owned))
                .collect()
        };
        let (_, sec) = app.get(&member, "/api/v1/orgs/acme/projects/SEC").await;
        let sec = permissions(&sec);
        assert!(sec.iter().any(|p| p == "tickets.read"), "{sec:?}");
        assert!(
            !sec.iter()
                .any(|p| p == "tickets.update" || p == "tickets.create"),
            "{sec:?}"
        );
        let (_, web) = app.get(&member, "/api/v1/orgs/acme/projects/WEB").await;
        let web = permissions(&web);
        assert!(web.iter().any(|p| p == "tickets.update"), "{web:?}");
        assert!(!web.iter().any(|p| p == "projects.update"), "{web:?}");
        for (method, path, body) in sec_writes() {
            let (status, problem) = app.send_json(method, &member, path, body).await;
            assert_problem(status, &problem, 403, "forbidden");
        }
        // Elsewhere their organization role applies as usual.
        let (status, _) = app
            .send_json(
                Method::POST,
                &member,
                "/api/v1/orgs/acme/projects/WEB/tickets",
                json!({ "title": "fine" }),
            )
            .await;
        assert_eq!(status, 201);
    }

    #[tokio::test]
    async fn a_lead_manages_project_members_and_a_member_cannot() {
        let app = TestApp::start().await;
        let acme = setup(&app).await;
        let lead = app.member(&acme, "lead", Role::Member).await;
        let plain = app.member(&acme, "plain", Role::Member).await;
        app.member(&acme, "newcomer", Role::Viewer).await;
        assert_eq!(
            add(&app, &acme, &acme.owner_token, "lead", "lead").await,
            204
        );
        assert_eq!(
            add(&app, &acme, &acme.owner_token, "plain", "member").await,
            204
        );
        let (_, led) = app.get(&lead, "/api/v1/orgs/acme/projects/SEC").await;
        assert!(
            led["my_permissions"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| p == "projects.update")),
            "{led}"
        );
        // A project member is not a lead: refused, nothing changed.
        assert_eq!(add(&app, &acme, &plain, "newcomer", "member").await, 403);
        assert_eq!(add(&app, &acme, &plain, "plain", "lead").await, 403);
        // The lead may, though their organization role is only member.
        assert_eq!(add(&app, &acme, &lead, "newcomer", "viewer").await, 204);
        let (_, members) = app
            .get(&lead, "/api/v1/orgs/acme/projects/SEC/members")
            .await;
        let roles: Vec<(String, String)> = members
            .as_array()
            .map(|m| {
                m.iter()
                    .map(|m| {
                        (
                            m["user"]["login"].as_str().unwrap_or_default().to_owned(),
                            m["role"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            roles.contains(&("plain".to_owned(), "member".to_owned())),
            "{roles:?}"
        );
        assert!(
            roles.contains(&("newcomer".to_owned(), "viewer".to_owned())),
            "{roles:?}"
        );
        assert!(
            roles.contains(&("acme-owner".to_owned(), "lead".to_owned())),
            "creator leads"
        );
        // Only organization members can be added.
        assert_eq!(add(&app, &acme, &lead, "stranger", "member").await, 404);
    }
}
