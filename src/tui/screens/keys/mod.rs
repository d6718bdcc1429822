//! API keys: masked values, reveal for a few seconds, copy (cleared from the clipboard later),
//! and changes (create, enable/disable, attach/detach, delete), each through a dialog that
//! shows what will happen. One change at a time, so no result (a new key's value) is dropped.

mod draw;
pub mod jobs;

use super::plans::{ensure_keys, ensure_plans, load_keys, load_plans};
use super::{Nav, Paint, Screen, Shared};
use crate::domain::{ApiKey, CreatedKey, Mutation, NewKey, Secret};
use crate::tui::action::{Action, Context};
use crate::tui::command::Command;
use crate::tui::data::Show;
use crate::tui::dialogs::{Answer, Confirm, Dialog, Form, FormKind, Pick, Picker, TypedConfirm};
use crate::tui::store::Store;
use crate::tui::widgets::list::{FilterList, ListView};
use ratatui::Frame;
use ratatui::layout::Rect;

/// How long a revealed value stays on screen.
pub const REVEAL_MILLIS: u64 = 10_000;

pub fn key_haystack(k: &ApiKey) -> String {
    format!("{} {} {} {}", k.name, k.id, k.customer_id.as_deref().unwrap_or(""), k.region)
}

/// Show `id`'s value unmasked for a while (a key's, or an app client's secret the caller put in
/// `reveal`); a later reveal has its own timer.
pub fn reveal(id: String, sh: &mut Shared) {
    let generation = sh.store.reveal.show(&id);
    sh.store.generations.keys += 1;
    let hide = crate::tui::jobs::done_later(jobs::HideValue { key: id, generation });
    sh.outbox.push(Command::After { millis: REVEAL_MILLIS, message: Box::new(hide) });
}

/// Put a value on the clipboard (OSC 52) and clear it later, unless something else was copied since.
pub fn copy(value: Secret, sh: &mut Shared) {
    sh.store.clipboard.generation += 1;
    sh.store.clipboard.pending = true;
    let clear = crate::tui::jobs::done_later(jobs::ClearClipboard { generation: sh.store.clipboard.generation });
    sh.outbox.push(Command::Clipboard(value));
    let secs = sh.store.connection.clipboard_clear_secs;
    sh.outbox.push(Command::After { millis: secs * 1000, message: Box::new(clear) });
    sh.info(format!("copied to the clipboard (OSC 52); cleared in {secs} s"));
}

/// A change finished: say so, show a new key's value (once), and reload keys and plans.
pub fn finish_change(description: String, result: Result<Option<CreatedKey>, String>, sh: &mut Shared) {
    match result {
        Ok(created) => {
            sh.info(format!("done: {description}"));
            load_keys(sh);
            load_plans(sh);
            sh.show.extend(created.map(|c| Show::NewKey { name: c.key.name.clone(), value: c.value }));
        }
        Err(e) => sh.error(e),
    }
}

#[derive(Debug)]
pub struct KeysScreen {
    pub list: FilterList,
}

impl KeysScreen {
    /// The keys screen filtered to `filter`; keys (and plan names for the PLANS column and
    /// the pickers) load if they are not there.
    pub fn open(sh: &mut Shared, filter: &str) -> Box<dyn Screen> {
        ensure_keys(sh);
        ensure_plans(sh);
        let mut screen = KeysScreen { list: FilterList::with_filter(filter) };
        screen.sync(sh);
        Box::new(screen)
    }

    pub fn keys<'a>(&'a self, store: &'a Store) -> impl Iterator<Item = &'a ApiKey> + 'a {
        let all = store.keys.loaded().map(Vec::as_slice).unwrap_or_default();
        self.list.indices().map(move |i| &all[i])
    }

    fn selected<'a>(&self, store: &'a Store) -> Option<&'a ApiKey> {
        store.keys.loaded()?.get(self.list.selected()?)
    }

    /// Read-only mode is enforced by the AWS layer; saying so here saves a round trip.
    fn writable(sh: &mut Shared) -> bool {
        if sh.store.connection.read_only {
            sh.error("read-only mode: keys cannot be changed (--read-only)");
            return false;
        }
        if sh.store.in_flight.key.is_some() {
            sh.error("a change is still in progress; wait for it to finish");
            return false;
        }
        true
    }

    fn create(&self, sh: &mut Shared) -> Nav {
        if !Self::writable(sh) {
            return Nav::Stay;
        }
        let region = self.selected(&sh.store).map(|k| k.region.clone()).unwrap_or_else(|| sh.store.default_region());
        Nav::Dialog(Dialog::Form(new_key_form(region)))
    }

    fn toggle(&self, sh: &mut Shared) -> Nav {
        let Some(k) = self.selected(&sh.store).cloned() else { return Nav::Stay };
        if !Self::writable(sh) {
            return Nav::Stay;
        }
        let mutation = Mutation::SetEnabled { key_id: k.id.clone(), name: k.name.clone(), enabled: !k.enabled };
        Nav::Dialog(Dialog::Confirm(Confirm::new(mutation, k.region)))
    }

    fn delete(&self, sh: &mut Shared) -> Nav {
        let Some(k) = self.selected(&sh.store).cloned() else { return Nav::Stay };
        if !Self::writable(sh) {
            return Nav::Stay;
        }
        let mutation = Mutation::DeleteKey { key_id: k.id.clone(), name: k.name.clone() };
        Nav::Dialog(Dialog::TypedConfirm(TypedConfirm::new(mutation, k.region, k.name)))
    }

    /// The plans the key can be attached to (or detached from), in its region.
    fn pick_plan(&self, attach: Attach, sh: &mut Shared) -> Nav {
        let Some(k) = self.selected(&sh.store).cloned() else { return Nav::Stay };
        if !Self::writable(sh) {
            return Nav::Stay;
        }
        let plans = sh.store.plans.loaded().map(Vec::as_slice).unwrap_or_default();
        let options: Vec<(String, String)> = plans
            .iter()
            .filter(|p| p.region == k.region && p.account.id == k.account.id)
            .filter(|p| k.plan_ids.contains(&p.id) == (attach == Attach::Detach))
            .map(|p| (format!("{}  ({})", p.name, p.id), p.id.clone()))
            .collect();
        if options.is_empty() {
            let why = match attach {
                Attach::Attach => "no other usage plan to attach it to",
                Attach::Detach => "the key is in no usage plan",
            };
            sh.error(format!("{}: {why} (plans load with :plans)", k.name));
            return Nav::Stay;
        }
        let pick = match attach {
            Attach::Attach => Pick::Attach { key_id: k.id, region: k.region },
            Attach::Detach => Pick::Detach { key_id: k.id, region: k.region },
        };
        Nav::Dialog(Dialog::Picker(Picker::new(pick, options, 0)))
    }

    fn reveal(&self, sh: &mut Shared) -> Nav {
        let Some(k) = self.selected(&sh.store).cloned() else { return Nav::Stay };
        if k.value.is_none() {
            let reload = sh.keys(Context::Keys, Action::Refresh);
            sh.error(format!("the value is not loaded ({reload} reloads keys)"));
            return Nav::Stay;
        }
        reveal(k.id, sh);
        Nav::Stay
    }

    fn copy_value(&self, sh: &mut Shared) -> Nav {
        if let Some(value) = self.selected(&sh.store).and_then(|k| k.value.clone()) {
            copy(value, sh);
        }
        Nav::Stay
    }

    /// Start a confirmed change (one at a time).
    fn change(mutation: Mutation, region: String, sh: &mut Shared) -> Nav {
        sh.info(format!("{}…", mutation.describe()));
        // The key's own account (a new key goes to the credentials' own).
        let account = mutation.key_id().and_then(|id| sh.store.key(id)).and_then(|k| k.account.id.clone());
        let request = crate::tui::jobs::start(sh, jobs::Mutate { mutation, region, account });
        sh.store.in_flight.key = Some(request);
        Nav::Stay
    }

    fn submitted(form: Form, sh: &mut Shared) -> Nav {
        let FormKind::NewKey { region } = form.kind.clone() else { return Nav::Stay };
        let _ = sh;
        match new_key(&form) {
            Ok(new) => Nav::Dialog(Dialog::Confirm(Confirm::new(Mutation::CreateKey(new), region))),
            Err(e) => Nav::Dialog(Dialog::Form(form.with_error(e))),
        }
    }
}

/// Attach or detach, for the plan picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attach {
    Attach,
    Detach,
}

/// The create-key form: name, customer id, description, plan ids (comma-separated), enabled.
pub fn new_key_form(region: String) -> Form {
    Form {
        kind: FormKind::NewKey { region },
        fields: vec![
            Form::text("name", ""),
            Form::text("customer id", ""),
            Form::text("description", ""),
            Form::text("plan ids", ""),
            Form::check("enabled", true),
        ],
        focus: 0,
        error: None,
        label_width: 12,
        notes: vec![],
        toggles: " enabled · plan ids comma-separated",
        submit: "reviews",
    }
}

/// The key the form describes, or what is missing.
pub fn new_key(form: &Form) -> Result<NewKey, String> {
    let name = form.value(0).trim();
    if name.is_empty() {
        return Err("a name is required".into());
    }
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let plans = form.value(3).split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(String::from);
    Ok(NewKey {
        name: name.to_string(),
        customer_id: opt(form.value(1)),
        description: opt(form.value(2)),
        plan_ids: plans.collect(),
        enabled: form.chosen(4) == 1,
    })
}

impl Screen for KeysScreen {
    fn title(&self) -> String {
        "keys".into()
    }

    fn context(&self) -> Context {
        Context::Keys
    }

    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav {
        if self.list.apply(action) {
            return Nav::Stay;
        }
        match action {
            Action::Create => self.create(sh),
            Action::Toggle => self.toggle(sh),
            Action::Attach => self.pick_plan(Attach::Attach, sh),
            Action::Detach => self.pick_plan(Attach::Detach, sh),
            Action::Delete => self.delete(sh),
            Action::Reveal => self.reveal(sh),
            Action::Copy => self.copy_value(sh),
            Action::Refresh => {
                load_keys(sh);
                Nav::Stay
            }
            _ => Nav::Unused,
        }
    }

    fn on_answer(&mut self, answer: Answer, sh: &mut Shared) -> Nav {
        match answer {
            Answer::Confirmed { mutation, region } => Self::change(mutation, region, sh),
            Answer::Picked { pick: Pick::Attach { key_id, region }, value } => {
                Nav::Dialog(Dialog::Confirm(Confirm::new(Mutation::Attach { key_id, plan_id: value }, region)))
            }
            Answer::Picked { pick: Pick::Detach { key_id, region }, value } => {
                Nav::Dialog(Dialog::Confirm(Confirm::new(Mutation::Detach { key_id, plan_id: value }, region)))
            }
            Answer::Submitted(form) => Self::submitted(form, sh),
            Answer::Picked { pick: Pick::AuditSource, .. } | Answer::Reviewed(_) | Answer::Body(_) => Nav::Stay,
        }
    }

    fn sync(&mut self, sh: &mut Shared) -> Nav {
        let keys = sh.store.keys.loaded().map(Vec::as_slice).unwrap_or_default();
        self.list.sync(sh.store.generations.keys, || keys.iter().map(key_haystack).collect());
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
        self.selected(store).map(|k| (k.id.clone(), String::new()))
    }

    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint) {
        draw::draw(self, frame, area, p);
    }
}
