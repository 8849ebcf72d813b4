//! The sandbox's routes, added to the server's one route table in sandbox
//! mode only: its pages, its kit endpoints, the console's live API, and
//! `/metrics` on the public listener (a sandbox has no admin listener).

use super::layer::Sandbox;
use super::{coverage, events, guard, kit, pages, states};
use crate::app::App;
use crate::server::response;
use crate::server::routes::{handler, metrics_handler, Handler, Route, Routes, Scope};
use hyper::body::Incoming;
use hyper::{Method, Request};
use std::future::Future;
use std::sync::Arc;

const GET: &[Method] = &[Method::GET];
const POST: &[Method] = &[Method::POST];

/// A handler of the sandbox, given the layer too.
fn with<F, Fut>(sandbox: &Arc<Sandbox>, f: F) -> Handler
where
    F: Fn(App, Arc<Sandbox>, Request<Incoming>, Option<Arc<str>>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = hyper::Response<crate::server::response::Body>> + Send + 'static,
{
    let sandbox = sandbox.clone();
    let f = Arc::new(f);
    handler(move |app, req, uuid| f(app, sandbox.clone(), req, uuid))
}

/// [`with`], for an endpoint that changes the sandbox's state: refused
/// first when forged ([`guard`]).
fn changes_state<F, Fut>(sandbox: &Arc<Sandbox>, f: F) -> Handler
where
    F: Fn(App, Arc<Sandbox>, Request<Incoming>, Option<Arc<str>>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = hyper::Response<crate::server::response::Body>> + Send + 'static,
{
    let f = Arc::new(f);
    with(sandbox, move |app, sandbox, req, uuid| {
        let f = f.clone();
        async move {
            match guard::forged(&app, req.headers()) {
                Some(refused) => response::error(&app, None, &refused, uuid.as_deref()),
                None => f(app, sandbox, req, uuid).await,
            }
        }
    })
}

/// Adds the sandbox's routes to `routes`.
pub(crate) fn add(routes: &mut Routes, sandbox: &Arc<Sandbox>) {
    let api = [
        (
            "/sandbox/v1/sms",
            GET,
            with(sandbox, |app, sandbox, req, uuid| async move {
                kit::outbox(&app, &sandbox, req.uri().query(), uuid.as_deref()).await
            }),
        ),
        (
            "/sandbox/v1/sms/latest",
            GET,
            with(sandbox, |app, sandbox, req, uuid| async move {
                kit::latest(&app, &sandbox, &req, uuid.as_deref()).await
            }),
        ),
        (
            "/sandbox/v1/coverage",
            GET,
            with(sandbox, |app, sandbox, req, uuid| async move {
                coverage::coverage(&app, &sandbox, req.uri().query(), uuid.as_deref()).await
            }),
        ),
        (
            "/sandbox/v1/clients",
            GET,
            with(sandbox, |app, _, _, _| async move { kit::clients(&app) }),
        ),
        (
            "/sandbox/v1/clock",
            GET,
            with(
                sandbox,
                |_, sandbox, _, _| async move { kit::clock(&sandbox) },
            ),
        ),
        (
            "/sandbox/v1/clock",
            POST,
            changes_state(sandbox, |app, sandbox, req, uuid| async move {
                kit::advance(&app, &sandbox, req, uuid.as_deref()).await
            }),
        ),
        (
            "/sandbox/v1/reset",
            POST,
            changes_state(sandbox, |app, sandbox, req, uuid| async move {
                kit::reset(&app, &sandbox, req, uuid.as_deref()).await
            }),
        ),
        (
            "/sandbox/v1/provider-states",
            POST,
            changes_state(sandbox, |app, sandbox, req, uuid| async move {
                states::provider_state(&app, &sandbox, req, uuid.as_deref()).await
            }),
        ),
        (
            "/sandbox/v1/requests",
            GET,
            with(sandbox, |_, sandbox, req, _| async move {
                events::requests(sandbox.console(), req.uri().query())
            }),
        ),
        (
            "/sandbox/v1/events",
            GET,
            with(sandbox, |app, sandbox, _, uuid| async move {
                events::events(&app, sandbox.console(), uuid.as_deref()).await
            }),
        ),
        ("/metrics", GET, metrics_handler()),
    ];
    for (path, methods, handler) in api {
        routes.push(Route::new(path, methods, Scope::Sandbox, handler));
    }
    for page in pages::routes() {
        routes.push(page);
    }
}
