//! `TestServer`: the real server on a free port, with helpers that speak
//! the APIs the way a consumer would.

#![allow(dead_code)] // not every test binary module uses every helper

use otp_server::clock::ManualClock;
use otp_server::config::{Config, SANDBOX_TOML};
use otp_server::mfa::MfaEngine;
use otp_server::sms::SmsGateway;
use otp_server::store::redis::RedisConfig;
use otp_server::store::Store;
use otp_server::{Backend, Server};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Response};
use serde_json::{json, Value};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;
use tokio::sync::oneshot;

pub const RAO: &str = "/api/v1/x-global/account-opening/rao/security/tokens";
pub const TM: &str = "/api/v1/x-global/security/tele-marketing/otp";
pub const TOKEN_URL: &str = "/api/v1/oauth/token";
pub const TEST_SECRET: &str = "test-secret";
/// The `uuid` header of the RAO and telemarketing helpers; errors echo it.
pub const RAO_UUID: &str = "3f2b8c1e-0d4a-4b7e-9a61-1c2d3e4f5a6b";
pub const TM_UUID: &str = "a7d1e304-83a9-4413-af97-62615e57eae6";

/// Extra clients of the test configuration (secret: `test-secret`).
pub const TEST_CLIENTS: &str = r#"
[[clients]]
id = "short-lived"
secret_sha256 = "9caf06bb4436cdbfa20af9121a626bc1093c4f54b31c0fa937957856135345b6"
cipher = "plain"
apis = ["rao", "telemarketing"]
access = [{ country = "MX", business = "GCB", channels = ["IVR", "WEB", "MOBILE", "BRANCH"] }]
policy = { otp_lifetime_secs = 1, min_send_interval_secs = 0 }

[[clients]]
id = "resender"
secret_sha256 = "9caf06bb4436cdbfa20af9121a626bc1093c4f54b31c0fa937957856135345b6"
cipher = "plain"
apis = ["rao", "telemarketing"]
access = [{ country = "MX", business = "GCB", channels = ["IVR", "WEB", "MOBILE", "BRANCH"] }]
policy = { min_send_interval_secs = 0, max_sends_per_window = 100, max_attempts = 100, max_failures_per_phone_hour = 3 }

[[clients]]
id = "loose"
secret_sha256 = "9caf06bb4436cdbfa20af9121a626bc1093c4f54b31c0fa937957856135345b6"
cipher = "plain"
apis = ["rao", "telemarketing"]
access = [{ country = "MX", business = "GCB", channels = ["IVR", "WEB", "MOBILE", "BRANCH"] }]
policy = { min_send_interval_secs = 0, max_sends_per_window = 1000 }

[[clients]]
id = "worldwide"
secret_sha256 = "9caf06bb4436cdbfa20af9121a626bc1093c4f54b31c0fa937957856135345b6"
cipher = "plain"
apis = ["rao", "telemarketing"]
access = [
  { country = "MX", business = "GCB", channels = ["IVR"] },
  { country = "US", business = "GCB", channels = ["IVR"] },
  { country = "CO", business = "GCB", channels = ["IVR"] },
]

[[clients]]
id = "web-rao-only"
secret_sha256 = "9caf06bb4436cdbfa20af9121a626bc1093c4f54b31c0fa937957856135345b6"
cipher = "plain"
apis = ["rao"]
access = [{ country = "MX", business = "GCB", channels = ["WEB"] }]
"#;

/// Everything the servers of this test binary log, at trace level.
static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(|| LogWriter)
            .with_ansi(false)
            // No timestamps: their microseconds would look like a 6-digit OTP.
            .without_time()
            .init();
    });
}

/// What the servers of this test binary logged so far.
pub fn logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned()
}

/// Fails when any of `secrets` appears in what the servers logged so far.
pub fn assert_logs_free_of(secrets: &[&str]) {
    let logs = String::from_utf8_lossy(&LOGS.lock().unwrap()).into_owned();
    assert!(!logs.is_empty(), "no logs were captured");
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        let line = logs.lines().find(|l| l.contains(secret));
        assert!(
            line.is_none(),
            "the logs contain a secret: {secret} in {line:?}"
        );
    }
}

/// The test configuration: the sandbox plus `TEST_CLIENTS`.
pub fn test_config() -> Config {
    Config::from_toml(&format!("{SANDBOX_TOML}\n{TEST_CLIENTS}")).expect("test config")
}

/// The backend the suite runs against: memory, or the Redis named by
/// `OTP_TEST_STORE` (one parameterised suite: `make test` runs it on both).
/// Each server gets its own key prefix, so tests and runs never share state.
pub fn store_under_test() -> Option<Backend> {
    let url = std::env::var("OTP_TEST_STORE")
        .ok()
        .filter(|u| u != "memory")?;
    Some(redis_backend(&url))
}

/// A Redis backend (store and sandbox state) on `url` under a fresh key
/// prefix. Its command timeout is generous: the limit tests send bursts of
/// 200 requests on a 2-core machine shared with the compiler, and a
/// timed-out reply would hide whether the step ran.
pub fn redis_backend(url: &str) -> Backend {
    let config = RedisConfig {
        key_prefix: unique_prefix(),
        command_timeout_ms: 5_000,
        connect_timeout_ms: 1_000,
        ..RedisConfig::default()
    };
    Backend::redis(url, &config).expect("redis store")
}

/// The production store of [`redis_backend`].
pub fn redis_store(url: &str) -> Arc<dyn Store> {
    redis_backend(url).store().clone()
}

/// A memory backend swept by the system clock, with no cap.
pub fn memory_backend() -> Backend {
    Backend::memory(Arc::new(otp_server::clock::SystemClock), usize::MAX)
}

pub fn unique_prefix() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).unwrap();
    format!(
        "test-{}:",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// One backend for several servers (two instances): the Redis under
/// test, else a memory store and the sandbox's state in this process.
pub fn shared_backend() -> Backend {
    store_under_test().unwrap_or_else(memory_backend)
}

/// Two instances sharing one backend and one (manual) base clock, as
/// behind a load balancer.
pub async fn two_instances() -> (TestServer, TestServer) {
    let backend = shared_backend();
    let a = TestServer::builder().backend(backend.clone()).start().await;
    let clock = a.clock.clone().unwrap();
    let b = TestServer::builder()
        .backend(backend)
        .clock(clock)
        .start()
        .await;
    (a, b)
}

/// Starts a server with some backends replaced. Its clock is a
/// [`ManualClock`] (starting at the real time), moved by
/// [`TestServer::advance`]: no test sleeps for time to pass.
#[derive(Default)]
pub struct Builder {
    backend: Option<Backend>,
    sms: Option<Arc<dyn SmsGateway>>,
    mfa: Option<Arc<dyn MfaEngine>>,
    config: Option<Config>,
    clock: Option<Arc<ManualClock>>,
    admin: bool,
    from_config: bool,
    http: Option<reqwest::Client>,
}

impl Builder {
    /// A production store of the test's own (a failing one, say).
    pub fn store(self, store: Arc<dyn Store>) -> Self {
        self.backend(Backend::store_only(store))
    }
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = Some(backend);
        self
    }
    pub fn sms(mut self, sms: Arc<dyn SmsGateway>) -> Self {
        self.sms = Some(sms);
        self
    }
    pub fn mfa(mut self, mfa: Arc<dyn MfaEngine>) -> Self {
        self.mfa = Some(mfa);
        self
    }
    pub fn config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }
    /// Also serves the admin listener (`/metrics`, health), on a free port.
    pub fn admin(mut self) -> Self {
        self.admin = true;
        self
    }
    /// The store the config names, built by the server itself (not the
    /// suite's store under test).
    pub fn store_of_config(mut self) -> Self {
        self.from_config = true;
        self
    }
    /// Shares a clock with another test server (two instances, one time).
    pub fn clock(mut self, clock: Arc<ManualClock>) -> Self {
        self.clock = Some(clock);
        self
    }
    /// The client the helpers speak with (one trusting a test CA, for a
    /// server whose config names a TLS certificate).
    pub fn http(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    pub async fn start(self) -> TestServer {
        capture_logs();
        let clock = self.clock.unwrap_or_default();
        let mut app = Server::builder(self.config.unwrap_or_else(test_config)).clock(clock.clone());
        let under_test = || (!self.from_config).then(store_under_test).flatten();
        if let Some(backend) = self.backend.clone().or_else(under_test) {
            app = app.backend(backend);
        }
        if let Some(sms) = self.sms {
            app = app.sms(sms);
        }
        if let Some(mfa) = self.mfa {
            app = app.mfa(mfa);
        }
        let app = app.build().expect("app");
        let scheme = if app.tls().is_some() { "https" } else { "http" };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let admin = match self.admin {
            true => Some(tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap()),
            false => None,
        };
        let admin_addr = admin.as_ref().map(|a| a.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(otp_server::serve_with_admin(listener, admin, app, async {
            let _ = stopped.await;
        }));
        TestServer {
            addr,
            admin_addr,
            scheme,
            http: self.http.unwrap_or_default(),
            clock: Some(clock),
            _stop: Some(stop),
        }
    }
}

/// A running server; stops when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    /// The admin listener's address, when started with [`Builder::admin`].
    pub admin_addr: Option<SocketAddr>,
    /// `http`, or `https` when the config names a TLS certificate.
    pub scheme: &'static str,
    pub http: reqwest::Client,
    /// The server's clock, when it runs in this process.
    pub clock: Option<Arc<ManualClock>>,
    _stop: Option<oneshot::Sender<()>>,
}

impl TestServer {
    /// Speaks to a server running elsewhere (another process).
    pub fn at(addr: SocketAddr) -> Self {
        Self {
            addr,
            admin_addr: None,
            scheme: "http",
            http: reqwest::Client::new(),
            clock: None,
            _stop: None,
        }
    }

    /// Moves the server's clock forward.
    pub fn advance(&self, by: Duration) {
        self.clock
            .as_ref()
            .expect("a server of this process")
            .advance(by);
    }

    pub async fn start() -> Self {
        Builder::default().start().await
    }

    pub fn builder() -> Builder {
        Builder::default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{path}", self.scheme, self.addr)
    }

    /// A bearer token for `client` from the token endpoint.
    pub async fn token(&self, client: &str) -> String {
        let secret = if client.starts_with("sandbox") {
            "sandbox-secret"
        } else {
            TEST_SECRET
        };
        let response = self.token_request(client, secret).await;
        assert_eq!(response.status(), 200);
        response.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A client-credentials request to the token endpoint.
    pub async fn token_request(&self, client: &str, secret: &str) -> Response {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client),
            ("client_secret", secret),
        ];
        let request = self.http.post(self.url(TOKEN_URL)).form(&form);
        request.send().await.unwrap()
    }

    /// The token endpoint's status and `Retry-After` for `client` and `secret`.
    pub async fn token_status(&self, client: &str, secret: &str) -> (u16, Option<String>) {
        let response = self.token_request(client, secret).await;
        let retry = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        (response.status().as_u16(), retry)
    }

    /// The headers every RAO call carries, for `client` and `sid`.
    pub async fn rao_headers(&self, client: &str, sid: &str) -> HeaderMap {
        let token = self.token(client).await;
        headers(&[
            ("client_id", client),
            ("Authorization", &format!("Bearer {token}")),
            ("Accept", "application/json"),
            ("uuid", RAO_UUID),
            ("Content-Type", "application/json"),
            ("countryCode", "MX"),
            ("businessCode", "GCB"),
            ("channelId", "MOBILE"),
            ("sid", sid),
        ])
    }

    /// The headers of telemarketing generate (validate adds `sid`).
    pub async fn tm_headers(&self, client: &str) -> HeaderMap {
        let token = self.token(client).await;
        headers(&[
            ("uuid", TM_UUID),
            ("Content-Type", "application/json"),
            ("Accept-Language", "en-US"),
            ("countryCode", "MX"),
            ("businessCode", "GCB"),
            ("channelId", "IVR"),
            ("client_id", client),
            ("Authorization", &format!("Bearer {token}")),
        ])
    }

    pub async fn post(&self, path: &str, headers: &HeaderMap, body: Option<Value>) -> Response {
        self.request(Method::POST, path, headers, body).await
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        headers: &HeaderMap,
        body: Option<Value>,
    ) -> Response {
        let mut request = self
            .http
            .request(method, self.url(path))
            .headers(headers.clone());
        if let Some(body) = body {
            request = request.body(body.to_string());
        }
        request.send().await.unwrap()
    }

    /// The newest OTP the outbox holds for `to`.
    pub async fn last_otp(&self, to: &str) -> String {
        let messages = self.outbox(to).await;
        messages[0]["otp"]
            .as_str()
            .expect("an SMS was sent")
            .to_owned()
    }

    /// `GET path`, its JSON body.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.http.get(self.url(path)).send().await.unwrap();
        response.json().await.unwrap()
    }

    pub async fn outbox(&self, to: &str) -> Vec<Value> {
        let path = format!("/sandbox/v1/sms?to={}", to.replace('+', "%2B"));
        let body = self.get_json(&path).await;
        body["messages"].as_array().unwrap().clone()
    }

    /// RAO generate for `phone` (national digits, `+52`), plain cipher.
    pub async fn rao_generate(&self, headers: &HeaderMap, phone: &str) -> Response {
        self.post(
            &format!("{RAO}/generate"),
            headers,
            Some(rao_phone_body(phone)),
        )
        .await
    }

    /// RAO validate of `otp` for `phone`, plain cipher.
    pub async fn rao_validate(&self, headers: &HeaderMap, phone: &str, otp: &str) -> Response {
        let body = json!({"encryptedOtpToken": b64(otp), "phone": rao_phone_body(phone)});
        self.post(&format!("{RAO}/validate"), headers, Some(body))
            .await
    }

    /// Telemarketing generate: the `sid` header and the 3-character token.
    pub async fn tm_generate(
        &self,
        headers: &HeaderMap,
        customer: &str,
        phone: &str,
    ) -> (String, String) {
        let response = self
            .post(
                &format!("{TM}/generate"),
                headers,
                Some(tm_body(customer, phone)),
            )
            .await;
        assert_eq!(response.status(), 200);
        let sid = response.headers()["sid"].to_str().unwrap().to_owned();
        let body: Value = response.json().await.unwrap();
        (
            sid,
            body["oneTimePasswordToken"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn tm_validate(
        &self,
        headers: &HeaderMap,
        sid: &str,
        customer: &str,
        otp: &str,
    ) -> Response {
        let mut headers = headers.clone();
        headers.insert("sid", HeaderValue::from_str(sid).unwrap());
        let body = json!({"customerId": customer, "oneTimePasswordToken": otp});
        self.post(&format!("{TM}/validate"), &headers, Some(body))
            .await
    }
}

pub fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    pairs
        .iter()
        .map(|(k, v)| {
            (
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            )
        })
        .collect()
}

pub fn b64(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

pub fn rao_phone_body(phone: &str) -> Value {
    json!({"phoneCountryCode": "+52", "encryptedPhoneNumber": b64(phone)})
}

pub fn tm_body(customer: &str, phone: &str) -> Value {
    json!({
        "customerId": customer,
        "phoneNumber": phone,
        "messagePrefix": "Citi Identification Code Service",
        "messageSuffix": "Reply HELP for help STOP to cancel"
    })
}

/// Which flow an answer comes from, where the two answer alike in other words.
#[derive(Debug, Clone, Copy)]
pub enum Flow {
    Rao,
    Telemarketing,
}

/// Asserts a send refused as too soon after the phone's last one (RAO's
/// `422` at `encryptedPhoneNumber`, telemarketing's `400` at
/// `phoneNumber`) and returns the envelope.
pub async fn assert_sent_moments_ago(response: Response, flow: Flow) -> Value {
    let body = match flow {
        Flow::Rao => {
            let at = "encryptedPhoneNumber";
            assert_error(response, 422, "error", "businessValidationFailed", at).await
        }
        Flow::Telemarketing => {
            assert_error(response, 400, "invalid", "invalidRequest", "phoneNumber").await
        }
    };
    assert!(
        body["details"].as_str().unwrap().contains("moments ago"),
        "refused as sent moments ago: {body}"
    );
    body
}

/// Asserts the whole `ErrorResponse` envelope and returns it.
pub async fn assert_error(
    response: Response,
    status: u16,
    kind: &str,
    code: &str,
    location: &str,
) -> Value {
    assert_eq!(response.status(), status, "status of {code}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["type"], kind, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["location"], location, "{body}");
    for field in ["details", "moreInfo", "timestamp"] {
        assert!(
            body[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field} in {body}"
        );
    }
    let uuid = body["uuid"].as_str().unwrap_or_default();
    assert!(uuid == RAO_UUID || uuid == TM_UUID, "uuid echo in {body}");
    let timestamp = body["timestamp"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(timestamp).is_ok() && timestamp.ends_with('Z'),
        "{timestamp}"
    );
    body
}

/// Asserts the RAO answer to an expired OTP: `422 businessValidationFailed`
/// at `encryptedOtpToken`, saying it expired.
pub async fn assert_rao_expired(response: Response) {
    let body = assert_error(
        response,
        422,
        "error",
        "businessValidationFailed",
        "encryptedOtpToken",
    )
    .await;
    assert!(
        body["details"].as_str().unwrap().contains("expired"),
        "{body}"
    );
}

/// Sends `requests` together and gives their statuses, in order: the
/// bursts of the attack and race tests.
pub async fn statuses_of(
    requests: impl IntoIterator<Item = impl std::future::Future<Output = Response>>,
) -> Vec<u16> {
    futures::future::join_all(requests)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect()
}
