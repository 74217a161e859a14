//! Local mode: find or start PostgreSQL and Redis so that `trellis serve` works on a
//! fresh machine with nothing configured.
//!
//! A reachable server on the standard local port is used as it is; otherwise a private
//! one is started from the system's binaries in the data directory (installing the
//! Debian package first when it is missing and we run as root). Whatever is started
//! here is stopped when [`LocalServices`] is dropped.

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, RunQueryDsl};
use tenancy::DbConn;

use crate::config::Config;
use crate::db::APP_ROLE;

const LOCAL_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const LOCAL_REDIS: (Ipv4Addr, u16) = (Ipv4Addr::LOCALHOST, 6379);
const DATABASE: &str = "trellis";

/// Connection URLs for the services, plus the processes started to provide them.
pub struct LocalServices {
    /// Application role URL (row-level security applies).
    pub database_url: String,
    /// Owner URL, for migrations and administration.
    pub database_owner_url: String,
    pub redis_url: String,
    /// Superuser URL of the cluster's maintenance database, when we know one.
    pub admin_url: Option<String>,
    children: Vec<ManagedChild>,
}

impl LocalServices {
    /// Resolves configured URLs, or in local mode finds or starts the services.
    pub async fn resolve(config: &Config) -> anyhow::Result<Self> {
        let mut children = Vec::new();
        let (database_url, database_owner_url, admin_url) = match &config.database_url {
            Some(url) => (
                url.clone(),
                config
                    .database_owner_url
                    .clone()
                    .unwrap_or_else(|| url.clone()),
                None,
            ),
            None => {
                let pg_dir = config.data_dir.join("postgres");
                let admin = if try_connect(LOCAL_ADMIN_URL).await {
                    LOCAL_ADMIN_URL.to_owned()
                } else if let Some(url) = running_private_postgres(&pg_dir).await {
                    // Another trellis process (say `serve`) runs it: share, don't manage.
                    url
                } else {
                    let (child, url) = start_postgres(&pg_dir).await?;
                    children.push(child);
                    url
                };
                prepare_database(&admin).await?;
                let owner = replace_database(&admin, DATABASE, None);
                let app = replace_database(&admin, DATABASE, Some(APP_ROLE));
                (app, owner, Some(admin))
            }
        };
        let redis_dir = config.data_dir.join("redis");
        let redis_url = match &config.redis_url {
            Some(url) => url.clone(),
            None if redis_answers(LOCAL_REDIS.1) => format!("redis://127.0.0.1:{}", LOCAL_REDIS.1),
            None if recorded_port(&redis_dir).is_some_and(redis_answers) => {
                format!(
                    "redis://127.0.0.1:{}",
                    recorded_port(&redis_dir).unwrap_or_default()
                )
            }
            None => {
                let (child, url) = start_redis(&config.data_dir.join("redis"))?;
                children.push(child);
                url
            }
        };
        Ok(Self {
            database_url,
            database_owner_url,
            redis_url,
            admin_url,
            children,
        })
    }

    /// Whether this process started any service itself.
    pub fn started_any(&self) -> bool {
        !self.children.is_empty()
    }

    /// Lets the application role log in (it is created NOLOGIN by the migrations).
    /// Only done in local mode, where authentication is trust on loopback.
    pub async fn enable_app_login(&self) -> anyhow::Result<()> {
        if self.admin_url.is_some() {
            let mut conn = DbConn::establish(&self.database_owner_url).await?;
            diesel::sql_query(format!("ALTER ROLE {APP_ROLE} LOGIN"))
                .execute(&mut conn)
                .await?;
        }
        Ok(())
    }
}

async fn try_connect(url: &str) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(3), DbConn::establish(url)).await,
        Ok(Ok(_))
    )
}

fn replace_database(url: &str, database: &str, user: Option<&str>) -> String {
    // Our own URLs have the shape postgres://USER@HOST:PORT/DB.
    let (scheme_user, rest) = url.split_once('@').unwrap_or((url, ""));
    let host = rest.split('/').next().unwrap_or(rest);
    let prefix = match user {
        Some(user) => format!("postgres://{user}"),
        None => scheme_user.to_owned(),
    };
    format!("{prefix}@{host}/{database}")
}

#[derive(diesel::QueryableByName)]
struct Exists {
    #[diesel(sql_type = Text)]
    #[allow(dead_code)]
    datname: String,
}

async fn prepare_database(admin_url: &str) -> anyhow::Result<()> {
    let mut conn = DbConn::establish(admin_url).await?;
    let found: Vec<Exists> =
        diesel::sql_query("SELECT datname::text FROM pg_database WHERE datname = $1")
            .bind::<Text, _>(DATABASE)
            .load(&mut conn)
            .await?;
    if found.is_empty() {
        diesel::sql_query(format!("CREATE DATABASE {DATABASE}"))
            .execute(&mut conn)
            .await?;
    }
    Ok(())
}

/// The file where a started service records its port, so that other `trellis`
/// commands run meanwhile (e.g. `token create` beside `serve`) use the same server.
fn port_file(dir: &Path) -> PathBuf {
    dir.join("trellis.port")
}

fn recorded_port(dir: &Path) -> Option<u16> {
    std::fs::read_to_string(port_file(dir))
        .ok()?
        .trim()
        .parse()
        .ok()
}

async fn running_private_postgres(dir: &Path) -> Option<String> {
    let url = format!(
        "postgres://postgres@127.0.0.1:{}/postgres",
        recorded_port(dir)?
    );
    try_connect(&url).await.then_some(url)
}

/// A child process stopped (politely, then firmly) when dropped.
struct ManagedChild {
    name: &'static str,
    child: Child,
    /// How to ask it to stop; `None` sends SIGINT to the child itself.
    stop: Option<Command>,
    /// Its port file, removed once it has stopped.
    port_file: PathBuf,
}

impl Drop for ManagedChild {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.port_file);
        match self.stop.as_mut() {
            Some(stop) => {
                let _ = stop.stdout(Stdio::null()).stderr(Stdio::null()).status();
            }
            // SIGINT stops Redis cleanly.
            None => {
                let _ = Command::new("kill")
                    .args(["-INT", &self.child.id().to_string()])
                    .status();
            }
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                tracing::info!(service = self.name, "stopped");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn apt_install(package: &str) -> anyhow::Result<()> {
    if !is_root() {
        bail!(
            "`{package}` is not installed; install it (apt-get install {package}) or set the URL"
        );
    }
    tracing::info!(package, "installing Debian package");
    let ok = Command::new("sh")
        .args([
            "-c",
            &format!("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq {package}"),
        ])
        .status()
        .context("running apt-get")?
        .success();
    if !ok {
        bail!("apt-get install {package} failed");
    }
    Ok(())
}

fn postgres_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// PostgreSQL refuses to run as root; as root we run it as the `postgres` system user.
fn as_service_user(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

async fn start_postgres(dir: &Path) -> anyhow::Result<(ManagedChild, String)> {
    let bin = match postgres_bin_dir() {
        Some(bin) => bin,
        None => {
            apt_install("postgresql")?;
            postgres_bin_dir().context("PostgreSQL binaries not found after installing")?
        }
    };
    std::fs::create_dir_all(dir)?;
    let dir = dir.canonicalize()?;
    if is_root() {
        Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()?;
    }
    if !dir.join("PG_VERSION").exists() {
        tracing::info!(dir = %dir.display(), "initialising a private PostgreSQL cluster");
        let ok = as_service_user(&bin.join("initdb"))
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-instructions",
                "-D",
            ])
            .arg(&dir)
            .stdout(Stdio::null())
            .status()?
            .success();
        if !ok {
            bail!("initdb failed in {}", dir.display());
        }
    }
    let port = free_port()?;
    let child = as_service_user(&bin.join("postgres"))
        .arg("-D")
        .arg(&dir)
        .args([
            "-p",
            &port.to_string(),
            "-c",
            "listen_addresses=127.0.0.1",
            "-k",
        ])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting postgres")?;
    // The child may be `runuser`, which does not pass signals on: stop the server
    // through pg_ctl ("fast": roll back open transactions, then exit).
    let mut stop = as_service_user(&bin.join("pg_ctl"));
    stop.args(["stop", "-m", "fast", "-w", "-D"]).arg(&dir);
    let child = ManagedChild {
        name: "postgres",
        child,
        stop: Some(stop),
        port_file: port_file(&dir),
    };
    let url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !try_connect(&url).await {
        if Instant::now() > deadline {
            bail!("private PostgreSQL did not come up on port {port}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tracing::info!(port, "private PostgreSQL started");
    std::fs::write(port_file(&dir), port.to_string())?;
    Ok((child, url))
}

fn redis_answers(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect_timeout(
        &(Ipv4Addr::LOCALHOST, port).into(),
        Duration::from_millis(500),
    ) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut buf = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut buf).is_ok()
        && &buf == b"+PONG\r\n"
}

fn start_redis(dir: &Path) -> anyhow::Result<(ManagedChild, String)> {
    let program = if Path::new("/usr/bin/redis-server").exists() {
        PathBuf::from("/usr/bin/redis-server")
    } else {
        apt_install("redis-server")?;
        PathBuf::from("/usr/bin/redis-server")
    };
    std::fs::create_dir_all(dir)?;
    let port = free_port()?;
    let child = Command::new(program)
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
        ])
        .arg(dir)
        .stdout(Stdio::null())
        .spawn()
        .context("starting redis-server")?;
    let child = ManagedChild {
        name: "redis",
        child,
        stop: None,
        port_file: port_file(dir),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while !redis_answers(port) {
        if Instant::now() > deadline {
            bail!("private Redis did not come up on port {port}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    tracing::info!(port, "private Redis started");
    std::fs::write(port_file(dir), port.to_string())?;
    Ok((child, format!("redis://127.0.0.1:{port}")))
}

#[cfg(test)]
mod tests {
    use super::replace_database;

    #[test]
    fn database_urls_are_derived_from_the_admin_url() {
        let admin = "postgres://postgres@127.0.0.1:5432/postgres";
        assert_eq!(
            replace_database(admin, "trellis", None),
            "postgres://postgres@127.0.0.1:5432/trellis"
        );
        assert_eq!(
            replace_database(admin, "trellis", Some("trellis_app")),
            "postgres://trellis_app@127.0.0.1:5432/trellis"
        );
    }
}
