//! Trellis: the HTTP API server and CLI of a multi-tenant issue tracker.
//!
//! Organised by feature: each folder holds its routes, queries and tests. Tenant data
//! is reached only through `tenancy::OrgScope` (see the tenancy crate).

pub mod app;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod bulk;
pub mod cli;
pub mod comments;
pub mod components;
pub mod config;
pub mod custom_fields;
pub mod db;
pub mod demo;
pub mod entitlements;
pub mod export;
pub mod filters;
pub mod http;
pub mod ids;
pub mod import;
pub mod links;
pub mod local;
pub mod me;
pub mod orgs;
pub mod projects;
pub mod ranking;
pub mod rate_limit;
pub mod refs;
pub mod schema;
pub mod search;
pub mod secrets;
pub mod sprints;
pub mod tickets;
pub mod tokens;
pub mod watchers;
pub mod workflows;
pub mod worklogs;

#[cfg(test)]
mod test_support;
