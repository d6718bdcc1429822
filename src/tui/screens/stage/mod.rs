//! Stage detail: invoke URL, deployment, logging, tracing, throttling, cache, WAF, certificate,
//! variables and tags.

use super::{Nav, Paint, Screen, Shared};
use crate::domain::{Api, Stage};
use crate::sanitize::for_terminal;
use crate::tui::action::{Action, Context};
use crate::tui::store::{ApiRef, Store};
use crate::tui::widgets::list::ListView;
use crate::tui::widgets::panel;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

#[derive(Debug)]
pub struct StageScreen {
    pub api: ApiRef,
    pub stage: String,
    /// `selected` is the first line shown.
    pub scroll: ListView,
}

impl StageScreen {
    pub fn new(api: ApiRef, stage: String) -> StageScreen {
        StageScreen { api, stage, scroll: ListView::default() }
    }

    /// (label, value) pairs; an empty label starts a section heading.
    pub fn lines(&self, store: &Store) -> Vec<(String, String)> {
        let Some(a) = store.api(&self.api) else { return vec![] };
        let Some(st) = a.stages.iter().find(|s| s.name == self.stage) else { return vec![] };
        stage_facts(a, st)
    }
}

impl Screen for StageScreen {
    fn title(&self) -> String {
        format!("stage {}", crate::sanitize::one_line(&self.stage, 40))
    }

    fn context(&self) -> Context {
        Context::Docs
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        let len = self.lines(&sh.store).len();
        if self.scroll.apply(action, len) {
            return Nav::Stay;
        }
        match action {
            Action::OpenDocs => {
                let i = sh.store.api(&self.api).and_then(|a| a.stages.iter().position(|s| s.name == self.stage));
                Nav::Go(super::Target::Docs { api: self.api.clone(), stage: i.unwrap_or(0) })
            }
            // `t`: the operations of this stage, to try one.
            Action::Try => super::try_it::picker::TryPicker::operations_of(&self.api, Some(&self.stage), sh),
            // The stage's facts come with the catalog.
            Action::Refresh => {
                super::catalog::load_apis(sh);
                Nav::Stay
            }
            _ => Nav::Unused,
        }
    }

    fn selected_resource(&self, _store: &Store) -> Option<(String, String)> {
        Some((self.api.id.clone(), self.stage.clone()))
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let facts = self.lines(p.store);
        // Records the page height for page up/down.
        self.scroll.window(facts.len(), area.height.saturating_sub(2) as usize);
        let name = p.store.api(&self.api).map(|a| a.name.clone()).unwrap_or_default();
        let text: Vec<Line> = facts.iter().skip(self.scroll.selected).map(|(k, v)| fact_line(k, v, s)).collect();
        let title = format!(" {} › stage {} ", for_terminal(&name), for_terminal(&self.stage));
        frame.render_widget(Paragraph::new(text).block(panel(title, s, true)), area);
    }
}

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "-".into())
}

fn on_off(b: Option<bool>) -> String {
    match b {
        Some(true) => "on".into(),
        Some(false) => "off".into(),
        None => "-".into(),
    }
}

fn stage_facts(a: &Api, st: &Stage) -> Vec<(String, String)> {
    let mut v = vec![
        ("invoke URL".into(), a.invoke_url(&st.name)),
        ("description".into(), opt(&st.description)),
        ("deployment".into(), opt(&st.deployment_id)),
        ("created".into(), opt(&st.created_date)),
        ("last updated".into(), opt(&st.last_updated_date)),
        (String::new(), "Logging and monitoring".into()),
        ("execution logs".into(), st.execution_logging.clone().unwrap_or_else(|| "OFF".into())),
        ("data trace".into(), on_off(st.data_trace)),
        ("metrics".into(), on_off(st.metrics_enabled)),
        (
            "access logs".into(),
            st.access_log.as_ref().and_then(|l| l.destination_arn.clone()).unwrap_or_else(|| "off".into()),
        ),
        ("log format".into(), st.access_log.as_ref().and_then(|l| l.format.clone()).unwrap_or_else(|| "-".into())),
        ("X-Ray tracing".into(), on_off(Some(st.tracing_enabled))),
        (String::new(), "Protection".into()),
        ("throttling".into(), throttle(st)),
        ("cache".into(), cache(st)),
        ("WAF web ACL".into(), st.web_acl_arn.clone().unwrap_or_else(|| "none".into())),
        ("client cert".into(), st.client_certificate_id.clone().unwrap_or_else(|| "none".into())),
    ];
    if let Some(auto) = st.auto_deploy {
        v.push(("auto deploy".into(), on_off(Some(auto))));
    }
    v.push((String::new(), format!("Stage variables ({})", st.variables.len())));
    v.extend(st.variables.iter().map(|(k, val)| (k.clone(), val.clone())));
    v.push((String::new(), format!("Tags ({})", st.tags.len())));
    v.extend(st.tags.iter().map(|(k, val)| (k.clone(), val.clone())));
    v
}

fn throttle(st: &Stage) -> String {
    match &st.throttle {
        Some(t) => format!(
            "rate {} req/s, burst {}",
            t.rate_limit.map_or("-".into(), |r| r.to_string()),
            t.burst_limit.map_or("-".into(), |b| b.to_string())
        ),
        None => "account default".into(),
    }
}

fn cache(st: &Stage) -> String {
    if !st.cache_enabled {
        return "off".into();
    }
    let enc = match st.cache_encrypted {
        Some(true) => "encrypted",
        Some(false) => "NOT encrypted",
        None => "encryption unknown",
    };
    format!("on, {} GB, {enc}", st.cache_size.as_deref().unwrap_or("?"))
}

fn fact_line<'a>(k: &str, v: &str, s: &crate::tui::theme::Styles) -> Line<'a> {
    if k.is_empty() {
        return Line::from(Span::styled(format!("── {v}"), s.title));
    }
    let style = match v {
        "off" | "OFF" | "none" => s.warning,
        _ => s.text,
    };
    Line::from(vec![
        Span::styled(format!("  {:<16}", for_terminal(k)), s.muted),
        Span::styled(for_terminal(v).into_owned(), style),
    ])
}
