//! TLS, with rustls on the `ring` provider: the client side of the SMS
//! webhook and of `rediss://`, and the public listener's certificate,
//! reloaded without a restart ([`ServerTls::reload`], on SIGHUP).
//!
//! Files are PEM. Every error is one line naming the setting and the file;
//! no key material ever reaches an error or a log line.

use anyhow::{anyhow, bail, Context};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

/// The one crypto provider of the process (`ring`), also installed as the
/// process default, which the `redis` crate's TLS uses.
pub fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            // Already installed (by this function in another thread, or by
            // a library) is fine: rustls only needs one.
            let _ = CryptoProvider::install_default(provider.as_ref().clone());
            provider
        })
        .clone()
}

/// Reads a file, naming `setting` when it cannot.
fn read(path: &Path, setting: &str) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("{setting}: cannot read {}", path.display()))
}

/// The certificates of a PEM file (at least one).
pub fn certificates(path: &Path, setting: &str) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let pem = read(path, setting)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow!("{setting}: {} is not PEM certificates: {e}", path.display()))?;
    if certs.is_empty() {
        bail!(
            "{setting}: {} holds no certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        );
    }
    Ok(certs)
}

/// The private key of a PEM file (PKCS#8, PKCS#1 or SEC1).
pub fn private_key(path: &Path, setting: &str) -> anyhow::Result<PrivateKeyDer<'static>> {
    let pem = read(path, setting)?;
    // The parser's error names the PEM section it wanted, never the key.
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| {
        anyhow!(
            "{setting}: {} holds no usable private key ({e})",
            path.display()
        )
    })
}

/// The roots a TLS client trusts: the CA bundle `ca_file` when given,
/// otherwise the system's store.
pub fn roots(ca_file: Option<&Path>, setting: &str) -> anyhow::Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    match ca_file {
        Some(path) => {
            for cert in certificates(path, setting)? {
                roots.add(cert).map_err(|e| {
                    anyhow!("{setting}: {} holds an unusable CA: {e}", path.display())
                })?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                bail!("{setting} is not set and no system CA certificates were found: set {setting} to a PEM CA bundle");
            }
        }
    }
    Ok(roots)
}

/// A client configuration trusting `roots`, with an optional client
/// certificate (mutual TLS).
pub fn client_config(
    roots: RootCertStore,
    client_auth: Option<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>,
) -> anyhow::Result<ClientConfig> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_root_certificates(roots);
    Ok(match client_auth {
        Some((certs, key)) => builder
            .with_client_auth_cert(certs, key)
            .context("the client certificate and key do not go together")?,
        None => builder.with_no_client_auth(),
    })
}

/// The public listener's certificate and key (`server.tls_cert_file`,
/// `server.tls_key_file`), swapped in place by [`ServerTls::reload`]: new
/// handshakes use the new certificate, open connections keep theirs.
pub struct ServerTls {
    cert_file: PathBuf,
    key_file: PathBuf,
    current: Arc<Current>,
    config: Arc<ServerConfig>,
}

/// The certificate handed to each new handshake.
#[derive(Debug)]
struct Current(RwLock<Arc<CertifiedKey>>);

impl ResolvesServerCert for Current {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        // A poisoned lock still holds a whole `Arc`: keep serving it.
        Some(match self.0.read() {
            Ok(key) => key.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        })
    }
}

impl ServerTls {
    /// Loads the pair; an error names the setting and the file.
    pub fn load(cert_file: &Path, key_file: &Path) -> anyhow::Result<Self> {
        let key = certified_key(cert_file, key_file)?;
        let current = Arc::new(Current(RwLock::new(Arc::new(key))));
        let mut config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?
            .with_no_client_auth()
            .with_cert_resolver(current.clone());
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            cert_file: cert_file.to_owned(),
            key_file: key_file.to_owned(),
            current,
            config: Arc::new(config),
        })
    }

    /// Reads the files again and serves the new pair to new handshakes; on
    /// any error the pair in use stays, and the error says why.
    pub fn reload(&self) -> anyhow::Result<()> {
        let key = certified_key(&self.cert_file, &self.key_file)?;
        match self.current.0.write() {
            Ok(mut current) => *current = Arc::new(key),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(key),
        }
        Ok(())
    }

    /// The acceptor for one connection's handshake.
    pub(crate) fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.config.clone())
    }

    /// The certificate file, for the log.
    pub fn cert_file(&self) -> &Path {
        &self.cert_file
    }
}

/// A certificate chain and its key, checked to belong together.
fn certified_key(cert_file: &Path, key_file: &Path) -> anyhow::Result<CertifiedKey> {
    let certs = certificates(cert_file, "server.tls_cert_file")?;
    let key = private_key(key_file, "server.tls_key_file")?;
    CertifiedKey::from_der(certs, key, &provider()).map_err(|e| {
        anyhow!(
            "server.tls_key_file: {} does not go with the certificate of {} ({e})",
            key_file.display(),
            cert_file.display()
        )
    })
}

/// An error and its causes on one line (`a: b: c`), for the log: hyper's
/// and rustls's errors say what went wrong only in their sources.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}
