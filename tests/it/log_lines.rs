//! The log of a real `otp-server` process: a busy worker holds its lines
//! and writes them together as it goes idle, so every line must still come
//! out whole, once, and at once when the server has nothing else to do.

use crate::processes::ServerProcess;
use otp_server::config::SANDBOX_TOML;
use std::time::{Duration, Instant};

/// The request lines the process has logged so far, each parsed.
fn request_lines(server: &ServerProcess) -> Vec<serde_json::Value> {
    let logs = server.stderr.lock().unwrap().clone();
    logs.lines()
        .filter(|line| line.contains("\"target\":\"otp_server::request\""))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// Waits up to `limit` for `count` request lines.
fn wait_for_lines(server: &ServerProcess, count: usize, limit: Duration) -> Vec<serde_json::Value> {
    let deadline = Instant::now() + limit;
    loop {
        let lines = request_lines(server);
        if lines.len() >= count || Instant::now() > deadline {
            return lines;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

async fn token(client: &reqwest::Client, url: &str, uuid: &str) -> u16 {
    client
        .post(format!("{url}/api/v1/oauth/token"))
        .header("uuid", uuid)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "sandbox"),
            ("client_secret", "sandbox-secret"),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_lone_request_is_logged_at_once_and_a_burst_line_by_whole_line() {
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(config.path(), SANDBOX_TOML).unwrap();
    let server = ServerProcess::start(config.path(), "memory");
    let url = format!("http://{}", server.addr);
    let client = reqwest::Client::new();

    // One request, then nothing: its line is out as soon as the worker idles.
    assert_eq!(token(&client, &url, "lone-request").await, 200);
    let lines = wait_for_lines(&server, 1, Duration::from_secs(5));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["uuid"], "lone-request");
    assert_eq!(lines[0]["status"], 200);

    // A burst from many connections: one whole line per request, each once.
    let burst: Vec<_> = (0..300)
        .map(|i| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move { token(&client, &url, &format!("burst-{i:03}")).await })
        })
        .collect();
    for answer in burst {
        assert_eq!(answer.await.unwrap(), 200);
    }
    let lines = wait_for_lines(&server, 301, Duration::from_secs(5));
    let mut uuids: Vec<String> = lines[1..]
        .iter()
        .map(|line| line["uuid"].as_str().unwrap().to_owned())
        .collect();
    uuids.sort();
    let expected: Vec<String> = (0..300).map(|i| format!("burst-{i:03}")).collect();
    assert_eq!(uuids, expected);
}
