//! The contract: the operation registry, read from the same `specs/*.yaml`
//! the generator reads.
//!
//! The specs are embedded in the binary and compiled once, on first use,
//! into one [`Operation`] per path and method: the API (spec) it belongs
//! to, its `operationId` (which names it in logs, metrics, `Prefer` and the
//! tests), its headers and their rules, its body schema, and each
//! documented response: status, the generated response variant
//! (`x-response-id`), body schema, headers and error rows
//! (`x-error-codes`). Everything that needs an operation's facts reads
//! them here — the edge routes by it, the gate checks requests against it,
//! errors are rendered from its rows and turned into the generated
//! response variants by it — so adding an operation to a spec needs no
//! edit outside the spec, `make generate` and the generated trait's new
//! method (docs/ARCHITECTURE.md, "Adding an operation").

mod checked;
pub mod json;
pub mod request;
pub mod response;
pub mod schema;

pub use checked::Fields;
pub use request::check_request;
pub use response::{check_answer, check_response};

use anyhow::{bail, Context};
use schema::{Schema, StringRules};
use serde_yaml::{Mapping, Value as Yaml};
use std::sync::OnceLock;

/// The APIs served: one spec, one generated crate, one `Api` implementation
/// each. The one name of an API everywhere: in a client's `apis` (config),
/// the metrics' `api` label and the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// `specs/rao-token-management.yaml`
    Rao,
    /// `specs/telemarketing-otp.yaml`
    Telemarketing,
    /// `specs/oauth-token.yaml`: the token endpoint both APIs' clients use.
    Token,
}

impl Api {
    /// Whether a client must be registered for this API to call it (the
    /// token endpoint authenticates clients itself).
    pub fn needs_registration(self) -> bool {
        self != Self::Token
    }

    /// The API's name in config, metrics and logs.
    pub fn label(self) -> &'static str {
        match self {
            Self::Rao => "rao",
            Self::Telemarketing => "telemarketing",
            Self::Token => "token",
        }
    }
}

/// The specs, as committed, and the API each describes.
pub const SPECS: [(Api, &str, &str); 3] = [
    (
        Api::Rao,
        "rao-token-management.yaml",
        include_str!("../../specs/rao-token-management.yaml"),
    ),
    (
        Api::Telemarketing,
        "telemarketing-otp.yaml",
        include_str!("../../specs/telemarketing-otp.yaml"),
    ),
    (
        Api::Token,
        "oauth-token.yaml",
        include_str!("../../specs/oauth-token.yaml"),
    ),
];

/// A header parameter and its rules.
#[derive(Debug, Clone)]
pub struct HeaderParam {
    /// As the spec spells it (`countryCode`); header lookup is case-insensitive.
    pub name: String,
    /// The name as a header key, parsed once (a lookup by `&str` parses
    /// and lower-cases it on every request).
    pub key: hyper::header::HeaderName,
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

/// One documented response of an operation.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    /// The generated response enum's variant (`x-response-id`).
    pub variant: String,
    /// The body's schema, when it has one.
    pub schema: Option<Schema>,
    /// The response headers the spec declares (e.g. `sid`).
    pub headers: Vec<String>,
}

/// One operation of a spec.
#[derive(Debug, Clone)]
pub struct Operation {
    pub api: Api,
    /// The spec's `operationId`: its name in logs, metrics and tests.
    pub id: String,
    pub method: String,
    /// `basePath` + path, as requested on the wire (may hold `{param}`s).
    pub path: String,
    pub headers: Vec<HeaderParam>,
    /// The JSON body's schema, when the operation takes one.
    pub body: Option<Schema>,
    pub responses: Vec<Response>,
    pub errors: Vec<ErrorRow>,
}

impl Operation {
    /// The documented row for `code`, if this operation documents it.
    pub fn error(&self, code: &str) -> Option<&ErrorRow> {
        self.errors.iter().find(|row| row.code == code)
    }

    /// The documented response of `status`, if any.
    pub fn response(&self, status: u16) -> Option<&Response> {
        self.responses.iter().find(|r| r.status == status)
    }

    /// Whether `path` is this operation's path (`{param}` matches one segment).
    pub fn matches_path(&self, path: &str) -> bool {
        if !self.path.contains('{') {
            return self.path == path;
        }
        let mut mine = self.path.split('/');
        let mut theirs = path.split('/');
        loop {
            match (mine.next(), theirs.next()) {
                (None, None) => return true,
                (Some(m), Some(t)) if m == t => {}
                (Some(m), Some(t)) if m.starts_with('{') && m.ends_with('}') && !t.is_empty() => {}
                _ => return false,
            }
        }
    }
}

/// Where a request lands.
#[derive(Debug)]
pub enum Route<'a> {
    Operation(&'a Operation),
    /// A known path asked with another method: the methods it serves.
    WrongMethod(Vec<&'a str>),
    Unknown,
}

/// Every operation of every spec.
#[derive(Debug, Clone)]
pub struct Contract {
    operations: Vec<Operation>,
}

impl Contract {
    /// The compiled embedded specs, compiled once per process.
    pub fn get() -> anyhow::Result<&'static Self> {
        static CONTRACT: OnceLock<Result<Contract, String>> = OnceLock::new();
        CONTRACT
            .get_or_init(|| Self::compile(&SPECS).map_err(|e| format!("{e:#}")))
            .as_ref()
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    /// Compiles specs given as (API, file name, YAML text).
    pub fn compile(specs: &[(Api, &str, &str)]) -> anyhow::Result<Self> {
        let mut operations = Vec::new();
        for (api, file, text) in specs {
            let spec: Yaml = serde_yaml::from_str(text).with_context(|| format!("specs/{file}"))?;
            let compiled = compile_spec(*api, &spec).with_context(|| format!("specs/{file}"))?;
            operations.extend(compiled);
        }
        Ok(Self { operations })
    }

    /// The operation for `method` and `path`. A path written out in the
    /// spec wins over a template that also matches it (OpenAPI's rule for
    /// concrete and templated paths); found by comparing bytes alone.
    pub fn route(&self, method: &str, path: &str) -> Route<'_> {
        let concrete = self
            .operations
            .iter()
            .find(|op| op.path == path && op.method == method);
        if let Some(op) = concrete {
            return Route::Operation(op);
        }
        let mut allowed = Vec::new();
        for op in self.operations.iter().filter(|op| op.matches_path(path)) {
            if op.method == method {
                return Route::Operation(op);
            }
            allowed.push(op.method.as_str());
        }
        if allowed.is_empty() {
            Route::Unknown
        } else {
            Route::WrongMethod(allowed)
        }
    }

    /// The operation named `id` (its `operationId`).
    pub fn operation(&self, id: &str) -> Option<&Operation> {
        self.operations.iter().find(|op| op.id == id)
    }

    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }
}

fn compile_spec(api: Api, spec: &Yaml) -> anyhow::Result<Vec<Operation>> {
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
            let place = (api, method, format!("{base}{path}"));
            let operation =
                compile_operation(spec, defs, op, place).with_context(|| path.to_owned())?;
            operations.push(operation);
        }
    }
    Ok(operations)
}

fn compile_operation(
    spec: &Yaml,
    defs: &Mapping,
    op: &Yaml,
    (api, method, path): (Api, String, String),
) -> anyhow::Result<Operation> {
    let id = op
        .get("operationId")
        .and_then(Yaml::as_str)
        .context("no operationId (the generator names the Api trait's method after it)")?
        .to_owned();
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
                key: hyper::header::HeaderName::try_from(name)
                    .with_context(|| format!("header {name} is no header name"))?,
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
    let (responses, errors) = compile_responses(spec, defs, op)?;
    Ok(Operation {
        api,
        id,
        method,
        path,
        headers,
        body,
        responses,
        errors,
    })
}

fn compile_responses(
    spec: &Yaml,
    defs: &Mapping,
    op: &Yaml,
) -> anyhow::Result<(Vec<Response>, Vec<ErrorRow>)> {
    let mut responses = Vec::new();
    let mut rows = Vec::new();
    let documented = op
        .get("responses")
        .and_then(Yaml::as_mapping)
        .context("no responses")?;
    for (status, response) in documented {
        let status: u16 = match status {
            Yaml::Number(n) => n.as_u64().context("status")? as u16,
            Yaml::String(s) => s.parse().context("status")?,
            _ => bail!("status is neither number nor string"),
        };
        let response = resolve(spec, response)?;
        responses.push(compile_response(status, response, defs)?);
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
    Ok((responses, rows))
}

fn compile_response(status: u16, response: &Yaml, defs: &Mapping) -> anyhow::Result<Response> {
    let variant = response
        .get("x-response-id")
        .and_then(Yaml::as_str)
        .with_context(|| format!("response {status} has no x-response-id"))?;
    let schema = match response.get("schema") {
        Some(schema) => Some(Schema::compile(schema, defs).with_context(|| format!("{status}"))?),
        None => None,
    };
    let headers = response
        .get("headers")
        .and_then(Yaml::as_mapping)
        .into_iter()
        .flatten()
        .filter_map(|(name, _)| name.as_str().map(str::to_owned))
        .collect();
    Ok(Response {
        status,
        variant: variant.to_owned(),
        schema,
        headers,
    })
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
    fn every_operation_of_the_specs_is_loaded_with_its_responses_and_errors() {
        let contract = Contract::get().unwrap();
        let declared: usize = SPECS
            .iter()
            .map(|(_, _, text)| text.matches("operationId:").count())
            .sum();
        assert_eq!(contract.operations().len(), declared);
        let validate = contract.operation("validateTelemarketingOtp").unwrap();
        assert_eq!(validate.api, Api::Telemarketing);
        assert_eq!(
            validate.path,
            "/api/v1/x-global/security/tele-marketing/otp/validate"
        );
        let expired = validate.error("OTP Token Expired").unwrap();
        assert_eq!((expired.status, expired.kind.as_str()), (400, "error"));
        assert_eq!(validate.response(400).unwrap().variant, "BadRequest");
        let rao = contract.operation("getCertifiedPhone").unwrap();
        assert!(rao.body.is_none());
        assert_eq!(rao.error("serverUnavailable").unwrap().kind, "fatal");
        assert!(rao.headers.iter().any(|h| h.name == "sid" && h.required));
        let generate = contract.operation("generateTelemarketingOtp").unwrap();
        assert_eq!(generate.response(200).unwrap().headers, ["sid"]);
    }

    /// Every header parameter has an `x-example` (Dredd, Prism and
    /// swagger-ui's "Try it out" send it: NORMALIZATION.md A9) that its own
    /// rules accept.
    #[test]
    fn every_header_has_an_example_its_rules_accept() {
        let mut checked = 0;
        for (_, file, text) in SPECS {
            let spec: Yaml = serde_yaml::from_str(text).unwrap();
            let operations = spec["paths"].as_mapping().unwrap().values();
            for op in operations.flat_map(|item| item.as_mapping().unwrap().values()) {
                for param in op["parameters"].as_sequence().unwrap() {
                    let param = resolve(&spec, param).unwrap();
                    if param["in"].as_str() != Some("header") {
                        continue;
                    }
                    let name = param["name"].as_str().unwrap();
                    let example = param["x-example"]
                        .as_str()
                        .unwrap_or_else(|| panic!("{file}: header {name} has no x-example"));
                    let Schema::String(rules) = Schema::compile(param, &Mapping::new()).unwrap()
                    else {
                        panic!("{file}: header {name} is not a string");
                    };
                    assert_eq!(rules.check(example, name), Ok(()), "{file}: {name}");
                    checked += 1;
                }
            }
        }
        assert!(checked >= 40, "{checked} headers");
    }

    #[test]
    fn routes_by_method_and_path_with_templates() {
        let contract = Contract::get().unwrap();
        let path = "/api/v1/oauth/token";
        assert!(
            matches!(contract.route("POST", path), Route::Operation(op) if op.id == "issueToken")
        );
        assert!(matches!(contract.route("GET", path), Route::WrongMethod(m) if m == ["POST"]));
        assert!(matches!(
            contract.route("POST", "/api/v1/nothing"),
            Route::Unknown
        ));
        let mut op = contract.operations()[0].clone();
        op.path = "/api/v1/things/{id}/state".into();
        assert!(op.matches_path("/api/v1/things/42/state"));
        assert!(!op.matches_path("/api/v1/things//state"));
        assert!(!op.matches_path("/api/v1/things/42"));

        let mut concrete = op.clone();
        concrete.path = "/api/v1/things/mine/state".into();
        concrete.id = "concrete".into();
        let both = Contract {
            operations: vec![op.clone(), concrete],
        };
        let routed = |path| match both.route(&op.method, path) {
            Route::Operation(found) => found.id.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(routed("/api/v1/things/mine/state"), "concrete");
        assert_eq!(routed("/api/v1/things/42/state"), op.id);
    }
}
