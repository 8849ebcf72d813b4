//! What someone new to otp-server meets first (issue 19): a malformed
//! setting is refused at startup in one line that names the part to fix.

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
        "Error: store redis://127.0.0.1:notaport: the port \"notaport\" is not a number \
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
