//! AWS Identity and Access Management, and the policy documents other services share.

use serde::Serialize;
use serde_json::Value;

use super::{attributes, resource_type};
use crate::model::Expr;

/// `AWS::IAM::Role`; `Ref` is its name.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Role {
    pub role_name: Option<String>,
    pub description: String,
    pub assume_role_policy_document: PolicyDocument,
    pub managed_policy_arns: Option<Vec<Expr<String>>>,
    pub policies: Option<Vec<Policy>>,
}
resource_type!(Role, "AWS::IAM::Role");
attributes!(Role {
    /// The role's ARN.
    arn => "Arn",
});

/// An inline policy of a role.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Policy {
    pub policy_name: String,
    pub policy_document: PolicyDocument,
}

/// An IAM policy document (identity, trust, key or bucket policy).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    pub version: &'static str,
    pub statement: Vec<Statement>,
}

impl PolicyDocument {
    /// A document of these statements.
    pub fn new(statement: Vec<Statement>) -> Self {
        Self {
            version: "2012-10-17",
            statement,
        }
    }

    /// A trust policy letting an AWS service assume the role.
    pub fn assumable_by(service: &str) -> Self {
        Self::new(vec![Statement {
            principal: Some(Principal::service(service)),
            ..Statement::allow(&["sts:AssumeRole"], Vec::new())
        }])
    }
}

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// One policy statement.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: Option<Principal>,
    pub action: Vec<String>,
    /// Absent in trust policies.
    pub resource: Option<Vec<Expr<String>>>,
    /// The `Condition` block, as IAM writes it.
    pub condition: Option<Value>,
}

impl Statement {
    /// Allows `actions` on `resources` (none for a trust policy).
    pub fn allow(actions: &[&str], resources: Vec<Expr<String>>) -> Self {
        Self {
            sid: None,
            effect: Effect::Allow,
            principal: None,
            action: actions.iter().map(|a| (*a).to_owned()).collect(),
            resource: (!resources.is_empty()).then_some(resources),
            condition: None,
        }
    }

    /// Denies `actions` on `resources`.
    pub fn deny(actions: &[&str], resources: Vec<Expr<String>>) -> Self {
        Self {
            effect: Effect::Deny,
            ..Self::allow(actions, resources)
        }
    }

    /// Names the statement.
    pub fn sid(mut self, sid: &str) -> Self {
        self.sid = Some(sid.to_owned());
        self
    }

    /// Sets the principal (resource policies).
    pub fn principal(mut self, principal: Principal) -> Self {
        self.principal = Some(principal);
        self
    }

    /// Sets the condition block.
    pub fn condition(mut self, condition: Value) -> Self {
        self.condition = Some(condition);
        self
    }
}

/// Who a resource or trust policy speaks of.
#[derive(Clone, Debug, Serialize)]
pub struct Principal {
    #[serde(rename = "Service", skip_serializing_if = "Option::is_none")]
    pub service: Option<Vec<Expr<String>>>,
    #[serde(rename = "AWS", skip_serializing_if = "Option::is_none")]
    pub aws: Option<Vec<Expr<String>>>,
}

impl Principal {
    /// An AWS service principal such as `ecs-tasks.amazonaws.com`.
    pub fn service(service: impl Into<Expr<String>>) -> Self {
        Self {
            service: Some(vec![service.into()]),
            aws: None,
        }
    }

    /// An AWS account or role ARN.
    pub fn aws(arn: Expr<String>) -> Self {
        Self {
            service: None,
            aws: Some(vec![arn]),
        }
    }
}
