//! Organizations: the tenants.

use diesel::QueryResult;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;

use crate::{DbConn, OrgId, OrgScope, Role, ScopedConn, UserId};

/// A validated request to create an organization.
#[derive(Debug, Clone, Copy)]
pub struct NewOrg<'a> {
    pub slug: &'a str,
    pub name: &'a str,
}

/// Whether `slug` is a valid organization slug: 1 to 40 lower-case letters, digits and
/// dashes, starting and ending with a letter or digit.
pub fn valid_slug(slug: &str) -> bool {
    let b = slug.as_bytes();
    let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    (1..=40).contains(&b.len())
        && b.first().is_some_and(inner)
        && b.last().is_some_and(inner)
        && b.iter().all(|c| inner(c) || *c == b'-')
}

/// Whether `login` can be a GitHub login: 1 to 39 letters, digits and dashes.
pub fn valid_login(login: &str) -> bool {
    (1..=39).contains(&login.len())
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Adds `user` to the scope's organization with `role`.
pub async fn add_member(tx: &mut ScopedConn<'_>, user: UserId, role: Role) -> QueryResult<()> {
    let org_id = tx.scope().org_id();
    insert_membership(tx, org_id, user, role).await
}

// The tables are defined (as diesel `table!`s) with the backend's migrations; this
// crate's few writes use bound SQL instead of a second copy of those definitions.
async fn insert_membership(
    tx: &mut ScopedConn<'_>,
    org: OrgId,
    user: UserId,
    role: Role,
) -> QueryResult<()> {
    diesel::sql_query("INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3)")
        .bind::<SqlUuid, _>(org)
        .bind::<SqlUuid, _>(user)
        .bind::<Text, _>(role.as_str())
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Creates an organization with `owner` as its first owner and returns the owner's
/// scope, running `then` (an audit entry, say) in the same transaction.
pub async fn create_org<T, E, F>(
    conn: &mut DbConn,
    new: NewOrg<'_>,
    owner: UserId,
    then: F,
) -> Result<(OrgScope, T), E>
where
    F: AsyncFnOnce(&mut ScopedConn<'_>) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let scope = OrgScope::new(OrgId::new(), owner, Role::Owner, None);
    let value = scope
        .transaction(conn, async |tx| {
            let org_id = tx.scope().org_id();
            diesel::sql_query("INSERT INTO orgs (id, slug, name) VALUES ($1, $2, $3)")
                .bind::<SqlUuid, _>(org_id)
                .bind::<Text, _>(new.slug)
                .bind::<Text, _>(new.name)
                .execute(tx.conn())
                .await?;
            insert_membership(tx, org_id, owner, Role::Owner).await?;
            then(tx).await
        })
        .await?;
    Ok((scope, value))
}

#[cfg(test)]
mod tests {
    use super::{valid_login, valid_slug};

    #[test]
    fn slugs_are_lower_case_words_joined_by_dashes() {
        for ok in ["acme", "a", "acme-corp", "42", &"a".repeat(40)] {
            assert!(valid_slug(ok), "{ok}");
        }
        for bad in [
            "",
            "-acme",
            "acme-",
            "Acme",
            "ac me",
            "acme_corp",
            "ä",
            &"a".repeat(41),
        ] {
            assert!(!valid_slug(bad), "{bad}");
        }
    }

    #[test]
    fn logins_are_github_logins() {
        for ok in ["octocat", "a", "Dev-42", &"a".repeat(39)] {
            assert!(valid_login(ok), "{ok}");
        }
        for bad in ["", "a b", "dev_42", "dev@example.com", "ä", &"a".repeat(40)] {
            assert!(!valid_login(bad), "{bad}");
        }
    }
}
