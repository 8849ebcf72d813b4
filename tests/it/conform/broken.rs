//! Deliberately broken implementations of the APIs, each with one defect,
//! for the conformance kit and the validation proxy to catch. Each is a
//! small hyper server in front of a real otp-server (so everything but its
//! defect behaves), except the placeholder mock, which answers everything
//! itself the way a static mock made from the specs does.

use crate::support::TestServer;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{HeaderMap, Request, Response};
use hyper_util::rt::TokioIo;
use otp_server::conform::target::Target;
use otp_server::contract::{request::check_headers, Api, Contract, Route};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The one thing a broken server gets wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// Validate succeeds whatever the OTP, session or phone.
    AcceptsAnyOtp,
    /// Wrong OTPs are refused but never counted: no challenge is ever burnt.
    NeverBurns,
    /// Errors outside the documented rows: RAO 404 typed `warn`, telemarketing
    /// `OTP_TOKEN_INVALID`, 422 answered as 409.
    UndocumentedErrors,
    /// Telemarketing generate answers without its `sid` header.
    DropsSid,
    /// A missing required header is answered 422 (as Prism does).
    MissingHeader422,
    /// No upstream: every operation succeeds with placeholder bodies, every
    /// missing header gets a placeholder error body.
    PlaceholderMock,
}

/// A broken server; stops (with its upstream) when dropped.
pub struct Broken {
    pub addr: SocketAddr,
    /// The real server behind it (none for the placeholder mock).
    _upstream: Option<TestServer>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Broken {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Broken {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

struct State {
    defect: Defect,
    upstream: String,
    http: reqwest::Client,
    /// Telemarketing sid → phone, learnt from generate.
    sessions: Mutex<HashMap<String, String>>,
}

/// Starts a server with `defect` (in front of a fresh otp-server, but for the mock).
pub async fn start(defect: Defect) -> Broken {
    let upstream = match defect {
        Defect::PlaceholderMock => None,
        _ => Some(TestServer::start().await),
    };
    let state = Arc::new(State {
        defect,
        upstream: upstream.as_ref().map(|s| s.url("")).unwrap_or_default(),
        http: reqwest::Client::new(),
        sessions: Mutex::default(),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let state = state.clone();
            let service = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(&state, req).await) }
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service),
            );
        }
    });
    Broken {
        addr,
        _upstream: upstream,
        task,
    }
}

/// What the broken server answers.
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Bytes,
}

async fn handle(state: &State, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    let route = Contract::get()
        .unwrap()
        .route(parts.method.as_str(), parts.uri.path());
    let op = match route {
        Route::Operation(op) if op.api != Api::Token => Some(op),
        _ => None,
    };
    let missing = op.and_then(|op| check_headers(op, &parts.headers).err());
    let uuid = parts
        .headers
        .get("uuid")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let validate = parts.uri.path().ends_with("/validate");
    let answer = match (state.defect, &missing) {
        (Defect::PlaceholderMock, _) => mock(parts.uri.path(), op.is_some(), missing.is_some()),
        (Defect::MissingHeader422, Some(v)) => error(
            422,
            "error",
            "businessValidationFailed",
            &v.location,
            uuid.as_deref(),
        ),
        (Defect::NeverBurns, None) if validate => {
            match wrong_otp(state, &parts.headers, &body, uuid.as_deref()).await {
                Some(refusal) => refusal,
                None => forward(state, &parts, body.clone()).await,
            }
        }
        _ => forward(state, &parts, body.clone()).await,
    };
    let has_sid = parts.headers.contains_key("sid");
    let answer = distort(state, (parts.uri.path(), has_sid), &body, answer);
    let mut response = Response::new(Full::new(answer.body));
    *response.status_mut() = hyper::StatusCode::from_u16(answer.status).unwrap();
    *response.headers_mut() = answer.headers;
    response
}

/// The request, forwarded as it came (a hyper client: it adds no header).
async fn forward(state: &State, parts: &hyper::http::request::Parts, body: Bytes) -> Answer {
    let path = parts.uri.path_and_query().unwrap().as_str();
    let mut headers = parts.headers.clone();
    headers.remove("host");
    let target = Target::new(&state.upstream, Duration::from_secs(10)).unwrap();
    let method = parts.method.clone();
    let answer = target
        .send(method, path, &headers, Some(body.to_vec()), None)
        .await
        .unwrap();
    let mut headers = answer.headers;
    headers.remove("content-length");
    Answer {
        status: answer.status,
        headers,
        body: answer.body,
    }
}

/// The defect applied to what the upstream answered.
fn distort(
    state: &State,
    (path, has_sid): (&str, bool),
    request: &[u8],
    mut answer: Answer,
) -> Answer {
    let json: Option<Value> = serde_json::from_slice(&answer.body).ok();
    let code = json
        .as_ref()
        .and_then(|j| j["code"].as_str())
        .unwrap_or_default()
        .to_owned();
    let location = json
        .as_ref()
        .and_then(|j| j["location"].as_str())
        .unwrap_or_default()
        .to_owned();
    if path.ends_with("/otp/generate") {
        if let (Some(sid), Ok(body)) = (
            answer.headers.get("sid"),
            serde_json::from_slice::<Value>(request),
        ) {
            let phone = body["phoneNumber"].as_str().unwrap_or_default().to_owned();
            state
                .sessions
                .lock()
                .unwrap()
                .insert(sid.to_str().unwrap().to_owned(), phone);
        }
    }
    match state.defect {
        Defect::AcceptsAnyOtp if path.ends_with("/validate") => {
            let about_otp = [
                "resourceNotFound",
                "businessValidationFailed",
                "OTP Token Invalid",
                "OTP Token Expired",
            ]
            .contains(&code.as_str())
                || (code == "invalidRequest" && location == "sid" && has_sid);
            if about_otp {
                let status = if path.contains("/rao/") { 204 } else { 200 };
                return Answer {
                    status,
                    headers: HeaderMap::new(),
                    body: Bytes::new(),
                };
            }
        }
        Defect::UndocumentedErrors => {
            let rewritten = match code.as_str() {
                "resourceNotFound" => Some((answer.status, json!("warn"), json!(code))),
                "OTP Token Invalid" => {
                    Some((answer.status, json!("error"), json!("OTP_TOKEN_INVALID")))
                }
                "businessValidationFailed" => Some((409, json!("error"), json!(code))),
                _ => None,
            };
            if let (Some((status, kind, code)), Some(mut json)) = (rewritten, json) {
                json["type"] = kind;
                json["code"] = code;
                answer.status = status;
                answer.body = Bytes::from(json.to_string());
            }
        }
        Defect::DropsSid => {
            answer.headers.remove("sid");
        }
        _ => {}
    }
    answer
}

/// For a validate with a wrong OTP (by the upstream's outbox), the refusal
/// to answer without letting the upstream count it.
async fn wrong_otp(
    state: &State,
    headers: &HeaderMap,
    body: &[u8],
    uuid: Option<&str>,
) -> Option<Answer> {
    let body: Value = serde_json::from_slice(body).ok()?;
    let decode = |v: &Value| -> Option<String> {
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(v.as_str()?)
            .ok()?;
        String::from_utf8(bytes).ok()
    };
    if let Some(token) = body.get("encryptedOtpToken") {
        let phone = format!(
            "{}{}",
            body["phone"]["phoneCountryCode"].as_str()?,
            decode(&body["phone"]["encryptedPhoneNumber"])?
        );
        let (otp, sent) = (decode(token)?, newest_otp(state, &phone).await?);
        return (otp != sent).then(|| {
            error(
                422,
                "error",
                "businessValidationFailed",
                "encryptedOtpToken",
                uuid,
            )
        });
    }
    let sid = headers.get("sid")?.to_str().ok()?;
    let phone = state.sessions.lock().unwrap().get(sid).cloned()?;
    let sent = newest_otp(state, &phone).await?;
    let otp = body["oneTimePasswordToken"].as_str()?;
    (!otp.eq_ignore_ascii_case(&sent)).then(|| {
        error(
            400,
            "error",
            "OTP Token Invalid",
            "oneTimePasswordToken",
            uuid,
        )
    })
}

async fn newest_otp(state: &State, to: &str) -> Option<String> {
    let url = format!(
        "{}/sandbox/v1/sms?to={}",
        state.upstream,
        to.replace('+', "%2B")
    );
    let list: Value = state.http.get(url).send().await.ok()?.json().await.ok()?;
    list["messages"][0]["otp"].as_str().map(str::to_owned)
}

fn json_answer(status: u16, body: Value) -> Answer {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Answer {
        status,
        headers,
        body: Bytes::from(body.to_string()),
    }
}

/// A well-formed `ErrorResponse` of the broken server's own.
fn error(status: u16, kind: &str, code: &str, location: &str, uuid: Option<&str>) -> Answer {
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    json_answer(
        status,
        json!({"type": kind, "code": code, "details": code, "location": location, "moreInfo": code, "timestamp": now, "uuid": uuid}),
    )
}

/// A static mock's answers: examples and placeholders, no state, no checks but header presence.
fn mock(path: &str, operation: bool, missing_header: bool) -> Answer {
    if missing_header {
        let placeholder = json!({"type": "string", "code": "string", "details": "string", "location": "string", "moreInfo": "string", "timestamp": "string", "uuid": "string"});
        return json_answer(400, placeholder);
    }
    if path.ends_with("/oauth/token") {
        return json_answer(
            200,
            json!({"access_token": "string", "token_type": "Bearer", "expires_in": 0, "scope": "string"}),
        );
    }
    if !operation {
        return Answer {
            status: 404,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        };
    }
    if path.ends_with("/certified-phone") {
        return json_answer(
            200,
            json!({"phoneCountryCode": "string", "phoneNumber": "string"}),
        );
    }
    if path.ends_with("/otp/generate") {
        let mut answer = json_answer(200, json!({"oneTimePasswordToken": "ABC"}));
        answer
            .headers
            .insert("sid", HeaderValue::from_static("string"));
        return answer;
    }
    let status = if path.contains("/rao/") { 204 } else { 200 };
    Answer {
        status,
        headers: HeaderMap::new(),
        body: Bytes::new(),
    }
}
