//! Building responses: JSON bodies and the spec's `ErrorResponse`.

use crate::app::App;
use crate::contract::Operation;
use crate::error::ApiError;
use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use serde::Serialize;
use std::convert::Infallible;

/// The body type of every response, the generated routers' included.
pub(crate) type Body = BoxBody<Bytes, Infallible>;

/// `status` with `value` as JSON.
pub(crate) fn json(status: u16, value: &impl Serialize) -> Response<Body> {
    // Serializing our own plain structs to a Vec cannot fail.
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    let mut response = Response::new(Full::new(Bytes::from(bytes)).boxed());
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// `status` with no body.
pub(crate) fn empty(status: u16) -> Response<Body> {
    let mut response = Response::new(Full::new(Bytes::new()).boxed());
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
}

/// The `ErrorResponse` for `error` on `op` (or outside any operation), now;
/// its code is noted for the request's log line.
pub(crate) fn error(
    app: &App,
    op: Option<&Operation>,
    error: &ApiError,
    uuid: Option<&str>,
) -> Response<Body> {
    let (status, body) = error.render(op, uuid, app.clock().now());
    crate::observe::note_code(&body.code);
    json(status, &body)
}
