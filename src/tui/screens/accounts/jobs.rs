//! The accounts screen's one load: the accounts of the connection and their status (known when
//! it was made: each role assumed, or not), or the credentials' own account alone.

use crate::aws::accounts::{AccountInfo, Status};
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
            let Some(first) = clients.first() else { return Ok(vec![]) };
            if !first.reach.accounts.is_empty() {
                return Ok(first.reach.accounts.clone());
            }
            // One account read: its id, asked once (GetCallerIdentity).
            let id = crate::aws::audit::account(first).await.map_err(|e| e.to_string())?;
            let id = id.split('@').next().unwrap_or_default().to_string();
            Ok(vec![AccountInfo { id, name: None, status: Status::Ok, error: None, role_arn: None, own: true }])
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
