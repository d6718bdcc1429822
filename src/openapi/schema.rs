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
        return ref_summary(root, reference);
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

/// A reference by the name of what it points at; one that points at nothing in the document
/// (missing, or in another file, which is never fetched) says so with the reference.
fn ref_summary(root: &Json, reference: &str) -> String {
    match (reference.starts_with('#'), resolve(root, reference).is_some()) {
        (true, true) => ref_name(reference),
        (true, false) => format!("⚠ unresolved {reference}"),
        (false, _) => format!("⚠ external {reference} (not fetched)"),
    }
}

/// The composition of a schema: its parts and how they join (`allOf` with `&`, `oneOf`/`anyOf`
/// with `|`), when it has one.
fn composition(schema: &Json) -> Option<(&[Json], &'static str)> {
    [("allOf", " & "), ("oneOf", " | "), ("anyOf", " | ")]
        .into_iter()
        .map(|(key, sep)| (schema.field(key).elements(), sep))
        .find(|(parts, _)| !parts.is_empty())
}

/// `allOf` parts joined with `&`, `oneOf`/`anyOf` alternatives joined with `|`; a part that is a
/// composition of its own is put in parentheses, so nesting keeps its grouping.
fn composite_summary(root: &Json, schema: &Json, depth: usize) -> Option<String> {
    let (parts, separator) = composition(schema)?;
    let names: Vec<String> = parts
        .iter()
        .map(|p| {
            let text = summarize(root, p, depth + 1);
            let nested = p.get("$ref").is_none() && composition(p).is_some_and(|(inner, _)| inner.len() > 1);
            if nested && parts.len() > 1 { format!("({text})") } else { text }
        })
        .collect();
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

/// Builds the browsable tree of a schema. A top-level `$ref` names the node. `budget` is what
/// the whole document may still spend (nodes and merged parts, counted on every path); what is
/// left out for want of it, or past the depth limit, is said where it was cut.
pub(super) fn tree(root: &Json, schema: &Json, required: bool, budget: &Budget) -> SchemaNode {
    let mine = budget.left.get().min(budget.per_tree);
    let mut builder = Builder { root, stack: Vec::new(), budget: mine };
    let name = schema.str("$ref").filter(|r| resolve(root, r).is_some()).map(ref_name);
    let node = builder.node(name, schema, required, 0);
    budget.left.set(budget.left.get() - (mine - builder.budget));
    node
}

/// What a whole document may spend on its schema trees, shared fairly: each tree may take its
/// share of the whole (at least a floor, at most [`MAX_NODES`]), so a document of thousands of
/// operations shows every one of them, each as deep as its share allows and marked where cut.
#[derive(Debug)]
pub(super) struct Budget {
    left: std::cell::Cell<usize>,
    per_tree: usize,
}

/// Steps (nodes and merged parts) one document may take in all.
const DOCUMENT_BUDGET: usize = 600_000;
/// What every tree may take however many there are.
const TREE_FLOOR: usize = 64;

impl Budget {
    /// For a document of about `trees` schema trees.
    pub(super) fn for_trees(trees: usize) -> Budget {
        let per_tree = (DOCUMENT_BUDGET / trees.max(1)).clamp(TREE_FLOOR, MAX_NODES);
        Budget { left: std::cell::Cell::new(DOCUMENT_BUDGET), per_tree }
    }
}

struct Builder<'a> {
    root: &'a Json,
    /// References currently being expanded (the cycle guard).
    stack: Vec<&'a str>,
    /// Steps left: every node and every merged part costs one.
    budget: usize,
}

/// What the node was cut for.
fn cut_note(budget_spent: bool) -> String {
    if budget_spent {
        "… (truncated: the document is too large to expand whole here)".into()
    } else {
        format!("… (deeper than {MAX_DEPTH} levels: not shown)")
    }
}

/// Would expanding `schema` add anything (properties, parts, items, values, alternatives)?
fn expandable(root: &Json, schema: &Json) -> bool {
    let mut s = schema;
    for _ in 0..MAX_REF_CHAIN {
        match s.str("$ref").map(|r| resolve(root, r)) {
            Some(Some(target)) => s = target,
            Some(None) => return false,
            None => break,
        }
    }
    !s.field("properties").entries().is_empty()
        || composition(s).is_some()
        || s.get("items").is_some_and(|i| expandable(root, i))
        || s.get("additionalProperties").is_some_and(Json::is_object)
}

impl<'a> Builder<'a> {
    fn node(&mut self, name: Option<String>, schema: &'a Json, required: bool, depth: usize) -> SchemaNode {
        self.budget = self.budget.saturating_sub(1);
        let unresolved = schema.str("$ref").filter(|r| resolve(self.root, r).is_none()).map(str::to_string);
        let mut node = SchemaNode {
            name,
            type_summary: summary(self.root, schema),
            required,
            description: schema.text("description"),
            children: Vec::new(),
            cycle: false,
            cut: None,
            unresolved,
        };
        if depth < MAX_DEPTH && self.budget > 0 {
            // The parts merged into this node: a shared one (an allOf diamond) is merged once.
            let mut merged = std::collections::HashSet::new();
            self.expand(&mut node, schema, depth, &mut merged);
        } else if expandable(self.root, schema) {
            node.cut = Some(cut_note(self.budget == 0));
        }
        node
    }

    /// Adds the children of `schema` to `node`: its properties, merged `allOf` parts, array item
    /// properties, dictionary value properties, and `oneOf`/`anyOf` alternatives.
    fn expand(
        &mut self,
        node: &mut SchemaNode,
        schema: &'a Json,
        depth: usize,
        merged: &mut std::collections::HashSet<&'a str>,
    ) {
        if self.budget == 0 {
            node.cut.get_or_insert_with(|| cut_note(true));
            return;
        }
        self.budget -= 1;
        if let Some(reference) = schema.str("$ref") {
            return self.expand_ref(node, reference, depth, merged);
        }
        self.add_properties(node, schema, depth);
        for part in schema.field("allOf").elements() {
            self.expand(node, part, depth, merged);
        }
        if let Some(items) = schema.get("items") {
            self.expand(node, items, depth, merged);
        }
        if let Some(values) = schema.get("additionalProperties").filter(|v| v.is_object()) {
            self.expand(node, values, depth, merged);
        }
        self.add_alternatives(node, schema, depth);
        mark_required(node, schema);
    }

    fn expand_ref(
        &mut self,
        node: &mut SchemaNode,
        reference: &'a str,
        depth: usize,
        merged: &mut std::collections::HashSet<&'a str>,
    ) {
        if self.stack.contains(&reference) {
            node.cycle = true;
            return;
        }
        // Merged into this node already (by another path of a diamond): its properties are here.
        if !merged.insert(reference) || self.stack.len() >= MAX_REF_CHAIN {
            return;
        }
        let Some(target) = resolve(self.root, reference) else {
            return;
        };
        if node.description.is_none() {
            node.description = target.text("description");
        }
        self.stack.push(reference);
        self.expand(node, target, depth, merged);
        self.stack.pop();
    }

    fn add_properties(&mut self, node: &mut SchemaNode, schema: &'a Json, depth: usize) {
        let entries = schema.field("properties").entries();
        for (i, (name, property)) in entries.iter().enumerate() {
            if self.budget == 0 {
                node.cut = Some(format!("… (truncated: {} more properties)", entries.len() - i));
                return;
            }
            let child = self.node(Some(name.clone()), property, false, depth + 1);
            merge_child(&mut node.children, child);
        }
    }

    /// `oneOf`/`anyOf` alternatives, each a child of its own (`one of: Cat`, `one of: Dog`).
    fn add_alternatives(&mut self, node: &mut SchemaNode, schema: &'a Json, depth: usize) {
        for (key, label) in [("oneOf", "one of"), ("anyOf", "any of")] {
            for part in schema.field(key).elements() {
                if self.budget == 0 {
                    node.cut.get_or_insert_with(|| cut_note(true));
                    return;
                }
                let child = self.node(Some(label.to_string()), part, false, depth + 1);
                node.children.push(child);
            }
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
