//! What every screen may use while it handles input and draws: the shared store, the outbox
//! of commands with their request ids, the status line, the keymap (`Shared`), and what a
//! screen draws with (`Paint`). Nothing here names a screen, a dialog or a widget.

use super::action::{Action, Context};
use super::command::Command;
use super::keymap::Keymap;
use super::store::{Status, Store};
use super::theme::Styles;

/// Wakes the event loop from another thread (a background filter has finished).
pub type Wake = std::sync::Arc<dyn Fn() + Send + Sync>;

/// What a screen may touch while it handles an action or the data it shows: the shared store,
/// the outbox (with request ids) and the status line.
pub struct Shared {
    pub store: Store,
    pub outbox: Vec<Command>,
    pub status: Option<Status>,
    pub tick: u64,
    /// Wakes the event loop from another thread (a big list's filter has finished); without
    /// it (tests), filters run inline.
    pub wake: Option<Wake>,
    /// The keymap in force (hints in messages name its keys).
    pub keymap: Keymap,
    /// What results asked to show (the router opens a dialog for each, then empties it).
    pub show: Vec<super::data::Show>,
    /// The terminal's width in columns (0: not known), for what is laid out to it.
    pub width: u16,
    next_request: u64,
}

impl Shared {
    pub fn new(store: Store, keymap: Keymap) -> Shared {
        Shared {
            store,
            outbox: vec![],
            status: None,
            tick: 0,
            wake: None,
            keymap,
            show: vec![],
            width: 0,
            next_request: 0,
        }
    }

    /// What a screen draws with.
    pub fn paint<'a>(&'a self, styles: &'a Styles) -> Paint<'a> {
        Paint { store: &self.store, styles, keymap: &self.keymap, tick: self.tick }
    }

    /// The keys of `action` in `context`, for a message (`ctrl-r`).
    pub fn keys(&self, context: Context, action: Action) -> String {
        self.keymap.keys_for(context, action).join("/")
    }

    pub fn request_id(&mut self) -> u64 {
        self.next_request += 1;
        self.next_request
    }

    /// Queue a command made with a new request id; returns the id.
    pub fn send(&mut self, command: impl FnOnce(u64) -> Command) -> u64 {
        let request = self.request_id();
        self.outbox.push(command(request));
        request
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status::Error(text.into()));
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status::Info(text.into()));
    }
}

/// What a screen draws with.
pub struct Paint<'a> {
    pub store: &'a Store,
    pub styles: &'a Styles,
    pub keymap: &'a Keymap,
    pub tick: u64,
}

impl Paint<'_> {
    /// The keys of `action` in `context`, as a hint shows them (`enter/space`).
    pub fn keys(&self, context: Context, action: Action) -> String {
        self.keymap.keys_for(context, action).join("/")
    }
}
