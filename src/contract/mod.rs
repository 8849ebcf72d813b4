//! The contract, read from the same `specs/*.yaml` the generator reads.
//!
//! The specs are embedded in the binary and compiled once at startup into
//! one [`Operation`] per path: its headers and their rules, its body schema,
//! and its documented errors (`x-error-codes`). The gate checks requests
//! against it before the generated router sees them, so a spec change (a new
//! `pattern`, a new required header) is enforced without hand-written code.

pub mod schema;

use anyhow::{bail, Context};
use schema::{Schema, StringRules};
use serde_yaml::{Mapping, Value as Yaml};

/// The specs, as committed.
const SPECS: [(&str, &str); 3] = [
    (
        "rao-token-management.yaml",
        include_str!("../../specs/rao-token-management.yaml"),
    ),
    (
        "telemarketing-otp.yaml",
        include_str!("../../specs/telemarketing-otp.yaml"),
    ),
    (
        "oauth-token.yaml",
        include_str!("../../specs/oauth-token.yaml"),
    ),
];

/// The operations the server implements, by the spec's `operationId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OperationId {
    GenerateRaoOtp,
    ValidateRaoOtp,
    GetCertifiedPhone,
    GenerateTelemarketingOtp,
    ValidateTelemarketingOtp,
    IssueToken,
}

impl OperationId {
    /// Every operation; `Contract::load` fails unless the specs declare each.
    pub const ALL: [Self; 6] = [
        Self::GenerateRaoOtp,
        Self::ValidateRaoOtp,
        Self::GetCertifiedPhone,
        Self::GenerateTelemarketingOtp,
        Self::ValidateTelemarketingOtp,
        Self::IssueToken,
    ];

    fn from_spec(id: &str) -> Option<Self> {
        Some(match id {
            "generateRaoOtp" => Self::GenerateRaoOtp,
            "validateRaoOtp" => Self::ValidateRaoOtp,
            "getCertifiedPhone" => Self::GetCertifiedPhone,
            "generateTelemarketingOtp" => Self::GenerateTelemarketingOtp,
            "validateTelemarketingOtp" => Self::ValidateTelemarketingOtp,
            "issueToken" => Self::IssueToken,
            _ => return None,
        })
    }

    /// The spec's name, for logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::GenerateRaoOtp => "generateRaoOtp",
            Self::ValidateRaoOtp => "validateRaoOtp",
            Self::GetCertifiedPhone => "getCertifiedPhone",
            Self::GenerateTelemarketingOtp => "generateTelemarketingOtp",
            Self::ValidateTelemarketingOtp => "validateTelemarketingOtp",
            Self::IssueToken => "issueToken",
        }
    }
}

/// A header parameter and its rules.
#[derive(Debug, Clone)]
pub struct HeaderParam {
    /// As the spec spells it (`countryCode`); header lookup is case-insensitive.
    pub name: String,
    pub required: bool,
    pub rules: StringRules,
}

/// One documented error row: a response's `x-error-codes` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRow {
    pub status: u16,
    /// The `type` of the `ErrorResponse`: error, warn, invalid or fatal.
    pub kind: String,
    pub code: String,
    pub details: String,
    pub more_info: Option<String>,
}

/// One operation of a spec.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: OperationId,
    pub method: String,
    /// `basePath` + path, as requested on the wire.
    pub path: String,
    pub headers: Vec<HeaderParam>,
    /// The JSON body's schema, when the operation takes one.
    pub body: Option<Schema>,
    pub errors: Vec<ErrorRow>,
}

impl Operation {
    /// The documented row for `code`, if this operation documents it.
    pub fn error(&self, code: &str) -> Option<&ErrorRow> {
        self.errors.iter().find(|row| row.code == code)
    }
}

/// Every operation of every spec.
#[derive(Debug, Clone)]
pub struct Contract {
    operations: Vec<Operation>,
}

impl Contract {
    /// Compiles the embedded specs.
    pub fn load() -> anyhow::Result<Self> {
        let mut operations = Vec::new();
        for (file, text) in SPECS {
            let spec: Yaml = serde_yaml::from_str(text).with_context(|| format!("specs/{file}"))?;
            operations.extend(compile_spec(&spec).with_context(|| format!("specs/{file}"))?);
        }
        for id in OperationId::ALL {
            anyhow::ensure!(
                operations.iter().any(|op| op.id == id),
                "operationId {} is implemented but no spec declares it",
                id.as_str()
            );
        }
        Ok(Self { operations })
    }

    /// The operation served at `path`, whatever the method.
    pub fn by_path(&self, path: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.path == path)
    }

    pub fn get(&self, id: OperationId) -> &Operation {
        // `load` fails unless every OperationId is in the specs, so this finds one.
        self.operations
            .iter()
            .find(|op| op.id == id)
            .expect("every operation is loaded")
    }

    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }
}

fn compile_spec(spec: &Yaml) -> anyhow::Result<Vec<Operation>> {
    let base = spec.get("basePath").and_then(Yaml::as_str).unwrap_or("");
    let empty = Mapping::new();
    let defs = spec
        .get("definitions")
        .and_then(Yaml::as_mapping)
        .unwrap_or(&empty);
    let paths = spec
        .get("paths")
        .and_then(Yaml::as_mapping)
        .context("no paths")?;
    let mut operations = Vec::new();
    for (path, item) in paths {
        let path = path.as_str().context("path is not a string")?;
        let item = item.as_mapping().context("path item is not a mapping")?;
        for (method, op) in item {
            let method = method.as_str().unwrap_or_default().to_ascii_uppercase();
            let operation = compile_operation(spec, defs, op, method, format!("{base}{path}"))
                .with_context(|| path.to_owned())?;
            operations.push(operation);
        }
    }
    Ok(operations)
}

fn compile_operation(
    spec: &Yaml,
    defs: &Mapping,
    op: &Yaml,
    method: String,
    path: String,
) -> anyhow::Result<Operation> {
    let id_text = op
        .get("operationId")
        .and_then(Yaml::as_str)
        .context("no operationId")?;
    let id = OperationId::from_spec(id_text)
        .with_context(|| format!("operationId {id_text} has no implementation"))?;
    let mut headers = Vec::new();
    let mut body = None;
    for param in op
        .get("parameters")
        .and_then(Yaml::as_sequence)
        .into_iter()
        .flatten()
    {
        let param = resolve(spec, param)?;
        let name = param
            .get("name")
            .and_then(Yaml::as_str)
            .context("parameter without name")?;
        match param.get("in").and_then(Yaml::as_str) {
            Some("header") => headers.push(HeaderParam {
                name: name.to_owned(),
                required: param
                    .get("required")
                    .and_then(Yaml::as_bool)
                    .unwrap_or(false),
                rules: match Schema::compile(param, defs)? {
                    Schema::String(rules) => rules,
                    _ => bail!("header {name} is not a string"),
                },
            }),
            Some("body") => {
                let schema = param.get("schema").context("body without schema")?;
                body = Some(Schema::compile(schema, defs)?);
            }
            _ => {}
        }
    }
    let errors = compile_errors(spec, op)?;
    Ok(Operation {
        id,
        method,
        path,
        headers,
        body,
        errors,
    })
}

fn compile_errors(spec: &Yaml, op: &Yaml) -> anyhow::Result<Vec<ErrorRow>> {
    let mut rows = Vec::new();
    let responses = op
        .get("responses")
        .and_then(Yaml::as_mapping)
        .context("no responses")?;
    for (status, response) in responses {
        let status: u16 = match status {
            Yaml::Number(n) => n.as_u64().context("status")? as u16,
            Yaml::String(s) => s.parse().context("status")?,
            _ => bail!("status is neither number nor string"),
        };
        let response = resolve(spec, response)?;
        for row in response
            .get("x-error-codes")
            .and_then(Yaml::as_sequence)
            .into_iter()
            .flatten()
        {
            let text = |key: &str| row.get(key).and_then(Yaml::as_str).map(str::to_owned);
            rows.push(ErrorRow {
                status,
                kind: text("type").context("x-error-codes row without type")?,
                code: text("code").context("x-error-codes row without code")?,
                details: text("details").unwrap_or_default(),
                more_info: text("moreInfo"),
            });
        }
    }
    Ok(rows)
}

/// Follows a local `$ref` (`#/parameters/x`, `#/responses/y`).
fn resolve<'a>(spec: &'a Yaml, node: &'a Yaml) -> anyhow::Result<&'a Yaml> {
    let Some(reference) = node.get("$ref").and_then(Yaml::as_str) else {
        return Ok(node);
    };
    let mut target = spec;
    for part in reference
        .strip_prefix("#/")
        .context("only local $ref")?
        .split('/')
    {
        target = target
            .get(part)
            .with_context(|| format!("unresolved $ref {reference}"))?;
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_loaded_with_its_errors() {
        let contract = Contract::load().unwrap();
        assert_eq!(contract.operations().len(), 6);
        let validate = contract.get(OperationId::ValidateTelemarketingOtp);
        assert_eq!(
            validate.path,
            "/api/v1/x-global/security/tele-marketing/otp/validate"
        );
        let expired = validate.error("OTP Token Expired").unwrap();
        assert_eq!((expired.status, expired.kind.as_str()), (400, "error"));
        let rao = contract.get(OperationId::GetCertifiedPhone);
        assert!(rao.body.is_none());
        assert_eq!(rao.error("serverUnavailable").unwrap().kind, "fatal");
        assert!(rao.headers.iter().any(|h| h.name == "sid" && h.required));
    }
}
