//! The violations the proxy found: each one a [`Violation`] record, printed
//! as one JSON line on stdout as it is found, kept (the newest
//! [`KEPT`]) for `GET /proxy/v1/violations`, and summed up in the report
//! written on exit.

use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;

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
    /// Books one exchange and its violations, printing each as a JSON line.
    pub fn record(&self, found: Vec<Violation>) {
        for violation in &found {
            if let Ok(line) = serde_json::to_string(violation) {
                println!("{line}");
            }
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.exchanges += 1;
        inner.total += found.len();
        inner.kept.extend(found);
        while inner.kept.len() > KEPT {
            inner.kept.pop_front();
        }
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
