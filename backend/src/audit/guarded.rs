//! The one way a versioned resource changes: a write guarded by the version that was
//! read (`WHERE version = v`; 0 rows means someone else wrote first: 412), then the
//! audit entry with before and after, all in the caller's transaction.
//!
//! The outbox row of the events issue joins here, so every resource gets it at once.

use serde::Serialize;
use serde_json::Value;
use tenancy::ScopedConn;

use super::{Entity, record};
use crate::http::ApiError;

/// A change about to be made to one resource read at `version`.
pub struct Change<'b, B> {
    /// The audit action (`ticket.update`).
    pub action: &'static str,
    pub entity: Entity,
    /// The resource as read, for the audit entry.
    pub before: &'b B,
    /// Its version as read; the write must be guarded by it.
    pub version: i32,
}

impl<B: Serialize> Change<'_, B> {
    /// Runs `write` (an `UPDATE .. WHERE id = .. AND version = ..` setting
    /// `version = version + 1`, answering the rows it changed), then `reload` for the
    /// new state, and audits both.
    pub async fn update<A: Serialize>(
        self,
        tx: &mut ScopedConn<'_>,
        write: impl AsyncFnOnce(&mut ScopedConn<'_>) -> diesel::QueryResult<usize>,
        reload: impl AsyncFnOnce(&mut ScopedConn<'_>) -> Result<A, ApiError>,
    ) -> Result<A, ApiError> {
        self.guard(write(tx).await?)?;
        let after = reload(tx).await?;
        self.audit(tx, Some(to_json(&after))).await?;
        Ok(after)
    }

    /// Like [`update`](Self::update) for a write that answers the new state itself
    /// (`RETURNING`): `None` means no row matched the version.
    pub async fn update_returning<A: Serialize>(
        self,
        tx: &mut ScopedConn<'_>,
        write: impl AsyncFnOnce(&mut ScopedConn<'_>) -> diesel::QueryResult<Option<A>>,
    ) -> Result<A, ApiError> {
        let Some(after) = write(tx).await? else {
            return Err(self.stale());
        };
        self.audit(tx, Some(to_json(&after))).await?;
        Ok(after)
    }

    /// Runs `write` (a guarded soft delete) and audits the resource's last state.
    pub async fn delete(
        self,
        tx: &mut ScopedConn<'_>,
        write: impl AsyncFnOnce(&mut ScopedConn<'_>) -> diesel::QueryResult<usize>,
    ) -> Result<(), ApiError> {
        self.guard(write(tx).await?)?;
        self.audit(tx, None).await
    }

    fn guard(&self, rows: usize) -> Result<(), ApiError> {
        if rows == 0 {
            return Err(self.stale());
        }
        Ok(())
    }

    /// Another writer slipped in between our read and our write.
    fn stale(&self) -> ApiError {
        ApiError::precondition_failed(self.version + 1)
    }

    async fn audit(&self, tx: &mut ScopedConn<'_>, after: Option<Value>) -> Result<(), ApiError> {
        record(
            tx,
            self.action,
            self.entity,
            Some(to_json(self.before)),
            after,
        )
        .await?;
        Ok(())
    }
}

/// A resource as its audit entry keeps it.
pub fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}
