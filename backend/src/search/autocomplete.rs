//! Autocomplete for the JQL box: given the text before the caret, suggest what can come
//! next: field names at the start of a clause, the operators a field allows, values
//! (statuses, members, labels, projects, types, priorities, functions) after an
//! operator, and `AND`/`OR`/`ORDER BY` after a complete clause.
//! `GET /api/v1/orgs/{org}/search/autocomplete?jql=...`

use actix_web::web;
use jql::{CustomFields, CustomKind, Field, Function, Operator};
use serde::{Deserialize, Serialize};
use tenancy::{Permission, ScopedConn};

use super::queries;
use crate::auth::Caller;
use crate::http::ApiError;
use crate::http::error::Problem;
use crate::tickets::{Priority, TicketType};

const LIMIT: usize = 20;

/// `?jql=` the query text up to the caret.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct AutocompleteQuery {
    /// The query text before the caret.
    #[serde(default)]
    jql: String,
}

/// One suggestion.
#[derive(Debug, Serialize, PartialEq, utoipa::ToSchema)]
pub(crate) struct Suggestion {
    /// The text to insert (quoted when it needs quotes).
    value: String,
    /// `field`, `operator`, `value`, `function` or `keyword`.
    kind: &'static str,
}

/// Suggestions, and the 1-based column from which they replace the typed text.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Suggestions {
    suggestions: Vec<Suggestion>,
    replace_from: usize,
}

#[derive(Debug, PartialEq)]
enum Expect {
    Field,
    Operator(Field),
    Value(Field),
    Connector,
    OrderField,
}

#[derive(Debug)]
struct Token {
    text: String,
    start: usize,
}

/// Splits the text into words, quoted strings and symbols, with 1-based char columns.
fn tokens(input: &str) -> Vec<Token> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c == '"' || c == '\'' {
            i += 1;
            while i < chars.len() && chars[i] != c {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i = (i + 1).min(chars.len());
        } else if "(),".contains(c) {
            i += 1;
        } else if "=!<>~".contains(c) {
            while i < chars.len() && "=!<>~".contains(chars[i]) {
                i += 1;
            }
        } else {
            while i < chars.len() && !chars[i].is_whitespace() && !"(),=!<>~\"'".contains(chars[i])
            {
                i += 1;
            }
        }
        out.push(Token {
            text: chars[start..i.min(chars.len())].iter().collect(),
            start: start + 1,
        });
    }
    out
}

fn keyword(token: &Token, word: &str) -> bool {
    token.text.eq_ignore_ascii_case(word)
}

/// Works out what the caret expects, and the partial token being typed (if any);
/// `custom` names the organization's own fields.
fn expectation(input: &str, custom: &CustomFields) -> (Expect, Option<Token>) {
    let mut all = tokens(input);
    let typing = !input.ends_with(char::is_whitespace) && !input.ends_with(['(', ',']);
    let partial = if typing { all.pop() } else { None };
    let mut expect = Expect::Field;
    let mut in_list = false;
    let mut i = 0;
    while i < all.len() {
        let t = &all[i];
        expect = match expect {
            Expect::Field if keyword(t, "NOT") || t.text == "(" => Expect::Field,
            Expect::Field => {
                let name = t.text.trim_matches(['"', '\'']);
                Field::from_name(name)
                    .or_else(|| custom.find(name).map(Field::Custom))
                    .map_or(Expect::Field, Expect::Operator)
            }
            // `NOT` of `NOT IN` still waits for `IN`; `IS` is followed by [NOT] EMPTY.
            Expect::Operator(field) if keyword(t, "NOT") => Expect::Operator(field),
            Expect::Operator(field) => Expect::Value(field),
            Expect::Value(field) => {
                if t.text == "(" {
                    in_list = true;
                    Expect::Value(field)
                } else if t.text == ")" && in_list {
                    in_list = false;
                    Expect::Connector
                } else if in_list || keyword(t, "NOT") {
                    // Inside `( a, b, ...` or after `IS NOT`: still a value.
                    Expect::Value(field)
                } else {
                    Expect::Connector
                }
            }
            Expect::Connector if keyword(t, "AND") || keyword(t, "OR") => Expect::Field,
            Expect::Connector if keyword(t, "ORDER") => {
                i += 1; // BY
                Expect::OrderField
            }
            Expect::Connector | Expect::OrderField => {
                if t.text == "," {
                    Expect::OrderField
                } else if keyword(t, "ASC") || keyword(t, "DESC") || t.text == ")" {
                    expect
                } else if matches!(expect, Expect::OrderField) {
                    Expect::OrderField
                } else {
                    Expect::Connector
                }
            }
        };
        i += 1;
    }
    (expect, partial)
}

fn starts(candidate: &str, prefix: &str) -> bool {
    candidate
        .to_lowercase()
        .starts_with(&prefix.trim_matches(['"', '\'']).to_lowercase())
}

fn quoted(value: &str) -> String {
    if value
        .chars()
        .all(|c| c.is_alphanumeric() || c == '-' || c == '_')
    {
        value.to_owned()
    } else {
        format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

async fn values(
    tx: &mut ScopedConn<'_>,
    field: Field,
    prefix: &str,
) -> Result<Vec<Suggestion>, ApiError> {
    // Private projects the caller may not see lend no names or labels.
    let hidden = crate::projects::access::hidden(tx.scope());
    let pattern = format!(
        "{}%",
        prefix
            .trim_matches(['"', '\''])
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let names: Vec<String> = match field {
        Field::Status => queries::status_names(tx, &pattern, LIMIT as i64).await?,
        Field::Project => queries::project_keys(tx, &pattern, &hidden, LIMIT as i64).await?,
        Field::Assignee | Field::Reporter => {
            queries::member_logins(tx, &pattern, LIMIT as i64).await?
        }
        Field::Labels => {
            let mut labels: Vec<String> = queries::recent_labels(tx, &hidden)
                .await?
                .into_iter()
                .filter(|l| starts(l, prefix))
                .collect();
            labels.sort();
            labels.dedup();
            labels.truncate(LIMIT);
            labels
        }
        Field::Type => TicketType::ALL
            .iter()
            .map(|t| t.as_str().to_owned())
            .filter(|t| starts(t, prefix))
            .collect(),
        Field::Priority => Priority::ALL
            .iter()
            .map(|p| p.as_str().to_owned())
            .filter(|p| starts(p, prefix))
            .collect(),
        Field::StatusCategory => ["To Do", "In Progress", "Done"]
            .iter()
            .map(|s| s.to_string())
            .filter(|s| starts(s, prefix))
            .collect(),
        Field::Custom(custom) => match custom.kind {
            CustomKind::Select | CustomKind::MultiSelect => {
                queries::option_values(tx, custom.number, &pattern, LIMIT as i64).await?
            }
            CustomKind::User => queries::member_logins(tx, &pattern, LIMIT as i64).await?,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let mut out: Vec<Suggestion> = names
        .iter()
        .map(|n| Suggestion {
            value: quoted(n),
            kind: "value",
        })
        .collect();
    let functions: Vec<Function> = match field {
        Field::Assignee
        | Field::Reporter
        | Field::Watcher
        | Field::Custom(jql::CustomField {
            kind: CustomKind::User,
            ..
        }) => {
            vec![Function::CurrentUser, Function::MembersOf]
        }
        Field::Custom(jql::CustomField {
            kind: CustomKind::Date,
            ..
        }) => Function::ALL
            .iter()
            .copied()
            .filter(|f| f.is_date())
            .collect(),
        Field::Sprint => vec![Function::OpenSprints, Function::ClosedSprints],
        Field::Created | Field::Updated | Field::Resolved | Field::Due | Field::StartDate => {
            Function::ALL
                .iter()
                .copied()
                .filter(|f| f.is_date())
                .collect()
        }
        _ => Vec::new(),
    };
    out.extend(
        functions
            .iter()
            .filter(|f| starts(f.name(), prefix))
            .map(|f| Suggestion {
                value: format!("{}()", f.name()),
                kind: "function",
            }),
    );
    if field.can_be_empty() && starts("EMPTY", prefix) {
        out.push(Suggestion {
            value: "EMPTY".into(),
            kind: "keyword",
        });
    }
    out.truncate(LIMIT);
    Ok(out)
}

fn fields(prefix: &str, orderable: bool, custom: &[(String, Field)]) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = Field::ALL
        .iter()
        .filter(|f| !orderable || f.is_orderable())
        .filter(|f| starts(f.name(), prefix))
        .map(|f| Suggestion {
            value: f.name().to_owned(),
            kind: "field",
        })
        .collect();
    out.extend(
        custom
            .iter()
            .filter(|(_, f)| !orderable || f.is_orderable())
            .filter(|(name, _)| starts(name, prefix))
            .map(|(name, _)| Suggestion {
                value: quoted(name),
                kind: "field",
            }),
    );
    out.truncate(LIMIT);
    out
}

/// Suggests what can follow the text before the caret.
#[utoipa::path(
    get, path = "/api/v1/orgs/{org}/search/autocomplete", tag = "search",
    params(("org" = String, Path, description = "Organization slug"), AutocompleteQuery),
    responses((status = 200, body = Suggestions), (status = 422, body = Problem)),
    security(("bearer" = []))
)]
pub(crate) async fn autocomplete(
    mut caller: Caller,
    query: web::Query<AutocompleteQuery>,
) -> Result<web::Json<Suggestions>, ApiError> {
    caller.scope.require(Permission::TicketsRead)?;
    let text = &query.jql;
    if text.chars().count() > jql::MAX_QUERY_CHARS {
        return Err(ApiError::validation("jql", "too long"));
    }
    if text.chars().any(char::is_control) {
        return Err(ApiError::validation(
            "jql",
            "must not contain control characters",
        ));
    }
    // The organization's own fields: their names complete like the system ones.
    let catalog = caller
        .tx(Permission::TicketsRead, async |tx| {
            Ok(crate::custom_fields::queries::catalog(tx).await?)
        })
        .await?;
    let named: Vec<(String, Field)> = catalog
        .iter()
        .map(|(name, f)| (name.to_owned(), Field::Custom(f)))
        .collect();
    let (expect, partial) = expectation(text, &catalog);
    let prefix = partial.as_ref().map_or("", |t| t.text.as_str()).to_owned();
    let replace_from = partial
        .as_ref()
        .map_or(text.chars().count() + 1, |t| t.start);
    let suggestions = match expect {
        Expect::Field => fields(&prefix, false, &named),
        Expect::OrderField => fields(&prefix, true, &named),
        Expect::Operator(field) => field
            .operators()
            .iter()
            .map(|op: &Operator| op.symbol())
            .chain(
                ["WAS", "WAS NOT", "WAS IN", "WAS NOT IN", "CHANGED"]
                    .into_iter()
                    .filter(|_| field.has_history()),
            )
            .filter(|symbol| starts(symbol, &prefix))
            .map(|symbol| Suggestion {
                value: symbol.to_owned(),
                kind: "operator",
            })
            .collect(),
        Expect::Connector => ["AND", "OR", "ORDER BY"]
            .iter()
            .filter(|k| starts(k, &prefix))
            .map(|k| Suggestion {
                value: (*k).to_owned(),
                kind: "keyword",
            })
            .collect(),
        Expect::Value(field) => {
            caller
                .tx(Permission::TicketsRead, async move |tx| {
                    values(tx, field, &prefix).await
                })
                .await?
        }
    };
    Ok(web::Json(Suggestions {
        suggestions,
        replace_from,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expect(input: &str) -> (Expect, Option<String>) {
        let custom = CustomFields::new([(
            "Customer".to_owned(),
            jql::CustomField {
                number: 10001,
                kind: CustomKind::Select,
            },
        )]);
        let (e, partial) = expectation(input, &custom);
        (e, partial.map(|t| t.text))
    }

    #[test]
    fn the_caret_context_is_recognised() {
        assert_eq!(expect(""), (Expect::Field, None));
        assert_eq!(expect("sta"), (Expect::Field, Some("sta".into())));
        assert_eq!(expect("status "), (Expect::Operator(Field::Status), None));
        assert_eq!(expect("status = "), (Expect::Value(Field::Status), None));
        assert_eq!(
            expect("status = In"),
            (Expect::Value(Field::Status), Some("In".into()))
        );
        assert_eq!(expect("status = Done "), (Expect::Connector, None));
        assert_eq!(
            expect("status = Done AND assignee in ("),
            (Expect::Value(Field::Assignee), None)
        );
        assert_eq!(
            expect("status = Done AND assignee in (bob, "),
            (Expect::Value(Field::Assignee), None)
        );
        assert_eq!(
            expect("assignee is not "),
            (Expect::Value(Field::Assignee), None)
        );
        assert_eq!(
            expect("project = WEB ORDER BY cre"),
            (Expect::OrderField, Some("cre".into()))
        );
        assert_eq!(
            expect("NOT (priority "),
            (Expect::Operator(Field::Priority), None)
        );
        assert_eq!(
            expect("summary ~ \"login pa"),
            (Expect::Value(Field::Summary), Some("\"login pa".into()))
        );
        let customer = Field::Custom(jql::CustomField {
            number: 10001,
            kind: CustomKind::Select,
        });
        assert_eq!(expect("\"Customer\" "), (Expect::Operator(customer), None));
        assert_eq!(expect("cf[10001] = "), (Expect::Value(customer), None));
    }
}
