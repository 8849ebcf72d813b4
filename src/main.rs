//! The `otp-server` binary: parse the command line and hand over to the library.

use clap::Parser;
use otp_server::cli::{Cli, Command};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(_) | Command::Encrypt(_) | Command::Decrypt(_) | Command::Token(_) => {
            anyhow::bail!("not built yet: see issue 3 (serve both OTP APIs end-to-end)")
        }
    }
}
