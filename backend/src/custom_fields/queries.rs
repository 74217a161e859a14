//! Custom field queries, inside an org-scoped transaction: definitions, and the values
//! a ticket write gives (checked, then stored as the ticket's JSON and as search rows).

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types;
use diesel_async::RunQueryDsl;
use serde_json::{Map, Value};
use tenancy::{ScopedConn, UserId};

use super::{
    CustomField, CustomFieldId, CustomFieldKind, CustomOption, CustomOptionId, FieldChange, Given,
    OptionEdit, PER_ORG_MAX, given,
};
use crate::audit::{self, Change, Entity};
use crate::http::{ApiError, IfMatch};
use crate::ids::{ProjectId, TicketId};
use crate::schema::ticket_custom_values as values;

/// A definition with what checking a value needs beyond the API's view of it.
#[derive(Debug, Clone)]
pub(crate) struct Definition {
    pub field: CustomField,
    /// The projects it is enabled in, when not every project.
    pub only_in: Option<Vec<ProjectId>>,
}

impl Definition {
    pub(crate) fn enabled_in(&self, project: ProjectId) -> bool {
        self.only_in.as_ref().is_none_or(|p| p.contains(&project))
    }

    /// The key of its values in a ticket's `custom_fields`.
    pub(crate) fn key(&self) -> String {
        self.field.number.to_string()
    }
}

#[derive(QueryableByName)]
struct FieldRow {
    #[diesel(sql_type = sql_types::Uuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = sql_types::Integer)]
    number: i32,
    #[diesel(sql_type = sql_types::Text)]
    name: String,
    #[diesel(sql_type = sql_types::Text)]
    description: String,
    #[diesel(sql_type = sql_types::Text)]
    kind: String,
    #[diesel(sql_type = sql_types::Bool)]
    required: bool,
    #[diesel(sql_type = sql_types::Bool)]
    all_projects: bool,
    #[diesel(sql_type = sql_types::Array<sql_types::Uuid>)]
    project_ids: Vec<uuid::Uuid>,
    #[diesel(sql_type = sql_types::Array<sql_types::Text>)]
    project_keys: Vec<String>,
    #[diesel(sql_type = sql_types::Array<sql_types::Uuid>)]
    option_ids: Vec<uuid::Uuid>,
    #[diesel(sql_type = sql_types::Array<sql_types::Text>)]
    option_values: Vec<String>,
    #[diesel(sql_type = sql_types::Integer)]
    version: i32,
    #[diesel(sql_type = sql_types::Timestamptz)]
    created_at: DateTime<Utc>,
    #[diesel(sql_type = sql_types::Timestamptz)]
    updated_at: DateTime<Utc>,
}

impl FieldRow {
    fn into_definition(self) -> Definition {
        let options = self
            .option_ids
            .into_iter()
            .zip(self.option_values)
            .map(|(id, value)| CustomOption {
                id: CustomOptionId(id),
                value,
            })
            .collect();
        Definition {
            field: CustomField {
                id: CustomFieldId(self.id),
                number: self.number,
                name: self.name,
                description: self.description,
                kind: CustomFieldKind::from_db(&self.kind),
                required: self.required,
                projects: (!self.all_projects).then_some(self.project_keys),
                options,
                version: self.version,
                created_at: self.created_at,
                updated_at: self.updated_at,
            },
            only_in: (!self.all_projects)
                .then(|| self.project_ids.into_iter().map(ProjectId).collect()),
        }
    }
}

/// `$1` the org; projects in `$2` (hidden from the caller) are left out of the keys.
const SELECT: &str = "SELECT f.id, f.number, f.name, f.description, f.kind, f.required, \
        f.all_projects, f.version, f.created_at, f.updated_at, \
        ARRAY(SELECT cp.project_id FROM custom_field_projects cp \
               WHERE cp.org_id = f.org_id AND cp.field_id = f.id) AS project_ids, \
        ARRAY(SELECT p.key FROM custom_field_projects cp \
                JOIN projects p ON p.org_id = cp.org_id AND p.id = cp.project_id \
               WHERE cp.org_id = f.org_id AND cp.field_id = f.id AND p.id <> ALL($2) \
               ORDER BY p.key) AS project_keys, \
        ARRAY(SELECT o.id FROM custom_field_options o \
               WHERE o.org_id = f.org_id AND o.field_id = f.id ORDER BY o.position) AS option_ids, \
        ARRAY(SELECT o.value FROM custom_field_options o \
               WHERE o.org_id = f.org_id AND o.field_id = f.id ORDER BY o.position) AS option_values \
   FROM custom_fields f WHERE f.org_id = $1";

/// Every field of the organization, by name; `hidden` projects are not named.
pub(crate) async fn definitions(
    tx: &mut ScopedConn<'_>,
    hidden: &[ProjectId],
) -> QueryResult<Vec<Definition>> {
    let hidden: Vec<uuid::Uuid> = hidden.iter().map(|p| p.0).collect();
    let rows: Vec<FieldRow> = diesel::sql_query(format!("{SELECT} ORDER BY lower(f.name), f.id"))
        .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
        .bind::<sql_types::Array<sql_types::Uuid>, _>(hidden)
        .load(tx.conn())
        .await?;
    Ok(rows.into_iter().map(FieldRow::into_definition).collect())
}

/// The field named in a path: its id or its number; 404 otherwise.
pub(crate) async fn find(
    tx: &mut ScopedConn<'_>,
    raw: &str,
    hidden: &[ProjectId],
) -> Result<Definition, ApiError> {
    let not_found = || ApiError::not_found("custom field");
    let (by_id, by_number) = match (raw.parse::<uuid::Uuid>(), raw.parse::<i32>()) {
        (Ok(id), _) => (Some(id), None),
        (_, Ok(n)) => (None, Some(n)),
        _ => return Err(not_found()),
    };
    let hidden: Vec<uuid::Uuid> = hidden.iter().map(|p| p.0).collect();
    let row: Option<FieldRow> =
        diesel::sql_query(format!("{SELECT} AND (f.id = $3 OR f.number = $4)"))
            .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
            .bind::<sql_types::Array<sql_types::Uuid>, _>(hidden)
            .bind::<sql_types::Uuid, _>(by_id.unwrap_or_else(uuid::Uuid::nil))
            .bind::<sql_types::Integer, _>(by_number.unwrap_or(-1))
            .get_result(tx.conn())
            .await
            .optional()?;
    row.map(FieldRow::into_definition).ok_or_else(not_found)
}

/// What JQL may name: every field's name and number with its type.
pub(crate) async fn catalog(tx: &mut ScopedConn<'_>) -> QueryResult<jql::CustomFields> {
    let rows: Vec<(i32, String, String)> =
        diesel::sql_query("SELECT number, name, kind FROM custom_fields WHERE org_id = $1")
            .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
            .load::<CatalogRow>(tx.conn())
            .await?
            .into_iter()
            .map(|r| (r.number, r.name, r.kind))
            .collect();
    Ok(jql::CustomFields::new(rows.into_iter().map(
        |(number, name, kind)| {
            (
                name,
                jql::CustomField {
                    number: u32::try_from(number).unwrap_or_default(),
                    kind: CustomFieldKind::from_db(&kind).jql(),
                },
            )
        },
    )))
}

#[derive(QueryableByName)]
struct CatalogRow {
    #[diesel(sql_type = sql_types::Integer)]
    number: i32,
    #[diesel(sql_type = sql_types::Text)]
    name: String,
    #[diesel(sql_type = sql_types::Text)]
    kind: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = sql_types::BigInt)]
    n: i64,
}

/// A name another field already has (ignoring case) is a 409.
async fn name_free(
    tx: &mut ScopedConn<'_>,
    name: &str,
    except: Option<CustomFieldId>,
) -> Result<(), ApiError> {
    let taken = diesel::sql_query(
        "SELECT count(*) AS n FROM custom_fields \
         WHERE org_id = $1 AND lower(name) = lower($2) AND id <> $3",
    )
    .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
    .bind::<sql_types::Text, _>(name)
    .bind::<sql_types::Uuid, _>(except.map_or(uuid::Uuid::nil(), |c| c.0))
    .get_result::<Count>(tx.conn())
    .await?
    .n;
    if taken > 0 {
        return Err(ApiError::conflict(
            "already-exists",
            format!("a custom field is named `{name}`"),
        )
        .with_field("name"));
    }
    Ok(())
}

/// The ids of the projects `keys` name (each must exist: 422 on `projects[i]`).
async fn project_ids(tx: &mut ScopedConn<'_>, keys: &[String]) -> Result<Vec<ProjectId>, ApiError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = sql_types::Uuid)]
        id: uuid::Uuid,
        #[diesel(sql_type = sql_types::Text)]
        key: String,
    }
    let rows: Vec<Row> =
        diesel::sql_query("SELECT id, key FROM projects WHERE org_id = $1 AND key = ANY($2)")
            .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
            .bind::<sql_types::Array<sql_types::Text>, _>(keys)
            .load(tx.conn())
            .await?;
    let hidden = crate::projects::access::hidden(tx.scope());
    keys.iter()
        .enumerate()
        .map(|(i, key)| {
            rows.iter()
                .find(|r| r.key == *key && !hidden.contains(&ProjectId(r.id)))
                .map(|r| ProjectId(r.id))
                .ok_or_else(|| {
                    ApiError::validation(format!("projects[{i}]"), format!("no project `{key}`"))
                })
        })
        .collect()
}

async fn set_projects(
    tx: &mut ScopedConn<'_>,
    field: CustomFieldId,
    keys: &Option<Vec<String>>,
) -> Result<(), ApiError> {
    let org = tx.scope().org_id().0;
    diesel::sql_query("DELETE FROM custom_field_projects WHERE org_id = $1 AND field_id = $2")
        .bind::<sql_types::Uuid, _>(org)
        .bind::<sql_types::Uuid, _>(field.0)
        .execute(tx.conn())
        .await?;
    if let Some(keys) = keys {
        let ids: Vec<uuid::Uuid> = project_ids(tx, keys).await?.iter().map(|p| p.0).collect();
        diesel::sql_query(
            "INSERT INTO custom_field_projects (org_id, field_id, project_id) \
             SELECT $1, $2, unnest($3::uuid[])",
        )
        .bind::<sql_types::Uuid, _>(org)
        .bind::<sql_types::Uuid, _>(field.0)
        .bind::<sql_types::Array<sql_types::Uuid>, _>(ids)
        .execute(tx.conn())
        .await?;
    }
    diesel::sql_query("UPDATE custom_fields SET all_projects = $3 WHERE org_id = $1 AND id = $2")
        .bind::<sql_types::Uuid, _>(org)
        .bind::<sql_types::Uuid, _>(field.0)
        .bind::<sql_types::Bool, _>(keys.is_none())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Makes `edits` the field's options, in order: kept ones renamed and moved, new ones
/// added, the rest deleted (and taken off the tickets that held them).
async fn set_options(
    tx: &mut ScopedConn<'_>,
    field: &CustomField,
    edits: &[OptionEdit],
) -> Result<(), ApiError> {
    let org = tx.scope().org_id().0;
    for (i, edit) in edits.iter().enumerate() {
        if let Some(id) = edit.id
            && !field.options.iter().any(|o| o.id == id)
        {
            return Err(ApiError::validation(
                format!("options[{i}].id"),
                "not an option of this field",
            ));
        }
    }
    let removed: Vec<uuid::Uuid> = field
        .options
        .iter()
        .filter(|o| !edits.iter().any(|e| e.id == Some(o.id)))
        .map(|o| o.id.0)
        .collect();
    if !removed.is_empty() {
        // The tickets holding them, before the rows go (ON DELETE CASCADE).
        let tickets: Vec<uuid::Uuid> = values::table
            .filter(values::org_id.eq(org))
            .filter(values::field_id.eq(field.id.0))
            .filter(values::option_id.eq_any(&removed))
            .select(values::ticket_id)
            .distinct()
            .load(tx.conn())
            .await?;
        diesel::sql_query(
            "DELETE FROM custom_field_options WHERE org_id = $1 AND field_id = $2 AND id = ANY($3)",
        )
        .bind::<sql_types::Uuid, _>(org)
        .bind::<sql_types::Uuid, _>(field.id.0)
        .bind::<sql_types::Array<sql_types::Uuid>, _>(&removed)
        .execute(tx.conn())
        .await?;
        resync_json(tx, field, &tickets).await?;
    }
    // Kept options first take a value no option has (their id), so renames that swap
    // values never meet the unique index half-way.
    diesel::sql_query(
        "UPDATE custom_field_options SET value = id::text WHERE org_id = $1 AND field_id = $2",
    )
    .bind::<sql_types::Uuid, _>(org)
    .bind::<sql_types::Uuid, _>(field.id.0)
    .execute(tx.conn())
    .await?;
    let ids: Vec<uuid::Uuid> = edits
        .iter()
        .map(|e| e.id.map_or_else(|| CustomOptionId::new().0, |id| id.0))
        .collect();
    let values_: Vec<&str> = edits.iter().map(|e| e.value.as_str()).collect();
    diesel::sql_query(
        "INSERT INTO custom_field_options AS o (id, org_id, field_id, value, position) \
         SELECT e.id, $1, $2, e.value, e.position::integer \
           FROM unnest($3::uuid[], $4::text[]) WITH ORDINALITY AS e(id, value, position) \
         ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value, position = EXCLUDED.position \
          WHERE o.org_id = EXCLUDED.org_id AND o.field_id = EXCLUDED.field_id",
    )
    .bind::<sql_types::Uuid, _>(org)
    .bind::<sql_types::Uuid, _>(field.id.0)
    .bind::<sql_types::Array<sql_types::Uuid>, _>(ids)
    .bind::<sql_types::Array<sql_types::Text>, _>(values_)
    .execute(tx.conn())
    .await?;
    Ok(())
}

/// Rewrites `tickets`' JSON value of `field` from their search rows (after options
/// were deleted): the remaining options in the field's order, or no value.
async fn resync_json(
    tx: &mut ScopedConn<'_>,
    field: &CustomField,
    tickets: &[uuid::Uuid],
) -> QueryResult<()> {
    if tickets.is_empty() {
        return Ok(());
    }
    let multi = field.kind == CustomFieldKind::MultiSelect;
    diesel::sql_query(
        "UPDATE tickets t SET custom_fields = CASE \
             WHEN r.ids IS NULL THEN t.custom_fields - $3 \
             WHEN $5 THEN jsonb_set(t.custom_fields, ARRAY[$3], to_jsonb(r.ids)) \
             ELSE jsonb_set(t.custom_fields, ARRAY[$3], to_jsonb(r.ids[1])) END \
           FROM (SELECT a.id, (SELECT array_agg(v.option_id::text ORDER BY o.position) \
                                 FROM ticket_custom_values v \
                                 JOIN custom_field_options o ON o.org_id = v.org_id AND o.id = v.option_id \
                                WHERE v.org_id = $1 AND v.ticket_id = a.id AND v.field_id = $2) AS ids \
                   FROM unnest($4::uuid[]) AS a(id)) r \
          WHERE t.org_id = $1 AND t.id = r.id",
    )
    .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
    .bind::<sql_types::Uuid, _>(field.id.0)
    .bind::<sql_types::Text, _>(field.number.to_string())
    .bind::<sql_types::Array<sql_types::Uuid>, _>(tickets)
    .bind::<sql_types::Bool, _>(multi)
    .execute(tx.conn())
    .await?;
    Ok(())
}

pub(crate) async fn create(
    tx: &mut ScopedConn<'_>,
    kind: CustomFieldKind,
    change: FieldChange,
) -> Result<CustomField, ApiError> {
    let org = tx.scope().org_id();
    let name = change.name.unwrap_or_default();
    // The counter row's lock also queues concurrent creates, so the count holds.
    let number: i32 = diesel::sql_query(
        "UPDATE orgs SET custom_field_counter = custom_field_counter + 1 \
         WHERE id = $1 RETURNING custom_field_counter AS n",
    )
    .bind::<sql_types::Uuid, _>(org.0)
    .get_result::<Number>(tx.conn())
    .await?
    .n;
    name_free(tx, &name, None).await?;
    let count = diesel::sql_query("SELECT count(*) AS n FROM custom_fields WHERE org_id = $1")
        .bind::<sql_types::Uuid, _>(org.0)
        .get_result::<Count>(tx.conn())
        .await?
        .n;
    if count >= PER_ORG_MAX {
        return Err(ApiError::conflict(
            "limit-reached",
            format!("an organization has at most {PER_ORG_MAX} custom fields"),
        ));
    }
    let id = CustomFieldId::new();
    diesel::sql_query(
        "INSERT INTO custom_fields (id, org_id, number, name, description, kind, required) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind::<sql_types::Uuid, _>(id.0)
    .bind::<sql_types::Uuid, _>(org.0)
    .bind::<sql_types::Integer, _>(number)
    .bind::<sql_types::Text, _>(&name)
    .bind::<sql_types::Text, _>(change.description.unwrap_or_default())
    .bind::<sql_types::Text, _>(kind.as_str())
    .bind::<sql_types::Bool, _>(change.required.unwrap_or(false))
    .execute(tx.conn())
    .await?;
    set_projects(tx, id, &change.projects.flatten()).await?;
    let hidden = crate::projects::access::hidden(tx.scope());
    let created = find(tx, &id.0.to_string(), &hidden).await?;
    if let Some(edits) = &change.options {
        set_options(tx, &created.field, edits).await?;
    }
    let field = find(tx, &id.0.to_string(), &hidden).await?.field;
    audit::record(
        tx,
        "custom_field.create",
        Entity::CustomField(id),
        None,
        Some(audit::to_json(&field)),
    )
    .await?;
    Ok(field)
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = sql_types::Integer)]
    n: i32,
}

pub(crate) async fn update(
    tx: &mut ScopedConn<'_>,
    before: Definition,
    if_match: &IfMatch,
    change: FieldChange,
) -> Result<CustomField, ApiError> {
    let before = before.field;
    if_match.check(before.version)?;
    if let Some(name) = &change.name {
        name_free(tx, name, Some(before.id)).await?;
    }
    if let Some(edits) = &change.options {
        if !before.kind.has_options() && !edits.is_empty() {
            return Err(ApiError::validation(
                "options",
                "only select and multi-select fields have options",
            ));
        }
        set_options(tx, &before, edits).await?;
    }
    if let Some(projects) = &change.projects {
        set_projects(tx, before.id, projects).await?;
    }
    let (id, version) = (before.id, before.version);
    let hidden = crate::projects::access::hidden(tx.scope());
    Change {
        action: "custom_field.update",
        entity: Entity::CustomField(id),
        before: &before,
        version,
    }
    .update(
        tx,
        async |tx| {
            diesel::sql_query(
                "UPDATE custom_fields SET name = $4, description = $5, required = $6, \
                        version = version + 1, updated_at = now() \
                  WHERE org_id = $1 AND id = $2 AND version = $3",
            )
            .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
            .bind::<sql_types::Uuid, _>(id.0)
            .bind::<sql_types::Integer, _>(version)
            .bind::<sql_types::Text, _>(change.name.clone().unwrap_or_else(|| before.name.clone()))
            .bind::<sql_types::Text, _>(
                change
                    .description
                    .clone()
                    .unwrap_or_else(|| before.description.clone()),
            )
            .bind::<sql_types::Bool, _>(change.required.unwrap_or(before.required))
            .execute(tx.conn())
            .await
        },
        async |tx| Ok(find(tx, &id.0.to_string(), &hidden).await?.field),
    )
    .await
}

/// Deletes the field: its values leave every ticket (their versions stay: the
/// definition changed, not the tickets).
pub(crate) async fn delete(
    tx: &mut ScopedConn<'_>,
    before: Definition,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let before = before.field;
    if_match.check(before.version)?;
    let org = tx.scope().org_id().0;
    diesel::sql_query(
        "UPDATE tickets SET custom_fields = custom_fields - $3 \
          WHERE org_id = $1 AND id IN (SELECT ticket_id FROM ticket_custom_values \
                                        WHERE org_id = $1 AND field_id = $2)",
    )
    .bind::<sql_types::Uuid, _>(org)
    .bind::<sql_types::Uuid, _>(before.id.0)
    .bind::<sql_types::Text, _>(before.number.to_string())
    .execute(tx.conn())
    .await?;
    let (id, version) = (before.id, before.version);
    Change {
        action: "custom_field.delete",
        entity: Entity::CustomField(id),
        before: &before,
        version,
    }
    .delete(tx, async |tx| {
        diesel::sql_query(
            "DELETE FROM custom_fields WHERE org_id = $1 AND id = $2 AND version = $3",
        )
        .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
        .bind::<sql_types::Uuid, _>(id.0)
        .bind::<sql_types::Integer, _>(version)
        .execute(tx.conn())
        .await
    })
    .await
}

/// How a ticket write gives its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// A new ticket: what is given; required fields must be.
    Create,
    /// `PUT`: what is given replaces every value; required fields must be given.
    Replace,
    /// `PATCH`: only the fields given change; a required one cannot be cleared.
    Patch,
}

/// One search row's value.
#[derive(Debug, Clone, PartialEq)]
enum Stored {
    Option(CustomOptionId),
    Text(String),
    Number(f64),
    Date(NaiveDate),
    User(UserId),
}

/// A ticket's values after a write, checked: the JSON to store on the ticket, and the
/// fields whose search rows change.
#[derive(Debug, Default)]
pub(crate) struct Prepared {
    pub json: Map<String, Value>,
    changed: Vec<(CustomFieldId, Vec<Stored>)>,
}

/// Checks `given` (a ticket write's `custom_fields`, keyed by field number or id)
/// against the organization's fields for a ticket of `project` now holding `current`.
/// Without values and outside [`Mode::Create`] and [`Mode::Replace`] this costs no query.
pub(crate) async fn prepare(
    tx: &mut ScopedConn<'_>,
    project: ProjectId,
    current: &Map<String, Value>,
    input: &Map<String, Value>,
    mode: Mode,
) -> Result<Prepared, ApiError> {
    if input.is_empty() && mode == Mode::Patch {
        return Ok(Prepared {
            json: current.clone(),
            changed: Vec::new(),
        });
    }
    let defs = definitions(tx, &[]).await?;
    if defs.is_empty() && input.is_empty() && current.is_empty() {
        return Ok(Prepared::default());
    }
    let mut json = match mode {
        Mode::Patch => current.clone(),
        Mode::Create | Mode::Replace => Map::new(),
    };
    let mut touched: BTreeSet<String> = BTreeSet::new();
    let mut changed = Vec::new();
    for (raw_key, raw) in input {
        let at = format!("custom_fields.{raw_key}");
        let def = defs
            .iter()
            .find(|d| d.key() == *raw_key || d.field.id.0.to_string() == *raw_key)
            .ok_or_else(|| {
                ApiError::validation(at.clone(), format!("no custom field `{raw_key}`"))
            })?;
        let key = def.key();
        if !touched.insert(key.clone()) {
            return Err(ApiError::validation(at, "the field is given twice"));
        }
        let value = given(&def.field, raw, &at)?;
        if value != Given::Clear && !def.enabled_in(project) {
            return Err(ApiError::validation(
                at,
                format!("`{}` is not enabled in this project", def.field.name),
            ));
        }
        let (stored, shown) = match value {
            Given::Clear => (Vec::new(), None),
            Given::Text(s) => (vec![Stored::Text(s.clone())], Some(Value::String(s))),
            Given::Number(n) => (vec![Stored::Number(n)], Some(Value::from(n))),
            Given::Date(d) => (vec![Stored::Date(d)], Some(Value::String(d.to_string()))),
            Given::Options(ids) => {
                let shown = if def.field.kind == CustomFieldKind::MultiSelect {
                    Value::Array(
                        ids.iter()
                            .map(|id| Value::String(id.0.to_string()))
                            .collect(),
                    )
                } else {
                    Value::String(ids[0].0.to_string())
                };
                (ids.into_iter().map(Stored::Option).collect(), Some(shown))
            }
            Given::User(login) => {
                let (id, _) = crate::orgs::queries::find_member(tx, &login)
                    .await?
                    .ok_or_else(|| {
                        ApiError::validation(at.clone(), format!("`{login}` is not a member"))
                    })?;
                (
                    vec![Stored::User(id)],
                    Some(Value::String(id.0.to_string())),
                )
            }
        };
        if shown.is_none() && def.field.required {
            return Err(ApiError::validation(
                at,
                format!("`{}` is required", def.field.name),
            ));
        }
        match shown {
            Some(v) => json.insert(key.clone(), v),
            None => json.remove(&key),
        };
        if current.get(&key) != json.get(&key) {
            changed.push((def.field.id, stored));
        }
    }
    if mode != Mode::Patch {
        for def in &defs {
            let key = def.key();
            if touched.contains(&key) {
                continue;
            }
            if def.field.required && def.enabled_in(project) {
                return Err(ApiError::validation(
                    format!("custom_fields.{key}"),
                    format!("`{}` is required", def.field.name),
                ));
            }
            if current.contains_key(&key) {
                // Replaced by nothing: cleared.
                changed.push((def.field.id, Vec::new()));
            }
        }
    }
    Ok(Prepared { json, changed })
}

/// Writes the search rows of the fields `prepared` changes, for `ticket` of `project`.
pub(crate) async fn store(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    project: ProjectId,
    prepared: &Prepared,
) -> QueryResult<()> {
    if prepared.changed.is_empty() {
        return Ok(());
    }
    let org = tx.scope().org_id().0;
    let fields: Vec<uuid::Uuid> = prepared.changed.iter().map(|(f, _)| f.0).collect();
    diesel::delete(
        values::table
            .filter(values::org_id.eq(org))
            .filter(values::ticket_id.eq(ticket.0))
            .filter(values::field_id.eq_any(fields)),
    )
    .execute(tx.conn())
    .await?;
    let rows: Vec<_> = prepared
        .changed
        .iter()
        .flat_map(|(field, stored)| stored.iter().map(move |s| (field, s)))
        .map(|(field, s)| {
            let (option, text, number, date, user) = match s {
                Stored::Option(id) => (Some(id.0), None, None, None, None),
                Stored::Text(t) => (None, Some(t.clone()), None, None, None),
                Stored::Number(n) => (None, None, Some(*n), None, None),
                Stored::Date(d) => (None, None, None, Some(*d), None),
                Stored::User(u) => (None, None, None, None, Some(u.0)),
            };
            (
                values::org_id.eq(org),
                values::ticket_id.eq(ticket.0),
                values::field_id.eq(field.0),
                values::project_id.eq(project.0),
                values::option_id.eq(option),
                values::value_text.eq(text),
                values::value_num.eq(number),
                values::value_date.eq(date),
                values::value_user.eq(user),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(values::table)
            .values(rows)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}
