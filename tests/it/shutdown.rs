//! SIGTERM while requests are in flight: every one is answered, then the
//! process exits 0; new connections are refused.

use crate::processes::ServerProcess;
use otp_server::config::SANDBOX_TOML;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn sigterm_finishes_in_flight_requests_then_exits_zero() {
    let config = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(config.path(), SANDBOX_TOML).unwrap();
    let mut server = ServerProcess::start(config.path(), "memory");
    let body = "grant_type=client_credentials&client_id=sandbox&client_secret=sandbox-secret";
    let (first, rest) = body.split_at(20);
    let mut in_flight: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut socket = TcpStream::connect(server.addr).unwrap();
            let head = format!(
                "POST /api/v1/oauth/token HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{first}",
                body.len()
            );
            socket.write_all(head.as_bytes()).unwrap();
            socket
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200)); // the heads are read: the requests are in flight

    let signalled = Instant::now();
    assert!(Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap()
        .success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        TcpStream::connect(server.addr).is_err(),
        "still accepting after SIGTERM"
    );

    for socket in &mut in_flight {
        socket.write_all(rest.as_bytes()).unwrap();
        let mut answer = String::new();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let _ = socket.read_to_string(&mut answer);
        assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
        assert!(answer.contains("access_token"), "{answer}");
    }
    let status = server
        .wait(Duration::from_secs(10))
        .expect("the server exited");
    assert!(status.success(), "exit status {status:?}");
    // The lines a worker held are written as it stops: one per answer.
    std::thread::sleep(Duration::from_millis(200)); // the stderr reader's last lines
    let logs = server.stderr.lock().unwrap().clone();
    let answered = logs
        .lines()
        .filter(|l| {
            l.contains("\"target\":\"otp_server::request\"") && l.contains("\"status\":200")
        })
        .count();
    assert_eq!(answered, 8, "{logs}");
    println!(
        "shutdown: last in-flight answered and the process exited {:?} after SIGTERM",
        signalled.elapsed()
    );
}
