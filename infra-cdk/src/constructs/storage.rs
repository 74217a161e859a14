//! The attachments bucket: private (every public access block on), versioned,
//! encrypted with the environment key, reachable only over TLS 1.2 or later, with a
//! CORS rule for the web app's direct uploads.

use super::access_logs::{AccessLogs, S3_PREFIX, deny_insecure_transport};
use super::encryption::EncryptionKey;
use crate::model::{Expr, Ref, RemovalPolicy, ResourceOptions, Stack, SynthError};
use serde_json::json;

use crate::resources::iam::{PolicyDocument, Principal, Statement};
use crate::resources::s3::{
    AbortIncompleteMultipartUpload, Bucket, BucketPolicy, CorsConfiguration, CorsRule,
    LifecycleRule, LoggingConfiguration, NoncurrentVersionExpiration,
};

/// The key prefix attachments live under; the task role reaches nothing else.
pub const ATTACHMENTS_PREFIX: &str = "attachments/";

/// Where attachments live.
pub struct AttachmentStore {
    /// The bucket.
    pub bucket: Ref<Bucket>,
}

impl AttachmentStore {
    /// Adds the bucket. Browsers upload and download with presigned URLs from
    /// `app_origin` (`https://app.example.com`), hence the CORS rule.
    pub fn new(
        stack: &mut Stack,
        app_origin: &str,
        key: &EncryptionKey,
        logs: &AccessLogs,
    ) -> Result<Self, SynthError> {
        let bucket = stack.add_with(
            "AttachmentsBucket",
            Bucket {
                // Browsers upload with the presigned PUT (its Content-Type is signed, so
                // the preflight asks for it) and may fetch a presigned GET from script;
                // every other parameter travels in the signed query string.
                cors_configuration: Some(CorsConfiguration {
                    cors_rules: vec![CorsRule {
                        allowed_origins: vec![app_origin.to_owned()],
                        allowed_methods: vec!["PUT".to_owned(), "GET".to_owned()],
                        allowed_headers: vec!["content-type".to_owned()],
                        max_age: 3600,
                    }],
                }),
                ..Bucket::private(
                    key.arn(),
                    LoggingConfiguration {
                        destination_bucket_name: logs.bucket.reference(),
                        log_file_prefix: format!("{S3_PREFIX}attachments/"),
                    },
                    LifecycleRule {
                        id: "expire-replaced-versions".to_owned(),
                        status: "Enabled".to_owned(),
                        expiration_in_days: None,
                        // Deleted or replaced attachments stay restorable for 30 days.
                        noncurrent_version_expiration: Some(NoncurrentVersionExpiration {
                            noncurrent_days: 30,
                        }),
                        abort_incomplete_multipart_upload: AbortIncompleteMultipartUpload {
                            days_after_initiation: 7,
                        },
                    },
                )
            },
            // Versioning and the retained bucket cover deletion; cross-region
            // replication is a disaster-recovery choice left to each deployment.
            ResourceOptions::keep_data(RemovalPolicy::Retain),
        )?;
        stack.add(
            "AttachmentsBucketPolicy",
            BucketPolicy {
                bucket: bucket.reference(),
                policy_document: PolicyDocument::new(vec![
                    deny_insecure_transport(&bucket),
                    // Presigned URLs go straight from browsers to S3: no TLS below 1.2.
                    Statement::deny(
                        &["s3:*"],
                        vec![bucket.arn(), Expr::join("", [bucket.arn(), "/*".into()])],
                    )
                    .sid("DenyOutdatedTls")
                    .principal(Principal::aws(Expr::lit("*")))
                    .condition(json!({"NumericLessThan": {"s3:TlsVersion": "1.2"}})),
                ]),
            },
        )?;
        Ok(Self { bucket })
    }

    /// `arn:...:bucket/attachments/*`: the objects the task may touch.
    pub fn objects_arn(&self) -> Expr<String> {
        Expr::join(
            "",
            [self.bucket.arn(), format!("/{ATTACHMENTS_PREFIX}*").into()],
        )
    }
}
