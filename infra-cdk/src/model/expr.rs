//! CloudFormation values: literals and intrinsic functions, typed by what they yield.

use std::fmt;
use std::marker::PhantomData;

use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::ConditionRef;

/// A CloudFormation value that yields a `T` once deployed: a literal, or an intrinsic
/// function (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::GetAZs`,
/// `Fn::ImportValue`, `Fn::If`).
///
/// `T` is `String` for scalars and `Vec<String>` for lists, so a list (say
/// `Fn::GetAZs`) cannot be put where a string is wanted without `Fn::Select`.
///
/// ```
/// use infra_cdk::{Expr, Pseudo};
///
/// let az: Expr<String> = Expr::select(0, Expr::get_azs(Expr::pseudo(Pseudo::Region)));
/// let json = serde_json::to_value(&az).unwrap();
/// assert_eq!(json, serde_json::json!({"Fn::Select": [0, {"Fn::GetAZs": {"Ref": "AWS::Region"}}]}));
/// ```
pub struct Expr<T> {
    node: Node,
    yields: PhantomData<fn() -> T>,
}

/// The untyped syntax tree of a value; [`Expr`] adds the type.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    Literal(Value),
    List(Vec<Node>),
    Ref(String),
    GetAtt(String, String),
    Sub(String, Vec<(String, Node)>),
    Join(String, Vec<Node>),
    Select(u32, Box<Node>),
    GetAzs(Box<Node>),
    ImportValue(Box<Node>),
    If(String, Box<Node>, Box<Node>),
}

/// CloudFormation's pseudo parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pseudo {
    /// `AWS::AccountId`
    AccountId,
    /// `AWS::Partition`
    Partition,
    /// `AWS::Region`
    Region,
    /// `AWS::StackId`
    StackId,
    /// `AWS::StackName`
    StackName,
    /// `AWS::URLSuffix`
    UrlSuffix,
}

impl Pseudo {
    /// The name used in `Ref` and `${...}`.
    pub fn name(self) -> &'static str {
        match self {
            Self::AccountId => "AWS::AccountId",
            Self::Partition => "AWS::Partition",
            Self::Region => "AWS::Region",
            Self::StackId => "AWS::StackId",
            Self::StackName => "AWS::StackName",
            Self::UrlSuffix => "AWS::URLSuffix",
        }
    }
}

/// Every pseudo parameter a template may name, including `AWS::NoValue` and
/// `AWS::NotificationARNs`, which [`Pseudo`] leaves out.
pub(crate) const PSEUDO_NAMES: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

impl<T> Expr<T> {
    pub(crate) fn from_node(node: Node) -> Self {
        Self {
            node,
            yields: PhantomData,
        }
    }

    /// `Fn::If`: `then` where the condition holds, `otherwise` elsewhere.
    pub fn if_(condition: &ConditionRef, then: Expr<T>, otherwise: Expr<T>) -> Self {
        Self::from_node(Node::If(
            condition.name().to_owned(),
            Box::new(then.node),
            Box::new(otherwise.node),
        ))
    }

    /// `Ref: AWS::NoValue`: removes the property, typically as one branch of [`Expr::if_`].
    pub fn no_value() -> Self {
        Self::from_node(Node::Ref("AWS::NoValue".to_owned()))
    }
}

impl Expr<String> {
    /// A literal string.
    pub fn lit(value: impl Into<String>) -> Self {
        Self::from_node(Node::Literal(Value::String(value.into())))
    }

    /// A pseudo parameter such as `AWS::Region`.
    pub fn pseudo(pseudo: Pseudo) -> Self {
        Self::from_node(Node::Ref(pseudo.name().to_owned()))
    }

    /// `Fn::Sub` over a template that names only resources, parameters and pseudo
    /// parameters (`${Vpc}`, `${Bucket.Arn}`, `${AWS::Region}`).
    pub fn sub(template: impl Into<String>) -> Self {
        Self::from_node(Node::Sub(template.into(), Vec::new()))
    }

    /// `Fn::Sub` with local variables, each bound to a value.
    pub fn sub_with<'a>(
        template: impl Into<String>,
        variables: impl IntoIterator<Item = (&'a str, Expr<String>)>,
    ) -> Self {
        let variables = variables
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.node))
            .collect();
        Self::from_node(Node::Sub(template.into(), variables))
    }

    /// `Fn::Join`: the parts joined by `separator`.
    pub fn join(separator: &str, parts: impl IntoIterator<Item = Expr<String>>) -> Self {
        Self::from_node(Node::Join(
            separator.to_owned(),
            parts.into_iter().map(|p| p.node).collect(),
        ))
    }

    /// `Fn::Select`: the `index`th element of a list.
    pub fn select(index: u32, list: Expr<Vec<String>>) -> Self {
        Self::from_node(Node::Select(index, Box::new(list.node)))
    }

    /// `Fn::ImportValue`: a value another stack of the same account and region exports.
    pub fn import_value(export_name: Expr<String>) -> Self {
        Self::from_node(Node::ImportValue(Box::new(export_name.node)))
    }
}

impl Expr<Vec<String>> {
    /// `Fn::GetAZs`: the availability zones of a region.
    pub fn get_azs(region: Expr<String>) -> Self {
        Self::from_node(Node::GetAzs(Box::new(region.node)))
    }

    /// A literal list of string values.
    pub fn list(items: impl IntoIterator<Item = Expr<String>>) -> Self {
        Self::from_node(Node::List(items.into_iter().map(|i| i.node).collect()))
    }
}

impl From<u32> for Expr<u32> {
    fn from(value: u32) -> Self {
        Self::from_node(Node::Literal(Value::from(value)))
    }
}

impl From<&str> for Expr<String> {
    fn from(value: &str) -> Self {
        Self::lit(value)
    }
}

impl From<String> for Expr<String> {
    fn from(value: String) -> Self {
        Self::lit(value)
    }
}

impl From<&String> for Expr<String> {
    fn from(value: &String) -> Self {
        Self::lit(value.clone())
    }
}

// Manual impls: deriving would demand `T: Clone` etc. of the phantom type.
impl<T> Clone for Expr<T> {
    fn clone(&self) -> Self {
        Self::from_node(self.node.clone())
    }
}

impl<T> PartialEq for Expr<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl<T> fmt::Debug for Expr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.node.fmt(f)
    }
}

impl<T> Serialize for Expr<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.node.to_json().serialize(serializer)
    }
}

impl Node {
    pub(crate) fn to_json(&self) -> Value {
        fn intrinsic(name: &str, args: Value) -> Value {
            let mut map = Map::new();
            map.insert(name.to_owned(), args);
            Value::Object(map)
        }
        match self {
            Node::Literal(v) => v.clone(),
            Node::List(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Node::Ref(id) => intrinsic("Ref", Value::String(id.clone())),
            Node::GetAtt(id, attribute) => intrinsic(
                "Fn::GetAtt",
                Value::Array(vec![id.clone().into(), attribute.clone().into()]),
            ),
            Node::Sub(template, variables) if variables.is_empty() => {
                intrinsic("Fn::Sub", Value::String(template.clone()))
            }
            Node::Sub(template, variables) => {
                let vars = variables
                    .iter()
                    .map(|(name, value)| (name.clone(), value.to_json()))
                    .collect::<Map<_, _>>();
                intrinsic(
                    "Fn::Sub",
                    Value::Array(vec![template.clone().into(), Value::Object(vars)]),
                )
            }
            Node::Join(separator, parts) => intrinsic(
                "Fn::Join",
                Value::Array(vec![
                    separator.clone().into(),
                    Value::Array(parts.iter().map(Node::to_json).collect()),
                ]),
            ),
            Node::Select(index, list) => intrinsic(
                "Fn::Select",
                Value::Array(vec![(*index).into(), list.to_json()]),
            ),
            Node::GetAzs(region) => intrinsic("Fn::GetAZs", region.to_json()),
            Node::ImportValue(name) => intrinsic("Fn::ImportValue", name.to_json()),
            Node::If(condition, then, otherwise) => intrinsic(
                "Fn::If",
                Value::Array(vec![
                    condition.clone().into(),
                    then.to_json(),
                    otherwise.to_json(),
                ]),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn json_of<T>(expr: &Expr<T>) -> Value {
        serde_json::to_value(expr).unwrap()
    }

    #[test]
    fn literals_serialize_as_plain_strings() {
        assert_eq!(json_of(&Expr::lit("x")), json!("x"));
    }

    #[test]
    fn sub_without_variables_is_a_bare_string() {
        assert_eq!(
            json_of(&Expr::sub("arn:${AWS::Partition}:s3:::b")),
            json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::b"})
        );
    }

    #[test]
    fn sub_with_variables_is_a_pair() {
        let e = Expr::sub_with(
            "${Repo}:${Tag}",
            [
                ("Repo", Expr::import_value("registry-Uri".into())),
                ("Tag", "v1".into()),
            ],
        );
        assert_eq!(
            json_of(&e),
            json!({"Fn::Sub": ["${Repo}:${Tag}", {"Repo": {"Fn::ImportValue": "registry-Uri"}, "Tag": "v1"}]})
        );
    }

    #[test]
    fn join_and_get_azs() {
        let e = Expr::join(",", [Expr::select(1, Expr::get_azs("".into())), "b".into()]);
        assert_eq!(
            json_of(&e),
            json!({"Fn::Join": [",", [{"Fn::Select": [1, {"Fn::GetAZs": ""}]}, "b"]]})
        );
    }

    #[test]
    fn if_names_its_condition() {
        let c = ConditionRef::new_unchecked("HasEmail");
        let e: Expr<String> = Expr::if_(&c, "a".into(), Expr::no_value());
        assert_eq!(
            json_of(&e),
            json!({"Fn::If": ["HasEmail", "a", {"Ref": "AWS::NoValue"}]})
        );
    }
}
