//! AWS Secrets Manager.

use serde::Serialize;

use super::resource_type;
use crate::model::Expr;

/// `AWS::SecretsManager::Secret`; `Ref` is its ARN.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Secret {
    pub name: Expr<String>,
    pub description: String,
    pub kms_key_id: Expr<String>,
    pub generate_secret_string: GenerateSecretString,
}
resource_type!(Secret, "AWS::SecretsManager::Secret");

/// How Secrets Manager generates the value.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GenerateSecretString {
    pub password_length: u32,
    pub exclude_punctuation: bool,
}
