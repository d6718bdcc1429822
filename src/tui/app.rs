//! The router: the navigation stack, the dialog stack, the shared store and the outbox. Keys
//! become Actions through the keymap and go to the top dialog or screen (what it does not use
//! is said on the status line); a job's output goes to the feature that asked (`Deliver`),
//! and what it asks to show opens as a dialog; what a screen returns (a [`Nav`]) is carried out
//! here. It never awaits: commands wait in the outbox until the loop hands them to the worker.

use super::action::Action;
use super::chrome;
use super::command::Command;
use super::dialogs::{Dialog, Step};
use super::keymap::Keymap;
use super::message::Message;
pub use super::prompt::Mode;
use super::prompt::{self, Jump, Typed};
use super::screens::catalog::cache::CachedCatalog;
use super::screens::catalog::{self, CatalogScreen, load_apis};
use super::screens::{self, Nav, Screen, Shared, Target, keys, partners};
use super::store::Store;
use super::theme::Styles;
use super::widgets::text_input::TextInput;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};
use ratatui::Frame;

pub struct App {
    pub shared: Shared,
    /// The root (the API list) is always at the bottom.
    pub stack: Vec<Box<dyn Screen>>,
    pub dialogs: Vec<Dialog>,
    pub mode: Mode,
    pub styles: Styles,
    pub quit: bool,
}

impl App {
    pub fn new(store: Store, keymap: Keymap, styles: Styles) -> App {
        let stack: Vec<Box<dyn Screen>> = vec![Box::new(CatalogScreen::new())];
        App { shared: Shared::new(store, keymap), stack, dialogs: vec![], mode: Mode::Normal, styles, quit: false }
    }

    /// First load; a catalog kept from the last run shows at once while it refreshes.
    pub fn start(&mut self) {
        load_apis(&mut self.shared);
        self.sync();
    }

    pub fn start_cached(&mut self, cached: Option<CachedCatalog>) {
        catalog::show_cached(cached, &mut self.shared);
        self.start();
    }

    pub fn take_commands(&mut self) -> Vec<Command> {
        std::mem::take(&mut self.shared.outbox)
    }

    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    /// Is anything loading, shared or a screen's own (the header's spinner turns)?
    pub fn busy(&self) -> bool {
        self.shared.store.busy() || self.stack.iter().any(|s| s.busy())
    }

    pub fn top(&self) -> &dyn Screen {
        self.stack.last().expect("the root screen is never popped").as_ref()
    }

    /// The top screen with the shared state, for a call that needs both.
    fn with_top<R>(&mut self, f: impl FnOnce(&mut dyn Screen, &mut Shared) -> R) -> R {
        let top = self.stack.last_mut().expect("the root screen is never popped");
        f(top.as_mut(), &mut self.shared)
    }

    /// The root screen (the API list), if it is a `T`.
    pub fn root<T: 'static>(&self) -> Option<&T> {
        self.stack[0].as_any().downcast_ref::<T>()
    }

    /// The top screen, if it is a `T`.
    pub fn screen<T: 'static>(&self) -> Option<&T> {
        self.top().as_any().downcast_ref::<T>()
    }

    pub fn draw(&self, frame: &mut Frame) {
        let view = chrome::View {
            stack: &self.stack,
            dialog: self.dialogs.last(),
            mode: &self.mode,
            status: self.shared.status.as_ref(),
        };
        chrome::draw(frame, &view, &self.shared.paint(&self.styles));
    }

    pub fn handle(&mut self, msg: Message) {
        let sh = &mut self.shared;
        match msg {
            Message::Key(key) => self.on_key(key),
            Message::Mouse(m) => self.on_mouse(m),
            Message::Resize => {} // the next draw fits the new size
            Message::Tick => sh.tick = sh.tick.wrapping_add(1),
            Message::Terminate => self.quit = true,
            Message::Done { request, output } => {
                let owners = self.stack.iter_mut().rev().map(|s| s.as_any_mut()).collect();
                output.deliver(request, &mut super::jobs::To::new(sh, owners));
            }
            Message::Warning(w) => sh.error(w),
        }
        self.show_pending();
        self.sync();
    }

    /// What results asked to show, each in its dialog, over whatever screen is on top.
    fn show_pending(&mut self) {
        for show in std::mem::take(&mut self.shared.show) {
            self.dialogs.push(Dialog::of(show));
        }
    }

    /// The top screen catches up with the store (and may move on, e.g. to open a picker).
    fn sync(&mut self) {
        for _ in 0..4 {
            let nav = self.with_top(|s, sh| s.sync(sh));
            if matches!(nav, Nav::Stay) {
                return;
            }
            self.navigate(nav);
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            // Raw mode turns ctrl-c into a key: whatever the keymap says, it always quits.
            self.quit = true;
            return;
        }
        if let Some(dialog) = self.dialogs.last_mut() {
            let action = self.shared.keymap.action(dialog.context(), &key);
            let step = dialog.on_key(key, action);
            return self.on_step(step);
        }
        if self.mode != Mode::Normal {
            let typed = self.mode.on_key(key, &self.shared.keymap);
            return self.on_typed(typed);
        }
        if let Some(action) = self.shared.keymap.action(self.top().context(), &key) {
            self.on_action(action);
        }
    }

    fn on_step(&mut self, step: Step) {
        match step {
            Step::Stay => {}
            Step::Close => _ = self.dialogs.pop(),
            Step::Refuse(why) => self.shared.error(why),
            Step::Copy(value) => keys::copy(value, &mut self.shared),
            // A reviewed partner change runs whatever screen is on top now (its plan may have
            // come back after the partners screens were left).
            Step::Answer(super::dialogs::Answer::Reviewed(change)) => {
                self.dialogs.pop();
                let nav = partners::start_change(*change, &mut self.shared);
                self.navigate(nav);
            }
            Step::Answer(answer) => {
                self.dialogs.pop();
                let nav = self.with_top(|s, sh| s.on_answer(answer, sh));
                if matches!(nav, Nav::Unused) {
                    // A dialog answers the screen that opened it: reaching another is a bug.
                    // (Not logged whole: a form's answer can hold what was typed.)
                    tracing::warn!("a dialog's answer reached no screen");
                    self.shared.error("that answer reached no screen (nothing was changed)");
                }
                self.navigate(nav);
            }
        }
    }

    /// The wheel scrolls three rows at a time (where nothing scrolls, it says nothing).
    fn on_mouse(&mut self, m: MouseEvent) {
        let up = m.kind == MouseEventKind::ScrollUp;
        if up || m.kind == MouseEventKind::ScrollDown {
            for _ in 0..3 {
                let action = if up { Action::Up } else { Action::Down };
                let nav = self.with_top(|s, sh| s.on_action(action, sh));
                if !matches!(nav, Nav::Unused) {
                    self.navigate(nav);
                }
            }
        }
    }

    /// An action for the top screen; where it says to go, the app goes. One it did not use is
    /// said on the status line (unless the screen said why).
    fn act_on_top(&mut self, action: Action) {
        let nav = self.with_top(|s, sh| s.on_action(action, sh));
        if matches!(nav, Nav::Unused) {
            self.unused(action);
        }
        self.navigate(nav);
    }

    fn unused(&mut self, action: Action) {
        if self.shared.status.is_none() {
            let help = self.shared.keys(super::action::Context::Global, Action::Help);
            let what = action.description();
            self.shared.info(format!("{what}: not here, or nothing selected ({help} lists this screen's keys)"));
        }
    }

    fn on_action(&mut self, action: Action) {
        self.shared.status = None;
        match action {
            Action::Quit => self.quit = true,
            Action::Back => self.back(),
            Action::Filter => self.start_filter(),
            Action::Command => self.mode = Mode::Command(TextInput::default()),
            Action::Help => self.open_help(),
            Action::Audit => self.pivot_to_audit(),
            other => self.act_on_top(other),
        }
    }

    /// Carry out where a screen (or a dialog's answer) says to go.
    pub fn navigate(&mut self, nav: Nav) {
        match nav {
            Nav::Stay | Nav::Unused => return,
            Nav::Back => self.pop_to(self.stack.len() - 1),
            Nav::Push(screen) => self.stack.push(screen),
            Nav::Reset(screens) => {
                self.pop_to(1);
                self.stack.extend(screens);
            }
            Nav::Dialog(dialog) => self.dialogs.push(dialog),
            Nav::Go(target) => self.go(target),
        }
        self.sync();
    }

    fn go(&mut self, target: Target) {
        let (place, screens) = screens::open_target(target.clone(), &mut self.shared);
        if place == screens::Place::OnRoot {
            self.pop_to(1);
            self.stack[0].focus(&target, &mut self.shared);
        }
        self.stack.extend(screens);
    }

    /// Close screens down to `depth` (the root stays), each stopping what it was loading.
    fn pop_to(&mut self, depth: usize) {
        while self.stack.len() > depth.max(1) {
            let mut screen = self.stack.pop().expect("more than the root");
            screen.leave(&mut self.shared);
        }
    }

    fn back(&mut self) {
        if self.stack.len() > 1 {
            self.pop_to(self.stack.len() - 1);
            self.sync();
        } else if self.top().filter().is_some_and(|f| !f.is_empty()) {
            self.set_filter("");
        }
    }

    fn open_help(&mut self) {
        if self.screen::<screens::help::HelpScreen>().is_none() {
            self.stack.push(screens::help::HelpScreen::open(&self.shared.keymap));
        }
    }

    /// From a key, plan, API or stage: its audit trail.
    fn pivot_to_audit(&mut self) {
        match self.top().selected_resource(&self.shared.store) {
            Some((resource, filter)) => self.navigate(Nav::Go(Target::Audit { resource, filter })),
            None => self.shared.error("nothing selected to show the audit trail of"),
        }
    }

    fn start_filter(&mut self) {
        if let Some(filter) = self.top().filter().map(str::to_string) {
            self.mode = Mode::Filter(TextInput::new(&filter));
        }
    }

    fn set_filter(&mut self, filter: &str) {
        self.with_top(|s, sh| {
            if let Some(list) = s.list() {
                list.set_filter(filter.to_string());
            }
            s.filtered(sh);
        });
    }

    fn on_typed(&mut self, typed: Typed) {
        match typed {
            Typed::Nothing => {}
            Typed::Filter(text) => self.set_filter(&text),
            Typed::Done => self.mode = Mode::Normal,
            Typed::Cleared => {
                self.mode = Mode::Normal;
                self.set_filter("");
            }
            Typed::Move(action) => self.act_on_top(action),
            Typed::Run(text) => {
                self.mode = Mode::Normal;
                self.run_command(&text);
            }
        }
    }

    /// `:name`: jump to a screen (a unique prefix is enough).
    pub fn run_command(&mut self, input: &str) {
        match prompt::resolve(input, &mut self.shared) {
            Jump::Stay => {}
            Jump::Quit => self.quit = true,
            Jump::Help => self.open_help(),
            Jump::To(nav) => self.navigate(nav),
        }
    }
}
