//! Client authentication: client secrets and stateless bearer tokens.
//!
//! A token is `v1.<client id, base64url>.<expiry, unix seconds>.<HMAC-SHA256>`
//! under the configured `token_key`. Verifying needs only that key, so any
//! instance sharing the configuration accepts tokens issued by any other, and
//! nothing is stored. Client secrets are kept as sha256 digests and compared
//! in constant time.

use crate::clock::Clock;
use crate::config::{Client, Clients};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// The only scope, from the specs' OAuth2 flow.
pub const SCOPE: &str = "/api/v1";

/// Why a bearer token was refused. Never carries the token.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's signature is wrong")]
    BadSignature,
    #[error("the token was issued to another client")]
    OtherClient,
    #[error("the token has expired")]
    Expired,
}

/// Issues and verifies bearer tokens.
#[derive(Clone)]
pub struct Tokens {
    /// HMAC keyed once with `token_key`; cloned per token, so verifying a
    /// request does not redo the key schedule.
    mac: HmacSha256,
    lifetime: Duration,
    /// Issue and expiry times are read from the app's clock.
    clock: Arc<dyn Clock>,
}

impl Tokens {
    pub fn new(key: [u8; 32], lifetime: Duration, clock: Arc<dyn Clock>) -> Self {
        // HMAC accepts keys of any length; 32 bytes cannot be refused.
        let mac = HmacSha256::new_from_slice(&key).expect("HMAC takes any key length");
        Self {
            mac,
            lifetime,
            clock,
        }
    }

    /// Seconds since the Unix epoch, by the app's clock.
    fn now_secs(&self) -> u64 {
        self.clock.now() / 1000
    }

    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// A new token for `client_id`.
    pub fn issue(&self, client_id: &str) -> String {
        let expiry = self.now_secs() + self.lifetime.as_secs();
        let payload = format!("v1.{}.{expiry}", URL_SAFE_NO_PAD.encode(client_id));
        let signature = URL_SAFE_NO_PAD.encode(self.sign(&payload));
        format!("{payload}.{signature}")
    }

    /// Checks that `token` is live and was issued to `client_id`.
    pub fn verify(&self, token: &str, client_id: &str) -> Result<(), TokenError> {
        let (payload, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| TokenError::BadSignature)?;
        let mut parts = payload.split('.');
        let (Some("v1"), Some(subject), Some(expiry), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let subject = URL_SAFE_NO_PAD
            .decode(subject)
            .map_err(|_| TokenError::Malformed)?;
        if subject != client_id.as_bytes() {
            return Err(TokenError::OtherClient);
        }
        let expiry: u64 = expiry.parse().map_err(|_| TokenError::Malformed)?;
        if expiry <= self.now_secs() {
            return Err(TokenError::Expired);
        }
        Ok(())
    }

    fn sign(&self, payload: &str) -> Vec<u8> {
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    fn mac(&self) -> HmacSha256 {
        self.mac.clone()
    }
}

/// A token request, as read from the form and the Basic header.
pub struct ClientCredentials {
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub scope: Option<String>,
}

/// An issued token.
pub struct Granted {
    pub access_token: String,
    pub expires_in: i64,
    pub scope: String,
}

/// RFC 6749 §5.2 refusals, and the `429` of a client with too many failures.
#[derive(Debug, PartialEq, Eq)]
pub enum GrantError {
    InvalidRequest(String),
    InvalidClient,
    UnsupportedGrantType,
    InvalidScope,
    /// Too many failed authentications: refused for this long.
    TooManyFailures(Duration),
}

/// Failed client authentications per `client_id` before the token
/// endpoint refuses that client (`429`) until the window ends.
pub const MAX_AUTH_FAILURES: u32 = 10;
/// The window of [`MAX_AUTH_FAILURES`].
pub const AUTH_FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// A token request whose shape is right: the client to authenticate.
pub struct Claimed<'a> {
    pub client_id: &'a str,
    pub secret: &'a str,
}

/// Checks the request's grant type, scope and credentials' presence (no
/// secret compared yet).
pub fn check_request(request: &ClientCredentials) -> Result<Claimed<'_>, GrantError> {
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

/// Authenticates the claimed client (constant time) and issues its token.
pub fn grant(
    clients: &Clients,
    tokens: &Tokens,
    claimed: &Claimed<'_>,
) -> Result<Granted, GrantError> {
    let client = clients
        .get(claimed.client_id)
        .filter(|c| secret_matches(c, claimed.secret))
        .ok_or(GrantError::InvalidClient)?;
    Ok(Granted {
        access_token: tokens.issue(&client.id),
        expires_in: tokens.lifetime().as_secs() as i64,
        scope: SCOPE.to_owned(),
    })
}

/// The key under which a client's authentication failures are counted
/// (client ids are not secret; any id, registered or not, is counted).
pub fn failure_key(client_id: &str) -> [u8; 16] {
    let digest = Sha256::digest(client_id.as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// A new client secret: 256 random bits, base64url, and its SHA-256 in hex
/// (what the config holds).
pub fn new_secret() -> Result<(String, String), crate::crypto::RandomError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| crate::crypto::RandomError)?;
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let hash = Sha256::digest(secret.as_bytes());
    Ok((secret, crate::crypto::hex(&hash)))
}

/// Whether `secret` is the client's secret (constant time).
pub fn secret_matches(client: &Client, secret: &str) -> bool {
    let digest: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
    digest.ct_eq(&client.secret_sha256).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::clock::ManualClock;

    fn issuer(key: u8, lifetime: u64, clock: &Arc<ManualClock>) -> Tokens {
        Tokens::new([key; 32], Duration::from_secs(lifetime), clock.clone())
    }

    #[test]
    fn token_round_trip_and_refusals() {
        let clock = Arc::new(ManualClock::new());
        let tokens = issuer(1, 60, &clock);
        let token = tokens.issue("sandbox");
        assert_eq!(tokens.verify(&token, "sandbox"), Ok(()));
        assert_eq!(
            tokens.verify(&token, "sandbox-aes"),
            Err(TokenError::OtherClient)
        );
        assert_eq!(
            issuer(2, 60, &clock).verify(&token, "sandbox"),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            tokens.verify("garbage", "sandbox"),
            Err(TokenError::Malformed)
        );
        clock.advance(Duration::from_secs(60));
        assert_eq!(tokens.verify(&token, "sandbox"), Err(TokenError::Expired));
    }
}
