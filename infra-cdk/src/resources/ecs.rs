//! Amazon ECS on Fargate.

use serde::Serialize;

use super::{attributes, resource_type};
use crate::model::Expr;

/// `AWS::ECS::Cluster`; `Ref` is its name.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Cluster {
    pub cluster_name: String,
    pub cluster_settings: Vec<ClusterSetting>,
}
resource_type!(Cluster, "AWS::ECS::Cluster");
attributes!(Cluster {
    /// The cluster's ARN.
    arn => "Arn",
});

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClusterSetting {
    pub name: String,
    pub value: String,
}

/// `AWS::ECS::TaskDefinition`; `Ref` is its ARN.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskDefinition {
    pub family: String,
    pub cpu: String,
    pub memory: String,
    pub network_mode: String,
    pub requires_compatibilities: Vec<String>,
    pub runtime_platform: RuntimePlatform,
    pub execution_role_arn: Expr<String>,
    pub task_role_arn: Expr<String>,
    pub container_definitions: Vec<ContainerDefinition>,
    pub volumes: Vec<Volume>,
}
resource_type!(TaskDefinition, "AWS::ECS::TaskDefinition");

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RuntimePlatform {
    pub cpu_architecture: String,
    pub operating_system_family: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Volume {
    pub name: String,
}

/// One container of a task definition.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerDefinition {
    pub name: String,
    pub image: Expr<String>,
    pub essential: bool,
    pub readonly_root_filesystem: bool,
    pub port_mappings: Vec<PortMapping>,
    pub environment: Vec<KeyValuePair>,
    pub secrets: Vec<Secret>,
    pub log_configuration: LogConfiguration,
    pub health_check: HealthCheck,
    pub mount_points: Vec<MountPoint>,
    pub stop_timeout: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortMapping {
    pub container_port: u16,
    pub protocol: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeyValuePair {
    pub name: String,
    pub value: Expr<String>,
}

/// An environment variable ECS fills from SSM Parameter Store at task start.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Secret {
    pub name: String,
    /// The parameter's ARN.
    pub value_from: Expr<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LogConfiguration {
    pub log_driver: String,
    pub options: std::collections::BTreeMap<String, Expr<String>>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct HealthCheck {
    pub command: Vec<String>,
    pub interval: u32,
    pub timeout: u32,
    pub retries: u32,
    pub start_period: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MountPoint {
    pub source_volume: String,
    pub container_path: String,
    pub read_only: bool,
}

/// `AWS::ECS::Service`; `Ref` is its ARN.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Service {
    pub service_name: String,
    pub cluster: Expr<String>,
    pub task_definition: Expr<String>,
    pub launch_type: String,
    pub platform_version: String,
    pub desired_count: Expr<u32>,
    pub deployment_controller: DeploymentController,
    pub health_check_grace_period_seconds: u32,
    pub load_balancers: Vec<ServiceLoadBalancer>,
    pub network_configuration: NetworkConfiguration,
    pub propagate_tags: String,
    #[serde(rename = "EnableECSManagedTags")]
    pub enable_ecs_managed_tags: bool,
}
resource_type!(Service, "AWS::ECS::Service");
attributes!(Service {
    /// The service's name.
    name => "Name",
});

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeploymentController {
    #[serde(rename = "Type")]
    pub kind: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceLoadBalancer {
    pub container_name: String,
    pub container_port: u16,
    pub target_group_arn: Expr<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkConfiguration {
    pub awsvpc_configuration: AwsvpcConfiguration,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AwsvpcConfiguration {
    pub assign_public_ip: String,
    pub security_groups: Vec<Expr<String>>,
    pub subnets: Vec<Expr<String>>,
}
