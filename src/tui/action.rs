//! What the user meant: actions that keys are bound to, and the contexts
//! (screens) in which bindings apply.
//!
//! Both enums are named in the keymap TOML in snake_case, e.g.
//! `[list]` / `page_down = ["pgdown"]`.

use serde::Deserialize;

/// A user intent, independent of the key that triggered it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Back,
    Select,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Left,
    Right,
    Filter,
    Command,
    Help,
    Refresh,
    SortNext,
    SortReverse,
    OpenDocs,
    NextPane,
    PrevPane,
    Create,
    Toggle,
    Attach,
    Detach,
    Delete,
    Reveal,
    Copy,
    Audit,
    Jump,
    EditFilters,
    PickSource,
    ToggleErrors,
    Confirm,
    Cancel,
    Submit,
    NextField,
    PrevField,
    Complete,
    Clear,
    RotateKey,
    RotateSecret,
    Offboard,
    Reconcile,
    Try,
    Edit,
    CopySecret,
    Jq,
    EditBody,
    SendAnyway,
    History,
}

impl Action {
    /// Every action, in declaration order.
    pub const ALL: [Action; 50] = [
        Action::Quit,
        Action::Back,
        Action::Select,
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::Left,
        Action::Right,
        Action::Filter,
        Action::Command,
        Action::Help,
        Action::Refresh,
        Action::SortNext,
        Action::SortReverse,
        Action::OpenDocs,
        Action::NextPane,
        Action::PrevPane,
        Action::Create,
        Action::Toggle,
        Action::Attach,
        Action::Detach,
        Action::Delete,
        Action::Reveal,
        Action::Copy,
        Action::Audit,
        Action::Jump,
        Action::EditFilters,
        Action::PickSource,
        Action::ToggleErrors,
        Action::Confirm,
        Action::Cancel,
        Action::Submit,
        Action::NextField,
        Action::PrevField,
        Action::Complete,
        Action::Clear,
        Action::RotateKey,
        Action::RotateSecret,
        Action::Offboard,
        Action::Reconcile,
        Action::Try,
        Action::Edit,
        Action::CopySecret,
        Action::Jq,
        Action::EditBody,
        Action::SendAnyway,
        Action::History,
    ];

    /// The snake_case name used in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Back => "back",
            Action::Select => "select",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Left => "left",
            Action::Right => "right",
            Action::Filter => "filter",
            Action::Command => "command",
            Action::Help => "help",
            Action::Refresh => "refresh",
            Action::SortNext => "sort_next",
            Action::SortReverse => "sort_reverse",
            Action::OpenDocs => "open_docs",
            Action::NextPane => "next_pane",
            Action::PrevPane => "prev_pane",
            Action::Create => "create",
            Action::Toggle => "toggle",
            Action::Attach => "attach",
            Action::Detach => "detach",
            Action::Delete => "delete",
            Action::Reveal => "reveal",
            Action::Copy => "copy",
            Action::Audit => "audit",
            Action::Jump => "jump",
            Action::EditFilters => "edit_filters",
            Action::PickSource => "pick_source",
            Action::ToggleErrors => "toggle_errors",
            Action::Confirm => "confirm",
            Action::Cancel => "cancel",
            Action::Submit => "submit",
            Action::NextField => "next_field",
            Action::PrevField => "prev_field",
            Action::Complete => "complete",
            Action::Clear => "clear",
            Action::RotateKey => "rotate_key",
            Action::RotateSecret => "rotate_secret",
            Action::Offboard => "offboard",
            Action::Reconcile => "reconcile",
            Action::Try => "try",
            Action::Edit => "edit",
            Action::CopySecret => "copy_secret",
            Action::Jq => "jq",
            Action::EditBody => "edit_body",
            Action::SendAnyway => "send_anyway",
            Action::History => "history",
        }
    }

    /// Short help text, for the footer hints and the help screen.
    pub fn description(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Back => "back",
            Action::Select => "drill in",
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Left => "left",
            Action::Right => "right",
            Action::Filter => "fuzzy filter",
            Action::Command => "command",
            Action::Help => "help",
            Action::Refresh => "refresh",
            Action::SortNext => "sort by next column",
            Action::SortReverse => "reverse sort",
            Action::OpenDocs => "open docs",
            Action::NextPane => "next pane",
            Action::PrevPane => "previous pane",
            Action::Create => "create",
            Action::Toggle => "enable/disable",
            Action::Attach => "attach to a plan",
            Action::Detach => "detach from a plan",
            Action::Delete => "delete",
            Action::Reveal => "reveal value (10 s)",
            Action::Copy => "copy value (clipboard)",
            Action::Audit => "audit trail of this",
            Action::Jump => "go to the resource",
            Action::EditFilters => "filters",
            Action::PickSource => "source (trail)",
            Action::ToggleErrors => "errors only",
            Action::Confirm => "go ahead",
            Action::Cancel => "cancel",
            Action::Submit => "apply",
            Action::NextField => "next field",
            Action::PrevField => "previous field",
            Action::Complete => "complete",
            Action::Clear => "clear",
            Action::RotateKey => "rotate the API key",
            Action::RotateSecret => "rotate the client secret",
            Action::Offboard => "offboard",
            Action::Reconcile => "reconcile what is due",
            Action::Try => "try it (call it)",
            Action::Edit => "edit the request",
            Action::CopySecret => "copy with its secrets",
            Action::Jq => "jq filter on the body",
            Action::EditBody => "edit the JSON body",
            Action::SendAnyway => "send, body not JSON",
            Action::History => "request history",
        }
    }
}

/// Where a key press happens. Bindings of [`Context::Global`] apply in every
/// screen context that has no binding of its own for the key. The typing
/// contexts (the `/` filter, the `:` command line) and the dialogs take only
/// their own bindings: every other key is typed, or ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    Global,
    List,
    Detail,
    Docs,
    Help,
    Keys,
    Plans,
    Audit,
    Partners,
    Try,
    Filter,
    CommandLine,
    Confirm,
    TypedConfirm,
    Picker,
    Form,
    ShowValue,
    Body,
    History,
    Findings,
}

impl Context {
    /// Every context, in declaration order.
    pub const ALL: [Context; 20] = [
        Context::Global,
        Context::List,
        Context::Detail,
        Context::Docs,
        Context::Help,
        Context::Keys,
        Context::Plans,
        Context::Audit,
        Context::Partners,
        Context::Try,
        Context::Filter,
        Context::CommandLine,
        Context::Confirm,
        Context::TypedConfirm,
        Context::Picker,
        Context::Form,
        Context::ShowValue,
        Context::Body,
        Context::History,
        Context::Findings,
    ];

    /// The snake_case name used as a table name in keymap files.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::List => "list",
            Context::Detail => "detail",
            Context::Docs => "docs",
            Context::Help => "help",
            Context::Keys => "keys",
            Context::Plans => "plans",
            Context::Audit => "audit",
            Context::Partners => "partners",
            Context::Try => "try",
            Context::Filter => "filter",
            Context::CommandLine => "command_line",
            Context::Confirm => "confirm",
            Context::TypedConfirm => "typed_confirm",
            Context::Picker => "picker",
            Context::Form => "form",
            Context::ShowValue => "show_value",
            Context::Body => "body",
            Context::History => "history",
            Context::Findings => "findings",
        }
    }

    /// The help screen's heading for the context.
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::List => "Lists (apis)",
            Context::Detail => "API detail",
            Context::Docs => "Docs and stage detail",
            Context::Help => "This help",
            Context::Keys => "API keys (:keys)",
            Context::Plans => "Usage plans (:plans)",
            Context::Audit => "Audit trail (:audit) and an event's record",
            Context::Partners => "Partners (:partners) and a partner",
            Context::Try => "Trying a method (t on a method, route or operation; :try)",
            Context::Filter => "Typing a / filter",
            Context::CommandLine => "Typing a : command",
            Context::Confirm => "Confirmation dialogs",
            Context::TypedConfirm => "Typed confirmation (delete)",
            Context::Picker => "Pickers (plans, audit source)",
            Context::Form => "Forms (new key, audit filters)",
            Context::ShowValue => "A new key's value",
            Context::Body => "The request body editor (b on a request)",
            Context::History => "Request history (:history) and :try's lists",
            Context::Findings => "Governance findings (:findings) and a rule",
        }
    }

    /// Does the context take global bindings for keys it does not bind itself?
    pub fn takes_global(self) -> bool {
        matches!(
            self,
            Context::Global
                | Context::List
                | Context::Detail
                | Context::Docs
                | Context::Help
                | Context::Keys
                | Context::Plans
                | Context::Audit
                | Context::Partners
                | Context::Try
                | Context::History
                | Context::Findings
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct One {
        a: Action,
        c: Context,
    }

    #[test]
    fn names_match_serde_names() {
        for action in Action::ALL {
            let text = format!("a = \"{}\"\nc = \"global\"", action.name());
            let parsed: One = toml::from_str(&text).expect("action name parses");
            assert_eq!(parsed.a, action);
        }
        for context in Context::ALL {
            let text = format!("a = \"quit\"\nc = \"{}\"", context.name());
            let parsed: One = toml::from_str(&text).expect("context name parses");
            assert_eq!(parsed.c, context);
        }
    }

    #[test]
    fn every_action_has_a_description() {
        assert!(Action::ALL.iter().all(|a| !a.description().is_empty()));
        assert_eq!(Action::Select.description(), "drill in");
    }
}
