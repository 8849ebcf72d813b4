//! What operators rely on: `/metrics` counts what a flow did, health answers.

use crate::support::*;

fn value(metrics: &str, line_start: &str) -> f64 {
    metrics
        .lines()
        .find(|l| l.starts_with(line_start))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_count_a_flow() {
    let server = TestServer::start().await;
    let headers = server.rao_headers("sandbox", "metrics").await;
    server.rao_generate(&headers, "5530000001").await;
    let otp = server.last_otp("+525530000001").await;
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    server.rao_validate(&headers, "5530000001", wrong).await;
    assert_eq!(
        server
            .rao_validate(&headers, "5530000001", &otp)
            .await
            .status(),
        204
    );

    let response = server
        .http
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let metrics = response.text().await.unwrap();
    // The server's own recorder: exactly what this flow did, nothing else.
    for (series, expected) in [
        (
            r#"otp_http_requests_total{operation="issueToken",status="200"}"#,
            1.0,
        ),
        (
            r#"otp_http_requests_total{operation="generateRaoOtp",status="204"}"#,
            1.0,
        ),
        (
            r#"otp_http_requests_total{operation="validateRaoOtp",status="204"}"#,
            1.0,
        ),
        (
            r#"otp_http_requests_total{operation="validateRaoOtp",status="422"}"#,
            1.0,
        ),
        (
            r#"otp_http_requests_total{operation="-",status="200"}"#,
            1.0,
        ),
        (r#"otp_generated_total{api="rao"}"#, 1.0),
        (r#"otp_validated_total{api="rao"}"#, 1.0),
        (r#"otp_rejected_total{api="rao",reason="invalid"}"#, 1.0),
        ("otp_sms_sent_total", 1.0),
        (
            r#"otp_http_request_duration_seconds_count{operation="generateRaoOtp"}"#,
            1.0,
        ),
        (
            r#"otp_store_call_duration_seconds_count{call="issue"}"#,
            1.0,
        ),
        (
            r#"otp_store_call_duration_seconds_count{call="attempt"}"#,
            2.0,
        ),
    ] {
        assert_eq!(value(&metrics, series), expected, "{series} in:\n{metrics}");
    }
    // The outbox is the sandbox's, not the store's: the production store
    // saw the flow's steps only.
    for absent in [
        r#"otp_store_call_duration_seconds_count{call="outbox"}"#,
        r#"otp_store_call_duration_seconds_count{call="push_outbox"}"#,
        "otp_throttled_total",
        "otp_sms_failed_total",
        "otp_store_errors_total",
    ] {
        assert_eq!(value(&metrics, absent), 0.0, "{absent} in:\n{metrics}");
    }
}

#[tokio::test]
async fn health_endpoints() {
    let server = TestServer::start().await;
    for path in ["/health/live", "/health/ready"] {
        let response = server.http.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
    }
}
