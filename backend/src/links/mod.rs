//! Links between tickets of one organization, across projects: blocks / is blocked
//! by, relates to, duplicates / is duplicated by, clones / is cloned by. A link is
//! stored once, outward; both of its tickets show it, each from its own side, and
//! either side may remove it.

pub(crate) mod queries;
pub(crate) mod routes;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::http::ApiError;
pub use crate::ids::LinkId;
use crate::tickets::{Priority, TicketType};
use crate::workflows::Status;

/// Most links one ticket may have.
pub(crate) const LINKS_MAX: i64 = 500;

/// The kinds of link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkType {
    Blocks,
    Relates,
    Duplicates,
    Clones,
}

impl LinkType {
    pub const ALL: [LinkType; 4] = [Self::Blocks, Self::Relates, Self::Duplicates, Self::Clones];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Blocks => "blocks",
            Self::Relates => "relates",
            Self::Duplicates => "duplicates",
            Self::Clones => "clones",
        }
    }

    pub fn from_db(s: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .unwrap_or(Self::Relates)
    }

    /// How the source names the link (Jira's "outward" description).
    pub fn outward(self) -> &'static str {
        match self {
            Self::Blocks => "blocks",
            Self::Relates => "relates to",
            Self::Duplicates => "duplicates",
            Self::Clones => "clones",
        }
    }

    /// How the target names the link (Jira's "inward" description).
    pub fn inward(self) -> &'static str {
        match self {
            Self::Blocks => "is blocked by",
            Self::Relates => "relates to",
            Self::Duplicates => "is duplicated by",
            Self::Clones => "is cloned by",
        }
    }

    /// Jira's name of the type.
    pub fn title(self) -> &'static str {
        match self {
            Self::Blocks => "Blocks",
            Self::Relates => "Relates",
            Self::Duplicates => "Duplicate",
            Self::Clones => "Cloners",
        }
    }
}

/// A link phrase as people write it ("is blocked by"), case-insensitive, or a type's
/// name ("Blocks", "relates", "Duplicate", "Cloners"): the type, and `Some(true)` for
/// outward, `Some(false)` for inward, `None` for a type name (either side).
pub fn parse_phrase(phrase: &str) -> Option<(LinkType, Option<bool>)> {
    let p = phrase.trim().to_lowercase();
    LinkType::ALL.into_iter().find_map(|t| {
        if t == LinkType::Relates && (p == "relates to" || p == "relates") {
            Some((t, None))
        } else if p == t.outward() {
            Some((t, Some(true)))
        } else if p == t.inward() {
            Some((t, Some(false)))
        } else if p == t.as_str() || p == t.title().to_lowercase() {
            Some((t, None))
        } else {
            None
        }
    })
}

/// A link type as `GET /link-types` lists it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkTypeInfo {
    #[serde(rename = "type")]
    pub kind: LinkType,
    /// Jira's name: `Blocks`, `Relates`, `Duplicate`, `Cloners`.
    pub name: &'static str,
    pub outward: &'static str,
    pub inward: &'static str,
}

impl From<LinkType> for LinkTypeInfo {
    fn from(t: LinkType) -> Self {
        LinkTypeInfo {
            kind: t,
            name: t.title(),
            outward: t.outward(),
            inward: t.inward(),
        }
    }
}

/// The ticket at a link's other end, as a list shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinkedTicket {
    pub key: String,
    pub title: String,
    pub status: Status,
    #[serde(rename = "type")]
    pub kind: TicketType,
    pub priority: Priority,
}

/// A link as one of its tickets sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Link {
    pub id: LinkId,
    #[serde(rename = "type")]
    pub kind: LinkType,
    /// `outward` when this ticket is the link's source ("blocks"), `inward` when it is
    /// the target ("is blocked by"); `relates to` reads the same from both sides.
    pub direction: Direction,
    /// The phrase from this ticket's side, e.g. `is blocked by`.
    pub link: &'static str,
    pub ticket: LinkedTicket,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Outward,
    Inward,
}

/// A new link from the ticket in the path: `{"link": "blocks", "ticket": "API-3"}`
/// (any phrase of `GET /link-types`, either direction).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLink {
    pub link: String,
    pub ticket: String,
}

impl NewLink {
    /// The type, and whether the path's ticket is the source.
    pub(crate) fn validate(&self) -> Result<(LinkType, bool, crate::tickets::TicketKey), ApiError> {
        let (kind, outward) = parse_phrase(&self.link).ok_or_else(|| {
            ApiError::validation(
                "link",
                "one of: blocks, is blocked by, relates to, duplicates, is duplicated by, clones, is cloned by",
            )
        })?;
        let key = crate::tickets::TicketKey::parse(&self.ticket)
            .map_err(|_| ApiError::validation("ticket", "not a ticket key"))?;
        Ok((kind, outward.unwrap_or(true), key))
    }
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn phrases_parse_both_directions_and_type_names() {
        assert_eq!(parse_phrase("blocks"), Some((LinkType::Blocks, Some(true))));
        assert_eq!(
            parse_phrase("Is Blocked By"),
            Some((LinkType::Blocks, Some(false)))
        );
        assert_eq!(parse_phrase("relates to"), Some((LinkType::Relates, None)));
        assert_eq!(
            parse_phrase("is cloned by"),
            Some((LinkType::Clones, Some(false)))
        );
        assert_eq!(
            parse_phrase("Duplicate"),
            Some((LinkType::Duplicates, None))
        );
        assert_eq!(parse_phrase("cloners"), Some((LinkType::Clones, None)));
        assert_eq!(parse_phrase("depends on"), None);
    }
}
