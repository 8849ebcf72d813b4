//! The edge: every request enters here. Routes by path and method, reads
//! the body within its limits, runs the sandbox's `Prefer` and the contract
//! gate, then hands the request to the generated router of its API. Every
//! answer that is not the operation's own is the spec's `ErrorResponse`.

use super::response::{self, Body};
use super::{gate, sandbox};
use crate::app::App;
use crate::contract::{Operation, OperationId};
use crate::error::{code, ApiError};
use crate::observe;
use crate::r#impl::{oauth::TokenRequestBody, OauthApi, RaoApi, RequestContext, TelemarketingApi};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::service::Service as _;
use hyper::{HeaderMap, Method, Request, Response};
use std::time::{Duration, Instant};

/// Answers one request. Never fails: every failure is a response.
pub async fn handle(app: &App, req: Request<Incoming>) -> Response<Body> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let uuid = gate::header(req.headers(), "uuid").map(str::to_owned);
    let client_id = gate::header(req.headers(), "client_id").map(str::to_owned);
    let op = app.contract.by_path(&path);
    let (response, note) = observe::with_note(route(app, op, req, uuid.as_deref())).await;
    let latency = started.elapsed();
    let operation = op.map(|op| op.id.as_str()).unwrap_or("-");
    let status = response.status().as_u16();
    observe::request_done(operation, status, latency);
    tracing::info!(
        target: "otp_server::request",
        %method,
        path = %path,
        operation,
        status,
        code = note.code.as_deref().unwrap_or("-"),
        latency_us = latency.as_micros() as u64,
        uuid = uuid.as_deref().unwrap_or("-"),
        client_id = client_id.as_deref().unwrap_or("-"),
        phone = note.phone.as_deref().unwrap_or("-"),
        "request"
    );
    response
}

async fn route(
    app: &App,
    op: Option<&Operation>,
    req: Request<Incoming>,
    uuid: Option<&str>,
) -> Response<Body> {
    if let Some(op) = op {
        if req.method().as_str() != op.method {
            return method_not_allowed(&op.method, uuid);
        }
        return operation(app, op, req, uuid).await;
    }
    let path = req.uri().path();
    let get = req.method() == Method::GET;
    match path {
        "/health/live" if get => response::json(200, &serde_json::json!({"status": "live"})),
        "/health/ready" if get => ready(app, uuid).await,
        "/metrics" if get => metrics(),
        "/sandbox/v1/sms" if get && app.config.server.sandbox => {
            sandbox::outbox(app, req.uri().query(), uuid).await
        }
        "/health/live" | "/health/ready" | "/metrics" => method_not_allowed("GET", uuid),
        "/sandbox/v1/sms" if app.config.server.sandbox => method_not_allowed("GET", uuid),
        _ => response::error(
            None,
            &ApiError::new(code::RESOURCE_NOT_FOUND, "path")
                .with_details(format!("No operation at {path}")),
            uuid,
        ),
    }
}

async fn ready(app: &App, uuid: Option<&str>) -> Response<Body> {
    match app.otp.store().ping().await {
        Ok(()) => response::json(200, &serde_json::json!({"status": "ready"})),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            response::error(
                None,
                &ApiError::unavailable().with_details("The store does not answer"),
                uuid,
            )
        }
    }
}

/// `GET /metrics`: Prometheus text format.
fn metrics() -> Response<Body> {
    let text = observe::prometheus()
        .map(|p| p.render())
        .unwrap_or_default();
    let mut response = Response::new(Full::new(Bytes::from(text)).boxed());
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}

fn method_not_allowed(allowed: &str, uuid: Option<&str>) -> Response<Body> {
    let error = ApiError::new(code::METHOD_NOT_ALLOWED, "method")
        .with_details(format!("Only {allowed} is allowed here"));
    let mut response = response::error(None, &error, uuid);
    if let Ok(value) = HeaderValue::from_str(allowed) {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}

async fn operation(
    app: &App,
    op: &Operation,
    req: Request<Incoming>,
    uuid: Option<&str>,
) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let body = match read_body(app, &parts.headers, body).await {
        Ok(body) => body,
        Err(e) => return response::error(Some(op), &e, uuid),
    };
    if app.config.server.sandbox && op.id != OperationId::IssueToken {
        if let Some(forced) = sandbox::forced_error(op, &parts.headers, uuid) {
            return forced;
        }
    }
    let context = if op.id == OperationId::IssueToken {
        RequestContext::token_request(TokenRequestBody::new(&parts.headers, body.clone()))
    } else {
        match gate::admit(app, op, &parts.headers, &body) {
            Ok(client) => RequestContext::client(client),
            Err(e) => return response::error(Some(op), &e, uuid),
        }
    };
    let request = Request::from_parts(parts, Full::new(body));
    let response = dispatch(app, op.id, request, context).await;
    ensure_envelope(op, response, uuid)
}

/// Runs the generated router of the operation's API.
async fn dispatch(
    app: &App,
    op: OperationId,
    request: Request<Full<Bytes>>,
    context: RequestContext,
) -> Result<Response<Body>, String> {
    let input = (request, context);
    let result = match op {
        OperationId::GenerateRaoOtp
        | OperationId::ValidateRaoOtp
        | OperationId::GetCertifiedPhone => {
            rao_token_management::server::Service::new(RaoApi::new(app), false)
                .call(input)
                .await
        }
        OperationId::GenerateTelemarketingOtp | OperationId::ValidateTelemarketingOtp => {
            telemarketing_otp::server::Service::new(TelemarketingApi::new(app), false)
                .call(input)
                .await
        }
        OperationId::IssueToken => {
            oauth_token::server::Service::new(OauthApi::new(app), false)
                .call(input)
                .await
        }
    };
    result.map_err(|e| e.to_string())
}

/// Replaces whatever error the generated router answered on its own (plain
/// text) with an `ErrorResponse`; the gate should have made that impossible,
/// so it is logged as a defect.
fn ensure_envelope(
    op: &Operation,
    response: Result<Response<Body>, String>,
    uuid: Option<&str>,
) -> Response<Body> {
    let response = match response {
        Ok(r) if r.status().is_success() || is_json(r.headers()) => return r,
        Ok(r) => format!("status {} with a non-JSON body", r.status()),
        Err(e) => e,
    };
    tracing::error!(operation = op.id.as_str(), cause = %response, "the generated router answered on its own");
    response::error(Some(op), &ApiError::unavailable(), uuid)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}

async fn read_body(app: &App, headers: &HeaderMap, body: Incoming) -> Result<Bytes, ApiError> {
    let limit = app.config.server.body_limit_bytes;
    let too_large = || {
        ApiError::invalid(
            "body",
            format!("The body exceeds the limit of {limit} bytes"),
        )
    };
    let declared =
        gate::header(headers, CONTENT_LENGTH.as_str()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let timeout = Duration::from_millis(app.config.server.body_timeout_ms);
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(too_large()),
        Ok(Err(_)) => Err(ApiError::invalid("body", "The body could not be read")),
        Err(_) => Err(ApiError::invalid("body", "The body did not arrive in time")),
    }
}
