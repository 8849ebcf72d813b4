//! The edge: every request enters here. Routes by method and path through
//! the operation registry, reads the body within its limits, runs the
//! sandbox's `Prefer` and the contract gate, then hands the request to the
//! generated router of the operation's API. Every answer that is not the
//! operation's own is the spec's `ErrorResponse`. In the sandbox, a path
//! that is no operation's may be one of its pages ([`super::pages`]) or
//! of the console's live API ([`super::console`]).

use super::response::{self, Body};
use super::{console, gate, pages, sandbox};
use crate::app::App;
use crate::console::Answered;
use crate::contract::{Api, Operation, Route};
use crate::error::{code, ApiError};
use crate::observe;
use crate::r#impl::{oauth::TokenRequestBody, OauthApi, RaoApi, Request as Admitted};
use crate::r#impl::{RequestContext, TelemarketingApi};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::service::Service as _;
use hyper::{HeaderMap, Method, Request, Response};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Answers one request. Never fails: every failure is a response.
pub async fn handle(app: &App, req: Request<Incoming>) -> Response<Body> {
    let started = Instant::now();
    app.refresh_sandbox_clock().await;
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let uuid: Option<Arc<str>> = gate::header(req.headers(), "uuid").map(Arc::from);
    let client_id = gate::header(req.headers(), "client_id").map(str::to_owned);
    let route = app.contract().route(method.as_str(), &path);
    let operation = match route {
        Route::Operation(op) => op.id.as_str(),
        _ => "-",
    };
    let answer = answer(app, route, req, uuid.clone());
    let (response, note) = observe::with_note(answer).await;
    let (mut response, code) = error_code(response).await;
    let latency = started.elapsed();
    let status = response.status().as_u16();
    app.metrics().request_done(operation, status, latency);
    app.console().record(Answered {
        at: app.clock().now(),
        method: method.as_str(),
        path: &path,
        operation,
        status,
        code: code.as_deref(),
        latency,
        phone: note.phone.as_deref(),
        uuid: uuid.as_deref(),
    });
    console::no_store(&path, &mut response);
    tracing::info!(
        target: "otp_server::request",
        %method,
        path = %path,
        operation,
        status,
        code = code.as_deref().unwrap_or("-"),
        latency_us = latency.as_micros() as u64,
        uuid = uuid.as_deref().unwrap_or("-"),
        client_id = client_id.as_deref().unwrap_or("-"),
        phone = note.phone.as_deref().unwrap_or("-"),
        "request"
    );
    response
}

/// Answers one request on the admin listener: `/metrics` and health only.
pub async fn handle_admin(app: &App, req: Request<Incoming>) -> Response<Body> {
    let (get, path) = (req.method() == Method::GET, req.uri().path());
    match path {
        "/metrics" if get => metrics(app),
        "/health/live" if get => response::json(200, &serde_json::json!({"status": "live"})),
        "/health/ready" if get => ready(app, None).await,
        "/metrics" | "/health/live" | "/health/ready" => method_not_allowed(app, "GET", None),
        _ => not_found(app, path, None),
    }
}

/// The error code an error answer carries (`code` of an `ErrorResponse`,
/// `error` of an RFC 6749 refusal), read from the answer itself.
async fn error_code(response: Response<Body>) -> (Response<Body>, Option<String>) {
    let is_error = response.status().as_u16() >= 400 && is_json(response.headers());
    if !is_error {
        return (response, None);
    }
    let (parts, body) = response.into_parts();
    // Our bodies are in memory and infallible: collecting cannot fail.
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    #[derive(serde::Deserialize)]
    struct Code {
        code: Option<String>,
        error: Option<String>,
    }
    let code = serde_json::from_slice::<Code>(&bytes)
        .ok()
        .and_then(|c| c.code.or(c.error));
    (Response::from_parts(parts, Full::new(bytes).boxed()), code)
}

async fn answer(
    app: &App,
    route: Route<'static>,
    req: Request<Incoming>,
    uuid: Option<Arc<str>>,
) -> Response<Body> {
    match route {
        Route::Operation(op) => operation(app, op, req, uuid).await,
        Route::WrongMethod(allowed) => {
            method_not_allowed(app, &allowed.join(", "), uuid.as_deref())
        }
        Route::Unknown => other(app, req, uuid.as_deref()).await,
    }
}

/// What is not an operation: health, metrics, the sandbox's own endpoints
/// and pages.
async fn other(app: &App, req: Request<Incoming>, uuid: Option<&str>) -> Response<Body> {
    if app.is_sandbox() {
        let page = match pages::answer(app, &req, uuid) {
            Some(page) => Some(page),
            None => console::answer(app, &req, uuid).await,
        };
        if let Some(response) = page {
            return response;
        }
    }
    let path = req.uri().path().to_owned();
    let get = req.method() == Method::GET;
    match path.as_str() {
        "/health/live" if get => response::json(200, &serde_json::json!({"status": "live"})),
        "/health/ready" if get => ready(app, uuid).await,
        "/metrics" if get && app.is_sandbox() => metrics(app),
        "/health/live" | "/health/ready" => method_not_allowed(app, "GET", uuid),
        "/metrics" if app.is_sandbox() => method_not_allowed(app, "GET", uuid),
        _ if app.is_sandbox() && path.starts_with("/sandbox/") => {
            match sandbox::route(app, req, uuid).await {
                Some(answer) => answer,
                None => not_found(app, &path, uuid),
            }
        }
        _ => not_found(app, &path, uuid),
    }
}

fn not_found(app: &App, path: &str, uuid: Option<&str>) -> Response<Body> {
    let error = ApiError::new(code::RESOURCE_NOT_FOUND, "path")
        .with_details(format!("No operation at {path}"));
    response::error(app, None, &error, uuid)
}

async fn ready(app: &App, uuid: Option<&str>) -> Response<Body> {
    match app.health().ping().await {
        Ok(()) => response::json(200, &serde_json::json!({"status": "ready"})),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            let error = ApiError::unavailable().with_details("The store does not answer");
            response::error(app, None, &error, uuid)
        }
    }
}

/// `GET /metrics`: Prometheus text format.
fn metrics(app: &App) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::from(app.metrics().render())).boxed());
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}

pub(super) fn method_not_allowed(app: &App, allowed: &str, uuid: Option<&str>) -> Response<Body> {
    let error = ApiError::new(code::METHOD_NOT_ALLOWED, "method")
        .with_details(format!("Only {allowed} is allowed here"));
    let mut response = response::error(app, None, &error, uuid);
    if let Ok(value) = HeaderValue::from_str(allowed) {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}

async fn operation(
    app: &App,
    op: &'static Operation,
    req: Request<Incoming>,
    uuid: Option<Arc<str>>,
) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let body = match read_body(app, &parts.headers, body).await {
        Ok(body) => body,
        Err(e) => return response::error(app, Some(op), &e, uuid.as_deref()),
    };
    if app.is_sandbox() && op.api != Api::Token {
        if let Some(forced) = sandbox::forced_error(app, op, &parts.headers, uuid.as_deref()) {
            return forced;
        }
    }
    let request = Admitted {
        operation: op,
        uuid: uuid.clone(),
        now: app.clock().now(),
    };
    let context = if op.api == Api::Token {
        RequestContext::token_request(request, TokenRequestBody::new(&parts.headers, body.clone()))
    } else {
        match gate::admit(app, op, &parts.headers, &body) {
            Ok(client) => RequestContext::client(request, client),
            Err(e) => return response::error(app, Some(op), &e, uuid.as_deref()),
        }
    };
    let request = Request::from_parts(parts, Full::new(body));
    let response = dispatch(app, op.api, request, context).await;
    ensure_envelope(app, op, response, uuid.as_deref())
}

/// Runs the generated router of `api`, which routes to the operation itself.
async fn dispatch(
    app: &App,
    api: Api,
    request: Request<Full<Bytes>>,
    context: RequestContext,
) -> Result<Response<Body>, String> {
    let input = (request, context);
    let result = match api {
        Api::Rao => {
            rao_token_management::server::Service::new(RaoApi::new(app), false)
                .call(input)
                .await
        }
        Api::Telemarketing => {
            telemarketing_otp::server::Service::new(TelemarketingApi::new(app), false)
                .call(input)
                .await
        }
        Api::Token => {
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
    app: &App,
    op: &Operation,
    response: Result<Response<Body>, String>,
    uuid: Option<&str>,
) -> Response<Body> {
    let response = match response {
        Ok(r) if r.status().is_success() || is_json(r.headers()) => return r,
        Ok(r) => format!("status {} with a non-JSON body", r.status()),
        Err(e) => e,
    };
    tracing::error!(operation = %op.id, cause = %response, "the generated router answered on its own");
    response::error(app, Some(op), &ApiError::unavailable(), uuid)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
}

async fn read_body(app: &App, headers: &HeaderMap, body: Incoming) -> Result<Bytes, ApiError> {
    let server = &app.config().server;
    let limit = server.body_limit_bytes;
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
    let timeout = Duration::from_millis(server.body_timeout_ms);
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(too_large()),
        Ok(Err(_)) => Err(ApiError::invalid("body", "The body could not be read")),
        Err(_) => Err(ApiError::invalid("body", "The body did not arrive in time")),
    }
}
