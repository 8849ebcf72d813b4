//! The values that make a sandbox phone misbehave — a fault at the
//! connection (WireMock's names), a delay, what becomes of its SMS — read
//! and bounded. A leaf: the config checks its test phones with it when it
//! loads; [`super::faults`] carries the faults out and
//! [`super::behaviour`] knows which phone behaves how.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::time::Duration;

/// The longest delay: a minute.
pub(crate) const MAX_DELAY_MS: u64 = 60_000;

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

/// What becomes of a phone's SMS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SmsFate {
    /// Reaches the outbox at once (or after `smsDelayMs`).
    #[default]
    Delivered,
    /// Never reaches the outbox; the send succeeds and the OTP validates.
    Lost,
    /// The gateway refuses it: the send fails through the real path
    /// (telemarketing `400 smsDeliveryFailed`, RAO `500 serverUnavailable`)
    /// and the outbox lists it as `failed`.
    Failed,
}

/// A phone's behaviour; the default is a well-behaved phone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PhoneBehaviour {
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "delayMs")]
    pub delay: Option<Delay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    #[serde(default)]
    pub sms: SmsFate,
    /// A delivered SMS reaches the outbox this long after it was sent.
    #[serde(default)]
    pub sms_delay_ms: u64,
}

/// The longest an SMS may be held back: a day.
pub(crate) const MAX_SMS_DELAY_MS: u64 = 86_400_000;

impl PhoneBehaviour {
    pub(crate) fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// A behaviour from its settings as written (a test phone's), each
    /// checked: the delay (`500`, `200-800`), the fault's name, the SMS's
    /// fate (`delivered`, `lost`, `failed`) and its delay.
    pub(crate) fn from_parts(
        delay: Option<&str>,
        fault: Option<&str>,
        sms: Option<&str>,
        sms_delay_ms: Option<u64>,
    ) -> Result<Self, String> {
        let delay = delay.map(Delay::parse).transpose()?;
        let fault = match fault {
            Some(name) => Some(
                Fault::parse(name)
                    .ok_or_else(|| format!("fault {name:?}: one of {}", Fault::names()))?,
            ),
            None => None,
        };
        let sms = match sms {
            None | Some("delivered") => SmsFate::Delivered,
            Some("lost") => SmsFate::Lost,
            Some("failed") => SmsFate::Failed,
            Some(other) => return Err(format!("sms {other:?}: delivered, lost or failed")),
        };
        let sms_delay_ms = sms_delay_ms.unwrap_or(0);
        if sms_delay_ms > MAX_SMS_DELAY_MS {
            return Err(format!("sms_delay_ms: at most {MAX_SMS_DELAY_MS} (a day)"));
        }
        Ok(Self {
            delay,
            fault,
            sms,
            sms_delay_ms,
        })
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
    }
}
