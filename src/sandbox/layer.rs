//! The sandbox layer's own state: its view of the shared sandbox state,
//! its clock, its outbox (the only SMS gateway a sandbox has), its console,
//! and the store as the sandbox sees it (in the current namespace).

use super::behaviour::Behaviours;
use super::console::{Console, Limits};
use super::current::Current;
use super::outbox::Outbox;
use super::state::View;
use crate::clock::Clock;
use crate::store::Store;
use std::sync::Arc;

/// One sandbox instance's layer.
pub(crate) struct Sandbox {
    current: Arc<Current>,
    clock: Arc<dyn Clock>,
    outbox: Option<Arc<Outbox>>,
    console: Console,
    store: Arc<dyn Store>,
    behaviours: Behaviours,
}

impl Sandbox {
    /// A layer over `current`; `store` is the sandbox's decorated store;
    /// `outbox` is where SMS go (none when a test wired another gateway).
    pub(crate) fn new(
        current: Arc<Current>,
        clock: Arc<dyn Clock>,
        outbox: Option<Arc<Outbox>>,
        store: Arc<dyn Store>,
        limits: Limits,
        behaviours: Behaviours,
    ) -> Self {
        Self {
            behaviours,
            console: Console::new(outbox.clone(), limits),
            current,
            clock,
            outbox,
            store,
        }
    }

    pub(crate) fn current(&self) -> &Current {
        &self.current
    }

    /// The view this request works from.
    pub(crate) fn view(&self) -> View {
        self.current.view()
    }

    /// The sandbox's clock (the app's clock, in sandbox mode).
    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    pub(crate) fn outbox(&self) -> Option<&Outbox> {
        self.outbox.as_deref()
    }

    pub(crate) fn console(&self) -> &Console {
        &self.console
    }

    /// The store, in the sandbox's current namespace.
    pub(crate) fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// How the phones behave (config and provider states).
    pub(crate) fn behaviours(&self) -> &Behaviours {
        &self.behaviours
    }
}
