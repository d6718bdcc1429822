//! `:findings`: every governance finding, by severity then rule, each group with its count;
//! `/` filters; `enter` shows the rule (why it matters, how to fix it, the AWS CLI command,
//! references, the Security Hub control and Prowler check it matches); `o` jumps to the
//! resource (API, stage, method, route, plan, key, partner); `A` opens its audit trail.
//! The rules run in the worker over the estate read whole (as `portcullis lint` does).

mod jobs;

pub use jobs::{FindingsLoaded, LoadFindings};

use super::{Nav, Paint, Screen, Shared, Target};
use crate::governance::{Finding, ResourceType, Severity, rules};
use crate::sanitize::for_terminal;
use crate::tui::action::{Action, Context};
use crate::tui::loadable::Loadable;
use crate::tui::store::{ApiRef, Store};
use crate::tui::widgets::list::{ListView, fuzzy_filter};
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};

/// Read the findings (again).
pub fn load(sh: &mut Shared) {
    let request = crate::tui::jobs::start(sh, LoadFindings);
    sh.store.findings = match std::mem::take(&mut sh.store.findings) {
        Loadable::Loaded(stale) => Loadable::Refreshing { request, stale, saved_at: None },
        _ => Loadable::Loading { request },
    };
}

pub fn severity_style(s: Severity, st: &crate::tui::theme::Styles) -> Style {
    match s {
        Severity::Critical | Severity::High => st.error,
        Severity::Medium => st.warning,
        Severity::Low => st.accent,
        Severity::Info => st.muted,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum FRow {
    /// A rule's group: its severity, id and how many findings it has (shown).
    Group(Severity, &'static str, usize),
    Finding(usize),
}

#[derive(Debug)]
pub struct FindingsScreen {
    pub view: ListView,
    rows: Vec<FRow>,
    built: Option<u64>,
}

fn findings(store: &Store) -> &[Finding] {
    store.findings.loaded().map(|f| f.report.findings.as_slice()).unwrap_or_default()
}

fn haystack(f: &Finding) -> String {
    format!(
        "{} {} {} {} {}",
        f.severity.label(),
        f.rule_id,
        f.resource,
        f.message,
        if f.waived { "waived" } else { "" }
    )
}

/// Where a finding's resource is shown.
pub fn target(f: &Finding) -> Option<Target> {
    let api = || Some(ApiRef { region: f.region.clone(), id: f.api_id.clone()?, account: f.account.id.clone() });
    match f.resource_type {
        ResourceType::RestApi | ResourceType::HttpApi | ResourceType::Method | ResourceType::Route => {
            Some(Target::Api { api: api()?, stage: None })
        }
        ResourceType::Stage => Some(Target::Api { api: api()?, stage: f.stage.clone() }),
        ResourceType::UsagePlan => Some(Target::Plan { id: f.plan_id.clone()? }),
        ResourceType::ApiKey => Some(Target::Keys { filter: f.key_id.clone()? }),
        ResourceType::Partner => Some(Target::Keys { filter: f.partner.clone()? }),
        ResourceType::Integration => Some(Target::Api { api: api()?, stage: None }),
        ResourceType::DomainName => None,
    }
}

/// `A` on a finding: the audit trail of its key, plan, API or partner (the most specific).
fn audit_pivot(f: &Finding) -> Option<(String, String)> {
    let id = [&f.key_id, &f.plan_id, &f.api_id, &f.partner].into_iter().find_map(Clone::clone)?;
    Some((id, String::new()))
}

impl FindingsScreen {
    pub fn open(sh: &mut Shared) -> Box<dyn Screen> {
        if sh.store.findings.loaded().is_none() && !sh.store.findings.is_loading() {
            load(sh);
        }
        let mut screen = FindingsScreen { view: ListView::default(), rows: vec![], built: None };
        screen.sync(sh);
        Box::new(screen)
    }

    fn rebuild(&mut self, store: &Store) {
        let all = findings(store);
        let hay: Vec<String> = all.iter().map(haystack).collect();
        let mut shown = fuzzy_filter(&self.view.filter, hay.iter().map(String::as_str));
        shown.sort_unstable();
        self.rows.clear();
        let mut i = 0;
        while i < shown.len() {
            let f = &all[shown[i]];
            let n = shown[i..].iter().take_while(|&&j| all[j].rule_id == f.rule_id).count();
            self.rows.push(FRow::Group(f.severity, f.rule_id, n));
            self.rows.extend(shown[i..i + n].iter().map(|&j| FRow::Finding(j)));
            i += n;
        }
        self.view.clamp(self.rows.len());
    }

    fn selected<'a>(&self, store: &'a Store) -> Option<&'a Finding> {
        match self.rows.get(self.view.selected)? {
            FRow::Finding(i) => findings(store).get(*i),
            FRow::Group(..) => None,
        }
    }

    fn selected_rule(&self, store: &Store) -> Option<&'static str> {
        match self.rows.get(self.view.selected)? {
            FRow::Finding(i) => findings(store).get(*i).map(|f| f.rule_id),
            FRow::Group(_, rule, _) => Some(rule),
        }
    }
}

impl Screen for FindingsScreen {
    fn title(&self) -> String {
        "findings".into()
    }

    fn context(&self) -> Context {
        Context::Findings
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if self.view.apply(action, self.rows.len()) {
            return Nav::Stay;
        }
        match action {
            Action::Select => match self.selected_rule(&sh.store) {
                Some(rule) => {
                    let finding = self.selected(&sh.store).cloned();
                    Nav::Push(Box::new(RuleScreen { rule, finding, view: ListView::default() }))
                }
                None => Nav::Stay,
            },
            Action::Jump => match self.selected(&sh.store).and_then(target) {
                Some(t) => Nav::Go(t),
                None => {
                    sh.error("o jumps from a finding (not a rule's heading) to its resource");
                    Nav::Stay
                }
            },
            Action::Refresh => {
                load(sh);
                Nav::Stay
            }
            _ => Nav::Unused,
        }
    }

    fn sync(&mut self, sh: &mut Shared) -> Nav {
        if self.built != Some(sh.store.generations.findings) {
            self.built = Some(sh.store.generations.findings);
            self.rebuild(&sh.store);
        }
        Nav::Stay
    }

    fn list(&mut self) -> Option<&mut ListView> {
        Some(&mut self.view)
    }

    fn filter(&self) -> Option<&str> {
        Some(&self.view.filter)
    }

    fn filtered(&mut self, sh: &mut Shared) {
        self.rebuild(&sh.store);
    }

    /// `A`: the audit trail of the finding's API, plan, key or partner.
    fn selected_resource(&self, store: &Store) -> Option<(String, String)> {
        audit_pivot(self.selected(store)?)
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let counts = p.store.findings.loaded().map(|v| crate::governance::summary(&v.report));
        let filter =
            if self.view.filter.is_empty() { String::new() } else { format!(" /{}", for_terminal(&self.view.filter)) };
        let title = match counts {
            Some(c) => format!(
                " findings: {} critical · {} high · {} medium · {} low · {} info · {} waived · {} exempt{filter} ",
                c.critical, c.high, c.medium, c.low, c.info, c.waived, c.exempt
            ),
            None => " findings ".into(),
        };
        if let Some(ph) = placeholder(&p.store.findings, "the findings (every API, plan, key and partner)", p) {
            return frame.render_widget(ph.block(panel(title, s, true)), area);
        }
        let all = findings(p.store);
        let problems = p.store.findings.loaded().map(|v| v.problems.len() + v.warnings.len()).unwrap_or(0);
        let title = if problems > 0 { format!("{}· {problems} warning(s): enter a rule ", title) } else { title };
        let header = Row::new(["SEVERITY", "RULE / RESOURCE", "MESSAGE", "MATCHES"]);
        let widths = vec![Constraint::Length(9), Constraint::Fill(2), Constraint::Fill(3), Constraint::Length(16)];
        let table = VirtualTable { header: Some(header), widths, block: panel(title, s, true), focused: true };
        table.render(frame, area, &self.view, self.rows.len(), s, |i| match &self.rows[i] {
            FRow::Group(sev, rule, n) => {
                let title = rules::rule(rule).map_or("", |r| r.title);
                Row::new([
                    Cell::from(Span::styled(sev.label(), severity_style(*sev, s))),
                    Cell::from(Span::styled(format!("{rule} ({n})"), s.title)),
                    Cell::from(Span::styled(title, s.muted)),
                    Cell::from(""),
                ])
            }
            FRow::Finding(j) => {
                let f = &all[*j];
                let short = f.resource.split_once("::/").map_or(f.resource.as_str(), |(_, r)| r);
                let matches = f.security_hub.or(f.prowler.map(|_| "Prowler")).unwrap_or("");
                let style = if f.waived { s.muted } else { s.text };
                let message = if f.waived { format!("(waived) {}", f.message) } else { f.message.clone() };
                // Which account, when accounts are read.
                let short = match &f.account.id {
                    Some(_) => format!("{} · {}", f.account.label(), short),
                    None => short.to_string(),
                };
                Row::new([
                    Cell::from(""),
                    Cell::from(Span::styled(format!("  {}", for_terminal(&short)), style)),
                    Cell::from(Span::styled(for_terminal(&message).into_owned(), style)),
                    Cell::from(Span::styled(matches, s.muted)),
                ])
            }
        });
    }
}

/// One rule: what it checks, why, how to fix it (for the finding it was opened from, with its
/// resource filled in), references, and the AWS and Prowler counterparts.
#[derive(Debug)]
pub struct RuleScreen {
    pub rule: &'static str,
    pub finding: Option<Finding>,
    pub view: ListView,
}

impl RuleScreen {
    fn lines(&self, p: &Paint) -> Vec<Line<'static>> {
        let s = p.styles;
        let Some(r) = rules::rule(self.rule) else { return vec![] };
        let label = |t: &str| Span::styled(format!("{t:<14}"), s.muted);
        let mut out = vec![
            Line::from(Span::styled(r.title.to_string(), s.title)),
            Line::from(vec![label("rule"), Span::raw(r.id.to_string())]),
            Line::from(vec![label("severity"), Span::styled(r.severity.label(), severity_style(r.severity, s))]),
            Line::from(vec![label("Security Hub"), Span::raw(r.security_hub.unwrap_or("-").to_string())]),
            Line::from(vec![label("Prowler"), Span::raw(r.prowler.unwrap_or("-").to_string())]),
            Line::from(vec![label("also"), Span::raw(r.counterpart.unwrap_or("-").to_string())]),
            Line::from(""),
            Line::from(Span::styled("Why it matters", s.accent)),
            Line::from(r.why.to_string()),
            Line::from(""),
        ];
        if let Some(f) = &self.finding {
            out.push(Line::from(Span::styled("This finding", s.accent)));
            out.push(Line::from(for_terminal(&f.message).into_owned()));
            out.push(Line::from(vec![label("resource"), Span::raw(for_terminal(&f.resource).into_owned())]));
            if let Some(w) = &f.waiver {
                out.push(Line::from(vec![label("waived"), Span::raw(for_terminal(w).into_owned())]));
            }
            out.push(Line::from(""));
        }
        out.push(Line::from(Span::styled("How to fix it", s.accent)));
        let fix = self.finding.as_ref().map_or(r.fix.to_string(), |f| f.remediation.clone());
        out.push(Line::from(for_terminal(&fix).into_owned()));
        out.push(Line::from(""));
        out.push(Line::from(Span::styled("References", s.accent)));
        out.extend(r.references.iter().map(|u| Line::from(u.to_string())));
        if self.finding.is_some() {
            let (o, a) = (p.keys(Context::Findings, Action::Jump), p.keys(Context::Global, Action::Audit));
            out.push(Line::from(""));
            out.push(Line::from(Span::styled(format!("{o} shows the resource · {a} its audit trail"), s.muted)));
        }
        out
    }
}

impl Screen for RuleScreen {
    fn title(&self) -> String {
        self.rule.to_string()
    }

    fn context(&self) -> Context {
        Context::Findings
    }

    fn on_action(&mut self, action: Action, _sh: &mut Shared) -> Nav {
        if self.view.apply(action, 60) {
            return Nav::Stay;
        }
        match (action, self.finding.as_ref().and_then(target)) {
            (Action::Jump, Some(t)) => Nav::Go(t),
            _ => Nav::Unused,
        }
    }

    fn selected_resource(&self, _store: &Store) -> Option<(String, String)> {
        audit_pivot(self.finding.as_ref()?)
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let para = Paragraph::new(self.lines(p)).wrap(Wrap { trim: false }).scroll((self.view.selected as u16, 0));
        frame.render_widget(para.block(panel(format!(" {} ", self.rule), s, true)), area);
    }
}
