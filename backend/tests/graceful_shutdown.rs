//! SIGTERM while requests are in flight: the real `trellis` binary stops accepting,
//! finishes every request it has, and exits cleanly, so a blue/green switch loses
//! nothing.

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

fn admin_url() -> String {
    std::env::var("TRELLIS_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn with_database(url: &str, database: &str, user: Option<&str>) -> String {
    let (head, _) = url.rsplit_once('/').expect("URL with a database");
    let head = match (user, head.split_once("://")) {
        (Some(user), Some((scheme, rest))) => {
            let host = rest.split_once('@').map_or(rest, |(_, host)| host);
            format!("{scheme}://{user}@{host}")
        }
        _ => head.to_owned(),
    };
    format!("{head}/{database}")
}

async fn admin(sql: &str) {
    let mut conn = AsyncPgConnection::establish(&admin_url())
        .await
        .expect("admin connection");
    diesel::sql_query(sql).execute(&mut conn).await.expect(sql);
}

struct Database(String);

impl Drop for Database {
    fn drop(&mut self) {
        let name = self.0.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(admin(&format!(
                "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
            )));
            Ok::<_, std::io::Error>(())
        })
        .join();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port()
}

#[tokio::test]
async fn sigterm_drains_in_flight_requests_then_exits() {
    let name = format!("trellis_shutdown_{}", uuid::Uuid::now_v7().simple());
    admin(&format!("CREATE DATABASE \"{name}\"")).await;
    let db = Database(name);
    let owner_url = with_database(&admin_url(), &db.0, None);
    let app_url = with_database(&admin_url(), &db.0, Some("trellis_app"));

    // A "Redis" that accepts connections and never answers: every /readyz then waits
    // for the Redis pool's 2 s connection timeout, a real slow request.
    let blackhole = TcpListener::bind("127.0.0.1:0").expect("blackhole");
    let redis_url = format!("redis://{}", blackhole.local_addr().expect("addr"));
    let port = free_port();
    let trellis = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_trellis"));
        cmd.args(args)
            .env("TRELLIS_ENV", "production")
            .env("DATABASE_URL", &app_url)
            .env("DATABASE_OWNER_URL", &owner_url)
            .env("REDIS_URL", &redis_url)
            .env("TRELLIS_LISTEN", format!("127.0.0.1:{port}"))
            .env("TRELLIS_LOG", "warn")
            .env(
                "TRELLIS_SECRET_KEY",
                "graceful-shutdown-test-secret-0123456789",
            )
            .env_remove("TRELLIS_SSM_PATH");
        cmd
    };
    let migrated = trellis(&["migrate"]).output().expect("trellis migrate");
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    admin("ALTER ROLE trellis_app LOGIN").await;

    let mut server = trellis(&["serve"])
        .stdout(Stdio::null())
        .spawn()
        .expect("trellis serve");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let in_flight: Vec<_> = (0..8)
        .map(|_| tokio::spawn(client.get(format!("{base}/readyz")).send()))
        .collect();
    // Let the requests reach the server; each then needs about 2 s more.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let signalled = Instant::now();
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());

    for request in in_flight {
        let response = request
            .await
            .expect("task")
            .expect("request completed despite SIGTERM");
        assert_eq!(
            response.status(),
            503,
            "readyz answers (Redis is a black hole)"
        );
        let body: serde_json::Value = response.json().await.expect("body");
        assert_eq!(body["checks"]["database"], true);
    }
    assert!(
        signalled.elapsed() > Duration::from_millis(1000),
        "requests were cut short"
    );

    let deadline = Instant::now() + Duration::from_secs(35);
    let status = loop {
        if let Some(status) = server.try_wait().expect("wait") {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "server did not exit after draining"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exit status {status}");
    assert!(
        client.get(format!("{base}/healthz")).send().await.is_err(),
        "still accepting"
    );
    drop(blackhole);
}
