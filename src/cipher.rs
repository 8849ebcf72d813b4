//! Payload ciphers of the RAO `format: byte` fields.
//!
//! A fixed set chosen per client in config, so an enum rather than a trait:
//! - `plain`: base64 of the UTF-8 plaintext (the spec's own examples; sandbox only);
//! - `aes-256-gcm`: base64 of `nonce(12) ‖ ciphertext ‖ tag(16)`.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::{engine::general_purpose::STANDARD, Engine};

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Why a value could not be decrypted. Carries no part of the value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CipherError {
    #[error("not valid base64")]
    Base64,
    #[error("too short to hold a nonce and a tag")]
    TooShort,
    #[error("authentication failed (wrong key or altered ciphertext)")]
    Authentication,
    #[error("plaintext is not UTF-8")]
    NotUtf8,
    #[error("the operating system's random source failed")]
    Random,
}

/// A client's payload cipher.
#[derive(Clone)]
pub enum Cipher {
    Plain,
    Aes256Gcm(Box<Aes256Gcm>),
}

impl std::fmt::Debug for Cipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Cipher {
    pub fn aes_256_gcm(key: &[u8; 32]) -> Self {
        Self::Aes256Gcm(Box::new(Aes256Gcm::new(&Key::<Aes256Gcm>::from(*key))))
    }

    /// The name used in config.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::Aes256Gcm(_) => "aes-256-gcm",
        }
    }

    /// What a consumer sends for `plaintext`.
    pub fn encrypt(&self, plaintext: &str) -> Result<String, CipherError> {
        match self {
            Self::Plain => Ok(STANDARD.encode(plaintext)),
            Self::Aes256Gcm(aead) => {
                let mut nonce = [0u8; NONCE_LEN];
                getrandom::fill(&mut nonce).map_err(|_| CipherError::Random)?;
                let sealed = aead
                    .encrypt(&Nonce::from(nonce), plaintext.as_bytes())
                    .map_err(|_| CipherError::Authentication)?;
                Ok(STANDARD.encode([nonce.as_slice(), &sealed].concat()))
            }
        }
    }

    /// The plaintext of a base64 value a consumer sent.
    pub fn decrypt(&self, encoded: &str) -> Result<String, CipherError> {
        self.open(&STANDARD.decode(encoded).map_err(|_| CipherError::Base64)?)
    }

    /// The plaintext of decoded bytes (the generated models decode `format: byte`).
    pub fn open(&self, bytes: &[u8]) -> Result<String, CipherError> {
        let plain = match self {
            Self::Plain => bytes.to_vec(),
            Self::Aes256Gcm(aead) => {
                if bytes.len() < NONCE_LEN + TAG_LEN {
                    return Err(CipherError::TooShort);
                }
                let (nonce, sealed) = bytes.split_at(NONCE_LEN);
                let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CipherError::TooShort)?;
                aead.decrypt(&Nonce::from(nonce), sealed)
                    .map_err(|_| CipherError::Authentication)?
            }
        };
        String::from_utf8(plain).map_err(|_| CipherError::NotUtf8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_is_base64_of_the_text() {
        assert_eq!(
            Cipher::Plain.encrypt("5512345678").unwrap(),
            "NTUxMjM0NTY3OA=="
        );
        assert_eq!(
            Cipher::Plain.decrypt("NTUxMjM0NTY3OA==").unwrap(),
            "5512345678"
        );
    }

    #[test]
    fn aes_round_trips_and_rejects_tampering() {
        let cipher = Cipher::aes_256_gcm(&[7; 32]);
        let sealed = cipher.encrypt("5512345678").unwrap();
        assert_eq!(cipher.decrypt(&sealed).unwrap(), "5512345678");
        let mut bytes = STANDARD.decode(&sealed).unwrap();
        bytes[NONCE_LEN] ^= 1;
        assert_eq!(
            cipher.decrypt(&STANDARD.encode(bytes)),
            Err(CipherError::Authentication)
        );
        assert_eq!(cipher.decrypt("AAAA"), Err(CipherError::TooShort));
        assert_eq!(
            Cipher::aes_256_gcm(&[8; 32]).decrypt(&sealed),
            Err(CipherError::Authentication)
        );
    }
}
