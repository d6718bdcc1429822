//! Schema objects → one-line type summaries and browsable [`SchemaNode`] trees.

use super::SchemaNode;
use super::json::{Json, ref_name, resolve};

/// Deepest property nesting expanded in a tree (the top node is depth 0).
pub(super) const MAX_DEPTH: usize = 8;
/// Upper bound on nodes built for one tree, so wide reference graphs stay cheap.
const MAX_NODES: usize = 2_000;
/// Longest chain of references expanded at once (alias chains do not add depth).
const MAX_REF_CHAIN: usize = 64;
/// Enum values listed in a type summary before eliding the rest.
const MAX_ENUM_VALUES: usize = 8;

/// A one-line type description: `string`, `integer (int32)`, `array<Pet>`, `Pet`...
pub(super) fn summary(root: &Json, schema: &Json) -> String {
    summarize(root, schema, 0)
}

fn summarize(root: &Json, schema: &Json, depth: usize) -> String {
    if depth > MAX_DEPTH {
        return "…".into();
    }
    if let Some(reference) = schema.str("$ref") {
        return ref_name(reference);
    }
    if let Some(composite) = composite_summary(root, schema, depth) {
        return composite;
    }
    match type_name(schema).as_deref() {
        Some("array") => format!("array<{}>", summarize(root, schema.field("items"), depth + 1)),
        Some("object") => object_summary(root, schema, depth),
        Some(base) => with_details(base, schema),
        None => "any".into(),
    }
}

/// `allOf` parts joined with `&`, `oneOf`/`anyOf` alternatives joined with `|`.
fn composite_summary(root: &Json, schema: &Json, depth: usize) -> Option<String> {
    let (parts, separator) = [("allOf", " & "), ("oneOf", " | "), ("anyOf", " | ")]
        .into_iter()
        .map(|(key, sep)| (schema.field(key).elements(), sep))
        .find(|(parts, _)| !parts.is_empty())?;
    let names: Vec<String> = parts.iter().map(|p| summarize(root, p, depth + 1)).collect();
    Some(names.join(separator))
}

/// The declared type, inferred from `properties`/`items` when missing.
fn type_name(schema: &Json) -> Option<String> {
    match schema.get("type") {
        Some(Json::String(t)) => Some(t.clone()),
        Some(Json::Array(types)) if !types.is_empty() => {
            Some(types.iter().map(Json::scalar_text).collect::<Vec<_>>().join(" | "))
        }
        _ if schema.get("properties").is_some() || schema.get("additionalProperties").is_some() => {
            Some("object".into())
        }
        _ if schema.get("items").is_some() => Some("array".into()),
        _ => None,
    }
}

/// `object`, or `map<string, T>` for a pure dictionary (`additionalProperties` schema).
fn object_summary(root: &Json, schema: &Json, depth: usize) -> String {
    let values = schema.field("additionalProperties");
    let has_properties = !schema.field("properties").entries().is_empty();
    if values.is_object() && !has_properties {
        return format!("map<string, {}>", summarize(root, values, depth + 1));
    }
    "object".into()
}

/// A primitive type with its format and enum values: `string (date-time)`.
fn with_details(base: &str, schema: &Json) -> String {
    let mut details = Vec::new();
    if let Some(format) = schema.str("format") {
        details.push(format.to_string());
    }
    if let Some(values) = enum_values(schema) {
        details.push(format!("enum: {values}"));
    }
    if details.is_empty() { base.to_string() } else { format!("{base} ({})", details.join(", ")) }
}

fn enum_values(schema: &Json) -> Option<String> {
    let values = schema.field("enum").elements();
    if values.is_empty() {
        return None;
    }
    let mut shown: Vec<String> = values.iter().take(MAX_ENUM_VALUES).map(Json::scalar_text).collect();
    if values.len() > MAX_ENUM_VALUES {
        shown.push("…".into());
    }
    Some(shown.join(" | "))
}

/// Builds the browsable tree of a schema. A top-level `$ref` names the node.
pub(super) fn tree(root: &Json, schema: &Json, required: bool) -> SchemaNode {
    let mut builder = Builder { root, stack: Vec::new(), budget: MAX_NODES };
    let name = schema.str("$ref").map(ref_name);
    builder.node(name, schema, required, 0)
}

struct Builder<'a> {
    root: &'a Json,
    /// References currently being expanded (the cycle guard).
    stack: Vec<&'a str>,
    budget: usize,
}

impl<'a> Builder<'a> {
    fn node(&mut self, name: Option<String>, schema: &'a Json, required: bool, depth: usize) -> SchemaNode {
        self.budget = self.budget.saturating_sub(1);
        let mut node = SchemaNode {
            name,
            type_summary: summary(self.root, schema),
            required,
            description: schema.text("description"),
            children: Vec::new(),
            cycle: false,
        };
        if depth < MAX_DEPTH && self.budget > 0 {
            self.expand(&mut node, schema, depth);
        }
        node
    }

    /// Adds the children of `schema` to `node`: its properties, merged `allOf` parts,
    /// array item properties and dictionary value properties.
    fn expand(&mut self, node: &mut SchemaNode, schema: &'a Json, depth: usize) {
        if let Some(reference) = schema.str("$ref") {
            return self.expand_ref(node, reference, depth);
        }
        self.add_properties(node, schema, depth);
        for part in schema.field("allOf").elements() {
            self.expand(node, part, depth);
        }
        if let Some(items) = schema.get("items") {
            self.expand(node, items, depth);
        }
        if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
            self.expand(node, values, depth);
        }
        mark_required(node, schema);
    }

    fn expand_ref(&mut self, node: &mut SchemaNode, reference: &'a str, depth: usize) {
        if self.stack.contains(&reference) {
            node.cycle = true;
            return;
        }
        if self.stack.len() >= MAX_REF_CHAIN {
            return;
        }
        let Some(target) = resolve(self.root, reference) else {
            return;
        };
        if node.description.is_none() {
            node.description = target.text("description");
        }
        self.stack.push(reference);
        self.expand(node, target, depth);
        self.stack.pop();
    }

    fn add_properties(&mut self, node: &mut SchemaNode, schema: &'a Json, depth: usize) {
        for (name, property) in schema.field("properties").entries() {
            let child = self.node(Some(name.clone()), property, false, depth + 1);
            merge_child(&mut node.children, child);
        }
    }
}

/// Adds a property, replacing an earlier one of the same name (later `allOf` parts refine).
fn merge_child(children: &mut Vec<SchemaNode>, child: SchemaNode) {
    match children.iter_mut().find(|c| c.name == child.name) {
        Some(existing) => *existing = child,
        None => children.push(child),
    }
}

/// Flags the children listed in the schema's `required` array.
fn mark_required(node: &mut SchemaNode, schema: &Json) {
    let names = schema.field("required").strings();
    for child in &mut node.children {
        if child.name.as_ref().is_some_and(|n| names.contains(n)) {
            child.required = true;
        }
    }
}
