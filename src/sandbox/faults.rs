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
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::time::Duration;

/// The longest delay: a minute.
pub(crate) const MAX_DELAY_MS: u64 = 60_000;

/// What WireMock's `MALFORMED_RESPONSE_CHUNK` sends after its `200` head.
const GARBAGE: &[u8] = b"lskdu018973t09sylgasjkfg1][]'./.sdlv";

/// A fault at the connection: WireMock's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// The connection is reset (TCP RST) without an answer.
    ConnectionResetByPeer,
    /// The connection is closed without an answer.
    EmptyResponse,
    /// A `200` head with a chunked body, then garbage, then the connection closed.
    MalformedResponseChunk,
    /// Random bytes (no HTTP), then the connection closed.
    RandomDataThenClose,
}

impl Fault {
    pub(crate) const ALL: [Self; 4] = [
        Self::ConnectionResetByPeer,
        Self::EmptyResponse,
        Self::MalformedResponseChunk,
        Self::RandomDataThenClose,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::ConnectionResetByPeer => "CONNECTION_RESET_BY_PEER",
            Self::EmptyResponse => "EMPTY_RESPONSE",
            Self::MalformedResponseChunk => "MALFORMED_RESPONSE_CHUNK",
            Self::RandomDataThenClose => "RANDOM_DATA_THEN_CLOSE",
        }
    }

    /// A fault by its name (any case).
    pub(crate) fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(text.trim()))
    }

    /// The names, for an error's details.
    pub(crate) fn names() -> String {
        Self::ALL.map(Self::name).join(", ")
    }

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

impl Serialize for Fault {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Fault {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("fault {text:?}: one of {}", Fault::names()))
        })
    }
}

/// A delay: fixed, or drawn uniformly from `min..=max` ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Delay {
    pub min_ms: u64,
    pub max_ms: u64,
}

impl Delay {
    /// `500` or `200-800` (ms, at most [`MAX_DELAY_MS`]).
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let ms = |t: &str| t.trim().parse::<u64>().ok();
        let (min, max) = match text.split_once('-') {
            Some((a, b)) => (ms(a), ms(b)),
            None => (ms(text), ms(text)),
        };
        match (min, max) {
            (Some(min), Some(max)) if min <= max && max <= MAX_DELAY_MS => Ok(Self {
                min_ms: min,
                max_ms: max,
            }),
            _ => Err(format!(
                "delay={text}: milliseconds from 0 to {MAX_DELAY_MS}, or a range min-max within them (delay=200-800)"
            )),
        }
    }

    /// This time's delay.
    pub(crate) fn draw(self) -> Duration {
        let span = self.max_ms - self.min_ms;
        let extra = match span {
            0 => 0,
            _ => {
                let mut bytes = [0u8; 8];
                let _ = getrandom::fill(&mut bytes);
                u64::from_le_bytes(bytes) % (span + 1)
            }
        };
        Duration::from_millis(self.min_ms + extra)
    }
}

impl fmt::Display for Delay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.min_ms == self.max_ms {
            true => write!(f, "{}", self.min_ms),
            false => write!(f, "{}-{}", self.min_ms, self.max_ms),
        }
    }
}

impl Serialize for Delay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.min_ms == self.max_ms {
            true => s.serialize_u64(self.min_ms),
            false => s.serialize_str(&self.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for Delay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Ms(u64),
            Text(String),
        }
        let text = match Written::deserialize(d)? {
            Written::Ms(ms) => ms.to_string(),
            Written::Text(text) => text,
        };
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_bounded_and_drawn_within_their_range() {
        assert_eq!(
            Delay::parse("500").unwrap().draw(),
            Duration::from_millis(500)
        );
        let range = Delay::parse("100-300").unwrap();
        for _ in 0..100 {
            let ms = range.draw().as_millis();
            assert!((100..=300).contains(&ms), "{ms}");
        }
        for bad in ["60001", "-5", "300-100", "abc", "", "1-60001"] {
            assert!(Delay::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(range.to_string(), "100-300");
    }

    #[test]
    fn faults_by_their_wiremock_names() {
        for fault in Fault::ALL {
            assert_eq!(Fault::parse(fault.name()), Some(fault));
        }
        assert_eq!(Fault::parse("empty_response"), Some(Fault::EmptyResponse));
        assert_eq!(Fault::parse("TIMEOUT"), None);
        let reset = Fault::ConnectionResetByPeer.takeover();
        assert!(reset.reset && reset.raw.is_empty());
        let chunk = Fault::MalformedResponseChunk.takeover();
        assert!(chunk.raw.starts_with(b"HTTP/1.1 200 OK\r\n") && !chunk.reset);
    }
}
