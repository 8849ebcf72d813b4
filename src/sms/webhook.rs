//! The production SMS gateway: POSTs `{"to", "text"}` as JSON to a
//! configured URL (the bank's SMS relay), with a timeout per attempt and
//! retries with a short backoff. Any 2xx is delivered; anything else, after
//! the last attempt, is an `SmsError`. `http://` or `https://` (rustls:
//! the system's roots, or the CA bundle `sms.ca_file`), with an optional
//! `Authorization` header whose value is never logged.

use super::{Sms, SmsError, SmsGateway};
use crate::phone::mask;
use crate::tls;
use async_trait::async_trait;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Request, Response, Uri};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// Open connections kept between SMS, at most (more are closed after use).
const MAX_IDLE: usize = 64;

/// The most of a relay's answer read; its body is read only so that the
/// connection can carry the next SMS.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

type Sender = SendRequest<Full<Bytes>>;

/// One relay, over HTTP/1.1 keep-alive connections of hyper's own client
/// protocol, pooled here: one URL needs none of a general client's
/// per-request work (a pool keyed by host, a `Host` header made from the
/// URL), which made up a third of a production generate's instructions.
pub struct WebhookGateway {
    /// `host:port`, as connected to.
    address: String,
    /// For an `https://` relay: the TLS client and the name its
    /// certificate must carry.
    tls: Option<(TlsConnector, ServerName<'static>)>,
    /// The request target: the URL's path and query.
    target: Uri,
    /// `Host`, `Content-Type` and maybe `Authorization` (marked sensitive:
    /// never logged), the same on every request.
    headers: HeaderMap,
    timeout: Duration,
    retries: u32,
    /// Idle connections, the most recently used last.
    idle: Mutex<Vec<Sender>>,
}

impl WebhookGateway {
    /// A gateway to `url` (`http://` or `https://` with the system's roots),
    /// without an `Authorization` header.
    pub fn new(url: &str, timeout: Duration, retries: u32) -> anyhow::Result<Self> {
        Self::build(url, timeout, retries, None, None)
    }

    /// A gateway to `url`; an `https://` one trusts the CA bundle `ca_file`
    /// (else the system's roots); `authorization` is the `Authorization`
    /// header's value (`Bearer …`).
    pub fn build(
        url: &str,
        timeout: Duration,
        retries: u32,
        ca_file: Option<&Path>,
        authorization: Option<&str>,
    ) -> anyhow::Result<Self> {
        let url: Uri = url
            .parse()
            .map_err(|e| anyhow::anyhow!("sms.webhook_url: {e}"))?;
        let https = match url.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => anyhow::bail!("sms.webhook_url must be an http:// or https:// URL"),
        };
        anyhow::ensure!(
            https || ca_file.is_none(),
            "sms.ca_file is set but sms.webhook_url is http://: use https:// or remove sms.ca_file"
        );
        let authority = url
            .authority()
            .ok_or_else(|| anyhow::anyhow!("sms.webhook_url has no host"))?;
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        let address = match host.contains(':') {
            true => format!("[{host}]:{port}"),
            false => format!("{host}:{port}"),
        };
        // An http:// relay never handshakes: it has no TLS settings.
        let tls = match https {
            true => {
                let roots = tls::roots(ca_file, "sms.ca_file")?;
                let config = tls::client_config(roots, None)?;
                let name = ServerName::try_from(host.to_owned())
                    .map_err(|_| anyhow::anyhow!("sms.webhook_url: {host} is not a host name"))?;
                Some((TlsConnector::from(Arc::new(config)), name))
            }
            false => None,
        };
        let mut headers = HeaderMap::new();
        // The URL's host and port, never its user information.
        let host_header = match authority.port() {
            Some(port) => format!("{}:{port}", authority.host()),
            None => authority.host().to_owned(),
        };
        headers.insert(HOST, HeaderValue::from_str(&host_header)?);
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(value) = authorization {
            let mut value = HeaderValue::from_str(value).map_err(|_| {
                anyhow::anyhow!("sms.authorization: the value is not a valid HTTP header value")
            })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let target = url
            .path_and_query()
            .map_or_else(|| Uri::from_static("/"), |p| Uri::from(p.clone()));
        Ok(Self {
            address,
            tls,
            target,
            headers,
            timeout,
            retries,
            idle: Mutex::new(Vec::new()),
        })
    }

    fn request(&self, body: &Bytes) -> Request<Full<Bytes>> {
        let mut request = Request::new(Full::new(body.clone()));
        *request.method_mut() = hyper::Method::POST;
        *request.uri_mut() = self.target.clone();
        *request.headers_mut() = self.headers.clone();
        request
    }

    /// One attempt, within the timeout: connecting (if no idle connection
    /// is left), sending and the relay's answer.
    async fn attempt(&self, body: &Bytes) -> Result<(), String> {
        match tokio::time::timeout(self.timeout, self.exchange(body)).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer within {:?}", self.timeout)),
        }
    }

    async fn exchange(&self, body: &Bytes) -> Result<(), String> {
        let mut request = self.request(body);
        // An idle connection the relay has closed since is found out before
        // the request is written; the request then goes on the next one.
        while let Some(mut sender) = self.take_idle() {
            if sender.ready().await.is_err() {
                continue;
            }
            match sender.try_send_request(request).await {
                Ok(answer) => return self.answered(sender, answer).await,
                Err(mut e) => match e.take_message() {
                    Some(unsent) => request = unsent,
                    None => return Err(tls::chain(&e.into_error())),
                },
            }
        }
        let mut sender = self.connect().await?;
        match sender.send_request(request).await {
            Ok(answer) => self.answered(sender, answer).await,
            Err(e) => Err(tls::chain(&e)),
        }
    }

    /// Reads the answer's body (bounded), keeps the connection for the next
    /// SMS if it stays open, and says whether the relay took the SMS.
    async fn answered(
        &self,
        sender: Sender,
        answer: Response<hyper::body::Incoming>,
    ) -> Result<(), String> {
        let status = answer.status();
        let read = Limited::new(answer.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await;
        if read.is_ok() && !sender.is_closed() {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < MAX_IDLE {
                idle.push(sender);
            }
        }
        match status.is_success() {
            true => Ok(()),
            false => Err(format!("status {status}")),
        }
    }

    fn take_idle(&self) -> Option<Sender> {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
    }

    async fn connect(&self) -> Result<Sender, String> {
        let tcp = TcpStream::connect(&self.address)
            .await
            .map_err(|e| tls::chain(&e))?;
        // A request is one write; it is not held back for more.
        let _ = tcp.set_nodelay(true);
        match &self.tls {
            None => start(tcp).await,
            Some((connector, name)) => {
                let stream = connector
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(|e| tls::chain(&e))?;
                start(stream).await
            }
        }
    }
}

/// The HTTP/1.1 handshake over `io`; the connection runs in its own task
/// until the relay or the last [`Sender`] closes it.
async fn start<T>(io: T) -> Result<Sender, String>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sender, connection) = http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| tls::chain(&e))?;
    tokio::spawn(async move {
        // A relay closing an idle connection is no error of ours.
        let _ = connection.await;
    });
    Ok(sender)
}

/// What the relay receives: `{"to": "+52…", "text": "…"}`.
#[derive(serde::Serialize)]
struct Payload<'a> {
    to: &'a str,
    text: &'a str,
}

#[async_trait]
impl SmsGateway for WebhookGateway {
    async fn send(&self, sms: &Sms) -> Result<(), SmsError> {
        let payload = Payload {
            to: &sms.to,
            text: &sms.text,
        };
        let body = serde_json::to_vec(&payload).map_err(|e| SmsError(e.to_string()))?;
        let body = Bytes::from(body);
        let mut last = String::new();
        for attempt in 0..=self.retries {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
            }
            match self.attempt(&body).await {
                Ok(()) => return Ok(()),
                Err(e) => {
                    tracing::warn!(to = %mask(&sms.to), attempt, error = %e, "sms webhook attempt failed");
                    last = e;
                }
            }
        }
        Err(SmsError(format!(
            "webhook failed after {} attempts: {last}",
            self.retries + 1
        )))
    }
}
