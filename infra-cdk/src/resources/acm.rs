//! AWS Certificate Manager.

use serde::Serialize;

use super::resource_type;
use crate::model::Expr;

/// `AWS::CertificateManager::Certificate`; `Ref` is its ARN.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Certificate {
    pub domain_name: Expr<String>,
    pub validation_method: String,
    pub domain_validation_options: Vec<DomainValidationOption>,
}
resource_type!(Certificate, "AWS::CertificateManager::Certificate");

/// Where CloudFormation writes the DNS validation record.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DomainValidationOption {
    pub domain_name: Expr<String>,
    pub hosted_zone_id: Expr<String>,
}
