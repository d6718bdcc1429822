//! A call's answer as rows: the status line, how it was sent, API Gateway's error plainly,
//! the headers (one foldable row), then the body: JSON as foldable lines (the audit record
//! viewer's), text as text, binary as its size and type, a body over the limit as the file it
//! went to and its start. With a jq filter, its outputs (or its error) stand in for the body.

use crate::tui::data::Called;
use crate::tui::loadable::Loadable;
use crate::tui::widgets::json::{JsonKind, JsonLine, json_line, json_lines, json_lines_many, visible_lines};
use ratatui::text::{Line, Span};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warn,
    Bad,
    Muted,
    Plain,
    Accent,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Text(String, Tone),
    /// The headers, folded into one row until opened.
    Headers,
    /// Line `n` of the JSON document.
    Json(usize),
}

/// Which rows fold, kept by the screen across rebuilds of the same answer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Folds {
    pub headers_open: bool,
    pub json: BTreeSet<usize>,
}

#[derive(Debug, Default)]
pub struct Answer {
    pub rows: Vec<Row>,
    pub doc: Vec<JsonLine>,
    pub headers: Vec<(String, String)>,
}

/// What `/` matches a row against.
pub fn row_text(a: &Answer, row: &Row) -> String {
    match row {
        Row::Text(t, _) => t.clone(),
        Row::Headers => a.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(" "),
        Row::Json(i) => a.doc[*i].text(),
    }
}

/// API Gateway's own error: `x-amzn-ErrorType` and the body's `message`, on 401, 403 and 429
/// (and any other status that carries the header).
fn gateway_error(c: &Called) -> Option<String> {
    let r = &c.response;
    let kind = r.header("x-amzn-ErrorType").map(|k| k.split(':').next().unwrap_or(k).to_string());
    if kind.is_none() && !matches!(r.status, 401 | 403 | 429) {
        return None;
    }
    let message = serde_json::from_slice::<serde_json::Value>(&r.body)
        .ok()
        .and_then(|v| v.get("message").or_else(|| v.get("Message")).and_then(|m| m.as_str().map(str::to_string)));
    match (kind, r.status) {
        (Some(k), _) => Some(format!("API Gateway: {k}{}", message.map(|m| format!(": {m}")).unwrap_or_default())),
        (None, 401 | 403 | 429) => message.map(|m| format!("API Gateway: {m}")),
        _ => None,
    }
}

/// The rows of `c`, with `jq`'s outputs (and its filter) in place of the body when there are any.
/// `parsed` is the JSON document of an earlier build of the same answer (a fold or a filter
/// changed): it is not parsed again.
pub fn build(
    c: &Called,
    method: &str,
    jq: Option<(&str, &Loadable<Vec<String>>)>,
    folds: &Folds,
    parsed: Option<Vec<JsonLine>>,
) -> Answer {
    let r = &c.response;
    let tone = match r.status / 100 {
        2 => Tone::Good,
        3 => Tone::Warn,
        _ => Tone::Bad,
    };
    let mut rows = vec![
        Row::Text(
            format!("HTTP {}  {} ms (first byte {} ms)  {} bytes", r.status, r.time_ms, r.first_byte_ms, c.body_size),
            tone,
        ),
        Row::Text(format!("{method} {}  ({})", c.url, c.operation), Tone::Muted),
    ];
    if !c.said.is_empty() {
        rows.push(Row::Text(format!("auth: {}", c.said.join(", ")), Tone::Muted));
    }
    if let Some(e) = gateway_error(c) {
        rows.push(Row::Text(e, Tone::Bad));
    }
    rows.push(Row::Headers);
    if folds.headers_open {
        rows.extend(r.headers.iter().map(|(k, v)| Row::Text(format!("  {k}: {v}"), Tone::Muted)));
    }
    rows.push(Row::Text(String::new(), Tone::Plain));
    let mut doc = Vec::new();
    match jq {
        Some((filter, outputs)) => {
            let what = match outputs {
                Loadable::Loaded(o) => {
                    format!("jq {filter}  ({} output{})", o.len(), if o.len() == 1 { "" } else { "s" })
                }
                Loadable::Failed(_) => format!("jq {filter}"),
                _ => format!("jq {filter}  (running)"),
            };
            rows.push(Row::Text(what, Tone::Accent));
            match (outputs, parsed) {
                (Loadable::Loaded(_), Some(p)) => doc = p,
                (Loadable::Loaded(o), None) => {
                    let values: Vec<serde_json::Value> = o
                        .iter()
                        .map(|t| serde_json::from_str(t).unwrap_or(serde_json::Value::String(t.clone())))
                        .collect();
                    doc = json_lines_many(values.iter());
                }
                (Loadable::Failed(e), _) => rows.push(Row::Text(format!("jq error: {e}"), Tone::Bad)),
                _ => {}
            }
        }
        None => match parsed {
            Some(p) => doc = p,
            None => body_rows(c, &mut rows, &mut doc),
        },
    }
    if !doc.is_empty() {
        rows.extend(visible_lines(&doc, &folds.json).into_iter().map(Row::Json));
    }
    Answer { rows, doc, headers: r.headers.clone() }
}

fn body_rows(c: &Called, rows: &mut Vec<Row>, doc: &mut Vec<JsonLine>) {
    let r = &c.response;
    let content_type = r.header("content-type").unwrap_or("").to_ascii_lowercase();
    if let Some(path) = &c.body_file {
        rows.push(Row::Text(
            format!(
                "the body ({} bytes) is over the size limit: whole in {}; its first {} bytes:",
                c.body_size,
                path.display(),
                r.body.len()
            ),
            Tone::Warn,
        ));
        let start = String::from_utf8_lossy(&r.body);
        rows.extend(start.lines().map(|l| Row::Text(l.to_string(), Tone::Plain)));
        return;
    }
    if r.body.is_empty() {
        rows.push(Row::Text("(no body)".into(), Tone::Muted));
        return;
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&r.body) {
        *doc = json_lines(&v);
        return;
    }
    let binary = content_type.starts_with("image/")
        || content_type.starts_with("application/octet-stream")
        || content_type.starts_with("application/pdf");
    match std::str::from_utf8(&r.body) {
        Ok(text) if !binary => rows.extend(text.lines().map(|l| Row::Text(l.to_string(), Tone::Plain))),
        _ => {
            let kind = if content_type.is_empty() { "binary data".to_string() } else { content_type };
            rows.push(Row::Text(
                format!("({} bytes of {kind}; `portcullis call --output body` writes them)", r.body.len()),
                Tone::Muted,
            ));
        }
    }
}

/// Row `row` drawn.
pub fn line<'a>(a: &Answer, row: &Row, folds: &Folds, s: &crate::tui::theme::Styles) -> Line<'a> {
    use crate::sanitize::for_terminal;
    match row {
        Row::Text(t, tone) => {
            let style = match tone {
                Tone::Good => s.success,
                Tone::Warn => s.warning,
                Tone::Bad => s.error,
                Tone::Muted => s.muted,
                Tone::Plain => s.text,
                Tone::Accent => s.accent,
            };
            Line::from(Span::styled(for_terminal(t).into_owned(), style))
        }
        Row::Headers => {
            let (mark, hint) = if folds.headers_open { ("▾", "") } else { ("▸", " (space shows them)") };
            Line::from(vec![
                Span::styled(format!("{mark} headers ({})", a.headers.len()), s.accent),
                Span::styled(hint.to_string(), s.muted),
            ])
        }
        Row::Json(i) => json_line(&a.doc, *i, folds.json.contains(i), s),
    }
}

/// Fold or unfold what row `row` is (the headers, a JSON container); true if it did.
pub fn toggle(a: &Answer, row: &Row, folds: &mut Folds) -> bool {
    match row {
        Row::Headers => folds.headers_open = !folds.headers_open,
        Row::Json(i) if matches!(a.doc[*i].kind, JsonKind::Open { children, .. } if children > 0) => {
            if !folds.json.remove(i) {
                folds.json.insert(*i);
            }
        }
        _ => return false,
    }
    true
}
