//! `otp-healthcheck`: the container image's HEALTHCHECK. The image has no
//! shell and no curl (it is `FROM scratch`), so it carries this probe: one
//! HTTP GET to the server in the same container, exit 0 on `200`, 1 with
//! the reason on stderr otherwise.
//!
//! ```text
//! otp-healthcheck                  # GET /health/ready on OTP_LISTEN's port (default 8080)
//! otp-healthcheck live             # GET /health/live
//! otp-healthcheck http://127.0.0.1:9464/health/ready
//! ```
//!
//! std only, one file: `scripts/image.sh` compiles it with rustc (static,
//! stripped), apart from the server's crate, so the probe is a few hundred
//! kilobytes and shares nothing that could fail with what it checks.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

/// Connect, send and read each get this long: under the HEALTHCHECK's own
/// timeout, so a hung server is reported by the probe, not killed.
const TIMEOUT: Duration = Duration::from_secs(2);

/// The most of the answer read: a status line and a short JSON body.
const MAX_ANSWER: u64 = 4096;

fn main() -> ExitCode {
    let arg = std::env::args().nth(1).unwrap_or_else(|| "ready".into());
    match target(&arg).and_then(|(authority, path)| probe(&authority, &path)) {
        Ok(status_line) => {
            println!("{status_line}");
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("otp-healthcheck: {why}");
            ExitCode::FAILURE
        }
    }
}

/// The `host:port` and path to probe: a URL as given, or `ready` / `live` on
/// the server's own port.
fn target(arg: &str) -> Result<(String, String), String> {
    if let Some(rest) = arg.strip_prefix("http://") {
        return Ok(match rest.split_once('/') {
            Some((authority, path)) => (authority.to_owned(), format!("/{path}")),
            None => (rest.to_owned(), "/".to_owned()),
        });
    }
    let path = match arg {
        "ready" => "/health/ready",
        "live" => "/health/live",
        _ => {
            return Err(format!(
                "unknown probe {arg:?}: ready, live or http://HOST:PORT/PATH"
            ))
        }
    };
    let listen = std::env::var("OTP_LISTEN").unwrap_or_else(|_| "0.0.0.0:8080".into());
    Ok((own_address(&listen)?, path.to_owned()))
}

/// Where the server listening on `listen` is reached from inside its
/// container: a wildcard address becomes loopback of the same family.
fn own_address(listen: &str) -> Result<String, String> {
    let addr = listen
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| format!("OTP_LISTEN={listen:?} is not an address"))?;
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    Ok(SocketAddr::new(ip, addr.port()).to_string())
}

/// GET `path` from `authority`; the status line when it is `200`.
fn probe(authority: &str, path: &str) -> Result<String, String> {
    let addr = authority
        .to_socket_addrs()
        .map_err(|e| format!("{authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority}: no address"))?;
    let mut stream =
        TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| format!("{addr}: {e}"))?;
    stream
        .set_read_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    stream
        .set_write_timeout(Some(TIMEOUT))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: otp-healthcheck\r\nConnection: close\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("{addr}: {e}"))?;
    let mut answer = Vec::new();
    stream
        .take(MAX_ANSWER)
        .read_to_end(&mut answer)
        .map_err(|e| format!("{addr}: {e}"))?;
    let answer = String::from_utf8_lossy(&answer);
    let status_line = answer.lines().next().unwrap_or_default().trim().to_owned();
    match status_line.split(' ').nth(1) {
        Some("200") => Ok(format!("{path}: {status_line}")),
        Some(_) => Err(format!("{path}: {status_line}")),
        None => Err(format!("{path}: no HTTP answer from {addr}")),
    }
}
