//! What operators see: the per-request log line and the Prometheus metrics.
//!
//! Each request runs inside a task-local [`RequestNote`] that deeper layers
//! fill in (the masked phone, the error code), so that the edge can write
//! one log line per request with all of it, without passing it around.
//! Metrics go through the `metrics` facade to one global Prometheus
//! recorder, rendered at `GET /metrics`.

use metrics::{counter, describe_counter, describe_histogram, histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::cell::RefCell;
use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

/// What a request's deeper layers tell the request log line.
#[derive(Debug, Default, Clone)]
pub struct RequestNote {
    /// The phone the request is about, masked (`*********5678`).
    pub phone: Option<String>,
    /// The `code` of the error answered, if any.
    pub code: Option<String>,
}

tokio::task_local! {
    static NOTE: RefCell<RequestNote>;
}

/// Runs `future` with a fresh note; returns its output and the note.
pub async fn with_note<F: Future>(future: F) -> (F::Output, RequestNote) {
    NOTE.scope(RefCell::new(RequestNote::default()), async {
        let output = future.await;
        let note = NOTE.with(|n| n.borrow().clone());
        (output, note)
    })
    .await
}

/// Notes the request's phone, masked (only its last 4 digits are kept).
pub fn note_phone(phone: &str) {
    let _ = NOTE.try_with(|n| n.borrow_mut().phone = Some(crate::sms::mask_phone(phone)));
}

/// Notes the error code answered.
pub fn note_code(code: &str) {
    let _ = NOTE.try_with(|n| n.borrow_mut().code = Some(code.to_owned()));
}

static PROMETHEUS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's Prometheus recorder, installed on first use.
pub fn prometheus() -> Option<&'static PrometheusHandle> {
    PROMETHEUS.get_or_init(install).as_ref()
}

fn install() -> Option<PrometheusHandle> {
    let buckets = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    ];
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("seconds".into()), &buckets)
        .ok()?
        .install_recorder()
        .map_err(|e| tracing::warn!(error = %e, "metrics recorder not installed"))
        .ok()?;
    describe();
    let upkeep = handle.clone();
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(5)).await;
                upkeep.run_upkeep();
            }
        });
    }
    Some(handle)
}

fn describe() {
    describe_counter!(
        "otp_http_requests_total",
        "HTTP requests by operation and status"
    );
    describe_histogram!(
        "otp_http_request_duration_seconds",
        Unit::Seconds,
        "Request latency by operation"
    );
    describe_counter!("otp_generated_total", "OTPs generated and sent, by API");
    describe_counter!("otp_validated_total", "OTPs validated successfully, by API");
    describe_counter!(
        "otp_rejected_total",
        "Validations refused, by API and reason (invalid, expired, locked, not_found)"
    );
    describe_counter!(
        "otp_throttled_total",
        "Sends refused by throttling, by API and reason"
    );
    describe_counter!("otp_sms_sent_total", "SMS handed to the gateway");
    describe_counter!("otp_sms_failed_total", "SMS the gateway failed to deliver");
    describe_histogram!(
        "otp_store_call_duration_seconds",
        Unit::Seconds,
        "Store call latency by call"
    );
    describe_counter!("otp_store_errors_total", "Store calls that failed, by call");
}

pub fn request_done(operation: &'static str, status: u16, latency: Duration) {
    counter!("otp_http_requests_total", "operation" => operation, "status" => status.to_string())
        .increment(1);
    histogram!("otp_http_request_duration_seconds", "operation" => operation)
        .record(latency.as_secs_f64());
}

pub fn otp_event(name: &'static str, api: &'static str, reason: Option<&'static str>) {
    match reason {
        Some(reason) => counter!(name, "api" => api, "reason" => reason).increment(1),
        None => counter!(name, "api" => api).increment(1),
    }
}

pub fn sms(sent: bool) {
    counter!(if sent {
        "otp_sms_sent_total"
    } else {
        "otp_sms_failed_total"
    })
    .increment(1);
}

pub fn store_call(call: &'static str, latency: Duration, ok: bool) {
    histogram!("otp_store_call_duration_seconds", "call" => call).record(latency.as_secs_f64());
    if !ok {
        counter!("otp_store_errors_total", "call" => call).increment(1);
    }
}

/// Counts the outcome of a flow step: generated (and the SMS sent or
/// failed), validated, rejected by reason, throttled by reason.
pub fn otp_outcome<T>(api: &'static str, generate: bool, result: &Result<T, crate::otp::OtpError>) {
    use crate::otp::OtpError;
    use crate::store::Throttle;
    match result {
        Ok(_) if generate => {
            otp_event("otp_generated_total", api, None);
            sms(true);
        }
        Ok(_) => otp_event("otp_validated_total", api, None),
        Err(OtpError::Invalid { attempts_left: 0 }) => {
            otp_event("otp_rejected_total", api, Some("locked"))
        }
        Err(OtpError::Invalid { .. }) => otp_event("otp_rejected_total", api, Some("invalid")),
        Err(OtpError::Expired) => otp_event("otp_rejected_total", api, Some("expired")),
        Err(OtpError::NotFound) if !generate => {
            otp_event("otp_rejected_total", api, Some("not_found"))
        }
        Err(OtpError::Throttled { reason, .. }) => {
            let reason = match reason {
                Throttle::TooSoon => "too_soon",
                Throttle::TooMany => "too_many",
                Throttle::TooManyFailures => "too_many_failures",
            };
            otp_event("otp_throttled_total", api, Some(reason));
        }
        Err(OtpError::Sms(_)) => sms(false),
        Err(_) => {}
    }
}
