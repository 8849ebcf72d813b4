//! Faults and delays on demand, in WireMock's words: a sandbox request
//! with `Prefer: fault=CONNECTION_RESET_BY_PEER | EMPTY_RESPONSE |
//! MALFORMED_RESPONSE_CHUNK | RANDOM_DATA_THEN_CLOSE` gets no answer but
//! that fault, at the connection (the sandbox front hands the connection
//! to [`crate::server::Takeover`]); `Prefer: delay=<ms>` or
//! `delay=<min>-<max>` (uniform) delays the real answer. A fault changes
//! no state: the request never reaches the edge. Both are bounded (a delay
//! at most [`MAX_DELAY_MS`]), and settable per test phone
//! (`[[sandbox.test_phones]]`) or by a provider state's params.

use crate::server::response::{self, Body};
use crate::server::Takeover;
use bytes::Bytes;
use hyper::Response;

use super::misbehaviour::Fault;

/// What WireMock's `MALFORMED_RESPONSE_CHUNK` sends after its `200` head.
const GARBAGE: &[u8] = b"lskdu018973t09sylgasjkfg1][]'./.sdlv";

impl Fault {
    /// What the connection does instead of answering.
    fn takeover(self) -> Takeover {
        let raw = match self {
            Self::ConnectionResetByPeer | Self::EmptyResponse => Bytes::new(),
            Self::MalformedResponseChunk => {
                let head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
                Bytes::from([&head[..], GARBAGE].concat())
            }
            Self::RandomDataThenClose => {
                let mut bytes = [0u8; 64];
                let _ = getrandom::fill(&mut bytes);
                // Never the start of an HTTP answer.
                bytes[0] = 0xff;
                Bytes::copy_from_slice(&bytes)
            }
        };
        Takeover {
            raw,
            reset: self == Self::ConnectionResetByPeer,
        }
    }

    /// The response that carries the fault: the accept loop never writes
    /// it, and does the fault instead.
    pub(crate) fn response(self) -> Response<Body> {
        crate::observe::note_code(self.name());
        let mut response = response::empty(500);
        response.extensions_mut().insert(self.takeover());
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_fault_takes_the_connection_over_its_own_way() {
        let reset = Fault::ConnectionResetByPeer.takeover();
        assert!(reset.reset && reset.raw.is_empty());
        let chunk = Fault::MalformedResponseChunk.takeover();
        assert!(chunk.raw.starts_with(b"HTTP/1.1 200 OK\r\n") && !chunk.reset);
    }
}
