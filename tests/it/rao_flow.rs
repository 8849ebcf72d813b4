//! The RAO flow through the outbox: generate, validate, certified-phone.

use crate::support::*;
use otp_server::cipher::Cipher;
use otp_server::config::decode_key;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn generate_validate_certify_then_replay_is_refused() {
    let server = TestServer::start().await;
    let headers = server.rao_headers("sandbox", "rao-flow-1").await;

    let response = server.rao_generate(&headers, "5512345678").await;
    assert_eq!(response.status(), 204);
    let sms = server.outbox("+525512345678").await;
    assert_eq!(sms.len(), 1);
    let otp = sms[0]["otp"].as_str().unwrap().to_owned();
    assert_eq!(otp.len(), 6);
    assert!(otp.bytes().all(|b| b.is_ascii_digit()));
    assert!(sms[0]["text"].as_str().unwrap().contains(&otp));

    let phone = server
        .post(&format!("{RAO}/certified-phone"), &headers, None)
        .await;
    assert_error(phone, 404, "error", "resourceNotFound", "sid").await;

    assert_eq!(
        server
            .rao_validate(&headers, "5512345678", &otp)
            .await
            .status(),
        204
    );
    let phone = server
        .post(&format!("{RAO}/certified-phone"), &headers, None)
        .await;
    assert_eq!(phone.status(), 200);
    let body: serde_json::Value = phone.json().await.unwrap();
    assert_eq!(
        body,
        json!({"phoneCountryCode": "+52", "phoneNumber": "5512345678"})
    );

    let replay = server.rao_validate(&headers, "5512345678", &otp).await;
    assert_error(replay, 404, "error", "resourceNotFound", "sid").await;
    assert_logs_free_of(&[&otp, "5512345678", "sandbox-secret"]);
}

#[tokio::test]
async fn aes_client_sends_sealed_phone_and_otp() {
    let server = TestServer::start().await;
    let headers = server.rao_headers("sandbox-aes", "rao-aes").await;
    let cipher =
        Cipher::aes_256_gcm(&decode_key("c2FuZGJveC1rZXktMDAwMDAwMDAwMDAwMDAwMDAwMDA=").unwrap());
    let phone = json!({"phoneCountryCode": "+52", "encryptedPhoneNumber": cipher.encrypt("5587654321").unwrap()});

    let plain = server.rao_generate(&headers, "5587654321").await;
    assert_error(
        plain,
        400,
        "error",
        "invalidRequest",
        "encryptedPhoneNumber",
    )
    .await;

    let generate = server
        .post(&format!("{RAO}/generate"), &headers, Some(phone.clone()))
        .await;
    assert_eq!(generate.status(), 204);
    let otp = server.last_otp("+525587654321").await;
    let body = json!({"encryptedOtpToken": cipher.encrypt(&otp).unwrap(), "phone": phone});
    assert_eq!(
        server
            .post(&format!("{RAO}/validate"), &headers, Some(body))
            .await
            .status(),
        204
    );
    assert_logs_free_of(&[&otp, "5587654321"]);
}

#[tokio::test]
async fn wrong_attempts_burn_the_challenge() {
    let server = TestServer::start().await;
    let headers = server.rao_headers("sandbox", "rao-lockout").await;
    server.rao_generate(&headers, "5511112222").await;
    let otp = server.last_otp("+525511112222").await;
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    for left in ["2 attempts left", "1 attempt left", "no attempts are left"] {
        let body = assert_error(
            server.rao_validate(&headers, "5511112222", wrong).await,
            422,
            "error",
            "businessValidationFailed",
            "encryptedOtpToken",
        )
        .await;
        assert!(body["details"].as_str().unwrap().contains(left), "{body}");
    }
    let burnt = server.rao_validate(&headers, "5511112222", &otp).await;
    assert_error(burnt, 404, "error", "resourceNotFound", "sid").await;
}

#[tokio::test]
async fn expired_otp_is_refused_as_expired() {
    let server = TestServer::start().await;
    let headers = server.rao_headers("short-lived", "rao-expiry").await;
    server.rao_generate(&headers, "5533334444").await;
    let otp = server.last_otp("+525533334444").await;
    server.advance(Duration::from_millis(1_100));
    assert_rao_expired(server.rao_validate(&headers, "5533334444", &otp).await).await;
}

#[tokio::test]
async fn another_phone_has_no_challenge_and_is_not_counted() {
    let server = TestServer::start().await;
    let headers = server.rao_headers("sandbox", "rao-other-phone").await;
    server.rao_generate(&headers, "5555556666").await;
    let otp = server.last_otp("+525555556666").await;
    for _ in 0..4 {
        let other = server.rao_validate(&headers, "5599998888", &otp).await;
        assert_error(other, 404, "error", "resourceNotFound", "sid").await;
    }
    assert_eq!(
        server
            .rao_validate(&headers, "5555556666", &otp)
            .await
            .status(),
        204
    );
}

#[tokio::test]
async fn resend_replaces_the_otp() {
    let server = TestServer::start().await;
    let headers = server.rao_headers("resender", "rao-resend").await;
    server.rao_generate(&headers, "5577778888").await;
    let first = server.last_otp("+525577778888").await;
    // A new OTP is the same as the old one once in a million: resend again then.
    let mut second = first.clone();
    for _ in 0..3 {
        assert_eq!(
            server.rao_generate(&headers, "5577778888").await.status(),
            204
        );
        second = server.last_otp("+525577778888").await;
        if second != first {
            break;
        }
    }
    assert_ne!(first, second, "three resends gave the same OTP");
    let old = server.rao_validate(&headers, "5577778888", &first).await;
    assert_error(
        old,
        422,
        "error",
        "businessValidationFailed",
        "encryptedOtpToken",
    )
    .await;
    assert_eq!(
        server
            .rao_validate(&headers, "5577778888", &second)
            .await
            .status(),
        204
    );
}

#[tokio::test]
async fn sends_to_one_phone_are_throttled() {
    let server = TestServer::start().await;
    let headers = server.rao_headers("sandbox", "rao-throttle").await;
    assert_eq!(
        server.rao_generate(&headers, "5544445555").await.status(),
        204
    );
    let again = server.rao_generate(&headers, "5544445555").await;
    assert_sent_moments_ago(again, Flow::Rao).await;
    assert_eq!(server.outbox("+525544445555").await.len(), 1);
}

#[tokio::test]
async fn wrong_attempts_across_otps_lock_the_phone() {
    let server = TestServer::start().await;
    let headers = server.rao_headers("resender", "rao-failures").await;
    server.rao_generate(&headers, "5566667777").await;
    let otp = server.last_otp("+525566667777").await;
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    for _ in 0..3 {
        server.rao_validate(&headers, "5566667777", wrong).await;
    }
    let locked = server.rao_generate(&headers, "5566667777").await;
    let body = assert_error(
        locked,
        422,
        "error",
        "businessValidationFailed",
        "encryptedPhoneNumber",
    )
    .await;
    assert!(
        body["details"].as_str().unwrap().contains("wrong OTPs"),
        "{body}"
    );
}
