//! Where keys come from: inline in the TOML (sandbox), or — as production
//! requires — from an environment variable (`<name>_env`) or a file
//! (`<name>_file`, e.g. a mounted secret). Exactly one of the three.

use anyhow::{bail, Context};
use base64::{engine::general_purpose::STANDARD, Engine};
use serde::Deserialize;

/// A key setting as written: `name`, `name_env` or `name_file`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct KeySource {
    pub inline: Option<String>,
    pub env: Option<String>,
    pub file: Option<String>,
}

/// A resolved 32-byte key, and whether it was written in the TOML itself.
#[derive(Clone, Copy)]
pub struct Key {
    pub bytes: [u8; 32],
    pub inline: bool,
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(..)")
    }
}

impl KeySource {
    pub fn is_empty(&self) -> bool {
        self.inline.is_none() && self.env.is_none() && self.file.is_none()
    }

    /// Reads and decodes the key; `setting` names it in errors (`secrets.token_key`).
    pub fn resolve(&self, setting: &str) -> anyhow::Result<Key> {
        let text = match (&self.inline, &self.env, &self.file) {
            (Some(value), None, None) => value.clone(),
            (None, Some(var), None) => std::env::var(var)
                .with_context(|| format!("{setting}_env names {var}, which is not set"))?,
            (None, None, Some(path)) => std::fs::read_to_string(path)
                .with_context(|| format!("{setting}_file: cannot read {path}"))?,
            (None, None, None) => bail!("{setting} is missing: set {setting}_env or {setting}_file (or {setting} in the sandbox)"),
            _ => bail!("{setting}: give exactly one of {setting}, {setting}_env, {setting}_file"),
        };
        let bytes = decode_key(&text).with_context(|| setting.to_owned())?;
        Ok(Key {
            bytes,
            inline: self.inline.is_some(),
        })
    }
}

/// Decodes a base64 key of exactly 32 bytes.
pub fn decode_key(text: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = STANDARD.decode(text.trim()).context("not base64")?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| anyhow::anyhow!("must be 32 bytes (base64), is {}", b.len()))
}

/// Why a production key is too weak to use, if it is.
pub fn weakness(key: &[u8; 32]) -> Option<&'static str> {
    let sandbox = [
        crate::config::SANDBOX_TOKEN_KEY,
        crate::config::SANDBOX_OTP_KEY,
        crate::config::SANDBOX_AES_KEY,
    ];
    if sandbox
        .iter()
        .any(|k| decode_key(k).is_ok_and(|s| &s == key))
    {
        return Some("is a public sandbox key");
    }
    let mut distinct = key.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    (distinct.len() < 16).then_some("has too few distinct bytes to be random")
}
