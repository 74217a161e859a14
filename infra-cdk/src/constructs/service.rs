//! The backend on ECS Fargate in the private subnets, behind an internet-facing
//! application load balancer (HTTPS with a modern TLS policy, HTTP redirected, a test
//! listener for blue/green, access logs), reaching only its bucket prefix and SSM path.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::json;

use super::access_logs::{ALB_PREFIX, AccessLogs};
use super::encryption::EncryptionKey;
use super::network::Network;
use super::parameters::SECRET_PARAMETERS;
use super::storage::{ATTACHMENTS_PREFIX, AttachmentStore};
use super::{Names, arn, log_group, via_service};
use crate::model::{
    CheckovSkip, ConditionRef, Expr, Pseudo, Ref, ResourceOptions, Stack, SynthError,
};
use crate::resources::KeyValue;
use crate::resources::acm::Certificate;
use crate::resources::ec2::{SecurityGroup, SecurityGroupIngress};
use crate::resources::ecs::{
    AwsvpcConfiguration, Cluster, ClusterSetting, ContainerDefinition, DeploymentController,
    HealthCheck, KeyValuePair, LogConfiguration, MountPoint, NetworkConfiguration, PortMapping,
    RuntimePlatform, Secret, Service as EcsService, ServiceLoadBalancer, TaskDefinition, Volume,
};
use crate::resources::elbv2::{
    Action, Listener, ListenerCertificate, LoadBalancer, Matcher, TargetGroup,
};
use crate::resources::iam::{Policy, PolicyDocument, Role, Statement};
use crate::resources::logs::LogGroup;

/// Service sizing and traffic settings.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceProps {
    /// Task CPU units (256, 512, 1024, 2048, 4096).
    pub cpu: u32,
    /// Task memory in MiB, valid for `cpu` on Fargate.
    pub memory: u32,
    /// Tasks running at once.
    pub desired_count: u32,
    /// `X86_64` or `ARM64`: must match the image the workflow builds.
    pub cpu_architecture: String,
    /// Days the application's logs are kept.
    pub log_retention_days: u32,
    /// Who may reach the blue/green test listener (the replacement tasks before the
    /// switch): an office or VPN range, never `0.0.0.0/0`.
    pub test_listener_cidr: String,
    /// Seconds the load balancer keeps sending in-flight requests to a deregistered
    /// task; the backend drains on SIGTERM within the container's stop timeout.
    pub deregistration_delay_seconds: u32,
}

impl Default for ServiceProps {
    fn default() -> Self {
        Self {
            cpu: 512,
            memory: 1024,
            desired_count: 2,
            cpu_architecture: "X86_64".to_owned(),
            log_retention_days: 90,
            test_listener_cidr: "10.0.0.0/8".to_owned(),
            deregistration_delay_seconds: 30,
        }
    }
}

/// The container's name in the task definition and the appspec.
pub const CONTAINER_NAME: &str = "trellis";
/// The port the backend listens on.
pub const CONTAINER_PORT: u16 = 8080;
/// The production listener.
pub const HTTPS_PORT: u16 = 443;
/// The listener CodeDeploy routes test traffic through before shifting production.
pub const TEST_LISTENER_PORT: u16 = 8443;
/// What the load balancer asks before sending traffic (database and Redis reachable).
pub const READINESS_PATH: &str = "/readyz";
/// TLS 1.3 and 1.2 with forward-secret ciphers only.
pub const TLS_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// Everything about the task that both the CloudFormation task definition and the
/// `taskdef.json` CodeDeploy registers must agree on.
#[derive(Clone, Debug, PartialEq)]
pub struct TaskSpec {
    /// Task definition family: new revisions from CodeDeploy join it.
    pub family: String,
    /// CPU units.
    pub cpu: u32,
    /// Memory in MiB.
    pub memory: u32,
    /// `X86_64` or `ARM64`.
    pub cpu_architecture: String,
    /// Role the ECS agent uses to pull the image, write logs and read injected secrets.
    pub execution_role_name: String,
    /// Role the application runs as.
    pub task_role_name: String,
    /// Log group of the container.
    pub log_group_name: String,
    /// Plain environment variables.
    pub environment: BTreeMap<String, String>,
    /// `/trellis/ENV`: where the parameters live.
    pub ssm_path: String,
    /// SSM parameter names (under `ssm_path`) injected as variables.
    pub secrets: Vec<String>,
    /// Container health check.
    pub health_check: HealthCheckSpec,
    /// Seconds between SIGTERM and SIGKILL: room for the drain.
    pub stop_timeout: u32,
}

impl TaskSpec {
    /// The task of environment `names` in `region`.
    pub fn new(names: &Names, props: &ServiceProps, region: &str) -> Self {
        let environment = [
            ("TRELLIS_ENV", "production".to_owned()),
            ("TRELLIS_LISTEN", format!("0.0.0.0:{CONTAINER_PORT}")),
            ("TRELLIS_SSM_PATH", format!("{}/", names.ssm_path())),
            ("TRELLIS_LOG", "info".to_owned()),
            // Behind the ALB the peer is the load balancer; the client is the last
            // X-Forwarded-For entry (per-address sign-in limits depend on it).
            ("TRELLIS_TRUST_FORWARDED_FOR", "true".to_owned()),
            ("AWS_REGION", region.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Self {
            family: names.physical(""),
            cpu: props.cpu,
            memory: props.memory,
            cpu_architecture: props.cpu_architecture.clone(),
            execution_role_name: names.physical("task-execution"),
            task_role_name: names.physical("task"),
            log_group_name: names.path("app"),
            environment,
            secrets: SECRET_PARAMETERS
                .iter()
                .filter(|s| s.injected)
                .map(|s| s.name.to_owned())
                .collect(),
            ssm_path: names.ssm_path(),
            health_check: HealthCheckSpec {
                command: ["CMD", "curl", "-fsS", "-o", "/dev/null"]
                    .map(str::to_owned)
                    .into_iter()
                    .chain([format!("http://127.0.0.1:{CONTAINER_PORT}/healthz")])
                    .collect(),
                interval: 15,
                timeout: 5,
                retries: 3,
                start_period: 30,
            },
            stop_timeout: 60,
        }
    }

    /// The ARN of parameter `NAME` under the environment's path, in `region` and
    /// `account` (both may be `${AWS::...}` references).
    pub fn parameter_arn(
        &self,
        partition: &str,
        region: &str,
        account: &str,
        name: &str,
    ) -> String {
        format!(
            "arn:{partition}:ssm:{region}:{account}:parameter{}/{name}",
            self.ssm_path
        )
    }
}

/// The container's health check (exec form, `/healthz`: alive, not ready).
#[derive(Clone, Debug, PartialEq)]
pub struct HealthCheckSpec {
    /// The command.
    pub command: Vec<String>,
    /// Seconds between checks.
    pub interval: u32,
    /// Seconds before a check fails.
    pub timeout: u32,
    /// Failures before the container is unhealthy.
    pub retries: u32,
    /// Seconds of grace after start.
    pub start_period: u32,
}

/// The writable scratch volume mounted at `/tmp` (the root filesystem is read-only).
pub const SCRATCH_VOLUME: &str = "tmp";

/// What the service construct needs from the rest of the stack.
pub struct ServiceDeps<'a> {
    /// The VPC.
    pub network: &'a Network,
    /// The certificate of the API's domain.
    pub certificate: &'a Ref<Certificate>,
    /// The environment key.
    pub key: &'a EncryptionKey,
    /// Where the load balancer writes its access logs.
    pub access_logs: &'a AccessLogs,
    /// The bucket the task reads and writes attachments in.
    pub attachments: &'a AttachmentStore,
    /// The image of the first deployment; CodeDeploy rolls out later ones.
    pub image: Expr<String>,
    /// The ECR repository's ARN (the execution role pulls from it only).
    pub repository_arn: Expr<String>,
    /// While it holds, the service runs no task: the first deploy creates the data
    /// stores before their connection strings exist in SSM.
    pub bootstrapping: &'a ConditionRef,
    /// The container's settings.
    pub task: &'a TaskSpec,
}

/// The cluster, load balancer, listeners, target groups, task definition and service.
pub struct Service {
    /// The ECS cluster.
    pub cluster: Ref<Cluster>,
    /// The ECS service (deployment controller: CodeDeploy).
    pub service: Ref<EcsService>,
    /// The load balancer.
    pub load_balancer: Ref<LoadBalancer>,
    /// Port 443: production traffic.
    pub https_listener: Ref<Listener>,
    /// Port 8443: test traffic during a blue/green deployment.
    pub test_listener: Ref<Listener>,
    /// The target group serving production at creation.
    pub blue: Ref<TargetGroup>,
    /// The target group replacement tasks register in.
    pub green: Ref<TargetGroup>,
    /// The tasks' security group.
    pub security_group: Ref<SecurityGroup>,
    /// The tasks' log group.
    pub log_group: Ref<LogGroup>,
}

impl Service {
    /// Adds the service and everything in front of it.
    pub fn new(
        stack: &mut Stack,
        names: &Names,
        props: &ServiceProps,
        deps: ServiceDeps<'_>,
    ) -> Result<Self, SynthError> {
        if props.test_listener_cidr == "0.0.0.0/0" {
            return Err(SynthError::InvalidProps {
                construct: "service",
                message: "test_listener_cidr must not be 0.0.0.0/0: the test listener serves unreleased code".to_owned(),
            });
        }
        let network = deps.network;
        let task = deps.task;

        let lb_group = network.security_group(
            stack,
            "LoadBalancerSecurityGroup",
            &names.physical("load-balancer"),
        )?;
        let public_ingress = [
            (
                "LoadBalancerHttpsIngress",
                HTTPS_PORT,
                "0.0.0.0/0",
                "HTTPS from anywhere",
            ),
            (
                "LoadBalancerHttpIngress",
                80,
                "0.0.0.0/0",
                "HTTP from anywhere, redirected to HTTPS",
            ),
            (
                "LoadBalancerTestIngress",
                TEST_LISTENER_PORT,
                props.test_listener_cidr.as_str(),
                "Blue/green test listener from operators",
            ),
        ];
        for (id, port, cidr, description) in public_ingress {
            let skips: &[CheckovSkip] = if port == 80 {
                &[CheckovSkip {
                    id: "CKV_AWS_260",
                    comment: "Port 80 only answers with a redirect to HTTPS",
                }]
            } else {
                &[]
            };
            stack.add_with(
                id,
                SecurityGroupIngress {
                    group_id: lb_group.group_id(),
                    ip_protocol: "tcp".to_owned(),
                    from_port: port,
                    to_port: port,
                    cidr_ip: Some(cidr.to_owned()),
                    source_security_group_id: None,
                    description: description.to_owned(),
                },
                ResourceOptions::default().skip_checkov(skips),
            )?;
        }
        let security_group =
            network.security_group(stack, "ServiceSecurityGroup", &names.physical("service"))?;
        Network::allow(
            stack,
            "LoadBalancerToService",
            &lb_group,
            &security_group,
            CONTAINER_PORT,
            "Load balancer to tasks",
        )?;
        // Tasks call AWS APIs, GitHub and Stripe over HTTPS, and send mail.
        for (id, port, description) in [
            (
                "ServiceHttpsEgress",
                443,
                "HTTPS to AWS APIs, GitHub, Stripe",
            ),
            (
                "ServiceSmtpEgress",
                587,
                "SMTP submission for notification mail",
            ),
        ] {
            stack.add(
                id,
                crate::resources::ec2::SecurityGroupEgress {
                    group_id: security_group.group_id(),
                    ip_protocol: "tcp".to_owned(),
                    from_port: port,
                    to_port: port,
                    cidr_ip: Some("0.0.0.0/0".to_owned()),
                    destination_security_group_id: None,
                    description: description.to_owned(),
                },
            )?;
        }

        let load_balancer = stack.add_with(
            "LoadBalancer",
            LoadBalancer {
                kind: "application".to_owned(),
                scheme: "internet-facing".to_owned(),
                ip_address_type: "ipv4".to_owned(),
                subnets: network.public_subnet_ids(),
                security_groups: vec![lb_group.group_id()],
                load_balancer_attributes: {
                    let mut attrs = KeyValue::list(&[
                        ("access_logs.s3.enabled", "true"),
                        ("access_logs.s3.prefix", ALB_PREFIX),
                        ("routing.http.drop_invalid_header_fields.enabled", "true"),
                        ("routing.http.desync_mitigation_mode", "strictest"),
                        ("deletion_protection.enabled", "true"),
                        ("idle_timeout.timeout_seconds", "60"),
                    ]);
                    attrs.push(KeyValue {
                        key: "access_logs.s3.bucket".to_owned(),
                        value: deps.access_logs.bucket.reference(),
                    });
                    attrs
                },
            },
            ResourceOptions {
                // The load balancer checks at creation that it may write its logs.
                depends_on: vec![deps.access_logs.policy.logical_id().clone()],
                ..ResourceOptions::default()
            },
        )?;

        let target_group = |stack: &mut Stack, id: &str| {
            stack.add(
                id,
                TargetGroup {
                    port: CONTAINER_PORT,
                    protocol: "HTTP".to_owned(),
                    target_type: "ip".to_owned(),
                    vpc_id: network.vpc.vpc_id(),
                    health_check_enabled: true,
                    health_check_path: READINESS_PATH.to_owned(),
                    health_check_protocol: "HTTP".to_owned(),
                    health_check_interval_seconds: 10,
                    health_check_timeout_seconds: 5,
                    healthy_threshold_count: 2,
                    unhealthy_threshold_count: 3,
                    matcher: Matcher {
                        http_code: "200".to_owned(),
                    },
                    target_group_attributes: KeyValue::list(&[(
                        "deregistration_delay.timeout_seconds",
                        &props.deregistration_delay_seconds.to_string(),
                    )]),
                },
            )
        };
        let blue = target_group(stack, "BlueTargetGroup")?;
        let green = target_group(stack, "GreenTargetGroup")?;

        stack.add(
            "HttpListener",
            Listener {
                load_balancer_arn: load_balancer.reference(),
                port: 80,
                protocol: "HTTP".to_owned(),
                ssl_policy: None,
                certificates: None,
                default_actions: vec![Action::redirect_to_https()],
            },
        )?;
        let https_listener = |stack: &mut Stack, id: &str, port: u16, target: &Ref<TargetGroup>| {
            stack.add(
                id,
                Listener {
                    load_balancer_arn: load_balancer.reference(),
                    port,
                    protocol: "HTTPS".to_owned(),
                    ssl_policy: Some(TLS_POLICY.to_owned()),
                    certificates: Some(vec![ListenerCertificate {
                        certificate_arn: deps.certificate.reference(),
                    }]),
                    default_actions: vec![Action::forward(target.reference())],
                },
            )
        };
        let https = https_listener(stack, "HttpsListener", HTTPS_PORT, &blue)?;
        let test = https_listener(stack, "TestListener", TEST_LISTENER_PORT, &green)?;

        let log_group = log_group(
            stack,
            "ServiceLogGroup",
            &task.log_group_name,
            props.log_retention_days,
            deps.key,
        )?;
        let execution_role = Self::execution_role(stack, task, &deps, &log_group)?;
        let task_role = Self::task_role(stack, names, task, &deps)?;

        let cluster = stack.add(
            "Cluster",
            Cluster {
                cluster_name: names.physical(""),
                cluster_settings: vec![ClusterSetting {
                    name: "containerInsights".to_owned(),
                    value: "enabled".to_owned(),
                }],
            },
        )?;
        let task_definition = stack.add(
            "TaskDefinition",
            TaskDefinition {
                family: task.family.clone(),
                cpu: task.cpu.to_string(),
                memory: task.memory.to_string(),
                network_mode: "awsvpc".to_owned(),
                requires_compatibilities: vec!["FARGATE".to_owned()],
                runtime_platform: RuntimePlatform {
                    cpu_architecture: task.cpu_architecture.clone(),
                    operating_system_family: "LINUX".to_owned(),
                },
                execution_role_arn: execution_role.arn(),
                task_role_arn: task_role.arn(),
                container_definitions: vec![container_definition(task, deps.image.clone())],
                volumes: vec![Volume {
                    name: SCRATCH_VOLUME.to_owned(),
                }],
            },
        )?;
        let service = stack.add_with(
            "Service",
            EcsService {
                service_name: names.physical(""),
                cluster: cluster.reference(),
                task_definition: task_definition.reference(),
                launch_type: "FARGATE".to_owned(),
                platform_version: "LATEST".to_owned(),
                desired_count: Expr::if_(deps.bootstrapping, 0.into(), props.desired_count.into()),
                // CodeDeploy owns rollouts; CloudFormation must not change the task
                // definition of this service after creation (see docs/runbooks/deploy.md).
                deployment_controller: DeploymentController {
                    kind: "CODE_DEPLOY".to_owned(),
                },
                health_check_grace_period_seconds: 60,
                load_balancers: vec![ServiceLoadBalancer {
                    container_name: CONTAINER_NAME.to_owned(),
                    container_port: CONTAINER_PORT,
                    target_group_arn: blue.reference(),
                }],
                network_configuration: NetworkConfiguration {
                    awsvpc_configuration: AwsvpcConfiguration {
                        assign_public_ip: "DISABLED".to_owned(),
                        security_groups: vec![security_group.group_id()],
                        subnets: network.private_subnet_ids(),
                    },
                },
                propagate_tags: "SERVICE".to_owned(),
                enable_ecs_managed_tags: true,
            },
            ResourceOptions {
                // The target groups must belong to the load balancer first.
                depends_on: vec![https.logical_id().clone(), test.logical_id().clone()],
                ..ResourceOptions::default()
            },
        )?;
        Ok(Self {
            cluster,
            service,
            load_balancer,
            https_listener: https,
            test_listener: test,
            blue,
            green,
            security_group,
            log_group,
        })
    }

    /// The ECS agent's role: pull from our repository, write our log group, read the
    /// injected parameters.
    fn execution_role(
        stack: &mut Stack,
        task: &TaskSpec,
        deps: &ServiceDeps<'_>,
        log_group: &Ref<LogGroup>,
    ) -> Result<Ref<Role>, SynthError> {
        // Every SecureString, not only the injected ones: one-off tasks (migrations,
        // the bootstrap in docs/runbooks/deploy.md) inject the owner's URL.
        let secrets = SECRET_PARAMETERS
            .iter()
            .map(|p| parameter_arn(task, p.name))
            .collect();
        stack.add_with(
            "TaskExecutionRole",
            Role {
                role_name: Some(task.execution_role_name.clone()),
                description: "ECS agent: pull the image, write logs, inject secrets".to_owned(),
                assume_role_policy_document: PolicyDocument::assumable_by("ecs-tasks.amazonaws.com"),
                managed_policy_arns: None,
                policies: Some(vec![Policy {
                    policy_name: "pull-log-inject".to_owned(),
                    policy_document: PolicyDocument::new(vec![
                        Statement::allow(&["ecr:GetAuthorizationToken"], vec![Expr::lit("*")])
                            .sid("EcrLogin"),
                        Statement::allow(
                            &[
                                "ecr:BatchCheckLayerAvailability",
                                "ecr:BatchGetImage",
                                "ecr:GetDownloadUrlForLayer",
                            ],
                            vec![deps.repository_arn.clone()],
                        )
                        .sid("EcrPull"),
                        Statement::allow(
                            &["logs:CreateLogStream", "logs:PutLogEvents"],
                            vec![log_group.arn()],
                        )
                        .sid("WriteLogs"),
                        Statement::allow(&["ssm:GetParameters"], secrets).sid("ReadInjectedSecrets"),
                        decrypt_via(deps.key, &["ssm"]),
                    ]),
                }]),
            },
            ResourceOptions::default().skip_checkov(&[CheckovSkip {
                id: "CKV_AWS_107",
                comment: "ecr:GetAuthorizationToken has no resource-level permissions; pulls are limited to one repository",
            }]),
        )
    }

    /// The application's role: its SSM path and its bucket prefix, nothing else.
    fn task_role(
        stack: &mut Stack,
        names: &Names,
        task: &TaskSpec,
        deps: &ServiceDeps<'_>,
    ) -> Result<Ref<Role>, SynthError> {
        let bucket = &deps.attachments.bucket;
        stack.add(
            "TaskRole",
            Role {
                role_name: Some(task.task_role_name.clone()),
                description: "Trellis backend: its SSM path and its attachments prefix".to_owned(),
                assume_role_policy_document: PolicyDocument::assumable_by(
                    "ecs-tasks.amazonaws.com",
                ),
                managed_policy_arns: None,
                policies: Some(vec![Policy {
                    policy_name: "settings-and-attachments".to_owned(),
                    policy_document: PolicyDocument::new(vec![
                        Statement::allow(
                            &[
                                "ssm:GetParametersByPath",
                                "ssm:GetParameters",
                                "ssm:GetParameter",
                            ],
                            vec![
                                arn("ssm", &format!("parameter{}", names.ssm_path())),
                                arn("ssm", &format!("parameter{}/*", names.ssm_path())),
                            ],
                        )
                        .sid("ReadSettings"),
                        // What presigned uploads and downloads act as, HEAD (GetObject)
                        // and removal; uploads are single PUTs, never multipart.
                        Statement::allow(
                            &["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                            vec![deps.attachments.objects_arn()],
                        )
                        .sid("Attachments"),
                        // Only so that HEAD of an object not uploaded yet answers 404
                        // (confirmation: "nothing uploaded") rather than 403.
                        Statement::allow(&["s3:ListBucket"], vec![bucket.arn()])
                            .sid("ListAttachments")
                            .condition(json!({
                                "StringLike": {"s3:prefix": [format!("{ATTACHMENTS_PREFIX}*")]}
                            })),
                        decrypt_via(deps.key, &["ssm", "s3"]),
                        Statement::allow(&["kms:GenerateDataKey"], vec![deps.key.arn()])
                            .sid("EncryptAttachments")
                            .condition(
                                json!({"StringEquals": {"kms:ViaService": via_service("s3")}}),
                            ),
                    ]),
                }]),
            },
        )
    }
}

/// `kms:Decrypt` on the environment key, only through the named services.
fn decrypt_via(key: &EncryptionKey, services: &[&str]) -> Statement {
    let via: Vec<Expr<String>> = services.iter().map(|s| via_service(s)).collect();
    Statement::allow(&["kms:Decrypt"], vec![key.arn()])
        .sid("DecryptVia")
        .condition(json!({"StringEquals": {"kms:ViaService": via}}))
}

/// The ARN of an injected parameter, in this stack's partition, region and account.
fn parameter_arn(task: &TaskSpec, name: &str) -> Expr<String> {
    Expr::sub(task.parameter_arn(
        "${AWS::Partition}",
        "${AWS::Region}",
        "${AWS::AccountId}",
        name,
    ))
}

fn container_definition(task: &TaskSpec, image: Expr<String>) -> ContainerDefinition {
    ContainerDefinition {
        name: CONTAINER_NAME.to_owned(),
        image,
        essential: true,
        readonly_root_filesystem: true,
        port_mappings: vec![PortMapping {
            container_port: CONTAINER_PORT,
            protocol: "tcp".to_owned(),
        }],
        environment: task
            .environment
            .iter()
            .map(|(k, v)| KeyValuePair {
                name: k.clone(),
                value: Expr::lit(v),
            })
            .collect(),
        secrets: task
            .secrets
            .iter()
            .map(|name| Secret {
                name: name.clone(),
                value_from: parameter_arn(task, name),
            })
            .collect(),
        log_configuration: LogConfiguration {
            log_driver: "awslogs".to_owned(),
            options: BTreeMap::from([
                ("awslogs-group".to_owned(), Expr::lit(&task.log_group_name)),
                ("awslogs-region".to_owned(), Expr::pseudo(Pseudo::Region)),
                (
                    "awslogs-stream-prefix".to_owned(),
                    Expr::lit(CONTAINER_NAME),
                ),
            ]),
        },
        health_check: HealthCheck {
            command: task.health_check.command.clone(),
            interval: task.health_check.interval,
            timeout: task.health_check.timeout,
            retries: task.health_check.retries,
            start_period: task.health_check.start_period,
        },
        // The root filesystem is read-only; scratch space lives in task storage.
        mount_points: vec![MountPoint {
            source_volume: SCRATCH_VOLUME.to_owned(),
            container_path: "/tmp".to_owned(),
            read_only: false,
        }],
        stop_timeout: task.stop_timeout,
    }
}
