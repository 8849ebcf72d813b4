//! What operators see: the per-request log line and the Prometheus metrics.
//!
//! Each request runs inside a task-local [`RequestNote`] that the layers
//! below the edge fill in — the flows with the masked phone, whoever
//! renders an error answer with its code — so that the edge writes one log
//! line per request without passing them around or reading the answer
//! back.
//!
//! [`Metrics`] is owned by the app (one Prometheus recorder per app, not a
//! process-wide one), so two servers in one process — the test suite —
//! count apart, and `/metrics` shows exactly what its own server did. The
//! domain records its events (OTPs generated, validated, rejected,
//! throttled; SMS sent; store calls) through it in its own words.

use metrics::{Counter, Histogram, Key, Label, Level, Metadata, Recorder, SharedString, Unit};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// What a request's deeper layers tell the request log line.
#[derive(Debug, Default, Clone)]
pub(crate) struct RequestNote {
    /// The phone the request is about, masked (`*********5678`).
    pub phone: Option<String>,
    /// The error code of the answer (`code` of an `ErrorResponse`, `error`
    /// of an RFC 6749 refusal), when it is an error.
    pub code: Option<String>,
}

tokio::task_local! {
    static NOTE: RefCell<RequestNote>;
}

/// Runs `future` with a fresh note; returns its output and the note.
pub(crate) async fn with_note<F: Future>(future: F) -> (F::Output, RequestNote) {
    NOTE.scope(RefCell::new(RequestNote::default()), async {
        let output = future.await;
        let note = NOTE.with(|n| n.borrow().clone());
        (output, note)
    })
    .await
}

/// Notes the request's phone, masked (only its last 4 digits are kept).
pub(crate) fn note_phone(phone: &str) {
    let _ = NOTE.try_with(|n| n.borrow_mut().phone = Some(crate::phone::mask(phone)));
}

/// Notes the error code the request is answered with.
pub(crate) fn note_code(code: &str) {
    let _ = NOTE.try_with(|n| n.borrow_mut().code = Some(code.to_owned()));
}

/// Why a validation was refused, as the metrics label it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejection {
    Invalid,
    /// The last attempt: the challenge is burnt.
    Burnt,
    Expired,
    NotFound,
    /// The phone reached its hourly failure limit.
    Locked,
}

impl Rejection {
    fn label(self) -> &'static str {
        match self {
            Self::Invalid => "invalid",
            Self::Burnt => "burnt",
            Self::Expired => "expired",
            Self::NotFound => "not_found",
            Self::Locked => "locked",
        }
    }
}

/// Metric handles registered once and reused: a request touches a few of
/// them, so it costs a map read rather than a key built, hashed and looked
/// up in the recorder's registry each time. Hashed with foldhash: the keys
/// are the server's own label strings and statuses, chosen by no client,
/// so they need no flood-resistant hash (SipHash cost a few hundred
/// instructions a request, a byte-wise FNV half that).
struct Handles<K, H>(RwLock<HashMap<K, H, foldhash::fast::RandomState>>);

/// A handle's key part: one of the server's own `'static` label strings,
/// known by its address and length, not its text (hashing and comparing
/// the text cost more than the counter it finds). The same text at two
/// addresses is two keys for one handle: the recorder gives both the
/// same counter.
#[derive(Clone, Copy)]
struct Named(&'static str);

impl PartialEq for Named {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.0, other.0)
    }
}

impl Eq for Named {}

impl Hash for Named {
    fn hash<S: Hasher>(&self, state: &mut S) {
        state.write_usize(self.0.as_ptr() as usize ^ self.0.len());
    }
}

impl<K: Eq + Hash + Copy, H: Clone> Handles<K, H> {
    fn new() -> Self {
        Self(RwLock::new(HashMap::default()))
    }

    fn get(&self, key: K, make: impl FnOnce() -> H) -> H {
        let known = self
            .0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned();
        known.unwrap_or_else(|| {
            let handle = make();
            let mut all = self.0.write().unwrap_or_else(|e| e.into_inner());
            all.entry(key).or_insert(handle).clone()
        })
    }
}

/// Where the metrics come from, for the recorder.
static METADATA: Metadata<'static> =
    Metadata::new("otp_server", Level::INFO, Some("otp_server::observe"));

/// One app's metrics: a Prometheus recorder and what renders it.
#[derive(Clone)]
pub(crate) struct Metrics(Arc<Inner>);

struct Inner {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    requests: Handles<(Named, u16), (Counter, Histogram)>,
    store_calls: Handles<Named, (Histogram, Counter)>,
    events: Handles<(Named, Named, Named), Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh recorder with every metric described. Its histograms are
    /// kept up to date by a task that stops when the last clone is dropped.
    pub(crate) fn new() -> Self {
        let buckets = [
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        ];
        let builder = PrometheusBuilder::new();
        // Buckets are a fixed, non-empty list: the builder cannot refuse them.
        let builder = builder
            .set_buckets_for_metric(Matcher::Suffix("seconds".into()), &buckets)
            .expect("non-empty buckets");
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        let metrics = Self(Arc::new(Inner {
            recorder,
            handle,
            requests: Handles::new(),
            store_calls: Handles::new(),
            events: Handles::new(),
        }));
        metrics.describe();
        metrics.spawn_upkeep();
        metrics
    }

    /// The Prometheus text exposition.
    pub(crate) fn render(&self) -> String {
        self.0.handle.render()
    }

    fn spawn_upkeep(&self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let inner = Arc::downgrade(&self.0);
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(5)).await;
                let Some(inner) = inner.upgrade() else { return };
                inner.handle.run_upkeep();
            }
        });
    }

    fn counter(&self, name: &'static str, labels: Vec<Label>) -> Counter {
        self.0
            .recorder
            .register_counter(&Key::from_parts(name, labels), &METADATA)
    }

    fn histogram(&self, name: &'static str, labels: Vec<Label>) -> Histogram {
        self.0
            .recorder
            .register_histogram(&Key::from_parts(name, labels), &METADATA)
    }

    fn describe(&self) {
        let r = &self.0.recorder;
        let counters = [
            (
                "otp_http_requests_total",
                "HTTP requests by operation and status",
            ),
            ("otp_generated_total", "OTPs generated and sent, by API"),
            ("otp_validated_total", "OTPs validated successfully, by API"),
            (
                "otp_rejected_total",
                "Validations refused, by API and reason (invalid, burnt, expired, not_found, locked)",
            ),
            (
                "otp_throttled_total",
                "Sends refused by throttling, by API and reason",
            ),
            ("otp_sms_sent_total", "SMS handed to the gateway"),
            ("otp_sms_failed_total", "SMS the gateway failed to deliver"),
            ("otp_store_errors_total", "Store calls that failed, by call"),
            (
                "otp_store_full_total",
                "Requests refused because the memory store is at server.max_store_entries",
            ),
            (
                "otp_token_refused_total",
                "Token requests refused with 429 after too many failed client authentications",
            ),
        ];
        for (name, help) in counters {
            r.describe_counter(name.into(), None, SharedString::const_str(help));
        }
        let histograms = [
            (
                "otp_http_request_duration_seconds",
                "Request latency by operation",
            ),
            (
                "otp_store_call_duration_seconds",
                "Store call latency by call",
            ),
        ];
        for (name, help) in histograms {
            r.describe_histogram(
                name.into(),
                Some(Unit::Seconds),
                SharedString::const_str(help),
            );
        }
    }

    /// A request answered: `operation` is the spec's operationId (or `-`).
    pub(crate) fn request_done(&self, operation: &'static str, status: u16, latency: Duration) {
        let (count, time) = self.0.requests.get((Named(operation), status), || {
            let op = Label::new("operation", operation);
            let counted = vec![op.clone(), Label::new("status", status.to_string())];
            let counter = self.counter("otp_http_requests_total", counted);
            (
                counter,
                self.histogram("otp_http_request_duration_seconds", vec![op]),
            )
        });
        count.increment(1);
        time.record(latency.as_secs_f64());
    }

    /// Counts one domain event, labelled by API and, maybe, reason.
    fn event(&self, name: &'static str, api: &'static str, reason: &'static str) {
        let counter = self
            .0
            .events
            .get((Named(name), Named(api), Named(reason)), || {
                let mut labels = Vec::new();
                if !api.is_empty() {
                    labels.push(Label::new("api", api));
                }
                if !reason.is_empty() {
                    labels.push(Label::new("reason", reason));
                }
                self.counter(name, labels)
            });
        counter.increment(1);
    }

    /// An OTP was generated and its SMS handed to the gateway.
    pub(crate) fn generated(&self, api: &'static str) {
        self.event("otp_generated_total", api, "");
        self.event("otp_sms_sent_total", "", "");
    }

    pub(crate) fn validated(&self, api: &'static str) {
        self.event("otp_validated_total", api, "");
    }

    pub(crate) fn rejected(&self, api: &'static str, why: Rejection) {
        self.event("otp_rejected_total", api, why.label());
    }

    pub(crate) fn throttled(&self, api: &'static str, reason: &'static str) {
        self.event("otp_throttled_total", api, reason);
    }

    /// The token endpoint answered 429 to a client.
    pub(crate) fn token_refused(&self) {
        self.event("otp_token_refused_total", "", "");
    }

    pub(crate) fn sms_failed(&self) {
        self.event("otp_sms_failed_total", "", "");
    }

    /// A store call; `full` when it failed because the store is at its cap.
    pub(crate) fn store_call(&self, call: &'static str, latency: Duration, ok: bool, full: bool) {
        let (time, errors) = self.0.store_calls.get(Named(call), || {
            let label = || vec![Label::new("call", call)];
            let time = self.histogram("otp_store_call_duration_seconds", label());
            (time, self.counter("otp_store_errors_total", label()))
        });
        time.record(latency.as_secs_f64());
        if !ok {
            errors.increment(1);
        }
        if full {
            self.event("otp_store_full_total", "", "");
        }
    }
}
