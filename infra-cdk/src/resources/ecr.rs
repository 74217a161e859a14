//! Amazon ECR.

use serde::Serialize;

use super::{attributes, resource_type};

/// `AWS::ECR::Repository`; `Ref` is its name.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Repository {
    pub repository_name: String,
    pub image_tag_mutability: String,
    pub image_scanning_configuration: ImageScanningConfiguration,
    pub encryption_configuration: EncryptionConfiguration,
    pub lifecycle_policy: LifecyclePolicy,
}
resource_type!(Repository, "AWS::ECR::Repository");
attributes!(Repository {
    /// The repository's ARN.
    arn => "Arn",
    /// `ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`.
    repository_uri => "RepositoryUri",
});

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageScanningConfiguration {
    pub scan_on_push: bool,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EncryptionConfiguration {
    pub encryption_type: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecyclePolicy {
    /// The lifecycle policy as JSON text.
    pub lifecycle_policy_text: String,
}
