//! Amazon RDS.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{attributes, resource_type};
use crate::model::Expr;

/// `AWS::RDS::DBSubnetGroup`; `Ref` is its name.
#[derive(Clone, Debug, Serialize)]
pub struct DbSubnetGroup {
    #[serde(rename = "DBSubnetGroupDescription")]
    pub description: String,
    #[serde(rename = "SubnetIds")]
    pub subnet_ids: Vec<Expr<String>>,
}
resource_type!(DbSubnetGroup, "AWS::RDS::DBSubnetGroup");

/// `AWS::RDS::DBParameterGroup`; `Ref` is its name.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DbParameterGroup {
    pub description: String,
    pub family: String,
    pub parameters: BTreeMap<String, String>,
}
resource_type!(DbParameterGroup, "AWS::RDS::DBParameterGroup");

/// `AWS::RDS::DBInstance`; `Ref` is its identifier.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DbInstance {
    pub engine: String,
    pub engine_version: String,
    #[serde(rename = "DBInstanceClass")]
    pub db_instance_class: String,
    #[serde(rename = "DBInstanceIdentifier")]
    pub db_instance_identifier: String,
    #[serde(rename = "DBName")]
    pub db_name: String,
    pub master_username: String,
    /// RDS keeps the master password in Secrets Manager, encrypted with
    /// `master_user_secret`'s key.
    pub manage_master_user_password: bool,
    pub master_user_secret: MasterUserSecret,
    pub allocated_storage: String,
    pub max_allocated_storage: u32,
    pub storage_type: String,
    pub storage_encrypted: bool,
    pub kms_key_id: Expr<String>,
    #[serde(rename = "MultiAZ")]
    pub multi_az: bool,
    pub publicly_accessible: bool,
    #[serde(rename = "DBSubnetGroupName")]
    pub db_subnet_group_name: Expr<String>,
    #[serde(rename = "DBParameterGroupName")]
    pub db_parameter_group_name: Expr<String>,
    #[serde(rename = "VPCSecurityGroups")]
    pub vpc_security_groups: Vec<Expr<String>>,
    pub deletion_protection: bool,
    pub backup_retention_period: u32,
    pub preferred_backup_window: String,
    pub preferred_maintenance_window: String,
    pub copy_tags_to_snapshot: bool,
    pub auto_minor_version_upgrade: bool,
    #[serde(rename = "EnableIAMDatabaseAuthentication")]
    pub enable_iam_database_authentication: bool,
    pub enable_performance_insights: bool,
    #[serde(rename = "PerformanceInsightsKMSKeyId")]
    pub performance_insights_kms_key_id: Expr<String>,
    pub performance_insights_retention_period: u32,
    pub monitoring_interval: u32,
    pub monitoring_role_arn: Expr<String>,
    pub enable_cloudwatch_logs_exports: Vec<String>,
}
resource_type!(DbInstance, "AWS::RDS::DBInstance");
attributes!(DbInstance {
    /// The DNS name clients connect to.
    endpoint_address => "Endpoint.Address",
    /// The port clients connect to.
    endpoint_port => "Endpoint.Port",
    /// The Secrets Manager secret RDS keeps the master password in.
    master_user_secret_arn => "MasterUserSecret.SecretArn",
});

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MasterUserSecret {
    pub kms_key_id: Expr<String>,
}
