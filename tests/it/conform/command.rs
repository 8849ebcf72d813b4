//! `otp-server conform` as a user runs it: exit status, progress on
//! stderr, a line per check and the summary on stdout, `--junit`/`--json`.

use super::broken::{self, Defect};
use crate::support::TestServer;
use std::process::{Command, Output};

/// Runs `otp-server conform ARGS` to its end.
pub async fn conform(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_otp-server"))
            .arg("conform")
            .args(args)
            .output()
            .unwrap()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn the_command_exits_0_when_the_checks_pass_and_writes_both_reports() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (junit, json) = (
        dir.path().join("conform.xml"),
        dir.path().join("conform.json"),
    );
    let args = [
        "--target",
        &server.url(""),
        "--only",
        "flows,contract.rao",
        "--skip",
        "*.resend-*",
        "--junit",
        junit.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ];
    let output = conform(args.iter().map(|s| s.to_string()).collect()).await;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("PASS  flows.rao.single-use") && stdout.contains("CONFORMS"),
        "{stdout}"
    );
    assert!(
        stderr.contains("flows.rao.single-use"),
        "progress on stderr: {stderr}"
    );
    let xml = std::fs::read_to_string(junit).unwrap();
    assert!(
        xml.contains("<testcase classname=\"flows\" name=\"flows.rao.single-use\""),
        "{xml}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    assert_eq!(report["conforms"], true);
    assert!(report["deselected"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn the_command_exits_1_and_names_the_failures_against_a_mock() {
    let mock = broken::start(Defect::PlaceholderMock).await;
    let output = conform(vec!["--target".into(), mock.url()]).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL  flows.rao.no-challenge"), "{stdout}");
    assert!(
        stdout.contains(
            "expected: validate on a sid that never generated: 404 error/resourceNotFound"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("DOES NOT CONFORM"), "{stdout}");
}

#[tokio::test]
async fn list_names_every_check_with_its_rule() {
    let output = conform(vec!["--list".into()]).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(stdout.lines().count() >= 40, "{stdout}");
    assert!(
        stdout.lines().all(|l| l.contains(" docs/BEHAVIOUR.md#")),
        "{stdout}"
    );
    assert!(!stdout.contains(concat!("PROD", "UCT")), "{stdout}");
}
