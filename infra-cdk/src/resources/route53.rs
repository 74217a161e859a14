//! Amazon Route 53.

use serde::Serialize;

use super::resource_type;
use crate::model::Expr;

/// `AWS::Route53::RecordSet` (alias records only: that is all the stack needs).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RecordSet {
    pub hosted_zone_id: String,
    pub name: String,
    #[serde(rename = "Type")]
    pub kind: String,
    pub alias_target: AliasTarget,
}
resource_type!(RecordSet, "AWS::Route53::RecordSet");

#[derive(Clone, Debug, Serialize)]
pub struct AliasTarget {
    #[serde(rename = "DNSName")]
    pub dns_name: Expr<String>,
    #[serde(rename = "HostedZoneId")]
    pub hosted_zone_id: Expr<String>,
    #[serde(rename = "EvaluateTargetHealth")]
    pub evaluate_target_health: bool,
}
