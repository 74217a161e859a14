//! A fake GitHub served over HTTP inside the test, behaving like github.com where our
//! code depends on it: the authorize page redirects back with a code and the state;
//! codes are single-use, expire, and are bound to the PKCE challenge; a bad code gets
//! `200 {"error":"bad_verification_code"}`; `/user` has `email: null`, so the address
//! comes from `/user/emails`; a bad token gets 401.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "Iv1.faketrellisclient";
pub const CLIENT_SECRET: &str = "fake-client-secret-for-tests";
const CODE_TTL: Duration = Duration::from_secs(600);

/// A GitHub account of the fake.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub login: String,
    pub name: Option<String>,
    /// (address, verified)
    pub emails: Vec<(String, bool)>,
}

struct Code {
    account: String,
    challenge: String,
    redirect_uri: String,
    issued: Instant,
    used: bool,
}

#[derive(Default)]
struct Inner {
    accounts: HashMap<String, Account>,
    /// Who the next consent is given as.
    signed_in_as: Option<String>,
    codes: HashMap<String, Code>,
    tokens: HashMap<String, String>,
    token_endpoint_fails: bool,
    api_rejects_tokens: bool,
    code_ttl_override: Option<Duration>,
    next: u64,
}

/// The running fake.
pub struct FakeGitHub {
    pub base: String,
    inner: Arc<Mutex<Inner>>,
    server: actix_web::dev::ServerHandle,
}

impl FakeGitHub {
    pub fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner::default()));
        let data = web::Data::new(inner.clone());
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let server = HttpServer::new(move || {
            actix_web::App::new()
                .app_data(data.clone())
                .route("/login/oauth/authorize", web::get().to(authorize))
                .route("/login/oauth/access_token", web::post().to(access_token))
                .route("/api/user", web::get().to(user))
                .route("/api/user/emails", web::get().to(emails))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            base,
            inner,
            server: handle,
        }
    }

    /// Adds an account and makes it the one the browser is signed in to on GitHub.
    pub fn sign_in_as(&self, account: Account) {
        let mut inner = self.inner.lock().expect("lock");
        inner.signed_in_as = Some(account.login.clone());
        inner.accounts.insert(account.login.clone(), account);
    }

    /// Makes the token endpoint answer 502 (GitHub having a bad day).
    pub fn fail_token_endpoint(&self, fail: bool) {
        self.inner.lock().expect("lock").token_endpoint_fails = fail;
    }

    /// Makes `/user` answer 401 Bad credentials to every token.
    pub fn reject_api_tokens(&self, reject: bool) {
        self.inner.lock().expect("lock").api_rejects_tokens = reject;
    }

    /// Makes codes expire after `ttl` instead of ten minutes.
    pub fn code_ttl(&self, ttl: Duration) {
        self.inner.lock().expect("lock").code_ttl_override = Some(ttl);
    }

    /// Every access token issued so far.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.inner
            .lock()
            .expect("lock")
            .tokens
            .keys()
            .cloned()
            .collect()
    }

    /// Configures the app to use this fake.
    pub fn configure(&self, config: &mut crate::config::Config) {
        config.auth.github = crate::config::GithubConfig {
            client_id: Some(CLIENT_ID.to_owned()),
            client_secret: Some(crate::config::Secret::new(CLIENT_SECRET.to_owned())),
            authorize_url: format!("{}/login/oauth/authorize", self.base),
            token_url: format!("{}/login/oauth/access_token", self.base),
            api_url: format!("{}/api", self.base),
        };
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}

type State = web::Data<Arc<Mutex<Inner>>>;

fn query_map(req: &HttpRequest) -> HashMap<String, String> {
    url_pairs(req.query_string())
}

fn url_pairs(text: &str) -> HashMap<String, String> {
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The user consents at once (as a user who authorized the app before would).
async fn authorize(req: HttpRequest, state: State) -> HttpResponse {
    let q = query_map(&req);
    let mut inner = state.lock().expect("lock");
    if q.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || q.get("code_challenge_method").map(String::as_str) != Some("S256")
    {
        return HttpResponse::BadRequest().body("bad authorize request");
    }
    let Some(account) = inner.signed_in_as.clone() else {
        return HttpResponse::Unauthorized().body("not signed in to GitHub");
    };
    inner.next += 1;
    let code = format!("code{}{}", inner.next, crate::auth::tokens::random_token());
    let redirect_uri = q.get("redirect_uri").cloned().unwrap_or_default();
    inner.codes.insert(
        code.clone(),
        Code {
            account,
            challenge: q.get("code_challenge").cloned().unwrap_or_default(),
            redirect_uri: redirect_uri.clone(),
            issued: Instant::now(),
            used: false,
        },
    );
    let state_param = q.get("state").cloned().unwrap_or_default();
    HttpResponse::Found()
        .insert_header((
            "Location",
            format!("{redirect_uri}?code={code}&state={state_param}"),
        ))
        .finish()
}

fn bad_code() -> HttpResponse {
    // What github.com does: 200, and an error object instead of a token.
    HttpResponse::Ok().json(json!({
        "error": "bad_verification_code",
        "error_description": "The code passed is incorrect or expired.",
        "error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code"
    }))
}

async fn access_token(req: HttpRequest, state: State, body: String) -> HttpResponse {
    let form = url_pairs(&body);
    let mut inner = state.lock().expect("lock");
    if inner.token_endpoint_fails {
        return HttpResponse::BadGateway()
            .content_type("text/html")
            .body("<html><body>Unicorn!</body></html>");
    }
    // Client authentication: HTTP Basic (oauth2's default) or form fields.
    let basic = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .map(|s| decode(&s));
    let authenticated = basic.as_deref() == Some(&format!("{CLIENT_ID}:{CLIENT_SECRET}"))
        || (form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
            && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET));
    if !authenticated {
        return HttpResponse::Ok().json(json!({"error": "incorrect_client_credentials"}));
    }
    let ttl = inner.code_ttl_override.unwrap_or(CODE_TTL);
    let code = form.get("code").cloned().unwrap_or_default();
    let Some(entry) = inner.codes.get_mut(&code) else {
        return bad_code();
    };
    if entry.used || entry.issued.elapsed() > ttl {
        return bad_code();
    }
    entry.used = true;
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if challenge != entry.challenge
        || form.get("redirect_uri").map(String::as_str) != Some(entry.redirect_uri.as_str())
    {
        return bad_code();
    }
    let account = entry.account.clone();
    let token = format!("gho_{}", crate::auth::tokens::random_token());
    inner.tokens.insert(token.clone(), account);
    HttpResponse::Ok().json(json!({
        "access_token": token, "token_type": "bearer", "scope": "read:user,user:email"
    }))
}

fn account_for(req: &HttpRequest, state: &State) -> Option<Account> {
    let token = req
        .headers()
        .get("Authorization")
        .and_then(|v| v.to_str().ok())?
        .strip_prefix("Bearer ")?
        .to_owned();
    let inner = state.lock().expect("lock");
    if inner.api_rejects_tokens {
        return None;
    }
    let login = inner.tokens.get(&token)?;
    inner.accounts.get(login).cloned()
}

fn bad_credentials() -> HttpResponse {
    HttpResponse::Unauthorized().json(json!({
        "message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"
    }))
}

async fn user(req: HttpRequest, state: State) -> HttpResponse {
    match account_for(&req, &state) {
        Some(a) => HttpResponse::Ok().json(json!({
            "id": a.id, "login": a.login, "name": a.name, "email": null,
            "type": "User", "site_admin": false,
        })),
        None => bad_credentials(),
    }
}

async fn emails(req: HttpRequest, state: State) -> HttpResponse {
    match account_for(&req, &state) {
        Some(a) => HttpResponse::Ok().json(
            a.emails
                .iter()
                .enumerate()
                .map(|(i, (email, verified))| {
                    json!({"email": email, "primary": i == 0, "verified": verified,
                           "visibility": if i == 0 { "private" } else { "public" }})
                })
                .collect::<Vec<_>>(),
        ),
        None => bad_credentials(),
    }
}
