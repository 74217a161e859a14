//! AWS Key Management Service.

use serde::Serialize;

use super::iam::PolicyDocument;
use super::{attributes, resource_type};
use crate::model::Expr;

/// `AWS::KMS::Key`; `Ref` is its key id.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Key {
    pub description: String,
    pub enable_key_rotation: bool,
    pub pending_window_in_days: u32,
    pub key_policy: PolicyDocument,
}
resource_type!(Key, "AWS::KMS::Key");
attributes!(Key {
    /// The key's ARN (what log groups, SNS and Secrets Manager want).
    arn => "Arn",
});

/// `AWS::KMS::Alias`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Alias {
    pub alias_name: String,
    pub target_key_id: Expr<String>,
}
resource_type!(Alias, "AWS::KMS::Alias");
