//! What the sandbox console (`GET /sandbox`) shows live: the recent
//! requests of this instance and a stream of events, in the spirit of
//! Mailpit's web inbox for e-mail.
//!
//! [`Console`] is the sandbox's (it does not exist outside the sandbox)
//! and knows nothing of HTTP; [`super::events`] serves it as
//! `GET /sandbox/v1/requests` and `GET /sandbox/v1/events` (server-sent
//! events).
//!
//! # Events
//!
//! - [`ConsoleEvent::Sms`]: a message reached the outbox, from **any**
//!   instance sharing the store. One poller per app reads the store's
//!   newest messages every [`POLL_EVERY`] and announces the ones it had not
//!   seen; it runs only while a stream is open, is shared by all of them,
//!   and stops when the last one closes or the app is dropped. Polling the
//!   store, rather than hooking this instance's gateway, is what makes an
//!   SMS sent by another instance appear.
//! - [`ConsoleEvent::Request`]: this instance answered a request (what
//!   [`Console::record`] keeps; only this instance's, like its log).
//! - [`ConsoleEvent::Reset`] and [`ConsoleEvent::Clock`]: announced by the
//!   sandbox endpoints that change them, through [`Console::publish`]:
//!
//!   ```ignore
//!   sandbox.console().publish(ConsoleEvent::Reset);
//!   sandbox.console().publish(ConsoleEvent::Clock { now, offset_seconds });
//!   ```
//!
//! A stream that falls behind (more than [`BACKLOG`] events unread) is
//! ended rather than silently skipping events: the page reconnects and
//! reloads the lists, so a missed event is never lost for long.
//!
//! Times are the sandbox's (its clock, offset included), RFC 3339 UTC with
//! milliseconds. Phones are masked here as in the log; only the
//! outbox's own messages carry the recipient, as `GET /sandbox/v1/sms` does.

use super::journal::Body;
use super::outbox::Outbox;
use super::state::OutboxMessage;
use crate::clock::{rfc3339, Millis};
use bytes::Bytes;
use serde::Serialize;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;
use tokio::sync::{broadcast, watch, OwnedSemaphorePermit, Semaphore};

/// How many recent requests are kept (and listed).
pub(crate) const RECENT_REQUESTS: usize = 100;
/// How often the poller reads the outbox while a stream is open.
pub(crate) const POLL_EVERY: Duration = Duration::from_millis(250);
/// How many of the newest messages each poll reads: a burst of more SMS
/// than this between two polls is announced only in part (the page's
/// reload on reconnect lists them all).
pub(crate) const POLL_WINDOW: usize = 100;
/// Events a stream may leave unread before it is ended.
pub(crate) const BACKLOG: usize = 256;
/// Longest a new stream waits for the poller's first look at the outbox.
const FIRST_POLL_WAIT: Duration = Duration::from_secs(2);
/// Longest `path` or `uuid` kept for a recent request.
const MAX_FIELD_CHARS: usize = 200;

/// How many event streams may be open at once, and for how long each.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub streams: usize,
    pub lifetime: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            streams: 32,
            lifetime: Duration::from_secs(900),
        }
    }
}

/// Something the console's pages should know at once.
#[derive(Debug, Clone)]
pub(crate) enum ConsoleEvent {
    /// A message reached the outbox (from any instance).
    Sms(OutboxMessage),
    /// This instance answered a request.
    Request(Arc<RecentRequest>),
    /// The sandbox was reset (all of it, or one phone's state).
    Reset,
    /// The sandbox clock moved: `now` is the sandbox's time after the move.
    Clock { now: Millis, offset_seconds: u64 },
}

/// An event as every stream receives it: encoded for the wire (one SSE
/// record) by the first stream that sends it, then shared, so that a
/// request costs one encoding however many streams are open.
#[derive(Debug)]
pub(crate) struct Announced {
    event: ConsoleEvent,
    wire: OnceLock<Bytes>,
}

impl Announced {
    /// The event as one SSE record (`event:`, then its data on one line).
    pub(crate) fn sse(&self) -> Bytes {
        self.wire.get_or_init(|| sse(&self.event)).clone()
    }
}

impl std::ops::Deref for Announced {
    type Target = ConsoleEvent;

    fn deref(&self) -> &ConsoleEvent {
        &self.event
    }
}

/// `event` in the SSE wire format (its data is one line of JSON).
pub(crate) fn sse(event: &ConsoleEvent) -> Bytes {
    Bytes::from(format!(
        "event: {}\ndata: {}\n\n",
        event.name(),
        event.data()
    ))
}

impl ConsoleEvent {
    /// The event's name in the stream (`event:` of server-sent events).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Self::Sms(_) => "sms",
            Self::Request(_) => "request",
            Self::Reset => "reset",
            Self::Clock { .. } => "clock",
        }
    }

    /// The event's data, one line of JSON.
    pub(crate) fn data(&self) -> String {
        let value = match self {
            Self::Sms(message) => serde_json::to_value(message),
            Self::Request(request) => serde_json::to_value(&**request),
            Self::Reset => Ok(serde_json::json!({})),
            Self::Clock {
                now,
                offset_seconds,
            } => Ok(serde_json::json!({"now": rfc3339(*now), "offsetSeconds": offset_seconds})),
        };
        // Our own plain structs always serialize.
        value.map(|v| v.to_string()).unwrap_or_default()
    }
}

/// A request as the console lists it (`GET /sandbox/v1/requests`).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RecentRequest {
    /// When it was answered, sandbox time (RFC 3339 when shown, formatted
    /// only then: most recorded requests are never shown).
    #[serde(serialize_with = "as_rfc3339")]
    pub at: Millis,
    pub method: String,
    pub path: String,
    /// The spec's `operationId`, when the path is an operation's.
    pub operation: Option<&'static str>,
    pub status: u16,
    /// The error code of the answer (`code` of an `ErrorResponse`).
    pub code: Option<String>,
    pub latency_ms: f64,
    /// Masked to its last 4 digits.
    pub phone: Option<String>,
    pub uuid: Option<String>,
    /// The `client_id` header, when it names a client of this sandbox.
    pub client_id: Option<String>,
    /// The request's body, masked when shown ([`super::journal`]); OTP
    /// operations only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<Body>,
    /// The answer's body, masked likewise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<Body>,
}

/// What the edge knows of a request it answered, borrowed: nothing is
/// copied unless the console keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Answered<'a> {
    pub at: Millis,
    pub method: &'a str,
    pub path: &'a str,
    /// `-` when the path is no operation's.
    pub operation: &'static str,
    pub status: u16,
    pub code: Option<&'a str>,
    pub latency: Duration,
    /// Already masked.
    pub phone: Option<&'a str>,
    pub uuid: Option<&'a str>,
    pub client_id: Option<&'a str>,
    /// The bodies, masked when shown.
    pub request: Option<Body>,
    pub response: Option<Body>,
}

/// Whether `path` is the console's own traffic, or a probe or a scrape,
/// rather than something an app under test asked: those are not listed.
pub(crate) fn is_console_traffic(path: &str) -> bool {
    path == "/"
        || path == "/metrics"
        || path == "/favicon.ico"
        || ["/sandbox", "/docs", "/specs/", "/health/"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
}

/// The console of one app. Cheap to share: the app holds one.
pub(crate) struct Console {
    shared: Arc<Shared>,
}

struct Shared {
    /// The streams that may be open at once.
    slots: Arc<Semaphore>,
    /// How long one stream may last.
    lifetime: Duration,
    /// Newest first. A std `Mutex`: held for a push or a copy, never across
    /// an `.await`.
    recent: Mutex<VecDeque<Arc<RecentRequest>>>,
    events: broadcast::Sender<Arc<Announced>>,
    /// Flips to true once, when the server shuts down: every stream ends.
    closing: watch::Sender<bool>,
    /// The outbox the poller reads (none when SMS go elsewhere).
    outbox: Option<Arc<Outbox>>,
    /// Whether a poller runs; read and written under this lock only, with
    /// the subscriber count, so that a poller never stops while a new
    /// stream counts on it.
    polling: Mutex<bool>,
    /// Whether the running poller has had its first look at the outbox.
    looked: watch::Sender<bool>,
}

impl Console {
    /// The console of a sandbox whose SMS go to `outbox`.
    pub(crate) fn new(outbox: Option<Arc<Outbox>>, limits: Limits) -> Self {
        let (events, _) = broadcast::channel(BACKLOG);
        let (closing, _) = watch::channel(false);
        let (looked, _) = watch::channel(false);
        Self {
            shared: Arc::new(Shared {
                slots: Arc::new(Semaphore::new(limits.streams)),
                lifetime: limits.lifetime,
                recent: Mutex::new(VecDeque::with_capacity(RECENT_REQUESTS)),
                events,
                closing,
                outbox,
                polling: Mutex::new(false),
                looked,
            }),
        }
    }

    /// Keeps a request the edge answered (unless it is the console's own
    /// traffic) and announces it.
    pub(crate) fn record(&self, answered: Answered<'_>) {
        if is_console_traffic(answered.path) {
            return;
        }
        let request = Arc::new(RecentRequest::from(answered));
        {
            let mut recent = lock(&self.shared.recent);
            if recent.len() == RECENT_REQUESTS {
                recent.pop_back();
            }
            recent.push_front(request.clone());
        }
        self.publish(ConsoleEvent::Request(request));
    }

    /// The recent requests (of `client`, when given), newest first.
    pub(crate) fn recent(&self, client: Option<&str>) -> Vec<Arc<RecentRequest>> {
        let recent = lock(&self.shared.recent);
        let wanted =
            |r: &&Arc<RecentRequest>| client.is_none_or(|c| r.client_id.as_deref() == Some(c));
        recent.iter().filter(wanted).cloned().collect()
    }

    /// Announces `event` to every open stream (none open: nothing happens).
    pub(crate) fn publish(&self, event: ConsoleEvent) {
        self.shared.announce(event);
    }

    /// A new stream of events, or `None` when [`Limits::streams`] are open
    /// already. Starts the outbox poller if none runs, and waits for its
    /// first look: every SMS that reaches the outbox after this returns is
    /// announced, and what came before, a page loads with
    /// `GET /sandbox/v1/sms` once its stream is open.
    pub(crate) async fn subscribe(&self) -> Option<Subscription> {
        let slot = self.shared.slots.clone().try_acquire_owned().ok()?;
        let subscription = Subscription {
            events: self.shared.events.subscribe(),
            closing: self.shared.closing.subscribe(),
            _slot: slot,
        };
        if self.shared.start_poller() {
            let mut looked = self.shared.looked.subscribe();
            let first_look = looked.wait_for(|looked| *looked);
            let _ = tokio::time::timeout(FIRST_POLL_WAIT, first_look).await;
        }
        Some(subscription)
    }

    /// How long a stream may last.
    pub(crate) fn lifetime(&self) -> Duration {
        self.shared.lifetime
    }

    /// Ends every stream, now and to come: the server is shutting down.
    pub(crate) fn close(&self) {
        self.shared.closing.send_replace(true);
    }

    /// Whether the outbox poller runs (for tests).
    #[cfg(test)]
    pub(crate) fn is_polling(&self) -> bool {
        *lock(&self.shared.polling)
    }
}

/// One open stream's view of the events.
pub(crate) struct Subscription {
    events: broadcast::Receiver<Arc<Announced>>,
    closing: watch::Receiver<bool>,
    /// One of the streams allowed at once, given back when the stream ends.
    _slot: OwnedSemaphorePermit,
}

impl Subscription {
    /// The next event; `None` when the stream should end: the server is
    /// shutting down, the app is gone, or this stream fell behind.
    pub(crate) async fn next(&mut self) -> Option<Arc<Announced>> {
        tokio::select! {
            biased;
            _ = self.closing.wait_for(|closing| *closing) => None,
            event = self.events.recv() => event.ok(),
        }
    }
}

impl Shared {
    /// Sends `event` to every open stream, once: each stream reads the
    /// same [`Announced`] and its one encoding.
    fn announce(&self, event: ConsoleEvent) {
        if self.events.receiver_count() > 0 {
            let _ = self.events.send(Arc::new(Announced {
                event,
                wire: OnceLock::new(),
            }));
        }
    }

    /// Starts the poller unless it runs; false when there is nothing to poll.
    fn start_poller(self: &Arc<Self>) -> bool {
        let Some(outbox) = self.outbox.clone() else {
            return false;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return false;
        };
        let mut polling = lock(&self.polling);
        if !*polling {
            *polling = true;
            self.looked.send_replace(false);
            runtime.spawn(poll_outbox(Arc::downgrade(self), outbox));
        }
        true
    }

    /// Whether the poller should go on; when not, it is marked stopped in
    /// the same step.
    fn keep_polling(&self) -> bool {
        let mut polling = lock(&self.polling);
        if self.events.receiver_count() == 0 || *self.closing.borrow() {
            *polling = false;
        }
        *polling
    }

    /// Announces the messages of `newest` not in `seen` (oldest first);
    /// returns what is seen now. The first poll (`seen` is `None`) only
    /// looks: what was there before a stream opened, the page loads itself.
    fn announce_new(
        &self,
        seen: Option<HashSet<String>>,
        newest: Vec<OutboxMessage>,
    ) -> HashSet<String> {
        let now_seen = newest.iter().map(message_key).collect();
        if let Some(seen) = seen {
            for message in newest.into_iter().rev() {
                if !seen.contains(&message_key(&message)) {
                    self.announce(ConsoleEvent::Sms(message));
                }
            }
        }
        now_seen
    }
}

/// Reads the outbox every [`POLL_EVERY`] while anyone listens and the app lives.
async fn poll_outbox(shared: Weak<Shared>, outbox: Arc<Outbox>) {
    let mut tick = tokio::time::interval(POLL_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut seen = None;
    loop {
        tick.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        if !shared.keep_polling() {
            return;
        }
        // Not `since` the newest seen: a reset moves the sandbox clock back.
        match outbox.list(None, None, POLL_WINDOW).await {
            Ok(newest) => seen = Some(shared.announce_new(seen, newest)),
            Err(e) => tracing::warn!(cause = %e, "console: cannot read the outbox"),
        }
        // (After a failed first look, the next good one is the baseline.)
        shared
            .looked
            .send_if_modified(|looked| !std::mem::replace(looked, true));
    }
}

/// What tells two messages apart (the same phone, time and code is the same SMS).
fn message_key(message: &OutboxMessage) -> String {
    format!("{}|{}|{}", message.to, message.sent_at, message.otp)
}

impl From<Answered<'_>> for RecentRequest {
    fn from(a: Answered<'_>) -> Self {
        Self {
            at: a.at,
            method: a.method.to_owned(),
            path: clip(a.path),
            operation: (a.operation != "-").then_some(a.operation),
            status: a.status,
            code: a.code.map(str::to_owned),
            latency_ms: (a.latency.as_secs_f64() * 1e6).round() / 1e3,
            phone: a.phone.map(str::to_owned),
            uuid: a.uuid.map(clip),
            client_id: a.client_id.map(clip),
            request: a.request,
            response: a.response,
        }
    }
}

fn as_rfc3339<S: serde::Serializer>(at: &Millis, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&rfc3339(*at))
}

/// `text` cut to [`MAX_FIELD_CHARS`] characters.
fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_FIELD_CHARS) {
        Some((end, _)) => text[..end].to_owned(),
        None => text.to_owned(),
    }
}

/// Locks `mutex`, even if a panicking holder poisoned it: the data (a
/// list, a flag) is always in a usable state.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::sandbox::current::Current;
    use crate::sandbox::state::MemoryState;
    use crate::sms::{Sms, SmsGateway};

    fn answered(path: &str) -> Answered<'_> {
        Answered {
            at: 1_764_072_000_000,
            method: "POST",
            path,
            operation: "-",
            status: 404,
            code: Some("resourceNotFound"),
            latency: Duration::from_micros(1234),
            phone: Some("******5678"),
            uuid: None,
            client_id: None,
            request: None,
            response: None,
        }
    }

    fn outbox() -> Arc<Outbox> {
        let current = Arc::new(Current::new(Arc::new(MemoryState::default())));
        Arc::new(Outbox::new(current, 100, Arc::new(SystemClock)))
    }

    async fn send(outbox: &Outbox, to: &str) {
        let sms = Sms {
            to: to.into(),
            text: "code 123456".into(),
            otp: "123456".into(),
        };
        outbox.send(&sms).await.unwrap();
    }

    #[tokio::test]
    async fn keeps_the_newest_requests_but_not_its_own_traffic() {
        let console = Console::new(None, Limits::default());
        for i in 0..RECENT_REQUESTS + 5 {
            console.record(answered(&format!("/api/x/{i}")));
        }
        console.record(answered("/sandbox/v1/sms"));
        console.record(answered("/docs/assets/docs.js"));
        let recent = console.recent(None);
        assert_eq!(recent.len(), RECENT_REQUESTS);
        assert_eq!(recent[0].path, format!("/api/x/{}", RECENT_REQUESTS + 4));
        assert_eq!(recent[0].latency_ms, 1.234);
        assert_eq!(rfc3339(recent[0].at), "2025-11-25T12:00:00.000Z");
        assert_eq!(recent[0].operation, None);
    }

    #[tokio::test]
    async fn publishes_reset_and_clock_in_the_streams_words() {
        let console = Console::new(None, Limits::default());
        let mut events = console.subscribe().await.unwrap();
        console.publish(ConsoleEvent::Reset);
        console.publish(ConsoleEvent::Clock {
            now: 1_764_072_000_000,
            offset_seconds: 120,
        });
        let reset = events.next().await.unwrap();
        assert_eq!((reset.name(), reset.data().as_str()), ("reset", "{}"));
        let clock = events.next().await.unwrap();
        assert_eq!(clock.name(), "clock");
        assert_eq!(
            clock.data(),
            r#"{"now":"2025-11-25T12:00:00.000Z","offsetSeconds":120}"#
        );
    }

    #[tokio::test(start_paused = true)]
    async fn announces_new_sms_while_listened_to_and_stops_after() {
        let outbox = outbox();
        send(&outbox, "5500000001").await; // before: not announced
        let console = Console::new(Some(outbox.clone()), Limits::default());
        let mut events = console.subscribe().await.unwrap();
        assert!(console.is_polling());
        send(&outbox, "5500000002").await;
        send(&outbox, "5500000003").await;
        for to in ["5500000002", "5500000003"] {
            match events.next().await.as_deref().map(|e| &**e) {
                Some(ConsoleEvent::Sms(message)) => assert_eq!(message.to, to),
                other => panic!("expected an SMS to {to}, got {other:?}"),
            }
        }
        drop(events);
        tokio::time::sleep(POLL_EVERY * 2).await;
        assert!(!console.is_polling(), "nobody listens: the poller stopped");
        let _again = console.subscribe().await.unwrap();
        assert!(console.is_polling(), "a new stream starts it again");
    }

    #[tokio::test(start_paused = true)]
    async fn the_poller_stops_when_the_console_is_dropped() {
        let console = Console::new(Some(outbox()), Limits::default());
        let shared = Arc::downgrade(&console.shared);
        let mut events = console.subscribe().await.unwrap();
        drop(console);
        tokio::time::sleep(POLL_EVERY * 2).await;
        assert!(
            shared.upgrade().is_none(),
            "nothing keeps the console alive"
        );
        assert!(events.next().await.is_none(), "the stream ends");
    }
}
