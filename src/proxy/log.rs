//! The violations the proxy found: each one a [`Violation`] record, printed
//! as one JSON line on stdout as it is found, kept (the newest
//! `max_violations`) for `GET /proxy/v1/violations`, and summed up in the
//! report written on exit. What a client sends is cut short before it is
//! kept ([`Violation::bounded`]), so neither a record nor the list grows
//! with what clients send.

use crate::commands::{println, PrintError};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;
use tokio::sync::watch;

/// Longest path kept, in characters (the rest is cut, with `…`).
pub const MAX_PATH: usize = 200;
/// Longest `uuid` kept (a UUID has 36 characters).
pub const MAX_UUID: usize = 64;
/// Longest method kept.
const MAX_METHOD: usize = 16;
/// Longest location kept.
const MAX_LOCATION: usize = 100;
/// Longest details kept.
pub const MAX_DETAILS: usize = 300;

/// Which way the broken message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The consumer's request broke the contract.
    Request,
    /// The implementation's answer broke it.
    Response,
}

/// One contract violation in one exchange. Carries no value of the
/// message, only where it is and what the spec asks (no OTP, no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// When, RFC 3339 UTC.
    pub at: String,
    pub direction: Direction,
    /// The operation's `operationId`, when the request was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    pub method: String,
    /// The request's path, at most [`MAX_PATH`] characters.
    pub path: String,
    /// The upstream's status (response violations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The request's `uuid` header, to find the exchange in other logs; at
    /// most [`MAX_UUID`] characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// The header, body field, `status` or `body.code` concerned.
    pub location: String,
    /// At most [`MAX_DETAILS`] characters.
    pub details: String,
}

impl Violation {
    /// The violation with every field a client chooses cut to its bound.
    pub fn bounded(self) -> Self {
        Self {
            method: cut(&self.method, MAX_METHOD),
            path: cut(&self.path, MAX_PATH),
            uuid: self.uuid.map(|u| cut(&u, MAX_UUID)),
            location: cut(&self.location, MAX_LOCATION),
            details: cut(&self.details, MAX_DETAILS),
            ..self
        }
    }
}

/// `text` cut to `max` characters, ending with `…` when cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max.saturating_sub(1)) {
        Some((end, _)) if text.chars().count() > max => format!("{}…", &text[..end]),
        _ => text.to_owned(),
    }
}

/// Every violation found so far, and how many exchanges were seen.
pub struct Log {
    inner: Mutex<Inner>,
    /// Most violations kept.
    max: usize,
    /// Whether each violation is printed on stdout.
    print: bool,
    /// Set once stdout is found closed: the proxy then stops.
    closed: watch::Sender<bool>,
}

#[derive(Default)]
struct Inner {
    kept: VecDeque<Violation>,
    total: usize,
    exchanges: usize,
}

/// The whole log at one moment, as served and reported.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    pub exchanges: usize,
    pub count: usize,
    pub violations: Vec<Violation>,
}

impl Log {
    /// A log that keeps the newest `max` violations, and prints each one
    /// on stdout when `print`.
    pub fn new(max: usize, print: bool) -> Self {
        Self {
            inner: Mutex::default(),
            max,
            print,
            closed: watch::Sender::new(false),
        }
    }

    /// Books one exchange and its violations, then prints each as a JSON
    /// line (booked first: a closed stdout stops the proxy, whose report
    /// must hold them).
    pub fn record(&self, found: Vec<Violation>) {
        let found: Vec<Violation> = found.into_iter().map(Violation::bounded).collect();
        if self.print {
            self.book(found.clone());
            self.print(&found);
        } else {
            self.book(found);
        }
    }

    fn book(&self, found: Vec<Violation>) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.exchanges += 1;
        inner.total += found.len();
        inner.kept.extend(found);
        while inner.kept.len() > self.max {
            inner.kept.pop_front();
        }
    }

    fn print(&self, found: &[Violation]) {
        for violation in found {
            let Ok(line) = serde_json::to_string(violation) else {
                continue;
            };
            match println(line) {
                Ok(()) => {}
                Err(PrintError::Closed) => {
                    self.closed.send_replace(true);
                    return;
                }
                Err(e) => tracing::warn!(error = %e, "a violation could not be printed"),
            }
        }
    }

    /// Completes once stdout was found closed.
    pub async fn stdout_closed(&self) {
        let mut closed = self.closed.subscribe();
        let _ = closed.wait_for(|closed| *closed).await;
    }

    pub fn snapshot(&self) -> Snapshot {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        Snapshot {
            exchanges: inner.exchanges,
            count: inner.total,
            violations: inner.kept.iter().cloned().collect(),
        }
    }
}

/// The `Contract-Violations` header: the count and a short summary,
/// visible ASCII, at most about 300 characters.
pub fn header_summary(found: &[Violation]) -> String {
    let parts: Vec<String> = found
        .iter()
        .map(|v| format!("{} {}: {}", direction(v.direction), v.location, v.details))
        .collect();
    let text = format!("{}; {}", found.len(), parts.join("; "));
    let ascii: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect();
    if ascii.len() > 300 {
        format!("{}...", &ascii[..297])
    } else {
        ascii
    }
}

fn direction(d: Direction) -> &'static str {
    match d {
        Direction::Request => "request",
        Direction::Response => "response",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_client_chooses_is_cut_short() {
        let violation = Violation {
            at: "2026-12-01T00:00:00.000Z".into(),
            direction: Direction::Request,
            operation: None,
            method: "POST".into(),
            path: format!("/api/v1/{}", "é".repeat(10_000)),
            status: None,
            uuid: Some("u".repeat(10_000)),
            location: "path".into(),
            details: "d".repeat(10_000),
        }
        .bounded();
        assert_eq!(violation.path.chars().count(), MAX_PATH);
        assert!(violation.path.ends_with('…'));
        assert_eq!(violation.uuid.unwrap().chars().count(), MAX_UUID);
        assert_eq!(violation.details.chars().count(), MAX_DETAILS);
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("exactly10!", 10), "exactly10!");
    }

    #[test]
    fn the_log_keeps_the_newest_and_counts_all() {
        let log = Log::new(2, false);
        for n in 0..5 {
            log.record(vec![Violation {
                at: String::new(),
                direction: Direction::Request,
                operation: None,
                method: "GET".into(),
                path: format!("/{n}"),
                status: None,
                uuid: None,
                location: "path".into(),
                details: String::new(),
            }]);
        }
        let snapshot = log.snapshot();
        assert_eq!((snapshot.count, snapshot.exchanges), (5, 5));
        let kept: Vec<&str> = snapshot
            .violations
            .iter()
            .map(|v| v.path.as_str())
            .collect();
        assert_eq!(kept, ["/3", "/4"]);
    }
}
