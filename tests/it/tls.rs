//! TLS with real peers: the SMS webhook to an `https://` relay this test
//! starts (rcgen certificates, its CA as `sms.ca_file`, an authorization
//! header from a file), a relay signed by another CA refused, and the
//! public listener speaking HTTPS to a client that trusts the test CA.

use crate::certs::{Leaf, TestCa};
use crate::support::*;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use otp_server::config::Config;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// 32 random bytes, base64, in a file of `dir`; its path.
pub fn random_key_file(dir: &Path, name: &str) -> String {
    use base64::Engine;
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).unwrap();
    let text = base64::engine::general_purpose::STANDARD.encode(key);
    crate::certs::write(dir, name, &text).display().to_string()
}

/// A production config (keys in files of `dir`) whose `[sms]` section is
/// `sms`, with `extra` lines in `[server]`.
pub fn production_config(dir: &Path, sms: &str, extra: &str) -> Config {
    Config::from_toml(&production_toml(dir, sms, extra)).unwrap_or_else(|e| panic!("{e:#}"))
}

/// The text of [`production_config`].
pub fn production_toml(dir: &Path, sms: &str, extra: &str) -> String {
    let token = random_key_file(dir, "token-key");
    let otp = random_key_file(dir, "otp-key");
    let client = random_key_file(dir, "client-key");
    format!(
        r#"
[server]
sandbox = false
{extra}
[secrets]
token_key_file = "{token}"
otp_key_file = "{otp}"
[sms]
{sms}
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

/// What the relay received: the `Authorization` header and the body.
type Received = Arc<Mutex<Vec<(Option<String>, Value)>>>;

/// An SMS relay over TLS with `leaf`'s certificate; its URL.
async fn tls_relay(leaf: &Leaf) -> (String, Received) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/sms", listener.local_addr().unwrap());
    let acceptor = tokio_rustls::TlsAcceptor::from(leaf.server_config());
    let received: Received = Arc::default();
    let sink = received.clone();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let (acceptor, sink) = (acceptor.clone(), sink.clone());
            tokio::spawn(async move {
                // A client that refuses our certificate ends the handshake.
                let Ok(stream) = acceptor.accept(stream).await else {
                    return;
                };
                let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let sink = sink.clone();
                    async move {
                        let authorization = req
                            .headers()
                            .get("authorization")
                            .map(|v| v.to_str().unwrap().to_owned());
                        let body = req.into_body().collect().await.unwrap().to_bytes();
                        let body = serde_json::from_slice::<Value>(&body).unwrap();
                        sink.lock().unwrap().push((authorization, body));
                        Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(
                            Bytes::new(),
                        )))
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (url, received)
}

const RELAY_TOKEN: &str = "Bearer s3cr3t-relay-token-0042";

#[tokio::test]
async fn an_otp_arrives_over_tls_with_the_authorization_header() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("relay CA");
    let (url, received) = tls_relay(&ca.leaf("relay")).await;
    let ca_file = ca.write(dir.path(), "relay-ca.pem");
    let token_file = crate::certs::write(dir.path(), "relay-token", &format!("{RELAY_TOKEN}\n"));
    let sms = format!(
        "gateway = \"webhook\"\nwebhook_url = \"{url}\"\nca_file = \"{}\"\nauthorization_file = \"{}\"\nretries = 0",
        ca_file.display(),
        token_file.display()
    );
    let config = production_config(dir.path(), &sms, "");
    assert!(!format!("{config:?}").contains("s3cr3t"), "Debug hides it");
    let server = TestServer::builder().config(config).start().await;
    let headers = server.tm_headers("prod-app").await;

    let (sid, prefix) = server.tm_generate(&headers, "tls-1", "5541000001").await;
    let delivered = received.lock().unwrap().clone();
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    let (authorization, body) = &delivered[0];
    assert_eq!(authorization.as_deref(), Some(RELAY_TOKEN));
    assert_eq!(body["to"], "+525541000001");
    let otp = body["text"]
        .as_str()
        .unwrap()
        .split(' ')
        .find(|w| w.len() == 11 && w.starts_with(&prefix))
        .expect("the OTP in the SMS")
        .to_owned();
    let validated = server.tm_validate(&headers, &sid, "tls-1", &otp).await;
    assert_eq!(validated.status(), 200);
    assert_logs_free_of(&["s3cr3t-relay-token", &otp]);
}

#[tokio::test]
async fn a_relay_certificate_from_another_ca_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let relay_ca = TestCa::new("relay CA");
    let (url, received) = tls_relay(&relay_ca.leaf("relay")).await;
    let other = TestCa::new("another CA").write(dir.path(), "other-ca.pem");
    let sms = format!(
        "gateway = \"webhook\"\nwebhook_url = \"{url}\"\nca_file = \"{}\"\nretries = 1\ntimeout_ms = 2000",
        other.display()
    );
    let server = TestServer::builder()
        .config(production_config(dir.path(), &sms, ""))
        .start()
        .await;
    let headers = server.tm_headers("prod-app").await;
    let answer = server
        .post(
            &format!("{TM}/generate"),
            &headers,
            Some(tm_body("tls-2", "5541000002")),
        )
        .await;
    assert_error(answer, 400, "error", "smsDeliveryFailed", "phoneNumber").await;
    assert!(received.lock().unwrap().is_empty(), "nothing was delivered");
    let logs = logs();
    let why = logs
        .lines()
        .find(|l| l.contains("sms webhook attempt failed") && l.contains("UnknownIssuer"));
    assert!(why.is_some(), "the log says why: {logs}");
}

#[test]
fn tls_settings_are_refused_where_they_do_not_fit_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("ca").write(dir.path(), "ca.pem");
    let token = crate::certs::write(dir.path(), "token", RELAY_TOKEN);
    let build = |sms: &str, extra: &str| {
        let toml = production_toml(dir.path(), sms, extra);
        let err = Config::from_toml(&toml).err().map(|e| format!("{e:#}"));
        err.unwrap_or_default()
    };
    let http = "gateway = \"webhook\"\nwebhook_url = \"http://relay.internal/sms\"";
    for (sms, extra, says) in [
        (
            format!("{http}\nca_file = \"{}\"", ca.display()),
            "",
            "sms.ca_file is set but sms.webhook_url is http://",
        ),
        (
            "gateway = \"webhook\"\nwebhook_url = \"ftp://relay/sms\"".into(),
            "",
            "sms.webhook_url must be an http:// or https:// URL",
        ),
        (
            format!("{http}\nauthorization_file = \"/nonexistent/token\""),
            "",
            "sms.authorization_file: cannot read /nonexistent/token",
        ),
        (
            format!(
                "{http}\nauthorization_file = \"{}\"\nauthorization_env = \"X\"",
                token.display()
            ),
            "",
            "give exactly one of sms.authorization_env, sms.authorization_file",
        ),
        (
            String::new(),
            "tls_cert_file = \"/x.crt\"",
            "server.tls_cert_file is set without server.tls_key_file",
        ),
    ] {
        let err = build(&sms, extra);
        assert!(err.contains(says), "expected {says:?} in {err:?}");
        assert!(!err.contains("s3cr3t"), "{err}");
    }
    // An authorization header over plain http:// leaves this host only in clear.
    let sms = format!("{http}\nauthorization_file = \"{}\"", token.display());
    let toml = production_toml(dir.path(), &sms, "");
    let err = format!("{:#}", Config::from_toml(&toml).unwrap_err());
    assert!(err.contains("would send the credential in clear"), "{err}");
    assert!(!err.contains("s3cr3t"), "{err}");
    let local = format!(
        "gateway = \"webhook\"\nwebhook_url = \"http://127.0.0.1:9/sms\"\nauthorization_file = \"{}\"",
        token.display()
    );
    production_config(dir.path(), &local, "");
}

/// The public listener over TLS: both flows with a client that trusts the
/// test CA; hyper's own error answers still rewritten (`EnvelopeIo`); a
/// plain-HTTP request gets no answer.
#[tokio::test]
async fn the_listener_speaks_https_for_both_flows() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("listener CA");
    let (cert, key) = ca.leaf("otp-server").write(dir.path(), "server");
    let mut config = test_config();
    config.server.tls_cert_file = Some(cert);
    config.server.tls_key_file = Some(key);
    let server = TestServer::builder()
        .config(config)
        .http(ca.client())
        .start()
        .await;
    assert!(server.url("/").starts_with("https://"));

    let headers = server.rao_headers("sandbox", "tls-session").await;
    assert_eq!(
        server.rao_generate(&headers, "5541000010").await.status(),
        204
    );
    let otp = server.last_otp("+525541000010").await;
    let validated = server.rao_validate(&headers, "5541000010", &otp).await;
    assert_eq!(validated.status(), 204);
    let certified = server
        .post(&format!("{RAO}/certified-phone"), &headers, None)
        .await;
    assert_eq!(certified.status(), 200);
    assert_eq!(
        certified.json::<Value>().await.unwrap(),
        json!({"phoneCountryCode": "+52", "phoneNumber": "5541000010"})
    );
    let tm = server.tm_headers("sandbox").await;
    let (sid, _) = server.tm_generate(&tm, "tls-tm", "5541000011").await;
    let otp = server.last_otp("5541000011").await;
    assert_eq!(
        server.tm_validate(&tm, &sid, "tls-tm", &otp).await.status(),
        200
    );

    // A head hyper cannot parse: its own answer, rewritten, inside TLS.
    let answer = raw_tls_request(
        server.addr,
        &ca,
        b"GET /health/live HTTP/1.1\r\nHost: t\r\nBad\x01Header: x\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(answer.contains("\"code\":\"invalidRequest\""), "{answer}");
    assert!(answer.contains("\"location\":\"headers\""), "{answer}");

    let plain = reqwest::Client::new()
        .get(format!("http://{}/health/live", server.addr))
        .send()
        .await;
    assert!(plain.is_err(), "plain HTTP is not served: {plain:?}");
    let untrusting = TestCa::new("another CA").client();
    let refused = untrusting.get(server.url("/health/live")).send().await;
    assert!(refused.is_err(), "a client that does not trust the CA");
}

/// Sends `request` over TLS and reads the whole answer.
async fn raw_tls_request(addr: std::net::SocketAddr, ca: &TestCa, request: &[u8]) -> String {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca.pem().as_bytes()).unwrap())
        .unwrap();
    let config = otp_server::tls::client_config(roots, None).unwrap();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let mut tls = connector.connect(name, tcp).await.unwrap();
    tls.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        tls.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}
