//! The proxy faces any client and any upstream, so it is bounded and
//! strict, over real sockets: hop-by-hop headers dropped both ways
//! (RFC 9110 §7.6.1), no `Contract-Violations` but its own, slow clients
//! cut off, bodies and connections capped, violations kept short and few.

use super::{start, Running};
use crate::support::*;
use otp_server::proxy::ProxyOptions;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Every request head an upstream received.
type Heads = Arc<Mutex<Vec<String>>>;

/// An upstream speaking raw HTTP/1.1, so that what it sends and receives
/// is exactly what is on the wire: it answers every request with `answer`
/// and keeps each request head.
async fn raw_upstream(answer: &'static str) -> (String, Heads) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let heads = Heads::default();
    let kept = heads.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                while let Some(head) = read_request(&mut stream).await {
                    kept.lock().unwrap().push(head);
                    if stream.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, heads)
}

/// One request's head (its body read and dropped), or `None` at the end.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut bytes = Vec::new();
    let mut byte = [0u8; 1];
    while !bytes.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        bytes.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&bytes).to_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.ok()?;
    Some(head)
}

/// Sends `request` on a new connection and reads until the proxy closes it.
async fn exchange(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let read = stream.read_to_end(&mut answer);
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("the proxy closes the connection")
        .unwrap();
    String::from_utf8_lossy(&answer).to_lowercase()
}

fn options(upstream: &str) -> ProxyOptions {
    ProxyOptions {
        print_violations: false,
        ..ProxyOptions::new(upstream)
    }
}

const SECRET_ANSWER: &str = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: X-Secret, x-other\r\nX-Secret: s3cret\r\nX-Other: o\r\nKeep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nX-Kept: yes\r\nContent-Length: 2\r\n\r\n{}";

#[tokio::test]
async fn hop_by_hop_headers_and_those_connection_names_are_dropped_both_ways() {
    let (upstream, heads) = raw_upstream(SECRET_ANSWER).await;
    let running = start(options(&upstream)).await;
    let answer = exchange(
        running.addr,
        b"GET /health/live HTTP/1.1\r\nHost: proxy\r\nConnection: close, X-Client-Secret\r\nX-Client-Secret: c\r\nKeep-Alive: 1\r\nTE: trailers\r\nProxy-Connection: keep-alive\r\nUpgrade: h2c\r\nX-Forwarded: yes\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("http/1.1 200"), "{answer}");
    assert!(
        answer.contains("x-kept: yes"),
        "other headers pass: {answer}"
    );
    for dropped in [
        "x-secret",
        "x-other",
        "keep-alive",
        "proxy-connection",
        "connection: x-secret",
    ] {
        assert!(
            !answer.contains(dropped),
            "{dropped} reached the client: {answer}"
        );
    }
    let heads = heads.lock().unwrap();
    let head = &heads[0];
    assert!(head.contains("x-forwarded: yes"), "{head}");
    for dropped in [
        "x-client-secret",
        "keep-alive",
        "te:",
        "proxy-connection",
        "upgrade",
    ] {
        assert!(
            !head.contains(dropped),
            "{dropped} reached the upstream: {head}"
        );
    }
}

#[tokio::test]
async fn an_upstream_cannot_forge_contract_violations() {
    let forged = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContract-Violations: 0; all good\r\nContent-Length: 2\r\n\r\n{}";
    let (upstream, _) = raw_upstream(forged).await;
    let running = start(options(&upstream)).await;
    let clean = reqwest::get(format!("http://{}/health/live", running.addr))
        .await
        .unwrap();
    assert!(
        clean.headers().get("contract-violations").is_none(),
        "the upstream's own header is dropped: {:?}",
        clean.headers()
    );
    let via = TestServer::at(running.addr);
    let response = via
        .post(&format!("{RAO}/generate"), &headers(&[]), None)
        .await;
    let values: Vec<&str> = response
        .headers()
        .get_all("contract-violations")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(values.len(), 1, "{values:?}");
    assert!(
        !values[0].contains("all good") && values[0].contains("request"),
        "only the proxy's own: {values:?}"
    );
}

/// Whether the proxy closed `stream` within `limit` (EOF or a reset, after
/// whatever it wrote first).
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut sink = Vec::new();
    tokio::time::timeout(limit, stream.read_to_end(&mut sink))
        .await
        .is_ok()
}

#[tokio::test]
async fn slow_and_idle_clients_are_cut_off() {
    let server = TestServer::start().await;
    let running = start(ProxyOptions {
        header_timeout: Duration::from_millis(500),
        body_timeout: Duration::from_millis(500),
        ..options(&server.url(""))
    })
    .await;
    let began = Instant::now();
    let mut slow = Vec::new();
    for n in 0..20 {
        let mut stream = TcpStream::connect(running.addr).await.unwrap();
        if n % 2 == 0 {
            let head = b"GET /proxy/v1/violations HTTP/1.1\r\nHost: proxy\r\n";
            stream.write_all(head).await.unwrap(); // and never the rest
        }
        slow.push(stream);
    }
    for (n, stream) in slow.iter_mut().enumerate() {
        assert!(
            closed_within(stream, Duration::from_secs(3)).await,
            "connection {n} still open after {:?}",
            began.elapsed()
        );
    }
    let mut body = TcpStream::connect(running.addr).await.unwrap();
    let head = format!("POST {RAO}/generate HTTP/1.1\r\nHost: proxy\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"phone");
    body.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let read = body.read_to_end(&mut answer);
    tokio::time::timeout(Duration::from_secs(3), read)
        .await
        .expect("a slow body is cut off")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 400") && answer.contains("The body did not arrive in time"),
        "{answer}"
    );
    assert!(
        began.elapsed() < Duration::from_secs(5),
        "{:?}",
        began.elapsed()
    );
}

#[tokio::test]
async fn a_body_over_the_limit_never_reaches_the_upstream() {
    let (upstream, heads) = raw_upstream(SECRET_ANSWER).await;
    let running = start(ProxyOptions {
        max_body: 1024,
        ..options(&upstream)
    })
    .await;
    let via = TestServer::at(running.addr);
    let big = Value::String("x".repeat(2048));
    let h = headers(&[("uuid", RAO_UUID)]);
    let response = via.post(&format!("{RAO}/generate"), &h, Some(big)).await;
    assert_error(response, 400, "invalid", "invalidRequest", "body").await;
    let chunk = "x".repeat(800);
    let chunked = format!("POST {RAO}/generate HTTP/1.1\r\nHost: proxy\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n{chunk}\r\n320\r\n{chunk}\r\n0\r\n\r\n");
    let answer = exchange(running.addr, chunked.as_bytes()).await;
    assert!(
        answer.starts_with("http/1.1 400")
            && answer.contains("exceeds the proxy's limit of 1024 bytes"),
        "{answer}"
    );
    assert!(heads.lock().unwrap().is_empty(), "nothing was forwarded");

    // The default limit refuses a 15 MiB upload on its declared length,
    // before reading a byte of it.
    let running = start(options(&upstream)).await;
    let declared = format!(
        "POST {RAO}/generate HTTP/1.1\r\nHost: proxy\r\nContent-Length: {}\r\n\r\n",
        15 << 20
    );
    let answer = exchange(running.addr, declared.as_bytes()).await;
    assert!(
        answer.starts_with("http/1.1 400")
            && answer.contains("exceeds the proxy's limit of 1048576 bytes"),
        "{answer}"
    );
    assert!(heads.lock().unwrap().is_empty(), "nothing was forwarded");
}

#[tokio::test]
async fn connections_past_the_cap_wait_in_the_backlog() {
    let server = TestServer::start().await;
    let running = start(ProxyOptions {
        max_connections: 3,
        header_timeout: Duration::from_secs(30),
        ..options(&server.url(""))
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(TcpStream::connect(running.addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut waiting = TcpStream::connect(running.addr).await.unwrap();
    let request = b"GET /proxy/v1/violations HTTP/1.1\r\nHost: proxy\r\nConnection: close\r\n\r\n";
    waiting.write_all(request).await.unwrap();
    let mut first = [0u8; 12];
    let early = tokio::time::timeout(Duration::from_millis(700), waiting.read(&mut first)).await;
    assert!(
        early.is_err(),
        "a 4th connection was served past a cap of 3"
    );
    drop(held.pop());
    let mut answer = Vec::new();
    let read = waiting.read_to_end(&mut answer);
    tokio::time::timeout(Duration::from_secs(5), read)
        .await
        .expect("served once a slot is free")
        .unwrap();
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
}

#[tokio::test]
async fn violations_are_kept_short_and_few() {
    let server = TestServer::start().await;
    let running: Running = start(ProxyOptions {
        max_violations: 50,
        ..options(&server.url(""))
    })
    .await;
    let client = reqwest::Client::new();
    let long = "p".repeat(4096);
    let uuid = "u".repeat(4096);
    for _ in 0..120 {
        let url = format!("http://{}/api/v1/x-global/{long}", running.addr);
        let response = client.post(url).header("uuid", &uuid).send().await.unwrap();
        assert_eq!(response.status(), 404);
    }
    let body = client
        .get(format!("http://{}/proxy/v1/violations", running.addr))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let listed: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (listed["count"].as_u64(), listed["exchanges"].as_u64()),
        (Some(120), Some(120))
    );
    let kept = listed["violations"].as_array().unwrap();
    assert_eq!(kept.len(), 50, "the newest 50 kept, the rest counted");
    for violation in kept {
        assert!(violation["path"].as_str().unwrap().chars().count() <= 200);
        assert!(violation["uuid"].as_str().unwrap().chars().count() <= 64);
        assert!(violation["details"].as_str().unwrap().chars().count() <= 300);
    }
    assert!(
        body.len() < 50 * 1024,
        "{} bytes for 50 violations",
        body.len()
    );
}
