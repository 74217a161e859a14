//! CloudWatch Logs.

use serde::Serialize;

use super::{attributes, resource_type};
use crate::model::Expr;

/// `AWS::Logs::LogGroup`; `Ref` is its name.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LogGroup {
    pub log_group_name: Expr<String>,
    pub retention_in_days: u32,
    /// The ARN of the KMS key that encrypts the events.
    pub kms_key_id: Expr<String>,
}
resource_type!(LogGroup, "AWS::Logs::LogGroup");
attributes!(LogGroup {
    /// The log group's ARN.
    arn => "Arn",
});
