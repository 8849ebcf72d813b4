//! The edge: every request of the public listener enters here. Routes by
//! method and path through the operation registry, reads the body within
//! its limits, runs the contract gate, then hands the request to the
//! operation's generated handler (by `operationId`, not routed again by the
//! generated router); what is no operation goes to
//! the route table ([`super::routes`]). Every answer that is not the
//! operation's own is the spec's `ErrorResponse`. One log line and one
//! metrics sample per request ([`finish`]), with the error code the answer
//! was rendered with (noted on the way, never read back from the body).

use super::response::{self, Body};
use super::routes::{method_not_allowed, Listener, Routes};
use super::{gate, Front, Peer};
use crate::app::App;
use crate::contract::{Api, Fields, Operation, Route};
use crate::crypto::Digest;
use crate::error::ApiError;
use crate::log_line::RequestLine;
use crate::observe::{self, RequestNote};
use crate::r#impl::{oauth::TokenRequestBody, OauthApi, RaoApi, Request as Admitted};
use crate::r#impl::{RequestContext, TelemarketingApi};
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE};
use hyper::http::request::Parts;
use hyper::{HeaderMap, Method, Request, Response};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the log line needs of a request, taken before it is consumed.
pub(crate) struct Seen {
    pub method: Method,
    pub path: String,
    pub uuid: Option<Arc<str>>,
    pub client_id: Option<String>,
    pub started: Instant,
}

impl Seen {
    pub(crate) fn of(req: &Request<Incoming>) -> Self {
        let headers = req.headers();
        Self {
            method: req.method().clone(),
            path: req.uri().path().to_owned(),
            uuid: gate::header(headers, gate::names::UUID).map(Arc::from),
            client_id: gate::header(headers, gate::names::CLIENT_ID).map(str::to_owned),
            started: Instant::now(),
        }
    }
}

/// The public listener of a production server: operations, then the
/// route table.
pub(crate) struct Public {
    app: App,
    routes: Arc<Routes>,
}

impl Public {
    pub(crate) fn new(app: App, routes: Arc<Routes>) -> Self {
        Self { app, routes }
    }
}

impl Front for Public {
    async fn answer(&self, req: Request<Incoming>) -> Response<Body> {
        let seen = Seen::of(&req);
        let route = self.app.contract().route(seen.method.as_str(), &seen.path);
        let operation = operation_id(&route);
        let answer = dispatch(&self.app, &self.routes, route, req, seen.uuid.clone());
        let (response, note) = observe::with_note(answer).await;
        finish(
            &self.app,
            &seen,
            operation,
            response.status().as_u16(),
            &note,
        );
        response
    }
}

/// The admin listener: `/metrics` and health only; not logged.
pub(crate) struct Admin {
    app: App,
    routes: Arc<Routes>,
}

impl Admin {
    pub(crate) fn new(app: App, routes: Arc<Routes>) -> Self {
        Self { app, routes }
    }
}

impl Front for Admin {
    async fn answer(&self, req: Request<Incoming>) -> Response<Body> {
        let uuid = gate::header(req.headers(), "uuid").map(Arc::from);
        self.routes
            .answer(&self.app, Listener::Admin, req, uuid)
            .await
    }
}

/// The `operationId` a route leads to, `-` for none.
pub(crate) fn operation_id(route: &Route<'static>) -> &'static str {
    match route {
        Route::Operation(op) => op.id.as_str(),
        _ => "-",
    }
}

/// Answers a routed request: the operation, a `405`, or the route table.
pub(crate) async fn dispatch(
    app: &App,
    routes: &Routes,
    route: Route<'static>,
    req: Request<Incoming>,
    uuid: Option<Arc<str>>,
) -> Response<Body> {
    match route {
        Route::Operation(op) => {
            let (parts, body) = req.into_parts();
            match read_body(app, &parts.headers, body).await {
                Ok(body) => operation(app, op, parts, body, uuid).await,
                Err(e) => response::error(app, Some(op), &e, uuid.as_deref()),
            }
        }
        Route::WrongMethod(allowed) => {
            method_not_allowed(app, &allowed.join(", "), uuid.as_deref())
        }
        Route::Unknown => routes.answer(app, Listener::Public, req, uuid).await,
    }
}

/// Counts the answered request and writes its log line; its latency.
pub(crate) fn finish(
    app: &App,
    seen: &Seen,
    operation: &'static str,
    status: u16,
    note: &RequestNote,
) -> Duration {
    let latency = seen.started.elapsed();
    app.metrics().request_done(operation, status, latency);
    RequestLine {
        method: seen.method.as_str(),
        path: &seen.path,
        operation,
        status,
        code: note.code.as_deref().unwrap_or("-"),
        latency_us: latency.as_micros() as u64,
        uuid: seen.uuid.as_deref().unwrap_or("-"),
        client_id: seen.client_id.as_deref().unwrap_or("-"),
        phone: note.phone.as_deref().unwrap_or("-"),
    }
    .log();
    latency
}

/// An operation whose body was read: the gate, then the generated handler.
pub(crate) async fn operation(
    app: &App,
    op: &'static Operation,
    parts: Parts,
    body: Bytes,
    uuid: Option<Arc<str>>,
) -> Response<Body> {
    let request = Admitted {
        operation: op,
        uuid: uuid.clone(),
        now: app.clock().now(),
        id: (op.api != Api::Token && app.request_ids())
            .then(|| request_id(app, op, &parts.headers, &body)),
    };
    let (context, fields) = if op.api == Api::Token {
        let source = source_address(app, &parts);
        let form = TokenRequestBody::new(&parts.headers, body.clone(), source);
        // A form, not JSON: its handler has no serde_ignored step for
        // the flag to skip.
        (RequestContext::token_request(request, form), Fields::Others)
    } else {
        match gate::admit(app, op, &parts.headers, &body) {
            Ok((client, fields)) => (RequestContext::client(request, client), fields),
            Err(e) => return response::error(app, Some(op), &e, uuid.as_deref()),
        }
    };
    let response = generated(app, op, &parts, body, fields, context).await;
    ensure_envelope(app, op, response, uuid.as_deref())
}

/// A request's id: its operation, client, `uuid`, `sid` and body, hashed
/// in one pass. A client retrying a request it got no answer to sends the
/// same again. Keyed (`otp_key`), as all the store keeps: a telemarketing
/// validate's body holds its OTP in clear.
fn request_id(app: &App, op: &Operation, headers: &HeaderMap, body: &[u8]) -> Digest {
    let [client_id, uuid, sid] = ["client_id", "uuid", "sid"]
        .map(|name| headers.get(name).map_or(&b""[..], |v| v.as_bytes()));
    let parts = [op.id.as_bytes(), client_id, uuid, sid, body];
    app.issuer().digest("request", &parts)
}

/// Where a request comes from: the last address of the header
/// `server.client_address_header` names (the one a trusted proxy in front
/// appended), or else the connection's peer.
fn source_address(app: &App, parts: &Parts) -> Option<IpAddr> {
    if let Some(name) = &app.config().server.client_address_header {
        let last = gate::header(&parts.headers, name)
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok());
        return last;
    }
    parts.extensions.get::<Peer>().map(|peer| peer.0.ip())
}

/// Runs the generated handler of `op`, by its `operationId`: the edge has
/// routed the request and read its body, so the generated router's own
/// routing (a regex set) and body collection are skipped. The handler's
/// future (the `Api` method's within it) is boxed, as the generated router
/// boxed it: inline, it would grow the connection's future, which hyper
/// moves by `memcpy` several times a request. A body whose fields the gate
/// found all named by its schema is read without `serde_ignored`: it would
/// find nothing to report (NORMALIZATION.md, G5).
async fn generated(
    app: &App,
    op: &Operation,
    parts: &Parts,
    body: Bytes,
    fields: Fields,
    context: RequestContext,
) -> Result<Response<Body>, String> {
    let id = op.id.as_str();
    let named = fields == Fields::Named;
    let result = match op.api {
        Api::Rao => {
            let service = rao_token_management::server::Service::new(RaoApi::new(app), false);
            Box::pin(service.call_operation(id, parts, body, named, context)).await
        }
        Api::Telemarketing => {
            let service =
                telemarketing_otp::server::Service::new(TelemarketingApi::new(app), false);
            Box::pin(service.call_operation(id, parts, body, named, context)).await
        }
        Api::Token => {
            let service = oauth_token::server::Service::new(OauthApi::new(app), false);
            Box::pin(service.call_operation(id, parts, body, named, context)).await
        }
    };
    match result {
        Some(response) => response.map_err(|e| e.to_string()),
        None => Err(format!("the generated crate has no operation {id}")),
    }
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

/// The request's body, within `server.body_limit_bytes` and
/// `server.body_timeout_ms`.
pub(crate) async fn read_body(
    app: &App,
    headers: &HeaderMap,
    body: Incoming,
) -> Result<Bytes, ApiError> {
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
