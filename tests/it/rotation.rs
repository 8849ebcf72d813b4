//! Key rotation across two instances on one store, mid-rotation: A runs
//! the old config, B the new one with A's keys as previous keys. B
//! accepts A's tokens until they expire and validates A's OTPs; the phone
//! lock is one record for both, whichever counted it.

use crate::support::*;
use crate::tls::{production_toml, random_key_file};
use base64::Engine;
use otp_server::config::{Config, SANDBOX_TOML};
use serde_json::Value;
use std::time::Duration;

fn random_key() -> String {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).unwrap();
    base64::engine::general_purpose::STANDARD.encode(key)
}

/// The test config with its keys replaced by `secrets` (a whole
/// `[secrets]` body).
fn config_with(secrets: &str) -> Config {
    let mut text = format!("{SANDBOX_TOML}\n{TEST_CLIENTS}");
    let start = text.find("token_key = ").unwrap();
    let end = text[start..].find("\n[[").unwrap() + start;
    text.replace_range(start..end, &format!("{secrets}\n"));
    Config::from_toml(&text).unwrap_or_else(|e| panic!("{e:#}"))
}

#[tokio::test]
async fn two_instances_mid_rotation_share_tokens_otps_and_locks() {
    let (token_1, otp_1) = (random_key(), random_key());
    let (token_2, otp_2) = (random_key(), random_key());
    let old = config_with(&format!("token_key = \"{token_1}\"\notp_key = \"{otp_1}\""));
    let new = config_with(&format!(
        "token_key = \"{token_2}\"\notp_key = \"{otp_2}\"\ntoken_keys_previous = [\"{token_1}\"]\notp_keys_previous = [\"{otp_1}\"]"
    ));
    let backend = shared_backend();
    let a = TestServer::builder()
        .config(old)
        .backend(backend.clone())
        .start()
        .await;
    let b = TestServer::builder()
        .config(new)
        .backend(backend)
        .clock(a.clock.clone().unwrap())
        .start()
        .await;

    // A token from A is accepted by B; B signs with its new key, which A
    // does not know.
    let from_a = a.rao_headers("sandbox", "rotation-1").await;
    assert_eq!(b.rao_generate(&from_a, "5547000001").await.status(), 204);
    let from_b = b.rao_headers("sandbox", "rotation-1").await;
    let refused = a.rao_generate(&from_b, "5547000001").await;
    assert_eq!(refused.status(), 401, "B's new token on A (old config)");

    // A RAO OTP generated on A validates on B; B reads the certified phone.
    let rao = a.rao_headers("sandbox", "rotation-2").await;
    assert_eq!(a.rao_generate(&rao, "5547000002").await.status(), 204);
    let otp = a.last_otp("+525547000002").await;
    assert_eq!(b.rao_validate(&rao, "5547000002", &otp).await.status(), 204);
    let certified = b.post(&format!("{RAO}/certified-phone"), &rao, None).await;
    assert_eq!(certified.status(), 200);
    let phone: Value = certified.json().await.unwrap();
    assert_eq!(phone["phoneNumber"], "5547000002");
    // Used once: not again, on either.
    let again = b.rao_validate(&rao, "5547000002", &otp).await;
    assert_eq!(again.status(), 404, "single use across the rotation");

    // A telemarketing OTP generated on A validates on B; one of B's on B.
    let tm = a.tm_headers("sandbox").await;
    let (sid, _) = a.tm_generate(&tm, "rot-3", "5547000003").await;
    let otp = a.last_otp("5547000003").await;
    assert_eq!(b.tm_validate(&tm, &sid, "rot-3", &otp).await.status(), 200);
    let tm_b = b.tm_headers("sandbox").await;
    let (sid, _) = b.tm_generate(&tm_b, "rot-4", "5547000004").await;
    let otp = b.last_otp("5547000004").await;
    assert_eq!(
        b.tm_validate(&tm_b, &sid, "rot-4", &otp).await.status(),
        200
    );

    // The phone lock (3 failures an hour for `resender`): counted on A,
    // it holds on B for sends and for validates of A's live OTPs...
    let tm = a.tm_headers("resender").await;
    let (sid, _) = a.tm_generate(&tm, "rot-5", "5547000005").await;
    let (other_sid, _) = a.tm_generate(&tm, "rot-5", "5547000005").await;
    let otp = a.last_otp("5547000005").await;
    for guess in ["AAA00000000", "AAA00000001", "AAA00000002"] {
        let wrong = a.tm_validate(&tm, &sid, "rot-5", guess).await;
        assert_eq!(wrong.status(), 400, "wrong OTP on A");
    }
    let locked = b.tm_validate(&tm, &other_sid, "rot-5", &otp).await;
    assert_error(
        locked,
        400,
        "invalid",
        "invalidRequest",
        "oneTimePasswordToken",
    )
    .await;
    let send = b
        .post(
            &format!("{TM}/generate"),
            &tm,
            Some(tm_body("rot-5", "5547000005")),
        )
        .await;
    assert_error(send, 400, "invalid", "invalidRequest", "phoneNumber").await;
    // ... and counted on B, it holds on A.
    let tm_b = b.tm_headers("resender").await;
    let (sid, _) = b.tm_generate(&tm_b, "rot-6", "5547000006").await;
    for guess in ["AAA00000000", "AAA00000001", "AAA00000002"] {
        let wrong = b.tm_validate(&tm_b, &sid, "rot-6", guess).await;
        assert_eq!(wrong.status(), 400, "wrong OTP on B");
    }
    let send = a
        .post(
            &format!("{TM}/generate"),
            &tm,
            Some(tm_body("rot-6", "5547000006")),
        )
        .await;
    assert_error(send, 400, "invalid", "invalidRequest", "phoneNumber").await;
    // RAO too: a lock counted on A refuses B's validate of A's OTP.
    let rao = a.rao_headers("resender", "rotation-7").await;
    assert_eq!(a.rao_generate(&rao, "5547000007").await.status(), 204);
    let otp = a.last_otp("+525547000007").await;
    for guess in ["000000", "000001", "000002"] {
        let wrong = a.rao_validate(&rao, "5547000007", guess).await;
        assert_eq!(wrong.status(), 422);
    }
    let locked = b.rao_validate(&rao, "5547000007", &otp).await;
    let body = assert_error(
        locked,
        422,
        "error",
        "businessValidationFailed",
        "phone.encryptedPhoneNumber",
    )
    .await;
    assert!(
        body["details"]
            .as_str()
            .unwrap()
            .contains("Too many wrong OTPs"),
        "{body}"
    );

    // After the token lifetime A's tokens are refused by B too.
    let old_token = a.rao_headers("sandbox", "rotation-8").await;
    assert_eq!(b.rao_generate(&old_token, "5547000008").await.status(), 204);
    a.advance(Duration::from_secs(3_600));
    let expired = b.rao_generate(&old_token, "5547000009").await;
    assert_eq!(expired.status(), 401, "an old token past its lifetime");
    let fresh = b.rao_headers("sandbox", "rotation-8").await;
    assert_eq!(b.rao_generate(&fresh, "5547000009").await.status(), 204);
}

/// Once the previous key is removed, what it signed is refused.
#[tokio::test]
async fn without_the_previous_key_old_tokens_and_otps_are_unknown() {
    let (token_1, otp_1) = (random_key(), random_key());
    let (token_2, otp_2) = (random_key(), random_key());
    let backend = shared_backend();
    let a = TestServer::builder()
        .config(config_with(&format!(
            "token_key = \"{token_1}\"\notp_key = \"{otp_1}\""
        )))
        .backend(backend.clone())
        .start()
        .await;
    let c = TestServer::builder()
        .config(config_with(&format!(
            "token_key = \"{token_2}\"\notp_key = \"{otp_2}\""
        )))
        .backend(backend)
        .clock(a.clock.clone().unwrap())
        .start()
        .await;
    let tm = a.tm_headers("sandbox").await;
    let (sid, _) = a.tm_generate(&tm, "rot-9", "5547000010").await;
    let otp = a.last_otp("5547000010").await;
    assert_eq!(c.tm_validate(&tm, &sid, "rot-9", &otp).await.status(), 401);
    let tm_c = c.tm_headers("sandbox").await;
    let unknown = c.tm_validate(&tm_c, &sid, "rot-9", &otp).await;
    assert_error(unknown, 400, "invalid", "invalidRequest", "sid").await;
}

/// Production: previous keys come from the environment or files, are as
/// strong as current ones and differ from every other key.
#[test]
fn previous_keys_are_checked_like_current_ones() {
    let dir = tempfile::tempdir().unwrap();
    let good = production_toml(dir.path(), "gateway = \"log\"", "");
    let otp_line = good
        .lines()
        .find(|l| l.starts_with("otp_key_file"))
        .unwrap()
        .to_owned();
    let otp_file = otp_line.split('"').nth(1).unwrap().to_owned();
    let with = |lines: &str| good.replace(&otp_line, &format!("{otp_line}\n{lines}"));
    let fresh = random_key_file(dir.path(), "previous-otp-key");
    let rotated = with(&format!("otp_keys_previous_file = [\"{fresh}\"]"));
    let config = Config::from_toml(&rotated).unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(config.otp_keys_previous().len(), 1);
    std::env::set_var("OTP_ROTATION_TEST_PREVIOUS", random_key());
    let from_env = with("token_keys_previous_env = [\"OTP_ROTATION_TEST_PREVIOUS\"]");
    assert!(Config::from_toml(&from_env).is_ok());
    let weak = crate::certs::write(
        dir.path(),
        "weak",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    );
    for (lines, says) in [
        (
            format!("otp_keys_previous = [\"{}\"]", random_key()),
            "secrets.otp_keys_previous[0] is written in the config file",
        ),
        (
            format!("otp_keys_previous_file = [\"{fresh}\", \"{}\"]", weak.display()),
            "secrets.otp_keys_previous[1] is a sequence",
        ),
        (
            format!("otp_keys_previous_file = [\"{otp_file}\"]"),
            "secrets.otp_keys_previous[0] is the same as secrets.otp_key",
        ),
        (
            format!("token_keys_previous_file = [\"{otp_file}\"]"),
            "secrets.token_keys_previous[0] is the same as secrets.otp_key",
        ),
        (
            format!(
                "token_keys_previous_file = [\"{fresh}\"]\notp_keys_previous_file = [\"{fresh}\"]"
            ),
            "secrets.otp_keys_previous[0] is the same as secrets.token_keys_previous[0]",
        ),
        (
            "otp_keys_previous_env = [\"OTP_ROTATION_TEST_UNSET\"]".into(),
            "secrets.otp_keys_previous_env[0] names OTP_ROTATION_TEST_UNSET, which is not set",
        ),
        (
            format!("otp_keys_previous_file = [\"{fresh}\"]\notp_keys_previous_env = [\"X\"]"),
            "give exactly one of secrets.otp_keys_previous, secrets.otp_keys_previous_env, secrets.otp_keys_previous_file",
        ),
    ] {
        let err = format!("{:#}", Config::from_toml(&with(&lines)).unwrap_err());
        assert!(err.contains(says), "expected {says:?} in {err:?}");
    }
}
