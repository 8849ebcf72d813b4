//! The shared state of a running server: a `Clone` handle over `Arc`,
//! reached through methods.
//!
//! Built from a [`Config`] whose backends are enums chosen once: the store
//! (`memory` or Redis), the SMS gateway (outbox, log, webhook) and the
//! built-in MFA engine, all on one [`Clock`]. Tests replace any of them
//! with [`AppBuilder::store`], [`AppBuilder::sms`], [`AppBuilder::mfa`] or
//! [`AppBuilder::clock`].

use crate::auth::Tokens;
use crate::clock::{Clock, OffsetClock, SystemClock};
use crate::config::{Config, SmsBackend, StoreBackend};
use crate::console::Console;
use crate::contract::Contract;
use crate::crypto::Keys;
use crate::mfa::{LocalMfa, MfaEngine};
use crate::observe::Metrics;
use crate::otp::{Backends, OtpEngine, ALPHANUMERIC};
use crate::sms::{LogGateway, Outbox, SmsGateway, WebhookGateway};
use crate::store::memory::MemoryStore;
use crate::store::metered::MeteredStore;
use crate::store::redis::RedisStore;
use crate::store::{AuthStore, Health, SandboxStore, Store};
use anyhow::Context;
use std::sync::Arc;

/// Everything a request needs.
struct AppState {
    config: Config,
    contract: &'static Contract,
    tokens: Tokens,
    otp: OtpEngine,
    /// The sandbox outbox, when the configured gateway is the outbox.
    outbox: Option<Arc<Outbox>>,
    health: Arc<dyn Health>,
    auth: Arc<dyn AuthStore>,
    sandbox: Arc<dyn SandboxStore>,
    clock: Arc<dyn Clock>,
    /// The sandbox's clock (the same as `clock`), in sandbox mode.
    sandbox_clock: Option<Arc<OffsetClock>>,
    /// Whether the sandbox clock's offset must be read from the store on
    /// every request (a Redis Cluster, whose scripts cannot check it).
    refresh_offset: bool,
    metrics: Metrics,
    /// What the sandbox console shows live (inert outside the sandbox).
    console: Console,
}

/// A cheap handle to the shared state.
#[derive(Clone)]
pub struct App(Arc<AppState>);

impl App {
    pub fn builder(config: Config) -> AppBuilder {
        AppBuilder {
            config,
            store: None,
            sms: None,
            mfa: None,
            clock: None,
        }
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The operation registry, compiled from the specs.
    pub fn contract(&self) -> &'static Contract {
        self.0.contract
    }

    pub fn tokens(&self) -> &Tokens {
        &self.0.tokens
    }

    pub fn otp(&self) -> &OtpEngine {
        &self.0.otp
    }

    /// The sandbox outbox, when SMS go to it.
    pub fn outbox(&self) -> Option<&Outbox> {
        self.0.outbox.as_deref()
    }

    /// The store, for `/health/ready`.
    pub fn health(&self) -> &dyn Health {
        &*self.0.health
    }

    pub fn clock(&self) -> &dyn Clock {
        &*self.0.clock
    }

    /// The token endpoint's failure counters.
    pub fn auth(&self) -> &dyn AuthStore {
        &*self.0.auth
    }

    /// The sandbox's shared state (reset, clock offset, provider states).
    pub fn sandbox(&self) -> &dyn SandboxStore {
        &*self.0.sandbox
    }

    /// The sandbox's clock, in sandbox mode.
    pub fn sandbox_clock(&self) -> Option<&OffsetClock> {
        self.0.sandbox_clock.as_deref()
    }

    /// Takes the sandbox clock's offset from the store, where any instance
    /// may have moved it (once per request, in sandbox mode). On failure
    /// the last offset stays: the request's own store calls will tell.
    pub async fn refresh_sandbox_clock(&self) {
        let Some(clock) = self.sandbox_clock().filter(|_| self.0.refresh_offset) else {
            return;
        };
        match self.0.sandbox.clock_offset().await {
            Ok(offset) => clock.set_offset(offset),
            Err(e) => tracing::debug!(error = %e, "sandbox clock offset not read"),
        }
    }

    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// The sandbox console's recent requests and live events; the sandbox
    /// endpoints announce resets and clock moves through it.
    pub fn console(&self) -> &Console {
        &self.0.console
    }

    pub fn is_sandbox(&self) -> bool {
        self.0.config.server.sandbox
    }
}

/// Assembles an [`App`], with optional replacement backends.
pub struct AppBuilder {
    config: Config,
    store: Option<Arc<dyn Store>>,
    sms: Option<Arc<dyn SmsGateway>>,
    mfa: Option<Arc<dyn MfaEngine>>,
    clock: Option<Arc<dyn Clock>>,
}

impl AppBuilder {
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    pub fn sms(mut self, sms: Arc<dyn SmsGateway>) -> Self {
        self.sms = Some(sms);
        self
    }

    pub fn mfa(mut self, mfa: Arc<dyn MfaEngine>) -> Self {
        self.mfa = Some(mfa);
        self
    }

    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Builds the app; must run inside a Tokio runtime (the memory store sweeps).
    pub fn build(self) -> anyhow::Result<App> {
        let config = self.config;
        let contract = Contract::get()?;
        let base = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let metrics = Metrics::new();
        let keys = Keys::new(&config.otp_key());
        let store = match self.store {
            Some(store) => store,
            None => store_for(&config, &base)?,
        };
        let sandbox = config.server.sandbox;
        let refresh_offset = sandbox && !store.follow_sandbox();
        let sandbox_clock =
            sandbox.then(|| Arc::new(OffsetClock::new(base.clone(), store.offset_cell())));
        let clock: Arc<dyn Clock> = match &sandbox_clock {
            Some(clock) => clock.clone(),
            None => base,
        };
        let store: Arc<dyn Store> = Arc::new(MeteredStore::new(store, metrics.clone()));
        let (sms, outbox) = match self.sms {
            Some(sms) => (sms, None),
            None => sms_gateway(&config, &store, &clock)?,
        };
        let mfa = self
            .mfa
            .unwrap_or_else(|| Arc::new(LocalMfa::new(ALPHANUMERIC)));
        let tokens = Tokens::new(config.token_key(), config.token_lifetime(), clock.clone());
        let backends = Backends {
            store: store.clone(),
            sms,
            mfa,
            clock: clock.clone(),
            metrics: metrics.clone(),
        };
        let console = Console::new(config.server.sandbox, outbox.clone());
        Ok(App(Arc::new(AppState {
            otp: OtpEngine::new(backends, keys, config.test_phones.clone()),
            console,
            config,
            contract,
            tokens,
            outbox,
            health: store.clone(),
            auth: store.clone(),
            sandbox: store,
            clock,
            sandbox_clock,
            refresh_offset,
            metrics,
        })))
    }
}

/// The store `server.store` names.
fn store_for(config: &Config, clock: &Arc<dyn Clock>) -> anyhow::Result<Arc<dyn Store>> {
    Ok(match &config.server.store {
        StoreBackend::Memory => Arc::new(MemoryStore::with_clock(
            clock.clone(),
            config.server.max_store_entries,
        )),
        StoreBackend::Redis(url) | StoreBackend::RedisCluster(url) => {
            let store = RedisStore::new(url, &config.redis)
                .with_context(|| format!("store {}", config.server.store))?;
            Arc::new(store)
        }
    })
}

/// An SMS gateway, and the outbox when that is what it is.
type Gateway = (Arc<dyn SmsGateway>, Option<Arc<Outbox>>);

/// The SMS gateway `[sms]` names.
fn sms_gateway(
    config: &Config,
    store: &Arc<dyn Store>,
    clock: &Arc<dyn Clock>,
) -> anyhow::Result<Gateway> {
    Ok(match &config.sms {
        SmsBackend::Outbox => {
            let capacity = config.server.outbox_capacity;
            let outbox = Arc::new(Outbox::new(store.clone(), capacity, clock.clone()));
            (outbox.clone(), Some(outbox))
        }
        SmsBackend::Log => (Arc::new(LogGateway), None),
        SmsBackend::Webhook {
            url,
            timeout,
            retries,
        } => {
            let webhook =
                WebhookGateway::new(url, *timeout, *retries).context("sms.webhook_url")?;
            (Arc::new(webhook), None)
        }
    })
}
