//! The controller: owns the state, takes Messages, turns keys into Actions, queues commands.
//! It never awaits: commands go to the outbox and the loop hands them to the worker.

use super::action::{Action, Context};
use super::keymap::Keymap;
use super::message::Message;
use super::state::{
    ApiRef, AppState, DetailData, ListView, Loadable, Mode, Pane, Screen, Status, complete_command, fuzzy_filter,
};
use super::theme::Styles;
use super::views;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::Frame;

pub struct App {
    pub state: AppState,
    pub keymap: Keymap,
    pub styles: Styles,
    /// Commands waiting for the worker.
    pub outbox: Vec<Message>,
    pub quit: bool,
    /// Rows in the last drawn list, for page up/down.
    pub page: usize,
}

impl App {
    pub fn new(state: AppState, keymap: Keymap, styles: Styles) -> App {
        App { state, keymap, styles, outbox: vec![], quit: false, page: 10 }
    }

    /// First load.
    pub fn start(&mut self) {
        self.load_apis();
    }

    pub fn draw(&mut self, frame: &mut Frame) {
        self.page = views::draw(frame, &mut self.state, &self.styles, &self.keymap).max(1);
    }

    pub fn take_commands(&mut self) -> Vec<Message> {
        std::mem::take(&mut self.outbox)
    }

    pub fn handle(&mut self, msg: Message) {
        match msg {
            Message::Key(key) => self.on_key(key),
            Message::Mouse(m) => self.on_mouse(m),
            Message::Resize => {}
            Message::Tick => self.state.tick = self.state.tick.wrapping_add(1),
            Message::Terminate => self.quit = true,
            Message::ApisLoaded { request, result, at } => self.on_apis(request, result, at),
            Message::ApiDetailLoaded { request, api, result } => self.on_detail(request, api, result),
            Message::DocsLoaded { request, api, stage, result } => self.on_docs(request, api, stage, result),
            Message::Warning(w) => self.state.status = Some(Status::Error(w)),
            Message::PlansLoaded { request, result } => self.on_plans(request, result),
            Message::KeysLoaded { request, result } => self.on_keys(request, result),
            Message::UsageLoaded { request, plan, result } => self.on_usage(request, plan, result),
            Message::Mutated { request, description, result } => self.on_mutated(request, description, result),
            Message::HideValue { key, generation } => self.on_hide(key, generation),
            Message::ClearClipboard { generation } => self.on_clear_clipboard(generation),
            Message::AuditOpened { request, result, problems } => self.on_audit_opened(request, result, problems),
            Message::AuditPageLoaded { request, pages } => self.on_audit_page(request, pages),
            Message::TrailsLoaded { request, result } => self.on_trails(request, result),
            cmd if cmd.is_command() => self.outbox.push(cmd),
            _ => {}
        }
    }

    // ---------- results ----------

    fn on_apis(&mut self, request: u64, result: Result<Vec<crate::domain::Api>, String>, at: String) {
        let fresh = if self.state.apis_refresh == Some(request) {
            self.state.apis_refresh = None;
            match result {
                Ok(apis) => {
                    self.state.apis = Loadable::Loaded(apis);
                    // Methods and docs may have changed too: load them again when next opened.
                    self.state.details.retain(|_, l| l.is_loading());
                    self.state.docs.retain(|_, l| l.is_loading());
                    true
                }
                Err(e) => return self.state.status = Some(Status::Error(format!("refresh failed: {e}"))),
            }
        } else {
            let ok = result.is_ok();
            self.state.apis.accept(request, result) && ok
        };
        if fresh {
            self.state.last_refresh = Some(at);
        }
        self.state.refresh_api_rows();
    }

    fn on_detail(&mut self, request: u64, api: ApiRef, result: Result<DetailData, String>) {
        if let Some(entry) = self.state.details.get_mut(&api) {
            entry.accept(request, result);
        }
    }

    fn on_docs(
        &mut self,
        request: u64,
        api: ApiRef,
        stage: String,
        result: Result<Vec<crate::openapi::DocLine>, String>,
    ) {
        if let Some(entry) = self.state.docs.get_mut(&(api, stage)) {
            entry.accept(request, result);
        }
    }

    // ---------- commands ----------

    fn load_apis(&mut self) {
        let request = self.state.request_id();
        // A refresh keeps the loaded list on screen (the header shows the spinner).
        if self.state.apis.loaded().is_some() {
            self.state.apis_refresh = Some(request);
        } else {
            self.state.apis = Loadable::Loading { request };
        }
        self.outbox.push(Message::LoadApis { request });
    }

    pub(crate) fn load_detail(&mut self, api_ref: &ApiRef, force: bool) {
        let Some(api) = self.state.api(api_ref).cloned() else { return };
        let entry = self.state.details.entry(api_ref.clone()).or_default();
        if !force && matches!(entry, Loadable::Loaded(_) | Loadable::Loading { .. }) {
            return;
        }
        let request = self.state.request_id();
        self.state.details.insert(api_ref.clone(), Loadable::Loading { request });
        self.outbox.push(Message::LoadApiDetail { request, api: Box::new(api) });
    }

    fn load_docs(&mut self, api_ref: &ApiRef, stage: &str, force: bool) {
        let Some(api) = self.state.api(api_ref).cloned() else { return };
        let key = (api_ref.clone(), stage.to_string());
        let loaded = matches!(self.state.docs.get(&key), Some(Loadable::Loaded(_) | Loadable::Loading { .. }));
        if loaded && !force {
            return;
        }
        let request = self.state.request_id();
        self.state.docs.insert(key, Loadable::Loading { request });
        self.outbox.push(Message::LoadDocs { request, api: Box::new(api), stage: stage.to_string() });
    }

    // ---------- input ----------

    fn on_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            // Raw mode turns ctrl-c into a key: it quits from any mode.
            self.quit = true;
            return;
        }
        if self.state.modal.is_some() {
            return self.on_modal_key(key);
        }
        match self.state.mode.clone() {
            Mode::Filter => self.on_filter_key(key),
            Mode::Command(input) => self.on_command_key(key, input),
            Mode::Normal => {
                if let Some(action) = self.keymap.action(self.context(), &key) {
                    self.on_action(action);
                }
            }
        }
    }

    fn on_mouse(&mut self, m: MouseEvent) {
        match m.kind {
            MouseEventKind::ScrollUp => self.move_by(-3),
            MouseEventKind::ScrollDown => self.move_by(3),
            _ => {}
        }
    }

    pub fn context(&self) -> Context {
        match self.state.screen() {
            Screen::ApiList | Screen::NotBuilt { .. } => Context::List,
            Screen::ApiDetail { .. } => Context::Detail,
            Screen::Stage { .. } | Screen::Docs { .. } => Context::Docs,
            Screen::Help { .. } => Context::Help,
            Screen::Plans { .. } | Screen::PlanDetail { .. } => Context::Plans,
            Screen::Keys { .. } => Context::Keys,
            Screen::Audit { .. } | Screen::AuditEvent { .. } => Context::Audit,
        }
    }

    fn on_action(&mut self, action: Action) {
        self.state.status = None;
        match action {
            Action::Quit => self.quit = true,
            Action::Back => self.back(),
            Action::Select => self.select(),
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-(self.page as isize)),
            Action::PageDown => self.move_by(self.page as isize),
            Action::Top => self.move_by(isize::MIN / 2),
            Action::Bottom => self.move_by(isize::MAX / 2),
            Action::Left | Action::PrevPane => self.switch_pane(),
            Action::Right | Action::NextPane => self.switch_pane(),
            Action::Filter => self.start_filter(),
            Action::Command => self.state.mode = Mode::Command(String::new()),
            Action::Help => self.open_help(),
            Action::Refresh => self.refresh(),
            Action::SortNext => self.sort(false),
            Action::SortReverse => self.sort(true),
            Action::OpenDocs => self.open_docs(),
            Action::Create => self.create_key(),
            Action::Toggle => self.toggle_key(),
            Action::Attach => self.pick_plan(true),
            Action::Detach => self.pick_plan(false),
            Action::Delete => self.delete_key(),
            Action::Reveal => self.reveal(),
            Action::Copy => self.copy_value(),
            Action::Audit => self.pivot_to_audit(),
            Action::Jump => self.jump_to_touched(),
            Action::EditFilters => self.edit_audit_filters(),
            Action::PickSource => self.pick_audit_source(),
            Action::ToggleErrors => self.toggle_audit_errors(),
        }
    }

    fn back(&mut self) {
        if self.state.stack.len() > 1 {
            self.state.stack.pop();
        } else if self.current_list().is_some_and(|l| !l.filter.is_empty()) {
            self.set_filter(String::new());
        }
    }

    fn select(&mut self) {
        match self.state.screen().clone() {
            Screen::ApiList => self.open_selected_api(),
            Screen::ApiDetail { api, pane: Pane::Stages, stages, .. } => self.open_stage(&api, &stages),
            screen @ (Screen::Plans { .. } | Screen::PlanDetail { .. }) => self.select_plan_row(&screen),
            Screen::Audit { .. } | Screen::AuditEvent { .. } => self.audit_select(),
            _ => {}
        }
    }

    pub(crate) fn open_selected_api(&mut self) {
        let Some(api) = self.state.selected_api() else { return };
        let api_ref = ApiRef { region: api.region.clone(), id: api.id.clone() };
        self.push_api_detail(&api_ref);
    }

    /// Open an API's detail screen and load its methods or routes (once).
    pub(crate) fn push_api_detail(&mut self, api_ref: &ApiRef) {
        self.state.stack.push(Screen::ApiDetail {
            api: api_ref.clone(),
            pane: Pane::Resources,
            resources: ListView::default(),
            stages: ListView::default(),
        });
        self.load_detail(api_ref, false);
    }

    fn open_stage(&mut self, api_ref: &ApiRef, view: &ListView) {
        let Some(a) = self.state.api(api_ref) else { return };
        let shown = views::detail::filtered_stages(a, &view.filter);
        let Some(stage) = shown.get(view.selected).and_then(|i| a.stages.get(*i)) else { return };
        let screen = Screen::Stage { api: api_ref.clone(), stage: stage.name.clone(), scroll: 0 };
        self.state.stack.push(screen);
    }

    fn open_docs(&mut self) {
        let (api_ref, stage_index) = match self.state.screen() {
            Screen::ApiList => match self.state.selected_api() {
                Some(a) => (ApiRef { region: a.region.clone(), id: a.id.clone() }, 0),
                None => return,
            },
            Screen::ApiDetail { api, pane, stages, .. } => {
                let selected = match (pane, self.state.api(api)) {
                    (Pane::Stages, Some(a)) => {
                        views::detail::filtered_stages(a, &stages.filter).get(stages.selected).copied()
                    }
                    _ => None,
                };
                (api.clone(), selected.unwrap_or(0))
            }
            Screen::Stage { api, stage, .. } => {
                let i = self.state.api(api).and_then(|a| a.stages.iter().position(|s| &s.name == stage)).unwrap_or(0);
                (api.clone(), i)
            }
            _ => return,
        };
        let Some(stage) = self.state.api(&api_ref).and_then(|a| a.stages.get(stage_index)).map(|s| s.name.clone())
        else {
            self.state.status = Some(Status::Error(
                "this API has no deployed stage: its documentation is exported from a stage".into(),
            ));
            return;
        };
        self.state.stack.push(Screen::Docs { api: api_ref.clone(), stage: stage.clone(), view: ListView::default() });
        self.load_docs(&api_ref, &stage, false);
    }

    fn open_help(&mut self) {
        if !matches!(self.state.screen(), Screen::Help { .. }) {
            self.state.stack.push(Screen::Help { view: ListView::default() });
        }
    }

    fn refresh(&mut self) {
        match self.state.screen().clone() {
            Screen::ApiDetail { api, .. } => self.load_detail(&api, true),
            Screen::Docs { api, stage, .. } => self.load_docs(&api, &stage, true),
            Screen::Plans { .. } | Screen::PlanDetail { .. } | Screen::Keys { .. } => self.refresh_access(),
            Screen::Audit { .. } | Screen::AuditEvent { .. } => self.refresh_audit(),
            _ => self.load_apis(),
        }
    }

    fn sort(&mut self, reverse: bool) {
        if !matches!(self.state.screen(), Screen::ApiList) {
            return;
        }
        if reverse {
            self.state.api_view.sort_reverse = !self.state.api_view.sort_reverse;
        } else {
            self.state.api_sort = self.state.api_sort.next();
        }
        self.state.refresh_api_rows();
    }

    fn switch_pane(&mut self) {
        if let Screen::ApiDetail { pane, .. } = self.state.screen_mut() {
            *pane = if *pane == Pane::Resources { Pane::Stages } else { Pane::Resources };
        }
    }

    fn move_by(&mut self, delta: isize) {
        let len = self.current_len();
        if let Screen::Stage { scroll, .. } = self.state.screen_mut() {
            *scroll = scroll.saturating_add_signed(delta).min(len.saturating_sub(1));
            return;
        }
        let Some(list) = self.current_list() else { return };
        if delta < 0 {
            list.up(delta.unsigned_abs());
        } else {
            list.down(delta as usize, len);
        }
        if matches!(self.state.screen(), Screen::Audit { .. }) {
            self.maybe_more_audit(true);
        }
    }

    /// The list the current screen scrolls and filters.
    fn current_list(&mut self) -> Option<&mut ListView> {
        let state = &mut self.state;
        if matches!(state.stack.last(), Some(Screen::ApiList) | None) {
            return Some(&mut state.api_view);
        }
        match state.screen_mut() {
            Screen::ApiDetail { pane: Pane::Resources, resources, .. } => Some(resources),
            Screen::ApiDetail { pane: Pane::Stages, stages, .. } => Some(stages),
            Screen::Docs { view, .. } | Screen::Help { view } => Some(view),
            Screen::Plans { view } | Screen::PlanDetail { view, .. } | Screen::Keys { view } => Some(view),
            Screen::Audit { view } | Screen::AuditEvent { view, .. } => Some(view),
            _ => None,
        }
    }

    /// How many rows the current list has after filtering.
    fn current_len(&self) -> usize {
        let s = &self.state;
        match s.screen() {
            Screen::ApiList => s.api_rows.len(),
            Screen::ApiDetail { api, pane: Pane::Resources, resources, .. } => {
                views::detail::filtered_rows(s, api, &resources.filter).len()
            }
            Screen::ApiDetail { api, pane: Pane::Stages, stages, .. } => {
                s.api(api).map_or(0, |a| views::detail::filtered_stages(a, &stages.filter).len())
            }
            Screen::Stage { api, stage, .. } => views::stage::lines(s, api, stage).len(),
            Screen::Docs { api, stage, view } => views::docs::filtered(s, api, stage, &view.filter).len(),
            Screen::Help { view } => views::help::filtered(&self.keymap, &view.filter).len(),
            Screen::NotBuilt { .. } => 0,
            Screen::Plans { view } => s.filtered_plans(&view.filter).len(),
            Screen::PlanDetail { plan, view } => s.plan_rows(plan, &view.filter).len(),
            Screen::Keys { view } => s.filtered_keys(&view.filter).len(),
            Screen::Audit { view } => views::audit::list_len(s, &view.filter),
            Screen::AuditEvent { id, folded, .. } => views::audit::event_len(s, id, folded),
        }
    }

    // ---------- filter ----------

    fn start_filter(&mut self) {
        if self.current_list().is_some() {
            self.state.mode = Mode::Filter;
        }
    }

    fn set_filter(&mut self, filter: String) {
        if let Some(list) = self.current_list() {
            list.set_filter(filter);
        }
        if matches!(self.state.screen(), Screen::ApiList) {
            self.state.refresh_api_rows();
        }
    }

    fn on_filter_key(&mut self, key: KeyEvent) {
        let current = self.current_list().map(|l| l.filter.clone()).unwrap_or_default();
        match key.code {
            KeyCode::Esc => {
                self.set_filter(String::new());
                self.state.mode = Mode::Normal;
            }
            KeyCode::Enter => self.state.mode = Mode::Normal,
            KeyCode::Up => self.move_by(-1),
            KeyCode::Down => self.move_by(1),
            KeyCode::Backspace => self.set_filter(pop(current)),
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => self.set_filter(String::new()),
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.set_filter(current + &c.to_string())
            }
            _ => {}
        }
    }

    // ---------- command line ----------

    fn on_command_key(&mut self, key: KeyEvent, input: String) {
        match key.code {
            KeyCode::Esc => self.state.mode = Mode::Normal,
            KeyCode::Enter => {
                self.state.mode = Mode::Normal;
                self.run_command(input.trim());
            }
            KeyCode::Tab => {
                let done = complete_command(&input).first().map(|s| s.to_string()).unwrap_or(input);
                self.state.mode = Mode::Command(done);
            }
            KeyCode::Backspace if input.is_empty() => self.state.mode = Mode::Normal,
            KeyCode::Backspace => self.state.mode = Mode::Command(pop(input)),
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.state.mode = Mode::Command(input + &c.to_string())
            }
            _ => {}
        }
    }

    /// `:name`: jump to a screen (a unique prefix is enough).
    pub fn run_command(&mut self, input: &str) {
        let matches = complete_command(input);
        let name = match (matches.as_slice(), input) {
            (_, "") => return,
            (_, "q" | "q!") => "quit",
            ([one], _) => one,
            (many, _) if many.contains(&input) => input,
            ([], _) => {
                return self.state.status =
                    Some(Status::Error(format!("unknown command `:{input}`; try :apis, :help")));
            }
            (many, _) => {
                return self.state.status =
                    Some(Status::Error(format!("`:{input}` is ambiguous: {}", many.join(", "))));
            }
        };
        match name {
            "quit" => self.quit = true,
            "help" => self.open_help(),
            "apis" => self.state.stack = vec![Screen::ApiList],
            "plans" => self.open_plans(),
            "audit" => self.open_audit(),
            "keys" => {
                self.state.stack = vec![Screen::ApiList];
                self.open_keys("");
            }
            other => self.state.stack.push(Screen::NotBuilt { name: other.to_string() }),
        }
    }
}

fn pop(mut s: String) -> String {
    s.pop();
    s
}

/// Used by views and the controller alike: rows of a filtered list.
pub fn filter_indices<'a>(filter: &str, items: impl Iterator<Item = &'a str>) -> Vec<usize> {
    fuzzy_filter(filter, items)
}
