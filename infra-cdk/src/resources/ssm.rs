//! AWS Systems Manager Parameter Store.

use serde::Serialize;

use super::resource_type;
use crate::model::Expr;

/// `AWS::SSM::Parameter`. CloudFormation can only create `String` and `StringList`
/// parameters; `SecureString`s are written by an operator (see docs/runbooks/secrets.md).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    pub name: String,
    #[serde(rename = "Type")]
    pub kind: String,
    pub value: Expr<String>,
    pub description: String,
}
resource_type!(Parameter, "AWS::SSM::Parameter");
