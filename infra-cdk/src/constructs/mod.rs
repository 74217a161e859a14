//! Constructs (the "L2/L3" layer): groups of resources with secure defaults. Each takes
//! a props struct (`Default`, deserializable from an environment file) and the
//! constructs it builds on, and adds its resources to a [`Stack`](crate::Stack).

pub mod access_logs;
pub mod alarms;
pub mod blue_green;
pub mod cache;
pub mod certificate;
pub mod database;
pub mod dns;
pub mod encryption;
pub mod network;
pub mod parameters;
pub mod registry;
pub mod service;
pub mod static_site;
pub mod storage;

use crate::model::{CheckovSkip, Expr, Pseudo};

/// An ARN in this stack's partition, region and account:
/// `arn("ssm", "parameter/trellis/prod/*")`.
pub(crate) fn arn(service: &str, resource: &str) -> Expr<String> {
    Expr::sub(format!(
        "arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"
    ))
}

/// `service.REGION.amazonaws.com`, as `kms:ViaService` conditions name callers.
pub(crate) fn via_service(service: &str) -> Expr<String> {
    Expr::sub(format!("{service}.${{AWS::Region}}.amazonaws.com"))
}

/// `arn:PARTITION:iam::aws:policy/NAME` for an AWS managed policy.
pub(crate) fn managed_policy(name: &str) -> Expr<String> {
    Expr::sub_with(
        format!("arn:${{Partition}}:iam::aws:policy/{name}"),
        [("Partition", Expr::pseudo(Pseudo::Partition))],
    )
}

/// WAF is a product decision (cost, rule tuning) made per deployment, not a default.
pub(crate) const SKIP_WAF: CheckovSkip = CheckovSkip {
    id: "CKV_AWS_68",
    comment: "WAF is attached per deployment (rules need tuning against real traffic); see docs/runbooks/deploy.md",
};

/// CloudWatch Logs retention periods the service accepts, in days.
pub(crate) const LOG_RETENTION_DAYS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// A log group encrypted with the environment key and with a retention period.
pub(crate) fn log_group(
    stack: &mut crate::Stack,
    id: &str,
    name: &str,
    retention_in_days: u32,
    key: &encryption::EncryptionKey,
) -> Result<crate::Ref<crate::resources::logs::LogGroup>, crate::SynthError> {
    if !LOG_RETENTION_DAYS.contains(&retention_in_days) {
        return Err(crate::SynthError::InvalidProps {
            construct: "log group",
            message: format!(
                "retention of {retention_in_days} days is not one CloudWatch Logs offers ({LOG_RETENTION_DAYS:?})"
            ),
        });
    }
    stack.add_with(
        id,
        crate::resources::logs::LogGroup {
            log_group_name: name.into(),
            retention_in_days,
            kms_key_id: key.arn(),
        },
        crate::ResourceOptions::keep_data(crate::RemovalPolicy::Retain),
    )
}

/// How one environment's resources are named: `trellis-prod` for physical names,
/// `/trellis/prod/...` for log groups and SSM parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Names {
    env: String,
}

impl Names {
    /// Names for environment `env` (`dev`, `staging`, `prod`).
    pub fn new(env: &str) -> Self {
        Self {
            env: env.to_owned(),
        }
    }

    /// The environment's name.
    pub fn env(&self) -> &str {
        &self.env
    }

    /// `trellis-ENV`, or `trellis-ENV-SUFFIX`.
    pub fn physical(&self, suffix: &str) -> String {
        if suffix.is_empty() {
            format!("trellis-{}", self.env)
        } else {
            format!("trellis-{}-{suffix}", self.env)
        }
    }

    /// `/trellis/ENV/LEAF`, for log groups.
    pub fn path(&self, leaf: &str) -> String {
        format!("/trellis/{}/{leaf}", self.env)
    }

    /// `/trellis/ENV`: the SSM path everything the backend reads at start lives under.
    pub fn ssm_path(&self) -> String {
        format!("/trellis/{}", self.env)
    }
}
