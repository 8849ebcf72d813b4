//! The processes a benchmark drives: the baseline, otp-server, redis-server;
//! with their CPU time and peak RSS read from `/proc`.

use crate::production::Production;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether servers can be pinned to core 0 (two cores or more, and taskset).
pub fn can_pin() -> bool {
    // Counted from the machine, not from this process's affinity: the
    // benchmark itself runs pinned to one core.
    let online = Command::new("nproc").arg("--all").output().ok();
    let cores: usize = online
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(1);
    cores >= 2 && Command::new("taskset").arg("-V").output().is_ok()
}

/// A binary next to this one (target/release).
pub fn sibling(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    Ok(exe.with_file_name(name))
}

pub struct Process {
    child: Child,
    pub addr: SocketAddr,
    /// Files of the process (its config and keys), removed when it stops.
    scratch: Option<PathBuf>,
}

impl Process {
    /// `program`, behind `taskset -c 0` when `pinned`.
    pub fn command(program: PathBuf, pinned: bool) -> Command {
        if pinned {
            let mut command = Command::new("taskset");
            command.arg("-c").arg("0").arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    /// Starts a program that prints `listening on http://ADDR` on stdout.
    fn announced(mut command: Command, config: Option<PathBuf>) -> anyhow::Result<Self> {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
        let addr = loop {
            let line = lines
                .next()
                .ok_or_else(|| anyhow::anyhow!("the server exited"))??;
            if let Some(rest) = line.split("listening on http://").nth(1) {
                break rest.trim().parse()?;
            }
        };
        std::thread::spawn(move || lines.for_each(drop));
        Ok(Self {
            child,
            addr,
            scratch: config,
        })
    }

    /// Starts `command`, a program that prints `listening on http://ADDR`.
    pub fn announced_by(command: Command) -> anyhow::Result<Self> {
        Self::announced(command, None)
    }

    pub fn baseline(pinned: bool) -> anyhow::Result<Self> {
        Self::announced(Self::command(sibling("bench-baseline")?, pinned), None)
    }

    /// otp-server `binary` in sandbox mode on `store`, with its own Redis
    /// key prefix (the embedded sandbox config without its test phones, so
    /// that builds of earlier commits take it too).
    pub fn otp_server(binary: &Path, store: &str, pinned: bool) -> anyhow::Result<Self> {
        let command = Self::command(binary.to_path_buf(), pinned);
        Self::otp_server_in(command, store, &Mode::Sandbox, Some("warn"))
    }

    /// otp-server started by `command` (the binary, maybe behind taskset
    /// and valgrind) in `mode` on `store`; `log`: `RUST_LOG`, or unset (the
    /// server's default, `info`).
    pub fn otp_server_in(
        mut command: Command,
        store: &str,
        mode: &Mode,
        log: Option<&str>,
    ) -> anyhow::Result<Self> {
        let dir = scratch_dir()?;
        let prefix = format!("bench-{}:", rand_nanos());
        let config = dir.join("config.toml");
        let text = match mode {
            Mode::Sandbox => {
                let sandbox = otp_server::config::SANDBOX_TOML;
                sandbox
                    .split("# Test phones")
                    .next()
                    .unwrap_or(sandbox)
                    .to_owned()
            }
            Mode::Production(production) => {
                command.envs(production.env.iter().map(|(k, v)| (k, v)));
                production.toml.clone()
            }
        };
        // Production keeps the default prefix (`otp:`), as a deployment
        // would: its servers always get a redis-server of their own.
        let text = match mode {
            Mode::Sandbox => format!("{text}\n[redis]\nkey_prefix = \"{prefix}\"\n"),
            Mode::Production(_) => text,
        };
        std::fs::write(&config, text)?;
        command
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--store",
                store,
                "--config",
            ])
            .arg(&config);
        if let Mode::Production(_) = mode {
            command.args(["--admin-listen", "127.0.0.1:0"]);
        }
        match log {
            Some(level) => command.env("RUST_LOG", level),
            None => command.env_remove("RUST_LOG"),
        };
        // The server's own log format choice: JSON lines, stderr being no terminal.
        command.env_remove("OTP_LOG_FORMAT");
        Self::announced(command, Some(dir))
    }

    /// The process id (of valgrind's tool, when under valgrind: the same).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Stoplight Prism's mock of `spec` (basePath folded into its paths,
    /// since Prism ignores Swagger 2.0's basePath).
    pub fn prism(prism: &Path, spec: &Path, pinned: bool) -> anyhow::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut command = Self::command(prism.to_path_buf(), pinned);
        command
            .args([
                "mock",
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-v",
                "warn",
            ])
            .arg(spec);
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(addr).is_err() {
            anyhow::ensure!(Instant::now() < deadline, "prism did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Self {
            child,
            addr,
            scratch: None,
        })
    }

    /// A redis-server of the benchmark's own on a free port.
    pub fn redis(pinned: bool) -> anyhow::Result<Self> {
        Self::redis_by(Self::command(PathBuf::from("redis-server"), pinned))
    }

    /// A redis-server of the benchmark's own on a free port, started by
    /// `command` (`redis-server`, maybe behind taskset or a profiler).
    pub fn redis_by(mut command: Command) -> anyhow::Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        command.args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]);
        let child = command.stdout(Stdio::null()).spawn()?;
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse()?;
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(addr).is_err() {
            anyhow::ensure!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(Self {
            child,
            addr,
            scratch: None,
        })
    }

    /// User + system CPU seconds of the process so far.
    pub fn cpu_seconds(&self) -> f64 {
        let stat =
            std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).unwrap_or_default();
        let fields: Vec<&str> = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let ticks: f64 = [11, 12]
            .iter()
            .filter_map(|&i| fields.get(i)?.parse::<f64>().ok())
            .sum();
        ticks / 100.0 // USER_HZ is 100 on Linux
    }

    /// Peak resident set (VmHWM), in KiB.
    pub fn peak_rss_kb(&self) -> u64 {
        procs_status_kb(&format!("/proc/{}/status", self.child.id()), "VmHWM:")
    }
}

/// What an otp-server runs as.
pub enum Mode<'a> {
    /// The embedded sandbox config (plain `sandbox` client, SMS outbox).
    Sandbox,
    /// A production config ([`Production`]).
    Production(&'a Production),
}

/// A new scratch folder under the temp dir.
pub fn scratch_dir() -> anyhow::Result<PathBuf> {
    let dir =
        std::env::temp_dir().join(format!("otp-bench-{}-{}", std::process::id(), rand_nanos()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

pub fn rand_nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// A `kB` field of a `/proc/.../status` file.
pub fn procs_status_kb(path: &str, field: &str) -> u64 {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0)
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(scratch) = &self.scratch {
            let _ = std::fs::remove_dir_all(scratch);
        }
    }
}
