//! JSON Schema checks compiled from the Swagger 2.0 subset the specs use:
//! `type` (object, string, integer, number, boolean, array), `properties`,
//! `required`, `$ref`, `pattern`, `minLength`, `maxLength`, `enum` and
//! `format: byte`. A violation names the dotted path of the offending field.

use anyhow::{bail, Context};
use base64::{engine::general_purpose::STANDARD, Engine};
use regex::Regex;
use serde_json::Value as Json;
use serde_yaml::{Mapping, Value as Yaml};

/// One rule broken by a request: where, and what the spec asks for. Never
/// contains the offending value, which may be secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub location: String,
    pub details: String,
}

impl Violation {
    pub fn new(location: impl Into<String>, details: impl Into<String>) -> Self {
        Self {
            location: location.into(),
            details: details.into(),
        }
    }
}

/// A compiled schema.
#[derive(Debug, Clone)]
pub enum Schema {
    Object {
        properties: Vec<(String, Schema)>,
        required: Vec<String>,
    },
    String(StringRules),
    Integer,
    Number,
    Boolean,
    Array(Box<Schema>),
    Any,
}

/// The constraints of a `type: string`.
#[derive(Debug, Clone, Default)]
pub struct StringRules {
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub pattern: Option<Regex>,
    pub allowed: Option<Vec<String>>,
    /// `format: byte`: standard base64 with padding.
    pub byte: bool,
}

impl Schema {
    /// Compiles `node`, resolving `$ref: '#/definitions/…'` against `definitions`.
    pub fn compile(node: &Yaml, definitions: &Mapping) -> anyhow::Result<Self> {
        Self::compile_at(node, definitions, 0)
    }

    fn compile_at(node: &Yaml, defs: &Mapping, depth: usize) -> anyhow::Result<Self> {
        if depth > 16 {
            bail!("schema nests deeper than 16 levels (a $ref cycle?)");
        }
        if let Some(reference) = node.get("$ref").and_then(Yaml::as_str) {
            let name = reference
                .strip_prefix("#/definitions/")
                .with_context(|| format!("unsupported $ref {reference}"))?;
            let target = defs
                .get(name)
                .with_context(|| format!("no definition {name}"))?;
            return Self::compile_at(target, defs, depth + 1);
        }
        let kind = node.get("type").and_then(Yaml::as_str);
        Ok(match kind {
            Some("object") | None if node.get("properties").is_some() => {
                Self::compile_object(node, defs, depth)?
            }
            Some("string") => Self::String(StringRules::compile(node)?),
            Some("integer") => Self::Integer,
            Some("number") => Self::Number,
            Some("boolean") => Self::Boolean,
            Some("array") => {
                let items = node.get("items").context("array without items")?;
                Self::Array(Box::new(Self::compile_at(items, defs, depth + 1)?))
            }
            _ => Self::Any,
        })
    }

    fn compile_object(node: &Yaml, defs: &Mapping, depth: usize) -> anyhow::Result<Self> {
        let mut properties = Vec::new();
        if let Some(props) = node.get("properties").and_then(Yaml::as_mapping) {
            for (name, prop) in props {
                let name = name.as_str().context("property name is not a string")?;
                let schema = Self::compile_at(prop, defs, depth + 1)
                    .with_context(|| format!("property {name}"))?;
                properties.push((name.to_owned(), schema));
            }
        }
        let required = node
            .get("required")
            .and_then(Yaml::as_sequence)
            .map(|names| {
                names
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self::Object {
            properties,
            required,
        })
    }

    /// Checks `value`; `path` is its dotted location (empty at the root).
    pub fn check(&self, value: &Json, path: &str) -> Result<(), Violation> {
        match (self, value) {
            (Self::Any, _) => Ok(()),
            (
                Self::Object {
                    properties,
                    required,
                },
                Json::Object(map),
            ) => {
                for name in required {
                    if !map.contains_key(name) {
                        return Err(Violation::new(
                            join(path, name),
                            format!("{name} is required"),
                        ));
                    }
                }
                for (name, schema) in properties {
                    if let Some(field) = map.get(name) {
                        schema.check(field, &join(path, name))?;
                    }
                }
                Ok(())
            }
            (Self::String(rules), Json::String(text)) => rules.check(text, path),
            (Self::Integer, Json::Number(n)) if n.is_i64() || n.is_u64() => Ok(()),
            (Self::Number, Json::Number(_)) | (Self::Boolean, Json::Bool(_)) => Ok(()),
            (Self::Array(items), Json::Array(values)) => values
                .iter()
                .enumerate()
                .try_for_each(|(i, v)| items.check(v, &format!("{path}[{i}]"))),
            _ => Err(self.type_violation(path)),
        }
    }

    /// A value at `path` of another type than this schema's.
    pub(crate) fn type_violation(&self, path: &str) -> Violation {
        Violation::new(
            location_or_body(path),
            format!("{} must be {}", name_or_body(path), self.type_phrase()),
        )
    }

    fn type_phrase(&self) -> &'static str {
        match self {
            Self::Object { .. } => "a JSON object",
            Self::String(_) => "a string",
            Self::Integer => "an integer",
            Self::Number => "a number",
            Self::Boolean => "a boolean",
            Self::Array(_) => "an array",
            Self::Any => "a value",
        }
    }
}

impl StringRules {
    fn compile(node: &Yaml) -> anyhow::Result<Self> {
        let size = |key: &str| node.get(key).and_then(Yaml::as_u64).map(|n| n as usize);
        let pattern = match node.get("pattern").and_then(Yaml::as_str) {
            Some(p) => Some(Regex::new(p).with_context(|| format!("pattern {p}"))?),
            None => None,
        };
        let allowed = node.get("enum").and_then(Yaml::as_sequence).map(|values| {
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        });
        Ok(Self {
            min_length: size("minLength"),
            max_length: size("maxLength"),
            pattern,
            allowed,
            byte: node.get("format").and_then(Yaml::as_str) == Some("byte"),
        })
    }

    /// Whether `text` meets every rule: [`Self::check`] without the
    /// violation, so a value that passes builds no path for it.
    pub(crate) fn passes(&self, text: &str) -> bool {
        self.check(text, "").is_ok()
    }

    /// Checks a string value; used for JSON fields and header values alike.
    pub fn check(&self, text: &str, path: &str) -> Result<(), Violation> {
        // The field's name only when a check fails: most values pass.
        let fail = |rule: std::fmt::Arguments<'_>| {
            Err(Violation::new(
                path,
                format!("{} must {rule}", name_or_body(path)),
            ))
        };
        // Characters are counted only where bytes cannot settle it: a
        // string has at most as many characters as bytes, and at least one
        // if it has a byte.
        let chars = || text.chars().count();
        if let Some(min) = self
            .min_length
            .filter(|&min| min > usize::from(!text.is_empty()) && chars() < min)
        {
            return fail(format_args!("be at least {min} characters long"));
        }
        if let Some(max) = self
            .max_length
            .filter(|&max| text.len() > max && chars() > max)
        {
            return fail(format_args!("be at most {max} characters long"));
        }
        if let Some(pattern) = self.pattern.as_ref().filter(|p| !p.is_match(text)) {
            return fail(format_args!("match {}", pattern.as_str()));
        }
        if let Some(allowed) = self
            .allowed
            .as_ref()
            .filter(|a| !a.iter().any(|v| v == text))
        {
            return fail(format_args!("be one of {}", allowed.join(", ")));
        }
        if self.byte && STANDARD.decode(text).is_err() {
            return fail(format_args!("be base64 (format: byte)"));
        }
        Ok(())
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn location_or_body(path: &str) -> &str {
    if path.is_empty() {
        "body"
    } else {
        path
    }
}

/// The last segment of a dotted path, as the field is named in the spec.
fn name_or_body(path: &str) -> &str {
    location_or_body(path).rsplit('.').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn phone_request() -> Schema {
        let yaml: Yaml = serde_yaml::from_str(
            r#"
definitions:
  Phone:
    type: object
    required: [phoneCountryCode, encryptedPhoneNumber]
    properties:
      phoneCountryCode: {type: string, maxLength: 5, pattern: '^\+\d{1,4}$'}
      encryptedPhoneNumber: {type: string, format: byte}
  Request:
    type: object
    required: [phone, encryptedOtpToken]
    properties:
      encryptedOtpToken: {type: string, format: byte}
      phone: {$ref: '#/definitions/Phone'}
"#,
        )
        .unwrap();
        let defs = yaml["definitions"].as_mapping().unwrap();
        Schema::compile(&defs["Request"], defs).unwrap()
    }

    #[test]
    fn valid_body_passes() {
        let body = json!({"encryptedOtpToken": "MTIz", "phone": {"phoneCountryCode": "+52", "encryptedPhoneNumber": "NTU="}});
        assert_eq!(phone_request().check(&body, ""), Ok(()));
    }

    #[test]
    fn violations_name_the_dotted_path() {
        let schema = phone_request();
        let cases = [
            (json!([]), "body"),
            (json!({"phone": {}}), "encryptedOtpToken"),
            (
                json!({"encryptedOtpToken": "MTIz", "phone": {"encryptedPhoneNumber": "NTU="}}),
                "phone.phoneCountryCode",
            ),
            (
                json!({"encryptedOtpToken": "MTIz", "phone": {"phoneCountryCode": "52", "encryptedPhoneNumber": "NTU="}}),
                "phone.phoneCountryCode",
            ),
            (
                json!({"encryptedOtpToken": "MTIz", "phone": {"phoneCountryCode": "+52", "encryptedPhoneNumber": "%%"}}),
                "phone.encryptedPhoneNumber",
            ),
            (
                json!({"encryptedOtpToken": 5, "phone": {"phoneCountryCode": "+52", "encryptedPhoneNumber": "NTU="}}),
                "encryptedOtpToken",
            ),
            (json!({"encryptedOtpToken": "MTIz", "phone": "x"}), "phone"),
        ];
        for (body, location) in cases {
            assert_eq!(
                schema.check(&body, "").unwrap_err().location,
                location,
                "{body}"
            );
        }
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let rules = StringRules {
            max_length: Some(3),
            ..Default::default()
        };
        assert_eq!(rules.check("ñáé", "x"), Ok(()));
        assert!(rules.check("ñáéí", "x").is_err());
    }
}
