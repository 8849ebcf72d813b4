//! What keeps a web page a tester visits from resetting or moving a shared
//! sandbox: the endpoints that change its state take only
//! `application/json` (a cross-origin page can send `text/plain`, a form or
//! nothing without a CORS preflight, never JSON), refuse a foreign `Origin`
//! (a cross-site request; browsers always send it on a POST) and refuse a
//! `Host` that is a name the sandbox was not told about (DNS rebinding: the
//! attacker's name, resolved to the sandbox's address). IP literals and
//! `localhost` cannot be rebound; other names go in `sandbox.allowed_hosts`.

use crate::app::App;
use crate::error::{code, ApiError};
use hyper::header::{CONTENT_TYPE, HOST, ORIGIN};
use hyper::http::uri::Authority;
use hyper::HeaderMap;
use std::net::IpAddr;

/// Why a request to an endpoint that changes the sandbox's state is
/// refused, if it is.
pub(crate) fn forged(app: &App, headers: &HeaderMap) -> Option<ApiError> {
    let sandbox = &app.config().sandbox;
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    if let Some(host) = host.filter(|h| !host_allowed(h, &sandbox.allowed_hosts)) {
        let details = format!(
            "The sandbox does not answer this endpoint for Host {host:?}: use its address, localhost, or a name in sandbox.allowed_hosts (a web page could otherwise reach it through DNS rebinding)"
        );
        return Some(ApiError::new(code::ACCESS_NOT_CONFIGURED, "Host").with_details(details));
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let origin = origin.to_str().unwrap_or("null");
        if !origin_allowed(origin, host, &sandbox.allowed_origins) {
            let details = format!(
                "A page of {origin} may not change this sandbox's state: only the sandbox's own pages and sandbox.allowed_origins may"
            );
            return Some(
                ApiError::new(code::ACCESS_NOT_CONFIGURED, "Origin").with_details(details),
            );
        }
    }
    let media = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let essence = media.and_then(|m| m.split(';').next()).map(str::trim);
    if !essence.is_some_and(|e| e.eq_ignore_ascii_case("application/json")) {
        return Some(ApiError::invalid(
            "Content-Type",
            "Send Content-Type: application/json (the sandbox's endpoints that change its state take JSON only, an empty body included)",
        ));
    }
    None
}

/// Whether `host` (a `Host` value) is the sandbox's own: an IP literal,
/// `localhost`, or an allowed name.
fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let Ok(authority) = host.parse::<Authority>() else {
        return false;
    };
    let name = authority
        .host()
        .trim_start_matches('[')
        .trim_end_matches(']');
    name.parse::<IpAddr>().is_ok()
        || name.eq_ignore_ascii_case("localhost")
        || allowed
            .iter()
            .any(|a| a == "*" || a.eq_ignore_ascii_case(name))
}

/// Whether a page of `origin` may call: the same origin as the request's
/// `Host`, or an allowed one.
fn origin_allowed(origin: &str, host: Option<&str>, allowed: &[String]) -> bool {
    let same = origin
        .split_once("://")
        .is_some_and(|(_, authority)| host.is_some_and(|h| h.eq_ignore_ascii_case(authority)));
    same || allowed
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_that_cannot_be_rebound_or_were_named() {
        let named = ["otp-sandbox".to_owned()];
        for host in [
            "127.0.0.1:8080",
            "localhost:8080",
            "[::1]:8080",
            "10.1.2.3",
            "otp-sandbox:8080",
        ] {
            assert!(host_allowed(host, &named), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8080",
            "127.0.0.1.nip.io:8080",
            "@bad",
        ] {
            assert!(!host_allowed(host, &named), "{host}");
        }
        assert!(host_allowed("anything:1", &["*".to_owned()]));
    }

    #[test]
    fn origins_are_the_same_or_named() {
        let host = Some("127.0.0.1:8080");
        assert!(origin_allowed("http://127.0.0.1:8080", host, &[]));
        assert!(!origin_allowed("https://evil.example", host, &[]));
        assert!(!origin_allowed("null", host, &[]));
        let app = ["https://app.example.test".to_owned()];
        assert!(origin_allowed("https://app.example.test", host, &app));
    }
}
