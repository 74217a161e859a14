//! SSM Parameter Store: the backend loads every parameter under `/trellis/ENV/` at
//! start and maps each name to the environment variable of the same name.

use super::Names;
use crate::model::{Expr, Stack, SynthError};
use crate::resources::ssm::Parameter;

/// A SecureString an operator writes before the first deploy (CloudFormation cannot
/// create SecureStrings). docs/runbooks/secrets.md says how to set and rotate each.
pub struct SecretParameter {
    /// The parameter's last path segment and the environment variable it becomes.
    pub name: &'static str,
    /// ECS injects it into the container itself (the process cannot start without it);
    /// the others the backend reads by path.
    pub injected: bool,
}

/// Every SecureString of an environment.
pub const SECRET_PARAMETERS: &[SecretParameter] = &[
    SecretParameter {
        name: "DATABASE_URL",
        injected: true,
    },
    SecretParameter {
        name: "DATABASE_OWNER_URL",
        injected: false,
    },
    SecretParameter {
        name: "REDIS_URL",
        injected: true,
    },
    // Signs sessions, CSRF and page tokens; production refuses to start without it.
    SecretParameter {
        name: "TRELLIS_SECRET_KEY",
        injected: true,
    },
];

/// Adds plain `String` parameters under the environment's path: non-secret settings
/// that the stack knows (bucket names, URLs). Each entry is `(NAME, value, description)`.
pub fn add_settings(
    stack: &mut Stack,
    names: &Names,
    settings: Vec<(&str, Expr<String>, &str)>,
) -> Result<(), SynthError> {
    for (name, value, description) in settings {
        let id = format!(
            "Setting{}",
            name.replace('_', " ")
                .split(' ')
                .map(title)
                .collect::<String>()
        );
        stack.add(
            &id,
            Parameter {
                name: format!("{}/{name}", names.ssm_path()),
                kind: "String".to_owned(),
                value,
                description: description.to_owned(),
            },
        )?;
    }
    Ok(())
}

/// `TRELLIS` -> `Trellis`.
fn title(word: &str) -> String {
    let lower = word.to_ascii_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}
