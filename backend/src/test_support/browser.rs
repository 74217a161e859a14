//! A browser for tests: follows nothing by itself (each redirect is a step the test
//! looks at), keeps cookies, and sends what a page of the web app would (`Origin`,
//! `X-CSRF-Token` from the readable cookie).

use std::collections::HashMap;

use reqwest::{Method, Response};
use serde_json::Value;

use crate::auth::session::{CSRF_COOKIE, CSRF_HEADER};

pub struct Browser {
    client: reqwest::Client,
    base: String,
    pub cookies: HashMap<String, String>,
    /// The `Origin` sent with unsafe requests (`None`: no header).
    pub origin: Option<String>,
}

impl Browser {
    /// A browser on the app at `base`, sending `Origin: base`.
    pub fn new(base: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: base.to_owned(),
            cookies: HashMap::new(),
            origin: Some(base.to_owned()),
        }
    }

    fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.base)
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Remembers the response's cookies (an empty value or `Max-Age=0` deletes).
    pub fn absorb(&mut self, response: &Response) {
        for header in response.headers().get_all("set-cookie") {
            let Ok(text) = header.to_str() else { continue };
            let mut parts = text.split(';').map(str::trim);
            let Some((name, value)) = parts.next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            let expired = parts.any(|p| p.eq_ignore_ascii_case("max-age=0"));
            if expired || value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
    }

    /// A request with this browser's cookies and, for unsafe methods, its origin and
    /// CSRF header.
    pub async fn request(&mut self, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut request = self.client.request(method.clone(), self.url(path));
        if !self.cookies.is_empty() {
            request = request.header("Cookie", self.cookie_header());
        }
        if method != Method::GET {
            if let Some(origin) = &self.origin {
                request = request.header("Origin", origin);
            }
            if let Some(csrf) = self.cookies.get(CSRF_COOKIE) {
                request = request.header(CSRF_HEADER, csrf);
            }
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        self.absorb(&response);
        response
    }

    /// `GET`, returning the response (redirects are not followed).
    pub async fn get(&mut self, path: &str) -> Response {
        self.request(Method::GET, path, None).await
    }

    /// A JSON request, returning status and body.
    pub async fn send(&mut self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let response = self.request(method, path, body).await;
        super::read(response).await
    }
}

/// The `Location` of a redirect.
pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}
