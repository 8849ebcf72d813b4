//! `make bench-instructions`: instructions per request of the server
//! process, counted by `valgrind --tool=callgrind` (repeatable on a shared,
//! noisy machine where seconds are not).
//!
//! Each server runs under callgrind; this process (the client, and the SMS
//! relay its webhook posts to) runs outside it, natively. Per scenario: a
//! warm-up of `--warmup` requests, `callgrind_control -z` (counters to
//! zero), `--requests` sequential requests on one keep-alive connection
//! (whole flows, so a flow's requests all count), `callgrind_control -d`
//! (dump), and the dump's total over the requests sent. Everything the
//! server process executes counts, in all its threads: hyper, tokio, the
//! handler, the log line, the webhook call to the relay; nothing is
//! subtracted. Redis's own work is another process: its redis-server runs
//! under callgrind too, zeroed and dumped with the server, and is its own
//! row (`redis-server, for the above`: its Lua steps, its command
//! handling and its 10 Hz housekeeping over the run).
//!
//! The servers: the bare hyper baseline (`bench-baseline`), then otp-server
//! in production mode (see [`crate::production`]: keys from the
//! environment, an `aes-256-gcm` client whose payloads this process
//! encrypts, SMS by webhook, default log level `info`, JSON lines to a
//! null stderr) on the memory store and on its own redis-server; and
//! reference rows: production with `RUST_LOG=warn` (no request log line),
//! and the sandbox config as `make bench` runs it, on the memory store and
//! on the same redis-server (its own phones, so no throttle is shared).
//!
//! The dumps are kept, one per row, in `target/bench/callgrind/` for
//! `callgrind_annotate`; the table in `target/bench/instructions.json`.

use crate::load::{rao_headers, tm_headers, token_for, token_form, RAO, TM};
use crate::procs::{self, Mode, Process};
use crate::production::{Identity, Production, SmsRelay};
use anyhow::{bail, Context};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// One sequential HTTP/1.1 keep-alive connection.
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
}

/// An answer: status, `sid` header, body.
pub struct Answer {
    pub status: u16,
    pub sid: Option<String>,
    pub body: Bytes,
}

impl Conn {
    pub async fn open(addr: SocketAddr) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Self { sender })
    }

    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> anyhow::Result<Answer> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "bench");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(Bytes::from(body)))?;
        self.sender.ready().await?;
        let response = self.sender.send_request(request).await?;
        let status = response.status().as_u16();
        let sid = response
            .headers()
            .get("sid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.into_body().collect().await?.to_bytes();
        Ok(Answer { status, sid, body })
    }
}

/// What one row sends, flow after flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// POST a small JSON body to the bare hyper server.
    Bare,
    /// Telemarketing generate, a new phone each time.
    TmGenerate,
    /// Telemarketing generate, then validate with the OTP the relay got.
    TmFlow,
    /// RAO generate, a new phone and session each time.
    RaoGenerate,
    /// RAO generate, validate, certified-phone.
    RaoFlow,
    /// The token request (client credentials in the form).
    Token,
}

impl Workload {
    pub fn name(self) -> &'static str {
        match self {
            Self::Bare => "bare hyper POST",
            Self::TmGenerate => "telemarketing generate",
            Self::TmFlow => "telemarketing flow",
            Self::RaoGenerate => "rao generate",
            Self::RaoFlow => "rao flow",
            Self::Token => "token request",
        }
    }
}

/// Sends flows as one client, numbering phones and sessions so that every
/// flow has its own (no send limit is ever reached).
pub struct Caller<'a> {
    conn: Conn,
    identity: &'a Identity,
    relay: Option<&'a SmsRelay>,
    bearer: String,
    next: u64,
}

fn expect(answer: &Answer, status: u16, what: &str) -> anyhow::Result<()> {
    if answer.status != status {
        bail!(
            "{what}: status {} (expected {status}): {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        );
    }
    Ok(())
}

impl<'a> Caller<'a> {
    pub async fn new(
        addr: SocketAddr,
        identity: &'a Identity,
        relay: Option<&'a SmsRelay>,
        first: u64,
    ) -> anyhow::Result<Self> {
        let token = token_for(addr, identity.client_id, &identity.secret).await?;
        Ok(Self {
            conn: Conn::open(addr).await?,
            identity,
            relay,
            bearer: format!("Bearer {token}"),
            next: first,
        })
    }

    /// The OTP the relay got for `to`, found after `marker` in its text.
    fn otp(&self, to: &str, marker: &str) -> anyhow::Result<String> {
        let relay = self.relay.context("this flow needs the SMS relay")?;
        let text = relay
            .take(to)
            .with_context(|| format!("no SMS reached the relay for {to}"))?;
        let otp = text
            .split(marker)
            .nth(1)
            .and_then(|rest| rest.split(['.', ' ']).next())
            .with_context(|| format!("no OTP in the SMS text {text:?}"))?;
        Ok(otp.to_owned())
    }

    /// Runs one flow; the number of requests it sent.
    pub async fn flow(&mut self, flow: Workload) -> anyhow::Result<u64> {
        self.next += 1;
        let n = self.next;
        match flow {
            Workload::Bare => {
                let headers = [("content-type", "application/json")];
                let body = r#"{"phoneNumber":"5512345678"}"#.to_owned();
                let answer = self.conn.send(Method::POST, "/", &headers, body).await?;
                expect(&answer, 200, "bare POST")?;
                Ok(1)
            }
            Workload::TmGenerate | Workload::TmFlow => self.telemarketing(flow, n).await,
            Workload::RaoGenerate | Workload::RaoFlow => self.rao(flow, n).await,
            Workload::Token => {
                let headers = [("content-type", "application/x-www-form-urlencoded")];
                let body = token_form(self.identity.client_id, &self.identity.secret);
                let path = "/api/v1/oauth/token";
                let answer = self.conn.send(Method::POST, path, &headers, body).await?;
                expect(&answer, 200, "token")?;
                Ok(1)
            }
        }
    }

    async fn telemarketing(&mut self, flow: Workload, n: u64) -> anyhow::Result<u64> {
        let phone = format!("55{:08}", n % 100_000_000);
        let client = self.identity.client_id;
        let headers = tm_headers(client, &self.bearer, None);
        let body = format!(
            r#"{{"customerId":"bench","phoneNumber":"{phone}","messagePrefix":"Your code"}}"#
        );
        let path = format!("/api{TM}/generate");
        let answer = self.conn.send(Method::POST, &path, &headers, body).await?;
        expect(&answer, 200, "telemarketing generate")?;
        if flow == Workload::TmGenerate {
            return Ok(1);
        }
        let sid = answer.sid.context("generate answered no sid")?;
        // The SMS goes to the E.164 number (countryCode MX: +52).
        let otp = self.otp(&format!("+52{phone}"), "Your code ")?;
        let headers = tm_headers(client, &self.bearer, Some(&sid));
        let body = format!(r#"{{"customerId":"bench","oneTimePasswordToken":"{otp}"}}"#);
        let path = format!("/api{TM}/validate");
        let answer = self.conn.send(Method::POST, &path, &headers, body).await?;
        expect(&answer, 200, "telemarketing validate")?;
        Ok(2)
    }

    async fn rao(&mut self, flow: Workload, n: u64) -> anyhow::Result<u64> {
        let phone = format!("55{:08}", n % 100_000_000);
        let sid = format!("bench-{n}");
        let headers = rao_headers(self.identity.client_id, &self.bearer, &sid);
        let cipher = &self.identity.cipher;
        let sealed_phone = cipher.encrypt(&phone)?;
        let body =
            format!(r#"{{"phoneCountryCode":"+52","encryptedPhoneNumber":"{sealed_phone}"}}"#);
        let path = format!("/api{RAO}/generate");
        let answer = self.conn.send(Method::POST, &path, &headers, body).await?;
        expect(&answer, 204, "rao generate")?;
        if flow == Workload::RaoGenerate {
            return Ok(1);
        }
        let otp = self.otp(&format!("+52{phone}"), "code is ")?;
        let sealed_otp = cipher.encrypt(&otp)?;
        let body = format!(
            r#"{{"encryptedOtpToken":"{sealed_otp}","phone":{{"phoneCountryCode":"+52","encryptedPhoneNumber":"{sealed_phone}"}}}}"#
        );
        let path = format!("/api{RAO}/validate");
        let answer = self.conn.send(Method::POST, &path, &headers, body).await?;
        expect(&answer, 204, "rao validate")?;
        let path = format!("/api{RAO}/certified-phone");
        let answer = self
            .conn
            .send(Method::POST, &path, &headers, String::new())
            .await?;
        expect(&answer, 200, "rao certified-phone")?;
        Ok(3)
    }

    /// Runs whole flows until at least `requests` requests are sent; how many were.
    pub async fn requests(&mut self, flow: Workload, requests: u64) -> anyhow::Result<(u64, u64)> {
        let (mut sent, mut flows) = (0, 0);
        while sent < requests {
            sent += self.flow(flow).await?;
            flows += 1;
        }
        Ok((sent, flows))
    }
}

/// One row of the table.
#[derive(Serialize, Clone)]
pub struct Row {
    pub server: String,
    pub scenario: String,
    pub requests: u64,
    pub flows: u64,
    pub instructions: u64,
    pub per_request: f64,
    pub per_flow: f64,
    /// Instructions per request over bare hyper's.
    pub ratio: f64,
    /// Of `per_request`, SHA-256's block function's own (ring's vector
    /// code: valgrind hides the CPU's SHA extensions, which ring uses
    /// natively where the CPU has them).
    pub sha256_per_request: f64,
    /// The callgrind dump of the measured requests.
    pub profile: String,
}

pub struct Settings {
    pub requests: u64,
    pub warmup: u64,
    pub pinned: bool,
    pub server: PathBuf,
    pub out: PathBuf,
}

/// A server process under callgrind, and where its dumps go.
struct Traced {
    process: Process,
    /// The `--callgrind-out-file` (dumps are it plus `.1`, `.2`, …).
    out_file: PathBuf,
    dumps: u32,
}

/// `binary` under `taskset -c 0` (when pinned) and callgrind.
fn callgrind(binary: &Path, s: &Settings, label: &str) -> (Command, PathBuf) {
    let out_file = s.out.join(format!("{label}.out"));
    let mut command = Process::command(PathBuf::from("valgrind"), s.pinned);
    command.args([
        "--tool=callgrind".to_owned(),
        format!("--callgrind-out-file={}", out_file.display()),
        format!(
            "--log-file={}",
            s.out.join(format!("{label}.valgrind.log")).display()
        ),
    ]);
    command.arg(binary);
    (command, out_file)
}

fn run_tool(tool: &str, option: &str, pid: u32) -> anyhow::Result<()> {
    let output = Command::new(tool)
        .arg(option)
        .arg(pid.to_string())
        .output()?;
    if !output.status.success() {
        bail!(
            "{tool} {option} {pid}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// The total of a complete callgrind dump (its `totals:` line).
/// The self cost, in a callgrind dump, of the functions whose name holds
/// `part` (names are compressed: `(id) name` once, then `(id)`;
/// the cost line after a `calls=` line is a call's, not the function's).
/// ring's SHA-256 block function, whichever of its variants runs.
const SHA256_BLOCKS: &str = "sha256_block_data_order";

fn self_cost(dump: &Path, part: &str) -> u64 {
    let text = std::fs::read_to_string(dump).unwrap_or_default();
    let mut names = std::collections::HashMap::new();
    let (mut counting, mut after_call, mut sum) = (false, false, 0);
    for line in text.lines() {
        let called = line.strip_prefix("cfn=");
        if let Some(rest) = line.strip_prefix("fn=").or(called) {
            // A name is given where its id first appears, maybe as a callee.
            let (id, name) = rest.split_once(' ').unwrap_or((rest, ""));
            if !name.is_empty() {
                names.insert(id.to_owned(), name.to_owned());
            }
            if called.is_none() {
                counting = names.get(id).is_some_and(|n| n.contains(part));
            }
        } else if line.starts_with("calls=") {
            after_call = true;
        } else if line.starts_with(|c: char| c.is_ascii_digit() || "+-*".contains(c)) {
            if !after_call && counting {
                sum += line
                    .split_whitespace()
                    .last()
                    .and_then(|c| c.parse::<u64>().ok())
                    .unwrap_or(0);
            }
            after_call = false;
        }
    }
    sum
}

fn total(dump: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(dump).ok()?;
    text.lines()
        .rev()
        .find_map(|l| l.strip_prefix("totals:"))
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
}

impl Traced {
    /// Zeroes the counters.
    fn zero(&self) -> anyhow::Result<()> {
        run_tool("callgrind_control", "-z", self.process.pid())
    }

    /// Dumps the counters to `name` in the output folder; their total.
    fn dump(&mut self, name: &Path) -> anyhow::Result<u64> {
        run_tool("callgrind_control", "-d", self.process.pid())?;
        self.dumps += 1;
        let file = PathBuf::from(format!("{}.{}", self.out_file.display(), self.dumps));
        let deadline = Instant::now() + Duration::from_secs(60);
        let instructions = loop {
            if let Some(total) = total(&file) {
                break total;
            }
            if Instant::now() > deadline {
                bail!("callgrind wrote no complete dump {}", file.display());
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        // The calls that were under way when the counters were zeroed (the
        // threads' start, the runtime's loop) are dumped with a count of 0;
        // callgrind_annotate 3.19 then takes their inclusive cost for their
        // own. Counted once instead, they annotate right; totals unchanged.
        let text = std::fs::read_to_string(&file)?;
        let fixed: Vec<String> = text
            .lines()
            .map(|line| match line.strip_prefix("calls=0 ") {
                Some(rest) => format!("calls=1 {rest}"),
                None => line.to_owned(),
            })
            .collect();
        std::fs::write(name, fixed.join("\n") + "\n")?;
        std::fs::remove_file(&file)?;
        Ok(instructions)
    }
}

/// Measures `flow` on a traced server (and its traced Redis, if any):
/// warm-up, zero, requests, dump. A row for the server, and one for Redis.
async fn measure(
    traced: &mut Traced,
    mut redis: Option<&mut Traced>,
    caller: &mut Caller<'_>,
    server: &str,
    flow: Workload,
    s: &Settings,
) -> anyhow::Result<Vec<Row>> {
    caller.requests(flow, s.warmup).await?;
    traced.zero()?;
    if let Some(redis) = redis.as_deref_mut() {
        redis.zero()?;
    }
    let (requests, flows) = caller.requests(flow, s.requests).await?;
    let mut rows = vec![row(traced, server, flow, requests, flows, s)?];
    if let Some(redis) = redis {
        let server = REDIS_ROW;
        rows.push(row(redis, server, flow, requests, flows, s)?);
    }
    Ok(rows)
}

/// The row of the redis-server under a `production, redis` row.
const REDIS_ROW: &str = "redis-server, for the above";

/// Dumps `traced` and makes its row over the requests just sent.
fn row(
    traced: &mut Traced,
    server: &str,
    flow: Workload,
    requests: u64,
    flows: u64,
    s: &Settings,
) -> anyhow::Result<Row> {
    let slug = format!("{server} {}", flow.name())
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let dump = s.out.join(format!("{slug}.callgrind"));
    let instructions = traced.dump(&dump)?;
    let row = Row {
        server: server.into(),
        scenario: flow.name().into(),
        requests,
        flows,
        instructions,
        per_request: instructions as f64 / requests as f64,
        per_flow: instructions as f64 / flows as f64,
        ratio: 0.0,
        sha256_per_request: self_cost(&dump, SHA256_BLOCKS) as f64 / requests as f64,
        profile: dump.display().to_string(),
    };
    println!(
        "  {:<30} {:<24} {:>9.0} instructions/request",
        row.server, row.scenario, row.per_request
    );
    Ok(row)
}

/// One otp-server under callgrind, and the flows measured on it.
struct Run<'a> {
    label: &'static str,
    server: &'static str,
    store: String,
    mode: Mode<'a>,
    log: Option<&'static str>,
    identity: &'a Identity,
    flows: &'a [Workload],
    /// Whether the run's store is the traced redis-server.
    traced_redis: bool,
    /// The first phone number's index (runs on one Redis use other phones,
    /// so that no run meets another's send throttles).
    first_phone: u64,
}

async fn otp_rows(
    run: Run<'_>,
    mut redis: Option<&mut Traced>,
    relay: &SmsRelay,
    s: &Settings,
) -> anyhow::Result<Vec<Row>> {
    let (command, out_file) = callgrind(&s.server, s, run.label);
    let process = Process::otp_server_in(command, &run.store, &run.mode, run.log)?;
    let mut traced = Traced {
        process,
        out_file,
        dumps: 0,
    };
    let addr = traced.process.addr;
    let mut caller = Caller::new(addr, run.identity, Some(relay), run.first_phone).await?;
    let mut rows = Vec::new();
    for flow in run.flows {
        let redis = redis.as_deref_mut();
        rows.extend(measure(&mut traced, redis, &mut caller, run.server, *flow, s).await?);
    }
    Ok(rows)
}

pub async fn run(s: &Settings) -> anyhow::Result<Vec<Row>> {
    let started = Instant::now();
    std::fs::create_dir_all(&s.out)?;
    for old in std::fs::read_dir(&s.out)?.flatten() {
        let _ = std::fs::remove_file(old.path());
    }
    println!(
        "callgrind: {} warm-up, then {} measured sequential requests per row (whole flows); the server process only{}",
        s.warmup,
        s.requests,
        if s.pinned { ", pinned to core 0" } else { "" }
    );
    let mut rows = Vec::new();
    let relay = SmsRelay::start().await?;
    {
        let (command, out_file) = callgrind(&procs::sibling("bench-baseline")?, s, "bare");
        let mut traced = Traced {
            process: Process::announced_by(command)?,
            out_file,
            dumps: 0,
        };
        let sandbox = Identity::sandbox();
        let mut caller = Caller {
            conn: Conn::open(traced.process.addr).await?,
            identity: &sandbox,
            relay: None,
            bearer: String::new(),
            next: 0,
        };
        rows.extend(
            measure(
                &mut traced,
                None,
                &mut caller,
                "bare hyper",
                Workload::Bare,
                s,
            )
            .await?,
        );
    }
    let production = Production::new(&relay.url())?;
    let (command, out_file) = callgrind(Path::new("redis-server"), s, "redis-server");
    let mut redis = Traced {
        process: Process::redis_by(command)?,
        out_file,
        dumps: 0,
    };
    let redis_addr = redis.process.addr;
    let sandbox = Identity::sandbox();
    let runs = [
        Run {
            label: "production-memory",
            server: "production, memory",
            store: "memory".into(),
            mode: Mode::Production(&production),
            log: None,
            identity: &production.identity,
            flows: &[
                Workload::TmGenerate,
                Workload::TmFlow,
                Workload::RaoFlow,
                Workload::Token,
                Workload::RaoGenerate,
            ],
            traced_redis: false,
            first_phone: 0,
        },
        Run {
            label: "production-redis",
            server: "production, redis",
            store: format!("redis://{redis_addr}"),
            mode: Mode::Production(&production),
            log: None,
            identity: &production.identity,
            flows: &[Workload::TmGenerate],
            traced_redis: true,
            first_phone: 0,
        },
        Run {
            label: "production-memory-warn",
            server: "production, memory, warn",
            store: "memory".into(),
            mode: Mode::Production(&production),
            log: Some("warn"),
            identity: &production.identity,
            flows: &[Workload::TmGenerate],
            traced_redis: false,
            first_phone: 0,
        },
        Run {
            label: "sandbox-memory",
            server: "sandbox, memory, warn",
            store: "memory".into(),
            mode: Mode::Sandbox,
            log: Some("warn"),
            identity: &sandbox,
            flows: &[Workload::TmGenerate],
            traced_redis: false,
            first_phone: 0,
        },
        Run {
            label: "sandbox-redis",
            server: "sandbox, redis, warn",
            store: format!("redis://{redis_addr}"),
            mode: Mode::Sandbox,
            log: Some("warn"),
            identity: &sandbox,
            flows: &[Workload::TmGenerate],
            traced_redis: true,
            first_phone: 1_000_000,
        },
    ];
    for run in runs {
        let traced = run.traced_redis.then_some(&mut redis);
        rows.extend(otp_rows(run, traced, &relay, s).await?);
    }
    let bare = rows[0].per_request;
    for row in &mut rows {
        row.ratio = row.per_request / bare;
    }
    print_table(&rows);
    println!(
        "took {:.0} s; dumps: {} (callgrind_annotate FILE)",
        started.elapsed().as_secs_f64(),
        s.out.display()
    );
    Ok(rows)
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "{:<26} {:<24} {:>8} {:>12} {:>12} {:>7} {:>11}",
        "server", "scenario", "requests", "instr/req", "instr/flow", "x bare", "sha256/req"
    );
    for r in rows {
        println!(
            "{:<26} {:<24} {:>8} {:>12.0} {:>12.0} {:>7.2} {:>11.0}",
            r.server,
            r.scenario,
            r.requests,
            r.per_request,
            r.per_flow,
            r.ratio,
            r.sha256_per_request
        );
    }
    println!(
        "sha256/req: SHA-256's block function's share of instr/req (ring's vector code: valgrind hides the CPU's SHA extensions, which ring uses natively where there are any)"
    );
}
