//! Key bindings: which key means which [`Action`] in which [`Context`].
//!
//! The defaults live in `keymap.toml` next to this file (embedded at build
//! time). A user file in the same format overrides them per
//! (context, action); see that file's header for the syntax.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use toml::Spanned;

pub use super::action::{Action, Context};

/// The built-in keymap.
const DEFAULT_KEYMAP: &str = include_str!("keymap.toml");

/// Name used for the built-in keymap in error messages.
const DEFAULT_KEYMAP_NAME: &str = "built-in keymap.toml";

/// Modifier prefixes accepted in key strings, in display order.
const MODIFIER_PREFIXES: [(&str, KeyModifiers); 3] =
    [("ctrl-", KeyModifiers::CONTROL), ("alt-", KeyModifiers::ALT), ("shift-", KeyModifiers::SHIFT)];

/// Named keys, as written in keymap files and displayed.
const NAMED_KEYS: [(&str, KeyCode); 16] = [
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("space", KeyCode::Char(' ')),
    ("backspace", KeyCode::Backspace),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pgup", KeyCode::PageUp),
    ("pgdown", KeyCode::PageDown),
    ("delete", KeyCode::Delete),
    ("insert", KeyCode::Insert),
];

/// Highest function key accepted (`f1` .. `f12`).
const MAX_FUNCTION_KEY: u8 = 12;

/// A keymap file as written: context table -> action -> key strings. The
/// spans keep the file order, which a `HashMap` would lose.
type RawKeymap = HashMap<Context, HashMap<Action, Spanned<Vec<String>>>>;

/// Parsed bindings per context, in file order.
type Layers = HashMap<Context, Vec<Entry>>;

/// Something wrong with a keymap file or key string.
#[derive(Debug, thiserror::Error)]
pub enum KeymapError {
    /// The user keymap exists but could not be read.
    #[error("cannot read keymap file {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML or names an unknown context or action;
    /// `message` is toml's, which names the offending key and line.
    #[error("invalid keymap file {file}: {message}")]
    Parse { file: String, message: String },
    /// A key string that [`parse_key`] does not understand.
    #[error("invalid key `{key}`: {reason}")]
    BadKey { key: String, reason: String },
    /// A bad key string inside a keymap file.
    #[error("invalid keymap file {file}: in [{context}] {action}: invalid key `{key}`: {reason}")]
    Binding { file: String, context: &'static str, action: &'static str, key: String, reason: String },
}

impl KeymapError {
    /// Adds the file/context/action to a [`KeymapError::BadKey`].
    fn in_binding(self, file: &str, context: Context, action: Action) -> KeymapError {
        match self {
            KeymapError::BadKey { key, reason } => KeymapError::Binding {
                file: file.to_string(),
                context: context.name(),
                action: action.name(),
                key,
                reason,
            },
            other => other,
        }
    }
}

/// A normalised key press: what bindings are matched on.
///
/// Normalisation makes equivalent presses equal: for characters the SHIFT
/// modifier is folded into the character (`shift-g` == `G`, and a `G` event
/// matches with or without SHIFT), `shift-tab` becomes `backtab`, and
/// modifiers other than ctrl/alt/shift are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyBinding {
    code: KeyCode,
    modifiers: KeyModifiers,
}

impl KeyBinding {
    /// A normalised binding for `code` with `modifiers`.
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> KeyBinding {
        let relevant = KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT;
        let modifiers = modifiers.intersection(relevant);
        let has_shift = modifiers.contains(KeyModifiers::SHIFT);
        let without_shift = modifiers.difference(KeyModifiers::SHIFT);
        match code {
            KeyCode::Char(c) if has_shift => KeyBinding::raw(KeyCode::Char(to_upper(c)), without_shift),
            KeyCode::Char(_) | KeyCode::BackTab => KeyBinding::raw(code, without_shift),
            KeyCode::Tab if has_shift => KeyBinding::raw(KeyCode::BackTab, without_shift),
            _ => KeyBinding::raw(code, modifiers),
        }
    }

    /// The normalised binding a key event matches.
    pub fn from_event(event: &KeyEvent) -> KeyBinding {
        KeyBinding::new(event.code, event.modifiers)
    }

    pub fn code(&self) -> KeyCode {
        self.code
    }

    pub fn modifiers(&self) -> KeyModifiers {
        self.modifiers
    }

    fn raw(code: KeyCode, modifiers: KeyModifiers) -> KeyBinding {
        KeyBinding { code, modifiers }
    }
}

impl fmt::Display for KeyBinding {
    /// The canonical key string, e.g. `ctrl-r`, `G`, `pgdown`, `shift-tab`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (prefix, modifier) in MODIFIER_PREFIXES {
            if self.modifiers.contains(modifier) {
                f.write_str(prefix)?;
            }
        }
        match self.code {
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::F(n) => write!(f, "f{n}"),
            KeyCode::Char(c) if c != ' ' => write!(f, "{c}"),
            code => f.write_str(key_name(code)),
        }
    }
}

/// The display name of a named key.
fn key_name(code: KeyCode) -> &'static str {
    NAMED_KEYS.iter().find(|(_, named)| *named == code).map_or("?", |(name, _)| *name)
}

/// Upper-cases a character when that gives exactly one character.
fn to_upper(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Parses a key string such as `q`, `G`, `ctrl-r`, `shift-tab`, `f5` or
/// `ctrl-alt-x`.
pub fn parse_key(s: &str) -> Result<KeyBinding, KeymapError> {
    let (modifiers, rest) = split_modifiers(s);
    let code = parse_code(rest).map_err(|reason| KeymapError::BadKey { key: s.to_string(), reason })?;
    Ok(KeyBinding::new(code, modifiers))
}

/// Strips leading `ctrl-`/`alt-`/`shift-` prefixes (case-insensitive).
fn split_modifiers(s: &str) -> (KeyModifiers, &str) {
    let mut modifiers = KeyModifiers::NONE;
    let mut rest = s;
    while let Some((modifier, after)) = strip_modifier(rest) {
        modifiers |= modifier;
        rest = after;
    }
    (modifiers, rest)
}

/// One modifier prefix off `s`, if something follows it.
fn strip_modifier(s: &str) -> Option<(KeyModifiers, &str)> {
    MODIFIER_PREFIXES.iter().find_map(|&(prefix, modifier)| {
        let head = s.get(..prefix.len())?;
        let rest = &s[prefix.len()..];
        (head.eq_ignore_ascii_case(prefix) && !rest.is_empty()).then_some((modifier, rest))
    })
}

/// The key code of a key string without modifiers.
fn parse_code(s: &str) -> Result<KeyCode, String> {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Err("empty key".to_string()),
        (Some(c), None) => Ok(KeyCode::Char(c)),
        _ => parse_named(&s.to_ascii_lowercase()),
    }
}

/// A named key or function key.
fn parse_named(name: &str) -> Result<KeyCode, String> {
    if let Some((_, code)) = NAMED_KEYS.iter().find(|(n, _)| *n == name) {
        return Ok(*code);
    }
    match name.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
        Some(n) if (1..=MAX_FUNCTION_KEY).contains(&n) => Ok(KeyCode::F(n)),
        _ => Err(format!(
            "expected a single character, f1..f{MAX_FUNCTION_KEY}, or one of: {} \
             (with optional ctrl-/alt-/shift- prefixes)",
            NAMED_KEYS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(" ")
        )),
    }
}

/// The keys bound to one action within one context.
#[derive(Debug, Clone)]
struct Entry {
    action: Action,
    keys: Vec<KeyBinding>,
}

/// All key bindings, per context, in keymap file order.
#[derive(Debug, Clone)]
pub struct Keymap {
    layers: Layers,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::default_map()
    }
}

impl Keymap {
    /// The built-in keymap.
    pub fn default_map() -> Keymap {
        let layers = parse_file(DEFAULT_KEYMAP_NAME, DEFAULT_KEYMAP)
            .expect("the built-in keymap.toml is valid (checked by a unit test)");
        Keymap { layers }
    }

    /// The built-in keymap overridden by `user_file` if given and present.
    /// A missing file is not an error; an unreadable or invalid one is.
    pub fn load(user_file: Option<&Path>) -> Result<Keymap, KeymapError> {
        let Some(path) = user_file else {
            return Ok(Keymap::default_map());
        };
        match read_optional(path)? {
            Some(text) => Keymap::with_overrides(&path.display().to_string(), &text),
            None => Ok(Keymap::default_map()),
        }
    }

    /// The built-in keymap overridden by keymap TOML `text`; `file_for_errors`
    /// names it in error messages.
    pub fn with_overrides(file_for_errors: &str, text: &str) -> Result<Keymap, KeymapError> {
        let user = parse_file(file_for_errors, text)?;
        let mut map = Keymap::default_map();
        for (context, entries) in user {
            for entry in entries {
                map.apply_override(context, entry);
            }
        }
        Ok(map)
    }

    /// The action `key` means in `context` (falling back to global bindings),
    /// or `None`. Key releases never mean anything.
    pub fn action(&self, context: Context, key: &KeyEvent) -> Option<Action> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let binding = KeyBinding::from_event(key);
        let global = || if context.takes_global() { self.lookup(Context::Global, binding) } else { None };
        self.lookup(context, binding).or_else(global)
    }

    /// Display strings of the keys that trigger `action` in `context`, e.g.
    /// `["q", "ctrl-c"]`; global keys count unless the context rebinds them.
    pub fn keys_for(&self, context: Context, action: Action) -> Vec<String> {
        let keys = match self.find(context, action) {
            Some(entry) => entry.keys.clone(),
            None if context.takes_global() => self.global_keys(context, action),
            None => vec![],
        };
        keys.iter().map(ToString::to_string).collect()
    }

    /// Footer/help hints for `context`: `("up/k", Action::Up)` pairs, the
    /// context's own bindings first, then the global ones still reachable, each
    /// in keymap file order. Actions without keys are left out.
    pub fn hints(&self, context: Context) -> Vec<(String, Action)> {
        let own = self.entries(context).iter().map(|e| (e.keys.clone(), e.action));
        let all: Vec<_> = own.chain(self.global_hints(context)).collect();
        all.into_iter().filter(|(keys, _)| !keys.is_empty()).map(|(keys, action)| (join_keys(&keys), action)).collect()
    }

    /// Global bindings for actions `context` does not bind itself, minus keys
    /// the context shadows.
    fn global_hints(&self, context: Context) -> Vec<(Vec<KeyBinding>, Action)> {
        if context == Context::Global || !context.takes_global() {
            return Vec::new();
        }
        self.entries(Context::Global)
            .iter()
            .filter(|e| self.find(context, e.action).is_none())
            .map(|e| (self.unshadowed(context, &e.keys), e.action))
            .collect()
    }

    /// Global keys for `action` that still reach the global layer in `context`.
    fn global_keys(&self, context: Context, action: Action) -> Vec<KeyBinding> {
        self.find(Context::Global, action).map(|e| self.unshadowed(context, &e.keys)).unwrap_or_default()
    }

    /// The subset of `keys` that `context` does not bind itself.
    fn unshadowed(&self, context: Context, keys: &[KeyBinding]) -> Vec<KeyBinding> {
        if context == Context::Global {
            return keys.to_vec();
        }
        let free = |k: &&KeyBinding| self.lookup(context, **k).is_none();
        keys.iter().filter(free).copied().collect()
    }

    fn entries(&self, context: Context) -> &[Entry] {
        self.layers.get(&context).map(Vec::as_slice).unwrap_or(&[])
    }

    fn find(&self, context: Context, action: Action) -> Option<&Entry> {
        self.entries(context).iter().find(|e| e.action == action)
    }

    /// The action bound to `binding` in `context` alone.
    fn lookup(&self, context: Context, binding: KeyBinding) -> Option<Action> {
        self.entries(context).iter().find(|e| e.keys.contains(&binding)).map(|e| e.action)
    }

    /// Replaces the keys of `user.action` in `context` (adding the action if
    /// new) and takes those keys away from the context's other actions.
    fn apply_override(&mut self, context: Context, user: Entry) {
        let entries = self.layers.entry(context).or_default();
        for other in entries.iter_mut().filter(|e| e.action != user.action) {
            other.keys.retain(|k| !user.keys.contains(k));
        }
        match entries.iter_mut().find(|e| e.action == user.action) {
            Some(existing) => existing.keys = user.keys,
            None => entries.push(user),
        }
    }
}

/// `up/k` style display of several keys.
fn join_keys(keys: &[KeyBinding]) -> String {
    keys.iter().map(ToString::to_string).collect::<Vec<_>>().join("/")
}

/// The file's text, or `None` when it does not exist.
fn read_optional(path: &Path) -> Result<Option<String>, KeymapError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(KeymapError::Io { path: path.to_path_buf(), source }),
    }
}

/// Parses keymap TOML into per-context bindings in file order.
fn parse_file(file: &str, text: &str) -> Result<Layers, KeymapError> {
    let raw: RawKeymap = toml::from_str(text)
        .map_err(|e| KeymapError::Parse { file: file.to_string(), message: e.to_string().trim_end().to_string() })?;
    raw.into_iter()
        .map(|(context, actions)| parse_context(file, context, actions).map(|entries| (context, entries)))
        .collect()
}

/// One context table, sorted back into file order.
fn parse_context(
    file: &str,
    context: Context,
    actions: HashMap<Action, Spanned<Vec<String>>>,
) -> Result<Vec<Entry>, KeymapError> {
    let mut ordered: Vec<_> = actions.into_iter().collect();
    ordered.sort_by_key(|(_, keys)| keys.span().start);
    ordered
        .into_iter()
        .map(|(action, keys)| parse_entry(keys.get_ref(), action).map_err(|e| e.in_binding(file, context, action)))
        .collect()
}

/// One `action = ["key", ...]` line.
fn parse_entry(keys: &[String], action: Action) -> Result<Entry, KeymapError> {
    let keys = keys.iter().map(|k| parse_key(k)).collect::<Result<Vec<_>, _>>()?;
    Ok(Entry { action, keys })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn ch(c: char) -> KeyEvent {
        ev(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn key(s: &str) -> KeyBinding {
        parse_key(s).unwrap()
    }

    #[test]
    fn default_keymap_parses_and_round_trips() {
        let map = Keymap::default_map();
        for entries in map.layers.values() {
            for k in entries.iter().flat_map(|e| &e.keys) {
                assert_eq!(key(&k.to_string()), *k, "{k}");
            }
        }
        assert_eq!(map.action(Context::List, &ch('q')), Some(Action::Quit));
        assert_eq!(map.action(Context::List, &ch('j')), Some(Action::Down));
        assert_eq!(map.action(Context::Help, &ch('q')), Some(Action::Back));
    }

    #[test]
    fn uppercase_matches_with_or_without_shift() {
        let map = Keymap::default_map();
        let bottom = Some(Action::Bottom);
        let shift = KeyModifiers::SHIFT;
        assert_eq!(map.action(Context::List, &ev(KeyCode::Char('G'), shift)), bottom);
        assert_eq!(map.action(Context::List, &ev(KeyCode::Char('g'), shift)), bottom);
        assert_eq!(map.action(Context::List, &ch('G')), bottom);
        assert_eq!(map.action(Context::List, &ch('g')), Some(Action::Top));
        assert_eq!(key("shift-g"), key("G"));
    }

    #[test]
    fn ctrl_and_named_keys() {
        let map = Keymap::default_map();
        let ctrl_r = ev(KeyCode::Char('r'), KeyModifiers::CONTROL);
        assert_eq!(map.action(Context::Docs, &ctrl_r), Some(Action::Refresh));
        assert_eq!(map.action(Context::List, &ch('r')), None);
        let backtab = ev(KeyCode::BackTab, KeyModifiers::SHIFT);
        let prev = map.action(Context::Detail, &backtab);
        assert_eq!(prev, Some(Action::PrevPane));
        assert_eq!(key("backtab"), key("shift-tab"));
        let alt_ctrl = KeyModifiers::CONTROL | KeyModifiers::ALT;
        assert_eq!(key("ctrl-alt-x").modifiers(), alt_ctrl);
        assert_eq!(key("ctrl--").code(), KeyCode::Char('-'));
        assert_eq!(key("F5").code(), KeyCode::F(5));
        assert_eq!(key("space").to_string(), "space");
    }

    #[test]
    fn release_events_are_ignored() {
        let map = Keymap::default_map();
        let q = |kind| KeyEvent::new_with_kind(KeyCode::Char('q'), KeyModifiers::NONE, kind);
        assert_eq!(map.action(Context::List, &q(KeyEventKind::Release)), None);
        let repeat = map.action(Context::List, &q(KeyEventKind::Repeat));
        assert_eq!(repeat, Some(Action::Quit));
    }

    #[test]
    fn user_override_replaces_and_steals_keys() {
        let text = "[list]\ndown = [\"n\"]\nselect = [\"k\"]";
        let map = Keymap::with_overrides("user.toml", text).unwrap();
        assert_eq!(map.action(Context::List, &ch('n')), Some(Action::Down));
        assert_eq!(map.action(Context::List, &ch('j')), None);
        assert_eq!(map.action(Context::List, &ch('k')), Some(Action::Select));
        assert_eq!(map.keys_for(Context::List, Action::Up), ["up"]);
        assert_eq!(map.keys_for(Context::List, Action::Down), ["n"]);
        assert_eq!(map.action(Context::Detail, &ch('j')), Some(Action::Down));
    }

    #[test]
    fn load_reads_user_file_and_tolerates_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keymap.toml");
        assert!(Keymap::load(Some(&path)).is_ok());
        std::fs::write(&path, "[global]\nquit = [\"x\"]\n").unwrap();
        let map = Keymap::load(Some(&path)).unwrap();
        assert_eq!(map.keys_for(Context::List, Action::Quit), ["x"]);
        assert_eq!(map.action(Context::List, &ch('q')), None);
    }

    #[test]
    fn errors_name_the_problem() {
        let err = |text| Keymap::with_overrides("user.toml", text).unwrap_err().to_string();
        let unknown_action = err("[list]\nquitt = [\"q\"]");
        assert!(unknown_action.contains("quitt"), "{unknown_action}");
        let unknown_context = err("[lists]\nup = [\"q\"]");
        assert!(unknown_context.contains("lists"), "{unknown_context}");
        let bad_key = err("[list]\nup = [\"hyper-x\"]");
        for part in ["user.toml", "[list]", "up", "`hyper-x`"] {
            assert!(bad_key.contains(part), "{bad_key}");
        }
        assert!(parse_key("").is_err());
        assert!(parse_key("f13").unwrap_err().to_string().contains("f13"));
    }

    #[test]
    fn keys_and_hints_for_display() {
        let map = Keymap::default_map();
        assert_eq!(map.keys_for(Context::Global, Action::Quit), ["q", "ctrl-c"]);
        let hints = map.hints(Context::List);
        assert_eq!(hints[0], ("up/k".to_string(), Action::Up));
        assert!(hints.contains(&("q/ctrl-c".to_string(), Action::Quit)));
        let help = map.hints(Context::Help);
        assert!(help.contains(&("ctrl-c".to_string(), Action::Quit)));
        assert!(!help.iter().any(|(_, a)| *a == Action::Help));
    }
}
