//! The token endpoint's grant (RFC 6749 §4.4, client credentials) and its
//! limit: a failed authentication is reserved before the secret is
//! compared and given back when the secret was right, in the store, so that
//! past [`MAX_FAILURES_PER_SOURCE`] a minute from one source address (or
//! [`MAX_FAILURES_PER_CLIENT`] from all of them) the client is refused
//! (`429`) however many requests race and on however many instances.
//!
//! A `client_id` is not a secret: counted per client alone, an attacker's
//! wrong secrets from anywhere would lock the real client out. Counted per
//! (client, source address), the real client, elsewhere, keeps its way
//! in; the per-client ceiling still bounds guesses spread over many
//! addresses. A `client_id` that is not registered is refused without a
//! store entry: there is no secret to guess, and nothing to fill the store
//! with.

use super::{Tokens, SCOPE};
use crate::clock::Clock;
use crate::config::{Client, Clients};
use crate::crypto::{sha256, truncated, Digest};
use crate::observe::Metrics;
use crate::store::{AuthAttempt, AuthStore};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// The token endpoint: the clients, the tokens it issues, and its failure counters.
pub(crate) struct TokenEndpoint {
    clients: Clients,
    tokens: Tokens,
    failures: Arc<dyn AuthStore>,
    clock: Arc<dyn Clock>,
    metrics: Metrics,
}

impl TokenEndpoint {
    pub(crate) fn new(
        clients: Clients,
        tokens: Tokens,
        failures: Arc<dyn AuthStore>,
        clock: Arc<dyn Clock>,
        metrics: Metrics,
    ) -> Self {
        Self {
            clients,
            tokens,
            failures,
            clock,
            metrics,
        }
    }

    /// The grant, with the client's failed authentications reserved before
    /// its secret is compared: past the limit, refused without comparing.
    /// If the store cannot count (it is down), the secret is still checked
    /// — the token endpoint fails open, logged — since RFC 6749 has no
    /// answer for "try later" and the OTP APIs are down with the store.
    pub(crate) async fn grant(
        &self,
        request: &ClientCredentials,
        source: Option<IpAddr>,
    ) -> Result<Granted, GrantError> {
        let claimed = check_request(request)?;
        let client = self
            .clients
            .get(claimed.client_id)
            .ok_or(GrantError::InvalidClient)?;
        let (key, from) = (failure_key(claimed.client_id), source_key(source));
        let attempt = AuthAttempt {
            client: &key,
            source: &from,
            per_source: MAX_FAILURES_PER_SOURCE,
            per_client: MAX_FAILURES_PER_CLIENT,
            window: AUTH_FAILURE_WINDOW,
        };
        let reserved = self.failures.reserve_auth(&attempt, self.clock.now());
        match reserved.await {
            Ok(Some(retry_after)) => {
                self.metrics.token_refused();
                return Err(GrantError::TooManyFailures(retry_after));
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(cause = %e, "token endpoint: failures not counted, the store failed")
            }
        }
        if !secret_matches(client, claimed.secret) {
            return Err(GrantError::InvalidClient);
        }
        if let Err(e) = self.failures.forgive(&attempt).await {
            tracing::error!(cause = %e, "token endpoint: a right secret's reservation was not given back");
        }
        Ok(Granted {
            access_token: self.tokens.issue(&client.id),
            expires_in: self.tokens.lifetime().as_secs() as i64,
            scope: SCOPE.to_owned(),
        })
    }
}

/// A token request, as read from the form and the Basic header.
pub(crate) struct ClientCredentials {
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub scope: Option<String>,
}

/// An issued token.
pub(crate) struct Granted {
    pub access_token: String,
    pub expires_in: i64,
    pub scope: String,
}

/// RFC 6749 §5.2 refusals, and the `429` of a client with too many failures.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum GrantError {
    InvalidRequest(String),
    InvalidClient,
    UnsupportedGrantType,
    InvalidScope,
    /// Too many failed authentications: refused for this long.
    TooManyFailures(Duration),
}

/// Failed client authentications per (`client_id`, source address) before
/// the token endpoint refuses that client from that address (`429`) until
/// the window ends.
pub(crate) const MAX_FAILURES_PER_SOURCE: u32 = 10;
/// Failed client authentications per `client_id` from every address
/// together before the client is refused everywhere until the window ends.
pub(crate) const MAX_FAILURES_PER_CLIENT: u32 = 100;
/// The window of both.
pub(crate) const AUTH_FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// A token request whose shape is right: the client to authenticate.
pub(crate) struct Claimed<'a> {
    pub client_id: &'a str,
    pub secret: &'a str,
}

/// Checks the request's grant type, scope and credentials' presence (no
/// secret compared yet).
pub(crate) fn check_request(request: &ClientCredentials) -> Result<Claimed<'_>, GrantError> {
    match request.grant_type.as_deref() {
        None => return Err(GrantError::InvalidRequest("grant_type is required".into())),
        Some("client_credentials") => {}
        Some(_) => return Err(GrantError::UnsupportedGrantType),
    }
    if request
        .scope
        .as_deref()
        .is_some_and(|s| s.split(' ').any(|scope| scope != SCOPE))
    {
        return Err(GrantError::InvalidScope);
    }
    match (&request.client_id, &request.client_secret) {
        (Some(client_id), Some(secret)) => Ok(Claimed { client_id, secret }),
        _ => Err(GrantError::InvalidClient),
    }
}

/// The key under which a client's authentication failures are counted.
fn failure_key(client_id: &str) -> Digest {
    truncated(&sha256(&[b"client ", client_id.as_bytes()]))
}

/// The key of a source address: an IPv4 address, or an IPv6 address's
/// /64 (one host may hold a whole /64); one key for an unknown source.
fn source_key(source: Option<IpAddr>) -> Digest {
    let hash = |address: &[u8]| truncated(&sha256(&[b"source ", address]));
    match source.map(|ip| ip.to_canonical()) {
        Some(IpAddr::V4(v4)) => hash(&v4.octets()),
        Some(IpAddr::V6(v6)) => hash(&v6.octets()[..8]),
        None => hash(b"unknown"),
    }
}

/// A new client secret: 256 random bits, base64url, and its SHA-256 in hex
/// (what the config holds).
pub(crate) fn new_secret() -> Result<(String, String), crate::crypto::RandomError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| crate::crypto::RandomError)?;
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let hash = sha256(&[secret.as_bytes()]);
    Ok((secret, crate::crypto::hex(&hash)))
}

/// Whether `secret` is the client's secret (constant time).
pub(crate) fn secret_matches(client: &Client, secret: &str) -> bool {
    let digest = sha256(&[secret.as_bytes()]);
    digest.ct_eq(&client.secret_sha256).into()
}
