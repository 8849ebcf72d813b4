//! What someone new to otp-server meets first (issue 19): a malformed
//! setting is refused at startup in one line that names the part to fix,
//! and the startup banner reads right.

use otp_server::config::Config;
use otp_server::{startup, Server};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// `otp-server serve --store STORE`, which must exit within 10 s; with no
/// backtrace and no `OTP_*` setting of the caller's environment.
fn serve_refused(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_otp-server"));
    command
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars() {
        if name.starts_with("OTP_") || name.ends_with("BACKTRACE") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("otp-server serve {args:?} is still running: the store was accepted");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_store_url_that_cannot_parse_is_refused_in_one_line_naming_the_port() {
    let out = serve_refused(&["--store", "redis://127.0.0.1:notaport"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "", "no banner for a refused setting");
    assert_eq!(
        text(&out.stderr),
        "otp-server: store redis://127.0.0.1:notaport: the port \"notaport\" is not a number \
         from 1 to 65535 (use redis://host:port[/db])\n"
    );
}

#[test]
fn the_same_from_the_environment_without_the_password() {
    let out = serve_refused(
        &[],
        &[("OTP_STORE", "redis://:hunter2@127.0.0.1:notaport/0")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("the port \"notaport\""), "{stderr}");
    assert!(stderr.contains("redis://127.0.0.1:notaport/0"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[tokio::test]
async fn the_production_banner_counts_one_client_in_the_singular() {
    let dir = tempfile::tempdir().unwrap();
    let key = |name: &str, value: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, value).unwrap();
        path.display().to_string()
    };
    let token = key("token", "W34aL8qLCh/i+0foCKedoC9s7HbZqCwkK6P+FWc2vlU=");
    let otp = key("otp", "O+YtGk8ZR+kKWTnmb5z9CKaEjWkiPNVUk/4aGUxf2Pc=");
    let client = key("client", "2A2hGp7nYxD7VNXGP86Wen3yt3Z0TISSnzCCTWhOsBc=");
    let config = Config::from_toml(&format!(
        r#"
[server]
sandbox = false
[secrets]
token_key_file = "{token}"
otp_key_file = "{otp}"
[sms]
gateway = "log"
[[clients]]
id = "prod-app"
secret_sha256 = "9caf06bb4436cdbfa20af9121a626bc1093c4f54b31c0fa937957856135345b6"
cipher = "aes-256-gcm"
key_file = "{client}"
apis = ["rao"]
access = [{{ country = "MX", business = "GCB", channels = ["MOBILE"] }}]
"#
    ))
    .unwrap();
    let app = Server::builder(config).build().unwrap();
    let banner = startup::banner(&app, "127.0.0.1:8080".parse().unwrap(), None);
    assert!(
        banner
            .lines()
            .any(|line| line == "mode: production (1 client)"),
        "{banner}"
    );
}
