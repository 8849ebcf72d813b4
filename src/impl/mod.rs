//! The generated `Api` traits, implemented: one short method per operation
//! that unpacks the request, calls the domain and maps the outcome to the
//! generated response enum. The gate has already authenticated the client
//! and checked the request against the spec; no business rule lives here.
//!
//! Domain failures become the spec's codes through each API's one error
//! table (`crate::error::answer`, omicron's `From<Error> for HttpError`),
//! and [`respond`] turns any error into the generated response variant the
//! spec names for its status: one mechanism for every operation.

pub(crate) mod oauth;
mod rao;
mod telemarketing;

pub(crate) use oauth::OauthApi;
pub(crate) use rao::RaoApi;
pub(crate) use telemarketing::TelemarketingApi;

use crate::clock::Millis;
use crate::config::Client;
use crate::contract::Operation;
use crate::crypto::Digest;
use crate::error::ApiError;
use oauth::TokenRequestBody;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use swagger::auth::{Authorization, Scopes};
use swagger::{ApiError as RouterError, Has, XSpanIdString};

/// What the edge knows of a request before the generated router runs.
#[derive(Clone)]
pub(crate) struct Request {
    /// The operation being served.
    pub operation: &'static Operation,
    /// The request's `uuid` header, echoed in errors.
    pub uuid: Option<Arc<str>>,
    /// When the request arrived, by the app's clock.
    pub now: Millis,
    /// The request's id: a digest of its client, operation, `uuid` and
    /// content, by which a retry of it is known (`store::Sending::request`).
    pub id: Option<Digest>,
}

/// The context the edge gives the generated routers: what the gate learnt.
#[derive(Clone)]
pub(crate) struct RequestContext {
    span: XSpanIdString,
    authorization: Option<Authorization>,
    pub request: Request,
    /// The authenticated client (the OTP operations).
    pub client: Option<Arc<Client>>,
    /// The raw form of a token request: the generated router does not parse
    /// `application/x-www-form-urlencoded` bodies (see docs/ARCHITECTURE.md).
    pub token_request: Option<Arc<TokenRequestBody>>,
}

impl RequestContext {
    /// For an OTP operation admitted by the gate.
    pub(crate) fn client(request: Request, client: Arc<Client>) -> Self {
        let authorization = Authorization {
            subject: client.id.clone(),
            scopes: Scopes::All,
            issuer: None,
        };
        Self {
            span: span_id(),
            authorization: Some(authorization),
            request,
            client: Some(client),
            token_request: None,
        }
    }

    /// For the token endpoint, which authenticates the client itself.
    pub(crate) fn token_request(request: Request, body: TokenRequestBody) -> Self {
        Self {
            span: span_id(),
            authorization: None,
            request,
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

/// The generated response for an operation's outcome: the success variant
/// as the method built it, or the error rendered as the operation's
/// documented row (status, `type`, `code`) in the response variant the
/// spec names for that status (`x-response-id`). The generated response
/// enums are serde enums whose error variants hold the `ErrorResponse`,
/// so `{"<variant>": <ErrorResponse>}` is exactly one of them.
///
/// A status the operation does not document has no variant: that is a
/// defect of an API's error mapping (its tests keep every mapped code
/// documented), logged and left to the edge, which answers
/// `500 serverUnavailable`.
fn respond<R: DeserializeOwned>(
    context: &RequestContext,
    outcome: Result<R, ApiError>,
) -> Result<R, RouterError> {
    let error = match outcome {
        Ok(response) => return Ok(response),
        Err(error) => error,
    };
    let Request {
        operation,
        uuid,
        now,
        ..
    } = &context.request;
    let (status, body) = error.render(Some(operation), uuid.as_deref(), *now);
    crate::observe::note_code(&body.code);
    let variant = operation.response(status).map(|r| r.variant.as_str());
    let converted = variant.map(|v| serde_json::from_value(serde_json::json!({ v: body })));
    match converted {
        Some(Ok(response)) => Ok(response),
        Some(Err(e)) => Err(defect(operation, format!("{status} {}: {e}", body.code))),
        None => Err(defect(
            operation,
            format!("status {status} ({}) is not documented", body.code),
        )),
    }
}

fn defect(op: &Operation, cause: String) -> RouterError {
    tracing::error!(operation = %op.id, cause, "an error has no response in the spec");
    RouterError(cause)
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
    // `{INSTANCE:08x}-{NEXT:012x}`, without the formatting machinery.
    let next = NEXT.fetch_add(1, Ordering::Relaxed) & 0xffff_ffff_ffff;
    let mut bytes = [0u8; 10];
    bytes[..4].copy_from_slice(&INSTANCE.to_be_bytes());
    bytes[4..].copy_from_slice(&next.to_be_bytes()[2..]);
    // One hex pass over both (a pass costs more than its digits), then
    // the dash between them.
    let mut id = String::with_capacity(21);
    crate::crypto::push_hex(&mut id, &bytes);
    id.insert(8, '-');
    XSpanIdString(id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn span_ids_are_an_instance_tag_and_a_counter_in_hex() {
        let (first, second) = (super::span_id().0, super::span_id().0);
        for id in [&first, &second] {
            assert_eq!(id.len(), 21, "{id}");
            assert_eq!(id.as_bytes()[8], b'-');
            assert!(id.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()));
        }
        assert_eq!(first[..9], second[..9], "one instance");
        let count = |id: &str| u64::from_str_radix(&id[9..], 16).unwrap();
        assert!(count(&second) > count(&first));
    }
}
