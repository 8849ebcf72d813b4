//! Faults on demand (WireMock's names), delays, Prism's `Prefer: code=`,
//! and slow, lost and failed SMS — each as a real client sees it over
//! HTTP: a fault is an error at the client, not a status.

use crate::support::*;
use otp_server::config::{Config, SANDBOX_TOML};
use reqwest::header::HeaderValue;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Every cause of a client error, outermost first.
fn causes(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(" <- ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The io::ErrorKind deepest in a client error, if any.
fn io_kind(error: &reqwest::Error) -> Option<std::io::ErrorKind> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        source = cause.source();
    }
    None
}

fn prefer(headers: &reqwest::header::HeaderMap, value: &str) -> reqwest::header::HeaderMap {
    let mut headers = headers.clone();
    headers.insert("prefer", HeaderValue::from_str(value).unwrap());
    headers
}

/// A RAO generate for `phone` with `headers`, on a connection of its own.
async fn generate(
    server: &TestServer,
    headers: &reqwest::header::HeaderMap,
    phone: &str,
) -> Result<reqwest::Response, reqwest::Error> {
    reqwest::Client::new()
        .post(server.url(&format!("{RAO}/generate")))
        .headers(headers.clone())
        .body(rao_phone_body(phone).to_string())
        .send()
        .await
}

#[tokio::test]
async fn each_fault_is_an_error_at_the_client_and_changes_nothing() {
    let server = TestServer::start().await;
    let h = server.rao_headers("sandbox", "faults").await;
    let phone = "5551000001";

    let reset = generate(
        &server,
        &prefer(&h, "fault=CONNECTION_RESET_BY_PEER"),
        phone,
    )
    .await;
    let reset = reset.expect_err("a reset connection is no answer");
    eprintln!("CONNECTION_RESET_BY_PEER: {}", causes(&reset));
    assert!(reset.is_request(), "{reset:?}");
    assert_eq!(
        io_kind(&reset),
        Some(std::io::ErrorKind::ConnectionReset),
        "{}",
        causes(&reset)
    );

    let empty = generate(&server, &prefer(&h, "fault=EMPTY_RESPONSE"), phone).await;
    let empty = empty.expect_err("an empty response is no answer");
    eprintln!("EMPTY_RESPONSE: {}", causes(&empty));
    assert!(
        causes(&empty).contains("connection closed before message completed"),
        "{}",
        causes(&empty)
    );

    let chunk = generate(
        &server,
        &prefer(&h, "fault=MALFORMED_RESPONSE_CHUNK"),
        phone,
    )
    .await;
    let chunk = chunk.expect("a 200 head arrives first");
    assert_eq!(chunk.status(), 200);
    let body = chunk.bytes().await.expect_err("the body is broken");
    eprintln!(
        "MALFORMED_RESPONSE_CHUNK: 200, then reading the body: {}",
        causes(&body)
    );
    assert!(body.is_body() || body.is_decode(), "{body:?}");

    let random = generate(&server, &prefer(&h, "fault=random_data_then_close"), phone).await;
    let random = random.expect_err("random bytes are no HTTP answer");
    eprintln!("RANDOM_DATA_THEN_CLOSE: {}", causes(&random));
    assert!(random.is_request(), "{random:?}");

    // Nothing changed: no SMS, no send counted (the real one is not throttled).
    assert!(server.outbox("+525551000001").await.is_empty());
    assert_eq!(server.rao_generate(&h, phone).await.status(), 204);
    // The console shows each as no answer (status 0), named.
    let requests = server.get_json("/sandbox/v1/requests").await;
    let codes: Vec<_> = requests["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == 0)
        .map(|r| r["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        codes,
        [
            "RANDOM_DATA_THEN_CLOSE",
            "MALFORMED_RESPONSE_CHUNK",
            "EMPTY_RESPONSE",
            "CONNECTION_RESET_BY_PEER"
        ]
    );
}

#[tokio::test]
async fn a_delay_delays_the_real_answer_within_100_ms() {
    let server = TestServer::start().await;
    let h = server.tm_headers("sandbox").await;
    let started = Instant::now();
    let answer = server
        .post(
            &format!("{TM}/generate"),
            &prefer(&h, "delay=700"),
            Some(tm_body("d", "5551000002")),
        )
        .await;
    let took = started.elapsed();
    assert_eq!(answer.status(), 200, "the real answer");
    assert_eq!(answer.headers()["preference-applied"], "delay=700");
    eprintln!("delay=700 answered in {took:?}");
    assert!(
        took >= Duration::from_millis(700) && took <= Duration::from_millis(800),
        "{took:?}"
    );
    assert_eq!(
        server.outbox("5551000002").await.len(),
        1,
        "the SMS was sent"
    );

    let started = Instant::now();
    let answer = server
        .post(
            &format!("{TM}/generate"),
            &prefer(&h, "delay=200-400"),
            Some(tm_body("d", "5551000003")),
        )
        .await;
    let took = started.elapsed();
    assert_eq!(answer.status(), 200);
    let applied: u64 = answer.headers()["preference-applied"].to_str().unwrap()["delay=".len()..]
        .parse()
        .unwrap();
    assert!((200..=400).contains(&applied), "{applied}");
    let off = took.as_millis() as i128 - applied as i128;
    assert!((0..=100).contains(&off), "drew {applied} ms, took {took:?}");
}

#[tokio::test]
async fn bad_prefer_values_are_400_at_prefer() {
    let server = TestServer::start().await;
    let h = server.rao_headers("sandbox", "bad-prefer").await;
    for bad in [
        "delay=60001",
        "delay=soon",
        "delay=900-100",
        "fault=TIMEOUT",
        "code=418",
        "code=abc",
    ] {
        let answer = generate(&server, &prefer(&h, bad), "5551000004")
            .await
            .unwrap();
        let body = assert_error(answer, 400, "error", "invalidRequest", "Prefer").await;
        assert!(
            body["details"].as_str().unwrap().contains("Prefer"),
            "{bad}: {body}"
        );
    }
    assert!(server.outbox("+525551000004").await.is_empty());
}

#[tokio::test]
async fn prefer_code_forces_the_first_documented_row_of_that_status() {
    let server = TestServer::start().await;
    let h = server.rao_headers("sandbox", "prism").await;
    let forced = generate(&server, &prefer(&h, "code=400"), "5551000005")
        .await
        .unwrap();
    assert_eq!(forced.headers()["preference-applied"], "code=400");
    assert_error(forced, 400, "error", "invalidRequest", "body").await;
    let forced = generate(&server, &prefer(&h, "code=500"), "5551000005")
        .await
        .unwrap();
    assert_error(forced, 500, "fatal", "serverUnavailable", "server").await;
    assert!(
        server.outbox("+525551000005").await.is_empty(),
        "nothing sent"
    );
    // A success is the real flow's: the request runs as without it.
    let real = generate(&server, &prefer(&h, "code=204"), "5551000005")
        .await
        .unwrap();
    assert_eq!(real.status(), 204);
    assert_eq!(server.outbox("+525551000005").await.len(), 1);
    // error= wins over code=
    let both = generate(
        &server,
        &prefer(&h, "code=500, error=unAuthorized"),
        "5551000005",
    )
    .await
    .unwrap();
    assert_eq!(both.status(), 401);
}

/// The test configuration with one more test phone.
fn with_phone(phone: &str) -> Config {
    let clients = test_config();
    let toml = format!("{SANDBOX_TOML}\n[[sandbox.test_phones]]\n{phone}\n");
    let mut config = Config::from_toml(&toml).expect("config");
    config.clients = clients.clients;
    config
}

#[tokio::test]
async fn a_test_phone_can_fault_and_be_slow_by_config() {
    let config =
        with_phone("phone = \"5551000006\"\notp = \"TST00000006\"\nfault = \"EMPTY_RESPONSE\"");
    let server = TestServer::builder().config(config).start().await;
    let h = server.tm_headers("sandbox").await;
    let url = server.url(&format!("{TM}/generate"));
    let send = reqwest::Client::new()
        .post(&url)
        .headers(h.clone())
        .body(tm_body("c", "5551000006").to_string());
    let error = send.send().await.expect_err("the phone's fault");
    assert!(causes(&error).contains("connection closed before message completed"));
    // Another phone answers as usual; a Prefer overrides the phone's fault.
    assert_eq!(
        server
            .post(
                &format!("{TM}/generate"),
                &h,
                Some(tm_body("c", "5551000007"))
            )
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_bad_fault_in_the_config_refuses_to_start() {
    let toml = format!("{SANDBOX_TOML}\n[[sandbox.test_phones]]\nphone = \"5551000008\"\notp = \"TST00000008\"\nfault = \"TIMEOUT\"\n");
    let error = Config::from_toml(&toml).unwrap_err();
    assert!(
        format!("{error:#}").contains("CONNECTION_RESET_BY_PEER"),
        "{error:#}"
    );
    let toml = format!("{SANDBOX_TOML}\n[[sandbox.test_phones]]\nphone = \"5551000008\"\notp = \"TST00000008\"\ndelay_ms = 60001\n");
    assert!(Config::from_toml(&toml).is_err());
}

async fn state(server: &TestServer, state: &str, params: Value, action: &str) -> Value {
    let body = json!({"state": state, "params": params, "action": action});
    let url = server.url("/sandbox/v1/provider-states");
    let response = server.http.post(url).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200, "{state}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_provider_state_sets_a_phones_fault_on_every_instance_until_teardown() {
    let (a, b) = two_instances().await;
    let params = json!({"phoneNumber": "5551000009", "countryCode": "MX", "fault": "CONNECTION_RESET_BY_PEER"});
    state(&a, "a telemarketing OTP was sent", params.clone(), "setup").await;
    let h = b.tm_headers("sandbox").await;
    let send = reqwest::Client::new()
        .post(b.url(&format!("{TM}/generate")))
        .headers(h.clone())
        .body(tm_body("pact-customer", "5551000009").to_string());
    let error = send.send().await.expect_err("reset");
    assert_eq!(io_kind(&error), Some(std::io::ErrorKind::ConnectionReset));
    state(&a, "a telemarketing OTP was sent", params, "teardown").await;
    assert_eq!(
        b.post(
            &format!("{TM}/generate"),
            &h,
            Some(tm_body("pact-customer", "5551000009"))
        )
        .await
        .status(),
        200,
        "teardown forgets the fault"
    );

    // Only a delay, with the state that sets nothing else.
    let slow = json!({"phoneCountryCode": "+52", "phoneNumber": "5551000010", "delayMs": 300});
    let values = state(&a, "the phone has faults", slow, "setup").await;
    assert_eq!(values["phone"], "+525551000010");
    let rao = b.rao_headers("sandbox", "slow").await;
    let started = Instant::now();
    assert_eq!(b.rao_generate(&rao, "5551000010").await.status(), 204);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let bad = json!({"state": "the phone has faults", "params": {"phoneNumber": "5551000010", "fault": "NOPE"}});
    let refused = a
        .http
        .post(a.url("/sandbox/v1/provider-states"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
}

#[tokio::test]
async fn a_lost_sms_never_reaches_the_outbox_but_its_otp_validates() {
    let (a, b) = two_instances().await;
    let h = a.rao_headers("sandbox", "lost").await;
    assert_eq!(a.rao_generate(&h, "5500000012").await.status(), 204);
    assert!(b.outbox("+525500000012").await.is_empty(), "lost");
    let latest = b
        .http
        .get(b.url("/sandbox/v1/sms/latest?to=%2B525500000012"))
        .send()
        .await
        .unwrap();
    assert_eq!(latest.status(), 404);
    let body: Value = latest.json().await.unwrap();
    assert_eq!(
        (body["code"].as_str(), body["location"].as_str()),
        (Some("resourceNotFound"), Some("to"))
    );
    assert_eq!(
        b.rao_validate(&h, "5500000012", "121212").await.status(),
        204,
        "typed, it validates"
    );

    // The same by a provider state, with a drawn OTP.
    let params = json!({"sid": "lost-state", "phoneCountryCode": "+52", "phoneNumber": "5551000011", "sms": "lost"});
    let sent = state(&a, "a RAO OTP was sent", params, "setup").await;
    assert!(b.outbox("+525551000011").await.is_empty());
    let rh = b.rao_headers("sandbox", "lost-state").await;
    let otp = sent["otp"].as_str().unwrap();
    assert_eq!(b.rao_validate(&rh, "5551000011", otp).await.status(), 204);
}

#[tokio::test]
async fn a_failed_sms_fails_the_send_through_the_real_path_and_says_so() {
    let server = TestServer::start().await;
    let h = server.tm_headers("sandbox").await;
    let failed = server
        .post(
            &format!("{TM}/generate"),
            &h,
            Some(tm_body("f", "5500000014")),
        )
        .await;
    assert_error(failed, 400, "error", "smsDeliveryFailed", "phoneNumber").await;
    let messages = server.outbox("5500000014").await;
    assert_eq!(messages[0]["status"], "failed", "{messages:?}");
    assert_eq!(messages[0]["clientId"], "sandbox");
}

#[tokio::test]
async fn a_slow_sms_arrives_after_its_delay_by_the_sandbox_clock() {
    let (a, b) = two_instances().await;
    let h = a.rao_headers("sandbox", "slow-sms").await;
    assert_eq!(a.rao_generate(&h, "5500000013").await.status(), 204);
    assert!(b.outbox("+525500000013").await.is_empty(), "not yet");
    a.advance(Duration::from_secs(21));
    let messages = b.outbox("+525500000013").await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert_eq!(messages[0]["status"], "delayed");
    assert!(messages[0]["deliveredAt"].as_str().unwrap() > messages[0]["sentAt"].as_str().unwrap());
    let latest = b
        .http
        .get(b.url("/sandbox/v1/sms/latest?to=%2B525500000013"))
        .header("accept", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(
        latest.headers()["content-type"],
        "text/plain; charset=utf-8"
    );
    assert_eq!(latest.text().await.unwrap(), "131313");
}

#[tokio::test]
async fn the_outbox_says_when_an_otp_expires_and_when_it_was_used() {
    let server = TestServer::start().await;
    let h = server.rao_headers("sandbox", "used").await;
    assert_eq!(server.rao_generate(&h, "5551000012").await.status(), 204);
    let latest = server
        .get_json("/sandbox/v1/sms/latest?to=5551000012")
        .await;
    assert!(latest["expiresAt"].as_str().unwrap() > latest["sentAt"].as_str().unwrap());
    assert!(latest.get("usedAt").is_none(), "{latest}");
    let otp = latest["otp"].as_str().unwrap();
    assert_eq!(
        server.rao_validate(&h, "5551000012", otp).await.status(),
        204
    );
    let latest = server
        .get_json("/sandbox/v1/sms/latest?to=5551000012")
        .await;
    assert!(latest["usedAt"].is_string(), "{latest}");
}
