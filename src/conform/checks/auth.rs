//! `auth.*`: docs/BEHAVIOUR.md "Issuing tokens", "Authentication",
//! "Access" and "Token endpoint lockout".

use super::{check, Check};
use crate::conform::exchange::{fail, Exchange, Step};
use crate::conform::kit::{random_id, Kit};
use crate::conform::target::header_map;
use crate::contract::Operation;
use base64::{engine::general_purpose::STANDARD, Engine};
use hyper::header::HeaderValue;
use hyper::HeaderMap;
use serde_json::json;

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "auth.token",
            "issuing-tokens",
            "client credentials in the form or HTTP Basic: 200 {access_token, token_type Bearer, expires_in, scope}, no-store; refusals as RFC 6749 section 5.2",
            token
        ),
        check!(
            "auth.bearer",
            "authentication",
            "no credential, a forged token, or Basic instead of a bearer token: 401 unAuthorized",
            bearer
        ),
        check!(
            "auth.client-binding",
            "authentication",
            "the token of another client_id, or an X-IBM-Client-Id other than client_id: 401 unAuthorized",
            client_binding
        ),
        check!(
            "auth.access",
            "access",
            "a countryCode, businessCode or channelId the client is not registered for: 403 accessNotConfigured",
            access
        ),
    ]
}

/// Runs after every other check that needs a token: it locks the kit's client.
pub fn last() -> Vec<Check> {
    vec![check!(
            "auth.token.lockout",
            "token-endpoint-lockout",
            "after 10 failed authentications of a client_id in a minute: 429 with Retry-After and an RFC 6749 body, the right secret included, until the minute ends",
            lockout
        )]
}

/// The RFC 6749 error of a token refusal must be `error`.
fn oauth_error(answer: &Exchange, status: u16, error: &str, what: &str) -> Step {
    if answer.status == status && answer.field("error").as_deref() == Some(error) {
        return Ok(());
    }
    fail(
        format!("{what}: {status} {{\"error\": \"{error}\"}}"),
        answer.describe(),
    )
}

async fn token(kit: &Kit) -> Step {
    let answer = kit
        .request_token(&kit.options.identity.client_secret)
        .await?;
    answer.expect_status(&[200], "client credentials in the form")?;
    let json = answer.json().unwrap_or_default();
    let shaped = json["access_token"].as_str().is_some_and(|t| !t.is_empty())
        && json["token_type"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("bearer"))
        && json["expires_in"].as_i64().is_some_and(|n| n > 0);
    if !shaped {
        return fail(
            "200 {access_token, token_type: Bearer, expires_in > 0, scope}",
            answer.describe(),
        );
    }
    if !answer
        .header("cache-control")
        .is_some_and(|v| v.contains("no-store"))
    {
        return fail(
            "Cache-Control: no-store on the token (RFC 6749 §5.1)",
            format!("Cache-Control {:?}", answer.header("cache-control")),
        );
    }
    let wrong = kit.request_token(&random_id("wrong-")).await?;
    oauth_error(&wrong, 401, "invalid_client", "a wrong client_secret")?;
    basic(kit).await?;
    let form = "grant_type=password&username=a&password=b";
    let headers = header_map(&[("Content-Type", "application/x-www-form-urlencoded")]);
    let answer = kit
        .call(
            kit.op("issueToken"),
            &headers,
            Some(form.as_bytes().to_vec()),
        )
        .await?;
    oauth_error(
        &answer,
        400,
        "unsupported_grant_type",
        "grant_type=password",
    )
}

async fn basic(kit: &Kit) -> Step {
    let id = &kit.options.identity;
    let credentials = STANDARD.encode(format!("{}:{}", id.client_id, id.client_secret));
    let headers = header_map(&[
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Authorization", &format!("Basic {credentials}")),
    ]);
    let answer = kit
        .call(
            kit.op("issueToken"),
            &headers,
            Some(b"grant_type=client_credentials".to_vec()),
        )
        .await?;
    answer.expect_status(&[200], "client credentials in HTTP Basic (RFC 6749 §2.3.1)")
}

/// Each OTP operation with valid headers and a body the gate would pass.
async fn operations(kit: &Kit) -> Step<Vec<(&'static Operation, HeaderMap, Option<Vec<u8>>)>> {
    let phone = kit.rao_phone_json(&kit.fresh_rao_phone())?;
    let rao = |id: &str, body: Option<serde_json::Value>| {
        (kit.op(id), body.map(|b| b.to_string().into_bytes()))
    };
    let mut list = Vec::new();
    for (op, body) in [
        rao("generateRaoOtp", Some(phone.clone())),
        rao(
            "validateRaoOtp",
            Some(json!({"encryptedOtpToken": kit.seal("123456")?, "phone": phone})),
        ),
        rao("getCertifiedPhone", None),
    ] {
        list.push((op, kit.rao_headers(&random_id("conform-")).await?, body));
    }
    let tm = kit
        .tm_body(&random_id("cust"), &kit.fresh_number())
        .to_string()
        .into_bytes();
    list.push((
        kit.op("generateTelemarketingOtp"),
        kit.tm_headers(None).await?,
        Some(tm),
    ));
    let validate = json!({"customerId": "c1", "oneTimePasswordToken": "ABC12345678"})
        .to_string()
        .into_bytes();
    list.push((
        kit.op("validateTelemarketingOtp"),
        kit.tm_headers(Some(&random_id("conform-"))).await?,
        Some(validate),
    ));
    Ok(list)
}

/// Each operation with `name` set to `value` (or removed when `None`) must be refused with `code`.
async fn refused_with(
    kit: &Kit,
    name: &'static str,
    value: Option<&str>,
    code: &str,
    what: &str,
) -> Step {
    for (op, mut headers, body) in operations(kit).await? {
        match value.and_then(|v| HeaderValue::from_str(v).ok()) {
            Some(value) => headers.insert(name, value),
            None => headers.remove(name),
        };
        let answer = kit.call(op, &headers, body).await?;
        answer.expect_error(&format!("{} with {what}", op.id), code, None)?;
    }
    Ok(())
}

async fn bearer(kit: &Kit) -> Step {
    refused_with(
        kit,
        "Authorization",
        None,
        "unAuthorized",
        "no Authorization",
    )
    .await?;
    refused_with(
        kit,
        "Authorization",
        Some("Bearer not-a-token"),
        "unAuthorized",
        "a forged bearer token",
    )
    .await?;
    let basic = format!("Basic {}", STANDARD.encode("sandbox:sandbox-secret"));
    refused_with(
        kit,
        "Authorization",
        Some(&basic),
        "unAuthorized",
        "Basic credentials instead of a bearer token",
    )
    .await
}

async fn client_binding(kit: &Kit) -> Step {
    let other = random_id("someone-else-");
    refused_with(
        kit,
        "client_id",
        Some(&other),
        "unAuthorized",
        "the token of another client_id",
    )
    .await?;
    refused_with(
        kit,
        "X-IBM-Client-Id",
        Some(&other),
        "unAuthorized",
        "an X-IBM-Client-Id other than client_id",
    )
    .await
}

async fn access(kit: &Kit) -> Step {
    refused_with(
        kit,
        "countryCode",
        Some("ZZ"),
        "accessNotConfigured",
        "countryCode ZZ",
    )
    .await?;
    refused_with(
        kit,
        "businessCode",
        Some("ZZZ"),
        "accessNotConfigured",
        "businessCode ZZZ",
    )
    .await?;
    refused_with(
        kit,
        "channelId",
        Some("ZZZZ"),
        "accessNotConfigured",
        "channelId ZZZZ",
    )
    .await
}

async fn lockout(kit: &Kit) -> Step {
    let limit = kit.options.policy.token_failures_per_minute;
    let mut last = String::from("no answer");
    for attempt in 1..=limit + 1 {
        let answer = kit.request_token(&random_id("wrong-")).await?;
        if answer.status == 429 {
            return locked(kit, &answer, attempt).await;
        }
        oauth_error(
            &answer,
            401,
            "invalid_client",
            &format!("failed authentication {attempt}"),
        )?;
        last = answer.describe();
    }
    fail(
        format!(
            "429 with Retry-After by failed authentication {} of one client_id within a minute",
            limit + 1
        ),
        format!("failed authentication {}: {last}", limit + 1),
    )
}

/// A 429 must carry Retry-After and an RFC 6749 body, and hold for the right secret too.
async fn locked(kit: &Kit, answer: &Exchange, attempt: u32) -> Step {
    let retry = answer
        .header("retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok());
    if retry.is_none() || answer.field("error").is_none() {
        return fail(
            "429 with Retry-After (seconds) and an RFC 6749 body {\"error\": …}",
            format!(
                "at attempt {attempt}: {}; Retry-After {:?}",
                answer.describe(),
                answer.header("retry-after")
            ),
        );
    }
    let right = kit
        .request_token(&kit.options.identity.client_secret)
        .await?;
    let held = right.expect_status(
        &[429],
        "the right client_secret while the client is locked (until the minute ends)",
    );
    let release = retry.unwrap_or(60).max(60) + 1;
    kit.note_lockout(false);
    if kit.has_clock().await {
        kit.advance(release).await?;
        kit.note_lockout(true);
    }
    held
}
