//! A small order-preserving JSON value used to walk API definitions.
//!
//! `serde_json::Value` stores objects in a `BTreeMap` unless the `preserve_order`
//! feature is enabled, which would sort schema properties alphabetically. Documentation
//! should follow the order of the document, so objects here keep their key order.

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// How many `$ref` hops [`deref`] follows before giving up (guards against ref loops).
const MAX_REF_HOPS: usize = 8;

static NULL: Json = Json::Null;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Json {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    /// Parses JSON text; the error is serde_json's message.
    pub(super) fn parse(text: &str) -> Result<Json, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    pub(super) fn get(&self, key: &str) -> Option<&Json> {
        self.entries().iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value under `key`, or `Null` when absent (so lookups can be chained).
    pub(super) fn field(&self, key: &str) -> &Json {
        self.get(key).unwrap_or(&NULL)
    }

    /// Object entries in document order; empty for non-objects.
    pub(super) fn entries(&self) -> &[(String, Json)] {
        match self {
            Json::Object(entries) => entries,
            _ => &[],
        }
    }

    /// Array elements; empty for non-arrays.
    pub(super) fn elements(&self) -> &[Json] {
        match self {
            Json::Array(items) => items,
            _ => &[],
        }
    }

    pub(super) fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Json::as_str)
    }

    /// `true` only when `key` holds the boolean `true`.
    pub(super) fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some(Json::Bool(true)))
    }

    /// A trimmed, non-empty text for `key`; numbers and booleans are rendered as text.
    pub(super) fn text(&self, key: &str) -> Option<String> {
        let value = self.get(key)?;
        let text = match value {
            Json::String(s) => s.trim().to_string(),
            Json::Number(_) | Json::Bool(_) => value.scalar_text(),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    }

    /// A short textual form of a scalar (used for enum values and versions).
    pub(super) fn scalar_text(&self) -> String {
        match self {
            Json::Null => "null".into(),
            Json::Bool(b) => b.to_string(),
            Json::Number(n) => format_number(*n),
            Json::String(s) => s.clone(),
            Json::Array(_) | Json::Object(_) => "…".into(),
        }
    }

    /// String elements of an array (non-strings are skipped).
    pub(super) fn strings(&self) -> Vec<String> {
        self.elements().iter().filter_map(Json::as_str).map(str::to_string).collect()
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 { format!("{}", n as i64) } else { n.to_string() }
}

/// Resolves a local JSON pointer reference such as `#/definitions/Pet`.
pub(super) fn resolve<'a>(root: &'a Json, reference: &str) -> Option<&'a Json> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(root);
    }
    let pointer = pointer.strip_prefix('/')?;
    pointer.split('/').try_fold(root, |node, raw| step(node, &unescape(raw)))
}

fn step<'a>(node: &'a Json, key: &str) -> Option<&'a Json> {
    match node {
        Json::Array(items) => items.get(key.parse::<usize>().ok()?),
        _ => node.get(key),
    }
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The display name of a reference: its last pointer segment (`#/definitions/Pet` → `Pet`).
pub(super) fn ref_name(reference: &str) -> String {
    let last = reference.rsplit('/').next().unwrap_or(reference);
    let name = unescape(last);
    if name.is_empty() { reference.to_string() } else { name }
}

/// Follows `$ref` chains (parameters, request bodies, responses...) to the referenced
/// object. Stops at an unresolvable reference or after a few hops.
pub(super) fn deref<'a>(root: &'a Json, mut node: &'a Json) -> &'a Json {
    for _ in 0..MAX_REF_HOPS {
        match node.str("$ref").and_then(|r| resolve(root, r)) {
            Some(next) => node = next,
            None => break,
        }
    }
    node
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v as f64))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v as f64))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Number(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries: Vec<(String, Json)> = Vec::new();
        while let Some(entry) = map.next_entry::<String, Json>()? {
            entries.push(entry);
        }
        Ok(Json::Object(keep_last_duplicates(entries)))
    }
}

/// JSON objects with repeated keys keep the last value (as serde_json does), at the
/// position of that last occurrence.
fn keep_last_duplicates(entries: Vec<(String, Json)>) -> Vec<(String, Json)> {
    let last: HashMap<&str, usize> = entries.iter().enumerate().map(|(i, (k, _))| (k.as_str(), i)).collect();
    if last.len() == entries.len() {
        return entries;
    }
    let keep: Vec<bool> = entries.iter().enumerate().map(|(i, (k, _))| last[k.as_str()] == i).collect();
    entries.into_iter().zip(keep).filter(|(_, k)| *k).map(|(e, _)| e).collect()
}
