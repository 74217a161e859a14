//! Bulk data for benchmarks: `trellis seed --orgs N --tickets M` loads N organizations
//! of M tickets each with `COPY`, shaped like a real tracker's data (skewed assignees
//! and labels, two years of dates, a vocabulary with common and rare words for text
//! search, comments on a fifth of the tickets).
//!
//! `COPY FROM` is not allowed on tables with row-level security except for a role that
//! bypasses it, so the load runs as the owner (`DATABASE_OWNER_URL`); the organizations,
//! users and projects themselves are created through the normal scoped functions.

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::Context;
use bytes::Bytes;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use futures_util::SinkExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tenancy::{DbConn, Role, UserId};

use crate::db::DbTls;
use crate::http::ApiError;
use crate::projects::NewProject;
use crate::schema::{projects, statuses};

const USERS_PER_ORG: usize = 50;
const PROJECTS: [(&str, &str); 4] = [
    ("WEB", "Website"),
    ("API", "Public API"),
    ("MOB", "Mobile"),
    ("OPS", "Operations"),
];
const LABELS: [&str; 12] = [
    "backend",
    "frontend",
    "ux",
    "performance",
    "security",
    "customer",
    "regression",
    "tech-debt",
    "docs",
    "infra",
    "billing",
    "search",
];
const COMMON: [&str; 40] = [
    "the", "user", "page", "error", "when", "click", "button", "shows", "wrong", "data", "after",
    "update", "should", "display", "list", "save", "form", "field", "value", "report", "account",
    "settings", "email", "message", "load", "slow", "crash", "screen", "table", "filter", "sort",
    "export", "import", "link", "profile", "team", "project", "board", "view", "open",
];
const RARE: [&str; 24] = [
    "login",
    "oauth",
    "webhook",
    "timezone",
    "invoice",
    "latency",
    "deadlock",
    "unicode",
    "pagination",
    "keyboard",
    "accessibility",
    "darkmode",
    "markdown",
    "attachment",
    "notification",
    "dashboard",
    "migration",
    "permission",
    "captcha",
    "sitemap",
    "checkout",
    "localization",
    "tooltip",
    "autocomplete",
];

/// Skewed pick in `0..n`: low indexes are much more likely (a few people do most work).
fn skewed(rng: &mut StdRng, n: usize) -> usize {
    let r: f64 = rng.random();
    ((r * r * r) * n as f64) as usize % n
}

fn sentence(rng: &mut StdRng, words: usize) -> String {
    let mut out = String::new();
    for i in 0..words {
        if i > 0 {
            out.push(' ');
        }
        // One word in 25 is rare, so rare terms match a few thousand of a million.
        if rng.random_range(0..25) == 0 {
            out.push_str(RARE[rng.random_range(0..RARE.len())]);
        } else {
            out.push_str(COMMON[skewed(rng, COMMON.len())]);
        }
    }
    out
}

/// A progress bar on stderr: `[#####     ] 50% 500000/1000000 tickets`.
struct Progress {
    label: String,
    total: usize,
    shown: usize,
}

impl Progress {
    fn new(label: String, total: usize) -> Self {
        Self {
            label,
            total,
            shown: usize::MAX,
        }
    }

    fn update(&mut self, done: usize) {
        let percent = (done * 100).checked_div(self.total).unwrap_or(100);
        if percent == self.shown {
            return;
        }
        self.shown = percent;
        let filled = percent / 5;
        eprint!(
            "\r{} [{}{}] {percent:3}% {done}/{}",
            self.label,
            "#".repeat(filled),
            " ".repeat(20 - filled),
            self.total
        );
        if done >= self.total {
            eprintln!();
        }
    }
}

fn api(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// One organization to fill.
struct Target {
    slug: String,
    scope: tenancy::OrgScope,
    users: Vec<UserId>,
    projects: Vec<crate::projects::Project>,
    statuses: Vec<(uuid::Uuid, uuid::Uuid, String)>,
}

/// Creates `orgs` organizations (`load-1`, `load-2`, ...) of `tickets` tickets each.
///
/// Into an empty database (no tickets yet) the load works like a restore: the
/// secondary indexes and the foreign keys of `tickets`, `comments` and `ticket_search`
/// are dropped first and re-created at the end, where PostgreSQL builds each index in
/// one sort and checks each foreign key with one join instead of row by row; the search
/// vectors and the indexes are built on two connections at once. That part is not one
/// transaction: if it fails, load a fresh database again. Into a database that has
/// tickets, everything stays in place and each organization loads in one transaction.
pub async fn load(
    conn: &mut DbConn,
    owner_url: &str,
    tls: &DbTls,
    orgs: usize,
    tickets: usize,
) -> anyhow::Result<()> {
    let client = crate::db::raw_client(owner_url, tls)
        .await
        .context("connecting as DATABASE_OWNER_URL for COPY")?;
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(42);
    let mut targets = Vec::new();
    for n in 1..=orgs {
        let slug = format!("load-{n}");
        let owner_login = format!("{slug}-owner");
        let owner = super::ensure_user(conn, &owner_login, &format!("Load {n} Owner")).await?;
        let scope = crate::auth::create_org(conn, &slug, &format!("Load {n}"), owner).await?;
        let mut users = vec![owner];
        for u in 1..USERS_PER_ORG {
            let login = format!("{slug}-user{u}");
            users.push(super::ensure_user(conn, &login, &format!("User {u} of {slug}")).await?);
        }
        let (projects, statuses) = scope
            .transaction(conn, async |tx| {
                for &user in &users[1..] {
                    tenancy::add_member(tx, user, Role::Member).await?;
                }
                let mut out = Vec::new();
                for (key, name) in PROJECTS {
                    let new = NewProject {
                        key: key.into(),
                        name: name.into(),
                        description: format!("Load-test project {name}"),
                        private: false,
                    };
                    out.push(crate::projects::queries::create(tx, new.validate()?).await?);
                }
                let org = tx.scope().org_id();
                let rows: Vec<(uuid::Uuid, uuid::Uuid, String)> = statuses::table
                    .inner_join(projects::table.on(projects::workflow_id.eq(statuses::workflow_id)))
                    .filter(statuses::org_id.eq(org))
                    .order((projects::key.asc(), statuses::position.asc()))
                    .select((projects::id, statuses::id, statuses::category))
                    .load(tx.conn())
                    .await?;
                Ok::<_, ApiError>((out, rows))
            })
            .await
            .map_err(api)?;
        targets.push(Target {
            slug,
            scope,
            users,
            projects,
            statuses,
        });
    }
    let empty = client
        .query_one("SELECT NOT EXISTS (SELECT 1 FROM tickets)", &[])
        .await?
        .get::<_, bool>(0);
    if empty {
        let second = crate::db::raw_client(owner_url, tls)
            .await
            .context("connecting as DATABASE_OWNER_URL for COPY")?;
        let deferred = Deferred::drop(&client).await?;
        let timer = Instant::now();
        for target in &targets {
            client.batch_execute("BEGIN").await?;
            copy_tickets(&client, &mut rng, target, tickets).await?;
            client.batch_execute("COMMIT").await?;
        }
        eprintln!("copy: {:.1} s", timer.elapsed().as_secs_f64());
        let orgs: Vec<uuid::Uuid> = targets.iter().map(|t| t.scope.org_id().0).collect();
        build_search(&client, &second, &orgs).await?;
        deferred.restore(&client, &second).await?;
    } else {
        for target in &targets {
            client.batch_execute("BEGIN").await?;
            copy_tickets(&client, &mut rng, target, tickets).await?;
            let org: &[uuid::Uuid] = &[target.scope.org_id().0];
            eprintln!("{}: search vectors", target.slug);
            // Fresh statistics first: without them the planner believes this org has
            // no rows yet and picks a nested loop over the comment aggregate.
            client
                .batch_execute("ANALYZE tickets; ANALYZE comments")
                .await?;
            tokio_postgres::Client::execute(&client, SEARCH_ROWS, &[&org, &1i32, &0i32]).await?;
            client.batch_execute("COMMIT").await?;
        }
    }
    client
        .batch_execute("ANALYZE tickets; ANALYZE comments; ANALYZE ticket_search")
        .await?;
    eprintln!(
        "loaded {} tickets in {:.1} s",
        orgs * tickets,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The search rows of the tickets of orgs `$1` whose id falls in share `$3` of `$2`
/// (so two connections can split the work): weighted document and comment vectors
/// in one statement.
const SEARCH_ROWS: &str = "
    INSERT INTO ticket_search (ticket_id, org_id, doc_tsv, comment_tsv)
    SELECT t.id, t.org_id,
           setweight(to_tsvector('english', t.title), 'A')
           || setweight(to_tsvector('english', t.description), 'B'),
           COALESCE(c.tsv, ''::tsvector)
      FROM tickets t
      LEFT JOIN (SELECT ticket_id, to_tsvector('english', string_agg(body, ' ')) AS tsv
                   FROM comments
                  WHERE org_id = ANY($1) AND deleted_at IS NULL
                    AND get_byte(uuid_send(ticket_id), 15) % $2 = $3
                  GROUP BY ticket_id) c ON c.ticket_id = t.id
     WHERE t.org_id = ANY($1) AND get_byte(uuid_send(t.id), 15) % $2 = $3
    ON CONFLICT (ticket_id) DO UPDATE
       SET doc_tsv = EXCLUDED.doc_tsv, comment_tsv = EXCLUDED.comment_tsv";

/// Builds the search rows of `orgs` on two connections at once (half each).
async fn build_search(
    one: &tokio_postgres::Client,
    two: &tokio_postgres::Client,
    orgs: &[uuid::Uuid],
) -> anyhow::Result<()> {
    let timer = Instant::now();
    one.batch_execute("ANALYZE tickets; ANALYZE comments")
        .await?;
    let (a, b) = futures_util::future::join(
        tokio_postgres::Client::execute(one, SEARCH_ROWS, &[&orgs, &2i32, &0i32]),
        tokio_postgres::Client::execute(two, SEARCH_ROWS, &[&orgs, &2i32, &1i32]),
    )
    .await;
    let rows = a? + b?;
    eprintln!(
        "search vectors: {rows} rows in {:.1} s",
        timer.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Runs the `CREATE INDEX` statements left in `queue` until none is.
async fn build_indexes(
    conn: &tokio_postgres::Client,
    queue: &std::sync::Mutex<std::vec::IntoIter<String>>,
) -> anyhow::Result<()> {
    loop {
        let next = match queue.lock() {
            Ok(mut q) => q.next(),
            Err(_) => anyhow::bail!("index queue poisoned"),
        };
        let Some(statement) = next else {
            return Ok(());
        };
        conn.batch_execute(&statement).await?;
    }
}

/// Secondary indexes and foreign keys set aside during a load into an empty database.
struct Deferred {
    /// `CREATE INDEX ...` statements, largest tables first.
    indexes: Vec<String>,
    /// `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ...` statements.
    foreign_keys: Vec<String>,
}

/// The tables the bulk load writes.
const BULK_TABLES: &str = "ARRAY['tickets', 'comments', 'ticket_search', 'ticket_links', 'ticket_field_history', 'ticket_custom_values']::regclass[]";

impl Deferred {
    async fn drop(client: &tokio_postgres::Client) -> anyhow::Result<Self> {
        // Indexes that back no constraint (primary and unique keys stay: the foreign
        // keys and ON CONFLICT need them), GIN ones first as they take longest.
        let indexes = client
            .query(
                &format!(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                       JOIN pg_am am ON am.oid = c.relam
                      WHERE i.indrelid = ANY({BULK_TABLES})
                        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
                      ORDER BY am.amname = 'gin' DESC, i.indrelid = 'ticket_search'::regclass DESC, 1"
                ),
                &[],
            )
            .await?;
        let foreign_keys = client
            .query(
                &format!(
                    "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
                       FROM pg_constraint
                      WHERE contype = 'f' AND (conrelid = ANY({BULK_TABLES}) OR confrelid = ANY({BULK_TABLES}))
                      ORDER BY 1, 2"
                ),
                &[],
            )
            .await?;
        let mut drop = String::from("BEGIN;");
        for fk in &foreign_keys {
            let (table, name): (String, String) = (fk.get(0), fk.get(1));
            let _ = write!(drop, " ALTER TABLE {table} DROP CONSTRAINT {name};");
        }
        for index in &indexes {
            let name: String = index.get(0);
            let _ = write!(drop, " DROP INDEX {name};");
        }
        drop.push_str(" COMMIT");
        client.batch_execute(&drop).await?;
        Ok(Self {
            indexes: indexes.iter().map(|r| r.get(1)).collect(),
            foreign_keys: foreign_keys
                .iter()
                .map(|r| {
                    let (table, name, def): (String, String, String) =
                        (r.get(0), r.get(1), r.get(2));
                    format!("ALTER TABLE {table} ADD CONSTRAINT {name} {def}")
                })
                .collect(),
        })
    }

    /// Builds the indexes on two connections (each takes the next one left), then
    /// adds the foreign keys back, each checked by PostgreSQL in one pass.
    async fn restore(
        self,
        one: &tokio_postgres::Client,
        two: &tokio_postgres::Client,
    ) -> anyhow::Result<()> {
        let timer = Instant::now();
        // Two builds at a time on this 2-core budget: no parallel workers on top.
        let setup = "SET maintenance_work_mem = '512MB'; SET max_parallel_maintenance_workers = 0";
        one.batch_execute(setup).await?;
        two.batch_execute(setup).await?;
        let queue = std::sync::Mutex::new(self.indexes.into_iter());
        let (a, b) =
            futures_util::future::join(build_indexes(one, &queue), build_indexes(two, &queue))
                .await;
        a?;
        b?;
        eprintln!("indexes: {:.1} s", timer.elapsed().as_secs_f64());
        let timer = Instant::now();
        for statement in &self.foreign_keys {
            one.batch_execute(statement).await?;
        }
        eprintln!("foreign keys: {:.1} s", timer.elapsed().as_secs_f64());
        Ok(())
    }
}

/// The options of the seeded "Customer" field (invented company names).
const CUSTOMERS: [&str; 20] = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Hooli",
    "Stark",
    "Wayne",
    "Wonka",
    "Tyrell",
    "Cyberdyne",
    "Soylent",
    "Massive Dynamic",
    "Vandelay",
    "Oceanic",
    "Aperture",
    "Black Mesa",
    "Monarch",
    "Pied Piper",
    "Dunder Mifflin",
    "Gringotts",
];

/// A link to COPY: source, target, type, creator, when.
type Link = (
    uuid::Uuid,
    uuid::Uuid,
    &'static str,
    UserId,
    chrono::DateTime<Utc>,
);

/// One project's hierarchy while its tickets are generated: its epics (the first is
/// the long-running one) and its recent stories, tasks and bugs (sub-task parents).
#[derive(Default)]
struct Tree {
    epics: Vec<uuid::Uuid>,
    stories: Vec<uuid::Uuid>,
}

impl Tree {
    fn record(&mut self, kind: &str, id: uuid::Uuid) {
        match kind {
            "epic" => self.epics.push(id),
            "subtask" => {}
            _ => {
                if self.stories.len() == 16 {
                    self.stories.remove(0);
                }
                self.stories.push(id);
            }
        }
    }
}

/// The field history of org `$1`'s tickets as the trigger would have recorded it:
/// the initial assignee and priority, and a status path through the project's
/// workflow (`$2` projects, `$3` their to-do and `$4` their in-progress status) as far
/// as the ticket's category: to do from creation, in progress from a third of the way
/// to its last update (set by its assignee), done from its resolution.
const HISTORY_ROWS: &str = "
    INSERT INTO ticket_field_history
        (org_id, ticket_id, project_id, field, value_id, value_num, prev_id, prev_num, initial,
         started_at, ended_at, changed_by)
    SELECT t.org_id, t.id, t.project_id, h.field, h.value_id, h.value_num, h.prev_id, NULL,
           h.initial, h.started_at, h.ended_at, h.changed_by
      FROM tickets t
      JOIN statuses s ON s.id = t.status_id
      JOIN unnest($2::uuid[], $3::uuid[], $4::uuid[]) AS w (project_id, todo, progress)
        ON w.project_id = t.project_id
     CROSS JOIN LATERAL (
            SELECT t.created_at + (t.updated_at - t.created_at) / 3 AS started,
                   COALESCE(t.resolved_at, t.updated_at) AS resolved,
                   COALESCE(t.assignee_id, t.reporter_id) AS worker) m
     CROSS JOIN LATERAL (VALUES
            ('assignee', t.assignee_id, NULL::smallint, NULL::uuid, true,
             t.created_at, 'infinity'::timestamptz, t.reporter_id, true),
            ('priority', NULL, t.priority, NULL, true,
             t.created_at, 'infinity', t.reporter_id, true),
            ('status', CASE s.category WHEN 'todo' THEN t.status_id ELSE w.todo END, NULL,
             NULL, true, t.created_at,
             CASE s.category WHEN 'todo' THEN 'infinity' ELSE m.started END,
             t.reporter_id, true),
            ('status', CASE s.category WHEN 'done' THEN w.progress ELSE t.status_id END,
             NULL, w.todo, false, m.started,
             CASE s.category WHEN 'done' THEN m.resolved ELSE 'infinity' END,
             m.worker, s.category <> 'todo'),
            ('status', t.status_id, NULL, w.progress, false, m.resolved, 'infinity',
             m.worker, s.category = 'done')
         ) AS h (field, value_id, value_num, prev_id, initial, started_at, ended_at,
                 changed_by, wanted)
     WHERE t.org_id = $1 AND h.wanted";

/// COPYs one organization's tickets and comments, inside the caller's transaction
/// (the search triggers are off meanwhile: the vectors are built in one statement).
async fn copy_tickets(
    client: &tokio_postgres::Client,
    rng: &mut StdRng,
    target: &Target,
    tickets: usize,
) -> anyhow::Result<()> {
    let Target {
        slug,
        scope,
        users,
        projects,
        statuses,
    } = target;
    let org = scope.org_id();
    let now = Utc::now();
    let two_years = Duration::days(730).num_seconds();
    let mut progress = Progress::new(format!("{slug}: tickets"), tickets);
    let mut counters = vec![0i32; projects.len()];
    let mut comments: Vec<(uuid::Uuid, UserId, String, chrono::DateTime<Utc>)> = Vec::new();
    let mut trees: Vec<Tree> = projects.iter().map(|_| Tree::default()).collect();
    let mut org_ids: Vec<uuid::Uuid> = Vec::with_capacity(tickets);
    let mut links: Vec<Link> = Vec::new();

    client
        .batch_execute(
            "ALTER TABLE tickets DISABLE TRIGGER ticket_search_doc; \
             ALTER TABLE tickets DISABLE TRIGGER ticket_field_history; \
             ALTER TABLE comments DISABLE TRIGGER ticket_search_comments",
        )
        .await?;
    // A select custom field on every ticket ("Customer", cf[10001]): the largest
    // customer holds a fifth of the tickets, nineteen others share the rest.
    let customer = uuid::Uuid::now_v7();
    client
        .execute(
            "INSERT INTO custom_fields (id, org_id, number, name, kind) VALUES ($1, $2, 10001, 'Customer', 'select')",
            &[&customer, &org.0],
        )
        .await?;
    client
        .execute(
            "UPDATE orgs SET custom_field_counter = 10001 WHERE id = $1",
            &[&org.0],
        )
        .await?;
    let customers: Vec<uuid::Uuid> = CUSTOMERS.iter().map(|_| uuid::Uuid::now_v7()).collect();
    let names: Vec<&str> = CUSTOMERS.to_vec();
    client
        .execute(
            "INSERT INTO custom_field_options (id, org_id, field_id, value, position) \
             SELECT o.id, $2, $3, o.value, o.n::integer FROM unnest($1::uuid[], $4::text[]) WITH ORDINALITY AS o(id, value, n)",
            &[&customers, &org.0, &customer, &names],
        )
        .await?;
    let mut valued: Vec<(uuid::Uuid, uuid::Uuid, uuid::Uuid)> = Vec::with_capacity(tickets);
    let sink = client
        .copy_in(
            "COPY tickets (id, org_id, project_id, number, title, description, type, priority, status_id, \
             assignee_id, reporter_id, labels, due_date, created_at, updated_at, resolved_at, parent_id, rank, \
             custom_fields) FROM STDIN",
        )
        .await?;
    futures_util::pin_mut!(sink);
    // Each project's statuses, in workflow order (to do, in progress, done).
    let by_project: Vec<Vec<&(uuid::Uuid, uuid::Uuid, String)>> = projects
        .iter()
        .map(|project| {
            statuses
                .iter()
                .filter(|(pid, _, _)| *pid == project.id.0)
                .collect()
        })
        .collect();
    let mut buf = String::with_capacity(1 << 20);
    for i in 0..tickets {
        let p = skewed(rng, projects.len());
        counters[p] += 1;
        let project = &projects[p];
        let in_project = &by_project[p];
        let roll = rng.random_range(0..10);
        let (status, category) = match roll {
            0..=5 => (in_project[2].1, "done"),
            6..=7 => (in_project[1].1, "in_progress"),
            _ => (in_project[0].1, "todo"),
        };
        debug_assert_eq!(in_project[2].2, "done");
        let created = now - Duration::seconds(rng.random_range(0..two_years));
        let updated = (created + Duration::seconds(rng.random_range(0..2_592_000))).min(now);
        let resolved = (category == "done").then_some(updated);
        let assignee = (rng.random_range(0..4) != 0).then(|| users[skewed(rng, users.len())]);
        let reporter = users[skewed(rng, users.len())];
        let labels: Vec<&str> = (0..skewed(rng, 4))
            .map(|_| LABELS[skewed(rng, LABELS.len())])
            .collect();
        let due = (rng.random_range(0..5) == 0)
            .then(|| (created + Duration::days(rng.random_range(1..90))).date_naive());
        let mut kind = ["task", "bug", "story", "epic", "subtask"][skewed(rng, 5)];
        // Every project opens with its long-running epic (WEB-1), which keeps
        // collecting work; the rest nest under the project's recent tickets.
        if counters[p] == 1 {
            kind = "epic";
        }
        let tree = &trees[p];
        if kind == "subtask" && tree.stories.is_empty() {
            kind = "task";
        }
        let parent = match kind {
            "epic" => None,
            "subtask" => Some(tree.stories[rng.random_range(0..tree.stories.len())]),
            _ if rng.random_range(0..200) == 0 => <[_]>::first(&tree.epics).copied(),
            _ if rng.random_range(0..10) < 3 => {
                let recent = &tree.epics[tree.epics.len().saturating_sub(4)..];
                Some(recent[rng.random_range(0..recent.len())])
            }
            _ => None,
        };
        let priority = [3, 2, 4, 1, 5][skewed(rng, 5)];
        let id = uuid::Uuid::now_v7();
        trees[p].record(kind, id);
        // A link to an earlier ticket of the org (any project), stored outward; one in
        // 500 tickets points at the first project's big epic (`linkedIssues(WEB-1)`).
        let big_epic = <[_]>::first(&trees[0].epics).copied().filter(|&e| e != id);
        if let (Some(epic), 0) = (big_epic, rng.random_range(0..500)) {
            links.push((id, epic, "relates", reporter, created));
        } else if !org_ids.is_empty() && rng.random_range(0..100) < 8 {
            let target = org_ids[rng.random_range(0..org_ids.len())];
            let link_type = ["relates", "blocks", "duplicates", "clones"][skewed(rng, 4)];
            links.push((id, target, link_type, reporter, created));
        }
        org_ids.push(id);
        let words = rng.random_range(4..10);
        let title = sentence(rng, words);
        let words = rng.random_range(10..40);
        let description = sentence(rng, words);
        let labels = format!("{{{}}}", labels.join(","));
        let null = "\\N".to_owned();
        // From the id's random bits, so the other data stay as the seed makes them.
        let byte = id.as_bytes()[15];
        let option = customers[if byte < 51 {
            0
        } else {
            1 + usize::from(byte) % (CUSTOMERS.len() - 1)
        }];
        valued.push((id, project.id.0, option));
        let _ = writeln!(
            buf,
            "{id}\t{org}\t{}\t{}\t{title}\t{description}\t{kind}\t{priority}\t{status}\t{}\t{reporter}\t{labels}\t{}\t{}\t{}\t{}\t{}\t{}\t{{\"10001\": \"{option}\"}}",
            project.id,
            counters[p],
            assignee.map_or(null.clone(), |a| a.to_string()),
            due.map_or(null.clone(), |d| d.to_string()),
            created.to_rfc3339(),
            updated.to_rfc3339(),
            resolved.map_or(null.clone(), |r| r.to_rfc3339()),
            parent.map_or(null, |p| p.to_string()),
            // Ranked last in its (new) project in load order, as the trigger would
            // rank it (per row, and without the rank index during a load: slow).
            crate::ranking::slot(counters[p].unsigned_abs()),
        );
        if rng.random_range(0..5) == 0 {
            for _ in 0..rng.random_range(1..3) {
                let words = rng.random_range(5..20);
                comments.push((
                    id,
                    users[skewed(rng, users.len())],
                    sentence(rng, words),
                    updated,
                ));
            }
        }
        if buf.len() > (1 << 20) - 4096 {
            sink.send(Bytes::from(std::mem::take(&mut buf))).await?;
            buf.reserve(1 << 20);
        }
        progress.update(i + 1);
    }
    if !buf.is_empty() {
        sink.send(Bytes::from(std::mem::take(&mut buf))).await?;
    }
    sink.as_mut().finish().await?;

    let sink = client
        .copy_in("COPY comments (id, org_id, ticket_id, author_id, body, created_at, updated_at) FROM STDIN")
        .await?;
    futures_util::pin_mut!(sink);
    let mut progress = Progress::new(format!("{slug}: comments"), comments.len());
    for (i, (ticket, author, body, at)) in comments.iter().enumerate() {
        let _ = writeln!(
            buf,
            "{}\t{org}\t{ticket}\t{author}\t{body}\t{}\t{}",
            uuid::Uuid::now_v7(),
            at.to_rfc3339(),
            at.to_rfc3339()
        );
        if buf.len() > (1 << 20) - 4096 {
            sink.send(Bytes::from(std::mem::take(&mut buf))).await?;
        }
        progress.update(i + 1);
    }
    if !buf.is_empty() {
        sink.send(Bytes::from(std::mem::take(&mut buf))).await?;
    }
    sink.as_mut().finish().await?;

    let sink = client
        .copy_in("COPY ticket_custom_values (org_id, ticket_id, field_id, project_id, option_id) FROM STDIN")
        .await?;
    futures_util::pin_mut!(sink);
    for (ticket, project, option) in &valued {
        let _ = writeln!(buf, "{org}\t{ticket}\t{customer}\t{project}\t{option}");
        if buf.len() > (1 << 20) - 4096 {
            sink.send(Bytes::from(std::mem::take(&mut buf))).await?;
        }
    }
    if !buf.is_empty() {
        sink.send(Bytes::from(std::mem::take(&mut buf))).await?;
    }
    sink.as_mut().finish().await?;
    drop(valued);

    let sink = client
        .copy_in("COPY ticket_links (id, org_id, source_id, target_id, link_type, created_by, created_at) FROM STDIN")
        .await?;
    futures_util::pin_mut!(sink);
    for (source, target, kind, by, at) in &links {
        let _ = writeln!(
            buf,
            "{}\t{org}\t{source}\t{target}\t{kind}\t{by}\t{}",
            uuid::Uuid::now_v7(),
            at.to_rfc3339()
        );
        if buf.len() > (1 << 20) - 4096 {
            sink.send(Bytes::from(std::mem::take(&mut buf))).await?;
        }
    }
    if !buf.is_empty() {
        sink.send(Bytes::from(std::mem::take(&mut buf))).await?;
    }
    sink.as_mut().finish().await?;
    eprintln!("{slug}: {} links", links.len());

    // The field history the trigger (off meanwhile) would have written, set-based:
    // each ticket went to do -> in progress -> done as far as its status category got.
    let timer = Instant::now();
    let mut workflow: [Vec<uuid::Uuid>; 3] = Default::default();
    for (project, in_project) in projects.iter().zip(&by_project) {
        workflow[0].push(project.id.0);
        workflow[1].push(in_project[0].1);
        workflow[2].push(in_project[1].1);
    }
    let rows = client
        .execute(
            HISTORY_ROWS,
            &[&org.0, &workflow[0], &workflow[1], &workflow[2]],
        )
        .await?;
    eprintln!(
        "{slug}: {rows} history rows in {:.1} s",
        timer.elapsed().as_secs_f64()
    );

    for (project, count) in projects.iter().zip(&counters) {
        client
            .execute(
                "UPDATE projects SET ticket_counter = ticket_counter + $1 WHERE id = $2",
                &[count, &project.id.0],
            )
            .await?;
    }
    client
        .batch_execute(
            "ALTER TABLE tickets ENABLE TRIGGER ticket_search_doc; \
             ALTER TABLE tickets ENABLE TRIGGER ticket_field_history; \
             ALTER TABLE comments ENABLE TRIGGER ticket_search_comments",
        )
        .await?;
    Ok(())
}
