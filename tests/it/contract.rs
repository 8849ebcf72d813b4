//! The edge and the contract gate: what the spec says about headers and
//! bodies, and the answers the generated router would give on its own.

use crate::support::*;
use reqwest::header::HeaderValue;
use reqwest::Method;
use serde_json::{json, Value};

async fn error_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, "application/json");
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn body_rules_name_the_dotted_field() {
    let server = TestServer::start().await;
    let h = server.rao_headers("sandbox", "contract").await;
    let path = format!("{RAO}/validate");
    let phone = |cc: &str, n: Value| json!({"phoneCountryCode": cc, "encryptedPhoneNumber": n});
    let cases = [
        (json!({"encryptedOtpToken": "MTIz"}), "phone"),
        (
            json!({"phone": phone("+52", "NTU=".into())}),
            "encryptedOtpToken",
        ),
        (
            json!({"encryptedOtpToken": "MTIz", "phone": phone("52", "NTU=".into())}),
            "phone.phoneCountryCode",
        ),
        (
            json!({"encryptedOtpToken": "MTIz", "phone": phone("+52123", "NTU=".into())}),
            "phone.phoneCountryCode",
        ),
        (
            json!({"encryptedOtpToken": "MTIz", "phone": phone("+52", "not base64!".into())}),
            "phone.encryptedPhoneNumber",
        ),
        (
            json!({"encryptedOtpToken": "MTIz", "phone": phone("+52", 42.into())}),
            "phone.encryptedPhoneNumber",
        ),
        (
            json!({"encryptedOtpToken": ["MTIz"], "phone": phone("+52", "NTU=".into())}),
            "encryptedOtpToken",
        ),
        (json!([1, 2]), "body"),
    ];
    for (body, location) in cases {
        let response = server.post(&path, &h, Some(body.clone())).await;
        assert_error(response, 400, "error", "invalidRequest", location).await;
    }
    let tm = server.tm_headers("sandbox").await;
    let mut body = tm_body("c", "12ab");
    let response = server
        .post(&format!("{TM}/generate"), &tm, Some(body.clone()))
        .await;
    assert_error(response, 400, "invalid", "invalidRequest", "phoneNumber").await;
    body["phoneNumber"] = "5512345678".into();
    body["messageSuffix"] = "Reply with a dot.".into();
    let response = server
        .post(&format!("{TM}/generate"), &tm, Some(body))
        .await;
    assert_error(response, 400, "invalid", "invalidRequest", "messageSuffix").await;
}

#[tokio::test]
async fn malformed_json_empty_body_and_wrong_media_type() {
    let server = TestServer::start().await;
    let h = server.rao_headers("sandbox", "contract-json").await;
    let url = server.url(&format!("{RAO}/generate"));
    for (body, location) in [
        ("{\"phoneCountryCode\":", "body"),
        ("", "body"),
        ("   ", "body"),
    ] {
        let response = server
            .http
            .post(&url)
            .headers(h.clone())
            .body(body)
            .send()
            .await
            .unwrap();
        assert_error(response, 400, "error", "invalidRequest", location).await;
    }
    let mut text = h.clone();
    text.insert("content-type", HeaderValue::from_static("text/plain"));
    let response = server
        .post(
            &format!("{RAO}/generate"),
            &text,
            Some(rao_phone_body("5512345678")),
        )
        .await;
    assert_error(response, 400, "error", "invalidRequest", "Content-Type").await;
}

#[tokio::test]
async fn oversized_body_is_refused_without_reading_it_all() {
    let server = TestServer::start().await;
    let h = server.rao_headers("sandbox", "contract-size").await;
    let body = format!(
        "{{\"phoneCountryCode\":\"+52\",\"encryptedPhoneNumber\":\"{}\"}}",
        "A".repeat(70_000)
    );
    let response = server
        .http
        .post(server.url(&format!("{RAO}/generate")))
        .headers(h)
        .body(body)
        .send()
        .await
        .unwrap();
    let error = assert_error(response, 400, "error", "invalidRequest", "body").await;
    assert!(
        error["details"].as_str().unwrap().contains("65536"),
        "{error}"
    );
}

#[tokio::test]
async fn unknown_path_and_wrong_method_are_error_responses() {
    let server = TestServer::start().await;
    let h = server.rao_headers("sandbox", "contract-path").await;
    let (status, body) = error_of(server.post("/api/v1/nothing-here", &h, None).await).await;
    assert_eq!(
        (status, body["code"].as_str(), body["location"].as_str()),
        (404, Some("resourceNotFound"), Some("path"))
    );
    assert_eq!(body["uuid"], RAO_UUID);

    let response = server
        .request(Method::GET, &format!("{RAO}/generate"), &h, None)
        .await;
    assert_eq!(response.headers()["allow"], "POST");
    let (status, body) = error_of(response).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (405, Some("methodNotAllowed"))
    );
    for field in ["type", "details", "location", "moreInfo", "timestamp"] {
        assert!(body[field].is_string(), "{field} in {body}");
    }
}

#[tokio::test]
async fn authentication_comes_first_and_names_the_credential() {
    let server = TestServer::start().await;
    let h = server.rao_headers("sandbox", "contract-auth").await;
    let path = format!("{RAO}/certified-phone");
    let other = server.token("sandbox-aes").await;
    let cases: [(&str, &str, &str); 5] = [
        (
            "authorization",
            "Basic c2FuZGJveDpzYW5kYm94LXNlY3JldA==",
            "Authorization",
        ),
        (
            "authorization",
            "Bearer v1.c2FuZGJveA.9999999999.AAAA",
            "Authorization",
        ),
        ("authorization", &format!("Bearer {other}"), "Authorization"),
        ("client_id", "nobody", "client_id"),
        ("x-ibm-client-id", "sandbox-aes", "X-IBM-Client-Id"),
    ];
    for (name, value, location) in cases {
        let mut headers = h.clone();
        headers.insert(name, HeaderValue::from_str(value).unwrap());
        headers.remove("sid"); // a 401 wins over a 400
        assert_error(
            server.post(&path, &headers, None).await,
            401,
            "error",
            "unAuthorized",
            location,
        )
        .await;
    }
    let mut matching = h.clone();
    matching.insert("x-ibm-client-id", HeaderValue::from_static("sandbox"));
    assert_error(
        server.post(&path, &matching, None).await,
        404,
        "error",
        "resourceNotFound",
        "sid",
    )
    .await;
}

#[tokio::test]
async fn access_is_per_api_and_channel() {
    let server = TestServer::start().await;
    let rao = server.rao_headers("web-rao-only", "contract-access").await;
    let response = server
        .post(&format!("{RAO}/certified-phone"), &rao, None)
        .await;
    assert_error(response, 403, "error", "accessNotConfigured", "channelId").await;
    let tm = server.tm_headers("web-rao-only").await;
    let response = server
        .post(
            &format!("{TM}/generate"),
            &tm,
            Some(tm_body("c", "5512345678")),
        )
        .await;
    assert_error(response, 403, "invalid", "accessNotConfigured", "client_id").await;
}

#[tokio::test]
async fn health_and_outbox_endpoints() {
    let server = TestServer::start().await;
    let live = server
        .http
        .get(server.url("/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    let ready = server
        .http
        .get(server.url("/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let bad = server
        .http
        .get(server.url("/sandbox/v1/sms?limit=0"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

/// Requests hyper rejects before any service runs still get an `ErrorResponse`.
#[tokio::test]
async fn malformed_heads_get_an_error_response() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = TestServer::start().await;
    let many_headers: String = (0..200)
        .map(|i| format!("X{i}: {}\r\n", "a".repeat(100)))
        .collect();
    let cases = [
        (
            "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n".to_owned(),
            400,
        ),
        (
            "POST /x HTTP/1.1\r\nHost: a\r\nBad\u{1}Name: b\r\n\r\n".to_owned(),
            400,
        ),
        (
            format!("GET / HTTP/1.1\r\nHost: a\r\n{many_headers}\r\n"),
            431,
        ),
    ];
    for (request, status) in cases {
        let mut socket = tokio::net::TcpStream::connect(server.addr).await.unwrap();
        socket.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        socket.read_to_string(&mut answer).await.unwrap();
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{answer}"
        );
        let body: Value = serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
        assert_eq!(
            (body["code"].as_str(), body["location"].as_str()),
            (Some("invalidRequest"), Some("headers"))
        );
    }
}

/// Issue 18 #9: the gate and the spec agree on empty headers. For every
/// header of every OTP operation, sent empty on an otherwise valid request:
/// `400 invalidRequest` at that header exactly where the spec gives it
/// `minLength`, and never a 400 naming it where the spec allows "" (an
/// empty credential is still a 401, an empty access header a 403).
#[tokio::test]
async fn an_empty_header_is_refused_exactly_where_the_spec_says_min_length() {
    use otp_server::contract::{Api, Contract};
    let server = TestServer::start().await;
    let contract = Contract::get().unwrap();
    let mut phone = 5540000000u64;
    let mut checked = 0;
    for op in contract
        .operations()
        .iter()
        .filter(|op| op.api != Api::Token)
    {
        for param in &op.headers {
            phone += 1;
            let (mut headers, body) = if op.path.starts_with(RAO) {
                let body = match op.id.as_str() {
                    "generateRaoOtp" => Some(rao_phone_body(&phone.to_string())),
                    "validateRaoOtp" => Some(json!({
                        "encryptedOtpToken": b64("123456"),
                        "phone": rao_phone_body(&phone.to_string()),
                    })),
                    _ => None,
                };
                (server.rao_headers("sandbox", "contract-empty").await, body)
            } else {
                let mut headers = server.tm_headers("sandbox").await;
                headers.insert("sid", HeaderValue::from_static("contract-empty"));
                let body = match op.id.as_str() {
                    "generateTelemarketingOtp" => tm_body("c", &phone.to_string()),
                    _ => json!({"customerId": "c", "oneTimePasswordToken": "ABC12345678"}),
                };
                (headers, Some(body))
            };
            headers.insert(param.name.as_str(), HeaderValue::from_static(""));
            let response = server.post(&op.path, &headers, body).await;
            let status = response.status().as_u16();
            let answer: Value = response.json().await.unwrap_or(Value::Null);
            let named = status == 400 && answer["location"] == param.name.as_str();
            let refused = param.rules.min_length.is_some_and(|min| min > 0);
            assert_eq!(
                named, refused,
                "{} with an empty {}: {status} {answer}",
                op.id, param.name
            );
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked} headers checked");
}

/// The answer to an empty header the spec gives `minLength: 1`, whole.
async fn assert_empty_header_refused(response: reqwest::Response, kind: &str, name: &str) {
    let (status, body) = error_of(response).await;
    assert_eq!(status, 400, "{body}");
    let timestamp = body["timestamp"].as_str().unwrap_or_default().to_owned();
    assert!(
        chrono::DateTime::parse_from_rfc3339(&timestamp).is_ok() && timestamp.ends_with('Z'),
        "{body}"
    );
    let uuid = if kind == "error" { RAO_UUID } else { TM_UUID };
    assert_eq!(
        body,
        json!({
            "type": kind,
            "code": "invalidRequest",
            "details": format!("The {name} header must not be empty"),
            "location": name,
            "moreInfo": "Missing or invalid Parameters",
            "timestamp": timestamp,
            "uuid": uuid,
        })
    );
}

/// Issue 18 #9, header by header: an empty `Accept` or `Content-Type` says
/// nothing a request can be answered by (`minLength: 1` in the specs,
/// NORMALIZATION.md A8) and is refused with the spec's `ErrorResponse`;
/// an empty `Accept-Language` states no preference and is served.
#[tokio::test]
async fn empty_accept_and_content_type_are_refused_an_empty_accept_language_is_served() {
    let server = TestServer::start().await;
    let rao = server.rao_headers("sandbox", "contract-empty-rao").await;
    for name in ["Accept", "Content-Type"] {
        let mut headers = rao.clone();
        headers.insert(name, HeaderValue::from_static(""));
        let response = server.rao_generate(&headers, "5541000001").await;
        assert_empty_header_refused(response, "error", name).await;
        let response = server
            .post(&format!("{RAO}/certified-phone"), &headers, None)
            .await;
        assert_empty_header_refused(response, "error", name).await;
    }
    let tm = server.tm_headers("sandbox").await;
    let mut headers = tm.clone();
    headers.insert("Content-Type", HeaderValue::from_static(""));
    let response = server
        .post(
            &format!("{TM}/generate"),
            &headers,
            Some(tm_body("c", "5541000002")),
        )
        .await;
    assert_empty_header_refused(response, "invalid", "Content-Type").await;

    let mut headers = rao.clone();
    headers.insert("Accept-Language", HeaderValue::from_static(""));
    let response = server.rao_generate(&headers, "5541000003").await;
    assert_eq!(response.status(), 204);
    let mut headers = tm.clone();
    headers.insert("Accept-Language", HeaderValue::from_static(""));
    let (sid, _) = server.tm_generate(&headers, "c", "5541000004").await;
    let otp = server.last_otp("5541000004").await;
    let response = server.tm_validate(&headers, &sid, "c", &otp).await;
    assert_eq!(response.status(), 200);
}
