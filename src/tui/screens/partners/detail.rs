//! One partner: every credential (keys with their plans and retire-after; app clients with
//! their secrets' ids and dates), the plans' throttle and quota, the scopes, the token URL, the
//! invoke URLs of the stages its plans cover. `A` opens the audit trail of all of it; a key's
//! value is never shown unless revealed (`v`, 10 s) or copied (`c`, cleared later).

use super::super::keys::copy;
use super::{Nav, Paint, Screen, Shared, offboard_op, plan_change, rotate_form, writable};
use crate::domain::Partner;
use crate::partners::ops::Credential;
use crate::sanitize::for_terminal;
use crate::tui::action::{Action, Context};
use crate::tui::command::PartnerOp;
use crate::tui::command::SecretUse;
use crate::tui::store::Store;
use crate::tui::widgets::list::ListView;
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};

/// The ids of everything the partner is in AWS, for the audit pivot (`,` between them).
pub fn resources(p: &Partner) -> String {
    let mut ids: Vec<&str> = p.keys.iter().map(|k| k.id.as_str()).collect();
    ids.extend(p.app_clients.iter().map(|c| c.client_id.as_str()));
    ids.push(p.id.as_str());
    ids.join(",")
}

/// A value `v` and `c` act on.
enum Value {
    Key(String),
    Client(String),
}

#[derive(Debug)]
pub struct PartnerDetailScreen {
    pub id: String,
    /// A partner is per region (the same id can have keys in several).
    pub region: String,
    pub view: ListView,
}

/// One line of the detail: its text and style, and the key or app client it is about (for
/// `v` and `c`).
struct DetailLine {
    text: String,
    style: Style,
    key: Option<String>,
    client: Option<String>,
}

impl PartnerDetailScreen {
    pub fn open(id: &str, region: &str, sh: &mut Shared) -> Box<dyn Screen> {
        super::super::plans::ensure_keys(sh);
        Box::new(PartnerDetailScreen { id: id.to_string(), region: region.to_string(), view: ListView::default() })
    }

    fn partner<'a>(&self, store: &'a Store) -> Option<&'a Partner> {
        store.partners.loaded()?.partners.iter().find(|p| p.id == self.id && p.region == self.region)
    }

    fn lines(&self, p: &Partner, store: &Store, s: &crate::tui::theme::Styles) -> Vec<DetailLine> {
        let line = |text: String, style: Style| DetailLine { text, style, key: None, client: None };
        let head = |text: &str| line(text.to_string(), s.title);
        let mut out = vec![
            line(format!("{}  ({})", p.id, p.region), s.accent),
            line(format!("status: {}", p.status), super::status_style(&p.status, s)),
            line(String::new(), s.text),
            head("API keys"),
        ];
        // Where each key is, when the partner's keys are in several places.
        let spread = p.regions.len() > 1 || p.accounts.len() > 1;
        for k in &p.keys {
            let place = match (&k.account.id, spread) {
                (_, false) => String::new(),
                (Some(_), true) => format!("  in {} {}", k.account.label(), k.region),
                (None, true) => format!("  in {}", k.region),
            };
            let plans: Vec<String> = k
                .plan_ids
                .iter()
                .map(|id| store.plan(id).map_or(id.clone(), |pl| format!("{} ({id})", pl.name)))
                .collect();
            let value = store.key(&k.id).map(|full| match (&full.value, store.reveal.shows(&k.id)) {
                (Some(v), true) => v.expose().to_string(),
                _ => full.masked(),
            });
            out.push(DetailLine {
                text: format!(
                    "  {}  {}{place}  {}  created {}  plans {}{}  value {}",
                    k.id,
                    k.name,
                    if k.enabled { "enabled" } else { "disabled" },
                    k.created_date.as_deref().map_or("-", |d| d.get(..10).unwrap_or(d)),
                    if plans.is_empty() { "-".into() } else { plans.join(", ") },
                    k.retire_after.as_deref().map(|r| format!("  retires after {r}")).unwrap_or_default(),
                    value.unwrap_or_else(|| "••••••••".into()),
                ),
                style: if k.enabled { s.text } else { s.muted },
                key: Some(k.id.clone()),
                client: None,
            });
        }
        out.push(line(String::new(), s.text));
        out.push(head("App clients"));
        for c in &p.app_clients {
            // The secret is read only when asked for (v reveals it for 10 s, c copies it).
            let value = match &store.reveal.client_secret {
                Some((id, v)) if *id == c.client_id && store.reveal.shows(id) => v.expose().to_string(),
                _ => "••••••••".into(),
            };
            out.push(DetailLine {
                text: format!(
                    "  {}  {}  created {}  secret {value}",
                    c.client_id,
                    c.name,
                    c.created_date.as_deref().unwrap_or("-")
                ),
                style: s.text,
                key: None,
                client: Some(c.client_id.clone()),
            });
            for secret in &c.secrets {
                out.push(line(
                    format!(
                        "    secret {}  created {}",
                        secret.id.as_deref().unwrap_or("(the client's own)"),
                        secret.created_date.as_deref().unwrap_or("-")
                    ),
                    s.muted,
                ));
            }
        }
        out.push(line(String::new(), s.text));
        out.push(head("Usage plans"));
        for id in &p.plan_ids {
            let text = match store.plan(id) {
                Some(pl) => format!(
                    "  {}  ({id})  throttle {}  quota {}",
                    pl.name,
                    super::super::plans::throttle_text(&pl.throttle),
                    pl.quota.as_ref().map_or("-".into(), |q| format!("{} per {}", q.limit, q.period.to_lowercase()))
                ),
                None => format!("  {id}"),
            };
            out.push(line(text, s.text));
        }
        out.push(line(String::new(), s.text));
        out.push(line(format!("scopes: {}", if p.scopes.is_empty() { "-".into() } else { p.scopes.join(" ") }), s.tag));
        let view = store.partners.loaded();
        let token = view.and_then(|v| v.pool.as_ref()).and_then(|pool| pool.token_url.clone());
        out.push(line(format!("token URL: {}", token.unwrap_or_else(|| "-".into())), s.text));
        let mut urls: Vec<String> = p
            .plan_ids
            .iter()
            .filter_map(|id| store.plan(id))
            .flat_map(|pl| pl.api_stages.iter())
            .map(|st| format!("https://{}.execute-api.{}.amazonaws.com/{}", st.api_id, p.region, st.stage))
            .collect();
        urls.sort();
        urls.dedup();
        out.push(line("invoke URLs:".into(), s.text));
        out.extend(urls.into_iter().map(|u| line(format!("  {u}"), s.accent)));
        out
    }

    /// What `v` and `c` act on: the selected line's key or app client, else the first key.
    fn selected_value(&self, store: &Store) -> Option<Value> {
        let p = self.partner(store)?;
        let lines = self.lines(p, store, &crate::tui::theme::Styles::default());
        let pick = |l: &DetailLine| match (&l.key, &l.client) {
            (Some(k), _) => Some(Value::Key(k.clone())),
            (_, Some(c)) => Some(Value::Client(c.clone())),
            _ => None,
        };
        lines
            .get(self.view.selected)
            .and_then(pick)
            .or_else(|| lines.iter().find_map(|l| l.key.clone().map(Value::Key)))
    }

    /// `v` or `c` on an app client: its secret is read now (DescribeUserPoolClient).
    fn read_secret(&self, client_id: String, then: SecretUse, sh: &mut Shared) -> Nav {
        let region = self.partner(&sh.store).map(|p| p.region.clone()).unwrap_or_default();
        crate::tui::jobs::start(sh, super::jobs::ReadClientSecret { region, client_id, then });
        Nav::Stay
    }
}

impl Screen for PartnerDetailScreen {
    fn title(&self) -> String {
        self.id.clone()
    }

    fn context(&self) -> Context {
        Context::Partners
    }

    /// The rotation form opened here came back.
    fn on_answer(&mut self, answer: crate::tui::dialogs::Answer, sh: &mut Shared) -> Nav {
        match answer {
            crate::tui::dialogs::Answer::Submitted(form) => super::wizard::submitted(form, sh),
            _ => Nav::Unused,
        }
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        let Some(p) = self.partner(&sh.store).cloned() else { return Nav::Stay };
        let count = self.lines(&p, &sh.store, &crate::tui::theme::Styles::default()).len();
        if self.view.apply(action, count) {
            return Nav::Stay;
        }
        match action {
            Action::Refresh => {
                super::load_partners(sh);
                Nav::Stay
            }
            Action::RotateKey if writable(sh) => rotate_form(&p, Credential::Key),
            Action::RotateSecret if writable(sh) => rotate_form(&p, Credential::Secret),
            Action::Offboard if writable(sh) => plan_change(offboard_op(&p), sh),
            Action::Reconcile if writable(sh) => {
                plan_change(PartnerOp::Reconcile { partner: Some(p.id.clone()), region: p.region.clone() }, sh)
            }
            Action::Reveal => match self.selected_value(&sh.store) {
                Some(Value::Client(id)) => self.read_secret(id, SecretUse::Reveal, sh),
                Some(Value::Key(key)) => {
                    if sh.store.key(&key).and_then(|k| k.value.as_ref()).is_none() {
                        sh.error("the key's value is not loaded (ctrl-r on :keys reloads it)");
                        return Nav::Stay;
                    }
                    crate::tui::screens::keys::reveal(key, sh);
                    Nav::Stay
                }
                None => Nav::Stay,
            },
            Action::Copy => match self.selected_value(&sh.store) {
                Some(Value::Client(id)) => self.read_secret(id, SecretUse::Copy, sh),
                Some(Value::Key(k)) => {
                    if let Some(v) = sh.store.key(&k).and_then(|k| k.value.clone()) {
                        copy(v, sh);
                    }
                    Nav::Stay
                }
                None => Nav::Stay,
            },
            _ => Nav::Unused,
        }
    }

    fn selected_resource(&self, store: &Store) -> Option<(String, String)> {
        self.partner(store).map(|p| (resources(p), String::new()))
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let title = format!(" partner {} ", for_terminal(&self.id));
        if let Some(ph) = placeholder(&p.store.partners, "partners", p) {
            frame.render_widget(ph.block(panel(title, s, true)), area);
            return;
        }
        let Some(partner) = self.partner(p.store) else {
            let gone = ratatui::widgets::Paragraph::new(Line::from(Span::styled(
                format!("partner {} is not there any more (offboarded?)", for_terminal(&self.id)),
                s.muted,
            )));
            frame.render_widget(gone.block(panel(title, s, true)), area);
            return;
        };
        let lines = self.lines(partner, p.store, s);
        let table = VirtualTable {
            header: None,
            widths: vec![Constraint::Fill(1)],
            block: panel(title, s, true),
            focused: true,
        };
        table.render(frame, area, &self.view, lines.len(), s, |i| {
            Row::new([Cell::from(Span::styled(for_terminal(&lines[i].text).into_owned(), lines[i].style))])
        });
    }
}
