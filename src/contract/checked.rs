//! A request body checked against its schema as it is parsed: the same
//! verdict as strict parsing ([`super::json::parse`]) followed by
//! [`Schema::check`] on the tree, without building the tree. Every request
//! with a body passes here, and the tree (a map, an owned string per key
//! and value, a path string per field) was two thirds of the gate's work.
//!
//! What decides, as before: a syntax error or a key given twice wins over
//! any schema rule (the whole body is still read to find them); within an
//! object, a missing required field (in `required`'s order) comes first,
//! then the first field in the schema's order that breaks a rule; in an
//! array, its first item that does.

use super::json::{JsonError, DUPLICATE};
use super::schema::{Schema, Violation};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::cell::Cell;
use std::collections::BTreeSet;
use std::fmt;

/// Whether a body that meets its schema names only the schema's fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fields {
    /// Every key of every object in it is a property its schema names.
    Named,
    /// Some object has a key its schema does not name (Swagger 2.0 allows
    /// them), or a property whose schema names none holds an object.
    Others,
}

/// Checks `bytes` as strict JSON, then against `schema`: `Err` when it is
/// not strict JSON, `Ok` of the schema's verdict otherwise.
pub fn check(schema: &Schema, bytes: &[u8]) -> Result<Result<Fields, Violation>, JsonError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let others = Cell::new(false);
    let root = Node {
        schema,
        at: At::ROOT,
        others: &others,
    };
    let verdict = root.deserialize(&mut deserializer);
    let verdict = verdict.and_then(|v| deserializer.end().map(|()| v));
    let fields = match others.get() {
        false => Fields::Named,
        true => Fields::Others,
    };
    verdict
        .map(|v| v.map(|()| fields))
        .map_err(|e| super::json::error(&e))
}

/// Where a value is: the steps from the root, written out only when a
/// verdict needs them.
#[derive(Clone, Copy)]
struct At<'p> {
    parent: Option<&'p At<'p>>,
    step: Step<'p>,
}

#[derive(Clone, Copy)]
enum Step<'p> {
    Root,
    Key(&'p str),
    Index(usize),
}

impl<'p> At<'p> {
    const ROOT: At<'static> = At {
        parent: None,
        step: Step::Root,
    };

    fn child(&'p self, step: Step<'p>) -> At<'p> {
        At {
            parent: Some(self),
            step,
        }
    }

    fn steps(&self) -> Vec<Step<'p>> {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(value) = at {
            if !matches!(value.step, Step::Root) {
                steps.push(value.step);
            }
            at = value.parent;
        }
        steps.reverse();
        steps
    }

    /// The path as a schema violation names it: `a.b`, `a[0].b`.
    fn schema_path(&self) -> String {
        let mut path = String::new();
        for step in self.steps() {
            match step {
                Step::Key(key) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                }
                Step::Index(i) => path.push_str(&format!("[{i}]")),
                Step::Root => {}
            }
        }
        path
    }

    /// The path as a duplicate key is named: `a.0.b`.
    fn dotted_path(&self) -> String {
        let steps: Vec<String> = self
            .steps()
            .into_iter()
            .map(|step| match step {
                Step::Key(key) => key.to_owned(),
                Step::Index(i) => i.to_string(),
                Step::Root => String::new(),
            })
            .collect();
        steps.join(".")
    }
}

/// A value to parse and the schema it must meet.
struct Node<'s, 'p> {
    schema: &'s Schema,
    at: At<'p>,
    /// Set once an object has a key its schema does not name.
    others: &'p Cell<bool>,
}

type Verdict = Result<(), Violation>;

impl Node<'_, '_> {
    /// The value is of another type than the schema's.
    fn wrong_type(&self) -> Verdict {
        Err(self.schema.type_violation(&self.at.schema_path()))
    }

    fn scalar(&self, fits: bool) -> Verdict {
        match fits || matches!(self.schema, Schema::Any) {
            true => Ok(()),
            false => self.wrong_type(),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = Verdict;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Verdict, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = Verdict;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Verdict, E> {
        Ok(self.scalar(matches!(self.schema, Schema::Boolean)))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Verdict, E> {
        Ok(self.scalar(matches!(self.schema, Schema::Integer | Schema::Number)))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Verdict, E> {
        Ok(self.scalar(matches!(self.schema, Schema::Integer | Schema::Number)))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Verdict, E> {
        Ok(self.scalar(matches!(self.schema, Schema::Number)))
    }
    fn visit_unit<E>(self) -> Result<Verdict, E> {
        Ok(self.scalar(false))
    }
    fn visit_str<E>(self, text: &str) -> Result<Verdict, E> {
        Ok(match self.schema {
            Schema::String(rules) if rules.passes(text) => Ok(()),
            Schema::String(rules) => rules.check(text, &self.at.schema_path()),
            _ => self.scalar(false),
        })
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Verdict, A::Error> {
        let (items, fits) = match self.schema {
            Schema::Array(items) => (&**items, true),
            _ => (&Schema::Any, false),
        };
        let mut verdict = Ok(());
        let mut index = 0;
        loop {
            let item = Node {
                schema: items,
                at: self.at.child(Step::Index(index)),
                others: self.others,
            };
            let Some(item) = seq.next_element_seed(item)? else {
                break;
            };
            if verdict.is_ok() {
                verdict = item;
            }
            index += 1;
        }
        Ok(match fits {
            true => verdict,
            false => self.scalar(false),
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Verdict, A::Error> {
        let no_properties = Vec::new();
        let (properties, required, fits) = match self.schema {
            Schema::Object {
                properties,
                required,
            } => (properties, &required[..], true),
            _ => (&no_properties, &[][..], false),
        };
        let mut seen = vec![false; properties.len()];
        let mut others: BTreeSet<String> = BTreeSet::new();
        // The first field, in the schema's order, that breaks a rule.
        let mut broken: Option<(usize, Violation)> = None;
        while let Some(key) = map.next_key_seed(KeySeed(properties))? {
            let (name, schema): (&str, &Schema) = match &key {
                Key::Property(i) => (&properties[*i].0, &properties[*i].1),
                Key::Other(name) => (name, &Schema::Any),
            };
            let fresh = match key {
                Key::Property(i) => !std::mem::replace(&mut seen[i], true),
                Key::Other(ref name) => !others.contains(name),
            };
            let at = self.at.child(Step::Key(name));
            if !fresh {
                let path = at.dotted_path();
                return Err(de::Error::custom(format!("{DUPLICATE}{path}")));
            }
            let verdict = map.next_value_seed(Node {
                schema,
                at,
                others: self.others,
            })?;
            match key {
                Key::Property(i) => {
                    if let Err(violation) = verdict {
                        if broken.as_ref().is_none_or(|(first, _)| i < *first) {
                            broken = Some((i, violation));
                        }
                    }
                }
                Key::Other(name) => {
                    self.others.set(true);
                    others.insert(name);
                }
            }
        }
        if !fits {
            return Ok(self.scalar(false));
        }
        let present = |name: &str| match properties.iter().position(|(n, _)| n == name) {
            Some(i) => seen[i],
            None => others.contains(name),
        };
        if let Some(name) = required.iter().find(|name| !present(name)) {
            let path = self.at.child(Step::Key(name)).schema_path();
            return Ok(Err(Violation::new(path, format!("{name} is required"))));
        }
        Ok(broken.map_or(Ok(()), |(_, violation)| Err(violation)))
    }
}

/// An object's key: one of the schema's properties (by index: no copy), or
/// another, kept to find it given twice.
enum Key {
    Property(usize),
    Other(String),
}

struct KeySeed<'s>(&'s [(String, Schema)]);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, key: &str) -> Result<Key, E> {
        Ok(match self.0.iter().position(|(name, _)| name == key) {
            Some(i) => Key::Property(i),
            None => Key::Other(key.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{json, Contract};
    use proptest::prelude::*;

    /// The verdict of the tree: strict parse, then the schema's check.
    fn by_tree(schema: &Schema, bytes: &[u8]) -> Result<Verdict, JsonError> {
        json::parse(bytes).map(|value| schema.check(&value, ""))
    }

    /// The stream's verdict, without what it says of the fields.
    fn verdict(schema: &Schema, bytes: &[u8]) -> Result<Verdict, JsonError> {
        check(schema, bytes).map(|v| v.map(|_| ()))
    }

    fn schemas() -> Vec<(String, Schema)> {
        let contract = Contract::get().unwrap();
        contract
            .operations()
            .iter()
            .filter_map(|op| op.body.clone().map(|body| (op.id.clone(), body)))
            .collect()
    }

    /// Every key any body schema names, and a few no schema names.
    fn keys() -> Vec<String> {
        fn walk(schema: &Schema, out: &mut Vec<String>) {
            match schema {
                Schema::Object { properties, .. } => {
                    for (name, inner) in properties {
                        out.push(name.clone());
                        walk(inner, out);
                    }
                }
                Schema::Array(items) => walk(items, out),
                _ => {}
            }
        }
        let mut keys = vec!["x".to_owned(), "extra".to_owned(), "".to_owned()];
        for (_, schema) in schemas() {
            walk(&schema, &mut keys);
        }
        keys
    }

    /// JSON text (not a tree: a key may come twice), built from the specs'
    /// own keys and from values that pass and break their rules.
    fn body(keys: Vec<String>) -> impl Strategy<Value = String> {
        let scalar = prop_oneof![
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("17".to_owned()),
            Just("-3".to_owned()),
            Just("2.5".to_owned()),
            Just("1e400".to_owned()),
            Just("\"\"".to_owned()),
            Just("\"+52\"".to_owned()),
            Just("\"52\"".to_owned()),
            Just("\"5512345678\"".to_owned()),
            Just("\"MTIzNDU2\"".to_owned()),
            Just("\"%%\"".to_owned()),
            Just("\"IVR\"".to_owned()),
            Just("\"es-MX\"".to_owned()),
            Just("\"a\\\"b\\u00e9\"".to_owned()),
            "[a-zA-Z0-9+/=]{0,40}".prop_map(|s| format!("\"{s}\"")),
        ];
        scalar.prop_recursive(3, 24, 6, move |inner| {
            let keys = keys.clone();
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|items| format!("[{}]", items.join(","))),
                prop::collection::vec((prop::sample::select(keys), inner), 0..7).prop_map(
                    |fields| {
                        let fields: Vec<String> = fields
                            .into_iter()
                            .map(|(k, v)| format!("\"{k}\":{v}"))
                            .collect();
                        format!("{{{}}}", fields.join(","))
                    }
                ),
            ]
        })
    }

    /// Strings for the specs' rules: some pass each rule, others do not.
    const STRINGS: [&str; 14] = [
        "",
        "+52",
        "52",
        "5512345678",
        "0055123",
        "MTIzNDU2",
        "%%",
        "IVR",
        "es-MX",
        "cust 1",
        "ABCdef12345",
        "ABCdef1234$",
        "ñandú",
        "a\\\"b",
    ];

    /// JSON text close to what `schema` accepts: each field present most of
    /// the time with a value that mostly meets its rules, sometimes a field
    /// no schema names, sometimes a field given twice.
    fn conforming(schema: &Schema) -> BoxedStrategy<String> {
        match schema {
            Schema::Object { properties, .. } => {
                let fields: Vec<_> = properties
                    .iter()
                    .map(|(name, inner)| {
                        let name = name.clone();
                        (prop::bool::weighted(0.85), conforming(inner)).prop_map(
                            move |(keep, value)| keep.then(|| format!("\"{name}\":{value}")),
                        )
                    })
                    .collect();
                (
                    fields,
                    prop::bool::weighted(0.1),
                    prop::bool::weighted(0.1),
                    any::<prop::sample::Index>(),
                )
                    .prop_map(|(fields, extra, twice, which)| {
                        let mut fields: Vec<String> = fields.into_iter().flatten().collect();
                        if extra {
                            fields.push("\"other\":{\"a\":[1,{\"b\":null}]}".to_owned());
                        }
                        if twice && !fields.is_empty() {
                            let again = fields[which.index(fields.len())].clone();
                            fields.push(again);
                        }
                        format!("{{{}}}", fields.join(","))
                    })
                    .boxed()
            }
            Schema::String(rules) => {
                let mut passing: Vec<String> = STRINGS
                    .iter()
                    .filter(|s| rules.passes(&s.replace("\\\"", "\"")))
                    .map(|s| s.to_string())
                    .collect();
                passing.extend(rules.allowed.iter().flatten().cloned());
                let all: Vec<String> = STRINGS.iter().map(|s| s.to_string()).collect();
                let passing = if passing.is_empty() {
                    all.clone()
                } else {
                    passing
                };
                prop_oneof![
                    4 => prop::sample::select(passing),
                    1 => prop::sample::select(all),
                ]
                .prop_map(|s| format!("\"{s}\""))
                .boxed()
            }
            Schema::Integer => prop::sample::select(vec!["17", "2.5", "\"17\""])
                .prop_map(str::to_owned)
                .boxed(),
            Schema::Number => prop::sample::select(vec!["2.5", "-1", "null"])
                .prop_map(str::to_owned)
                .boxed(),
            Schema::Boolean => prop::sample::select(vec!["true", "1"])
                .prop_map(str::to_owned)
                .boxed(),
            Schema::Array(items) => prop::collection::vec(conforming(items), 0..3)
                .prop_map(|items| format!("[{}]", items.join(",")))
                .boxed(),
            Schema::Any => Just("{\"any\":[true]}".to_owned()).boxed(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn near_misses_get_the_verdict_of_the_tree(which in any::<prop::sample::Index>(), seed in any::<u64>()) {
            let (id, schema, text) = near_miss(which, seed);
            prop_assert_eq!(verdict(&schema, text.as_bytes()), by_tree(&schema, text.as_bytes()), "{} {}", id, text);
        }

        /// `Fields::Named` lets the generated handler skip `serde_ignored`:
        /// it must be said of a body exactly when `serde_ignored`, reading
        /// it into the operation's model, finds no field to report.
        #[test]
        fn fields_are_named_exactly_when_serde_ignored_finds_none(which in any::<prop::sample::Index>(), seed in any::<u64>()) {
            let (id, schema, text) = near_miss(which, seed);
            if let (Ok(Ok(fields)), Some(found)) = (check(&schema, text.as_bytes()), ignored(&id, text.as_bytes())) {
                prop_assert_eq!(fields == Fields::Named, found.is_empty(), "{} {} {:?}", id, text, found);
            }
        }
    }

    /// A body near what one operation's schema accepts, drawn from `seed`.
    fn near_miss(which: prop::sample::Index, seed: u64) -> (String, Schema, String) {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
        let schemas = schemas();
        let (id, schema) = schemas[which.index(schemas.len())].clone();
        let mut seed_bytes = [0u8; 32];
        seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
        let mut runner = TestRunner::new_with_rng(Config::default(), rng);
        let text = conforming(&schema).new_tree(&mut runner).unwrap().current();
        (id, schema, text)
    }

    /// The paths `serde_ignored` reports when the generated handler reads
    /// `bytes` into the model of operation `id`; `None` when it cannot.
    fn ignored(id: &str, bytes: &[u8]) -> Option<Vec<String>> {
        fn paths<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<Vec<String>> {
            let mut found = Vec::new();
            let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
            serde_ignored::deserialize::<_, _, T>(deserializer, |path| {
                found.push(path.to_string())
            })
            .ok()?;
            Some(found)
        }
        use rao_token_management::models as rao;
        use telemarketing_otp::models as tm;
        match id {
            "generateRaoOtp" => paths::<rao::GenerateRaoOtpRequest>(bytes),
            "validateRaoOtp" => paths::<rao::ValidateRaoOtpRequest>(bytes),
            "generateTelemarketingOtp" => paths::<tm::TelemarketingOtpRequest>(bytes),
            "validateTelemarketingOtp" => paths::<tm::ValidateTelemarketingOtpRequest>(bytes),
            other => panic!("a JSON body operation without its model here: {other}"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        #[test]
        fn the_stream_gives_the_verdict_of_the_tree(text in body(keys()), cut in 0usize..200) {
            for (id, schema) in schemas() {
                let bytes = text.as_bytes();
                prop_assert_eq!(verdict(&schema, bytes), by_tree(&schema, bytes), "{} {}", id, text);
                // A body cut short is a syntax error either way, at the same place.
                let cut = &bytes[..cut.min(bytes.len())];
                prop_assert_eq!(verdict(&schema, cut), by_tree(&schema, cut), "{} {:?}", id, cut);
            }
        }
    }

    #[test]
    fn fields_are_judged_in_the_schema_order_and_duplicates_first() {
        let contract = Contract::get().unwrap();
        let schema = contract
            .operation("generateTelemarketingOtp")
            .unwrap()
            .body
            .clone()
            .unwrap();
        for text in [
            r#"{}"#,
            r#"{"x": {"a": 1, "a": 2}}"#,
            r#"[{"a": 1}, {"b": 2, "b": 3}]"#,
            r#"{"x": 1} {"#,
            r#""text""#,
        ] {
            assert_eq!(
                verdict(&schema, text.as_bytes()),
                by_tree(&schema, text.as_bytes()),
                "{text}"
            );
        }
    }
}
