//! Swagger 2.0 / OpenAPI 3.x documents → [`ApiDoc`].

use super::json::{Json, deref};
use super::schema;
use super::{ApiDoc, Body, DocError, Operation, Parameter, Response, SpecVersion};

/// Methods in display order; anything else (TRACE, ANY) sorts after them.
const METHOD_ORDER: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
/// API Gateway's catch-all method key, shown as `ANY`.
const ANY_METHOD_KEY: &str = "x-amazon-apigateway-any-method";
const INTEGRATION_KEY: &str = "x-amazon-apigateway-integration";

pub(super) fn parse(text: &str) -> Result<ApiDoc, DocError> {
    parse_within(text, &std::sync::atomic::AtomicBool::new(false))
}

/// [`parse`], its operations built only until `stop` is set (the caller, who set it, drops
/// the half-built document).
pub(super) fn parse_within(text: &str, stop: &std::sync::atomic::AtomicBool) -> Result<ApiDoc, DocError> {
    let root = Json::parse(text).map_err(|e| match e.contains("recursion limit exceeded") {
        // serde_json's own limit, far above what real documents nest: said as what it is.
        true => DocError::TooDeep(MAX_NESTING),
        false => DocError::Json(e),
    })?;
    let spec = detect(&root).ok_or(DocError::UnknownFormat)?;
    Ok(build(&root, spec, stop))
}

/// How deep serde_json nests before it stops (its recursion limit).
const MAX_NESTING: usize = 128;

fn detect(root: &Json) -> Option<SpecVersion> {
    if root.str("openapi").is_some_and(|v| v.starts_with("3.1")) {
        Some(SpecVersion::OpenApi31)
    } else if root.get("openapi").is_some() {
        Some(SpecVersion::OpenApi3)
    } else if root.get("swagger").is_some() {
        Some(SpecVersion::Swagger2)
    } else {
        None
    }
}

fn build(root: &Json, spec: SpecVersion, stop: &std::sync::atomic::AtomicBool) -> ApiDoc {
    let info = root.field("info");
    // About two schema trees an operation (its body, a response): each gets its share.
    let operations: usize = root.field("paths").entries().iter().map(|(_, item)| item.entries().len()).sum();
    let cx = Cx { root, spec, budget: schema::Budget::for_trees(2 * operations), stop };
    ApiDoc {
        title: info.text("title").unwrap_or_else(|| "Untitled API".into()),
        version: info.text("version").unwrap_or_default(),
        spec,
        description: info.text("description"),
        servers: cx.servers(),
        security_schemes: cx.security_schemes(),
        operations: cx.operations(),
    }
}

/// Swagger 2.0: `{scheme}://{host}{basePath}` per scheme (https when none are given).
fn swagger_servers(root: &Json) -> Vec<String> {
    let base = root.str("basePath").map(str::trim).unwrap_or("");
    let base = if base == "/" { "" } else { base };
    let Some(host) = root.str("host").map(str::trim).filter(|h| !h.is_empty()) else {
        return if base.is_empty() { Vec::new() } else { vec![base.to_string()] };
    };
    let mut schemes = root.field("schemes").strings();
    if schemes.is_empty() {
        schemes.push("https".into());
    }
    schemes.iter().map(|s| format!("{s}://{host}{base}")).collect()
}

/// OpenAPI 3: a server URL with its `{variables}` replaced by their defaults.
fn server_url(server: &Json) -> Option<String> {
    let mut url = server.text("url")?;
    for (name, variable) in server.field("variables").entries() {
        // An empty default counts (API Gateway's `$default` stage: `/{basePath}` with "").
        if let Some(default) = variable.str("default") {
            url = url.replace(&format!("{{{name}}}"), default.trim());
        }
    }
    Some(url)
}

/// A short description of a security scheme: `apiKey in header x-api-key`.
fn scheme_summary(scheme: &Json) -> String {
    match scheme.str("type").unwrap_or("unknown") {
        "apiKey" => format!("apiKey in {} {}", scheme.str("in").unwrap_or("?"), scheme.str("name").unwrap_or("?")),
        "http" => http_scheme_summary(scheme),
        "oauth2" => oauth2_summary(scheme),
        "openIdConnect" => match scheme.text("openIdConnectUrl") {
            Some(url) => format!("openIdConnect {url}"),
            None => "openIdConnect".into(),
        },
        other => other.to_string(),
    }
}

fn http_scheme_summary(scheme: &Json) -> String {
    let mut text = format!("http {}", scheme.str("scheme").unwrap_or("?"));
    if let Some(format) = scheme.text("bearerFormat") {
        text.push_str(&format!(" ({format})"));
    }
    text
}

/// `oauth2 (implicit)`: the Swagger `flow` or the OpenAPI `flows` names.
fn oauth2_summary(scheme: &Json) -> String {
    let flows: Vec<String> = match scheme.text("flow") {
        Some(flow) => vec![flow],
        None => scheme.field("flows").entries().iter().map(|(k, _)| k.clone()).collect(),
    };
    if flows.is_empty() { "oauth2".into() } else { format!("oauth2 ({})", flows.join(", ")) }
}

fn method_name(key: &str) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    match lower.as_str() {
        "get" | "post" | "put" | "patch" | "delete" | "head" | "options" | "trace" => Some(lower.to_ascii_uppercase()),
        ANY_METHOD_KEY => Some("ANY".into()),
        _ => None,
    }
}

fn method_rank(method: &str) -> usize {
    METHOD_ORDER.iter().position(|m| *m == method).unwrap_or(METHOD_ORDER.len())
}

fn sort_operations(operations: &mut [Operation]) {
    operations.sort_by(|a, b| {
        a.path.cmp(&b.path).then(method_rank(&a.method).cmp(&method_rank(&b.method))).then(a.method.cmp(&b.method))
    });
}

/// Numeric codes first (ascending), then ranges like `4XX`, then `default`.
fn sort_responses(responses: &mut [Response]) {
    responses.sort_by_key(|r| (r.status.eq_ignore_ascii_case("default"), r.status.to_ascii_uppercase()));
}

fn same_parameter(a: &Json, b: &Json) -> bool {
    a.str("name") == b.str("name") && a.str("in") == b.str("in")
}

fn is_json(mime: &str) -> bool {
    mime.starts_with("application/json") || mime.ends_with("+json")
}

/// Swagger 2.0 `consumes`/`produces`: JSON when listed, otherwise the first one.
fn preferred_type(types: Vec<String>) -> Option<String> {
    let json = types.iter().position(|t| is_json(t)).unwrap_or(0);
    types.into_iter().nth(json)
}

/// OpenAPI 3 `content`: the JSON media type when offered, otherwise the first one.
fn preferred_media(content: &Json) -> Option<(&str, &Json)> {
    let entries = content.entries();
    entries
        .iter()
        .find(|(mime, _)| is_json(mime.as_str()))
        .or(entries.first())
        .map(|(mime, media)| (mime.as_str(), media))
}

/// Security requirements: each alternative as `name` or `name [scope, ...]`, with
/// schemes required together joined by ` + `.
fn requirements(list: &[Json]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for requirement in list {
        let text = requirement_text(requirement);
        if !text.is_empty() && !out.contains(&text) {
            out.push(text);
        }
    }
    out
}

fn requirement_text(requirement: &Json) -> String {
    let parts: Vec<String> = requirement
        .entries()
        .iter()
        .map(|(name, scopes)| match scopes.strings() {
            scopes if scopes.is_empty() => name.clone(),
            scopes => format!("{name} [{}]", scopes.join(", ")),
        })
        .collect();
    parts.join(" + ")
}

/// Walks the document with the root at hand for `$ref` resolution.
struct Cx<'a> {
    root: &'a Json,
    spec: SpecVersion,
    /// What the whole document may spend on expanding schemas (every tree takes its share).
    budget: schema::Budget,
    /// Set when nobody waits for the document any more.
    stop: &'a std::sync::atomic::AtomicBool,
}

impl<'a> Cx<'a> {
    fn servers(&self) -> Vec<String> {
        match self.spec {
            SpecVersion::Swagger2 => swagger_servers(self.root),
            SpecVersion::OpenApi3 | SpecVersion::OpenApi31 => {
                self.root.field("servers").elements().iter().filter_map(server_url).collect()
            }
        }
    }

    fn security_schemes(&self) -> Vec<(String, String)> {
        let schemes = match self.spec {
            SpecVersion::Swagger2 => self.root.field("securityDefinitions"),
            SpecVersion::OpenApi3 | SpecVersion::OpenApi31 => self.root.field("components").field("securitySchemes"),
        };
        schemes
            .entries()
            .iter()
            .map(|(name, scheme)| (name.clone(), scheme_summary(deref(self.root, scheme))))
            .collect()
    }

    fn operations(&self) -> Vec<Operation> {
        let mut operations = Vec::new();
        for (path, item) in self.root.field("paths").entries() {
            let item = deref(self.root, item);
            for (key, op) in item.entries() {
                if self.stop.load(std::sync::atomic::Ordering::Relaxed) {
                    return operations;
                }
                let Some(method) = method_name(key) else { continue };
                if op.is_object() {
                    operations.push(self.operation(path, method, item, op));
                }
            }
        }
        sort_operations(&mut operations);
        operations
    }

    fn operation(&self, path: &str, method: String, item: &'a Json, op: &'a Json) -> Operation {
        let params = self.merged_parameters(item, op);
        Operation {
            method,
            path: path.to_string(),
            operation_id: op.text("operationId"),
            summary: op.text("summary"),
            description: op.text("description"),
            tags: op.field("tags").strings(),
            parameters: params.iter().filter(|p| p.str("in") != Some("body")).map(|p| self.parameter(p)).collect(),
            request_body: self.request_body(op, &params),
            responses: self.responses(op),
            security: self.security(op),
            integration: op.field(INTEGRATION_KEY).text("type"),
            deprecated: op.flag("deprecated"),
        }
    }

    /// Path-level parameters, overridden (same name and location) or extended by the
    /// operation's own.
    fn merged_parameters(&self, item: &'a Json, op: &'a Json) -> Vec<&'a Json> {
        let mut merged: Vec<&'a Json> = Vec::new();
        let all = item.field("parameters").elements().iter().chain(op.field("parameters").elements());
        for raw in all {
            let param = deref(self.root, raw);
            if !param.is_object() {
                continue;
            }
            match merged.iter().position(|m| same_parameter(m, param)) {
                Some(i) => merged[i] = param,
                None => merged.push(param),
            }
        }
        merged
    }

    fn parameter(&self, param: &Json) -> Parameter {
        let location = param.text("in").unwrap_or_else(|| "query".into());
        Parameter {
            name: param.text("name").unwrap_or_else(|| "?".into()),
            required: param.flag("required") || location == "path",
            type_summary: self.parameter_type(param),
            description: param.text("description"),
            location,
        }
    }

    /// OpenAPI parameters carry a `schema` (or `content`); Swagger 2.0 ones describe
    /// their type inline (`type`, `format`, `items`, `enum`).
    fn parameter_type(&self, param: &Json) -> String {
        let schema = match param.get("schema") {
            Some(schema) => schema,
            None => match preferred_media(param.field("content")) {
                Some((_, media)) => media.field("schema"),
                None => param,
            },
        };
        schema::summary(self.root, schema)
    }

    fn request_body(&self, op: &Json, params: &[&Json]) -> Option<Body> {
        match self.spec {
            SpecVersion::Swagger2 => self.swagger_body(op, params),
            SpecVersion::OpenApi3 | SpecVersion::OpenApi31 => {
                op.get("requestBody").map(|b| self.openapi_body(deref(self.root, b)))
            }
        }
    }

    fn swagger_body(&self, op: &Json, params: &[&Json]) -> Option<Body> {
        let param = params.iter().find(|p| p.str("in") == Some("body"))?;
        let required = param.flag("required");
        Some(Body {
            content_type: preferred_type(self.media_types(op, "consumes")),
            required,
            schema: param.get("schema").map(|s| schema::tree(self.root, s, required, &self.budget)),
        })
    }

    fn openapi_body(&self, body: &Json) -> Body {
        let media = preferred_media(body.field("content"));
        let required = body.flag("required");
        Body {
            content_type: media.map(|(mime, _)| mime.to_string()),
            required,
            schema: media
                .and_then(|(_, m)| m.get("schema"))
                .map(|s| schema::tree(self.root, s, required, &self.budget)),
        }
    }

    /// Swagger 2.0 `consumes`/`produces`: the operation's list, else the document's.
    fn media_types(&self, op: &Json, key: &str) -> Vec<String> {
        op.get(key).or_else(|| self.root.get(key)).map(Json::strings).unwrap_or_default()
    }

    fn responses(&self, op: &Json) -> Vec<Response> {
        let mut responses: Vec<Response> = op
            .field("responses")
            .entries()
            .iter()
            .map(|(status, r)| self.response(op, status, deref(self.root, r)))
            .collect();
        sort_responses(&mut responses);
        responses
    }

    fn response(&self, op: &Json, status: &str, response: &Json) -> Response {
        let (content_type, schema) = match self.spec {
            SpecVersion::Swagger2 => self.swagger_response_content(op, response),
            SpecVersion::OpenApi3 | SpecVersion::OpenApi31 => openapi_response_content(response),
        };
        Response {
            status: status.to_string(),
            description: response.text("description"),
            content_type,
            schema: schema.map(|s| schema::tree(self.root, s, false, &self.budget)),
        }
    }

    fn swagger_response_content<'r>(&self, op: &Json, response: &'r Json) -> (Option<String>, Option<&'r Json>) {
        let schema = response.get("schema");
        let content_type = schema.and_then(|_| preferred_type(self.media_types(op, "produces")));
        (content_type, schema)
    }

    /// The operation's `security`, else the document's; `[]` means no authentication.
    fn security(&self, op: &Json) -> Vec<String> {
        let list = op.get("security").or_else(|| self.root.get("security"));
        requirements(list.map(Json::elements).unwrap_or_default())
    }
}

fn openapi_response_content(response: &Json) -> (Option<String>, Option<&Json>) {
    let media = preferred_media(response.field("content"));
    (media.map(|(mime, _)| mime.to_string()), media.and_then(|(_, m)| m.get("schema")))
}
