//! The violations the proxy found: each one a [`Violation`] record, printed
//! as one JSON line on stdout as it is found, kept (the newest
//! [`KEPT`]) for `GET /proxy/v1/violations`, and summed up in the report
//! written on exit.

use crate::commands::{println, PrintError};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;
use tokio::sync::watch;

/// Most violations kept in memory; older ones are only counted.
pub const KEPT: usize = 10_000;

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
    pub path: String,
    /// The upstream's status (response violations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The request's `uuid` header, to find the exchange in other logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// The header, body field, `status` or `body.code` concerned.
    pub location: String,
    pub details: String,
}

/// Every violation found so far, and how many exchanges were seen.
#[derive(Default)]
pub struct Log {
    inner: Mutex<Inner>,
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
    /// Books one exchange and its violations, then prints each as a JSON
    /// line (booked first: a closed stdout stops the proxy, whose report
    /// must hold them).
    pub fn record(&self, found: Vec<Violation>) {
        self.book(found.clone());
        self.print(&found);
    }

    fn book(&self, found: Vec<Violation>) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.exchanges += 1;
        inner.total += found.len();
        inner.kept.extend(found);
        while inner.kept.len() > KEPT {
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
