//! The console's live API: recent requests (newest first, masked, bounded)
//! and the server-sent event stream (SMS from any instance sharing the
//! store, this instance's requests, the kit's reset and clock moves, an
//! end at shutdown).

use crate::support::{b64, shared_backend, TestServer, TM_UUID};
use serde_json::Value;
use std::time::Duration;

/// An open `GET /sandbox/v1/events`, read record by record.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(server: &TestServer) -> Self {
        let response = server
            .http
            .get(server.url("/sandbox/v1/events"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers();
        assert_eq!(headers["content-type"], "text/event-stream");
        assert_eq!(headers["cache-control"], "no-store");
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The data of the next `name` event within `within` (others skipped).
    async fn next(&mut self, name: &str, within: Duration) -> Value {
        let found = tokio::time::timeout(within, async {
            loop {
                while let Some(end) = self.buffer.find("\n\n") {
                    let record: String = self.buffer.drain(..end + 2).collect();
                    if let Some(data) = data_of(&record, name) {
                        return data;
                    }
                }
                let chunk = self
                    .response
                    .chunk()
                    .await
                    .unwrap()
                    .expect("the stream ended");
                self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
            }
        });
        found
            .await
            .unwrap_or_else(|_| panic!("no {name} event within {within:?}"))
    }
}

/// The JSON data of an SSE record, if it is a `name` event.
fn data_of(record: &str, name: &str) -> Option<Value> {
    let mut lines = record.lines();
    if lines.next()? != format!("event: {name}") {
        return None;
    }
    let data = lines.next()?.strip_prefix("data: ")?;
    Some(serde_json::from_str(data).unwrap())
}

async fn recent_requests(server: &TestServer) -> Vec<Value> {
    let response = server
        .http
        .get(server.url("/sandbox/v1/requests"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    body["requests"].as_array().unwrap().clone()
}

#[tokio::test]
async fn recent_requests_newest_first_with_the_phone_masked() {
    let server = TestServer::start().await;
    let headers = server.tm_headers("sandbox").await;
    server.tm_generate(&headers, "cust-1", "5512340001").await;
    server.outbox("5512340001").await; // the console's own traffic: not listed
    let missing = server
        .http
        .get(server.url("/api/v1/nowhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let recent = recent_requests(&server).await;
    let ops: Vec<_> = recent.iter().map(|r| r["operation"].clone()).collect();
    assert_eq!(
        ops,
        [
            Value::Null,
            "generateTelemarketingOtp".into(),
            "issueToken".into()
        ]
    );
    assert_eq!(recent[0]["path"], "/api/v1/nowhere");
    assert_eq!(recent[0]["code"], "resourceNotFound");
    let generate = &recent[1];
    assert_eq!(generate["method"], "POST");
    assert_eq!(generate["status"], 200);
    assert_eq!(generate["code"], Value::Null);
    assert_eq!(generate["uuid"], TM_UUID);
    assert_eq!(generate["phone"], "******0001");
    assert!(generate["latencyMs"].as_f64().unwrap() > 0.0);
    assert!(generate["at"].as_str().unwrap().ends_with('Z'));
    assert!(!recent.iter().any(|r| r.to_string().contains("5512340001")));
}

#[tokio::test]
async fn recent_requests_keep_the_newest_100() {
    let server = TestServer::start().await;
    for i in 0..105 {
        let url = server.url(&format!("/api/v1/nowhere/{i}"));
        server.http.get(url).send().await.unwrap();
    }
    let recent = recent_requests(&server).await;
    assert_eq!(recent.len(), 100);
    assert_eq!(recent[0]["path"], "/api/v1/nowhere/104");
    assert_eq!(recent[99]["path"], "/api/v1/nowhere/5");
}

#[tokio::test]
async fn the_stream_shows_a_request_and_its_sms_within_a_second() {
    let server = TestServer::start().await;
    let headers = server.tm_headers("sandbox").await;
    let mut events = Events::open(&server).await;
    server.tm_generate(&headers, "cust-1", "5512340002").await;
    let second = Duration::from_secs(1);
    let request = events.next("request", second).await;
    assert_eq!(request["operation"], "generateTelemarketingOtp");
    assert_eq!(request["phone"], "******0002");
    let sms = events.next("sms", second).await;
    assert_eq!(sms["to"], "+525512340002");
    assert_eq!(sms["otp"], server.last_otp("5512340002").await);
    assert!(sms["sentAt"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn an_sms_sent_through_another_instance_appears_too() {
    let backend = shared_backend();
    let watched = TestServer::builder().backend(backend.clone()).start().await;
    let other = TestServer::builder().backend(backend).start().await;
    let headers = other.tm_headers("sandbox").await;
    let mut events = Events::open(&watched).await;
    other.tm_generate(&headers, "cust-1", "5512340003").await;
    let sms = events.next("sms", Duration::from_secs(1)).await;
    assert_eq!(sms["to"], "+525512340003");
    let listed = recent_requests(&watched).await;
    assert!(
        listed.is_empty(),
        "requests are this instance's only: {listed:?}"
    );
}

#[tokio::test]
async fn streams_end_when_the_server_shuts_down() {
    let server = TestServer::start().await;
    let mut events = Events::open(&server).await;
    let hello = events.response.chunk().await.unwrap().unwrap();
    assert!(hello.starts_with(b"retry: "));
    drop(server); // stops it, with 10 s of grace for in-flight requests
    let end = tokio::time::timeout(Duration::from_secs(2), events.response.chunk()).await;
    assert!(
        matches!(end, Ok(Ok(None)) | Ok(Err(_))),
        "the stream did not end"
    );
}

#[tokio::test]
async fn a_reset_and_a_clock_move_are_announced() {
    let server = TestServer::start().await;
    let mut events = Events::open(&server).await;
    let advanced = server
        .http
        .post(server.url("/sandbox/v1/clock"))
        .header("content-type", "application/json")
        .body(r#"{"advanceSeconds": 60}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(advanced.status(), 200);
    let shown: Value = advanced.json().await.unwrap();
    let clock = events.next("clock", Duration::from_secs(1)).await;
    assert_eq!(clock["offsetSeconds"], 60);
    assert_eq!(
        clock["now"].as_str().unwrap()[..19],
        shown["now"].as_str().unwrap()[..19]
    );
    let reset = server
        .http
        .post(server.url("/sandbox/v1/reset"))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 204);
    assert_eq!(
        events.next("reset", Duration::from_secs(1)).await,
        serde_json::json!({})
    );
}

#[tokio::test]
async fn the_journal_has_masked_bodies_and_filters_by_client() {
    let server = TestServer::start().await;
    let rao = server.rao_headers("sandbox", "journal").await;
    assert_eq!(server.rao_generate(&rao, "5556000001").await.status(), 204);
    let tm = server.tm_headers("loose").await;
    server.tm_generate(&tm, "journal", "5556000002").await;
    let all = server.get_json("/sandbox/v1/requests").await;
    let text = all.to_string();
    for phone in ["5556000001", "5556000002", &b64("5556000001")] {
        assert!(!text.contains(phone), "{phone} in {text}");
    }
    assert!(!text.contains("secret"), "no token request body: {text}");
    let loose = server
        .get_json("/sandbox/v1/requests?client_id=loose")
        .await;
    let loose = loose["requests"].as_array().unwrap();
    assert_eq!(loose.len(), 1, "{loose:?}");
    let generate = &loose[0];
    assert_eq!(generate["clientId"], "loose");
    assert_eq!(generate["request"]["phoneNumber"], "******0002");
    assert_eq!(generate["request"]["customerId"], "journal");
    assert_eq!(
        generate["response"]["oneTimePasswordToken"]
            .as_str()
            .unwrap()
            .len(),
        3
    );
    let mine = server
        .get_json("/sandbox/v1/requests?client_id=sandbox")
        .await;
    let mine = mine["requests"].as_array().unwrap();
    assert_eq!(mine[0]["operation"], "generateRaoOtp");
    assert_eq!(mine[0]["request"]["phoneCountryCode"], "+52");
    assert!(mine[0]["request"]["encryptedPhoneNumber"]
        .as_str()
        .unwrap()
        .starts_with("****"));
    assert!(mine[0].get("response").is_none(), "204: no body");
}
