//! Checks on a synthesized template: every reference lands on a definition of the
//! same stack, and IAM identity policies name their actions.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{PSEUDO_NAMES, SynthError};

/// Resource types whose `Action`s are identity policy grants.
const IAM_POLICY_TYPES: &[&str] = &[
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
];

struct Names<'a> {
    stack: &'a str,
    resources: BTreeSet<&'a str>,
    parameters: BTreeSet<&'a str>,
    conditions: BTreeSet<&'a str>,
}

pub(super) fn check(stack: &str, template: &Value) -> Result<(), SynthError> {
    let keys = |section: &str| -> BTreeSet<&str> {
        template
            .get(section)
            .and_then(Value::as_object)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default()
    };
    let names = Names {
        stack,
        resources: keys("Resources"),
        parameters: keys("Parameters"),
        conditions: keys("Conditions"),
    };
    let empty = Map::new();
    let section = |name: &str| {
        template
            .get(name)
            .and_then(Value::as_object)
            .unwrap_or(&empty)
    };

    for (id, condition) in section("Conditions") {
        names.walk(condition, &format!("Conditions.{id}"), true)?;
    }
    for (id, resource) in section("Resources") {
        let at = format!("Resources.{id}");
        if let Some(props) = resource.get("Properties") {
            names.walk(props, &format!("{at}.Properties"), false)?;
        }
        for dep in resource
            .get("DependsOn")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let dep = dep.as_str().unwrap_or_default();
            if !names.resources.contains(dep) {
                return Err(names.dangling(&at, "DependsOn", dep, "a resource"));
            }
        }
        if let Some(cond) = resource.get("Condition").and_then(Value::as_str)
            && !names.conditions.contains(cond)
        {
            return Err(names.dangling(&at, "Condition", cond, "a condition"));
        }
        let kind = resource
            .get("Type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if IAM_POLICY_TYPES.contains(&kind) {
            names.check_actions(resource, &at)?;
        }
    }
    for (id, output) in section("Outputs") {
        names.walk(output, &format!("Outputs.{id}"), false)?;
    }
    Ok(())
}

impl Names<'_> {
    fn dangling(
        &self,
        at: &str,
        function: &'static str,
        target: &str,
        expected: &'static str,
    ) -> SynthError {
        SynthError::DanglingReference {
            stack: self.stack.to_owned(),
            at: at.to_owned(),
            function,
            target: target.to_owned(),
            expected,
        }
    }

    fn walk(&self, value: &Value, at: &str, in_conditions: bool) -> Result<(), SynthError> {
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.walk(item, &format!("{at}[{i}]"), in_conditions)?;
                }
            }
            Value::Object(map) => {
                if map.len() == 1 {
                    self.check_intrinsic(map, at, in_conditions)?;
                }
                for (key, item) in map {
                    self.walk(item, &format!("{at}.{key}"), in_conditions)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn check_intrinsic(
        &self,
        map: &Map<String, Value>,
        at: &str,
        in_conditions: bool,
    ) -> Result<(), SynthError> {
        let Some((function, args)) = map.iter().next() else {
            return Ok(());
        };
        match function.as_str() {
            "Ref" => {
                let target = args.as_str().unwrap_or_default();
                if !self.is_referable(target) {
                    return Err(self.dangling(at, "Ref", target, "a resource or parameter"));
                }
            }
            "Fn::GetAtt" => {
                let target = match args {
                    Value::Array(a) => a.first().and_then(Value::as_str).unwrap_or_default(),
                    Value::String(s) => s.split('.').next().unwrap_or_default(),
                    _ => "",
                };
                if !self.resources.contains(target) {
                    return Err(self.dangling(at, "Fn::GetAtt", target, "a resource"));
                }
            }
            "Fn::Sub" => self.check_sub(args, at)?,
            "Fn::If" => {
                let cond = args
                    .as_array()
                    .and_then(|a| a.first())
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if !self.conditions.contains(cond) {
                    return Err(self.dangling(at, "Fn::If", cond, "a condition"));
                }
            }
            "Condition" if in_conditions => {
                let cond = args.as_str().unwrap_or_default();
                if !self.conditions.contains(cond) {
                    return Err(self.dangling(at, "Condition", cond, "a condition"));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn is_referable(&self, name: &str) -> bool {
        PSEUDO_NAMES.contains(&name)
            || self.resources.contains(name)
            || self.parameters.contains(name)
    }

    /// `${Name}` and `${Name.Attribute}` in a `Fn::Sub` template name parameters or
    /// resources unless the `Fn::Sub` binds them; `${!Literal}` is text.
    fn check_sub(&self, args: &Value, at: &str) -> Result<(), SynthError> {
        let (template, locals) = match args {
            Value::String(s) => (s.as_str(), None),
            Value::Array(a) => (
                a.first().and_then(Value::as_str).unwrap_or_default(),
                a.get(1).and_then(Value::as_object),
            ),
            _ => return Ok(()),
        };
        for var in sub_variables(template) {
            if locals.is_some_and(|l| l.contains_key(var)) {
                continue;
            }
            let ok = match var.split_once('.') {
                Some((resource, _attribute)) => self.resources.contains(resource),
                None => self.is_referable(var),
            };
            if !ok {
                return Err(self.dangling(at, "Fn::Sub", var, "a resource or parameter"));
            }
        }
        Ok(())
    }

    fn check_actions(&self, resource: &Value, at: &str) -> Result<(), SynthError> {
        let mut statements = Vec::new();
        collect_statements(resource, &mut statements);
        for statement in statements {
            if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
                continue;
            }
            let actions = match statement.get("Action") {
                Some(Value::String(a)) => vec![a.as_str()],
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if let Some(action) = actions.into_iter().find(|a| a.contains('*')) {
                return Err(SynthError::WildcardAction {
                    stack: self.stack.to_owned(),
                    at: at.to_owned(),
                    action: action.to_owned(),
                });
            }
        }
        Ok(())
    }
}

/// Statements of every `PolicyDocument` below `value` (the trust policy is not one:
/// it lives under `AssumeRolePolicyDocument`).
fn collect_statements<'v>(value: &'v Value, out: &mut Vec<&'v Value>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                if key == "PolicyDocument" {
                    if let Some(s) = item.get("Statement").and_then(Value::as_array) {
                        out.extend(s);
                    }
                } else {
                    collect_statements(item, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_statements(i, out)),
        _ => {}
    }
}

/// The variable names in a `Fn::Sub` template, skipping `${!...}` escapes.
pub(crate) fn sub_variables(template: &str) -> Vec<&str> {
    let mut vars = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let var = after[..end].trim();
        if !var.starts_with('!') {
            vars.push(var);
        }
        rest = &after[end + 1..];
    }
    vars
}
