//! The `otp-server` binary: parse the command line, load the config and
//! hand over to the library.

use anyhow::Context;
use std::process::ExitCode;

use clap::Parser;
use otp_server::cli::{CipherArgs, Cli, ClientCommand, Command, ServeArgs, TokenArgs};
use otp_server::config::Config;
use otp_server::{commands, startup, Server};

/// mimalloc rather than glibc's malloc: a request allocates and frees a few
/// dozen small blocks, and mimalloc's thread-local free lists do that in
/// fewer instructions (`make bench-instructions` measures both).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Every error ends the process the same way: one line on stderr (the
/// `{:#}` chain, never a backtrace, whatever `RUST_BACKTRACE` says) and
/// exit status 1. A closed stdout is no error (`commands::println`).
fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(status) => status,
        Err(e) if commands::is_closed_stdout(&e) => ExitCode::SUCCESS,
        Err(e) => {
            commands::eprint(format_args!("otp-server: {}\n", commands::one_line(&e)));
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Conform(args) => return otp_server::conform::command::run_command(*args),
        Command::Proxy(args) => otp_server::proxy::command::run(args)?,
        Command::Coverage(args) => return otp_server::sandbox::coverage::command::run(args),
        Command::Serve(args) => serve(args)?,
        Command::Encrypt(args) => cipher(args, true)?,
        Command::Decrypt(args) => cipher(args, false)?,
        Command::Token(args) => token(args)?,
        Command::Client(ClientCommand::New { id }) => {
            commands::println(commands::client_new(&id)?.trim_end())?
        }
    }
    Ok(ExitCode::SUCCESS)
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
    if let Some(admin) = args.admin_listen {
        config.server.admin_listen = admin;
    }
    let hosts = args
        .sandbox_allowed_hosts
        .into_iter()
        .map(|h| h.trim().to_owned());
    config
        .sandbox
        .allowed_hosts
        .extend(hosts.filter(|h| !h.is_empty()));
    let runtime = startup::runtime().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&config.server.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.server.listen))?;
        let admin = startup::bind_admin(&config).await?;
        let server = Server::builder(config).build()?;
        let warning = startup::check_store(&server, args.require_store).await?;
        startup::reload_on_sighup(server.tls())?;
        let mut banner = startup::banner(&server, listener.local_addr()?, admin.as_ref());
        if let Some(warning) = warning {
            banner = format!("{banner}\n{warning}");
        }
        // The banner is all `serve` prints on stdout: a reader that went
        // away is no reason to stop serving.
        let _ = commands::println(banner);
        otp_server::serve_with_admin(listener, admin, server, startup::shutdown_signal()).await;
        Ok(())
    })
}

fn cipher(args: CipherArgs, encrypt: bool) -> anyhow::Result<()> {
    let config = Config::load(args.config.config.as_deref())?;
    commands::println(commands::cipher(
        &config,
        &args.client,
        &args.value,
        encrypt,
    )?)?;
    Ok(())
}

fn token(args: TokenArgs) -> anyhow::Result<()> {
    let config = Config::load(args.config.config.as_deref())?;
    let offset = match &args.target {
        Some(url) => otp_server::conform::target::sandbox_offset(url)?,
        None => 0,
    };
    commands::println(commands::token(&config, &args.client, offset)?)?;
    Ok(())
}
