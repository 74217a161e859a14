//! The command line: `trellis serve`, `migrate`, `seed`, `search`, `org create`,
//! `token create`.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use tenancy::{DbPool, UserId};

use crate::config::{Config, Environment};
use crate::http::AppState;
use crate::local::LocalServices;
use crate::schema::users;
use crate::{db, demo, secrets};

/// Trellis: a multi-tenant issue tracker.
///
/// With no DATABASE_URL and REDIS_URL, commands run in local mode: they use the
/// PostgreSQL and Redis on this machine's standard ports, or start private ones in
/// TRELLIS_DATA_DIR. Configuration comes from environment variables (see README).
#[derive(Debug, Parser)]
#[command(name = "trellis", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (in local mode also migrate and seed the demo org).
    Serve {
        /// Address to listen on [env: TRELLIS_LISTEN, default 127.0.0.1:8080].
        #[arg(long, value_name = "ADDR")]
        listen: Option<SocketAddr>,
    },
    /// Apply pending database migrations (as DATABASE_OWNER_URL, else DATABASE_URL).
    Migrate,
    /// Load the demo organization `acme` (3 users, 2 projects, ~200 tickets) if absent;
    /// with --orgs/--tickets, bulk-load benchmark organizations `load-1`.. instead.
    Seed {
        /// Number of benchmark organizations to create (`load-1`, `load-2`, ...).
        #[arg(long, requires = "tickets")]
        orgs: Option<usize>,
        /// Tickets per benchmark organization (loaded with COPY as DATABASE_OWNER_URL).
        #[arg(long, requires = "orgs")]
        tickets: Option<usize>,
    },
    /// Run a JQL search as a member, the way the API runs it: prints the total and the
    /// page's keys; with --explain, first the EXPLAIN (ANALYZE, BUFFERS) of the count and
    /// page statements.
    Search {
        /// Organization slug.
        #[arg(long)]
        org: String,
        /// GitHub login of the member who searches (currentUser(), permissions).
        #[arg(long, value_name = "LOGIN")]
        user: String,
        /// Print the plans of the statements, as executed.
        #[arg(long)]
        explain: bool,
        /// Page size, 1 to 100.
        #[arg(long, default_value_t = 50)]
        max_results: i64,
        /// The JQL query (empty matches every ticket).
        jql: String,
    },
    /// Import a Jira Cloud CSV export into a project as a member, the way
    /// `POST /projects/{key}/import` does (one transaction; prints the report as JSON).
    Import {
        /// Organization slug.
        #[arg(long)]
        org: String,
        /// Project key.
        #[arg(long)]
        project: String,
        /// GitHub login of the member who imports (the default reporter; needs
        /// `tickets.create` in the project).
        #[arg(long = "as", value_name = "LOGIN")]
        login: String,
        /// Check every row and report; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// `unassign` (default) or `refuse` Jira users that map to no member.
        #[arg(long, value_name = "MODE")]
        unknown_users: Option<String>,
        /// Map a Jira user (display name, e-mail or login) to a login; repeatable.
        #[arg(long = "user", value_name = "JIRA=LOGIN")]
        users: Vec<String>,
        /// Map a Jira status to a status of the project's workflow; repeatable.
        #[arg(long = "status", value_name = "JIRA=STATUS")]
        statuses: Vec<String>,
        /// The CSV file.
        file: PathBuf,
    },
    /// Manage organizations.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Find or start PostgreSQL and Redis, write their URLs to a file, and keep them
    /// running until interrupted (used by the test command on machines without them).
    LocalServices {
        /// File to write `TRELLIS_TEST_DATABASE_URL=` and `TRELLIS_TEST_REDIS_URL=` lines to.
        #[arg(long, value_name = "FILE")]
        env_file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum OrgCommand {
    /// Create an organization owned by a user (created if unknown).
    Create {
        /// URL name: lower-case letters, digits and dashes, e.g. `acme`.
        #[arg(long)]
        slug: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// GitHub login of the first owner.
        #[arg(long, value_name = "LOGIN")]
        owner: String,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token for a member and print it (shown only once).
    Create {
        /// Organization slug.
        #[arg(long)]
        org: String,
        /// GitHub login of the member the token acts as.
        #[arg(long, value_name = "LOGIN")]
        user: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // rustls (PostgreSQL, Redis and AWS TLS) with the ring provider, for the whole process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    // Logging starts before configuration (which may come from SSM), so its two
    // variables are read from the environment only.
    init_tracing(
        env("TRELLIS_ENV").as_deref() == Some("production"),
        env("TRELLIS_LOG").as_deref().unwrap_or("info"),
    );
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("trellis: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let from_ssm = match env("TRELLIS_SSM_PATH") {
        Some(path) => match runtime.block_on(secrets::load(&path, &secrets::SsmOptions::default()))
        {
            Ok(values) => values,
            Err(e) => {
                eprintln!("trellis: {e:#}");
                return ExitCode::from(2);
            }
        },
        None => Default::default(),
    };
    let config = match Config::from_lookup(|name| env(name).or_else(|| from_ssm.get(name).cloned()))
    {
        Ok(config) => config,
        Err(e) => {
            eprintln!("trellis: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("trellis: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(json: bool, filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().flatten_event(true).init();
    } else {
        builder.compact().init();
    }
}

/// Resolves services, migrates in local mode, and opens the application pool.
async fn prepare(config: &Config) -> anyhow::Result<(LocalServices, DbPool, db::DbTls)> {
    let services = LocalServices::resolve(config).await?;
    let tls = db::DbTls::new(config.database_ca_file.as_deref())?;
    if config.environment == Environment::Local {
        let applied = db::migrate(&services.database_owner_url, &tls).await?;
        if applied > 0 {
            tracing::info!(applied, "migrations applied");
        }
        services.enable_app_login().await?;
    }
    let pool = db::connect_pool(&services.database_url, config.db_pool_size, &tls)
        .await
        .context("connecting to PostgreSQL (DATABASE_URL)")?;
    db::ensure_confined_role(&pool).await?;
    Ok((services, pool, tls))
}

async fn run(cli: Cli, mut config: Config) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { listen } => {
            if let Some(listen) = listen {
                config.listen = listen;
            }
            serve(config).await
        }
        Command::Migrate => {
            let services = LocalServices::resolve(&config).await?;
            let tls = db::DbTls::new(config.database_ca_file.as_deref())?;
            let applied = db::migrate(&services.database_owner_url, &tls).await?;
            services.enable_app_login().await?;
            println!("{applied} migration(s) applied");
            Ok(())
        }
        Command::Seed {
            orgs: Some(orgs),
            tickets: Some(tickets),
        } => {
            let (services, pool, tls) = prepare(&config).await?;
            let mut conn = pool.get().await?;
            demo::load(&mut conn, &services.database_owner_url, &tls, orgs, tickets).await
        }
        Command::Seed { .. } => {
            let (_services, pool, _) = prepare(&config).await?;
            let mut conn = pool.get().await?;
            match demo::seed(&mut conn).await? {
                true => println!("demo organization `acme` created"),
                false => println!("demo organization `acme` already exists"),
            }
            Ok(())
        }
        Command::Search {
            org,
            user,
            explain,
            max_results,
            jql,
        } => {
            let (_services, pool, _) = prepare(&config).await?;
            let mut conn = pool.get().await?;
            crate::search::command(&mut conn, &org, &user, &jql, max_results, explain).await
        }
        Command::Import {
            org,
            project,
            login,
            dry_run,
            unknown_users,
            users,
            statuses,
            file,
        } => {
            let mut pairs = vec![("dry_run".to_owned(), dry_run.to_string())];
            pairs.extend(unknown_users.map(|mode| ("unknown_users".to_owned(), mode)));
            for (prefix, flag, list) in [
                ("user:", "--user", users),
                ("status:", "--status", statuses),
            ] {
                for mapping in list {
                    let (jira, ours) = mapping
                        .rsplit_once('=')
                        .with_context(|| format!("{flag} {mapping:?}: expected JIRA=OURS"))?;
                    pairs.push((format!("{prefix}{jira}"), ours.to_owned()));
                }
            }
            let (_services, pool, _) = prepare(&config).await?;
            let mut conn = pool.get().await?;
            crate::import::command::command(&mut conn, &org, &project, &login, pairs, &file).await
        }
        Command::Org {
            command: OrgCommand::Create { slug, name, owner },
        } => {
            let (_services, pool, _) = prepare(&config).await?;
            let mut conn = pool.get().await?;
            let owner = demo::ensure_user(&mut conn, &owner, &owner).await?;
            crate::auth::create_org(&mut conn, &slug, &name, owner).await?;
            println!("organization `{slug}` created");
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { org, user, name },
        } => {
            let (_services, pool, _) = prepare(&config).await?;
            let mut conn = pool.get().await?;
            let token = create_token(&mut conn, &org, &user, &name).await?;
            println!("{token}");
            eprintln!("(shown once: store it now; it acts as `{user}` in `{org}`)");
            Ok(())
        }
        Command::LocalServices { env_file } => {
            let services = LocalServices::resolve(&config).await?;
            let admin = services
                .admin_url
                .clone()
                .unwrap_or_else(|| services.database_owner_url.clone());
            std::fs::write(
                &env_file,
                format!(
                    "TRELLIS_TEST_DATABASE_URL={admin}\nTRELLIS_TEST_REDIS_URL={}\n",
                    services.redis_url
                ),
            )?;
            tracing::info!(file = %env_file.display(), "services ready; Ctrl-C stops them");
            wait_for_shutdown_signal().await;
            drop(services);
            Ok(())
        }
    }
}

async fn wait_for_shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let term = async {
        match term.as_mut() {
            Some(s) => {
                s.recv().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

/// Creates an API token for `login` in `org_slug` and returns its text.
pub async fn create_token(
    conn: &mut tenancy::DbConn,
    org_slug: &str,
    login: &str,
    name: &str,
) -> anyhow::Result<String> {
    let user: uuid::Uuid = users::table
        .filter(users::login.eq(login))
        .filter(users::deleted_at.is_null())
        .select(users::id)
        .first(conn)
        .await
        .optional()?
        .with_context(|| format!("no user with login `{login}`"))?;
    let scope = tenancy::authorize_user(conn, UserId(user), org_slug)
        .await?
        .with_context(|| format!("`{login}` is not a member of `{org_slug}`"))?;
    let name = crate::http::validate::required_text("name", name, 100)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let (_, secret) = scope
        .transaction(conn, async |tx| {
            crate::auth::create_token(tx, UserId(user), &name, Default::default()).await
        })
        .await?;
    Ok(secret.reveal().to_owned())
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let (services, pool, tls) = prepare(&config).await?;
    let listener = TcpListener::bind(config.listen)
        .with_context(|| format!("binding {} (TRELLIS_LISTEN)", config.listen))?;
    let local = if config.environment == Environment::Local {
        let mut conn = pool.get().await?;
        demo::seed(&mut conn).await?;
        let token = create_token(&mut conn, demo::ORG, demo::OWNER, "local mode").await?;
        let owner = demo::ensure_user(&mut conn, demo::OWNER, demo::OWNER).await?;
        let link = crate::auth::local_login::create_link(&mut conn, &config, owner).await?;
        Some((token, link))
    } else {
        None
    };
    let redis = crate::http::redis_pool(&services.redis_url)?;
    let url = config.public_url();
    let attachments = crate::attachments::AttachmentStore::from_config(&config).await?;
    crate::attachments::janitor::spawn(pool.clone(), attachments.clone());
    let features = crate::app::Features::new(&config, redis.clone(), attachments)?;
    let state = AppState::new(pool, redis, config)?;
    crate::auth::invalidation::spawn_listener(
        services.redis_url.clone(),
        features.principals.clone(),
    );
    println!("\nTrellis is running at {url}");
    if let Some((token, link)) = local {
        println!(
            "Demo organization `{}`; you are `{}` (owner).\n\nSign in (one-time link, 15 minutes):\n\n    {link}\n\nAPI token:\n",
            demo::ORG,
            demo::OWNER
        );
        println!("    {token}\n");
        println!(
            "Try:  curl -H 'Authorization: Bearer {token}' {url}/api/v1/orgs/{}/tickets?limit=5",
            demo::ORG
        );
        println!(
            "API reference: {url}/api/v1/openapi.json    Ctrl-C stops the server{}.\n",
            if services.started_any() {
                " and the services it started"
            } else {
                ""
            }
        );
    }
    crate::app::serve(state, features, &services.database_url, tls, listener).await?;
    tracing::info!("server stopped");
    drop(services);
    Ok(())
}
