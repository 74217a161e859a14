//! Where attachment bytes live, behind one trait: S3 (`aws-sdk-s3`, presigned URLs)
//! or, in local mode, a directory under `TRELLIS_DATA_DIR` with HMAC-signed URLs this
//! binary serves itself. The API code only ever sees [`AttachmentStore`].

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use tenancy::OrgId;

use super::AttachmentId;
use crate::config::Config;
use crate::ids::TicketId;

/// How long an upload URL works. A `PUT` started before then may finish after it.
pub const UPLOAD_TTL: Duration = Duration::from_secs(15 * 60);
/// How long a pending upload may still be confirmed after its URL expired (a large
/// file started late). Until then it holds its size of the plan's storage.
pub const CONFIRM_GRACE: Duration = Duration::from_secs(60 * 60);
/// How long a download URL works.
pub const DOWNLOAD_TTL: Duration = Duration::from_secs(5 * 60);

/// An object store failed or could not be reached.
#[derive(Debug, thiserror::Error)]
#[error("object storage: {0}")]
pub struct StorageError(pub String);

/// What the store holds under a key (`HEAD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    pub size: u64,
    pub content_type: Option<String>,
}

/// The upload a presigned `PUT` allows: exactly this many bytes of this type.
#[derive(Debug, Clone)]
pub struct UploadSpec<'a> {
    pub size: u64,
    pub content_type: &'a str,
}

/// How a presigned `GET` serves the object.
#[derive(Debug, Clone)]
pub struct DownloadSpec<'a> {
    /// The `Content-Disposition` header (always `attachment; ...`).
    pub content_disposition: &'a str,
    /// The `Content-Type` header (never one that renders active content).
    pub content_type: &'a str,
}

/// A URL that works without other credentials until `expires_at`.
#[derive(Debug, Clone)]
pub struct PresignedRequest {
    pub url: String,
    /// Headers the request must carry as given (covered by the signature).
    pub headers: Vec<(String, String)>,
    pub expires_at: DateTime<Utc>,
}

/// An object store. Keys are complete (prefix included) and already checked to
/// belong to the organization asking ([`AttachmentStore::key_of`]).
pub trait ObjectStore: Send + Sync {
    /// A `PUT` URL signed at `signed_at` for `expires_in`, accepting only `upload`.
    fn presign_put<'a>(
        &'a self,
        key: &'a str,
        upload: UploadSpec<'a>,
        signed_at: SystemTime,
        expires_in: Duration,
    ) -> BoxFuture<'a, Result<PresignedRequest, StorageError>>;

    /// The object's size and type, or `None` when there is none.
    fn head<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<ObjectMeta>, StorageError>>;

    /// A `GET` URL signed at `signed_at` for `expires_in`, served as `download` says.
    fn presign_get<'a>(
        &'a self,
        key: &'a str,
        download: DownloadSpec<'a>,
        signed_at: SystemTime,
        expires_in: Duration,
    ) -> BoxFuture<'a, Result<PresignedRequest, StorageError>>;

    /// Removes the object; removing one that is not there succeeds.
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>>;

    /// `s3` or `local`, for logs.
    fn kind(&self) -> &'static str;

    /// The origin (`scheme://host[:port]`) browsers send uploads to and load files
    /// from when it is not the app's own, for the Content-Security-Policy.
    fn browser_origin(&self) -> Option<&str> {
        None
    }
}

/// The attachment store the app uses: an [`ObjectStore`], the key prefix and the
/// per-file limit.
#[derive(Clone)]
pub struct AttachmentStore {
    objects: Arc<dyn ObjectStore>,
    prefix: String,
    /// The largest file (`TRELLIS_ATTACHMENT_MAX_BYTES`).
    pub max_file_bytes: u64,
    /// Set in local mode: verifies the URLs this binary serves.
    local: Option<Arc<super::local::LocalStore>>,
}

impl std::fmt::Debug for AttachmentStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachmentStore")
            .field("kind", &self.objects.kind())
            .field("prefix", &self.prefix)
            .field("max_file_bytes", &self.max_file_bytes)
            .finish()
    }
}

impl AttachmentStore {
    /// The store the configuration names: S3 when `TRELLIS_S3_BUCKET` is set (region
    /// and credentials from the standard AWS chain), else the local directory
    /// `TRELLIS_DATA_DIR/attachments`.
    pub async fn from_config(config: &Config) -> anyhow::Result<Self> {
        let settings = &config.attachments;
        match &settings.s3_bucket {
            Some(bucket) => {
                let s3 = super::s3::S3Store::connect(&super::s3::S3Options {
                    bucket: bucket.clone(),
                    endpoint: settings.s3_endpoint.clone(),
                    ..Default::default()
                })
                .await?;
                Ok(Self::s3(
                    s3,
                    settings.s3_prefix.clone(),
                    settings.max_file_bytes,
                ))
            }
            None => {
                let local = super::local::LocalStore::new(
                    config.data_dir.join("attachments"),
                    &config.public_url(),
                    config.secret_key.as_ref().map(|s| s.expose()),
                )?;
                Ok(Self::local(local, settings.max_file_bytes))
            }
        }
    }

    /// An S3 store whose keys start with `prefix`.
    pub fn s3(store: super::s3::S3Store, prefix: String, max_file_bytes: u64) -> Self {
        tracing::info!(bucket = store.bucket(), prefix, "attachments in S3");
        Self {
            objects: Arc::new(store),
            prefix,
            max_file_bytes,
            local: None,
        }
    }

    /// A local-directory store (no key prefix: the directory is its own).
    pub fn local(store: super::local::LocalStore, max_file_bytes: u64) -> Self {
        tracing::info!(directory = %store.root().display(), "attachments in a local directory");
        let store = Arc::new(store);
        Self {
            objects: store.clone(),
            prefix: String::new(),
            max_file_bytes,
            local: Some(store),
        }
    }

    /// The object store.
    pub fn objects(&self) -> &dyn ObjectStore {
        self.objects.as_ref()
    }

    /// The local store, when this is local mode.
    pub(crate) fn local_store(&self) -> Option<&super::local::LocalStore> {
        self.local.as_deref()
    }

    /// `{prefix}{org}/{ticket}/{attachment}`: the only way keys are made.
    pub fn key_for(&self, org: OrgId, ticket: TicketId, id: AttachmentId) -> String {
        format!("{}{}/{}/{}", self.prefix, org.0, ticket.0, id.0)
    }

    /// The stored key, if it lies in `org`'s part of the store (`.../{org}/{ticket}/{id}`);
    /// a key of another organization is refused before any storage call (the table's
    /// CHECK and row-level security already keep such a row from being read). Keys
    /// written under an earlier prefix stay valid.
    pub(crate) fn key_of<'k>(&self, org: OrgId, key: &'k str) -> Option<&'k str> {
        let mut segments = key.rsplitn(4, '/');
        let (_id, _ticket, owner) = (segments.next()?, segments.next()?, segments.next()?);
        (owner == org.0.to_string()).then_some(key)
    }
}
