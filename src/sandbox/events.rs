//! The console's live API, sandbox only: `GET /sandbox/v1/requests` (the
//! recent requests of this instance, newest first) and
//! `GET /sandbox/v1/events` (server-sent events: `sms`, `request`, `reset`,
//! `clock`, and a `: keep-alive` comment every [`KEEP_ALIVE`] so that
//! proxies keep the connection open). What they serve is
//! [`crate::console::Console`]'s.
//!
//! Each stream is a task that turns the console's events into SSE text and
//! hands it, through a small channel, to the response body: when the client
//! goes away the body is dropped, the task ends, and with the last stream
//! the console's outbox poller stops.

use super::console::{Console, RecentRequest, Subscription};
use crate::app::App;
use crate::error::{code, ApiError};
use crate::server::response::{self, Body};
use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Frame;
use hyper::header::{
    HeaderValue, CACHE_CONTROL, CONNECTION, CONTENT_TYPE, RETRY_AFTER, X_CONTENT_TYPE_OPTIONS,
};
use hyper::Response;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::mpsc;

/// How often an idle stream sends a `: keep-alive` comment.
pub(crate) const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// SSE chunks a stream buffers for a slow client before its task waits.
const CHUNKS_BUFFERED: usize = 32;
/// `GET /sandbox/v1/requests[?client_id=ID]`: `{"requests": [...]}`,
/// newest first (WireMock's request journal, bodies masked).
pub(crate) fn requests(console: &Console, query: Option<&str>) -> Response<Body> {
    let client = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "client_id")
        .map(|(_, v)| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        });
    let recent = console.recent(client.as_deref());
    let recent: Vec<&RecentRequest> = recent.iter().map(|r| &**r).collect();
    response::json(200, &serde_json::json!({ "requests": recent }))
}

/// `GET /sandbox/v1/events`: a `text/event-stream` that lasts until the
/// client leaves, the stream's lifetime ends (the page reconnects) or the
/// server shuts down; `429` when the console's streams are all open.
pub(crate) async fn events(app: &App, console: &Console, uuid: Option<&str>) -> Response<Body> {
    let Some(subscription) = console.subscribe().await else {
        let error = ApiError::new(code::TOO_MANY_REQUESTS, "path").with_details(
            "The sandbox's console has all the event streams it serves open: close one, or retry later",
        );
        let mut refused = response::error(app, None, &error, uuid);
        let headers = refused.headers_mut();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("5"));
        // A refused stream holds no connection open: whoever opens streams
        // by the thousand is left with none.
        headers.insert(CONNECTION, HeaderValue::from_static("close"));
        return refused;
    };
    let (chunks, body) = mpsc::channel(CHUNKS_BUFFERED);
    tokio::spawn(stream(subscription, console.lifetime(), chunks));
    let mut response = Response::new(EventStream(body).boxed());
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Asks a buffering reverse proxy (nginx) to pass each event at once.
    headers.insert("X-Accel-Buffering", HeaderValue::from_static("no"));
    response
}

/// Writes `subscription`'s events as SSE into `chunks` until either side
/// ends or `lifetime` is over. A client that does not keep up (its
/// `CHUNKS_BUFFERED` chunks unread) is dropped, not buffered for.
async fn stream(mut subscription: Subscription, lifetime: Duration, chunks: mpsc::Sender<Bytes>) {
    // At once, so that the browser sees the stream open; `retry` is how long
    // it waits before reconnecting when the stream ends.
    let hello = Bytes::from_static(b"retry: 1000\n: connected\n\n");
    if chunks.send(hello).await.is_err() {
        return;
    }
    let start = tokio::time::Instant::now() + KEEP_ALIVE;
    let mut keep_alive = tokio::time::interval_at(start, KEEP_ALIVE);
    let over = tokio::time::sleep(lifetime);
    tokio::pin!(over);
    loop {
        let chunk = tokio::select! {
            event = subscription.next() => match event {
                Some(event) => event.sse(),
                None => return,
            },
            _ = keep_alive.tick() => Bytes::from_static(b": keep-alive\n\n"),
            () = chunks.closed() => return,
            () = &mut over => return,
        };
        if chunks.try_send(chunk).is_err() {
            return;
        }
    }
}

/// The body of an event stream: whatever its task sends, until it stops.
struct EventStream(mpsc::Receiver<Bytes>);

impl hyper::body::Body for EventStream {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.get_mut()
            .0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|bytes| Ok(Frame::data(bytes))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::console::ConsoleEvent;

    #[test]
    fn an_event_is_one_sse_record() {
        let chunk = crate::sandbox::console::sse(&ConsoleEvent::Reset);
        assert_eq!(&chunk[..], b"event: reset\ndata: {}\n\n");
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_stream_sends_keep_alives_and_ends_with_the_console() {
        let console = Console::new(None, crate::sandbox::console::Limits::default());
        let (chunks, mut body) = mpsc::channel(CHUNKS_BUFFERED);
        let task = tokio::spawn(stream(
            console.subscribe().await.unwrap(),
            Duration::from_secs(3600),
            chunks,
        ));
        assert_eq!(
            &body.recv().await.unwrap()[..],
            b"retry: 1000\n: connected\n\n"
        );
        tokio::time::sleep(KEEP_ALIVE).await;
        assert_eq!(&body.recv().await.unwrap()[..], b": keep-alive\n\n");
        console.publish(ConsoleEvent::Reset);
        assert_eq!(
            &body.recv().await.unwrap()[..],
            b"event: reset\ndata: {}\n\n"
        );
        console.close();
        assert!(body.recv().await.is_none(), "the body ends");
        task.await.unwrap();
    }
}
