//! The single-page app: a private S3 bucket served by CloudFront through an origin
//! access control, unknown paths answered with `index.html` (client-side routing).

use serde::Deserialize;
use serde_json::json;

use super::access_logs::{AccessLogs, CLOUDFRONT_PREFIX, S3_PREFIX, deny_insecure_transport};
use super::encryption::EncryptionKey;
use super::{Names, SKIP_WAF};
use crate::model::{Expr, Ref, RemovalPolicy, ResourceOptions, Stack, SynthError};
use crate::resources::cloudfront::{
    CustomErrorResponse, DefaultCacheBehavior, Distribution, DistributionConfig, Logging, Origin,
    OriginAccessControl, OriginAccessControlConfig, S3OriginConfig, ViewerCertificate,
};
use crate::resources::iam::{PolicyDocument, Principal, Statement};
use crate::resources::s3::{
    AbortIncompleteMultipartUpload, Bucket, BucketPolicy, LifecycleRule, LoggingConfiguration,
    NoncurrentVersionExpiration,
};

/// CloudFront settings.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StaticSiteProps {
    /// `PriceClass_100` (North America, Europe), `PriceClass_200` or `PriceClass_All`.
    pub price_class: String,
}

impl Default for StaticSiteProps {
    fn default() -> Self {
        Self {
            price_class: "PriceClass_100".to_owned(),
        }
    }
}

/// AWS managed cache policy `CachingOptimized`.
const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/// AWS managed response headers policy `SecurityHeadersPolicy` (HSTS, nosniff, frame
/// options, referrer policy).
const SECURITY_HEADERS: &str = "67f7725c-6f97-4210-82d7-5512b31e9d03";

/// The bucket and the distribution.
pub struct StaticSite {
    /// Where the workflow uploads the built app.
    pub bucket: Ref<Bucket>,
    /// The distribution.
    pub distribution: Ref<Distribution>,
}

impl StaticSite {
    /// Adds the site for `domain`. `certificate_arn` must be a certificate in
    /// us-east-1 (CloudFront's requirement), hence a parameter fed from the edge stack.
    pub fn new(
        stack: &mut Stack,
        names: &Names,
        props: &StaticSiteProps,
        domain: &str,
        certificate_arn: Expr<String>,
        key: &EncryptionKey,
        logs: &AccessLogs,
    ) -> Result<Self, SynthError> {
        let bucket = stack.add_with(
            "SiteBucket",
            Bucket::private(
                key.arn(),
                LoggingConfiguration {
                    destination_bucket_name: logs.bucket.reference(),
                    log_file_prefix: format!("{S3_PREFIX}site/"),
                },
                LifecycleRule {
                    id: "expire-old-builds".to_owned(),
                    status: "Enabled".to_owned(),
                    expiration_in_days: None,
                    noncurrent_version_expiration: Some(NoncurrentVersionExpiration {
                        noncurrent_days: 30,
                    }),
                    abort_incomplete_multipart_upload: AbortIncompleteMultipartUpload {
                        days_after_initiation: 1,
                    },
                },
            ),
            ResourceOptions::keep_data(RemovalPolicy::Retain),
        )?;
        let access = stack.add(
            "SiteOriginAccessControl",
            OriginAccessControl {
                origin_access_control_config: OriginAccessControlConfig {
                    name: Expr::lit(names.physical("site")),
                    origin_access_control_origin_type: "s3".to_owned(),
                    signing_behavior: "always".to_owned(),
                    signing_protocol: "sigv4".to_owned(),
                },
            },
        )?;
        let origin_id = "site-bucket".to_owned();
        let spa_fallback = |code: u16| CustomErrorResponse {
            error_code: code,
            response_code: 200,
            response_page_path: "/index.html".to_owned(),
            error_caching_min_ttl: 0,
        };
        let distribution = stack.add_with(
            "SiteDistribution",
            Distribution {
                distribution_config: DistributionConfig {
                    enabled: true,
                    comment: format!("{} web app", names.physical("")),
                    aliases: vec![domain.to_owned()],
                    default_root_object: "index.html".to_owned(),
                    http_version: "http2and3".to_owned(),
                    ipv6_enabled: true,
                    price_class: props.price_class.clone(),
                    origins: vec![Origin {
                        id: origin_id.clone(),
                        domain_name: bucket.regional_domain_name(),
                        origin_access_control_id: access.id(),
                        s3_origin_config: S3OriginConfig {
                            origin_access_identity: String::new(),
                        },
                    }],
                    default_cache_behavior: DefaultCacheBehavior {
                        target_origin_id: origin_id,
                        viewer_protocol_policy: "redirect-to-https".to_owned(),
                        allowed_methods: vec!["GET".to_owned(), "HEAD".to_owned()],
                        cached_methods: vec!["GET".to_owned(), "HEAD".to_owned()],
                        compress: true,
                        cache_policy_id: CACHING_OPTIMIZED.to_owned(),
                        response_headers_policy_id: SECURITY_HEADERS.to_owned(),
                    },
                    // S3 answers 403 for a missing key when the caller may not list the
                    // bucket, 404 otherwise: both mean "a client-side route".
                    custom_error_responses: vec![spa_fallback(403), spa_fallback(404)],
                    viewer_certificate: ViewerCertificate {
                        acm_certificate_arn: certificate_arn,
                        minimum_protocol_version: "TLSv1.2_2021".to_owned(),
                        ssl_support_method: "sni-only".to_owned(),
                    },
                    logging: Logging {
                        bucket: logs.bucket.domain_name(),
                        prefix: CLOUDFRONT_PREFIX.to_owned(),
                        include_cookies: false,
                    },
                },
            },
            ResourceOptions::default().skip_checkov(&[SKIP_WAF]),
        )?;
        stack.add(
            "SiteBucketPolicy",
            BucketPolicy {
                bucket: bucket.reference(),
                policy_document: PolicyDocument::new(vec![
                    deny_insecure_transport(&bucket),
                    Statement::allow(
                        &["s3:GetObject"],
                        vec![Expr::join("", [bucket.arn(), "/*".into()])],
                    )
                    .sid("CloudFrontReads")
                    .principal(Principal::service("cloudfront.amazonaws.com"))
                    .condition(json!({
                        "StringEquals": {
                            "AWS:SourceArn": Expr::sub("arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${SiteDistribution}")
                        }
                    })),
                ]),
            },
        )?;
        Ok(Self {
            bucket,
            distribution,
        })
    }
}
