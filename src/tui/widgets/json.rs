//! A JSON document as foldable lines (the audit event detail): one line per scalar, per
//! opening and per closing bracket; a folded container shows as one line.

use crate::sanitize::one_line;
use ratatui::text::{Line, Span};
use serde_json::Value;
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(String),
    Num(String),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JsonKind {
    Scalar(Scalar),
    /// `{` or `[`, with how many entries it holds and the index of its closing line.
    Open {
        bracket: char,
        children: usize,
        close: usize,
    },
    Close(char),
}

#[derive(Debug, Clone, PartialEq)]
pub struct JsonLine {
    pub depth: usize,
    pub key: Option<String>,
    pub kind: JsonKind,
    /// A comma follows (not the last entry of its container).
    pub comma: bool,
}

impl JsonLine {
    /// What `/` matches against.
    pub fn text(&self) -> String {
        let value = match &self.kind {
            JsonKind::Scalar(Scalar::Str(s) | Scalar::Num(s)) => s.clone(),
            JsonKind::Scalar(Scalar::Bool(b)) => b.to_string(),
            JsonKind::Scalar(Scalar::Null) => "null".into(),
            _ => String::new(),
        };
        format!("{} {value}", self.key.as_deref().unwrap_or(""))
    }
}

/// Every line of `v`, pretty-printed in its own key order.
pub fn json_lines(v: &Value) -> Vec<JsonLine> {
    let mut out = Vec::new();
    push(&mut out, v, None, 0, false);
    out
}

fn push(out: &mut Vec<JsonLine>, v: &Value, key: Option<String>, depth: usize, comma: bool) {
    let scalar = |s| JsonKind::Scalar(s);
    let (bracket, entries): (char, Vec<(Option<String>, &Value)>) = match v {
        Value::Object(m) => ('{', m.iter().map(|(k, x)| (Some(k.clone()), x)).collect()),
        Value::Array(a) => ('[', a.iter().map(|x| (None, x)).collect()),
        Value::String(s) => return out.push(JsonLine { depth, key, kind: scalar(Scalar::Str(s.clone())), comma }),
        Value::Number(n) => return out.push(JsonLine { depth, key, kind: scalar(Scalar::Num(n.to_string())), comma }),
        Value::Bool(b) => return out.push(JsonLine { depth, key, kind: scalar(Scalar::Bool(*b)), comma }),
        Value::Null => return out.push(JsonLine { depth, key, kind: scalar(Scalar::Null), comma }),
    };
    let open = out.len();
    let children = entries.len();
    if children == 0 {
        // `{}` and `[]` are one line.
        return out.push(JsonLine { depth, key, kind: JsonKind::Open { bracket, children, close: open }, comma });
    }
    out.push(JsonLine { depth, key, kind: JsonKind::Open { bracket, children, close: 0 }, comma: false });
    for (i, (k, x)) in entries.into_iter().enumerate() {
        push(out, x, k, depth + 1, i + 1 < children);
    }
    let close = out.len();
    out.push(JsonLine { depth, key: None, kind: JsonKind::Close(if bracket == '{' { '}' } else { ']' }), comma });
    if let JsonKind::Open { close: c, .. } = &mut out[open].kind {
        *c = close;
    }
}

/// The lines of several documents one after another (jq's outputs), each container's closing
/// index counted in the whole.
pub fn json_lines_many<'a>(values: impl IntoIterator<Item = &'a Value>) -> Vec<JsonLine> {
    let mut out = Vec::new();
    for v in values {
        let offset = out.len();
        out.extend(json_lines(v).into_iter().map(|mut l| {
            if let JsonKind::Open { close, .. } = &mut l.kind {
                *close += offset;
            }
            l
        }));
    }
    out
}

/// Containers folded when the detail opens: everything nested two levels down (the record's
/// own sections stay open, their insides are one line each until opened).
pub fn default_folds(lines: &[JsonLine]) -> BTreeSet<usize> {
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.depth >= 2 && matches!(l.kind, JsonKind::Open { children, .. } if children > 0))
        .map(|(i, _)| i)
        .collect()
}

/// Indices of the lines shown with `folded` containers collapsed.
pub fn visible_lines(lines: &[JsonLine], folded: &BTreeSet<usize>) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        out.push(i);
        i = match lines[i].kind {
            JsonKind::Open { close, .. } if folded.contains(&i) => close + 1,
            _ => i + 1,
        };
    }
    out
}

/// Line `at` of `doc`, highlighted (a folded container as `{ … 3 keys }`).
pub fn json_line<'a>(doc: &[JsonLine], at: usize, folded: bool, s: &crate::tui::theme::Styles) -> Line<'a> {
    let l = &doc[at];
    let mut spans = vec![Span::raw("  ".repeat(l.depth))];
    if let Some(k) = &l.key {
        spans.push(Span::styled(format!("\"{}\"", one_line(k, 80)), s.json_key));
        spans.push(Span::styled(": ", s.muted));
    }
    let comma = if l.comma { "," } else { "" };
    match &l.kind {
        JsonKind::Scalar(v) => {
            let (text, style) = match v {
                Scalar::Str(x) => (format!("\"{}\"", one_line(x, 400)), s.json_string),
                Scalar::Num(n) => (n.clone(), s.json_number),
                Scalar::Bool(b) => (b.to_string(), s.json_bool),
                Scalar::Null => ("null".into(), s.json_null),
            };
            spans.push(Span::styled(text, style));
            spans.push(Span::styled(comma.to_string(), s.muted));
        }
        JsonKind::Open { bracket, children, close } => {
            let end = if *bracket == '{' { '}' } else { ']' };
            let what = match (*bracket, *children) {
                ('{', 1) => "key",
                ('{', _) => "keys",
                (_, 1) => "item",
                _ => "items",
            };
            let after = if doc[*close].comma { "," } else { "" };
            match (*children, folded) {
                (0, _) => spans.push(Span::styled(format!("{bracket}{end}{comma}"), s.muted)),
                (n, true) => {
                    spans.push(Span::styled(bracket.to_string(), s.muted));
                    spans.push(Span::styled(format!(" … {n} {what} "), s.accent));
                    spans.push(Span::styled(format!("{end}{after}"), s.muted));
                }
                _ => spans.push(Span::styled(bracket.to_string(), s.muted)),
            }
        }
        JsonKind::Close(c) => spans.push(Span::styled(format!("{c}{comma}"), s.muted)),
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fold_and_keep_key_order() {
        let v: Value = serde_json::from_str(r#"{"b":1,"a":{"x":{"y":[1,2]},"z":null},"c":[]}"#).unwrap();
        let lines = json_lines(&v);
        let keys: Vec<Option<&str>> = lines.iter().map(|l| l.key.as_deref()).collect();
        assert_eq!(keys[..4], [None, Some("b"), Some("a"), Some("x")], "document order, not sorted");
        assert_eq!(lines.len(), 13, "the empty array is one line");
        let folds = default_folds(&lines);
        assert_eq!(folds, BTreeSet::from([3, 4]), "x and y (depth 2, 3) fold; the empty array does not");
        let shown = visible_lines(&lines, &folds);
        assert_eq!(shown.len(), 13 - 5, "x's four inner lines and its close are hidden");
        assert_eq!(visible_lines(&lines, &BTreeSet::new()).len(), 13);
        assert!(lines[1].comma && lines[10].comma && !lines[11].comma && !lines[12].comma);
        let two = json_lines_many([&v, &v]);
        assert_eq!(two.len(), 26);
        assert!(matches!(two[13 + 2].kind, JsonKind::Open { close, .. } if close == 13 + 10), "{:?}", two[15]);
        assert_eq!(visible_lines(&two, &BTreeSet::from([13 + 2])).len(), 26 - 8);
    }
}
