//! The real AWS SDK against moto's SSM server (PyPI `moto[server]`, installed by
//! `./scripts/test`), started on a free port for the test.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_ssm::config::Credentials;
use aws_sdk_ssm::types::ParameterType;

use super::{SsmOptions, load};

struct Moto {
    child: Child,
    options: SsmOptions,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn moto() -> Moto {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server (pip install 'moto[server]'; ./scripts/test installs it)");
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "moto_server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Moto {
        child,
        options: SsmOptions {
            endpoint: Some(format!("http://127.0.0.1:{port}")),
            region: Some("eu-west-1".to_owned()),
            credentials: Some(Credentials::new("testing", "testing", None, None, "test")),
        },
    }
}

async fn put(moto: &Moto, name: &str, value: &str, kind: ParameterType) {
    super::client(&moto.options)
        .await
        .put_parameter()
        .name(name)
        .value(value)
        .r#type(kind)
        .send()
        .await
        .expect("put_parameter");
}

#[tokio::test]
async fn parameters_under_the_path_become_variables_with_secure_strings_decrypted() {
    let moto = moto().await;
    put(
        &moto,
        "/trellis/prod/DATABASE_URL",
        "postgres://app:s3cret@db/trellis",
        ParameterType::SecureString,
    )
    .await;
    put(
        &moto,
        "/trellis/prod/REDIS_URL",
        "rediss://cache:6379",
        ParameterType::String,
    )
    .await;
    put(
        &moto,
        "/trellis/prod/not-a-variable",
        "ignored",
        ParameterType::String,
    )
    .await;
    put(
        &moto,
        "/trellis/staging/DATABASE_URL",
        "postgres://elsewhere",
        ParameterType::SecureString,
    )
    .await;
    // More than one page (GetParametersByPath returns at most 10 per call).
    for i in 0..12 {
        put(
            &moto,
            &format!("/trellis/prod/EXTRA_{i}"),
            &i.to_string(),
            ParameterType::String,
        )
        .await;
    }

    let loaded = load("/trellis/prod", &moto.options).await.expect("load");
    assert_eq!(loaded["DATABASE_URL"], "postgres://app:s3cret@db/trellis");
    assert_eq!(loaded["REDIS_URL"], "rediss://cache:6379");
    assert_eq!(loaded["EXTRA_11"], "11");
    assert_eq!(loaded.len(), 2 + 12, "{:?}", loaded.keys());
    assert!(!loaded.contains_key("not-a-variable"));
}

#[tokio::test]
async fn an_unreachable_parameter_store_fails_start_up_naming_the_variable() {
    let options = SsmOptions {
        endpoint: Some("http://127.0.0.1:1".to_owned()),
        region: Some("eu-west-1".to_owned()),
        credentials: Some(Credentials::new("testing", "testing", None, None, "test")),
    };
    let err = load("/trellis/prod/", &options)
        .await
        .expect_err("no server there");
    assert!(format!("{err:#}").contains("TRELLIS_SSM_PATH"), "{err:#}");
}

#[test]
fn environment_variables_win_over_ssm() {
    let ssm = std::collections::BTreeMap::from([
        (
            "DATABASE_URL".to_owned(),
            "postgres://from-ssm/db".to_owned(),
        ),
        ("TRELLIS_DB_POOL_SIZE".to_owned(), "32".to_owned()),
    ]);
    let env =
        std::collections::BTreeMap::from([("TRELLIS_DB_POOL_SIZE".to_owned(), "8".to_owned())]);
    let config = crate::config::Config::from_lookup(|k| env.get(k).or_else(|| ssm.get(k)).cloned())
        .expect("valid");
    assert_eq!(
        config.database_url.as_deref(),
        Some("postgres://from-ssm/db")
    );
    assert_eq!(config.db_pool_size, 8);
}
