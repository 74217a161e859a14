//! Attachments over real HTTP, with the real PostgreSQL and Redis: S3 through the real
//! `aws-sdk-s3` client against moto's server (started per test), and local mode
//! through this binary's signed file URLs.
//!
//! moto checks neither presigned signatures nor expiries, and ignores the
//! `response-content-*` overrides of a presigned `GET`: against it, what the
//! signature binds is asserted on the URL itself (its signed headers and query), and
//! a wrong upload is caught by the confirmation's `HEAD`, as it would be on S3 for
//! anything the signature let through. Local mode enforces all of it itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel_async::{AsyncConnection, RunQueryDsl};
use reqwest::Method;
use serde_json::{Value, json};
use tenancy::{DbConn, Role};

use super::s3::{S3Options, S3Store};
use super::storage::{AttachmentStore, DownloadSpec, ObjectStore, UploadSpec};
use crate::test_support::moto::{self, Moto};
use crate::test_support::{TestApp, TestOrg, assert_problem, header, read, send};

const PREFIX: &str = "attachments/";

async fn s3_store(endpoint: &str, bucket: &str) -> S3Store {
    S3Store::connect(&S3Options {
        bucket: bucket.to_owned(),
        endpoint: Some(endpoint.to_owned()),
        region: Some(moto::REGION.to_owned()),
        credentials: Some(Moto::credentials()),
    })
    .await
    .expect("S3 client")
}

/// A bucket on moto, and the app storing attachments in it through `endpoint` (moto
/// itself, or a switch in front of it).
async fn s3_app(moto: &Moto, endpoint: &str) -> (TestApp, S3Store) {
    let bucket = format!(
        "trellis-test-{}",
        &uuid::Uuid::now_v7().simple().to_string()[20..]
    );
    let direct = s3_store(&moto.endpoint, &bucket).await;
    direct
        .client()
        .create_bucket()
        .bucket(&bucket)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .expect("create bucket");
    let store = AttachmentStore::s3(
        s3_store(endpoint, &bucket).await,
        PREFIX.to_owned(),
        crate::config::DEFAULT_ATTACHMENT_MAX_BYTES,
    );
    (TestApp::start_with_store(|_| {}, Some(store)).await, direct)
}

/// An org `acme` with project WEB and ticket WEB-1.
async fn acme(app: &TestApp) -> TestOrg {
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    app.ticket(&org, "WEB", "with files").await;
    org
}

fn attachments_path(key: &str) -> String {
    format!("/api/v1/orgs/acme/tickets/{key}/attachments")
}

fn attachment_path(created: &Value, rest: &str) -> String {
    let id = created["attachment"]["id"]
        .as_str()
        .or_else(|| created["id"].as_str())
        .unwrap_or_default();
    format!("{}/{id}{rest}", attachments_path("WEB-1"))
}

/// A client that does not follow redirects (to see the 302 itself).
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// `GET .../download` as `token`: the 302's `Location` (equal to the body's `url`).
async fn download_url(app: &TestApp, token: &str, created: &Value) -> String {
    let response = no_redirects()
        .get(format!(
            "{}{}",
            app.base,
            attachment_path(created, "/download")
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("download");
    let location = header(&response, "location");
    let (status, body) = read(response).await;
    assert_eq!(status, 302, "{body}");
    assert_eq!(body["url"], location.as_str(), "{body}");
    location
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let parsed = reqwest::Url::parse(url).expect("url");
    parsed
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn owner_conn(app: &TestApp) -> DbConn {
    DbConn::establish(&app.db.owner_url).await.expect("owner")
}

#[derive(diesel::QueryableByName, Debug)]
struct Removal {
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = Integer)]
    removal_attempts: i32,
    #[diesel(sql_type = Nullable<Text>)]
    removal_error: Option<String>,
    #[diesel(sql_type = BigInt)]
    removed: i64,
}

async fn removal(app: &TestApp, id: &str) -> Removal {
    diesel::sql_query(
        "SELECT state, removal_attempts, removal_error, \
                (object_removed_at IS NOT NULL)::int::int8 AS removed \
           FROM attachments WHERE id = $1::uuid",
    )
    .bind::<Text, _>(id)
    .get_result(&mut owner_conn(app).await)
    .await
    .expect("attachment row")
}

#[tokio::test]
async fn s3_presigned_put_then_get_round_trips_the_bytes() {
    let moto = Moto::start().await;
    let (app, direct) = s3_app(&moto, &moto.endpoint).await;
    let org = acme(&app).await;
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let created = app
        .start_upload(
            &org,
            &org.owner_token,
            "WEB-1",
            "diagram.png",
            &bytes,
            "image/png",
        )
        .await;
    assert_eq!(created["attachment"]["state"], "pending");
    let url = created["upload"]["url"].as_str().unwrap_or_default();
    // The signature binds the size and the type: S3 refuses any other.
    let signed = query_param(url, "X-Amz-SignedHeaders").unwrap_or_default();
    assert_eq!(signed, "content-length;content-type;host", "{url}");
    assert_eq!(query_param(url, "X-Amz-Expires").as_deref(), Some("900"));
    assert_eq!(
        created["upload"]["headers"],
        json!({ "content-type": "image/png" })
    );
    // The key starts with the prefix and the organization.
    let org_id: String = {
        let (_, body) = app.get(&org.owner_token, "/api/v1/orgs/acme").await;
        body["id"].as_str().unwrap_or_default().to_owned()
    };
    let attachment_id = created["attachment"]["id"].as_str().unwrap_or_default();
    let ticket_id = created["attachment"]["ticket_id"]
        .as_str()
        .unwrap_or_default();
    let key = format!("{PREFIX}{org_id}/{ticket_id}/{attachment_id}");
    assert!(
        url.contains(&format!("/{}/{key}?", direct.bucket())),
        "{url}"
    );

    // The app's pages may send the upload to the bucket and show previews from it.
    let response = app
        .request(Method::GET, &org.owner_token, "/api/v1/orgs/acme")
        .send()
        .await
        .expect("get");
    let csp = header(&response, "content-security-policy");
    assert!(
        csp.contains(&format!("connect-src 'self' {};", moto.endpoint))
            && csp.contains(&format!("img-src 'self' data: {};", moto.endpoint)),
        "{csp}"
    );

    let (status, body) = app.put_upload(&created, bytes.clone(), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        direct.head(&key).await.expect("head").map(|m| m.size),
        Some(70_000)
    );
    let (status, confirmed) = app
        .confirm_upload(&org, &org.owner_token, "WEB-1", &created)
        .await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!(confirmed["state"], "confirmed");
    assert_eq!(confirmed["size"], 70_000);
    assert_eq!(confirmed["uploaded_by"]["login"], "acme-owner");

    let (status, list) = app.get(&org.owner_token, &attachments_path("WEB-1")).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list["items"][0]["file_name"], "diagram.png");

    let location = download_url(&app, &org.owner_token, &created).await;
    assert_eq!(
        query_param(&location, "response-content-disposition").as_deref(),
        Some("attachment; filename=\"diagram.png\"; filename*=UTF-8''diagram.png")
    );
    assert_eq!(
        query_param(&location, "response-content-type").as_deref(),
        Some("image/png")
    );
    let response = reqwest::get(&location).await.expect("get");
    assert_eq!(response.status(), 200);
    let downloaded = response.bytes().await.expect("bytes");
    assert_eq!(downloaded.as_ref(), bytes.as_slice());

    // Usage shows on the billing resource.
    let (status, billing) = app.get(&org.owner_token, "/api/v1/orgs/acme/billing").await;
    assert_eq!(status, 200, "{billing}");
    assert_eq!(
        billing["attachment_bytes"],
        json!({ "used": 70_000, "limit": 1_073_741_824u64 })
    );
}

#[tokio::test]
async fn s3_confirm_refuses_a_missing_object_and_one_of_another_size_or_type() {
    let moto = Moto::start().await;
    let (app, direct) = s3_app(&moto, &moto.endpoint).await;
    let org = acme(&app).await;
    let created = app
        .start_upload(
            &org,
            &org.owner_token,
            "WEB-1",
            "notes.txt",
            b"hello",
            "text/plain",
        )
        .await;
    let (status, body) = app
        .confirm_upload(&org, &org.owner_token, "WEB-1", &created)
        .await;
    assert_problem(status, &body, 409, "upload-missing");

    // A bigger body (moto does not check the signed length; S3 would refuse the PUT).
    app.put_upload(&created, b"hello, and more".to_vec(), None)
        .await;
    let (status, body) = app
        .confirm_upload(&org, &org.owner_token, "WEB-1", &created)
        .await;
    assert_problem(status, &body, 409, "upload-mismatch");
    assert_eq!(body["expected_size"], 5);
    assert_eq!(body["stored_size"], 15);
    let url = created["upload"]["url"].as_str().unwrap_or_default();
    let key = reqwest::Url::parse(url).expect("url").path()[direct.bucket().len() + 2..].to_owned();
    assert_eq!(
        direct.head(&key).await.expect("head"),
        None,
        "mismatch removed"
    );

    // Another content type.
    app.put_upload(&created, b"hello".to_vec(), Some("text/html"))
        .await;
    let (status, body) = app
        .confirm_upload(&org, &org.owner_token, "WEB-1", &created)
        .await;
    assert_problem(status, &body, 409, "upload-mismatch");
    assert_eq!(body["stored_content_type"], "text/html");
    let (_, list) = app.get(&org.owner_token, &attachments_path("WEB-1")).await;
    assert_eq!(
        list["items"],
        json!([]),
        "nothing visible before a good confirm"
    );

    // The declared file confirms, once; a second confirmation changes nothing.
    app.put_upload(&created, b"hello".to_vec(), None).await;
    let audit_before = app.audit_count(&org).await;
    let (status, body) = app
        .confirm_upload(&org, &org.owner_token, "WEB-1", &created)
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, again) = app
        .confirm_upload(&org, &org.owner_token, "WEB-1", &created)
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(app.audit_count(&org).await, audit_before + 1);
}

#[tokio::test]
async fn s3_downloads_of_html_and_svg_are_signed_as_attachments_of_octet_stream() {
    let moto = Moto::start().await;
    let (app, _) = s3_app(&moto, &moto.endpoint).await;
    let org = acme(&app).await;
    for (name, content_type) in [
        ("page.html", "text/html"),
        ("logo.svg", "image/svg+xml"),
        ("data.xml", "application/xml"),
        ("app.js", "text/javascript"),
    ] {
        let confirmed = app
            .attachment(
                &org,
                "WEB-1",
                name,
                b"<script>alert(1)</script>",
                content_type,
            )
            .await;
        let location = download_url(&app, &org.owner_token, &confirmed).await;
        assert_eq!(
            query_param(&location, "response-content-type").as_deref(),
            Some("application/octet-stream"),
            "{name}"
        );
        assert!(
            query_param(&location, "response-content-disposition")
                .is_some_and(|d| d.starts_with("attachment; ")),
            "{location}"
        );
        // Both are in the signed query: changing them breaks the signature.
        assert!(query_param(&location, "X-Amz-Signature").is_some());
    }
}

/// A TCP relay to `upstream` that can be cut (open connections too), to make the
/// store unreachable and reachable again.
struct Switch {
    endpoint: String,
    down: Arc<AtomicBool>,
    cut: tokio::sync::watch::Sender<bool>,
}

impl Switch {
    async fn to(upstream: &str) -> Self {
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
        let down = Arc::new(AtomicBool::new(false));
        let (cut, watch) = tokio::sync::watch::channel(false);
        let is_down = down.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if AtomicBool::load(&is_down, Ordering::SeqCst) {
                    continue;
                }
                let upstream = upstream.clone();
                let mut watch = watch.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = watch.wait_for(|cut| *cut) => {}
                    }
                });
            }
        });
        Self {
            endpoint,
            down,
            cut,
        }
    }

    fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
        let _ = self.cut.send(down);
    }
}

#[tokio::test]
async fn a_deleted_attachment_is_gone_and_its_object_removal_is_retried_until_done() {
    let moto = Moto::start().await;
    let switch = Switch::to(&moto.endpoint).await;
    let (app, direct) = s3_app(&moto, &switch.endpoint).await;
    let org = acme(&app).await;
    let confirmed = app
        .attachment(
            &org,
            "WEB-1",
            "plan.pdf",
            b"%PDF-1.7 plans",
            "application/pdf",
        )
        .await;
    let id = confirmed["id"].as_str().unwrap_or_default().to_owned();
    let location = download_url(&app, &org.owner_token, &confirmed).await;
    let key =
        reqwest::Url::parse(&location).expect("url").path()[direct.bucket().len() + 2..].to_owned();
    let served = reqwest::get(&location).await.expect("get");
    assert_eq!(served.status(), 200);
    assert_eq!(
        served.bytes().await.expect("bytes").as_ref(),
        b"%PDF-1.7 plans"
    );

    // Storage unreachable: the delete still answers, the object stays for a retry.
    switch.set_down(true);
    let (status, body) = send(app.request(
        Method::DELETE,
        &org.owner_token,
        &attachment_path(&confirmed, ""),
    ))
    .await;
    assert_eq!(status, 204, "{body}");
    let row = removal(&app, &id).await;
    assert_eq!(
        (row.state.as_str(), row.removal_attempts, row.removed),
        ("deleted", 1, 0),
        "{row:?}"
    );
    assert!(row.removal_error.is_some(), "{row:?}");
    assert!(direct.head(&key).await.expect("head").is_some());
    let (status, body) = app
        .get(&org.owner_token, &attachment_path(&confirmed, "/download"))
        .await;
    assert_problem(status, &body, 404, "not-found");
    let (_, list) = app.get(&org.owner_token, &attachments_path("WEB-1")).await;
    assert_eq!(list["items"], json!([]));

    // Not due yet (backoff): the janitor leaves it.
    assert_eq!(
        super::janitor::sweep(&app.pool, &app.attachments)
            .await
            .expect("sweep"),
        0
    );
    switch.set_down(false);
    diesel::sql_query("UPDATE attachments SET next_removal_at = now() WHERE id = $1::uuid")
        .bind::<Text, _>(&id)
        .execute(&mut owner_conn(&app).await)
        .await
        .expect("make it due");
    assert_eq!(
        super::janitor::sweep(&app.pool, &app.attachments)
            .await
            .expect("sweep"),
        1
    );
    assert_eq!(direct.head(&key).await.expect("head"), None);
    let row = removal(&app, &id).await;
    assert_eq!(row.removed, 1, "{row:?}");
    assert_eq!(row.removal_error, None);
    // The old download URL, which served the file before, is dead: S3 answers 404
    // (403 without s3:ListBucket); moto 403, from its check of a missing key's URL.
    let response = reqwest::get(&location).await.expect("get");
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("body");
    assert!(matches!(status, 403 | 404), "{status}");
    assert!(
        !body.windows(8).any(|w| w == b"%PDF-1.7"),
        "the file is still served"
    );
    assert_eq!(
        super::janitor::sweep(&app.pool, &app.attachments)
            .await
            .expect("sweep"),
        0
    );

    // The ticket's history names the file when it came and when it went.
    let (status, history) = app
        .get(&org.owner_token, "/api/v1/orgs/acme/tickets/WEB-1/history")
        .await;
    assert_eq!(status, 200, "{history}");
    let attachment_entries: Vec<(String, Value)> = history["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["attachment_id"] == id.as_str())
        .map(|e| {
            (
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["changes"].clone(),
            )
        })
        .collect();
    assert_eq!(
        attachment_entries,
        vec![
            (
                "attachment.delete".to_owned(),
                json!([{ "field": "attachment", "from": "plan.pdf", "to": null }])
            ),
            (
                "attachment.confirm".to_owned(),
                json!([{ "field": "attachment", "from": null, "to": "plan.pdf" }])
            ),
        ]
    );
}

#[tokio::test]
async fn a_deleted_attachments_local_download_url_is_dead_at_once() {
    let app = TestApp::start().await;
    let org = acme(&app).await;
    let confirmed = app
        .attachment(&org, "WEB-1", "a.txt", b"contents", "text/plain")
        .await;
    let location = download_url(&app, &org.owner_token, &confirmed).await;
    assert_eq!(reqwest::get(&location).await.expect("get").status(), 200);
    let (status, _) = send(app.request(
        Method::DELETE,
        &org.owner_token,
        &attachment_path(&confirmed, ""),
    ))
    .await;
    assert_eq!(status, 204);
    let (status, body) = send(app.client.get(&location)).await;
    assert_problem(status, &body, 404, "not-found");
    let row = removal(&app, confirmed["id"].as_str().unwrap_or_default()).await;
    assert_eq!((row.removed, row.removal_attempts), (1, 0), "{row:?}");
    // Deleting again: it no longer exists.
    let (status, body) = send(app.request(
        Method::DELETE,
        &org.owner_token,
        &attachment_path(&confirmed, ""),
    ))
    .await;
    assert_problem(status, &body, 404, "not-found");
}

#[tokio::test]
async fn local_mode_round_trip_refuses_expired_tampered_and_mismatched_requests() {
    let app = TestApp::start().await;
    let org = acme(&app).await;
    let bytes = b"local bytes \x00\x01\x02".to_vec();
    let created = app
        .start_upload(
            &org,
            &org.owner_token,
            "WEB-1",
            "blob.bin",
            &bytes,
            "application/zip",
        )
        .await;
    let url = created["upload"]["url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        url.starts_with(&format!("{}/api/v1/files/", app.base)),
        "{url}"
    );

    // Another type, another length, a tampered grant: refused by the signature.
    let (status, body) = app
        .put_upload(&created, bytes.clone(), Some("text/html"))
        .await;
    assert_problem(status, &body, 403, "url-invalid");
    assert_eq!(body["field"], "Content-Type");
    let (status, body) = app
        .put_upload(&created, [bytes.clone(), b"more".to_vec()].concat(), None)
        .await;
    assert_problem(status, &body, 403, "url-invalid");
    assert_eq!(body["field"], "Content-Length");
    let tampered = {
        let (head, tag) = url.rsplit_once('.').unwrap_or_default();
        let mut tag = tag.to_owned();
        let last = if tag.ends_with('A') { 'B' } else { 'A' };
        tag.pop();
        tag.push(last);
        format!("{head}.{tag}")
    };
    let (status, body) = send(
        app.client
            .put(&tampered)
            .header("content-type", "application/zip")
            .body(bytes.clone()),
    )
    .await;
    assert_problem(status, &body, 403, "url-invalid");
    // An upload URL is no download URL.
    let (status, body) = send(app.client.get(&url)).await;
    assert_problem(status, &body, 403, "url-invalid");
    let (status, body) = app
        .confirm_upload(&org, &org.owner_token, "WEB-1", &created)
        .await;
    assert_problem(status, &body, 409, "upload-missing");

    // The real upload, once: a stored file is never replaced.
    let (status, body) = app.put_upload(&created, bytes.clone(), None).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.put_upload(&created, bytes.clone(), None).await;
    assert_problem(status, &body, 409, "already-uploaded");
    let (status, confirmed) = app
        .confirm_upload(&org, &org.owner_token, "WEB-1", &created)
        .await;
    assert_eq!(status, 200, "{confirmed}");

    let location = download_url(&app, &org.owner_token, &created).await;
    let response = app.client.get(&location).send().await.expect("get");
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "application/zip");
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(&response, "content-disposition"),
        "attachment; filename=\"blob.bin\"; filename*=UTF-8''blob.bin"
    );
    assert!(header(&response, "content-security-policy").contains("sandbox"));
    assert_eq!(
        response.bytes().await.expect("bytes").as_ref(),
        bytes.as_slice()
    );

    // A URL signed for the same file but already expired.
    let local = app.attachments.local_store().expect("local mode");
    let key = {
        let (_, body) = app.get(&org.owner_token, "/api/v1/orgs/acme").await;
        let org_id = body["id"].as_str().unwrap_or_default().to_owned();
        format!(
            "{org_id}/{}/{}",
            confirmed["ticket_id"].as_str().unwrap_or_default(),
            confirmed["id"].as_str().unwrap_or_default()
        )
    };
    let expired = local
        .presign_get(
            &key,
            DownloadSpec {
                content_disposition: "attachment",
                content_type: "application/zip",
            },
            SystemTime::now() - Duration::from_secs(3600),
            Duration::from_secs(300),
        )
        .await
        .expect("presign");
    let (status, body) = send(app.client.get(&expired.url)).await;
    assert_problem(status, &body, 403, "url-expired");
    let expired_put = local
        .presign_put(
            &key,
            UploadSpec {
                size: 1,
                content_type: "text/plain",
            },
            SystemTime::now() - Duration::from_secs(3600),
            Duration::from_secs(900),
        )
        .await
        .expect("presign");
    let (status, body) = send(
        app.client
            .put(&expired_put.url)
            .header("content-type", "text/plain")
            .body("x"),
    )
    .await;
    assert_problem(status, &body, 403, "url-expired");
}

#[tokio::test]
async fn local_html_and_svg_download_as_octet_stream_attachments_with_nosniff() {
    let app = TestApp::start().await;
    let org = acme(&app).await;
    for (name, content_type) in [("x.html", "text/html"), ("x.svg", "image/svg+xml")] {
        let confirmed = app
            .attachment(&org, "WEB-1", name, b"<svg onload=alert(1)>", content_type)
            .await;
        assert_eq!(confirmed["content_type"], content_type);
        let location = download_url(&app, &org.owner_token, &confirmed).await;
        let response = app.client.get(&location).send().await.expect("get");
        assert_eq!(response.status(), 200);
        assert_eq!(
            header(&response, "content-type"),
            "application/octet-stream"
        );
        assert!(header(&response, "content-disposition").starts_with("attachment; "));
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    }
}

#[tokio::test]
async fn another_orgs_attachment_is_404_even_on_its_own_ticket_key() {
    let app = TestApp::start().await;
    let beta = app.org("beta").await;
    app.project(&beta, "WEB").await;
    app.ticket(&beta, "WEB", "theirs").await;
    let theirs = app
        .attachment(&beta, "WEB-1", "secret.txt", b"secret", "text/plain")
        .await;
    let alpha = app.org("acme").await;
    app.project(&alpha, "WEB").await;
    app.ticket(&alpha, "WEB", "ours").await;
    // A's own WEB-1, B's attachment id.
    for (method, rest) in [
        (Method::POST, "/confirm"),
        (Method::GET, "/download"),
        (Method::DELETE, ""),
    ] {
        let (status, body) = send(app.request(
            method.clone(),
            &alpha.owner_token,
            &attachment_path(&theirs, rest),
        ))
        .await;
        assert_problem(status, &body, 404, "not-found");
        assert!(!body.to_string().contains("secret"), "{body}");
    }
    let (_, list) = app
        .get(&alpha.owner_token, &attachments_path("WEB-1"))
        .await;
    assert_eq!(list["items"], json!([]));
    let (status, list) = app
        .get(
            &beta.owner_token,
            "/api/v1/orgs/beta/tickets/WEB-1/attachments",
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));

    // The store refuses a key of another organization before any call.
    let beta_key = {
        let (_, b) = app.get(&beta.owner_token, "/api/v1/orgs/beta").await;
        format!(
            "{}/{}/{}",
            b["id"].as_str().unwrap_or_default(),
            theirs["ticket_id"].as_str().unwrap_or_default(),
            theirs["id"].as_str().unwrap_or_default()
        )
    };
    let alpha_id = {
        let (_, a) = app.get(&alpha.owner_token, "/api/v1/orgs/acme").await;
        tenancy::OrgId(a["id"].as_str().unwrap_or_default().parse().expect("uuid"))
    };
    assert_eq!(app.attachments.key_of(alpha_id, &beta_key), None);
    assert!(
        super::janitor::remove(&app.attachments, alpha_id, &beta_key)
            .await
            .is_err()
    );
    let stored = app
        .attachments
        .objects()
        .head(&beta_key)
        .await
        .expect("head");
    assert!(stored.is_some(), "beta's object is untouched");
}

#[tokio::test]
async fn the_storage_entitlement_is_a_402_with_the_upgrade_link_and_counts_pending_uploads() {
    let app = TestApp::start_with(|c| c.attachments.max_file_bytes = 2 << 30).await;
    let org = acme(&app).await;
    let gib: u64 = 1 << 30;
    let path = attachments_path("WEB-1");
    let upload = |size: u64| {
        app.send_json(
            Method::POST,
            &org.owner_token,
            &path,
            json!({ "file_name": "big.iso", "size": size, "content_type": "application/octet-stream" }),
        )
    };
    // A pending upload holds its size before a byte arrives.
    let (status, first) = upload(gib - 100).await;
    assert_eq!(status, 201, "{first}");
    let (status, problem) = upload(101).await;
    assert_problem(status, &problem, 402, "plan-limit");
    assert_eq!(problem["limit_kind"], "storage");
    assert_eq!(problem["plan"], "free");
    assert_eq!(problem["limit"], gib);
    assert_eq!(problem["usage"], gib - 100);
    assert!(
        problem["upgrade"]
            .as_str()
            .is_some_and(|u| u.ends_with("/api/v1/orgs/acme/billing/checkout")),
        "{problem}"
    );
    let (status, fits) = upload(100).await;
    assert_eq!(status, 201, "{fits}");
    let (_, billing) = app.get(&org.owner_token, "/api/v1/orgs/acme/billing").await;
    assert_eq!(
        billing["attachment_bytes"],
        json!({ "used": gib, "limit": gib })
    );

    // Cancelling a pending upload gives its bytes back.
    let (status, _) = send(app.request(
        Method::DELETE,
        &org.owner_token,
        &attachment_path(&first, ""),
    ))
    .await;
    assert_eq!(status, 204);
    let (_, billing) = app.get(&org.owner_token, "/api/v1/orgs/acme/billing").await;
    assert_eq!(billing["attachment_bytes"]["used"], 100);

    // So does an upload left unconfirmed past its time: it cannot be confirmed.
    let (status, late) = upload(gib - 100).await;
    assert_eq!(status, 201, "{late}");
    diesel::sql_query(
        "UPDATE attachments SET confirm_by = now() - interval '1 second' WHERE id = $1::uuid",
    )
    .bind::<Text, _>(late["attachment"]["id"].as_str().unwrap_or_default())
    .execute(&mut owner_conn(&app).await)
    .await
    .expect("expire");
    let (status, body) = app
        .confirm_upload(&org, &org.owner_token, "WEB-1", &late)
        .await;
    assert_problem(status, &body, 409, "upload-expired");
    let (status, body) = upload(gib - 100).await;
    assert_eq!(status, 201, "{body}");
    let row = removal(&app, late["attachment"]["id"].as_str().unwrap_or_default()).await;
    assert_eq!(row.state, "deleted");
}

#[tokio::test]
async fn two_concurrent_uploads_cannot_both_take_the_last_bytes() {
    let app = TestApp::start_with(|c| c.attachments.max_file_bytes = 1 << 30).await;
    let org = acme(&app).await;
    let half_and_a_bit = (1u64 << 29) + 1;
    let path = attachments_path("WEB-1");
    let attempt = || {
        app.send_json(
            Method::POST,
            &org.owner_token,
            &path,
            json!({ "file_name": "half.bin", "size": half_and_a_bit, "content_type": "application/zip" }),
        )
    };
    let ((a, _), (b, _)) = tokio::join!(attempt(), attempt());
    let mut statuses = [a, b];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 402]);
}

#[tokio::test]
async fn viewers_project_viewers_and_narrow_tokens_read_but_do_not_write() {
    let app = TestApp::start().await;
    let org = acme(&app).await;
    let confirmed = app
        .attachment(&org, "WEB-1", "spec.txt", b"spec", "text/plain")
        .await;
    let viewer = app.member(&org, "vera", Role::Viewer).await;
    let member = app.member(&org, "pat", Role::Member).await;
    let (status, body) = app
        .send_json(
            Method::PUT,
            &org.owner_token,
            "/api/v1/orgs/acme/projects/WEB/members/pat",
            json!({ "role": "viewer" }),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, narrow) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            "/api/v1/orgs/acme/tokens",
            json!({ "name": "reader", "permissions": ["tickets.read"] }),
        )
        .await;
    assert_eq!(status, 201, "{narrow}");
    let narrow = narrow["token"].as_str().unwrap_or_default().to_owned();
    let audit_before = app.audit_count(&org).await;

    for token in [&viewer, &member, &narrow] {
        let (status, list) = app.get(token, &attachments_path("WEB-1")).await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
        download_url(&app, token, &confirmed).await;
        let (status, body) = app
            .send_json(
                Method::POST,
                token,
                &attachments_path("WEB-1"),
                json!({ "file_name": "x.txt", "size": 1, "content_type": "text/plain" }),
            )
            .await;
        assert_problem(status, &body, 403, "forbidden");
        for (method, rest) in [(Method::POST, "/confirm"), (Method::DELETE, "")] {
            let (status, body) =
                send(app.request(method, token, &attachment_path(&confirmed, rest))).await;
            assert_problem(status, &body, 403, "forbidden");
        }
    }
    assert_eq!(app.audit_count(&org).await, audit_before);

    // A private project hides its tickets' attachments from non-members.
    let (status, body) = app
        .send_json(
            Method::PATCH,
            &org.owner_token,
            "/api/v1/orgs/acme/projects/WEB",
            json!({ "private": true }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = send(app.request(
        Method::DELETE,
        &org.owner_token,
        "/api/v1/orgs/acme/projects/WEB/members/pat",
    ))
    .await;
    assert_eq!(status, 204, "{body}");
    let outsider = app.member(&org, "olga", Role::Member).await;
    for token in [&viewer, &outsider] {
        let (status, body) = app.get(token, &attachments_path("WEB-1")).await;
        assert_problem(status, &body, 404, "not-found");
        let (status, body) = app
            .get(token, &attachment_path(&confirmed, "/download"))
            .await;
        assert_problem(status, &body, 404, "not-found");
    }
}

#[tokio::test]
async fn upload_fields_are_validated_naming_the_field_and_nothing_is_written() {
    let app = TestApp::start().await;
    let org = acme(&app).await;
    let audit_before = app.audit_count(&org).await;
    let long = "n".repeat(256);
    for (body, field) in [
        (
            json!({ "file_name": "../../etc/passwd", "size": 1, "content_type": "text/plain" }),
            "file_name",
        ),
        (
            json!({ "file_name": "a\\b.txt", "size": 1, "content_type": "text/plain" }),
            "file_name",
        ),
        (
            json!({ "file_name": "line\nbreak.txt", "size": 1, "content_type": "text/plain" }),
            "file_name",
        ),
        (
            json!({ "file_name": "nul\u{0}.txt", "size": 1, "content_type": "text/plain" }),
            "file_name",
        ),
        (
            json!({ "file_name": "bell\u{7}.txt", "size": 1, "content_type": "text/plain" }),
            "file_name",
        ),
        (
            json!({ "file_name": long, "size": 1, "content_type": "text/plain" }),
            "file_name",
        ),
        (
            json!({ "file_name": "   ", "size": 1, "content_type": "text/plain" }),
            "file_name",
        ),
        (
            json!({ "file_name": "ok.txt", "size": -1, "content_type": "text/plain" }),
            "size",
        ),
        (
            json!({ "file_name": "ok.txt", "size": (100u64 << 20) + 1, "content_type": "text/plain" }),
            "size",
        ),
        (
            json!({ "file_name": "ok.txt", "size": 1, "content_type": "text" }),
            "content_type",
        ),
        (
            json!({ "file_name": "ok.txt", "size": 1, "content_type": "text/plain; charset=utf-8" }),
            "content_type",
        ),
    ] {
        let (status, problem) = app
            .send_json(
                Method::POST,
                &org.owner_token,
                &attachments_path("WEB-1"),
                body.clone(),
            )
            .await;
        assert_problem(status, &problem, 422, "validation");
        assert_eq!(problem["field"], field, "{body}: {problem}");
    }
    let (status, problem) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &attachments_path("WEB-1"),
            json!({ "file_name": "ok.txt", "size": (100u64 << 20) + 1, "content_type": "text/plain" }),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["max_size"], 100u64 << 20);
    // Unknown tickets and malformed ids are 404s.
    let (status, problem) = app
        .send_json(
            Method::POST,
            &org.owner_token,
            &attachments_path("WEB-99"),
            json!({ "file_name": "ok.txt", "size": 1, "content_type": "text/plain" }),
        )
        .await;
    assert_problem(status, &problem, 404, "not-found");
    let (status, problem) = app
        .get(
            &org.owner_token,
            &format!("{}/not-a-uuid/download", attachments_path("WEB-1")),
        )
        .await;
    assert_problem(status, &problem, 404, "not-found");
    assert_eq!(app.audit_count(&org).await, audit_before);
    let (_, billing) = app.get(&org.owner_token, "/api/v1/orgs/acme/billing").await;
    assert_eq!(billing["attachment_bytes"]["used"], 0);
}

#[tokio::test]
async fn attachments_list_oldest_first_in_pages() {
    let app = TestApp::start().await;
    let org = acme(&app).await;
    for i in 0..3 {
        app.attachment(&org, "WEB-1", &format!("f{i}.txt"), b"x", "text/plain")
            .await;
    }
    let (_, first) = app
        .get(
            &org.owner_token,
            &format!("{}?limit=2", attachments_path("WEB-1")),
        )
        .await;
    let names: Vec<&str> = first["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["file_name"].as_str())
        .collect();
    assert_eq!(names, ["f0.txt", "f1.txt"]);
    let cursor = first["next_cursor"].as_str().unwrap_or_default();
    let (_, rest) = app
        .get(
            &org.owner_token,
            &format!("{}?limit=2&cursor={cursor}", attachments_path("WEB-1")),
        )
        .await;
    assert_eq!(rest["items"][0]["file_name"], "f2.txt");
    assert!(rest["next_cursor"].is_null());
}

#[tokio::test]
async fn an_idempotency_key_answers_the_same_pending_upload_until_it_is_confirmed() {
    let app = TestApp::start().await;
    let org = app.org("acme").await;
    app.project(&org, "WEB").await;
    app.ticket(&org, "WEB", "with a file").await;
    let path = "/api/v1/orgs/acme/tickets/WEB-1/attachments";
    let post = |size: usize| {
        app.request(Method::POST, &org.owner_token, path)
            .header("Idempotency-Key", "upload-1")
            .json(&json!({ "file_name": "notes.txt", "size": size, "content_type": "text/plain" }))
            .send()
    };
    let (status, first) = read(post(5).await.expect("request")).await;
    assert_eq!(status, 201, "{first}");
    let again = post(5).await.expect("request");
    assert_eq!(header(&again, "idempotent-replayed"), "true");
    let (status, again) = read(again).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["attachment"]["id"], first["attachment"]["id"]);
    // Another body with the key: refused, nothing started.
    let (status, body) = read(post(6).await.expect("request")).await;
    assert_problem(status, &body, 422, "idempotency-mismatch");
    // The replay's freshly signed URL takes the file.
    let (status, _) = app.put_upload(&again, b"hello".to_vec(), None).await;
    assert!((200..300).contains(&status), "{status}");
    let (status, confirmed) = app
        .confirm_upload(&org, &org.owner_token, "WEB-1", &again)
        .await;
    assert_eq!(status, 200, "{confirmed}");
    let (_, list) = app.get(&org.owner_token, path).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    // Confirmed: a replay has nothing left to upload.
    let (status, body) = read(post(5).await.expect("request")).await;
    assert_problem(status, &body, 409, "upload-finished");
}
