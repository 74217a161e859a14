//! Elastic Load Balancing (application load balancers).

use serde::Serialize;

use super::{KeyValue, attributes, resource_type};
use crate::model::Expr;

/// `AWS::ElasticLoadBalancingV2::LoadBalancer`; `Ref` is its ARN.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadBalancer {
    #[serde(rename = "Type")]
    pub kind: String,
    pub scheme: String,
    pub ip_address_type: String,
    pub subnets: Vec<Expr<String>>,
    pub security_groups: Vec<Expr<String>>,
    pub load_balancer_attributes: Vec<KeyValue>,
}
resource_type!(LoadBalancer, "AWS::ElasticLoadBalancingV2::LoadBalancer");
attributes!(LoadBalancer {
    /// The DNS name an alias record points at.
    dns_name => "DNSName",
    /// The Route 53 zone of that DNS name.
    canonical_hosted_zone_id => "CanonicalHostedZoneID",
    /// `app/NAME/ID`, the CloudWatch dimension.
    full_name => "LoadBalancerFullName",
});

/// `AWS::ElasticLoadBalancingV2::Listener`; `Ref` is its ARN.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Listener {
    pub load_balancer_arn: Expr<String>,
    pub port: u16,
    pub protocol: String,
    pub ssl_policy: Option<String>,
    pub certificates: Option<Vec<ListenerCertificate>>,
    pub default_actions: Vec<Action>,
}
resource_type!(Listener, "AWS::ElasticLoadBalancingV2::Listener");

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListenerCertificate {
    pub certificate_arn: Expr<String>,
}

/// A listener action: forward to a target group, or redirect.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Action {
    #[serde(rename = "Type")]
    pub kind: String,
    pub target_group_arn: Option<Expr<String>>,
    pub redirect_config: Option<RedirectConfig>,
}

impl Action {
    /// Forward everything to a target group.
    pub fn forward(target_group_arn: Expr<String>) -> Self {
        Self {
            kind: "forward".to_owned(),
            target_group_arn: Some(target_group_arn),
            redirect_config: None,
        }
    }

    /// Redirect to the same URL over HTTPS.
    pub fn redirect_to_https() -> Self {
        Self {
            kind: "redirect".to_owned(),
            target_group_arn: None,
            redirect_config: Some(RedirectConfig {
                protocol: "HTTPS".to_owned(),
                port: "443".to_owned(),
                status_code: "HTTP_301".to_owned(),
            }),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RedirectConfig {
    pub protocol: String,
    pub port: String,
    pub status_code: String,
}

/// `AWS::ElasticLoadBalancingV2::TargetGroup`; `Ref` is its ARN.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroup {
    pub port: u16,
    pub protocol: String,
    pub target_type: String,
    pub vpc_id: Expr<String>,
    pub health_check_enabled: bool,
    pub health_check_path: String,
    pub health_check_protocol: String,
    pub health_check_interval_seconds: u32,
    pub health_check_timeout_seconds: u32,
    pub healthy_threshold_count: u32,
    pub unhealthy_threshold_count: u32,
    pub matcher: Matcher,
    pub target_group_attributes: Vec<KeyValue>,
}
resource_type!(TargetGroup, "AWS::ElasticLoadBalancingV2::TargetGroup");
attributes!(TargetGroup {
    /// The generated name CodeDeploy takes.
    name => "TargetGroupName",
    /// `targetgroup/NAME/ID`, the CloudWatch dimension.
    full_name => "TargetGroupFullName",
});

#[derive(Clone, Debug, Serialize)]
pub struct Matcher {
    #[serde(rename = "HttpCode")]
    pub http_code: String,
}
