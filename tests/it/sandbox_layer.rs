//! The sandbox as a layer around the production core: every instance on
//! one store follows one sandbox clock at once, for every rule; a sandbox
//! never sends to a real phone; and the memory store sweeps by the
//! sandbox's clock.

use crate::processes::{redis_server_or_skip, RedisProcess};
use crate::support::*;
use otp_server::config::{Config, SANDBOX_TOML};
use otp_server::store::redis::RedisConfig;
use otp_server::Backend;
use serde_json::{json, Value};
use std::time::Duration;

impl TestServer {
    async fn advance_sandbox_clock(&self, seconds: u64) -> Value {
        let url = self.url("/sandbox/v1/clock");
        let body = json!({ "advanceSeconds": seconds });
        let response = self.http.post(url).json(&body).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }
}

/// Two instances on one Redis, each with its own connection and its own
/// view of the sandbox, as two processes behind a load balancer.
#[tokio::test]
async fn the_clock_moved_on_one_instance_moves_every_rule_on_the_other_at_once() {
    if !redis_server_or_skip("sandbox_layer::clock") {
        return;
    }
    let redis = RedisProcess::start(&[]);
    let config = RedisConfig {
        key_prefix: unique_prefix(),
        ..RedisConfig::default()
    };
    let instance = || Backend::redis(&redis.url(), &config).unwrap();
    let a = TestServer::builder().backend(instance()).start().await;
    let b = TestServer::builder().backend(instance()).start().await;
    let headers = b.rao_headers("sandbox", "follow").await;
    assert_eq!(b.rao_generate(&headers, "5560000001").await.status(), 204);
    let otp = b.last_otp("+525560000001").await;
    assert_eq!(b.get_json("/sandbox/v1/clock").await["offsetSeconds"], 0);

    a.advance_sandbox_clock(3_600).await;

    let clock = b.get_json("/sandbox/v1/clock").await;
    assert_eq!(clock["offsetSeconds"], 3_600, "the other instance's clock");
    let late = b.rao_validate(&headers, "5560000001", &otp).await;
    assert_error(late, 401, "error", "unAuthorized", "Authorization").await;
    let fresh = b.rao_headers("sandbox", "follow").await;
    let late = b.rao_validate(&fresh, "5560000001", &otp).await;
    assert_rao_expired(late).await;
}

#[test]
fn a_sandbox_naming_a_real_sms_gateway_refuses_to_start() {
    for sms in [
        "[sms]\ngateway = \"webhook\"\nwebhook_url = \"http://127.0.0.1:9/sms\"",
        "[sms]\ngateway = \"log\"",
    ] {
        let error = Config::from_toml(&format!("{SANDBOX_TOML}\n{sms}")).unwrap_err();
        let error = format!("{error:#}");
        assert!(
            error.contains("sms.gateway") && error.contains("outbox only"),
            "{error}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox.toml");
    let webhook = "[sms]\ngateway = \"webhook\"\nwebhook_url = \"http://127.0.0.1:9/sms\"";
    std::fs::write(&path, format!("{SANDBOX_TOML}\n{webhook}")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_otp-server"))
        .args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sms.gateway"), "{stderr}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("listening"),
        "it never served"
    );
}

/// The memory store expires entries by the app's clock, which in a sandbox
/// is the sandbox's: after the clock moves a day, a full store sweeps what
/// has expired on that clock and serves again, with no reset.
#[tokio::test]
async fn a_full_memory_store_sweeps_by_the_sandbox_clock() {
    let mut config = test_config();
    config.server.max_store_entries = 7;
    let server = TestServer::builder()
        .config(config)
        .store_of_config()
        .start()
        .await;
    let generate = |phone: String| {
        let server = &server;
        async move {
            let headers = server.tm_headers("loose").await;
            let body = Some(tm_body("full", &phone));
            let path = format!("{TM}/generate");
            server.post(&path, &headers, body).await.status().as_u16()
        }
    };
    let mut statuses = Vec::new();
    for i in 0..5 {
        statuses.push(generate(format!("556100000{i}")).await);
    }
    // A token's failure counter, then each phone and its session: full.
    assert_eq!(statuses, [200, 200, 200, 500, 500], "the store is full");
    server.advance_sandbox_clock(86_400).await;
    let mut served = 500;
    for _ in 0..40 {
        served = generate("5561000009".into()).await;
        if served == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(served, 200, "swept on the sandbox's clock, no reset needed");
}

/// The sandbox clock never moves back but by a reset: after Redis restarts
/// empty, an instance puts back the offset it knew, and an instance that
/// knew nothing sees it too.
#[tokio::test]
async fn the_clock_survives_a_redis_that_restarts_empty() {
    if !redis_server_or_skip("sandbox_layer::restart") {
        return;
    }
    let mut redis = RedisProcess::start(&[]);
    let config = RedisConfig {
        key_prefix: unique_prefix(),
        ..RedisConfig::default()
    };
    let url = redis.url();
    let backend = || Backend::redis(&url, &config).unwrap();
    let knew = TestServer::builder().backend(backend()).start().await;
    knew.advance_sandbox_clock(400).await;
    let port = redis.port;
    redis.kill();
    let _restarted = RedisProcess::start_on(port, &[]);
    let fresh = TestServer::builder().backend(backend()).start().await;
    let mut shown = Value::Null;
    for _ in 0..50 {
        knew.get_json("/sandbox/v1/clock").await;
        shown = fresh.get_json("/sandbox/v1/clock").await["offsetSeconds"].clone();
        if shown == json!(400) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(shown, json!(400), "never back");
    let reset = knew
        .http
        .post(knew.url("/sandbox/v1/reset"))
        .header("content-type", "application/json");
    assert_eq!(reset.send().await.unwrap().status(), 204);
    let clock = fresh.get_json("/sandbox/v1/clock").await;
    assert_eq!(clock["offsetSeconds"], 0, "but by a reset");
}
