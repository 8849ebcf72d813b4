//! The token endpoint (RFC 6749 client credentials).

use crate::support::*;
use serde_json::Value;

async fn token_response(
    server: &TestServer,
    form: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = server.http.post(server.url(TOKEN_URL)).form(form);
    if let Some((id, secret)) = basic {
        request = request.basic_auth(id, Some(secret));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}

#[tokio::test]
async fn issues_bearer_tokens_by_form_or_basic() {
    let server = TestServer::start().await;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "sandbox"),
        ("client_secret", "sandbox-secret"),
    ];
    let (status, headers, body) = token_response(&server, &form, None).await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(
        (
            body["token_type"].as_str(),
            body["scope"].as_str(),
            body["expires_in"].as_i64()
        ),
        (Some("Bearer"), Some("/api/v1"), Some(3600))
    );

    let (status, _, body) = token_response(
        &server,
        &[("grant_type", "client_credentials"), ("scope", "/api/v1")],
        Some(("sandbox-aes", "sandbox-secret")),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_logs_free_of(&["sandbox-secret", body["access_token"].as_str().unwrap()]);
}

#[tokio::test]
async fn refusals_follow_rfc_6749() {
    let server = TestServer::start().await;
    type Form<'a> = &'a [(&'a str, &'a str)];
    let cases: [(Form, u16, &str); 5] = [
        (
            &[
                ("client_id", "sandbox"),
                ("client_secret", "sandbox-secret"),
            ],
            400,
            "invalid_request",
        ),
        (
            &[
                ("grant_type", "password"),
                ("client_id", "sandbox"),
                ("client_secret", "sandbox-secret"),
            ],
            400,
            "unsupported_grant_type",
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "sandbox"),
                ("client_secret", "sandbox-secret"),
                ("scope", "admin"),
            ],
            400,
            "invalid_scope",
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "sandbox"),
                ("client_secret", "wrong"),
            ],
            401,
            "invalid_client",
        ),
        (
            &[
                ("grant_type", "client_credentials"),
                ("client_id", "nobody"),
                ("client_secret", "sandbox-secret"),
            ],
            401,
            "invalid_client",
        ),
    ];
    for (form, status, error) in cases {
        let (got, headers, body) = token_response(&server, form, None).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(error)),
            "{body}"
        );
        if status == 401 {
            assert!(headers.contains_key("www-authenticate"));
        }
    }
    let json = server
        .http
        .post(server.url(TOKEN_URL))
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 400);
    let body: Value = json.json().await.unwrap();
    assert_eq!(body["error"], "invalid_request");
}
