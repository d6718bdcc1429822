//! Browsable documentation from an API's exported definition.
//!
//! [`parse`] accepts Swagger 2.0 or OpenAPI 3.x JSON (as exported by API Gateway or
//! the moto emulator, which is often very sparse) and produces an [`ApiDoc`]: every
//! field is optional in the input, `$ref`s are resolved with a cycle guard and a depth
//! limit, and path-level parameters are merged into each operation. API Gateway
//! extensions are ignored except the integration `type` of an operation.
//!
//! [`render_lines`] and [`operation_index`] turn an [`ApiDoc`] into plain text lines
//! for the TUI (no ratatui types here).

mod json;
mod model;
mod render;
mod schema;

#[cfg(test)]
mod tests;

pub use render::{operation_index, render_lines, render_lines_within};

/// Why an API definition could not be turned into documentation.
#[derive(Debug, thiserror::Error)]
pub enum DocError {
    #[error("the API definition is not valid JSON: {0}")]
    Json(String),
    #[error("not a Swagger 2.0 or OpenAPI 3.x document (no `swagger` or `openapi` field)")]
    UnknownFormat,
    #[error("the API definition is nested deeper than {0} levels (arrays and objects): too deep to show")]
    TooDeep(usize),
}

/// The rendered lines of `method path` (its title line to the next operation's): its
/// parameters, request body schema and responses. `ANY` stands for every method.
pub fn operation_section<'a>(lines: &'a [DocLine], method: &str, path: &str) -> Option<&'a [DocLine]> {
    let is_op = |l: &DocLine, m: &str| {
        l.kind == LineKind::Operation && {
            let mut words = l.text.split_whitespace();
            words.next().is_some_and(|w| w.eq_ignore_ascii_case(m)) && words.next() == Some(path)
        }
    };
    let start = lines.iter().position(|l| is_op(l, method)).or_else(|| lines.iter().position(|l| is_op(l, "ANY")))?;
    let end =
        lines[start + 1..].iter().position(|l| l.kind == LineKind::Operation).map_or(lines.len(), |n| start + 1 + n);
    Some(&lines[start..end])
}

/// Parses a Swagger 2.0 or OpenAPI 3.x JSON document. Never panics on bad input.
pub fn parse(json: &str) -> Result<ApiDoc, DocError> {
    model::parse(json)
}

/// [`parse`], stopping early when `stop` is set (its result is then incomplete: drop it).
pub fn parse_within(json: &str, stop: &std::sync::atomic::AtomicBool) -> Result<ApiDoc, DocError> {
    model::parse_within(json, stop)
}

/// Documentation for one API.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiDoc {
    /// `info.title`, or "Untitled API" when missing.
    pub title: String,
    /// `info.version`, empty when missing.
    pub version: String,
    pub spec: SpecVersion,
    pub description: Option<String>,
    /// Base URLs (Swagger `schemes`×`host`+`basePath`, OpenAPI `servers` with defaults).
    pub servers: Vec<String>,
    /// Scheme name and a short description such as "apiKey in header x-api-key".
    pub security_schemes: Vec<(String, String)>,
    /// Ordered by path, then GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, others.
    pub operations: Vec<Operation>,
}

/// Which specification the document follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecVersion {
    Swagger2,
    /// OpenAPI 3.0.x.
    OpenApi3,
    /// OpenAPI 3.1.x (JSON Schema 2020-12: `type` arrays with `null`, `$ref` siblings).
    OpenApi31,
}

impl SpecVersion {
    pub fn label(&self) -> &'static str {
        match self {
            SpecVersion::Swagger2 => "Swagger 2.0",
            SpecVersion::OpenApi3 => "OpenAPI 3.0",
            SpecVersion::OpenApi31 => "OpenAPI 3.1",
        }
    }
}

/// One method on one path.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// Upper case; API Gateway's `x-amazon-apigateway-any-method` is "ANY".
    pub method: String,
    pub path: String,
    pub operation_id: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub tags: Vec<String>,
    /// Path-level parameters merged with the operation's (Swagger body parameters excluded).
    pub parameters: Vec<Parameter>,
    pub request_body: Option<Body>,
    /// Sorted by status code, `default` last.
    pub responses: Vec<Response>,
    /// Security requirement alternatives: "api_key", "oauth [read, write]", "a + b".
    pub security: Vec<String>,
    /// `x-amazon-apigateway-integration.type`, e.g. "aws_proxy".
    pub integration: Option<String>,
    pub deprecated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    /// path, query, header, cookie, formData.
    pub location: String,
    /// Path parameters are always required.
    pub required: bool,
    /// e.g. "string", "integer (int32)", "array<string>", "Pet".
    pub type_summary: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub content_type: Option<String>,
    pub required: bool,
    pub schema: Option<SchemaNode>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: String,
    pub description: Option<String>,
    pub content_type: Option<String>,
    pub schema: Option<SchemaNode>,
}

/// A schema as a tree. `cycle` marks a reference back to a schema being expanded
/// (rendered as `↻ type`), whose children are then not expanded.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaNode {
    /// Property name, or the `$ref` name at the top of a tree.
    pub name: Option<String>,
    pub type_summary: String,
    pub required: bool,
    pub description: Option<String>,
    /// Object properties (document order), array item properties, merged `allOf` parts.
    pub children: Vec<SchemaNode>,
    pub cycle: bool,
    /// What was left out under this node, said where it was cut (the depth limit, the budget).
    pub cut: Option<String>,
    /// A `$ref` that points at nothing in the document (missing, or external: never fetched).
    pub unresolved: Option<String>,
}

/// The kind of a rendered line, for styling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LineKind {
    Title,
    Heading,
    Operation,
    Label,
    Field,
    Text,
    Muted,
}

/// One rendered line: `indent` is a nesting level (not a column count).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DocLine {
    pub indent: u16,
    pub kind: LineKind,
    pub text: String,
}
