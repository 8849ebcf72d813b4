//! The kit must catch what is wrong: against each broken server, the
//! checks of the broken rule fail with a useful expected-vs-seen, and the
//! checks of the rules it keeps still pass.

use super::broken::{self, Defect};
use super::*;

/// Runs `only` against a server with `defect`.
async fn against(defect: Defect, only: &[&str]) -> Report {
    let server = broken::start(defect).await;
    run(options(&server.url(), only), Extras::default()).await
}

#[tokio::test]
async fn a_server_that_accepts_any_otp_fails_single_use_and_attempt_limits() {
    let report = against(Defect::AcceptsAnyOtp, &[]).await;
    assert_failed(
        &report,
        "semantics.rao.attempt-limit",
        "wrong attempt 1: 422 error/businessValidationFailed",
        "204 (empty body)",
    );
    assert_failed(
        &report,
        "semantics.telemarketing.attempt-limit",
        "wrong attempt 1: 400 error/OTP Token Invalid",
        "200 (empty body)",
    );
    assert_failed(
        &report,
        "flows.rao.single-use",
        "validated a second time: 404 error/resourceNotFound",
        "204",
    );
    assert_failed(
        &report,
        "flows.rao.other-phone",
        "another phone: 404 error/resourceNotFound",
        "204",
    );
    assert_failed(
        &report,
        "flows.rao.no-challenge",
        "never generated: 404 error/resourceNotFound",
        "204",
    );
    assert_failed(
        &report,
        "flows.telemarketing.unknown-sid",
        "400 invalid/invalidRequest at sid",
        "200",
    );
    assert_failed(
        &report,
        "flows.telemarketing.other-customer",
        "400 error/OTP Token Invalid",
        "200",
    );
    assert_passed(&report, "flows.rao.happy-path");
    assert_passed(&report, "flows.telemarketing.happy-path");
    for name in report.failures() {
        let about_otps = ["flows.", "semantics.", "errors.prefer"]
            .iter()
            .any(|p| name.starts_with(p));
        assert!(about_otps, "{name} failed: the defect is only about OTPs");
    }
}

#[tokio::test]
async fn a_server_that_never_burns_a_challenge_fails_the_attempt_limits_and_the_lock() {
    let report = against(Defect::NeverBurns, &["semantics"]).await;
    let burnt = "after 3 wrong attempts (challenge burnt): 404 error/resourceNotFound or 422 error/businessValidationFailed";
    assert_failed(
        &report,
        "semantics.rao.attempt-limit",
        burnt,
        "204 (empty body)",
    );
    assert_failed(
        &report,
        "semantics.telemarketing.attempt-limit",
        "(challenge burnt): 400 error/OTP Token Invalid or 400 invalid/invalidRequest",
        "200",
    );
    assert_failed(&report, "semantics.rao.phone-lock.sends", "a send after 10 wrong attempts on the phone within the hour: 422 error/businessValidationFailed", "204");
    assert_failed(
        &report,
        "semantics.telemarketing.phone-lock.sends",
        "400 invalid/invalidRequest",
        "200",
    );
    for kept in [
        "semantics.rao.expiry",
        "semantics.telemarketing.expiry",
        "semantics.rao.send-interval",
        "semantics.rao.send-window",
    ] {
        assert_passed(&report, kept);
    }
}

#[tokio::test]
async fn a_server_that_answers_undocumented_errors_fails_the_catalogue() {
    let report = against(
        Defect::UndocumentedErrors,
        &["flows.rao", "semantics.*.attempt-limit", "errors.responses"],
    )
    .await;
    assert_failed(
        &report,
        "flows.rao.single-use",
        "404 error/resourceNotFound",
        "404 warn/resourceNotFound",
    );
    assert_failed(
        &report,
        "semantics.rao.attempt-limit",
        "422 error/businessValidationFailed",
        "409 error/businessValidationFailed",
    );
    assert_failed(
        &report,
        "semantics.telemarketing.attempt-limit",
        "400 error/OTP Token Invalid",
        "400 error/OTP_TOKEN_INVALID",
    );
    assert_failed(
        &report,
        "errors.responses",
        "documented (status, schema, x-error-codes row",
        "(404, warn, resourceNotFound) is not a documented row of validateRaoOtp",
    );
    let catalogue = &result(&report, "errors.responses").outcome;
    assert!(
        format!("{catalogue:?}").contains("status 409 is not documented"),
        "{catalogue:?}"
    );
    assert_passed(&report, "flows.rao.happy-path");
}

#[tokio::test]
async fn a_server_that_drops_the_sid_header_fails_the_telemarketing_flow() {
    let report = against(Defect::DropsSid, &["flows", "errors.responses"]).await;
    assert_failed(
        &report,
        "flows.telemarketing.happy-path",
        "200 with a sid response header",
        "no sid header",
    );
    assert_failed(
        &report,
        "errors.responses",
        "every answer",
        "the spec declares a sid response header on 200 of generateTelemarketingOtp; none was sent",
    );
    for kept in [
        "flows.rao.happy-path",
        "flows.rao.single-use",
        "flows.telemarketing.unknown-sid",
    ] {
        assert_passed(&report, kept);
    }
}

#[tokio::test]
async fn a_server_that_answers_422_for_a_missing_header_fails_the_contract() {
    let report = against(Defect::MissingHeader422, &["contract"]).await;
    assert_failed(
        &report,
        "contract.rao.required-headers",
        "without the Accept header: 400 error/invalidRequest at Accept",
        "422 error/businessValidationFailed at Accept",
    );
    assert_failed(
        &report,
        "contract.telemarketing.required-headers",
        "400 invalid/invalidRequest at uuid",
        "422 error/businessValidationFailed at uuid",
    );
    assert_passed(&report, "contract.rao.body");
    assert_passed(&report, "contract.telemarketing.body");
}

#[tokio::test]
async fn a_mock_that_accepts_any_otp_with_placeholder_errors_does_not_conform() {
    let report = against(Defect::PlaceholderMock, &[]).await;
    assert!(!report.conforms());
    assert_failed(
        &report,
        "contract.rao.required-headers",
        "400 error/invalidRequest at Accept",
        "400 string/string at string",
    );
    assert_failed(
        &report,
        "auth.bearer",
        "generateRaoOtp with no Authorization: 401 error/unAuthorized",
        "400 string/string",
    );
    assert_failed(&report, "auth.token", "expires_in > 0", "200");
    assert_failed(
        &report,
        "flows.rao.no-challenge",
        "404 error/resourceNotFound",
        "204",
    );
    assert_failed(&report, "flows.telemarketing.unknown-sid", "at sid", "200");
    assert_failed(
        &report,
        "errors.responses",
        "every answer",
        "is not a documented row",
    );
    match &result(&report, "flows.rao.happy-path").outcome {
        Outcome::Skip { reason } => assert!(reason.contains("no sandbox outbox"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let summary = report.summary();
    assert!(
        summary.contains("DOES NOT CONFORM") && summary.contains("flows.rao.no-challenge"),
        "{summary}"
    );
}
