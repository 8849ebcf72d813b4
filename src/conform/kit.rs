//! The state of one conformance run that the checks share: the target, the
//! client's token, the target's sandbox clock (when it has one and the run
//! may move it), where OTPs come from, every contract violation seen in any
//! answer (which the `errors.responses` check reports at the end), and what
//! the run changed on the target (reported at the end of the run).

use super::exchange::{fail, skip, Exchange, Step};
use super::options::{Options, SourceSpec};
use super::report::Changes;
use super::sms::{Inbox, WebhookInbox};
use super::target::{header_map, Target};
use crate::contract::{check_answer, Contract, Operation};
use hyper::{HeaderMap, Method};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::OnceCell;

/// A contract violation in an answer, and the check that provoked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub check: String,
    pub operation: String,
    pub status: u16,
    pub location: String,
    pub details: String,
}

/// A bearer token and when (in kit time, seconds) it stops being trusted.
struct Token {
    value: String,
    renew_at: f64,
}

/// What every check reaches.
pub struct Kit {
    pub options: Options,
    pub target: Target,
    pub contract: &'static Contract,
    pub inbox: Inbox,
    started: Instant,
    token: Mutex<Option<Token>>,
    /// What the run changed on the target so far.
    changes: Mutex<Changes>,
    clock: OnceCell<bool>,
    observations: Mutex<Vec<Observation>>,
    calls: std::sync::atomic::AtomicUsize,
    current: Mutex<String>,
}

impl Kit {
    /// A kit for `options`; `webhook` is the already-bound receiver, if any.
    pub fn new(
        options: Options,
        target: Target,
        contract: &'static Contract,
        webhook: Option<Arc<WebhookInbox>>,
    ) -> Self {
        let inbox = match webhook {
            Some(inbox) => Inbox::Webhook(inbox),
            None if options.sources.contains(&SourceSpec::Outbox) => Inbox::Outbox,
            None => Inbox::None,
        };
        Self {
            options,
            target,
            contract,
            inbox,
            started: Instant::now(),
            token: Mutex::new(None),
            changes: Mutex::new(Changes::default()),
            clock: OnceCell::new(),
            observations: Mutex::new(Vec::new()),
            calls: Default::default(),
            current: Mutex::new(String::new()),
        }
    }

    /// The operation named `id` in the specs.
    pub fn op(&self, id: &str) -> &'static Operation {
        self.contract
            .operation(id)
            .unwrap_or_else(|| panic!("the specs name no operation {id}"))
    }

    /// Names the check now running (violations seen are booked to it).
    pub fn begin(&self, check: &str) {
        *lock(&self.current) = check.to_owned();
    }

    /// Every violation seen so far.
    pub fn observations(&self) -> Vec<Observation> {
        lock(&self.observations).clone()
    }

    /// Sends a request of `op` and books the answer's contract violations.
    pub async fn call(
        &self,
        op: &'static Operation,
        headers: &HeaderMap,
        body: Option<Vec<u8>>,
    ) -> Step<Exchange> {
        let method = Method::from_bytes(op.method.as_bytes()).unwrap_or(Method::POST);
        let exchange = self
            .target
            .send(method, &op.path, headers, body, Some(op))
            .await?;
        self.observe(&exchange);
        Ok(exchange)
    }

    /// How many operation calls the run made so far.
    pub fn calls(&self) -> usize {
        self.calls.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn observe(&self, exchange: &Exchange) {
        let Some(op) = exchange.op else { return };
        self.calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (headers, uuid) = (&exchange.headers, exchange.uuid.as_deref());
        let found = check_answer(op, exchange.status, headers, &exchange.body, uuid);
        let check = lock(&self.current).clone();
        let mut book = lock(&self.observations);
        book.extend(found.into_iter().map(|v| Observation {
            check: check.clone(),
            operation: op.id.clone(),
            status: exchange.status,
            location: v.location,
            details: v.details,
        }));
    }

    /// What the run changed on the target so far.
    pub fn changes(&self) -> Changes {
        lock(&self.changes).clone()
    }

    /// Notes a test phone reset on the target (masked).
    pub fn note_reset(&self, phone: &str) {
        lock(&self.changes)
            .phones_reset
            .push(crate::phone::mask(phone));
    }

    /// Notes that the token endpoint locked the kit's client out, and
    /// whether the kit then moved the clock past the lock.
    pub fn note_lockout(&self, released: bool) {
        let mut changes = lock(&self.changes);
        changes.client_locked_out = Some(self.options.identity.client_id.clone());
        changes.lockout_released = released;
    }

    /// A bearer token for the kit's client, renewed when half its lifetime
    /// has passed (counting the time the kit moved the target's clock).
    pub async fn token(&self) -> Step<String> {
        let now = self.now();
        if let Some(token) = lock(&self.token).as_ref().filter(|t| t.renew_at > now) {
            return Ok(token.value.clone());
        }
        let answer = self
            .request_token(&self.options.identity.client_secret)
            .await?;
        self.keep_token(&answer)
    }

    /// Keeps the token of a token endpoint's `answer`, or fails saying what came instead.
    pub fn keep_token(&self, answer: &Exchange) -> Step<String> {
        let now = self.now();
        let value = answer.field("access_token");
        let (Some(value), 200) = (value, answer.status) else {
            return fail(
                "the token endpoint to issue a token to the kit's client (200 {access_token})",
                answer.describe(),
            );
        };
        let lifetime = answer
            .json()
            .and_then(|j| j.get("expires_in")?.as_f64())
            .unwrap_or(60.0);
        *lock(&self.token) = Some(Token {
            value: value.clone(),
            renew_at: now + lifetime / 2.0,
        });
        Ok(value)
    }

    /// `POST /api/v1/oauth/token` for the kit's client with `secret`.
    pub async fn request_token(&self, secret: &str) -> Step<Exchange> {
        let id = &self.options.identity.client_id;
        let form: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", id)
            .append_pair("client_secret", secret)
            .finish();
        let headers = header_map(&[("Content-Type", "application/x-www-form-urlencoded")]);
        self.call(self.op("issueToken"), &headers, Some(form.into_bytes()))
            .await
    }

    /// Kit time in seconds: real time plus what the kit moved the clock.
    fn now(&self) -> f64 {
        self.started.elapsed().as_secs_f64() + lock(&self.changes).clock_advanced_secs as f64
    }

    /// Moves the target's sandbox clock forward by `secs`; skips the check
    /// when the target has no clock (docs/BEHAVIOUR.md#sandbox-clock) or the
    /// run was told `--no-clock`.
    pub async fn advance(&self, secs: u64) -> Step {
        if secs == 0 {
            return Ok(());
        }
        if !self.has_clock().await {
            return skip(self.no_clock(secs));
        }
        let body = serde_json::json!({ "advanceSeconds": secs })
            .to_string()
            .into_bytes();
        let headers = header_map(&[("Content-Type", "application/json")]);
        let answer = self
            .target
            .send(
                Method::POST,
                "/sandbox/v1/clock",
                &headers,
                Some(body),
                None,
            )
            .await?;
        if !(200..300).contains(&answer.status) {
            return fail(
                format!("POST /sandbox/v1/clock {{\"advanceSeconds\": {secs}}}: 2xx"),
                answer.describe(),
            );
        }
        let mut changes = lock(&self.changes);
        changes.clock_advanced_secs += secs;
        changes.clock_moves += 1;
        Ok(())
    }

    /// Why a check that needs `secs` to pass is skipped, noted in the changes.
    fn no_clock(&self, secs: u64) -> String {
        let (why, how) = if self.options.move_clock {
            (
                "the target has no sandbox clock",
                "GET /sandbox/v1/clock did not answer 200",
            )
        } else {
            (
                "--no-clock",
                "the run leaves the target's sandbox clock alone",
            )
        };
        lock(&self.changes).clock_left_alone = Some(why.into());
        format!("needs {secs} s to pass: {why} ({how})")
    }

    /// Skips, before any work, a check that needs `secs` to pass on a
    /// target without a sandbox clock.
    pub async fn needs_time(&self, secs: u64) -> Step {
        if secs == 0 || self.has_clock().await {
            return Ok(());
        }
        skip(self.no_clock(secs))
    }

    /// Whether the kit may move the target's sandbox clock: the run allows
    /// it and the target has one (asked once per run).
    pub async fn has_clock(&self) -> bool {
        if !self.options.move_clock {
            return false;
        }
        *self
            .clock
            .get_or_init(|| async {
                let answer = self
                    .target
                    .send(
                        Method::GET,
                        "/sandbox/v1/clock",
                        &HeaderMap::new(),
                        None,
                        None,
                    )
                    .await;
                answer.is_ok_and(|a| a.status == 200)
            })
            .await
    }

    /// A fixed-OTP test phone given for the API whose phones look like
    /// `rao` (`+…`) or not.
    pub fn test_phone(&self, rao: bool) -> Option<(String, String)> {
        self.options.sources.iter().find_map(|s| match s {
            SourceSpec::TestPhone { phone, otp } if phone.starts_with('+') == rao => {
                Some((phone.clone(), otp.clone()))
            }
            _ => None,
        })
    }

    /// A fresh random phone number: the prefix, then random digits, 10 in all.
    pub fn fresh_number(&self) -> String {
        let prefix = &self.options.phone_prefix;
        let digits = 10usize.saturating_sub(prefix.len()).max(4);
        format!("{prefix}{}", random_digits(digits))
    }
}

/// `n` random decimal digits.
pub fn random_digits(n: usize) -> String {
    crate::crypto::random_code(crate::otp::DIGITS, n).unwrap_or_else(|_| "0".repeat(n))
}

/// A random identifier (a session id, a customer id): 16 hex digits.
pub fn random_id(prefix: &str) -> String {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}{hex}")
}

/// A random v4 UUID (the `uuid` header of every request).
pub fn uuid() -> String {
    let mut b = [0u8; 16];
    let _ = getrandom::fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
