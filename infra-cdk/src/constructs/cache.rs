//! Redis on ElastiCache: a primary and replicas across zones, TLS, encrypted at rest,
//! AUTH token generated in Secrets Manager.

use serde::Deserialize;

use super::Names;
use super::encryption::EncryptionKey;
use super::network::Network;
use crate::model::{Expr, Ref, RemovalPolicy, ResourceOptions, Stack, SynthError};
use crate::resources::ec2::SecurityGroup;
use crate::resources::elasticache::{ReplicationGroup, SubnetGroup};
use crate::resources::secretsmanager::{GenerateSecretString, Secret};

/// Cache sizing.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct CacheProps {
    /// Redis engine version.
    pub engine_version: String,
    /// e.g. `cache.t4g.small`.
    pub node_type: String,
    /// Nodes (a primary plus replicas), 2 to 6: failover needs at least 2.
    pub nodes: u32,
    /// Days of daily snapshots kept.
    pub snapshot_retention_days: u32,
}

impl Default for CacheProps {
    fn default() -> Self {
        Self {
            engine_version: "7.1".to_owned(),
            node_type: "cache.t4g.small".to_owned(),
            nodes: 2,
            snapshot_retention_days: 1,
        }
    }
}

/// The replication group, its security group and the secret holding its AUTH token.
pub struct Cache {
    /// The replication group.
    pub group: Ref<ReplicationGroup>,
    /// Admits only what [`Network::allow`] lets in.
    pub security_group: Ref<SecurityGroup>,
    /// The AUTH token (operators copy it into the `REDIS_URL` SecureString).
    pub auth_token: Ref<Secret>,
}

/// The port Redis listens on.
pub const REDIS_PORT: u16 = 6379;

impl Cache {
    /// Adds the cache to the private subnets of `network`.
    pub fn new(
        stack: &mut Stack,
        names: &Names,
        props: &CacheProps,
        network: &Network,
        key: &EncryptionKey,
    ) -> Result<Self, SynthError> {
        if !(2..=6).contains(&props.nodes) {
            return Err(SynthError::InvalidProps {
                construct: "cache",
                message: "nodes must be between 2 and 6 (a primary and at least one replica)"
                    .to_owned(),
            });
        }
        let security_group =
            network.security_group(stack, "CacheSecurityGroup", &names.physical("cache"))?;
        let subnets = stack.add(
            "CacheSubnetGroup",
            SubnetGroup {
                description: format!("{} cache, private subnets", names.physical("")),
                subnet_ids: network.private_subnet_ids(),
            },
        )?;
        let auth_token = stack.add_with(
            "CacheAuthToken",
            Secret {
                name: names
                    .path("redis-auth-token")
                    .trim_start_matches('/')
                    .into(),
                description: "AUTH token of the Redis replication group".to_owned(),
                kms_key_id: key.arn(),
                // Redis AUTH tokens allow printable ASCII except a few signs; letters and
                // digits keep the token URL-safe inside REDIS_URL too.
                generate_secret_string: GenerateSecretString {
                    password_length: 64,
                    exclude_punctuation: true,
                },
            },
            // Not rotated by a Lambda: rotation must change the replication group and
            // REDIS_URL together, which docs/runbooks/secrets.md walks through.
            ResourceOptions::default(),
        )?;
        let group = stack.add_with(
            "Cache",
            ReplicationGroup {
                replication_group_description: format!("{} Redis", names.physical("")),
                engine: "redis".to_owned(),
                engine_version: props.engine_version.clone(),
                cache_node_type: props.node_type.clone(),
                num_cache_clusters: props.nodes,
                automatic_failover_enabled: true,
                multi_az_enabled: true,
                transit_encryption_enabled: true,
                at_rest_encryption_enabled: true,
                kms_key_id: key.arn(),
                // A dynamic reference: the token is resolved at deploy time and never
                // appears in the template or the stack's events.
                auth_token: Expr::join(
                    "",
                    [
                        "{{resolve:secretsmanager:".into(),
                        auth_token.reference(),
                        ":SecretString}}".into(),
                    ],
                ),
                cache_subnet_group_name: subnets.reference(),
                security_group_ids: vec![security_group.group_id()],
                snapshot_retention_limit: props.snapshot_retention_days,
                auto_minor_version_upgrade: true,
                port: REDIS_PORT,
            },
            ResourceOptions::keep_data(RemovalPolicy::Snapshot),
        )?;
        Ok(Self {
            group,
            security_group,
            auth_token,
        })
    }
}
