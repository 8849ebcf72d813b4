//! The telemarketing flow through the outbox: generate (3 + 8 characters), validate.

use crate::support::*;
use std::time::Duration;

#[tokio::test]
async fn generate_then_validate_case_insensitively_then_replay_is_refused() {
    let server = TestServer::start().await;
    let headers = server.tm_headers("sandbox").await;
    let (sid, token) = server
        .tm_generate(&headers, "test_1234", "1111214678")
        .await;
    assert_eq!(sid.len(), 64);
    assert!(sid.bytes().all(|b| b.is_ascii_hexdigit()));
    let sms = server.outbox("1111214678").await;
    let otp = sms[0]["otp"].as_str().unwrap().to_owned();
    assert_eq!(otp.len(), 11);
    assert!(otp
        .bytes()
        .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()));
    assert_eq!(&otp[..3], token);
    let text = sms[0]["text"].as_str().unwrap();
    assert_eq!(
        text,
        format!("Citi Identification Code Service {otp} Reply HELP for help STOP to cancel")
    );

    let ok = server
        .tm_validate(&headers, &sid, "test_1234", &otp.to_lowercase())
        .await;
    assert_eq!(ok.status(), 200);
    let replay = server.tm_validate(&headers, &sid, "test_1234", &otp).await;
    assert_error(replay, 400, "invalid", "invalidRequest", "sid").await;
    assert_logs_free_of(&[&otp, &otp[3..], "1111214678"]);
}

#[tokio::test]
async fn another_customer_is_a_counted_wrong_attempt() {
    let server = TestServer::start().await;
    let headers = server.tm_headers("sandbox").await;
    let (sid, _) = server.tm_generate(&headers, "alice", "5512340001").await;
    let otp = server.last_otp("5512340001").await;
    let mallory = server.tm_validate(&headers, &sid, "mallory", &otp).await;
    let body = assert_error(
        mallory,
        400,
        "error",
        "OTP Token Invalid",
        "oneTimePasswordToken",
    )
    .await;
    assert!(
        body["details"]
            .as_str()
            .unwrap()
            .contains("2 attempts left"),
        "{body}"
    );
    assert_eq!(
        server
            .tm_validate(&headers, &sid, "alice", &otp)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn wrong_prefix_or_wrong_mfa_part_burn_the_session() {
    let server = TestServer::start().await;
    let headers = server.tm_headers("sandbox").await;
    let (sid, _) = server.tm_generate(&headers, "bob", "5512340002").await;
    let otp = server.last_otp("5512340002").await;
    let flip = |c: char| if c == 'A' { 'B' } else { 'A' };
    let wrong_prefix = format!("{}{}", flip(otp.chars().next().unwrap()), &otp[1..]);
    let wrong_suffix = format!("{}{}", &otp[..10], flip(otp.chars().last().unwrap()));
    for wrong in [&wrong_prefix, &wrong_suffix, &wrong_prefix] {
        let response = server.tm_validate(&headers, &sid, "bob", wrong).await;
        assert_error(
            response,
            400,
            "error",
            "OTP Token Invalid",
            "oneTimePasswordToken",
        )
        .await;
    }
    let burnt = server.tm_validate(&headers, &sid, "bob", &otp).await;
    assert_error(burnt, 400, "invalid", "invalidRequest", "sid").await;
}

#[tokio::test]
async fn expired_otp_is_refused_as_expired() {
    let server = TestServer::start().await;
    let headers = server.tm_headers("short-lived").await;
    let (sid, _) = server.tm_generate(&headers, "carol", "5512340003").await;
    let otp = server.last_otp("5512340003").await;
    server.advance(Duration::from_millis(1_100));
    let expired = server.tm_validate(&headers, &sid, "carol", &otp).await;
    assert_error(
        expired,
        400,
        "error",
        "OTP Token Expired",
        "oneTimePasswordToken",
    )
    .await;
}

#[tokio::test]
async fn concurrent_validates_of_one_otp_succeed_once() {
    let server = TestServer::start().await;
    let headers = server.tm_headers("sandbox").await;
    let (sid, _) = server.tm_generate(&headers, "dave", "5512340004").await;
    let otp = server.last_otp("5512340004").await;
    let attempts = (0..32).map(|_| server.tm_validate(&headers, &sid, "dave", &otp));
    let statuses = statuses_of(attempts).await;
    assert_eq!(
        statuses.iter().filter(|&&s| s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|&s| s == 200 || s == 400),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_message_longer_than_one_sms_is_refused() {
    let server = TestServer::start().await;
    let headers = server.tm_headers("sandbox").await;
    let mut body = tm_body("erin", "5512340005");
    body["messagePrefix"] = "A".repeat(120).into();
    let response = server
        .post(&format!("{TM}/generate"), &headers, Some(body))
        .await;
    let error = assert_error(response, 400, "invalid", "invalidRequest", "messagePrefix").await;
    assert!(
        error["details"].as_str().unwrap().contains("140"),
        "{error}"
    );
    assert!(server.outbox("5512340005").await.is_empty());
}

#[tokio::test]
async fn sends_to_one_phone_are_throttled() {
    let server = TestServer::start().await;
    let headers = server.tm_headers("sandbox").await;
    server.tm_generate(&headers, "frank", "5512340006").await;
    let again = server
        .post(
            &format!("{TM}/generate"),
            &headers,
            Some(tm_body("frank", "5512340006")),
        )
        .await;
    assert_error(again, 400, "invalid", "invalidRequest", "phoneNumber").await;
}

#[tokio::test]
async fn another_clients_sid_is_unknown() {
    let server = TestServer::start().await;
    let headers = server.tm_headers("sandbox").await;
    let (sid, _) = server.tm_generate(&headers, "gina", "5512340007").await;
    let otp = server.last_otp("5512340007").await;
    let other = server.tm_headers("sandbox-aes").await;
    let response = server.tm_validate(&other, &sid, "gina", &otp).await;
    assert_error(response, 400, "invalid", "invalidRequest", "sid").await;
    assert_eq!(
        server
            .tm_validate(&headers, &sid, "gina", &otp)
            .await
            .status(),
        200
    );
}

/// What the generated handler adds to an operation's answer, which clients
/// see: an `X-Span-ID` (the request context's span id) and, for body fields
/// the spec does not declare (accepted: Swagger 2.0 allows additional
/// properties), a `Warning` naming them as serde_ignored writes their paths.
#[tokio::test]
async fn the_generated_handler_adds_a_span_id_and_warns_of_unknown_fields() {
    let server = TestServer::start().await;
    let headers = server.tm_headers("sandbox").await;
    let generate = format!("{TM}/generate");
    let mut body = tm_body("span", "5512340077");
    body["extra"] = serde_json::json!({"nested": 1});
    let warned = server.post(&generate, &headers, Some(body)).await;
    assert_eq!(warned.status(), 200);
    assert_eq!(
        warned.headers()["warning"],
        r#"Ignoring unknown fields in body: ["?.extra"]"#
    );
    let plain = server
        .post(&generate, &headers, Some(tm_body("span", "5512340078")))
        .await;
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("warning").is_none());
    let spans = [&warned, &plain].map(|r| r.headers()["x-span-id"].to_str().unwrap().to_owned());
    for span in &spans {
        assert_eq!(span.len(), 21, "{span}");
    }
    assert_ne!(spans[0], spans[1], "one span id per request");
}
