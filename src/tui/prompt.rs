//! The two typing modes over the footer: the `/` filter (applied live to the current list)
//! and the `:` command line. Keys come through their keymap contexts (`filter`,
//! `command_line`); every other key edits the text (ratatui-textarea).

use super::action::{Action, Context};
use super::keymap::Keymap;
use super::screens::{Nav, SCREENS, Shared, complete_command};
use super::widgets::text_input::TextInput;
use crossterm::event::KeyEvent;

/// How typed characters are taken.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Mode {
    #[default]
    Normal,
    /// `/`: the filter being typed.
    Filter(TextInput),
    /// `:` command line.
    Command(TextInput),
}

/// What a key in a typing mode asks of the app.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    Nothing,
    /// The filter text is now this.
    Filter(String),
    /// Typing ends (the filter stays).
    Done,
    /// Typing ends and the filter is cleared.
    Cleared,
    /// Move in the list while typing.
    Move(Action),
    /// Run a `:` command.
    Run(String),
}

impl Mode {
    pub fn on_key(&mut self, key: KeyEvent, keymap: &Keymap) -> Typed {
        match self {
            Mode::Normal => Typed::Nothing,
            Mode::Filter(input) => filter_key(input, key, keymap),
            Mode::Command(input) => command_key(input, key, keymap),
        }
    }
}

fn filter_key(input: &mut TextInput, key: KeyEvent, keymap: &Keymap) -> Typed {
    match keymap.action(Context::Filter, &key) {
        Some(Action::Cancel) => Typed::Cleared,
        Some(Action::Submit) => Typed::Done,
        Some(a @ (Action::Up | Action::Down)) => Typed::Move(a),
        Some(Action::Clear) => {
            input.set("");
            Typed::Filter(String::new())
        }
        _ if input.input(key) => Typed::Filter(input.value().to_string()),
        _ => Typed::Nothing,
    }
}

fn command_key(input: &mut TextInput, key: KeyEvent, keymap: &Keymap) -> Typed {
    match keymap.action(Context::CommandLine, &key) {
        Some(Action::Cancel) => Typed::Done,
        Some(Action::Back) if input.is_empty() => Typed::Done,
        Some(Action::Submit) => Typed::Run(input.value().trim().to_string()),
        Some(Action::Complete) => {
            if let Some(first) = complete_command(input.value()).first() {
                input.set(first);
            }
            Typed::Nothing
        }
        _ => {
            input.input(key);
            Typed::Nothing
        }
    }
}

/// Where a `:` command goes.
pub enum Jump {
    Stay,
    Quit,
    Help,
    To(Nav),
}

/// The screen `input` names (a unique prefix is enough), or why none (on the status line).
pub fn resolve(input: &str, sh: &mut Shared) -> Jump {
    let matches = complete_command(input);
    let name = match (matches.as_slice(), input) {
        (_, "") => return Jump::Stay,
        (_, "q" | "q!") => "quit",
        ([one], _) => one,
        (many, _) if many.contains(&input) => input,
        ([], _) => {
            sh.error(format!("unknown command `:{input}`; try :apis, :help"));
            return Jump::Stay;
        }
        (many, _) => {
            sh.error(format!("`:{input}` is ambiguous: {}", many.join(", ")));
            return Jump::Stay;
        }
    };
    match (name, SCREENS.iter().find(|e| e.name == name)) {
        ("quit", _) => Jump::Quit,
        ("help", _) => Jump::Help,
        (_, Some(e)) => Jump::To(Nav::Reset((e.open)(sh))),
        (_, None) => {
            sh.error(format!("unknown command `:{name}`; try :apis, :help"));
            Jump::Stay
        }
    }
}
