//! The controller's part for usage plans, API keys and their dialogs.

use super::app::App;
use super::message::Message;
use super::state::{ListView, Loadable, Modal, PlanRow, Screen, Status, TextForm};
use crate::domain::{ApiKey, CreatedKey, Mutation, Secret, Usage, UsagePlan};
use crossterm::event::{KeyCode, KeyEvent};

/// What a key does in a picker dialog.
pub(crate) enum Pick {
    Cancel,
    Choose,
    /// Moved, or a key the picker ignores.
    Stay,
}

/// up/k and down/j move `selected` among `len` options; enter chooses; esc cancels.
pub(crate) fn pick(key: &KeyEvent, selected: &mut usize, len: usize) -> Pick {
    match key.code {
        KeyCode::Esc => return Pick::Cancel,
        KeyCode::Enter => return Pick::Choose,
        KeyCode::Up | KeyCode::Char('k') => *selected = selected.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => *selected = (*selected + 1).min(len.saturating_sub(1)),
        _ => {}
    }
    Pick::Stay
}

/// What a key does in a form dialog.
pub(crate) enum Edit {
    Cancel,
    Submit,
    /// Moved or typed.
    Stay,
}

/// tab/down and shift-tab/up move the focus, typing and backspace edit it, enter submits, esc cancels.
pub(crate) fn edit(key: &KeyEvent, form: &mut impl TextForm) -> Edit {
    match key.code {
        KeyCode::Esc => return Edit::Cancel,
        KeyCode::Enter => return Edit::Submit,
        KeyCode::Tab | KeyCode::Down => form.next(),
        KeyCode::BackTab | KeyCode::Up => form.prev(),
        KeyCode::Backspace => form.backspace(),
        KeyCode::Char(c) => form.type_char(c),
        _ => {}
    }
    Edit::Stay
}

/// How long a revealed value stays on screen.
pub const REVEAL_MILLIS: u64 = 10_000;

impl App {
    // ---------- screens ----------

    pub(crate) fn open_plans(&mut self) {
        self.state.stack = vec![Screen::ApiList, Screen::Plans { view: ListView::default() }];
        if matches!(self.state.plans, Loadable::NotLoaded | Loadable::Failed(_)) {
            self.load_plans();
        }
        if self.state.keys.loaded().is_none() && !self.state.keys.is_loading() {
            self.load_keys();
        }
    }

    pub(crate) fn open_keys(&mut self, filter: &str) {
        let mut view = ListView::default();
        view.set_filter(filter.to_string());
        self.state.stack.push(Screen::Keys { view });
        if matches!(self.state.keys, Loadable::NotLoaded | Loadable::Failed(_)) {
            self.load_keys();
        }
        // Plan names for the PLANS column and the attach/detach picker.
        if matches!(self.state.plans, Loadable::NotLoaded | Loadable::Failed(_)) {
            self.load_plans();
        }
    }

    pub(crate) fn load_plans(&mut self) {
        let request = self.state.request_id();
        self.state.plans = Loadable::Loading { request };
        self.outbox.push(Message::LoadPlans { request });
    }

    pub(crate) fn load_keys(&mut self) {
        let request = self.state.request_id();
        self.state.keys = Loadable::Loading { request };
        self.outbox.push(Message::LoadKeys { request });
    }

    pub(crate) fn load_usage(&mut self, plan: &UsagePlan) {
        let request = self.state.request_id();
        self.state.usage.insert(plan.id.clone(), Loadable::Loading { request });
        self.outbox.push(Message::LoadUsage { request, plan: plan.id.clone(), region: plan.region.clone() });
    }

    pub(crate) fn select_plan_row(&mut self, screen: &Screen) {
        match screen {
            Screen::Plans { view } => self.open_plan(view),
            Screen::PlanDetail { plan, view } => self.open_plan_row(plan, view),
            _ => {}
        }
    }

    fn open_plan(&mut self, view: &ListView) {
        let Some(plan) = self.state.filtered_plans(&view.filter).get(view.selected).map(|p| (*p).clone()) else {
            return;
        };
        self.state.stack.push(Screen::PlanDetail { plan: plan.id.clone(), view: ListView::default() });
        self.load_usage(&plan);
    }

    /// A stage row jumps to its API in the catalog; a key row to the key on the keys screen.
    fn open_plan_row(&mut self, plan_id: &str, view: &ListView) {
        let rows = self.state.plan_rows(plan_id, &view.filter);
        match rows.get(view.selected) {
            Some(PlanRow::Stage(i)) => self.jump_to_api(plan_id, *i),
            Some(PlanRow::Key(k)) => self.open_keys(&k.clone()),
            None => {}
        }
    }

    fn jump_to_api(&mut self, plan_id: &str, stage: usize) {
        let Some(s) = self.state.plan(plan_id).and_then(|p| p.api_stages.get(stage)).cloned() else { return };
        let found = self.state.apis.loaded().and_then(|apis| apis.iter().find(|a| a.id == s.api_id)).cloned();
        match found {
            Some(api) => {
                self.state.stack = vec![Screen::ApiList];
                self.state.api_view.set_filter(String::new());
                self.state.refresh_api_rows();
                if let Some(pos) = self
                    .state
                    .api_rows
                    .iter()
                    .position(|&i| self.state.apis.loaded().is_some_and(|a| a[i].id == api.id))
                {
                    self.state.api_view.selected = pos;
                }
                self.open_selected_api();
            }
            None => {
                self.state.status =
                    Some(Status::Error(format!("API {} is not in the catalog (ctrl-r on :apis reloads it)", s.api_id)))
            }
        }
    }

    pub(crate) fn refresh_access(&mut self) {
        let screen = self.state.screen().clone();
        match screen {
            Screen::Keys { .. } => self.load_keys(),
            Screen::PlanDetail { plan, .. } => {
                self.load_plans();
                if let Some(p) = self.state.plan(&plan).cloned() {
                    self.load_usage(&p);
                }
            }
            _ => self.load_plans(),
        }
    }

    // ---------- results ----------

    pub(crate) fn on_plans(&mut self, request: u64, result: Result<Vec<UsagePlan>, String>) {
        self.state.plans.accept(request, result);
    }

    pub(crate) fn on_keys(&mut self, request: u64, result: Result<Vec<ApiKey>, String>) {
        self.state.keys.accept(request, result);
    }

    pub(crate) fn on_usage(&mut self, request: u64, plan: String, result: Result<Usage, String>) {
        if let Some(entry) = self.state.usage.get_mut(&plan) {
            entry.accept(request, result);
        }
    }

    pub(crate) fn on_mutated(&mut self, request: u64, description: String, result: Result<Option<CreatedKey>, String>) {
        if self.state.mutating != Some(request) {
            return;
        }
        self.state.mutating = None;
        match result {
            Ok(created) => {
                self.state.status = Some(Status::Info(format!("done: {description}")));
                if let Some(c) = created {
                    self.state.modal = Some(Modal::ShowValue { name: c.key.name.clone(), value: c.value });
                }
                self.load_keys();
                self.load_plans();
            }
            Err(e) => self.state.status = Some(Status::Error(e)),
        }
    }

    /// Hide, unless the value was revealed again since (that reveal has its own timer).
    pub(crate) fn on_hide(&mut self, key: String, generation: u64) {
        if self.state.revealed.as_deref() == Some(key.as_str()) && generation == self.state.reveal_generation {
            self.state.revealed = None;
        }
    }

    /// Clear the clipboard only if nothing was copied through portcullis since.
    pub(crate) fn on_clear_clipboard(&mut self, generation: u64) {
        if generation == self.state.clipboard_generation {
            self.state.clipboard_pending = false;
            self.outbox.push(Message::Clipboard(Secret::new("")));
        }
    }

    // ---------- key actions ----------

    fn selected_key(&self) -> Option<ApiKey> {
        let Screen::Keys { view } = self.state.screen() else { return None };
        self.state.filtered_keys(&view.filter).get(view.selected).map(|k| (*k).clone())
    }

    /// Read-only mode is enforced by the AWS layer; saying so here saves a round trip. One change
    /// at a time, so no result (a new key's value, a rollback warning) is ever dropped.
    fn writable(&mut self) -> bool {
        if self.state.connection.read_only {
            self.state.status = Some(Status::Error("read-only mode: keys cannot be changed (--read-only)".into()));
            return false;
        }
        if self.state.mutating.is_some() {
            self.state.status = Some(Status::Error("a change is still in progress; wait for it to finish".into()));
            return false;
        }
        true
    }

    pub(crate) fn create_key(&mut self) {
        if !matches!(self.state.screen(), Screen::Keys { .. }) || !self.writable() {
            return;
        }
        let region = self.default_region();
        self.state.modal = Some(Modal::CreateForm { form: super::state::KeyForm::new(), region });
    }

    /// Where a new key goes: the selected key's region, else a loaded plan's or API's, else the
    /// first region named on the command line.
    fn default_region(&self) -> String {
        let s = &self.state;
        self.selected_key()
            .map(|k| k.region)
            .or_else(|| s.plans.loaded().and_then(|p| p.first()).map(|p| p.region.clone()))
            .or_else(|| s.apis.loaded().and_then(|a| a.first()).map(|a| a.region.clone()))
            .unwrap_or_else(|| s.connection.regions.split(',').next().unwrap_or_default().to_string())
    }

    pub(crate) fn toggle_key(&mut self) {
        let Some(k) = self.selected_key() else { return };
        if self.writable() {
            let mutation = Mutation::SetEnabled { key_id: k.id.clone(), name: k.name.clone(), enabled: !k.enabled };
            self.state.modal = Some(Modal::Confirm { mutation, region: k.region });
        }
    }

    pub(crate) fn delete_key(&mut self) {
        let Some(k) = self.selected_key() else { return };
        if self.writable() {
            let mutation = Mutation::DeleteKey { key_id: k.id.clone(), name: k.name.clone() };
            self.state.modal =
                Some(Modal::TypedConfirm { mutation, region: k.region, expected: k.name, input: String::new() });
        }
    }

    pub(crate) fn pick_plan(&mut self, attach: bool) {
        let Some(k) = self.selected_key() else { return };
        if !self.writable() {
            return;
        }
        let plans = self.state.plans.loaded().cloned().unwrap_or_default();
        let options: Vec<(String, String)> = plans
            .iter()
            .filter(|p| p.region == k.region && k.plan_ids.contains(&p.id) != attach)
            .map(|p| (p.id.clone(), p.name.clone()))
            .collect();
        if options.is_empty() {
            let why = if attach { "no other usage plan to attach it to" } else { "the key is in no usage plan" };
            self.state.status = Some(Status::Error(format!("{}: {why} (plans load with :plans)", k.name)));
            return;
        }
        self.state.modal = Some(Modal::PickPlan { key_id: k.id, region: k.region, attach, options, selected: 0 });
    }

    pub(crate) fn reveal(&mut self) {
        let Some(k) = self.selected_key() else { return };
        if k.value.is_none() {
            self.state.status = Some(Status::Error("the value is not loaded (ctrl-r reloads keys)".into()));
            return;
        }
        self.state.revealed = Some(k.id.clone());
        self.state.reveal_generation += 1;
        let hide = Message::HideValue { key: k.id, generation: self.state.reveal_generation };
        self.outbox.push(Message::After { millis: REVEAL_MILLIS, message: Box::new(hide) });
    }

    pub(crate) fn copy_value(&mut self) {
        let Some(value) = self.selected_key().and_then(|k| k.value) else { return };
        self.copy(value);
    }

    fn copy(&mut self, value: Secret) {
        self.state.clipboard_generation += 1;
        self.state.clipboard_pending = true;
        let clear = Message::ClearClipboard { generation: self.state.clipboard_generation };
        self.outbox.push(Message::Clipboard(value));
        let secs = self.state.clipboard_clear_secs;
        self.outbox.push(Message::After { millis: secs * 1000, message: Box::new(clear) });
        self.state.status = Some(Status::Info(format!("copied to the clipboard (OSC 52); cleared in {secs} s")));
    }

    // ---------- dialogs ----------

    pub(crate) fn on_modal_key(&mut self, key: KeyEvent) {
        let Some(modal) = self.state.modal.take() else { return };
        self.state.modal = match modal {
            Modal::Confirm { mutation, region } => self.confirm_key(key, mutation, region),
            Modal::TypedConfirm { mutation, region, expected, input } => {
                self.typed_key(key, mutation, region, expected, input)
            }
            Modal::CreateForm { form, region } => self.form_key(key, form, region),
            Modal::PickPlan { key_id, region, attach, options, selected } => {
                self.pick_key(key, key_id, region, attach, options, selected)
            }
            Modal::ShowValue { name, value } => self.show_value_key(key, name, value),
            Modal::AuditFilter { form } => self.audit_filter_key(key, form),
            Modal::PickSource { options, selected } => self.pick_source_key(key, options, selected),
        };
    }

    fn confirm_key(&mut self, key: KeyEvent, mutation: Mutation, region: String) -> Option<Modal> {
        match key.code {
            KeyCode::Enter | KeyCode::Char('y') => self.start_mutation(mutation, region),
            KeyCode::Esc | KeyCode::Char('n') => None,
            _ => Some(Modal::Confirm { mutation, region }),
        }
    }

    fn typed_key(
        &mut self,
        key: KeyEvent,
        mutation: Mutation,
        region: String,
        expected: String,
        mut input: String,
    ) -> Option<Modal> {
        match key.code {
            KeyCode::Esc => return None,
            KeyCode::Enter if input == expected => return self.start_mutation(mutation, region),
            KeyCode::Enter => {
                self.state.status = Some(Status::Error("the name does not match: nothing was deleted".into()))
            }
            KeyCode::Backspace => {
                input.pop();
            }
            KeyCode::Char(c) => input.push(c),
            _ => {}
        }
        Some(Modal::TypedConfirm { mutation, region, expected, input })
    }

    fn form_key(&mut self, key: KeyEvent, mut form: super::state::KeyForm, region: String) -> Option<Modal> {
        match edit(&key, &mut form) {
            Edit::Cancel => return None,
            Edit::Submit => match form.to_new_key() {
                Ok(new) => return Some(Modal::Confirm { mutation: Mutation::CreateKey(new), region }),
                Err(e) => form.error = Some(e),
            },
            Edit::Stay => {}
        }
        Some(Modal::CreateForm { form, region })
    }

    fn pick_key(
        &mut self,
        key: KeyEvent,
        key_id: String,
        region: String,
        attach: bool,
        options: Vec<(String, String)>,
        mut selected: usize,
    ) -> Option<Modal> {
        match pick(&key, &mut selected, options.len()) {
            Pick::Cancel => None,
            Pick::Choose => {
                let plan_id = options.get(selected)?.0.clone();
                let mutation =
                    if attach { Mutation::Attach { key_id, plan_id } } else { Mutation::Detach { key_id, plan_id } };
                Some(Modal::Confirm { mutation, region })
            }
            Pick::Stay => Some(Modal::PickPlan { key_id, region, attach, options, selected }),
        }
    }

    fn show_value_key(&mut self, key: KeyEvent, name: String, value: Secret) -> Option<Modal> {
        match key.code {
            KeyCode::Char('c') => {
                self.copy(value.clone());
                Some(Modal::ShowValue { name, value })
            }
            KeyCode::Esc | KeyCode::Enter => None,
            _ => Some(Modal::ShowValue { name, value }),
        }
    }

    fn start_mutation(&mut self, mutation: Mutation, region: String) -> Option<Modal> {
        let request = self.state.request_id();
        self.state.mutating = Some(request);
        self.state.status = Some(Status::Info(format!("{}…", mutation.describe())));
        self.outbox.push(Message::Mutate { request, mutation, region });
        None
    }
}
