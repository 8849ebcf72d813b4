//! The sandbox layer around the edge: what a sandbox does with every
//! request, and a production server never does.
//!
//! 1. Reads the sandbox's shared state once ([`super::current`]), so the
//!    clock, the namespace and the outbox of this request are every
//!    instance's; names the request's client (its tenant) for the layers
//!    below ([`super::scope`]).
//! 2. For an OTP operation, reads the body and honours `Prefer`
//!    ([`super::prefer`]) and the phone's behaviour
//!    ([`super::behaviour`]) before the gate: a fault instead of an answer
//!    ([`super::faults`], carried out at the connection by the accept
//!    loop's [`Takeover`]), a forced error, a delay after the real answer.
//! 3. Hands the request to the edge, whose route table holds the sandbox's
//!    routes too.
//! 4. Shows the answered request in the console.

use super::console::Answered;
use super::coverage;
use super::journal;
use super::layer::Sandbox;
use super::misbehaviour::Delay;
use super::misbehaviour::PhoneBehaviour;
use super::prefer;
use super::scope::{self, Scope};
use super::state::unhex;
use crate::app::App;
use crate::contract::{Api, Operation, Route};
use crate::crypto::Digest;
use crate::observe;
use crate::otp::RaoFlow;
use crate::phone::PhoneId;
use crate::server::edge::{self, Seen};
use crate::server::response::{self, Body};
use crate::server::routes::Routes;
use crate::server::{gate, Front, Takeover};
use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::{HeaderMap, Request, Response};
use serde_json::Value;
use std::sync::Arc;

/// The public listener of a sandbox.
pub(crate) struct SandboxFront {
    app: App,
    routes: Arc<Routes>,
    sandbox: Arc<Sandbox>,
}

/// How an answer came to be.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Made {
    /// A `Prefer` forced it (`error=` or `code=`).
    pub forced: bool,
    /// The body of an OTP operation's request, for the journal.
    pub request: Option<Bytes>,
}

impl SandboxFront {
    pub(crate) fn new(app: App, routes: Arc<Routes>, sandbox: Arc<Sandbox>) -> Self {
        Self {
            app,
            routes,
            sandbox,
        }
    }

    /// The request's client, when it names a configured one, and its epoch.
    async fn client(&self, seen: &Seen) -> Option<(String, u64)> {
        let id = seen.client_id.as_deref()?;
        self.app.config().clients.get(id)?;
        let epoch = match self.sandbox.current().client_epoch(id).await {
            Ok(epoch) => epoch,
            Err(e) => {
                tracing::warn!(error = %e, "sandbox: the client's epoch was not read");
                0
            }
        };
        Some((id.to_owned(), epoch))
    }

    async fn dispatch(
        &self,
        route: Route<'static>,
        req: Request<Incoming>,
        seen: &Seen,
    ) -> (Response<Body>, Made) {
        let app = &self.app;
        let uuid = seen.uuid.clone();
        let op = match route {
            Route::Operation(op) if op.api != Api::Token => op,
            route => {
                let response = edge::dispatch(app, &self.routes, route, req, uuid).await;
                return (response, Made::default());
            }
        };
        let (parts, body) = req.into_parts();
        let body = match edge::read_body(app, &parts.headers, body).await {
            Ok(body) => body,
            Err(e) => {
                return (
                    response::error(app, Some(op), &e, uuid.as_deref()),
                    Made::default(),
                )
            }
        };
        let seen_body = Made {
            forced: false,
            request: Some(body.clone()),
        };
        let prefs = match prefer::preferences(&parts.headers) {
            Ok(prefs) => prefs,
            Err(e) => {
                let refused = response::error(app, Some(op), &e, uuid.as_deref());
                return (refused, seen_body);
            }
        };
        let behaviour = self
            .behaviour(op, &parts.headers, &body)
            .await
            .unwrap_or_default();
        let delay = prefs.delay.or(behaviour.delay);
        if let Some(fault) = prefs.fault.or(behaviour.fault) {
            pause(delay).await;
            return (fault.response(), seen_body);
        }
        let (mut response, made) = match prefer::forced_error(app, op, &prefs, uuid.as_deref()) {
            Some(forced) => {
                let applied = forced.headers().contains_key("Preference-Applied");
                let made = Made {
                    forced: applied,
                    ..seen_body
                };
                (forced, made)
            }
            None => {
                scope::set_sms(&behaviour);
                let answer = edge::operation(app, op, parts, body, uuid).await;
                (answer, seen_body)
            }
        };
        let waited = pause(delay).await;
        if let (Some(waited), Some(_)) = (waited, prefs.delay) {
            if let Ok(applied) = HeaderValue::from_str(&format!("delay={waited}")) {
                response.headers_mut().append("Preference-Applied", applied);
            }
        }
        (response, made)
    }

    /// How the phone the request is about behaves, when it names one that
    /// behaves in some way.
    async fn behaviour(
        &self,
        op: &Operation,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Option<PhoneBehaviour> {
        let behaviours = self.sandbox.behaviours();
        if behaviours.none().await {
            return None;
        }
        let phone = phone_of(&self.app, op, headers, body)?;
        behaviours.of(&phone).await
    }
}

/// The answer's body for the journal, and the answer as it was.
async fn journal_body(response: Response<Body>) -> (Response<Body>, Option<journal::Body>) {
    let (parts, body) = response.into_parts();
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(never) => match never {},
    };
    let kept = journal::Body::kept(&bytes);
    (Response::from_parts(parts, Full::new(bytes).boxed()), kept)
}

/// Waits for `delay`, drawn; the ms waited.
async fn pause(delay: Option<Delay>) -> Option<u128> {
    let wait = delay?.draw();
    tokio::time::sleep(wait).await;
    Some(wait.as_millis())
}

/// The digest of the phone an OTP request names, if it names one.
fn phone_of(app: &App, op: &Operation, headers: &HeaderMap, body: &[u8]) -> Option<Digest> {
    let id = match (op.api, op.id.as_str()) {
        (Api::Rao, "generateRaoOtp" | "validateRaoOtp") => {
            let body: Value = serde_json::from_slice(body).ok()?;
            let phone = body.get("phone").unwrap_or(&body);
            let country_code = phone.get("phoneCountryCode")?.as_str()?;
            let sealed = phone.get("encryptedPhoneNumber")?.as_str()?;
            let sealed = base64::engine::general_purpose::STANDARD
                .decode(sealed)
                .ok()?;
            let client = app
                .config()
                .clients
                .get(gate::header(headers, "client_id")?)?;
            RaoFlow::open_phone(client, country_code, &sealed).ok()?.id
        }
        (Api::Telemarketing, "generateTelemarketingOtp") => {
            let body: Value = serde_json::from_slice(body).ok()?;
            let number = body.get("phoneNumber")?.as_str()?;
            PhoneId::in_country(gate::header(headers, "countryCode")?, number).ok()?
        }
        (Api::Telemarketing, "validateTelemarketingOtp") => {
            // A sid starts with its phone's digest (hex).
            return unhex(gate::header(headers, "sid")?.get(..32)?);
        }
        _ => return None,
    };
    Some(app.issuer().phone_digest(&id))
}

impl Front for SandboxFront {
    const TAKES_OVER: bool = true;

    async fn answer(&self, req: Request<Incoming>) -> Response<Body> {
        let seen = Seen::of(&req);
        self.sandbox.current().refresh().await;
        let route = self.app.contract().route(seen.method.as_str(), &seen.path);
        let operation = edge::operation_id(&route);
        let client = self.client(&seen).await;
        let counted = match &route {
            Route::Operation(op) if coverage::counts(op) => Some(*op),
            _ => None,
        };
        let answer = scope::within(Scope::new(client.clone()), self.dispatch(route, req, &seen));
        let ((response, made), note) = observe::with_note(answer).await;
        // A fault is no answer: status 0 in the log and the console.
        let status = match response.extensions().get::<Takeover>() {
            Some(_) => 0,
            None => response.status().as_u16(),
        };
        let (response, answered) = match (&made.request, status) {
            (Some(_), 1..) => journal_body(response).await,
            _ => (response, None),
        };
        let latency = edge::finish(&self.app, &seen, operation, status, &note);
        if let (Some(op), Some((id, epoch)), true) = (counted, &client, status != 0) {
            let now = self.app.clock().now();
            let code = note.code.as_deref();
            let (sandbox, client) = (&self.sandbox, (id.as_str(), *epoch));
            let forced = made.forced;
            coverage::record(sandbox, op, client, status, code, forced, now).await;
        }
        self.sandbox.console().record(Answered {
            at: self.app.clock().now(),
            method: seen.method.as_str(),
            path: &seen.path,
            operation,
            status,
            code: note.code.as_deref(),
            latency,
            phone: note.phone.as_deref(),
            uuid: seen.uuid.as_deref(),
            client_id: client.as_ref().map(|(id, _)| id.as_str()),
            request: made.request.as_ref().and_then(journal::Body::kept),
            response: answered,
        });
        response
    }

    /// Server-sent event streams never end on their own: end them.
    fn closing(&self) {
        self.sandbox.console().close();
    }
}
