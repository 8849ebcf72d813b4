//! `semantics.*`: docs/BEHAVIOUR.md "Policy" and "How the limits hold" — attempt
//! limits, expiry, send throttling, the hourly phone lock, one phone one
//! identity. Checks that need time to pass move the target's sandbox clock
//! and skip on a target without one.

use super::{check, Check};
use crate::conform::apis::RaoPhone;
use crate::conform::exchange::{skip, Exchange, Step};
use crate::conform::kit::{random_digits, random_id, Kit};

pub fn checks() -> Vec<Check> {
    vec![
        check!(
            "semantics.rao.attempt-limit",
            "attempt-limit",
            "a wrong OTP: 422 businessValidationFailed (invalid), counted; after 3 the challenge is burnt",
            rao_attempt_limit
        ),
        check!(
            "semantics.telemarketing.attempt-limit",
            "attempt-limit",
            "a wrong OTP: 400 OTP Token Invalid, counted; after 3 the challenge is burnt",
            tm_attempt_limit
        ),
        check!(
            "semantics.rao.expiry",
            "otp-lifetime",
            "the right OTP past its lifetime (300 s): 422 businessValidationFailed (expired)",
            rao_expiry
        ),
        check!(
            "semantics.telemarketing.expiry",
            "otp-lifetime",
            "the right OTP past its lifetime (300 s): 400 OTP Token Expired",
            tm_expiry
        ),
        check!(
            "semantics.rao.send-interval",
            "send-interval",
            "a second send to a phone within 30 s: 422 businessValidationFailed; once the interval passed, sent",
            rao_send_interval
        ),
        check!(
            "semantics.telemarketing.send-interval",
            "send-interval",
            "a second send to a phone within 30 s: 400 invalidRequest; once the interval passed, sent",
            tm_send_interval
        ),
        check!(
            "semantics.rao.send-window",
            "send-window",
            "a 6th send to a phone within 15 minutes: 422 businessValidationFailed",
            rao_send_window
        ),
        check!(
            "semantics.telemarketing.send-window",
            "send-window",
            "a 6th send to a phone within 15 minutes: 400 invalidRequest",
            tm_send_window
        ),
        check!(
            "semantics.rao.phone-lock.sends",
            "phone-lock",
            "10 wrong attempts on a phone within the hour, across OTPs: sends to it refused, 422 businessValidationFailed",
            rao_lock_sends
        ),
        check!(
            "semantics.telemarketing.phone-lock.sends",
            "phone-lock",
            "10 wrong attempts on a phone within the hour, across OTPs: sends to it refused, 400 invalidRequest",
            tm_lock_sends
        ),
        check!(
            "semantics.rao.phone-lock.validates",
            "locked-for-guesses-too",
            "once a phone is locked, even the right OTP of a live challenge is refused: 422 businessValidationFailed",
            rao_lock_validates
        ),
        check!(
            "semantics.telemarketing.phone-lock.validates",
            "locked-for-guesses-too",
            "once a phone is locked, even the right OTP of a live challenge is refused: 400 invalidRequest",
            tm_lock_validates
        ),
        check!(
            "semantics.rao.phone-identity",
            "one-phone-one-identity",
            "+052 is the same phone as +52 (throttled as one); +525/577002144, another split of +52/5577002144's digits, is no assigned calling code: 400 invalidRequest at phoneCountryCode",
            rao_phone_identity
        ),
    ]
}

/// A different OTP of the same shape: the last character changed.
fn wrong(otp: &str) -> String {
    let mut chars: Vec<char> = otp.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = match *last {
            '9' => '0',
            'Z' | 'z' => 'A',
            c if c.is_ascii_alphanumeric() => (c as u8 + 1) as char,
            _ => '0',
        };
    }
    chars.into_iter().collect()
}

fn policy(kit: &Kit) -> &crate::config::Policy {
    &kit.options.policy.otp
}

/// Moves the clock past the minimum interval between sends (none when it is 0).
async fn next_send(kit: &Kit) -> Step {
    let secs = policy(kit).min_send_interval_secs;
    kit.advance(if secs == 0 { 0 } else { secs + 1 }).await
}

/// A wrong RAO attempt: 422 businessValidationFailed whose details do not say expired.
fn rao_wrong(answer: &Exchange, what: &str) -> Step {
    answer.expect_error(what, "businessValidationFailed", None)?;
    let details = answer.field("details").unwrap_or_default().to_lowercase();
    if details.contains("expir") {
        return crate::conform::exchange::fail(
            format!("{what}: details that say invalid, not expired"),
            answer.describe(),
        );
    }
    Ok(())
}

async fn rao_attempt_limit(kit: &Kit) -> Step {
    let s = kit.rao_start().await?;
    for attempt in 1..=policy(kit).max_attempts {
        let answer = kit.rao_validate(&s.sid, &s.phone, &wrong(&s.otp)).await?;
        rao_wrong(&answer, &format!("wrong attempt {attempt}"))?;
    }
    let answer = kit.rao_validate(&s.sid, &s.phone, &s.otp).await?;
    let what = format!(
        "the right OTP after {} wrong attempts (challenge burnt)",
        policy(kit).max_attempts
    );
    answer.expect_one_of(
        &what,
        &["resourceNotFound", "businessValidationFailed"],
        None,
    )
}

async fn tm_attempt_limit(kit: &Kit) -> Step {
    let s = kit.tm_start().await?;
    for attempt in 1..=policy(kit).max_attempts {
        let answer = kit.tm_validate(&s.sid, &s.customer, &wrong(&s.otp)).await?;
        answer.expect_error(
            &format!("wrong attempt {attempt}"),
            "OTP Token Invalid",
            None,
        )?;
    }
    let answer = kit.tm_validate(&s.sid, &s.customer, &s.otp).await?;
    let what = format!(
        "the right OTP after {} wrong attempts (challenge burnt)",
        policy(kit).max_attempts
    );
    answer.expect_one_of(&what, &["OTP Token Invalid", "invalidRequest"], None)
}

async fn rao_expiry(kit: &Kit) -> Step {
    let lifetime = policy(kit).otp_lifetime_secs;
    kit.needs_time(lifetime).await?;
    let s = kit.rao_start().await?;
    kit.advance(lifetime + 1).await?;
    let answer = kit.rao_validate(&s.sid, &s.phone, &s.otp).await?;
    let what = format!("the right OTP {} s after generate", lifetime + 1);
    answer.expect_error(&what, "businessValidationFailed", None)?;
    if answer
        .field("details")
        .unwrap_or_default()
        .to_lowercase()
        .contains("expir")
    {
        return Ok(());
    }
    crate::conform::exchange::fail(
        format!("{what}: details that say expired"),
        answer.describe(),
    )
}

async fn tm_expiry(kit: &Kit) -> Step {
    let lifetime = policy(kit).otp_lifetime_secs;
    kit.needs_time(lifetime).await?;
    let s = kit.tm_start().await?;
    kit.advance(lifetime + 1).await?;
    let answer = kit.tm_validate(&s.sid, &s.customer, &s.otp).await?;
    answer.expect_error(
        &format!("the right OTP {} s after generate", lifetime + 1),
        "OTP Token Expired",
        None,
    )
}

/// The two APIs' generate and refusal, so throttling is checked once for both.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Rao,
    Telemarketing,
}

impl Flow {
    fn refusal(self) -> &'static str {
        match self {
            Self::Rao => "businessValidationFailed",
            Self::Telemarketing => "invalidRequest",
        }
    }

    async fn generate(self, kit: &Kit, number: &str) -> Step<Exchange> {
        match self {
            Self::Rao => {
                kit.rao_generate(&random_id("conform-"), &rao_phone(kit, number))
                    .await
            }
            Self::Telemarketing => kit.tm_generate(&random_id("cust"), number).await,
        }
    }

    fn sent(self, answer: &Exchange, what: &str) -> Step {
        answer.expect_status(&[if self == Self::Rao { 204 } else { 200 }], what)
    }
}

fn rao_phone(kit: &Kit, number: &str) -> RaoPhone {
    RaoPhone {
        country_code: kit.options.country_code.clone(),
        number: number.into(),
        fixed_otp: None,
    }
}

async fn send_interval(kit: &Kit, flow: Flow) -> Step {
    let interval = policy(kit).min_send_interval_secs;
    if interval == 0 {
        return skip("the policy has no interval between sends (min_send_interval_secs = 0)");
    }
    let number = kit.fresh_number();
    flow.sent(
        &flow.generate(kit, &number).await?,
        "the first send to a fresh phone",
    )?;
    let answer = flow.generate(kit, &number).await?;
    answer.expect_error("a second send to the phone at once", flow.refusal(), None)?;
    if kit.has_clock().await {
        kit.advance(interval + 1).await?;
        flow.sent(
            &flow.generate(kit, &number).await?,
            "a send once the interval passed",
        )?;
    }
    Ok(())
}

async fn rao_send_interval(kit: &Kit) -> Step {
    send_interval(kit, Flow::Rao).await
}

async fn tm_send_interval(kit: &Kit) -> Step {
    send_interval(kit, Flow::Telemarketing).await
}

async fn send_window(kit: &Kit, flow: Flow) -> Step {
    let p = policy(kit);
    let spacing = if p.min_send_interval_secs == 0 {
        0
    } else {
        p.min_send_interval_secs + 1
    };
    if spacing * u64::from(p.max_sends_per_window) >= p.send_window_secs {
        return skip("the send interval times the sends per window exceeds the window");
    }
    kit.needs_time(spacing).await?;
    let number = kit.fresh_number();
    for send in 1..=p.max_sends_per_window {
        if send > 1 {
            next_send(kit).await?;
        }
        flow.sent(
            &flow.generate(kit, &number).await?,
            &format!("send {send} of {} in the window", p.max_sends_per_window),
        )?;
    }
    next_send(kit).await?;
    let answer = flow.generate(kit, &number).await?;
    answer.expect_error(
        &format!(
            "send {} within {} s",
            p.max_sends_per_window + 1,
            p.send_window_secs
        ),
        flow.refusal(),
        None,
    )
}

async fn rao_send_window(kit: &Kit) -> Step {
    send_window(kit, Flow::Rao).await
}

async fn tm_send_window(kit: &Kit) -> Step {
    send_window(kit, Flow::Telemarketing).await
}

/// Fails `number` the hourly number of times, over as many new OTPs as it
/// takes (each burnt by its wrong attempts). The first send must already
/// have happened when `sent_before`.
async fn reach_lock(kit: &Kit, flow: Flow, number: &str, sent_before: bool) -> Step {
    let p = policy(kit);
    let mut failures = 0;
    let mut first = !sent_before;
    while failures < p.max_failures_per_phone_hour {
        if !first {
            next_send(kit).await?;
        }
        first = false;
        let attempts = p.max_attempts.min(p.max_failures_per_phone_hour - failures);
        fail_new_otp(kit, flow, number, attempts).await?;
        failures += attempts;
    }
    Ok(())
}

/// Sends a new OTP to `number` and enters `attempts` wrong ones.
async fn fail_new_otp(kit: &Kit, flow: Flow, number: &str, attempts: u32) -> Step {
    match flow {
        Flow::Rao => rao_fail(kit, number, attempts).await,
        Flow::Telemarketing => tm_fail(kit, number, attempts).await,
    }
}

async fn rao_fail(kit: &Kit, number: &str, attempts: u32) -> Step {
    let (sid, phone) = (random_id("conform-"), rao_phone(kit, number));
    let answer = kit.rao_generate(&sid, &phone).await?;
    Flow::Rao.sent(&answer, "a new OTP for the phone (not yet locked)")?;
    for n in 1..=attempts {
        let otp = random_digits(policy(kit).rao_otp_length);
        let answer = kit.rao_validate(&sid, &phone, &otp).await?;
        rao_wrong(&answer, &format!("wrong attempt {n} on the phone"))?;
    }
    Ok(())
}

async fn tm_fail(kit: &Kit, number: &str, attempts: u32) -> Step {
    let customer = random_id("cust");
    let answer = kit.tm_generate(&customer, number).await?;
    Flow::Telemarketing.sent(&answer, "a new OTP for the phone (not yet locked)")?;
    let sid = answer.header("sid").unwrap_or_default().to_owned();
    for n in 1..=attempts {
        let answer = kit
            .tm_validate(&sid, &customer, &format!("ZZ{}", random_digits(9)))
            .await?;
        answer.expect_error(
            &format!("wrong attempt {n} on the phone"),
            "OTP Token Invalid",
            None,
        )?;
    }
    Ok(())
}

/// Sends needed to reach the lock, and whether the policy lets them happen in one window.
fn lock_sends(kit: &Kit, extra: u32) -> Step<u32> {
    let p = policy(kit);
    let sends = p.max_failures_per_phone_hour.div_ceil(p.max_attempts) + extra;
    if sends > p.max_sends_per_window {
        return skip(format!(
            "reaching the lock takes {sends} sends, more than the {} per window",
            p.max_sends_per_window
        ));
    }
    Ok(sends)
}

async fn lock_sends_check(kit: &Kit, flow: Flow) -> Step {
    let sends = lock_sends(kit, 1)?;
    kit.needs_time(policy(kit).min_send_interval_secs * u64::from(sends))
        .await?;
    let number = kit.fresh_number();
    reach_lock(kit, flow, &number, false).await?;
    next_send(kit).await?;
    let answer = flow.generate(kit, &number).await?;
    let what = format!(
        "a send after {} wrong attempts on the phone within the hour",
        policy(kit).max_failures_per_phone_hour
    );
    answer.expect_error(&what, flow.refusal(), None)
}

async fn rao_lock_sends(kit: &Kit) -> Step {
    lock_sends_check(kit, Flow::Rao).await
}

async fn tm_lock_sends(kit: &Kit) -> Step {
    lock_sends_check(kit, Flow::Telemarketing).await
}

/// A live OTP first, then the lock reached on other OTPs of the same phone;
/// the live OTP, right, must then be refused.
async fn lock_validates(kit: &Kit, flow: Flow) -> Step {
    let sends = lock_sends(kit, 1)?;
    kit.readable()?;
    let p = policy(kit);
    if p.min_send_interval_secs * u64::from(sends) >= p.otp_lifetime_secs {
        return skip("the sends that reach the lock take longer than an OTP lives");
    }
    kit.needs_time(p.min_send_interval_secs).await?;
    let number = kit.fresh_number();
    let what = format!(
        "the right OTP of a live challenge once the phone reached {} failures",
        p.max_failures_per_phone_hour
    );
    match flow {
        Flow::Rao => {
            let live = kit.rao_send(&rao_phone(kit, &number)).await?;
            reach_lock(kit, flow, &number, true).await?;
            let answer = kit.rao_validate(&live.sid, &live.phone, &live.otp).await?;
            answer.expect_error(&what, "businessValidationFailed", None)
        }
        Flow::Telemarketing => {
            let live = kit.tm_send(&number, None).await?;
            reach_lock(kit, flow, &number, true).await?;
            let answer = kit
                .tm_validate(&live.sid, &live.customer, &live.otp)
                .await?;
            answer.expect_error(&what, "invalidRequest", None)
        }
    }
}

async fn rao_lock_validates(kit: &Kit) -> Step {
    lock_validates(kit, Flow::Rao).await
}

async fn tm_lock_validates(kit: &Kit) -> Step {
    lock_validates(kit, Flow::Telemarketing).await
}

async fn rao_phone_identity(kit: &Kit) -> Step {
    if policy(kit).min_send_interval_secs == 0 {
        return skip(
            "needs a send interval to tell one phone from two (min_send_interval_secs = 0)",
        );
    }
    let number = kit.fresh_number();
    let cc = kit.options.country_code.clone();
    let first = RaoPhone {
        country_code: cc.clone(),
        number: number.clone(),
        fixed_otp: None,
    };
    let (moved_cc, moved_number) = (format!("{cc}{}", &number[..1]), number[1..].to_owned());
    let second = RaoPhone {
        country_code: moved_cc.clone(),
        number: moved_number,
        fixed_otp: None,
    };
    kit.rao_generate(&random_id("conform-"), &first)
        .await?
        .expect_status(&[204], "a send to a fresh phone")?;
    let answer = kit.rao_generate(&random_id("conform-"), &second).await?;
    answer.expect_error(
        &format!(
            "a send to {moved_cc}/{} (the same digits split after an unassigned calling code) refused",
            crate::phone::mask(&second.number)
        ),
        "invalidRequest",
        Some("phoneCountryCode"),
    )?;
    let zeros = RaoPhone {
        country_code: cc.replacen('+', "+0", 1),
        number: kit.fresh_number(),
        fixed_otp: None,
    };
    let same = RaoPhone {
        country_code: cc.clone(),
        ..zeros.clone()
    };
    kit.rao_generate(&random_id("conform-"), &zeros)
        .await?
        .expect_status(
            &[204],
            &format!("a send to a fresh phone as {}", zeros.country_code),
        )?;
    let answer = kit.rao_generate(&random_id("conform-"), &same).await?;
    answer.expect_error(
        &format!("a send at once to the same phone as {cc} (leading zero dropped)"),
        "businessValidationFailed",
        None,
    )
}
