use reqwest::Method;
use serde_json::json;
use tenancy::Role;

use crate::test_support::{TestApp, assert_problem, send};

#[tokio::test]
async fn org_reads_and_renames_with_etag() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    let response = app
        .request(Method::GET, &org.owner_token, "/api/v1/orgs/acme")
        .send()
        .await
        .expect("send");
    assert_eq!(response.headers()["etag"], "\"1\"");
    let (status, body) = send(
        app.request(Method::PATCH, &org.owner_token, "/api/v1/orgs/acme")
            .header("if-match", "\"1\"")
            .json(&json!({ "name": "Acme Corporation" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Acme Corporation");
    assert_eq!(body["slug"], "acme");

    let member = app.member(&org, "bob", Role::Member).await;
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &member,
            "/api/v1/orgs/acme",
            json!({ "name": "Mine now" }),
        )
        .await;
    assert_problem(status, &body, 403, "forbidden");
}

#[tokio::test]
async fn members_are_listed_with_roles() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.member(&org, "bob", Role::Viewer).await;
    let (status, body) = app.get(&org.owner_token, "/api/v1/orgs/acme/members").await;
    assert_eq!(status, 200, "{body}");
    let members: Vec<(String, String)> = body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| (m["user"]["login"].to_string(), m["role"].to_string()))
        .collect();
    assert_eq!(
        members,
        vec![
            ("\"acme-owner\"".to_owned(), "\"owner\"".to_owned()),
            ("\"bob\"".to_owned(), "\"viewer\"".to_owned())
        ]
    );
}

mod administration {
    use reqwest::Method;
    use serde_json::json;
    use tenancy::Role;

    use crate::test_support::{TestApp, assert_problem};

    async fn role_of(app: &TestApp, token: &str, login: &str) -> Option<String> {
        let (_, members) = app.get(token, "/api/v1/orgs/acme/members").await;
        members["items"]
            .as_array()?
            .iter()
            .find(|m| m["user"]["login"] == login)
            .and_then(|m| m["role"].as_str())
            .map(str::to_owned)
    }

    #[tokio::test]
    async fn a_member_cannot_make_themselves_admin() {
        let app = TestApp::start().await;
        let acme = app.org("acme").await;
        let member = app.member(&acme, "mallory", Role::Member).await;
        let (status, body) = app
            .send_json(
                Method::PATCH,
                &member,
                "/api/v1/orgs/acme/members/mallory",
                json!({ "role": "admin" }),
            )
            .await;
        assert_problem(status, &body, 403, "forbidden");
        assert_eq!(
            role_of(&app, &acme.owner_token, "mallory").await.as_deref(),
            Some("member")
        );
    }

    #[tokio::test]
    async fn an_admin_cannot_grant_or_touch_ownership() {
        let app = TestApp::start().await;
        let acme = app.org("acme").await;
        let admin = app.member(&acme, "adam", Role::Admin).await;
        app.member(&acme, "bob", Role::Member).await;
        for (method, path, body) in [
            (
                Method::PATCH,
                "/api/v1/orgs/acme/members/adam",
                json!({ "role": "owner" }),
            ),
            (
                Method::PATCH,
                "/api/v1/orgs/acme/members/bob",
                json!({ "role": "owner" }),
            ),
            (
                Method::PATCH,
                "/api/v1/orgs/acme/members/bob",
                json!({ "role": "billing" }),
            ),
            (
                Method::PATCH,
                "/api/v1/orgs/acme/members/acme-owner",
                json!({ "role": "viewer" }),
            ),
            (
                Method::DELETE,
                "/api/v1/orgs/acme/members/acme-owner",
                json!(null),
            ),
            (
                Method::POST,
                "/api/v1/orgs/acme/invitations",
                json!({ "github_login": "eve", "role": "owner" }),
            ),
            (
                Method::POST,
                "/api/v1/orgs/acme/transfer-ownership",
                json!({ "login": "adam" }),
            ),
        ] {
            let (status, problem) = app.send_json(method.clone(), &admin, path, body).await;
            assert_problem(status, &problem, 403, "forbidden");
        }
        assert_eq!(
            role_of(&app, &acme.owner_token, "acme-owner")
                .await
                .as_deref(),
            Some("owner")
        );
        assert_eq!(
            role_of(&app, &acme.owner_token, "adam").await.as_deref(),
            Some("admin")
        );
        assert_eq!(
            role_of(&app, &acme.owner_token, "bob").await.as_deref(),
            Some("member")
        );
        // What an admin may do, they can.
        let (status, _) = app
            .send_json(
                Method::PATCH,
                &admin,
                "/api/v1/orgs/acme/members/bob",
                json!({ "role": "viewer" }),
            )
            .await;
        assert_eq!(status, 204);
    }

    #[tokio::test]
    async fn the_last_owner_can_neither_leave_nor_be_demoted_or_removed() {
        let app = TestApp::start().await;
        let acme = app.org("acme").await;
        for (method, path, body) in [
            (
                Method::PATCH,
                "/api/v1/orgs/acme/members/acme-owner",
                json!({ "role": "admin" }),
            ),
            (
                Method::DELETE,
                "/api/v1/orgs/acme/members/acme-owner",
                json!(null),
            ),
            (Method::POST, "/api/v1/orgs/acme/leave", json!(null)),
        ] {
            let (status, problem) = app.send_json(method, &acme.owner_token, path, body).await;
            assert_problem(status, &problem, 409, "last-owner");
        }
        assert_eq!(
            role_of(&app, &acme.owner_token, "acme-owner")
                .await
                .as_deref(),
            Some("owner")
        );
    }

    #[tokio::test]
    async fn two_owners_demoting_each_other_at_once_leave_one_owner() {
        let app = TestApp::start().await;
        let acme = app.org("acme").await;
        let second = app.member(&acme, "otto", Role::Owner).await;
        let demote_otto = app.send_json(
            Method::PATCH,
            &acme.owner_token,
            "/api/v1/orgs/acme/members/otto",
            json!({ "role": "admin" }),
        );
        let demote_first = app.send_json(
            Method::PATCH,
            &second,
            "/api/v1/orgs/acme/members/acme-owner",
            json!({ "role": "admin" }),
        );
        let ((a, _), (b, _)) = tokio::join!(demote_otto, demote_first);
        let mut outcomes = [a, b];
        outcomes.sort_unstable();
        // One wins; the other finds itself demoted (403) or the last owner (409).
        assert_eq!(outcomes[0], 204, "{outcomes:?}");
        assert!(matches!(outcomes[1], 403 | 409), "{outcomes:?}");
        let (_, members) = app
            .get(
                if a == 204 { &acme.owner_token } else { &second },
                "/api/v1/orgs/acme/members",
            )
            .await;
        let owner_count = members["items"]
            .as_array()
            .map(|m| m.iter().filter(|m| m["role"] == "owner").count());
        assert_eq!(owner_count, Some(1), "{members}");
    }

    #[tokio::test]
    async fn removal_revokes_access_at_once_even_with_a_warm_cache() {
        let app =
            TestApp::start_with(|c| c.auth_cache_ttl = std::time::Duration::from_secs(300)).await;
        let acme = app.org("acme").await;
        let member = app.member(&acme, "temp", Role::Member).await;
        assert_eq!(
            app.get(&member, "/api/v1/orgs/acme").await.0,
            200,
            "cache warmed"
        );
        let (status, _) = app
            .send_json(
                Method::DELETE,
                &acme.owner_token,
                "/api/v1/orgs/acme/members/temp",
                json!(null),
            )
            .await;
        assert_eq!(status, 204);
        let (status, body) = app.get(&member, "/api/v1/orgs/acme").await;
        assert_problem(status, &body, 401, "unauthenticated");
    }

    #[tokio::test]
    async fn a_role_change_applies_at_once_even_with_a_warm_cache() {
        let app =
            TestApp::start_with(|c| c.auth_cache_ttl = std::time::Duration::from_secs(300)).await;
        let acme = app.org("acme").await;
        app.project(&acme, "WEB").await;
        let member = app.member(&acme, "demoted", Role::Member).await;
        assert_eq!(
            app.get(&member, "/api/v1/orgs/acme/tickets").await.0,
            200,
            "cache warmed"
        );
        let (status, _) = app
            .send_json(
                Method::PATCH,
                &acme.owner_token,
                "/api/v1/orgs/acme/members/demoted",
                json!({ "role": "viewer" }),
            )
            .await;
        assert_eq!(status, 204);
        let (status, body) = app
            .send_json(
                Method::POST,
                &member,
                "/api/v1/orgs/acme/projects/WEB/tickets",
                json!({ "title": "x" }),
            )
            .await;
        assert_problem(status, &body, 403, "forbidden");
    }

    #[tokio::test]
    async fn ownership_transfers_and_the_old_owner_becomes_admin() {
        let app = TestApp::start().await;
        let acme = app.org("acme").await;
        let heir = app.member(&acme, "heir", Role::Member).await;
        let (status, body) = app
            .send_json(
                Method::POST,
                &acme.owner_token,
                "/api/v1/orgs/acme/transfer-ownership",
                json!({ "login": "heir" }),
            )
            .await;
        assert_eq!(status, 204, "{body}");
        assert_eq!(role_of(&app, &heir, "heir").await.as_deref(), Some("owner"));
        assert_eq!(
            role_of(&app, &heir, "acme-owner").await.as_deref(),
            Some("admin")
        );
        // Now the former owner may leave; the heir may not (last owner).
        let (status, _) = app
            .send_json(
                Method::POST,
                &acme.owner_token,
                "/api/v1/orgs/acme/leave",
                json!(null),
            )
            .await;
        assert_eq!(status, 204);
        let (status, body) = app
            .send_json(Method::POST, &heir, "/api/v1/orgs/acme/leave", json!(null))
            .await;
        assert_problem(status, &body, 409, "last-owner");
    }

    #[tokio::test]
    async fn tokens_are_shown_once_narrowed_and_never_exceed_their_user() {
        let app = TestApp::start().await;
        let acme = app.org("acme").await;
        app.project(&acme, "WEB").await;
        let member = app.member(&acme, "tok", Role::Member).await;
        // More than the member's role: refused.
        let (status, body) = app
            .send_json(
                Method::POST,
                &member,
                "/api/v1/orgs/acme/tokens",
                json!({ "name": "ci", "permissions": ["members.manage"] }),
            )
            .await;
        assert_problem(status, &body, 403, "forbidden");
        // A read-only token.
        let (status, created) = app
            .send_json(Method::POST, &member, "/api/v1/orgs/acme/tokens", json!({ "name": "ci", "permissions": ["tickets.read", "projects.read"], "expires_in_days": 30 }))
            .await;
        assert_eq!(status, 201, "{created}");
        let read_only = created["token"].as_str().unwrap_or_default().to_owned();
        assert!(read_only.starts_with("trl_"));
        assert_eq!(
            app.get(&read_only, "/api/v1/orgs/acme/tickets").await.0,
            200
        );
        let (status, body) = app
            .send_json(
                Method::POST,
                &read_only,
                "/api/v1/orgs/acme/projects/WEB/tickets",
                json!({ "title": "x" }),
            )
            .await;
        assert_problem(status, &body, 403, "forbidden");
        // It cannot mint itself a broader token either (no tokens.manage).
        let (status, body) = app
            .send_json(
                Method::POST,
                &read_only,
                "/api/v1/orgs/acme/tokens",
                json!({ "name": "wider" }),
            )
            .await;
        assert_problem(status, &body, 403, "forbidden");
        // Listed without its secret; revoked, it stops working at once.
        let (_, list) = app.get(&member, "/api/v1/orgs/acme/tokens").await;
        assert!(!list.to_string().contains(&read_only));
        let id = created["id"].as_str().unwrap_or_default();
        let (status, _) = app
            .send_json(
                Method::DELETE,
                &member,
                &format!("/api/v1/orgs/acme/tokens/{id}"),
                json!(null),
            )
            .await;
        assert_eq!(status, 204);
        let (status, body) = app.get(&read_only, "/api/v1/orgs/acme/tickets").await;
        assert_problem(status, &body, 401, "unauthenticated");
        // A member cannot revoke the owner's token (it is not theirs to see).
        let (_, owner_tokens) = app.get(&acme.owner_token, "/api/v1/orgs/acme/tokens").await;
        let owner_token_id = owner_tokens["items"]
            .as_array()
            .and_then(|items| items.iter().find(|t| t["user_login"] == "acme-owner"))
            .and_then(|t| t["id"].as_str())
            .unwrap_or_default()
            .to_owned();
        let (status, body) = app
            .send_json(
                Method::DELETE,
                &member,
                &format!("/api/v1/orgs/acme/tokens/{owner_token_id}"),
                json!(null),
            )
            .await;
        assert_problem(status, &body, 404, "not-found");
        assert_eq!(app.get(&acme.owner_token, "/api/v1/orgs/acme").await.0, 200);
    }
}
