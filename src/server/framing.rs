//! Hyper's own protocol-level rejections, rewritten as `ErrorResponse`s.
//!
//! A request whose head hyper cannot accept (a malformed header, an invalid
//! `Content-Length`, a head over the size limit, an unknown HTTP version)
//! never reaches a service: hyper answers it itself with an empty
//! `400`/`431`/`505` and closes the connection, and offers no hook to
//! change that answer. This wrapper sits between hyper and the socket and
//! recognises exactly that answer — a 4xx/5xx head with `connection: close`
//! and `content-length: 0`, which no response of ours has — and sends the
//! same status with the spec's `ErrorResponse` instead. Vectored writes are
//! turned off so that a response head always arrives in one buffer.

use crate::error::ApiError;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What hyper's own error answer looks like after its status line.
const HYPER_ERROR_HEADERS: &[u8] = b"\r\nconnection: close\r\ncontent-length: 0\r\n";

/// A connection whose protocol errors are answered with an `ErrorResponse`.
pub(crate) struct EnvelopeIo<T> {
    inner: T,
    /// A replacement being written, and how far.
    pending: Option<(Vec<u8>, usize)>,
}

impl<T> EnvelopeIo<T> {
    pub(crate) fn new(inner: T) -> Self {
        Self {
            inner,
            pending: None,
        }
    }
}

/// The replacement for `buf` when it holds hyper's own error answer.
fn replacement(buf: &[u8]) -> Option<Vec<u8>> {
    let is_error = buf.starts_with(b"HTTP/1.1 4") || buf.starts_with(b"HTTP/1.1 5");
    if !is_error || buf.len() < 12 || !contains(buf, HYPER_ERROR_HEADERS) {
        return None;
    }
    let status: u16 = std::str::from_utf8(&buf[9..12]).ok()?.parse().ok()?;
    let status_line_end = buf.windows(2).position(|w| w == b"\r\n")?;
    let details = match status {
        431 => "The request head is too large",
        505 => "Only HTTP/1.1 and HTTP/1.0 are served",
        _ => "The request is malformed: its head could not be parsed (header names, values or Content-Length)",
    };
    let now = crate::clock::system_now();
    let (_, mut body) = ApiError::invalid("headers", details).render(None, None, now);
    body.code = crate::error::code::INVALID_REQUEST.into();
    let json = serde_json::to_vec(&body).ok()?;
    let mut out = buf[..status_line_end].to_vec();
    let head = format!(
        "\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        json.len()
    );
    out.extend_from_slice(head.as_bytes());
    out.extend_from_slice(&json);
    Some(out)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

impl<T: AsyncRead + Unpin> AsyncRead for EnvelopeIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for EnvelopeIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.pending.is_none() {
            match replacement(buf) {
                Some(bytes) => self.pending = Some((bytes, 0)),
                None => return Pin::new(&mut self.inner).poll_write(cx, buf),
            }
        }
        let this = &mut *self;
        while let Some((bytes, written)) = this.pending.as_mut() {
            if *written == bytes.len() {
                // Hyper's error answer is the last thing on this connection.
                return Poll::Ready(Ok(buf.len()));
            }
            let n = ready!(Pin::new(&mut this.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_hypers_own_error_answers() {
        let hyper = b"HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let out = String::from_utf8(replacement(hyper).unwrap()).unwrap();
        assert!(out.starts_with(
            "HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
        ));
        assert!(
            out.contains("\"code\":\"invalidRequest\"") && out.contains("\"location\":\"headers\"")
        );
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 5\r\n\r\n{...}";
        assert!(replacement(ours).is_none());
        assert!(replacement(b"HTTP/1.1 204 No Content\r\n\r\n").is_none());
    }
}
