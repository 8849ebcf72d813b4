//! The consumer testing kit: Pact provider states, test phones, reset, the
//! sandbox clock and the outbox filters — each across two instances on one
//! store (memory here, Redis in `make test-redis`), since a consumer's CI may
//! hit any instance behind a load balancer.

use crate::support::*;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

impl TestServer {
    async fn sandbox(&self, path: &str, body: Value) -> (u16, Value) {
        let url = self.url(&format!("/sandbox/v1/{path}"));
        let response = self.http.post(url).json(&body).send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn state(&self, state: &str, params: Value) -> Value {
        let body = json!({"state": state, "params": params, "action": "setup"});
        let (status, values) = self.sandbox("provider-states", body).await;
        assert_eq!(status, 200, "{state}: {values}");
        assert!(values["accessToken"].is_string(), "{values}");
        values
    }

    async fn teardown(&self, state: &str, params: Value) {
        let body = json!({"state": state, "params": params, "action": "teardown"});
        assert_eq!(
            self.sandbox("provider-states", body).await,
            (200, json!({}))
        );
    }

    async fn clock_now(&self) -> Value {
        self.get_json("/sandbox/v1/clock").await
    }
}

/// Headers with the state's token, as a pact's `fromProviderState` gives them.
fn with_token(headers: &HeaderMap, values: &Value) -> HeaderMap {
    let mut headers = headers.clone();
    let bearer = format!("Bearer {}", values["accessToken"].as_str().unwrap());
    headers.insert("authorization", HeaderValue::from_str(&bearer).unwrap());
    headers
}

#[tokio::test]
async fn rao_states_are_made_on_one_instance_and_used_on_the_other() {
    let (a, b) = two_instances().await;
    let params = json!({"sid": "pact-rao", "phoneCountryCode": "+52", "phoneNumber": "5550000001"});
    let sent = a.state("a RAO OTP was sent", params.clone()).await;
    assert_eq!(
        sent["encryptedOtpToken"],
        b64(sent["otp"].as_str().unwrap())
    );
    assert_eq!(sent["encryptedPhoneNumber"], b64("5550000001"));
    let h = with_token(&b.rao_headers("sandbox", "pact-rao").await, &sent);
    let body = json!({"encryptedOtpToken": sent["encryptedOtpToken"], "phone": {"phoneCountryCode": "+52", "encryptedPhoneNumber": sent["encryptedPhoneNumber"]}});
    let validated = b.post(&format!("{RAO}/validate"), &h, Some(body)).await;
    assert_eq!(validated.status(), 204);
    a.teardown("a RAO OTP was sent", params.clone()).await;

    let expired = a.state("a RAO OTP has expired", params.clone()).await;
    let late = b
        .rao_validate(&h, "5550000001", expired["otp"].as_str().unwrap())
        .await;
    assert_rao_expired(late).await;
    a.teardown("a RAO OTP has expired", params.clone()).await;

    let certified = a.state("a RAO phone is certified", params.clone()).await;
    assert_eq!(
        (
            certified["phoneCountryCode"].as_str(),
            certified["phoneNumber"].as_str()
        ),
        (Some("+52"), Some("5550000001"))
    );
    let phone = b.post(&format!("{RAO}/certified-phone"), &h, None).await;
    let phone: Value = phone.json().await.unwrap();
    assert_eq!(
        phone,
        json!({"phoneCountryCode": "+52", "phoneNumber": "5550000001"})
    );
    a.teardown("a RAO phone is certified", params).await;
    let gone = b.post(&format!("{RAO}/certified-phone"), &h, None).await;
    assert_error(gone, 404, "error", "resourceNotFound", "sid").await;
}

#[tokio::test]
async fn telemarketing_states_give_the_sid_and_otp() {
    let (a, b) = two_instances().await;
    let params = json!({"customerId": "pact-customer", "phoneNumber": "5550000002"});
    let sent = a
        .state("a telemarketing OTP was sent", params.clone())
        .await;
    let otp = sent["otp"].as_str().unwrap();
    assert_eq!(sent["oneTimePasswordToken"].as_str().unwrap(), &otp[..3]);
    let h = with_token(&b.tm_headers("sandbox").await, &sent);
    let sid = sent["sid"].as_str().unwrap();
    assert_eq!(
        b.tm_validate(&h, sid, "pact-customer", otp).await.status(),
        200
    );
    let expired = a
        .state("a telemarketing OTP has expired", params.clone())
        .await;
    let (sid, otp) = (
        expired["sid"].as_str().unwrap(),
        expired["otp"].as_str().unwrap(),
    );
    let late = b.tm_validate(&h, sid, "pact-customer", otp).await;
    assert_error(
        late,
        400,
        "error",
        "OTP Token Expired",
        "oneTimePasswordToken",
    )
    .await;
    a.teardown("a telemarketing OTP has expired", params).await;
}

#[tokio::test]
async fn phone_states_lock_and_throttle_until_torn_down() {
    let (a, b) = two_instances().await;
    let params = json!({"phoneNumber": "5550000003"});
    let sent = a
        .state(
            "a telemarketing OTP was sent",
            json!({"customerId": "c", "phoneNumber": "5550000003"}),
        )
        .await;
    let locked = a.state("the phone is locked", params.clone()).await;
    assert_eq!(locked["retryAfterSeconds"], 3600);
    let h = with_token(&b.tm_headers("sandbox").await, &locked);
    let (sid, otp) = (sent["sid"].as_str().unwrap(), sent["otp"].as_str().unwrap());
    let refused = b.tm_validate(&h, sid, "c", otp).await;
    assert_error(
        refused,
        400,
        "invalid",
        "invalidRequest",
        "oneTimePasswordToken",
    )
    .await;
    a.teardown("the phone is locked", params.clone()).await;

    let just = a
        .state("the phone was just sent an OTP", params.clone())
        .await;
    assert_eq!(just["retryAfterSeconds"], 30);
    let again = b
        .post(
            &format!("{TM}/generate"),
            &h,
            Some(tm_body("c", "5550000003")),
        )
        .await;
    assert_sent_moments_ago(again, Flow::Telemarketing).await;
    a.teardown("the phone was just sent an OTP", params).await;
    b.tm_generate(&h, "c", "5550000003").await;

    let rao = json!({"phoneCountryCode": "+52", "phoneNumber": "5550000004"});
    a.state("the phone was just sent an OTP", rao.clone()).await;
    let rh = b.rao_headers("sandbox", "pact-session").await;
    let throttled = b.rao_generate(&rh, "5550000004").await;
    assert_error(
        throttled,
        422,
        "error",
        "businessValidationFailed",
        "encryptedPhoneNumber",
    )
    .await;
}

#[tokio::test]
async fn unknown_states_are_refused_with_the_known_names() {
    let server = TestServer::start().await;
    let body = json!({"state": "an OTP was sent", "params": {}});
    let (status, error) = server.sandbox("provider-states", body).await;
    assert_eq!(
        (status, error["code"].as_str(), error["location"].as_str()),
        (400, Some("invalidRequest"), Some("state"))
    );
    let details = error["details"].as_str().unwrap();
    for name in [
        "a RAO OTP was sent",
        "a RAO OTP has expired",
        "a RAO phone is certified",
        "a telemarketing OTP was sent",
        "a telemarketing OTP has expired",
        "the phone is locked",
        "the phone was just sent an OTP",
    ] {
        assert!(details.contains(name), "{name} in {details}");
    }
    let no_state = server.state("", json!({})).await;
    assert_eq!(
        no_state.as_object().unwrap().len(),
        1,
        "only the token: {no_state}"
    );
    let (status, error) = server
        .sandbox("provider-states", json!({"state": "", "action": "undo"}))
        .await;
    assert_eq!((status, error["location"].as_str()), (400, Some("action")));
    let bad = json!({"state": "a RAO OTP was sent", "params": {"phoneNumber": "12"}});
    let (status, error) = server.sandbox("provider-states", bad).await;
    assert_eq!(
        (status, error["location"].as_str()),
        (400, Some("params.phoneNumber"))
    );
    let defaults = server.state("a RAO OTP was sent", json!({})).await;
    assert_eq!(
        (defaults["sid"].as_str(), defaults["phoneNumber"].as_str()),
        (Some("pact-session"), Some("5512345678"))
    );
    let (status, error) = server
        .sandbox(
            "provider-states",
            json!({"state": "", "params": {"client_id": "nobody"}}),
        )
        .await;
    assert_eq!(
        (status, error["location"].as_str()),
        (400, Some("params.client_id"))
    );
}

#[tokio::test]
async fn test_phones_have_fixed_otps_and_are_never_throttled_but_attempts_count() {
    let server = TestServer::start().await;
    let h = server.rao_headers("sandbox", "test-phone").await;
    for _ in 0..3 {
        assert_eq!(server.rao_generate(&h, "5500000001").await.status(), 204);
    }
    let messages = server.outbox("+525500000001").await;
    assert!(messages.len() >= 3 && messages.iter().all(|m| m["otp"] == "123456"));
    for left in ["2 attempts left", "1 attempt left", "no attempts are left"] {
        let wrong = server.rao_validate(&h, "5500000001", "654321").await;
        let error = assert_error(
            wrong,
            422,
            "error",
            "businessValidationFailed",
            "encryptedOtpToken",
        )
        .await;
        assert!(error["details"].as_str().unwrap().contains(left), "{error}");
    }
    let burnt = server.rao_validate(&h, "5500000001", "123456").await;
    assert_error(burnt, 404, "error", "resourceNotFound", "sid").await;
    assert_eq!(server.rao_generate(&h, "5500000001").await.status(), 204);
    assert_eq!(
        server
            .rao_validate(&h, "5500000001", "123456")
            .await
            .status(),
        204
    );

    let tm = server.tm_headers("sandbox").await;
    let (sid, prefix) = server.tm_generate(&tm, "ui-test", "5500000001").await;
    assert_eq!(prefix, "TST");
    let (second, _) = server.tm_generate(&tm, "ui-test", "5500000001").await;
    assert_eq!(
        server
            .tm_validate(&tm, &sid, "ui-test", "tst12345678")
            .await
            .status(),
        200
    );
    assert_eq!(
        server
            .tm_validate(&tm, &second, "ui-test", "TST12345678")
            .await
            .status(),
        200
    );
    assert_eq!(server.outbox("5500000001").await[0]["otp"], "TST12345678");
}

#[tokio::test]
async fn reset_forgets_everything_or_one_phone_on_every_instance() {
    let (a, b) = two_instances().await;
    let h = a.tm_headers("sandbox").await;
    let (sid, _) = a.tm_generate(&h, "r", "5550000005").await;
    let otp = a.last_otp("5550000005").await;
    a.tm_generate(&h, "r", "5550000006").await;
    assert_eq!(
        b.sandbox("reset", json!({"phone": "5550000006"})).await.0,
        204
    );
    assert!(
        a.outbox("5550000006").await.is_empty(),
        "that phone's messages are gone"
    );
    assert_eq!(a.outbox("5550000005").await.len(), 1, "the other's stay");
    a.tm_generate(&h, "r", "5550000006").await; // no longer throttled

    assert_eq!(
        b.sandbox("clock", json!({"advanceSeconds": 10})).await.0,
        200
    );
    let response = b
        .http
        .post(b.url("/sandbox/v1/reset"))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let listed = a.get_json("/sandbox/v1/sms").await;
    assert_eq!(listed, json!({"messages": []}));
    let gone = a.tm_validate(&h, &sid, "r", &otp).await;
    assert_error(gone, 400, "invalid", "invalidRequest", "sid").await;
    assert_eq!(a.clock_now().await["offsetSeconds"], 0);
    a.tm_generate(&h, "r", "5550000005").await;
    let (status, error) = b.sandbox("reset", json!({"phone": "not-a-phone"})).await;
    assert_eq!((status, error["location"].as_str()), (400, Some("phone")));
}

#[tokio::test]
async fn the_clock_expires_otps_without_waiting_and_never_goes_back() {
    let (a, b) = two_instances().await;
    let h = a.rao_headers("sandbox", "clock").await;
    assert_eq!(a.rao_generate(&h, "5550000007").await.status(), 204);
    let otp = a.last_otp("+525550000007").await;
    let before = a.clock_now().await;
    assert_eq!(before["offsetSeconds"], 0);
    let (status, after) = a.sandbox("clock", json!({"advanceSeconds": 301})).await;
    assert_eq!((status, &after["offsetSeconds"]), (200, &json!(301)));
    assert_eq!(
        b.clock_now().await["offsetSeconds"],
        301,
        "shared by every instance"
    );
    let late = b.rao_validate(&h, "5550000007", &otp).await;
    assert_rao_expired(late).await;
    for back in [json!(-5), json!(0), json!("10"), json!(1.5)] {
        let (status, error) = b.sandbox("clock", json!({"advanceSeconds": back})).await;
        assert_eq!(
            (status, error["location"].as_str()),
            (400, Some("advanceSeconds")),
            "{back}"
        );
    }
    assert_eq!(a.clock_now().await["offsetSeconds"], 301, "never back");
    let now =
        chrono::DateTime::parse_from_rfc3339(b.clock_now().await["now"].as_str().unwrap()).unwrap();
    let was = chrono::DateTime::parse_from_rfc3339(before["now"].as_str().unwrap()).unwrap();
    assert!((now - was).num_seconds() >= 301);
}

#[tokio::test]
async fn the_outbox_lists_every_recipient_and_polls_since() {
    let server = TestServer::start().await;
    let h = server.tm_headers("loose").await;
    server.tm_generate(&h, "o", "5550000008").await;
    let first = server.get_json("/sandbox/v1/sms").await;
    let sent_at = first["messages"][0]["sentAt"].as_str().unwrap().to_owned();
    server.advance(std::time::Duration::from_millis(5));
    server.tm_generate(&h, "o", "5550000009").await;
    let newer = server
        .get_json(&format!("/sandbox/v1/sms?since={sent_at}"))
        .await;
    let to: Vec<_> = newer["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["to"].as_str().unwrap())
        .collect();
    assert_eq!(to, ["+525550000009"], "the E.164 number the SMS went to");
    let bad = server
        .http
        .get(server.url("/sandbox/v1/sms?since=yesterday"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn the_outbox_keeps_its_capacity_dropping_the_oldest() {
    let mut config = test_config();
    config.server.outbox_capacity = 3;
    let server = TestServer::builder().config(config).start().await;
    let h = server.tm_headers("sandbox").await;
    let mut otps = Vec::new();
    for _ in 0..4 {
        server.tm_generate(&h, "cap", "5550000031").await;
        otps.push(server.last_otp("5550000031").await);
        // Past the 30 s between two sends to one phone.
        let (status, _) = server.sandbox("clock", json!({"advanceSeconds": 31})).await;
        assert_eq!(status, 200);
    }
    server.tm_generate(&h, "cap", "5550000032").await;
    let other = server.last_otp("5550000032").await;
    let kept = |messages: &[Value]| -> Vec<String> {
        let otp = |m: &Value| m["otp"].as_str().unwrap().to_owned();
        messages.iter().map(otp).collect()
    };
    let all = server.get_json("/sandbox/v1/sms").await;
    let all = kept(all["messages"].as_array().unwrap());
    assert_eq!(all, [other.as_str(), &otps[3], &otps[2]], "the newest 3");
    // The phone's own read holds what the outbox still holds of it.
    assert_eq!(
        kept(&server.outbox("5550000031").await),
        [otps[3].as_str(), &otps[2]],
        "the phone's messages still in the outbox, newest first"
    );
}
