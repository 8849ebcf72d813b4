//! The sandbox's clock: the base clock moved forward by the sandbox's
//! offset, which `POST /sandbox/v1/clock` raises for every instance and a
//! reset clears. Every rule of the app reads it as its one clock; the
//! offset it adds is the one the request's view read ([`super::current`]).

use crate::clock::{Clock, Millis};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A base clock plus the sandbox's offset.
pub(crate) struct SandboxClock {
    base: Arc<dyn Clock>,
    offset: Arc<AtomicU64>,
}

impl SandboxClock {
    pub(crate) fn new(base: Arc<dyn Clock>, offset: Arc<AtomicU64>) -> Self {
        Self { base, offset }
    }

    /// The offset, in ms.
    pub(crate) fn offset(&self) -> Millis {
        self.offset.load(Ordering::Relaxed)
    }
}

impl Clock for SandboxClock {
    fn now(&self) -> Millis {
        self.base.now() + self.offset()
    }
}
