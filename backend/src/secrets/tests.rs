//! The real AWS SDK against moto's SSM server (PyPI `moto[server]`, installed by
//! `./scripts/test`), started on a free port for the test.

use aws_sdk_ssm::types::ParameterType;

use super::{SsmOptions, load};
use crate::test_support::moto::{self, Moto};

fn options(moto: &Moto) -> SsmOptions {
    SsmOptions {
        endpoint: Some(moto.endpoint.clone()),
        region: Some(moto::REGION.to_owned()),
        credentials: Some(Moto::credentials()),
    }
}

async fn put(moto: &Moto, name: &str, value: &str, kind: ParameterType) {
    super::client(&options(moto))
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
    let moto = Moto::start().await;
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

    let loaded = load("/trellis/prod", &options(&moto)).await.expect("load");
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
        credentials: Some(Moto::credentials()),
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
