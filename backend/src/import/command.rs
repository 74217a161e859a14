//! `trellis import --org S --project K FILE`: the import as a member, through
//! [`super::queries::import`] (the route's own code), with a progress bar over the
//! file's bytes.

use anyhow::Context as _;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::{ImportOptions, ImportReport, queries};

/// Runs the import of `file` into `project` of `org` as `login`; prints the report
/// (JSON) on stdout. `pairs` are the route's query parameters (`dry_run`,
/// `unknown_users`, `user:NAME`, `status:NAME`), checked the same way.
pub async fn command(
    conn: &mut tenancy::DbConn,
    org: &str,
    project: &str,
    login: &str,
    pairs: Vec<(String, String)>,
    file: &std::path::Path,
) -> anyhow::Result<()> {
    let options = ImportOptions::from_pairs(pairs).map_err(|e| match e.field() {
        Some(field) => anyhow::anyhow!("{field}: {}", e.detail()),
        None => anyhow::anyhow!("{e}"),
    })?;
    let user: uuid::Uuid = crate::schema::users::table
        .filter(crate::schema::users::login.eq(login))
        .filter(crate::schema::users::deleted_at.is_null())
        .select(crate::schema::users::id)
        .first(conn)
        .await
        .optional()?
        .with_context(|| format!("no user with login `{login}`"))?;
    let scope = tenancy::authorize_user(conn, tenancy::UserId(user), org)
        .await?
        .with_context(|| format!("`{login}` is not a member of `{org}`"))?;
    scope
        .require(tenancy::Permission::TicketsCreate)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let opened =
        std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
    let size = opened.metadata()?.len();
    let bar = indicatif::ProgressBar::new(size).with_style(
        indicatif::ProgressStyle::with_template(
            "{msg} [{bar:30}] {percent:>3}% {bytes}/{total_bytes} {elapsed}",
        )
        .context("progress template")?
        .progress_chars("#> "),
    );
    bar.set_message(if options.dry_run {
        "checking"
    } else {
        "importing"
    });
    let reader = bar.wrap_read(opened);
    let outcome = scope
        .transaction(conn, async move |tx| {
            queries::import(tx, project, &options, reader).await
        })
        .await;
    bar.finish_and_clear();
    match outcome {
        Ok(report) => {
            println!("{}", serde_json::to_string_pretty(&report)?);
            eprintln!("{}", summary(&report));
            Ok(())
        }
        Err(e) => {
            if let Some(report) = e.extension("report") {
                println!("{}", serde_json::to_string_pretty(report)?);
            }
            anyhow::bail!("{}", e.detail())
        }
    }
}

fn summary(report: &ImportReport) -> String {
    let verb = if report.applied {
        "created"
    } else {
        "would create"
    };
    let mut out = format!(
        "{} rows: {verb} {}, skipped {} (imported before), {} error(s)",
        report.rows,
        report.created,
        report.skipped.len(),
        report.errors.len()
    );
    if let (Some(first), Some(last)) = (&report.first_ticket, &report.last_ticket) {
        out.push_str(&format!("; tickets {first} .. {last}"));
    }
    out
}
