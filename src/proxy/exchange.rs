//! One exchange through the proxy: read the request within its bounds,
//! check it, forward it (or, with `--enforce`, answer it as the gate
//! would), check the answer, and pass the upstream's answer on unchanged
//! but for the hop-by-hop headers and `Contract-Violations`, which only the
//! proxy sets.

use super::log::{header_summary, Direction, Violation};
use super::Proxy;
use crate::contract::{check_answer, check_request, Api, Operation, Route};
use crate::error::{code, ApiError};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::http::request::Parts;
use hyper::{HeaderMap, Method, Request, Response};

/// Largest answer the proxy carries back from the upstream (the
/// implementation under test; clients' bodies have `max_body`).
const MAX_ANSWER: usize = 16 << 20;

/// The header only the proxy sets.
const VIOLATIONS: &str = "contract-violations";

/// Headers that belong to one connection, never forwarded either way
/// (RFC 9110 §7.6.1, plus the non-standard `Proxy-Connection`), besides
/// `Connection` itself and every header it names.
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "proxy-connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Headers a missing one of which the gate answers `401`, not `400`.
const CREDENTIALS: [&str; 2] = ["client_id", "Authorization"];

/// Why forwarding failed.
enum Forward {
    /// A pooled connection was closed before any answer: worth one retry.
    Stale,
    Failed(String),
}

impl From<hyper_util::client::legacy::Error> for Forward {
    fn from(error: hyper_util::client::legacy::Error) -> Self {
        use std::error::Error as _;
        let incomplete = error
            .source()
            .and_then(|s| s.downcast_ref::<hyper::Error>())
            .is_some_and(hyper::Error::is_incomplete_message);
        if incomplete {
            Self::Stale
        } else {
            Self::Failed(error.to_string())
        }
    }
}

/// The upstream's answer, read whole.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

/// What the proxy knows of the request while it checks the answer.
struct Asked<'a> {
    parts: &'a Parts,
    op: Option<&'static Operation>,
    uuid: Option<String>,
}

impl<'a> Asked<'a> {
    fn new(parts: &'a Parts, route: &Route<'static>) -> Self {
        let op = match route {
            Route::Operation(op) => Some(*op),
            _ => None,
        };
        let uuid = parts
            .headers
            .get("uuid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Self { parts, op, uuid }
    }

    /// The request's own violation of `rule`.
    fn broke(&self, rule: &crate::contract::schema::Violation) -> Violation {
        let (location, details) = (rule.location.clone(), rule.details.clone());
        self.violation(Direction::Request, None, location, details)
    }

    fn violation(
        &self,
        direction: Direction,
        status: Option<u16>,
        location: String,
        details: String,
    ) -> Violation {
        Violation {
            at: crate::clock::rfc3339(crate::clock::system_now()),
            direction,
            operation: self.op.map(|op| op.id.clone()),
            method: self.parts.method.to_string(),
            path: self.parts.uri.path().to_owned(),
            status,
            uuid: self.uuid.clone(),
            location,
            details,
        }
    }
}

impl Proxy {
    /// Answers one request. Never fails: every failure is a response.
    pub(super) async fn handle(&self, req: Request<Incoming>) -> Response<Full<Bytes>> {
        if req.uri().path() == "/proxy/v1/violations" && req.method() == Method::GET {
            let listed = serde_json::to_vec(&self.shared.log.snapshot()).unwrap_or_default();
            return json(200, listed);
        }
        let (parts, body) = req.into_parts();
        match self.read_body(&parts.headers, body).await {
            Ok(body) => self.exchange(&parts, body).await,
            Err(error) => {
                // The rest of the body is not read: the connection ends here.
                let uuid = parts.headers.get("uuid").and_then(|v| v.to_str().ok());
                let mut response = self.local_error(None, &error, uuid);
                response
                    .headers_mut()
                    .insert(CONNECTION, HeaderValue::from_static("close"));
                response
            }
        }
    }

    /// The client's body: at most `max_body` bytes (a larger declared
    /// length is refused before reading), within `body_timeout`.
    async fn read_body(&self, headers: &HeaderMap, body: Incoming) -> Result<Bytes, ApiError> {
        let options = &self.shared.options;
        let limit = options.max_body;
        let too_large = || {
            let details = format!("The body exceeds the proxy's limit of {limit} bytes");
            ApiError::invalid("body", details)
        };
        let declared = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let read = Limited::new(body, limit).collect();
        match tokio::time::timeout(options.body_timeout, read).await {
            Ok(Ok(body)) => Ok(body.to_bytes()),
            Ok(Err(e)) if e.is::<LengthLimitError>() => Err(too_large()),
            Ok(Err(_)) => Err(ApiError::invalid("body", "The body could not be read")),
            Err(_) => Err(ApiError::invalid("body", "The body did not arrive in time")),
        }
    }

    /// Checks the request, forwards it (unless enforced), checks the answer.
    async fn exchange(&self, parts: &Parts, body: Bytes) -> Response<Full<Bytes>> {
        let route = self
            .shared
            .contract
            .route(parts.method.as_str(), parts.uri.path());
        let asked = Asked::new(parts, &route);
        let broken = self.request_rule(&asked, &route, &body);
        let mut found: Vec<Violation> = broken.iter().map(|v| asked.broke(v)).collect();
        if let (true, Some(op), Some(rule)) = (self.shared.options.enforce, asked.op, &broken) {
            let response = self.local_error(Some(op), &gate_error(rule), asked.uuid.as_deref());
            return self.finish(response, found);
        }
        let answer = match self.forward(parts, body).await {
            Ok(answer) => answer,
            Err(cause) => {
                tracing::warn!(%cause, "the upstream did not answer");
                let error = ApiError::unavailable()
                    .with_details(format!("The upstream did not answer: {cause}"));
                let response = self.local_error(asked.op, &error, asked.uuid.as_deref());
                return self.finish(response, found);
            }
        };
        if let Some(op) = asked.op {
            found.extend(response_violations(&asked, op, broken.is_some(), &answer));
        }
        let mut response = Response::new(Full::new(answer.body));
        *response.status_mut() = hyper::StatusCode::from_u16(answer.status).unwrap_or_default();
        *response.headers_mut() = without_hop_by_hop(&answer.headers);
        self.finish(response, found)
    }

    /// The contract rule the request breaks, if any.
    fn request_rule(
        &self,
        asked: &Asked<'_>,
        route: &Route<'_>,
        body: &[u8],
    ) -> Option<crate::contract::schema::Violation> {
        use crate::contract::schema::Violation as Rule;
        let path = asked.parts.uri.path();
        match route {
            Route::Operation(op) if op.api != Api::Token => {
                check_request(op, &asked.parts.headers, body).err()
            }
            Route::Operation(_) => None,
            Route::WrongMethod(allowed) => Some(Rule::new(
                "method",
                format!(
                    "{} is not documented for {path} (documented: {})",
                    asked.parts.method,
                    allowed.join(", ")
                ),
            )),
            Route::Unknown if self.in_api_space(path) => Some(Rule::new(
                "path",
                format!("no operation at {path} in the specs"),
            )),
            Route::Unknown => None,
        }
    }

    /// Whether `path` lies under a spec's `basePath` (so must be one of its operations).
    fn in_api_space(&self, path: &str) -> bool {
        self.shared.contract.operations().iter().any(|op| {
            let root = op.path.split('/').nth(1).unwrap_or_default();
            path.split('/').nth(1) == Some(root)
        })
    }

    /// Forwards the request. Once more on a fresh connection when a pooled
    /// one turns out closed before any answer (an upstream that answered
    /// an earlier request early, unread body and all, then hung up).
    async fn forward(&self, parts: &Parts, body: Bytes) -> Result<Answer, String> {
        match self.forward_once(parts, body.clone()).await {
            Err(Forward::Stale) => self.forward_once(parts, body).await,
            other => other,
        }
        .map_err(|e| match e {
            Forward::Stale => "the connection closed before an answer".to_owned(),
            Forward::Failed(cause) => cause,
        })
    }

    async fn forward_once(&self, parts: &Parts, body: Bytes) -> Result<Answer, Forward> {
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let uri = format!("{}{path}", self.shared.upstream);
        let mut request = Request::builder().method(parts.method.clone()).uri(uri);
        if let Some(headers) = request.headers_mut() {
            *headers = without_hop_by_hop(&parts.headers);
            headers.remove(hyper::header::HOST);
        }
        let request = request
            .body(Full::new(body))
            .map_err(|e| Forward::Failed(e.to_string()))?;
        let exchange = async {
            let response = self
                .shared
                .client
                .request(request)
                .await
                .map_err(Forward::from)?;
            let (parts, body) = response.into_parts();
            let body = Limited::new(body, MAX_ANSWER).collect().await;
            let body = body.map_err(|e| Forward::Failed(e.to_string()))?;
            Ok(Answer {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body: body.to_bytes(),
            })
        };
        let timeout = self.shared.options.timeout;
        tokio::time::timeout(timeout, exchange)
            .await
            .unwrap_or_else(|_| Err(Forward::Failed(format!("no answer within {timeout:?}"))))
    }

    /// An answer of the proxy's own, as the server's gate renders it.
    fn local_error(
        &self,
        op: Option<&Operation>,
        error: &ApiError,
        uuid: Option<&str>,
    ) -> Response<Full<Bytes>> {
        let (status, body) = error.render(op, uuid, crate::clock::system_now());
        let mut response = json(status, serde_json::to_vec(&body).unwrap_or_default());
        if error.code == code::SERVER_UNAVAILABLE {
            *response.status_mut() = hyper::StatusCode::BAD_GATEWAY;
        }
        response
    }

    /// Books the violations and adds their summary header (replacing any
    /// the upstream sent: only the proxy says what violates the contract).
    fn finish(
        &self,
        mut response: Response<Full<Bytes>>,
        found: Vec<Violation>,
    ) -> Response<Full<Bytes>> {
        response.headers_mut().remove(VIOLATIONS);
        if !found.is_empty() {
            if let Ok(value) = HeaderValue::from_str(&header_summary(&found)) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(VIOLATIONS), value);
            }
        }
        self.shared.log.record(found);
        response
    }
}

/// The gate's answer to a request that breaks `rule`.
fn gate_error(rule: &crate::contract::schema::Violation) -> ApiError {
    if CREDENTIALS.contains(&rule.location.as_str()) {
        return ApiError::new(code::UNAUTHORIZED, rule.location.clone())
            .with_details(rule.details.clone());
    }
    ApiError::invalid(rule.location.clone(), rule.details.clone())
}

/// The contract's rules for `answer`, the full error envelope, and the
/// refusal a broken request must get.
fn response_violations(
    asked: &Asked<'_>,
    op: &'static Operation,
    broken: bool,
    answer: &Answer,
) -> Vec<Violation> {
    let status = Some(answer.status);
    let uuid = asked.uuid.as_deref();
    let mut found: Vec<Violation> =
        check_answer(op, answer.status, &answer.headers, &answer.body, uuid)
            .into_iter()
            .map(|v| asked.violation(Direction::Response, status, v.location, v.details))
            .collect();
    if broken && ![400, 401, 403].contains(&answer.status) {
        let details = format!("a request that breaks the contract must be refused 400 invalidRequest (docs/BEHAVIOUR.md#request-bodies), or 401/403 first; upstream answered {}", answer.status);
        found.push(asked.violation(Direction::Response, status, "status".into(), details));
    }
    found
}

/// `headers` without those of one connection: every header `Connection`
/// names, the standard hop-by-hop set, and `Content-Length` (the proxy
/// sends the body it has, whole).
fn without_hop_by_hop(headers: &HeaderMap) -> HeaderMap {
    let mut kept = headers.clone();
    let named: Vec<HeaderName> = headers
        .get_all(CONNECTION)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in &named {
        kept.remove(name);
    }
    for name in HOP_BY_HOP {
        kept.remove(name);
    }
    kept.remove(CONTENT_LENGTH);
    kept
}

fn json(status: u16, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
