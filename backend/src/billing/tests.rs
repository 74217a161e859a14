//! Billing over real HTTP: the real `async-stripe` client against a fake Stripe API
//! served in the test process, and webhook deliveries built from Stripe's published
//! example objects, signed exactly as Stripe signs them.

use std::sync::{Arc, Mutex};

use actix_web::{HttpRequest, HttpResponse, HttpServer, web};
use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};
use tenancy::Role;

use crate::config::Config;
use crate::test_support::{TestApp, TestOrg, assert_problem, send};

const SECRET: &str = "whsec_current";
const OLD_SECRET: &str = "whsec_previous";
const PRICE_TEAM: &str = "price_team_monthly";
const PRICE_BUSINESS: &str = "price_business_monthly";

fn fixture(name: &str) -> Value {
    let text = match name {
        "checkout_session" => include_str!("testdata/checkout_session.json"),
        "customer" => include_str!("testdata/customer.json"),
        "billing_portal_session" => include_str!("testdata/billing_portal_session.json"),
        "subscription" => include_str!("testdata/subscription.json"),
        "invoice" => include_str!("testdata/invoice.json"),
        _ => include_str!("testdata/event.json"),
    };
    serde_json::from_str(text).unwrap_or_default()
}

/// One request the fake Stripe received: path, form fields, idempotency key.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    form: Vec<(String, String)>,
    idempotency_key: Option<String>,
}

impl Received {
    fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A fake Stripe API: form-encoded requests in, Stripe's example objects out, and
/// Stripe's error shape for a request it would refuse.
struct FakeStripe {
    base: String,
    received: Arc<Mutex<Vec<Received>>>,
    server: actix_web::dev::ServerHandle,
}

impl Drop for FakeStripe {
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}

fn stripe_error(param: &str, message: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "param": param,
            "message": message,
            "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
            "request_log_url": "https://dashboard.stripe.com/test/logs/req_fake"
        }
    }))
}

async fn fake_stripe_handler(
    req: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
    received: web::Data<Mutex<Vec<Received>>>,
) -> HttpResponse {
    let authorized = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some("Bearer sk_test_fake");
    if !authorized {
        return HttpResponse::Unauthorized().json(json!({
            "error": { "type": "invalid_request_error", "message": "Invalid API Key provided" }
        }));
    }
    let form = form.into_inner();
    let entry = Received {
        path: req.path().to_owned(),
        form: form.clone(),
        idempotency_key: req
            .headers()
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let n = {
        let mut all = received.lock().unwrap_or_else(|e| e.into_inner());
        all.push(entry.clone());
        all.len()
    };
    match req.path() {
        "/v1/customers" => {
            let mut customer = fixture("customer");
            customer["id"] = json!(format!("cus_fake{n}"));
            customer["name"] = json!(entry.field("name"));
            customer["metadata"] = json!({ "org_id": entry.field("metadata[org_id]") });
            HttpResponse::Ok().json(customer)
        }
        "/v1/checkout/sessions" => {
            let price = entry.field("line_items[0][price]").unwrap_or_default();
            if ![PRICE_TEAM, PRICE_BUSINESS].contains(&price) {
                return stripe_error("line_items[0][price]", &format!("No such price: '{price}'"));
            }
            let mut session = fixture("checkout_session");
            let id = format!("cs_test_fake{n}");
            session["url"] = json!(format!("https://checkout.stripe.com/c/pay/{id}"));
            session["id"] = json!(id);
            session["mode"] = json!("subscription");
            session["customer"] = json!(entry.field("customer"));
            session["client_reference_id"] = json!(entry.field("client_reference_id"));
            HttpResponse::Ok().json(session)
        }
        "/v1/billing_portal/sessions" => {
            let mut session = fixture("billing_portal_session");
            session["id"] = json!(format!("bps_fake{n}"));
            session["customer"] = json!(entry.field("customer"));
            session["url"] = json!(format!("https://billing.stripe.com/p/session/test_fake{n}"));
            HttpResponse::Ok().json(session)
        }
        other => stripe_error("path", &format!("Unrecognized request URL (POST: {other})")),
    }
}

fn fake_stripe() -> FakeStripe {
    let received = web::Data::new(Mutex::new(Vec::new()));
    let shared = received.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = HttpServer::new(move || {
        actix_web::App::new()
            .app_data(shared.clone())
            .default_service(web::post().to(fake_stripe_handler))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .expect("listen")
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    FakeStripe {
        base,
        received: received.into_inner(),
        server: handle,
    }
}

impl FakeStripe {
    fn received(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// The app with Stripe configured against `stripe`, accepting `secrets`.
async fn billing_app_with(stripe: &FakeStripe, secrets: &str) -> TestApp {
    let base = stripe.base.clone();
    let secrets = secrets.to_owned();
    TestApp::start_with(move |config| {
        let vars = [
            ("STRIPE_SECRET_KEY", "sk_test_fake".to_owned()),
            ("STRIPE_WEBHOOK_SECRETS", secrets),
            ("STRIPE_API_BASE", base),
            ("STRIPE_PRICE_TEAM", PRICE_TEAM.to_owned()),
            ("STRIPE_PRICE_BUSINESS", PRICE_BUSINESS.to_owned()),
            ("TRELLIS_BILLING_GRACE", "7d".to_owned()),
        ];
        let loaded = Config::from_lookup(|k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.clone())
        })
        .expect("billing config");
        config.billing = loaded.billing;
    })
    .await
}

async fn billing_app(stripe: &FakeStripe) -> TestApp {
    billing_app_with(stripe, &format!("{SECRET},{OLD_SECRET}")).await
}

/// Seconds since the epoch on the app's billing clock.
fn now(app: &TestApp) -> i64 {
    app.state.billing.clock().now().timestamp()
}

/// A Stripe event envelope around `object` (Stripe's example event, patched).
fn event(id: &str, kind: &str, created: i64, object: Value) -> Value {
    let mut event = fixture("event");
    event["id"] = json!(id);
    event["type"] = json!(kind);
    event["created"] = json!(created);
    event["api_version"] = json!("2025-06-30.basil");
    event["data"] = json!({ "object": object });
    event
}

fn checkout_completed(org_id: &str, customer: &str, subscription: &str, seats: u32) -> Value {
    let mut session = fixture("checkout_session");
    session["mode"] = json!("subscription");
    session["status"] = json!("complete");
    session["payment_status"] = json!("paid");
    session["customer"] = json!(customer);
    session["subscription"] = json!(subscription);
    session["client_reference_id"] = json!(org_id);
    session["metadata"] = json!({ "org_id": org_id, "plan": "team", "seats": seats.to_string() });
    session
}

fn subscription(
    org_id: &str,
    customer: &str,
    id: &str,
    status: &str,
    price: &str,
    seats: u32,
    period_end: i64,
) -> Value {
    let mut sub = fixture("subscription");
    sub["id"] = json!(id);
    sub["customer"] = json!(customer);
    sub["status"] = json!(status);
    sub["metadata"] = json!({ "org_id": org_id });
    sub["items"]["data"][0]["price"]["id"] = json!(price);
    sub["items"]["data"][0]["quantity"] = json!(seats);
    sub["items"]["data"][0]["subscription"] = json!(id);
    sub["items"]["data"][0]["current_period_end"] = json!(period_end);
    sub
}

fn invoice(customer: &str, subscription: &str, status: &str) -> Value {
    let mut invoice = fixture("invoice");
    invoice["id"] = json!(format!("in_{subscription}_{status}"));
    invoice["customer"] = json!(customer);
    invoice["status"] = json!(status);
    invoice["parent"] = json!({
        "type": "subscription_details",
        "quote_details": null,
        "subscription_details": { "metadata": {}, "subscription": subscription }
    });
    invoice
}

/// Posts `body` to the webhook signed with `secret` at the app's `now`.
async fn deliver(app: &TestApp, secret: &str, body: &Value) -> (u16, Value) {
    deliver_at(app, secret, body, now(app)).await
}

async fn deliver_at(app: &TestApp, secret: &str, body: &Value, timestamp: i64) -> (u16, Value) {
    let payload = body.to_string();
    let signature = ::billing::sign(secret, timestamp, payload.as_bytes());
    send(
        reqwest::Client::new()
            .post(format!("{}/webhooks/stripe", app.base))
            .header("content-type", "application/json")
            .header("stripe-signature", signature)
            .body(payload),
    )
    .await
}

async fn billing(app: &TestApp, org: &TestOrg) -> Value {
    let (status, body) = app
        .get(
            &org.owner_token,
            &format!("/api/v1/orgs/{}/billing", org.slug),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn org_id(app: &TestApp, org: &TestOrg) -> String {
    let mut conn = app.conn().await;
    let scope = tenancy::authorize_user(&mut conn, org.owner, &org.slug)
        .await
        .expect("lookup")
        .expect("owner scope");
    scope.org_id().to_string()
}

/// Starts a checkout through the API (the fake Stripe creates the customer) and
/// returns the customer id billing attached to the org.
async fn checkout(app: &TestApp, stripe: &FakeStripe, org: &TestOrg, seats: u32) -> String {
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &format!("/api/v1/orgs/{}/billing/checkout", org.slug),
            json!({ "plan": "team", "seats": seats }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://checkout.stripe.com/")),
        "{body}"
    );
    stripe
        .received()
        .iter()
        .rev()
        .find(|r| r.path == "/v1/checkout/sessions")
        .and_then(|r| r.field("customer").map(str::to_owned))
        .expect("a checkout session was created")
}

async fn write_status(app: &TestApp, org: &TestOrg, key: &str) -> (u16, Value) {
    app.send_json(
        Method::POST,
        &org.owner_token,
        &format!("/api/v1/orgs/{}/projects", org.slug),
        json!({ "key": key, "name": "Written" }),
    )
    .await
}

async fn events_recorded(app: &TestApp, org: &TestOrg) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.conn().await;
    let scope = tenancy::authorize_user(&mut conn, org.owner, &org.slug)
        .await
        .expect("lookup")
        .expect("scope");
    scope
        .transaction(&mut conn, async |tx| {
            use diesel_async::RunQueryDsl;
            diesel::sql_query("SELECT count(*) AS n FROM billing_events")
                .get_result::<N>(tx.conn())
                .await
        })
        .await
        .expect("count")
        .n
}

#[tokio::test]
async fn an_org_lives_free_checkout_active_past_due_read_only_paid_canceled_free_by_webhooks() {
    let stripe = fake_stripe();
    let app = billing_app(&stripe).await;
    let org = app.org("acme").await;
    let id = org_id(&app, &org).await;
    app.project(&org, "WEB").await;
    app.ticket(&org, "WEB", "Keep me").await;

    // Free.
    let state = billing(&app, &org).await;
    assert_eq!(state["plan"], "free", "{state}");
    assert_eq!(state["status"], "none");
    assert_eq!(state["projects"], json!({ "used": 1, "limit": 3 }));
    assert_eq!(state["seats"], json!({ "used": 1, "limit": 5 }));
    assert_eq!(state["read_only"], false);

    // Checkout through the real client against the fake Stripe.
    let customer = checkout(&app, &stripe, &org, 12).await;
    let session = stripe
        .received()
        .into_iter()
        .find(|r| r.path == "/v1/checkout/sessions")
        .expect("session");
    assert_eq!(session.field("mode"), Some("subscription"));
    assert_eq!(session.field("client_reference_id"), Some(id.as_str()));
    assert_eq!(session.field("metadata[org_id]"), Some(id.as_str()));
    assert_eq!(
        session.field("subscription_data[metadata][org_id]"),
        Some(id.as_str())
    );
    assert_eq!(session.field("line_items[0][price]"), Some(PRICE_TEAM));
    assert_eq!(session.field("line_items[0][quantity]"), Some("12"));

    // Completed -> active (team, 12 seats).
    let t0 = now(&app) - 3600;
    let sub = "sub_acme1";
    let (status, body) = deliver(
        &app,
        SECRET,
        &event(
            "evt_1",
            "checkout.session.completed",
            t0,
            checkout_completed(&id, &customer, sub, 12),
        ),
    )
    .await;
    assert_eq!(
        (status, body["outcome"].clone()),
        (200, json!("applied")),
        "{body}"
    );
    let period_end = now(&app) + 30 * 86_400;
    let (status, _) = deliver(
        &app,
        SECRET,
        &event(
            "evt_2",
            "customer.subscription.created",
            t0 + 1,
            subscription(&id, &customer, sub, "active", PRICE_TEAM, 12, period_end),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let state = billing(&app, &org).await;
    assert_eq!(state["plan"], "team", "{state}");
    assert_eq!(state["status"], "active");
    assert_eq!(state["seats"], json!({ "used": 1, "limit": 12 }));
    assert_eq!(state["projects"]["limit"], 50);
    assert!(state["current_period_end"].is_string(), "{state}");
    // A second checkout would bill twice: plan and seat changes go through the portal.
    let (status, problem) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/billing/checkout",
            json!({ "plan": "business", "seats": 20 }),
        )
        .await;
    assert_problem(status, &problem, 409, "already-subscribed");

    // Payment fails -> past_due, within the grace period: still writable.
    let (status, _) = deliver(
        &app,
        SECRET,
        &event(
            "evt_3",
            "invoice.payment_failed",
            t0 + 2,
            invoice(&customer, sub, "open"),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = deliver(
        &app,
        SECRET,
        &event(
            "evt_4",
            "customer.subscription.updated",
            t0 + 3,
            subscription(&id, &customer, sub, "past_due", PRICE_TEAM, 12, period_end),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let state = billing(&app, &org).await;
    assert_eq!(state["status"], "past_due", "{state}");
    assert_eq!(state["plan"], "team");
    assert_eq!(state["read_only"], false);
    assert!(state["grace_ends_at"].is_string(), "{state}");
    let (status, body) = write_status(&app, &org, "GRACE").await;
    assert_eq!(status, 201, "{body}");

    // Eight days later the grace period is over: read-only.
    app.state.billing.clock().advance(Duration::days(8));
    let state = billing(&app, &org).await;
    assert_eq!(state["read_only"], true, "{state}");
    let (status, problem) = write_status(&app, &org, "LOCKED").await;
    assert_problem(status, &problem, 402, "read-only");
    assert!(
        problem["portal"]
            .as_str()
            .is_some_and(|p| p.ends_with("/api/v1/orgs/acme/billing/portal")),
        "{problem}"
    );
    for (method, path, body) in [
        (
            Method::POST,
            "/api/v1/orgs/acme/projects/WEB/tickets",
            json!({ "title": "x" }),
        ),
        (
            Method::PATCH,
            "/api/v1/orgs/acme/tickets/WEB-1",
            json!({ "title": "y" }),
        ),
        (Method::DELETE, "/api/v1/orgs/acme/tickets/WEB-1", json!({})),
        (
            Method::PATCH,
            "/api/v1/orgs/acme",
            json!({ "name": "Renamed" }),
        ),
    ] {
        let (status, problem) = app
            .send_json(method.clone(), &org.owner_token, path, body)
            .await;
        assert_problem(status, &problem, 402, "read-only");
    }
    // Reads and search keep working; the portal stays reachable to pay.
    for path in [
        "/api/v1/orgs/acme/tickets/WEB-1",
        "/api/v1/orgs/acme/projects",
        "/api/v1/orgs/acme/search?jql=project%20%3D%20WEB",
    ] {
        let (status, body) = app.get(&org.owner_token, path).await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/search",
            json!({ "jql": "project = WEB" }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/billing/portal",
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["url"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://billing.stripe.com/"))
    );
    let portal = stripe
        .received()
        .into_iter()
        .find(|r| r.path == "/v1/billing_portal/sessions")
        .expect("portal session");
    assert_eq!(portal.field("customer"), Some(customer.as_str()));

    // Paid -> active at once.
    let t1 = now(&app);
    let (status, _) = deliver(
        &app,
        SECRET,
        &event("evt_5", "invoice.paid", t1, invoice(&customer, sub, "paid")),
    )
    .await;
    assert_eq!(status, 200);
    let state = billing(&app, &org).await;
    assert_eq!(state["status"], "active", "{state}");
    assert_eq!(state["read_only"], false);
    let (status, body) = write_status(&app, &org, "PAID").await;
    assert_eq!(status, 201, "{body}");

    // Canceled at period end -> free; the data over the free limits stays readable.
    app.project(&org, "MORE").await;
    let (status, _) = deliver(
        &app,
        SECRET,
        &event(
            "evt_6",
            "customer.subscription.deleted",
            t1 + 1,
            subscription(&id, &customer, sub, "canceled", PRICE_TEAM, 12, period_end),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let state = billing(&app, &org).await;
    assert_eq!(state["plan"], "free", "{state}");
    assert_eq!(state["status"], "canceled");
    assert_eq!(state["read_only"], false);
    assert_eq!(state["projects"], json!({ "used": 4, "limit": 3 }));
    let (status, list) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/projects")
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(4), "{list}");
    let (status, problem) = write_status(&app, &org, "OVER").await;
    assert_problem(status, &problem, 402, "plan-limit");
    // Tickets in existing projects are not limited.
    app.ticket(&org, "WEB", "Still writable").await;
    assert_eq!(events_recorded(&app, &org).await, 6);
}

#[tokio::test]
async fn ten_concurrent_copies_of_one_delivery_apply_exactly_once() {
    let stripe = fake_stripe();
    let app = billing_app(&stripe).await;
    let org = app.org("acme").await;
    let id = org_id(&app, &org).await;
    let customer = checkout(&app, &stripe, &org, 3).await;
    let audit_before = app.audit_count(&org).await;
    let body = event(
        "evt_dup",
        "checkout.session.completed",
        now(&app),
        checkout_completed(&id, &customer, "sub_dup", 3),
    );
    let deliveries = (0..10).map(|_| deliver(&app, SECRET, &body));
    let results = futures_util::future::join_all(deliveries).await;
    let mut outcomes: Vec<String> = results
        .iter()
        .map(|(status, body)| {
            assert_eq!(*status, 200, "{body}");
            body["outcome"].as_str().unwrap_or_default().to_owned()
        })
        .collect();
    outcomes.sort();
    let mut expected = vec!["duplicate".to_owned(); 9];
    expected.push("applied".to_owned());
    expected.sort();
    assert_eq!(outcomes, expected);
    assert_eq!(events_recorded(&app, &org).await, 1);
    assert_eq!(app.audit_count(&org).await, audit_before + 1);
    assert_eq!(billing(&app, &org).await["plan"], "team");
}

#[tokio::test]
async fn an_older_event_arriving_late_never_overwrites_newer_state() {
    let stripe = fake_stripe();
    let app = billing_app(&stripe).await;
    let org = app.org("acme").await;
    let id = org_id(&app, &org).await;
    let customer = checkout(&app, &stripe, &org, 3).await;
    let t = now(&app) - 600;
    let end = t + 30 * 86_400;
    let newer = event(
        "evt_new",
        "customer.subscription.updated",
        t + 10,
        subscription(&id, &customer, "sub_o", "past_due", PRICE_TEAM, 3, end),
    );
    let older = event(
        "evt_old",
        "customer.subscription.updated",
        t,
        subscription(&id, &customer, "sub_o", "active", PRICE_BUSINESS, 9, end),
    );
    let (_, body) = deliver(&app, SECRET, &newer).await;
    assert_eq!(body["outcome"], "applied", "{body}");
    let before = billing(&app, &org).await;
    let (status, body) = deliver(&app, SECRET, &older).await;
    assert_eq!(
        (status, body["outcome"].clone()),
        (200, json!("stale")),
        "{body}"
    );
    let after = billing(&app, &org).await;
    assert_eq!(after, before);
    assert_eq!(after["status"], "past_due");
    assert_eq!(after["plan"], "team");
    // Recorded, so a redelivery of the stale event is a duplicate.
    let (_, body) = deliver(&app, SECRET, &older).await;
    assert_eq!(body["outcome"], "duplicate");
}

#[tokio::test]
async fn forged_missing_expired_and_rotated_out_signatures_are_400_and_change_nothing() {
    let stripe = fake_stripe();
    // Rotation: the new secret first, the old one still accepted.
    let app = billing_app_with(&stripe, &format!("{SECRET},{OLD_SECRET}")).await;
    let org = app.org("acme").await;
    let id = org_id(&app, &org).await;
    let customer = checkout(&app, &stripe, &org, 3).await;
    let body = event(
        "evt_sig",
        "checkout.session.completed",
        now(&app),
        checkout_completed(&id, &customer, "sub_sig", 3),
    );
    let payload = body.to_string();
    let url = format!("{}/webhooks/stripe", app.base);
    let client = reqwest::Client::new();
    let post = |signature: Option<String>, payload: String| {
        let mut request = client
            .post(&url)
            .header("content-type", "application/json")
            .body(payload);
        if let Some(signature) = signature {
            request = request.header("stripe-signature", signature);
        }
        request
    };
    let t = now(&app);
    let tampered = payload.replace("\"team\"", "\"business\"");
    for (case, request) in [
        ("missing", post(None, payload.clone())),
        ("garbage", post(Some("nonsense".into()), payload.clone())),
        (
            "wrong secret",
            post(
                Some(::billing::sign("whsec_attacker", t, payload.as_bytes())),
                payload.clone(),
            ),
        ),
        (
            "tampered body",
            post(
                Some(::billing::sign(SECRET, t, payload.as_bytes())),
                tampered,
            ),
        ),
        (
            "expired",
            post(
                Some(::billing::sign(SECRET, t - 301, payload.as_bytes())),
                payload.clone(),
            ),
        ),
        (
            "from the future",
            post(
                Some(::billing::sign(SECRET, t + 301, payload.as_bytes())),
                payload.clone(),
            ),
        ),
    ] {
        let (status, problem) = send(request).await;
        assert_eq!(status, 400, "{case}: {problem}");
        assert_eq!(
            problem["type"], "urn:trellis:problem:invalid-signature",
            "{case}"
        );
    }
    assert_eq!(events_recorded(&app, &org).await, 0);
    assert_eq!(billing(&app, &org).await["plan"], "free");

    // The previous secret still verifies during the rotation...
    let (status, body) = deliver(&app, OLD_SECRET, &body).await;
    assert_eq!(
        (status, body["outcome"].clone()),
        (200, json!("applied")),
        "{body}"
    );
    drop(app);

    // ...and once it is removed from the list, it no longer does.
    let app = billing_app_with(&stripe, SECRET).await;
    let org = app.org("beta").await;
    let (status, problem) = deliver(
        &app,
        OLD_SECRET,
        &event(
            "evt_r",
            "invoice.paid",
            now(&app),
            invoice("cus_x", "sub_x", "paid"),
        ),
    )
    .await;
    assert_problem(status, &problem, 400, "invalid-signature");
    assert_eq!(events_recorded(&app, &org).await, 0);
}

#[tokio::test]
async fn unknown_event_types_are_acknowledged_and_ignored() {
    let stripe = fake_stripe();
    let app = billing_app(&stripe).await;
    let org = app.org("acme").await;
    let mut example = fixture("event");
    example["created"] = json!(now(&app));
    let (status, body) = deliver(&app, SECRET, &example).await;
    assert_eq!(
        (status, body["outcome"].clone()),
        (200, json!("ignored")),
        "{body}"
    );
    assert_eq!(events_recorded(&app, &org).await, 0);
    let text = reqwest::get(format!("{}/metrics", app.base))
        .await
        .expect("scrape")
        .text()
        .await
        .expect("body");
    assert!(
        text.contains(r#"stripe_webhook_events_total{outcome="ignored",type="other"} 1"#),
        "{text}"
    );
}

#[tokio::test]
async fn a_failure_half_way_answers_500_writes_nothing_and_the_retry_applies() {
    let stripe = fake_stripe();
    let app = billing_app(&stripe).await;
    let org = app.org("acme").await;
    let id = org_id(&app, &org).await;
    let customer = checkout(&app, &stripe, &org, 3).await;
    let audit_before = app.audit_count(&org).await;
    let t = now(&app);
    let end = t + 86_400;
    // 200,000 seats fails the account's CHECK after the event id was inserted.
    let broken = event(
        "evt_half",
        "customer.subscription.created",
        t,
        subscription(&id, &customer, "sub_h", "active", PRICE_TEAM, 200_000, end),
    );
    let (status, problem) = deliver(&app, SECRET, &broken).await;
    assert_problem(status, &problem, 500, "internal");
    assert_eq!(events_recorded(&app, &org).await, 0);
    assert_eq!(billing(&app, &org).await["plan"], "free");
    assert_eq!(app.audit_count(&org).await, audit_before);
    // Stripe retries the same event id; this time it goes through.
    let fixed = event(
        "evt_half",
        "customer.subscription.created",
        t,
        subscription(&id, &customer, "sub_h", "active", PRICE_TEAM, 20, end),
    );
    let (status, body) = deliver(&app, SECRET, &fixed).await;
    assert_eq!(
        (status, body["outcome"].clone()),
        (200, json!("applied")),
        "{body}"
    );
    let state = billing(&app, &org).await;
    assert_eq!(state["seats"]["limit"], 20, "{state}");
    assert_eq!(events_recorded(&app, &org).await, 1);
}

#[tokio::test]
async fn an_org_cannot_claim_another_orgs_customer_or_subscription() {
    let stripe = fake_stripe();
    let app = billing_app(&stripe).await;
    let victim = app.org("victim").await;
    let attacker = app.org("attacker").await;
    let victim_id = org_id(&app, &victim).await;
    let attacker_id = org_id(&app, &attacker).await;
    let victim_customer = checkout(&app, &stripe, &victim, 3).await;
    let attacker_customer = checkout(&app, &stripe, &attacker, 3).await;
    let t = now(&app) - 100;
    let end = t + 86_400;
    let (_, body) = deliver(
        &app,
        SECRET,
        &event(
            "evt_v1",
            "customer.subscription.created",
            t,
            subscription(
                &victim_id,
                &victim_customer,
                "sub_victim",
                "active",
                PRICE_TEAM,
                7,
                end,
            ),
        ),
    )
    .await;
    assert_eq!(body["outcome"], "applied", "{body}");
    let victim_before = billing(&app, &victim).await;
    let attacker_before = billing(&app, &attacker).await;

    for (case, body) in [
        // The victim's customer, metadata naming the attacker.
        (
            "customer with foreign metadata",
            event(
                "evt_a1",
                "customer.subscription.updated",
                t + 1,
                subscription(
                    &attacker_id,
                    &victim_customer,
                    "sub_victim",
                    "canceled",
                    PRICE_TEAM,
                    7,
                    end,
                ),
            ),
        ),
        // The attacker's customer, the victim's subscription.
        (
            "foreign subscription",
            event(
                "evt_a2",
                "customer.subscription.updated",
                t + 2,
                subscription(
                    &attacker_id,
                    &attacker_customer,
                    "sub_victim",
                    "active",
                    PRICE_BUSINESS,
                    99,
                    end,
                ),
            ),
        ),
        // Checkout completed for the attacker's customer with the victim's subscription.
        (
            "checkout with foreign subscription",
            event(
                "evt_a3",
                "checkout.session.completed",
                t + 3,
                checkout_completed(&attacker_id, &attacker_customer, "sub_victim", 99),
            ),
        ),
        // The attacker's customer claiming to be the victim.
        (
            "metadata naming the victim",
            event(
                "evt_a4",
                "checkout.session.completed",
                t + 4,
                checkout_completed(&victim_id, &attacker_customer, "sub_new", 99),
            ),
        ),
        // A customer nobody owns with the victim's subscription.
        (
            "unknown customer",
            event(
                "evt_a5",
                "invoice.payment_failed",
                t + 5,
                invoice("cus_nobody", "sub_victim", "open"),
            ),
        ),
    ] {
        let (status, body) = deliver(&app, SECRET, &body).await;
        assert_eq!(status, 200, "{case}: {body}");
        assert_eq!(body["outcome"], "rejected", "{case}: {body}");
    }
    let (_, body) = deliver(
        &app,
        SECRET,
        &event(
            "evt_a6",
            "invoice.paid",
            t + 6,
            invoice("cus_nobody", "sub_nobody", "paid"),
        ),
    )
    .await;
    assert_eq!(body["outcome"], "unmatched", "{body}");
    assert_eq!(billing(&app, &victim).await, victim_before);
    assert_eq!(billing(&app, &attacker).await, attacker_before);
    assert_eq!(events_recorded(&app, &attacker).await, 0);
}

#[tokio::test]
async fn members_without_billing_permission_get_403_on_every_billing_route() {
    let stripe = fake_stripe();
    let app = billing_app(&stripe).await;
    let org = app.org("acme").await;
    let admin = app.member(&org, "ada", Role::Admin).await;
    let finance = app.member(&org, "fin", Role::Billing).await;
    let member = app.member(&org, "max", Role::Member).await;
    let viewer = app.member(&org, "vera", Role::Viewer).await;
    let get = (Method::GET, "/api/v1/orgs/acme/billing", None);
    let checkout = (
        Method::POST,
        "/api/v1/orgs/acme/billing/checkout",
        Some(json!({ "plan": "team", "seats": 2 })),
    );
    let portal = (Method::POST, "/api/v1/orgs/acme/billing/portal", None);
    for token in [&member, &viewer] {
        for (method, path, body) in [get.clone(), checkout.clone(), portal.clone()] {
            let mut request = app.request(method.clone(), token, path);
            if let Some(body) = body {
                request = request.json(&body);
            }
            let (status, problem) = send(request).await;
            assert_problem(status, &problem, 403, "forbidden");
        }
    }
    // Admins read billing but do not manage it; the billing role does both.
    let (status, _) = app.get(&admin, "/api/v1/orgs/acme/billing").await;
    assert_eq!(status, 200);
    for (method, path, body) in [checkout.clone(), portal.clone()] {
        let mut request = app.request(method.clone(), &admin, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let (status, problem) = send(request).await;
        assert_problem(status, &problem, 403, "forbidden");
    }
    let (status, _) = app.get(&finance, "/api/v1/orgs/acme/billing").await;
    assert_eq!(status, 200);
    let (status, body) = app
        .send_json(
            Method::POST,
            &finance,
            "/api/v1/orgs/acme/billing/checkout",
            json!({ "plan": "business", "seats": 2 }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // A foreign org's billing is a 404.
    let other = app.org("other").await;
    for (method, path, body) in [get, checkout, portal] {
        let mut request = app.request(method.clone(), &other.owner_token, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let (status, problem) = send(request).await;
        assert_problem(status, &problem, 404, "not-found");
    }
    let other_id = org_id(&app, &other).await;
    assert!(
        stripe
            .received()
            .iter()
            .all(|r| r.field("metadata[org_id]") != Some(other_id.as_str()))
    );
}

#[tokio::test]
async fn checkout_reuses_the_customer_and_validates_its_input() {
    let stripe = fake_stripe();
    let app = billing_app(&stripe).await;
    let org = app.org("acme").await;
    let audit_before = app.audit_count(&org).await;
    let first = checkout(&app, &stripe, &org, 3).await;
    let second = checkout(&app, &stripe, &org, 4).await;
    assert_eq!(first, second);
    // Attaching the customer is audited once, as the owner's action.
    assert_eq!(app.audit_count(&org).await, audit_before + 1);
    let (_, log) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/audit-log?limit=1")
        .await;
    assert_eq!(
        log["items"][0]["action"], "billing.customer_create",
        "{log}"
    );
    assert!(log["items"][0]["actor_id"].is_string(), "{log}");
    let customers: Vec<Received> = stripe
        .received()
        .into_iter()
        .filter(|r| r.path == "/v1/customers")
        .collect();
    assert_eq!(customers.len(), 1, "{customers:?}");
    assert_eq!(
        customers[0].field("metadata[org_id]"),
        Some(org_id(&app, &org).await.as_str())
    );
    assert!(customers[0].idempotency_key.is_some());
    for (body, field) in [
        (json!({ "plan": "free", "seats": 3 }), "plan"),
        (json!({ "plan": "gold", "seats": 3 }), "plan"),
        (json!({ "plan": "team", "seats": 0 }), "seats"),
        (json!({ "plan": "team", "seats": 10_001 }), "seats"),
    ] {
        let (status, problem) = app
            .send_json(
                Method::POST,
                &org.owner_token,
                "/api/v1/orgs/acme/billing/checkout",
                body,
            )
            .await;
        assert_problem(status, &problem, 422, "validation");
        assert_eq!(problem["field"], field);
    }
}

#[tokio::test]
async fn a_stripe_error_is_a_503_problem_not_a_500() {
    let stripe = fake_stripe();
    let base = stripe.base.clone();
    let app = TestApp::start_with(move |config| {
        let vars = [
            ("STRIPE_SECRET_KEY", "sk_test_fake".to_owned()),
            ("STRIPE_WEBHOOK_SECRETS", SECRET.to_owned()),
            ("STRIPE_API_BASE", base),
            ("STRIPE_PRICE_TEAM", "price_deleted".to_owned()),
        ];
        config.billing =
            Config::from_lookup(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
                .expect("config")
                .billing;
    })
    .await;
    let org = app.org("acme").await;
    let (status, problem) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/billing/checkout",
            json!({ "plan": "team", "seats": 2 }),
        )
        .await;
    assert_problem(status, &problem, 503, "unavailable");
    let (status, problem) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/billing/checkout",
            json!({ "plan": "business", "seats": 2 }),
        )
        .await;
    assert_problem(status, &problem, 409, "billing-not-configured");
    let (status, problem) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/billing/portal",
            json!({}),
        )
        .await;
    // The customer was created before the session failed; the portal works for it.
    assert_eq!(status, 200, "{problem}");
}

#[tokio::test]
async fn without_stripe_billing_routes_explain_and_every_org_is_free() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    let state = billing(&app, &org).await;
    assert_eq!(state["plan"], "free");
    assert_eq!(state["read_only"], false);
    for path in [
        "/api/v1/orgs/acme/billing/checkout",
        "/api/v1/orgs/acme/billing/portal",
    ] {
        let (status, problem) = app
            .send_json(
                Method::POST,
                &org.owner_token,
                path,
                json!({ "plan": "team", "seats": 2 }),
            )
            .await;
        if path.ends_with("portal") {
            // The portal takes no body; its refusal is the same.
            assert_eq!(status, 409, "{problem}");
        } else {
            assert_problem(status, &problem, 409, "billing-not-configured");
        }
    }
    let (status, problem) = send(
        reqwest::Client::new()
            .post(format!("{}/webhooks/stripe", app.base))
            .header("stripe-signature", "t=1,v1=00")
            .body("{}"),
    )
    .await;
    assert_problem(status, &problem, 409, "billing-not-configured");
}

#[tokio::test]
async fn ten_concurrent_project_creations_against_the_last_free_slot_give_one_success() {
    let stripe = fake_stripe();
    let app = billing_app(&stripe).await;
    let org = app.org("acme").await;
    app.project(&org, "ONE").await;
    app.project(&org, "TWO").await;
    let attempts = (0..10).map(|i| {
        write_status(
            &app,
            &org,
            ["PA", "PB", "PC", "PD", "PE", "PF", "PG", "PH", "PI", "PJ"][i],
        )
    });
    let results = futures_util::future::join_all(attempts).await;
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let refused: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == 402)
        .map(|(_, b)| b)
        .collect();
    assert_eq!((created, refused.len()), (1, 9), "{results:?}");
    let problem = refused[0];
    assert_eq!(problem["type"], "urn:trellis:problem:plan-limit");
    assert_eq!(problem["limit"], 3);
    assert_eq!(problem["usage"], 3);
    assert_eq!(problem["limit_kind"], "projects");
    assert!(
        problem["upgrade"]
            .as_str()
            .is_some_and(|u| u.ends_with("/api/v1/orgs/acme/billing/checkout")),
        "{problem}"
    );
    let (_, list) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/projects")
        .await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(3));

    // Archiving frees a slot; unarchiving takes it back and is limited the same way.
    let (status, _) = send(app.request(
        Method::POST,
        &org.owner_token,
        "/api/v1/orgs/acme/projects/ONE/archive",
    ))
    .await;
    assert_eq!(status, 200);
    app.project(&org, "NEW").await;
    let (status, problem) = send(app.request(
        Method::POST,
        &org.owner_token,
        "/api/v1/orgs/acme/projects/ONE/unarchive",
    ))
    .await;
    assert_problem(status, &problem, 402, "plan-limit");
    let text = reqwest::get(format!("{}/metrics", app.base))
        .await
        .expect("scrape")
        .text()
        .await
        .expect("body");
    assert!(
        text.contains(r#"entitlement_refusals_total{kind="projects"} 10"#),
        "{text}"
    );
}

#[tokio::test]
async fn require_seat_counts_memberships_against_the_plan() {
    let stripe = fake_stripe();
    let app = billing_app(&stripe).await;
    let org = app.org("acme").await;
    for login in ["m1", "m2", "m3"] {
        app.member(&org, login, Role::Member).await;
    }
    let check = async || {
        let mut conn = app.conn().await;
        let scope = tenancy::authorize_user(&mut conn, org.owner, &org.slug)
            .await
            .expect("lookup")
            .expect("scope");
        let billing = app.state.billing.clone();
        scope
            .transaction(
                &mut conn,
                async |tx| -> Result<(), ::billing::EntitlementError> {
                    billing.require_seat(tx).await
                },
            )
            .await
    };
    assert!(check().await.is_ok(), "4 of 5 seats used");
    app.member(&org, "m4", Role::Member).await;
    match check().await {
        Err(::billing::EntitlementError::Limit(limit)) => {
            assert_eq!(
                (limit.kind, limit.limit, limit.usage),
                (::billing::LimitKind::Seats, 5, 5)
            );
        }
        other => panic!("expected a seat limit, got {other:?}"),
    }
}

/// The project count is taken under the billing account's row lock: a second creation
/// waits for the first to commit instead of counting beside it. Shown without timing
/// luck: the second transaction gives up on the lock (`lock_timeout`) while the first
/// holds it, where without the lock it would count 2 of 3 and go ahead.
#[tokio::test]
async fn a_project_creation_waits_for_the_one_holding_the_last_slot() {
    use diesel_async::RunQueryDsl;

    let stripe = fake_stripe();
    let app = billing_app(&stripe).await;
    let org = app.org("acme").await;
    app.project(&org, "ONE").await;
    app.project(&org, "TWO").await;
    let billing = app.state.billing.clone();
    let mut first = app.conn().await;
    let mut second = app.conn().await;
    let scope = tenancy::authorize_user(&mut first, org.owner, &org.slug)
        .await
        .expect("lookup")
        .expect("scope");
    let new = |key: &str| {
        crate::projects::NewProject {
            key: key.to_owned(),
            name: key.to_owned(),
            description: String::new(),
            private: false,
        }
        .validate()
        .expect("valid")
    };
    let waited = scope
        .transaction(&mut first, async |tx| -> Result<_, crate::http::ApiError> {
            billing
                .require_project(tx)
                .await
                .map_err(|e| crate::http::ApiError::internal(e.to_string()))?;
            crate::projects::queries::create(tx, new("THREE")).await?;
            // Meanwhile, a second creation in another transaction.
            let outcome = scope
                .transaction(
                    &mut second,
                    async |tx2| -> Result<_, diesel::result::Error> {
                        diesel::sql_query("SET LOCAL lock_timeout = '200ms'")
                            .execute(tx2.conn())
                            .await?;
                        Ok(billing.require_project(tx2).await)
                    },
                )
                .await;
            Ok(outcome)
        })
        .await
        .expect("first creation commits");
    match waited {
        Ok(Err(::billing::EntitlementError::Database(e))) => {
            assert!(e.to_string().contains("lock timeout"), "{e}");
        }
        other => panic!("the second creation did not wait for the lock: {other:?}"),
    }
    // After the first commits, the second sees three projects and is refused.
    let refused = scope
        .transaction(
            &mut second,
            async |tx| -> Result<_, diesel::result::Error> {
                Ok(billing.require_project(tx).await)
            },
        )
        .await
        .expect("runs");
    assert!(
        matches!(refused, Err(::billing::EntitlementError::Limit(ref l)) if l.usage == 3),
        "{refused:?}"
    );
}
