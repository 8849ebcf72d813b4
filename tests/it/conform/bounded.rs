//! A conformance run is bounded: a target that is down is one preflight
//! error, not a failure per check; a target that stops answering cannot
//! hold the run past its `--deadline`. Over real sockets, with the real
//! binary.

use super::command::conform;
use super::*;
use crate::processes::free_port;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// A listener that accepts every connection and never answers.
async fn silent_listener() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    addr
}

/// A target that issues tokens and then never answers anything else.
async fn answers_only_tokens() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let service = hyper::service::service_fn(
                |req: Request<hyper::body::Incoming>| async move {
                    if req.uri().path() != "/api/v1/oauth/token" {
                        std::future::pending::<()>().await;
                    }
                    let body = r#"{"access_token":"t","token_type":"Bearer","expires_in":3600,"scope":"/api/v1"}"#;
                    let mut response = Response::new(Full::new(Bytes::from(body)));
                    response
                        .headers_mut()
                        .insert("content-type", "application/json".parse().unwrap());
                    Ok::<_, std::convert::Infallible>(response)
                },
            );
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    addr
}

/// The run ended with exit status 1 and one line on stderr, nothing on stdout.
fn one_preflight_error(output: &std::process::Output, cause: &str) {
    let (stdout, stderr) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    assert_eq!(stdout, "", "no check was run");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("otp-server: preflight: ") && stderr.contains("does not answer"),
        "{stderr}"
    );
    assert!(
        stderr.contains(cause) && stderr.contains("no check was run"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_target_that_accepts_and_never_answers_is_one_preflight_error() {
    let addr = silent_listener().await;
    let began = Instant::now();
    let output = conform(vec![
        "--target".into(),
        format!("http://{addr}"),
        "--timeout-ms".into(),
        "1000".into(),
    ])
    .await;
    one_preflight_error(&output, "no answer within 1s");
    assert!(
        began.elapsed() < Duration::from_secs(10),
        "{:?}",
        began.elapsed()
    );
}

#[tokio::test]
async fn a_target_that_never_answers_is_cut_by_the_deadline_even_at_the_default_timeout() {
    let addr = silent_listener().await;
    let began = Instant::now();
    let output = conform(vec![
        "--target".into(),
        format!("http://{addr}"),
        "--deadline".into(),
        "2".into(),
    ])
    .await;
    one_preflight_error(&output, "no answer within the run's deadline");
    assert!(
        began.elapsed() < Duration::from_secs(8),
        "{:?}",
        began.elapsed()
    );
}

#[tokio::test]
async fn a_closed_port_is_one_preflight_error() {
    let port = free_port();
    let began = Instant::now();
    let output = conform(vec!["--target".into(), format!("http://127.0.0.1:{port}")]).await;
    one_preflight_error(&output, "Connection refused");
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
}

#[tokio::test]
async fn a_target_that_stops_answering_cannot_hold_the_run_past_its_deadline() {
    let addr = answers_only_tokens().await;
    let began = Instant::now();
    let output = conform(vec![
        "--target".into(),
        format!("http://{addr}"),
        "--deadline".into(),
        "2".into(),
    ])
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        began.elapsed() < Duration::from_secs(8),
        "{:?}",
        began.elapsed()
    );
    assert!(
        stdout.contains("FAIL  contract.rao.required-headers")
            && stdout
                .contains("expected: the check to end within the run's deadline (2 s, --deadline)"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("FAIL ").count(), 1, "{stdout}");
    assert!(
        stdout.contains("DID NOT FINISH: the run's deadline (2 s, --deadline) passed; 39 not run"),
        "{stdout}"
    );
}

#[tokio::test]
async fn the_library_reports_the_checks_the_deadline_left_out() {
    let addr = answers_only_tokens().await;
    let mut options = options(&format!("http://{addr}"), &["flows.rao", "semantics.rao"]);
    options.deadline = Duration::from_secs(1);
    let report = run(options, Extras::default()).await;
    assert_eq!(report.unfinished, Some(Unfinished::Deadline));
    assert!(!report.conforms());
    assert_eq!(report.failures(), ["flows.rao.happy-path"]);
    let not_run = report.results.iter().filter(|r| r.not_run()).count();
    assert_eq!(not_run, report.results.len() - 1);
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["unfinished"], "deadline");
    assert_eq!(json["conforms"], false);
}
