//! The production SMS gateway: POSTs `{"to", "text"}` as JSON to a
//! configured URL (the bank's SMS relay), with a timeout per attempt and
//! retries with a short backoff. Any 2xx is delivered; anything else, after
//! the last attempt, is an `SmsError`. Plain HTTP: TLS, where needed, is
//! the relay's or a sidecar's.

use super::{Sms, SmsError, SmsGateway};
use crate::phone::mask;
use async_trait::async_trait;
use bytes::Bytes;
use http_body_util::Full;
use hyper::Request;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

pub struct WebhookGateway {
    url: hyper::Uri,
    timeout: Duration,
    retries: u32,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl WebhookGateway {
    pub fn new(url: &str, timeout: Duration, retries: u32) -> anyhow::Result<Self> {
        let url: hyper::Uri = url.parse()?;
        anyhow::ensure!(
            url.scheme_str() == Some("http"),
            "sms.webhook_url must be an http:// URL"
        );
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(timeout));
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self {
            url,
            timeout,
            retries,
            client,
        })
    }

    async fn attempt(&self, body: &Bytes) -> Result<(), String> {
        let request = Request::post(self.url.clone())
            .header("content-type", "application/json")
            .body(Full::new(body.clone()))
            .map_err(|e| e.to_string())?;
        match tokio::time::timeout(self.timeout, self.client.request(request)).await {
            Ok(Ok(response)) if response.status().is_success() => Ok(()),
            Ok(Ok(response)) => Err(format!("status {}", response.status())),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("no answer within {:?}", self.timeout)),
        }
    }
}

#[async_trait]
impl SmsGateway for WebhookGateway {
    async fn send(&self, sms: &Sms) -> Result<(), SmsError> {
        let body = Bytes::from(serde_json::json!({"to": sms.to, "text": sms.text}).to_string());
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
