//! Demo data for local mode: organization `acme` with three users, two projects and
//! about 200 tickets with comments, created through the same functions the API uses.

mod load;

pub use load::load;

use anyhow::Context;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tenancy::{DbConn, Role, UserId};

use crate::http::ApiError;
use crate::projects::NewProject;
use crate::schema::users;
use crate::tickets::{NewTicket, Priority, TicketKey, TicketType};

/// The demo organization's slug.
pub const ORG: &str = "acme";
/// The demo owner's login (fictional).
pub const OWNER: &str = "alice";

const USERS: [(&str, &str, Role); 3] = [
    ("alice", "Alice Example", Role::Owner),
    ("bob", "Bob Example", Role::Member),
    ("carol", "Carol Example", Role::Viewer),
];

/// Returns the id of the user with `login`, creating them if unknown.
pub async fn ensure_user(conn: &mut DbConn, login: &str, name: &str) -> anyhow::Result<UserId> {
    if login.is_empty() || login.len() > 39 {
        anyhow::bail!("a login has 1 to 39 characters");
    }
    diesel::insert_into(users::table)
        .values((
            users::id.eq(UserId::new()),
            users::login.eq(login),
            users::name.eq(name),
        ))
        .on_conflict(users::login)
        .do_nothing()
        .execute(conn)
        .await?;
    let id: uuid::Uuid = users::table
        .filter(users::login.eq(login))
        .select(users::id)
        .first(conn)
        .await?;
    Ok(UserId(id))
}

const AREAS: [&str; 12] = [
    "login page",
    "search results",
    "billing settings",
    "ticket board",
    "email digest",
    "API tokens",
    "project sidebar",
    "comment editor",
    "CSV export",
    "mobile layout",
    "webhooks",
    "audit log",
];
const PROBLEMS: [&str; 10] = [
    "is slow to load",
    "shows the wrong date",
    "breaks on narrow screens",
    "needs keyboard shortcuts",
    "loses unsaved changes",
    "should support dark mode",
    "returns a 500 on empty input",
    "needs better error messages",
    "ignores the time zone",
    "should remember filters",
];
const LABELS: [&str; 6] = [
    "frontend",
    "backend",
    "ux",
    "performance",
    "security",
    "customer",
];
const REMARKS: [&str; 6] = [
    "I can reproduce this on the latest build.",
    "Looks related to the change we shipped last week.",
    "Taking this one, should have a fix tomorrow.",
    "Customer reported it again today, raising priority.",
    "Added a test that covers it.",
    "Could we pair on this after stand-up?",
];

fn api(e: ApiError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Seeds the demo organization once. Returns `false` when it already exists.
pub async fn seed(conn: &mut DbConn) -> anyhow::Result<bool> {
    let mut ids = Vec::new();
    for (login, name, _) in USERS {
        ids.push(ensure_user(conn, login, name).await?);
    }
    if tenancy::authorize_user(conn, ids[0], ORG).await?.is_some() {
        return Ok(false);
    }
    let owner = crate::auth::create_org(conn, ORG, "Acme Inc.", ids[0]).await?;
    owner
        .transaction(conn, async |tx| {
            for (&user, (_, _, role)) in ids.iter().zip(USERS).skip(1) {
                tenancy::add_member(tx, user, role).await?;
            }
            for (key, name) in [("WEB", "Website"), ("API", "Public API")] {
                let new = NewProject {
                    key: key.into(),
                    name: name.into(),
                    description: format!("Demo project: the {name}."),
                    private: false,
                };
                let project = crate::projects::queries::create(tx, new.validate()?).await?;
                for component in components_of(key) {
                    let change = crate::components::NewComponent {
                        name: (*component).to_owned(),
                        description: String::new(),
                        lead: None,
                    }
                    .validate()?;
                    crate::components::queries::create(tx, project.id, change).await?;
                }
            }
            Ok::<_, ApiError>(())
        })
        .await
        .map_err(api)?;
    let bob = tenancy::authorize_user(conn, ids[1], ORG)
        .await?
        .context("demo member missing")?;
    let scopes = [&owner, &bob];
    let mut rng = StdRng::seed_from_u64(7);
    // The fields added later draw from their own generator, so the tickets' titles,
    // types and moves stay what they were (the web app's tests know them).
    let mut extra = StdRng::seed_from_u64(11);
    for i in 0..200 {
        let scope = scopes[i % 2];
        let project = if i % 3 == 0 { "API" } else { "WEB" };
        let area = AREAS[rng.random_range(0..AREAS.len())];
        let problem = PROBLEMS[rng.random_range(0..PROBLEMS.len())];
        let new = NewTicket {
            title: format!("The {area} {problem}"),
            description: format!(
                "Steps: open the {area} and watch it. Expected it not to be the case that it {problem}."
            ),
            kind: TicketType::ALL[rng.random_range(0..4usize)],
            priority: Priority::ALL[rng.random_range(0..Priority::ALL.len())],
            assignee: rng
                .random_bool(0.7)
                .then(|| USERS[rng.random_range(0..2usize)].0.to_owned()),
            labels: (0..rng.random_range(0..3usize))
                .map(|_| LABELS[rng.random_range(0..LABELS.len())].to_owned())
                .collect(),
            due_date: None,
            parent: None,
            story_points: extra
                .random_bool(0.6)
                .then(|| [1.0, 2.0, 3.0, 5.0, 8.0][extra.random_range(0..5usize)]),
            original_estimate: extra
                .random_bool(0.3)
                .then(|| 60 * extra.random_range(1..=16)),
            start_date: None,
            components: {
                let all = components_of(project);
                (0..extra.random_range(0..3usize))
                    .map(|_| all[extra.random_range(0..all.len())].to_owned())
                    .collect()
            },
            custom_fields: serde_json::Map::new(),
        };
        let moves: &[&str] = match rng.random_range(0..10) {
            0..=3 => &[],
            4..=6 => &["In Progress"],
            _ => &["In Progress", "Done"],
        };
        let remarks: Vec<&str> = (0..rng.random_range(0..4usize))
            .map(|_| REMARKS[rng.random_range(0..REMARKS.len())])
            .collect();
        scope
            .transaction(conn, async |tx| {
                let ticket = crate::tickets::queries::create(tx, project, new.validate()?).await?;
                let key = TicketKey::parse(&ticket.key)?;
                let no_precondition = crate::http::IfMatch::any();
                for to in moves {
                    crate::tickets::queries::transition(tx, &key, &no_precondition, to).await?;
                }
                for remark in remarks {
                    crate::comments::queries::create(tx, ticket.id, remark.to_owned()).await?;
                }
                Ok::<_, ApiError>(())
            })
            .await
            .map_err(api)?;
    }
    // A few links, so tickets show them from both ends.
    owner
        .transaction(conn, async |tx| {
            for (from, link, to) in [
                ("WEB-2", "blocks", "WEB-3"),
                ("WEB-4", "relates to", "API-1"),
                ("API-2", "is blocked by", "WEB-2"),
                ("WEB-5", "duplicates", "WEB-6"),
            ] {
                let from = crate::tickets::queries::find(tx, &TicketKey::parse(from)?).await?;
                let to = crate::tickets::queries::find(tx, &TicketKey::parse(to)?).await?;
                let (kind, outward) = crate::links::parse_phrase(link)
                    .map(|(kind, outward)| (kind, outward.unwrap_or(true)))
                    .ok_or_else(|| ApiError::internal("demo link phrase"))?;
                crate::links::queries::create(tx, &from, &to, kind, outward).await?;
            }
            Ok::<_, ApiError>(())
        })
        .await
        .map_err(api)?;
    Ok(true)
}

/// The demo projects' components.
fn components_of(project: &str) -> &'static [&'static str] {
    match project {
        "API" => &["Auth", "Billing", "Search"],
        _ => &["Frontend", "Backend", "Design"],
    }
}
