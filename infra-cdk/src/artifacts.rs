//! The files CodeDeploy takes besides the templates: the AppSpec and the task
//! definition the workflow registers for each release.

use serde_json::{Value, json};

use crate::constructs::service::{CONTAINER_NAME, CONTAINER_PORT, SCRATCH_VOLUME, TaskSpec};

/// Replaced by the workflow with the ARN of the registered task definition.
pub const TASK_DEFINITION_PLACEHOLDER: &str = "<TASK_DEFINITION>";
/// Replaced by the workflow with the pushed image (`REPO_URI:TAG`).
pub const IMAGE_PLACEHOLDER: &str = "<IMAGE>";

/// The AppSpec of an ECS blue/green deployment.
pub fn appspec() -> String {
    format!(
        "# CodeDeploy AppSpec for the Trellis ECS service (written by infra-cdk synth).\n\
         # The deploy workflow replaces {TASK_DEFINITION_PLACEHOLDER} with the revision it registered.\n\
         version: 0.0\n\
         Resources:\n\
         \x20 - TargetService:\n\
         \x20     Type: AWS::ECS::Service\n\
         \x20     Properties:\n\
         \x20       TaskDefinition: \"{TASK_DEFINITION_PLACEHOLDER}\"\n\
         \x20       LoadBalancerInfo:\n\
         \x20         ContainerName: \"{CONTAINER_NAME}\"\n\
         \x20         ContainerPort: {CONTAINER_PORT}\n\
         \x20       PlatformVersion: \"LATEST\"\n"
    )
}

/// `aws ecs register-task-definition --cli-input-json` input equal to the stack's task
/// definition, with concrete ARNs (account `account_id`, partition `aws`).
pub fn task_definition(task: &TaskSpec, account_id: &str, region: &str) -> Value {
    let role = |name: &str| format!("arn:aws:iam::{account_id}:role/{name}");
    let health = &task.health_check;
    json!({
        "family": task.family,
        "taskRoleArn": role(&task.task_role_name),
        "executionRoleArn": role(&task.execution_role_name),
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "cpu": task.cpu.to_string(),
        "memory": task.memory.to_string(),
        "runtimePlatform": {"cpuArchitecture": task.cpu_architecture, "operatingSystemFamily": "LINUX"},
        "volumes": [{"name": SCRATCH_VOLUME}],
        "containerDefinitions": [{
            "name": CONTAINER_NAME,
            "image": IMAGE_PLACEHOLDER,
            "essential": true,
            "readonlyRootFilesystem": true,
            "portMappings": [{"containerPort": CONTAINER_PORT, "protocol": "tcp"}],
            "environment": task.environment.iter()
                .map(|(name, value)| json!({"name": name, "value": value}))
                .collect::<Vec<_>>(),
            "secrets": task.secrets.iter()
                .map(|name| json!({"name": name, "valueFrom": task.parameter_arn("aws", region, account_id, name)}))
                .collect::<Vec<_>>(),
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": task.log_group_name,
                    "awslogs-region": region,
                    "awslogs-stream-prefix": CONTAINER_NAME,
                },
            },
            "healthCheck": {
                "command": health.command,
                "interval": health.interval,
                "timeout": health.timeout,
                "retries": health.retries,
                "startPeriod": health.start_period,
            },
            "mountPoints": [{"sourceVolume": SCRATCH_VOLUME, "containerPath": "/tmp", "readOnly": false}],
            "stopTimeout": task.stop_timeout,
        }],
    })
}
