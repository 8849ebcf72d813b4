//! What `otp-server serve` does around the server: logging, the startup
//! banner a newcomer reads, whether the store answers at startup, the
//! certificate reload on SIGHUP, and the shutdown signal.

use crate::assemble::Server;
use crate::config::{Config, SmsBackend};
use crate::tls::ServerTls;
use anyhow::Context;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// Logs to stderr, levels from `RUST_LOG` (default `info`), by way of
/// [`runtime`]'s workers' held lines.
///
/// Format: `OTP_LOG_FORMAT=json` or `text`; by default human-readable text
/// in a terminal and one JSON object per line otherwise.
pub fn init_logging() {
    use std::io::IsTerminal;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = match std::env::var("OTP_LOG_FORMAT").as_deref() {
        Ok("json") => true,
        Ok("text") => false,
        _ => !std::io::stderr().is_terminal(),
    };
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| crate::log_line::Stderr);
    if json {
        logs.event_format(crate::log_line::JsonLine).init();
        crate::log_line::json_to_stderr();
    } else {
        logs.init();
    }
}

/// The server's runtime: tokio's default (a worker per core), whose
/// workers write their log lines as they go idle (`log_line::Stderr`).
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(crate::log_line::release_lines)
        .on_thread_stop(crate::log_line::stop_holding_lines)
        .build()
}

/// Outside the sandbox, the admin listener (`server.admin_listen`) for
/// `/metrics` and the health endpoints.
pub async fn bind_admin(config: &Config) -> anyhow::Result<Option<TcpListener>> {
    if config.server.sandbox {
        return Ok(None);
    }
    let addr = &config.server.admin_listen;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on server.admin_listen {addr}"))?;
    Ok(Some(listener))
}

/// The lines printed at startup: where, which mode, where SMS go, which
/// clients. The store and the webhook are shown without credentials.
pub fn banner(running: &Server, addr: SocketAddr, admin: Option<&TcpListener>) -> String {
    let app = running.app();
    let server = &app.config().server;
    let scheme = match running.tls() {
        Some(_) => "https",
        None => "http",
    };
    let mut lines = vec![format!(
        "otp-server {} listening on {scheme}://{addr}",
        env!("CARGO_PKG_VERSION")
    )];
    if let Some(tls) = running.tls() {
        lines.push(format!(
            "tls: certificate {} (reloaded on SIGHUP)",
            tls.cert_file().display()
        ));
    }
    if let Some(admin) = admin.and_then(|a| a.local_addr().ok()) {
        lines.push(format!("admin (metrics, health): http://{admin}"));
    }
    lines.push(format!("store: {}", server.store));
    if running.is_sandbox() {
        lines.push(
            "mode: SANDBOX (public keys and secrets; SMS go to the outbox, never to a phone)"
                .into(),
        );
        lines.push(format!(
            "  console: {scheme}://{addr}/sandbox (live SMS inbox)   API docs: {scheme}://{addr}/docs"
        ));
        lines.push(format!(
            "  outbox: curl '{scheme}://{addr}/sandbox/v1/sms?to=%2B525512345678'"
        ));
        lines.push("  forced errors: send `Prefer: error=<code>` on any OTP operation".into());
        lines.push(format!("  testing kit: POST {scheme}://{addr}/sandbox/v1/provider-states (Pact), POST /sandbox/v1/reset, GET|POST /sandbox/v1/clock"));
        let phones = app.config().test_phones.listed();
        let phones: Vec<_> = phones
            .iter()
            .map(|(p, otp)| format!("{p} (OTP {otp})"))
            .collect();
        if !phones.is_empty() {
            lines.push(format!("  test phones: {}", phones.join(", ")));
        }
        lines.push("  clients (client_secret: sandbox-secret):".into());
        for client in app.config().clients.iter() {
            lines.push(format!(
                "    {:<12} cipher {}",
                client.id,
                client.cipher.name()
            ));
        }
        lines.push(format!(
            "  token: curl -s -d grant_type=client_credentials -d client_id=sandbox -d client_secret=sandbox-secret {scheme}://{addr}/api/v1/oauth/token"
        ));
    } else {
        let clients = app.config().clients.iter().count();
        let plural = if clients == 1 { "" } else { "s" };
        lines.push(format!("mode: production ({clients} client{plural})"));
        lines.push(match &app.config().sms {
            SmsBackend::Webhook { url, .. } => {
                format!("sms: POSTed to {}", crate::config::without_credentials(url))
            }
            SmsBackend::Log => "sms: NOT DELIVERED (log-only gateway: a dry run)".into(),
            SmsBackend::Outbox => "sms: outbox".into(),
        });
    }
    lines.join("\n")
}

/// How often a store that did not answer at startup is asked again.
const STORE_RETRY: Duration = Duration::from_millis(500);

/// Whether the store answers now. When it does not, either the one-line
/// error `--require-store` exits with (`require`), or the warning line the
/// banner ends with — also logged — and a watcher that logs the first
/// answer. The store is named without credentials.
pub async fn check_store(server: &Server, require: bool) -> anyhow::Result<Option<String>> {
    let app = server.app().clone();
    let store = app.config().server.store.clone();
    if !store.is_shared() {
        return Ok(None);
    }
    let Err(e) = app.health().ping().await else {
        return Ok(None);
    };
    if require {
        anyhow::bail!(
            "store {store} does not answer ({e}): --require-store refuses to start without it"
        );
    }
    tracing::warn!(%store, error = %e, "the store does not answer at startup: /health/ready answers 500 until it does");
    let warning = format!(
        "WARNING: store {store} does not answer ({e}): not ready (/health/ready answers 500) until it does; --require-store refuses to start instead"
    );
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(STORE_RETRY).await;
            if app.health().ping().await.is_ok() {
                tracing::info!(%store, "the store answers now: ready");
                return;
            }
        }
    });
    Ok(Some(warning))
}

/// On SIGHUP, reloads the listener's certificate (`tls`): new handshakes
/// use the new one; a file that cannot be used keeps the old one, and the
/// log says why. Without TLS, SIGHUP is logged and ignored (it no longer
/// ends the process). Watching starts before this returns.
pub fn reload_on_sighup(tls: Option<Arc<ServerTls>>) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut hangups = signal(SignalKind::hangup()).context("cannot watch SIGHUP")?;
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                let Some(tls) = &tls else {
                    tracing::info!(
                        "SIGHUP: no TLS certificate to reload (server.tls_cert_file is not set)"
                    );
                    continue;
                };
                match tls.reload() {
                    Ok(()) => tracing::info!(
                        cert_file = %tls.cert_file().display(),
                        "SIGHUP: TLS certificate reloaded; new connections get it"
                    ),
                    Err(e) => tracing::warn!(
                        error = %format!("{e:#}"),
                        "SIGHUP: TLS certificate NOT reloaded; still serving the previous one"
                    ),
                }
            }
        });
    }
    #[cfg(not(unix))]
    let _ = tls;
    Ok(())
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
