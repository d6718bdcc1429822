//! Partners: each partner joined across Cognito and API Gateway (app clients, keys, plans,
//! scopes, credential age, status); onboard (a wizard), rotate the key or the client secret,
//! offboard, and reconcile (proposed when the screen opens and something is due). Every change
//! is reviewed first with its AWS CLI equivalent; new credentials are shown once.

mod detail;
pub mod jobs;
mod wizard;

pub use detail::PartnerDetailScreen;
pub use wizard::{onboard_form, onboard_request};

use super::plans::{ensure_plans, load_keys, load_plans};
use super::{Nav, Paint, Screen, Shared};
use crate::domain::Partner;
use crate::domain::credential_age as age;
use crate::partners::ops::{Change, Credential, ReconcilePlan};
use crate::sanitize::one_line;
use crate::tui::action::{Action, Context};
use crate::tui::command::{PartnerOp, SecretUse};
use crate::tui::data::Show;
use crate::tui::dialogs::{Answer, Dialog, Review};
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
    let request = crate::tui::jobs::start(sh, jobs::LoadPartners);
    sh.store.partners = match std::mem::take(&mut sh.store.partners) {
        Loadable::Loaded(v) | Loadable::Refreshing { stale: v, .. } => {
            Loadable::Refreshing { request, stale: v, saved_at: None }
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
pub fn finish_change(description: String, result: Result<crate::partners::run::Executed, String>, sh: &mut Shared) {
    match result {
        Ok(done) => {
            sh.info(format!("done: {description}"));
            load_partners(sh);
            load_keys(sh);
            load_plans(sh);
            sh.show.extend(done.credentials.map(|c| Show::Credentials(Box::new(c))));
            if let Some(w) = done.warning {
                sh.error(w);
            }
        }
        Err(e) => {
            sh.error(format!("{description}: {e}"));
            load_partners(sh);
        }
    }
}

/// An app client's secret came back: shown for a while (like a key's value), or copied.
pub fn take_secret(client_id: String, then: SecretUse, result: Result<crate::domain::Secret, String>, sh: &mut Shared) {
    match (result, then) {
        (Err(e), _) => sh.error(e),
        (Ok(value), SecretUse::Copy) => super::keys::copy(value, sh),
        (Ok(value), SecretUse::Reveal) => {
            sh.store.reveal.client_secret = Some((client_id.clone(), value));
            super::keys::reveal(client_id, sh);
        }
    }
}

/// Read-only mode and one change at a time, said before a dialog opens.
pub fn writable(sh: &mut Shared) -> bool {
    if sh.store.connection.read_only {
        sh.error("read-only mode: partners cannot be changed (--read-only)");
        return false;
    }
    if sh.store.in_flight.partner.is_some() {
        sh.error("a partner change is still in progress; wait for it to finish");
        return false;
    }
    true
}

/// A rotation of `p`'s key or client secret, to be checked into its plan.
/// `r`/`R`: the rotation's form (after the grace or at once; where the new credential goes).
pub fn rotate_form(p: &Partner, credential: Credential) -> Nav {
    Nav::Dialog(Dialog::Form(wizard::rotate_form(&p.id, &p.region, credential)))
}

pub fn offboard_op(p: &Partner) -> PartnerOp {
    PartnerOp::Offboard { partner: p.id.clone(), region: p.region.clone() }
}

/// Check a change into its plan (the worker reads what it needs); its review opens when the
/// plan comes back (`take_plan`). One change at a time, checks included.
pub fn plan_change(op: PartnerOp, sh: &mut Shared) -> Nav {
    sh.info(format!("checking: {}…", op.describe()));
    let request = crate::tui::jobs::start(sh, jobs::PlanChange(op));
    sh.store.in_flight.partner = Some(request);
    Nav::Stay
}

/// A change's plan came back: its review, or why it cannot be done.
pub fn take_plan(request: u64, result: Result<Box<Change>, String>, sh: &mut Shared) {
    match sh.store.take_partner_change(request, result) {
        Some(Ok(change)) => {
            sh.status = None;
            sh.show.push(Show::Review(change));
        }
        Some(Err(e)) => sh.error(e),
        None => {}
    }
}

/// The review of what reconcile would do (as the partners' view found it due), if anything.
pub fn reconcile_review(store: &Store, partner: Option<&str>) -> Option<Review> {
    let view = store.partners.loaded()?;
    let plan = ReconcilePlan { region: view.region.clone(), actions: view.due.clone() }.only(partner);
    (plan.fixable() > 0).then(|| Review::of(Change::Reconcile(Box::new(plan))))
}

/// Start a reviewed change (one at a time): the reviewed value is what the worker carries out.
pub fn start_change(change: Change, sh: &mut Shared) -> Nav {
    if sh.store.in_flight.partner.is_some() {
        sh.error("a partner change is still in progress; wait for it to finish (nothing was changed)");
        return Nav::Stay;
    }
    sh.info(format!("{}…", change.title()));
    let request = crate::tui::jobs::start(sh, jobs::RunChange(change));
    sh.store.in_flight.partner = Some(request);
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
            (Action::RotateKey, Some(p)) if writable(sh) => rotate_form(&p, Credential::Key),
            (Action::RotateSecret, Some(p)) if writable(sh) => rotate_form(&p, Credential::Secret),
            (Action::Offboard, Some(p)) if writable(sh) => plan_change(offboard_op(&p), sh),
            (Action::Reconcile, _) if writable(sh) => {
                let region = sh.store.partners.loaded().map(|v| v.region.clone()).unwrap_or_default();
                plan_change(PartnerOp::Reconcile { partner: None, region }, sh)
            }
            _ => Nav::Unused,
        }
    }

    fn on_answer(&mut self, answer: Answer, sh: &mut Shared) -> Nav {
        match answer {
            Answer::Submitted(form) => wizard::submitted(form, sh),
            _ => Nav::Unused,
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
            if sh.store.in_flight.partner.is_none()
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
        // A partner is one row across regions and accounts: with several, where its credentials
        // are (REGION: its regions; ACCOUNTS: its accounts, when accounts are read).
        let regions =
            partners.iter().flat_map(|p| p.regions.iter()).collect::<std::collections::BTreeSet<_>>().len() > 1;
        let accounts = partners.iter().any(|p| !p.accounts.is_empty());
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
        if accounts {
            header.insert(1, "ACCOUNTS");
            widths.insert(1, Constraint::Length(14));
        }
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
        let places = (regions, accounts);
        table.render(frame, area, view, partners.len(), s, |i| partner_row(partners[i], store, now, places, s));
    }
}

/// The scopes by their short names (after the resource server: `https://api.example/orders.read`
/// is `orders.read`), for the list; the partner's detail shows them whole.
fn short_scopes(scopes: &[String]) -> String {
    let short: Vec<&str> = scopes.iter().map(|sc| sc.rsplit('/').next().unwrap_or(sc)).collect();
    short.join(" ")
}

/// `places`: whether the REGION and ACCOUNTS columns show.
fn partner_row<'a>(p: &Partner, store: &Store, now: time::OffsetDateTime, places: (bool, bool), s: &Styles) -> Row<'a> {
    // Plans by name, once each (the same plan name in several accounts is one word here).
    let mut plans: Vec<String> = Vec::new();
    for name in p.plan_ids.iter().map(|id| store.plan(id).map_or(id.clone(), |pl| pl.name.clone())) {
        if !plans.contains(&name) {
            plans.push(name);
        }
    }
    // Where its credentials are: the one region, else how many (its detail lists them).
    let regions = match p.regions.as_slice() {
        [] => p.region.clone(),
        [one] => one.clone(),
        many => format!("{} regions", many.len()),
    };
    let region = places.0.then(|| Cell::from(Span::styled(one_line(&regions, 40), s.muted)));
    let accounts = match p.accounts.len() {
        1 => p.keys.iter().find_map(|k| k.account.name.clone()).unwrap_or_else(|| p.accounts[0].clone()),
        n => format!("{n} accounts"),
    };
    let accounts = places.1.then(|| Cell::from(Span::styled(one_line(&accounts, 40), s.muted)));
    let first = [Cell::from(Span::styled(one_line(&p.id, 40), s.accent))];
    Row::new(first.into_iter().chain(region).chain(accounts).chain([
        Cell::from(p.app_clients.len().to_string()),
        Cell::from(format!("{}/{}", p.enabled_keys(), p.keys.len())),
        Cell::from(one_line(&plans.join(","), 40)),
        Cell::from(Span::styled(one_line(&short_scopes(&p.scopes), 60), s.tag)),
        Cell::from(age(p.oldest_credential_date.as_deref(), now)),
        Cell::from(Span::styled(one_line(&p.status, 60), status_style(&p.status, s))),
    ]))
}
