//! Contract coverage per client: after a known set of calls, spread over
//! two instances of one store, the coverage is exactly those rows — on the
//! memory store here, on Redis in `make test-redis` — and the CLI prints it.

use crate::support::*;
use reqwest::header::HeaderValue;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The exercised rows: `operation status code` → (count, forced).
async fn exercised(server: &TestServer, client: &str) -> (BTreeMap<String, (u64, u64)>, Value) {
    let table = server
        .get_json(&format!("/sandbox/v1/coverage?client_id={client}"))
        .await;
    let rows = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["exercised"] == true)
        .map(|r| {
            let key = format!(
                "{} {} {}",
                r["operation"].as_str().unwrap(),
                r["status"],
                r["code"].as_str().unwrap_or("-")
            );
            (
                key,
                (r["count"].as_u64().unwrap(), r["forced"].as_u64().unwrap()),
            )
        })
        .collect();
    (rows, table)
}

fn with(
    headers: &reqwest::header::HeaderMap,
    name: &'static str,
    value: &str,
) -> reqwest::header::HeaderMap {
    let mut headers = headers.clone();
    headers.insert(name, HeaderValue::from_str(value).unwrap());
    headers
}

#[tokio::test]
async fn coverage_after_known_calls_is_exactly_those_rows_across_two_instances() {
    let (a, b) = two_instances().await;
    let rao_a = a.rao_headers("sandbox", "cov-1").await;
    let rao_b = b.rao_headers("sandbox", "cov-1").await;
    assert_eq!(a.rao_generate(&rao_a, "5552000001").await.status(), 204);
    let otp = b.last_otp("+525552000001").await;
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    assert_eq!(
        b.rao_validate(&rao_b, "5552000001", wrong).await.status(),
        422
    );
    assert_eq!(
        a.rao_validate(&rao_a, "5552000001", &otp).await.status(),
        204
    );
    let mut no_sid = rao_a.clone();
    no_sid.remove("sid");
    assert_eq!(a.rao_generate(&no_sid, "5552000002").await.status(), 400);
    let tm = b.tm_headers("sandbox").await;
    let (sid, _) = b.tm_generate(&tm, "cov", "5552000003").await;
    let forced = b
        .tm_validate(
            &with(&tm, "prefer", "error=\"OTP Token Expired\""),
            &sid,
            "cov",
            "X",
        )
        .await;
    assert_eq!(forced.status(), 400);
    let by_code = a
        .rao_generate(&with(&rao_a, "prefer", "code=500"), "5552000004")
        .await;
    assert_eq!(by_code.status(), 500);
    // Another client's calls are its own.
    let loose = a.rao_headers("loose", "cov-2").await;
    assert_eq!(a.rao_generate(&loose, "5552000005").await.status(), 204);

    let expected: BTreeMap<String, (u64, u64)> = [
        ("generateRaoOtp 204 -", (1, 0)),
        ("generateRaoOtp 400 invalidRequest", (1, 0)),
        ("generateRaoOtp 500 serverUnavailable", (1, 1)),
        ("validateRaoOtp 422 businessValidationFailed", (1, 0)),
        ("validateRaoOtp 204 -", (1, 0)),
        ("generateTelemarketingOtp 200 -", (1, 0)),
        ("validateTelemarketingOtp 400 OTP Token Expired", (1, 1)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for server in [&a, &b] {
        let (rows, table) = exercised(server, "sandbox").await;
        assert_eq!(rows, expected, "{table}");
        assert_eq!(table["exercised"], 7);
        let total = table["total"].as_u64().unwrap();
        assert!(total > 20, "{total}");
        assert_eq!(
            table["share"],
            ((7.0 / total as f64) * 1000.0).round() / 1000.0
        );
        let first = &table["rows"][0];
        assert!(
            first["firstSeen"].is_string() && first["lastSeen"].is_string(),
            "{first}"
        );
        // An answer seen once was first and last seen at one moment; one
        // seen again, last seen no earlier (RFC 3339 UTC, one format).
        for row in table["rows"].as_array().unwrap() {
            let (seen_first, seen_last) = (&row["firstSeen"], &row["lastSeen"]);
            match row["count"].as_u64().unwrap() {
                0 => assert!(seen_first.is_null() && seen_last.is_null(), "{row}"),
                1 => assert_eq!(seen_first, seen_last, "{row}"),
                _ => assert!(
                    seen_first.as_str().unwrap() <= seen_last.as_str().unwrap(),
                    "{row}"
                ),
            }
        }
    }
    let (loose_rows, _) = exercised(&b, "loose").await;
    assert_eq!(
        loose_rows.keys().collect::<Vec<_>>(),
        ["generateRaoOtp 204 -"]
    );

    // The client's reset forgets its coverage only.
    let reset = a
        .http
        .post(a.url("/sandbox/v1/reset"))
        .json(&json!({"client_id": "sandbox"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    assert!(exercised(&b, "sandbox").await.0.is_empty());
    assert_eq!(exercised(&b, "loose").await.0.len(), 1);
}

#[tokio::test]
async fn coverage_needs_a_known_client() {
    let server = TestServer::start().await;
    for query in ["", "?client_id=", "?client_id=nobody"] {
        let answer = server
            .http
            .get(server.url(&format!("/sandbox/v1/coverage{query}")))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 400, "{query}");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["location"], "client_id");
    }
}

#[tokio::test]
async fn the_coverage_command_prints_the_table_and_fails_below_the_minimum() {
    let server = TestServer::start().await;
    let tm = server.tm_headers("sandbox").await;
    server.tm_generate(&tm, "cli", "5552000006").await;
    let junit = std::env::temp_dir().join(format!(
        "coverage-{}.xml",
        unique_prefix().trim_end_matches(':')
    ));
    let target = server.url("");
    let run = |min: &str| {
        let (target, junit) = (target.clone(), junit.clone());
        let min = min.to_owned();
        tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_otp-server"))
                .args([
                    "coverage",
                    "--target",
                    &target,
                    "--client-id",
                    "sandbox",
                    "--min",
                    &min,
                ])
                .arg("--junit")
                .arg(&junit)
                .output()
                .unwrap()
        })
    };
    let low = run("1").await.unwrap();
    let out = String::from_utf8_lossy(&low.stdout);
    assert!(
        low.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&low.stderr)
    );
    let line = out
        .lines()
        .find(|l| l.starts_with("generateTelemarketingOtp") && l.contains(" 200 "));
    assert!(line.is_some_and(|l| l.ends_with("1  yes")), "{out}");
    assert!(out.contains("1 of "), "{out}");
    let high = run("50").await.unwrap();
    assert_eq!(high.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&high.stderr).contains("below --min 50%"));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<failure message=")
            && xml.contains("name=\"generateTelemarketingOtp 200 -\"/>"),
        "{xml}"
    );
    let _ = std::fs::remove_file(&junit);
}
