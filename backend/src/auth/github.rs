//! GitHub as the identity provider: the OAuth authorization-code flow with PKCE through
//! the `oauth2` crate, then `GET /user` and `GET /user/emails`. Every GitHub URL is
//! configuration, so the tests run this code unchanged against a fake GitHub.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope, TokenResponse,
    TokenUrl,
};
use serde::Deserialize;

use crate::config::Config;
use crate::http::ApiError;

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The configured GitHub OAuth application and API.
pub struct GitHub {
    oauth: Client,
    api_url: String,
    http: reqwest::Client,
}

/// Who GitHub says signed in.
#[derive(Debug, Clone)]
pub struct GithubIdentity {
    pub id: i64,
    pub login: String,
    pub name: Option<String>,
    /// Verified addresses, the primary first.
    pub verified_emails: Vec<String>,
    /// The user's access token (encrypted before it is stored).
    pub access_token: String,
}

#[derive(Deserialize)]
struct UserResponse {
    id: i64,
    login: String,
    name: Option<String>,
}

#[derive(Deserialize)]
struct EmailResponse {
    email: String,
    #[serde(default)]
    primary: bool,
    #[serde(default)]
    verified: bool,
}

impl GitHub {
    /// The client, or `None` when no GitHub OAuth application is configured.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Self>> {
        let github = &config.auth.github;
        let (Some(id), Some(secret)) = (&github.client_id, &github.client_secret) else {
            return Ok(None);
        };
        let redirect = format!(
            "{}/auth/github/callback",
            config.public_url().trim_end_matches('/')
        );
        let oauth = BasicClient::new(ClientId::new(id.clone()))
            .set_client_secret(ClientSecret::new(secret.expose().to_owned()))
            .set_auth_uri(AuthUrl::new(github.authorize_url.clone())?)
            .set_token_uri(TokenUrl::new(github.token_url.clone())?)
            .set_redirect_uri(RedirectUrl::new(redirect)?);
        let http = reqwest::Client::builder()
            // A token endpoint that redirects could send the code elsewhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .user_agent("trellis")
            .build()?;
        Ok(Some(Self {
            oauth,
            api_url: github.api_url.trim_end_matches('/').to_owned(),
            http,
        }))
    }

    /// Where to send the browser, with our `state` and a fresh PKCE challenge; returns
    /// the URL and the verifier to keep for the callback.
    pub fn authorize_url(&self, state: &str) -> (String, String) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let state = state.to_owned();
        let (url, _) = self
            .oauth
            .authorize_url(move || CsrfToken::new(state))
            .add_scope(Scope::new("read:user".to_owned()))
            .add_scope(Scope::new("user:email".to_owned()))
            .set_pkce_challenge(challenge)
            .url();
        (url.to_string(), verifier.secret().clone())
    }

    /// Exchanges the callback's code, then asks GitHub who the user is.
    pub async fn identify(&self, code: &str, verifier: String) -> Result<GithubIdentity, ApiError> {
        let token = self
            .oauth
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                // GitHub answers a bad, expired or reused code with 200 and
                // `{"error":"bad_verification_code"}`, which is not a token response.
                RequestTokenError::ServerResponse(_) => bad_code(),
                RequestTokenError::Parse(_, body)
                    if serde_json::from_slice::<serde_json::Value>(&body)
                        .is_ok_and(|v| v.get("error").is_some()) =>
                {
                    bad_code()
                }
                other => {
                    tracing::warn!(error = %other, "GitHub token exchange failed");
                    ApiError::bad_gateway("GitHub did not complete the sign-in; try again")
                }
            })?;
        let access_token = token.access_token().secret().clone();
        let user: UserResponse = self.get("/user", &access_token).await?;
        // `/user` shows only the public address (often null); the verified ones need
        // the `user:email` scope and their own endpoint.
        let mut emails: Vec<EmailResponse> = self.get("/user/emails", &access_token).await?;
        emails.retain(|e| e.verified && e.email.len() <= 320);
        emails.sort_by_key(|e| !e.primary);
        Ok(GithubIdentity {
            id: user.id,
            login: user.login,
            name: user.name,
            verified_emails: emails.into_iter().take(50).map(|e| e.email).collect(),
            access_token,
        })
    }

    async fn get<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
    ) -> Result<T, ApiError> {
        let upstream = |what: String| {
            tracing::warn!(path, error = %what, "GitHub API call failed");
            ApiError::bad_gateway("GitHub did not answer as expected; try again")
        };
        let response = self
            .http
            .get(format!("{}{path}", self.api_url))
            .bearer_auth(token)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .send()
            .await
            .map_err(|e| upstream(e.to_string()))?;
        if !response.status().is_success() {
            return Err(upstream(format!("status {}", response.status())));
        }
        response.json().await.map_err(|e| upstream(e.to_string()))
    }
}

fn bad_code() -> ApiError {
    ApiError::bad_request(
        "oauth-code",
        "GitHub refused the sign-in code (expired or already used); sign in again",
    )
}
