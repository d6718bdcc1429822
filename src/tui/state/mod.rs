//! View state with no ratatui or AWS imports: loadables, lists, filters, screens.

mod access;
mod app_state;
mod audit;
mod json;
mod list;
mod loadable;

pub use access::{FORM_LABELS, KeyForm, Modal, TextForm};
pub use app_state::{AppState, Connection, DetailData, DetailRow, PlanRow, Status, api_haystack, key_haystack};
pub use audit::{AUDIT_FORM_LABELS, AUTO_PAGES, AuditForm, AuditView, default_query};
pub use json::{JsonKind, JsonLine, Scalar, default_folds, json_lines, visible_lines};
pub use list::{ListView, fuzzy_filter, fuzzy_scores};
pub use loadable::Loadable;

/// Which API (REST ids and HTTP ids can collide across regions).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiRef {
    pub region: String,
    pub id: String,
}

/// Sort columns of the API list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ApiSort {
    #[default]
    Name,
    Id,
    Kind,
    Region,
    Endpoint,
    Stages,
    Owner,
    Created,
}

impl ApiSort {
    pub const ALL: [ApiSort; 8] = [
        ApiSort::Name,
        ApiSort::Id,
        ApiSort::Kind,
        ApiSort::Region,
        ApiSort::Endpoint,
        ApiSort::Stages,
        ApiSort::Owner,
        ApiSort::Created,
    ];

    pub fn next(self) -> ApiSort {
        let i = Self::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    pub fn column(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// The detail screen's two panes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pane {
    #[default]
    Resources,
    Stages,
}

/// One screen on the navigation stack.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    ApiList,
    ApiDetail {
        api: ApiRef,
        pane: Pane,
        resources: ListView,
        stages: ListView,
    },
    Stage {
        api: ApiRef,
        stage: String,
        scroll: usize,
    },
    Docs {
        api: ApiRef,
        stage: String,
        view: ListView,
    },
    Help {
        view: ListView,
    },
    NotBuilt {
        name: String,
    },
    Plans {
        view: ListView,
    },
    PlanDetail {
        plan: String,
        view: ListView,
    },
    Keys {
        view: ListView,
    },
    Audit {
        view: ListView,
    },
    /// One event's record; `folded` holds the line indices of collapsed containers.
    AuditEvent {
        id: String,
        view: ListView,
        folded: std::collections::BTreeSet<usize>,
    },
}

impl Screen {
    pub fn title(&self) -> String {
        match self {
            Screen::ApiList => "apis".into(),
            Screen::ApiDetail { .. } => "api".into(),
            Screen::Stage { stage, .. } => format!("stage {}", crate::sanitize::one_line(stage, 40)),
            Screen::Docs { .. } => "docs".into(),
            Screen::Help { .. } => "help".into(),
            Screen::NotBuilt { name } => name.clone(),
            Screen::Plans { .. } => "plans".into(),
            Screen::PlanDetail { .. } => "plan".into(),
            Screen::Keys { .. } => "keys".into(),
            Screen::Audit { .. } => "audit".into(),
            Screen::AuditEvent { .. } => "event".into(),
        }
    }
}

/// How typed characters are taken.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Normal,
    /// `/`: the filter being typed (applies live to the current list).
    Filter,
    /// `:` command line with its input.
    Command(String),
}

/// Screens `:` can jump to; those not built yet say so.
pub const SCREENS: &[(&str, bool)] = &[
    ("apis", true),
    ("plans", true),
    ("keys", true),
    ("partners", false),
    ("audit", true),
    ("try", false),
    ("findings", false),
    ("help", true),
    ("quit", true),
];

/// Screen names that start with what was typed.
pub fn complete_command(input: &str) -> Vec<&'static str> {
    let input = input.trim();
    SCREENS.iter().map(|(n, _)| *n).filter(|n| n.starts_with(input)).collect()
}
