//! Amazon S3.

use serde::Serialize;

use super::iam::PolicyDocument;
use super::{attributes, resource_type};
use crate::model::Expr;

/// `AWS::S3::Bucket`; `Ref` is its name.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Bucket {
    pub versioning_configuration: VersioningConfiguration,
    pub bucket_encryption: BucketEncryption,
    pub public_access_block_configuration: PublicAccessBlockConfiguration,
    pub ownership_controls: OwnershipControls,
    pub logging_configuration: Option<LoggingConfiguration>,
    pub lifecycle_configuration: LifecycleConfiguration,
    pub cors_configuration: Option<CorsConfiguration>,
}
resource_type!(Bucket, "AWS::S3::Bucket");

impl Bucket {
    /// A private bucket as every bucket of ours is: versioned, encrypted with `key_arn`,
    /// all public access blocked, owner-enforced, access-logged to `logs`, with one
    /// lifecycle rule and no CORS.
    pub fn private(key_arn: Expr<String>, logs: LoggingConfiguration, rule: LifecycleRule) -> Self {
        Bucket {
            versioning_configuration: VersioningConfiguration {
                status: "Enabled".to_owned(),
            },
            bucket_encryption: BucketEncryption::kms(key_arn),
            public_access_block_configuration: PublicAccessBlockConfiguration::all(),
            ownership_controls: OwnershipControls::new("BucketOwnerEnforced"),
            logging_configuration: Some(logs),
            lifecycle_configuration: LifecycleConfiguration { rules: vec![rule] },
            cors_configuration: None,
        }
    }
}
attributes!(Bucket {
    /// The bucket's ARN.
    arn => "Arn",
    /// `NAME.s3.amazonaws.com`, what CloudFront logging takes.
    domain_name => "DomainName",
    /// `NAME.s3.REGION.amazonaws.com`, what a CloudFront origin takes.
    regional_domain_name => "RegionalDomainName",
});

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VersioningConfiguration {
    pub status: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketEncryption {
    pub server_side_encryption_configuration: Vec<ServerSideEncryptionRule>,
}

impl BucketEncryption {
    /// SSE-KMS with the given key, with S3 bucket keys to keep KMS calls down.
    pub fn kms(key_arn: Expr<String>) -> Self {
        Self::rule("aws:kms", Some(key_arn))
    }

    /// SSE-S3 (for consumers that cannot use KMS: ALB access logs, CloudFront logs).
    pub fn s3_managed() -> Self {
        Self::rule("AES256", None)
    }

    fn rule(algorithm: &str, key: Option<Expr<String>>) -> Self {
        Self {
            server_side_encryption_configuration: vec![ServerSideEncryptionRule {
                bucket_key_enabled: key.is_some(),
                server_side_encryption_by_default: ServerSideEncryptionByDefault {
                    sse_algorithm: algorithm.to_owned(),
                    kms_master_key_id: key,
                },
            }],
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServerSideEncryptionRule {
    pub bucket_key_enabled: bool,
    pub server_side_encryption_by_default: ServerSideEncryptionByDefault,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServerSideEncryptionByDefault {
    #[serde(rename = "SSEAlgorithm")]
    pub sse_algorithm: String,
    #[serde(rename = "KMSMasterKeyID")]
    pub kms_master_key_id: Option<Expr<String>>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PublicAccessBlockConfiguration {
    pub block_public_acls: bool,
    pub block_public_policy: bool,
    pub ignore_public_acls: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlockConfiguration {
    /// Every block on.
    pub fn all() -> Self {
        Self {
            block_public_acls: true,
            block_public_policy: true,
            ignore_public_acls: true,
            restrict_public_buckets: true,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OwnershipControls {
    pub rules: Vec<OwnershipControlsRule>,
}

impl OwnershipControls {
    /// `BucketOwnerEnforced` (ACLs off) or `BucketOwnerPreferred`.
    pub fn new(object_ownership: &str) -> Self {
        Self {
            rules: vec![OwnershipControlsRule {
                object_ownership: object_ownership.to_owned(),
            }],
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OwnershipControlsRule {
    pub object_ownership: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoggingConfiguration {
    pub destination_bucket_name: Expr<String>,
    pub log_file_prefix: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleConfiguration {
    pub rules: Vec<LifecycleRule>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LifecycleRule {
    pub id: String,
    pub status: String,
    pub expiration_in_days: Option<u32>,
    pub noncurrent_version_expiration: Option<NoncurrentVersionExpiration>,
    pub abort_incomplete_multipart_upload: AbortIncompleteMultipartUpload,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NoncurrentVersionExpiration {
    pub noncurrent_days: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AbortIncompleteMultipartUpload {
    pub days_after_initiation: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CorsConfiguration {
    pub cors_rules: Vec<CorsRule>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CorsRule {
    pub allowed_origins: Vec<String>,
    pub allowed_methods: Vec<String>,
    pub allowed_headers: Vec<String>,
    pub max_age: u32,
}

/// `AWS::S3::BucketPolicy`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketPolicy {
    pub bucket: Expr<String>,
    pub policy_document: PolicyDocument,
}
resource_type!(BucketPolicy, "AWS::S3::BucketPolicy");
