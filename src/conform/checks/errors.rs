//! `errors.*`: the error catalogue — every documented row reachable on
//! demand in a sandbox (`Prefer: error=`), and every answer the kit saw in
//! the whole run a documented one: status, schema, the (status, `type`,
//! `code`) row of `x-error-codes`, declared headers, the full envelope.

use super::{check, Check};
use crate::conform::exchange::{fail, skip, Exchange, Step};
use crate::conform::kit::{random_id, Kit};
use crate::contract::{Api, Operation};
use hyper::header::HeaderValue;
use hyper::HeaderMap;
use serde_json::json;

pub fn checks() -> Vec<Check> {
    vec![check!(
            "errors.prefer",
            "forced-errors",
            "Prefer: error=<code> answers that documented row and changes nothing; an undocumented code: 400 invalidRequest at Prefer",
            prefer
        )]
}

/// Runs last: it reads what every other check saw.
pub fn last() -> Vec<Check> {
    vec![check!(
            "errors.responses",
            "documented-answers",
            "every answer of the run documented: status, schema, x-error-codes row, declared headers, the full ErrorResponse",
            responses
        )]
}

/// A request of `op` the gate would pass, for a fresh phone.
async fn valid_request(
    kit: &Kit,
    op: &'static Operation,
    number: &str,
) -> Step<(HeaderMap, Option<Vec<u8>>)> {
    let sid = random_id("conform-");
    let phone = kit.rao_phone_json(&crate::conform::apis::RaoPhone {
        country_code: kit.options.country_code.clone(),
        number: number.into(),
        fixed_otp: None,
    })?;
    let (headers, body) = match op.id.as_str() {
        "generateRaoOtp" => (kit.rao_headers(&sid).await?, Some(phone)),
        "validateRaoOtp" => (
            kit.rao_headers(&sid).await?,
            Some(json!({"encryptedOtpToken": kit.seal("123456")?, "phone": phone})),
        ),
        "generateTelemarketingOtp" => {
            (kit.tm_headers(None).await?, Some(kit.tm_body("c1", number)))
        }
        "validateTelemarketingOtp" => (
            kit.tm_headers(Some(&sid)).await?,
            Some(json!({"customerId": "c1", "oneTimePasswordToken": "ABC12345678"})),
        ),
        _ => (kit.rao_headers(&sid).await?, None),
    };
    Ok((headers, body.map(|b| b.to_string().into_bytes())))
}

async fn forced(kit: &Kit, op: &'static Operation, code: &str, number: &str) -> Step<Exchange> {
    let (mut headers, body) = valid_request(kit, op, number).await?;
    let prefer = HeaderValue::from_str(&format!("error=\"{code}\""))
        .or_else(|_| fail("a Prefer header for the code", code))?;
    headers.insert("prefer", prefer);
    kit.call(op, &headers, body).await
}

async fn prefer(kit: &Kit) -> Step {
    let number = kit.fresh_number();
    let ops: Vec<&'static Operation> = kit
        .contract
        .operations()
        .iter()
        .filter(|op| op.api != Api::Token)
        .collect();
    let mut first = true;
    for op in ops {
        for row in &op.errors {
            let answer = forced(kit, op, &row.code, &number).await?;
            let honoured =
                answer.header("preference-applied").is_some() || answer.status == row.status;
            if first && !honoured {
                return skip(format!(
                    "the target does not honour Prefer: error= (a sandbox feature): {}",
                    answer.describe()
                ));
            }
            first = false;
            answer.expect_error(
                &format!("{} with Prefer: error=\"{}\"", op.id, row.code),
                &row.code,
                None,
            )?;
        }
    }
    let answer = forced(kit, kit.op("generateRaoOtp"), "OTP Token Expired", &number).await?;
    answer.expect_error(
        "generateRaoOtp with Prefer: a code it does not document",
        "invalidRequest",
        Some("Prefer"),
    )?;
    unchanged(kit, &number).await
}

/// Forced errors sent nothing and left no throttle: a real send to the phone still goes out.
async fn unchanged(kit: &Kit, number: &str) -> Step {
    let recipient = format!("{}{number}", kit.options.country_code);
    if kit.readable().is_ok() {
        let sent = kit.sms_count(&recipient, false).await.unwrap_or(0)
            + kit.sms_count(number, false).await.unwrap_or(0);
        if sent > 0 {
            return fail(
                "no SMS for forced errors",
                format!("{sent} SMS to the phone"),
            );
        }
    }
    let phone = crate::conform::apis::RaoPhone {
        country_code: kit.options.country_code.clone(),
        number: number.into(),
        fixed_otp: None,
    };
    let answer = kit.rao_generate(&random_id("conform-"), &phone).await?;
    answer.expect_status(
        &[204],
        "a real generate for the phone after the forced errors (they change no state)",
    )
}

async fn responses(kit: &Kit) -> Step {
    let seen = kit.observations();
    if kit.calls() == 0 {
        return skip("no operation was called in this run (select other checks too)");
    }
    if seen.is_empty() {
        return Ok(());
    }
    // The same violation seen again and again (every token answer, say)
    // is listed once, with its count, so that the first five show variety.
    let mut kinds: Vec<(&crate::conform::kit::Observation, usize)> = Vec::new();
    for o in &seen {
        let same = |k: &crate::conform::kit::Observation| {
            (&k.operation, k.status, &k.location, &k.details)
                == (&o.operation, o.status, &o.location, &o.details)
        };
        match kinds.iter_mut().find(|(k, _)| same(k)) {
            Some((_, count)) => *count += 1,
            None => kinds.push((o, 1)),
        }
    }
    let listed: Vec<String> = kinds
        .iter()
        .take(5)
        .map(|(o, count)| {
            let times = if *count > 1 {
                format!(" (×{count})")
            } else {
                String::new()
            };
            format!(
                "[{}] {} {} {}: {}{times}",
                o.check, o.operation, o.status, o.location, o.details
            )
        })
        .collect();
    let more = if kinds.len() > 5 {
        format!("; and {} more kinds", kinds.len() - 5)
    } else {
        String::new()
    };
    fail(
        format!("every answer of the {} calls documented (status, schema, x-error-codes row, headers, full ErrorResponse)", kit.calls()),
        format!("{} violations: {}{more}", seen.len(), listed.join("; ")),
    )
}
