//! The validation proxy (`otp-server proxy`), in the convention of Prism's
//! validation proxy: it sits between a consumer and any implementation of
//! the APIs and checks both directions against the specs, without ever
//! replacing the upstream's answer.
//!
//! Requests are checked by the contract gate's own rules
//! (`contract::check_request`): reported and forwarded, or with
//! `--enforce` answered as the gate answers (`400 invalidRequest`, `401`
//! for a missing credential). Responses are checked by
//! `contract::check_response` (documented status, body schema, the
//! `x-error-codes` row, declared headers such as `sid`) and the full
//! `ErrorResponse` (docs/BEHAVIOUR.md#error-responses); and a request that breaks the contract must have
//! been refused (400, or 401/403, which the gate answers first).
//!
//! Unlike Prism: it honours Swagger 2.0's `basePath` (routes are the
//! registry's, `/api/v1/…`), keeps the upstream's documented `400` where
//! Prism answers its own `422` (a status the RAO API uses for business
//! failures), and reads `x-error-codes`. Violations are printed as JSON
//! lines on stdout, counted in a `Contract-Violations` response header,
//! served at `GET /proxy/v1/violations` and written to `--report` on exit.
//!
//! Bounded, as a server facing any client must be: a client has
//! `header_timeout` to send a request head (an idle kept-alive connection
//! is closed after it too) and `body_timeout` to send its body, a body is at most `max_body` bytes, at most `max_connections`
//! connections are served at once (more wait in the listen backlog), and
//! the violations kept are at most `max_violations`, each with its path and
//! `uuid` cut short. Hop-by-hop headers (RFC 9110 §7.6.1: `Connection` and
//! every header it names, and the standard set) are dropped both ways, and
//! only the proxy says `Contract-Violations`: an upstream's own is dropped.
//! A closed stdout (the reader of the violation lines went away) stops the
//! proxy as SIGTERM does.

pub mod command;
mod exchange;
pub mod log;

pub use log::{Direction, Snapshot, Violation};

use crate::contract::Contract;
use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use serde::Serialize;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Why the proxy cannot start or report.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    #[error("--upstream {0:?} is not an http:// URL")]
    Upstream(String),
    #[error("the specs do not compile: {0}")]
    Contract(String),
    #[error("cannot write the report {0}: {1}")]
    Report(PathBuf, std::io::Error),
}

/// What the proxy is told.
#[derive(Debug, Clone)]
pub struct ProxyOptions {
    /// `http://host:port[/prefix]` of the implementation.
    pub upstream: String,
    /// Answer requests that break the contract as the gate does, instead of forwarding them.
    pub enforce: bool,
    /// Where to write the JSON report on exit.
    pub report: Option<PathBuf>,
    /// Bound on each upstream exchange.
    pub timeout: Duration,
    /// Time a client has to send a request head (and, between requests,
    /// before a kept-alive connection is closed).
    pub header_timeout: Duration,
    /// Time a client has to send a request body.
    pub body_timeout: Duration,
    /// Largest request body carried, in bytes.
    pub max_body: usize,
    /// Most client connections served at once.
    pub max_connections: usize,
    /// Most violations kept for `GET /proxy/v1/violations` and the report;
    /// older ones are only counted.
    pub max_violations: usize,
    /// Print each violation on stdout as a JSON line (the command does;
    /// tests in-process need not).
    pub print_violations: bool,
}

impl ProxyOptions {
    /// The defaults, forwarding to `upstream`, reporting.
    pub fn new(upstream: impl Into<String>) -> Self {
        Self {
            upstream: upstream.into(),
            enforce: false,
            report: None,
            timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(10),
            max_body: 1 << 20,
            max_connections: 256,
            max_violations: 1000,
            print_violations: true,
        }
    }
}

/// The running proxy: a `Clone` handle.
#[derive(Clone)]
pub struct Proxy {
    shared: Arc<Shared>,
}

struct Shared {
    options: ProxyOptions,
    /// The upstream base, without a trailing `/`.
    upstream: String,
    client: Client<HttpConnector, Full<Bytes>>,
    contract: &'static Contract,
    log: log::Log,
}

/// The report written on exit.
#[derive(Debug, Clone, Serialize)]
pub struct ProxyReport {
    pub upstream: String,
    pub enforce: bool,
    #[serde(flatten)]
    pub log: Snapshot,
}

impl Proxy {
    pub fn new(options: ProxyOptions) -> Result<Self, ProxyError> {
        let upstream = options.upstream.trim_end_matches('/').to_owned();
        let uri: hyper::Uri = upstream
            .parse()
            .map_err(|_| ProxyError::Upstream(options.upstream.clone()))?;
        if uri.scheme_str() != Some("http") || uri.host().is_none() {
            return Err(ProxyError::Upstream(options.upstream.clone()));
        }
        let contract = Contract::get().map_err(|e| ProxyError::Contract(e.to_string()))?;
        let client = Client::builder(TokioExecutor::new()).build(HttpConnector::new());
        let log = log::Log::new(options.max_violations, options.print_violations);
        Ok(Self {
            shared: Arc::new(Shared {
                options,
                upstream,
                client,
                contract,
                log,
            }),
        })
    }

    /// What was found so far.
    pub fn report(&self) -> ProxyReport {
        ProxyReport {
            upstream: self.shared.upstream.clone(),
            enforce: self.shared.options.enforce,
            log: self.shared.log.snapshot(),
        }
    }

    /// Serves on `listener` until `shutdown` (or until stdout, where the
    /// violations go, is closed), then writes `--report` (if asked) and
    /// returns the report.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> Result<ProxyReport, ProxyError> {
        let mut shutdown = std::pin::pin!(shutdown);
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(self.shared.options.header_timeout);
        let slots = Arc::new(Semaphore::new(self.shared.options.max_connections.max(1)));
        loop {
            // A free slot first: past the cap, connections wait in the
            // listen backlog instead of costing memory here.
            let accepted = async {
                let slot = slots.clone().acquire_owned().await;
                (slot, listener.accept().await)
            };
            let (slot, stream) = tokio::select! {
                (slot, accepted) = accepted => match accepted {
                    Ok((stream, _)) => (slot, stream),
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
                () = self.shared.log.stdout_closed() => break,
            };
            let proxy = self.clone();
            let service = service_fn(move |req| {
                let proxy = proxy.clone();
                async move { Ok::<_, std::convert::Infallible>(proxy.handle(req).await) }
            });
            let connection = http.serve_connection(TokioIo::new(stream), service);
            tokio::spawn(async move {
                let _ = connection.await;
                drop(slot);
            });
        }
        let report = self.report();
        if let Some(path) = &self.shared.options.report {
            let json = serde_json::to_string_pretty(&report).unwrap_or_default();
            std::fs::write(path, json).map_err(|e| ProxyError::Report(path.clone(), e))?;
        }
        Ok(report)
    }
}
