//! Applying a bulk request in the caller's transaction.

use std::collections::HashSet;

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use tenancy::ScopedConn;

use super::{Bulk, BulkError, BulkId, BulkResponse, BulkResult, Operations};
use crate::http::{ApiError, IfMatch};
use crate::tickets::{TicketChange, TicketId, TicketKey, TicketType, moving, queries as tickets};

/// Raw SQL throughout: savepoints and `set_config` are not diesel's to say.
async fn run(tx: &mut ScopedConn<'_>, statement: &'static str) -> Result<(), ApiError> {
    diesel::sql_query(statement).execute(tx.conn()).await?;
    Ok(())
}

/// Applies `bulk` ticket by ticket; see the module documentation.
pub(crate) async fn apply(tx: &mut ScopedConn<'_>, bulk: Bulk) -> Result<BulkResponse, ApiError> {
    let bulk_id = BulkId::new();
    // Transaction-local: every audit entry of this transaction gets the id.
    diesel::sql_query("SELECT set_config('app.bulk_id', $1, true)")
        .bind::<Text, _>(bulk_id.0.to_string())
        .execute(tx.conn())
        .await?;
    run(tx, "SAVEPOINT bulk_request").await?;
    let listed: HashSet<&str> = bulk.keys.iter().map(|(k, _)| k.as_str()).collect();
    let mut results = Vec::with_capacity(bulk.keys.len());
    // Sub-tasks left to move with their parent: result index and ticket.
    let mut with_parent: Vec<(usize, TicketId)> = Vec::new();
    for (requested, key) in &bulk.keys {
        run(tx, "SAVEPOINT bulk_item").await?;
        let outcome = match key {
            Some(key) => apply_one(tx, key, &bulk.operations, &listed).await,
            None => Err(ApiError::not_found("ticket")),
        };
        results.push(match outcome {
            Ok(applied) => {
                run(tx, "RELEASE SAVEPOINT bulk_item").await?;
                let ticket = match applied {
                    Applied::Key(key) => Some(key),
                    Applied::WithParent(id) => {
                        with_parent.push((results.len(), id));
                        None
                    }
                };
                BulkResult {
                    key: requested.clone(),
                    status: "ok",
                    ticket,
                    error: None,
                }
            }
            Err(error) if error.status().is_server_error() => return Err(error),
            Err(error) => {
                run(tx, "ROLLBACK TO SAVEPOINT bulk_item").await?;
                failure(requested, &error)
            }
        });
    }
    if let Some(mv) = &bulk.operations.move_to {
        for (index, id) in with_parent {
            let ticket = tickets::load(tx, id).await?;
            results[index] = if ticket.project == mv.project {
                BulkResult {
                    key: results[index].key.clone(),
                    status: "ok",
                    ticket: Some(ticket.key),
                    error: None,
                }
            } else {
                // Its parent failed, or lives in another project and moved alone.
                failure(
                    &results[index].key,
                    &ApiError::validation("project", "a sub-task moves with its parent"),
                )
            };
        }
    }
    let failed = results.iter().filter(|r| r.error.is_some()).count();
    let applied = !bulk.dry_run && (failed == 0 || !bulk.atomic);
    if applied {
        run(tx, "RELEASE SAVEPOINT bulk_request").await?;
    } else {
        run(tx, "ROLLBACK TO SAVEPOINT bulk_request").await?;
    }
    Ok(BulkResponse {
        bulk_id,
        dry_run: bulk.dry_run,
        atomic: bulk.atomic,
        applied,
        succeeded: results.len() - failed,
        failed,
        results,
    })
}

/// A failed ticket's result: its problem document's members.
fn failure(requested: &str, error: &ApiError) -> BulkResult {
    BulkResult {
        key: requested.to_owned(),
        status: "error",
        ticket: None,
        error: Some(BulkError {
            kind: format!("urn:trellis:problem:{}", error.kind()),
            status: error.status().as_u16(),
            detail: error.detail().to_owned(),
            field: error.field().map(str::to_owned),
        }),
    }
}

/// What one ticket's operations came to.
enum Applied {
    /// Done; the ticket's key afterwards.
    Key(String),
    /// A sub-task whose parent is in the request too: it moves along with it.
    WithParent(TicketId),
}

/// Names in `current`, plus `add`, less `remove` (comparing with `same`), in order.
fn edited(
    current: &[String],
    add: &[String],
    remove: &[String],
    same: fn(&str, &str) -> bool,
) -> Vec<String> {
    let mut out: Vec<String> = current
        .iter()
        .chain(add)
        .filter(|n| !remove.iter().any(|r| same(r, n)))
        .cloned()
        .collect();
    let mut seen: Vec<String> = Vec::new();
    out.retain(|n| {
        let new = !seen.iter().any(|s| same(s, n));
        seen.push(n.clone());
        new
    });
    out
}

/// One ticket through the single-ticket domain functions; answers its key.
async fn apply_one(
    tx: &mut ScopedConn<'_>,
    key: &TicketKey,
    ops: &Operations,
    listed: &HashSet<&str>,
) -> Result<Applied, ApiError> {
    let mut ticket = tickets::find(tx, key).await?;
    if ops.edits_fields() {
        let mut change: TicketChange = ops.set.clone();
        if !ops.add_labels.is_empty() || !ops.remove_labels.is_empty() {
            let base = change
                .labels
                .take()
                .unwrap_or_else(|| ticket.labels.clone());
            change.labels = Some(edited(
                &base,
                &ops.add_labels,
                &ops.remove_labels,
                |a, b| a == b,
            ));
        }
        if !ops.add_components.is_empty() || !ops.remove_components.is_empty() {
            let base = change
                .components
                .take()
                .unwrap_or_else(|| ticket.components.clone());
            change.components = Some(edited(
                &base,
                &ops.add_components,
                &ops.remove_components,
                |a, b| a.to_lowercase() == b.to_lowercase(),
            ));
        }
        ticket = tickets::update(tx, key, &IfMatch::any(), change).await?;
    }
    if let Some(to) = &ops.transition {
        // A ticket already there is left alone, not an error.
        if !ticket.status.name.eq_ignore_ascii_case(to) {
            ticket = tickets::transition(tx, key, &IfMatch::any(), to).await?;
        }
    }
    if let Some(mv) = &ops.move_to {
        // Already there (e.g. moved along with its parent earlier in this request,
        // its old key following it): left as it is, like a transition to its status.
        let parent_listed = ticket.kind == TicketType::Subtask
            && ticket.parent.as_deref().is_some_and(|p| listed.contains(p));
        if parent_listed {
            return Ok(Applied::WithParent(ticket.id));
        }
        if ticket.project != mv.project {
            ticket = moving::move_ticket(tx, key, &IfMatch::any(), mv)
                .await?
                .ticket;
        }
    }
    if ops.delete {
        tickets::soft_delete(tx, key, &IfMatch::any()).await?;
    }
    Ok(Applied::Key(ticket.key))
}
