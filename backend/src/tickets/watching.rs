//! Who follows a ticket, as the writes that make people follow it record it: the
//! reporter and every assignee on create and update, commenters, and the members an
//! `@login` in a description or comment mentions. The `watchers` feature lists them and
//! lets people watch and unwatch; the notifications work reads `mentions`.

use diesel::prelude::*;
use diesel::sql_types;
use diesel_async::RunQueryDsl;
use tenancy::{ScopedConn, UserId};

use crate::ids::{CommentId, TicketId};
use crate::schema::mentions;

/// GitHub's longest login.
const LOGIN_MAX: usize = 39;
/// Mentions recorded per text at most (the rest stay plain text).
pub(crate) const MENTIONS_MAX: usize = 50;

/// Makes `users` watch `ticket` (those already watching stay as they are). Returns how
/// many started watching.
pub(crate) async fn watch(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    users: &[UserId],
) -> QueryResult<usize> {
    if users.is_empty() {
        return Ok(0);
    }
    let ids: Vec<uuid::Uuid> = users.iter().map(|u| u.0).collect();
    diesel::sql_query(
        "INSERT INTO ticket_watchers (org_id, ticket_id, user_id) \
         SELECT $1, $2, u FROM unnest($3::uuid[]) AS u \
         ON CONFLICT DO NOTHING",
    )
    .bind::<sql_types::Uuid, _>(tx.scope().org_id().0)
    .bind::<sql_types::Uuid, _>(ticket.0)
    .bind::<sql_types::Array<sql_types::Uuid>, _>(ids)
    .execute(tx.conn())
    .await
}

#[derive(QueryableByName)]
struct Mentioned {
    #[diesel(sql_type = sql_types::Uuid)]
    user_id: uuid::Uuid,
}

/// Records the members `text` mentions (`@login`, case-insensitive, members of the
/// organization only: an unknown handle stays plain text) as the mentions of the
/// ticket's description (`comment` `None`) or of one comment, replacing what that text
/// mentioned before, and makes them watchers. Returns the members newly mentioned (not
/// mentioned by the previous version of the text), for notifications.
pub(crate) async fn record_mentions(
    tx: &mut ScopedConn<'_>,
    ticket: TicketId,
    comment: Option<CommentId>,
    text: &str,
) -> QueryResult<Vec<UserId>> {
    let logins = mentioned_logins(text);
    let scope = tx.scope();
    let (org, author) = (scope.org_id().0, scope.user_id().0);
    let members: Vec<uuid::Uuid> = if logins.is_empty() {
        Vec::new()
    } else {
        diesel::sql_query(
            "SELECT u.id AS user_id FROM users u \
             JOIN memberships m ON m.user_id = u.id AND m.org_id = $1 \
             WHERE lower(u.login) = ANY($2)",
        )
        .bind::<sql_types::Uuid, _>(org)
        .bind::<sql_types::Array<sql_types::Text>, _>(&logins)
        .load::<Mentioned>(tx.conn())
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect()
    };
    let comment_id = comment.map(|c| c.0);
    let previous: Vec<uuid::Uuid> = diesel::delete(
        mentions::table
            .filter(mentions::org_id.eq(org))
            .filter(mentions::ticket_id.eq(ticket))
            .filter(mentions::comment_id.is_not_distinct_from(comment_id)),
    )
    .returning(mentions::user_id)
    .get_results(tx.conn())
    .await?;
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<_> = members
        .iter()
        .map(|user| {
            (
                mentions::id.eq(uuid::Uuid::now_v7()),
                mentions::org_id.eq(org),
                mentions::ticket_id.eq(ticket),
                mentions::comment_id.eq(comment_id),
                mentions::user_id.eq(*user),
                mentions::author_id.eq(author),
            )
        })
        .collect();
    diesel::insert_into(mentions::table)
        .values(rows)
        .execute(tx.conn())
        .await?;
    let users: Vec<UserId> = members.iter().copied().map(UserId).collect();
    watch(tx, ticket, &users).await?;
    Ok(members
        .into_iter()
        .filter(|m| !previous.contains(m))
        .map(UserId)
        .collect())
}

/// The distinct logins `@`-mentioned in Markdown `text`, lowercased, in order of first
/// appearance: `@` at the start or after a character that cannot end an email's local
/// part, then a GitHub login (letters, digits, single inner hyphens, at most 39). Code
/// spans and fenced code blocks are skipped, so `@Override` in code mentions no one.
pub(crate) fn mentioned_logins(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_fence = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        scan_line(line, &mut out);
        if out.len() >= MENTIONS_MAX {
            out.truncate(MENTIONS_MAX);
            break;
        }
    }
    out
}

fn scan_line(line: &str, out: &mut Vec<String>) {
    let bytes = line.as_bytes();
    let mut i = 0;
    let mut in_code = false;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'`' {
            in_code = !in_code;
            i += 1;
            continue;
        }
        let starts = b == b'@'
            && !in_code
            && (i == 0 || {
                let prev = bytes[i - 1];
                !(prev.is_ascii_alphanumeric() || matches!(prev, b'.' | b'_' | b'-' | b'+' | b'@'))
            });
        if !starts {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'-') {
            end += 1;
        }
        // A trailing hyphen is punctuation, not part of the login.
        while end > start && bytes[end - 1] == b'-' {
            end -= 1;
        }
        let login = &line[start..end];
        let followed_ok = bytes
            .get(end)
            .is_none_or(|&c| !(c == b'_' || c == b'@' || c.is_ascii_alphanumeric()));
        if !login.is_empty()
            && login.len() <= LOGIN_MAX
            && followed_ok
            && !login.starts_with('-')
            && !login.contains("--")
        {
            let login = login.to_ascii_lowercase();
            if !out.contains(&login) {
                out.push(login);
            }
        }
        i = end.max(start);
    }
}

#[cfg(test)]
mod tests {
    use super::mentioned_logins;

    #[test]
    fn mentions_are_logins_after_an_at_sign_outside_code() {
        assert_eq!(
            mentioned_logins("Hi @Bob and @carol-x, see @bob again."),
            ["bob", "carol-x"]
        );
        assert_eq!(
            mentioned_logins("(@dave) @erin: @frank-"),
            ["dave", "erin", "frank"]
        );
        assert!(mentioned_logins("mail me: bob@example.com, a@b").is_empty());
        assert!(mentioned_logins("`@inline` and\n```\n@fenced\n```\n").is_empty());
        assert_eq!(mentioned_logins("```\n@x\n```\nafter @y"), ["y"]);
        assert!(mentioned_logins("@-bad @a--b @ alone").is_empty());
        let long = format!("@{}", "a".repeat(40));
        assert!(mentioned_logins(&long).is_empty());
        let many: String = (0..80).map(|i| format!("@u{i} ")).collect();
        assert_eq!(mentioned_logins(&many).len(), super::MENTIONS_MAX);
    }
}
