//! Tenants of one sandbox: `POST /sandbox/v1/reset {"client_id"}` forgets
//! only that client's challenges, sessions, messages and coverage, on
//! every instance; two pipelines with two clients do not see or wipe each
//! other's state, even while one resets in the middle of the other's flows.

use crate::support::*;
use serde_json::{json, Value};

async fn reset_client(server: &TestServer, client: &str) -> Value {
    let response = server
        .http
        .post(server.url("/sandbox/v1/reset"))
        .json(&json!({"client_id": client}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_tenant_reset_leaves_the_other_tenants_live_otp_valid() {
    let (a, b) = two_instances().await;
    // Tenant "loose" has a live RAO OTP and a telemarketing one.
    let other = b.rao_headers("loose", "tenant-b").await;
    assert_eq!(b.rao_generate(&other, "5553000001").await.status(), 204);
    let other_otp = b.last_otp("+525553000001").await;
    let other_tm = b.tm_headers("loose").await;
    let (other_sid, _) = b.tm_generate(&other_tm, "tb", "5553000002").await;
    let other_tm_otp = b.last_otp("5553000002").await;
    // Tenant "sandbox" has its own, and a certified phone.
    let mine = a.rao_headers("sandbox", "tenant-a").await;
    assert_eq!(a.rao_generate(&mine, "5553000003").await.status(), 204);
    let my_otp = a.last_otp("+525553000003").await;
    let tm = a.tm_headers("sandbox").await;
    let (my_sid, _) = a.tm_generate(&tm, "ta", "5553000004").await;
    let my_tm_otp = a.last_otp("5553000004").await;
    assert_eq!(a.rao_generate(&mine, "5553000005").await.status(), 204);

    let answer = reset_client(&a, "sandbox").await;
    assert_eq!(answer["clientId"], "sandbox");
    assert!(
        answer["kept"]["clock"].as_str().unwrap().contains("global"),
        "{answer}"
    );

    // The other tenant's OTPs validate, on either instance.
    assert_eq!(
        a.rao_validate(&other, "5553000001", &other_otp)
            .await
            .status(),
        204
    );
    assert_eq!(
        a.tm_validate(&other_tm, &other_sid, "tb", &other_tm_otp)
            .await
            .status(),
        200
    );
    assert_eq!(
        b.outbox("+525553000001").await.len(),
        1,
        "its messages stay"
    );
    // The reset tenant's are forgotten, messages included.
    let gone = b.rao_validate(&mine, "5553000003", &my_otp).await;
    assert_error(gone, 404, "error", "resourceNotFound", "sid").await;
    let gone = b.tm_validate(&tm, &my_sid, "ta", &my_tm_otp).await;
    assert_error(gone, 400, "invalid", "invalidRequest", "sid").await;
    assert!(b.outbox("+525553000003").await.is_empty());
    assert!(b.outbox("+525553000004").await.is_empty());
    // The phone's counters are the handset's: a send at once is throttled.
    let again = a.rao_generate(&mine, "5553000003").await;
    // The send throttle stays.
    assert_sent_moments_ago(again, Flow::Rao).await;
}

#[tokio::test]
async fn two_pipelines_run_in_parallel_while_one_resets() {
    let (a, b) = two_instances().await;
    let pipeline = |server: TestServer, client: &'static str, base: u64, resets: bool| async move {
        let mut done = 0;
        for i in 0..12u64 {
            let phone = format!("{}", base + i);
            let sid = format!("{client}-{i}");
            let h = server.rao_headers(client, &sid).await;
            assert_eq!(server.rao_generate(&h, &phone).await.status(), 204);
            let otp = server.last_otp(&format!("+52{phone}")).await;
            if resets && i % 3 == 1 {
                reset_client(&server, client).await;
                continue;
            }
            let validated = server.rao_validate(&h, &phone, &otp).await;
            assert_eq!(
                validated.status(),
                204,
                "{client} {i}: {}",
                validated.text().await.unwrap()
            );
            done += 1;
        }
        done
    };
    let a2 = TestServer::at(a.addr);
    let b2 = TestServer::at(b.addr);
    let (quiet, noisy) = tokio::join!(
        tokio::spawn(pipeline(a2, "loose", 5554000000, false)),
        tokio::spawn(pipeline(b2, "sandbox", 5555000000, true)),
    );
    assert_eq!(quiet.unwrap(), 12, "none of the quiet tenant's flows broke");
    assert_eq!(noisy.unwrap(), 8);
    let loose = a
        .get_json("/sandbox/v1/sms?client_id=loose&limit=100")
        .await;
    assert_eq!(loose["messages"].as_array().unwrap().len(), 12);
    let mine = a
        .get_json("/sandbox/v1/sms?client_id=sandbox&limit=100")
        .await;
    assert!(
        mine["messages"].as_array().unwrap().len() < 12,
        "the noisy tenant's were wiped"
    );
}

#[tokio::test]
async fn a_tenant_reset_names_a_known_client_and_not_a_phone_too() {
    let server = TestServer::start().await;
    let post = |body: Value| {
        server
            .http
            .post(server.url("/sandbox/v1/reset"))
            .json(&body)
            .send()
    };
    let unknown = post(json!({"client_id": "nobody"})).await.unwrap();
    assert_eq!(unknown.status(), 400);
    let both = post(json!({"client_id": "sandbox", "phone": "+525500000001"}))
        .await
        .unwrap();
    assert_eq!(both.status(), 400);
}
