//! Workflow editing over HTTP: the invariants, role-guarded transitions, deleting a
//! status with its tickets, concurrency, copying, permissions and search.
