//! Typed configuration, read once from the environment at start and passed down.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the process runs. Production refuses local-mode conveniences (auto-started
/// services, demo data) and logs JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Local,
    Production,
}

/// All configuration, validated. See the README's configuration table.
#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub listen: SocketAddr,
    /// Application connection (a role that owns nothing, so row-level security applies).
    /// `None` in local mode: a local PostgreSQL is found or started.
    pub database_url: Option<String>,
    /// Connection used for migrations (owner of the tables); defaults to `database_url`.
    pub database_owner_url: Option<String>,
    pub redis_url: Option<String>,
    pub db_pool_size: u32,
    pub data_dir: PathBuf,
    /// `TRELLIS_WEB_DIR`: serve the web app from this built folder instead of the
    /// copy embedded in the binary.
    pub web_dir: Option<PathBuf>,
    pub public_url: Option<String>,
    pub max_body_bytes: usize,
    /// `TRELLIS_IMPORT_MAX_BYTES`: the largest CSV file `POST .../import` takes.
    pub import_max_bytes: usize,
    /// Secret for signing search page tokens; random per process when unset.
    pub secret_key: Option<Secret>,
    /// Extra CA certificates (PEM) trusted for PostgreSQL TLS, e.g. Amazon RDS's bundle.
    pub database_ca_file: Option<PathBuf>,
    /// How long a resolved token membership is reused without a database lookup.
    pub auth_cache_ttl: std::time::Duration,
    /// Sign-in, sessions, cookies, CORS and rate limits.
    pub auth: AuthConfig,
    /// Stripe billing; all `None`/empty in local mode.
    pub billing: BillingSettings,
    /// Where attachments are stored, and how large one may be.
    pub attachments: AttachmentSettings,
}

/// Attachment storage (`TRELLIS_S3_*`, `TRELLIS_ATTACHMENT_MAX_BYTES`): S3 when a
/// bucket is set (region and credentials from the standard AWS variables), otherwise
/// local mode, files under `TRELLIS_DATA_DIR/attachments` behind signed URLs served by
/// this binary.
#[derive(Debug, Clone)]
pub struct AttachmentSettings {
    /// `TRELLIS_S3_BUCKET`.
    pub s3_bucket: Option<String>,
    /// `TRELLIS_S3_ENDPOINT`: an S3-compatible server instead of AWS's regional one
    /// (path-style addressing then).
    pub s3_endpoint: Option<String>,
    /// `TRELLIS_S3_PREFIX`: where in the bucket objects go, empty or ending in `/`.
    pub s3_prefix: String,
    /// `TRELLIS_ATTACHMENT_MAX_BYTES`: the largest file.
    pub max_file_bytes: u64,
}

/// Default largest import file: 50 MiB.
pub const DEFAULT_IMPORT_MAX_BYTES: usize = 50 << 20;

/// Default largest attachment: 100 MiB.
pub const DEFAULT_ATTACHMENT_MAX_BYTES: u64 = 100 << 20;
/// S3 takes at most 5 GiB in one `PUT`.
const ATTACHMENT_MAX_BYTES_CEILING: u64 = 5 << 30;

fn attachment_settings(
    lookup: &impl Fn(&str) -> Option<String>,
) -> Result<AttachmentSettings, ConfigError> {
    let s3_bucket = lookup("TRELLIS_S3_BUCKET").map(|b| b.trim().to_owned());
    if let Some(bucket) = &s3_bucket {
        // S3's bucket naming rules (the subset every region accepts).
        let valid = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
            && !bucket.starts_with(['-', '.'])
            && !bucket.ends_with(['-', '.']);
        if !valid {
            return Err(invalid(
                "TRELLIS_S3_BUCKET",
                "must be an S3 bucket name (3 to 63 lower-case letters, digits, dots, dashes)",
            ));
        }
    }
    let s3_endpoint = url(lookup, "TRELLIS_S3_ENDPOINT", &["http://", "https://"])?;
    if s3_endpoint.is_some() && s3_bucket.is_none() {
        return Err(invalid(
            "TRELLIS_S3_ENDPOINT",
            "set TRELLIS_S3_BUCKET too (without a bucket, attachments stay in TRELLIS_DATA_DIR)",
        ));
    }
    let mut s3_prefix = lookup("TRELLIS_S3_PREFIX").unwrap_or_default();
    if !s3_prefix.is_empty() && !s3_prefix.ends_with('/') {
        s3_prefix.push('/');
    }
    let prefix_ok = s3_prefix.len() <= 200
        && !s3_prefix.starts_with('/')
        && !s3_prefix.contains("//")
        && s3_prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'))
        && !s3_prefix.split('/').any(|part| part == "." || part == "..");
    if !prefix_ok {
        return Err(invalid(
            "TRELLIS_S3_PREFIX",
            "must be at most 200 characters of letters, digits, `-`, `_`, `.` and `/` \
             (no leading `/`, no empty or dot segments), like `attachments/`",
        ));
    }
    let max_file_bytes: u64 = parse(
        lookup,
        "TRELLIS_ATTACHMENT_MAX_BYTES",
        Some(DEFAULT_ATTACHMENT_MAX_BYTES),
    )?;
    if !(1..=ATTACHMENT_MAX_BYTES_CEILING).contains(&max_file_bytes) {
        return Err(invalid(
            "TRELLIS_ATTACHMENT_MAX_BYTES",
            format!(
                "must be between 1 and {ATTACHMENT_MAX_BYTES_CEILING} (5 GiB, S3's limit for one upload)"
            ),
        ));
    }
    Ok(AttachmentSettings {
        s3_bucket,
        s3_endpoint,
        s3_prefix,
        max_file_bytes,
    })
}

/// Sign-in and session settings (README: "Sign-in").
#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub github: GithubConfig,
    /// JWT signing keys as (kid, secret), newest first: the first signs, all verify.
    /// Empty: one key derived from `TRELLIS_SECRET_KEY` (or random in local mode).
    pub jwt_keys: Vec<(String, Secret)>,
    /// Fernet keys for GitHub tokens at rest, newest first: the first encrypts, all
    /// decrypt. Empty: one key derived like the JWT key.
    pub fernet_keys: Vec<Secret>,
    /// `Domain` of the session cookies, so `app.` and `api.` subdomains share them.
    pub cookie_domain: Option<String>,
    /// The web app's URL: where sign-in lands, and an allowed origin.
    pub web_url: Option<String>,
    /// Further origins allowed to call the API from a browser (CORS and CSRF).
    pub cors_origins: Vec<String>,
    pub rate_limits: RateLimits,
    /// Take the client address from the last `X-Forwarded-For` entry (behind the ALB).
    pub trust_forwarded_for: bool,
}

/// GitHub OAuth application and endpoints (github.com's unless overridden).
#[derive(Debug, Clone)]
pub struct GithubConfig {
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub authorize_url: String,
    pub token_url: String,
    pub api_url: String,
}

/// Request budgets, counted in Redis across instances.
#[derive(Debug, Clone)]
pub struct RateLimits {
    /// Sign-in starts and callbacks per client address per minute.
    pub auth_per_minute: u32,
    /// API tokens created per user per hour.
    pub tokens_per_hour: u32,
    /// API requests per principal (token or signed-in user) per minute.
    pub api_per_minute: u32,
    /// Prefix of the counters' Redis keys (tests give each app its own).
    pub namespace: String,
}

/// Stripe billing settings (`STRIPE_*`, `TRELLIS_BILLING_GRACE`). Billing runs when
/// both the secret key and at least one webhook secret are set; otherwise every
/// organization is on the free plan and the billing routes say so.
#[derive(Debug, Clone)]
pub struct BillingSettings {
    pub stripe_secret_key: Option<Secret>,
    /// Endpoint secrets, newest first.
    pub stripe_webhook_secrets: Vec<Secret>,
    pub stripe_api_base: String,
    pub stripe_price_team: Option<String>,
    pub stripe_price_business: Option<String>,
    /// How long a past-due organization keeps writing before it turns read-only.
    pub grace: chrono::Duration,
}

impl BillingSettings {
    /// Whether Stripe is configured.
    pub fn enabled(&self) -> bool {
        self.stripe_secret_key.is_some() && !self.stripe_webhook_secrets.is_empty()
    }

    /// The billing crate's configuration, with `return_url` for Checkout and the portal.
    pub fn to_billing(&self, return_url: String) -> billing::BillingConfig {
        let secrets: Vec<&str> = self
            .stripe_webhook_secrets
            .iter()
            .map(|s| s.expose())
            .collect();
        billing::BillingConfig {
            secret_key: self
                .stripe_secret_key
                .as_ref()
                .map(|s| s.expose().to_owned()),
            webhook_secrets: billing::WebhookSecrets::parse(&secrets.join(",")),
            api_base: self.stripe_api_base.clone(),
            prices: billing::Prices {
                team: self.stripe_price_team.clone(),
                business: self.stripe_price_business.clone(),
            },
            grace: self.grace,
            return_url,
        }
    }
}

/// Parses a duration such as `7d`, `36h`, `90m` or `0s`.
fn parse_duration(raw: &str) -> Result<chrono::Duration, String> {
    let raw = raw.trim();
    let split = raw
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("`{raw}`: add a unit (s, m, h or d)"))?;
    let (number, unit) = raw.split_at(split);
    let n: i64 = number
        .parse()
        .map_err(|_| format!("`{raw}`: expected a number then a unit, like 7d"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("`{raw}`: the unit must be s, m, h or d")),
    };
    n.checked_mul(seconds)
        .filter(|s| *s <= 366 * 86_400)
        .map(chrono::Duration::seconds)
        .ok_or_else(|| format!("`{raw}`: at most 366 days"))
}

/// A secret value: usable, but never printed (`Debug` shows `[redacted]`).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value (generated keys, values from SSM).
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A configuration variable that is missing or malformed.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

fn invalid(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let environment = match lookup("TRELLIS_ENV").as_deref() {
            None | Some("local") => Environment::Local,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(invalid(
                    "TRELLIS_ENV",
                    format!("expected `local` or `production`, got `{other}`"),
                ));
            }
        };
        let listen = parse(&lookup, "TRELLIS_LISTEN", "127.0.0.1:8080".parse().ok())?;
        let database_url = url(&lookup, "DATABASE_URL", &["postgres://", "postgresql://"])?;
        let database_owner_url = url(
            &lookup,
            "DATABASE_OWNER_URL",
            &["postgres://", "postgresql://"],
        )?;
        let redis_url = url(&lookup, "REDIS_URL", &["redis://", "rediss://"])?;
        if environment == Environment::Production {
            if database_url.is_none() {
                return Err(invalid(
                    "DATABASE_URL",
                    "required when TRELLIS_ENV=production",
                ));
            }
            if redis_url.is_none() {
                return Err(invalid("REDIS_URL", "required when TRELLIS_ENV=production"));
            }
        }
        let db_pool_size: u32 = parse(&lookup, "TRELLIS_DB_POOL_SIZE", Some(16))?;
        if !(1..=512).contains(&db_pool_size) {
            return Err(invalid("TRELLIS_DB_POOL_SIZE", "must be between 1 and 512"));
        }
        let max_body_bytes: usize = parse(&lookup, "TRELLIS_MAX_BODY_BYTES", Some(1 << 20))?;
        if !(1024..=(64 << 20)).contains(&max_body_bytes) {
            return Err(invalid(
                "TRELLIS_MAX_BODY_BYTES",
                "must be between 1024 and 67108864",
            ));
        }
        let import_max_bytes: usize = parse(
            &lookup,
            "TRELLIS_IMPORT_MAX_BYTES",
            Some(DEFAULT_IMPORT_MAX_BYTES),
        )?;
        if !(1024..=(1 << 30)).contains(&import_max_bytes) {
            return Err(invalid(
                "TRELLIS_IMPORT_MAX_BYTES",
                "must be between 1024 and 1073741824",
            ));
        }
        let auth_cache_seconds: u64 = parse(&lookup, "TRELLIS_AUTH_CACHE_SECONDS", Some(5))?;
        if auth_cache_seconds > 300 {
            return Err(invalid("TRELLIS_AUTH_CACHE_SECONDS", "must be at most 300"));
        }
        let web_dir = lookup("TRELLIS_WEB_DIR").map(PathBuf::from);
        if let Some(dir) = &web_dir
            && !dir.join("index.html").is_file()
        {
            return Err(invalid(
                "TRELLIS_WEB_DIR",
                "must be a folder holding a built web app (index.html)",
            ));
        }
        let public_url = url(&lookup, "TRELLIS_PUBLIC_URL", &["http://", "https://"])?;
        let secret_key = lookup("TRELLIS_SECRET_KEY").map(Secret);
        let auth = auth_config(&lookup)?;
        if environment == Environment::Production
            && secret_key.is_none()
            && (auth.jwt_keys.is_empty() || auth.fernet_keys.is_empty())
        {
            return Err(invalid(
                "TRELLIS_SECRET_KEY",
                "required when TRELLIS_ENV=production (unless TRELLIS_JWT_KEYS and \
                 TRELLIS_FERNET_KEYS are both set)",
            ));
        }
        let billing = BillingSettings {
            stripe_secret_key: lookup("STRIPE_SECRET_KEY").map(Secret),
            stripe_webhook_secrets: lookup("STRIPE_WEBHOOK_SECRETS")
                .map(|list| {
                    list.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| Secret(s.to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
            stripe_api_base: url(&lookup, "STRIPE_API_BASE", &["http://", "https://"])?
                .unwrap_or_else(|| billing::STRIPE_API_BASE.to_owned()),
            stripe_price_team: lookup("STRIPE_PRICE_TEAM"),
            stripe_price_business: lookup("STRIPE_PRICE_BUSINESS"),
            grace: match lookup("TRELLIS_BILLING_GRACE") {
                Some(raw) => {
                    parse_duration(&raw).map_err(|m| invalid("TRELLIS_BILLING_GRACE", m))?
                }
                None => chrono::Duration::days(7),
            },
        };
        let attachments = attachment_settings(&lookup)?;
        let has_webhook_secret = !billing.stripe_webhook_secrets.is_empty();
        if billing.stripe_secret_key.is_some() != has_webhook_secret {
            // Half a configuration would take payments and never hear about them (or
            // the reverse): refuse to start rather than bill wrongly.
            return Err(invalid(
                "STRIPE_WEBHOOK_SECRETS",
                "set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRETS, or neither",
            ));
        }
        Ok(Config {
            environment,
            listen,
            database_url,
            database_owner_url,
            redis_url,
            db_pool_size,
            data_dir: lookup("TRELLIS_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".trellis")),
            web_dir,
            public_url,
            max_body_bytes,
            import_max_bytes,
            auth_cache_ttl: std::time::Duration::from_secs(auth_cache_seconds),
            database_ca_file: lookup("TRELLIS_DATABASE_CA_FILE").map(PathBuf::from),
            secret_key,
            auth,
            billing,
            attachments,
        })
    }

    /// The URL people reach this server at.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
    }

    /// The web app's URL (the API's own when the app is served by this binary).
    pub fn web_url(&self) -> String {
        self.auth
            .web_url
            .clone()
            .unwrap_or_else(|| self.public_url())
            .trim_end_matches('/')
            .to_owned()
    }

    /// Origins allowed to send cookie-authenticated requests: the API's own, the web
    /// app's, and `TRELLIS_CORS_ORIGINS`.
    pub fn allowed_origins(&self) -> Vec<String> {
        let mut origins = vec![origin_of(&self.public_url()), origin_of(&self.web_url())];
        origins.extend(self.auth.cors_origins.iter().cloned());
        origins.dedup();
        origins
    }
}

fn auth_config(lookup: &impl Fn(&str) -> Option<String>) -> Result<AuthConfig, ConfigError> {
    let list = |variable: &str| -> Vec<String> {
        lookup(variable)
            .map(|raw| {
                raw.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut jwt_keys = Vec::new();
    for entry in list("TRELLIS_JWT_KEYS") {
        match entry.split_once(':') {
            Some((kid, secret))
                if !kid.is_empty()
                    && kid.len() <= 32
                    && kid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && secret.len() >= 32 =>
            {
                jwt_keys.push((kid.to_owned(), Secret(secret.to_owned())));
            }
            _ => {
                return Err(invalid(
                    "TRELLIS_JWT_KEYS",
                    "expected comma-separated `kid:secret` pairs (kid: letters, digits, \
                     dashes; secret: at least 32 characters)",
                ));
            }
        }
    }
    let fernet_keys: Vec<Secret> = list("TRELLIS_FERNET_KEYS")
        .into_iter()
        .map(Secret)
        .collect();
    if fernet_keys
        .iter()
        .any(|k| fernet::Fernet::new(k.expose()).is_none())
    {
        return Err(invalid(
            "TRELLIS_FERNET_KEYS",
            "expected comma-separated Fernet keys (32 bytes, URL-safe base64)",
        ));
    }
    let github = GithubConfig {
        client_id: lookup("GITHUB_CLIENT_ID"),
        client_secret: lookup("GITHUB_CLIENT_SECRET").map(Secret),
        authorize_url: url(lookup, "GITHUB_AUTHORIZE_URL", &["http://", "https://"])?
            .unwrap_or_else(|| "https://github.com/login/oauth/authorize".to_owned()),
        token_url: url(lookup, "GITHUB_TOKEN_URL", &["http://", "https://"])?
            .unwrap_or_else(|| "https://github.com/login/oauth/access_token".to_owned()),
        api_url: url(lookup, "GITHUB_API_URL", &["http://", "https://"])?
            .unwrap_or_else(|| "https://api.github.com".to_owned()),
    };
    let cors_origins = list("TRELLIS_CORS_ORIGINS");
    if let Some(bad) = cors_origins.iter().find(|o| !valid_origin(o)) {
        return Err(invalid(
            "TRELLIS_CORS_ORIGINS",
            format!("`{bad}` is not an origin like https://app.example.com"),
        ));
    }
    let web_url = url(lookup, "TRELLIS_WEB_URL", &["http://", "https://"])?;
    let per_minute = |variable: &'static str, default: u32| -> Result<u32, ConfigError> {
        let value: u32 = parse(lookup, variable, Some(default))?;
        if value == 0 {
            return Err(invalid(variable, "must be at least 1"));
        }
        Ok(value)
    };
    Ok(AuthConfig {
        github,
        jwt_keys,
        fernet_keys,
        cookie_domain: lookup("TRELLIS_COOKIE_DOMAIN"),
        web_url,
        cors_origins,
        rate_limits: RateLimits {
            auth_per_minute: per_minute("TRELLIS_RATE_LIMIT_AUTH_PER_MINUTE", 5)?,
            tokens_per_hour: per_minute("TRELLIS_RATE_LIMIT_TOKENS_PER_HOUR", 20)?,
            api_per_minute: per_minute("TRELLIS_RATE_LIMIT_API_PER_MINUTE", 1200)?,
            namespace: "trellis".to_owned(),
        },
        trust_forwarded_for: parse(lookup, "TRELLIS_TRUST_FORWARDED_FOR", Some(false))?,
    })
}

/// `scheme://host[:port]` with no path: what browsers send in `Origin`.
fn valid_origin(origin: &str) -> bool {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    rest.is_some_and(|host| {
        !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':'))
    })
}

/// The origin (`scheme://host[:port]`) of a URL.
pub fn origin_of(url: &str) -> String {
    let scheme_end = url.find("://").map_or(0, |i| i + 3);
    match url[scheme_end..].find('/') {
        Some(path) => url[..scheme_end + path].to_owned(),
        None => url.to_owned(),
    }
}

fn parse<T: std::str::FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: Option<T>,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match lookup(variable) {
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|e: T::Err| invalid(variable, format!("`{raw}`: {e}"))),
        None => default.ok_or_else(|| invalid(variable, "required")),
    }
}

fn url(
    lookup: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    schemes: &[&str],
) -> Result<Option<String>, ConfigError> {
    match lookup(variable) {
        Some(raw) if schemes.iter().any(|s| raw.starts_with(s)) => Ok(Some(raw)),
        // The value may hold a password: name the variable, never echo it.
        Some(_) => Err(invalid(
            variable,
            format!("must start with one of {}", schemes.join(", ")),
        )),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_to_local_mode_without_any_variable() {
        let config = load(&[]).expect("defaults are valid");
        assert_eq!(config.environment, Environment::Local);
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert!(config.database_url.is_none());
    }

    #[test]
    fn production_requires_a_secret_for_sessions() {
        let base = [
            ("TRELLIS_ENV", "production"),
            ("DATABASE_URL", "postgres://app@db/trellis"),
            ("REDIS_URL", "redis://cache"),
        ];
        let err = load(&base).unwrap_err();
        assert_eq!(err.variable, "TRELLIS_SECRET_KEY");
        let mut with_secret = base.to_vec();
        with_secret.push(("TRELLIS_SECRET_KEY", "s3cret-s3cret-s3cret-s3cret-s3cret"));
        assert!(load(&with_secret).is_ok());
    }

    #[test]
    fn key_lists_are_validated_without_echoing_them() {
        let err = load(&[("TRELLIS_JWT_KEYS", "k1:short")]).unwrap_err();
        assert_eq!(err.variable, "TRELLIS_JWT_KEYS");
        assert!(!err.to_string().contains("short"), "{err}");
        let err = load(&[("TRELLIS_FERNET_KEYS", "not-a-key")]).unwrap_err();
        assert_eq!(err.variable, "TRELLIS_FERNET_KEYS");
        let long = "x".repeat(32);
        let config =
            load(&[("TRELLIS_JWT_KEYS", &format!("new:{long}, old:{long}"))]).expect("valid");
        let kids: Vec<_> = config
            .auth
            .jwt_keys
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(kids, ["new", "old"]);
    }

    #[test]
    fn cors_origins_must_be_bare_origins() {
        let err = load(&[("TRELLIS_CORS_ORIGINS", "https://app.example.com/path")]).unwrap_err();
        assert_eq!(err.variable, "TRELLIS_CORS_ORIGINS");
        let config = load(&[
            ("TRELLIS_CORS_ORIGINS", "https://app.example.com"),
            ("TRELLIS_PUBLIC_URL", "https://api.example.com/"),
        ])
        .expect("valid");
        assert_eq!(
            config.allowed_origins(),
            ["https://api.example.com", "https://app.example.com"]
        );
    }

    #[test]
    fn production_requires_database_url() {
        let err = load(&[("TRELLIS_ENV", "production")]).unwrap_err();
        assert_eq!(err.variable, "DATABASE_URL");
    }

    #[test]
    fn malformed_values_name_their_variable() {
        assert_eq!(
            load(&[("TRELLIS_LISTEN", "nowhere")]).unwrap_err().variable,
            "TRELLIS_LISTEN"
        );
        assert_eq!(
            load(&[("TRELLIS_ENV", "prod")]).unwrap_err().variable,
            "TRELLIS_ENV"
        );
        assert_eq!(
            load(&[("TRELLIS_DB_POOL_SIZE", "0")]).unwrap_err().variable,
            "TRELLIS_DB_POOL_SIZE"
        );
        let err = load(&[("DATABASE_URL", "mysql://user:secret@x/db")]).unwrap_err();
        assert_eq!(err.variable, "DATABASE_URL");
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn billing_is_off_without_stripe_and_reads_every_variable_with_it() {
        let config = load(&[]).expect("defaults are valid");
        assert!(!config.billing.enabled());
        assert_eq!(config.billing.grace, chrono::Duration::days(7));
        assert_eq!(config.billing.stripe_api_base, "https://api.stripe.com/");

        let config = load(&[
            ("STRIPE_SECRET_KEY", "sk_test_123"),
            ("STRIPE_WEBHOOK_SECRETS", "whsec_new, whsec_old"),
            ("STRIPE_API_BASE", "http://127.0.0.1:12111"),
            ("STRIPE_PRICE_TEAM", "price_team"),
            ("STRIPE_PRICE_BUSINESS", "price_business"),
            ("TRELLIS_BILLING_GRACE", "0s"),
        ])
        .expect("valid");
        assert!(config.billing.enabled());
        assert_eq!(config.billing.stripe_webhook_secrets.len(), 2);
        assert_eq!(config.billing.grace, chrono::Duration::zero());
        assert!(!format!("{config:?}").contains("sk_test_123"));
        assert!(!format!("{config:?}").contains("whsec_new"));
    }

    #[test]
    fn attachment_storage_is_local_without_a_bucket_and_validated_with_one() {
        let config = load(&[]).expect("defaults are valid");
        assert!(config.attachments.s3_bucket.is_none());
        assert_eq!(config.attachments.max_file_bytes, 100 << 20);
        let config = load(&[
            ("TRELLIS_S3_BUCKET", "trellis-prod-attachments"),
            ("TRELLIS_S3_PREFIX", "attachments"),
            ("TRELLIS_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("TRELLIS_ATTACHMENT_MAX_BYTES", "1024"),
        ])
        .expect("valid");
        assert_eq!(config.attachments.s3_prefix, "attachments/");
        assert_eq!(config.attachments.max_file_bytes, 1024);
        for (variable, value) in [
            ("TRELLIS_S3_BUCKET", "Not_A_Bucket"),
            ("TRELLIS_S3_PREFIX", "../elsewhere/"),
            ("TRELLIS_S3_PREFIX", "/rooted/"),
            ("TRELLIS_ATTACHMENT_MAX_BYTES", "0"),
            ("TRELLIS_ATTACHMENT_MAX_BYTES", "6442450944"),
        ] {
            let mut pairs = vec![("TRELLIS_S3_BUCKET", "bucket")];
            pairs.retain(|(k, _)| *k != variable);
            pairs.push((variable, value));
            assert_eq!(load(&pairs).unwrap_err().variable, variable, "{value}");
        }
        assert_eq!(
            load(&[("TRELLIS_S3_ENDPOINT", "http://127.0.0.1:9000")])
                .unwrap_err()
                .variable,
            "TRELLIS_S3_ENDPOINT"
        );
    }

    #[test]
    fn billing_grace_and_half_configurations_are_checked() {
        assert_eq!(parse_duration("7d"), Ok(chrono::Duration::days(7)));
        assert_eq!(parse_duration("36h"), Ok(chrono::Duration::hours(36)));
        for bad in ["7", "d", "7w", "-1d", "400d", ""] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(
            load(&[("TRELLIS_BILLING_GRACE", "a week")])
                .unwrap_err()
                .variable,
            "TRELLIS_BILLING_GRACE"
        );
        assert_eq!(
            load(&[("STRIPE_SECRET_KEY", "sk_test_123")])
                .unwrap_err()
                .variable,
            "STRIPE_WEBHOOK_SECRETS"
        );
        assert_eq!(
            load(&[("STRIPE_API_BASE", "ftp://x")])
                .unwrap_err()
                .variable,
            "STRIPE_API_BASE"
        );
    }
}
