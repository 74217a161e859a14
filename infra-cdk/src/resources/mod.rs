//! Typed CloudFormation resources (the "L1" layer): one struct per resource type the
//! Trellis stacks use, holding the properties they set.
//!
//! Field names are the CloudFormation property names in snake_case (renamed where
//! CloudFormation's capitalisation is irregular, e.g. `MultiAZ`); `None` leaves a
//! property out. Each `Ref<T>` has typed accessors for the attributes it offers.

pub mod acm;
pub mod cloudfront;
pub mod cloudwatch;
pub mod codedeploy;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod elasticache;
pub mod elbv2;
pub mod iam;
pub mod kms;
pub mod logs;
pub mod rds;
pub mod route53;
pub mod s3;
pub mod secretsmanager;
pub mod sns;
pub mod ssm;

use serde::Serialize;

use crate::model::Expr;

/// A resource tag.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: Expr<String>,
}

impl Tag {
    /// The `Name` tag the EC2 console shows.
    pub fn name(value: impl Into<Expr<String>>) -> Vec<Tag> {
        vec![Tag {
            key: "Name".to_owned(),
            value: value.into(),
        }]
    }
}

/// A `Key`/`Value` pair as load balancers and target groups take their attributes.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyValue {
    pub key: String,
    pub value: Expr<String>,
}

impl KeyValue {
    /// Builds the list from pairs.
    pub fn list(pairs: &[(&str, &str)]) -> Vec<KeyValue> {
        pairs
            .iter()
            .map(|(k, v)| KeyValue {
                key: (*k).to_owned(),
                value: Expr::lit(*v),
            })
            .collect()
    }
}

/// Declares a resource type: `resource!(Vpc, "AWS::EC2::VPC")`.
macro_rules! resource_type {
    ($ty:ty, $name:literal) => {
        impl $crate::model::Resource for $ty {
            const TYPE: &'static str = $name;
        }
    };
}
pub(crate) use resource_type;

/// Adds typed attribute accessors to `Ref<T>`:
/// `attributes!(Vpc { cidr_block => "CidrBlock" })`.
macro_rules! attributes {
    ($ty:ty { $($(#[$doc:meta])* $method:ident => $attr:literal),* $(,)? }) => {
        impl $crate::model::Ref<$ty> {
            $(
                $(#[$doc])*
                pub fn $method(&self) -> $crate::model::Expr<String> {
                    self.get_att($attr)
                }
            )*
        }
    };
}
pub(crate) use attributes;
