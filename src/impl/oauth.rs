//! `oauth_token::Api`: the token endpoint.
//!
//! The generated router never parses the `x-www-form-urlencoded` body (it
//! passes placeholder values), so the edge hands the raw body over in the
//! context and this module unpacks it; the grant and its failure limit are
//! `auth::TokenEndpoint`'s.

use super::RequestContext;
use crate::app::App;
use crate::auth::{ClientCredentials, GrantError};
use async_trait::async_trait;
use base64::{engine::general_purpose::STANDARD, Engine};
use bytes::Bytes;
use hyper::HeaderMap;
use oauth_token::models::{
    IssueTokenRequestGrantType, IssueTokenRequestScope, OAuthError, OAuthErrorError, TokenResponse,
    TokenResponseTokenType,
};
use oauth_token::{Api, IssueTokenResponse};
use std::collections::HashMap;
use std::net::IpAddr;
use swagger::ApiError as RouterError;

/// What the edge keeps of a token request.
pub(crate) struct TokenRequestBody {
    content_type: Option<String>,
    authorization: Option<String>,
    body: Bytes,
    /// Where it came from (the client's address, as the edge tells it).
    source: Option<IpAddr>,
}

impl TokenRequestBody {
    pub(crate) fn new(headers: &HeaderMap, body: Bytes, source: Option<IpAddr>) -> Self {
        let text = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Self {
            content_type: text("content-type"),
            authorization: text("authorization"),
            body,
            source,
        }
    }
}

#[derive(Clone)]
pub(crate) struct OauthApi {
    app: App,
}

impl OauthApi {
    pub(crate) fn new(app: &App) -> Self {
        Self { app: app.clone() }
    }
}

#[async_trait]
impl Api<RequestContext> for OauthApi {
    async fn issue_token(
        &self,
        _grant_type: IssueTokenRequestGrantType,
        _authorization: Option<String>,
        _client_id: Option<String>,
        _client_secret: Option<String>,
        _scope: Option<IssueTokenRequestScope>,
        context: &RequestContext,
    ) -> Result<IssueTokenResponse, RouterError> {
        let request = context.token_request.as_deref();
        let outcome = match request.map(|r| (unpack(r), r.source)) {
            Some((Ok(credentials), source)) => {
                let endpoint = self.app.token_endpoint();
                endpoint.grant(&credentials, source).await
            }
            Some((Err(e), _)) => Err(e),
            None => Err(GrantError::InvalidRequest(
                "The token request could not be read".into(),
            )),
        };
        Ok(match outcome {
            Ok(granted) => IssueTokenResponse::Success {
                body: TokenResponse::new(
                    granted.access_token,
                    TokenResponseTokenType::Bearer,
                    granted.expires_in,
                    granted.scope,
                ),
                cache_control: Some("no-store".into()),
                pragma: Some("no-cache".into()),
            },
            Err(e) => refusal(e),
        })
    }
}

fn refusal(error: GrantError) -> IssueTokenResponse {
    let (code, description) = match &error {
        GrantError::InvalidRequest(why) => (OAuthErrorError::InvalidRequest, why.clone()),
        GrantError::InvalidClient => (
            OAuthErrorError::InvalidClient,
            "Client authentication failed".into(),
        ),
        GrantError::UnsupportedGrantType => (
            OAuthErrorError::UnsupportedGrantType,
            "Only client_credentials is supported".into(),
        ),
        GrantError::InvalidScope => (
            OAuthErrorError::InvalidScope,
            format!("The only scope is {}", crate::auth::SCOPE),
        ),
        GrantError::TooManyFailures(retry_after) => (
            OAuthErrorError::InvalidClient,
            format!(
                "Too many failed authentications for this client_id: retry in {} s",
                retry_after.as_secs().max(1)
            ),
        ),
    };
    let mut body = OAuthError::new(code);
    crate::observe::note_code(&body.error.to_string());
    body.error_description = Some(description);
    match error {
        GrantError::InvalidClient => IssueTokenResponse::Unauthorized {
            body,
            www_authenticate: Some("Basic realm=\"otp-server\"".into()),
        },
        GrantError::TooManyFailures(retry_after) => IssueTokenResponse::TooManyRequests {
            body,
            retry_after: Some(retry_after.as_secs().max(1).min(i32::MAX as u64) as i32),
        },
        _ => IssueTokenResponse::BadRequest(body),
    }
}

/// Reads the form and the HTTP Basic credentials (RFC 6749 §2.3.1, §4.4).
fn unpack(request: &TokenRequestBody) -> Result<ClientCredentials, GrantError> {
    let invalid = |why: &str| GrantError::InvalidRequest(why.to_owned());
    let media = request.content_type.as_deref().unwrap_or_default();
    if !media
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    {
        return Err(invalid(
            "Content-Type must be application/x-www-form-urlencoded",
        ));
    }
    let mut form = HashMap::new();
    for (name, value) in form_urlencoded::parse(&request.body) {
        if value.is_empty() {
            continue; // RFC 6749 §3.1: a parameter without a value is omitted
        }
        if form.insert(name.to_string(), value.to_string()).is_some() {
            return Err(GrantError::InvalidRequest(format!(
                "{name} is given more than once"
            )));
        }
    }
    let basic = request
        .authorization
        .as_deref()
        .map(basic_credentials)
        .transpose()?;
    if basic.is_some() && form.contains_key("client_secret") {
        return Err(invalid(
            "Use one client authentication method: HTTP Basic or client_secret",
        ));
    }
    let (client_id, client_secret) = match basic {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (form.remove("client_id"), form.remove("client_secret")),
    };
    Ok(ClientCredentials {
        grant_type: form.remove("grant_type"),
        client_id,
        client_secret,
        scope: form.remove("scope"),
    })
}

/// `Basic base64(urlencoded id ":" urlencoded secret)`.
fn basic_credentials(header: &str) -> Result<(String, String), GrantError> {
    let malformed = || GrantError::InvalidClient;
    let (scheme, encoded) = header.split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(malformed());
    }
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let unescape = |s: &str| {
        form_urlencoded::parse(format!("v={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Ok((
        unescape(id).unwrap_or_default(),
        unescape(secret).unwrap_or_default(),
    ))
}
