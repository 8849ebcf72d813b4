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
use http_body_util::Full;
use hyper::header::{HeaderValue, AUTHORIZATION};
use hyper::Request;
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use std::path::Path;
use std::time::Duration;

pub struct WebhookGateway {
    url: hyper::Uri,
    timeout: Duration,
    retries: u32,
    /// Sent with every request; marked sensitive, never logged.
    authorization: Option<HeaderValue>,
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
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
        let url: hyper::Uri = url
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
        // An http:// relay never handshakes: its TLS settings stay empty.
        let roots = match https {
            true => tls::roots(ca_file, "sms.ca_file")?,
            false => rustls::RootCertStore::empty(),
        };
        let authorization = authorization
            .map(|value| {
                let mut value = HeaderValue::from_str(value).map_err(|_| {
                    anyhow::anyhow!("sms.authorization: the value is not a valid HTTP header value")
                })?;
                value.set_sensitive(true);
                anyhow::Ok(value)
            })
            .transpose()?;
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(timeout));
        http.enforce_http(false);
        let connector = HttpsConnectorBuilder::new()
            .with_tls_config(tls::client_config(roots, None)?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self {
            url,
            timeout,
            retries,
            authorization,
            client,
        })
    }

    async fn attempt(&self, body: &Bytes) -> Result<(), String> {
        let mut request = Request::post(self.url.clone())
            .header("content-type", "application/json")
            .body(Full::new(body.clone()))
            .map_err(|e| e.to_string())?;
        if let Some(value) = &self.authorization {
            request.headers_mut().insert(AUTHORIZATION, value.clone());
        }
        match tokio::time::timeout(self.timeout, self.client.request(request)).await {
            Ok(Ok(response)) if response.status().is_success() => Ok(()),
            Ok(Ok(response)) => Err(format!("status {}", response.status())),
            Ok(Err(e)) => Err(tls::chain(&e)),
            Err(_) => Err(format!("no answer within {:?}", self.timeout)),
        }
    }
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
