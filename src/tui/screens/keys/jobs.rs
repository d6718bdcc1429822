//! A key change, as a job: the confirmed `Mutation`, carried out by `aws::keys::apply` (the
//! executor the CLI uses too), one at a time.

use crate::domain::{CreatedKey, Mutation};
use crate::tui::command::Slot;
use crate::tui::jobs::{Deliver, Env, Job, To};

#[derive(Debug, Clone, PartialEq)]
pub struct Mutate {
    pub mutation: Mutation,
    pub region: String,
    /// The key's account, when accounts are read (a new key goes to the credentials' own).
    pub account: Option<String>,
}

/// A change finished: the key it made (its value at hand this once), or why it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct Mutated {
    pub description: String,
    pub result: Result<Option<CreatedKey>, String>,
}

impl Job for Mutate {
    type Output = Mutated;

    /// Alongside the loads: a change is never cancelled or replaced.
    fn slot(&self) -> Option<Slot> {
        None
    }

    async fn run(self, env: Env) -> Mutated {
        let result = async {
            let ctx = env.place(self.account.as_deref(), &self.region)?;
            crate::aws::keys::apply(&ctx, &self.mutation).await.map_err(|e| e.to_string())
        }
        .await;
        Mutated { description: self.mutation.describe(), result }
    }

    fn failed(&self, error: String) -> Mutated {
        Mutated { description: self.mutation.describe(), result: Err(error) }
    }
}

impl Deliver for Mutated {
    fn deliver(self, request: u64, sh: &mut To<'_>) {
        if let Some(result) = sh.store.take_mutated(request, self.result) {
            super::finish_change(self.description, result, sh);
        }
    }
}

/// A value revealed for a while is masked again (sent back by a timer); a later reveal's
/// generation keeps its own value shown.
#[derive(Debug, Clone, PartialEq)]
pub struct HideValue {
    pub key: String,
    pub generation: u64,
}

impl Deliver for HideValue {
    fn deliver(self, _request: u64, sh: &mut To<'_>) {
        sh.store.hide_value(&self.key, self.generation);
    }
}

/// The clipboard is cleared (sent back by a timer), unless something was copied since.
#[derive(Debug, Clone, PartialEq)]
pub struct ClearClipboard {
    pub generation: u64,
}

impl Deliver for ClearClipboard {
    fn deliver(self, _request: u64, sh: &mut To<'_>) {
        if sh.store.clipboard_expired(self.generation) {
            sh.outbox.push(crate::tui::command::Command::Clipboard(crate::domain::Secret::new("")));
        }
    }
}
