//! Property test: arbitrary headers and JSON thrown at every operation never
//! get a 5xx, a panic or a body that is not the spec's envelope.

use crate::support::*;
use otp_server::contract::Contract;
use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

/// Every operation of the registry, as (method, path): a new operation is
/// fuzzed without an edit here.
fn operations() -> Vec<(reqwest::Method, String)> {
    Contract::get()
        .unwrap()
        .operations()
        .iter()
        .map(|op| (op.method.parse().unwrap(), op.path.clone()))
        .collect()
}

const HEADER_NAMES: [&str; 14] = [
    "client_id",
    "Authorization",
    "Accept",
    "uuid",
    "Accept-Language",
    "Content-Type",
    "countryCode",
    "businessCode",
    "channelId",
    "sid",
    "X-IBM-Client-Id",
    "Prefer",
    "Content-Length",
    "X-Other",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[ -~ñá¿]{0,24}".prop_map(Value::from),
        Just(Value::from("NTUxMjM0NTY3OA==")),
        Just(Value::from("+52")),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("phoneCountryCode".to_owned()),
                    Just("encryptedPhoneNumber".to_owned()),
                    Just("encryptedOtpToken".to_owned()),
                    Just("phone".to_owned()),
                    Just("customerId".to_owned()),
                    Just("phoneNumber".to_owned()),
                    Just("messagePrefix".to_owned()),
                    Just("messageSuffix".to_owned()),
                    Just("oneTimePasswordToken".to_owned()),
                    "[a-z]{1,8}",
                ],
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Real headers with random values, some left out, some garbled.
fn header_set(valid: HeaderMap) -> impl Strategy<Value = Vec<(String, String, bool)>> {
    let valid: Vec<(String, String)> = valid
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    prop::collection::vec(
        (
            prop::sample::select(HEADER_NAMES.to_vec()),
            "[ -~]{0,30}",
            any::<bool>(),
        ),
        0..8,
    )
    .prop_map(move |random| {
        let mut all: Vec<(String, String, bool)> = valid
            .iter()
            .map(|(k, v)| (k.clone(), v.clone(), false))
            .collect();
        all.extend(
            random
                .into_iter()
                .map(|(k, v, drop)| (k.to_owned(), v, drop)),
        );
        all
    })
}

fn build_headers(set: &[(String, String, bool)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value, drop) in set {
        let Ok(name) = HeaderName::from_bytes(name.as_bytes()) else {
            continue;
        };
        if *drop {
            headers.remove(&name);
        } else if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
    headers
}

#[test]
fn arbitrary_requests_get_an_envelope_and_never_a_5xx() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (server, valid) = runtime.block_on(async {
        let server = TestServer::start().await;
        let mut valid = server.rao_headers("sandbox", "fuzz").await;
        valid.insert("accept-language", HeaderValue::from_static("en-US"));
        (server, valid)
    });
    let config = ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let operations = operations();
    proptest!(config, |(op in 0..operations.len(), headers in header_set(valid.clone()), body in prop::option::of(json_value()))| {
        let headers = build_headers(&headers);
        let (method, path) = &operations[op];
        let (status, content_type, text) = runtime.block_on(async {
            let mut request = server.http.request(method.clone(), server.url(path)).headers(headers);
            if let Some(body) = &body {
                request = request.body(body.to_string());
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap_or("").to_owned());
            (status, content_type, response.text().await.unwrap())
        });
        prop_assert!(status < 500, "{path} answered {status}: {text}");
        if status >= 400 {
            prop_assert_eq!(content_type.as_deref(), Some("application/json"));
            let json: Value = serde_json::from_str(&text).unwrap();
            // The token endpoint answers RFC 6749 errors; hyper-level rejections
            // (before any operation) are ErrorResponses everywhere.
            let oauth = path.ends_with("/token") && json["error"].is_string();
            prop_assert!(oauth || json["code"].is_string(), "not an envelope: {text}");
        }
    });
}
