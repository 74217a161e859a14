//! Amazon CloudFront.

use serde::Serialize;

use super::{attributes, resource_type};
use crate::model::Expr;

/// `AWS::CloudFront::OriginAccessControl`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OriginAccessControl {
    pub origin_access_control_config: OriginAccessControlConfig,
}
resource_type!(OriginAccessControl, "AWS::CloudFront::OriginAccessControl");
attributes!(OriginAccessControl {
    /// The id an origin takes.
    id => "Id",
});

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OriginAccessControlConfig {
    pub name: Expr<String>,
    pub origin_access_control_origin_type: String,
    pub signing_behavior: String,
    pub signing_protocol: String,
}

/// `AWS::CloudFront::Distribution`; `Ref` is its id.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Distribution {
    pub distribution_config: DistributionConfig,
}
resource_type!(Distribution, "AWS::CloudFront::Distribution");
attributes!(Distribution {
    /// `dxxxx.cloudfront.net`.
    domain_name => "DomainName",
});

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DistributionConfig {
    pub enabled: bool,
    pub comment: String,
    pub aliases: Vec<String>,
    pub default_root_object: String,
    pub http_version: String,
    #[serde(rename = "IPV6Enabled")]
    pub ipv6_enabled: bool,
    pub price_class: String,
    pub origins: Vec<Origin>,
    pub default_cache_behavior: DefaultCacheBehavior,
    pub custom_error_responses: Vec<CustomErrorResponse>,
    pub viewer_certificate: ViewerCertificate,
    pub logging: Logging,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Origin {
    pub id: String,
    pub domain_name: Expr<String>,
    pub origin_access_control_id: Expr<String>,
    pub s3_origin_config: S3OriginConfig,
}

/// Empty identity: access goes through the origin access control instead.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct S3OriginConfig {
    pub origin_access_identity: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DefaultCacheBehavior {
    pub target_origin_id: String,
    pub viewer_protocol_policy: String,
    pub allowed_methods: Vec<String>,
    pub cached_methods: Vec<String>,
    pub compress: bool,
    pub cache_policy_id: String,
    pub response_headers_policy_id: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CustomErrorResponse {
    pub error_code: u16,
    pub response_code: u16,
    pub response_page_path: String,
    #[serde(rename = "ErrorCachingMinTTL")]
    pub error_caching_min_ttl: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ViewerCertificate {
    pub acm_certificate_arn: Expr<String>,
    pub minimum_protocol_version: String,
    pub ssl_support_method: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Logging {
    pub bucket: Expr<String>,
    pub prefix: String,
    pub include_cookies: bool,
}
