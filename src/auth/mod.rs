//! Client authentication: stateless bearer tokens ([`Tokens`]) and the
//! token endpoint's client-credentials grant ([`TokenEndpoint`]), with its
//! limit on failed authentications. Knows nothing of HTTP: `src/impl`
//! reads the form and maps [`GrantError`] to RFC 6749 answers.

mod endpoint;
mod tokens;

pub(crate) use endpoint::{new_secret, ClientCredentials, GrantError, TokenEndpoint};
pub(crate) use tokens::{TokenError, Tokens};

/// The only scope, from the specs' OAuth2 flow.
pub(crate) const SCOPE: &str = "/api/v1";
