//! The environment's customer managed KMS key.

use serde_json::json;

use crate::model::{Expr, Pseudo, Ref, Stack, SynthError};
use crate::resources::iam::{PolicyDocument, Principal, Statement};
use crate::resources::kms::{Alias, Key};

/// One rotating KMS key per environment for data at rest: RDS, ElastiCache, log groups,
/// SNS, Secrets Manager, SSM SecureStrings and the attachments bucket.
pub struct EncryptionKey {
    /// The key.
    pub key: Ref<Key>,
    /// `alias/NAME`, what operators pass to `aws ssm put-parameter --key-id`.
    pub alias: String,
}

impl EncryptionKey {
    /// Adds the key and its alias. `name` becomes `alias/NAME`.
    pub fn new(stack: &mut Stack, name: &str) -> Result<Self, SynthError> {
        let root = Principal::aws(Expr::sub(
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:root",
        ));
        let policy = PolicyDocument::new(vec![
            // The account administers the key; IAM policies then grant its use.
            Statement::allow(&["kms:*"], vec![Expr::lit("*")])
                .sid("AccountAdministers")
                .principal(root),
            Statement::allow(
                &[
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncryptFrom",
                    "kms:ReEncryptTo",
                    "kms:GenerateDataKey",
                    "kms:GenerateDataKeyWithoutPlaintext",
                    "kms:DescribeKey",
                ],
                vec![Expr::lit("*")],
            )
            .sid("CloudWatchLogsEncrypts")
            .principal(Principal::service(Expr::sub("logs.${AWS::Region}.amazonaws.com")))
            .condition(json!({
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn":
                        Expr::sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*")
                }
            })),
            // Alarms publish to the encrypted SNS topic.
            Statement::allow(&["kms:Decrypt", "kms:GenerateDataKey"], vec![Expr::lit("*")])
                .sid("CloudWatchAlarmsPublish")
                .principal(Principal::service("cloudwatch.amazonaws.com"))
                .condition(json!({"StringEquals": {"aws:SourceAccount": Expr::pseudo(Pseudo::AccountId)}})),
            // CloudFront reads the web app's objects through its origin access control.
            // Any distribution of the account: naming the one distribution would make
            // key -> distribution -> bucket -> key a cycle.
            Statement::allow(&["kms:Decrypt"], vec![Expr::lit("*")])
                .sid("CloudFrontReadsSite")
                .principal(Principal::service("cloudfront.amazonaws.com"))
                .condition(json!({"StringLike": {"AWS:SourceArn": Expr::sub("arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*")}})),
        ]);
        let key = stack.add(
            "DataKey",
            Key {
                description: format!("Trellis data at rest ({name})"),
                enable_key_rotation: true,
                pending_window_in_days: 30,
                key_policy: policy,
            },
        )?;
        let alias = format!("alias/{name}");
        stack.add(
            "DataKeyAlias",
            Alias {
                alias_name: alias.clone(),
                target_key_id: key.reference(),
            },
        )?;
        Ok(Self { key, alias })
    }

    /// The key's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.key.arn()
    }
}
