//! How every command of the binary ends, run as a process: quietly and
//! with success when whoever reads its stdout goes away
//! (`otp-server conform --list | head -1`), and on an error with one line
//! on stderr and status 1, never a backtrace, whatever `RUST_BACKTRACE`
//! says.

use crate::support::TestServer;
use std::process::{Command, Output, Stdio};

fn otp_server(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_otp-server"));
    command
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LIB_BACKTRACE", "1")
        .env_remove("OTP_CONFIG");
    command
}

/// Runs `args` with its stdout closed before it writes anything: every
/// write it makes there fails with EPIPE.
fn with_closed_stdout(args: &[&str]) -> Output {
    let mut child = otp_server(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn every_printing_command_exits_quietly_on_a_closed_stdout() {
    let commands: [&[&str]; 8] = [
        &["conform", "--list"],
        &["token", "--client", "sandbox"],
        &["encrypt", "--client", "sandbox", "5512345678"],
        &["decrypt", "--client", "sandbox", "NTUxMjM0NTY3OA=="],
        &["client", "new", "mobile-app"],
        &["--help"],
        &["conform", "--help"],
        &["--version"],
    ];
    for args in commands {
        let output = with_closed_stdout(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[tokio::test]
async fn a_conformance_run_stops_quietly_on_a_closed_stdout() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("conform.json");
    let (url, path) = (server.url(""), json.to_str().unwrap().to_owned());
    let output = tokio::task::spawn_blocking(move || {
        with_closed_stdout(&["conform", "--target", &url, "--json", &path])
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        stderr.lines().count(),
        1,
        "the progress of the first check, then nothing: {stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(report["unfinished"], "stopped");
    assert_eq!(report["checks"].as_array().unwrap().len(), 1);
    let clock = server.get_json("/sandbox/v1/clock").await;
    assert_eq!(
        clock["offsetSeconds"], 0,
        "nothing more was done on the target"
    );
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
