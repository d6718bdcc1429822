//! View state for usage plans, API keys and the dialogs that change them.

use crate::domain::{Mutation, NewKey, Secret};

/// The create-key form: name, customer id, description, plan ids (comma-separated), enabled.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyForm {
    pub fields: [String; 4],
    pub enabled: bool,
    /// 0..=3 the text fields, 4 the enabled toggle.
    pub focus: usize,
    pub error: Option<String>,
}

pub const FORM_LABELS: [&str; 4] = ["name", "customer id", "description", "plan ids"];

/// A dialog form: text fields, then toggles. tab and shift-tab move the focus round the stops,
/// typing edits the focused text field, space flips the focused toggle.
pub trait TextForm {
    /// Focus stops: the text fields, then the toggles.
    const STOPS: usize;
    fn focus(&mut self) -> &mut usize;
    /// Text field `i`; `None` for a toggle.
    fn field(&mut self, i: usize) -> Option<&mut String>;
    /// Space on toggle `i`.
    fn toggle(&mut self, i: usize);

    fn next(&mut self) {
        let f = self.focus();
        *f = (*f + 1) % Self::STOPS;
    }

    fn prev(&mut self) {
        let f = self.focus();
        *f = (*f + Self::STOPS - 1) % Self::STOPS;
    }

    fn type_char(&mut self, c: char) {
        let i = *self.focus();
        match self.field(i) {
            Some(text) => text.push(c),
            None if c == ' ' => self.toggle(i),
            None => {}
        }
    }

    fn backspace(&mut self) {
        let i = *self.focus();
        if let Some(text) = self.field(i) {
            text.pop();
        }
    }
}

impl TextForm for KeyForm {
    const STOPS: usize = 5;

    fn focus(&mut self) -> &mut usize {
        &mut self.focus
    }

    fn field(&mut self, i: usize) -> Option<&mut String> {
        self.fields.get_mut(i)
    }

    fn toggle(&mut self, _: usize) {
        self.enabled = !self.enabled;
    }
}

impl KeyForm {
    pub fn new() -> KeyForm {
        KeyForm { enabled: true, ..Default::default() }
    }

    /// The key to create, or what is missing.
    pub fn to_new_key(&self) -> Result<NewKey, String> {
        let name = self.fields[0].trim();
        if name.is_empty() {
            return Err("a name is required".into());
        }
        let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let plans = self.fields[3].split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        Ok(NewKey {
            name: name.to_string(),
            customer_id: opt(&self.fields[1]),
            description: opt(&self.fields[2]),
            plan_ids: plans.collect(),
            enabled: self.enabled,
        })
    }
}

/// A dialog over the current screen; it takes every key while open.
#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    /// Shows what will change and the AWS CLI equivalent; enter or `y` goes ahead.
    Confirm {
        mutation: Mutation,
        region: String,
    },
    /// Destructive: type the key's name to go ahead.
    TypedConfirm {
        mutation: Mutation,
        region: String,
        expected: String,
        input: String,
    },
    CreateForm {
        form: KeyForm,
        region: String,
    },
    /// Pick a plan to attach the key to, or to detach it from.
    PickPlan {
        key_id: String,
        region: String,
        attach: bool,
        options: Vec<(String, String)>,
        selected: usize,
    },
    /// A new key's value, shown this once.
    ShowValue {
        name: String,
        value: Secret,
    },
    /// The audit screen's filters.
    AuditFilter {
        form: super::AuditForm,
    },
    /// Where audit events come from: the event history, or a trail's S3 logs.
    PickSource {
        /// (label, source) pairs; the first is the event history.
        options: Vec<(String, String)>,
        selected: usize,
    },
}
