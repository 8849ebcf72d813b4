//! Regression tests of the attack on the first version (issue 10): every
//! limit under a burst of parallel requests, over two instances on one
//! store, with look-alike inputs. Each failed on the old main.

use crate::support::*;
use reqwest::header::HeaderValue;
use serde_json::{json, Value};
use std::time::Duration;

async fn code_of(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["code"].as_str().unwrap_or_default().to_owned()
}

async fn codes(responses: Vec<reqwest::Response>) -> Vec<String> {
    futures::future::join_all(responses.into_iter().map(code_of)).await
}

fn count(codes: &[String], code: &str) -> usize {
    codes.iter().filter(|c| *c == code).count()
}

#[tokio::test]
async fn parallel_wrong_suffixes_compare_one_otp_three_times_over_two_instances() {
    let (a, b) = two_instances().await;
    let headers = a.tm_headers("loose").await;
    let (sid, _) = a.tm_generate(&headers, "race", "5540000001").await;
    let otp = a.last_otp("5540000001").await;
    let guesses = (0..200).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        let wrong = format!("{}{:08}", &otp[..3], i);
        let (headers, sid) = (headers.clone(), sid.clone());
        async move { server.tm_validate(&headers, &sid, "race", &wrong).await }
    });
    let codes = codes(futures::future::join_all(guesses).await).await;
    assert_eq!(count(&codes, "OTP Token Invalid"), 3, "compared: {codes:?}");
    let right = a.tm_validate(&headers, &sid, "race", &otp).await;
    assert_eq!(right.status(), 400, "the burnt OTP stays burnt");
}

/// Look-alikes of a telemarketing session, in a burst over two instances:
/// the `sid` in upper case or with a character more is no session (nothing
/// compared, nothing counted), and the right OTP under another casing of
/// the customer id is a wrong attempt (the customer is part of what the
/// OTP's digest covers). Two of those leave the real OTP its last attempt.
#[tokio::test]
async fn look_alike_sids_are_unknown_and_another_customer_is_a_wrong_otp() {
    let (a, b) = two_instances().await;
    let headers = a.tm_headers("loose").await;
    let (sid, _) = a.tm_generate(&headers, "alike", "5540000002").await;
    let otp = a.last_otp("5540000002").await;
    let sids = [sid.to_uppercase(), format!("{sid}0"), sid[1..].to_owned()];
    let mut tries: Vec<(String, &str)> = (0..30)
        .map(|i| (sids[i % sids.len()].clone(), "alike"))
        .collect();
    tries.extend([(sid.clone(), "ALIKE"), (sid.clone(), "alike ")]);
    let burst = tries.into_iter().enumerate().map(|(i, (sid, customer))| {
        let server = if i % 2 == 0 { &a } else { &b };
        let (headers, otp) = (headers.clone(), otp.clone());
        async move { server.tm_validate(&headers, &sid, customer, &otp).await }
    });
    let codes = codes(futures::future::join_all(burst).await).await;
    assert_eq!(count(&codes, "invalidRequest"), 30, "{codes:?}");
    assert_eq!(count(&codes, "OTP Token Invalid"), 2, "{codes:?}");
    let right = b.tm_validate(&headers, &sid, "alike", &otp).await;
    assert_eq!(right.status(), 200, "the last attempt is still there");
}

#[tokio::test]
async fn thirty_wrong_guesses_over_one_phone_compare_ten_then_lock_the_right_otp_out() {
    let (a, b) = two_instances().await;
    let headers = a.tm_headers("loose").await;
    let mut sessions = Vec::new();
    for _ in 0..11 {
        let (sid, _) = a.tm_generate(&headers, "lock", "5540000002").await;
        sessions.push((sid, a.last_otp("5540000002").await));
    }
    let (last_sid, last_otp) = sessions.pop().unwrap();
    let guesses = (0..30).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        let (sid, otp) = &sessions[i % 10];
        let wrong = if otp.ends_with('0') {
            otp.replace('0', "1")
        } else {
            format!("{}0", &otp[..10])
        };
        let (headers, sid) = (headers.clone(), sid.clone());
        async move { server.tm_validate(&headers, &sid, "lock", &wrong).await }
    });
    let codes = codes(futures::future::join_all(guesses).await).await;
    assert_eq!(
        count(&codes, "OTP Token Invalid"),
        10,
        "compared: {codes:?}"
    );
    let right = b.tm_validate(&headers, &last_sid, "lock", &last_otp).await;
    let error = assert_error(
        right,
        400,
        "invalid",
        "invalidRequest",
        "oneTimePasswordToken",
    )
    .await;
    assert!(
        error["details"]
            .as_str()
            .unwrap()
            .contains("validations are refused for"),
        "{error}"
    );
    let again = a
        .post(
            &format!("{TM}/generate"),
            &headers,
            Some(tm_body("lock", "5540000002")),
        )
        .await;
    assert_error(again, 400, "invalid", "invalidRequest", "phoneNumber").await;
    a.advance(Duration::from_secs(3600));
    let headers = a.tm_headers("loose").await; // the old token's hour is over too
    let (sid, _) = a.tm_generate(&headers, "lock", "5540000002").await;
    let otp = a.last_otp("5540000002").await;
    assert_eq!(
        b.tm_validate(&headers, &sid, "lock", &otp).await.status(),
        200,
        "the hour is over"
    );
}

#[tokio::test]
async fn a_locked_phone_refuses_the_right_rao_otp_as_a_business_error() {
    let server = TestServer::start().await;
    let headers = server.rao_headers("loose", "rao-lock").await;
    assert_eq!(
        server.rao_generate(&headers, "5540000003").await.status(),
        204
    );
    let otp = server.last_otp("+525540000003").await;
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    for i in 0..10 {
        let sid = format!("rao-lock-{i}");
        let h = server.rao_headers("loose", &sid).await;
        assert_eq!(server.rao_generate(&h, "5540000003").await.status(), 204);
        assert_eq!(
            server.rao_validate(&h, "5540000003", wrong).await.status(),
            422
        );
    }
    let refused = server.rao_validate(&headers, "5540000003", &otp).await;
    let error = assert_error(
        refused,
        422,
        "error",
        "businessValidationFailed",
        "phone.encryptedPhoneNumber",
    )
    .await;
    assert!(
        error["details"]
            .as_str()
            .unwrap()
            .contains("validations are refused"),
        "{error}"
    );
}

#[tokio::test]
async fn look_alike_phones_share_one_counter() {
    let server = TestServer::start().await;
    let h = server.rao_headers("sandbox", "look-alike").await;
    let path = format!("{RAO}/generate");
    let generate = |cc: &str, number: &str| {
        let body = json!({"phoneCountryCode": cc, "encryptedPhoneNumber": b64(number)});
        server.post(&path, &h, Some(body))
    };
    assert_eq!(generate("+52", "5540000004").await.status(), 204);
    for (cc, number) in [
        ("+052", "5540000004"),
        ("+0052", "5540000004"),
        ("+52", "05540000004"),
        ("+52", "525540000004"),
        ("+52", "15540000004"),
    ] {
        let again = generate(cc, number).await;
        assert_eq!(
            again.status(),
            422,
            "{cc} {number} is the same phone: throttled"
        );
    }
    let tm = server.tm_headers("sandbox").await;
    for number in ["5540000004", "525540000004", "05540000004"] {
        let again = server
            .post(&format!("{TM}/generate"), &tm, Some(tm_body("c", number)))
            .await;
        assert_eq!(
            again.status(),
            400,
            "telemarketing {number} is the same phone: throttled"
        );
    }
    for (cc, location) in [("+５２", "phoneCountryCode"), ("+٥٢", "phoneCountryCode")] {
        let response = generate(cc, "5540000005").await;
        assert_error(response, 400, "error", "invalidRequest", location).await;
    }
    let digits = generate("+52", "５５４０００００６").await;
    assert_error(
        digits,
        400,
        "error",
        "invalidRequest",
        "encryptedPhoneNumber",
    )
    .await;
    assert_eq!(
        server.outbox("+525540000004").await.len(),
        1,
        "one SMS to the real phone"
    );
}

#[tokio::test]
async fn another_split_of_a_rao_phone_is_refused_not_another_phone() {
    let server = TestServer::start().await;
    let h = server.rao_headers("sandbox", "pair").await;
    assert_eq!(server.rao_generate(&h, "5577002144").await.status(), 204);
    let otp = server.last_otp("+525577002144").await;
    let shifted = json!({"encryptedOtpToken": b64(&otp), "phone": {"phoneCountryCode": "+525", "encryptedPhoneNumber": b64("577002144")}});
    let response = server
        .post(&format!("{RAO}/validate"), &h, Some(shifted))
        .await;
    let refused = assert_error(
        response,
        400,
        "error",
        "invalidRequest",
        "phone.phoneCountryCode",
    )
    .await;
    assert!(
        refused["details"]
            .as_str()
            .unwrap()
            .contains("not one assigned"),
        "{refused}"
    );
    assert_eq!(
        server.rao_validate(&h, "5577002144", &otp).await.status(),
        204
    );
}

#[tokio::test]
async fn the_token_endpoint_refuses_a_client_after_ten_failures_a_minute() {
    let (a, b) = two_instances().await;
    let burst = (0..60).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        server.token_status("sandbox", "wrong-secret")
    });
    let statuses: Vec<u16> = futures::future::join_all(burst)
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    assert_eq!(
        statuses.iter().filter(|&&s| s == 401).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 429).count(),
        50,
        "{statuses:?}"
    );
    let (status, retry) = a.token_status("sandbox", "sandbox-secret").await;
    assert_eq!(status, 429, "the right secret waits too");
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let response = b.token_request("sandbox", "x").await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client", "{body}");
    for look_alike in [
        "Sandbox",
        "SANDBOX",
        " sandbox",
        "sandbox ",
        "sandbox\u{200b}",
    ] {
        let (status, _) = b.token_status(look_alike, "sandbox-secret").await;
        assert_eq!(status, 401, "{look_alike:?} is another client: no way in");
    }
    a.advance(Duration::from_secs(60));
    assert_eq!(
        b.token_status("sandbox", "sandbox-secret").await.0,
        200,
        "the minute is over"
    );
}

#[tokio::test]
async fn duplicate_json_keys_are_bad_input_naming_the_key() {
    let server = TestServer::start().await;
    let h = server.rao_headers("sandbox", "dup").await;
    let body = r#"{"phoneCountryCode": "+52", "phoneCountryCode": "+1", "encryptedPhoneNumber": "NTU0MDAwMDAwNw=="}"#;
    let response = server
        .http
        .post(server.url(&format!("{RAO}/generate")))
        .headers(h.clone())
        .body(body)
        .send()
        .await
        .unwrap();
    let error = assert_error(response, 400, "error", "invalidRequest", "phoneCountryCode").await;
    assert!(
        error["details"]
            .as_str()
            .unwrap()
            .contains("more than once"),
        "{error}"
    );
    let nested = r#"{"encryptedOtpToken": "MTIzNDU2", "phone": {"phoneCountryCode": "+52", "encryptedPhoneNumber": "NTU0MDAwMDAwNw==", "encryptedPhoneNumber": "NTU0MDAwMDAwNw=="}}"#;
    let response = server
        .http
        .post(server.url(&format!("{RAO}/validate")))
        .headers(h)
        .body(nested)
        .send()
        .await
        .unwrap();
    assert_error(
        response,
        400,
        "error",
        "invalidRequest",
        "phone.encryptedPhoneNumber",
    )
    .await;
}

#[tokio::test]
async fn a_new_generate_clears_the_sessions_certified_phone() {
    let server = TestServer::start().await;
    let h = server.rao_headers("loose", "recertify").await;
    assert_eq!(server.rao_generate(&h, "5540000008").await.status(), 204);
    let otp = server.last_otp("+525540000008").await;
    assert_eq!(
        server.rao_validate(&h, "5540000008", &otp).await.status(),
        204
    );
    let certified = format!("{RAO}/certified-phone");
    assert_eq!(server.post(&certified, &h, None).await.status(), 200);
    assert_eq!(server.rao_generate(&h, "5540000009").await.status(), 204);
    let cleared = server.post(&certified, &h, None).await;
    assert_error(cleared, 404, "error", "resourceNotFound", "sid").await;
    let old = server.rao_validate(&h, "5540000008", &otp).await;
    assert_eq!(old.status(), 404, "the earlier phone's OTP is gone too");
}

#[tokio::test]
async fn a_full_memory_store_answers_server_unavailable_not_out_of_memory() {
    let mut config = test_config();
    config.server.max_store_entries = 5;
    let server = TestServer::builder()
        .config(config)
        .backend(otp_server::Backend::memory(
            std::sync::Arc::new(otp_server::clock::SystemClock),
            5,
        ))
        .start()
        .await;
    let h = server.tm_headers("loose").await;
    let mut statuses = Vec::new();
    for i in 0..4 {
        let body = tm_body("full", &format!("554100000{i}"));
        statuses.push(
            server
                .post(&format!("{TM}/generate"), &h, Some(body))
                .await
                .status()
                .as_u16(),
        );
    }
    // The token's failure counter, then two phones with a session each, fill it.
    assert_eq!(statuses, [200, 200, 500, 500]);
    let mut headers = h.clone();
    headers.insert("uuid", HeaderValue::from_static(TM_UUID));
    let body = tm_body("full", "5541000009");
    let full = server
        .post(&format!("{TM}/generate"), &headers, Some(body))
        .await;
    assert_error(full, 500, "fatal", "serverUnavailable", "server").await;
}

/// Third attack, finding 1: `+52`/`5590161000`, `+5`/`25590161000`,
/// `+525`/`590161000` and `+5255`/`90161000` were four phones for the
/// limits, all delivered to one handset. Now every split but the real one
/// is refused, and a burst of every split and look-alike form over two
/// instances sends at most the 15-minute limit (5) to the handset and
/// compares at most the hourly failure limit (10) of wrong OTPs.
#[tokio::test]
async fn one_handset_any_split_holds_the_send_and_failure_limits() {
    let (a, b) = two_instances().await;
    let forms = [
        ("+52", "5590161000"),
        ("+5", "25590161000"),
        ("+525", "590161000"),
        ("+5255", "90161000"),
        ("+052", "5590161000"),
        ("+52", "525590161000"),
        ("+52", "05590161000"),
    ];
    // `short-lived` has no send interval: only the 5-per-15-minutes limit counts.
    let (ha, hb) = (
        a.rao_headers("short-lived", "split").await,
        b.rao_headers("short-lived", "split").await,
    );
    let generates = (0..28).map(|i| {
        let (server, headers) = if i % 2 == 0 { (&a, &ha) } else { (&b, &hb) };
        let (cc, number) = forms[i % forms.len()];
        let body = json!({"phoneCountryCode": cc, "encryptedPhoneNumber": b64(number)});
        let path = format!("{RAO}/generate");
        async move { server.post(&path, headers, Some(body)).await }
    });
    let statuses = statuses_of(generates).await;
    let sent = statuses.iter().filter(|s| **s == 204).count();
    let split = statuses.iter().filter(|s| **s == 400).count();
    assert_eq!(sent, 5, "{statuses:?}");
    assert_eq!(
        split, 12,
        "the three other splits, 4 times each: {statuses:?}"
    );
    assert_eq!(a.outbox("+525590161000").await.len(), 5);

    // Wrong guesses: `resender` allows 3 failures an hour per phone, and
    // 100 attempts per OTP; 30 wrong guesses in every form compare 3.
    let h = a.rao_headers("resender", "split-guess").await;
    assert_eq!(a.rao_generate(&h, "5590161001").await.status(), 204);
    let guesses = (0..30).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        let (cc, number) = [
            ("+52", "5590161001"),
            ("+525", "590161001"),
            ("+052", "5590161001"),
        ][i % 3];
        let body = json!({"encryptedOtpToken": b64("000000"), "phone": {"phoneCountryCode": cc, "encryptedPhoneNumber": b64(number)}});
        let h = h.clone();
        async move {
            let path = format!("{RAO}/validate");
            let answer: Value = server.post(&path, &h, Some(body)).await.json().await.unwrap();
            (
                answer["code"].as_str().unwrap_or_default().to_owned(),
                answer["details"].as_str().unwrap_or_default().to_owned(),
            )
        }
    });
    let answers: Vec<(String, String)> = futures::future::join_all(guesses).await;
    let codes: Vec<String> = answers.iter().map(|(c, _)| c.clone()).collect();
    assert_eq!(
        count(&codes, "invalidRequest"),
        10,
        "the unassigned split is refused before anything is compared: {answers:?}"
    );
    let compared = answers
        .iter()
        .filter(|(_, details)| details.starts_with("The OTP is invalid"))
        .count();
    let locked = answers
        .iter()
        .filter(|(_, details)| details.contains("validations are refused"))
        .count();
    assert_eq!((compared, locked), (3, 17), "{answers:?}");
}

/// Third attack, finding 1 (telemarketing): one `phoneNumber` under three
/// allowed countries was three phones for the limits, and the SMS carried
/// no country. The SMS now goes to the whole E.164 number — three
/// countries, three handsets — and the number written with its calling
/// code is the same handset as without.
#[tokio::test]
async fn telemarketing_sms_go_to_the_whole_e164_number_of_the_country() {
    let server = TestServer::start().await;
    let mut headers = server.tm_headers("worldwide").await;
    let mut sent = Vec::new();
    for country in ["MX", "US", "CO"] {
        headers.insert("countryCode", HeaderValue::from_static(country));
        server.tm_generate(&headers, "c", "3001234567").await;
        let listed = server.get_json("/sandbox/v1/sms").await;
        sent.push(listed["messages"][0]["to"].as_str().unwrap().to_owned());
    }
    assert_eq!(sent, ["+523001234567", "+13001234567", "+573001234567"]);
    headers.insert("countryCode", HeaderValue::from_static("MX"));
    let again = server
        .post(
            &format!("{TM}/generate"),
            &headers,
            Some(tm_body("c", "523001234567")),
        )
        .await;
    // The same handset.
    assert_sent_moments_ago(again, Flow::Telemarketing).await;
}

/// Third attack, finding 10: `0000`, `000000`, `000123` fit the spec's old
/// `^[0-9]{4,15}$` but were refused as "not 4 to 15 ASCII digits". Now the
/// spec states the rule (at least 4 digits after leading zeros) and every
/// refusal says the real reason; `0001234` is the phone `1234`.
#[tokio::test]
async fn leading_zeros_are_refused_for_the_reason_the_spec_states() {
    let server = TestServer::start().await;
    let tm = server.tm_headers("loose").await;
    for number in ["0000", "000000", "000123"] {
        let answer = server
            .post(&format!("{TM}/generate"), &tm, Some(tm_body("c", number)))
            .await;
        let refused = assert_error(answer, 400, "invalid", "invalidRequest", "phoneNumber").await;
        let details = refused["details"].as_str().unwrap();
        assert!(details.contains("must match"), "{number}: {details}");
        assert!(!details.contains("4 to 15"), "{number}: {details}");
    }
    server.tm_generate(&tm, "c", "0001234").await;
    assert_eq!(server.outbox("+521234").await.len(), 1);
    let rao = server.rao_headers("loose", "zeros").await;
    let refused = assert_error(
        server.rao_generate(&rao, "000123").await,
        400,
        "error",
        "invalidRequest",
        "encryptedPhoneNumber",
    )
    .await;
    let details = refused["details"].as_str().unwrap();
    assert!(details.contains("after its leading zeros"), "{details}");
}

/// Third attack, finding 3: ten wrong secrets a minute for a known
/// `client_id` locked the real client out, from anywhere; unknown client
/// ids filled the store. Failures now count per (client, source address),
/// and an unknown client id leaves nothing in the store.
#[tokio::test]
async fn an_attacker_elsewhere_cannot_lock_the_real_client_out() {
    let mut config = test_config();
    config.server.client_address_header = Some("X-Forwarded-For".into());
    config.server.max_store_entries = 3;
    let server = TestServer::builder()
        .config(config)
        .backend(otp_server::Backend::memory(
            std::sync::Arc::new(otp_server::clock::SystemClock),
            3,
        ))
        .start()
        .await;
    let token = |secret: &'static str, from: &'static str| {
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", "sandbox"),
            ("client_secret", secret),
        ];
        let request = server.http.post(server.url(TOKEN_URL)).form(&form);
        async move {
            let sent = request.header("X-Forwarded-For", format!("10.9.9.9, {from}"));
            sent.send().await.unwrap().status().as_u16()
        }
    };
    let burst = (0..40).map(|_| token("wrong-secret", "203.0.113.5"));
    let statuses = futures::future::join_all(burst).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        30,
        "{statuses:?}"
    );
    assert_eq!(
        token("sandbox-secret", "203.0.113.5").await,
        429,
        "from there"
    );
    assert_eq!(
        token("sandbox-secret", "198.51.100.7").await,
        200,
        "the real client, elsewhere, gets its token"
    );
    // Unknown client ids: 1100 of them, and the store (3 entries) still
    // takes the real client's generate.
    let unknown = (0..1100).map(|i| {
        let form = [
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", format!("nobody-{i}")),
            ("client_secret", "x".to_owned()),
        ];
        server.http.post(server.url(TOKEN_URL)).form(&form).send()
    });
    for answer in futures::future::join_all(unknown).await {
        assert_eq!(answer.unwrap().status(), 401);
    }
    let h = server.tm_headers("sandbox").await;
    server.tm_generate(&h, "c", "5542000001").await;
}

/// Third attack, finding 5: a page a tester visits could reset or move a
/// shared sandbox (`text/plain` from a foreign `Origin`, or a rebound
/// `Host`). Those are refused `403` with the spec's envelope, and change
/// nothing.
#[tokio::test]
async fn forged_sandbox_calls_are_refused_and_change_nothing() {
    let mut config = test_config();
    config.sandbox.allowed_hosts = vec!["otp-sandbox".into()];
    let server = TestServer::builder().config(config).start().await;
    let h = server.tm_headers("sandbox").await;
    let (sid, _) = server.tm_generate(&h, "c", "5543000001").await;
    let otp = server.last_otp("5543000001").await;
    let post = |path: &str, pairs: &[(&str, &str)], body: &'static str| {
        let mut request = server.http.post(server.url(path)).body(body);
        for (name, value) in pairs {
            request = request.header(*name, *value);
        }
        async move { request.send().await.unwrap() }
    };
    let uuid = ("uuid", TM_UUID);
    let forged = [
        (
            "/sandbox/v1/clock",
            vec![
                ("content-type", "text/plain"),
                ("origin", "https://evil.example"),
                uuid,
            ],
            r#"{"advanceSeconds": 3600}"#,
            "Origin",
        ),
        (
            "/sandbox/v1/reset",
            vec![
                ("content-type", "application/json"),
                ("origin", "null"),
                uuid,
            ],
            "{}",
            "Origin",
        ),
        (
            "/sandbox/v1/reset",
            vec![
                ("content-type", "application/json"),
                ("host", "evil.example"),
                uuid,
            ],
            "{}",
            "Host",
        ),
        (
            "/sandbox/v1/provider-states",
            vec![
                ("content-type", "application/json"),
                ("host", "evil.example:8080"),
                uuid,
            ],
            r#"{"state": "the phone is locked", "params": {"phoneNumber": "5543000001"}}"#,
            "Host",
        ),
    ];
    for (path, headers, body, location) in forged {
        let answer = post(path, &headers, body).await;
        assert_error(answer, 403, "invalid", "accessNotConfigured", location).await;
    }
    let plain = post(
        "/sandbox/v1/reset",
        &[("content-type", "text/plain"), uuid],
        "",
    )
    .await;
    assert_error(plain, 400, "invalid", "invalidRequest", "Content-Type").await;
    let none = post("/sandbox/v1/reset", &[uuid], "").await;
    assert_error(none, 400, "invalid", "invalidRequest", "Content-Type").await;
    assert_eq!(
        server.get_json("/sandbox/v1/clock").await["offsetSeconds"],
        0
    );
    assert_eq!(
        server.tm_validate(&h, &sid, "c", &otp).await.status(),
        200,
        "nothing was reset, the phone not locked"
    );
    let own = format!("http://{}", server.addr);
    let json = ("content-type", "application/json");
    for headers in [
        vec![json, ("origin", own.as_str())],
        vec![json, ("host", "otp-sandbox:8080")],
        vec![json],
    ] {
        let answer = post("/sandbox/v1/clock", &headers, r#"{"advanceSeconds": 1}"#).await;
        assert_eq!(answer.status(), 200, "{headers:?}");
    }
}

/// Third attack, finding 4: event streams had no cap, no lifetime, and a
/// slow reader was buffered for. Now at most `sandbox.max_event_streams`
/// are open (the rest `429` at once), each ends after its lifetime, a
/// reader that does not keep up is dropped, and the server keeps answering.
#[tokio::test]
async fn event_streams_are_capped_in_number_lifetime_and_backlog() {
    let mut config = test_config();
    config.sandbox.max_event_streams = 8;
    config.sandbox.event_stream_lifetime_secs = 3600;
    let server = TestServer::builder().config(config).start().await;
    let open = (0..2000).map(|_| server.http.get(server.url("/sandbox/v1/events")).send());
    let answers: Vec<reqwest::Response> = futures::future::join_all(open)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 8);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 1992);
    let mut refused = answers.iter().filter(|r| r.status() == 429);
    assert!(
        refused.all(|r| r.headers()["connection"] == "close"),
        "a refused stream holds no connection open"
    );
    // Still answering while every slot is held (how fast is the bench's
    // business; a loaded machine may take its time, a stuck server never
    // answers).
    let live = server.http.get(server.url("/health/live")).send();
    let live = tokio::time::timeout(Duration::from_secs(10), live).await;
    assert_eq!(live.expect("still answering").unwrap().status(), 200);
    let (status, _) = server.token_status("sandbox", "sandbox-secret").await;
    assert_eq!(status, 200);

    // Readers that do not keep up, on streams meant to last an hour: each
    // reads its answer's head and then nothing, over a socket whose receive
    // buffer is small. The kernel may hold up to its largest send buffer
    // (`net.ipv4.tcp_wmem`'s third field) for such a reader, more or less
    // of it as the machine's load has it; past that the server holds a few
    // dozen events and drops the stream. So requests whose events add up to
    // more than that go by (each event shows the request's body, cut at
    // 4 KiB), and every stream ends with its last chunk once read.
    let mut config = test_config();
    config.sandbox.max_event_streams = 8;
    config.sandbox.event_stream_lifetime_secs = 3600;
    let server = TestServer::builder().config(config).start().await;
    let mut unread = Vec::new();
    for _ in 0..8 {
        unread.push(open_unread_stream(&server).await);
    }
    let refused = server
        .http
        .get(server.url("/sandbox/v1/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429, "the 8 unread streams hold the slots");
    let h = server.tm_headers("loose").await;
    let bulky = json!({ "filler": "x".repeat(4096) });
    for _ in 0..(largest_send_buffer() + 512 * 1024) / 4096 {
        let answer = server
            .post(&format!("{TM}/generate"), &h, Some(bulky.clone()))
            .await;
        assert_eq!(answer.status(), 400);
    }
    for stream in &mut unread {
        let ended = tokio::time::timeout(Duration::from_secs(30), read_to_last_chunk(stream)).await;
        assert!(
            matches!(ended, Ok(true)),
            "a slow reader's stream was dropped"
        );
    }
    let again = server
        .http
        .get(server.url("/sandbox/v1/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200, "slots are given back");

    // A stream ends with its lifetime (the page reconnects by itself).
    let mut config = test_config();
    config.sandbox.event_stream_lifetime_secs = 1;
    let server = TestServer::builder().config(config).start().await;
    let opened = std::time::Instant::now();
    let mut stream = server
        .http
        .get(server.url("/sandbox/v1/events"))
        .send()
        .await
        .unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "a stream outlived its lifetime");
    assert!(
        opened.elapsed() >= Duration::from_millis(900),
        "not before it"
    );
}

/// Opens `GET /sandbox/v1/events` as a page that stopped reading would:
/// over a socket with a 4 KiB receive buffer, reading the answer's head
/// (which must be a `200` stream) and nothing after it.
async fn open_unread_stream(server: &TestServer) -> tokio::net::TcpStream {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut stream = socket.connect(server.addr).await.unwrap();
    stream
        .write_all(b"GET /sandbox/v1/events HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8];
        assert_eq!(stream.read(&mut byte).await.unwrap(), 1, "{head:?}");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    stream
}

/// The most a TCP socket's send buffer grows to on this machine, in bytes:
/// what the kernel may hold for a peer that reads nothing.
fn largest_send_buffer() -> usize {
    let wmem = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem").unwrap();
    wmem.split_whitespace().nth(2).unwrap().parse().unwrap()
}

/// Reads a chunked body to its end; false if the connection closes first.
async fn read_to_last_chunk(stream: &mut tokio::net::TcpStream) -> bool {
    use tokio::io::AsyncReadExt;
    let mut tail = Vec::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => tail.extend_from_slice(&buffer[..n]),
        }
        if tail.ends_with(b"\r\n0\r\n\r\n") {
            return true;
        }
        let keep = tail.len().saturating_sub(8);
        tail.drain(..keep);
    }
}

/// Third attack, finding 8: the sandbox clock had no total cap (after
/// about 1000 moves timestamps left RFC 3339). It goes at most 10 years
/// ahead, and a move past that is a clear 400 that moves nothing.
#[tokio::test]
async fn the_sandbox_clock_goes_at_most_ten_years_ahead() {
    let server = TestServer::start().await;
    let advance = |seconds: u64| {
        let request = server
            .http
            .post(server.url("/sandbox/v1/clock"))
            .header("content-type", "application/json")
            .header("uuid", TM_UUID)
            .json(&json!({ "advanceSeconds": seconds }));
        async move { request.send().await.unwrap() }
    };
    assert_eq!(advance(315_360_000 - 10).await.status(), 200);
    let over = advance(11).await;
    let body = assert_error(over, 400, "invalid", "invalidRequest", "advanceSeconds").await;
    assert!(
        body["details"].as_str().unwrap().contains("10 years"),
        "{body}"
    );
    let clock = server.get_json("/sandbox/v1/clock").await;
    assert_eq!(clock["offsetSeconds"], 315_360_000 - 10, "nothing moved");
    let now = clock["now"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(now).is_ok(), "{now}");
    assert_eq!(advance(10).await.status(), 200, "up to the cap");
}

/// A burst of telemarketing generates for one phone no store has seen, over
/// two instances and two splits of its number: one send makes the phone's
/// record (on Redis, by the script's first-record path) and the send
/// interval refuses every other, however the burst interleaves.
#[tokio::test]
async fn a_burst_of_first_sends_to_a_new_phone_sends_once() {
    let (a, b) = two_instances().await;
    let (ha, hb) = (a.tm_headers("sandbox").await, b.tm_headers("sandbox").await);
    let numbers = ["5590162000", "525590162000"];
    let path = format!("{TM}/generate");
    let generates = (0..24).map(|i| {
        let (server, headers) = if i % 2 == 0 { (&a, &ha) } else { (&b, &hb) };
        let body = tm_body(&format!("burst-{i}"), numbers[(i / 2) % 2]);
        let path = &path;
        async move { server.post(path, headers, Some(body)).await }
    });
    let statuses = statuses_of(generates).await;
    let sent = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 400).count();
    assert_eq!((sent, refused), (1, 23), "{statuses:?}");
    assert_eq!(b.outbox("+525590162000").await.len(), 1);
}
