//! The kit against the project's own sandbox, over HTTP only (its outbox,
//! its clock, its test phones), on the store under test, so
//! `scripts/test-redis.sh` runs it on Redis too.

use super::broken::{self, Defect};
use super::*;
use crate::support::TestServer;
use otp_server::conform::{Outcome, SourceSpec, WebhookInbox};
use otp_server::sms::WebhookGateway;
use std::sync::Arc;
use std::time::Duration;

#[tokio::test]
async fn every_check_passes_against_the_sandbox() {
    let server = TestServer::start().await;
    let report = run(options(&server.url(""), &[]), Extras::default()).await;
    assert!(
        report.results.len() >= 40,
        "{} checks",
        report.results.len()
    );
    for result in &report.results {
        assert_eq!(result.outcome, Outcome::Pass, "{}", result.name);
    }
    assert!(report.conforms());
    let clock = server.get_json("/sandbox/v1/clock").await;
    assert_eq!(
        clock["offsetSeconds"].as_u64(),
        Some(report.changes.clock_advanced_secs),
        "the report says exactly how far the run moved the shared clock"
    );
    assert!(
        report.changes.clock_advanced_secs > 1000,
        "{:?}",
        report.changes
    );
}

#[tokio::test]
async fn otps_can_come_from_test_phones() {
    let server = TestServer::start().await;
    let mut options = options(&server.url(""), &["flows", "semantics"]);
    options.sources = vec![
        "test-phone:+525500000001=123456".parse().unwrap(),
        "test-phone:5500000001=TST12345678".parse().unwrap(),
    ];
    let report = run(options, Extras::default()).await;
    for result in &report.results {
        match &result.outcome {
            Outcome::Pass => {}
            Outcome::Skip { reason } => assert!(
                reason.contains("test phone") || reason.contains("fresh phone"),
                "{}: {reason}",
                result.name
            ),
            other => panic!("{}: {other:?}", result.name),
        }
    }
    assert_passed(&report, "semantics.rao.attempt-limit");
    assert_passed(&report, "flows.telemarketing.happy-path");
}

#[tokio::test]
async fn otps_can_come_from_the_targets_webhook_sms() {
    let inbox = Arc::new(
        WebhookInbox::bind("127.0.0.1:0".parse().unwrap())
            .await
            .unwrap(),
    );
    let gateway = WebhookGateway::new(&inbox.url(), Duration::from_secs(2), 0).unwrap();
    let server = TestServer::builder().sms(Arc::new(gateway)).start().await;
    let mut options = options(&server.url(""), &["flows", "semantics.*.attempt-limit"]);
    options.sources = vec![SourceSpec::Webhook("127.0.0.1:9".parse().unwrap())];
    let extras = Extras {
        webhook: Some(inbox),
    };
    let report = run(options, extras).await;
    assert_eq!(
        report.tally().passed,
        report.results.len(),
        "{}",
        report.summary()
    );
}

#[tokio::test]
async fn on_a_target_without_a_sandbox_clock_the_checks_that_need_time_skip() {
    let mock = broken::start(Defect::PlaceholderMock).await;
    let only = ["semantics.rao.expiry", "flows.rao.resend-replaces"];
    let report = run(options(&mock.url(), &only), Extras::default()).await;
    for name in only {
        match &result(&report, name).outcome {
            Outcome::Skip { reason } => assert!(reason.contains("no sandbox clock"), "{reason}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    assert!(report.conforms(), "a skip is not a failure");
    assert!(
        report
            .summary()
            .contains("2 skipped: a skipped check is not a pass"),
        "{}",
        report.summary()
    );
}

#[tokio::test]
async fn without_a_source_of_otps_the_flows_skip() {
    let server = TestServer::start().await;
    let mut options = options(
        &server.url(""),
        &["flows.rao.happy-path", "flows.rao.no-challenge"],
    );
    options.sources = vec![];
    let report = run(options, Extras::default()).await;
    assert!(
        matches!(&result(&report, "flows.rao.happy-path").outcome, Outcome::Skip { reason } if reason.contains("--otp-source"))
    );
    assert_passed(&report, "flows.rao.no-challenge");
}
