//! The one table of everything that is not an operation of the specs:
//! health, metrics, and — added by the sandbox layer, in sandbox mode only
//! — its pages, its kit endpoints and the console's live API. Each route
//! is a path, its methods, a handler and a scope (dropshot's
//! `ApiDescription`, for the non-spec endpoints).
//!
//! The table, not each handler, decides `404` (no route), `405` with
//! `Allow` (a route with other methods) and `Cache-Control: no-store` (the
//! sandbox's JSON API, which changes with every request).

use super::response::{self, Body};
use crate::app::App;
use crate::error::{code, ApiError};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use hyper::{Method, Request, Response};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// Which listener a request came in on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listener {
    /// The APIs, health, and in the sandbox its own endpoints.
    Public,
    /// `server.admin_listen`: `/metrics` and health, outside the sandbox.
    Admin,
}

/// Where a route is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// On the public listener.
    Public,
    /// On the admin listener.
    Admin,
    /// On the public listener of a sandbox: its pages and JSON API. Only a
    /// sandbox adds such routes to its table.
    Sandbox,
}

impl Scope {
    fn serves(self, listener: Listener) -> bool {
        match self {
            Self::Public | Self::Sandbox => listener == Listener::Public,
            Self::Admin => listener == Listener::Admin,
        }
    }
}

/// An answer in the making.
pub(crate) type Answer = Pin<Box<dyn Future<Output = Response<Body>> + Send>>;

/// What a route does with a request (and its `uuid`, for errors).
pub(crate) type Handler =
    Arc<dyn Fn(App, Request<Incoming>, Option<Arc<str>>) -> Answer + Send + Sync>;

/// One route.
pub(crate) struct Route {
    pub path: Cow<'static, str>,
    pub methods: &'static [Method],
    pub scope: Scope,
    pub handler: Handler,
}

impl Route {
    pub(crate) fn new(
        path: impl Into<Cow<'static, str>>,
        methods: &'static [Method],
        scope: Scope,
        handler: Handler,
    ) -> Self {
        Self {
            path: path.into(),
            methods,
            scope,
            handler,
        }
    }
}

/// A handler from an async function of the app and the request.
pub(crate) fn handler<F, Fut>(f: F) -> Handler
where
    F: Fn(App, Request<Incoming>, Option<Arc<str>>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Response<Body>> + Send + 'static,
{
    Arc::new(move |app, req, uuid| Box::pin(f(app, req, uuid)))
}

/// The routes of a server.
#[derive(Default)]
pub(crate) struct Routes(Vec<Route>);

const GET: &[Method] = &[Method::GET];

impl Routes {
    /// Health on both listeners, `/metrics` on the admin one.
    pub(crate) fn core() -> Self {
        let is_live = || handler(|_, _, _| async { live() });
        let is_ready =
            || handler(|app: App, _, uuid| async move { ready(&app, uuid.as_deref()).await });
        let mut routes = Self::default();
        for scope in [Scope::Public, Scope::Admin] {
            routes.push(Route::new("/health/live", GET, scope, is_live()));
            routes.push(Route::new("/health/ready", GET, scope, is_ready()));
        }
        routes.push(Route::new("/metrics", GET, Scope::Admin, metrics_handler()));
        routes
    }

    pub(crate) fn push(&mut self, route: Route) {
        self.0.push(route);
    }

    /// Answers `req` on `listener`: the route's handler, or 404 / 405.
    pub(crate) async fn answer(
        &self,
        app: &App,
        listener: Listener,
        req: Request<Incoming>,
        uuid: Option<Arc<str>>,
    ) -> Response<Body> {
        let path = req.uri().path();
        let (found, no_store) = match self.find(listener, path, req.method()) {
            None => return not_found(app, path, uuid.as_deref()),
            Some(found) => found,
        };
        let mut response = match found {
            Ok(handler) => handler(app.clone(), req, uuid).await,
            Err(allowed) => method_not_allowed(app, &allowed, uuid.as_deref()),
        };
        if no_store {
            let headers = response.headers_mut();
            headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        response
    }

    /// The handler of `path` and `method` on `listener` (or the methods
    /// the path allows), and whether its answers must not be stored;
    /// `None` when nothing serves the path.
    fn find(
        &self,
        listener: Listener,
        path: &str,
        method: &Method,
    ) -> Option<(Result<Handler, String>, bool)> {
        let served: Vec<&Route> = self
            .0
            .iter()
            .filter(|r| r.scope.serves(listener) && r.path == path)
            .collect();
        let first = served.first()?;
        let no_store = first.scope == Scope::Sandbox && path.starts_with("/sandbox/v1/");
        if let Some(route) = served.iter().find(|r| r.methods.contains(method)) {
            return Some((Ok(route.handler.clone()), no_store));
        }
        let allowed: Vec<&str> = served
            .iter()
            .flat_map(|r| r.methods.iter().map(Method::as_str))
            .collect();
        Some((Err(allowed.join(", ")), no_store))
    }
}

/// `404 resourceNotFound` for a path nothing serves.
pub(crate) fn not_found(app: &App, path: &str, uuid: Option<&str>) -> Response<Body> {
    let error = ApiError::new(code::RESOURCE_NOT_FOUND, "path")
        .with_details(format!("No operation at {path}"));
    response::error(app, None, &error, uuid)
}

/// `405` with `Allow` for a known path asked with another method.
pub(crate) fn method_not_allowed(app: &App, allowed: &str, uuid: Option<&str>) -> Response<Body> {
    let error = ApiError::new(code::METHOD_NOT_ALLOWED, "method")
        .with_details(format!("Only {allowed} is allowed here"));
    let mut response = response::error(app, None, &error, uuid);
    if let Ok(value) = HeaderValue::from_str(allowed) {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}

fn live() -> Response<Body> {
    response::json(200, &serde_json::json!({"status": "live"}))
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
pub(crate) fn metrics_handler() -> Handler {
    handler(|app: App, _, _| async move {
        let text = Bytes::from(app.metrics().render());
        let mut response = Response::new(Full::new(text).boxed());
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        );
        response
    })
}
