//! The template model: a [`Stack`] of typed resources, parameters, conditions and
//! outputs that synthesizes to CloudFormation JSON.

mod expr;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Serialize;
use serde_json::{Map, Value, json};

pub use expr::{Expr, Pseudo};
pub(crate) use expr::{Node, PSEUDO_NAMES};

/// A typed CloudFormation resource: its properties serialize to the `Properties` object.
pub trait Resource: Serialize {
    /// The CloudFormation type, e.g. `AWS::EC2::VPC`.
    const TYPE: &'static str;
}

/// Why a stack cannot be synthesized.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// A logical id is empty, too long or not alphanumeric.
    #[error("invalid logical id {id:?}: {reason}")]
    InvalidLogicalId {
        /// The rejected id.
        id: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A stack name CloudFormation would refuse.
    #[error(
        "invalid stack name {0:?}: letters, digits and '-', starting with a letter, at most 128"
    )]
    InvalidStackName(String),
    /// Two parameters, conditions, resources or outputs share a logical id.
    #[error("stack {stack}: logical id {id:?} is defined twice")]
    DuplicateLogicalId {
        /// The stack.
        stack: String,
        /// The id used twice.
        id: String,
    },
    /// An intrinsic names a resource, parameter or condition that is not in the stack.
    #[error(
        "stack {stack}: {at} uses {function} on {target:?}, which is not {expected} of this stack"
    )]
    DanglingReference {
        /// The stack.
        stack: String,
        /// Where in the template, e.g. `Resources.Service.Properties.Cluster`.
        at: String,
        /// `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::If`, `DependsOn` or `Condition`.
        function: &'static str,
        /// The missing logical id.
        target: String,
        /// What kind of definition was expected.
        expected: &'static str,
    },
    /// An IAM identity policy grants an action with a wildcard.
    #[error("stack {stack}: {at} allows the wildcard action {action:?}; name each action")]
    WildcardAction {
        /// The stack.
        stack: String,
        /// Where in the template.
        at: String,
        /// The offending action.
        action: String,
    },
    /// Construct props that cannot work, e.g. a VPC range that is not a /16.
    #[error("{construct}: {message}")]
    InvalidProps {
        /// The construct.
        construct: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Properties that do not serialize to JSON (a programming error).
    #[error("resource {id}: {source}")]
    Serialize {
        /// The resource.
        id: String,
        /// The serializer's complaint.
        source: serde_json::Error,
    },
}

/// A validated logical id: ASCII letters and digits, 1 to 255 characters.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LogicalId(String);

impl LogicalId {
    /// Validates `id`.
    ///
    /// ```
    /// assert!(infra_cdk::LogicalId::new("PublicSubnet1").is_ok());
    /// assert!(infra_cdk::LogicalId::new("public-subnet").is_err());
    /// ```
    pub fn new(id: &str) -> Result<Self, SynthError> {
        let reason = if id.is_empty() {
            Some("it is empty")
        } else if id.len() > 255 {
            Some("it is longer than 255 characters")
        } else if !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            Some("only ASCII letters and digits are allowed")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(SynthError::InvalidLogicalId {
                id: id.to_owned(),
                reason,
            }),
            None => Ok(Self(id.to_owned())),
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LogicalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A typed handle on a resource added to a [`Stack`]: `Ref<Vpc>` can only come from
/// adding a `Vpc`, and synthesis fails if it is used in a stack that lacks it.
pub struct Ref<R> {
    id: LogicalId,
    kind: PhantomData<fn() -> R>,
}

impl<R> Ref<R> {
    /// The resource's logical id.
    pub fn logical_id(&self) -> &LogicalId {
        &self.id
    }

    /// `Ref` of the resource (an id, name or ARN depending on the type).
    pub fn reference(&self) -> Expr<String> {
        Expr::from_node(Node::Ref(self.id.0.clone()))
    }

    /// `Fn::GetAtt` of one of the resource's attributes. Typed accessors on `Ref<R>`
    /// (such as `Ref<Bucket>::arn`) are preferred where they exist.
    pub fn get_att(&self, attribute: &str) -> Expr<String> {
        Expr::from_node(Node::GetAtt(self.id.0.clone(), attribute.to_owned()))
    }
}

impl<R> Clone for Ref<R> {
    fn clone(&self) -> Self {
        Self {
            id: self.id.clone(),
            kind: PhantomData,
        }
    }
}

impl<R> fmt::Debug for Ref<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ref({})", self.id)
    }
}

/// A handle on a condition defined in a [`Stack`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionRef(LogicalId);

impl ConditionRef {
    #[cfg(test)]
    pub(crate) fn new_unchecked(name: &str) -> Self {
        Self(LogicalId(name.to_owned()))
    }

    pub(crate) fn name(&self) -> &str {
        &self.0.0
    }
}

/// A condition expression (`Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`).
#[derive(Clone, Debug)]
pub enum Condition {
    /// `Fn::Equals`
    Equals(Expr<String>, Expr<String>),
    /// `Fn::Not`
    Not(Box<Condition>),
    /// `Fn::And` (2 to 10 conditions)
    And(Vec<Condition>),
    /// `Fn::Or` (2 to 10 conditions)
    Or(Vec<Condition>),
    /// Another named condition.
    Named(ConditionRef),
}

impl Condition {
    fn to_json(&self) -> Value {
        match self {
            Self::Equals(a, b) => json!({"Fn::Equals": [a, b]}),
            Self::Not(c) => json!({"Fn::Not": [c.to_json()]}),
            Self::And(cs) => json!({"Fn::And": cs.iter().map(Self::to_json).collect::<Vec<_>>()}),
            Self::Or(cs) => json!({"Fn::Or": cs.iter().map(Self::to_json).collect::<Vec<_>>()}),
            Self::Named(c) => json!({"Condition": c.name()}),
        }
    }
}

/// The type of a template parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ParameterType {
    /// A string.
    String,
    /// A number.
    Number,
}

/// A template parameter: a value given at deploy time.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    /// Its type.
    #[serde(rename = "Type")]
    pub kind: ParameterType,
    /// What it is for.
    pub description: String,
    /// The value when none is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The only values accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_values: Option<Vec<String>>,
    /// A regular expression the value must match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_pattern: Option<String>,
    /// Shown when the value does not match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub constraint_description: Option<String>,
}

/// A template output, optionally exported for `Fn::ImportValue`.
#[derive(Clone, Debug)]
pub struct Output {
    /// What it is.
    pub description: String,
    /// Its value.
    pub value: Expr<String>,
    /// The export name, for other stacks of the same account and region.
    pub export_name: Option<Expr<String>>,
}

/// `DeletionPolicy` / `UpdateReplacePolicy` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum RemovalPolicy {
    /// Delete the resource.
    Delete,
    /// Keep it, detached from the stack.
    Retain,
    /// Take a final snapshot, then delete (databases, caches).
    Snapshot,
}

/// A checkov check that does not fit a resource, with the reason recorded in its
/// `Metadata.checkov.skip`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckovSkip {
    /// The check, e.g. `CKV_AWS_68`.
    pub id: &'static str,
    /// Why it does not apply.
    pub comment: &'static str,
}

/// Resource attributes beside `Properties`.
#[derive(Clone, Debug, Default)]
pub struct ResourceOptions {
    /// Resources to create first (`DependsOn`).
    pub depends_on: Vec<LogicalId>,
    /// `DeletionPolicy`.
    pub deletion_policy: Option<RemovalPolicy>,
    /// `UpdateReplacePolicy`.
    pub update_replace_policy: Option<RemovalPolicy>,
    /// Create the resource only where this condition holds.
    pub condition: Option<ConditionRef>,
    /// checkov checks to skip, each with its reason.
    pub checkov_skips: Vec<CheckovSkip>,
}

impl ResourceOptions {
    /// Options that keep the resource's data: snapshot (or retain) on delete and replace.
    pub fn keep_data(policy: RemovalPolicy) -> Self {
        Self {
            deletion_policy: Some(policy),
            update_replace_policy: Some(policy),
            ..Self::default()
        }
    }

    /// Adds checkov skips.
    pub fn skip_checkov(mut self, skips: &[CheckovSkip]) -> Self {
        self.checkov_skips.extend_from_slice(skips);
        self
    }
}

struct ResourceEntry {
    kind: &'static str,
    properties: Value,
    options: ResourceOptions,
}

/// One CloudFormation stack under construction.
///
/// ```
/// use infra_cdk::Stack;
/// use infra_cdk::resources::sns::Topic;
///
/// let mut stack = Stack::new("example", "An example").unwrap();
/// stack.add("Alarms", Topic { display_name: None, kms_master_key_id: None }).unwrap();
/// let template = stack.synth().unwrap();
/// assert_eq!(template["Resources"]["Alarms"]["Type"], "AWS::SNS::Topic");
/// ```
pub struct Stack {
    name: String,
    description: String,
    parameters: BTreeMap<LogicalId, Parameter>,
    conditions: BTreeMap<LogicalId, Condition>,
    resources: BTreeMap<LogicalId, ResourceEntry>,
    outputs: BTreeMap<LogicalId, Output>,
}

impl Stack {
    /// An empty stack. `name` is the CloudFormation stack name.
    pub fn new(name: &str, description: &str) -> Result<Self, SynthError> {
        let valid = name.len() <= 128
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid {
            return Err(SynthError::InvalidStackName(name.to_owned()));
        }
        Ok(Self {
            name: name.to_owned(),
            description: description.to_owned(),
            parameters: BTreeMap::new(),
            conditions: BTreeMap::new(),
            resources: BTreeMap::new(),
            outputs: BTreeMap::new(),
        })
    }

    /// The CloudFormation stack name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds a resource under `id` and returns a typed handle on it.
    pub fn add<R: Resource>(&mut self, id: &str, properties: R) -> Result<Ref<R>, SynthError> {
        self.add_with(id, properties, ResourceOptions::default())
    }

    /// Adds a resource with attributes such as `DependsOn` or `DeletionPolicy`.
    pub fn add_with<R: Resource>(
        &mut self,
        id: &str,
        properties: R,
        options: ResourceOptions,
    ) -> Result<Ref<R>, SynthError> {
        let id = self.fresh_id(id)?;
        let mut properties =
            serde_json::to_value(&properties).map_err(|source| SynthError::Serialize {
                id: id.to_string(),
                source,
            })?;
        prune_nulls(&mut properties);
        self.resources.insert(
            id.clone(),
            ResourceEntry {
                kind: R::TYPE,
                properties,
                options,
            },
        );
        Ok(Ref {
            id,
            kind: PhantomData,
        })
    }

    /// Declares a parameter and returns its `Ref`.
    pub fn parameter(
        &mut self,
        id: &str,
        parameter: Parameter,
    ) -> Result<Expr<String>, SynthError> {
        let id = self.fresh_id(id)?;
        let value = Expr::from_node(Node::Ref(id.0.clone()));
        self.parameters.insert(id, parameter);
        Ok(value)
    }

    /// Declares a named condition.
    pub fn condition(
        &mut self,
        id: &str,
        condition: Condition,
    ) -> Result<ConditionRef, SynthError> {
        let id = self.fresh_id(id)?;
        self.conditions.insert(id.clone(), condition);
        Ok(ConditionRef(id))
    }

    /// Declares an output.
    pub fn output(&mut self, id: &str, output: Output) -> Result<(), SynthError> {
        let id = LogicalId::new(id)?;
        if self.outputs.contains_key(&id) {
            return Err(self.duplicate(&id));
        }
        self.outputs.insert(id, output);
        Ok(())
    }

    /// Parameters, conditions and resources share one namespace, as `Ref` and
    /// `Fn::Sub` cannot tell them apart.
    fn fresh_id(&self, id: &str) -> Result<LogicalId, SynthError> {
        let id = LogicalId::new(id)?;
        if self.parameters.contains_key(&id)
            || self.conditions.contains_key(&id)
            || self.resources.contains_key(&id)
        {
            return Err(self.duplicate(&id));
        }
        Ok(id)
    }

    fn duplicate(&self, id: &LogicalId) -> SynthError {
        SynthError::DuplicateLogicalId {
            stack: self.name.clone(),
            id: id.to_string(),
        }
    }

    /// The CloudFormation template as JSON with its keys sorted, after checking that
    /// every `Ref`, `Fn::GetAtt`, `Fn::Sub` variable, `Fn::If` condition and
    /// `DependsOn` names something in this stack, and that no IAM identity policy
    /// grants a wildcard action.
    pub fn synth(&self) -> Result<Value, SynthError> {
        let mut template = Map::new();
        template.insert("AWSTemplateFormatVersion".into(), "2010-09-09".into());
        template.insert("Description".into(), self.description.clone().into());
        if !self.parameters.is_empty() {
            let params = self
                .parameters
                .iter()
                .map(|(id, p)| Ok((id.to_string(), self.to_json(id, p)?)))
                .collect::<Result<Map<_, _>, SynthError>>()?;
            template.insert("Parameters".into(), Value::Object(params));
        }
        if !self.conditions.is_empty() {
            let conditions = self
                .conditions
                .iter()
                .map(|(id, c)| (id.to_string(), c.to_json()))
                .collect();
            template.insert("Conditions".into(), Value::Object(conditions));
        }
        let resources = self
            .resources
            .iter()
            .map(|(id, r)| (id.to_string(), resource_json(r)))
            .collect();
        template.insert("Resources".into(), Value::Object(resources));
        if !self.outputs.is_empty() {
            let outputs = self
                .outputs
                .iter()
                .map(|(id, o)| {
                    let mut out = json!({"Description": o.description, "Value": o.value});
                    if let Some(name) = &o.export_name {
                        out["Export"] = json!({"Name": name});
                    }
                    (id.to_string(), out)
                })
                .collect();
            template.insert("Outputs".into(), Value::Object(outputs));
        }
        let mut template = Value::Object(template);
        sort_keys(&mut template);
        validate::check(&self.name, &template)?;
        Ok(template)
    }

    fn to_json(&self, id: &LogicalId, value: &impl Serialize) -> Result<Value, SynthError> {
        serde_json::to_value(value).map_err(|source| SynthError::Serialize {
            id: id.to_string(),
            source,
        })
    }
}

fn resource_json(entry: &ResourceEntry) -> Value {
    let mut r = Map::new();
    r.insert("Type".into(), entry.kind.into());
    if entry.properties.as_object().is_some_and(|p| !p.is_empty()) {
        r.insert("Properties".into(), entry.properties.clone());
    }
    let o = &entry.options;
    if !o.depends_on.is_empty() {
        let ids = o.depends_on.iter().map(|d| Value::from(d.as_str()));
        r.insert("DependsOn".into(), Value::Array(ids.collect()));
    }
    if let Some(p) = o.deletion_policy {
        r.insert("DeletionPolicy".into(), json!(p));
    }
    if let Some(p) = o.update_replace_policy {
        r.insert("UpdateReplacePolicy".into(), json!(p));
    }
    if let Some(c) = &o.condition {
        r.insert("Condition".into(), c.name().into());
    }
    if !o.checkov_skips.is_empty() {
        let skips: Vec<Value> = o
            .checkov_skips
            .iter()
            .map(|s| json!({"id": s.id, "comment": s.comment}))
            .collect();
        r.insert("Metadata".into(), json!({"checkov": {"skip": skips}}));
    }
    Value::Object(r)
}

/// Optional properties serialize as `null`; CloudFormation wants them absent.
fn prune_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(prune_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}

/// Sorts object keys so the output is byte-for-byte stable whatever serde_json's
/// map flavour (another crate in the build may turn on `preserve_order`).
fn sort_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            for (k, mut v) in entries {
                sort_keys(&mut v);
                map.insert(k, v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
