//! Secrets from AWS SSM Parameter Store, loaded once at start.
//!
//! With `TRELLIS_SSM_PATH=/trellis/prod/` every parameter under that path (recursively,
//! SecureStrings decrypted) becomes a configuration variable named by the rest of its
//! name: `/trellis/prod/DATABASE_URL` -> `DATABASE_URL`. A variable set in the process
//! environment wins over SSM, so an operator can override one value without editing
//! the parameter. Values are never logged; names are.
//!
//! Region and credentials come from the standard AWS chain (`AWS_REGION`, the ECS task
//! role, ...); `AWS_ENDPOINT_URL` points the client elsewhere (tests use moto).

use std::collections::BTreeMap;

use anyhow::Context;
use aws_config::BehaviorVersion;
use aws_sdk_ssm::config::Credentials;
use aws_smithy_http_client::tls;

/// Where to load parameters from. `Default` means the standard AWS chain.
#[derive(Debug, Clone, Default)]
pub struct SsmOptions {
    /// Endpoint override (otherwise `AWS_ENDPOINT_URL[_SSM]` or the regional endpoint).
    pub endpoint: Option<String>,
    /// Region override (otherwise `AWS_REGION`, profile or instance metadata).
    pub region: Option<String>,
    /// Static credentials (otherwise the default provider chain).
    pub credentials: Option<Credentials>,
}

async fn client(options: &SsmOptions) -> aws_sdk_ssm::Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http);
    if let Some(endpoint) = &options.endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    if let Some(region) = &options.region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    if let Some(credentials) = &options.credentials {
        loader = loader.credentials_provider(credentials.clone());
    }
    aws_sdk_ssm::Client::new(&loader.load().await)
}

/// Whether `name` can be a configuration variable (upper-case letters, digits, `_`).
fn variable_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Loads every parameter under `path` as `variable -> value`.
pub async fn load(path: &str, options: &SsmOptions) -> anyhow::Result<BTreeMap<String, String>> {
    let prefix = if path.ends_with('/') {
        path.to_owned()
    } else {
        format!("{path}/")
    };
    let client = client(options).await;
    let mut pages = client
        .get_parameters_by_path()
        .path(&prefix)
        .recursive(true)
        .with_decryption(true)
        .into_paginator()
        .send();
    let mut out = BTreeMap::new();
    while let Some(page) = pages.next().await {
        let page = page
            .with_context(|| format!("reading SSM parameters under {prefix} (TRELLIS_SSM_PATH)"))?;
        for parameter in page.parameters() {
            let (Some(name), Some(value)) = (parameter.name(), parameter.value()) else {
                continue;
            };
            let variable = name.strip_prefix(&prefix).unwrap_or(name);
            if variable_name(variable) {
                out.insert(variable.to_owned(), value.to_owned());
            } else {
                tracing::warn!(
                    parameter = name,
                    "ignoring SSM parameter: its name is not a configuration variable"
                );
            }
        }
    }
    tracing::info!(path = prefix, variables = ?out.keys().collect::<Vec<_>>(), "loaded configuration from SSM");
    Ok(out)
}

#[cfg(test)]
mod tests;
