//! The secrets we hand out, and API tokens among them. Each kind is 32 random bytes
//! shown once as `<prefix><base64url>` (`trl_` API tokens, `trr_` refresh tokens, `tri_`
//! invitation links) and stored as SHA-256. A fast hash is right here: the secret has
//! 256 bits of entropy, so there is nothing for a slow hash to protect against, and
//! lookups stay one indexed equality.

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

/// 32 random bytes, URL-safe base64 (43 characters).
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 of a presented secret, the form it is stored in.
pub(crate) fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// A kind of secret, named by its prefix.
pub(crate) struct SecretKind(&'static str);

/// API tokens (`Authorization: Bearer`).
pub(crate) const API_TOKEN: SecretKind = SecretKind("trl_");
/// Session refresh tokens (cookie).
pub(crate) const REFRESH_TOKEN: SecretKind = SecretKind("trr_");
/// Invitation links.
pub(crate) const INVITATION_LINK: SecretKind = SecretKind("tri_");

impl SecretKind {
    /// A new secret's text and the hash to store.
    pub(crate) fn mint(&self) -> (String, [u8; 32]) {
        let text = format!("{}{}", self.0, random_token());
        let hash = sha256(&text);
        (text, hash)
    }

    /// The hash to look a presented secret up by; `None` when it cannot be one of this
    /// kind (saves a database round trip on garbage).
    pub(crate) fn hash_presented(&self, text: &str) -> Option<[u8; 32]> {
        let body = text.strip_prefix(self.0)?;
        (body.len() == 43
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| sha256(text))
    }
}

/// A newly minted API token. `reveal` is the only moment its text exists.
pub struct TokenSecret {
    text: String,
    hash: [u8; 32],
}

impl TokenSecret {
    fn generate() -> Self {
        let (text, hash) = API_TOKEN.mint();
        Self { text, hash }
    }

    /// The token text, to show the user once.
    pub fn reveal(&self) -> &str {
        &self.text
    }

    /// The hash to look a presented token up by; `None` when it cannot be an API token.
    pub fn hash_presented(token: &str) -> Option<[u8; 32]> {
        API_TOKEN.hash_presented(token)
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
