//! The HTTP server: accepts connections and hands each request to the edge.
//!
//! `serve` is what `main` calls and what the tests call on port 0. HTTP/1.1
//! with keep-alive; the request head must arrive within
//! `header_timeout_ms` and hyper's buffer caps the head's size. On
//! `shutdown` it stops accepting and lets in-flight requests finish.

mod console;
mod edge;
mod framing;
mod gate;
mod pages;
mod response;
mod sandbox;

pub use edge::handle;

use crate::app::App;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;

/// Largest request head (request line and headers) accepted.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// Serves `app` on `listener` until `shutdown` completes; then stops
/// accepting and gives in-flight requests `shutdown_grace_ms` to finish.
pub async fn serve(listener: TcpListener, app: App, shutdown: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(app.config().server.header_timeout_ms))
        .max_buf_size(MAX_HEAD_BYTES.max(8 * 1024));
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = service_fn(move |req| {
            let app = app.clone();
            async move { Ok::<_, std::convert::Infallible>(handle(&app, req).await) }
        });
        let io = TokioIo::new(framing::EnvelopeIo::new(stream));
        let connection = graceful.watch(http.serve_connection(io, service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection closed with an error");
            }
        });
    }
    drop(listener);
    // Server-sent event streams never end on their own: end them.
    app.console().close();
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
