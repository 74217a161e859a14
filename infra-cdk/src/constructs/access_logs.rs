//! The bucket that receives access logs: the load balancer's, CloudFront's and the
//! other buckets' server access logs.

use serde_json::json;

use crate::model::{
    CheckovSkip, Expr, Pseudo, Ref, RemovalPolicy, ResourceOptions, Stack, SynthError,
};
use crate::resources::iam::{PolicyDocument, Principal, Statement};
use crate::resources::s3::{
    AbortIncompleteMultipartUpload, Bucket, BucketEncryption, BucketPolicy, LifecycleConfiguration,
    LifecycleRule, NoncurrentVersionExpiration, OwnershipControls, PublicAccessBlockConfiguration,
    VersioningConfiguration,
};

/// Where each producer writes in the log bucket.
pub const ALB_PREFIX: &str = "alb";
/// CloudFront's standard logs.
pub const CLOUDFRONT_PREFIX: &str = "cloudfront/";
/// S3 server access logs; each bucket adds its own folder.
pub const S3_PREFIX: &str = "s3/";

/// The log bucket.
pub struct AccessLogs {
    /// The bucket.
    pub bucket: Ref<Bucket>,
    /// Its policy (load balancers depend on it: they test their access at creation).
    pub policy: Ref<BucketPolicy>,
}

impl AccessLogs {
    /// Adds the bucket, keeping logs for `retention_days`. `region` picks the Elastic
    /// Load Balancing account that writes load balancer logs in regions older than
    /// August 2022 (newer ones use the log delivery service principal).
    pub fn new(stack: &mut Stack, region: &str, retention_days: u32) -> Result<Self, SynthError> {
        let bucket = stack.add_with(
            "AccessLogsBucket",
            Bucket {
                versioning_configuration: VersioningConfiguration {
                    status: "Enabled".to_owned(),
                },
                // Load balancers can only deliver to SSE-S3 buckets.
                bucket_encryption: BucketEncryption::s3_managed(),
                public_access_block_configuration: PublicAccessBlockConfiguration::all(),
                // CloudFront's standard logging writes through bucket ACLs.
                ownership_controls: OwnershipControls::new("BucketOwnerPreferred"),
                logging_configuration: None,
                lifecycle_configuration: LifecycleConfiguration {
                    rules: vec![LifecycleRule {
                        id: "expire-logs".to_owned(),
                        status: "Enabled".to_owned(),
                        expiration_in_days: Some(retention_days),
                        noncurrent_version_expiration: Some(NoncurrentVersionExpiration {
                            noncurrent_days: 7,
                        }),
                        abort_incomplete_multipart_upload: AbortIncompleteMultipartUpload {
                            days_after_initiation: 1,
                        },
                    }],
                },
                cors_configuration: None,
            },
            ResourceOptions::keep_data(RemovalPolicy::Retain).skip_checkov(&[CheckovSkip {
                id: "CKV_AWS_18",
                comment: "This is the access log bucket; logging it into itself would loop",
            }]),
        )?;

        let objects = |prefix: &str| Expr::sub(format!("${{AccessLogsBucket.Arn}}/{prefix}*"));
        let alb_objects = Expr::sub(format!(
            "${{AccessLogsBucket.Arn}}/{ALB_PREFIX}/AWSLogs/${{AWS::AccountId}}/*"
        ));
        let mut statements = vec![
            deny_insecure_transport(&bucket),
            Statement::allow(&["s3:PutObject"], vec![alb_objects.clone()])
                .sid("LoadBalancerLogDelivery")
                .principal(Principal::service(
                    "logdelivery.elasticloadbalancing.amazonaws.com",
                )),
            Statement::allow(&["s3:PutObject"], vec![objects(S3_PREFIX)])
                .sid("S3ServerAccessLogs")
                .principal(Principal::service("logging.s3.amazonaws.com"))
                .condition(json!({
                    "StringEquals": {"aws:SourceAccount": Expr::pseudo(Pseudo::AccountId)}
                })),
        ];
        if let Some(account) = elb_account(region) {
            statements.push(
                Statement::allow(&["s3:PutObject"], vec![alb_objects])
                    .sid("LoadBalancerAccountLogDelivery")
                    .principal(Principal::aws(Expr::sub(format!(
                        "arn:${{AWS::Partition}}:iam::{account}:root"
                    )))),
            );
        }
        let policy = stack.add(
            "AccessLogsBucketPolicy",
            BucketPolicy {
                bucket: bucket.reference(),
                policy_document: PolicyDocument::new(statements),
            },
        )?;
        Ok(Self { bucket, policy })
    }
}

/// Refuses every request that does not use TLS.
pub(crate) fn deny_insecure_transport(bucket: &Ref<Bucket>) -> Statement {
    Statement::deny(
        &["s3:*"],
        vec![bucket.arn(), Expr::join("", [bucket.arn(), "/*".into()])],
    )
    .sid("DenyInsecureTransport")
    .principal(Principal::aws(Expr::lit("*")))
    .condition(json!({"Bool": {"aws:SecureTransport": "false"}}))
}

/// The Elastic Load Balancing account of regions opened before August 2022.
fn elb_account(region: &str) -> Option<&'static str> {
    Some(match region {
        "us-east-1" => "127311923021",
        "us-east-2" => "033677994240",
        "us-west-1" => "027434742980",
        "us-west-2" => "797873946194",
        "af-south-1" => "098369216593",
        "ap-east-1" => "754344448648",
        "ap-south-1" => "718504428378",
        "ap-northeast-1" => "582318560864",
        "ap-northeast-2" => "600734575887",
        "ap-northeast-3" => "383597477331",
        "ap-southeast-1" => "114774131450",
        "ap-southeast-2" => "783225319266",
        "ca-central-1" => "985666609251",
        "eu-central-1" => "054676820928",
        "eu-west-1" => "156460612806",
        "eu-west-2" => "652711504416",
        "eu-west-3" => "009996457667",
        "eu-south-1" => "635631232127",
        "eu-north-1" => "897822967062",
        "me-south-1" => "076674570225",
        "sa-east-1" => "507241528517",
        _ => return None,
    })
}
