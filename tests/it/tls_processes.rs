//! TLS and startup with real processes: the `otp-server` binary reloading
//! its certificate on SIGHUP; `redis-server` over TLS (one node, mutual
//! TLS, a TLS cluster) with rcgen certificates; a store that does not
//! answer at startup (warning, not ready, the first answer logged) and
//! `--require-store`.

use crate::certs::{served_certificate, TestCa};
use crate::processes::{free_port, redis_server_or_skip, RedisProcess, ServerProcess};
use crate::support::*;
use otp_server::config::SANDBOX_TOML;
use otp_server::store::redis::RedisConfig;
use otp_server::Backend;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The sandbox config with `server` lines added to `[server]` and
/// `sections` after it, in a file of `dir`.
fn sandbox_file(dir: &Path, server: &str, sections: &str) -> PathBuf {
    let text = SANDBOX_TOML.replacen("[server]\n", &format!("[server]\n{server}\n"), 1);
    crate::certs::write(dir, "otp.toml", &format!("{text}\n{sections}\n"))
}

/// Waits until `what` appears in `text()`.
fn wait_for(what: &str, text: impl Fn() -> String) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let seen = text();
        if seen.contains(what) {
            return seen;
        }
        assert!(Instant::now() < deadline, "never saw {what:?} in:\n{seen}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn hangup(process: &ServerProcess) {
    let sent = Command::new("kill")
        .args(["-HUP", &process.pid().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// SIGHUP: new handshakes get the new certificate; a key that cannot be
/// used, or does not go with the certificate, keeps the one in use and the
/// log says why; the process never stops serving.
#[tokio::test]
async fn sighup_reloads_the_certificate_and_a_bad_one_keeps_the_old() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("listener CA");
    let first = ca.leaf("first");
    let (cert, key) = first.write(dir.path(), "server");
    let server_lines = format!(
        "tls_cert_file = \"{}\"\ntls_key_file = \"{}\"",
        cert.display(),
        key.display()
    );
    let config = sandbox_file(dir.path(), &server_lines, "");
    let mut process = ServerProcess::start(&config, "memory");
    let printed = process.stdout.lock().unwrap().clone();
    assert!(printed.contains("listening on https://"), "{printed}");
    assert_eq!(served_certificate(process.addr, &ca).await, first.der);

    let https = ca.client();
    let health = format!("https://{}/health/live", process.addr);
    let keep_alive = https.get(&health).send().await.unwrap();
    assert_eq!(keep_alive.status(), 200);

    let second = ca.leaf("second");
    second.write(dir.path(), "server");
    hangup(&process);
    wait_for("TLS certificate reloaded", || {
        process.stderr.lock().unwrap().clone()
    });
    assert_eq!(served_certificate(process.addr, &ca).await, second.der);
    assert_eq!(https.get(&health).send().await.unwrap().status(), 200);

    std::fs::write(&key, "not a key").unwrap();
    hangup(&process);
    let logs = wait_for("NOT reloaded", || process.stderr.lock().unwrap().clone());
    assert!(logs.contains("server.tls_key_file"), "{logs}");
    assert_eq!(served_certificate(process.addr, &ca).await, second.der);

    let third = ca.leaf("third");
    std::fs::write(&cert, &third.cert_pem).unwrap();
    std::fs::write(&key, &second.key_pem).unwrap();
    hangup(&process);
    let logs = wait_for("does not go with", || {
        process.stderr.lock().unwrap().clone()
    });
    assert_eq!(logs.matches("NOT reloaded").count(), 2, "{logs}");
    assert_eq!(served_certificate(process.addr, &ca).await, second.der);
    assert!(
        process.wait(Duration::from_millis(100)).is_none(),
        "still serving"
    );
    for key in [&first.key_pem, &second.key_pem] {
        let body = key.lines().nth(1).unwrap();
        assert!(!logs.contains(body), "a private key was logged");
    }
}

/// Certificates for a TLS `redis-server` and its clients, in `dir`.
struct RedisCerts {
    ca: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    client_cert: PathBuf,
    client_key: PathBuf,
}

impl RedisCerts {
    fn new(dir: &Path) -> Self {
        let ca = TestCa::new("redis CA");
        let (cert, key) = ca.leaf("redis").write(dir, "redis");
        let (client_cert, client_key) = ca.leaf("otp-server").write(dir, "client");
        Self {
            ca: ca.write(dir, "redis-ca.pem"),
            cert,
            key,
            client_cert,
            client_key,
        }
    }

    /// `redis-server` arguments: TLS only on `port`.
    fn args(&self, port: u16, auth_clients: &str) -> Vec<String> {
        let path = |p: &PathBuf| p.display().to_string();
        [
            "--port",
            "0",
            "--tls-port",
            &port.to_string(),
            "--tls-cert-file",
            &path(&self.cert),
            "--tls-key-file",
            &path(&self.key),
            "--tls-ca-cert-file",
            &path(&self.ca),
            "--tls-auth-clients",
            auth_clients,
        ]
        .map(str::to_owned)
        .to_vec()
    }

    fn redis_config(&self, client_cert: bool) -> RedisConfig {
        RedisConfig {
            key_prefix: unique_prefix(),
            command_timeout_ms: 5_000,
            connect_timeout_ms: 1_000,
            ca_file: Some(self.ca.clone()),
            client_cert_file: client_cert.then(|| self.client_cert.clone()),
            client_key_file: client_cert.then(|| self.client_key.clone()),
        }
    }
}

fn start_tls_redis(certs: &RedisCerts, auth_clients: &str, extra: &[&str]) -> RedisProcess {
    let port = free_port();
    let mut args = certs.args(port, auth_clients);
    args.extend(extra.iter().map(|a| a.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    RedisProcess::start_on(port, &args)
}

/// Both flows through one server.
async fn both_flows(server: &TestServer, tag: &str) {
    let headers = server.rao_headers("sandbox", &format!("{tag}-rao")).await;
    for i in 0..2 {
        let phone = format!("55430000{tag}{i}");
        assert_eq!(server.rao_generate(&headers, &phone).await.status(), 204);
        let otp = server.last_otp(&format!("+52{phone}")).await;
        let validated = server.rao_validate(&headers, &phone, &otp).await;
        assert_eq!(validated.status(), 204);
    }
    let tm = server.tm_headers("sandbox").await;
    for i in 0..2 {
        let phone = format!("55440000{tag}{i}");
        let (sid, _) = server.tm_generate(&tm, tag, &phone).await;
        let otp = server.last_otp(&phone).await;
        assert_eq!(server.tm_validate(&tm, &sid, tag, &otp).await.status(), 200);
    }
}

/// The binary on `rediss://`, with `redis.ca_file` in its config file.
#[tokio::test]
async fn a_flow_passes_on_rediss() {
    if !redis_server_or_skip("tls_processes::rediss") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let certs = RedisCerts::new(dir.path());
    let redis = start_tls_redis(&certs, "no", &["--requirepass", "tls-pass-0042"]);
    let sections = format!(
        "[redis]\nca_file = \"{}\"\nkey_prefix = \"{}\"",
        certs.ca.display(),
        unique_prefix()
    );
    let config = sandbox_file(dir.path(), "", &sections);
    let url = format!("rediss://:tls-pass-0042@127.0.0.1:{}", redis.port);
    let process = ServerProcess::start(&config, &url);
    let server = TestServer::at(process.addr);
    let shown = format!("store: rediss://127.0.0.1:{}", redis.port);
    wait_for(&shown, || process.stdout.lock().unwrap().clone());
    both_flows(&server, "1").await;
    let ready = server.http.get(server.url("/health/ready")).send().await;
    assert_eq!(ready.unwrap().status(), 200);
    let printed = process.stdout.lock().unwrap().clone();
    assert!(!printed.contains("WARNING"), "{printed}");
    let logs = process.stderr.lock().unwrap().clone();
    for text in [&printed, &logs] {
        assert!(!text.contains("tls-pass"), "a credential was printed");
    }
}

/// A server that asks for client certificates: served with
/// `redis.client_cert_file`, not ready without one.
#[tokio::test]
async fn mutual_tls_with_a_client_certificate() {
    if !redis_server_or_skip("tls_processes::mutual") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let certs = RedisCerts::new(dir.path());
    let redis = start_tls_redis(&certs, "yes", &[]);
    let url = format!("rediss://127.0.0.1:{}", redis.port);
    let backend = Backend::redis(&url, &certs.redis_config(true)).unwrap();
    let server = TestServer::builder().backend(backend).start().await;
    both_flows(&server, "2").await;

    let anonymous = Backend::redis(&url, &certs.redis_config(false)).unwrap();
    let refused = TestServer::builder().backend(anonymous).start().await;
    let ready = refused.http.get(refused.url("/health/ready")).send().await;
    assert_eq!(ready.unwrap().status(), 500);

    let plain = format!("redis://127.0.0.1:{}", redis.port);
    let err = Backend::redis(&plain, &certs.redis_config(true))
        .err()
        .unwrap();
    let err = format!("{err:#}");
    assert!(
        err.contains("redis.ca_file is set but the store is not over TLS"),
        "{err}"
    );
}

/// Three masters over TLS (`--tls-cluster yes`), reached as
/// `rediss+cluster://`.
#[tokio::test]
async fn both_flows_on_a_tls_redis_cluster() {
    if !redis_server_or_skip("tls_processes::cluster") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let certs = RedisCerts::new(dir.path());
    let nodes: Vec<RedisProcess> = (0..3)
        .map(|_| {
            let bus = free_port().to_string();
            start_tls_redis(
                &certs,
                "no",
                &[
                    "--tls-cluster",
                    "yes",
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-port",
                    &bus,
                ],
            )
        })
        .collect();
    let addrs: Vec<String> = nodes
        .iter()
        .map(|n| format!("127.0.0.1:{}", n.port))
        .collect();
    let ca = certs.ca.display().to_string();
    let tls = ["--tls", "--cacert", ca.as_str()];
    let created = Command::new("redis-cli")
        .args(tls)
        .args(["--cluster", "create"])
        .args(&addrs)
        .args(["--cluster-replicas", "0", "--cluster-yes"])
        .stdout(Stdio::null())
        .status()
        .expect("redis-cli is installed");
    assert!(created.success(), "redis-cli --cluster create over TLS");
    let deadline = Instant::now() + Duration::from_secs(20);
    for node in &nodes {
        loop {
            let info = Command::new("redis-cli")
                .args(tls)
                .args(["-p", &node.port.to_string(), "cluster", "info"])
                .output()
                .unwrap();
            if String::from_utf8_lossy(&info.stdout).contains("cluster_state:ok") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the TLS cluster did not become ok"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let url = format!("rediss+cluster://{}", addrs.join(","));
    let backend = Backend::redis(&url, &certs.redis_config(false)).unwrap();
    let server = TestServer::builder().backend(backend).start().await;
    both_flows(&server, "3").await;
}

/// A store that does not answer at startup: a warning naming it (without
/// its password) in the banner and the log, not ready until it answers,
/// then the first answer logged; with `--require-store`, exit 1 and one
/// line.
#[tokio::test]
async fn a_store_down_at_startup_is_a_loud_warning_or_a_refusal() {
    if !redis_server_or_skip("tls_processes::startup") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = sandbox_file(
        dir.path(),
        "",
        &format!("[redis]\nkey_prefix = \"{}\"", unique_prefix()),
    );
    let port = free_port();
    let url = format!("redis://:hunter2-startup@127.0.0.1:{port}");
    let shown = format!("redis://127.0.0.1:{port}");

    let refused = Command::new(env!("CARGO_BIN_EXE_otp-server"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--store",
            &url,
            "--require-store",
            "--config",
        ])
        .arg(&config)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(
        said.starts_with(&format!("otp-server: store {shown} does not answer")),
        "{said}"
    );
    assert!(said.contains("--require-store"), "{said}");
    assert!(refused.stdout.is_empty(), "no banner");

    let process = ServerProcess::start(&config, &url);
    let warning = format!("WARNING: store {shown} does not answer");
    let printed = wait_for(&warning, || process.stdout.lock().unwrap().clone());
    let logs = wait_for("the store does not answer at startup", || {
        process.stderr.lock().unwrap().clone()
    });
    assert!(logs.contains(&shown), "{logs}");
    let server = TestServer::at(process.addr);
    let ready = || async {
        let answer = server.http.get(server.url("/health/ready")).send().await;
        answer.unwrap().status().as_u16()
    };
    assert_eq!(ready().await, 500);

    let _redis = RedisProcess::start_on(port, &["--requirepass", "hunter2-startup"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    while ready().await != 200 {
        assert!(Instant::now() < deadline, "never ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let logs = wait_for("the store answers now", || {
        process.stderr.lock().unwrap().clone()
    });
    assert_eq!(logs.matches("the store answers now").count(), 1);
    for text in [&printed, &logs, &said.to_string()] {
        assert!(
            !text.contains("hunter2"),
            "a credential was printed: {text}"
        );
    }
}
