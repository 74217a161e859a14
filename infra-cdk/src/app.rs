//! The Trellis stacks of one environment, composed from the constructs:
//!
//! - `trellis-ENV-edge` (us-east-1): the web app's certificate, which CloudFront only
//!   takes from us-east-1;
//! - `trellis-ENV-registry`: the ECR repository, which must hold an image before the
//!   service can start;
//! - `trellis-ENV`: everything else.

use serde_json::{Value, json};

use crate::artifacts;
use crate::constructs::Names;
use crate::constructs::access_logs::AccessLogs;
use crate::constructs::alarms::Alarms;
use crate::constructs::blue_green::BlueGreen;
use crate::constructs::cache::{Cache, REDIS_PORT};
use crate::constructs::certificate::dns_validated_certificate;
use crate::constructs::database::Database;
use crate::constructs::dns::Dns;
use crate::constructs::encryption::EncryptionKey;
use crate::constructs::network::Network;
use crate::constructs::parameters::add_settings;
use crate::constructs::registry::ImageRepository;
use crate::constructs::service::{Service, ServiceDeps, TaskSpec};
use crate::constructs::static_site::StaticSite;
use crate::constructs::storage::{ATTACHMENTS_PREFIX, AttachmentStore};
use crate::environment::Environment;
use crate::model::{Condition, Expr, Output, Parameter, ParameterType, Stack, SynthError};

/// CloudFront takes certificates from this region only.
pub const EDGE_REGION: &str = "us-east-1";

/// One synthesized template and where it deploys.
#[derive(Clone, Debug)]
pub struct Template {
    /// The CloudFormation stack name.
    pub stack_name: String,
    /// The region it deploys to.
    pub region: String,
    /// The CloudFormation JSON.
    pub body: Value,
}

/// Everything `infra-cdk synth` writes for one environment.
#[derive(Clone, Debug)]
pub struct Synthesized {
    /// In deployment order: edge, registry, main.
    pub templates: Vec<Template>,
    /// The CodeDeploy AppSpec; `<TASK_DEFINITION>` stands for the registered revision.
    pub appspec: String,
    /// `aws ecs register-task-definition` input; `<IMAGE>` stands for the image.
    pub task_definition: Value,
    /// Names the deploy workflow needs (stacks, regions, CodeDeploy, cluster).
    pub manifest: Value,
}

/// Synthesizes every stack of `env`.
pub fn synthesize(env: &Environment) -> Result<Synthesized, SynthError> {
    let names = Names::new(&env.name);
    let task = TaskSpec::new(&names, &env.service, &env.region);
    let edge = edge_stack(env, &names)?;
    let registry = registry_stack(&names)?;
    let main = main_stack(env, &names, &task)?;
    let templates = vec![
        Template {
            stack_name: edge.name().to_owned(),
            region: EDGE_REGION.to_owned(),
            body: edge.synth()?,
        },
        Template {
            stack_name: registry.name().to_owned(),
            region: env.region.clone(),
            body: registry.synth()?,
        },
        Template {
            stack_name: main.name().to_owned(),
            region: env.region.clone(),
            body: main.synth()?,
        },
    ];
    let manifest = json!({
        "environment": env.name,
        "account_id": env.account_id,
        "region": env.region,
        "stacks": {
            "edge": {"name": templates[0].stack_name, "region": EDGE_REGION, "template": format!("{}.json", templates[0].stack_name)},
            "registry": {"name": templates[1].stack_name, "region": env.region, "template": format!("{}.json", templates[1].stack_name)},
            "main": {"name": templates[2].stack_name, "region": env.region, "template": format!("{}.json", templates[2].stack_name)},
        },
        "repository": names.physical(""),
        "cluster": names.physical(""),
        "service": names.physical(""),
        "codedeploy": {"application": names.physical(""), "deployment_group": names.physical("")},
        "task_family": task.family,
        "app_url": format!("https://{}", env.app_domain()),
        "api_url": format!("https://{}", env.api_domain()),
    });
    Ok(Synthesized {
        templates,
        appspec: artifacts::appspec(),
        task_definition: artifacts::task_definition(&task, &env.account_id, &env.region),
        manifest,
    })
}

fn edge_stack(env: &Environment, names: &Names) -> Result<Stack, SynthError> {
    let mut stack = Stack::new(
        &names.physical("edge"),
        &format!("Trellis {}: CloudFront certificate (us-east-1)", env.name),
    )?;
    let certificate = dns_validated_certificate(
        &mut stack,
        "SiteCertificate",
        &env.app_domain(),
        &env.hosted_zone_id,
    )?;
    stack.output(
        "SiteCertificateArn",
        Output {
            description: "Certificate of the web app's domain, for CloudFront".to_owned(),
            value: certificate.reference(),
            export_name: None,
        },
    )?;
    Ok(stack)
}

fn registry_stack(names: &Names) -> Result<Stack, SynthError> {
    let mut stack = Stack::new(
        &names.physical("registry"),
        &format!("Trellis {}: container image repository", names.env()),
    )?;
    ImageRepository::new(&mut stack, &names.physical(""), &names.physical("registry"))?;
    Ok(stack)
}

fn main_stack(env: &Environment, names: &Names, task: &TaskSpec) -> Result<Stack, SynthError> {
    let mut main = Stack::new(
        &names.physical(""),
        &format!(
            "Trellis {}: network, data stores, service, web app",
            env.name
        ),
    )?;
    let stack = &mut main;
    let image_tag = stack.parameter(
        "ImageTag",
        Parameter {
            kind: ParameterType::String,
            description: "Image tag of the first deployment; later ones go through CodeDeploy, so leave it unchanged on updates".to_owned(),
            default: None,
            allowed_values: None,
            allowed_pattern: Some("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$".to_owned()),
            constraint_description: Some("an image tag".to_owned()),
        },
    )?;
    let site_certificate = stack.parameter(
        "SiteCertificateArn",
        Parameter {
            kind: ParameterType::String,
            description: format!(
                "The web app's certificate: the SiteCertificateArn output of {}",
                names.physical("edge")
            ),
            default: None,
            allowed_values: None,
            allowed_pattern: Some(
                "^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]+$".to_owned(),
            ),
            constraint_description: Some("an ACM certificate ARN in us-east-1".to_owned()),
        },
    )?;
    let alarm_email = stack.parameter(
        "AlarmEmail",
        Parameter {
            kind: ParameterType::String,
            description: "Address alarms are mailed to (empty: none)".to_owned(),
            default: Some(String::new()),
            allowed_values: None,
            allowed_pattern: Some("^$|^[^@\\s]+@[^@\\s]+$".to_owned()),
            constraint_description: Some("an email address or nothing".to_owned()),
        },
    )?;
    let bootstrap = stack.parameter(
        "Bootstrap",
        Parameter {
            kind: ParameterType::String,
            description: "true on the first deploy: the service runs no task until the SecureStrings exist (docs/runbooks/deploy.md)".to_owned(),
            default: Some("false".to_owned()),
            allowed_values: Some(vec!["true".to_owned(), "false".to_owned()]),
            allowed_pattern: None,
            constraint_description: None,
        },
    )?;
    let bootstrapping = stack.condition(
        "IsBootstrap",
        Condition::Equals(bootstrap, Expr::lit("true")),
    )?;
    let has_email = stack.condition(
        "HasAlarmEmail",
        Condition::Not(Box::new(Condition::Equals(
            alarm_email.clone(),
            Expr::lit(""),
        ))),
    )?;

    let key = EncryptionKey::new(stack, &names.physical(""))?;
    let network = Network::new(stack, names, &env.network, &key)?;
    let database = Database::new(stack, names, &env.database, &network, &key)?;
    let cache = Cache::new(stack, names, &env.cache, &network, &key)?;
    let logs = AccessLogs::new(stack, &env.region, env.access_log_retention_days)?;
    let app_origin = format!("https://{}", env.app_domain());
    let attachments = AttachmentStore::new(stack, &app_origin, &key, &logs)?;
    let api_certificate = dns_validated_certificate(
        stack,
        "ApiCertificate",
        &env.api_domain(),
        &env.hosted_zone_id,
    )?;
    let registry_export = |what: &str| {
        Expr::import_value(Expr::lit(format!("{}-{what}", names.physical("registry"))))
    };
    let image = Expr::sub_with(
        "${Repository}:${Tag}",
        [
            ("Repository", registry_export("RepositoryUri")),
            ("Tag", image_tag),
        ],
    );
    let service = Service::new(
        stack,
        names,
        &env.service,
        ServiceDeps {
            network: &network,
            certificate: &api_certificate,
            key: &key,
            access_logs: &logs,
            attachments: &attachments,
            image,
            repository_arn: registry_export("RepositoryArn"),
            bootstrapping: &bootstrapping,
            task,
        },
    )?;
    Network::allow(
        stack,
        "ServiceToDatabase",
        &service.security_group,
        &database.security_group,
        5432,
        "Tasks to PostgreSQL",
    )?;
    Network::allow(
        stack,
        "ServiceToCache",
        &service.security_group,
        &cache.security_group,
        REDIS_PORT,
        "Tasks to Redis",
    )?;
    let alarms = Alarms::new(stack, &env.alarms, &service, &key, alarm_email, &has_email)?;
    let blue_green = BlueGreen::new(stack, names, &env.blue_green, &service, &alarms.alarms)?;
    let site = StaticSite::new(
        stack,
        names,
        &env.site,
        &env.app_domain(),
        site_certificate,
        &key,
        &logs,
    )?;
    Dns {
        hosted_zone_id: &env.hosted_zone_id,
        app_domain: &env.app_domain(),
        api_domain: &env.api_domain(),
    }
    .add(stack, &site.distribution, &service.load_balancer)?;
    add_settings(
        stack,
        names,
        vec![
            (
                "TRELLIS_PUBLIC_URL",
                Expr::lit(format!("https://{}", env.api_domain())),
                "The URL the API is reached at",
            ),
            (
                "TRELLIS_WEB_URL",
                Expr::lit(app_origin.clone()),
                "The URL the web app is reached at",
            ),
            (
                "TRELLIS_COOKIE_DOMAIN",
                Expr::lit(env.domain.clone()),
                "Domain of the session cookies, shared by the app and API subdomains",
            ),
            (
                "TRELLIS_S3_BUCKET",
                attachments.bucket.reference(),
                "Bucket of attachments",
            ),
            (
                "TRELLIS_S3_PREFIX",
                Expr::lit(ATTACHMENTS_PREFIX),
                "Key prefix of attachments (the task role reaches nothing else)",
            ),
        ],
    )?;

    let outputs: Vec<(&str, Expr<String>, &str)> = vec![
        (
            "ApiUrl",
            Expr::lit(format!("https://{}", env.api_domain())),
            "The API",
        ),
        ("AppUrl", Expr::lit(app_origin), "The web app"),
        (
            "LoadBalancerDnsName",
            service.load_balancer.dns_name(),
            "The load balancer's own name",
        ),
        ("ClusterName", service.cluster.reference(), "ECS cluster"),
        ("ServiceName", service.service.name(), "ECS service"),
        (
            "TaskLogGroup",
            service.log_group.reference(),
            "The tasks' log group",
        ),
        (
            "ServiceSecurityGroupId",
            service.security_group.group_id(),
            "Security group of tasks (one-off tasks such as migrations use it too)",
        ),
        (
            "PrivateSubnetIds",
            Expr::join(",", network.private_subnet_ids()),
            "Private subnets (one-off tasks run there)",
        ),
        (
            "CodeDeployApplication",
            Expr::lit(blue_green.application_name),
            "CodeDeploy application",
        ),
        (
            "CodeDeployDeploymentGroup",
            Expr::lit(blue_green.deployment_group_name),
            "CodeDeploy deployment group",
        ),
        (
            "DatabaseEndpoint",
            database.instance.endpoint_address(),
            "PostgreSQL host",
        ),
        (
            "DatabaseIdentifier",
            database.instance.reference(),
            "RDS instance identifier",
        ),
        (
            "DatabaseMasterSecretArn",
            database.instance.master_user_secret_arn(),
            "Secret holding the master (schema owner) password",
        ),
        (
            "CacheEndpoint",
            cache.group.primary_endpoint_address(),
            "Redis primary host",
        ),
        (
            "CacheAuthTokenSecretArn",
            cache.auth_token.reference(),
            "Secret holding the Redis AUTH token",
        ),
        (
            "SiteBucketName",
            site.bucket.reference(),
            "Bucket the web app is uploaded to",
        ),
        (
            "SiteDistributionId",
            site.distribution.reference(),
            "CloudFront distribution of the web app",
        ),
        (
            "AttachmentsBucketName",
            attachments.bucket.reference(),
            "Bucket of attachments",
        ),
        (
            "AlarmTopicArn",
            alarms.topic.reference(),
            "SNS topic alarms notify",
        ),
        (
            "DataKeyAlias",
            Expr::lit(key.alias.clone()),
            "KMS key for SecureString parameters",
        ),
    ];
    for (id, value, description) in outputs {
        stack.output(
            id,
            Output {
                description: description.to_owned(),
                value,
                export_name: None,
            },
        )?;
    }
    Ok(main)
}
