//! Taking a connection over from hyper: a response that carries a
//! [`Takeover`] extension is not written; the connection is closed
//! instead, after `raw` bytes (maybe none) were put on the wire as they
//! are, abortively (a TCP reset) when `reset`. Generic: it knows no reason
//! for doing so. Only a [`super::Front`] whose `TAKES_OVER` is true gets
//! the cell that carries it from the service to the socket; a production
//! front has none, and its connections pay one `None` for it.

use std::io;
use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A response extension: instead of this response, write `raw` on the
/// connection and close it; with `reset`, by a TCP reset (RST).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Takeover {
    pub raw: bytes::Bytes,
    pub reset: bool,
}

/// What the service tells the socket of one connection.
pub(crate) type Cell = Arc<Mutex<Option<Takeover>>>;

/// The service's error once it took the connection over: hyper then drops
/// the connection without writing anything.
#[derive(Debug)]
pub(crate) struct TakenOver;

impl std::fmt::Display for TakenOver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the connection was taken over")
    }
}

impl std::error::Error for TakenOver {}

/// Puts `takeover` in `cell`, for the socket to carry out.
pub(crate) fn hand_over(cell: &Cell, takeover: Takeover) {
    *cell.lock().unwrap_or_else(|e| e.into_inner()) = Some(takeover);
}

/// A TCP connection that carries out a takeover when hyper lets it go.
pub(crate) struct Wire {
    stream: TcpStream,
    cell: Option<Cell>,
}

impl Wire {
    pub(crate) fn new(stream: TcpStream, cell: Option<Cell>) -> Self {
        Self { stream, cell }
    }

    fn taken_over(&self) -> bool {
        self.cell
            .as_ref()
            .is_some_and(|c| c.lock().unwrap_or_else(|e| e.into_inner()).is_some())
    }
}

impl Drop for Wire {
    fn drop(&mut self) {
        let Some(cell) = &self.cell else { return };
        let Some(takeover) = cell.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return;
        };
        if !takeover.raw.is_empty() {
            // A few bytes into an idle socket's send buffer: never blocks.
            let _ = self.stream.try_write(&takeover.raw);
        }
        if takeover.reset {
            let linger = libc::linger {
                l_onoff: 1,
                l_linger: 0,
            };
            // SAFETY: the fd is this stream's, open until the stream drops
            // after this; setsockopt reads the struct we own.
            unsafe {
                libc::setsockopt(
                    self.stream.as_raw_fd(),
                    libc::SOL_SOCKET,
                    libc::SO_LINGER,
                    (&raw const linger).cast(),
                    std::mem::size_of::<libc::linger>() as libc::socklen_t,
                );
            }
        }
    }
}

impl AsyncRead for Wire {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Wire {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.taken_over() {
            return Poll::Ready(Err(io::ErrorKind::ConnectionAborted.into()));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.taken_over() {
            return Poll::Ready(Ok(())); // closed on drop, the takeover's way
        }
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
