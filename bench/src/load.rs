//! The load generator: fixed concurrency, fixed duration, warm-up, keep-alive
//! HTTP/1.1 connections (one per worker), whole flows with fresh phones and
//! sessions; OTPs are read from the sandbox outbox, as a consumer's tests
//! do. Every status other than the one the step expects counts as an
//! error. Latencies are kept per operation.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use otp_server::cipher::Cipher;
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one worker does in a loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// POST a small JSON body to the baseline server.
    Baseline,
    /// Telemarketing generate only, a new phone each time.
    TmGenerate,
    /// Telemarketing generate → outbox → validate.
    TmFlow,
    /// RAO generate → outbox → validate → certified-phone.
    RaoFlow,
    /// Telemarketing generate against Stoplight Prism's mock.
    PrismGenerate,
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Self::Baseline => "baseline POST",
            Self::TmGenerate | Self::PrismGenerate => "telemarketing generate",
            Self::TmFlow => "telemarketing flow",
            Self::RaoFlow => "rao flow",
        }
    }
}

/// What the workers measured after the warm-up.
#[derive(Debug, Default)]
pub struct Measured {
    /// Microseconds per request, by operation.
    pub latencies_us: BTreeMap<&'static str, Vec<u32>>,
    pub flows: u64,
    pub errors: u64,
}

impl Measured {
    pub fn requests(&self) -> usize {
        self.latencies_us.values().map(Vec::len).sum()
    }

    pub fn merge(&mut self, other: Measured) {
        for (op, mut latencies) in other.latencies_us {
            self.latencies_us
                .entry(op)
                .or_default()
                .append(&mut latencies);
        }
        self.flows += other.flows;
        self.errors += other.errors;
    }
}

/// What a benchmark talks to.
pub struct Target {
    pub addr: SocketAddr,
    /// The client calling (`sandbox`, or the production config's).
    pub client: &'static str,
    /// Its bearer token.
    pub token: String,
    /// The client's cipher (`plain`: base64).
    pub cipher: Cipher,
    /// Prepended to every path: the APIs' basePath is part of their paths.
    pub base: &'static str,
}

/// One worker's connection and identity.
struct Worker {
    target: Arc<Target>,
    id: usize,
    sender: Option<SendRequest<Full<Bytes>>>,
    measured: Measured,
}

pub const TM: &str = "/v1/x-global/security/tele-marketing/otp";
pub const RAO: &str = "/v1/x-global/account-opening/rao/security/tokens";

impl Worker {
    async fn sender(&mut self) -> anyhow::Result<&mut SendRequest<Full<Bytes>>> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = tokio::net::TcpStream::connect(self.target.addr).await?;
            stream.set_nodelay(true)?;
            let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(connection);
            self.sender = Some(sender);
        }
        Ok(self.sender.as_mut().expect("just connected"))
    }

    /// Sends one request of operation `op`; its `sid` header and body.
    async fn call(
        &mut self,
        op: &'static str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
        expect: u16,
    ) -> Option<(Option<String>, Bytes)> {
        let started = Instant::now();
        let (method, uri) = match op {
            "outbox" => (Method::GET, path.to_owned()),
            _ => (Method::POST, format!("{}{path}", self.target.base)),
        };
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "bench");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(Bytes::from(body.unwrap_or_default())))
            .ok()?;
        let result = async {
            let response = self.sender().await?.send_request(request).await?;
            let status = response.status().as_u16();
            let sid = response
                .headers()
                .get("sid")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = response.into_body().collect().await?.to_bytes();
            anyhow::Ok((status, sid, body))
        }
        .await;
        let latency = started.elapsed().as_micros().min(u32::MAX as u128) as u32;
        self.measured
            .latencies_us
            .entry(op)
            .or_default()
            .push(latency);
        match result {
            Ok((status, sid, body)) if status == expect => Some((sid, body)),
            Ok(_) | Err(_) => {
                self.measured.errors += 1;
                if result.is_err() {
                    self.sender = None;
                }
                None
            }
        }
    }

    /// The newest OTP the sandbox outbox holds for `to`.
    async fn otp(&mut self, to: &str) -> Option<String> {
        let path = format!("/sandbox/v1/sms?to={}&limit=1", to.replace('+', "%2B"));
        let (_, body) = self.call("outbox", &path, &[], None, 200).await?;
        let json: Value = serde_json::from_slice(&body).ok()?;
        json["messages"][0]["otp"].as_str().map(str::to_owned)
    }

    async fn run(&mut self, scenario: Scenario, n: u64) -> Option<()> {
        let phone = format!("55{:02}{:07}", self.id % 100, n % 10_000_000);
        let bearer = format!("Bearer {}", self.target.token);
        match scenario {
            Scenario::Baseline => {
                let headers = [("content-type", "application/json")];
                let body = r#"{"phoneNumber":"5512345678"}"#.to_owned();
                self.call("baseline", "/", &headers, Some(body), 200)
                    .await?;
            }
            Scenario::TmGenerate | Scenario::TmFlow | Scenario::PrismGenerate => {
                self.telemarketing(scenario, &phone, &bearer).await?
            }
            Scenario::RaoFlow => self.rao(&phone, &bearer, n).await?,
        }
        Some(())
    }

    async fn telemarketing(&mut self, scenario: Scenario, phone: &str, bearer: &str) -> Option<()> {
        let headers = tm_headers(self.target.client, bearer, None);
        let body = format!(
            r#"{{"customerId":"bench","phoneNumber":"{phone}","messagePrefix":"Your code"}}"#
        );
        let path = format!("{TM}/generate");
        let (sid, _) = self
            .call("generateTelemarketingOtp", &path, &headers, Some(body), 200)
            .await?;
        if scenario != Scenario::TmFlow {
            return Some(());
        }
        let otp = self.otp(phone).await?;
        let sid = sid?;
        let headers = tm_headers(self.target.client, bearer, Some(&sid));
        let body = format!(r#"{{"customerId":"bench","oneTimePasswordToken":"{otp}"}}"#);
        let path = format!("{TM}/validate");
        self.call("validateTelemarketingOtp", &path, &headers, Some(body), 200)
            .await?;
        Some(())
    }

    async fn rao(&mut self, phone: &str, bearer: &str, n: u64) -> Option<()> {
        let sid = format!("bench-{}-{n}", self.id);
        let headers = rao_headers(self.target.client, bearer, &sid);
        let sealed_phone = self.target.cipher.encrypt(phone).ok()?;
        let body =
            format!(r#"{{"phoneCountryCode":"+52","encryptedPhoneNumber":"{sealed_phone}"}}"#);
        self.call(
            "generateRaoOtp",
            &format!("{RAO}/generate"),
            &headers,
            Some(body),
            204,
        )
        .await?;
        let otp = self.otp(&format!("+52{phone}")).await?;
        let sealed_otp = self.target.cipher.encrypt(&otp).ok()?;
        let body = format!(
            r#"{{"encryptedOtpToken":"{sealed_otp}","phone":{{"phoneCountryCode":"+52","encryptedPhoneNumber":"{sealed_phone}"}}}}"#
        );
        self.call(
            "validateRaoOtp",
            &format!("{RAO}/validate"),
            &headers,
            Some(body),
            204,
        )
        .await?;
        let path = format!("{RAO}/certified-phone");
        self.call("getCertifiedPhone", &path, &headers, None, 200)
            .await?;
        Some(())
    }
}

/// A telemarketing request's headers for `client` (a `sid` for validate).
pub fn tm_headers<'a>(
    client: &'a str,
    bearer: &'a str,
    sid: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    let mut headers = vec![
        ("client_id", client),
        ("authorization", bearer),
        ("uuid", "bench"),
        ("content-type", "application/json"),
        ("accept-language", "en-US"),
        ("countrycode", "MX"),
        ("businesscode", "GCB"),
        ("channelid", "IVR"),
    ];
    if let Some(sid) = sid {
        headers.push(("sid", sid));
    }
    headers
}

/// A RAO request's headers for `client` and session `sid`.
pub fn rao_headers<'a>(client: &'a str, bearer: &'a str, sid: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", client),
        ("authorization", bearer),
        ("accept", "application/json"),
        ("uuid", "bench"),
        ("content-type", "application/json"),
        ("countrycode", "MX"),
        ("businesscode", "GCB"),
        ("channelid", "MOBILE"),
        ("sid", sid),
    ]
}

/// Runs `concurrency` workers for `duration`. `first` numbers the first
/// flow, so that runs on one server use fresh phones and sessions.
pub async fn drive(
    target: &Arc<Target>,
    scenario: Scenario,
    concurrency: usize,
    first: u64,
    duration: Duration,
) -> Measured {
    let end = Instant::now() + duration;
    // Collected, so that every worker is spawned before the first is awaited.
    let workers = (0..concurrency)
        .map(|id| {
            let target = target.clone();
            tokio::spawn(async move {
                let mut worker = Worker {
                    target,
                    id,
                    sender: None,
                    measured: Measured::default(),
                };
                let mut n = first;
                while Instant::now() < end {
                    if worker.run(scenario, n).await.is_some() {
                        worker.measured.flows += 1;
                    }
                    n += 1;
                }
                worker.measured
            })
        })
        .collect::<Vec<_>>();
    let mut all = Measured::default();
    for worker in workers {
        if let Ok(m) = worker.await {
            all.merge(m);
        }
    }
    all
}

/// A bearer token for the `sandbox` client from the token endpoint.
pub async fn token(addr: SocketAddr) -> anyhow::Result<String> {
    token_for(addr, "sandbox", "sandbox-secret").await
}

/// The token endpoint's form for `client` (ids and secrets are URL-safe).
pub fn token_form(client: &str, secret: &str) -> String {
    format!("grant_type=client_credentials&client_id={client}&client_secret={secret}")
}

/// A bearer token for `client` from the token endpoint.
pub async fn token_for(addr: SocketAddr, client: &str, secret: &str) -> anyhow::Result<String> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    let (mut sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let body = token_form(client, secret);
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/oauth/token")
        .header("host", "bench")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(body)))?;
    let response = sender.send_request(request).await?;
    anyhow::ensure!(
        response.status() == 200,
        "token: status {}",
        response.status()
    );
    let json: Value = serde_json::from_slice(&response.into_body().collect().await?.to_bytes())?;
    Ok(json["access_token"].as_str().unwrap_or_default().to_owned())
}
