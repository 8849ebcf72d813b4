//! The HTTP server: accepts connections and hands each request to the edge.
//!
//! `serve` is what `main` calls and what the tests call on port 0. HTTP/1.1
//! with keep-alive; the request head must arrive within
//! `header_timeout_ms` and hyper's buffer caps the head's size. At most
//! `max_connections` connections are served at once (and never more than
//! the file-descriptor limit allows); failed accepts back off instead of
//! spinning. Outside the sandbox `/metrics` is served on the admin
//! listener only. On `shutdown` it stops accepting and lets in-flight
//! requests finish.
//!
//! What a listener answers is its [`Front`]: the edge's [`edge::Public`]
//! and [`edge::Admin`] in production; in the sandbox the public front is
//! the sandbox layer's, wrapped around the edge (`crate::sandbox`). The
//! accept loop is generic over it, so a production request pays for no
//! layer it does not have.
//!
//! With `server.tls_cert_file` and `server.tls_key_file` the public
//! listener speaks HTTPS (HTTP/1.1 over rustls; `crate::tls::ServerTls`):
//! each connection's handshake runs in its own task, within
//! `header_timeout_ms`, and takes the certificate in use at that moment
//! (SIGHUP swaps it). The admin listener stays plain HTTP.

pub(crate) mod edge;
mod framing;
pub(crate) mod gate;
pub(crate) mod response;
pub(crate) mod routes;
mod takeover;

pub(crate) use takeover::Takeover;

use crate::app::App;
use crate::tls::ServerTls;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use response::Body;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Largest request head (request line and headers) accepted.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// File descriptors kept free for the store, the SMS gateway and logs.
const SPARE_FDS: u64 = 128;

/// The address a connection comes from, put in each of its requests'
/// extensions by the accept loop.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peer(pub std::net::SocketAddr);

/// What a listener answers. Never fails: every failure is a response.
pub(crate) trait Front: Send + Sync + 'static {
    fn answer(&self, req: Request<Incoming>) -> impl Future<Output = Response<Body>> + Send;

    /// Whether its responses may carry a [`Takeover`] (the sandbox's
    /// faults); a front that never does pays nothing for it.
    const TAKES_OVER: bool = false;

    /// The server is shutting down: end what never ends on its own (the
    /// sandbox's event streams).
    fn closing(&self) {}
}

/// Serves `front` on `listener` (over TLS with `tls`) and `admin` on the
/// admin listener (when given) until `shutdown` completes; then stops
/// accepting and gives in-flight requests `shutdown_grace_ms` to finish.
pub(crate) async fn serve<P: Front, A: Front>(
    app: App,
    listener: TcpListener,
    front: P,
    admin: Option<(TcpListener, A)>,
    tls: Option<Arc<ServerTls>>,
    shutdown: impl Future<Output = ()>,
) {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let admin = admin.map(|(listener, front)| {
        let (app, stopped) = (app.clone(), stopped.clone());
        tokio::spawn(accept_loop(
            app,
            listener,
            Arc::new(front),
            None,
            wait_for(stopped),
        ))
    });
    let public = accept_loop(app, listener, Arc::new(front), tls, async {
        shutdown.await;
        let _ = stop.send(true);
    });
    public.await;
    if let Some(admin) = admin {
        let _ = admin.await;
    }
}

async fn wait_for(mut stopped: tokio::sync::watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// Connections served at once: `server.max_connections`, and never so many
/// that the process runs out of file descriptors.
fn connection_cap(app: &App) -> usize {
    let configured = app.config().server.max_connections.max(1);
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own and reads nothing else.
    let known = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    if !known || limit.rlim_cur == libc::RLIM_INFINITY {
        return configured;
    }
    let fds = limit.rlim_cur.saturating_sub(SPARE_FDS).max(16);
    configured.min(usize::try_from(fds).unwrap_or(usize::MAX))
}

async fn accept_loop<F: Front>(
    app: App,
    listener: TcpListener,
    front: Arc<F>,
    tls: Option<Arc<ServerTls>>,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(app.config().server.header_timeout_ms))
        .max_buf_size(MAX_HEAD_BYTES.max(8 * 1024));
    let slots = Arc::new(Semaphore::new(connection_cap(&app)));
    let mut backoff = AcceptBackoff::default();
    loop {
        let accepted = tokio::select! {
            accepted = accept(&listener, &slots) => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer, slot) = match accepted {
            Ok(accepted) => {
                backoff.reset();
                accepted
            }
            Err(e) => {
                tokio::time::sleep(backoff.failed(&e)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let front = front.clone();
        let cell = F::TAKES_OVER.then(takeover::Cell::default);
        let wire = takeover::Wire::new(stream, cell.clone());
        let service = service_fn(move |mut req: Request<Incoming>| {
            let (front, cell) = (front.clone(), cell.clone());
            req.extensions_mut().insert(Peer(peer));
            async move {
                let mut response = front.answer(req).await;
                if let Some(cell) = cell {
                    if let Some(t) = response.extensions_mut().remove::<Takeover>() {
                        takeover::hand_over(&cell, t);
                        return Err(takeover::TakenOver);
                    }
                }
                Ok(response)
            }
        });
        if let Some(tls) = &tls {
            let handshake = Duration::from_millis(app.config().server.header_timeout_ms);
            let (acceptor, http, watcher) = (tls.acceptor(), http.clone(), graceful.watcher());
            tokio::spawn(async move {
                match tokio::time::timeout(handshake, acceptor.accept(wire)).await {
                    Ok(Ok(stream)) => {
                        let io = TokioIo::new(framing::EnvelopeIo::new(stream));
                        let connection = watcher.watch(http.serve_connection(io, service));
                        if let Err(e) = connection.await {
                            tracing::debug!(error = %e, "connection closed with an error");
                        }
                    }
                    Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                    Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                }
                drop(slot);
            });
            continue;
        }
        let io = TokioIo::new(framing::EnvelopeIo::new(wire));
        let connection = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection closed with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    front.closing();
    finish(&app, graceful).await;
}

/// A free connection slot, then a connection: past the cap, connections
/// wait in the listen backlog instead of costing a file descriptor each.
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> std::io::Result<(
    tokio::net::TcpStream,
    std::net::SocketAddr,
    OwnedSemaphorePermit,
)> {
    // The semaphore is never closed, so acquiring cannot fail.
    let slot = slots
        .clone()
        .acquire_owned()
        .await
        .map_err(std::io::Error::other)?;
    let (stream, peer) = listener.accept().await?;
    Ok((stream, peer, slot))
}

/// Backing off after failed accepts (out of file descriptors, mostly):
/// 5 ms doubling to 1 s, and one warning a second at most, not one per try.
#[derive(Debug, Default)]
struct AcceptBackoff {
    failures: u32,
    last_warning: Option<std::time::Instant>,
}

impl AcceptBackoff {
    fn failed(&mut self, error: &std::io::Error) -> Duration {
        self.failures += 1;
        let due = self
            .last_warning
            .is_none_or(|at| at.elapsed() >= Duration::from_secs(1));
        if due {
            tracing::warn!(%error, failures = self.failures, "accept failed; backing off");
            self.last_warning = Some(std::time::Instant::now());
        }
        Duration::from_millis(5 << self.failures.min(9).saturating_sub(1))
            .min(Duration::from_secs(1))
    }

    fn reset(&mut self) {
        self.failures = 0;
    }
}

/// Lets in-flight requests finish within `shutdown_grace_ms`.
async fn finish(app: &App, graceful: GracefulShutdown) {
    let grace = Duration::from_millis(app.config().server.shutdown_grace_ms);
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            grace_ms = grace.as_millis() as u64,
            "shutdown grace period over; closing the remaining connections"
        );
    } else {
        tracing::info!("all connections closed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_accepts_back_off_to_a_second() {
        let mut backoff = AcceptBackoff::default();
        let error = std::io::Error::other("too many open files");
        let waits: Vec<_> = (0..10)
            .map(|_| backoff.failed(&error).as_millis())
            .collect();
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 320, 640, 1000, 1000]);
        backoff.reset();
        assert_eq!(backoff.failed(&error), Duration::from_millis(5));
    }
}
