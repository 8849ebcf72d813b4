//! The generated `Api` traits, implemented: one short method per operation
//! that unpacks the request, calls the domain and maps the outcome to the
//! generated response enum. The gate has already authenticated the client
//! and checked the request against the spec; no business rule lives here.

pub mod oauth;
mod rao;
mod telemarketing;

pub use oauth::OauthApi;
pub use rao::RaoApi;
pub use telemarketing::TelemarketingApi;

use crate::app::App;
use crate::config::Client;
use crate::contract::OperationId;
use crate::error::{ApiError, ErrorBody};
use oauth::TokenRequestBody;
use std::sync::Arc;
use swagger::auth::{Authorization, Scopes};
use swagger::{Has, XSpanIdString};

/// The context the edge gives the generated routers: what the gate learnt.
#[derive(Clone)]
pub struct RequestContext {
    span: XSpanIdString,
    authorization: Option<Authorization>,
    /// The authenticated client (the OTP operations).
    pub client: Option<Arc<Client>>,
    /// The raw form of a token request: the generated router does not parse
    /// `application/x-www-form-urlencoded` bodies (see docs/ARCHITECTURE.md).
    pub token_request: Option<Arc<TokenRequestBody>>,
}

impl RequestContext {
    /// For an OTP operation admitted by the gate.
    pub fn client(client: Arc<Client>) -> Self {
        let authorization = Authorization {
            subject: client.id.clone(),
            scopes: Scopes::All,
            issuer: None,
        };
        Self {
            span: span_id(),
            authorization: Some(authorization),
            client: Some(client),
            token_request: None,
        }
    }

    /// For the token endpoint, which authenticates the client itself.
    pub fn token_request(body: TokenRequestBody) -> Self {
        Self {
            span: span_id(),
            authorization: None,
            client: None,
            token_request: Some(Arc::new(body)),
        }
    }
}

impl Has<XSpanIdString> for RequestContext {
    fn get(&self) -> &XSpanIdString {
        &self.span
    }
    fn get_mut(&mut self) -> &mut XSpanIdString {
        &mut self.span
    }
    fn set(&mut self, value: XSpanIdString) {
        self.span = value;
    }
}

impl Has<Option<Authorization>> for RequestContext {
    fn get(&self) -> &Option<Authorization> {
        &self.authorization
    }
    fn get_mut(&mut self) -> &mut Option<Authorization> {
        &mut self.authorization
    }
    fn set(&mut self, value: Option<Authorization>) {
        self.authorization = value;
    }
}

/// The status and `ErrorResponse` of `error` on operation `op`.
fn render(app: &App, op: OperationId, error: &ApiError, uuid: &str) -> (u16, ErrorBody) {
    error.render(Some(app.contract.get(op)), Some(uuid))
}

/// The client the gate admitted; the edge never calls an OTP operation without one.
fn admitted(context: &RequestContext) -> Result<&Arc<Client>, ApiError> {
    context.client.as_ref().ok_or_else(|| {
        tracing::error!("an OTP operation was called without an admitted client");
        ApiError::unavailable()
    })
}

/// A process-unique `X-Span-ID`: a random instance tag and a counter. The
/// generated default (a v4 UUID) costs a `getrandom` call per request.
fn span_id() -> XSpanIdString {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::LazyLock;
    static INSTANCE: LazyLock<u32> = LazyLock::new(|| {
        let mut bytes = [0u8; 4];
        let _ = getrandom::fill(&mut bytes);
        u32::from_le_bytes(bytes)
    });
    static NEXT: AtomicU64 = AtomicU64::new(0);
    XSpanIdString(format!(
        "{:08x}-{:012x}",
        *INSTANCE,
        NEXT.fetch_add(1, Ordering::Relaxed)
    ))
}
