//! Stateless bearer tokens.
//!
//! A token is `v1.<client id, base64url>.<expiry, unix seconds>.<HMAC-SHA256>`
//! under the configured `token_key`. Verifying needs only that key, so any
//! instance sharing the configuration accepts tokens issued by any other, and
//! nothing is stored. During a key rotation the previous keys
//! (`secrets.token_keys_previous`) still verify what they signed, until it
//! expires; new tokens are signed with the current key only.
//!
//! A client sends one token on request after request, so a token whose
//! signature verified is remembered, by its whole text, with its client
//! and expiry, as Envoy's `jwt_authn` filter caches verified JWTs
//! (`jwt_cache_config`): the next request with it costs a lookup instead of
//! an HMAC. Its client and expiry are still checked on every use.

use crate::clock::Clock;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ring::hmac;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Verified tokens remembered at most; past it the memory starts over.
const VERIFIED_CAP: usize = 4096;

/// Why a bearer token was refused. Never carries the token.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum TokenError {
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
pub(crate) struct Tokens {
    /// HMAC keyed once with `token_key`, so verifying a request does not
    /// redo the key schedule.
    mac: hmac::Key,
    /// The previous keys of a rotation, tried when `mac` does not verify.
    previous: Vec<hmac::Key>,
    lifetime: Duration,
    /// Issue and expiry times are read from the app's clock.
    clock: Arc<dyn Clock>,
    /// Tokens whose signature verified (under these keys, which do not
    /// change while the process runs), and what they say. Hashed with
    /// foldhash, not SipHash: only tokens this server signed are entered,
    /// so no caller chooses the keys; a lookup hashes a whole token.
    verified: Arc<Mutex<HashMap<Box<str>, Claims, foldhash::fast::RandomState>>>,
}

/// What a token whose signature verified says.
struct Claims {
    /// The client it was issued to (`client_id`'s bytes).
    subject: Box<[u8]>,
    /// Unix seconds.
    expiry: u64,
}

impl Tokens {
    pub(crate) fn new(key: [u8; 32], lifetime: Duration, clock: Arc<dyn Clock>) -> Self {
        let mac = hmac::Key::new(hmac::HMAC_SHA256, &key);
        Self {
            mac,
            previous: Vec::new(),
            lifetime,
            clock,
            verified: Arc::default(),
        }
    }

    /// Also accepts tokens signed with `previous` keys (until they expire).
    pub(crate) fn with_previous(mut self, previous: &[[u8; 32]]) -> Self {
        self.previous = previous
            .iter()
            .map(|key| hmac::Key::new(hmac::HMAC_SHA256, key))
            .collect();
        self
    }

    /// Seconds since the Unix epoch, by the app's clock.
    fn now_secs(&self) -> u64 {
        self.clock.now() / 1000
    }

    pub(crate) fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// A new token for `client_id`.
    pub(crate) fn issue(&self, client_id: &str) -> String {
        let expiry = self.now_secs() + self.lifetime.as_secs();
        let payload = format!("v1.{}.{expiry}", URL_SAFE_NO_PAD.encode(client_id));
        let signature = URL_SAFE_NO_PAD.encode(self.sign(&payload));
        format!("{payload}.{signature}")
    }

    /// Checks that `token` is live and was issued to `client_id`.
    pub(crate) fn verify(&self, token: &str, client_id: &str) -> Result<(), TokenError> {
        {
            let verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(claims) = verified.get(token) {
                return self.check(claims, client_id);
            }
        }
        let claims = self.signed_claims(token)?;
        let result = self.check(&claims, client_id);
        if result.is_ok() {
            let mut verified = self.verified.lock().unwrap_or_else(PoisonError::into_inner);
            if verified.len() >= VERIFIED_CAP {
                verified.clear();
            }
            verified.insert(token.into(), claims);
        }
        result
    }

    /// The claims of `token`, if its signature is one of ours.
    fn signed_claims(&self, token: &str) -> Result<Claims, TokenError> {
        let (payload, signature) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        // Constant time, whole tag only.
        let signed_with =
            |key: &hmac::Key| hmac::verify(key, payload.as_bytes(), &signature).is_ok();
        if !signed_with(&self.mac) && !self.previous.iter().any(signed_with) {
            return Err(TokenError::BadSignature);
        }
        let mut parts = payload.split('.');
        let (Some("v1"), Some(subject), Some(expiry), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };
        let subject = URL_SAFE_NO_PAD
            .decode(subject)
            .map_err(|_| TokenError::Malformed)?;
        let expiry: u64 = expiry.parse().map_err(|_| TokenError::Malformed)?;
        Ok(Claims {
            subject: subject.into(),
            expiry,
        })
    }

    /// Whether a signed token's claims let `client_id` in now.
    fn check(&self, claims: &Claims, client_id: &str) -> Result<(), TokenError> {
        if *claims.subject != *client_id.as_bytes() {
            return Err(TokenError::OtherClient);
        }
        if claims.expiry <= self.now_secs() {
            return Err(TokenError::Expired);
        }
        Ok(())
    }

    fn sign(&self, payload: &str) -> hmac::Tag {
        hmac::sign(&self.mac, payload.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::clock::ManualClock;

    fn issuer(key: u8, lifetime: u64, clock: &Arc<ManualClock>) -> Tokens {
        Tokens::new([key; 32], Duration::from_secs(lifetime), clock.clone())
    }

    /// An issuer (key 1, 60 s), and a token of `sandbox` it has verified.
    fn verified(clock: &Arc<ManualClock>) -> (Tokens, String) {
        let tokens = issuer(1, 60, clock);
        let token = tokens.issue("sandbox");
        assert_eq!(tokens.verify(&token, "sandbox"), Ok(()));
        (tokens, token)
    }

    /// A token signed by one version verifies on the next: the signature
    /// is HMAC-SHA256 of the payload (the value is Python's `hmac`).
    #[test]
    fn the_signature_is_the_hmac_sha256_of_the_payload() {
        let clock = Arc::new(ManualClock::new());
        let signature = issuer(2, 60, &clock).sign("v1.YQ.123");
        assert_eq!(
            crate::crypto::hex(signature.as_ref()),
            "e566ff395d001e346defcecfce692462ef9711db41b3c743abf2bdf4ebb3d32c"
        );
    }

    #[test]
    fn token_round_trip_and_refusals() {
        let clock = Arc::new(ManualClock::new());
        let (tokens, token) = verified(&clock);
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

    #[test]
    fn previous_keys_verify_until_expiry_and_never_sign() {
        let clock = Arc::new(ManualClock::new());
        let old = issuer(1, 60, &clock).issue("sandbox");
        let rotated = issuer(2, 60, &clock).with_previous(&[[3; 32], [1; 32]]);
        assert_eq!(rotated.verify(&old, "sandbox"), Ok(()));
        let new = rotated.issue("sandbox");
        assert_eq!(issuer(2, 60, &clock).verify(&new, "sandbox"), Ok(()));
        assert_eq!(
            issuer(1, 60, &clock).verify(&new, "sandbox"),
            Err(TokenError::BadSignature),
            "signed with the current key only"
        );
        assert_eq!(
            issuer(2, 60, &clock).verify(&old, "sandbox"),
            Err(TokenError::BadSignature),
            "once the previous key is gone"
        );
        clock.advance(Duration::from_secs(60));
        assert_eq!(rotated.verify(&old, "sandbox"), Err(TokenError::Expired));
    }

    /// A remembered token is judged as a new one would be: its client and
    /// expiry on each use; a look-alike (one character changed) is not it.
    #[test]
    fn a_remembered_token_is_still_checked_and_nothing_else_rides_on_it() {
        let clock = Arc::new(ManualClock::new());
        let (tokens, token) = verified(&clock);
        assert_eq!(tokens.verified.lock().unwrap().len(), 1);
        // The signature's first character: any other is valid base64 too.
        let mut forged = token.clone().into_bytes();
        let at = token.rfind('.').unwrap() + 1;
        forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(forged).unwrap();
        assert_eq!(
            tokens.verify(&forged, "sandbox"),
            Err(TokenError::BadSignature)
        );
        assert!(tokens.verify(&token.to_uppercase(), "sandbox").is_err());
        assert_eq!(
            tokens.verify(&token, "sandbox-aes"),
            Err(TokenError::OtherClient)
        );
        // Past the cap the memory starts over; every token still verifies.
        let many: Vec<String> = (0..VERIFIED_CAP + 10)
            .map(|i| tokens.issue(&format!("client-{i}")))
            .collect();
        for (i, other) in many.iter().enumerate() {
            assert_eq!(tokens.verify(other, &format!("client-{i}")), Ok(()));
        }
        assert!(tokens.verified.lock().unwrap().len() <= VERIFIED_CAP);
        assert_eq!(tokens.verify(&token, "sandbox"), Ok(()));
        clock.advance(Duration::from_secs(60));
        assert_eq!(tokens.verify(&token, "sandbox"), Err(TokenError::Expired));
        assert_eq!(
            tokens.verify(&many[0], "client-0"),
            Err(TokenError::Expired)
        );
    }
}
