//! A partner's new credentials, handed over this once: every field, the values in full (this
//! is the hand-over), each value copyable (cleared from the clipboard later). Where they went
//! to a file or a secret, only where they went is shown.

use super::{Step, keys_slash};
use crate::domain::Secret;
use crate::partners::Credentials;
use crate::sanitize::for_terminal;
use crate::tui::action::{Action, Context};
use crate::tui::context::Paint;
use ratatui::text::{Line, Span};

#[derive(Debug, Clone)]
pub struct Handover {
    pub creds: Credentials,
    /// Which value `copy` takes: 0 the client secret, 1 the API key (of those there are).
    pub selected: usize,
}

impl Handover {
    pub fn new(creds: Credentials) -> Handover {
        Handover { creds, selected: 0 }
    }

    fn values(&self) -> Vec<(&'static str, &Secret)> {
        let c = &self.creds;
        let mut out = Vec::new();
        if c.exported_to.is_none() {
            if let Some(s) = &c.client_secret {
                out.push(("client secret", s));
            }
            if let Some(k) = &c.api_key {
                out.push(("API key", k));
            }
        }
        out
    }

    pub(super) fn on_action(&mut self, action: Option<Action>) -> Step {
        let n = self.values().len();
        match action {
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::Down) => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Some(Action::Copy) => {
                if let Some((_, v)) = self.values().get(self.selected) {
                    return Step::Copy((*v).clone());
                }
            }
            Some(Action::Cancel) => return Step::Close,
            _ => {}
        }
        Step::Stay
    }

    pub(super) fn lines(&self, p: &Paint) -> Vec<Line<'static>> {
        let s = p.styles;
        let c = &self.creds;
        let field = |k: &str, v: &str| {
            Line::from(vec![
                Span::styled(format!("  {k:<14}"), s.muted),
                Span::styled(for_terminal(v).into_owned(), s.text),
            ])
        };
        let mut lines = vec![Line::from(Span::styled(
            format!("Partner {}: {} ({}).", for_terminal(&c.partner), for_terminal(&c.strategy), c.region),
            s.text,
        ))];
        lines.push(Line::from(""));
        for (k, v) in [
            ("user pool", c.user_pool_id.as_deref()),
            ("client id", c.client_id.as_deref()),
            ("API key id", c.api_key_id.as_deref()),
            ("token URL", c.token_url.as_deref()),
        ] {
            if let Some(v) = v {
                lines.push(field(k, v));
            }
        }
        if !c.scopes.is_empty() {
            lines.push(field("scopes", &c.scopes.join(" ")));
        }
        if !c.plan_ids.is_empty() {
            lines.push(field("plans", &c.plan_ids.join(", ")));
        }
        for url in &c.invoke_urls {
            lines.push(field("invoke URL", url));
        }
        lines.push(Line::from(""));
        let close = keys_slash(p, Context::ShowValue, Action::Cancel).split('/').next().unwrap_or_default().to_string();
        match &c.exported_to {
            Some(to) => {
                lines.push(Line::from(Span::styled(
                    format!("The credentials were written to {}; they are not shown here.", for_terminal(to)),
                    s.warning,
                )));
                lines.push(Line::from(Span::styled(format!("{close} closes"), s.muted)));
            }
            None => {
                for (i, (k, v)) in self.values().iter().enumerate() {
                    let mark = if i == self.selected { "▶ " } else { "  " };
                    lines.push(Line::from(vec![
                        Span::styled(format!("{mark}{k:<14}"), s.muted),
                        Span::styled(v.expose().to_string(), s.warning),
                    ]));
                }
                let copy = keys_slash(p, Context::ShowValue, Action::Copy);
                lines.push(Line::from(""));
                lines.push(Line::from(Span::styled(
                    format!("Shown this once. up/down picks a value, {copy} copies it (cleared from the clipboard later) · {close} closes"),
                    s.muted,
                )));
            }
        }
        lines
    }
}
