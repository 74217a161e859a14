use serde::Serialize;
use serde_json::json;

use super::*;

/// A resource type for the model's own tests.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Thing {
    name: Expr<String>,
    note: Option<String>,
}
impl Resource for Thing {
    const TYPE: &'static str = "Test::Thing";
}

fn thing(name: Expr<String>) -> Thing {
    Thing { name, note: None }
}

fn stack() -> Stack {
    Stack::new("test-stack", "test").unwrap()
}

#[test]
fn logical_ids_are_alphanumeric_and_bounded() {
    assert!(LogicalId::new("Vpc1").is_ok());
    for bad in ["", "my-vpc", "vpc_1", "Vpc ", "Vpć"] {
        assert!(LogicalId::new(bad).is_err(), "{bad:?} was accepted");
    }
    assert!(LogicalId::new(&"A".repeat(255)).is_ok());
    assert!(LogicalId::new(&"A".repeat(256)).is_err());
}

#[test]
fn an_id_used_twice_is_refused_across_parameters_and_resources() {
    let mut s = stack();
    s.add("Thing", thing("a".into())).unwrap();
    let err = s
        .parameter(
            "Thing",
            Parameter {
                kind: ParameterType::String,
                description: String::new(),
                default: None,
                allowed_values: None,
                allowed_pattern: None,
                constraint_description: None,
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "stack test-stack: logical id \"Thing\" is defined twice"
    );
}

#[test]
fn a_ref_to_a_resource_of_another_stack_fails_synthesis_with_its_location() {
    let mut other = Stack::new("other", "other").unwrap();
    let foreign = other.add("Bucket", thing("b".into())).unwrap();
    let mut s = stack();
    s.add("User", thing(foreign.reference())).unwrap();
    let err = s.synth().unwrap_err();
    assert_eq!(
        err.to_string(),
        "stack test-stack: Resources.User.Properties.Name uses Ref on \"Bucket\", \
         which is not a resource or parameter of this stack"
    );
}

#[test]
fn a_dangling_get_att_fails_synthesis() {
    let mut other = Stack::new("other", "other").unwrap();
    let foreign = other.add("Bucket", thing("b".into())).unwrap();
    let mut s = stack();
    s.add("User", thing(foreign.get_att("Arn"))).unwrap();
    assert!(matches!(
        s.synth().unwrap_err(),
        SynthError::DanglingReference {
            function: "Fn::GetAtt",
            ..
        }
    ));
}

#[test]
fn sub_variables_must_resolve_unless_bound_or_escaped() {
    let mut s = stack();
    s.add("Known", thing("x".into())).unwrap();
    s.add(
        "Ok",
        thing(Expr::sub_with(
            "${Known.Arn}/${Local}/${!Literal}/${AWS::Region}",
            [("Local", "v".into())],
        )),
    )
    .unwrap();
    s.synth().unwrap();
    s.add("Bad", thing(Expr::sub("${Missing}"))).unwrap();
    let err = s.synth().unwrap_err();
    assert!(err.to_string().contains("Fn::Sub on \"Missing\""), "{err}");
}

#[test]
fn fn_if_needs_a_defined_condition() {
    let mut s = stack();
    let foreign = ConditionRef::new_unchecked("Nowhere");
    s.add(
        "Thing",
        thing(Expr::if_(&foreign, "a".into(), Expr::no_value())),
    )
    .unwrap();
    let err = s.synth().unwrap_err();
    assert!(err.to_string().contains("Fn::If on \"Nowhere\""), "{err}");
}

#[test]
fn depends_on_must_name_a_resource() {
    let mut s = stack();
    s.add_with(
        "Thing",
        thing("a".into()),
        ResourceOptions {
            depends_on: vec![LogicalId::new("Ghost").unwrap()],
            ..ResourceOptions::default()
        },
    )
    .unwrap();
    assert!(matches!(
        s.synth().unwrap_err(),
        SynthError::DanglingReference {
            function: "DependsOn",
            ..
        }
    ));
}

#[test]
fn conditions_parameters_outputs_and_attributes_serialize() {
    let mut s = stack();
    let email = s
        .parameter(
            "Email",
            Parameter {
                kind: ParameterType::String,
                description: "who".into(),
                default: Some(String::new()),
                allowed_values: None,
                allowed_pattern: None,
                constraint_description: None,
            },
        )
        .unwrap();
    let has = s
        .condition(
            "HasEmail",
            Condition::Not(Box::new(Condition::Equals(email.clone(), "".into()))),
        )
        .unwrap();
    let t = s
        .add_with(
            "Thing",
            thing(email),
            ResourceOptions {
                condition: Some(has.clone()),
                checkov_skips: vec![CheckovSkip {
                    id: "CKV_X_1",
                    comment: "why",
                }],
                ..ResourceOptions::keep_data(RemovalPolicy::Retain)
            },
        )
        .unwrap();
    s.output(
        "Out",
        Output {
            description: "d".into(),
            value: Expr::if_(&has, t.reference(), "none".into()),
            export_name: Some("exported".into()),
        },
    )
    .unwrap();
    assert_eq!(
        s.synth().unwrap(),
        json!({
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": "test",
            "Parameters": {"Email": {"Type": "String", "Description": "who", "Default": ""}},
            "Conditions": {"HasEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Email"}, ""]}]}},
            "Resources": {"Thing": {
                "Type": "Test::Thing",
                "Properties": {"Name": {"Ref": "Email"}},
                "Condition": "HasEmail",
                "DeletionPolicy": "Retain",
                "UpdateReplacePolicy": "Retain",
                "Metadata": {"checkov": {"skip": [{"id": "CKV_X_1", "comment": "why"}]}}
            }},
            "Outputs": {"Out": {
                "Description": "d",
                "Value": {"Fn::If": ["HasEmail", {"Ref": "Thing"}, "none"]},
                "Export": {"Name": "exported"}
            }}
        })
    );
}

#[test]
fn keys_come_out_sorted() {
    let mut s = stack();
    s.add("Zeta", thing("z".into())).unwrap();
    s.add("Alpha", thing("a".into())).unwrap();
    let text = serde_json::to_string(&s.synth().unwrap()).unwrap();
    assert!(text.find("\"Alpha\"").unwrap() < text.find("\"Zeta\"").unwrap());
    assert!(text.find("AWSTemplateFormatVersion").unwrap() < text.find("Resources").unwrap());
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct FakeRole {
    policies: Vec<crate::resources::iam::Policy>,
}
impl Resource for FakeRole {
    const TYPE: &'static str = "AWS::IAM::Role";
}

#[test]
fn identity_policies_may_not_grant_wildcard_actions() {
    use crate::resources::iam::{Policy, PolicyDocument, Statement};
    let mut s = stack();
    s.add(
        "Role",
        FakeRole {
            policies: vec![Policy {
                policy_name: "p".into(),
                policy_document: PolicyDocument::new(vec![Statement::allow(
                    &["s3:*"],
                    vec!["arn:aws:s3:::b/*".into()],
                )]),
            }],
        },
    )
    .unwrap();
    let err = s.synth().unwrap_err();
    assert!(
        err.to_string().contains("wildcard action \"s3:*\""),
        "{err}"
    );
}
