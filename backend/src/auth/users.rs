//! Users from GitHub: upsert by GitHub id (logins can change hands on GitHub; ids do
//! not), store the GitHub token encrypted, and give a first-time user an organization
//! of their own.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tenancy::{DbConn, OrgScope, UserId};

use super::TokenCipher;
use super::github::GithubIdentity;
use crate::audit::{self, Entity};
use crate::http::ApiError;
use crate::schema::users;

/// The outcome of a GitHub sign-in.
#[derive(Debug)]
pub struct SignedIn {
    pub user: UserId,
    /// Set when this was the user's first sign-in: the slug of the organization
    /// created for them.
    pub new_org: Option<String>,
}

/// Creates or updates the user GitHub identified, and on their first sign-in creates
/// their own organization with them as its owner.
pub async fn sign_in_with_github(
    conn: &mut DbConn,
    cipher: &TokenCipher,
    who: &GithubIdentity,
) -> Result<SignedIn, ApiError> {
    let name: String = who
        .name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(&who.login)
        .chars()
        .take(200)
        .collect();
    let sealed = cipher.encrypt(&who.access_token);
    let email = <[String]>::first(&who.verified_emails).cloned();
    let existing: Option<uuid::Uuid> = users::table
        .filter(users::github_id.eq(who.id))
        .select(users::id)
        .first(conn)
        .await
        .optional()?;
    if let Some(id) = existing {
        let login = free_login(conn, &who.login, who.id, Some(id)).await?;
        diesel::update(users::table.filter(users::id.eq(id)))
            .set((
                users::login.eq(&login),
                users::name.eq(&name),
                users::email.eq(&email),
                users::github_token.eq(&sealed),
                users::verified_emails.eq(&who.verified_emails),
                users::updated_at.eq(diesel::dsl::now),
            ))
            .execute(conn)
            .await?;
        return Ok(SignedIn {
            user: UserId(id),
            new_org: None,
        });
    }
    let login = free_login(conn, &who.login, who.id, None).await?;
    let user = UserId::new();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(user),
            users::login.eq(&login),
            users::name.eq(&name),
            users::email.eq(&email),
            users::github_id.eq(who.id),
            users::github_token.eq(&sealed),
            users::verified_emails.eq(&who.verified_emails),
        ))
        .execute(conn)
        .await
        // Two first sign-ins racing: the other one created the user.
        .map_err(|e| {
            ApiError::unique_as(
                e,
                ApiError::conflict("already-exists", "signing in already; try again"),
            )
        })?;
    let slug = personal_org(conn, &login, &name, user).await?;
    Ok(SignedIn {
        user,
        new_org: Some(slug),
    })
}

/// The GitHub login, unless another account already holds it here (a user created by
/// the CLI, or a GitHub account that had the login before a rename): then the login
/// with the GitHub id appended. Accounts are never merged by login.
async fn free_login(
    conn: &mut DbConn,
    wanted: &str,
    github_id: i64,
    me: Option<uuid::Uuid>,
) -> Result<String, ApiError> {
    let holder: Option<uuid::Uuid> = users::table
        .filter(users::login.eq(wanted))
        .select(users::id)
        .first(conn)
        .await
        .optional()?;
    if holder.is_none() || holder == me {
        return Ok(wanted.to_owned());
    }
    let suffix = format!("-{github_id}");
    let keep = 39usize.saturating_sub(suffix.len());
    Ok(format!("{}{suffix}", &wanted[..wanted.len().min(keep)]))
}

/// Creates the first-time user's organization, named after them, with a free slug.
async fn personal_org(
    conn: &mut DbConn,
    login: &str,
    name: &str,
    owner: UserId,
) -> Result<String, ApiError> {
    let base: String = login
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .chars()
        .take(34)
        .collect();
    let base = if base.is_empty() {
        "org".to_owned()
    } else {
        base
    };
    for attempt in 1..=20 {
        let slug = if attempt == 1 {
            base.clone()
        } else {
            format!("{base}-{attempt}")
        };
        let org_name: String = format!("{name}'s organization").chars().take(200).collect();
        match create_org(conn, &slug, &org_name, owner).await {
            Ok(_) => return Ok(slug),
            Err(e) if e.to_string().contains("already exists") => continue,
            Err(e) => return Err(ApiError::internal(e)),
        }
    }
    Err(ApiError::conflict(
        "already-exists",
        "could not find a free organization name; try again",
    ))
}

/// Creates an organization owned by `owner`, audited: the one way an organization
/// comes to be (a first sign-in's own organization here; the CLI, the demo data and
/// the tests call it too). It lives with sign-in, below every feature, so that
/// `auth` imports no feature that imports it back.
pub async fn create_org(
    conn: &mut DbConn,
    slug: &str,
    name: &str,
    owner: UserId,
) -> anyhow::Result<OrgScope> {
    if !tenancy::valid_slug(slug) {
        anyhow::bail!("invalid slug `{slug}`: use 1 to 40 lower-case letters, digits and dashes");
    }
    let name = crate::http::validate::required_text("name", name, 200)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (scope, ()) = tenancy::create_org(
        conn,
        tenancy::NewOrg { slug, name: &name },
        owner,
        async |tx| {
            let org_id = tx.scope().org_id();
            audit::record(
                tx,
                "org.create",
                Entity::Org(org_id),
                None,
                Some(serde_json::json!({ "slug": slug, "name": name })),
            )
            .await
        },
    )
    .await
    .map_err(|e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => {
            anyhow::anyhow!("an organization with slug `{slug}` already exists")
        }
        other => other.into(),
    })?;
    Ok(scope)
}
