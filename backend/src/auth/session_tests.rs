//! Sign-in through the fake GitHub over real HTTP, sessions, CSRF, refresh rotation,
//! invitations, rate limits and the local login link.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};
use reqwest::Method;
use serde_json::{Value, json};
use tenancy::{DbConn, Role};

use crate::config::{Config, Environment};
use crate::schema::users;
use crate::test_support::{Account, Browser, FakeGitHub, TestApp, assert_problem, location, read};

fn account(id: i64, login: &str) -> Account {
    Account {
        id,
        login: login.to_owned(),
        name: Some(format!("{login} Example")),
        emails: vec![
            (format!("{login}@example.com"), true),
            (format!("{login}@unverified.example"), false),
        ],
    }
}

async fn app_with_github(adjust: impl FnOnce(&mut Config)) -> (TestApp, FakeGitHub) {
    let github = FakeGitHub::start();
    let app = TestApp::start_with(|c| {
        github.configure(c);
        adjust(c);
    })
    .await;
    (app, github)
}

/// Starts a sign-in; returns the browser and the URL GitHub would send it back to.
async fn start_sign_in(app: &TestApp) -> (Browser, String) {
    let mut browser = Browser::new(&app.base);
    let response = browser.get("/auth/github/login?redirect_to=/welcome").await;
    assert_eq!(response.status(), 302);
    let to_github = location(&response);
    assert!(
        to_github.contains("code_challenge_method=S256"),
        "{to_github}"
    );
    assert!(to_github.contains("state="), "{to_github}");
    let consent = browser.get(&to_github).await;
    assert_eq!(consent.status(), 302, "{:?}", read(consent).await);
    let callback = location(&consent);
    assert!(callback.starts_with(&format!("{}/auth/github/callback?", app.base)));
    (browser, callback)
}

/// Signs `who` in end to end and returns their browser.
async fn sign_in(app: &TestApp, github: &FakeGitHub, who: Account) -> Browser {
    github.sign_in_as(who);
    let (mut browser, callback) = start_sign_in(app).await;
    let landed = browser.get(&callback).await;
    assert_eq!(landed.status(), 302, "{:?}", read(landed).await);
    assert_eq!(location(&landed), format!("{}/welcome", app.base));
    browser
}

async fn owner_conn(app: &TestApp) -> DbConn {
    DbConn::establish(&app.db.owner_url).await.expect("owner")
}

#[tokio::test]
async fn a_person_signs_up_through_github_and_creates_a_project_with_the_session() {
    let (app, github) = app_with_github(|_| {}).await;
    let mut browser = sign_in(&app, &github, account(101, "Octo-Cat")).await;
    for name in ["trellis_session", "trellis_refresh", "trellis_csrf"] {
        assert!(browser.cookies.contains_key(name), "{name} set");
    }

    let (status, me) = browser.send(Method::GET, "/auth/me", None).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["login"], "Octo-Cat");
    assert_eq!(
        me["email"], "Octo-Cat@example.com",
        "primary verified address"
    );
    assert_eq!(
        me["orgs"],
        json!([{ "slug": "octo-cat", "name": "Octo-Cat Example's organization", "role": "owner" }])
    );

    let (status, project) = browser
        .send(
            Method::POST,
            "/api/v1/orgs/octo-cat/projects",
            Some(json!({ "key": "WEB", "name": "Website" })),
        )
        .await;
    assert_eq!(status, 201, "{project}");
    let (status, ticket) = browser
        .send(
            Method::POST,
            "/api/v1/orgs/octo-cat/projects/WEB/tickets",
            Some(json!({ "title": "First ticket" })),
        )
        .await;
    assert_eq!(status, 201, "{ticket}");
    assert_eq!(ticket["key"], "WEB-1");

    // Signing in again is the same user, no second organization.
    let mut again = sign_in(&app, &github, account(101, "Octo-Cat")).await;
    let (_, me_again) = again.send(Method::GET, "/auth/me", None).await;
    assert_eq!(me_again["id"], me["id"]);
    assert_eq!(me_again["orgs"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn github_tokens_are_stored_encrypted_and_survive_key_rotation() {
    let old_key = fernet::Fernet::generate_key();
    let (app, github) = {
        let key = old_key.clone();
        app_with_github(move |c| c.auth.fernet_keys = vec![crate::config::Secret::new(key)]).await
    };
    sign_in(&app, &github, account(7, "mona")).await;
    let issued = github.issued_tokens();
    assert_eq!(issued.len(), 1);
    let mut conn = owner_conn(&app).await;
    let stored: Option<String> = users::table
        .filter(users::github_id.eq(7))
        .select(users::github_token)
        .first(&mut conn)
        .await
        .expect("user");
    let stored = stored.expect("token stored");
    // Nowhere in the row, nor anywhere in the database dump of the table.
    assert!(!stored.contains(&issued[0]));
    let dump: Vec<String> = diesel::sql_query("SELECT users::text AS row FROM users")
        .load::<RowText>(&mut conn)
        .await
        .expect("dump")
        .into_iter()
        .map(|r| r.row)
        .collect();
    assert!(dump.iter().all(|row| !row.contains(&issued[0])));

    let rotated = Config::from_lookup(|name| {
        (name == "TRELLIS_FERNET_KEYS")
            .then(|| format!("{},{old_key}", fernet::Fernet::generate_key()))
    })
    .expect("config");
    let cipher = super::TokenCipher::from_config(&rotated);
    assert_eq!(cipher.decrypt(&stored).as_deref(), Some(issued[0].as_str()));
}

#[derive(QueryableByName)]
struct RowText {
    #[diesel(sql_type = diesel::sql_types::Text)]
    row: String,
}

async fn user_count(app: &TestApp) -> i64 {
    let mut conn = owner_conn(app).await;
    users::table
        .count()
        .get_result(&mut conn)
        .await
        .expect("count")
}

#[tokio::test]
async fn denied_consent_bad_code_and_github_outage_create_nothing() {
    let (app, github) = app_with_github(|_| {}).await;
    github.sign_in_as(account(5, "denier"));

    // Denied consent: GitHub sends the user back with error=access_denied.
    let (mut browser, callback) = start_sign_in(&app).await;
    let state = callback
        .split("state=")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    let denied = browser
        .get(&format!(
            "/auth/github/callback?error=access_denied&state={state}"
        ))
        .await;
    let (status, body) = read(denied).await;
    assert_problem(status, &body, 403, "oauth-denied");

    // A code GitHub never issued.
    let (mut browser, callback) = start_sign_in(&app).await;
    let forged = callback.replace("code=code", "code=forged");
    let (status, body) = read(browser.get(&forged).await).await;
    assert_problem(status, &body, 400, "oauth-code");

    // An expired code.
    github.code_ttl(std::time::Duration::ZERO);
    let (mut browser, callback) = start_sign_in(&app).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let (status, body) = read(browser.get(&callback).await).await;
    assert_problem(status, &body, 400, "oauth-code");
    github.code_ttl(std::time::Duration::from_secs(600));

    // GitHub answering 5xx.
    github.fail_token_endpoint(true);
    let (mut browser, callback) = start_sign_in(&app).await;
    let (status, body) = read(browser.get(&callback).await).await;
    assert_problem(status, &body, 502, "upstream");
    github.fail_token_endpoint(false);

    assert_eq!(user_count(&app).await, 0);
    assert!(!browser.cookies.contains_key("trellis_session"));
}

#[tokio::test]
async fn state_mismatch_and_replayed_state_are_refused() {
    let (app, github) = app_with_github(|_| {}).await;
    github.sign_in_as(account(9, "victim"));

    // Login CSRF: the attacker's callback URL opened in the victim's browser, whose
    // state cookie is from its own sign-in.
    let (_, attacker_callback) = start_sign_in(&app).await;
    let (mut victim, _) = start_sign_in(&app).await;
    let (status, body) = read(victim.get(&attacker_callback).await).await;
    assert_problem(status, &body, 400, "oauth-state");

    // No state cookie at all.
    let (_, callback) = start_sign_in(&app).await;
    let mut fresh = Browser::new(&app.base);
    let (status, body) = read(fresh.get(&callback).await).await;
    assert_problem(status, &body, 400, "oauth-state");

    // A completed callback replayed (same browser, same state and code).
    let (mut browser, callback) = start_sign_in(&app).await;
    assert_eq!(browser.get(&callback).await.status(), 302);
    browser.cookies.insert(
        "trellis_oauth_state".to_owned(),
        callback
            .split("state=")
            .nth(1)
            .unwrap_or_default()
            .to_owned(),
    );
    let (status, body) = read(browser.get(&callback).await).await;
    assert_problem(status, &body, 400, "oauth-state");
}

#[tokio::test]
async fn a_used_code_is_refused_even_with_a_fresh_state() {
    let (app, github) = app_with_github(|_| {}).await;
    github.sign_in_as(account(11, "replayer"));
    let (mut browser, callback) = start_sign_in(&app).await;
    assert_eq!(browser.get(&callback).await.status(), 302);
    let old_code = callback
        .split("code=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .unwrap_or_default()
        .to_owned();
    let (mut browser, fresh_callback) = start_sign_in(&app).await;
    let new_code = fresh_callback
        .split("code=")
        .nth(1)
        .and_then(|rest| rest.split('&').next())
        .unwrap_or_default()
        .to_owned();
    let replay = fresh_callback.replace(&new_code, &old_code);
    let (status, body) = read(browser.get(&replay).await).await;
    assert_problem(status, &body, 400, "oauth-code");
}

#[tokio::test]
async fn github_rejecting_the_new_token_is_a_bad_gateway() {
    let (app, github) = app_with_github(|_| {}).await;
    github.sign_in_as(account(12, "revoked"));
    github.reject_api_tokens(true);
    let (mut browser, callback) = start_sign_in(&app).await;
    let (status, body) = read(browser.get(&callback).await).await;
    assert_problem(status, &body, 502, "upstream");
    assert_eq!(user_count(&app).await, 0);
}

#[tokio::test]
async fn cookie_writes_need_the_csrf_token_and_an_allowed_origin_but_bearer_tokens_do_not() {
    let (app, github) = app_with_github(|_| {}).await;
    let mut browser = sign_in(&app, &github, account(21, "csrf")).await;
    let path = "/api/v1/orgs/csrf/projects";
    let body = || Some(json!({ "key": "CSRF", "name": "x" }));

    let csrf = browser.cookies.remove("trellis_csrf");
    let (status, problem) = browser.send(Method::POST, path, body()).await;
    assert_problem(status, &problem, 403, "csrf");
    browser
        .cookies
        .insert("trellis_csrf".to_owned(), csrf.clone().unwrap_or_default());

    // The cookie and header agree, but not with this session (a planted cookie).
    browser
        .cookies
        .insert("trellis_csrf".to_owned(), "planted".to_owned());
    let (status, problem) = browser.send(Method::POST, path, body()).await;
    assert_problem(status, &problem, 403, "csrf");
    browser
        .cookies
        .insert("trellis_csrf".to_owned(), csrf.unwrap_or_default());

    browser.origin = Some("https://evil.example".to_owned());
    let (status, problem) = browser.send(Method::POST, path, body()).await;
    assert_problem(status, &problem, 403, "csrf");
    browser.origin = None;
    let (status, problem) = browser.send(Method::POST, path, body()).await;
    assert_problem(status, &problem, 403, "csrf");

    // Reads need no token; nothing was created by the refused writes.
    let (status, list) = browser.send(Method::GET, path, None).await;
    assert_eq!(status, 200);
    assert_eq!(list["items"], json!([]));

    browser.origin = Some(app.base.clone());
    let (status, _) = browser.send(Method::POST, path, body()).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_session() {
    let (app, github) = app_with_github(|_| {}).await;
    let mut browser = sign_in(&app, &github, account(31, "rotator")).await;
    let first_refresh = browser.cookies["trellis_refresh"].clone();
    let first_access = browser.cookies["trellis_session"].clone();

    let (status, body) = browser.send(Method::POST, "/auth/refresh", None).await;
    assert_eq!(status, 204, "{body}");
    let second_refresh = browser.cookies["trellis_refresh"].clone();
    assert_ne!(second_refresh, first_refresh);
    assert_ne!(browser.cookies["trellis_session"], first_access);
    let (status, _) = browser.send(Method::GET, "/auth/me", None).await;
    assert_eq!(status, 200);

    // A thief replays the first refresh token: refused, and the family is revoked.
    let mut thief = Browser::new(&app.base);
    thief.cookies = browser.cookies.clone();
    thief
        .cookies
        .insert("trellis_refresh".to_owned(), first_refresh);
    let (status, body) = thief.send(Method::POST, "/auth/refresh", None).await;
    assert_problem(status, &body, 401, "unauthenticated");
    // ...so the legitimate holder's newer token is dead too.
    let (status, body) = browser.send(Method::POST, "/auth/refresh", None).await;
    assert_problem(status, &body, 401, "unauthenticated");
    assert!(
        !browser.cookies.contains_key("trellis_refresh"),
        "cookies cleared"
    );
}

#[tokio::test]
async fn logout_revokes_the_refresh_family_and_clears_cookies() {
    let (app, github) = app_with_github(|_| {}).await;
    let mut browser = sign_in(&app, &github, account(41, "leaver")).await;
    let saved = browser.cookies.clone();
    let (status, _) = browser.send(Method::POST, "/auth/logout", None).await;
    assert_eq!(status, 204);
    assert!(browser.cookies.is_empty(), "{:?}", browser.cookies);
    let mut replay = Browser::new(&app.base);
    replay.cookies = saved;
    let (status, body) = replay.send(Method::POST, "/auth/refresh", None).await;
    assert_problem(status, &body, 401, "unauthenticated");
}

#[tokio::test]
async fn tampered_and_foreign_session_cookies_are_refused() {
    let (app, github) = app_with_github(|_| {}).await;
    let mut browser = sign_in(&app, &github, account(51, "tamper")).await;
    let token = browser.cookies["trellis_session"].clone();
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[2] = parts[2].chars().rev().collect();
    browser
        .cookies
        .insert("trellis_session".to_owned(), parts.join("."));
    let (status, body) = browser.send(Method::GET, "/auth/me", None).await;
    assert_problem(status, &body, 401, "unauthenticated");

    // A session signed by another deployment's key.
    let other = crate::auth::session::SessionKeys::from_config(
        &Config::from_lookup(|_| None).expect("config"),
    );
    let me_id: uuid::Uuid = {
        let mut conn = owner_conn(&app).await;
        users::table
            .filter(users::github_id.eq(51))
            .select(users::id)
            .first(&mut conn)
            .await
            .expect("user")
    };
    browser.cookies.insert(
        "trellis_session".to_owned(),
        other.sign_access(tenancy::UserId(me_id), uuid::Uuid::now_v7()),
    );
    let (status, body) = browser.send(Method::GET, "/auth/me", None).await;
    assert_problem(status, &body, 401, "unauthenticated");
}

#[tokio::test]
async fn a_session_in_one_org_cannot_reach_another() {
    let (app, github) = app_with_github(|_| {}).await;
    let other = app.org("other").await;
    app.project(&other, "SEC").await;
    app.ticket(&other, "SEC", "secret").await;
    let mut browser = sign_in(&app, &github, account(61, "outsider")).await;
    for path in [
        "/api/v1/orgs/other",
        "/api/v1/orgs/other/projects",
        "/api/v1/orgs/other/tickets",
        "/api/v1/orgs/other/projects/SEC/tickets/1",
        "/api/v1/orgs/other/members",
        "/api/v1/orgs/other/tokens",
        "/api/v1/orgs/other/invitations",
    ] {
        let (status, body) = browser.send(Method::GET, path, None).await;
        assert_problem(status, &body, 404, "not-found");
    }
    for (method, path, body) in [
        (
            Method::POST,
            "/api/v1/orgs/other/projects",
            json!({"key": "X", "name": "x"}),
        ),
        (
            Method::POST,
            "/api/v1/orgs/other/invitations",
            json!({"github_login": "outsider", "role": "owner"}),
        ),
        (
            Method::POST,
            "/api/v1/orgs/other/tokens",
            json!({"name": "x"}),
        ),
        (
            Method::PATCH,
            "/api/v1/orgs/other/members/other-owner",
            json!({"role": "viewer"}),
        ),
        (Method::POST, "/api/v1/orgs/other/leave", json!({})),
    ] {
        let (status, problem) = browser.send(method, path, Some(body)).await;
        assert_problem(status, &problem, 404, "not-found");
    }
    let (status, tickets) = app
        .get(&other.owner_token, "/api/v1/orgs/other/tickets")
        .await;
    assert_eq!(status, 200);
    assert_eq!(tickets["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn an_invited_person_signs_up_sees_the_invitation_and_joins() {
    let (app, github) = app_with_github(|_| {}).await;
    let acme = app.org("acme").await;
    let (status, invitation) = app
        .send_json(
            Method::POST,
            &acme.owner_token,
            "/api/v1/orgs/acme/invitations",
            json!({ "github_login": "newbie", "role": "member" }),
        )
        .await;
    assert_eq!(status, 201, "{invitation}");
    assert!(
        invitation["link"]
            .as_str()
            .is_some_and(|l| l.contains("/invitations/tri_"))
    );
    // By verified email too; an unverified address does not count.
    let (status, _) = app
        .send_json(
            Method::POST,
            &acme.owner_token,
            "/api/v1/orgs/acme/invitations",
            json!({ "email": "newbie@unverified.example", "role": "admin" }),
        )
        .await;
    assert_eq!(status, 201);

    let mut browser = sign_in(&app, &github, account(71, "newbie")).await;
    let (_, me) = browser.send(Method::GET, "/auth/me", None).await;
    let offered = me["invitations"].as_array().cloned().unwrap_or_default();
    assert_eq!(offered.len(), 1, "{me}");
    assert_eq!(offered[0]["org_slug"], "acme");
    assert_eq!(offered[0]["role"], "member");

    let id = offered[0]["id"].as_str().unwrap_or_default().to_owned();
    // Someone else who knows the id cannot take the invitation.
    let mut thief = sign_in(&app, &github, account(72, "thief")).await;
    let (status, body) = thief
        .send(
            Method::POST,
            &format!("/api/v1/invitations/{id}/accept"),
            None,
        )
        .await;
    assert_problem(status, &body, 404, "not-found");
    let (status, body) = thief
        .send(
            Method::POST,
            &format!("/api/v1/invitations/{id}/decline"),
            None,
        )
        .await;
    assert_problem(status, &body, 404, "not-found");
    let (status, joined) = browser
        .send(
            Method::POST,
            &format!("/api/v1/invitations/{id}/accept"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{joined}");
    assert_eq!(joined, json!({ "org_slug": "acme", "role": "member" }));
    let (status, _) = browser
        .send(Method::GET, "/api/v1/orgs/acme/tickets", None)
        .await;
    assert_eq!(status, 200);
    // Accepting twice does nothing more.
    let (status, body) = browser
        .send(
            Method::POST,
            &format!("/api/v1/invitations/{id}/accept"),
            None,
        )
        .await;
    assert_problem(status, &body, 404, "not-found");
    let (_, audit) = app
        .get(&acme.owner_token, "/api/v1/orgs/acme/audit-log")
        .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i["action"].as_str()).collect())
        .unwrap_or_default();
    assert!(actions.contains(&"invitation.accept"), "{actions:?}");
}

#[tokio::test]
async fn invitation_links_can_be_declined_revoked_and_expire() {
    let (app, github) = app_with_github(|_| {}).await;
    let acme = app.org("acme").await;
    let invite = |login: &'static str| {
        let app = &app;
        let token = acme.owner_token.clone();
        async move {
            let (status, body) = app
                .send_json(
                    Method::POST,
                    &token,
                    "/api/v1/orgs/acme/invitations",
                    json!({ "github_login": login, "role": "viewer" }),
                )
                .await;
            assert_eq!(status, 201, "{body}");
            body
        }
    };
    let link_token = |invitation: &Value| {
        invitation["link"]
            .as_str()
            .and_then(|l| l.rsplit('/').next())
            .unwrap_or_default()
            .to_owned()
    };

    // Declined: gone from the list, and its link no longer works.
    let declined = invite("decliner").await;
    let mut decliner = sign_in(&app, &github, account(81, "decliner")).await;
    let id = declined["id"].as_str().unwrap_or_default();
    let (status, body) = decliner
        .send(
            Method::POST,
            &format!("/api/v1/invitations/{id}/decline"),
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = decliner
        .send(
            Method::POST,
            "/api/v1/invitations/accept",
            Some(json!({ "token": link_token(&declined) })),
        )
        .await;
    assert_problem(status, &body, 409, "invitation-closed");

    // Revoked by the org before the invitee answers.
    let revoked = invite("slowpoke").await;
    let id = revoked["id"].as_str().unwrap_or_default();
    let (status, body) = app
        .send_json(
            Method::DELETE,
            &acme.owner_token,
            &format!("/api/v1/orgs/acme/invitations/{id}"),
            json!(null),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let mut slowpoke = sign_in(&app, &github, account(82, "slowpoke")).await;
    let (_, me) = slowpoke.send(Method::GET, "/auth/me", None).await;
    assert_eq!(me["invitations"], json!([]));
    let (status, body) = slowpoke
        .send(
            Method::POST,
            "/api/v1/invitations/accept",
            Some(json!({ "token": link_token(&revoked) })),
        )
        .await;
    assert_problem(status, &body, 409, "invitation-closed");

    // Expired.
    let expired = invite("latecomer").await;
    let mut conn = owner_conn(&app).await;
    diesel::sql_query("UPDATE invitations SET expires_at = now() - interval '1 second'")
        .execute(&mut conn)
        .await
        .expect("expire");
    let mut latecomer = sign_in(&app, &github, account(83, "latecomer")).await;
    let (status, body) = latecomer
        .send(
            Method::POST,
            "/api/v1/invitations/accept",
            Some(json!({ "token": link_token(&expired) })),
        )
        .await;
    assert_problem(status, &body, 409, "invitation-expired");
    let (status, _) = latecomer.send(Method::GET, "/api/v1/orgs/acme", None).await;
    assert_eq!(status, 404, "not a member");
}

#[tokio::test]
async fn sign_in_is_rate_limited_per_address_with_retry_after() {
    let (app, _github) = app_with_github(|c| c.auth.rate_limits.auth_per_minute = 3).await;
    let mut browser = Browser::new(&app.base);
    for _ in 0..3 {
        assert_eq!(browser.get("/auth/github/login").await.status(), 302);
    }
    let limited = browser.get("/auth/github/login").await;
    let headers = limited.headers().clone();
    let (status, body) = read(limited).await;
    assert_problem(status, &body, 429, "rate-limited");
    let retry: u64 = headers["retry-after"]
        .to_str()
        .unwrap_or("")
        .parse()
        .unwrap_or(0);
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(headers["ratelimit-limit"], "3");
    assert_eq!(headers["ratelimit-remaining"], "0");
    // The callback shares the budget.
    let (status, body) = read(browser.get("/auth/github/callback?state=x&code=y").await).await;
    assert_problem(status, &body, 429, "rate-limited");
}

#[tokio::test]
async fn with_redis_down_limits_still_hold_per_instance() {
    let db = crate::test_support::TestDatabase::create().await;
    let pool = crate::db::connect_pool(&db.app_url, 4, &crate::db::DbTls::new(None).expect("tls"))
        .await
        .expect("pool");
    // A port nobody listens on.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    let redis = crate::http::redis_pool(&format!("redis://{dead}")).expect("pool");
    let github = FakeGitHub::start();
    let app = TestApp::serve(db, pool, redis, |c| {
        github.configure(c);
        c.auth.rate_limits.auth_per_minute = 2;
    });
    let mut browser = Browser::new(&app.base);
    let started = std::time::Instant::now();
    for _ in 0..2 {
        assert_eq!(browser.get("/auth/github/login").await.status(), 302);
    }
    let (status, body) = read(browser.get("/auth/github/login").await).await;
    assert_problem(status, &body, 429, "rate-limited");
    // Redis is given up on quickly, not waited for on every request.
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
}

#[tokio::test]
async fn the_api_budget_is_per_principal() {
    let app = TestApp::start_with(|c| c.auth.rate_limits.api_per_minute = 3).await;
    let acme = app.org("acme").await;
    let other = app.member(&acme, "second", Role::Member).await;
    for _ in 0..3 {
        assert_eq!(app.get(&acme.owner_token, "/api/v1/orgs/acme").await.0, 200);
    }
    let (status, body) = app.get(&acme.owner_token, "/api/v1/orgs/acme").await;
    assert_problem(status, &body, 429, "rate-limited");
    assert_eq!(
        app.get(&other, "/api/v1/orgs/acme").await.0,
        200,
        "own budget"
    );
}

#[tokio::test]
async fn local_mode_prints_a_one_time_login_link_that_starts_a_session() {
    let app = TestApp::start().await;
    let acme = app.org("acme").await;
    let link = {
        let mut conn = app.conn().await;
        super::local_login::create_link(&mut conn, &app.state.config, acme.owner)
            .await
            .expect("link")
    };
    let mut browser = Browser::new(&app.base);
    let response = browser.get(&link).await;
    assert_eq!(response.status(), 302);
    let (status, me) = browser.send(Method::GET, "/auth/me", None).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["login"], "acme-owner");
    // Once only.
    let mut second = Browser::new(&app.base);
    let (status, body) = read(second.get(&link).await).await;
    assert_problem(status, &body, 401, "unauthenticated");
}

#[tokio::test]
async fn the_login_link_cannot_exist_in_production() {
    let app = TestApp::start_with(|c| c.environment = Environment::Production).await;
    let acme = app.org("acme").await;
    let mut conn = app.conn().await;
    let refused = super::local_login::create_link(&mut conn, &app.state.config, acme.owner).await;
    assert!(refused.is_err());
    // Even with a link row planted in the database, the route is not there.
    let token = crate::auth::tokens::random_token();
    let mut owner = owner_conn(&app).await;
    diesel::sql_query(
        "INSERT INTO login_links (token_hash, user_id, expires_at) \
         VALUES (sha256(convert_to($1, 'UTF8')), $2, now() + interval '1 hour')",
    )
    .bind::<diesel::sql_types::Text, _>(&token)
    .bind::<diesel::sql_types::Uuid, _>(acme.owner)
    .execute(&mut owner)
    .await
    .expect("plant");
    let mut browser = Browser::new(&app.base);
    let (status, body) = read(
        browser
            .get(&format!("/auth/local-login?token={token}"))
            .await,
    )
    .await;
    assert_problem(status, &body, 404, "not-found");
    assert!(browser.cookies.is_empty());
}

#[tokio::test]
async fn seats_are_enforced_on_invite_and_race_free_on_accept() {
    let (app, github) = app_with_github(|_| {}).await;
    let acme = app.org("acme").await;
    // The free plan has 5 seats: the owner and 3 members leave one.
    for login in ["m1", "m2", "m3"] {
        app.member(&acme, login, Role::Member).await;
    }
    let mut links = Vec::new();
    for login in ["racer-a", "racer-b"] {
        let (status, invitation) = app
            .send_json(
                Method::POST,
                &acme.owner_token,
                "/api/v1/orgs/acme/invitations",
                json!({ "github_login": login, "role": "member" }),
            )
            .await;
        assert_eq!(status, 201, "{invitation}");
        links.push(
            invitation["link"]
                .as_str()
                .and_then(|l| l.rsplit('/').next())
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let mut a = sign_in(&app, &github, account(91, "racer-a")).await;
    let mut b = sign_in(&app, &github, account(92, "racer-b")).await;
    let accept_a = a.send(
        Method::POST,
        "/api/v1/invitations/accept",
        Some(json!({ "token": links[0] })),
    );
    let accept_b = b.send(
        Method::POST,
        "/api/v1/invitations/accept",
        Some(json!({ "token": links[1] })),
    );
    let ((sa, ba), (sb, bb)) = tokio::join!(accept_a, accept_b);
    let mut statuses = [sa, sb];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 402], "{ba} {bb}");
    let refused = if sa == 402 { &ba } else { &bb };
    assert_problem(402, refused, 402, "plan-limit");
    assert_eq!(refused["limit"], 5, "{refused}");

    // Full now: a new invitation is refused up front.
    let (status, body) = app
        .send_json(
            Method::POST,
            &acme.owner_token,
            "/api/v1/orgs/acme/invitations",
            json!({ "github_login": "late", "role": "viewer" }),
        )
        .await;
    assert_problem(status, &body, 402, "plan-limit");
    let (_, members) = app
        .get(&acme.owner_token, "/api/v1/orgs/acme/members")
        .await;
    assert_eq!(members["items"].as_array().map(Vec::len), Some(5));
}

#[tokio::test]
async fn session_cookies_are_http_only_lax_and_secure_behind_https() {
    let (app, github) = app_with_github(|c| {
        c.environment = Environment::Production;
        c.auth.cookie_domain = Some("example.test".to_owned());
    })
    .await;
    github.sign_in_as(account(95, "cookies"));
    let (mut browser, callback) = start_sign_in(&app).await;
    let landed = browser.get(&callback).await;
    assert_eq!(landed.status(), 302);
    let cookies: Vec<String> = landed
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    for name in ["trellis_session=", "trellis_refresh=", "trellis_csrf="] {
        let cookie = cookies
            .iter()
            .find(|c| c.starts_with(name))
            .unwrap_or_else(|| panic!("{name} missing in {cookies:?}"));
        assert!(cookie.contains("Secure"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("Domain=example.test"), "{cookie}");
        assert_eq!(
            cookie.contains("HttpOnly"),
            name != "trellis_csrf=",
            "{cookie}"
        );
    }
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("trellis_refresh=") && c.contains("Path=/auth")),
        "the refresh token goes only to /auth: {cookies:?}"
    );
}

#[tokio::test]
async fn bad_input_on_the_sign_in_and_invitation_routes_is_a_problem() {
    let (app, github) = app_with_github(|_| {}).await;
    let mut anonymous = Browser::new(&app.base);
    for redirect in [
        "//evil.example/x",
        "https://evil.example",
        "/a\\b",
        "relative",
    ] {
        let url = format!(
            "/auth/github/login?redirect_to={}",
            redirect.replace('\\', "%5C")
        );
        let (status, body) = read(anonymous.get(&url).await).await;
        assert_problem(status, &body, 422, "validation");
        assert_eq!(body["field"], "redirect_to", "{body}");
    }
    let long_state = "s".repeat(10_000);
    let (status, body) = read(
        anonymous
            .get(&format!("/auth/github/callback?state={long_state}&code=x"))
            .await,
    )
    .await;
    assert_problem(status, &body, 400, "oauth-state");

    // Session-only routes: no session is a 401, never a 500.
    for (method, path) in [
        (Method::GET, "/auth/me"),
        (Method::POST, "/auth/logout"),
        (Method::POST, "/auth/refresh"),
        (Method::GET, "/api/v1/invitations"),
        (Method::POST, "/api/v1/invitations/accept"),
    ] {
        let (status, body) = anonymous.send(method, path, Some(json!({}))).await;
        assert_problem(status, &body, 401, "unauthenticated");
    }

    let mut browser = sign_in(&app, &github, account(99, "prober")).await;
    for (body, status, kind) in [
        (json!({ "token": "tri_short" }), 404, "not-found"),
        (json!({ "token": 42 }), 422, "validation"),
        (json!({ "token": "x", "extra": true }), 422, "validation"),
        (json!({ "token": "t".repeat(100_000) }), 404, "not-found"),
    ] {
        let (got, problem) = browser
            .send(Method::POST, "/api/v1/invitations/accept", Some(body))
            .await;
        assert_problem(got, &problem, status, kind);
    }
    for path in [
        "/api/v1/invitations/not-a-uuid/accept",
        "/api/v1/invitations/01a2146f-0c0d-705c-a03b-7eff7d62e516/decline",
    ] {
        let (status, problem) = browser.send(Method::POST, path, None).await;
        assert_problem(status, &problem, 404, "not-found");
    }
}
