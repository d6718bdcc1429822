//! [`ApiDoc`] → plain text lines for the TUI.

use super::{ApiDoc, Body, DocLine, LineKind, Operation, Parameter, Response, SchemaNode};

/// The whole document as lines: title, version and spec, description, servers and
/// security schemes, then each operation (preceded by an empty line):
///
/// ```text
/// GET /pets  listPets — List pets                      (Operation, indent 0)
///   tags: pets · security: api_key · integration: aws_proxy   (Muted, 1)
///   description lines                                  (Text, 1)
///   Parameters                                         (Label, 1)
///     limit (query, required) integer (int32) — How many    (Field, 2)
///   Request body (application/json, required)          (Label, 1)
///     Pet — a pet                                      (Field, 2: the top schema)
///       id: integer (int64) * — identifier             (Field, 3+: properties)
///       parent: ↻ Pet                                  (cycle)
///   Responses                                          (Label, 1)
///     200 (application/json) — OK                      (Field, 2)
///       array<Pet>                                     (Field, 3, then properties)
/// ```
pub fn render_lines(doc: &ApiDoc) -> Vec<DocLine> {
    render_lines_within(doc, &std::sync::atomic::AtomicBool::new(false)).unwrap_or_default()
}

/// [`render_lines`], stopping (`None`) as soon as `stop` is set: checked at every operation.
pub fn render_lines_within(doc: &ApiDoc, stop: &std::sync::atomic::AtomicBool) -> Option<Vec<DocLine>> {
    let mut out = Lines::default();
    header(&mut out, doc);
    for op in &doc.operations {
        if stop.load(std::sync::atomic::Ordering::Relaxed) {
            return None;
        }
        operation(&mut out, op);
    }
    Some(out.0)
}

/// One entry per operation for an index list: `GET    /pets  listPets` (the method
/// padded to 6 columns; the summary stands in when there is no operationId).
pub fn operation_index(doc: &ApiDoc) -> Vec<String> {
    doc.operations.iter().map(index_entry).collect()
}

fn index_entry(op: &Operation) -> String {
    let mut text = format!("{:<6} {}", op.method, op.path);
    if let Some(label) = op.operation_id.as_ref().or(op.summary.as_ref()) {
        text.push_str("  ");
        text.push_str(&one_line(label));
    }
    text
}

#[derive(Default)]
struct Lines(Vec<DocLine>);

impl Lines {
    fn push(&mut self, indent: u16, kind: LineKind, text: impl Into<String>) {
        self.0.push(DocLine { indent, kind, text: text.into() });
    }

    /// Multi-line text, one `Text` line per source line.
    fn paragraph(&mut self, indent: u16, text: &str) {
        for line in text.lines() {
            self.push(indent, LineKind::Text, line.trim_end());
        }
    }
}

fn header(out: &mut Lines, doc: &ApiDoc) {
    out.push(0, LineKind::Title, doc.title.clone());
    out.push(0, LineKind::Muted, version_line(doc));
    if let Some(description) = &doc.description {
        out.paragraph(0, description);
    }
    if !doc.servers.is_empty() {
        out.push(0, LineKind::Heading, "Servers");
        for server in &doc.servers {
            out.push(1, LineKind::Field, server.clone());
        }
    }
    if !doc.security_schemes.is_empty() {
        out.push(0, LineKind::Heading, "Security schemes");
        for (name, summary) in &doc.security_schemes {
            out.push(1, LineKind::Field, format!("{name} — {summary}"));
        }
    }
    if doc.operations.is_empty() {
        out.push(0, LineKind::Muted, "No operations defined.");
    }
}

fn version_line(doc: &ApiDoc) -> String {
    if doc.version.is_empty() {
        doc.spec.label().to_string()
    } else {
        format!("version {} · {}", doc.version, doc.spec.label())
    }
}

fn operation(out: &mut Lines, op: &Operation) {
    out.push(0, LineKind::Text, "");
    out.push(0, LineKind::Operation, operation_title(op));
    if let Some(meta) = operation_meta(op) {
        out.push(1, LineKind::Muted, meta);
    }
    if let Some(description) = &op.description {
        out.paragraph(1, description);
    }
    parameters(out, &op.parameters);
    if let Some(body) = &op.request_body {
        request_body(out, body);
    }
    responses(out, &op.responses);
}

fn operation_title(op: &Operation) -> String {
    let mut text = format!("{} {}", op.method, op.path);
    if let Some(id) = &op.operation_id {
        text.push_str("  ");
        text.push_str(id);
    }
    with_description(text, op.summary.as_deref())
}

/// "tags: a, b · security: x · integration: aws_proxy · deprecated", if any apply.
fn operation_meta(op: &Operation) -> Option<String> {
    let mut parts = Vec::new();
    if !op.tags.is_empty() {
        parts.push(format!("tags: {}", op.tags.join(", ")));
    }
    if !op.security.is_empty() {
        parts.push(format!("security: {}", op.security.join(", ")));
    }
    if let Some(integration) = &op.integration {
        parts.push(format!("integration: {integration}"));
    }
    if op.deprecated {
        parts.push("deprecated".to_string());
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

fn parameters(out: &mut Lines, parameters: &[Parameter]) {
    if parameters.is_empty() {
        return;
    }
    out.push(1, LineKind::Label, "Parameters");
    for param in parameters {
        out.push(2, LineKind::Field, parameter_text(param));
    }
}

fn parameter_text(param: &Parameter) -> String {
    let required = if param.required { ", required" } else { "" };
    let text = format!("{} ({}{required}) {}", param.name, param.location, param.type_summary);
    with_description(text, param.description.as_deref())
}

fn request_body(out: &mut Lines, body: &Body) {
    let label = match (&body.content_type, body.required) {
        (Some(mime), true) => format!("Request body ({mime}, required)"),
        (Some(mime), false) => format!("Request body ({mime})"),
        (None, true) => "Request body (required)".to_string(),
        (None, false) => "Request body".to_string(),
    };
    out.push(1, LineKind::Label, label);
    if let Some(schema) = &body.schema {
        schema_tree(out, schema, 2);
    }
}

fn responses(out: &mut Lines, responses: &[Response]) {
    if responses.is_empty() {
        return;
    }
    out.push(1, LineKind::Label, "Responses");
    for response in responses {
        out.push(2, LineKind::Field, response_text(response));
        if let Some(schema) = &response.schema {
            schema_tree(out, schema, 3);
        }
    }
}

fn response_text(response: &Response) -> String {
    let text = match &response.content_type {
        Some(mime) => format!("{} ({mime})", response.status),
        None => response.status.clone(),
    };
    with_description(text, response.description.as_deref())
}

/// The top node as its type, then one line per property, indented by depth.
fn schema_tree(out: &mut Lines, node: &SchemaNode, indent: u16) {
    out.push(indent, LineKind::Field, with_description(type_text(node), node.description.as_deref()));
    properties(out, node, indent + 1);
}

fn properties(out: &mut Lines, node: &SchemaNode, indent: u16) {
    for child in &node.children {
        out.push(indent, LineKind::Field, property_text(child));
        properties(out, child, indent.saturating_add(1));
    }
    // What was left out here, said where it was cut.
    if let Some(cut) = &node.cut {
        out.push(indent, LineKind::Muted, cut.clone());
    }
}

/// "name: type *" (* when required), then " — description".
fn property_text(node: &SchemaNode) -> String {
    let mut text = format!("{}: {}", node.name.as_deref().unwrap_or("?"), type_text(node));
    if node.required {
        text.push_str(" *");
    }
    with_description(text, node.description.as_deref())
}

fn type_text(node: &SchemaNode) -> String {
    if node.cycle { format!("↻ {}", node.type_summary) } else { node.type_summary.clone() }
}

fn with_description(text: String, description: Option<&str>) -> String {
    match description {
        Some(d) if !d.trim().is_empty() => format!("{text} — {}", one_line(d)),
        _ => text,
    }
}

/// Collapses whitespace (including newlines) so a description fits on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
