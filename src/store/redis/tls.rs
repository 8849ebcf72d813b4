//! `rediss://` and `rediss+cluster://`: the CA bundle (`redis.ca_file`)
//! and the optional client certificate (`redis.client_cert_file`,
//! `redis.client_key_file`) the Redis client's rustls uses. Read and
//! checked at startup, so a wrong file is an error naming its setting,
//! not a store that never answers.

use super::RedisConfig;
use crate::tls;
use anyhow::{bail, Context};
use redis::{ClientTlsConfig, TlsCertificates};
use std::path::Path;

/// What the client needs for `url`: `None` for plain `redis://` (where
/// TLS settings are refused) or for TLS with the system's roots and no
/// client certificate.
pub(super) fn certificates(
    url: &str,
    config: &RedisConfig,
) -> anyhow::Result<Option<TlsCertificates>> {
    let tls = url.starts_with("rediss://") || url.starts_with("rediss+cluster://");
    let settings = [
        ("redis.ca_file", &config.ca_file),
        ("redis.client_cert_file", &config.client_cert_file),
        ("redis.client_key_file", &config.client_key_file),
    ];
    if !tls {
        if let Some((setting, _)) = settings.iter().find(|(_, file)| file.is_some()) {
            bail!("{setting} is set but the store is not over TLS: use rediss:// (or rediss+cluster://), or remove {setting}");
        }
        return Ok(None);
    }
    // The redis crate's rustls takes the process's default provider.
    tls::provider();
    let root_cert = match &config.ca_file {
        Some(path) => {
            // Parsed here for an error naming the setting; handed over as PEM.
            tls::roots(Some(path), "redis.ca_file")?;
            Some(read(path, "redis.ca_file")?)
        }
        None => None,
    };
    let client_tls = match (&config.client_cert_file, &config.client_key_file) {
        (None, None) => None,
        (Some(cert), Some(key)) => {
            let certs = tls::certificates(cert, "redis.client_cert_file")?;
            let private = tls::private_key(key, "redis.client_key_file")?;
            tls::client_config(rustls::RootCertStore::empty(), Some((certs, private)))
                .context("redis.client_key_file")?;
            Some(ClientTlsConfig {
                client_cert: read(cert, "redis.client_cert_file")?,
                client_key: read(key, "redis.client_key_file")?,
            })
        }
        (Some(_), None) => bail!("redis.client_cert_file is set without redis.client_key_file"),
        (None, Some(_)) => bail!("redis.client_key_file is set without redis.client_cert_file"),
    };
    if root_cert.is_none() && client_tls.is_none() {
        // The system's roots: checked here, read again by the client.
        tls::roots(None, "redis.ca_file")?;
        return Ok(None);
    }
    Ok(Some(TlsCertificates {
        client_tls,
        root_cert,
    }))
}

fn read(path: &Path, setting: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("{setting}: cannot read {}", path.display()))
}
