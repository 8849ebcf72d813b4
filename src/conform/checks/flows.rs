//! `flows.*`: docs/BEHAVIOUR.md "RAO flow" and "Telemarketing flow" — the happy
//! paths, single use, the session's phone and customer, resends.

use super::{check, Check};
use crate::conform::exchange::{fail, skip, Step};
use crate::conform::kit::{random_id, Kit};

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "flows.rao.happy-path",
            "rao-flow",
            "generate 204 sends the OTP by SMS; validate with it 204; certified-phone 200 with the phone in clear",
            rao_happy_path
        ),
        check!(
            "flows.rao.single-use",
            "single-use",
            "the right OTP validates once; a second validate: 404 resourceNotFound",
            rao_single_use
        ),
        check!(
            "flows.rao.other-phone",
            "rao-validate",
            "the session's OTP validated for another phone: 404 resourceNotFound",
            rao_other_phone
        ),
        check!(
            "flows.rao.no-challenge",
            "rao-validate",
            "validate or certified-phone on a sid with nothing live: 404 resourceNotFound",
            rao_no_challenge
        ),
        check!(
            "flows.rao.resend-replaces",
            "resends",
            "a resend makes a new OTP: the old one is refused 422 businessValidationFailed, the new one validates",
            rao_resend_replaces
        ),
        check!(
            "flows.rao.resend-clears-certified",
            "resends",
            "a new generate on a sid forgets its certified phone: 404 resourceNotFound",
            rao_resend_clears_certified
        ),
        check!(
            "flows.telemarketing.happy-path",
            "telemarketing-flow",
            "generate 200 with the sid header and the first 3 of 11 characters; the SMS carries all 11; validate with them 200",
            tm_happy_path
        ),
        check!(
            "flows.telemarketing.single-use",
            "single-use",
            "a session validates once; a second validate: 400 invalidRequest at sid",
            tm_single_use
        ),
        check!(
            "flows.telemarketing.case-insensitive",
            "telemarketing-validate",
            "the OTP typed in lower case validates",
            tm_case_insensitive
        ),
        check!(
            "flows.telemarketing.unknown-sid",
            "telemarketing-validate",
            "a sid the server never issued: 400 invalidRequest at sid",
            tm_unknown_sid
        ),
        check!(
            "flows.telemarketing.other-customer",
            "telemarketing-validate",
            "another customerId: 400 OTP Token Invalid, counted; the session's own customer still validates",
            tm_other_customer
        ),
    ]
}

async fn rao_happy_path(kit: &Kit) -> Step {
    let start = kit.rao_start().await?;
    let length = kit.options.policy.otp.rao_otp_length;
    if start.otp.len() != length || !start.otp.bytes().all(|b| b.is_ascii_digit()) {
        return fail(
            format!("an OTP of {length} digits"),
            format!("an OTP of {} characters", start.otp.chars().count()),
        );
    }
    kit.rao_validate(&start.sid, &start.phone, &start.otp)
        .await?
        .expect_status(&[204], "validate with the OTP of the SMS")?;
    let certified = kit.rao_certified(&start.sid).await?;
    certified.expect_status(&[200], "certified-phone after a successful validate")?;
    let seen = (
        certified.field("phoneCountryCode"),
        certified.field("phoneNumber"),
    );
    if seen
        != (
            Some(start.phone.country_code.clone()),
            Some(start.phone.number.clone()),
        )
    {
        return fail(
            "certified-phone: the validated phone in clear",
            certified.describe(),
        );
    }
    Ok(())
}

async fn rao_single_use(kit: &Kit) -> Step {
    let s = kit.rao_start().await?;
    kit.rao_validate(&s.sid, &s.phone, &s.otp)
        .await?
        .expect_status(&[204], "the first validate with the right OTP")?;
    let again = kit.rao_validate(&s.sid, &s.phone, &s.otp).await?;
    again.expect_error(
        "the same OTP validated a second time",
        "resourceNotFound",
        None,
    )
}

async fn rao_other_phone(kit: &Kit) -> Step {
    let s = kit.rao_start().await?;
    let other = kit.fresh_rao_phone();
    let answer = kit.rao_validate(&s.sid, &other, &s.otp).await?;
    answer.expect_error(
        "validate of the session's OTP for another phone",
        "resourceNotFound",
        None,
    )
}

async fn rao_no_challenge(kit: &Kit) -> Step {
    let sid = random_id("conform-");
    let answer = kit
        .rao_validate(&sid, &kit.fresh_rao_phone(), "123456")
        .await?;
    answer.expect_error(
        "validate on a sid that never generated",
        "resourceNotFound",
        None,
    )?;
    let answer = kit.rao_certified(&sid).await?;
    answer.expect_error(
        "certified-phone on a sid that never validated",
        "resourceNotFound",
        None,
    )
}

/// Lets the minimum interval between sends to one phone pass.
async fn interval(kit: &Kit) -> Step {
    let secs = kit.options.policy.otp.min_send_interval_secs;
    kit.advance(if secs == 0 { 0 } else { secs + 1 }).await
}

async fn rao_resend_replaces(kit: &Kit) -> Step {
    kit.needs_time(kit.options.policy.otp.min_send_interval_secs)
        .await?;
    let first = kit.rao_start().await?;
    if first.phone.fixed_otp.is_some() {
        return skip("a test phone's OTP never changes: needs --otp-source outbox or webhook:ADDR");
    }
    interval(kit).await?;
    let seen = kit.sms_count(&first.phone.recipient(), false).await?;
    kit.rao_generate(&first.sid, &first.phone)
        .await?
        .expect_status(
            &[204],
            "a resend on the same sid once the send interval passed",
        )?;
    let second = kit.rao_otp(&first.phone, seen).await?;
    if second != first.otp {
        let old = kit
            .rao_validate(&first.sid, &first.phone, &first.otp)
            .await?;
        old.expect_error(
            "validate with the OTP the resend replaced",
            "businessValidationFailed",
            None,
        )?;
    }
    let new = kit.rao_validate(&first.sid, &first.phone, &second).await?;
    new.expect_status(&[204], "validate with the resent OTP")
}

async fn rao_resend_clears_certified(kit: &Kit) -> Step {
    kit.needs_time(kit.options.policy.otp.min_send_interval_secs)
        .await?;
    let s = kit.rao_start().await?;
    kit.rao_validate(&s.sid, &s.phone, &s.otp)
        .await?
        .expect_status(&[204], "validate with the right OTP")?;
    kit.rao_certified(&s.sid)
        .await?
        .expect_status(&[200], "certified-phone after validate")?;
    interval(kit).await?;
    kit.rao_generate(&s.sid, &s.phone).await?.expect_status(
        &[204],
        "a new generate on the sid once the send interval passed",
    )?;
    let answer = kit.rao_certified(&s.sid).await?;
    answer.expect_error(
        "certified-phone after a new generate on the sid",
        "resourceNotFound",
        None,
    )
}

async fn tm_happy_path(kit: &Kit) -> Step {
    let s = kit.tm_start().await?;
    let shaped = s.otp.len() == 11
        && s.otp
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
    if !shaped {
        return fail(
            "an 11-character OTP of digits and upper-case letters in the SMS",
            format!("{} characters", s.otp.chars().count()),
        );
    }
    if !s
        .otp
        .get(..3)
        .is_some_and(|p| p.eq_ignore_ascii_case(&s.prefix))
    {
        return fail(
            "oneTimePasswordToken: the first 3 characters of the OTP in the SMS",
            format!(
                "{:?} (of {} characters)",
                s.prefix,
                s.prefix.chars().count()
            ),
        );
    }
    kit.tm_validate(&s.sid, &s.customer, &s.otp)
        .await?
        .expect_status(&[200], "validate with the 11 characters of the SMS")
}

async fn tm_single_use(kit: &Kit) -> Step {
    let s = kit.tm_start().await?;
    kit.tm_validate(&s.sid, &s.customer, &s.otp)
        .await?
        .expect_status(&[200], "the first validate with the right OTP")?;
    let again = kit.tm_validate(&s.sid, &s.customer, &s.otp).await?;
    again.expect_error(
        "the same session validated a second time",
        "invalidRequest",
        Some("sid"),
    )
}

async fn tm_case_insensitive(kit: &Kit) -> Step {
    let s = kit.tm_start().await?;
    let lower = s.otp.to_ascii_lowercase();
    kit.tm_validate(&s.sid, &s.customer, &lower)
        .await?
        .expect_status(&[200], "validate with the OTP in lower case")
}

async fn tm_unknown_sid(kit: &Kit) -> Step {
    let answer = kit
        .tm_validate(&random_id("conform-"), "c1", "ABC12345678")
        .await?;
    answer.expect_error(
        "validate with a sid the server never issued",
        "invalidRequest",
        Some("sid"),
    )
}

async fn tm_other_customer(kit: &Kit) -> Step {
    let s = kit.tm_start().await?;
    let answer = kit.tm_validate(&s.sid, &random_id("cust"), &s.otp).await?;
    answer.expect_error(
        "validate of the right OTP for another customerId",
        "OTP Token Invalid",
        None,
    )?;
    kit.tm_validate(&s.sid, &s.customer, &s.otp)
        .await?
        .expect_status(&[200], "then the session's own customer (attempts left)")
}
