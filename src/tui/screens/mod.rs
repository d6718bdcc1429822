//! Screens as components: each folder owns one screen's state, turns the Actions of its keymap
//! context into commands or navigation, reacts to the data it reads from the store, and draws
//! itself from `&self` with its rows cached. A screen never edits another screen: moving
//! elsewhere is a [`Nav`] value the app carries out, and another screen is opened by its
//! [`Target`] (`open_target`, here, is the one place that builds screens for one another).
//!
//! Adding a screen: its folder here (the `Screen`, and `jobs.rs` with its loads as typed jobs,
//! whose outputs go to the screen that asked, or into the store when several screens share
//! them), plus a line in [`SCREENS`] (its `:` name), a keymap context (action.rs and
//! keymap.toml), and its `pub mod` line below. Nothing in the commands, messages, worker or
//! router ("Adding a screen" in docs/development/tui.md).

pub mod accounts;
pub mod api;
pub mod audit;
pub mod catalog;
pub mod docs;
pub mod findings;
pub mod help;
pub mod keys;
pub mod partners;
pub mod plans;
pub mod stage;
pub mod try_it;

use super::action::{Action, Context};
use super::dialogs::{Answer, Dialog};
use super::store::{ApiRef, Store};
use super::widgets::list::ListView;
use ratatui::Frame;
use ratatui::layout::Rect;

pub use super::context::{Paint, Shared};

/// Where to go next: the value a screen returns, carried out by the app.
pub enum Nav {
    Stay,
    /// The action (or the answer) was not for this screen, or not now (nothing selected): the
    /// router says so on the status line, unless the screen said why already.
    Unused,
    /// Close this screen (esc).
    Back,
    Push(Box<dyn Screen>),
    /// Back to the root (the API list), then these screens on top.
    Reset(Vec<Box<dyn Screen>>),
    /// A dialog over this screen; its answer comes back to this screen.
    Dialog(Dialog),
    /// To another screen's resource.
    Go(Target),
}

/// A resource to show, wherever it lives.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// The API's detail screen (and one of its stages).
    Api { api: ApiRef, stage: Option<String> },
    /// The API selected in the catalog, then its detail (the catalog's filter cleared).
    ApiInCatalog(ApiRef),
    /// The keys screen, filtered.
    Keys { filter: String },
    /// The API list, filtered (an account's APIs).
    Catalog { filter: String },
    /// A usage plan's detail (or the plans list filtered to the id, while plans load).
    Plan { id: String },
    /// The audit trail of a resource: its id, and a `/` filter that narrows further.
    Audit { resource: String, filter: String },
    /// One stage of an API (its settings, variables, throttles).
    Stage { api: ApiRef, stage: String },
    /// An API's docs from a stage's export (the `stage`-th stage, or the first that has docs).
    Docs { api: ApiRef, stage: usize },
    /// Try an operation: its request form, on a stage.
    Try { api: ApiRef, stage: String, method: String, path: String },
}

/// A screen as what it is (for tests, the help screen's registry, and a job's output that goes
/// to the screen that asked): given to every screen.
pub trait AsAny {
    fn as_any(&self) -> &dyn std::any::Any;
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any;
}

impl<S: Screen + 'static> AsAny for S {
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

/// One screen on the navigation stack.
pub trait Screen: AsAny {
    /// The breadcrumb in the header.
    fn title(&self) -> String;
    /// The keymap context its keys are looked up in.
    fn context(&self) -> Context;
    /// An action of its context (global ones the app handles first: quit, help, `:`, `/`, `A`).
    fn on_action(&mut self, action: Action, sh: &mut Shared) -> Nav;
    /// After every message: catch up with the store (rebuild rows whose data changed, load
    /// what the screen now needs). Cheap when nothing changed.
    fn sync(&mut self, _sh: &mut Shared) -> Nav {
        Nav::Stay
    }
    /// The answer of a dialog this screen opened.
    fn on_answer(&mut self, _answer: Answer, _sh: &mut Shared) -> Nav {
        Nav::Unused
    }
    /// The list `/` filters and the mouse wheel scrolls, if any.
    fn list(&mut self) -> Option<&mut ListView> {
        None
    }
    fn filter(&self) -> Option<&str> {
        None
    }
    /// The filter changed (the app set `list().filter`): rebuild the rows.
    fn filtered(&mut self, _sh: &mut Shared) {}
    /// The selected key, plan, API or stage, for the `A` pivot: its id and a `/` filter.
    fn selected_resource(&self, _store: &Store) -> Option<(String, String)> {
        None
    }
    /// Asked to show `target` (the catalog selects an API); true if it did.
    fn focus(&mut self, _target: &Target, _sh: &mut Shared) -> bool {
        false
    }
    /// Closed: stop what it was loading.
    fn leave(&mut self, _sh: &mut Shared) {}
    /// Is something of its own loading (for the header's spinner)?
    fn busy(&self) -> bool {
        false
    }
    fn draw(&self, frame: &mut Frame, area: Rect, p: &Paint);
}

/// Opens a screen by its `:` name: the screens to put on the root (the API list).
pub type Open = fn(&mut Shared) -> Vec<Box<dyn Screen>>;

/// One `:` command: the screen's name, what it shows (for help), and how it opens.
pub struct Entry {
    pub name: &'static str,
    pub about: &'static str,
    pub open: Open,
}

/// The `:` commands. `help` and `quit` are the app's own (help opens over the current screen).
pub const SCREENS: &[Entry] = &[
    Entry { name: "apis", about: "the API catalog", open: |_| vec![] },
    Entry { name: "plans", about: "usage plans", open: |sh| vec![plans::PlansScreen::open(sh)] },
    Entry { name: "keys", about: "API keys", open: |sh| vec![keys::KeysScreen::open(sh, "")] },
    Entry {
        name: "partners",
        about: "partners: onboard, rotate, offboard",
        open: |sh| vec![partners::PartnersScreen::open(sh)],
    },
    Entry { name: "audit", about: "the CloudTrail audit trail", open: |sh| vec![audit::AuditScreen::open(sh)] },
    Entry {
        name: "try",
        about: "call an API: choose it, then an operation",
        open: |sh| vec![try_it::picker::TryPicker::open(sh)],
    },
    Entry {
        name: "history",
        about: "requests sent (try it)",
        open: |sh| vec![try_it::history::HistoryScreen::open(sh)],
    },
    Entry { name: "findings", about: "governance findings", open: |sh| vec![findings::FindingsScreen::open(sh)] },
    Entry {
        name: "accounts",
        about: "the accounts read and their status",
        open: |sh| vec![accounts::AccountsScreen::open(sh)],
    },
    Entry { name: "help", about: "this help", open: |_| vec![] },
    Entry { name: "quit", about: "quit", open: |_| vec![] },
];

/// Screen names that start with what was typed.
pub fn complete_command(input: &str) -> Vec<&'static str> {
    let input = input.trim();
    SCREENS.iter().map(|e| e.name).filter(|n| n.starts_with(input)).collect()
}

/// Where the screens that show a target go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Back to the root first (which is asked to focus the target).
    OnRoot,
    OnTop,
}

/// The screens that show `target`, and where they go.
pub fn open_target(target: Target, sh: &mut Shared) -> (Place, Vec<Box<dyn Screen>>) {
    match target {
        Target::Api { api, stage } => {
            let detail = api::ApiScreen::open(&api, sh);
            let a = sh.store.api(&api).cloned();
            let mut out: Vec<Box<dyn Screen>> = vec![detail];
            if let Some(stage) = stage.filter(|s| a.is_some_and(|a| a.stages.iter().any(|st| &st.name == s))) {
                out.push(Box::new(stage::StageScreen::new(api, stage)));
            }
            (Place::OnTop, out)
        }
        Target::ApiInCatalog(api) => (Place::OnRoot, vec![api::ApiScreen::open(&api, sh)]),
        Target::Catalog { .. } => (Place::OnRoot, vec![]),
        Target::Keys { filter } => (Place::OnTop, vec![keys::KeysScreen::open(sh, &filter)]),
        Target::Plan { id } => (Place::OnTop, vec![plans::open_plan(&id, sh)]),
        Target::Audit { resource, filter } => (Place::OnTop, vec![audit::AuditScreen::pivot(resource, filter, sh)]),
        Target::Stage { api, stage } => (Place::OnTop, vec![Box::new(stage::StageScreen::new(api, stage))]),
        // No docs to show is said on the status line there; nothing opens.
        Target::Docs { api, stage } => match docs::DocsScreen::open_first(&api, stage, sh) {
            Nav::Push(screen) => (Place::OnTop, vec![screen]),
            _ => (Place::OnTop, vec![]),
        },
        Target::Try { api, stage, method, path } => {
            (Place::OnTop, vec![try_it::TryScreen::open(&api, &stage, &method, &path)])
        }
    }
}
