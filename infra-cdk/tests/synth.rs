//! The synthesized stacks of every environment: golden snapshots, reference
//! integrity, and the security properties the design promises.

use std::collections::BTreeSet;

use infra_cdk::constructs::Names;
use infra_cdk::constructs::database::{Database, DatabaseProps};
use infra_cdk::constructs::encryption::EncryptionKey;
use infra_cdk::constructs::network::{Network, NetworkProps};
use infra_cdk::{ENVIRONMENTS, Environment, Stack, SynthError, Synthesized, synthesize};
use serde_json::Value;

fn synthesized() -> Vec<(&'static str, Synthesized)> {
    ENVIRONMENTS
        .iter()
        .map(|(name, _)| {
            let env = Environment::named(name).unwrap();
            (*name, synthesize(&env).unwrap())
        })
        .collect()
}

/// The main stack of each environment.
fn main_templates() -> Vec<(&'static str, Value)> {
    synthesized()
        .into_iter()
        .map(|(name, s)| (name, s.templates.last().unwrap().body.clone()))
        .collect()
}

fn resources_of_type<'a>(template: &'a Value, kind: &str) -> Vec<(&'a String, &'a Value)> {
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .collect()
}

#[test]
fn every_synthesized_file_matches_its_snapshot() {
    for (name, s) in synthesized() {
        for template in &s.templates {
            insta::assert_json_snapshot!(template.stack_name.clone(), template.body);
        }
        insta::assert_snapshot!(format!("{name}-appspec"), s.appspec);
        insta::assert_json_snapshot!(format!("{name}-taskdef"), s.task_definition);
        insta::assert_json_snapshot!(format!("{name}-manifest"), s.manifest);
    }
}

/// Collects `(kind, target)` for every `Ref`, `Fn::GetAtt` and `Fn::Sub` variable.
fn references(value: &Value, out: &mut Vec<(&'static str, String)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("Ref") {
                out.push(("Ref", target.clone()));
            }
            if let Some(Value::Array(args)) = map.get("Fn::GetAtt") {
                out.push(("Fn::GetAtt", args[0].as_str().unwrap().to_owned()));
            }
            if let Some(sub) = map.get("Fn::Sub") {
                let (text, locals) = match sub {
                    Value::String(s) => (s.as_str(), None),
                    Value::Array(a) => (a[0].as_str().unwrap(), a[1].as_object()),
                    _ => unreachable!(),
                };
                for piece in text.split("${").skip(1) {
                    let var = piece.split('}').next().unwrap();
                    if var.starts_with('!') || locals.is_some_and(|l| l.contains_key(var)) {
                        continue;
                    }
                    let target = var.split('.').next().unwrap().to_owned();
                    out.push(("Fn::Sub", target));
                }
            }
            map.values().for_each(|v| references(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

#[test]
fn every_ref_and_get_att_targets_a_logical_id_of_its_own_template() {
    for (_, s) in synthesized() {
        for template in &s.templates {
            let body = &template.body;
            let keys = |section: &str| -> BTreeSet<String> {
                body.get(section)
                    .and_then(Value::as_object)
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default()
            };
            let resources = keys("Resources");
            let parameters = keys("Parameters");
            let mut refs = Vec::new();
            references(body, &mut refs);
            assert!(!refs.is_empty());
            for (kind, target) in refs {
                let ok = target.starts_with("AWS::")
                    || resources.contains(&target)
                    || (kind != "Fn::GetAtt" && parameters.contains(&target));
                assert!(ok, "{}: {kind} to missing {target:?}", template.stack_name);
            }
        }
    }
}

#[test]
fn a_construct_wired_to_another_stacks_network_fails_synthesis_clearly() {
    let names = Names::new("dev");
    let mut network_stack = Stack::new("network", "network").unwrap();
    let key = EncryptionKey::new(&mut network_stack, "k").unwrap();
    let network = Network::new(&mut network_stack, &names, &NetworkProps::default(), &key).unwrap();

    let mut data_stack = Stack::new("data", "data").unwrap();
    let data_key = EncryptionKey::new(&mut data_stack, "k").unwrap();
    Database::new(
        &mut data_stack,
        &names,
        &DatabaseProps::default(),
        &network,
        &data_key,
    )
    .unwrap();
    let err = data_stack.synth().unwrap_err();
    assert!(matches!(err, SynthError::DanglingReference { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "stack data: Resources.DatabaseSecurityGroup.Properties.VpcId uses Ref on \"Vpc\", \
         which is not a resource or parameter of this stack"
    );
}

#[test]
fn the_task_definition_file_matches_the_stacks_task_definition() {
    for (name, s) in synthesized() {
        let main = &s.templates.last().unwrap().body;
        let cfn = &main["Resources"]["TaskDefinition"]["Properties"];
        let file = &s.task_definition;
        assert_eq!(cfn["Family"], file["family"], "{name}");
        assert_eq!(cfn["Cpu"], file["cpu"], "{name}");
        assert_eq!(cfn["Memory"], file["memory"], "{name}");
        let container = &cfn["ContainerDefinitions"][0];
        let file_container = &file["containerDefinitions"][0];
        let pairs = |list: &Value, key: &str, value: &str| -> Vec<(String, String)> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|e| (e[key].to_string(), e[value].to_string()))
                .collect()
        };
        assert_eq!(
            pairs(&container["Environment"], "Name", "Value"),
            pairs(&file_container["environment"], "name", "value"),
            "{name}"
        );
        let secret_names = |list: &Value, key: &str| -> Vec<String> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|e| e[key].to_string())
                .collect()
        };
        assert_eq!(
            secret_names(&container["Secrets"], "Name"),
            secret_names(&file_container["secrets"], "name")
        );
        assert_eq!(container["Name"], file_container["name"]);
        assert_eq!(
            container["HealthCheck"]["Command"],
            file_container["healthCheck"]["command"]
        );
        assert_eq!(file_container["image"], infra_cdk::IMAGE_PLACEHOLDER);
        assert!(s.appspec.contains(infra_cdk::TASK_DEFINITION_PLACEHOLDER));
        assert!(s.appspec.contains("ContainerName: \"trellis\""));
    }
}

#[test]
fn every_bucket_is_versioned_encrypted_private_and_tls_only() {
    for (name, template) in main_templates() {
        let buckets = resources_of_type(&template, "AWS::S3::Bucket");
        assert_eq!(buckets.len(), 3, "{name}: access logs, attachments, site");
        for (id, bucket) in buckets {
            let p = &bucket["Properties"];
            assert_eq!(
                p["VersioningConfiguration"]["Status"], "Enabled",
                "{name} {id}"
            );
            assert!(p["BucketEncryption"].is_object(), "{name} {id}");
            for block in [
                "BlockPublicAcls",
                "BlockPublicPolicy",
                "IgnorePublicAcls",
                "RestrictPublicBuckets",
            ] {
                assert_eq!(
                    p["PublicAccessBlockConfiguration"][block], true,
                    "{name} {id} {block}"
                );
            }
            let policy = resources_of_type(&template, "AWS::S3::BucketPolicy")
                .into_iter()
                .find(|(_, pol)| pol["Properties"]["Bucket"]["Ref"] == id.as_str())
                .unwrap_or_else(|| panic!("{name}: {id} has no policy"));
            assert_eq!(
                policy.1["Properties"]["PolicyDocument"]["Statement"][0]["Sid"],
                "DenyInsecureTransport"
            );
        }
    }
}

#[test]
fn every_log_group_has_a_retention_and_a_kms_key() {
    for (name, template) in main_templates() {
        let groups = resources_of_type(&template, "AWS::Logs::LogGroup");
        assert_eq!(groups.len(), 2, "{name}: flow logs, app");
        for (id, group) in groups {
            assert!(
                group["Properties"]["RetentionInDays"].as_u64().unwrap() > 0,
                "{id}"
            );
            assert_eq!(
                group["Properties"]["KmsKeyId"],
                serde_json::json!({"Fn::GetAtt": ["DataKey", "Arn"]}),
                "{id}"
            );
        }
    }
}

#[test]
fn https_listeners_use_tls_1_3_and_port_80_only_redirects() {
    for (name, template) in main_templates() {
        for (id, listener) in resources_of_type(&template, "AWS::ElasticLoadBalancingV2::Listener")
        {
            let p = &listener["Properties"];
            match p["Protocol"].as_str().unwrap() {
                "HTTPS" => assert_eq!(
                    p["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    "{name} {id}"
                ),
                "HTTP" => assert_eq!(p["DefaultActions"][0]["Type"], "redirect", "{name} {id}"),
                other => panic!("{name} {id}: unexpected protocol {other}"),
            }
        }
        let lb = &template["Resources"]["LoadBalancer"]["Properties"]["LoadBalancerAttributes"];
        assert!(
            lb.as_array()
                .unwrap()
                .iter()
                .any(|a| a["Key"] == "access_logs.s3.enabled" && a["Value"] == "true"),
            "{name}: access logs"
        );
    }
}

#[test]
fn only_the_load_balancer_is_open_to_the_internet() {
    for (name, template) in main_templates() {
        for (id, rule) in resources_of_type(&template, "AWS::EC2::SecurityGroupIngress") {
            if rule["Properties"]["CidrIp"] == "0.0.0.0/0" {
                assert!(
                    id == "LoadBalancerHttpsIngress" || id == "LoadBalancerHttpIngress",
                    "{name}: {id}"
                );
            }
        }
    }
}

#[test]
fn the_task_role_reaches_only_its_ssm_path_and_its_bucket_prefix() {
    for (name, template) in main_templates() {
        let role = &template["Resources"]["TaskRole"]["Properties"];
        assert_eq!(role["RoleName"], format!("trellis-{name}-task"));
        let statements = role["Policies"][0]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap();
        for statement in statements {
            for resource in statement["Resource"].as_array().unwrap() {
                let text = resource.to_string();
                assert!(!text.contains("\"*\""), "{name}: {statement}");
                let scoped = text.contains(&format!("parameter/trellis/{name}"))
                    || text.contains("/attachments/*")
                    || text.contains("AttachmentsBucket")
                    || text.contains("DataKey");
                assert!(scoped, "{name}: unscoped resource {text}");
            }
        }
    }
}

#[test]
fn the_attachments_bucket_takes_browser_uploads_from_the_app_only_and_the_task_role_its_prefix() {
    for (name, template) in main_templates() {
        let bucket = &template["Resources"]["AttachmentsBucket"]["Properties"];
        let rules = bucket["CorsConfiguration"]["CorsRules"].as_array().unwrap();
        assert_eq!(rules.len(), 1, "{name}");
        let app = template["Outputs"]["AppUrl"]["Value"].clone();
        assert_eq!(
            rules[0]["AllowedOrigins"],
            serde_json::json!([app]),
            "{name}"
        );
        assert_eq!(
            rules[0]["AllowedMethods"],
            serde_json::json!(["PUT", "GET"]),
            "{name}"
        );
        assert_eq!(
            rules[0]["AllowedHeaders"],
            serde_json::json!(["content-type"]),
            "{name}"
        );

        let policy =
            &template["Resources"]["AttachmentsBucketPolicy"]["Properties"]["PolicyDocument"];
        let sids: Vec<&str> = policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["Sid"].as_str().unwrap())
            .collect();
        assert_eq!(sids, ["DenyInsecureTransport", "DenyOutdatedTls"], "{name}");

        let role = &template["Resources"]["TaskRole"]["Properties"];
        let mut s3_actions = BTreeSet::new();
        for statement in role["Policies"][0]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
        {
            let actions: Vec<&str> = match &statement["Action"] {
                Value::String(a) => vec![a.as_str()],
                Value::Array(a) => a.iter().map(|a| a.as_str().unwrap()).collect(),
                other => panic!("{name}: {other}"),
            };
            for action in actions {
                assert!(!action.ends_with('*'), "{name}: wildcard action {action}");
                if action.starts_with("s3:") {
                    s3_actions.insert(action.to_owned());
                    if action == "s3:ListBucket" {
                        assert_eq!(
                            statement["Condition"]["StringLike"]["s3:prefix"],
                            serde_json::json!(["attachments/*"]),
                            "{name}"
                        );
                    } else {
                        assert!(
                            statement["Resource"].to_string().contains("/attachments/*"),
                            "{name}: {statement}"
                        );
                    }
                }
            }
        }
        let expected: BTreeSet<String> = [
            "s3:DeleteObject",
            "s3:GetObject",
            "s3:ListBucket",
            "s3:PutObject",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        assert_eq!(s3_actions, expected, "{name}");
    }
}

#[test]
fn the_database_is_private_encrypted_multi_az_protected_and_backed_up() {
    for (name, template) in main_templates() {
        let db = &template["Resources"]["Database"];
        let p = &db["Properties"];
        assert_eq!(p["PubliclyAccessible"], false, "{name}");
        assert_eq!(p["StorageEncrypted"], true, "{name}");
        assert_eq!(p["MultiAZ"], true, "{name}");
        assert_eq!(p["DeletionProtection"], true, "{name}");
        assert!(p["BackupRetentionPeriod"].as_u64().unwrap() >= 7, "{name}");
        assert_eq!(db["DeletionPolicy"], "Snapshot", "{name}");
        assert_eq!(p["ManageMasterUserPassword"], true, "{name}");
    }
}

#[test]
fn the_cache_requires_tls_and_an_auth_token_resolved_at_deploy_time() {
    for (name, template) in main_templates() {
        let p = &template["Resources"]["Cache"]["Properties"];
        assert_eq!(p["TransitEncryptionEnabled"], true, "{name}");
        assert_eq!(p["AtRestEncryptionEnabled"], true, "{name}");
        let token = p["AuthToken"].to_string();
        assert!(
            token.contains("{{resolve:secretsmanager:"),
            "{name}: {token}"
        );
        assert!(token.contains("CacheAuthToken"), "{name}: {token}");
    }
}

#[test]
fn codedeploy_owns_rollouts_and_rolls_back_on_every_alarm() {
    for (name, template) in main_templates() {
        let service = &template["Resources"]["Service"]["Properties"];
        assert_eq!(
            service["DeploymentController"]["Type"], "CODE_DEPLOY",
            "{name}"
        );
        let group = &template["Resources"]["DeploymentGroup"]["Properties"];
        assert_eq!(group["DeploymentStyle"]["DeploymentType"], "BLUE_GREEN");
        let pair = &group["LoadBalancerInfo"]["TargetGroupPairInfoList"][0];
        assert_eq!(pair["TargetGroups"].as_array().unwrap().len(), 2);
        assert_eq!(
            pair["TestTrafficRoute"]["ListenerArns"][0]["Ref"],
            "TestListener"
        );
        let events = group["AutoRollbackConfiguration"]["Events"].to_string();
        assert!(events.contains("DEPLOYMENT_STOP_ON_ALARM"), "{name}");
        let watched: BTreeSet<String> = group["AlarmConfiguration"]["Alarms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["Name"]["Ref"].as_str().unwrap().to_owned())
            .collect();
        let alarms: BTreeSet<String> = resources_of_type(&template, "AWS::CloudWatch::Alarm")
            .into_iter()
            .map(|(id, _)| id.clone())
            .collect();
        assert_eq!(watched, alarms, "{name}");
        assert_eq!(
            alarms.len(),
            4,
            "{name}: 5xx, p99, unhealthy blue and green"
        );
    }
}

#[test]
fn the_first_deploy_runs_no_task_until_bootstrap_is_turned_off() {
    for (name, template) in main_templates() {
        let count = &template["Resources"]["Service"]["Properties"]["DesiredCount"];
        assert_eq!(count["Fn::If"][0], "IsBootstrap", "{name}");
        assert_eq!(count["Fn::If"][1], 0, "{name}");
        assert_eq!(
            template["Parameters"]["Bootstrap"]["Default"], "false",
            "{name}"
        );
    }
}

#[test]
fn the_site_answers_unknown_paths_with_index_html() {
    for (name, template) in main_templates() {
        let config = &template["Resources"]["SiteDistribution"]["Properties"]["DistributionConfig"];
        for response in config["CustomErrorResponses"].as_array().unwrap() {
            assert_eq!(response["ResponsePagePath"], "/index.html", "{name}");
            assert_eq!(response["ResponseCode"], 200, "{name}");
        }
        assert_eq!(
            config["ViewerCertificate"]["AcmCertificateArn"]["Ref"],
            "SiteCertificateArn"
        );
        assert!(
            config["Origins"][0]["OriginAccessControlId"].is_object(),
            "{name}"
        );
    }
}

#[test]
fn the_cli_writes_every_file_of_every_environment() {
    let out = std::env::temp_dir().join(format!(
        "infra-cdk-cli-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_infra-cdk"))
        .args(["synth", "--env", "all", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    for (name, _) in ENVIRONMENTS {
        for file in [
            format!("trellis-{name}.json"),
            format!("trellis-{name}-edge.json"),
            format!("trellis-{name}-registry.json"),
            "appspec.yaml".to_owned(),
            "taskdef.json".to_owned(),
            "manifest.json".to_owned(),
        ] {
            let path = out.join(name).join(&file);
            assert!(path.is_file(), "{} missing", path.display());
        }
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn the_cli_refuses_an_unknown_environment() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_infra-cdk"))
        .args([
            "synth",
            "--env",
            "qa",
            "--out",
            "/nonexistent-never-written",
        ])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown environment \"qa\""), "{stderr}");
}
