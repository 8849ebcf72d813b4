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

/// The previous keys of a rotation, `setting` (`secrets.otp_keys_previous`)
/// given as one list: inline (sandbox), `<setting>_env` (variable names) or
/// `<setting>_file` (paths). Errors name the entry (`…_env[1]`).
pub fn resolve_list(
    setting: &str,
    inline: &Option<Vec<String>>,
    env: &Option<Vec<String>>,
    file: &Option<Vec<String>>,
) -> anyhow::Result<Vec<Key>> {
    let entries = |values: &Vec<String>, kind: &str| -> Vec<(String, KeySource)> {
        values
            .iter()
            .enumerate()
            .map(|(i, value)| {
                let source = match kind {
                    "" => KeySource {
                        inline: Some(value.clone()),
                        ..KeySource::default()
                    },
                    "_env" => KeySource {
                        env: Some(value.clone()),
                        ..KeySource::default()
                    },
                    _ => KeySource {
                        file: Some(value.clone()),
                        ..KeySource::default()
                    },
                };
                (format!("{setting}{kind}[{i}]"), source)
            })
            .collect()
    };
    let sources = match (inline, env, file) {
        (None, None, None) => return Ok(Vec::new()),
        (Some(values), None, None) => entries(values, ""),
        (None, Some(values), None) => entries(values, "_env"),
        (None, None, Some(values)) => entries(values, "_file"),
        _ => bail!(
            "{setting}: give exactly one of {setting}, {setting}_env, {setting}_file (each a list)"
        ),
    };
    sources
        .iter()
        .map(|(name, source)| source.resolve_entry(name))
        .collect()
}

impl KeySource {
    /// [`KeySource::resolve`] for one entry of a list, named `name`
    /// (`secrets.otp_keys_previous_env[0]`).
    fn resolve_entry(&self, name: &str) -> anyhow::Result<Key> {
        let text = match (&self.inline, &self.env, &self.file) {
            (Some(value), _, _) => value.clone(),
            (_, Some(var), _) => std::env::var(var)
                .with_context(|| format!("{name} names {var}, which is not set"))?,
            (_, _, Some(path)) => std::fs::read_to_string(path)
                .with_context(|| format!("{name}: cannot read {path}"))?,
            _ => bail!("{name} is empty"),
        };
        let bytes = decode_key(&text).with_context(|| name.to_owned())?;
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
    if distinct.len() < 16 {
        return Some("has too few distinct bytes to be random");
    }
    if key.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        return Some("is printable ASCII (a passphrase, not 32 random bytes)");
    }
    let steps: Vec<u8> = key.windows(2).map(|w| w[1].wrapping_sub(w[0])).collect();
    if steps.windows(2).filter(|w| w[0] == w[1]).count() >= steps.len() / 2 {
        return Some("is a sequence, not random bytes");
    }
    // 32 random bytes are valid UTF-8 about once in a billion draws; text in
    // any language always is.
    if std::str::from_utf8(key).is_ok() {
        return Some("is UTF-8 text (a passphrase, not 32 random bytes)");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_are_not_random_are_named() {
        let mut random = [0u8; 32];
        getrandom::fill(&mut random).unwrap();
        assert_eq!(weakness(&random), None);
        let sequential: [u8; 32] = std::array::from_fn(|i| i as u8 * 3);
        assert!(weakness(&sequential).unwrap().contains("sequence"));
        assert!(weakness(b"my-very-secret-passphrase-012345")
            .unwrap()
            .contains("ASCII"));
        let spanish: [u8; 32] = "contraseña secreta de méxico 2"
            .as_bytes()
            .try_into()
            .unwrap();
        assert!(weakness(&spanish).unwrap().contains("UTF-8"));
        let random_draws = (0..2_000).filter(|_| {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).unwrap();
            weakness(&key).is_some()
        });
        assert_eq!(random_draws.count(), 0, "random keys pass");
        assert!(weakness(&[7; 32]).unwrap().contains("distinct"));
        let sandbox = decode_key(crate::config::SANDBOX_OTP_KEY).unwrap();
        assert!(weakness(&sandbox).unwrap().contains("sandbox"));
    }
}
