//! What a run changes on the target, said at its end: the sandbox clock
//! moved (exactly what the target's clock shows), the kit's client locked
//! out; `--no-clock` leaves the clock alone and skips, with the reason, the
//! checks that need time to pass. And `otp-server token --target` mints a
//! token live on a sandbox whose clock was moved.

use super::*;
use crate::support::{headers, TestServer, RAO, RAO_UUID};
use serde_json::{json, Value};
use std::process::Command;

async fn offset(server: &TestServer) -> u64 {
    server.get_json("/sandbox/v1/clock").await["offsetSeconds"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn the_report_says_how_far_the_run_moved_the_sandbox_clock() {
    let server = TestServer::start().await;
    let only = [
        "semantics.rao.expiry",
        "flows.rao.resend-replaces",
        "auth.token.lockout",
    ];
    let report = run(options(&server.url(""), &only), Extras::default()).await;
    assert!(report.conforms(), "{}", report.summary());
    let changes = &report.changes;
    assert_eq!(changes.clock_advanced_secs, offset(&server).await);
    assert_eq!(changes.clock_advanced_secs, 301 + 31 + 61);
    assert_eq!(changes.clock_moves, 3);
    assert_eq!(changes.client_locked_out.as_deref(), Some("sandbox"));
    assert!(changes.lockout_released);
    let summary = report.summary();
    assert!(
        summary.contains("its sandbox clock moved forward 393 s in 3 steps"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "client sandbox locked out of the token endpoint by auth.token.lockout, then released"
        ),
        "{summary}"
    );
    let json: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["changes"]["clock_advanced_secs"], 393);
}

#[tokio::test]
async fn no_clock_leaves_the_sandbox_clock_alone_and_skips_what_needs_time() {
    let server = TestServer::start().await;
    let only = [
        "semantics.rao.expiry",
        "flows.rao.resend-replaces",
        "semantics.rao.send-interval",
        "auth.token.lockout",
    ];
    let mut options = options(&server.url(""), &only);
    options.move_clock = false;
    let report = run(options, Extras::default()).await;
    assert_eq!(offset(&server).await, 0, "the clock was not moved");
    for name in ["semantics.rao.expiry", "flows.rao.resend-replaces"] {
        match &result(&report, name).outcome {
            Outcome::Skip { reason } => assert!(
                reason.contains("needs") && reason.contains("--no-clock"),
                "{name}: {reason}"
            ),
            other => panic!("{name}: {other:?}"),
        }
    }
    assert_passed(&report, "semantics.rao.send-interval");
    assert_passed(&report, "auth.token.lockout");
    let changes = &report.changes;
    assert_eq!(
        (
            changes.clock_advanced_secs,
            changes.clock_left_alone.as_deref()
        ),
        (0, Some("--no-clock"))
    );
    assert!(!changes.lockout_released);
    let summary = report.summary();
    assert!(
        summary.contains("its sandbox clock left alone (--no-clock)")
            && summary.contains(
                "locked out of the token endpoint by auth.token.lockout until its minute ends"
            ),
        "{summary}"
    );
}

#[tokio::test]
async fn the_command_says_what_it_changed_and_takes_no_clock() {
    let server = TestServer::start().await;
    let args = [
        "--target",
        &server.url(""),
        "--only",
        "semantics.*.expiry",
        "--no-clock",
    ];
    let output = super::command::conform(args.iter().map(|s| s.to_string()).collect()).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("SKIP  semantics.rao.expiry") && stdout.contains("--no-clock"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("changed on {}:", server.url("")))
            && stdout.contains("its sandbox clock left alone (--no-clock)")
            && stdout.contains("no phone reset"),
        "{stdout}"
    );
}

/// `otp-server token --client sandbox [--target URL]`.
async fn mint(target: Option<String>) -> String {
    tokio::task::spawn_blocking(move || {
        let mut command = Command::new(env!("CARGO_BIN_EXE_otp-server"));
        command.args(["token", "--client", "sandbox"]);
        if let Some(url) = target {
            command.args(["--target", &url]);
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    })
    .await
    .unwrap()
}

/// The status of certified-phone with `token`: 401 when the token is not live.
async fn with_token(server: &TestServer, token: &str) -> u16 {
    let h = headers(&[
        ("client_id", "sandbox"),
        ("Authorization", &format!("Bearer {token}")),
        ("Accept", "application/json"),
        ("Content-Type", "application/json"),
        ("uuid", RAO_UUID),
        ("countryCode", "MX"),
        ("businessCode", "GCB"),
        ("channelId", "MOBILE"),
        ("sid", "token-target"),
    ]);
    let path = format!("{RAO}/certified-phone");
    server.post(&path, &h, None).await.status().as_u16()
}

#[tokio::test]
async fn a_token_minted_with_target_is_live_on_a_moved_sandbox_clock() {
    let server = TestServer::start().await;
    let moved = server
        .http
        .post(server.url("/sandbox/v1/clock"))
        .header("content-type", "application/json")
        .body(json!({"advanceSeconds": 7200}).to_string())
        .send()
        .await
        .unwrap();
    assert!(moved.status().is_success());
    let stale = mint(None).await;
    assert_eq!(
        with_token(&server, &stale).await,
        401,
        "expired on the moved clock"
    );
    let live = mint(Some(server.url(""))).await;
    assert_eq!(
        with_token(&server, &live).await,
        404,
        "authenticated: no certified phone"
    );
}

#[tokio::test]
async fn token_target_that_is_not_a_sandbox_is_one_clear_error() {
    let port = crate::processes::free_port();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_otp-server"))
            .args(["token", "--client", "sandbox", "--target"])
            .arg(format!("http://127.0.0.1:{port}"))
            .env("RUST_BACKTRACE", "1")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("GET /sandbox/v1/clock") && stderr.contains("Connection refused"),
        "{stderr}"
    );
}
