//! The validation proxy: transparent in front of otp-server (zero response
//! violations over whole flows of both APIs and over a conformance run),
//! reporting in front of broken servers without changing their answers,
//! enforcing with the gate's answers, and its report on exit; bounded and
//! strict towards clients and upstreams (`bounded`).

mod bounded;

use crate::conform::broken::{self, Defect};
use crate::conform::options;
use crate::support::*;
use otp_server::conform::Extras;
use otp_server::conform::Outcome;
use otp_server::proxy::{Direction, Proxy, ProxyOptions, ProxyReport};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::sync::oneshot;

/// A proxy on a free port; stopping it returns its report.
pub struct Running {
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    done: tokio::task::JoinHandle<ProxyReport>,
}

async fn proxy(upstream: &str, enforce: bool, report: Option<std::path::PathBuf>) -> Running {
    let options = ProxyOptions {
        enforce,
        report,
        timeout: Duration::from_secs(10),
        print_violations: false,
        ..ProxyOptions::new(upstream)
    };
    start(options).await
}

/// Serves `options` on a free port.
pub async fn start(options: ProxyOptions) -> Running {
    let proxy = Proxy::new(options).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(async move {
        proxy
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await
            .unwrap()
    });
    Running { addr, stop, done }
}

impl Running {
    async fn finish(self) -> ProxyReport {
        self.stop.send(()).unwrap();
        self.done.await.unwrap()
    }

    async fn violations(&self) -> Value {
        reqwest::get(format!("http://{}/proxy/v1/violations", self.addr))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn in_front_of_otp_server_whole_flows_with_errors_raise_no_violation() {
    let server = TestServer::start().await;
    let running = proxy(&server.url(""), false, None).await;
    let via = TestServer::at(running.addr);
    let rao = via.rao_headers("sandbox", "proxy-flow").await;
    assert_eq!(via.rao_generate(&rao, "5512000001").await.status(), 204);
    let otp = server.last_otp("+525512000001").await;
    assert_eq!(
        via.rao_validate(&rao, "5512000001", "000000")
            .await
            .status(),
        422
    );
    let right = via.rao_validate(&rao, "5512000001", &otp).await;
    assert!(right.headers().get("contract-violations").is_none());
    assert_eq!(right.status(), 204);
    assert_eq!(
        via.rao_validate(&rao, "5512000001", &otp).await.status(),
        404
    );
    assert_eq!(
        via.post(&format!("{RAO}/certified-phone"), &rao, None)
            .await
            .status(),
        200
    );
    assert_eq!(
        via.rao_generate(&rao, "5512000001").await.status(),
        422,
        "throttled"
    );
    let tm = via.tm_headers("sandbox-aes").await;
    let (sid, _) = via.tm_generate(&tm, "c1", "5512000002").await;
    let otp = server.last_otp("5512000002").await;
    assert_eq!(via.tm_validate(&tm, &sid, "c2", &otp).await.status(), 400);
    assert_eq!(via.tm_validate(&tm, &sid, "c1", &otp).await.status(), 200);
    assert_eq!(via.tm_validate(&tm, &sid, "c1", &otp).await.status(), 400);
    let forced = headers(&[("prefer", "error=\"OTP Token Expired\"")]);
    let mut tm = tm.clone();
    tm.extend(forced);
    assert_eq!(via.tm_validate(&tm, &sid, "c1", &otp).await.status(), 400);
    let listed = running.violations().await;
    assert_eq!(listed["count"], 0, "{listed}");
    assert!(listed["exchanges"].as_u64().unwrap() >= 12, "{listed}");
}

#[tokio::test]
async fn a_conformance_run_through_the_proxy_passes_and_only_its_own_bad_requests_are_reported() {
    let server = TestServer::start().await;
    let running = proxy(&server.url(""), false, None).await;
    let report = crate::conform::run(
        options(&format!("http://{}", running.addr), &[]),
        Extras::default(),
    )
    .await;
    for result in &report.results {
        assert!(
            matches!(result.outcome, Outcome::Pass),
            "{}: {:?}",
            result.name,
            result.outcome
        );
    }
    let found = running.finish().await;
    let responses: Vec<_> = found
        .log
        .violations
        .iter()
        .filter(|v| v.direction == Direction::Response)
        .collect();
    assert!(responses.is_empty(), "{responses:#?}");
    assert!(
        found.log.count > 20,
        "the kit's deliberately bad requests are reported: {}",
        found.log.count
    );
}

#[tokio::test]
async fn in_front_of_broken_servers_it_reports_without_changing_their_answers() {
    let dropped = broken::start(Defect::DropsSid).await;
    let running = proxy(&dropped.url(), false, None).await;
    let via = TestServer::at(running.addr);
    let h = via.tm_headers("sandbox").await;
    let response = via
        .post(
            &format!("{TM}/generate"),
            &h,
            Some(tm_body("c1", "5512000003")),
        )
        .await;
    assert_eq!(response.status(), 200, "the upstream's answer");
    let summary = response.headers()["contract-violations"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        summary.starts_with("1; response sid: the spec declares a sid response header"),
        "{summary}"
    );
    assert_eq!(
        response.json::<Value>().await.unwrap()["oneTimePasswordToken"]
            .as_str()
            .unwrap()
            .len(),
        3
    );

    let rows = broken::start(Defect::UndocumentedErrors).await;
    let running = proxy(&rows.url(), false, None).await;
    let via = TestServer::at(running.addr);
    let h = via.rao_headers("sandbox", "proxy-rows").await;
    let response = via.rao_validate(&h, "5512000004", "123456").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.json::<Value>().await.unwrap()["type"],
        "warn",
        "the upstream's body, unchanged"
    );
    let listed = running.violations().await;
    assert_eq!(listed["violations"][0]["location"], "body.code", "{listed}");
    let details = listed["violations"][0]["details"].as_str().unwrap();
    assert!(
        details.contains("(404, warn, resourceNotFound) is not a documented row of validateRaoOtp"),
        "{details}"
    );
    assert_eq!(listed["violations"][0]["operation"], "validateRaoOtp");
}

#[tokio::test]
async fn a_422_for_a_missing_header_is_reported_and_enforce_answers_the_gates_400() {
    let server = broken::start(Defect::MissingHeader422).await;
    let reporting = proxy(&server.url(), false, None).await;
    let via = TestServer::at(reporting.addr);
    let mut h = via.rao_headers("sandbox", "proxy-422").await;
    h.remove("sid");
    let response = via.rao_generate(&h, "5512000005").await;
    assert_eq!(
        response.status(),
        422,
        "reported, forwarded, the upstream's answer kept"
    );
    let listed = reporting.violations().await;
    let found: Vec<(&str, &str)> = listed["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["direction"].as_str().unwrap(),
                v["location"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [("request", "sid"), ("response", "status")],
        "{listed}"
    );
    assert!(
        listed["violations"][1]["details"]
            .as_str()
            .unwrap()
            .contains("must be refused 400 invalidRequest"),
        "{listed}"
    );

    let enforcing = proxy(&server.url(), true, None).await;
    let via = TestServer::at(enforcing.addr);
    let response = via.rao_generate(&h, "5512000005").await;
    assert!(response.headers().contains_key("contract-violations"));
    assert_error(response, 400, "error", "invalidRequest", "sid").await;
    h.remove("Authorization");
    let response = via.rao_generate(&h, "5512000005").await;
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn base_path_is_honoured_and_the_report_is_written_on_exit() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("violations.json");
    let running = proxy(&server.url(""), false, Some(path.clone())).await;
    let via = TestServer::at(running.addr);
    let h = via.tm_headers("sandbox").await;
    let unknown = via
        .post(
            "/api/v1/x-global/security/tele-marketing/otp/resend",
            &h,
            Some(json!({})),
        )
        .await;
    assert_eq!(unknown.status(), 404);
    let outside = reqwest::get(via.url("/health/live")).await.unwrap();
    assert!(
        outside.headers().get("contract-violations").is_none(),
        "paths outside basePath are not the specs'"
    );
    running.finish().await;
    let report: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(report["count"], 1, "{report}");
    assert_eq!(report["violations"][0]["location"], "path");
    assert!(report["violations"][0]["details"]
        .as_str()
        .unwrap()
        .contains("no operation at /api/v1/x-global/security/tele-marketing/otp/resend"));
}

#[tokio::test]
async fn a_mock_with_placeholder_errors_is_reported_non_conforming() {
    let mock = broken::start(Defect::PlaceholderMock).await;
    let running = proxy(&mock.url(), false, None).await;
    let via = TestServer::at(running.addr);
    let mut h = headers(&[
        ("client_id", "sandbox"),
        ("Authorization", "Bearer string"),
        ("uuid", RAO_UUID),
    ]);
    h.insert("content-type", "application/json".parse().unwrap());
    let response = via
        .post(&format!("{RAO}/validate"), &h, Some(json!({})))
        .await;
    assert_eq!(response.status(), 400);
    let listed = running.violations().await;
    let locations: Vec<&str> = listed["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["location"].as_str().unwrap())
        .collect();
    assert!(
        locations.contains(&"body.type")
            && locations.contains(&"body.code")
            && locations.contains(&"body"),
        "{listed}"
    );
}

#[tokio::test]
async fn the_command_writes_its_report_on_sigterm() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let port = crate::processes::free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_otp-server"))
        .args([
            "proxy",
            "--upstream",
            &server.url(""),
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--report",
            path.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/api/v1/nothing");
    let mut answered = None;
    for _ in 0..100 {
        if let Ok(response) = reqwest::Client::new().post(&url).send().await {
            answered = Some(response.status());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(answered.map(|s| s.as_u16()), Some(404));
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let output = tokio::task::spawn_blocking(move || {
        let status = child.wait().unwrap();
        let mut out = String::new();
        std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
        (status, out)
    })
    .await
    .unwrap();
    assert!(output.0.success());
    let line: Value = serde_json::from_str(output.1.lines().next().unwrap()).unwrap();
    assert_eq!(
        (line["direction"].as_str(), line["location"].as_str()),
        (Some("request"), Some("path"))
    );
    let report: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(report["count"], 1);
}

#[tokio::test]
async fn the_command_stops_quietly_and_writes_its_report_when_stdout_is_closed() {
    let server = TestServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let port = crate::processes::free_port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_otp-server"))
        .args([
            "proxy",
            "--upstream",
            &server.url(""),
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--report",
            path.to_str().unwrap(),
        ])
        .env("RUST_BACKTRACE", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // whoever read the violation lines went away
    let url = format!("http://127.0.0.1:{port}/api/v1/nothing");
    for _ in 0..100 {
        if reqwest::Client::new().post(&url).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let output = tokio::task::spawn_blocking(move || {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while child.try_wait().unwrap().is_none() {
            assert!(std::time::Instant::now() < deadline, "the proxy still runs");
            std::thread::sleep(Duration::from_millis(20));
        }
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(report["count"], 1, "{report}");
}
