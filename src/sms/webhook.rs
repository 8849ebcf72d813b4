//! The production SMS gateway: POSTs `{"to", "text"}` as JSON to a
//! configured URL (the bank's SMS relay), with a timeout per attempt and
//! retries with a short backoff. Any 2xx is delivered; anything else, after
//! the last attempt, is an `SmsError`. `http://` or `https://` (rustls:
//! the system's roots, or the CA bundle `sms.ca_file`), with an optional
//! `Authorization` header whose value is never logged.

use super::{Sms, SmsError, SmsGateway};
use crate::decimal;
use crate::log_line;
use crate::phone::mask;
use crate::tls;
use async_trait::async_trait;
use hyper::header::HeaderValue;
use hyper::Uri;
use rustls::pki_types::ServerName;
use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

/// Open connections kept between SMS, at most (more are closed after use).
const MAX_IDLE: usize = 64;

/// The most of a relay's answer read: a longer head is an error, a longer
/// body is not read (the connection is closed instead of kept).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The most header lines an answer's head may have.
const MAX_ANSWER_HEADERS: usize = 64;

/// One relay, over HTTP/1.1 keep-alive connections, spoken here rather
/// than through a general client: every SMS is the same request line and
/// headers with another body, and the answer is read only for its status
/// and its length. The request goes out in one write; the answer's head is
/// parsed by `httparse` (hyper's own parser). Through hyper's client, the
/// connection's task, its channel and a header map per SMS made up an
/// eighth of a production generate's instructions.
pub struct WebhookGateway {
    /// `host:port`, as connected to.
    address: String,
    /// For an `https://` relay: the TLS client and the name its
    /// certificate must carry.
    tls: Option<(TlsConnector, ServerName<'static>)>,
    /// The request line and the headers that are the same on every SMS
    /// (`Host`, `Content-Type`, maybe `Authorization`), up to the value of
    /// `Content-Length`. Holds the relay's credential: never shown.
    head: Vec<u8>,
    timeout: Duration,
    retries: u32,
    /// Idle connections, the most recently used last.
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for WebhookGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookGateway")
            .field("address", &self.address)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl WebhookGateway {
    /// A gateway to `url` (`http://` or `https://` with the system's roots),
    /// without an `Authorization` header.
    pub fn new(url: &str, timeout: Duration, retries: u32) -> anyhow::Result<Self> {
        Self::build(url, timeout, retries, None, None)
    }

    /// A gateway to `url`; an `https://` one trusts the CA bundle `ca_file`
    /// (else the system's roots); `authorization` is the `Authorization`
    /// header's value (`Bearer …`).
    pub fn build(
        url: &str,
        timeout: Duration,
        retries: u32,
        ca_file: Option<&Path>,
        authorization: Option<&str>,
    ) -> anyhow::Result<Self> {
        let url: Uri = url
            .parse()
            .map_err(|e| anyhow::anyhow!("sms.webhook_url: {e}"))?;
        let https = match url.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => anyhow::bail!("sms.webhook_url must be an http:// or https:// URL"),
        };
        anyhow::ensure!(
            https || ca_file.is_none(),
            "sms.ca_file is set but sms.webhook_url is http://: use https:// or remove sms.ca_file"
        );
        let authority = url
            .authority()
            .ok_or_else(|| anyhow::anyhow!("sms.webhook_url has no host"))?;
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        let address = match host.contains(':') {
            true => format!("[{host}]:{port}"),
            false => format!("{host}:{port}"),
        };
        // An http:// relay never handshakes: it has no TLS settings.
        let tls = match https {
            true => {
                let roots = tls::roots(ca_file, "sms.ca_file")?;
                let config = tls::client_config(roots, None)?;
                let name = ServerName::try_from(host.to_owned())
                    .map_err(|_| anyhow::anyhow!("sms.webhook_url: {host} is not a host name"))?;
                Some((TlsConnector::from(Arc::new(config)), name))
            }
            false => None,
        };
        // The URL's host and port, never its user information.
        let host_header = match authority.port() {
            Some(port) => format!("{}:{port}", authority.host()),
            None => authority.host().to_owned(),
        };
        let target = url.path_and_query().map_or("/", |p| p.as_str());
        let mut head = format!(
            "POST {target} HTTP/1.1\r\nhost: {host_header}\r\ncontent-type: application/json\r\n"
        )
        .into_bytes();
        if let Some(value) = authorization {
            // Visible ASCII only: nothing that could end the header early.
            HeaderValue::from_str(value).map_err(|_| {
                anyhow::anyhow!("sms.authorization: the value is not a valid HTTP header value")
            })?;
            head.extend_from_slice(b"authorization: ");
            head.extend_from_slice(value.as_bytes());
            head.extend_from_slice(b"\r\n");
        }
        head.extend_from_slice(b"content-length: ");
        Ok(Self {
            address,
            tls,
            head,
            timeout,
            retries,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// The whole request for `body`: the fixed head, its length, the body.
    fn request(&self, body: &[u8]) -> Vec<u8> {
        let mut request = Vec::with_capacity(self.head.len() + 24 + body.len());
        request.extend_from_slice(&self.head);
        let mut length = String::with_capacity(24);
        let _ = decimal::push(&mut length, body.len() as u64, 1);
        length.push_str("\r\n\r\n");
        request.extend_from_slice(length.as_bytes());
        request.extend_from_slice(body);
        request
    }

    /// One attempt, within the timeout: connecting (if no idle connection
    /// is left), sending and the relay's answer.
    async fn attempt(&self, request: &[u8]) -> Result<(), String> {
        match tokio::time::timeout(self.timeout, self.exchange(request)).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer within {:?}", self.timeout)),
        }
    }

    async fn exchange(&self, request: &[u8]) -> Result<(), String> {
        // An idle connection the relay has closed since is found out before
        // the request is written, and left; the request goes on the next.
        let connection = loop {
            match self.take_idle() {
                Some(mut idle) => {
                    if idle.still_open() {
                        break idle;
                    }
                }
                None => break self.connect().await?,
            }
        };
        self.send_on(connection, request).await
    }

    /// Writes the request, reads the answer, keeps the connection for the
    /// next SMS if it can carry one, and says whether the relay took the SMS.
    async fn send_on(&self, mut connection: Connection, request: &[u8]) -> Result<(), String> {
        connection
            .io
            .write_all(request)
            .await
            .map_err(|e| tls::chain(&e))?;
        connection.io.flush().await.map_err(|e| tls::chain(&e))?;
        let answer = connection.answer().await?;
        if answer.reusable {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < MAX_IDLE {
                idle.push(connection);
            }
        }
        match (200..300).contains(&answer.status) {
            true => Ok(()),
            false => Err(format!("status {}", answer.status)),
        }
    }

    fn take_idle(&self) -> Option<Connection> {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
    }

    async fn connect(&self) -> Result<Connection, String> {
        let tcp = TcpStream::connect(&self.address)
            .await
            .map_err(|e| tls::chain(&e))?;
        // A request is one write; it is not held back for more.
        let _ = tcp.set_nodelay(true);
        let io = match &self.tls {
            None => Stream::Plain(tcp),
            Some((connector, name)) => {
                let tls = connector
                    .connect(name.clone(), tcp)
                    .await
                    .map_err(|e| tls::chain(&e))?;
                Stream::Tls(Box::new(tls))
            }
        };
        Ok(Connection {
            io,
            buffer: Vec::new(),
        })
    }
}

/// A connection to the relay, plain or TLS.
enum Stream {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// An open connection and what was read from it past the last answer.
struct Connection {
    io: Stream,
    buffer: Vec<u8>,
}

/// What matters of a relay's answer.
struct Answer {
    status: u16,
    /// Whether the connection can carry the next request: the answer's
    /// end was known and read, and neither side asked to close.
    reusable: bool,
}

impl Connection {
    /// Whether the relay has left the idle connection open: a read that
    /// would wait. An end of stream (the relay closed it), an error, or
    /// bytes nobody asked for all mean it cannot carry a request.
    fn still_open(&mut self) -> bool {
        let mut cx = Context::from_waker(Waker::noop());
        let mut byte = [0u8; 1];
        let mut buf = ReadBuf::new(&mut byte);
        // (Its buffer is empty: a connection is kept only once its answer
        // was read to the end and nothing followed.)
        matches!(
            Pin::new(&mut self.io).poll_read(&mut cx, &mut buf),
            Poll::Pending
        )
    }

    /// Reads an answer: its head (skipping any `1xx` interim answer), then
    /// its body if it has a `Content-Length` within [`MAX_ANSWER_BYTES`].
    /// Any other framing (chunked, or until the close) is not read: the
    /// status is known, and the connection is closed instead of kept.
    async fn answer(&mut self) -> Result<Answer, String> {
        loop {
            let (status, parsed, head_len) = self.head().await?;
            self.buffer.drain(..head_len);
            if (100..200).contains(&status) && status != 101 {
                continue;
            }
            let close = parsed.close;
            let length = match status {
                204 | 304 => Some(0),
                _ if parsed.chunked => None,
                _ => parsed.length,
            };
            let Some(length) = length.filter(|&n| n <= MAX_ANSWER_BYTES) else {
                return Ok(Answer {
                    status,
                    reusable: false,
                });
            };
            while self.buffer.len() < length {
                if self.read_more().await? == 0 {
                    return Err("the relay closed the connection inside its answer".into());
                }
            }
            // Bytes past the answer were never asked for: not kept.
            let reusable = !close && self.buffer.len() == length;
            self.buffer.clear();
            return Ok(Answer { status, reusable });
        }
    }

    /// Reads until a whole answer head is buffered; its status, what its
    /// headers say of the body, and its length in bytes.
    async fn head(&mut self) -> Result<(u16, Framing, usize), String> {
        loop {
            if !self.buffer.is_empty() {
                let mut headers = [httparse::EMPTY_HEADER; MAX_ANSWER_HEADERS];
                let mut response = httparse::Response::new(&mut headers);
                match response.parse(&self.buffer) {
                    Ok(httparse::Status::Complete(len)) => {
                        let status = response.code.unwrap_or(0);
                        let framing = Framing::of(&response);
                        return Ok((status, framing, len));
                    }
                    Ok(httparse::Status::Partial) => {}
                    Err(e) => return Err(format!("the relay's answer is not HTTP: {e}")),
                }
                if self.buffer.len() >= MAX_ANSWER_BYTES {
                    return Err("the relay's answer head is too long".into());
                }
            }
            if self.read_more().await? == 0 {
                return Err("the relay closed the connection before answering".into());
            }
        }
    }

    /// Reads what has arrived onto the buffer (its spare room, not zeroed
    /// first); 0 at the end of the stream.
    async fn read_more(&mut self) -> Result<usize, String> {
        self.buffer.reserve(4096);
        self.io
            .read_buf(&mut self.buffer)
            .await
            .map_err(|e| tls::chain(&e))
    }
}

/// What an answer's head says of its body and of the connection.
struct Framing {
    /// `Content-Length`, when it is one number.
    length: Option<usize>,
    /// A `Transfer-Encoding` (chunked): the body's end is not counted here.
    chunked: bool,
    /// `Connection: close`, or HTTP/1.0 without `keep-alive`.
    close: bool,
}

impl Framing {
    fn of(response: &httparse::Response<'_, '_>) -> Self {
        let mut framing = Framing {
            length: None,
            chunked: false,
            close: response.version != Some(1),
        };
        let mut lengths = 0;
        for header in response.headers.iter() {
            let value = std::str::from_utf8(header.value).unwrap_or("").trim();
            if header.name.eq_ignore_ascii_case("content-length") {
                lengths += 1;
                framing.length = value.parse().ok();
            } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
                framing.chunked = true;
            } else if header.name.eq_ignore_ascii_case("connection") {
                let tokens = || value.split(',').map(str::trim);
                if tokens().any(|t| t.eq_ignore_ascii_case("close")) {
                    framing.close = true;
                } else if tokens().any(|t| t.eq_ignore_ascii_case("keep-alive")) {
                    framing.close = false;
                }
            }
        }
        if lengths > 1 {
            // Two lengths: which one frames the body is not ours to guess.
            framing.length = None;
        }
        framing
    }
}

/// What the relay receives: `{"to": "+52…", "text": "…"}`, written by
/// hand (JSON strings escaped as the log line escapes them).
fn payload(sms: &Sms) -> String {
    let mut body = String::with_capacity(24 + sms.to.len() + sms.text.len());
    body.push_str("{\"to\":");
    // Writing into a `String` cannot fail.
    let _ = log_line::quoted(&mut body, &sms.to);
    body.push_str(",\"text\":");
    let _ = log_line::quoted(&mut body, &sms.text);
    body.push('}');
    body
}

#[async_trait]
impl SmsGateway for WebhookGateway {
    async fn send(&self, sms: &Sms) -> Result<(), SmsError> {
        let request = self.request(payload(sms).as_bytes());
        let mut last = String::new();
        for attempt in 0..=self.retries {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
            }
            match self.attempt(&request).await {
                Ok(()) => return Ok(()),
                Err(e) => {
                    tracing::warn!(to = %mask(&sms.to), attempt, error = %e, "sms webhook attempt failed");
                    last = e;
                }
            }
        }
        Err(SmsError(format!(
            "webhook failed after {} attempts: {last}",
            self.retries + 1
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_payload_is_json_whatever_the_text() {
        let text = "Tu código: 123456 \"ya\" \\ fin\n\t\u{1}";
        let sms = Sms {
            to: "+525512345678".into(),
            text: text.into(),
            otp: "123456".into(),
        };
        let body: serde_json::Value = serde_json::from_str(&payload(&sms)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"to": "+525512345678", "text": text})
        );
    }
}
