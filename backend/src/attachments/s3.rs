//! The S3 object store: `aws-sdk-s3` over rustls with ring (the same HTTPS client as
//! the SSM loader), presigned SigV4 URLs for uploads and downloads, `HEAD` and
//! `DELETE` from the server.
//!
//! The upload URL signs `content-type` and `content-length`, so S3 refuses a `PUT`
//! of another type or size; the download URL signs `response-content-disposition`
//! and `response-content-type`, so nobody can change how it is served.

use std::time::{Duration, SystemTime};

use anyhow::Context as _;
use aws_config::BehaviorVersion;
use aws_sdk_s3::config::{Credentials, RequestChecksumCalculation, ResponseChecksumValidation};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_smithy_http_client::tls;
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;

use super::storage::{
    DownloadSpec, ObjectMeta, ObjectStore, PresignedRequest, StorageError, UploadSpec,
};

/// How to reach the bucket. `Default` leaves region and credentials to the standard
/// AWS chain (`AWS_REGION`, the ECS task role, ...).
#[derive(Debug, Clone, Default)]
pub struct S3Options {
    pub bucket: String,
    /// An S3-compatible server (path-style addressing); else `AWS_ENDPOINT_URL[_S3]`
    /// or the regional endpoint.
    pub endpoint: Option<String>,
    /// Region override.
    pub region: Option<String>,
    /// Static credentials (tests).
    pub credentials: Option<Credentials>,
}

/// A bucket and its client.
#[derive(Debug, Clone)]
pub struct S3Store {
    client: aws_sdk_s3::Client,
    bucket: String,
    /// Where the presigned URLs point (the SDK's own endpoint resolution).
    origin: String,
}

/// `scheme://authority` of an absolute URL.
fn origin_of(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!scheme.is_empty() && !authority.is_empty())
        .then(|| &url[..scheme.len() + 3 + authority.len()])
}

fn error(what: &str, e: impl std::error::Error) -> StorageError {
    // The SDK's Display is terse ("service error"); the source chain names the cause.
    let mut text = format!("{what}: {e}");
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    StorageError(text)
}

impl S3Store {
    /// Builds the client. Fails when no region is configured: every presigned URL
    /// names one.
    pub async fn connect(options: &S3Options) -> anyhow::Result<Self> {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http);
        if let Some(endpoint) = &options.endpoint {
            loader = loader.endpoint_url(endpoint);
        }
        if let Some(region) = &options.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(credentials) = &options.credentials {
            loader = loader.credentials_provider(credentials.clone());
        }
        let shared = loader.load().await;
        if shared.region().is_none() {
            anyhow::bail!(
                "TRELLIS_S3_BUCKET is set but no AWS region is configured: set AWS_REGION"
            );
        }
        let mut config = aws_sdk_s3::config::Builder::from(&shared)
            // The SDK's default adds a CRC32 of the body to uploads; a presigned URL
            // would then carry the checksum of an empty body and S3 would refuse the
            // real one. Checksums only where S3 requires them.
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
        if options.endpoint.is_some() {
            // S3-compatible servers rarely have per-bucket host names.
            config = config.force_path_style(true);
        }
        let client = aws_sdk_s3::Client::from_conf(config.build());
        // Presigning is local (no request): it shows which origin browsers will reach.
        let probe = client
            .get_object()
            .bucket(&options.bucket)
            .key("origin-probe")
            .presigned(presigning(SystemTime::now(), Duration::from_secs(60))?)
            .await
            .context("presigning a probe URL")?;
        let origin = origin_of(probe.uri())
            .with_context(|| format!("presigned URL without an origin: {}", probe.uri()))?
            .to_owned();
        Ok(Self {
            client,
            bucket: options.bucket.clone(),
            origin,
        })
    }

    /// The bucket's name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The client (tests create their bucket with it).
    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }
}

fn presigning(
    signed_at: SystemTime,
    expires_in: Duration,
) -> Result<PresigningConfig, StorageError> {
    PresigningConfig::builder()
        .start_time(signed_at)
        .expires_in(expires_in)
        .build()
        .map_err(|e| error("presigning", e))
}

fn presigned(
    request: aws_sdk_s3::presigning::PresignedRequest,
    signed_at: SystemTime,
    expires_in: Duration,
) -> PresignedRequest {
    PresignedRequest {
        url: request.uri().to_owned(),
        headers: request
            .headers()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
            .collect(),
        expires_at: DateTime::<Utc>::from(signed_at + expires_in),
    }
}

impl ObjectStore for S3Store {
    fn presign_put<'a>(
        &'a self,
        key: &'a str,
        upload: UploadSpec<'a>,
        signed_at: SystemTime,
        expires_in: Duration,
    ) -> BoxFuture<'a, Result<PresignedRequest, StorageError>> {
        Box::pin(async move {
            let size = i64::try_from(upload.size)
                .map_err(|_| StorageError("upload too large".to_owned()))?;
            let request = self
                .client
                .put_object()
                .bucket(&self.bucket)
                .key(key)
                .content_type(upload.content_type)
                .content_length(size)
                .presigned(presigning(signed_at, expires_in)?)
                .await
                .map_err(|e| error("presigning an upload", e))?;
            Ok(presigned(request, signed_at, expires_in))
        })
    }

    fn head<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<ObjectMeta>, StorageError>> {
        Box::pin(async move {
            match self
                .client
                .head_object()
                .bucket(&self.bucket)
                .key(key)
                .send()
                .await
            {
                Ok(object) => Ok(Some(ObjectMeta {
                    size: object
                        .content_length()
                        .and_then(|n| u64::try_from(n).ok())
                        .unwrap_or(0),
                    content_type: object.content_type().map(str::to_owned),
                })),
                Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
                Err(e) => Err(error("reading an object's metadata", e)),
            }
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
            let request = self
                .client
                .get_object()
                .bucket(&self.bucket)
                .key(key)
                .response_content_disposition(download.content_disposition)
                .response_content_type(download.content_type)
                .response_cache_control("private, no-store")
                .presigned(presigning(signed_at, expires_in)?)
                .await
                .map_err(|e| error("presigning a download", e))?;
            Ok(presigned(request, signed_at, expires_in))
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), StorageError>> {
        Box::pin(async move {
            // S3 answers 204 for a key that is not there too.
            self.client
                .delete_object()
                .bucket(&self.bucket)
                .key(key)
                .send()
                .await
                .map_err(|e| error("deleting an object", e))?;
            Ok(())
        })
    }

    fn kind(&self) -> &'static str {
        "s3"
    }

    fn browser_origin(&self) -> Option<&str> {
        Some(&self.origin)
    }
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn origin_is_scheme_and_authority() {
        assert_eq!(
            origin_of("https://b.s3.eu-west-1.amazonaws.com/org/x?X-Amz-Signature=1"),
            Some("https://b.s3.eu-west-1.amazonaws.com")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:9000/bucket/key"),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(origin_of("http://h"), Some("http://h"));
        assert_eq!(origin_of("/relative/path"), None);
        assert_eq!(origin_of("https:///nohost"), None);
    }
}
