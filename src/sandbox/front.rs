//! The sandbox layer around the edge: what a sandbox does with every
//! request, and a production server never does.
//!
//! 1. Reads the sandbox's shared state once ([`super::current`]), so the
//!    clock, the namespace and the outbox of this request are every
//!    instance's.
//! 2. For an OTP operation, reads the body and answers a `Prefer: error=`
//!    with the forced error ([`super::prefer`]) before the gate.
//! 3. Hands the request to the edge, whose route table holds the sandbox's
//!    routes too.
//! 4. Shows the answered request in the console.

use super::console::Answered;
use super::layer::Sandbox;
use super::prefer;
use crate::app::App;
use crate::contract::{Api, Route};
use crate::observe;
use crate::server::edge::{self, Seen};
use crate::server::response::{self, Body};
use crate::server::routes::Routes;
use crate::server::Front;
use hyper::body::Incoming;
use hyper::{Request, Response};
use std::sync::Arc;

/// The public listener of a sandbox.
pub(crate) struct SandboxFront {
    app: App,
    routes: Arc<Routes>,
    sandbox: Arc<Sandbox>,
}

impl SandboxFront {
    pub(crate) fn new(app: App, routes: Arc<Routes>, sandbox: Arc<Sandbox>) -> Self {
        Self {
            app,
            routes,
            sandbox,
        }
    }

    async fn dispatch(
        &self,
        route: Route<'static>,
        req: Request<Incoming>,
        seen: &Seen,
    ) -> Response<Body> {
        let app = &self.app;
        let uuid = seen.uuid.clone();
        let op = match route {
            Route::Operation(op) if op.api != Api::Token => op,
            route => return edge::dispatch(app, &self.routes, route, req, uuid).await,
        };
        let (parts, body) = req.into_parts();
        let body = match edge::read_body(app, &parts.headers, body).await {
            Ok(body) => body,
            Err(e) => return response::error(app, Some(op), &e, uuid.as_deref()),
        };
        if let Some(forced) = prefer::forced_error(app, op, &parts.headers, uuid.as_deref()) {
            return forced;
        }
        edge::operation(app, op, parts, body, uuid).await
    }
}

impl Front for SandboxFront {
    async fn answer(&self, req: Request<Incoming>) -> Response<Body> {
        let seen = Seen::of(&req);
        self.sandbox.current().refresh().await;
        let route = self.app.contract().route(seen.method.as_str(), &seen.path);
        let operation = edge::operation_id(&route);
        let answer = self.dispatch(route, req, &seen);
        let (response, note) = observe::with_note(answer).await;
        let status = response.status().as_u16();
        let latency = edge::finish(&self.app, &seen, operation, status, &note);
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
        });
        response
    }

    /// Server-sent event streams never end on their own: end them.
    fn closing(&self) {
        self.sandbox.console().close();
    }
}
