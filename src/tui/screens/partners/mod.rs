//! Partners: each partner joined across Cognito and API Gateway (app clients, keys, plans,
//! scopes, credential age, status); onboard (a wizard), rotate the key or the client secret,
//! offboard, and reconcile (proposed when the screen opens and something is due). Every change
//! is reviewed first with its AWS CLI equivalent; new credentials are shown once.

mod detail;
mod wizard;

pub use detail::PartnerDetailScreen;
pub use wizard::{onboard_form, onboard_request};

use super::plans::{ensure_plans, load_keys, load_plans};
use super::{Nav, Paint, Screen, Shared};
use crate::cli::partners::age;
use crate::domain::Partner;
use crate::partners::Destination;
use crate::partners::ops::Credential;
use crate::sanitize::one_line;
use crate::tui::action::{Action, Context};
use crate::tui::command::{Command, PartnerOp, SecretUse};
use crate::tui::dialogs::{Answer, Dialog, Handover, Review};
use crate::tui::loadable::Loadable;
use crate::tui::store::Store;
use crate::tui::theme::Styles;
use crate::tui::widgets::list::{FilterList, ListView};
use crate::tui::widgets::vtable::VirtualTable;
use crate::tui::widgets::{panel, placeholder};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row};

/// Load the partners; a view already there stays on screen until the new one comes.
pub fn load_partners(sh: &mut Shared) {
    let request = sh.send(|request| Command::LoadPartners { request });
    sh.store.partners = match std::mem::take(&mut sh.store.partners) {
        Loadable::Loaded(v) | Loadable::Refreshing { stale: v, .. } => {
            let saved_at = v.read_at.clone();
            Loadable::Refreshing { request, stale: v, saved_at }
        }
        _ => Loadable::Loading { request },
    };
}

pub fn ensure_partners(sh: &mut Shared) {
    if matches!(sh.store.partners, Loadable::NotLoaded | Loadable::Failed(_)) {
        load_partners(sh);
    }
}

/// The colour of a status: ok, a rotation running, something wrong.
pub fn status_style(status: &str, s: &Styles) -> Style {
    match status.split([' ', ':']).next().unwrap_or_default() {
        "ok" => s.success,
        "rotating" => s.warning,
        _ => s.error,
    }
}

/// A partner change finished: say so, show new credentials once, reload what it touched.
pub fn finish_change(
    description: String,
    result: Result<Option<crate::partners::Credentials>, String>,
    sh: &mut Shared,
) -> Option<Dialog> {
    match result {
        Ok(creds) => {
            sh.info(format!("done: {description}"));
            load_partners(sh);
            load_keys(sh);
            load_plans(sh);
            creds.map(|c| Dialog::Handover(Box::new(Handover::new(c))))
        }
        Err(e) => {
            sh.error(format!("{description}: {e}"));
            load_partners(sh);
            None
        }
    }
}

/// An app client's secret came back: shown for a while (like a key's value), or copied.
pub fn take_secret(client_id: String, then: SecretUse, result: Result<crate::domain::Secret, String>, sh: &mut Shared) {
    match (result, then) {
        (Err(e), _) => sh.error(e),
        (Ok(value), SecretUse::Copy) => super::keys::copy(value, sh),
        (Ok(value), SecretUse::Reveal) => {
            sh.store.revealed = Some(client_id.clone());
            sh.store.client_secret = Some((client_id.clone(), value));
            sh.store.reveal_generation += 1;
            sh.store.generations.keys += 1;
            let hide =
                crate::tui::message::Message::HideValue { key: client_id, generation: sh.store.reveal_generation };
            sh.outbox.push(Command::After { millis: super::keys::REVEAL_MILLIS, message: Box::new(hide) });
        }
    }
}

/// Read-only mode and one change at a time, said before a dialog opens.
pub fn writable(sh: &mut Shared) -> bool {
    if sh.store.connection.read_only {
        sh.error("read-only mode: partners cannot be changed (--read-only)");
        return false;
    }
    if sh.store.partner_change.is_some() {
        sh.error("a partner change is still in progress; wait for it to finish");
        return false;
    }
    true
}

/// The review of a rotation of `p`'s key or client secret.
pub fn rotate_review(p: &Partner, credential: Credential) -> Review {
    let (what, cli) = match credential {
        Credential::Key => {
            let old = p.keys.iter().filter(|k| k.enabled).max_by(|a, b| a.created_date.cmp(&b.created_date));
            (
                format!(
                    "Rotate partner {}'s API key {}: a new key in the same plans; both work for the grace period, then reconcile retires the old one.",
                    p.id,
                    old.map_or("-", |k| k.id.as_str())
                ),
                vec![format!(
                    "aws apigateway create-api-key --customer-id {} --tags partner={},portcullis:rotates={} --enabled --region {}",
                    p.id,
                    p.id,
                    old.map_or("-", |k| k.id.as_str()),
                    p.region
                )],
            )
        }
        Credential::Secret => (
            format!(
                "Rotate partner {}'s client secret: a second secret (or, where the endpoint has no two-secret model, a second app client); both work for the grace period.",
                p.id
            ),
            p.app_clients
                .iter()
                .map(|c| {
                    format!(
                        "aws cognito-idp add-user-pool-client-secret --user-pool-id {} --client-id {} --region {}",
                        p.user_pool_id.as_deref().unwrap_or_default(),
                        c.client_id,
                        p.region
                    )
                })
                .collect(),
        ),
    };
    let describe = vec![what, "The new credential is shown here once.".into()];
    let op = PartnerOp::Rotate {
        partner: p.id.clone(),
        region: p.region.clone(),
        credential,
        destination: Destination::Stdout,
    };
    Review::new(" rotate ", describe, cli, op)
}

/// The review of offboarding `p` (the partner id typed).
pub fn offboard_review(p: &Partner) -> Review {
    let describe = vec![
        format!(
            "Offboard partner {}: disable its {} API key(s) first (traffic stops at once), take them out of their plans, delete them and its {} app client(s).",
            p.id,
            p.keys.len(),
            p.app_clients.len()
        ),
        "This cannot be undone.".into(),
    ];
    let mut cli: Vec<String> = p
        .keys
        .iter()
        .map(|k| {
            format!(
                "aws apigateway update-api-key --api-key {} --patch-operations op=replace,path=/enabled,value=false --region {}",
                k.id, p.region
            )
        })
        .collect();
    cli.extend(
        p.keys.iter().map(|k| format!("aws apigateway delete-api-key --api-key {} --region {}", k.id, p.region)),
    );
    cli.extend(p.app_clients.iter().map(|c| {
        format!(
            "aws cognito-idp delete-user-pool-client --user-pool-id {} --client-id {} --region {}",
            p.user_pool_id.as_deref().unwrap_or_default(),
            c.client_id,
            p.region
        )
    }));
    let op = PartnerOp::Offboard { partner: p.id.clone(), region: p.region.clone() };
    Review::new(" offboard ", describe, cli, op).typed(&p.id)
}

/// The review of what reconcile would do, if anything is due.
pub fn reconcile_review(store: &Store, partner: Option<&str>) -> Option<Review> {
    let view = store.partners.loaded()?;
    let due: Vec<&crate::partners::ops::Action> =
        view.due.iter().filter(|a| a.kind != "cannot fix" && partner.is_none_or(|p| a.partner == p)).collect();
    let region = due.first().map(|_| view.region.clone())?;
    let mut describe = vec![format!("{} thing(s) are due:", due.len())];
    describe.extend(due.iter().map(|a| format!("  {} {}: {}", a.kind, a.partner, a.what)));
    let cli = due.iter().filter_map(|a| a.aws_cli.clone()).collect();
    let op = PartnerOp::Reconcile { partner: partner.map(str::to_string), region };
    Some(Review::new(" reconcile ", describe, cli, op))
}

/// Start a reviewed change (one at a time).
pub fn start_change(op: PartnerOp, sh: &mut Shared) -> Nav {
    sh.info(format!("{}…", op.describe()));
    let request = sh.send(|request| Command::PartnerChange { request, op: Box::new(op) });
    sh.store.partner_change = Some(request);
    Nav::Stay
}

#[derive(Debug)]
pub struct PartnersScreen {
    pub list: FilterList,
    /// Whether reconcile was proposed for this load (once per load).
    proposed: u64,
}

impl PartnersScreen {
    /// `:partners`: the partners (and plans, for the wizard), loaded if they are not yet.
    pub fn open(sh: &mut Shared) -> Box<dyn Screen> {
        load_partners(sh);
        ensure_plans(sh);
        let mut screen = PartnersScreen { list: FilterList::default(), proposed: sh.store.generations.partners };
        screen.sync(sh);
        Box::new(screen)
    }

    pub fn partners<'a>(&'a self, store: &'a Store) -> impl Iterator<Item = &'a Partner> + 'a {
        let all = store.partners.loaded().map(|v| v.partners.as_slice()).unwrap_or_default();
        self.list.indices().map(move |i| &all[i])
    }

    fn selected<'a>(&self, store: &'a Store) -> Option<&'a Partner> {
        store.partners.loaded()?.partners.get(self.list.selected()?)
    }
}

impl Screen for PartnersScreen {
    fn title(&self) -> String {
        "partners".into()
    }

    fn context(&self) -> Context {
        Context::Partners
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if self.list.apply(action) {
            return Nav::Stay;
        }
        let selected = self.selected(&sh.store).cloned();
        match (action, selected) {
            (Action::Select, Some(p)) => Nav::Push(PartnerDetailScreen::open(&p.id, &p.region, sh)),
            (Action::Refresh, _) => {
                load_partners(sh);
                Nav::Stay
            }
            (Action::Create, _) if writable(sh) => match wizard::open(sh) {
                Ok(form) => Nav::Dialog(Dialog::Form(form)),
                Err(e) => {
                    sh.error(e);
                    Nav::Stay
                }
            },
            (Action::RotateKey, Some(p)) if writable(sh) => {
                Nav::Dialog(Dialog::Review(Box::new(rotate_review(&p, Credential::Key))))
            }
            (Action::RotateSecret, Some(p)) if writable(sh) => {
                Nav::Dialog(Dialog::Review(Box::new(rotate_review(&p, Credential::Secret))))
            }
            (Action::Offboard, Some(p)) if writable(sh) => Nav::Dialog(Dialog::Review(Box::new(offboard_review(&p)))),
            (Action::Reconcile, _) if writable(sh) => match reconcile_review(&sh.store, None) {
                Some(r) => Nav::Dialog(Dialog::Review(Box::new(r))),
                None => {
                    sh.info("nothing to reconcile");
                    Nav::Stay
                }
            },
            _ => Nav::Stay,
        }
    }

    fn on_answer(&mut self, answer: Answer, sh: &mut Shared) -> Nav {
        match answer {
            Answer::Reviewed(op) => start_change(op, sh),
            Answer::Submitted(form) => wizard::submitted(form, sh),
            _ => Nav::Stay,
        }
    }

    fn sync(&mut self, sh: &mut Shared) -> Nav {
        let partners = sh.store.partners.loaded().map(|v| v.partners.as_slice()).unwrap_or_default();
        let hay = || partners.iter().map(|p| format!("{} {} {}", p.id, p.status, p.region)).collect();
        self.list.sync(sh.store.generations.partners, hay);
        // Once per load: what is due is proposed, never done without asking.
        let loaded = sh.store.partners.loaded().is_some() && !sh.store.partners.is_loading();
        if loaded && self.proposed != sh.store.generations.partners {
            self.proposed = sh.store.generations.partners;
            if sh.store.partner_change.is_none()
                && !sh.store.connection.read_only
                && let Some(review) = reconcile_review(&sh.store, None)
            {
                return Nav::Dialog(Dialog::Review(Box::new(review)));
            }
        }
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

    fn selected_resource(&self, store: &Store) -> Option<(String, String)> {
        self.selected(store).map(|p| (detail::resources(p), String::new()))
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        let s = p.styles;
        let total = p.store.partners.loaded().map_or(0, |v| v.partners.len());
        let view = &self.list.view;
        let filter = if view.filter.is_empty() { String::new() } else { format!(" /{}", one_line(&view.filter, 30)) };
        let pool = p
            .store
            .connection
            .partner_pool
            .as_deref()
            .map_or(" · no partner pool".to_string(), |p| format!(" · pool {p}"));
        let refreshing = if p.store.partners.is_loading() { " · refreshing" } else { "" };
        let title = format!(" partners ({total}){filter}{pool}{refreshing} ");
        if let Some(ph) = placeholder(&p.store.partners, "partners", p) {
            frame.render_widget(ph.block(panel(title, s, true)), area);
            return;
        }
        let partners: Vec<&Partner> = self.partners(p.store).collect();
        // A partner is per region (its keys there): with several regions the region tells rows apart.
        let regions = partners.iter().map(|p| p.region.as_str()).collect::<std::collections::BTreeSet<_>>().len() > 1;
        let mut header = vec!["PARTNER", "APP CLIENTS", "KEYS", "PLANS", "SCOPES", "OLDEST CREDENTIAL", "STATUS"];
        // The id and the status whole (a date in it); plans and scopes share what is left.
        let mut widths = vec![
            Constraint::Min(18),
            Constraint::Length(11),
            Constraint::Length(5),
            Constraint::Fill(1),
            Constraint::Fill(1),
            Constraint::Length(17),
            Constraint::Min(35),
        ];
        if regions {
            header.insert(1, "REGION");
            widths.insert(1, Constraint::Length(14));
        }
        let header = Row::new(header);
        // Ages count from when the partners were read (the view is as of then).
        let now = p
            .store
            .partners
            .loaded()
            .and_then(|v| crate::domain::parse_time(&v.read_at))
            .unwrap_or_else(time::OffsetDateTime::now_utc);
        let store = p.store;
        let table = VirtualTable { header: Some(header), widths, block: panel(title, s, true), focused: true };
        table.render(frame, area, view, partners.len(), s, |i| partner_row(partners[i], store, now, regions, s));
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn partner_row<'a>(p: &Partner, store: &Store, now: time::OffsetDateTime, regions: bool, s: &Styles) -> Row<'a> {
    let plans: Vec<String> =
        p.plan_ids.iter().map(|id| store.plan(id).map_or(id.clone(), |pl| pl.name.clone())).collect();
    let region = regions.then(|| Cell::from(Span::styled(one_line(&p.region, 20), s.muted)));
    Row::new([Cell::from(Span::styled(one_line(&p.id, 40), s.accent))].into_iter().chain(region).chain([
        Cell::from(p.app_clients.len().to_string()),
        Cell::from(format!("{}/{}", p.enabled_keys(), p.keys.len())),
        Cell::from(one_line(&plans.join(","), 40)),
        Cell::from(Span::styled(one_line(&p.scopes.join(" "), 60), s.tag)),
        Cell::from(age(p.oldest_credential_date.as_deref(), now)),
        Cell::from(Span::styled(one_line(&p.status, 60), status_style(&p.status, s))),
    ]))
}
