//! PostgreSQL on RDS: Multi-AZ, encrypted, private, backed up, deletion-protected.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::encryption::EncryptionKey;
use super::network::Network;
use super::{Names, managed_policy};
use crate::model::{Ref, RemovalPolicy, ResourceOptions, Stack, SynthError};
use crate::resources::ec2::SecurityGroup;
use crate::resources::iam::{PolicyDocument, Role};
use crate::resources::rds::{DbInstance, DbParameterGroup, DbSubnetGroup, MasterUserSecret};

/// Database sizing and retention.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseProps {
    /// PostgreSQL version at creation (RDS applies minor upgrades itself afterwards).
    pub engine_version: String,
    /// e.g. `db.t4g.medium`, `db.r6g.large`.
    pub instance_class: String,
    /// Initial storage in GiB.
    pub allocated_storage_gib: u32,
    /// Storage autoscaling ceiling in GiB.
    pub max_allocated_storage_gib: u32,
    /// Days of automated backups (point-in-time restore window), 1 to 35.
    pub backup_retention_days: u32,
    /// A standby in a second zone with automatic failover.
    pub multi_az: bool,
}

impl Default for DatabaseProps {
    fn default() -> Self {
        Self {
            engine_version: "16.10".to_owned(),
            instance_class: "db.t4g.medium".to_owned(),
            allocated_storage_gib: 50,
            max_allocated_storage_gib: 200,
            backup_retention_days: 14,
            multi_az: true,
        }
    }
}

/// The database instance and the security group that guards it.
pub struct Database {
    /// The instance.
    pub instance: Ref<DbInstance>,
    /// Admits only what [`Network::allow`] lets in.
    pub security_group: Ref<SecurityGroup>,
}

/// The database the backend's migrations create their schema in.
pub const DATABASE_NAME: &str = "trellis";
/// The master user (owner of the schema; the app connects as a non-owner role).
pub const MASTER_USERNAME: &str = "trellis_owner";

impl Database {
    /// Adds the database to the private subnets of `network`.
    pub fn new(
        stack: &mut Stack,
        names: &Names,
        props: &DatabaseProps,
        network: &Network,
        key: &EncryptionKey,
    ) -> Result<Self, SynthError> {
        if !(1..=35).contains(&props.backup_retention_days) {
            return Err(SynthError::InvalidProps {
                construct: "database",
                message: "backup_retention_days must be between 1 and 35".to_owned(),
            });
        }
        let major = props.engine_version.split('.').next().unwrap_or_default();
        let security_group =
            network.security_group(stack, "DatabaseSecurityGroup", &names.physical("database"))?;
        let subnets = stack.add(
            "DatabaseSubnetGroup",
            DbSubnetGroup {
                description: format!("{} database, private subnets", names.physical("")),
                subnet_ids: network.private_subnet_ids(),
            },
        )?;
        let parameters = stack.add(
            "DatabaseParameterGroup",
            DbParameterGroup {
                description: format!("{} PostgreSQL settings", names.physical("")),
                family: format!("postgres{major}"),
                parameters: BTreeMap::from(
                    [
                        // Refuse unencrypted connections.
                        ("rds.force_ssl", "1"),
                        ("log_connections", "1"),
                        ("log_disconnections", "1"),
                        // Slow statements only: full statement logs would hold tenant data.
                        ("log_min_duration_statement", "1000"),
                        ("log_lock_waits", "1"),
                    ]
                    .map(|(k, v)| (k.to_owned(), v.to_owned())),
                ),
            },
        )?;
        let monitoring = stack.add(
            "DatabaseMonitoringRole",
            Role {
                role_name: None,
                description: "RDS enhanced monitoring publishes OS metrics".to_owned(),
                assume_role_policy_document: PolicyDocument::assumable_by(
                    "monitoring.rds.amazonaws.com",
                ),
                managed_policy_arns: Some(vec![managed_policy(
                    "service-role/AmazonRDSEnhancedMonitoringRole",
                )]),
                policies: None,
            },
        )?;
        let instance = stack.add_with(
            "Database",
            DbInstance {
                engine: "postgres".to_owned(),
                engine_version: props.engine_version.clone(),
                db_instance_class: props.instance_class.clone(),
                db_instance_identifier: names.physical(""),
                db_name: DATABASE_NAME.to_owned(),
                master_username: MASTER_USERNAME.to_owned(),
                manage_master_user_password: true,
                master_user_secret: MasterUserSecret {
                    kms_key_id: key.arn(),
                },
                allocated_storage: props.allocated_storage_gib.to_string(),
                max_allocated_storage: props.max_allocated_storage_gib,
                storage_type: "gp3".to_owned(),
                storage_encrypted: true,
                kms_key_id: key.arn(),
                multi_az: props.multi_az,
                publicly_accessible: false,
                db_subnet_group_name: subnets.reference(),
                db_parameter_group_name: parameters.reference(),
                vpc_security_groups: vec![security_group.group_id()],
                deletion_protection: true,
                backup_retention_period: props.backup_retention_days,
                preferred_backup_window: "02:00-03:00".to_owned(),
                preferred_maintenance_window: "sun:03:30-sun:04:30".to_owned(),
                copy_tags_to_snapshot: true,
                auto_minor_version_upgrade: true,
                enable_iam_database_authentication: true,
                enable_performance_insights: true,
                performance_insights_kms_key_id: key.arn(),
                performance_insights_retention_period: 7,
                monitoring_interval: 60,
                monitoring_role_arn: monitoring.arn(),
                enable_cloudwatch_logs_exports: vec!["postgresql".to_owned(), "upgrade".to_owned()],
            },
            ResourceOptions::keep_data(RemovalPolicy::Snapshot),
        )?;
        Ok(Self {
            instance,
            security_group,
        })
    }
}
