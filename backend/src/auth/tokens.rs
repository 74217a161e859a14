//! API tokens: 32 random bytes shown once as `trl_<base64url>`, stored as SHA-256.
//! A fast hash is right here: the secret has 256 bits of entropy, so there is nothing
//! for a slow hash to protect against, and lookups stay one indexed equality.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rand::RngCore;
use sha2::{Digest, Sha256};
use tenancy::{Permission, PermissionSet, ScopedConn, TokenId, UserId};

use crate::audit::{self, Entity};
use crate::schema::api_tokens;

const PREFIX: &str = "trl_";
const SECRET_BYTES: usize = 32;

/// A newly minted token. `reveal` is the only moment its text exists.
pub struct TokenSecret {
    text: String,
    hash: [u8; 32],
}

impl TokenSecret {
    fn generate() -> Self {
        let mut bytes = [0u8; SECRET_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        let text = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        let hash = Sha256::digest(text.as_bytes()).into();
        Self { text, hash }
    }

    /// The token text, to show the user once.
    pub fn reveal(&self) -> &str {
        &self.text
    }

    /// The hash to look a presented token up by; `None` when it cannot be one of ours
    /// (saves a database round trip on garbage).
    pub fn hash_presented(token: &str) -> Option<[u8; 32]> {
        let body = token.strip_prefix(PREFIX)?;
        if body.len() != 43
            || !body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return None;
        }
        Some(Sha256::digest(token.as_bytes()).into())
    }
}

/// What a new token may do and for how long.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenGrant {
    /// A subset of the user's permissions (`None`: whatever their role grants).
    pub permissions: Option<PermissionSet>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Creates an API token for `user` in the scope's organization, audited.
pub async fn create_token(
    tx: &mut ScopedConn<'_>,
    user: UserId,
    name: &str,
    grant: TokenGrant,
) -> QueryResult<(TokenId, TokenSecret)> {
    let secret = TokenSecret::generate();
    let id = TokenId::new();
    let org_id = tx.scope().org_id();
    let permissions: Option<Vec<&str>> = grant
        .permissions
        .map(|set| set.iter().map(Permission::name).collect());
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::id.eq(id),
            api_tokens::org_id.eq(org_id),
            api_tokens::user_id.eq(user),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(&secret.hash[..]),
            api_tokens::permissions.eq(&permissions),
            api_tokens::expires_at.eq(grant.expires_at),
        ))
        .execute(tx.conn())
        .await?;
    audit::record(
        tx,
        "token.create",
        Entity::Token(id),
        None,
        Some(serde_json::json!({
            "name": name, "user_id": user, "permissions": permissions,
            "expires_at": grant.expires_at,
        })),
    )
    .await?;
    Ok((id, secret))
}

#[cfg(test)]
mod tests {
    use super::TokenSecret;

    #[test]
    fn generated_tokens_are_recognised_and_hash_stably() {
        let secret = TokenSecret::generate();
        assert!(secret.reveal().starts_with("trl_"));
        assert_eq!(
            TokenSecret::hash_presented(secret.reveal()),
            Some(secret.hash)
        );
        assert_ne!(TokenSecret::generate().reveal(), secret.reveal());
    }

    #[test]
    fn malformed_tokens_are_rejected_without_lookup() {
        for bad in [
            "",
            "trl_",
            "abc",
            "trl_short",
            &format!("trl_{}", "!".repeat(43)),
        ] {
            assert_eq!(TokenSecret::hash_presented(bad), None, "{bad}");
        }
    }
}
