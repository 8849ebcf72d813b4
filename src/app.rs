//! The shared state of a running server: a `Clone` handle over `Arc`.
//!
//! Built from a [`Config`] with the default backends (memory store, sandbox
//! outbox or log-only SMS, built-in MFA engine); tests replace any backend
//! with [`AppBuilder::store`], [`AppBuilder::sms`] or [`AppBuilder::mfa`].

use crate::auth::Tokens;
use crate::config::Config;
use crate::contract::Contract;
use crate::mfa::{LocalMfa, MfaEngine};
use crate::otp::keys::Keys;
use crate::otp::{OtpEngine, ALPHANUMERIC};
use crate::sms::{LogGateway, Outbox, SmsGateway, WebhookGateway};
use crate::store::memory::MemoryStore;
use crate::store::metered::MeteredStore;
use crate::store::redis::RedisStore;
use crate::store::Store;
use anyhow::Context;
use std::sync::Arc;

/// Everything a request needs.
pub struct AppState {
    pub config: Config,
    pub contract: Contract,
    pub tokens: Tokens,
    pub otp: OtpEngine,
    /// The sandbox outbox, when in sandbox mode and no other gateway is wired in.
    pub outbox: Option<Arc<Outbox>>,
}

/// A cheap handle to the shared state.
#[derive(Clone)]
pub struct App(Arc<AppState>);

impl std::ops::Deref for App {
    type Target = AppState;
    fn deref(&self) -> &AppState {
        &self.0
    }
}

impl App {
    pub fn builder(config: Config) -> AppBuilder {
        AppBuilder {
            config,
            store: None,
            sms: None,
            mfa: None,
        }
    }
}

/// Assembles an [`App`], with optional replacement backends.
pub struct AppBuilder {
    config: Config,
    store: Option<Arc<dyn Store>>,
    sms: Option<Arc<dyn SmsGateway>>,
    mfa: Option<Arc<dyn MfaEngine>>,
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

    /// Builds the app; must run inside a Tokio runtime (the memory store sweeps).
    pub fn build(self) -> anyhow::Result<App> {
        let config = self.config;
        let contract = Contract::load()?;
        let keys = Keys::new(&config.otp_key());
        let store = match self.store {
            Some(store) => store,
            None => store_for(&config)?,
        };
        let store: Arc<dyn Store> = Arc::new(MeteredStore(store));
        crate::observe::prometheus();
        let default_gateway = if config.server.sandbox {
            "outbox"
        } else {
            "webhook"
        };
        let gateway = config.sms.gateway.as_deref().unwrap_or(default_gateway);
        let outbox = (self.sms.is_none() && gateway == "outbox" && config.server.sandbox)
            .then(|| Arc::new(Outbox::new(store.clone(), config.server.outbox_capacity)));
        let sms: Arc<dyn SmsGateway> = match (self.sms, &outbox) {
            (Some(sms), _) => sms,
            (None, Some(outbox)) => outbox.clone(),
            (None, None) => sms_gateway(&config, gateway)?,
        };
        let mfa = self
            .mfa
            .unwrap_or_else(|| Arc::new(LocalMfa::new(store.clone(), keys.clone(), ALPHANUMERIC)));
        let tokens = Tokens::new(config.token_key(), config.token_lifetime());
        let otp = OtpEngine::new(store, sms, mfa, keys);
        Ok(App(Arc::new(AppState {
            config,
            contract,
            tokens,
            otp,
            outbox,
        })))
    }
}

/// The store `server.store` names: `memory`, or a Redis URL.
fn store_for(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let url = config.server.store.as_str();
    if url == "memory" {
        return Ok(Arc::new(MemoryStore::new()));
    }
    if url.starts_with("redis://") || url.starts_with("redis+cluster://") {
        let store = RedisStore::new(url, &config.redis).with_context(|| format!("store {url}"))?;
        return Ok(Arc::new(store));
    }
    anyhow::bail!("unknown store {url:?}: use `memory`, `redis://host:port[/db]` or `redis+cluster://h1:p1,h2:p2`")
}

/// The SMS gateway `[sms]` names (the outbox is built by the caller).
fn sms_gateway(config: &Config, gateway: &str) -> anyhow::Result<Arc<dyn SmsGateway>> {
    let sms = &config.sms;
    match gateway {
        "log" => Ok(Arc::new(LogGateway)),
        "webhook" => {
            let url = sms
                .webhook_url
                .as_deref()
                .context("sms.webhook_url is missing")?;
            let timeout = std::time::Duration::from_millis(sms.timeout_ms);
            Ok(Arc::new(
                WebhookGateway::new(url, timeout, sms.retries).context("sms.webhook_url")?,
            ))
        }
        other => {
            anyhow::bail!("sms.gateway {other:?}: use \"outbox\" (sandbox), \"log\" or \"webhook\"")
        }
    }
}
