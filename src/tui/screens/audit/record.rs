//! One event's record as folded, highlighted JSON, parsed once when the screen opens.
//! Containers two levels down start folded; enter (or space) folds and unfolds.

use super::{SourcePicker, jump, shared_action, shared_answer};
use crate::domain::AuditEvent;
use crate::sanitize::one_line;
use crate::tui::action::{Action, Context};
use crate::tui::dialogs::Answer;
use crate::tui::screens::{Nav, Paint, Screen, Shared};
use crate::tui::widgets::json::{JsonKind, JsonLine, default_folds, json_line, json_lines, visible_lines};
use crate::tui::widgets::list::{ListView, fuzzy_filter};
use crate::tui::widgets::panel;
use crate::tui::widgets::vtable::VirtualTable;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row};
use std::collections::BTreeSet;

/// The event's record as JSON; a record that is not JSON is shown beside the listing's fields.
pub fn record_value(e: &AuditEvent) -> serde_json::Value {
    let listing = serde_json::to_value(e).unwrap_or_default();
    match e.record.as_deref().map(serde_json::from_str::<serde_json::Value>) {
        Some(Ok(v)) => v,
        Some(Err(err)) => serde_json::json!({
            "note": "the CloudTrail record is not valid JSON: shown as received, after the listing's fields",
            "parseError": err.to_string(),
            "listing": listing,
            "record": e.record,
        }),
        None => listing,
    }
}

#[derive(Debug)]
pub struct RecordScreen {
    pub id: String,
    pub view: ListView,
    /// Line indices of collapsed containers.
    pub folded: BTreeSet<usize>,
    title: String,
    doc: Vec<JsonLine>,
    /// The lines shown (folds closed, then the `/` filter), as indices into `doc`.
    shown: Vec<usize>,
    pub(super) source: SourcePicker,
}

impl RecordScreen {
    pub fn new(e: &AuditEvent) -> RecordScreen {
        let doc = json_lines(&record_value(e));
        let folded = default_folds(&doc);
        let title = format!(
            " {} · {} · {} ",
            one_line(&e.event_name, 40),
            one_line(&e.event_time, 30),
            one_line(&e.event_id, 40)
        );
        let mut screen = RecordScreen {
            id: e.event_id.clone(),
            view: ListView::default(),
            folded,
            title,
            doc,
            shown: vec![],
            source: SourcePicker::default(),
        };
        screen.refold();
        screen
    }

    /// Lines shown, as indices into the document.
    pub fn shown(&self) -> &[usize] {
        &self.shown
    }

    fn refold(&mut self) {
        let open = visible_lines(&self.doc, &self.folded);
        let hay: Vec<String> = open.iter().map(|&i| self.doc[i].text()).collect();
        self.shown =
            fuzzy_filter(&self.view.filter, hay.iter().map(String::as_str)).into_iter().map(|k| open[k]).collect();
        self.view.clamp(self.shown.len());
    }

    fn toggle_fold(&mut self) {
        let Some(&line) = self.shown.get(self.view.selected) else { return };
        if matches!(self.doc[line].kind, JsonKind::Open { .. }) && !self.folded.remove(&line) {
            self.folded.insert(line);
        }
        self.refold();
    }
}

impl Screen for RecordScreen {
    fn title(&self) -> String {
        "event".into()
    }

    fn context(&self) -> Context {
        Context::Audit
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if self.view.apply(action, self.shown.len()) {
            return Nav::Stay;
        }
        if let Some(nav) = shared_action(action, &mut self.source, sh) {
            return nav;
        }
        match action {
            Action::Select => {
                self.toggle_fold();
                Nav::Stay
            }
            Action::Jump => match sh.store.audit.as_ref().and_then(|a| a.event_by_id(&self.id)).cloned() {
                Some(e) => jump(&e, sh),
                None => Nav::Stay,
            },
            _ => Nav::Unused,
        }
    }

    fn on_answer(&mut self, answer: Answer, sh: &mut Shared) -> Nav {
        shared_answer(answer, sh)
    }

    fn sync(&mut self, sh: &mut Shared) -> Nav {
        self.source.answered(sh)
    }

    fn list(&mut self) -> Option<&mut ListView> {
        Some(&mut self.view)
    }

    fn filter(&self) -> Option<&str> {
        Some(&self.view.filter)
    }

    fn filtered(&mut self, _sh: &mut Shared) {
        self.refold();
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let held = p.store.audit.as_ref().and_then(|a| a.event_by_id(&self.id)).is_some();
        if !held {
            let back = p.keys(Context::Global, Action::Back);
            let msg =
                Paragraph::new(Span::styled(format!("this event is no longer loaded ({back} goes back)"), s.muted));
            frame.render_widget(msg.block(panel(" event ".into(), s, true)), area);
            return;
        }
        let block = panel(self.title.clone(), s, true);
        let table = VirtualTable { header: None, widths: vec![Constraint::Fill(1)], block, focused: true };
        table.render(frame, area, &self.view, self.shown.len(), s, |i| {
            let at = self.shown[i];
            Row::new([Cell::from(json_line(&self.doc, at, self.folded.contains(&at), s))])
        });
    }
}
