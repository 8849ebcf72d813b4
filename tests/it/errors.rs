//! Every (operation, status, code) the specs document: once by its real
//! cause (failing SMS gateway, MFA engine or store wired in where the cause
//! is a backend), and once by the sandbox's `Prefer: error=`, which must
//! change no state.

use crate::support::*;
use async_trait::async_trait;
use otp_server::contract::{Api, Contract};
use otp_server::crypto::Draw;
use otp_server::mfa::{MfaCheck, MfaEngine, MfaError};
use otp_server::sms::{Sms, SmsError, SmsGateway};
use otp_server::store::*;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

struct DownSms;

#[async_trait]
impl SmsGateway for DownSms {
    async fn send(&self, _: &Sms) -> Result<(), SmsError> {
        Err(SmsError("carrier unreachable".into()))
    }
}

/// Issues fine; fails to verify (or to issue, when `issue_fails`).
struct DownMfa {
    issue_fails: bool,
}

#[async_trait]
impl MfaEngine for DownMfa {
    fn check(&self) -> MfaCheck {
        MfaCheck::Remote
    }
    async fn issue(&self, _: &str, _: Duration, _: &mut Draw) -> Result<String, MfaError> {
        if self.issue_fails {
            return Err(MfaError("CitiMFA timed out".into()));
        }
        Ok("ABCDEFGH".into())
    }
    async fn verify(&self, _: &str, _: &str) -> Result<bool, MfaError> {
        Err(MfaError("CitiMFA timed out".into()))
    }
    async fn revoke(&self, _: &str) -> Result<(), MfaError> {
        Ok(())
    }
}

struct DownStore;

fn down() -> StoreError {
    StoreError::Unavailable("connection refused".into())
}

#[async_trait]
impl ChallengeStore for DownStore {
    async fn issue(
        &self,
        _: Sending<'_>,
        _: &str,
        _: &Challenge,
        _: Duration,
        _: Millis,
    ) -> Result<SendDecision, StoreError> {
        Err(down())
    }
    async fn withdraw(&self, _: &Digest, _: &str) -> Result<(), StoreError> {
        Err(down())
    }
    async fn attempt(
        &self,
        _: &Digest,
        _: &str,
        _: &Candidate,
        _: &Lock,
        _: OnMatch,
        _: Millis,
    ) -> Result<Attempt, StoreError> {
        Err(down())
    }
    async fn settle(&self, _: &Digest, _: &str, _: bool, _: Millis) -> Result<Attempt, StoreError> {
        Err(down())
    }
    async fn certified_phone(
        &self,
        _: &str,
        _: Millis,
    ) -> Result<Option<CertifiedPhone>, StoreError> {
        Err(down())
    }
}

#[async_trait]
impl AuthStore for DownStore {
    async fn reserve_auth(
        &self,
        _: &AuthAttempt<'_>,
        _: Millis,
    ) -> Result<Option<Duration>, StoreError> {
        Err(down())
    }
    async fn forgive(&self, _: &AuthAttempt<'_>) -> Result<(), StoreError> {
        Err(down())
    }
}

#[async_trait]
impl Health for DownStore {
    async fn ping(&self) -> Result<(), StoreError> {
        Err(down())
    }
}

fn without(headers: &HeaderMap, name: &str) -> HeaderMap {
    let mut headers = headers.clone();
    headers.remove(name);
    headers
}

fn with(headers: &HeaderMap, name: &'static str, value: &str) -> HeaderMap {
    let mut headers = headers.clone();
    headers.insert(name, HeaderValue::from_str(value).unwrap());
    headers
}

fn validate_body(phone: &str, otp: &str) -> serde_json::Value {
    json!({"encryptedOtpToken": b64(otp), "phone": rao_phone_body(phone)})
}

#[tokio::test]
async fn rao_errors_by_their_real_causes() {
    let server = TestServer::start().await;
    let h = server.rao_headers("sandbox", "rao-errors").await;
    let generate = format!("{RAO}/generate");
    let validate = format!("{RAO}/validate");
    let certified = format!("{RAO}/certified-phone");
    let body = || Some(rao_phone_body("5500000011"));
    for path in [&generate, &validate, &certified] {
        let body = if *path == validate {
            Some(validate_body("5500000011", "123456"))
        } else if *path == certified {
            None
        } else {
            body()
        };
        assert_error(
            server.post(path, &without(&h, "sid"), body.clone()).await,
            400,
            "error",
            "invalidRequest",
            "sid",
        )
        .await;
        assert_error(
            server
                .post(path, &without(&h, "Authorization"), body.clone())
                .await,
            401,
            "error",
            "unAuthorized",
            "Authorization",
        )
        .await;
        assert_error(
            server
                .post(path, &with(&h, "channelId", "ATM"), body.clone())
                .await,
            403,
            "error",
            "accessNotConfigured",
            "channelId",
        )
        .await;
    }
    // 404: validate and certified-phone with nothing generated.
    assert_error(
        server
            .post(&validate, &h, Some(validate_body("5500000011", "123456")))
            .await,
        404,
        "error",
        "resourceNotFound",
        "sid",
    )
    .await;
    assert_error(
        server.post(&certified, &h, None).await,
        404,
        "error",
        "resourceNotFound",
        "sid",
    )
    .await;
    // 422: generate throttled, validate wrong.
    assert_eq!(server.post(&generate, &h, body()).await.status(), 204);
    assert_error(
        server.post(&generate, &h, body()).await,
        422,
        "error",
        "businessValidationFailed",
        "encryptedPhoneNumber",
    )
    .await;
    assert_error(
        server
            .post(&validate, &h, Some(validate_body("5500000011", "abc")))
            .await,
        422,
        "error",
        "businessValidationFailed",
        "encryptedOtpToken",
    )
    .await;
}

#[tokio::test]
async fn rao_server_unavailable_when_the_store_or_sms_fails() {
    let server = TestServer::builder()
        .store(Arc::new(DownStore))
        .start()
        .await;
    let h = server.rao_headers("sandbox", "rao-down").await;
    for (path, body) in [
        ("generate", Some(rao_phone_body("5500000002"))),
        ("validate", Some(validate_body("5500000002", "123456"))),
        ("certified-phone", None),
    ] {
        let response = server.post(&format!("{RAO}/{path}"), &h, body).await;
        let error = assert_error(response, 500, "fatal", "serverUnavailable", "server").await;
        assert!(
            !error["details"].as_str().unwrap().contains("refused"),
            "cause leaked: {error}"
        );
    }
    let server = TestServer::builder().sms(Arc::new(DownSms)).start().await;
    let h = server.rao_headers("sandbox", "rao-sms-down").await;
    let response = server.rao_generate(&h, "5500000003").await;
    assert_error(response, 500, "fatal", "serverUnavailable", "server").await;
}

#[tokio::test]
async fn telemarketing_errors_by_their_real_causes() {
    let server = TestServer::start().await;
    let h = server.tm_headers("sandbox").await;
    let generate = format!("{TM}/generate");
    let body = Some(tm_body("c1", "5500000004"));
    assert_error(
        server
            .post(&generate, &without(&h, "Accept-Language"), body.clone())
            .await,
        400,
        "invalid",
        "invalidRequest",
        "Accept-Language",
    )
    .await;
    assert_error(
        server
            .post(
                &generate,
                &with(&h, "Authorization", "Bearer nope"),
                body.clone(),
            )
            .await,
        401,
        "error",
        "unAuthorized",
        "Authorization",
    )
    .await;
    assert_error(
        server
            .post(&generate, &with(&h, "countryCode", "US"), body.clone())
            .await,
        403,
        "invalid",
        "accessNotConfigured",
        "countryCode",
    )
    .await;
    let (sid, _) = server.tm_generate(&h, "c1", "5500000004").await;
    let otp = server.last_otp("5500000004").await;
    let validate = with(&h, "sid", &sid);
    let path = format!("{TM}/validate");
    let vbody = |otp: &str| Some(json!({"customerId": "c1", "oneTimePasswordToken": otp}));
    assert_error(
        server
            .post(&path, &without(&validate, "sid"), vbody(&otp))
            .await,
        400,
        "invalid",
        "invalidRequest",
        "sid",
    )
    .await;
    assert_error(
        server
            .post(&path, &without(&validate, "Authorization"), vbody(&otp))
            .await,
        401,
        "error",
        "unAuthorized",
        "Authorization",
    )
    .await;
    assert_error(
        server
            .post(&path, &with(&validate, "businessCode", "XYZ"), vbody(&otp))
            .await,
        403,
        "invalid",
        "accessNotConfigured",
        "businessCode",
    )
    .await;
    assert_error(
        server.post(&path, &validate, vbody("00000000000")).await,
        400,
        "error",
        "OTP Token Invalid",
        "oneTimePasswordToken",
    )
    .await;
    assert_eq!(
        server.post(&path, &validate, vbody(&otp)).await.status(),
        200
    );
    // OTP Token Expired: see telemarketing_flow::expired_otp_is_refused_as_expired.
}

#[tokio::test]
async fn telemarketing_backend_failures() {
    let sms_down = TestServer::builder().sms(Arc::new(DownSms)).start().await;
    let h = sms_down.tm_headers("sandbox").await;
    let response = sms_down
        .post(
            &format!("{TM}/generate"),
            &h,
            Some(tm_body("c", "5500000005")),
        )
        .await;
    assert_error(response, 400, "error", "smsDeliveryFailed", "phoneNumber").await;

    let mfa_down = TestServer::builder()
        .mfa(Arc::new(DownMfa { issue_fails: true }))
        .start()
        .await;
    let h = mfa_down.tm_headers("sandbox").await;
    let response = mfa_down
        .post(
            &format!("{TM}/generate"),
            &h,
            Some(tm_body("c", "5500000006")),
        )
        .await;
    assert_error(response, 500, "error", "backendError", "server").await;

    let verify_down = TestServer::builder()
        .mfa(Arc::new(DownMfa { issue_fails: false }))
        .start()
        .await;
    let h = verify_down.tm_headers("sandbox").await;
    let (sid, _) = verify_down.tm_generate(&h, "c", "5500000007").await;
    let otp = verify_down.last_otp("5500000007").await;
    let response = verify_down.tm_validate(&h, &sid, "c", &otp).await;
    assert_error(response, 500, "error", "backendError", "server").await;

    let store_down = TestServer::builder()
        .store(Arc::new(DownStore))
        .start()
        .await;
    let h = store_down.tm_headers("sandbox").await;
    let response = store_down
        .post(
            &format!("{TM}/generate"),
            &h,
            Some(tm_body("c", "5500000008")),
        )
        .await;
    assert_error(response, 500, "fatal", "serverUnavailable", "server").await;
    let response = store_down
        .tm_validate(&h, &"0123456789abcdef".repeat(4), "c", "ABCDEFGHIJK")
        .await;
    assert_error(response, 500, "fatal", "serverUnavailable", "server").await;
}

/// Every documented row of every OTP operation, forced by `Prefer`, with
/// the spec's status and type; afterwards the real flow still works.
#[tokio::test]
async fn prefer_forces_every_documented_error_and_changes_nothing() {
    let server = TestServer::start().await;
    let contract = Contract::get().unwrap();
    let rao = server.rao_headers("sandbox", "prefer").await;
    let tm = with(&server.tm_headers("sandbox").await, "sid", "prefer");
    let mut forced = 0;
    let mut documented = 0;
    for op in contract
        .operations()
        .iter()
        .filter(|op| op.api != Api::Token)
    {
        documented += op.errors.len();
        let (headers, body) = match op.api {
            Api::Rao => (&rao, Some(rao_phone_body("5500000009"))),
            _ => (&tm, Some(tm_body("p", "5500000009"))),
        };
        for row in &op.errors {
            let prefer = with(headers, "prefer", &format!("error=\"{}\"", row.code));
            let response = server.post(&op.path, &prefer, body.clone()).await;
            let applied = response
                .headers()
                .get("preference-applied")
                .map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(applied, Some(format!("error=\"{}\"", row.code)));
            let status = response.status().as_u16();
            let error: serde_json::Value = response.json().await.unwrap();
            assert_eq!(
                (
                    status,
                    error["type"].as_str().unwrap(),
                    error["code"].as_str().unwrap()
                ),
                (row.status, row.kind.as_str(), row.code.as_str()),
                "{}",
                op.path
            );
            forced += 1;
        }
    }
    assert!(documented > 0);
    assert_eq!(forced, documented);
    assert!(
        server.outbox("+525500000009").await.is_empty(),
        "a forced error sent an SMS"
    );
    assert!(
        server.outbox("5500000009").await.is_empty(),
        "a forced error sent an SMS"
    );
    assert_eq!(server.rao_generate(&rao, "5500000009").await.status(), 204);

    let unknown = server
        .post(
            &format!("{RAO}/generate"),
            &with(&rao, "prefer", "error=backendError"),
            Some(rao_phone_body("5500000010")),
        )
        .await;
    assert_error(unknown, 400, "error", "invalidRequest", "Prefer").await;
}
