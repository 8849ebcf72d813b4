//! Contract coverage per client: which documented answers each operation
//! gave a client of the sandbox — every (operation, status, code) row of
//! the specs' `x-error-codes` and every success — so a consumer's CI can
//! tell which of the answers its client must handle it has seen.
//!
//! The front counts each answer after giving it ([`record`]: the request's
//! client, its operation, its status and the error code the request note
//! holds), in the sandbox's shared state, so every instance counts into
//! one table; a row a `Prefer` forced counts as exercised and says so
//! (`forced`). A client's reset forgets its coverage (its epoch moves),
//! and so does a reset of the whole sandbox.
//!
//! `GET /sandbox/v1/coverage?client_id=ID` answers the table as JSON;
//! `otp-server coverage --target URL --client-id ID` prints it
//! ([`command`]); the console shows it as a matrix.

pub mod command;

use super::layer::Sandbox;
use crate::app::App;
use crate::clock::{rfc3339, Millis};
use crate::contract::{Api, Contract, Operation};
use crate::error::ApiError;
use crate::server::response::{self, Body};
use hyper::Response;
use percent_encoding::percent_decode_str;
use serde_json::{json, Value};
use std::collections::HashMap;

/// One documented answer of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub operation: &'static str,
    pub status: u16,
    /// The error code; `None` for a success.
    pub code: Option<&'static str>,
}

impl Row {
    /// How the shared state names it: `operation status code` (`-` for a
    /// success).
    fn key(&self) -> String {
        key(self.operation, self.status, self.code)
    }
}

fn key(operation: &str, status: u16, code: Option<&str>) -> String {
    format!("{operation} {status} {}", code.unwrap_or("-"))
}

/// Whether an operation's coverage is counted: the two OTP APIs' (the
/// token endpoint answers RFC 6749's errors, not `x-error-codes`).
pub(crate) fn counts(op: &Operation) -> bool {
    matches!(op.api, Api::Rao | Api::Telemarketing)
}

/// Every documented answer of the OTP operations: each success, then each
/// `x-error-codes` row, in the specs' order.
pub(crate) fn rows(contract: &'static Contract) -> Vec<Row> {
    let mut rows = Vec::new();
    for op in contract.operations().iter().filter(|op| counts(op)) {
        for response in op
            .responses
            .iter()
            .filter(|r| (200..300).contains(&r.status))
        {
            rows.push(Row {
                operation: op.id.as_str(),
                status: response.status,
                code: None,
            });
        }
        for error in &op.errors {
            rows.push(Row {
                operation: op.id.as_str(),
                status: error.status,
                code: Some(error.code.as_str()),
            });
        }
    }
    rows
}

/// The row of an answer, when it is a documented one.
fn row_of(op: &Operation, status: u16, code: Option<&str>) -> Option<String> {
    let documented = match code {
        None => (200..300).contains(&status) && op.response(status).is_some(),
        Some(code) => op
            .errors
            .iter()
            .any(|r| r.status == status && r.code == code),
    };
    documented.then(|| key(&op.id, status, code))
}

/// Counts an answer `op` gave `client` (in its `epoch`); `forced` when a
/// `Prefer` made it. An answer no row documents is not counted.
pub(crate) async fn record(
    sandbox: &Sandbox,
    op: &Operation,
    (client, epoch): (&str, u64),
    status: u16,
    code: Option<&str>,
    forced: bool,
    at: Millis,
) {
    let Some(row) = row_of(op, status, code) else {
        return;
    };
    let generation = sandbox.view().generation;
    let state = sandbox.current().state();
    let recorded = state.record_coverage(generation, client, epoch, &row, forced, at);
    if let Err(e) = recorded.await {
        tracing::warn!(error = %e, "sandbox: an answer was not counted for coverage");
    }
}

/// `GET /sandbox/v1/coverage?client_id=ID`.
pub(crate) async fn coverage(
    app: &App,
    sandbox: &Sandbox,
    query: Option<&str>,
    uuid: Option<&str>,
) -> Response<Body> {
    match table(app, sandbox, query).await {
        Ok(table) => response::json(200, &table),
        Err(e) => response::error(app, None, &e, uuid),
    }
}

async fn table(app: &App, sandbox: &Sandbox, query: Option<&str>) -> Result<Value, ApiError> {
    let client = query
        .unwrap_or_default()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| *name == "client_id")
        .map(|(_, value)| percent_decode_str(value).decode_utf8_lossy().into_owned())
        .filter(|id| !id.is_empty())
        .ok_or_else(|| {
            ApiError::invalid("client_id", "Send ?client_id=<a client of this sandbox>")
        })?;
    if app.config().clients.get(&client).is_none() {
        return Err(ApiError::invalid(
            "client_id",
            format!("No client {client} in this sandbox"),
        ));
    }
    let current = sandbox.current();
    let unavailable = |e| super::kit::unavailable(&e);
    let epoch = current.client_epoch(&client).await.map_err(unavailable)?;
    let generation = sandbox.view().generation;
    let seen: HashMap<String, _> = current
        .state()
        .coverage(generation, &client, epoch)
        .await
        .map_err(unavailable)?
        .into_iter()
        .collect();
    let all = rows(app.contract());
    let mut exercised = 0;
    let rows: Vec<Value> = all
        .iter()
        .map(|row| {
            let seen = seen.get(&row.key());
            exercised += usize::from(seen.is_some());
            json!({
                "operation": row.operation,
                "status": row.status,
                "code": row.code,
                "exercised": seen.is_some(),
                "count": seen.map_or(0, |s| s.count),
                "forced": seen.map_or(0, |s| s.forced),
                "firstSeen": seen.map(|s| rfc3339(s.first)),
                "lastSeen": seen.map(|s| rfc3339(s.last)),
            })
        })
        .collect();
    let total = all.len();
    let share = match total {
        0 => 0.0,
        n => (exercised as f64 / n as f64 * 1000.0).round() / 1000.0,
    };
    Ok(json!({
        "clientId": client,
        "exercised": exercised,
        "total": total,
        "share": share,
        "rows": rows,
    }))
}
