//! The load generator: fixed concurrency, fixed duration, warm-up, keep-alive
//! HTTP/1.1 connections (one per worker), whole flows with fresh sessions.
//! Every status other than the one the step expects counts as an error.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::net::SocketAddr;
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
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Self::Baseline => "baseline POST",
            Self::TmGenerate => "telemarketing generate",
            Self::TmFlow => "telemarketing flow",
            Self::RaoFlow => "rao flow",
        }
    }
}

/// What the workers measured after the warm-up.
#[derive(Debug, Default)]
pub struct Measured {
    pub latencies_us: Vec<u32>,
    pub flows: u64,
    pub errors: u64,
}

/// One worker's connection and identity.
struct Worker {
    addr: SocketAddr,
    id: usize,
    token: String,
    sender: Option<SendRequest<Full<Bytes>>>,
    measured: Measured,
    recording: bool,
}

const TM: &str = "/api/v1/x-global/security/tele-marketing/otp";
const RAO: &str = "/api/v1/x-global/account-opening/rao/security/tokens";

impl Worker {
    async fn sender(&mut self) -> anyhow::Result<&mut SendRequest<Full<Bytes>>> {
        if self.sender.as_ref().is_none_or(|s| s.is_closed()) {
            let stream = tokio::net::TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(connection);
            self.sender = Some(sender);
        }
        Ok(self.sender.as_mut().expect("just connected"))
    }

    /// Sends one request; returns status, the `sid` header and the body.
    async fn call(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<String>,
        expect: u16,
    ) -> Option<(Option<String>, Bytes)> {
        let started = Instant::now();
        let mut request = Request::builder()
            .method(method)
            .uri(path)
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
        if self.recording {
            self.measured
                .latencies_us
                .push(started.elapsed().as_micros().min(u32::MAX as u128) as u32);
        }
        match result {
            Ok((status, sid, body)) if status == expect => Some((sid, body)),
            Ok(_) | Err(_) => {
                if self.recording {
                    self.measured.errors += 1;
                }
                if result.is_err() {
                    self.sender = None;
                }
                None
            }
        }
    }

    async fn outbox_otp(&mut self, to: &str) -> Option<String> {
        let path = format!("/sandbox/v1/sms?to={}&limit=1", to.replace('+', "%2B"));
        let (_, body) = self.call(Method::GET, &path, &[], None, 200).await?;
        let json: Value = serde_json::from_slice(&body).ok()?;
        json["messages"][0]["otp"].as_str().map(str::to_owned)
    }

    async fn run(&mut self, scenario: Scenario, n: u64) -> Option<()> {
        let phone = format!("55{:02}{:07}", self.id % 100, n % 10_000_000);
        let bearer = format!("Bearer {}", self.token);
        match scenario {
            Scenario::Baseline => {
                self.call(
                    Method::POST,
                    "/",
                    &[("content-type", "application/json")],
                    Some(r#"{"phoneNumber":"5512345678"}"#.into()),
                    200,
                )
                .await?;
            }
            Scenario::TmGenerate | Scenario::TmFlow => {
                let headers = tm_headers(&bearer, None);
                let body = format!(
                    r#"{{"customerId":"bench","phoneNumber":"{phone}","messagePrefix":"Your code"}}"#
                );
                let (sid, _) = self
                    .call(
                        Method::POST,
                        &format!("{TM}/generate"),
                        &headers,
                        Some(body),
                        200,
                    )
                    .await?;
                if scenario == Scenario::TmGenerate {
                    return Some(());
                }
                let otp = self.outbox_otp(&phone).await?;
                let sid = sid?;
                let headers = tm_headers(&bearer, Some(&sid));
                let body = format!(r#"{{"customerId":"bench","oneTimePasswordToken":"{otp}"}}"#);
                self.call(
                    Method::POST,
                    &format!("{TM}/validate"),
                    &headers,
                    Some(body),
                    200,
                )
                .await?;
            }
            Scenario::RaoFlow => {
                let sid = format!("bench-{}-{n}", self.id);
                let headers = rao_headers(&bearer, &sid);
                let phone_b64 = base64(&phone);
                let body =
                    format!(r#"{{"phoneCountryCode":"+52","encryptedPhoneNumber":"{phone_b64}"}}"#);
                self.call(
                    Method::POST,
                    &format!("{RAO}/generate"),
                    &headers,
                    Some(body),
                    204,
                )
                .await?;
                let otp = self.outbox_otp(&format!("+52{phone}")).await?;
                let body = format!(
                    r#"{{"encryptedOtpToken":"{}","phone":{{"phoneCountryCode":"+52","encryptedPhoneNumber":"{phone_b64}"}}}}"#,
                    base64(&otp)
                );
                self.call(
                    Method::POST,
                    &format!("{RAO}/validate"),
                    &headers,
                    Some(body),
                    204,
                )
                .await?;
                self.call(
                    Method::POST,
                    &format!("{RAO}/certified-phone"),
                    &headers,
                    None,
                    200,
                )
                .await?;
            }
        }
        Some(())
    }
}

fn tm_headers<'a>(bearer: &'a str, sid: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    let mut headers = vec![
        ("client_id", "sandbox"),
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

fn rao_headers<'a>(bearer: &'a str, sid: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("client_id", "sandbox"),
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

/// Standard base64 (the `plain` cipher of the sandbox client).
fn base64(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// Runs `concurrency` workers for `warmup + duration`; measures after the warm-up.
/// `first` numbers the first flow, so that runs on one server use fresh
/// phones and sessions.
pub async fn drive(
    addr: SocketAddr,
    token: &str,
    scenario: Scenario,
    concurrency: usize,
    first: u64,
    duration: Duration,
) -> Measured {
    let end = Instant::now() + duration;
    // Collected, so that every worker is spawned before the first is awaited.
    let workers = (0..concurrency)
        .map(|id| {
            let token = token.to_owned();
            tokio::spawn(async move {
                let mut worker = Worker {
                    addr,
                    id,
                    token,
                    sender: None,
                    measured: Measured::default(),
                    recording: true,
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
            all.latencies_us.extend(m.latencies_us);
            all.flows += m.flows;
            all.errors += m.errors;
        }
    }
    all
}

/// A bearer token from the token endpoint.
pub async fn token(addr: SocketAddr) -> anyhow::Result<String> {
    let mut worker = Worker {
        addr,
        id: 0,
        token: String::new(),
        sender: None,
        measured: Measured::default(),
        recording: false,
    };
    let body =
        "grant_type=client_credentials&client_id=sandbox&client_secret=sandbox-secret".to_owned();
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    let (_, body) = worker
        .call(
            Method::POST,
            "/api/v1/oauth/token",
            &headers,
            Some(body),
            200,
        )
        .await
        .ok_or_else(|| anyhow::anyhow!("no token"))?;
    let json: Value = serde_json::from_slice(&body)?;
    Ok(json["access_token"].as_str().unwrap_or_default().to_owned())
}
