//! How every command of the binary ends on an error, run as a process:
//! with one line on stderr and status 1, never a backtrace, whatever
//! `RUST_BACKTRACE` says.

use std::process::Command;

fn otp_server(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_otp-server"));
    command
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LIB_BACKTRACE", "1")
        .env_remove("OTP_CONFIG");
    command
}

#[test]
fn errors_are_one_line_on_stderr_without_a_backtrace() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[server]\nsandbox = = 1\n").unwrap();
    let production = dir.path().join("production.toml");
    std::fs::write(&production, "[server]\nsandbox = false\n").unwrap();
    let missing = dir.path().join("missing.toml");
    let (bad, production, missing) = (
        bad.to_str().unwrap(),
        production.to_str().unwrap(),
        missing.to_str().unwrap(),
    );
    let cases: [(&[&str], &str); 10] = [
        (&["serve", "--config", missing], "cannot read config file"),
        (&["serve", "--config", bad], "TOML parse error at line 2"),
        (&["serve", "--config", production], "secrets.token_key"),
        (&["token", "--client", "nope"], "no client \"nope\""),
        (
            &["token", "--config", production, "--client", "x"],
            "secrets.token_key",
        ),
        (
            &["encrypt", "--client", "nope", "1"],
            "configured clients: sandbox",
        ),
        (&["conform", "--target", "ftp://x"], "is not an http:// URL"),
        (
            &["conform", "--target", "http://x", "--cipher", "aes-256-gcm"],
            "needs --key",
        ),
        (
            &["conform", "--target", "http://x", "--policy", "nope=1"],
            "--policy",
        ),
        (&["proxy", "--upstream", "nope"], "--upstream \"nope\""),
    ];
    for (args, says) in cases {
        let output = otp_server(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("otp-server: ") && stderr.contains(says),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.to_lowercase().contains("backtrace"), "{stderr}");
        assert_eq!(String::from_utf8_lossy(&output.stdout), "", "{args:?}");
    }
}
