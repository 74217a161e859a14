//! The web app's files and the single-page fallback, over HTTP.

use std::path::PathBuf;

use crate::test_support::{TestApp, header};

/// A built app on disk: `index.html`, one hashed asset with its br/gz variants.
fn built_app() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trellis-web-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(dir.join("assets")).expect("mkdir");
    std::fs::write(dir.join("index.html"), "<!doctype html><div id=root></div>").expect("index");
    std::fs::write(dir.join("assets/app-1a2b.js"), "console.log(1)").expect("js");
    std::fs::write(dir.join("assets/app-1a2b.js.br"), "BROTLI").expect("br");
    std::fs::write(dir.join("assets/app-1a2b.js.gz"), "GZIP").expect("gz");
    std::fs::write(dir.join("favicon.svg"), "<svg/>").expect("svg");
    dir
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.base));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("send")
}

#[tokio::test]
async fn deep_links_answer_the_app_and_assets_are_immutable_and_precompressed() {
    let dir = built_app();
    let web_dir = dir.clone();
    let app = TestApp::start_with(move |c| c.web_dir = Some(web_dir)).await;

    for path in [
        "/",
        "/acme/projects/WEB/board",
        "/acme/tickets/WEB-12",
        "/index.html",
    ] {
        let response = get(&app, path, &[]).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(
            header(&response, "content-type"),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert_eq!(header(&response, "cache-control"), "no-cache", "{path}");
        assert!(header(&response, "content-security-policy").contains("script-src 'self'"));
        assert_eq!(
            response.text().await.expect("body"),
            "<!doctype html><div id=root></div>"
        );
    }

    let js = "/assets/app-1a2b.js";
    let response = get(&app, js, &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-encoding"), "br");
    assert_eq!(
        header(&response, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&response, "vary").contains("Accept-Encoding"));
    assert_eq!(
        header(&response, "content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(response.text().await.expect("body"), "BROTLI");

    let response = get(&app, js, &[("accept-encoding", "gzip, br;q=0")]).await;
    assert_eq!(header(&response, "content-encoding"), "gzip");
    assert_eq!(response.text().await.expect("body"), "GZIP");

    let response = get(&app, js, &[("accept-encoding", "identity")]).await;
    assert_eq!(header(&response, "content-encoding"), "");
    let etag = header(&response, "etag");
    assert_eq!(response.text().await.expect("body"), "console.log(1)");

    // Revalidation of an unchanged file costs a 304 and no body.
    let response = get(
        &app,
        js,
        &[("accept-encoding", "identity"), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(response.status(), 304);

    let response = get(&app, "/favicon.svg", &[]).await;
    assert_eq!(header(&response, "content-type"), "image/svg+xml");

    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn server_paths_and_missing_assets_stay_problems() {
    let dir = built_app();
    let web_dir = dir.clone();
    let app = TestApp::start_with(move |c| c.web_dir = Some(web_dir)).await;
    for path in [
        "/assets/app-0000.js",
        "/api/v1/nope",
        "/api/v1/orgs/acme/nope",
        "/auth/nope",
        "/jira/acme/rest/api/2/nope",
        "/webhooks/nope",
        "/metrics/extra",
    ] {
        let response = get(&app, path, &[]).await;
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(
            header(&response, "content-type"),
            "application/problem+json",
            "{path}"
        );
    }
    // Only GET and HEAD reach the app.
    let response = app
        .client
        .post(format!("{}/acme/projects", app.base))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 404);
    assert_eq!(
        header(&response, "content-type"),
        "application/problem+json"
    );
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn the_embedded_build_is_served_or_a_not_built_page_says_so() {
    let app = TestApp::start().await;
    let response = get(&app, "/acme/projects/WEB/board", &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        header(&response, "content-type"),
        "text/html; charset=utf-8"
    );
    let body = response.text().await.expect("body");
    match trellis_web::get("/index.html") {
        Some(index) => assert_eq!(body.as_bytes(), index.body),
        None => assert!(body.contains("web app was not built"), "{body}"),
    }
    // Every embedded asset is reachable under its own path.
    for asset in trellis_web::ASSETS {
        let response = get(&app, asset.path, &[("accept-encoding", "identity")]).await;
        assert_eq!(response.status(), 200, "{}", asset.path);
        assert_eq!(
            response.bytes().await.expect("body").as_ref(),
            asset.body,
            "{}",
            asset.path
        );
    }
}
