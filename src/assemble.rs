//! Putting a server together: the one place that knows both the production
//! core ([`App`]) and the sandbox layer around it.
//!
//! [`Server::builder`] reads the config's backends — enums parsed once, as
//! crates.io's `EmailBackend` — and builds the store, the SMS gateway, the
//! MFA engine, the flows and, with `server.sandbox = true`, the sandbox's
//! clock, store decorator, outbox and routes. [`serve`] and
//! [`serve_with_admin`] run it: a production server's public listener is
//! the edge itself; a sandbox's is the sandbox layer's front, around it.
//! Tests replace any backend ([`ServerBuilder::backend`],
//! [`ServerBuilder::store`], [`ServerBuilder::sms`], [`ServerBuilder::mfa`],
//! [`ServerBuilder::clock`]) and start the very same server on port 0.

use crate::app::{App, Parts};
use crate::auth::{TokenEndpoint, Tokens};
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, SmsBackend, StoreBackend};
use crate::contract::Contract;
use crate::crypto::KeyRing;
use crate::mfa::{LocalMfa, MfaEngine};
use crate::observe::Metrics;
use crate::otp::{FixedOtps, Issuer, RaoFlow, TelemarketingFlow, ALPHANUMERIC};
use crate::sandbox::behaviour::Behaviours;
use crate::sandbox::clock::SandboxClock;
use crate::sandbox::console::Limits;
use crate::sandbox::current::Current;
use crate::sandbox::front::SandboxFront;
use crate::sandbox::layer::Sandbox;
use crate::sandbox::outbox::Outbox;
use crate::sandbox::state::{MemoryState, RedisState, SharedState};
use crate::sandbox::store::SandboxStore;
use crate::server::edge::{Admin, Public};
use crate::server::routes::Routes;
use crate::sms::{LogGateway, SmsGateway, WebhookGateway};
use crate::store::memory::MemoryStore;
use crate::store::metered::MeteredStore;
use crate::store::redis::{RedisConfig, RedisStore};
use crate::store::Store;
use crate::tls::ServerTls;
use anyhow::Context;
use std::future::Future;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// A store, and the sandbox's shared state on the same backend (used only
/// by a sandbox). Cheap to clone: several servers may share one, as
/// several instances share one Redis.
#[derive(Clone)]
pub struct Backend {
    store: Arc<dyn Store>,
    state: Arc<dyn SharedState>,
    /// Whether a store call can run without its answer reaching the server
    /// (a network store): then each OTP request carries an id, by which the
    /// store knows a client's retry (`store::Sending::request`).
    loses_answers: bool,
}

impl Backend {
    /// A memory store of at most `max_entries`, swept by `clock`.
    pub fn memory(clock: Arc<dyn Clock>, max_entries: usize) -> Self {
        let store = MemoryStore::with_clock(clock, max_entries);
        Self {
            state: Arc::new(MemoryState::new(Some(store.clone()))),
            store: Arc::new(store),
            loses_answers: false,
        }
    }

    /// A Redis store (`redis://…` or `redis+cluster://…`, `rediss` over
    /// TLS); connects lazily, but reads its TLS files now.
    pub fn redis(url: &str, config: &RedisConfig) -> anyhow::Result<Self> {
        let redis = Arc::new(RedisStore::new(url, config)?);
        Ok(Self {
            state: Arc::new(RedisState::new(redis.clone())),
            store: redis,
            loses_answers: true,
        })
    }

    /// Any production store; a sandbox on it keeps its own state in this
    /// process.
    pub fn store_only(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            state: Arc::new(MemoryState::default()),
            loses_answers: true,
        }
    }

    /// The store `server.store` names, swept by `clock` when in memory.
    fn for_config(config: &Config, clock: &Arc<dyn Clock>) -> anyhow::Result<Self> {
        Ok(match &config.server.store {
            StoreBackend::Memory => Self::memory(clock.clone(), config.server.max_store_entries),
            StoreBackend::Redis(url) | StoreBackend::RedisCluster(url) => {
                Self::redis(url, &config.redis)
                    .with_context(|| format!("store {}", config.server.store))?
            }
        })
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn state(&self) -> &Arc<dyn SharedState> {
        &self.state
    }
}

/// A server ready to serve: the app, its route table and, in sandbox mode,
/// the sandbox layer around it.
pub struct Server {
    app: App,
    routes: Arc<Routes>,
    sandbox: Option<Arc<Sandbox>>,
    /// The public listener's certificate (`server.tls_cert_file`).
    tls: Option<Arc<ServerTls>>,
}

impl Server {
    pub fn builder(config: Config) -> ServerBuilder {
        ServerBuilder {
            config,
            backend: None,
            sms: None,
            mfa: None,
            clock: None,
        }
    }

    pub(crate) fn app(&self) -> &App {
        &self.app
    }

    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }

    /// The public listener's certificate, when it serves HTTPS: reload it
    /// with [`ServerTls::reload`] (the binary does on SIGHUP).
    pub fn tls(&self) -> Option<Arc<ServerTls>> {
        self.tls.clone()
    }
}

/// Assembles a [`Server`], with optional replacement backends.
pub struct ServerBuilder {
    config: Config,
    backend: Option<Backend>,
    sms: Option<Arc<dyn SmsGateway>>,
    mfa: Option<Arc<dyn MfaEngine>>,
    clock: Option<Arc<dyn Clock>>,
}

impl ServerBuilder {
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = Some(backend);
        self
    }

    /// A production store of the test's own (the sandbox's state then
    /// lives in this process).
    pub fn store(self, store: Arc<dyn Store>) -> Self {
        self.backend(Backend::store_only(store))
    }

    pub fn sms(mut self, sms: Arc<dyn SmsGateway>) -> Self {
        self.sms = Some(sms);
        self
    }

    pub fn mfa(mut self, mfa: Arc<dyn MfaEngine>) -> Self {
        self.mfa = Some(mfa);
        self
    }

    /// The base clock (the system's by default); a sandbox moves its own
    /// clock forward from it.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Builds the server; must run inside a Tokio runtime (the memory store sweeps).
    pub fn build(self) -> anyhow::Result<Server> {
        let config = self.config;
        let base = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let offset = Arc::new(AtomicU64::new(0));
        let sandboxed = config.server.sandbox;
        let clock: Arc<dyn Clock> = match sandboxed {
            true => Arc::new(SandboxClock::new(base, offset.clone())),
            false => base,
        };
        let backend = match self.backend {
            Some(backend) => backend,
            None => Backend::for_config(&config, &clock)?,
        };
        let tls = match (&config.server.tls_cert_file, &config.server.tls_key_file) {
            (Some(cert), Some(key)) => Some(Arc::new(ServerTls::load(cert, key)?)),
            _ => None,
        };
        let metrics = Metrics::new();
        let metered: Arc<dyn Store> =
            Arc::new(MeteredStore::new(backend.store.clone(), metrics.clone()));
        let current =
            sandboxed.then(|| Arc::new(Current::with_offset(backend.state.clone(), offset)));
        let store: Arc<dyn Store> = match &current {
            Some(current) => Arc::new(SandboxStore::new(metered, current.clone())),
            None => metered,
        };
        let outbox = match (&current, &self.sms) {
            (Some(current), None) => {
                let capacity = config.server.outbox_capacity;
                Some(Arc::new(Outbox::new(
                    current.clone(),
                    capacity,
                    clock.clone(),
                )))
            }
            _ => None,
        };
        let sms = match (self.sms, &outbox) {
            (Some(sms), _) => sms,
            (None, Some(outbox)) => outbox.clone() as Arc<dyn SmsGateway>,
            (None, None) => sms_gateway(&config)?,
        };
        let fixed: Option<Arc<dyn FixedOtps>> = (sandboxed && !config.test_phones.is_empty())
            .then(|| Arc::new(config.test_phones.clone()) as Arc<dyn FixedOtps>);
        let mfa = self
            .mfa
            .unwrap_or_else(|| Arc::new(LocalMfa::new(ALPHANUMERIC)));
        let issuer = Arc::new(Issuer::new(
            store.clone(),
            sms,
            KeyRing::new(&config.otp_key(), &config.otp_keys_previous()),
            clock.clone(),
            metrics.clone(),
            fixed,
        ));
        let tokens = Tokens::new(config.token_key(), config.token_lifetime(), clock.clone())
            .with_previous(&config.token_keys_previous());
        let token_endpoint = TokenEndpoint::new(
            config.clients.clone(),
            tokens.clone(),
            store.clone(),
            clock.clone(),
            metrics.clone(),
        );
        let app = App::new(Parts {
            contract: Contract::get()?,
            rao: RaoFlow::new(issuer.clone()),
            telemarketing: TelemarketingFlow::new(issuer.clone(), mfa),
            issuer,
            tokens,
            token_endpoint,
            health: store.clone(),
            clock: clock.clone(),
            metrics,
            request_ids: backend.loses_answers,
            config,
        });
        let mut routes = Routes::core();
        let sandbox = current.map(|current| {
            let settings = &app.config().sandbox;
            let limits = Limits {
                streams: settings.max_event_streams,
                lifetime: Duration::from_secs(settings.event_stream_lifetime_secs),
            };
            let behaviours = Behaviours::new(&app, current.clone());
            let sandbox = Arc::new(Sandbox::new(
                current, clock, outbox, store, limits, behaviours,
            ));
            crate::sandbox::routes::add(&mut routes, &sandbox);
            sandbox
        });
        Ok(Server {
            app,
            routes: Arc::new(routes),
            sandbox,
            tls,
        })
    }
}

/// The production SMS gateway `[sms]` names (a sandbox has only its outbox).
fn sms_gateway(config: &Config) -> anyhow::Result<Arc<dyn SmsGateway>> {
    Ok(match &config.sms {
        SmsBackend::Log => Arc::new(LogGateway),
        SmsBackend::Webhook {
            url,
            timeout,
            retries,
            ca_file,
            authorization,
        } => Arc::new(WebhookGateway::build(
            url,
            *timeout,
            *retries,
            ca_file.as_deref(),
            authorization.as_ref().map(|a| a.expose()),
        )?),
        SmsBackend::Outbox => {
            anyhow::bail!("sms.gateway = \"outbox\" is the sandbox's: set server.sandbox = true")
        }
    })
}

/// Serves `server` on `listener` until `shutdown` completes; then stops
/// accepting and gives in-flight requests `shutdown_grace_ms` to finish.
pub async fn serve(listener: TcpListener, server: Server, shutdown: impl Future<Output = ()>) {
    serve_with_admin(listener, None, server, shutdown).await;
}

/// [`serve`], with `/metrics` and the health endpoints also on `admin`
/// (outside the sandbox `/metrics` is there only).
pub async fn serve_with_admin(
    listener: TcpListener,
    admin: Option<TcpListener>,
    server: Server,
    shutdown: impl Future<Output = ()>,
) {
    let Server {
        app,
        routes,
        sandbox,
        tls,
    } = server;
    let admin = admin.map(|admin| (admin, Admin::new(app.clone(), routes.clone())));
    let serving = app.clone();
    match sandbox {
        Some(sandbox) => {
            let front = SandboxFront::new(app, routes, sandbox);
            crate::server::serve(serving, listener, front, admin, tls, shutdown).await;
        }
        None => {
            let front = Public::new(app, routes);
            crate::server::serve(serving, listener, front, admin, tls, shutdown).await;
        }
    }
}
