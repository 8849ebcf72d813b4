//! A production configuration for the benchmarks (`sandbox = false`, so
//! the server's production checks apply): fresh random keys handed over in
//! environment variables, one `aes-256-gcm` client with a random secret,
//! and the `webhook` SMS gateway pointed at an [`SmsRelay`] of the
//! benchmark's own, in the benchmark's process (never the server's), from
//! which the flows read their OTPs as a bank's SMS relay would receive them.

use base64::{engine::general_purpose::STANDARD, Engine};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use otp_server::cipher::Cipher;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::convert::Infallible;
use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// Who the benchmark calls as: a client id, its secret and its cipher.
pub struct Identity {
    pub client_id: &'static str,
    pub secret: String,
    pub cipher: Cipher,
}

impl Identity {
    /// The embedded sandbox config's `sandbox` client (cipher `plain`).
    pub fn sandbox() -> Self {
        Self {
            client_id: "sandbox",
            secret: "sandbox-secret".into(),
            cipher: Cipher::Plain,
        }
    }
}

/// A production config: its TOML (without `[redis]`, which the process
/// adds) and the environment variables that carry its keys.
pub struct Production {
    pub toml: String,
    pub env: Vec<(String, String)>,
    pub identity: Identity,
}

fn random_bytes<const N: usize>() -> anyhow::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Production {
    /// A production config whose SMS go to `webhook` (an `http://` URL).
    /// Retries 0: a failed delivery is an error the benchmark sees, not a
    /// retry that it would count as the request's cost.
    pub fn new(webhook: &str) -> anyhow::Result<Self> {
        Self::with_sms(&format!(
            "gateway = \"webhook\"\nwebhook_url = \"{webhook}\"\ntimeout_ms = 10000\nretries = 0"
        ))
    }

    /// A production config with the log-only gateway (`sms.gateway =
    /// "log"`): the production core's own work, without a relay's round
    /// trip on the server's core.
    pub fn log_only() -> anyhow::Result<Self> {
        Self::with_sms("gateway = \"log\"")
    }

    /// A production config whose `[sms]` table holds `sms`, with fresh keys
    /// and a fresh client secret.
    fn with_sms(sms: &str) -> anyhow::Result<Self> {
        let secret = hex(&random_bytes::<32>()?);
        let secret_sha256 = hex(&Sha256::digest(secret.as_bytes()));
        let client_key = random_bytes::<32>()?;
        let env = vec![
            (
                "OTP_BENCH_TOKEN_KEY".to_owned(),
                STANDARD.encode(random_bytes::<32>()?),
            ),
            (
                "OTP_BENCH_OTP_KEY".to_owned(),
                STANDARD.encode(random_bytes::<32>()?),
            ),
            (
                "OTP_BENCH_CLIENT_KEY".to_owned(),
                STANDARD.encode(client_key),
            ),
        ];
        let toml = format!(
            r#"[server]
sandbox = false

[secrets]
token_key_env = "OTP_BENCH_TOKEN_KEY"
otp_key_env = "OTP_BENCH_OTP_KEY"

[sms]
{sms}

[[clients]]
id = "bench"
secret_sha256 = "{secret_sha256}"
cipher = "aes-256-gcm"
key_env = "OTP_BENCH_CLIENT_KEY"
apis = ["rao", "telemarketing"]
access = [{{ country = "MX", business = "GCB", channels = ["IVR", "MOBILE"] }}]
"#
        );
        Ok(Self {
            toml,
            env,
            identity: Identity {
                client_id: "bench",
                secret,
                cipher: Cipher::aes_256_gcm(&client_key),
            },
        })
    }
}

/// The bank's SMS relay, as the benchmark plays it: answers every POST
/// `204` and keeps the newest text per recipient until a flow takes it.
#[derive(Clone)]
pub struct SmsRelay {
    pub addr: SocketAddr,
    texts: Arc<Mutex<HashMap<String, String>>>,
}

#[derive(serde::Deserialize)]
struct Message {
    to: String,
    text: String,
}

impl SmsRelay {
    /// Listens on a free loopback port, served by the current runtime.
    pub async fn start() -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let relay = Self {
            addr: listener.local_addr()?,
            texts: Arc::default(),
        };
        let texts = relay.texts.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let texts = texts.clone();
                let service = service_fn(move |req: Request<hyper::body::Incoming>| {
                    let texts = texts.clone();
                    async move {
                        let body = req.into_body().collect().await.map(|b| b.to_bytes());
                        let message = body
                            .ok()
                            .and_then(|b| serde_json::from_slice::<Message>(&b).ok());
                        let status = match message {
                            Some(m) => {
                                texts.lock().expect("relay lock").insert(m.to, m.text);
                                204
                            }
                            None => 400,
                        };
                        let mut response = Response::new(Full::new(Bytes::new()));
                        *response.status_mut() =
                            hyper::StatusCode::from_u16(status).expect("a valid status");
                        Ok::<_, Infallible>(response)
                    }
                });
                tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
            }
        });
        Ok(relay)
    }

    /// The webhook URL to configure.
    pub fn url(&self) -> String {
        format!("http://{}/sms", self.addr)
    }

    /// The newest text sent to `to`, taken out.
    pub fn take(&self, to: &str) -> Option<String> {
        self.texts.lock().expect("relay lock").remove(to)
    }
}
