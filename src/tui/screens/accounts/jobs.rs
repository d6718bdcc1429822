//! The accounts screen's one load: the accounts of the connection and their status (known when
//! it was made: each role assumed, or not), or the credentials' own account alone.

use crate::aws::accounts::AccountInfo;
use crate::tui::command::Slot;
use crate::tui::jobs::{Deliver, Env, Job, To};

#[derive(Debug, Clone, PartialEq)]
pub struct LoadAccounts;

#[derive(Debug, Clone, PartialEq)]
pub struct AccountsLoaded(pub Result<Vec<AccountInfo>, String>);

impl Job for LoadAccounts {
    type Output = AccountsLoaded;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Feature("accounts", String::new()))
    }

    async fn run(self, env: Env) -> AccountsLoaded {
        let result = async {
            let clients = env.clients()?;
            crate::aws::accounts::of_connection(clients).await.map_err(|e| e.to_string())
        }
        .await;
        AccountsLoaded(result)
    }

    fn failed(&self, error: String) -> AccountsLoaded {
        AccountsLoaded(Err(error))
    }
}

impl Deliver for AccountsLoaded {
    fn deliver(self, request: u64, to: &mut To<'_>) {
        to.owner(|s: &super::AccountsScreen| s.accounts.waits_for(request), |s, _| s.take(request, self.0));
    }
}
