//! The web app, served by the binary: the files Vite built (embedded by the
//! `trellis-web` crate, or read from `TRELLIS_WEB_DIR`), and `index.html` for every
//! other `GET` outside the API, so deep links and reloads reach the single-page app.
//!
//! - `/assets/*` have content-hashed names: `Cache-Control: public, max-age=31536000,
//!   immutable`. A missing asset is a 404, never the app (a stale page asking for an
//!   old chunk must fail loudly, not parse HTML as JavaScript).
//! - Everything else (`index.html` included) is `no-cache` with a strong `ETag`, so a
//!   deploy is seen at the next navigation and an unchanged file costs a 304.
//! - Brotli or gzip variants written by the build are sent when the client accepts
//!   them (`Vary: Accept-Encoding`); the compression middleware leaves them alone.

use std::borrow::Cow;
use std::path::{Component, Path, PathBuf};

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::http::ApiError;

/// Paths that belong to the server, never to the app: an unknown one is a problem
/// document, not `index.html`.
const SERVER_PREFIXES: &[&str] = &[
    "/api/",
    "/auth/",
    "/jira/",
    "/webhooks/",
    "/healthz",
    "/readyz",
    "/metrics",
];

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

const NOT_BUILT: &str = include_str!("not_built.html");

/// Where the app's files come from.
#[derive(Clone, Debug)]
pub enum WebFiles {
    /// Built into the binary (the default).
    Embedded,
    /// A folder holding a Vite build (`TRELLIS_WEB_DIR`), read at each request: for
    /// working on the app without rebuilding the server.
    Dir(PathBuf),
}

impl WebFiles {
    /// The source the configuration asks for.
    pub fn from_config(dir: Option<&Path>) -> Self {
        dir.map_or(Self::Embedded, |d| Self::Dir(d.to_owned()))
    }
}

/// One file ready to send.
struct File {
    body: Cow<'static, [u8]>,
    encoding: Option<&'static str>,
    etag: String,
}

/// The default service: the app for `GET`/`HEAD` outside the server's paths, a 404
/// problem for everything else.
pub async fn serve(req: HttpRequest, files: web::Data<WebFiles>) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    if !(req.method() == Method::GET || req.method() == Method::HEAD)
        || SERVER_PREFIXES
            .iter()
            .any(|p| path.starts_with(p) || path == p.trim_end_matches('/'))
    {
        return Err(ApiError::not_found("route"));
    }
    let accept = accepted_encodings(&req);
    let is_asset = path.starts_with("/assets/");
    let wanted = if path == "/" { "/index.html" } else { path };
    let (file, served) = match lookup(&files, wanted, accept).await {
        Some(file) => (file, wanted),
        None if is_asset => return Err(ApiError::not_found("file")),
        None => match lookup(&files, "/index.html", accept).await {
            Some(file) => (file, "/index.html"),
            None => {
                return Ok(HttpResponse::Ok()
                    .content_type("text/html; charset=utf-8")
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .body(NOT_BUILT));
            }
        },
    };
    let mut response = HttpResponse::build(StatusCode::OK);
    response
        .content_type(content_type(served))
        .insert_header((header::VARY, "Accept-Encoding"))
        .insert_header((header::ETAG, file.etag.clone()))
        .insert_header((
            header::CACHE_CONTROL,
            if is_asset { IMMUTABLE } else { "no-cache" },
        ));
    if let Some(encoding) = file.encoding {
        response.insert_header((header::CONTENT_ENCODING, encoding));
    }
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == file.etag || t.trim() == "*")
        });
    if fresh {
        return Ok(response.status(StatusCode::NOT_MODIFIED).finish());
    }
    Ok(response.body(file.body))
}

/// Which precompressed variants the client takes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Accept {
    brotli: bool,
    gzip: bool,
}

fn accepted_encodings(req: &HttpRequest) -> Accept {
    let mut accept = Accept::default();
    for value in req.headers().get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            match name {
                "br" => accept.brotli = !refused,
                "gzip" => accept.gzip = !refused,
                _ => {}
            }
        }
    }
    accept
}

async fn lookup(files: &WebFiles, path: &str, accept: Accept) -> Option<File> {
    match files {
        WebFiles::Embedded => {
            let asset = trellis_web::get(path)?;
            let (body, encoding) = match (asset.brotli, asset.gzip) {
                (Some(br), _) if accept.brotli => (br, Some("br")),
                (_, Some(gz)) if accept.gzip => (gz, Some("gzip")),
                _ => (asset.body, None),
            };
            Some(File {
                body: Cow::Borrowed(body),
                encoding,
                etag: variant_etag(asset.etag, encoding),
            })
        }
        WebFiles::Dir(root) => {
            let file = safe_join(root, path)?;
            let meta = tokio::fs::metadata(&file)
                .await
                .ok()
                .filter(|m| m.is_file())?;
            let modified = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            let etag = format!("\"{:x}-{:x}\"", meta.len(), modified);
            for (ok, ext, name) in [(accept.brotli, "br", "br"), (accept.gzip, "gz", "gzip")] {
                if !ok {
                    continue;
                }
                let sibling = PathBuf::from(format!("{}.{ext}", file.display()));
                if let Ok(body) = tokio::fs::read(&sibling).await {
                    return Some(File {
                        body: Cow::Owned(body),
                        encoding: Some(name),
                        etag: variant_etag(&etag, Some(name)),
                    });
                }
            }
            let body = tokio::fs::read(&file).await.ok()?;
            Some(File {
                body: Cow::Owned(body),
                encoding: None,
                etag,
            })
        }
    }
}

/// A compressed variant is a different representation: its own strong `ETag`.
fn variant_etag(etag: &str, encoding: Option<&str>) -> String {
    match encoding {
        None => etag.to_owned(),
        Some(e) => format!("{}-{e}\"", etag.trim_end_matches('"')),
    }
}

/// `root` + `path`, refusing anything that could leave `root` (`..`, absolute parts).
fn safe_join(root: &Path, path: &str) -> Option<PathBuf> {
    let rel = Path::new(path.trim_start_matches('/'));
    rel.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| root.join(rel))
}

fn content_type(path: &str) -> HeaderValue {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    HeaderValue::from_static(match ext {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_stay_inside_the_root() {
        let root = Path::new("/srv/web");
        assert_eq!(
            safe_join(root, "/assets/a.js"),
            Some(PathBuf::from("/srv/web/assets/a.js"))
        );
        assert_eq!(safe_join(root, "/../etc/passwd"), None);
        assert_eq!(safe_join(root, "/assets/../../x"), None);
        assert_eq!(safe_join(root, "/./a"), None);
    }

    #[test]
    fn encodings_honour_q_zero() {
        let req = actix_web::test::TestRequest::default()
            .insert_header((header::ACCEPT_ENCODING, "gzip, deflate, br;q=0"))
            .to_http_request();
        assert_eq!(
            accepted_encodings(&req),
            Accept {
                brotli: false,
                gzip: true
            }
        );
        let req = actix_web::test::TestRequest::default()
            .insert_header((header::ACCEPT_ENCODING, "br;q=1.0, gzip;q=0.5"))
            .to_http_request();
        assert_eq!(
            accepted_encodings(&req),
            Accept {
                brotli: true,
                gzip: true
            }
        );
    }

    #[test]
    fn variant_etags_differ() {
        assert_eq!(variant_etag("\"abc\"", Some("br")), "\"abc-br\"");
        assert_eq!(variant_etag("\"abc\"", None), "\"abc\"");
    }
}
