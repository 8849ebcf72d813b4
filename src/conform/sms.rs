//! Where the kit reads the OTPs a target sends: the target's sandbox
//! outbox (`GET /sandbox/v1/sms?to=`), the kit's own webhook inbox (the
//! target's webhook SMS gateway posts `{"to","text"}` to it), or a test
//! phone whose OTP is fixed (Firebase's convention), which needs no SMS.

use super::exchange::{fail, skip, Step};
use super::target::Target;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value as Json;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

/// One SMS as the kit saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub to: String,
    pub text: String,
    /// The OTP alone, when the source says it (the sandbox outbox does).
    pub otp: Option<String>,
}

/// The kit's webhook SMS receiver: every `POST` with a JSON
/// `{"to","text"}` body is kept. Stops listening when dropped.
pub struct WebhookInbox {
    addr: SocketAddr,
    messages: Arc<Mutex<Vec<Message>>>,
    task: tokio::task::JoinHandle<()>,
}

impl WebhookInbox {
    /// Listens on `addr` (port 0 picks one).
    pub async fn bind(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let messages = Arc::new(Mutex::new(Vec::new()));
        let task = tokio::spawn(accept(listener, messages.clone()));
        Ok(Self {
            addr,
            messages,
            task,
        })
    }

    /// Where the target's webhook gateway must post.
    pub fn url(&self) -> String {
        format!("http://{}/sms", self.addr)
    }

    /// The messages received for `to`, oldest first (for an E.164 `to`,
    /// also those an implementation addressed to its national number).
    pub fn messages(&self, to: &str) -> Vec<Message> {
        let all = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        let national = |m: &Message| {
            to.starts_with('+') && !m.to.starts_with('+') && m.to.len() >= 4 && to.ends_with(&m.to)
        };
        all.iter()
            .filter(|m| m.to == to || national(m))
            .cloned()
            .collect()
    }
}

impl Drop for WebhookInbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept(listener: TcpListener, messages: Arc<Mutex<Vec<Message>>>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let messages = messages.clone();
        let service = hyper::service::service_fn(move |req| receive(req, messages.clone()));
        tokio::spawn(async move {
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn receive(
    req: Request<Incoming>,
    messages: Arc<Mutex<Vec<Message>>>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let status = if req.method() != Method::POST {
        405
    } else {
        let body = Limited::new(req.into_body(), 64 * 1024).collect().await;
        let json: Option<Json> = body
            .ok()
            .and_then(|b| serde_json::from_slice(&b.to_bytes()).ok());
        let text = |j: &Json, k: &str| j.get(k).and_then(Json::as_str).map(str::to_owned);
        match json
            .as_ref()
            .and_then(|j| Some((text(j, "to")?, text(j, "text")?)))
        {
            Some((to, text)) => {
                let message = Message {
                    to,
                    text,
                    otp: None,
                };
                messages
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(message);
                204
            }
            None => 400,
        }
    };
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or_default();
    Ok(response)
}

/// How the kit reads SMS, if it can.
pub enum Inbox {
    /// The target's sandbox outbox.
    Outbox,
    /// The kit's webhook receiver.
    Webhook(Arc<WebhookInbox>),
    /// No way to read SMS: checks that need an OTP of a fresh phone skip.
    None,
}

impl Inbox {
    /// The messages sent to `to`, oldest first.
    pub async fn messages(&self, target: &Target, to: &str) -> Step<Vec<Message>> {
        match self {
            Self::Webhook(inbox) => Ok(inbox.messages(to)),
            Self::Outbox => outbox(target, to).await,
            Self::None => {
                skip("no source of OTPs for fresh phones: give --otp-source outbox or webhook:ADDR")
            }
        }
    }

    /// The first message to `to` after the first `seen` ones, waiting up to `wait`.
    pub async fn next(
        &self,
        target: &Target,
        to: &str,
        seen: usize,
        wait: Duration,
    ) -> Step<Message> {
        let deadline = Instant::now() + wait;
        loop {
            let messages = self.messages(target, to).await?;
            if let Some(message) = messages.into_iter().nth(seen) {
                return Ok(message);
            }
            if Instant::now() >= deadline {
                let masked = crate::phone::mask(to);
                return fail(
                    format!("an SMS to {masked} within {wait:?}"),
                    "none arrived",
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// `GET /sandbox/v1/sms?to=`, oldest first; skipped when the target has no outbox.
async fn outbox(target: &Target, to: &str) -> Step<Vec<Message>> {
    let query: String = url_encode(to);
    let path = format!("/sandbox/v1/sms?to={query}&limit=100");
    let answer = target
        .send(Method::GET, &path, &Default::default(), None, None)
        .await?;
    if answer.status == 404 {
        return skip("the target has no sandbox outbox (GET /sandbox/v1/sms answered 404): give --otp-source webhook:ADDR or test-phone:PHONE=OTP");
    }
    let messages = answer
        .json()
        .and_then(|j| j.get("messages")?.as_array().cloned());
    let Some(messages) = messages else {
        return fail(
            "GET /sandbox/v1/sms: 200 {\"messages\": [...]}",
            answer.describe(),
        );
    };
    let text = |m: &Json, k: &str| m.get(k).and_then(Json::as_str).map(str::to_owned);
    let mut list: Vec<Message> = messages
        .iter()
        .map(|m| Message {
            to: text(m, "to").unwrap_or_default(),
            text: text(m, "text").unwrap_or_default(),
            otp: text(m, "otp"),
        })
        .collect();
    list.reverse();
    Ok(list)
}

fn url_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The OTP in an SMS text: the first word of `length` characters from
/// `alphabet`, starting with `prefix` (the part generate returned, if any).
pub fn find_otp(
    text: &str,
    length: usize,
    alphabet: fn(char) -> bool,
    prefix: &str,
) -> Option<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .find(|word| {
            word.chars().count() == length
                && word.chars().all(alphabet)
                && word
                    .to_ascii_uppercase()
                    .starts_with(&prefix.to_ascii_uppercase())
        })
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_otp_in_a_text() {
        let rao = "Your account opening code is 123456. It expires in 5 min. Never share it.";
        assert_eq!(
            find_otp(rao, 6, |c| c.is_ascii_digit(), "").as_deref(),
            Some("123456")
        );
        let tm = "Citi Identification Code Service AB3XYZ12345 Reply HELP for help STOP to cancel";
        let upper = |c: char| c.is_ascii_digit() || c.is_ascii_uppercase();
        assert_eq!(
            find_otp(tm, 11, upper, "AB3").as_deref(),
            Some("AB3XYZ12345")
        );
        assert_eq!(find_otp(tm, 11, upper, "ZZZ"), None);
    }
}
