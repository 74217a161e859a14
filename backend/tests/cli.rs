//! The `trellis` binary as an operator meets it: help text and configuration errors.

use std::process::Command;

fn trellis() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trellis"));
    cmd.env_remove("TRELLIS_SSM_PATH")
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL");
    cmd
}

#[test]
fn help_lists_every_command() {
    let out = trellis().arg("--help").output().expect("run");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for command in ["serve", "migrate", "seed", "org", "token", "local-services"] {
        assert!(text.contains(command), "{command} missing from:\n{text}");
    }
    let out = trellis()
        .args(["token", "create", "--help"])
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("--org") && text.contains("--user") && text.contains("--name"),
        "{text}"
    );
}

#[test]
fn invalid_configuration_fails_at_start_naming_the_variable() {
    for (variable, value) in [
        ("TRELLIS_DB_POOL_SIZE", "0"),
        ("TRELLIS_LISTEN", "not-an-address"),
        ("TRELLIS_ENV", "prod"),
        ("DATABASE_URL", "mysql://user:hunter2@db/x"),
    ] {
        let out = trellis()
            .arg("migrate")
            .env(variable, value)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{variable}={value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(variable), "{variable}: {stderr}");
        assert!(!stderr.contains("hunter2"), "secret echoed: {stderr}");
    }
    let out = trellis()
        .arg("serve")
        .env("TRELLIS_ENV", "production")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL"));
}
