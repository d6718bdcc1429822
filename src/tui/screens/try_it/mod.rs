//! Try it: `t` on a method (REST) or route (HTTP) of the API detail opens the request in a
//! form (path, query, headers, JSON body, auth: what the method demands unless overridden);
//! `enter` there sends it off the UI thread. The screen shows the answer: status, time (and to
//! the first byte), size, headers, and the body (JSON pretty-printed); `e` edits the request
//! again, `enter` sends it again (authenticated anew), `esc` cancels a call in flight.

use super::{Nav, Paint, Screen, Shared};
use crate::domain::Api;
use crate::sanitize::for_terminal;
use crate::tryit::CallSpec;
use crate::tryit::auth::AuthChoice;
use crate::tui::action::{Action, Context};
use crate::tui::command::{Command, Slot};
use crate::tui::dialogs::{Answer, Dialog, Form, FormKind, TryForm};
use crate::tui::loadable::Loadable;
use crate::tui::store::{ApiRef, DetailData, Store};
use crate::tui::widgets::list::ListView;
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

/// The API with its methods or routes from the loaded detail (what the call matches against).
pub fn api_with_detail(store: &Store, api: &ApiRef) -> Option<Api> {
    let mut a = store.api(api)?.clone();
    match store.detail(api)? {
        DetailData::Rest(tree) => a.methods = Some(tree.iter().flat_map(|n| n.methods.iter().cloned()).collect()),
        DetailData::Http(routes) => a.routes = Some(routes.clone()),
    }
    Some(a)
}

/// The request form, filled from `spec` and `auth`.
fn form(api: &ApiRef, stage: &str, spec: &CallSpec, auth: &AuthChoice, demands: &str) -> Form {
    let query: Vec<String> = spec.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let headers: Vec<String> = spec.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let body = spec.body.as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
    Form {
        kind: FormKind::Try(Box::new(TryForm {
            api: api.clone(),
            stage: stage.to_string(),
            method: spec.method.clone(),
        })),
        fields: vec![
            Form::text("path", &spec.path),
            Form::text("query", &query.join("&")),
            Form::text("headers", &headers.join("; ")),
            Form::text("body (JSON)", &body),
            Form::text("auth", &auth.to_string()),
        ],
        focus: 0,
        error: None,
        label_width: 11,
        notes: vec![
            format!("{} on stage {stage}; the method demands: {demands}", spec.method),
            "path: fill in every {parameter} · query k=v&k=v · headers k: v; k: v".into(),
            "auth: auto, none, key:KEY_ID, partner:ID, iam, bearer:ENV_VAR".into(),
        ],
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

/// What the form asks for, checked (the JSON body at its line and column).
fn read_form(form: &Form) -> Result<(CallSpec, AuthChoice), String> {
    let FormKind::Try(t) = &form.kind else { return Err("not a request form".into()) };
    let method = &t.method;
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
    let body = form.value(3).trim();
    if !body.is_empty()
        && let Err(e) = serde_json::from_str::<serde_json::Value>(body)
    {
        return Err(format!("the body is not valid JSON: {e} (line {}, column {})", e.line(), e.column()));
    }
    let spec = CallSpec {
        method: method.clone(),
        path: form.value(0).trim().to_string(),
        query: pairs(form.value(1), '&', '=')?,
        headers: headers(form.value(2))?,
        body: (!body.is_empty()).then(|| body.as_bytes().to_vec()),
    };
    if let Some(p) = crate::tryit::target::missing_parameter(&spec.path) {
        return Err(format!("fill in the path parameter {p}"));
    }
    let auth: AuthChoice = form.value(4).trim().parse()?;
    Ok((spec, auth))
}

#[derive(Debug)]
pub struct TryScreen {
    pub api: ApiRef,
    pub stage: String,
    pub spec: CallSpec,
    pub auth: AuthChoice,
    /// What the method demands, for the form's note.
    demands: String,
    pub view: ListView,
    /// The form opens once, when the screen first shows.
    form_pending: bool,
}

impl TryScreen {
    /// The screen for `method template` of `api` on `stage`; its form opens at once.
    pub fn open(api: &ApiRef, stage: &str, method: &str, template: &str, demands: &str) -> Box<dyn Screen> {
        let spec = CallSpec { method: method.to_string(), path: template.to_string(), ..Default::default() };
        Box::new(TryScreen {
            api: api.clone(),
            stage: stage.to_string(),
            spec,
            auth: AuthChoice::Auto,
            demands: demands.to_string(),
            view: ListView::default(),
            form_pending: true,
        })
    }

    fn edit(&self) -> Nav {
        Nav::Dialog(Dialog::Form(form(&self.api, &self.stage, &self.spec, &self.auth, &self.demands)))
    }

    fn send(&self, sh: &mut Shared) -> Nav {
        let Some(api) = api_with_detail(&sh.store, &self.api) else {
            sh.error("the API's methods are not loaded");
            return Nav::Stay;
        };
        let (stage, spec, auth) = (self.stage.clone(), Box::new(self.spec.clone()), self.auth.clone());
        let request = sh.send(|request| Command::Call { request, api: Box::new(api), stage, spec, auth });
        sh.store.call = Loadable::Loading { request };
        Nav::Stay
    }

    fn lines(&self, store: &Store, s: &crate::tui::theme::Styles) -> Vec<(String, Style)> {
        let Some(called) = store.call.loaded() else { return vec![] };
        let r = &called.response;
        let status_style = match r.status / 100 {
            2 => s.success,
            3 => s.warning,
            _ => s.error,
        };
        let mut out = vec![
            (
                format!(
                    "HTTP {}  {} ms (first byte {} ms)  {} bytes",
                    r.status,
                    r.time_ms,
                    r.first_byte_ms,
                    r.body.len()
                ),
                status_style,
            ),
            (format!("{} {}  ({})", self.spec.method, called.url, called.operation), s.muted),
        ];
        if !called.said.is_empty() {
            out.push((format!("auth: {}", called.said.join(", ")), s.muted));
        }
        if let Some(kind) = r.header("x-amzn-ErrorType") {
            out.push((format!("API Gateway: {}", kind.split(':').next().unwrap_or(kind)), s.error));
        }
        out.push((String::new(), s.text));
        out.extend(r.headers.iter().map(|(k, v)| (format!("{k}: {v}"), s.muted)));
        out.push((String::new(), s.text));
        let body = match serde_json::from_slice::<serde_json::Value>(&r.body) {
            Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_default(),
            Err(_) => match std::str::from_utf8(&r.body) {
                Ok(t) => t.to_string(),
                Err(_) => format!("({} bytes of {})", r.body.len(), r.header("content-type").unwrap_or("binary data")),
            },
        };
        out.extend(body.lines().map(|l| (l.to_string(), s.text)));
        out
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
        let count = self.lines(&sh.store, &crate::tui::theme::Styles::default()).len();
        if self.view.apply(action, count) {
            return Nav::Stay;
        }
        match action {
            Action::Edit => self.edit(),
            // Copy as curl: placeholders for the secrets, or (asked for apart) with them.
            Action::Copy | Action::CopySecret => {
                let Some(called) = sh.store.call.loaded() else { return Nav::Stay };
                let value = if action == Action::Copy {
                    crate::domain::Secret::new(called.curl.clone())
                } else {
                    called.curl_with_secrets.clone()
                };
                super::keys::copy(value, sh);
                Nav::Stay
            }
            Action::Try | Action::Refresh => self.send(sh),
            // A call in flight is cancelled; otherwise back.
            Action::Cancel if sh.store.call.is_loading() => {
                sh.outbox.push(Command::Cancel(Slot::Call));
                sh.store.call = Loadable::Failed("cancelled".into());
                sh.info("call cancelled");
                Nav::Stay
            }
            Action::Cancel => Nav::Back,
            _ => Nav::Stay,
        }
    }

    fn on_answer(&mut self, answer: Answer, sh: &mut Shared) -> Nav {
        let Answer::Submitted(form) = answer else { return Nav::Stay };
        match read_form(&form) {
            Ok((spec, auth)) => {
                (self.spec, self.auth) = (spec, auth);
                self.send(sh)
            }
            Err(e) => Nav::Dialog(Dialog::Form(form.with_error(e))),
        }
    }

    fn sync(&mut self, _sh: &mut Shared) -> Nav {
        if std::mem::take(&mut self.form_pending) {
            return self.edit();
        }
        Nav::Stay
    }

    fn leave(&mut self, sh: &mut Shared) {
        if sh.store.call.is_loading() {
            sh.outbox.push(Command::Cancel(Slot::Call));
        }
        sh.store.call = Loadable::NotLoaded;
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let title = format!(" {} {} · {} ", self.spec.method, for_terminal(&self.spec.path), for_terminal(&self.stage));
        if matches!(p.store.call, Loadable::NotLoaded) {
            let (send, edit) = (p.keys(Context::Try, Action::Try), p.keys(Context::Try, Action::Edit));
            let text = format!("no call yet: {send} sends the request, {edit} edits it");
            let para = ratatui::widgets::Paragraph::new(Span::styled(text, s.muted));
            frame.render_widget(para.block(panel(title, s, true)), area);
            return;
        }
        if let Some(ph) = placeholder(&p.store.call, "the answer", p) {
            frame.render_widget(ph.block(panel(title, s, true)), area);
            return;
        }
        let lines = self.lines(p.store, s);
        let table = VirtualTable {
            header: None,
            widths: vec![Constraint::Fill(1)],
            block: panel(title, s, true),
            focused: true,
        };
        table.render(frame, area, &self.view, lines.len(), s, |i| {
            Row::new([Cell::from(Span::styled(for_terminal(&lines[i].0).into_owned(), lines[i].1))])
        });
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
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
