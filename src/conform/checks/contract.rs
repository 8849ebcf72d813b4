//! `contract.*`: docs/BEHAVIOUR.md "Every request" and the generate rules —
//! every
//! required header, JSON well-formedness, types, required fields, patterns,
//! lengths and `format: byte` answered `400 invalidRequest` with `location`
//! naming the header or field, and every error of every layer the spec's
//! `ErrorResponse`.

use super::{check, Check};
use crate::conform::exchange::{envelope, fail, Exchange, Step};
use crate::conform::kit::{random_id, Kit};
use crate::contract::Operation;
use base64::{engine::general_purpose::STANDARD, Engine};
use hyper::{HeaderMap, Method};
use serde_json::json;

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "contract.rao.required-headers",
            "required-headers",
            "each required header left out in turn: 400 invalidRequest at the header's name",
            rao_required_headers
        ),
        check!(
            "contract.telemarketing.required-headers",
            "required-headers",
            "each required header left out in turn: 400 invalidRequest at the header's name",
            tm_required_headers
        ),
        check!(
            "contract.rao.body",
            "request-bodies",
            "a body that breaks the schema (JSON, type, required, pattern, maxLength, format: byte): 400 invalidRequest at the field's dotted path",
            rao_body
        ),
        check!(
            "contract.rao.phone-number",
            "rao-generate",
            "an encryptedPhoneNumber that does not decrypt to 4-15 digits: 400 invalidRequest at encryptedPhoneNumber",
            rao_phone_number
        ),
        check!(
            "contract.telemarketing.body",
            "telemarketing-generate",
            "phoneNumber of 4-15 digits, a customerId, only the listed message characters, the schema: else 400 invalidRequest naming the field",
            tm_body
        ),
        check!(
            "contract.telemarketing.sms-length",
            "sms-length",
            "messagePrefix, the OTP and messageSuffix over 140 characters: 400 invalidRequest",
            tm_sms_length
        ),
        check!(
            "contract.ascii-digits",
            "ascii-digits-only",
            "digits of other scripts (Arabic-Indic, full-width) are bad input: 400 invalidRequest at the field",
            ascii_digits
        ),
        check!(
            "contract.duplicate-keys",
            "duplicate-json-keys",
            "a key twice in a JSON body: 400 invalidRequest naming the key",
            duplicate_keys
        ),
        check!(
            "contract.envelope",
            "error-responses",
            "an unknown path, a wrong method, a too-large body: the full ErrorResponse JSON, never plain text, never a 500",
            edge_envelope
        ),
    ]
}

/// Headers a missing one of which is an authentication failure (401), not a contract one.
const CREDENTIALS: [&str; 2] = ["client_id", "Authorization"];

/// Each required header left out in turn: `400 invalidRequest` at its name.
async fn without_each_header(
    kit: &Kit,
    op: &'static Operation,
    headers: &HeaderMap,
    body: Option<Vec<u8>>,
) -> Step {
    let required = op
        .headers
        .iter()
        .filter(|h| h.required && !CREDENTIALS.contains(&h.name.as_str()));
    for param in required {
        let mut partial = headers.clone();
        partial.remove(param.name.as_str());
        let answer = kit.call(op, &partial, body.clone()).await?;
        let what = format!("{} without the {} header", op.id, param.name);
        answer.expect_error(&what, "invalidRequest", Some(&param.name))?;
    }
    Ok(())
}

async fn rao_required_headers(kit: &Kit) -> Step {
    let phone = kit.fresh_rao_phone();
    let generate = kit.rao_phone_json(&phone)?;
    let validate = json!({"encryptedOtpToken": kit.seal("123456")?, "phone": generate});
    let cases = [
        ("generateRaoOtp", Some(generate)),
        ("validateRaoOtp", Some(validate)),
        ("getCertifiedPhone", None),
    ];
    for (id, body) in cases {
        let headers = kit.rao_headers(&random_id("conform-")).await?;
        let body = body.map(|b| b.to_string().into_bytes());
        without_each_header(kit, kit.op(id), &headers, body).await?;
    }
    Ok(())
}

async fn tm_required_headers(kit: &Kit) -> Step {
    let generate = kit
        .tm_body(&random_id("cust"), &kit.fresh_number())
        .to_string();
    let headers = kit.tm_headers(None).await?;
    without_each_header(
        kit,
        kit.op("generateTelemarketingOtp"),
        &headers,
        Some(generate.into_bytes()),
    )
    .await?;
    let validate = json!({"customerId": "c1", "oneTimePasswordToken": "ABC12345678"}).to_string();
    let headers = kit.tm_headers(Some(&random_id("conform-"))).await?;
    without_each_header(
        kit,
        kit.op("validateTelemarketingOtp"),
        &headers,
        Some(validate.into_bytes()),
    )
    .await
}

/// Sends each `(body, location)` to `op`: `400 invalidRequest` at `location`.
async fn bad_bodies(
    kit: &Kit,
    op: &'static Operation,
    headers: &HeaderMap,
    cases: Vec<(String, &str, &str)>,
) -> Step {
    for (body, location, what) in cases {
        let answer = kit.call(op, headers, Some(body.into_bytes())).await?;
        answer.expect_error(
            &format!("{} with {what}", op.id),
            "invalidRequest",
            Some(location),
        )?;
    }
    Ok(())
}

async fn rao_body(kit: &Kit) -> Step {
    let number = kit.seal(&kit.fresh_number())?;
    let gen = |cc: serde_json::Value, n: serde_json::Value| {
        json!({"phoneCountryCode": cc, "encryptedPhoneNumber": n}).to_string()
    };
    let generate = vec![
        (
            gen(json!("52"), json!(number)),
            "phoneCountryCode",
            "phoneCountryCode without + (pattern)",
        ),
        (
            gen(json!("+12345"), json!(number)),
            "phoneCountryCode",
            "a 6-character phoneCountryCode (maxLength 5)",
        ),
        (
            gen(json!(52), json!(number)),
            "phoneCountryCode",
            "a number for phoneCountryCode (type)",
        ),
        (
            gen(json!("+52"), json!("%%not base64%%")),
            "encryptedPhoneNumber",
            "encryptedPhoneNumber not base64 (format: byte)",
        ),
        (
            json!({"phoneCountryCode": "+52"}).to_string(),
            "encryptedPhoneNumber",
            "no encryptedPhoneNumber (required)",
        ),
        (
            "{\"phoneCountryCode\": \"+52\",".into(),
            "body",
            "malformed JSON",
        ),
        ("[]".into(), "body", "an array for a body"),
        (String::new(), "body", "no body"),
    ];
    bad_bodies(
        kit,
        kit.op("generateRaoOtp"),
        &kit.rao_headers(&random_id("conform-")).await?,
        generate,
    )
    .await?;
    let phone = json!({"phoneCountryCode": "52", "encryptedPhoneNumber": number});
    let validate = vec![
        (
            json!({"encryptedOtpToken": kit.seal("123456")?, "phone": phone}).to_string(),
            "phone.phoneCountryCode",
            "phone.phoneCountryCode without + (nested pattern)",
        ),
        (
            json!({"phone": {"phoneCountryCode": "+52", "encryptedPhoneNumber": number}})
                .to_string(),
            "encryptedOtpToken",
            "no encryptedOtpToken (required)",
        ),
        (
            json!({"encryptedOtpToken": kit.seal("123456")?}).to_string(),
            "phone",
            "no phone (required)",
        ),
    ];
    bad_bodies(
        kit,
        kit.op("validateRaoOtp"),
        &kit.rao_headers(&random_id("conform-")).await?,
        validate,
    )
    .await
}

async fn rao_phone_number(kit: &Kit) -> Step {
    let mut garbage = [0u8; 40];
    let _ = getrandom::fill(&mut garbage);
    garbage[0] = 0xff; // never UTF-8, never a valid AES-GCM ciphertext of ours
    let cases = [
        (kit.seal("123")?, "a number of 3 digits"),
        (kit.seal("5512345678901234")?, "a number of 16 digits"),
        (kit.seal("55abcd5678")?, "a number with letters"),
        (
            STANDARD.encode(garbage),
            "a value the client's cipher cannot decrypt",
        ),
    ];
    let headers = kit.rao_headers(&random_id("conform-")).await?;
    for (sealed, what) in cases {
        let body =
            json!({"phoneCountryCode": kit.options.country_code, "encryptedPhoneNumber": sealed})
                .to_string();
        let answer = kit
            .call(kit.op("generateRaoOtp"), &headers, Some(body.into_bytes()))
            .await?;
        answer.expect_error(
            &format!("generateRaoOtp with {what}"),
            "invalidRequest",
            Some("encryptedPhoneNumber"),
        )?;
    }
    Ok(())
}

async fn tm_body(kit: &Kit) -> Step {
    let phone = kit.fresh_number();
    let body = |customer: &str, phone: &str, prefix: &str| {
        json!({"customerId": customer, "phoneNumber": phone, "messagePrefix": prefix, "messageSuffix": "Reply HELP"}).to_string()
    };
    let generate = vec![
        (
            body("c1", "55ab123456", "Code"),
            "phoneNumber",
            "letters in phoneNumber (pattern)",
        ),
        (
            body("c1", "123", "Code"),
            "phoneNumber",
            "a phoneNumber of 3 digits",
        ),
        (
            body("c1", "1234567890123456", "Code"),
            "phoneNumber",
            "a phoneNumber of 16 digits",
        ),
        (
            body("", &phone, "Code"),
            "customerId",
            "an empty customerId (minLength 1)",
        ),
        (
            body("c1", &phone, "Code; = not allowed"),
            "messagePrefix",
            "characters the spec does not list in messagePrefix",
        ),
        (
            json!({"customerId": "c1", "phoneNumber": phone}).to_string(),
            "messagePrefix",
            "no messagePrefix (required)",
        ),
        ("{\"customerId\":".into(), "body", "malformed JSON"),
    ];
    bad_bodies(
        kit,
        kit.op("generateTelemarketingOtp"),
        &kit.tm_headers(None).await?,
        generate,
    )
    .await?;
    let otp = |token: serde_json::Value| {
        json!({"customerId": "c1", "oneTimePasswordToken": token}).to_string()
    };
    let validate = vec![
        (
            otp(json!("ABC")),
            "oneTimePasswordToken",
            "a 3-character oneTimePasswordToken (minLength 11)",
        ),
        (
            otp(json!("ABCDEFGHIJ!")),
            "oneTimePasswordToken",
            "a symbol in oneTimePasswordToken (pattern)",
        ),
        (
            otp(json!(12345678901u64)),
            "oneTimePasswordToken",
            "a number for oneTimePasswordToken (type)",
        ),
        (
            json!({"oneTimePasswordToken": "ABC12345678"}).to_string(),
            "customerId",
            "no customerId (required)",
        ),
    ];
    bad_bodies(
        kit,
        kit.op("validateTelemarketingOtp"),
        &kit.tm_headers(Some(&random_id("conform-"))).await?,
        validate,
    )
    .await
}

async fn tm_sms_length(kit: &Kit) -> Step {
    let body = json!({
        "customerId": random_id("cust"),
        "phoneNumber": kit.fresh_number(),
        "messagePrefix": "A".repeat(100),
        "messageSuffix": "B".repeat(40),
    });
    let answer = kit.tm_generate_raw(body).await?;
    answer.expect_error(
        "generateTelemarketingOtp whose SMS would be 153 characters",
        "invalidRequest",
        None,
    )
}

async fn ascii_digits(kit: &Kit) -> Step {
    let number = kit.seal(&kit.fresh_number())?;
    let arabic =
        json!({"phoneCountryCode": "+\u{665}\u{662}", "encryptedPhoneNumber": number}).to_string();
    let headers = kit.rao_headers(&random_id("conform-")).await?;
    let answer = kit
        .call(
            kit.op("generateRaoOtp"),
            &headers,
            Some(arabic.into_bytes()),
        )
        .await?;
    answer.expect_error(
        "generateRaoOtp with Arabic-Indic digits in phoneCountryCode (+٥٢)",
        "invalidRequest",
        Some("phoneCountryCode"),
    )?;
    let wide = kit
        .seal("\u{ff15}\u{ff15}\u{ff11}\u{ff12}\u{ff13}\u{ff14}\u{ff15}\u{ff16}\u{ff17}\u{ff18}")?;
    let body = json!({"phoneCountryCode": kit.options.country_code, "encryptedPhoneNumber": wide})
        .to_string();
    let answer = kit
        .call(kit.op("generateRaoOtp"), &headers, Some(body.into_bytes()))
        .await?;
    answer.expect_error(
        "generateRaoOtp whose number decrypts to full-width digits",
        "invalidRequest",
        Some("encryptedPhoneNumber"),
    )?;
    let wide = kit.tm_body(
        &random_id("cust"),
        "\u{ff15}\u{ff15}\u{ff11}\u{ff12}\u{ff13}\u{ff14}\u{ff15}\u{ff16}",
    );
    kit.tm_generate_raw(wide).await?.expect_error(
        "generateTelemarketingOtp with full-width digits in phoneNumber",
        "invalidRequest",
        Some("phoneNumber"),
    )
}

async fn duplicate_keys(kit: &Kit) -> Step {
    let number = kit.seal(&kit.fresh_number())?;
    let body = format!(
        r#"{{"phoneCountryCode":"+52","phoneCountryCode":"+1","encryptedPhoneNumber":"{number}"}}"#
    );
    let headers = kit.rao_headers(&random_id("conform-")).await?;
    let answer = kit
        .call(kit.op("generateRaoOtp"), &headers, Some(body.into_bytes()))
        .await?;
    names_key(
        &answer,
        "generateRaoOtp with phoneCountryCode twice",
        "phoneCountryCode",
    )?;
    let body = r#"{"customerId":"c1","customerId":"c2","oneTimePasswordToken":"ABC12345678"}"#;
    let headers = kit.tm_headers(Some(&random_id("conform-"))).await?;
    let answer = kit
        .call(
            kit.op("validateTelemarketingOtp"),
            &headers,
            Some(body.as_bytes().to_vec()),
        )
        .await?;
    names_key(
        &answer,
        "validateTelemarketingOtp with customerId twice",
        "customerId",
    )
}

/// `400 invalidRequest` whose location or details name `key`.
fn names_key(answer: &Exchange, what: &str, key: &str) -> Step {
    answer.expect_error(what, "invalidRequest", None)?;
    let named = [answer.field("location"), answer.field("details")]
        .into_iter()
        .flatten()
        .any(|t| t.contains(key));
    if named {
        return Ok(());
    }
    fail(
        format!("{what}: 400 invalidRequest naming {key}"),
        answer.describe(),
    )
}

async fn edge_envelope(kit: &Kit) -> Step {
    let headers = kit.rao_headers(&random_id("conform-")).await?;
    let generate = kit.op("generateRaoOtp");
    let unknown = format!(
        "{}/nothing-here",
        generate.path.rsplit_once('/').map_or("", |p| p.0)
    );
    let huge = format!("[\"{}\"]", "x".repeat(200 << 10));
    let cases = [
        (Method::POST, unknown, None, "an unknown path", &[404][..]),
        (
            Method::GET,
            generate.path.clone(),
            None,
            "GET on a POST operation",
            &[404, 405][..],
        ),
        (
            Method::POST,
            generate.path.clone(),
            Some(huge.into_bytes()),
            "a 200 KiB body",
            &[400, 413][..],
        ),
    ];
    // A server may answer a too-large body before reading it and then close
    // the connection: ask for that, so no later request reuses it.
    let mut headers = headers;
    headers.insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    for (method, path, body, what, statuses) in cases {
        let answer = kit.target.send(method, &path, &headers, body, None).await?;
        answer.expect_status(statuses, &format!("{what}: an ErrorResponse of status"))?;
        if let Err(problem) = envelope(&answer) {
            return fail(
                format!("{what}: the full ErrorResponse"),
                format!("{}; {problem}", answer.describe()),
            );
        }
    }
    Ok(())
}
