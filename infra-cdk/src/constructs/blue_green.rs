//! CodeDeploy blue/green for the ECS service: two target groups, traffic shifted by
//! a deployment configuration, automatic rollback on failure or alarm.

use serde::Deserialize;

use super::service::Service;
use super::{Names, managed_policy};
use crate::model::{Ref, Stack, SynthError};
use crate::resources::cloudwatch::Alarm;
use crate::resources::codedeploy::{
    AlarmConfiguration, AlarmRef, Application, AutoRollbackConfiguration,
    BlueGreenDeploymentConfiguration, DeploymentGroup, DeploymentReadyOption, DeploymentStyle,
    EcsService, LoadBalancerInfo, TargetGroupInfo, TargetGroupPairInfo, TerminateBlueInstances,
    TrafficRoute,
};
use crate::resources::iam::{PolicyDocument, Role};

/// How deployments shift traffic.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BlueGreenProps {
    /// A predefined ECS deployment configuration.
    pub deployment_config: String,
    /// Minutes the old tasks keep running after the switch (a rollback is instant
    /// while they do).
    pub termination_wait_minutes: u32,
}

impl Default for BlueGreenProps {
    fn default() -> Self {
        Self {
            deployment_config: "CodeDeployDefault.ECSCanary10Percent5Minutes".to_owned(),
            termination_wait_minutes: 15,
        }
    }
}

/// The predefined configurations for ECS.
const ECS_DEPLOYMENT_CONFIGS: &[&str] = &[
    "CodeDeployDefault.ECSAllAtOnce",
    "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
    "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
    "CodeDeployDefault.ECSCanary10Percent5Minutes",
    "CodeDeployDefault.ECSCanary10Percent15Minutes",
];

/// The CodeDeploy application and deployment group.
pub struct BlueGreen {
    /// `trellis-ENV`.
    pub application_name: String,
    /// `trellis-ENV`.
    pub deployment_group_name: String,
}

impl BlueGreen {
    /// Adds blue/green deployments of `service`, rolled back when any of `alarms` fires.
    pub fn new(
        stack: &mut Stack,
        names: &Names,
        props: &BlueGreenProps,
        service: &Service,
        alarms: &[Ref<Alarm>],
    ) -> Result<Self, SynthError> {
        if !ECS_DEPLOYMENT_CONFIGS.contains(&props.deployment_config.as_str()) {
            return Err(SynthError::InvalidProps {
                construct: "blue/green",
                message: format!(
                    "deployment_config {:?} is not one of {ECS_DEPLOYMENT_CONFIGS:?}",
                    props.deployment_config
                ),
            });
        }
        let application_name = names.physical("");
        let application = stack.add(
            "DeployApplication",
            Application {
                application_name: application_name.clone(),
                compute_platform: "ECS".to_owned(),
            },
        )?;
        let role = stack.add(
            "DeployRole",
            Role {
                role_name: None,
                description: "CodeDeploy shifts traffic between the service's task sets".to_owned(),
                assume_role_policy_document: PolicyDocument::assumable_by(
                    "codedeploy.amazonaws.com",
                ),
                // AWS maintains this policy for exactly this use: task sets, listener
                // rules, alarms, and passing the task roles to ECS.
                managed_policy_arns: Some(vec![managed_policy("AWSCodeDeployRoleForECS")]),
                policies: None,
            },
        )?;
        let deployment_group_name = names.physical("");
        stack.add(
            "DeploymentGroup",
            DeploymentGroup {
                application_name: application.reference(),
                deployment_group_name: deployment_group_name.clone(),
                service_role_arn: role.arn(),
                deployment_config_name: props.deployment_config.clone(),
                deployment_style: DeploymentStyle {
                    deployment_type: "BLUE_GREEN".to_owned(),
                    deployment_option: "WITH_TRAFFIC_CONTROL".to_owned(),
                },
                blue_green_deployment_configuration: BlueGreenDeploymentConfiguration {
                    deployment_ready_option: DeploymentReadyOption {
                        action_on_timeout: "CONTINUE_DEPLOYMENT".to_owned(),
                        wait_time_in_minutes: 0,
                    },
                    terminate_blue_instances_on_deployment_success: TerminateBlueInstances {
                        action: "TERMINATE".to_owned(),
                        termination_wait_time_in_minutes: props.termination_wait_minutes,
                    },
                },
                ecs_services: vec![EcsService {
                    cluster_name: service.cluster.reference(),
                    service_name: service.service.name(),
                }],
                load_balancer_info: LoadBalancerInfo {
                    target_group_pair_info_list: vec![TargetGroupPairInfo {
                        target_groups: vec![
                            TargetGroupInfo {
                                name: service.blue.name(),
                            },
                            TargetGroupInfo {
                                name: service.green.name(),
                            },
                        ],
                        prod_traffic_route: TrafficRoute {
                            listener_arns: vec![service.https_listener.reference()],
                        },
                        test_traffic_route: TrafficRoute {
                            listener_arns: vec![service.test_listener.reference()],
                        },
                    }],
                },
                alarm_configuration: AlarmConfiguration {
                    enabled: true,
                    alarms: alarms
                        .iter()
                        .map(|a| AlarmRef {
                            name: a.reference(),
                        })
                        .collect(),
                },
                auto_rollback_configuration: AutoRollbackConfiguration {
                    enabled: true,
                    events: vec![
                        "DEPLOYMENT_FAILURE".to_owned(),
                        "DEPLOYMENT_STOP_ON_ALARM".to_owned(),
                    ],
                },
            },
        )?;
        Ok(Self {
            application_name,
            deployment_group_name,
        })
    }
}
