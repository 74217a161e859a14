//! Amazon ElastiCache.

use serde::Serialize;

use super::{attributes, resource_type};
use crate::model::Expr;

/// `AWS::ElastiCache::SubnetGroup`; `Ref` is its name.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SubnetGroup {
    pub description: String,
    pub subnet_ids: Vec<Expr<String>>,
}
resource_type!(SubnetGroup, "AWS::ElastiCache::SubnetGroup");

/// `AWS::ElastiCache::ReplicationGroup`; `Ref` is its id.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReplicationGroup {
    pub replication_group_description: String,
    pub engine: String,
    pub engine_version: String,
    pub cache_node_type: String,
    pub num_cache_clusters: u32,
    pub automatic_failover_enabled: bool,
    #[serde(rename = "MultiAZEnabled")]
    pub multi_az_enabled: bool,
    pub transit_encryption_enabled: bool,
    pub at_rest_encryption_enabled: bool,
    pub kms_key_id: Expr<String>,
    /// A dynamic reference, so the token never appears in the template.
    pub auth_token: Expr<String>,
    pub cache_subnet_group_name: Expr<String>,
    pub security_group_ids: Vec<Expr<String>>,
    pub snapshot_retention_limit: u32,
    pub auto_minor_version_upgrade: bool,
    pub port: u16,
}
resource_type!(ReplicationGroup, "AWS::ElastiCache::ReplicationGroup");
attributes!(ReplicationGroup {
    /// The primary's DNS name.
    primary_endpoint_address => "PrimaryEndPoint.Address",
    /// The primary's port.
    primary_endpoint_port => "PrimaryEndPoint.Port",
});
