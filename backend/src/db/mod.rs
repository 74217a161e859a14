//! PostgreSQL: the application pool, migrations, and the checks that keep the
//! application role unable to bypass row-level security.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, bb8::Pool};
use diesel_async::{AsyncMigrationHarness, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use tenancy::{DbConn, DbPool};

/// The migrations, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The role the application serves as. It owns no table, so row-level security applies.
pub const APP_ROLE: &str = "trellis_app";

/// TLS settings for PostgreSQL connections. `sslmode` in the URL decides whether TLS
/// is used (`prefer`, the default, tries it; `require` insists; `disable` skips).
///
/// With `TRELLIS_DATABASE_CA_FILE` (a PEM bundle, e.g. Amazon RDS's, whose CA is not a
/// public one) the server certificate and host name are verified against that bundle
/// and Mozilla's roots. Without it, the connection is encrypted but the certificate is
/// not checked: libpq's meaning of `prefer`/`require`, which is what a local server
/// with a self-signed certificate needs. Production sets the CA file.
#[derive(Clone)]
pub struct DbTls(Arc<rustls::ClientConfig>);

impl DbTls {
    /// Builds the client configuration, reading `ca_file` if given.
    pub fn new(ca_file: Option<&Path>) -> anyhow::Result<Self> {
        use rustls::pki_types::CertificateDer;
        use rustls::pki_types::pem::PemObject;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let Some(path) = ca_file else {
            let config = rustls::ClientConfig::builder_with_provider(provider.clone())
                .with_safe_default_protocol_versions()?
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
                .with_no_client_auth();
            return Ok(Self(Arc::new(config)));
        };
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let mut added = 0;
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| {
            anyhow::anyhow!("TRELLIS_DATABASE_CA_FILE: reading {}: {e}", path.display())
        })? {
            let cert = cert.map_err(|e| anyhow::anyhow!("TRELLIS_DATABASE_CA_FILE: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| anyhow::anyhow!("TRELLIS_DATABASE_CA_FILE: {e}"))?;
            added += 1;
        }
        if added == 0 {
            anyhow::bail!(
                "TRELLIS_DATABASE_CA_FILE: no certificate in {}",
                path.display()
            );
        }
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Self(Arc::new(config)))
    }
}

/// libpq's `sslmode=prefer`/`require`: encrypt, check the handshake signatures, but do
/// not judge the certificate. Used only when no CA bundle is configured.
#[derive(Debug)]
struct EncryptOnly(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Opens one connection, over TLS when the server and `sslmode` agree.
pub async fn connect(url: &str, tls: &DbTls) -> diesel::ConnectionResult<DbConn> {
    let connector = tokio_postgres_rustls::MakeRustlsConnect::new((*tls.0).clone());
    let (client, connection) = tokio_postgres::connect(url, connector)
        .await
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    DbConn::try_from_client_and_connection(client, connection).await
}

/// A plain tokio-postgres client (for `COPY`, which diesel does not speak), its
/// connection driven by a spawned task.
pub async fn raw_client(url: &str, tls: &DbTls) -> anyhow::Result<tokio_postgres::Client> {
    let connector = tokio_postgres_rustls::MakeRustlsConnect::new((*tls.0).clone());
    let (client, connection) = tokio_postgres::connect(url, connector).await?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::error!(error = %e, "bulk-load connection");
        }
    });
    Ok(client)
}

fn manager(url: &str, tls: &DbTls) -> AsyncDieselConnectionManager<DbConn> {
    let mut config = ManagerConfig::default();
    let tls = tls.clone();
    config.custom_setup = Box::new(move |url| {
        let tls = tls.clone();
        let url = url.to_owned();
        Box::pin(async move { connect(&url, &tls).await })
    });
    AsyncDieselConnectionManager::new_with_config(url, config)
}

/// Opens the application pool. Connections are not pinged on checkout: a broken one is
/// detected by the failed query and dropped, which saves a round trip per request.
pub async fn connect_pool(url: &str, size: u32, tls: &DbTls) -> anyhow::Result<DbPool> {
    let manager = manager(url, tls);
    let pool = Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(5))
        .build(manager)
        .await?;
    Ok(pool)
}

/// A pool that opens connections on first use, on the runtime that first asks: each
/// HTTP worker builds its own, so connections live on the worker's thread.
pub fn lazy_pool(url: &str, size: u32, tls: &DbTls) -> DbPool {
    let manager = manager(url, tls);
    Pool::builder()
        .max_size(size.max(1))
        .test_on_check_out(false)
        .connection_timeout(Duration::from_secs(5))
        .build_unchecked(manager)
}

/// Runs pending migrations as the owner role and returns how many ran.
pub async fn migrate(owner_url: &str, tls: &DbTls) -> anyhow::Result<usize> {
    let conn = connect(owner_url, tls).await?;
    // The harness drives the async connection through a blocking wrapper.
    let applied = tokio::task::spawn_blocking(move || {
        let mut harness = AsyncMigrationHarness::new(conn);
        harness
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.len())
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"))
    })
    .await??;
    Ok(applied)
}

#[derive(QueryableByName)]
struct RoleCheck {
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(sql_type = Bool)]
    bypasses_rls: bool,
}

/// Refuses to serve through a role that row-level security would not confine: a
/// superuser or a role with BYPASSRLS would turn one missing filter into a leak.
pub async fn ensure_confined_role(pool: &DbPool) -> anyhow::Result<()> {
    let mut conn = pool.get().await?;
    let check: RoleCheck = diesel::sql_query(
        "SELECT current_user::text AS role, (rolsuper OR rolbypassrls) AS bypasses_rls \
         FROM pg_roles WHERE rolname = current_user",
    )
    .get_result(&mut *conn)
    .await?;
    if check.bypasses_rls {
        anyhow::bail!(
            "DATABASE_URL connects as `{}`, which bypasses row-level security; \
             connect as `{APP_ROLE}` (or another role without SUPERUSER/BYPASSRLS) \
             and put the owner in DATABASE_OWNER_URL",
            check.role
        );
    }
    Ok(())
}

/// Whether PostgreSQL answers through the pool (for `/readyz`).
pub async fn ping(pool: &DbPool) -> bool {
    let Ok(mut conn) = pool.get().await else {
        return false;
    };
    diesel::sql_query("SELECT 1")
        .execute(&mut *conn)
        .await
        .is_ok()
}

#[cfg(test)]
mod tests;
