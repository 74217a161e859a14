//! Per-environment settings: `infra-cdk/environments/ENV.toml`.

use serde::Deserialize;

use crate::constructs::alarms::AlarmProps;
use crate::constructs::blue_green::BlueGreenProps;
use crate::constructs::cache::CacheProps;
use crate::constructs::database::DatabaseProps;
use crate::constructs::network::NetworkProps;
use crate::constructs::service::ServiceProps;
use crate::constructs::static_site::StaticSiteProps;

/// The environments shipped with the crate, by name.
pub const ENVIRONMENTS: &[(&str, &str)] = &[
    ("dev", include_str!("../environments/dev.toml")),
    ("staging", include_str!("../environments/staging.toml")),
    ("prod", include_str!("../environments/prod.toml")),
];

/// Why an environment file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum EnvironmentError {
    /// No such environment.
    #[error("unknown environment {0:?} (known: dev, staging, prod)")]
    Unknown(String),
    /// The TOML does not parse or has unknown keys.
    #[error("environment {env}: {source}")]
    Parse {
        /// The environment.
        env: String,
        /// The parser's complaint.
        source: toml::de::Error,
    },
    /// A value that parses but cannot work.
    #[error("environment {env}: {field}: {message}")]
    Invalid {
        /// The environment.
        env: String,
        /// The offending key.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// One environment: where it runs, its names, and the props of each construct. Every
/// section is optional and falls back to the construct's defaults.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// `dev`, `staging`, `prod` (taken from the file name).
    #[serde(skip)]
    pub name: String,
    /// The AWS account (12 digits) the environment lives in.
    pub account_id: String,
    /// Its region, e.g. `eu-west-1`.
    pub region: String,
    /// The domain under which `app.` (web app) and `api.` (API) live.
    pub domain: String,
    /// The Route 53 public hosted zone of `domain`.
    pub hosted_zone_id: String,
    /// Days access logs (load balancer, CloudFront, S3) are kept.
    #[serde(default = "default_access_log_retention_days")]
    pub access_log_retention_days: u32,
    /// VPC.
    #[serde(default)]
    pub network: NetworkProps,
    /// PostgreSQL.
    #[serde(default)]
    pub database: DatabaseProps,
    /// Redis.
    #[serde(default)]
    pub cache: CacheProps,
    /// ECS service and load balancer.
    #[serde(default)]
    pub service: ServiceProps,
    /// CodeDeploy.
    #[serde(default)]
    pub blue_green: BlueGreenProps,
    /// Alarm thresholds.
    #[serde(default)]
    pub alarms: AlarmProps,
    /// CloudFront.
    #[serde(default)]
    pub site: StaticSiteProps,
}

fn default_access_log_retention_days() -> u32 {
    90
}

impl Environment {
    /// The shipped environment `name`.
    pub fn named(name: &str) -> Result<Self, EnvironmentError> {
        let (_, text) = ENVIRONMENTS
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| EnvironmentError::Unknown(name.to_owned()))?;
        Self::parse(name, text)
    }

    /// Parses and validates the settings of environment `name`.
    pub fn parse(name: &str, text: &str) -> Result<Self, EnvironmentError> {
        let mut env: Self = toml::from_str(text).map_err(|source| EnvironmentError::Parse {
            env: name.to_owned(),
            source,
        })?;
        env.name = name.to_owned();
        env.validate()?;
        Ok(env)
    }

    /// `app.DOMAIN`: the web app.
    pub fn app_domain(&self) -> String {
        format!("app.{}", self.domain)
    }

    /// `api.DOMAIN`: the API (load balancer).
    pub fn api_domain(&self) -> String {
        format!("api.{}", self.domain)
    }

    fn validate(&self) -> Result<(), EnvironmentError> {
        let invalid = |field, message: &str| {
            Err(EnvironmentError::Invalid {
                env: self.name.clone(),
                field,
                message: message.to_owned(),
            })
        };
        let name_ok = self.name.starts_with(|c: char| c.is_ascii_lowercase())
            && self.name.len() <= 16
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !name_ok {
            return invalid("name", "lowercase letters and digits, at most 16");
        }
        if self.account_id.len() != 12 || !self.account_id.chars().all(|c| c.is_ascii_digit()) {
            return invalid("account_id", "must be 12 digits");
        }
        let region_ok = self.region.split('-').count() == 3
            && self
                .region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !region_ok {
            return invalid("region", "must look like eu-west-1");
        }
        let domain_ok = self.domain.contains('.')
            && self.domain.len() <= 200
            && self.domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && label
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            });
        if !domain_ok {
            return invalid(
                "domain",
                "must be a lowercase DNS name such as trellis.example.com",
            );
        }
        if self.hosted_zone_id.is_empty()
            || !self
                .hosted_zone_id
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return invalid(
                "hosted_zone_id",
                "must be a Route 53 zone id such as Z0123456789ABCDEFGHIJ",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
        account_id = "123456789012"
        region = "eu-west-1"
        domain = "trellis.example.com"
        hosted_zone_id = "Z0123456789ABCDEFGHIJ"
    "#;

    #[test]
    fn every_shipped_environment_loads() {
        for (name, _) in ENVIRONMENTS {
            Environment::named(name).unwrap();
        }
    }

    #[test]
    fn omitted_sections_take_construct_defaults() {
        let env = Environment::parse("dev", MINIMAL).unwrap();
        assert_eq!(env.database, DatabaseProps::default());
        assert_eq!(env.api_domain(), "api.trellis.example.com");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let text = format!("{MINIMAL}\n[database]\ninstance_klass = \"db.t4g.micro\"\n");
        let err = Environment::parse("dev", &text).unwrap_err();
        assert!(err.to_string().contains("instance_klass"), "{err}");
    }

    #[test]
    fn a_malformed_account_is_refused() {
        let text = MINIMAL.replace("123456789012", "1234");
        let err = Environment::parse("dev", &text).unwrap_err();
        assert!(err.to_string().contains("account_id"), "{err}");
    }

    #[test]
    fn an_unknown_environment_is_named_in_the_error() {
        let err = Environment::named("qa").unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown environment \"qa\" (known: dev, staging, prod)"
        );
    }
}
