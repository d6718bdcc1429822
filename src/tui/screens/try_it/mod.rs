//! Try it: `t` on a method (REST) or route (HTTP) of the API detail, on an operation of the
//! docs, `:try` (an API, then one of its operations) or a history entry opens the request:
//! path, query and headers in a form, the auth the method demands unless overridden, the JSON
//! body in its own editor (`b`) beside the operation's schema. `enter` sends it off the UI
//! thread (a body that is not JSON only with `!`); `esc` cancels a call in flight. The answer
//! shows status, times, size, API Gateway's error plainly, the headers (folded), and the body:
//! JSON folded like the audit record viewer (`space`), text, or binary as its size and type; a
//! body over the limit went to a temporary file and only its start shows. `|` runs a jq filter
//! on the body (off the UI thread, its error inline); `/` filters the lines; `c`/`C` copy the
//! call as curl; `H` opens the history.

pub mod history;
pub mod jobs;
pub mod picker;
pub mod response;

use super::{Nav, Paint, Screen, Shared};
use crate::domain::Api;
use crate::sanitize::for_terminal;
use crate::tryit::CallSpec;
use crate::tryit::auth::AuthChoice;
use crate::tui::action::{Action, Context};
use crate::tui::command::{Body, Command, Slot};
use crate::tui::data::Called;
use crate::tui::dialogs::{Answer, BodyEditor, Dialog, Form, FormKind, TryForm, check_json};
use crate::tui::loadable::Loadable;
use crate::tui::store::{ApiRef, DetailData, Store};
use crate::tui::widgets::list::{ListView, fuzzy_filter};
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder_with};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};
use response::{Answer as Built, Folds};

/// The API with its methods or routes from the loaded detail (what the call matches against).
pub fn api_with_detail(store: &Store, api: &ApiRef) -> Option<Api> {
    let mut a = store.api(api)?.clone();
    match store.detail(api)? {
        DetailData::Rest(tree) => a.methods = Some(tree.iter().flat_map(|n| n.methods.iter().cloned()).collect()),
        DetailData::Http(routes) => a.routes = Some(routes.clone()),
    }
    Some(a)
}

/// What the method or route demands, for people (`an API key, COGNITO_USER_POOLS orders/read`).
fn demands(store: &Store, api: &ApiRef, method: &str, path: &str) -> Option<crate::tryit::target::Operation> {
    let a = api_with_detail(store, api)?;
    crate::tryit::target::find(&a, method, path)
}

/// Who and what can authenticate the call, from what is loaded (partners, keys).
fn auth_suggestions(store: &Store, op: Option<&crate::tryit::target::Operation>) -> String {
    let partners: Vec<&str> =
        store.partners.loaded().map(|v| v.partners.iter().map(|p| p.id.as_str()).take(6).collect()).unwrap_or_default();
    let keys: Vec<String> = store
        .keys
        .loaded()
        .map(|k| k.iter().filter(|k| k.enabled).take(4).map(|k| format!("key:{} ({})", k.id, k.name)).collect())
        .unwrap_or_default();
    let needs_key = op.is_some_and(|o| o.api_key_required);
    let mut out = Vec::new();
    if !partners.is_empty() {
        out.push(format!("partners: {}", partners.join(", ")));
    } else if needs_key || op.is_some_and(|o| o.authorization != "NONE" && o.authorization != "AWS_IAM") {
        out.push("(:partners lists the partners)".into());
    }
    if needs_key && !keys.is_empty() {
        out.push(keys.join(", "));
    }
    out.join(" · ")
}

/// The request form, filled from `spec` and `auth` (the body is edited apart, with `b`).
fn form(screen: &TryScreen, store: &Store) -> Form {
    let spec = &screen.spec;
    let query: Vec<String> = spec.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let headers: Vec<String> = spec.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let op = demands(store, &screen.api, &spec.method, &screen.template);
    let demand = match &op {
        Some(o) => {
            let key = if o.api_key_required { "an API key, " } else { "" };
            format!("{key}{} {}", o.authorization, o.scopes.join(" ")).trim().to_string()
        }
        None => "(the API's methods are loading)".into(),
    };
    let mut notes = vec![
        format!("{} {} on stage {}; it demands: {demand}", spec.method, screen.template, screen.stage),
        "path: fill in every {parameter} · query k=v&k=v · headers k: v; k: v".into(),
        "auth: auto, none, key:KEY_ID, partner:ID, iam, bearer:ENV_VAR".into(),
    ];
    let suggestions = auth_suggestions(store, op.as_ref());
    if !suggestions.is_empty() {
        notes.push(format!("      {suggestions}"));
    }
    if let Some(o) = &op
        && let Err(e) = crate::tryit::auth::check(o, &screen.auth)
    {
        // The check speaks of the CLI's flags; here they are the form's fields.
        let said = e
            .to_string()
            .replace("pass --auth", "use")
            .replace("with --header and --auth none", "in the headers, with auth none")
            .replace("--auth ", "");
        notes.push(format!("auth {}: {said}", screen.auth));
    }
    let body = match &spec.body {
        Some(b) => format!("body: {} bytes ({} edits it, beside the schema)", b.len(), "b"),
        None => "no body (b on the request edits one, beside the schema)".into(),
    };
    notes.push(body);
    Form {
        kind: FormKind::Try(Box::new(TryForm {
            api: screen.api.clone(),
            stage: screen.stage.clone(),
            method: spec.method.clone(),
        })),
        fields: vec![
            Form::text("path", &spec.path),
            Form::text("query", &query.join("&")),
            Form::text("headers", &headers.join("; ")),
            Form::text("auth", &screen.auth.to_string()),
        ],
        focus: 0,
        error: None,
        label_width: 7,
        notes,
        toggles: "",
        submit: "sends",
    }
}

/// `k: v; k: v`: a `;` starts a new header only where a `name:` follows (so
/// `content-type: application/json; charset=utf-8` is one header).
fn headers(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for part in text.split(';') {
        let starts_header = part.split_once(':').is_some_and(|(name, _)| {
            let n = name.trim();
            !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        match (starts_header, out.last_mut()) {
            (true, _) => {
                let (k, v) = part.split_once(':').expect("checked");
                out.push((k.trim().to_string(), v.trim().to_string()));
            }
            (false, Some(last)) if !part.trim().is_empty() => last.1 = format!("{}; {}", last.1, part.trim()),
            (false, _) if part.trim().is_empty() => {}
            (false, _) => return Err(format!("`{}` is not name: value", part.trim())),
        }
    }
    Ok(out)
}

/// What the form asks for, checked; the body stays as it was.
fn read_form(form: &Form, body: Option<Vec<u8>>) -> Result<(CallSpec, AuthChoice), String> {
    let FormKind::Try(t) = &form.kind else { return Err("not a request form".into()) };
    let pairs = |text: &str, sep: char, kv: char| -> Result<Vec<(String, String)>, String> {
        text.split(sep)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|p| {
                p.split_once(kv)
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .ok_or_else(|| format!("`{p}` is not k{kv}v"))
            })
            .collect()
    };
    let spec = CallSpec {
        method: t.method.clone(),
        path: form.value(0).trim().to_string(),
        query: pairs(form.value(1), '&', '=')?,
        headers: headers(form.value(2))?,
        body,
    };
    if let Some(p) = crate::tryit::target::missing_parameter(&spec.path) {
        return Err(format!("fill in the path parameter {p}"));
    }
    let auth: AuthChoice = form.value(3).trim().parse()?;
    Ok((spec, auth))
}

#[derive(Debug)]
pub struct TryScreen {
    pub api: ApiRef,
    pub stage: String,
    /// The method's or route's path as defined (`/orders/{id}`).
    pub template: String,
    pub spec: CallSpec,
    pub auth: AuthChoice,
    pub view: ListView,
    /// The form opens once, when the screen first shows.
    form_pending: bool,
    /// The jq filter over the body, when one is set.
    pub jq: Option<String>,
    pub folds: Folds,
    answer: Built,
    /// The rows shown (after `/`), as indices into `answer.rows`.
    shown: Vec<usize>,
    /// The last call's answer (this screen's own: another try screen has its own).
    call: Loadable<Called>,
    /// The jq filter's outputs over the answer's body.
    outputs: Loadable<Vec<String>>,
}

impl TryScreen {
    /// The screen for `method template` of `api` on `stage`; its form opens at once.
    pub fn open(api: &ApiRef, stage: &str, method: &str, template: &str) -> Box<dyn Screen> {
        let spec = CallSpec { method: method.to_string(), path: template.to_string(), ..Default::default() };
        Self::reopen(api, stage, template, spec, AuthChoice::Auto)
    }

    /// The screen for a request already made (from the history): the form opens at once.
    pub fn reopen(api: &ApiRef, stage: &str, template: &str, spec: CallSpec, auth: AuthChoice) -> Box<dyn Screen> {
        Box::new(TryScreen {
            api: api.clone(),
            stage: stage.to_string(),
            template: template.to_string(),
            spec,
            auth,
            view: ListView::default(),
            form_pending: true,
            jq: None,
            folds: Folds::default(),
            answer: Built::default(),
            shown: vec![],
            call: Loadable::NotLoaded,
            outputs: Loadable::NotLoaded,
        })
    }

    fn edit(&self, store: &Store) -> Nav {
        Nav::Dialog(Dialog::Form(form(self, store)))
    }

    fn edit_body(&self, sh: &mut Shared) -> Nav {
        super::docs::load_docs(&self.api, &self.stage, super::api::Reload::IfMissing, sh);
        let text = self.spec.body.as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
        let title = format!("body of {} {}", self.spec.method, self.template);
        let source = (self.api.clone(), self.stage.clone(), self.spec.method.clone(), self.template.clone());
        Nav::Dialog(Dialog::Body(Box::new(BodyEditor::new(title, &text, source))))
    }

    fn send(&mut self, sh: &mut Shared, checked: bool) -> Nav {
        if checked
            && let Some(body) = &self.spec.body
            && let Err(e) = check_json(&String::from_utf8_lossy(body))
        {
            let anyway = sh.keys(Context::Try, Action::SendAnyway);
            let edit = sh.keys(Context::Try, Action::EditBody);
            sh.error(format!("the body is {e}; {edit} edits it, {anyway} sends it anyway"));
            return Nav::Stay;
        }
        let Some(api) = api_with_detail(&sh.store, &self.api) else {
            super::api::load_detail(&self.api, super::api::Reload::IfMissing, sh);
            sh.error("the API's methods are still loading: send again in a moment");
            return Nav::Stay;
        };
        let (stage, spec, auth) = (self.stage.clone(), Box::new(self.spec.clone()), self.auth.clone());
        let request = crate::tui::jobs::start(sh, jobs::Call { api: Box::new(api), stage, spec, auth });
        self.call = Loadable::Loading { request };
        Nav::Stay
    }

    /// Run `filter` over the answer's body (an empty filter shows the body again).
    fn run_jq(&mut self, filter: &str, sh: &mut Shared) -> Result<(), String> {
        let filter = filter.trim();
        if filter.is_empty() {
            self.jq = None;
            self.outputs = Loadable::NotLoaded;
            // The folds were of the filter's outputs.
            self.folds.json.clear();
            self.rebuild();
            return Ok(());
        }
        crate::tryit::jq::check(filter)?;
        let Some(called) = self.call.loaded() else { return Err("no answer to filter yet".into()) };
        let body = match &called.body_file {
            Some(p) => Body::File(p.clone()),
            None => Body::Bytes(std::sync::Arc::new(called.response.body.clone())),
        };
        let f = filter.to_string();
        let request = crate::tui::jobs::start(sh, jobs::Jq { filter: f, body });
        self.outputs = Loadable::Loading { request };
        self.jq = Some(filter.to_string());
        self.folds.json.clear();
        self.rebuild();
        Ok(())
    }

    /// A call's answer: a new answer's folds start afresh, and a filter was of the old body.
    fn take_call(&mut self, request: u64, result: Result<Called, String>) {
        if self.call.accept(request, result) {
            self.folds.json.clear();
            self.jq = None;
            self.outputs = Loadable::NotLoaded;
            self.rebuild();
        }
    }

    fn take_outputs(&mut self, request: u64, result: Result<Vec<String>, String>) {
        if self.outputs.accept(request, result) {
            self.rebuild();
        }
    }

    fn rebuild(&mut self) {
        self.rebuild_with(true)
    }

    /// The rows again: `fresh` when the answer or the jq outputs changed (parsed anew), else
    /// (a fold, a filter) from the document already parsed.
    fn rebuild_with(&mut self, fresh: bool) {
        let parsed = (!fresh && !self.answer.doc.is_empty()).then(|| std::mem::take(&mut self.answer.doc));
        let outputs = self.jq.as_deref().map(|f| (f, &self.outputs));
        self.answer = match self.call.loaded() {
            Some(c) => response::build(c, &self.spec.method, outputs, &self.folds, parsed),
            None => Built::default(),
        };
        let hay: Vec<String> = self.answer.rows.iter().map(|r| response::row_text(&self.answer, r)).collect();
        self.shown = fuzzy_filter(&self.view.filter, hay.iter().map(String::as_str));
        self.view.clamp(self.shown.len());
    }
}

impl Screen for TryScreen {
    fn title(&self) -> String {
        format!("try {} {}", self.spec.method, self.spec.path)
    }

    fn context(&self) -> Context {
        Context::Try
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if self.view.apply(action, self.shown.len()) {
            return Nav::Stay;
        }
        match action {
            Action::Edit => self.edit(&sh.store),
            Action::EditBody => self.edit_body(sh),
            Action::Select => {
                let row = self.shown.get(self.view.selected).and_then(|&i| self.answer.rows.get(i)).cloned();
                if let Some(row) = row
                    && response::toggle(&self.answer, &row, &mut self.folds)
                {
                    self.rebuild_with(false);
                }
                Nav::Stay
            }
            Action::Jq => {
                if self.call.loaded().is_none() {
                    sh.error("no answer to filter yet");
                    return Nav::Stay;
                }
                let mut form = Form {
                    kind: FormKind::Jq,
                    fields: vec![Form::text("filter", self.jq.as_deref().unwrap_or("."))],
                    focus: 0,
                    error: None,
                    label_width: 6,
                    notes: vec!["a jq filter over the body, e.g. .items[] | {id, name}; empty shows the body".into()],
                    toggles: "",
                    submit: "runs it",
                };
                if let Loadable::Failed(e) = &self.outputs {
                    form.error = Some(e.clone());
                }
                Nav::Dialog(Dialog::Form(form))
            }
            Action::History => Nav::Push(history::HistoryScreen::open(sh)),
            // Copy as curl: placeholders for the secrets, or (asked for apart) with them.
            Action::Copy | Action::CopySecret => {
                let Some(called) = self.call.loaded() else { return Nav::Stay };
                let value = if action == Action::Copy {
                    crate::domain::Secret::new(called.curl.clone())
                } else {
                    called.curl_with_secrets.clone()
                };
                super::keys::copy(value, sh);
                Nav::Stay
            }
            Action::Try | Action::Refresh => self.send(sh, true),
            Action::SendAnyway => self.send(sh, false),
            // A call in flight is cancelled; otherwise back.
            Action::Cancel if self.call.is_loading() => {
                sh.outbox.push(Command::Cancel(Slot::Call));
                self.call = Loadable::Failed("cancelled".into());
                self.rebuild();
                sh.info("call cancelled");
                Nav::Stay
            }
            Action::Cancel => Nav::Back,
            _ => Nav::Unused,
        }
    }

    fn on_answer(&mut self, answer: Answer, sh: &mut Shared) -> Nav {
        match answer {
            Answer::Submitted(form) if form.kind == FormKind::Jq => match self.run_jq(form.value(0), sh) {
                Ok(()) => Nav::Stay,
                Err(e) => Nav::Dialog(Dialog::Form(form.with_error(e))),
            },
            Answer::Submitted(form) => match read_form(&form, self.spec.body.clone()) {
                Ok((spec, auth)) => {
                    (self.spec, self.auth) = (spec, auth);
                    self.send(sh, true)
                }
                Err(e) => Nav::Dialog(Dialog::Form(form.with_error(e))),
            },
            Answer::Body(text) => {
                self.spec.body = (!text.trim().is_empty()).then(|| text.into_bytes());
                match self.spec.body.as_ref().map(|b| check_json(&String::from_utf8_lossy(b))) {
                    Some(Err(e)) => sh.error(format!("the body is {e}")),
                    _ => sh.info("body kept: enter sends the request"),
                }
                Nav::Stay
            }
            _ => Nav::Unused,
        }
    }

    fn sync(&mut self, sh: &mut Shared) -> Nav {
        if sh.store.detail(&self.api).is_none() {
            super::api::load_detail(&self.api, super::api::Reload::IfMissing, sh);
        }
        if std::mem::take(&mut self.form_pending) {
            return self.edit(&sh.store);
        }
        Nav::Stay
    }

    fn list(&mut self) -> Option<&mut ListView> {
        Some(&mut self.view)
    }

    fn filter(&self) -> Option<&str> {
        Some(&self.view.filter)
    }

    fn filtered(&mut self, _sh: &mut Shared) {
        self.rebuild_with(false);
    }

    fn leave(&mut self, sh: &mut Shared) {
        if self.call.is_loading() {
            sh.outbox.push(Command::Cancel(Slot::Call));
        }
        if self.outputs.is_loading() {
            sh.outbox.push(Command::Cancel(Slot::Jq));
        }
    }

    fn busy(&self) -> bool {
        self.call.is_loading() || self.outputs.is_loading()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let filter = if self.view.filter.is_empty() { String::new() } else { format!(" /{}", self.view.filter) };
        let title = format!(
            " {} {} · {}{} ",
            self.spec.method,
            for_terminal(&self.spec.path),
            for_terminal(&self.stage),
            for_terminal(&filter)
        );
        if matches!(self.call, Loadable::NotLoaded) {
            let (send, edit) = (p.keys(Context::Try, Action::Try), p.keys(Context::Try, Action::Edit));
            let body = p.keys(Context::Try, Action::EditBody);
            let text = format!("no call yet: {send} sends the request, {edit} edits it, {body} edits its body");
            let para = ratatui::widgets::Paragraph::new(Span::styled(text, s.muted));
            frame.render_widget(para.block(panel(title, s, true)), area);
            return;
        }
        // A call that did not go out, or got no answer: the request is what to change.
        let (send, edit) = (p.keys(Context::Try, Action::Try), p.keys(Context::Try, Action::Edit));
        let hint = format!("{edit} edits the request (its auth among it) · {send} sends it again");
        if let Some(ph) = placeholder_with(&self.call, "the answer", &hint, p) {
            frame.render_widget(ph.block(panel(title, s, true)), area);
            return;
        }
        let table = VirtualTable {
            header: None,
            widths: vec![Constraint::Fill(1)],
            block: panel(title, s, true),
            focused: true,
        };
        table.render(frame, area, &self.view, self.shown.len(), s, |i| {
            let row = &self.answer.rows[self.shown[i]];
            Row::new([Cell::from(response::line(&self.answer, row, &self.folds, s))])
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_semicolon_starts_a_header_only_before_a_name() {
        let got = headers("content-type: application/json; charset=utf-8; x-trace: t1").unwrap();
        assert_eq!(
            got,
            [
                ("content-type".to_string(), "application/json; charset=utf-8".to_string()),
                ("x-trace".into(), "t1".into())
            ]
        );
        assert!(headers("no colon here").is_err());
        assert_eq!(headers("").unwrap(), vec![]);
    }
}
