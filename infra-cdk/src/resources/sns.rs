//! Amazon SNS.

use serde::Serialize;

use super::resource_type;
use crate::model::Expr;

/// `AWS::SNS::Topic`; `Ref` is its ARN.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Topic {
    pub display_name: Option<String>,
    pub kms_master_key_id: Option<Expr<String>>,
}
resource_type!(Topic, "AWS::SNS::Topic");

/// `AWS::SNS::Subscription`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Subscription {
    pub topic_arn: Expr<String>,
    pub protocol: String,
    pub endpoint: Expr<String>,
}
resource_type!(Subscription, "AWS::SNS::Subscription");
