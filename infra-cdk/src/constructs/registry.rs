//! The ECR repository the workflow pushes images to. It lives in its own stack so it
//! exists (and holds an image) before the service that runs one.

use crate::model::{Expr, Output, Ref, Stack, SynthError};
use crate::resources::ecr::{
    EncryptionConfiguration, ImageScanningConfiguration, LifecyclePolicy, Repository,
};

/// Images kept; older ones expire (a rollback never goes further back).
const IMAGES_KEPT: u32 = 50;

/// The repository.
pub struct ImageRepository {
    /// The repository.
    pub repository: Ref<Repository>,
}

impl ImageRepository {
    /// Adds the repository `name` and exports its ARN and URI as
    /// `EXPORT_PREFIX-RepositoryArn` and `EXPORT_PREFIX-RepositoryUri`.
    pub fn new(stack: &mut Stack, name: &str, export_prefix: &str) -> Result<Self, SynthError> {
        let policy = serde_json::json!({
            "rules": [{
                "rulePriority": 1,
                "description": format!("Keep the last {IMAGES_KEPT} images"),
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": IMAGES_KEPT
                },
                "action": {"type": "expire"}
            }]
        });
        let repository = stack.add(
            "Repository",
            Repository {
                repository_name: name.to_owned(),
                // A tag names one image forever: deployments and rollbacks are exact.
                image_tag_mutability: "IMMUTABLE".to_owned(),
                image_scanning_configuration: ImageScanningConfiguration { scan_on_push: true },
                encryption_configuration: EncryptionConfiguration {
                    encryption_type: "KMS".to_owned(),
                },
                lifecycle_policy: LifecyclePolicy {
                    lifecycle_policy_text: policy.to_string(),
                },
            },
        )?;
        for (id, value, description) in [
            (
                "RepositoryArn",
                repository.arn(),
                "ARN of the image repository",
            ),
            (
                "RepositoryUri",
                repository.repository_uri(),
                "URI images are pushed to",
            ),
        ] {
            stack.output(
                id,
                Output {
                    description: description.to_owned(),
                    value,
                    export_name: Some(Expr::lit(format!("{export_prefix}-{id}"))),
                },
            )?;
        }
        Ok(Self { repository })
    }
}
