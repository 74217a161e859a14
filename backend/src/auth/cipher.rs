//! GitHub access tokens at rest: Fernet (AES-128-CBC + HMAC-SHA256, RustCrypto
//! backend). Several keys are accepted: the first encrypts, any decrypts, so a key
//! rotates by putting the new one first and dropping the old one once every stored
//! token has been re-encrypted (docs/runbooks/key-rotation.md).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;

use crate::config::Config;

/// Encrypts and decrypts GitHub tokens.
pub struct TokenCipher(fernet::MultiFernet);

impl TokenCipher {
    /// `TRELLIS_FERNET_KEYS` when set; else one key derived from `TRELLIS_SECRET_KEY`;
    /// else (local mode) a random key.
    pub fn from_config(config: &Config) -> Self {
        let keys: Vec<String> = if config.auth.fernet_keys.is_empty() {
            let key = match &config.secret_key {
                Some(secret) => URL_SAFE.encode(super::session::derive_key(
                    secret.expose(),
                    "trellis fernet v1",
                )),
                None => fernet::Fernet::generate_key(),
            };
            vec![key]
        } else {
            config
                .auth
                .fernet_keys
                .iter()
                .map(|k| k.expose().to_owned())
                .collect()
        };
        // Config validated every key, and derived or generated keys are well-formed.
        let fernets = keys.iter().filter_map(|k| fernet::Fernet::new(k)).collect();
        Self(fernet::MultiFernet::new(fernets))
    }

    /// Encrypts with the newest key.
    pub fn encrypt(&self, plaintext: &str) -> String {
        self.0.encrypt(plaintext.as_bytes())
    }

    /// Decrypts with whichever configured key made the ciphertext.
    pub fn decrypt(&self, ciphertext: &str) -> Option<String> {
        let bytes = self.0.decrypt(ciphertext).ok()?;
        String::from_utf8(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::TokenCipher;
    use crate::config::Config;

    fn cipher(keys: &[&str]) -> TokenCipher {
        let joined = keys.join(",");
        let config =
            Config::from_lookup(|name| (name == "TRELLIS_FERNET_KEYS").then(|| joined.clone()))
                .expect("config");
        TokenCipher::from_config(&config)
    }

    #[test]
    fn ciphertext_does_not_contain_the_token_and_round_trips() {
        let key = fernet::Fernet::generate_key();
        let cipher = cipher(&[&key]);
        let secret = "gho_0123456789abcdefSECRET";
        let sealed = cipher.encrypt(secret);
        assert!(!sealed.contains("SECRET"));
        assert_ne!(cipher.encrypt(secret), sealed, "random IV per encryption");
        assert_eq!(cipher.decrypt(&sealed).as_deref(), Some(secret));
    }

    #[test]
    fn rotation_keeps_old_ciphertexts_readable_and_encrypts_with_the_new_key() {
        let (old, new) = (
            fernet::Fernet::generate_key(),
            fernet::Fernet::generate_key(),
        );
        let before = cipher(&[&old]).encrypt("gho_old");
        let rotated = cipher(&[&new, &old]);
        assert_eq!(rotated.decrypt(&before).as_deref(), Some("gho_old"));
        let after = rotated.encrypt("gho_new");
        assert_eq!(cipher(&[&new]).decrypt(&after).as_deref(), Some("gho_new"));
        assert_eq!(cipher(&[&old]).decrypt(&after), None, "new key encrypts");
        assert_eq!(cipher(&[&new]).decrypt(&before), None, "old key dropped");
    }
}
