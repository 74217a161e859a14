//! Typed AWS CloudFormation for Trellis, in the manner of the AWS CDK.
//!
//! Three layers, each on the one below:
//! - the template model ([`Stack`], [`Expr`] for values and intrinsics, [`Ref`] for
//!   typed resource handles) that synthesizes CloudFormation JSON and refuses dangling
//!   references and wildcard IAM actions;
//! - [`resources`]: one typed struct per CloudFormation resource type in use;
//! - [`constructs`]: network, database, cache, service, blue/green, static site, DNS,
//!   with secure defaults and props per [`Environment`];
//!
//! and [`synthesize`], which composes an environment's stacks plus the CodeDeploy
//! AppSpec and task definition. The `infra-cdk synth` command writes them to disk.
//!
//! ```
//! let env = infra_cdk::Environment::named("dev").unwrap();
//! let out = infra_cdk::synthesize(&env).unwrap();
//! let main = out.templates.last().unwrap();
//! assert_eq!(main.stack_name, "trellis-dev");
//! assert_eq!(main.body["Resources"]["Service"]["Type"], "AWS::ECS::Service");
//! ```

mod app;
mod artifacts;
pub mod constructs;
mod environment;
mod model;
pub mod resources;

pub use app::{EDGE_REGION, Synthesized, Template, synthesize};
pub use artifacts::{IMAGE_PLACEHOLDER, TASK_DEFINITION_PLACEHOLDER};
pub use environment::{ENVIRONMENTS, Environment, EnvironmentError};
pub use model::{
    CheckovSkip, Condition, ConditionRef, Expr, LogicalId, Output, Parameter, ParameterType,
    Pseudo, Ref, RemovalPolicy, Resource, ResourceOptions, Stack, SynthError,
};
