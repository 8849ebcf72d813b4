//! What the sandbox knows of the request it is answering, for its parts
//! below the front that the core calls without telling them (the store
//! decorator, the outbox): the request's client and that client's reset
//! epoch (its tenant), what becomes of an SMS the request sends, and the
//! challenge it issued. A task-local, set by the front around each request
//! (and by a provider state around what it makes); outside one, a request
//! has no client and its SMS are delivered.

use super::misbehaviour::{PhoneBehaviour, SmsFate};
use crate::clock::Millis;
use std::cell::RefCell;
use std::future::Future;

tokio::task_local! {
    static SCOPE: Scope;
}

/// A challenge issued by the request: for its SMS's outbox message.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    /// The phone's digest in the sandbox's namespace, hex.
    pub phone: String,
    pub expires_at: Millis,
}

/// One request's scope.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    /// The request's `client_id` (a configured client) and its epoch.
    client: Option<(String, u64)>,
    /// What becomes of the SMS the request sends.
    sms: RefCell<(SmsFate, u64)>,
    issued: RefCell<Option<Issued>>,
}

impl Scope {
    pub(crate) fn new(client: Option<(String, u64)>) -> Self {
        Self {
            client,
            ..Self::default()
        }
    }
}

/// Runs `future` within `scope`.
pub(crate) async fn within<F: Future>(scope: Scope, future: F) -> F::Output {
    SCOPE.scope(scope, future).await
}

/// The request's client and its epoch.
pub(crate) fn client() -> Option<(String, u64)> {
    SCOPE.try_with(|s| s.client.clone()).ok().flatten()
}

/// The request's client's epoch (0 without one).
pub(crate) fn client_epoch() -> u64 {
    SCOPE
        .try_with(|s| s.client.as_ref().map_or(0, |(_, e)| *e))
        .unwrap_or(0)
}

/// The SMS the request sends behave as `behaviour` says.
pub(crate) fn set_sms(behaviour: &PhoneBehaviour) {
    let _ = SCOPE.try_with(|s| *s.sms.borrow_mut() = (behaviour.sms, behaviour.sms_delay_ms));
}

/// What becomes of an SMS sent now, and its delay in ms.
pub(crate) fn sms() -> (SmsFate, u64) {
    SCOPE.try_with(|s| *s.sms.borrow()).unwrap_or_default()
}

/// Notes the challenge the request issued.
pub(crate) fn note_issued(issued: Issued) {
    let _ = SCOPE.try_with(|s| *s.issued.borrow_mut() = Some(issued));
}

/// The challenge the request issued last.
pub(crate) fn issued() -> Option<Issued> {
    SCOPE.try_with(|s| s.issued.borrow().clone()).ok().flatten()
}
