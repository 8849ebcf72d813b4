//! Production mode: startup refuses weak or misplaced secrets, naming the
//! setting; the webhook gateway delivers (with retries); sandbox parts are gone.

use crate::support::*;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use otp_server::config::Config;
use serde_json::Value;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Random-looking 32-byte keys, base64, written to files.
const KEYS: [&str; 3] = [
    "W34aL8qLCh/i+0foCKedoC9s7HbZqCwkK6P+FWc2vlU=",
    "O+YtGk8ZR+kKWTnmb5z9CKaEjWkiPNVUk/4aGUxf2Pc=",
    "2A2hGp7nYxD7VNXGP86Wen3yt3Z0TISSnzCCTWhOsBc=",
];

fn key_files(dir: &Path) -> [String; 3] {
    KEYS.map(|key| {
        let path = dir.join(format!("key-{}", key[..4].replace('/', "_")));
        std::fs::write(&path, key).unwrap();
        path.display().to_string()
    })
}

fn production_toml(dir: &Path, webhook: &str) -> String {
    let [token, otp, client] = key_files(dir);
    format!(
        r#"
[server]
sandbox = false
[secrets]
token_key_file = "{token}"
otp_key_file = "{otp}"
[sms]
gateway = "webhook"
webhook_url = "{webhook}"
timeout_ms = 1000
retries = 2
[[clients]]
id = "prod-app"
secret_sha256 = "9caf06bb4436cdbfa20af9121a626bc1093c4f54b31c0fa937957856135345b6"
cipher = "aes-256-gcm"
key_file = "{client}"
apis = ["rao", "telemarketing"]
access = [{{ country = "MX", business = "GCB", channels = ["IVR", "MOBILE"] }}]
"#
    )
}

#[test]
fn weak_or_misplaced_secrets_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let good = production_toml(dir.path(), "http://127.0.0.1:9/sms");
    assert!(
        Config::from_toml(&good).is_ok(),
        "{:#}",
        Config::from_toml(&good).unwrap_err()
    );
    let sandbox_key = dir.path().join("sandbox-key");
    std::fs::write(&sandbox_key, "c2FuZGJveC10b2tlbi1rZXktMDAwMDAwMDAwMDAwMDA=").unwrap();
    let token_line = good
        .lines()
        .find(|l| l.starts_with("token_key_file"))
        .unwrap()
        .to_owned();
    let cases = [
        (
            good.replace(
                &token_line,
                &format!("token_key_file = \"{}\"", sandbox_key.display()),
            ),
            "secrets.token_key is a public sandbox key",
        ),
        (
            good.replace(
                &token_line,
                "token_key = \"W34aL8qLCh/i+0foCKedoC9s7HbZqCwkK6P+FWc2vlU=\"",
            ),
            "secrets.token_key is written in the config file",
        ),
        (
            good.replace(&token_line, "token_key_env = \"OTP_TEST_UNSET_VARIABLE\""),
            "OTP_TEST_UNSET_VARIABLE, which is not set",
        ),
        (
            good.replace(&token_line, ""),
            "secrets.token_key is missing",
        ),
        (
            good.replace("cipher = \"aes-256-gcm\"", "cipher = \"plain\"")
                .replace(
                    &good
                        .lines()
                        .find(|l| l.starts_with("key_file"))
                        .unwrap()
                        .to_owned(),
                    "",
                ),
            "client prod-app: cipher \"plain\" is for the sandbox only",
        ),
        (
            good.replace(
                "9caf06bb4436cdbfa20af9121a626bc1093c4f54b31c0fa937957856135345b6",
                "47b92e12cf09465c9375403baf780850b83d356c4e8605083817392d8e8106ed",
            ),
            "well-known secret",
        ),
        (
            good.replace("gateway = \"webhook\"", "gateway = \"outbox\""),
            "sms.gateway = \"outbox\" is the sandbox's",
        ),
        (
            good.replace(
                "9caf06bb4436cdbfa20af9121a626bc1093c4f54b31c0fa937957856135345b6",
                "0b14d501a594442a01c6859541bcb3e8164d183d32937b851835442f69d5c94e", // password1
            ),
            "otp-server client new prod-app",
        ),
        (
            with_key(
                &good,
                &token_line,
                dir.path(),
                "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
            ),
            "secrets.token_key is a sequence",
        ),
        (
            with_key(
                &good,
                &token_line,
                dir.path(),
                "bXktdmVyeS1zZWNyZXQtcGFzc3BocmFzZS0wMTIzNDU=",
            ),
            "secrets.token_key is printable ASCII",
        ),
        (
            with_key(&good, &token_line, dir.path(), KEYS[2]),
            "client prod-app: key is the same as secrets.token_key",
        ),
        (
            format!(
                "{good}\n[[sandbox.test_phones]]\nphone = \"+525500000001\"\notp = \"123456\"\n"
            ),
            "sandbox.test_phones are for the sandbox only",
        ),
    ];
    for (toml, expected) in cases {
        let error = format!("{:#}", Config::from_toml(&toml).unwrap_err());
        assert!(
            error.contains(expected),
            "expected {expected:?} in {error:?}"
        );
    }
}

/// `good` with its token key read from a new file holding `key`.
fn with_key(good: &str, token_line: &str, dir: &Path, key: &str) -> String {
    let path = dir.join(format!("token-{}", &key[..6].replace('/', "_")));
    std::fs::write(&path, key).unwrap();
    good.replace(
        token_line,
        &format!("token_key_file = \"{}\"", path.display()),
    )
}

/// An SMS relay that fails its first request, then records what it gets;
/// it answers with a body, as relays do, and counts its connections.
struct Relay {
    url: String,
    received: Arc<Mutex<Vec<Value>>>,
    connections: Arc<Mutex<usize>>,
}

async fn sms_relay() -> Relay {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(Mutex::new(0));
    let calls = Arc::new(Mutex::new(0));
    let (sink, accepted) = (received.clone(), connections.clone());
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            *accepted.lock().unwrap() += 1;
            let (sink, calls) = (sink.clone(), calls.clone());
            let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let (sink, calls) = (sink.clone(), calls.clone());
                async move {
                    let body = req.into_body().collect().await.unwrap().to_bytes();
                    let first = {
                        let mut n = calls.lock().unwrap();
                        *n += 1;
                        *n == 1
                    };
                    let status = if first { 503 } else { 200 };
                    if !first {
                        sink.lock()
                            .unwrap()
                            .push(serde_json::from_slice::<Value>(&body).unwrap());
                    }
                    Ok::<_, std::convert::Infallible>(
                        hyper::Response::builder()
                            .status(status)
                            .header("content-type", "application/json")
                            .body(Full::new(Bytes::from_static(b"{\"accepted\":true}")))
                            .unwrap(),
                    )
                }
            });
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    });
    Relay {
        url,
        received,
        connections,
    }
}

#[tokio::test]
async fn webhook_delivers_and_sandbox_parts_are_gone() {
    let dir = tempfile::tempdir().unwrap();
    let Relay { url, received, .. } = sms_relay().await;
    let config = Config::from_toml(&production_toml(dir.path(), &url)).unwrap();
    let server = TestServer::builder().config(config).admin().start().await;
    let mut headers = server.tm_headers("prod-app").await;
    headers.insert("prefer", "error=backendError".parse().unwrap());

    let (sid, prefix) = server.tm_generate(&headers, "cust-1", "5540000001").await;
    let delivered = received.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert_eq!(
        delivered[0]["to"], "+525540000001",
        "the whole E.164 number: countryCode's calling code and phoneNumber"
    );
    let text = delivered[0]["text"].as_str().unwrap();
    let otp = text
        .split(' ')
        .find(|w| w.len() == 11 && w.starts_with(&prefix))
        .expect("the OTP in the SMS")
        .to_owned();
    assert_eq!(
        server
            .tm_validate(&headers, &sid, "cust-1", &otp)
            .await
            .status(),
        200
    );

    let outbox = server
        .http
        .get(server.url("/sandbox/v1/sms"))
        .send()
        .await
        .unwrap();
    assert_eq!(outbox.status(), 404);
    for path in [
        "/sandbox/v1/reset",
        "/sandbox/v1/provider-states",
        "/sandbox/v1/clock",
    ] {
        let kit = server.http.post(server.url(path)).send().await.unwrap();
        assert_eq!(kit.status(), 404, "{path}");
    }
    let public = server
        .http
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        public.status(),
        404,
        "/metrics is not on the public listener"
    );
    let admin = format!("http://{}", server.admin_addr.unwrap());
    let metrics = server
        .http
        .get(format!("{admin}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    let metrics = metrics.text().await.unwrap();
    assert!(metrics.contains("otp_validated_total"), "{metrics}");
    assert!(!metrics.contains(&otp));
    let ready = server
        .http
        .get(format!("{admin}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let api = server
        .http
        .post(format!("{admin}{TM}/generate"))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 404, "the admin listener serves no API");
}

/// SMS after SMS go over one kept-alive connection to the relay, its
/// failed answer and its answers' bodies included.
#[tokio::test]
async fn the_webhook_keeps_one_connection_to_the_relay() {
    let dir = tempfile::tempdir().unwrap();
    let relay = sms_relay().await;
    let config = Config::from_toml(&production_toml(dir.path(), &relay.url)).unwrap();
    let server = TestServer::builder().config(config).start().await;
    let headers = server.tm_headers("prod-app").await;
    for phone in ["5540000011", "5540000012", "5540000013", "5540000014"] {
        server.tm_generate(&headers, "cust-1", phone).await;
    }
    assert_eq!(relay.received.lock().unwrap().len(), 4);
    assert_eq!(
        *relay.connections.lock().unwrap(),
        1,
        "the first answer (503, then a retry) and the next three SMS share one connection"
    );
}

/// A relay spoken to at the byte level: its answers, in order, one per
/// request it reads, each with whether it then closes the connection; it
/// records the body of every request it reads.
async fn raw_relay(answers: Vec<(&'static str, bool)>) -> Relay {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    let received = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(Mutex::new(0));
    let answers = Arc::new(Mutex::new(answers.into_iter()));
    let (sink, accepted) = (received.clone(), connections.clone());
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            *accepted.lock().unwrap() += 1;
            let (sink, answers) = (sink.clone(), answers.clone());
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                loop {
                    // One request: its head, then Content-Length bytes.
                    let (head_end, length) = loop {
                        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buffer[..end]).to_lowercase();
                            let length = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length: "))
                                .map_or(0, |n| n.trim().parse::<usize>().unwrap());
                            break (end + 4, length);
                        }
                        let mut chunk = [0u8; 4096];
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    };
                    while buffer.len() < head_end + length {
                        let mut chunk = [0u8; 4096];
                        match stream.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body: Vec<u8> = buffer.drain(..head_end + length).skip(head_end).collect();
                    let Some((answer, close)) = answers.lock().unwrap().next() else {
                        return;
                    };
                    sink.lock()
                        .unwrap()
                        .push(serde_json::from_slice::<Value>(&body).unwrap());
                    stream.write_all(answer.as_bytes()).await.unwrap();
                    if close {
                        return;
                    }
                }
            });
        }
    });
    Relay {
        url,
        received,
        connections,
    }
}

/// The webhook reads any well-formed answer: an interim `100` first, a
/// chunked body, no body, `Connection: close`, a relay that drops an idle
/// connection without a word, a failure retried on the same connection.
/// Every SMS arrives; a connection is kept only where the answer's end was
/// known and nobody asked to close.
#[tokio::test]
async fn the_webhook_reads_every_kind_of_answer() {
    let dir = tempfile::tempdir().unwrap();
    let relay = raw_relay(vec![
        // connection 1: kept, then closed by us after a chunked answer
        (
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
            false,
        ),
        (
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
            false,
        ),
        // connection 2: dropped by the relay after a 204, without a word
        ("HTTP/1.1 204 No Content\r\n\r\n", true),
        // connection 3: the relay says it closes
        (
            "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 0\r\n\r\n",
            true,
        ),
        // connection 4: a failure, then the retry on the same connection
        (
            "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\n\r\nbusy",
            false,
        ),
        ("HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n", false),
    ])
    .await;
    let config = Config::from_toml(&production_toml(dir.path(), &relay.url)).unwrap();
    let server = TestServer::builder().config(config).start().await;
    let headers = server.tm_headers("prod-app").await;
    let phones = [
        "5540000021",
        "5540000022",
        "5540000023",
        "5540000024",
        "5540000025",
    ];
    for phone in phones {
        server.tm_generate(&headers, "cust-1", phone).await;
    }
    let received = relay.received.lock().unwrap().clone();
    let to: Vec<String> = received
        .iter()
        .map(|m| m["to"].as_str().unwrap().to_owned())
        .collect();
    let mut expected: Vec<String> = phones.iter().map(|p| format!("+52{p}")).collect();
    expected.push(expected[4].clone());
    assert_eq!(to, expected, "each SMS once; the fifth again after its 503");
    assert_eq!(*relay.connections.lock().unwrap(), 4);
}
