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

impl KeyForm {
    pub fn new() -> KeyForm {
        KeyForm { enabled: true, ..Default::default() }
    }

    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % 5;
    }

    pub fn prev(&mut self) {
        self.focus = (self.focus + 4) % 5;
    }

    pub fn type_char(&mut self, c: char) {
        match self.focus {
            4 if c == ' ' => self.enabled = !self.enabled,
            4 => {}
            f => self.fields[f].push(c),
        }
    }

    pub fn backspace(&mut self) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.pop();
        }
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
