//! The API's exported OpenAPI/Swagger document as browsable docs, one stage's export.

use super::api::Reload;
use super::{Nav, Paint, Screen, Shared};
use crate::openapi::{DocLine, LineKind};
use crate::sanitize::for_terminal;
use crate::tui::action::{Action, Context};
use crate::tui::command::{Command, Slot};
use crate::tui::loadable::Loadable;
use crate::tui::store::{ApiRef, Store};
use crate::tui::widgets::list::{FilterList, ListView};
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

/// Load one stage's export.
pub fn load_docs(api_ref: &ApiRef, stage: &str, reload: Reload, sh: &mut Shared) {
    let Some(api) = sh.store.api(api_ref).cloned() else { return };
    let key = (api_ref.clone(), stage.to_string());
    let present = sh.store.catalog.docs.get(&key).is_some_and(|l| l.loaded().is_some() || l.is_loading());
    if present && reload == Reload::IfMissing {
        return;
    }
    let job = super::catalog::jobs::LoadDocs { api: Box::new(api), stage: stage.to_string() };
    let request = crate::tui::jobs::start(sh, job);
    sh.store.catalog.docs.insert(key, Loadable::Loading { request });
}

/// One row on screen: a line of the document, or a part of a long one wrapped to the width
/// (its byte range in the line's text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DocRow {
    line: usize,
    start: usize,
    end: usize,
}

#[derive(Debug)]
pub struct DocsScreen {
    pub api: ApiRef,
    pub stage: String,
    pub list: FilterList,
    /// The rows, long lines wrapped; built for this (docs generation, width).
    rows: Vec<DocRow>,
    built: Option<u64>,
}

/// Wrap `lines` to `width` columns: a long text line goes on over as many rows as it needs,
/// broken at spaces where it can be (operations and short lines stay one row each).
fn wrap(lines: &[DocLine], width: u16) -> Vec<DocRow> {
    use unicode_width::UnicodeWidthChar;
    let mut rows = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        let room = usize::from(width).saturating_sub(2 * usize::from(l.indent)).max(20);
        if l.kind == LineKind::Operation || unicode_width::UnicodeWidthStr::width(l.text.as_str()) <= room {
            rows.push(DocRow { line: i, start: 0, end: l.text.len() });
            continue;
        }
        let (mut start, mut used, mut space) = (0, 0, None);
        for (at, c) in l.text.char_indices() {
            let w = c.width().unwrap_or(0);
            if used + w > room && at > start {
                // Break after the last space in the row, else right here.
                let end = space.filter(|&sp| sp > start).unwrap_or(at);
                rows.push(DocRow { line: i, start, end });
                start = if l.text[end..].starts_with(' ') { end + 1 } else { end };
                used = unicode_width::UnicodeWidthStr::width(&l.text[start..at]);
                space = None;
            }
            if c == ' ' {
                space = Some(at);
            }
            used += w;
        }
        rows.push(DocRow { line: i, start, end: l.text.len() });
    }
    rows
}

impl DocsScreen {
    /// The docs of the API's stage number `stage` (the export comes from a stage), or why not.
    pub fn open_first(api: &ApiRef, stage: usize, sh: &mut Shared) -> Nav {
        let name = sh.store.api(api).and_then(|a| a.stages.get(stage)).map(|s| s.name.clone());
        let Some(stage) = name else {
            sh.error("this API has no deployed stage: its documentation is exported from a stage");
            return Nav::Stay;
        };
        load_docs(api, &stage, Reload::IfMissing, sh);
        let mut screen =
            DocsScreen { api: api.clone(), stage, list: FilterList::in_order(), rows: vec![], built: None };
        screen.sync(sh);
        Nav::Push(Box::new(screen))
    }

    /// `t`: the operation the selected line belongs to (its title line or one under it), tried.
    fn try_it(&self, sh: &mut Shared) -> Nav {
        let lines = self.lines(&sh.store);
        let Some(row) = self.list.indices().nth(self.list.view.selected) else { return Nav::Stay };
        let Some(at) = self.rows.get(row).map(|r| r.line) else { return Nav::Stay };
        // The lines may be reloading (ctrl-r) while the list still has its rows.
        let Some(upto) = lines.get(..=at) else { return Nav::Stay };
        let op = upto.iter().rev().find(|l| l.kind == LineKind::Operation).and_then(|l| {
            let mut words = l.text.split_whitespace();
            Some((words.next()?.to_ascii_uppercase(), words.next()?.to_string()))
        });
        match op {
            Some((method, path)) => {
                let method = if method == "ANY" { "GET".to_string() } else { method };
                Nav::Go(super::Target::Try { api: self.api.clone(), stage: self.stage.clone(), method, path })
            }
            None => {
                sh.error("no operation here: t on an operation (or a line under it) tries it");
                Nav::Stay
            }
        }
    }

    fn lines<'a>(&self, store: &'a Store) -> &'a [DocLine] {
        store.doc(&self.api, &self.stage).and_then(Loadable::loaded).map(Vec::as_slice).unwrap_or_default()
    }
}

impl Screen for DocsScreen {
    fn title(&self) -> String {
        "docs".into()
    }

    fn context(&self) -> Context {
        Context::Docs
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if self.list.apply(action) {
            return Nav::Stay;
        }
        match action {
            Action::Refresh => load_docs(&self.api, &self.stage, Reload::Always, sh),
            Action::Try => return self.try_it(sh),
            _ => return Nav::Unused,
        }
        Nav::Stay
    }

    fn sync(&mut self, sh: &mut Shared) -> Nav {
        if sh.store.doc(&self.api, &self.stage).is_none() {
            load_docs(&self.api, &self.stage, Reload::IfMissing, sh);
        }
        let lines = self.lines(&sh.store);
        // Wrapped to the terminal's width (the panel's borders aside); unknown: not wrapped.
        let width = match sh.width {
            0 => u16::MAX,
            w => w.saturating_sub(2),
        };
        let generation = (sh.store.generations.docs << 16) | u64::from(width);
        if self.built != Some(generation) {
            self.rows = wrap(lines, width);
            self.built = Some(generation);
        }
        let rows = &self.rows;
        let text = |r: &DocRow| lines.get(r.line).map(|l| l.text[r.start..r.end].to_string()).unwrap_or_default();
        self.list.sync(generation, || rows.iter().map(text).collect());
        Nav::Stay
    }

    fn list(&mut self) -> Option<&mut ListView> {
        Some(&mut self.list.view)
    }

    fn filter(&self) -> Option<&str> {
        Some(&self.list.view.filter)
    }

    fn filtered(&mut self, sh: &mut Shared) {
        self.list.refilter(sh.wake.as_ref());
    }

    fn selected_resource(&self, _store: &Store) -> Option<(String, String)> {
        Some((self.api.id.clone(), String::new()))
    }

    fn leave(&mut self, sh: &mut Shared) {
        let key = (self.api.clone(), self.stage.clone());
        if sh.store.catalog.docs.get(&key).is_some_and(Loadable::is_loading) {
            sh.store.catalog.docs.remove(&key);
            sh.outbox.push(Command::Cancel(Slot::Docs(self.api.clone(), self.stage.clone())));
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let name = p.store.api(&self.api).map(|a| a.name.clone()).unwrap_or_default();
        let view = &self.list.view;
        let filter = if view.filter.is_empty() { String::new() } else { format!(" /{}", view.filter) };
        let loadable = p.store.doc(&self.api, &self.stage).unwrap_or(&Loadable::NotLoaded);
        let cached = crate::tui::screens::catalog::cache::note(loadable);
        let (name, stage, filter) = (for_terminal(&name), for_terminal(&self.stage), for_terminal(&filter));
        let title = format!(" docs: {name} ({stage}){filter}{cached} ");
        if let Some(ph) = placeholder(loadable, "the API definition", p) {
            frame.render_widget(ph.block(panel(title, s, true)), area);
            return;
        }
        let lines = self.lines(p.store);
        let shown: Vec<usize> = self.list.indices().collect();
        let table = VirtualTable {
            header: None,
            widths: vec![Constraint::Fill(1)],
            block: panel(title, s, true),
            focused: true,
        };
        table.render(frame, area, view, shown.len(), s, |i| {
            let line = self.rows.get(shown[i]).and_then(|r| {
                let l = lines.get(r.line)?;
                Some(DocLine { text: l.text[r.start..r.end].to_string(), ..l.clone() })
            });
            Row::new([Cell::from(line.map(|l| doc_line(&l, s)).unwrap_or_default())])
        });
    }
}

fn style(kind: LineKind, s: &crate::tui::theme::Styles) -> Style {
    match kind {
        LineKind::Title => s.title,
        LineKind::Heading => s.accent,
        LineKind::Operation => s.method_get,
        LineKind::Label => s.header_key,
        LineKind::Field => s.json_key,
        LineKind::Text => s.text,
        LineKind::Muted => s.muted,
    }
}

fn doc_line<'a>(l: &DocLine, s: &crate::tui::theme::Styles) -> Line<'a> {
    let indent = "  ".repeat(l.indent as usize);
    let text = for_terminal(&l.text).into_owned();
    if l.kind == LineKind::Operation {
        let (verb, rest) = text.split_once(' ').unwrap_or((&text, ""));
        return Line::from(vec![
            Span::raw(indent),
            Span::styled(verb.to_string(), super::api::verb_style(verb, s)),
            Span::styled(format!(" {rest}"), s.title),
        ]);
    }
    Line::from(vec![Span::raw(indent), Span::styled(text, style(l.kind, s))])
}
