//! A short-lived, per-process cache of resolved memberships, so a request usually
//! costs no database round trip before its own query.
//!
//! Entries live `TRELLIS_AUTH_CACHE_SECONDS` (default 5). A role change, a removal or
//! a token revocation drops the organization's entries at once on every instance
//! ([`super::invalidation`], Redis pub/sub); the TTL bounds what a lost message costs.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tenancy::OrgScope;

/// Bound on entries, so a flood of distinct tokens cannot grow memory without limit.
const MAX_ENTRIES: usize = 10_000;

type Key = ([u8; 32], String);

/// Token + organization -> membership, for a few seconds.
pub struct PrincipalCache {
    ttl: Duration,
    entries: Mutex<HashMap<Key, (Instant, OrgScope)>>,
}

impl PrincipalCache {
    /// A cache keeping entries for `ttl`; a zero `ttl` disables it.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The cached scope for this token in `org_slug`, if still fresh.
    pub fn get(&self, token_hash: &[u8; 32], org_slug: &str) -> Option<OrgScope> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().ok()?;
        let (stored, scope) = entries.get(&(*token_hash, org_slug.to_owned()))?;
        (stored.elapsed() < self.ttl).then(|| scope.clone())
    }

    /// Remembers a verified membership.
    pub fn put(&self, token_hash: [u8; 32], org_slug: &str, scope: OrgScope) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                let ttl = self.ttl;
                entries.retain(|_, (stored, _)| stored.elapsed() < ttl);
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert((token_hash, org_slug.to_owned()), (Instant::now(), scope));
        }
    }

    /// Forgets every entry of one organization (after a revocation or role change).
    pub fn forget_org(&self, org: tenancy::OrgId) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (_, scope)| scope.org_id() != org);
        }
    }

    /// Forgets everything.
    pub fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }
}
