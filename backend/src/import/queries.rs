//! The import itself, in the caller's transaction: the one implementation behind the
//! HTTP route and `trellis import` (see the module documentation).

use std::collections::HashMap;
use std::io::Read;

use diesel::prelude::*;
use diesel::sql_types::{Array, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use tenancy::{Permission, ScopedConn};

use super::jira::{self, Columns, Findings, Lookups, Member, NewTicket, ParentRef, StatusOption};
use super::{
    BATCH, CustomFieldColumn, ImportId, ImportOptions, ImportReport, RowError, SkippedRow,
};
use crate::audit::{self, Entity};
use crate::http::ApiError;
use crate::ids::{SprintId, TicketId};
use crate::projects::{ProjectId, access};
use crate::schema::{
    memberships, projects, sprints, ticket_import_keys, ticket_views, tickets, users,
};
use crate::tickets::{Ticket, TicketType};
use tenancy::UserId;

/// What [`import`] knows of a ticket a row may name as its parent.
#[derive(Debug, Clone, Copy)]
struct Known {
    id: TicketId,
    kind: TicketType,
}

/// A created row waiting for its parent to be resolved (parents may come later).
struct PendingParent {
    row: u64,
    line: u64,
    key: String,
    id: TicketId,
    kind: TicketType,
    parent: ParentRef,
}

/// Everything one run accumulates between batches (no ticket rows: each batch is
/// written and dropped, so memory stays flat whatever the file's size).
struct Run<'a> {
    options: &'a ImportOptions,
    project: ProjectId,
    project_key: String,
    import_id: ImportId,
    report: ImportReport,
    findings: Findings,
    /// Row of each `Issue key` seen, to report duplicates.
    seen: HashMap<String, u64>,
    /// In-file tickets by Jira key and by Jira issue id.
    by_key: HashMap<String, Known>,
    by_id: HashMap<String, Known>,
    pending: Vec<PendingParent>,
}

impl Run<'_> {
    /// Writes tickets only while the run is clean: after the first error nothing
    /// more is written (the transaction rolls back anyway) but every row is checked.
    fn writes(&self) -> bool {
        !self.options.dry_run && self.report.errors.is_empty()
    }
}

/// Imports the Jira CSV `file` into project `project_key`, or checks it (dry run).
/// `Err` (everything rolled back) for a file or options at fault, and for rows with
/// errors unless it is a dry run: a 422 `import-invalid` whose `report` member is the
/// full [`ImportReport`].
pub(crate) async fn import(
    tx: &mut ScopedConn<'_>,
    project_key: &str,
    options: &ImportOptions,
    file: impl Read,
) -> Result<ImportReport, ApiError> {
    // Locks the project row (numbers are taken per batch below) and checks it is
    // open and visible.
    let (project, workflow, _) =
        crate::projects::allocate_ticket_numbers(tx, project_key, 0).await?;
    access::require(tx, Permission::TicketsCreate, project)?;
    let import_id = ImportId::new();
    // Transaction-local: every audit entry of this transaction gets the id. And a
    // fresh plan per statement: the batches' prepared statements would otherwise
    // settle on a generic plan made while the project was empty (seq scans), which
    // gets slower with every batch this transaction adds (statistics never see them).
    diesel::sql_query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(tx.conn())
        .await?;
    diesel::sql_query("SELECT set_config('app.import_id', $1, true)")
        .bind::<Text, _>(import_id.0.to_string())
        .execute(tx.conn())
        .await?;
    let lookups = lookups(tx, workflow, project, options).await?;

    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(file);
    let mut record = csv::StringRecord::new();
    let header = match reader.read_record(&mut record) {
        Ok(true) => Columns::from_header(&record)?,
        Ok(false) => return Err(ApiError::validation("file", "the file is empty")),
        Err(e) => return Err(file_error(&e)),
    };
    let mut run = Run {
        options,
        project,
        project_key: project_key.to_owned(),
        import_id,
        report: ImportReport {
            import_id,
            dry_run: options.dry_run,
            applied: false,
            rows: 0,
            created: 0,
            skipped: Vec::new(),
            errors: Vec::new(),
            unknown_users: Vec::new(),
            unmapped_statuses: Vec::new(),
            unmatched_sprints: Vec::new(),
            ignored_columns: header.ignored.clone(),
            custom_field_columns: header
                .custom
                .iter()
                .map(|(name, _)| CustomFieldColumn {
                    name: name.clone(),
                    rows_with_values: 0,
                })
                .collect(),
            custom_fields_note: (!header.custom.is_empty())
                .then_some("custom field columns are read and reported, not imported yet"),
            first_ticket: None,
            last_ticket: None,
        },
        findings: Findings::default(),
        seen: HashMap::new(),
        by_key: HashMap::new(),
        by_id: HashMap::new(),
        pending: Vec::new(),
    };
    let mut batch: Vec<NewTicket> = Vec::with_capacity(BATCH);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            // Not UTF-8: that row is reported, the reader goes on with the next.
            Err(e) if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) => {
                let (row, line) = e.position().map_or((0, 0), |p| (p.record() + 1, p.line()));
                run.report.rows += 1;
                run.report.errors.push(RowError {
                    row,
                    line,
                    key: None,
                    field: "row".into(),
                    detail: "is not UTF-8 text".into(),
                });
                continue;
            }
            Err(e) => return Err(file_error(&e)),
        }
        // Where the record starts: rows count records (the header is row 1), lines
        // count the file's lines (a quoted cell may span several).
        let (row, line) = record
            .position()
            .map_or((0, 0), |p| (p.record() + 1, p.line()));
        // A line of blanks between records is no row.
        if record.len() == 1 && record.get(0).is_some_and(|c| c.trim().is_empty()) {
            continue;
        }
        run.report.rows += 1;
        if let Some(key) = jira::source_key(&header, &record)
            && let Some(first) = run.seen.insert(key.clone(), row)
        {
            run.report.errors.push(RowError {
                row,
                line,
                key: Some(key),
                field: "Issue key".into(),
                detail: format!("also on row {first}"),
            });
            continue;
        }
        match jira::check(&header, &lookups, &record, row, line, &mut run.findings) {
            Ok(ticket) => batch.push(ticket),
            Err(errors) => run.report.errors.extend(errors),
        }
        if batch.len() == BATCH {
            flush(tx, &mut run, std::mem::take(&mut batch)).await?;
        }
    }
    flush(tx, &mut run, batch).await?;
    resolve_parents(tx, &mut run).await?;
    let Findings {
        unknown_users,
        unmapped_statuses,
        unmatched_sprints,
    } = std::mem::take(&mut run.findings);
    run.report.unknown_users = unknown_users;
    run.report.unmapped_statuses = unmapped_statuses;
    run.report.unmatched_sprints = unmatched_sprints;
    if !run.report.errors.is_empty() && !options.dry_run {
        let detail = format!(
            "{} error(s) in the file; nothing was imported (see `report.errors`)",
            run.report.errors.len()
        );
        return Err(ApiError::unprocessable("import-invalid", detail)
            .with_field("file")
            .with_extension("report", audit::to_json(&run.report)));
    }
    run.report.applied = !options.dry_run;
    Ok(run.report)
}

/// A file the reader cannot go on with (not CSV, cut short inside a quote, I/O).
fn file_error(e: &csv::Error) -> ApiError {
    let row = e.position().map_or(String::new(), |p| {
        format!(" at row {} (line {})", p.record() + 1, p.line())
    });
    ApiError::validation("file", format!("the file cannot be read as CSV{row}: {e}"))
}

/// A member's id, login, name, e-mail and verified e-mails.
type MemberRow = (UserId, String, String, Option<String>, Vec<String>);

/// The members, the project's statuses and open sprints, and the mappings.
async fn lookups(
    tx: &mut ScopedConn<'_>,
    workflow: crate::ids::WorkflowId,
    project: ProjectId,
    options: &ImportOptions,
) -> Result<Lookups, ApiError> {
    let org = tx.scope().org_id();
    let rows: Vec<MemberRow> = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(org))
        .filter(users::deleted_at.is_null())
        .select((
            users::id,
            users::login,
            users::name,
            users::email,
            users::verified_emails,
        ))
        .load(tx.conn())
        .await?;
    let members = rows
        .into_iter()
        .map(|(id, login, name, email, verified)| Member {
            id,
            login,
            name,
            emails: email.into_iter().chain(verified).collect(),
        })
        .collect();
    let statuses = crate::workflows::statuses_of(tx, workflow)
        .await?
        .into_iter()
        .map(|s| StatusOption {
            id: s.id,
            name: s.name,
            category: s.category,
        })
        .collect();
    let open: Vec<(SprintId, String)> = sprints::table
        .filter(sprints::org_id.eq(org))
        .filter(sprints::project_id.eq(project))
        .filter(sprints::state.ne("closed"))
        .select((sprints::id, sprints::name))
        .load(tx.conn())
        .await?;
    Lookups::new(members, statuses, open, options, tx.scope().user_id())
}

/// Sorts a batch of checked rows into skipped (imported before) and new, and writes
/// the new ones unless the run only checks.
async fn flush(
    tx: &mut ScopedConn<'_>,
    run: &mut Run<'_>,
    batch: Vec<NewTicket>,
) -> Result<(), ApiError> {
    if batch.is_empty() {
        return Ok(());
    }
    let org = tx.scope().org_id();
    let keys: Vec<&str> = batch.iter().map(|t| t.source_key.as_str()).collect();
    let earlier: Vec<(String, String, i32, TicketId, String)> = ticket_import_keys::table
        .inner_join(tickets::table.on(tickets::id.eq(ticket_import_keys::ticket_id)))
        .inner_join(projects::table.on(projects::id.eq(tickets::project_id)))
        .filter(ticket_import_keys::org_id.eq(org))
        .filter(tickets::org_id.eq(org))
        .filter(ticket_import_keys::source_key.eq_any(&keys))
        .select((
            ticket_import_keys::source_key,
            projects::key,
            tickets::number,
            tickets::id,
            tickets::kind,
        ))
        .load(tx.conn())
        .await?;
    let earlier: HashMap<String, (String, Known)> = earlier
        .into_iter()
        .map(|(source, project, number, id, kind)| {
            let known = Known {
                id,
                kind: TicketType::from_db(&kind),
            };
            (source, (format!("{project}-{number}"), known))
        })
        .collect();
    let mut fresh: Vec<NewTicket> = Vec::with_capacity(batch.len());
    for ticket in batch {
        if let Some((key, known)) = earlier.get(&ticket.source_key) {
            remember(run, &ticket, *known);
            run.report.skipped.push(SkippedRow {
                row: ticket.row,
                key: ticket.source_key,
                ticket: key.clone(),
            });
        } else {
            let known = Known {
                id: ticket.id,
                kind: ticket.kind,
            };
            remember(run, &ticket, known);
            fresh.push(ticket);
        }
    }
    // Parents in this batch or an earlier one are set in the ticket's own INSERT (the
    // foreign key is checked at the end of the statement); later ones wait.
    for ticket in &mut fresh {
        match ticket.parent.clone() {
            Some(parent) => {
                let found = match &parent {
                    ParentRef::Key(k) => run.by_key.get(k),
                    ParentRef::Id(i) => run.by_id.get(i),
                };
                match found.copied() {
                    Some(found) => match hierarchy_problem(ticket.id, ticket.kind, found) {
                        None => ticket.parent_id = Some(found.id),
                        Some(detail) => run.report.errors.push(RowError {
                            row: ticket.row,
                            line: ticket.line,
                            key: Some(ticket.source_key.clone()),
                            field: "Parent".into(),
                            detail,
                        }),
                    },
                    None => run.pending.push(PendingParent {
                        row: ticket.row,
                        line: ticket.line,
                        key: ticket.source_key.clone(),
                        id: ticket.id,
                        kind: ticket.kind,
                        parent,
                    }),
                }
            }
            None if ticket.kind == TicketType::Subtask => {
                run.report.errors.push(RowError {
                    row: ticket.row,
                    line: ticket.line,
                    key: Some(ticket.source_key.clone()),
                    field: "Parent".into(),
                    detail: "a sub-task needs a parent".into(),
                });
            }
            None => {}
        }
    }
    count_custom_field_values(&mut run.report.custom_field_columns, &fresh);
    run.report.created += fresh.len() as u64;
    if !run.writes() || fresh.is_empty() {
        return Ok(());
    }
    insert(tx, run, &fresh).await?;
    apply_custom_field_values(tx, &fresh).await
}

fn remember(run: &mut Run<'_>, ticket: &NewTicket, known: Known) {
    run.by_key.insert(ticket.source_key.clone(), known);
    if let Some(id) = &ticket.source_id {
        run.by_id.insert(id.clone(), known);
    }
}

/// Counts, per `Custom field (Name)` column, the rows with a value (for the report).
fn count_custom_field_values(columns: &mut [CustomFieldColumn], tickets: &[NewTicket]) {
    for ticket in tickets {
        for (name, _) in &ticket.custom_fields {
            if let Some(column) = columns.iter_mut().find(|c| &c.name == name) {
                column.rows_with_values += 1;
            }
        }
    }
}

/// Where the custom field values of created tickets go: each ticket's `(field name,
/// raw values)` from its `Custom field (Name)` columns. Custom fields are being built
/// separately (`custom_fields/`); until they land this writes nothing and the report
/// says so (`custom_fields_note`). Wire the values in here, in the same transaction.
async fn apply_custom_field_values(
    _tx: &mut ScopedConn<'_>,
    _tickets: &[NewTicket],
) -> Result<(), ApiError> {
    Ok(())
}

/// Writes one batch of new tickets set-based: numbers, tickets (triggers rank them
/// and write their search rows and field history), original keys, watchers, sprint
/// scope records.
async fn insert(
    tx: &mut ScopedConn<'_>,
    run: &mut Run<'_>,
    fresh: &[NewTicket],
) -> Result<(), ApiError> {
    let count = i32::try_from(fresh.len()).map_err(ApiError::internal)?;
    let (_, _, last) =
        crate::projects::allocate_ticket_numbers(tx, &run.project_key, count).await?;
    let first = last - count + 1;
    let org = tx.scope().org_id();
    // Ranked last in the project in file order, as the insert trigger would rank
    // them one by one (it looks the project's last key up per row: a millisecond each).
    let last_rank: Option<String> = tickets::table
        .filter(tickets::org_id.eq(org))
        .filter(tickets::project_id.eq(run.project))
        .select(diesel::dsl::max(tickets::rank))
        .first(tx.conn())
        .await?;
    let slots = crate::ranking::slots_after(last_rank.as_deref(), count.unsigned_abs());
    let rows: Vec<_> = fresh
        .iter()
        .zip(first..)
        .enumerate()
        .map(|(i, (t, number))| {
            let rank = slots.clone().and_then(|s| s.clone().nth(i));
            (
                tickets::id.eq(t.id),
                tickets::org_id.eq(org),
                tickets::project_id.eq(run.project),
                tickets::number.eq(number),
                tickets::title.eq(&t.title),
                tickets::description.eq(&t.description),
                tickets::kind.eq(t.kind.as_str()),
                tickets::priority.eq(t.priority.to_db()),
                tickets::status_id.eq(t.status),
                tickets::assignee_id.eq(t.assignee),
                tickets::reporter_id.eq(t.reporter),
                tickets::labels.eq(&t.labels),
                tickets::created_at.eq(t.created_at),
                tickets::updated_at.eq(t.updated_at),
                tickets::resolved_at.eq(t.resolved_at),
                tickets::sprint_id.eq(t.sprint),
                // The key it had in Jira, shown like a moved ticket's former key.
                tickets::moved_from.eq(vec![t.source_key.clone()]),
                tickets::parent_id.eq(t.parent_id),
                // Past the last slot: left to the trigger.
                rank.map(|n| tickets::rank.eq(crate::ranking::slot(n))),
            )
        })
        .collect();
    diesel::insert_into(tickets::table)
        .values(rows)
        .execute(tx.conn())
        .await?;
    let keys: Vec<_> = fresh
        .iter()
        .map(|t| {
            (
                ticket_import_keys::org_id.eq(org),
                ticket_import_keys::source_key.eq(&t.source_key),
                ticket_import_keys::ticket_id.eq(t.id),
                ticket_import_keys::source_id.eq(t.source_id.as_deref()),
                ticket_import_keys::import_id.eq(run.import_id),
            )
        })
        .collect();
    diesel::insert_into(ticket_import_keys::table)
        .values(keys)
        .execute(tx.conn())
        .await
        .map_err(|e| {
            ApiError::unique_as(
                e,
                ApiError::conflict(
                    "import-running",
                    "another import of these keys committed meanwhile; run it again to skip them",
                ),
            )
        })?;
    // Reporter and assignee watch, as for a ticket created through the API.
    let (watched, watchers): (Vec<uuid::Uuid>, Vec<uuid::Uuid>) = fresh
        .iter()
        .flat_map(|t| {
            std::iter::once((t.id.0, t.reporter.0)).chain(t.assignee.map(|a| (t.id.0, a.0)))
        })
        .unzip();
    // Raw SQL: an `INSERT .. SELECT` over two unnested arrays.
    diesel::sql_query(
        "INSERT INTO ticket_watchers (org_id, ticket_id, user_id) \
         SELECT $1, w.t, w.u FROM unnest($2::uuid[], $3::uuid[]) AS w (t, u) \
         ON CONFLICT DO NOTHING",
    )
    .bind::<SqlUuid, _>(org.0)
    .bind::<Array<SqlUuid>, _>(&watched)
    .bind::<Array<SqlUuid>, _>(&watchers)
    .execute(tx.conn())
    .await?;
    for ticket in fresh.iter().filter(|t| t.sprint.is_some()) {
        crate::tickets::planning::record_move(tx, ticket.id, None, ticket.sprint).await?;
    }
    let key = |n: i32| format!("{}-{n}", run.project_key);
    run.report.first_ticket.get_or_insert_with(|| key(first));
    run.report.last_ticket = Some(key(last));
    let ids: Vec<TicketId> = fresh.iter().map(|t| t.id).collect();
    audit_tickets(tx, "ticket.create", &ids).await
}

/// Resolves every created row's parent (in the file, else imported earlier into this
/// organization, by Jira key or id), checks the hierarchy, and sets them set-based.
async fn resolve_parents(tx: &mut ScopedConn<'_>, run: &mut Run<'_>) -> Result<(), ApiError> {
    let pending = std::mem::take(&mut run.pending);
    let org = tx.scope().org_id();
    let (mut keys, mut ids): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for p in &pending {
        match &p.parent {
            ParentRef::Key(k) if !run.by_key.contains_key(k) => keys.push(k),
            ParentRef::Id(i) if !run.by_id.contains_key(i) => ids.push(i),
            _ => {}
        }
    }
    let mut earlier_keys: HashMap<String, Known> = HashMap::new();
    let mut earlier_ids: HashMap<String, Known> = HashMap::new();
    for chunk_keys in keys.chunks(1000) {
        let rows: Vec<(String, TicketId, String)> = ticket_import_keys::table
            .inner_join(tickets::table.on(tickets::id.eq(ticket_import_keys::ticket_id)))
            .filter(ticket_import_keys::org_id.eq(org))
            .filter(tickets::org_id.eq(org))
            .filter(tickets::deleted_at.is_null())
            .filter(ticket_import_keys::source_key.eq_any(chunk_keys))
            .select((ticket_import_keys::source_key, tickets::id, tickets::kind))
            .load(tx.conn())
            .await?;
        for (key, id, kind) in rows {
            let kind = TicketType::from_db(&kind);
            earlier_keys.insert(key, Known { id, kind });
        }
    }
    for chunk_ids in ids.chunks(1000) {
        let rows: Vec<(Option<String>, TicketId, String)> = ticket_import_keys::table
            .inner_join(tickets::table.on(tickets::id.eq(ticket_import_keys::ticket_id)))
            .filter(ticket_import_keys::org_id.eq(org))
            .filter(tickets::org_id.eq(org))
            .filter(tickets::deleted_at.is_null())
            .filter(ticket_import_keys::source_id.eq_any(chunk_ids))
            .select((ticket_import_keys::source_id, tickets::id, tickets::kind))
            .load(tx.conn())
            .await?;
        for (source, id, kind) in rows {
            if let Some(source) = source {
                earlier_ids.insert(
                    source,
                    Known {
                        id,
                        kind: TicketType::from_db(&kind),
                    },
                );
            }
        }
    }
    let mut children: Vec<uuid::Uuid> = Vec::new();
    let mut parents: Vec<uuid::Uuid> = Vec::new();
    for p in &pending {
        let found = match &p.parent {
            ParentRef::Key(k) => run.by_key.get(k).or_else(|| earlier_keys.get(k)),
            ParentRef::Id(i) => run.by_id.get(i).or_else(|| earlier_ids.get(i)),
        };
        let named = match &p.parent {
            ParentRef::Key(k) | ParentRef::Id(k) => k,
        };
        let problem = match found {
            None => Some(format!(
                "`{named}` is neither in the file nor imported before"
            )),
            Some(parent) => hierarchy_problem(p.id, p.kind, *parent).or_else(|| {
                children.push(p.id.0);
                parents.push(parent.id.0);
                None
            }),
        };
        if let Some(detail) = problem {
            run.report.errors.push(RowError {
                row: p.row,
                line: p.line,
                key: Some(p.key.clone()),
                field: "Parent".into(),
                detail,
            });
        }
    }
    run.report.errors.sort_by_key(|e| e.row);
    if !run.writes() {
        return Ok(());
    }
    for (chunk, parents) in children.chunks(BATCH).zip(parents.chunks(BATCH)) {
        // Raw SQL: an `UPDATE .. FROM` over two unnested arrays.
        diesel::sql_query(
            "UPDATE tickets SET parent_id = v.parent \
               FROM unnest($2::uuid[], $3::uuid[]) AS v (child, parent) \
              WHERE tickets.org_id = $1 AND tickets.id = v.child",
        )
        .bind::<SqlUuid, _>(org.0)
        .bind::<Array<SqlUuid>, _>(chunk)
        .bind::<Array<SqlUuid>, _>(parents)
        .execute(tx.conn())
        .await?;
        // Created before their parent: its own audit entry, as a parent change is.
        let ids: Vec<TicketId> = chunk.iter().map(|&id| TicketId(id)).collect();
        audit_tickets(tx, "ticket.parent", &ids).await?;
    }
    Ok(())
}

/// Why a ticket of `kind` may not have `parent`, as `tickets::hierarchy` says it.
fn hierarchy_problem(id: TicketId, kind: TicketType, parent: Known) -> Option<String> {
    if parent.id == id {
        return Some("a ticket cannot be its own parent".into());
    }
    if kind == TicketType::Epic {
        return Some("an epic has no parent".into());
    }
    if !kind.may_have_parent(parent.kind) {
        let wanted = if kind == TicketType::Subtask {
            "a story, task or bug"
        } else {
            "an epic"
        };
        return Some(format!(
            "the parent of a {} must be {wanted}, not a {}",
            kind.as_str(),
            parent.kind.as_str()
        ));
    }
    None
}

/// One `action` audit entry per ticket of `ids`, with the ticket as it reads now;
/// `import_id` comes from the transaction's setting.
async fn audit_tickets(
    tx: &mut ScopedConn<'_>,
    action: &'static str,
    ids: &[TicketId],
) -> Result<(), ApiError> {
    let org = tx.scope().org_id();
    for ids in ids.chunks(BATCH) {
        let rows: Vec<crate::tickets::TicketRow> = ticket_views::table
            .filter(ticket_views::org_id.eq(org))
            .filter(ticket_views::id.eq_any(ids))
            .select(crate::tickets::TicketRow::as_select())
            .load(tx.conn())
            .await?;
        let entries = rows
            .into_iter()
            .map(Ticket::from)
            .map(|t| (Entity::Ticket(t.id), None, Some(audit::to_json(&t))))
            .collect();
        audit::record_many(tx, action, entries).await?;
    }
    Ok(())
}
