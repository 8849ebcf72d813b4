//! Strict JSON: a body with a key twice is bad input, named by its dotted
//! path (`phone.phoneCountryCode`), not silently the last one (as
//! `serde_json::Value` would take it) nor a 500 later (as the generated
//! models, which refuse it, would give).

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// Why a body is not strict JSON: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// Not JSON at all (line and column).
    Syntax { line: usize, column: usize },
    /// A key given twice: its dotted path.
    Duplicate(String),
}

/// Parses `bytes`, refusing duplicate keys at any depth.
pub fn parse(bytes: &[u8]) -> Result<Value, JsonError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = Strict::root().deserialize(&mut deserializer);
    let value = parsed.and_then(|v| deserializer.end().map(|()| v));
    value.map_err(|e| error(&e))
}

/// What a parse that refuses duplicate keys failed with.
pub(super) fn error(e: &serde_json::Error) -> JsonError {
    let message = e.to_string();
    match message.strip_prefix(DUPLICATE) {
        Some(rest) => Duplicate(rest.split(" at line").next().unwrap_or(rest).to_owned()),
        None => JsonError::Syntax {
            line: e.line(),
            column: e.column(),
        },
    }
}

use JsonError::Duplicate;

/// How a duplicate key's error message starts (the path follows).
pub(super) const DUPLICATE: &str = "duplicate key ";

/// One step down from a parent value: an object's key or an array's index.
#[derive(Clone, Copy)]
enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

/// A value, and the steps from the root to it: the path is written out
/// only when a duplicate is found, not for every key parsed.
#[derive(Clone, Copy)]
struct Strict<'p> {
    parent: Option<&'p Strict<'p>>,
    step: Option<Step<'p>>,
}

impl<'p> Strict<'p> {
    fn root() -> Self {
        Self {
            parent: None,
            step: None,
        }
    }

    fn child(&'p self, step: Step<'p>) -> Strict<'p> {
        Strict {
            parent: Some(self),
            step: Some(step),
        }
    }

    /// The dotted path of this value.
    fn path(&self) -> String {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(value) = at {
            if let Some(step) = value.step {
                steps.push(match step {
                    Step::Key(key) => key.to_owned(),
                    Step::Index(i) => i.to_string(),
                });
            }
            at = value.parent;
        }
        steps.reverse();
        steps.join(".")
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.child(Step::Index(items.len())))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let child = self.child(Step::Key(&key));
            if object.contains_key(&key) {
                return Err(de::Error::custom(format!("{DUPLICATE}{}", child.path())));
            }
            let value = map.next_value_seed(child)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_named_by_their_path() {
        assert!(parse(br#"{"a": 1, "b": {"c": [1, {"d": 2}]}}"#).is_ok());
        assert_eq!(parse(br#"{"a": 1, "a": 2}"#), Err(Duplicate("a".into())));
        let nested = br#"{"phone": {"phoneCountryCode": "+52", "phoneCountryCode": "+1"}}"#;
        assert_eq!(
            parse(nested),
            Err(Duplicate("phone.phoneCountryCode".into()))
        );
        assert!(matches!(
            parse(b"{\"a\": }"),
            Err(JsonError::Syntax { line: 1, .. })
        ));
        assert!(matches!(
            parse(b"{} trailing"),
            Err(JsonError::Syntax { .. })
        ));
    }
}
