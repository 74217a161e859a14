//! AWS CodeDeploy (ECS blue/green).

use serde::Serialize;

use super::resource_type;
use crate::model::Expr;

/// `AWS::CodeDeploy::Application`; `Ref` is its name.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Application {
    pub application_name: String,
    pub compute_platform: String,
}
resource_type!(Application, "AWS::CodeDeploy::Application");

/// `AWS::CodeDeploy::DeploymentGroup`; `Ref` is its name.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeploymentGroup {
    pub application_name: Expr<String>,
    pub deployment_group_name: String,
    pub service_role_arn: Expr<String>,
    pub deployment_config_name: String,
    pub deployment_style: DeploymentStyle,
    pub blue_green_deployment_configuration: BlueGreenDeploymentConfiguration,
    #[serde(rename = "ECSServices")]
    pub ecs_services: Vec<EcsService>,
    pub load_balancer_info: LoadBalancerInfo,
    pub alarm_configuration: AlarmConfiguration,
    pub auto_rollback_configuration: AutoRollbackConfiguration,
}
resource_type!(DeploymentGroup, "AWS::CodeDeploy::DeploymentGroup");

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeploymentStyle {
    pub deployment_type: String,
    pub deployment_option: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BlueGreenDeploymentConfiguration {
    pub deployment_ready_option: DeploymentReadyOption,
    pub terminate_blue_instances_on_deployment_success: TerminateBlueInstances,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeploymentReadyOption {
    pub action_on_timeout: String,
    pub wait_time_in_minutes: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TerminateBlueInstances {
    pub action: String,
    pub termination_wait_time_in_minutes: u32,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct EcsService {
    pub cluster_name: Expr<String>,
    pub service_name: Expr<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct LoadBalancerInfo {
    pub target_group_pair_info_list: Vec<TargetGroupPairInfo>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroupPairInfo {
    pub target_groups: Vec<TargetGroupInfo>,
    pub prod_traffic_route: TrafficRoute,
    pub test_traffic_route: TrafficRoute,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TargetGroupInfo {
    pub name: Expr<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TrafficRoute {
    pub listener_arns: Vec<Expr<String>>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AlarmConfiguration {
    pub enabled: bool,
    pub alarms: Vec<AlarmRef>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AlarmRef {
    pub name: Expr<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AutoRollbackConfiguration {
    pub enabled: bool,
    pub events: Vec<String>,
}
