//! The `otp-server` binary: parse the command line, load the config and
//! hand over to the library.

use anyhow::{bail, Context};

use clap::Parser;
use otp_server::cli::{CipherArgs, Cli, Command, ServeArgs, TokenArgs};
use otp_server::config::Config;
use otp_server::{startup, App};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(args),
        Command::Encrypt(args) => cipher(args, true),
        Command::Decrypt(args) => cipher(args, false),
        Command::Token(args) => token(args),
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    startup::init_logging();
    let mut config = Config::load(args.config.config.as_deref())?;
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    if let Some(store) = args.store {
        config.server.store = store.parse()?;
    }
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&config.server.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.server.listen))?;
        let app = App::builder(config).build()?;
        println!("{}", startup::banner(&app, listener.local_addr()?));
        otp_server::serve(listener, app, startup::shutdown_signal()).await;
        Ok(())
    })
}

fn client_config(
    config: &Config,
    id: &str,
) -> anyhow::Result<std::sync::Arc<otp_server::config::Client>> {
    config.clients.get(id).cloned().with_context(|| {
        let known: Vec<_> = config.clients.iter().map(|c| c.id.as_str()).collect();
        format!("no client {id:?}; configured clients: {}", known.join(", "))
    })
}

fn cipher(args: CipherArgs, encrypt: bool) -> anyhow::Result<()> {
    let config = Config::load(args.config.config.as_deref())?;
    let client = client_config(&config, &args.client)?;
    let out = if encrypt {
        client.cipher.encrypt(&args.value)
    } else {
        client.cipher.decrypt(&args.value)
    };
    println!(
        "{}",
        out.with_context(|| format!("{} cipher of client {}", client.cipher.name(), client.id))?
    );
    Ok(())
}

fn token(args: TokenArgs) -> anyhow::Result<()> {
    let config = Config::load(args.config.config.as_deref())?;
    if !config.server.sandbox {
        bail!("`otp-server token` works in sandbox mode only; outside it, use the token endpoint with the client's secret");
    }
    let client = client_config(&config, &args.client)?;
    let clock = std::sync::Arc::new(otp_server::clock::SystemClock);
    let tokens = otp_server::auth::Tokens::new(config.token_key(), config.token_lifetime(), clock);
    println!("{}", tokens.issue(&client.id));
    Ok(())
}
