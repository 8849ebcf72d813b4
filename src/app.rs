//! The shared state of the production core: a `Clone` handle over `Arc`,
//! reached through methods (mini-redis's `Db`). It knows no sandbox: in
//! sandbox mode the layer around it (`crate::sandbox`) hands it a clock, a
//! store and an SMS gateway of its own, and the core uses them as any
//! other (`crate::assemble` puts the pieces together).

use crate::auth::{TokenEndpoint, Tokens};
use crate::clock::Clock;
use crate::config::Config;
use crate::contract::Contract;
use crate::observe::Metrics;
use crate::otp::{Issuer, RaoFlow, TelemarketingFlow};
use crate::store::Health;
use std::sync::Arc;

/// Everything a request needs.
pub(crate) struct Parts {
    pub config: Config,
    pub contract: &'static Contract,
    pub tokens: Tokens,
    pub token_endpoint: TokenEndpoint,
    pub issuer: Arc<Issuer>,
    pub rao: RaoFlow,
    pub telemarketing: TelemarketingFlow,
    pub health: Arc<dyn Health>,
    pub clock: Arc<dyn Clock>,
    pub metrics: Metrics,
    /// Whether OTP requests carry an id (`Backend`'s `loses_answers`).
    pub request_ids: bool,
}

/// A cheap handle to the shared state.
#[derive(Clone)]
pub(crate) struct App(Arc<Parts>);

impl App {
    pub(crate) fn new(parts: Parts) -> Self {
        Self(Arc::new(parts))
    }

    pub(crate) fn config(&self) -> &Config {
        &self.0.config
    }

    /// The operation registry, compiled from the specs.
    pub(crate) fn contract(&self) -> &'static Contract {
        self.0.contract
    }

    /// Verifies the bearer tokens of the OTP operations.
    pub(crate) fn tokens(&self) -> &Tokens {
        &self.0.tokens
    }

    /// The token endpoint's grant and its failure limit.
    pub(crate) fn token_endpoint(&self) -> &TokenEndpoint {
        &self.0.token_endpoint
    }

    /// What both flows share: phone identities, limits, sending.
    pub(crate) fn issuer(&self) -> &Issuer {
        &self.0.issuer
    }

    pub(crate) fn rao(&self) -> &RaoFlow {
        &self.0.rao
    }

    pub(crate) fn telemarketing(&self) -> &TelemarketingFlow {
        &self.0.telemarketing
    }

    /// The store, for `/health/ready`.
    pub(crate) fn health(&self) -> &dyn Health {
        &*self.0.health
    }

    pub(crate) fn clock(&self) -> &dyn Clock {
        &*self.0.clock
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// Whether OTP requests carry an id, by which the store knows a retry
    /// (only a store that can lose an answer needs one).
    pub(crate) fn request_ids(&self) -> bool {
        self.0.request_ids
    }
}
