//! Local mode's object store: files in a directory (`TRELLIS_DATA_DIR/attachments`),
//! uploaded and downloaded through URLs this binary serves, `/api/v1/files/{grant}`.
//! A grant is what S3's presigned query string is: the operation, the key, the expiry
//! and the size and type an upload must have (or the headers a download gets),
//! HMAC-SHA256-signed with a key derived from `TRELLIS_SECRET_KEY` (random per process
//! without it: URLs then end with the process). Holding the URL is the permission.
//!
//! Files are written to a temporary name and linked into place only when complete,
//! and never replace an existing one, so a confirmed attachment cannot be swapped for
//! other bytes with a still-valid upload URL.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::storage::{
    DownloadSpec, ObjectMeta, ObjectStore, PresignedRequest, StorageError, UploadSpec,
};

type HmacSha256 = Hmac<Sha256>;

/// The route the grants are served under (relative to the public URL).
pub const FILES_PATH: &str = "/api/v1/files";

/// The directory store and its signing key.
pub struct LocalStore {
    root: PathBuf,
    base_url: String,
    key: [u8; 32],
}

/// What a signed URL allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Grant {
    /// `PUT` or `GET`.
    #[serde(rename = "m")]
    pub method: String,
    #[serde(rename = "k")]
    pub key: String,
    /// Expiry, Unix seconds.
    #[serde(rename = "e")]
    pub expires: u64,
    /// `PUT`: the exact body length.
    #[serde(rename = "s", default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// `PUT`: the `Content-Type` the upload must send; `GET`: the one it is served as.
    #[serde(rename = "t")]
    pub content_type: String,
    /// `GET`: the `Content-Disposition` it is served with.
    #[serde(rename = "d", default, skip_serializing_if = "Option::is_none")]
    pub disposition: Option<String>,
}

/// Why a URL is refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum GrantError {
    /// Not a grant, or not signed by this server (tampered).
    Invalid,
    /// Signed, but its time is over.
    Expired,
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl LocalStore {
    /// A store in `root` (created if missing) whose URLs start with `public_url`.
    pub fn new(root: PathBuf, public_url: &str, secret: Option<&str>) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&root).map_err(|e| {
            anyhow::anyhow!(
                "creating the attachments directory {} (TRELLIS_DATA_DIR): {e}",
                root.display()
            )
        })?;
        let key = match secret {
            Some(secret) => crate::auth::session::derive_key(secret, "trellis attachments v1"),
            None => {
                let mut key = [0u8; 32];
                rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
                key
            }
        };
        Ok(Self {
            root,
            base_url: public_url.trim_end_matches('/').to_owned(),
            key,
        })
    }

    /// The directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn mac(&self) -> HmacSha256 {
        match HmacSha256::new_from_slice(&self.key) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC takes any key length"),
        }
    }

    /// The signed URL of `grant`.
    pub(crate) fn sign(&self, grant: &Grant) -> String {
        let payload = serde_json::to_vec(grant).unwrap_or_default();
        let mut mac = self.mac();
        mac.update(&payload);
        let tag = mac.finalize().into_bytes();
        format!(
            "{}{FILES_PATH}/{}.{}",
            self.base_url,
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The grant of a URL's last segment, if this server signed it and it has not
    /// expired at `now`. The signature is checked (in constant time) before anything
    /// in it is read.
    pub(crate) fn verify(&self, token: &str, now: SystemTime) -> Result<Grant, GrantError> {
        let (payload, tag) = token.split_once('.').ok_or(GrantError::Invalid)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| GrantError::Invalid)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| GrantError::Invalid)?;
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_slice(&tag).map_err(|_| GrantError::Invalid)?;
        let grant: Grant = serde_json::from_slice(&payload).map_err(|_| GrantError::Invalid)?;
        if unix(now) >= grant.expires {
            return Err(GrantError::Expired);
        }
        Ok(grant)
    }

    /// The file of a key: `{org}/{ticket}/{attachment}`, three UUIDs, so no key can
    /// name a path outside the directory even if the signing key leaked.
    pub(crate) fn path_of(&self, key: &str) -> Option<PathBuf> {
        let segments: Vec<&str> = key.split('/').collect();
        let valid = segments.len() == 3
            && segments
                .iter()
                .all(|s| s.len() == 36 && uuid::Uuid::parse_str(s).is_ok());
        valid.then(|| segments.iter().fold(self.root.clone(), |p, s| p.join(s)))
    }

    fn presigned(&self, grant: Grant, headers: Vec<(String, String)>) -> PresignedRequest {
        let expires_at =
            DateTime::<Utc>::from_timestamp(i64::try_from(grant.expires).unwrap_or(i64::MAX), 0)
                .unwrap_or_default();
        PresignedRequest {
            url: self.sign(&grant),
            headers,
            expires_at,
        }
    }
}

/// The sidecar holding an object's content type (files carry no metadata).
fn type_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".content-type");
    PathBuf::from(name)
}

fn io_error(what: &str, e: std::io::Error) -> StorageError {
    StorageError(format!("{what}: {e}"))
}

/// Why a local upload failed.
#[derive(Debug)]
pub(crate) enum UploadError {
    /// An object is already stored under this key.
    Exists,
    /// The body was not the signed length.
    WrongLength,
    Io(StorageError),
}

impl LocalStore {
    /// Writes an upload of exactly `size` bytes from `chunks`, with its content type;
    /// nothing is visible under the key unless all of it arrived.
    pub(crate) async fn write<S, E>(
        &self,
        key: &str,
        size: u64,
        content_type: &str,
        mut chunks: S,
    ) -> Result<(), UploadError>
    where
        S: futures_util::Stream<Item = Result<bytes::Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        use futures_util::StreamExt;
        use tokio::io::AsyncWriteExt;

        let path = self
            .path_of(key)
            .ok_or_else(|| UploadError::Io(StorageError(format!("not a local key: {key}"))))?;
        let dir = path.parent().unwrap_or(&self.root).to_owned();
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(|e| UploadError::Io(io_error("creating the directory", e)))?;
        let temporary = dir.join(format!(".upload-{}", uuid::Uuid::now_v7().simple()));
        let result = async {
            let mut file = tokio::fs::File::create(&temporary)
                .await
                .map_err(|e| UploadError::Io(io_error("creating the file", e)))?;
            let mut written: u64 = 0;
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk.map_err(|e| UploadError::Io(StorageError(e.to_string())))?;
                written += chunk.len() as u64;
                if written > size {
                    return Err(UploadError::WrongLength);
                }
                file.write_all(&chunk)
                    .await
                    .map_err(|e| UploadError::Io(io_error("writing the file", e)))?;
            }
            if written != size {
                return Err(UploadError::WrongLength);
            }
            file.sync_all()
                .await
                .map_err(|e| UploadError::Io(io_error("syncing the file", e)))?;
            tokio::fs::write(type_path(&path), content_type)
                .await
                .map_err(|e| UploadError::Io(io_error("writing the content type", e)))?;
            // A hard link fails when the name exists: never replace a stored object.
            match tokio::fs::hard_link(&temporary, &path).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(UploadError::Exists),
                Err(e) => Err(UploadError::Io(io_error("storing the file", e))),
            }
        }
        .await;
        let _ = tokio::fs::remove_file(&temporary).await;
        result
    }

    /// The stored file and its length, to stream out.
    pub(crate) async fn open(
        &self,
        key: &str,
    ) -> Result<Option<(tokio::fs::File, u64)>, StorageError> {
        let Some(path) = self.path_of(key) else {
            return Ok(None);
        };
        match tokio::fs::File::open(&path).await {
            Ok(file) => {
                let len = file
                    .metadata()
                    .await
                    .map_err(|e| io_error("reading the file", e))?
                    .len();
                Ok(Some((file, len)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error("opening the file", e)),
        }
    }
}

impl ObjectStore for LocalStore {
    fn presign_put<'a>(
        &'a self,
        key: &'a str,
        upload: UploadSpec<'a>,
        signed_at: SystemTime,
        expires_in: Duration,
    ) -> BoxFuture<'a, Result<PresignedRequest, StorageError>> {
        Box::pin(async move {
            let grant = Grant {
                method: "PUT".to_owned(),
                key: key.to_owned(),
                expires: unix(signed_at + expires_in),
                size: Some(upload.size),
                content_type: upload.content_type.to_owned(),
                disposition: None,
            };
            Ok(self.presigned(
                grant,
                vec![("content-type".to_owned(), upload.content_type.to_owned())],
            ))
        })
    }

    fn head<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<ObjectMeta>, StorageError>> {
        Box::pin(async move {
            let Some(path) = self.path_of(key) else {
                return Ok(None);
            };
            let size = match tokio::fs::metadata(&path).await {
                Ok(meta) => meta.len(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) => return Err(io_error("reading the file", e)),
            };
            let content_type = tokio::fs::read_to_string(type_path(&path)).await.ok();
            Ok(Some(ObjectMeta { size, content_type }))
        })
    }

    fn presign_get<'a>(
        &'a self,
        key: &'a str,
        download: DownloadSpec<'a>,
        signed_at: SystemTime,
        expires_in: Duration,
    ) -> BoxFuture<'a, Result<PresignedRequest, StorageError>> {
        Box::pin(async move {
            let grant = Grant {
                method: "GET".to_owned(),
                key: key.to_owned(),
                expires: unix(signed_at + expires_in),
                size: None,
                content_type: download.content_type.to_owned(),
                disposition: Some(download.content_disposition.to_owned()),
            };
            Ok(self.presigned(grant, Vec::new()))
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            let Some(path) = self.path_of(key) else {
                return Err(StorageError(format!("not a local key: {key}")));
            };
            for file in [path.clone(), type_path(&path)] {
                match tokio::fs::remove_file(&file).await {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(io_error("removing the file", e)),
                }
            }
            Ok(())
        })
    }

    fn kind(&self) -> &'static str {
        "local"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &Path) -> LocalStore {
        LocalStore::new(dir.to_owned(), "http://127.0.0.1:1", Some("secret")).expect("store")
    }

    fn grant() -> Grant {
        Grant {
            method: "GET".into(),
            key: "k".into(),
            expires: unix(SystemTime::now()) + 60,
            size: None,
            content_type: "text/plain".into(),
            disposition: Some("attachment".into()),
        }
    }

    fn token(url: &str) -> &str {
        url.rsplit('/').next().unwrap_or_default()
    }

    #[test]
    fn a_grant_verifies_until_it_expires_and_not_after_any_change() {
        let dir = std::env::temp_dir().join(format!("trellis-local-{}", uuid::Uuid::now_v7()));
        let store = store(&dir);
        let url = store.sign(&grant());
        assert!(url.starts_with("http://127.0.0.1:1/api/v1/files/"), "{url}");
        assert_eq!(store.verify(token(&url), SystemTime::now()), Ok(grant()));
        assert_eq!(
            store.verify(token(&url), SystemTime::now() + Duration::from_secs(61)),
            Err(GrantError::Expired)
        );
        // Another key's grant, re-signed by nobody: the payload changes, the tag does not.
        let (_, tag) = token(&url).split_once('.').unwrap_or_default();
        let forged = Grant {
            key: "other".into(),
            ..grant()
        };
        let forged_payload =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap_or_default());
        assert_eq!(
            store.verify(&format!("{forged_payload}.{tag}"), SystemTime::now()),
            Err(GrantError::Invalid)
        );
        // Another server's key.
        let other =
            LocalStore::new(dir.clone(), "http://127.0.0.1:1", Some("other")).expect("store");
        assert_eq!(
            other.verify(token(&url), SystemTime::now()),
            Err(GrantError::Invalid)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn only_three_uuid_segments_name_a_file() {
        let dir = std::env::temp_dir().join(format!("trellis-local-{}", uuid::Uuid::now_v7()));
        let store = store(&dir);
        let id = uuid::Uuid::now_v7();
        assert!(store.path_of(&format!("{id}/{id}/{id}")).is_some());
        for bad in [
            format!("../{id}/{id}"),
            format!("{id}/{id}"),
            format!("{id}/{id}/{id}/{id}"),
            format!("{id}/{id}/.."),
            "/etc/passwd".to_owned(),
        ] {
            assert!(store.path_of(&bad).is_none(), "{bad}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
