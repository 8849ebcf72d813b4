//! The implementation under test, over HTTP/1.1: every request the kit
//! makes goes through [`Target::send`], which bounds it in time and turns
//! a transport failure into a failed step (an implementation that does not
//! answer does not conform).

use super::exchange::{fail, Exchange, Step, Verdict};
use crate::contract::Operation;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, Request, Uri};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

/// Largest answer read from the target.
const MAX_BODY: usize = 1 << 20;

/// Why a target URL cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("--target {0:?} is not an http:// URL (https: put a TLS-terminating proxy in front)")]
    Url(String),
    #[error("--target {url}: GET /sandbox/v1/clock: {cause}")]
    Clock { url: String, cause: String },
}

/// How long [`sandbox_offset`] waits for the sandbox.
const CLOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// How far a running sandbox's clock is ahead of the system clock, in
/// seconds: the `offsetSeconds` of its `GET /sandbox/v1/clock` (what
/// `otp-server token --target` applies to the token it mints).
pub fn sandbox_offset(url: &str) -> Result<u64, TargetError> {
    let target = Target::new(url, CLOCK_TIMEOUT)?;
    let clock_error = |cause: String| TargetError::Clock {
        url: url.to_owned(),
        cause,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| clock_error(format!("cannot start the async runtime: {e}")))?;
    let headers = HeaderMap::new();
    let answer = runtime
        .block_on(target.send(Method::GET, "/sandbox/v1/clock", &headers, None, None))
        .map_err(|verdict| match verdict {
            Verdict::Fail { seen, .. } | Verdict::Skip(seen) => clock_error(seen),
        })?;
    let offset = answer
        .json()
        .and_then(|clock| clock.get("offsetSeconds")?.as_u64());
    match (answer.status, offset) {
        (200, Some(offset)) => Ok(offset),
        _ => Err(clock_error(format!(
            "{}: not a running sandbox ({{\"now\", \"offsetSeconds\"}} expected)",
            answer.describe()
        ))),
    }
}

/// Where the implementation under test answers.
#[derive(Clone)]
pub struct Target {
    /// `http://host:port` plus any path prefix, without a trailing `/`.
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
    timeout: Duration,
}

impl Target {
    /// A target at `url` (`http://host:port[/prefix]`); each request gets `timeout`.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, TargetError> {
        let base = url.trim_end_matches('/').to_owned();
        let parsed: Uri = base.parse().map_err(|_| TargetError::Url(url.into()))?;
        if parsed.scheme_str() != Some("http") || parsed.host().is_none() {
            return Err(TargetError::Url(url.into()));
        }
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(timeout));
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(Self {
            base,
            client,
            timeout,
        })
    }

    /// The target's URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends one request; `op` is the operation it asks, if any.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &HeaderMap,
        body: Option<Vec<u8>>,
        op: Option<&'static Operation>,
    ) -> Step<Exchange> {
        let what = format!("an answer to {method} {path}");
        let mut request = Request::builder().method(method).uri(self.url(path));
        if let Some(map) = request.headers_mut() {
            map.extend(headers.clone());
        }
        let request = match request.body(Full::new(Bytes::from(body.unwrap_or_default()))) {
            Ok(request) => request,
            Err(e) => return fail(what, format!("the request could not be built: {e}")),
        };
        let answer = tokio::time::timeout(self.timeout, async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| describe_error(&e))?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_BODY)
                .collect()
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>((parts, body.to_bytes()))
        });
        let (parts, body) = match answer.await {
            Ok(Ok(answer)) => answer,
            Ok(Err(e)) => return fail(what, e),
            Err(_) => return fail(what, format!("no answer within {:?}", self.timeout)),
        };
        Ok(Exchange {
            op,
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
            uuid: headers
                .get("uuid")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        })
    }
}

/// A transport error with its causes (hyper's top level says only "client error").
fn describe_error(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}

/// Headers from name/value pairs; values that are not valid header text are left out.
pub fn header_map(pairs: &[(&str, &str)]) -> HeaderMap {
    pairs
        .iter()
        .filter_map(|(name, value)| {
            let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
            Some((name, HeaderValue::from_str(value).ok()?))
        })
        .collect()
}
