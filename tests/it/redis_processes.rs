//! The Redis store with real processes: two `otp-server` instances on one
//! Redis, a 3-master Redis Cluster, and a Redis killed under load. Each test
//! starts its own `redis-server`s on free loopback ports.

use crate::processes::{redis_server_or_skip, RedisCluster, RedisProcess, ServerProcess};
use crate::support::*;
use otp_server::config::SANDBOX_TOML;
use std::time::{Duration, Instant};

/// A config file: the sandbox, with its own key prefix in Redis, and a
/// client whose sends are not throttled (for the limit bursts).
fn config_file() -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().unwrap();
    let loose = r#"
[[clients]]
id = "loose"
secret_sha256 = "9caf06bb4436cdbfa20af9121a626bc1093c4f54b31c0fa937957856135345b6"
cipher = "plain"
apis = ["rao", "telemarketing"]
access = [{ country = "MX", business = "GCB", channels = ["IVR"] }]
policy = { min_send_interval_secs = 0, max_sends_per_window = 1000 }
"#;
    let text = format!(
        "{SANDBOX_TOML}\n{loose}\n[redis]\nkey_prefix = \"{}\"\n",
        unique_prefix()
    );
    std::fs::write(file.path(), text).unwrap();
    file
}

async fn rao_flow(generate_on: &TestServer, validate_on: &TestServer, sid: &str, phone: &str) {
    let headers = generate_on.rao_headers("sandbox", sid).await;
    assert_eq!(
        generate_on.rao_generate(&headers, phone).await.status(),
        204
    );
    let otp = validate_on.last_otp(&format!("+52{phone}")).await;
    assert_eq!(
        validate_on
            .rao_validate(&headers, phone, &otp)
            .await
            .status(),
        204
    );
    let certified = generate_on
        .post(&format!("{RAO}/certified-phone"), &headers, None)
        .await;
    assert_eq!(certified.status(), 200);
}

#[tokio::test]
async fn two_instances_share_tokens_sessions_outbox_and_throttles() {
    if !redis_server_or_skip("two_instances_share_tokens_sessions_outbox_and_throttles") {
        return;
    }
    let redis = RedisProcess::start(&[]);
    let config = config_file();
    let processes = [
        ServerProcess::start(config.path(), &redis.url()),
        ServerProcess::start(config.path(), &redis.url()),
    ];
    let (a, b) = (
        TestServer::at(processes[0].addr),
        TestServer::at(processes[1].addr),
    );

    rao_flow(&a, &b, "two-instances", "5520000001").await;

    let headers = a.tm_headers("sandbox").await; // a's token, used on b too
    let (sid, _) = a.tm_generate(&headers, "c64", "5520000002").await;
    let otp = b.last_otp("5520000002").await;
    let attempts = (0..64)
        .map(|i| if i % 2 == 0 { &a } else { &b })
        .map(|s| s.tm_validate(&headers, &sid, "c64", &otp));
    let statuses = statuses_of(attempts).await;
    assert_eq!(
        statuses.iter().filter(|&&s| s == 200).count(),
        1,
        "{statuses:?}"
    );

    let again = b
        .post(
            &format!("{TM}/generate"),
            &headers,
            Some(tm_body("c64", "5520000002")),
        )
        .await;
    assert_error(again, 400, "invalid", "invalidRequest", "phoneNumber").await;

    for process in &processes {
        let logs = process.stderr.lock().unwrap().clone();
        assert!(logs.contains("request"), "no request log lines");
        for secret in [
            otp.as_str(),
            &otp[3..],
            "5520000001",
            "5520000002",
            "sandbox-secret",
        ] {
            assert!(
                !logs.contains(secret),
                "the process logs contain a secret: {secret}"
            );
        }
    }
}

/// Issue 10's attack across two processes on one Redis: wrong guesses in
/// parallel, split over both, compare a challenge 3 times and a phone 10;
/// wrong client secrets are compared 10 times a minute.
#[tokio::test]
async fn limits_hold_across_two_processes_under_parallel_guesses() {
    if !redis_server_or_skip("limits_hold_across_two_processes_under_parallel_guesses") {
        return;
    }
    let redis = RedisProcess::start(&[]);
    let config = config_file();
    let processes = [
        ServerProcess::start(config.path(), &redis.url()),
        ServerProcess::start(config.path(), &redis.url()),
    ];
    let servers = [
        TestServer::at(processes[0].addr),
        TestServer::at(processes[1].addr),
    ];
    let headers = servers[0].tm_headers("loose").await;
    let mut sessions = Vec::new();
    for _ in 0..10 {
        let (sid, _) = servers[0].tm_generate(&headers, "p2", "5520000003").await;
        sessions.push((sid, servers[1].last_otp("5520000003").await));
    }
    let guesses = (0..200).map(|i| {
        let (sid, otp) = &sessions[0];
        let wrong = format!("{}{:08}", &otp[..3], i);
        let (server, headers) = (&servers[i % 2], &headers);
        async move { server.tm_validate(headers, sid, "p2", &wrong).await }
    });
    let codes = error_codes(futures::future::join_all(guesses).await).await;
    let compared = codes.iter().filter(|c| *c == "OTP Token Invalid").count();
    assert_eq!(compared, 3, "one OTP: {codes:?}");
    let guesses = (0..30).map(|i| {
        let (sid, otp) = &sessions[1 + i % 9];
        let wrong = format!("{}{:08}", &otp[..3], i);
        let (server, headers) = (&servers[i % 2], &headers);
        async move { server.tm_validate(headers, sid, "p2", &wrong).await }
    });
    let codes = error_codes(futures::future::join_all(guesses).await).await;
    let compared = codes.iter().filter(|c| *c == "OTP Token Invalid").count();
    assert_eq!(
        compared, 7,
        "the phone had 3 failures already, 10 in all: {codes:?}"
    );
    let burst = (0..30).map(|i| servers[i % 2].token_status("sandbox", "wrong-secret"));
    let statuses: Vec<u16> = futures::future::join_all(burst)
        .await
        .into_iter()
        .map(|(status, _)| status)
        .collect();
    let count = |wanted: u16| statuses.iter().filter(|&&s| s == wanted).count();
    assert_eq!(
        (count(401), count(429)),
        (10, 20),
        "10 failed client authentications a minute: {statuses:?}"
    );
}

async fn error_codes(responses: Vec<reqwest::Response>) -> Vec<String> {
    let bodies = responses.into_iter().map(|r| r.json::<serde_json::Value>());
    futures::future::join_all(bodies)
        .await
        .into_iter()
        .map(|b| b.unwrap()["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// A password in the Redis URL never reaches the banner or the logs.
#[tokio::test]
async fn store_credentials_are_never_printed() {
    if !redis_server_or_skip("store_credentials_are_never_printed") {
        return;
    }
    let redis = RedisProcess::start(&[]);
    let config = config_file();
    let url = format!("redis://:hunter2-secret@127.0.0.1:{}", redis.port);
    let process = ServerProcess::start(config.path(), &url);
    let server = TestServer::at(process.addr);
    let _ = server
        .http
        .get(server.url("/health/ready"))
        .send()
        .await
        .unwrap();
    let printed = process.stdout.lock().unwrap().clone();
    assert!(
        printed.contains(&format!("store: redis://127.0.0.1:{}", redis.port)),
        "{printed}"
    );
    let logs = process.stderr.lock().unwrap().clone();
    for text in [&printed, &logs] {
        assert!(
            !text.contains("hunter2"),
            "a credential was printed: {text}"
        );
    }
}

#[tokio::test]
async fn both_flows_on_a_redis_cluster() {
    if !redis_server_or_skip("both_flows_on_a_redis_cluster") {
        return;
    }
    let cluster = RedisCluster::start();
    let server = TestServer::builder()
        .store(redis_store(&cluster.url()))
        .start()
        .await;
    for i in 0..4 {
        rao_flow(
            &server,
            &server,
            &format!("cluster-{i}"),
            &format!("552000001{i}"),
        )
        .await;
    }
    let headers = server.tm_headers("sandbox").await;
    for i in 0..4 {
        let phone = format!("552000002{i}");
        let (sid, _) = server.tm_generate(&headers, "cl", &phone).await;
        let otp = server.last_otp(&phone).await;
        assert_eq!(
            server
                .tm_validate(&headers, &sid, "cl", &otp)
                .await
                .status(),
            200
        );
    }
}

/// The outage bound every request must meet while Redis is down.
const BOUND: Duration = Duration::from_millis(1_000);

#[tokio::test]
async fn redis_outage_answers_server_unavailable_fast_then_recovers() {
    if !redis_server_or_skip("redis_outage_answers_server_unavailable_fast_then_recovers") {
        return;
    }
    let mut redis = RedisProcess::start(&[]);
    let server = TestServer::builder()
        .store(redis_store(&redis.url()))
        .start()
        .await;
    rao_flow(&server, &server, "outage-before", "5520000030").await;
    let headers = server.rao_headers("sandbox", "outage").await;

    redis.kill();
    let started = Instant::now();
    let requests = (0..32).map(|i| {
        let headers = headers.clone();
        let server = &server;
        async move {
            let sent = Instant::now();
            let response = server
                .rao_generate(&headers, &format!("55200001{i:02}"))
                .await;
            (sent.elapsed(), response)
        }
    });
    let mut slowest = Duration::ZERO;
    for (elapsed, response) in futures::future::join_all(requests).await {
        assert!(
            elapsed < BOUND,
            "a request took {elapsed:?} while Redis was down"
        );
        slowest = slowest.max(elapsed);
        assert_error(response, 500, "fatal", "serverUnavailable", "server").await;
    }
    println!("slowest answer during the outage: {slowest:?}");
    let ready = server
        .http
        .get(server.url("/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 500);
    println!(
        "32 concurrent requests during the outage answered within {:?}",
        started.elapsed()
    );

    let _redis = RedisProcess::start_on(redis.port, &[]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while server
        .http
        .get(server.url("/health/ready"))
        .send()
        .await
        .unwrap()
        .status()
        != 200
    {
        assert!(Instant::now() < deadline, "the store did not recover");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    rao_flow(&server, &server, "outage-after", "5520000031").await;
}

/// Third attack, finding 13: after Redis closed an idle connection
/// (`timeout 1`), the next request answered 500 (`redis: broken pipe`). A
/// command that never reached Redis is made again once on a fresh
/// connection; the client never sees the drop.
#[tokio::test]
async fn the_first_request_after_redis_closed_an_idle_connection_is_served() {
    if !redis_server_or_skip("redis_processes::idle") {
        return;
    }
    let redis = RedisProcess::start(&["--timeout", "1"]);
    // Production: no sandbox read comes first to take the hit.
    let mut config = test_config();
    config.server.sandbox = false;
    config.sms = otp_server::config::SmsBackend::Log;
    let server = TestServer::builder()
        .config(config)
        .backend(redis_backend(&redis.url()))
        .start()
        .await;
    let h = server.tm_headers("loose").await;
    for round in 0..3 {
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        let body = Some(tm_body("idle", &format!("554500000{round}")));
        let answer = server.post(&format!("{TM}/generate"), &h, body).await;
        assert_eq!(answer.status(), 200, "round {round}");
    }
}

/// Third attack, finding 13 (second half): an idle instance across a Redis
/// restart answered its first request 500. It is served once Redis
/// accepts connections again.
#[tokio::test]
async fn the_first_request_after_a_redis_restart_is_served() {
    if !redis_server_or_skip("redis_processes::restart") {
        return;
    }
    let mut redis = RedisProcess::start(&[]);
    let mut config = test_config();
    config.server.sandbox = false;
    config.sms = otp_server::config::SmsBackend::Log;
    let server = TestServer::builder()
        .config(config)
        .backend(redis_backend(&redis.url()))
        .start()
        .await;
    let h = server.tm_headers("loose").await;
    let generate = |phone: &'static str| {
        let (server, h) = (&server, &h);
        async move {
            let body = Some(tm_body("restart", phone));
            server
                .post(&format!("{TM}/generate"), h, body)
                .await
                .status()
                .as_u16()
        }
    };
    assert_eq!(generate("5546000001").await, 200);
    let port = redis.port;
    redis.kill();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let _again = RedisProcess::start_on(port, &[]);
    assert_eq!(generate("5546000002").await, 200, "the first request after");
}

/// Third attack, finding 12: when Redis answered too late (400 ms for a
/// 300 ms timeout) the step had often run although the client got `500`:
/// a generate had counted its send (the retry got "sent moments ago") and
/// a right OTP was used up (the retry got "not found"). A retry of the
/// same request (same `uuid` and content) now gets what really happened;
/// a new request still meets every rule.
#[tokio::test]
async fn a_retry_after_a_500_gets_the_outcome_that_really_happened() {
    if !redis_server_or_skip("redis_processes::retry") {
        return;
    }
    let redis = RedisProcess::start(&[]);
    let proxy = crate::processes::DelayProxy::start(redis.port).await;
    let (relay, received) = sms_inbox().await;
    let mut config = test_config();
    config.server.sandbox = false;
    config.sms = otp_server::config::SmsBackend::Webhook {
        url: relay,
        timeout: Duration::from_secs(2),
        retries: 0,
        ca_file: None,
        authorization: None,
    };
    let store = otp_server::store::redis::RedisConfig {
        key_prefix: unique_prefix(),
        command_timeout_ms: 300,
        connect_timeout_ms: 1_000,
        ..Default::default()
    };
    let server = TestServer::builder()
        .config(config.clone())
        .backend(otp_server::Backend::redis(&proxy.url(), &store).unwrap())
        .start()
        .await;
    // A second instance on the same Redis, behind the same proxy.
    let second = TestServer::builder()
        .config(config)
        .backend(otp_server::Backend::redis(&proxy.url(), &store).unwrap())
        .start()
        .await;
    // A whole flow first, so that Redis knows the scripts: the first call of
    // a script Redis has not seen is refused (NOSCRIPT) and sent again, and
    // a refusal that arrives late means the step never ran at all.
    let warm = server.rao_headers("sandbox", "warm-up").await;
    assert_eq!(server.rao_generate(&warm, "5547000009").await.status(), 204);
    let sent = received.lock().unwrap().pop().unwrap();
    let warm_otp = sent["text"].as_str().unwrap()[29..35].to_owned();
    let validated = server.rao_validate(&warm, "5547000009", &warm_otp).await;
    assert_eq!(validated.status(), 204);

    let h = server.rao_headers("sandbox", "retry").await;
    let late = |ms| {
        proxy.hold(ms);
        tokio::time::sleep(Duration::from_millis(if ms == 0 { 700 } else { 0 }))
    };

    late(450).await;
    assert_eq!(server.rao_generate(&h, "5547000001").await.status(), 500);
    late(0).await;
    // A look-alike of the phone (a leading zero) under the same uuid is
    // another request, not the retry: sent moments ago.
    let look_alike = server.rao_generate(&h, "05547000001").await;
    assert_eq!(look_alike.status(), 422, "a look-alike is no retry");
    // The retry, sent ten times at once over both instances: one lost
    // answer waives the interval for exactly one of them.
    let burst = (0..10).map(|i| {
        let instance = if i % 2 == 0 { &server } else { &second };
        instance.rao_generate(&h, "5547000001")
    });
    let statuses = statuses_of(burst).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 204).count(),
        1,
        "the retry of a send that did happen, once: {statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        9,
        "{statuses:?}"
    );
    let otp = {
        let sms = received.lock().unwrap().clone();
        assert_eq!(sms.len(), 1, "one SMS, from the retry: {sms:?}");
        sms[0]["text"].as_str().unwrap()[29..35].to_owned()
    };
    let mut other = h.clone();
    other.insert(
        "uuid",
        "11111111-2222-4333-8444-555555555555".parse().unwrap(),
    );
    let again = server.rao_generate(&other, "5547000001").await;
    assert_eq!(again.status(), 422, "a new request: sent moments ago");
    let replayed = server.rao_generate(&h, "5547000001").await;
    assert_eq!(
        replayed.status(),
        422,
        "one lost answer waives the interval once"
    );

    late(450).await;
    assert_eq!(
        server.rao_validate(&h, "5547000001", &otp).await.status(),
        500
    );
    late(0).await;
    let retried = server.rao_validate(&h, "5547000001", &otp).await;
    assert_eq!(
        retried.status(),
        204,
        "the retry of a validate that did happen"
    );
    let reused = server.rao_validate(&other, "5547000001", &otp).await;
    assert_eq!(reused.status(), 404, "a new request: the OTP is used");
    let certified = server
        .post(&format!("{RAO}/certified-phone"), &h, None)
        .await;
    assert_eq!(certified.status(), 200);
}

/// An SMS webhook receiver that keeps every `{"to","text"}` it gets.
async fn sms_inbox() -> (
    String,
    std::sync::Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
) {
    use http_body_util::BodyExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = received.clone();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let sink = sink.clone();
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let sink = sink.clone();
                    async move {
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        sink.lock()
                            .unwrap()
                            .push(serde_json::from_slice(&body).unwrap());
                        let ok =
                            hyper::Response::new(http_body_util::Full::new(bytes::Bytes::new()));
                        Ok::<_, std::convert::Infallible>(ok)
                    }
                });
            let io = hyper_util::rt::TokioIo::new(stream);
            tokio::spawn(hyper::server::conn::http1::Builder::new().serve_connection(io, service));
        }
    });
    (url, received)
}
