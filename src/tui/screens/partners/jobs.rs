//! The partners data source's load, a change checked into its plan, the reviewed change
//! carried out, and an app client's secret read (DescribeUserPoolClient) only when it is to be
//! revealed or copied.

use crate::domain::Secret;
use crate::partners::ops::Change;
use crate::partners::run::PartnerOp;
use crate::tui::command::{SecretUse, Slot};
use crate::tui::jobs::{Deliver, Env, Job, To};
use crate::tui::store::PartnersView;

#[derive(Debug, Clone, PartialEq)]
pub struct ReadClientSecret {
    pub region: String,
    pub client_id: String,
    pub then: SecretUse,
}

/// The secret (its `Debug` is masked), or why it could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSecretRead {
    pub client_id: String,
    pub then: SecretUse,
    pub result: Result<Secret, String>,
}

impl Job for ReadClientSecret {
    type Output = ClientSecretRead;

    /// Alongside everything: each read is its own.
    fn slot(&self) -> Option<Slot> {
        None
    }

    async fn run(self, env: Env) -> ClientSecretRead {
        let result = async {
            let ctx = env.region(&self.region)?;
            let pool = env.settings.partner_pool.as_deref().ok_or("no partner user pool")?;
            let (_, secret) =
                crate::aws::cognito::describe(&ctx, pool, &self.client_id).await.map_err(|e| e.to_string())?;
            secret.ok_or_else(|| format!("app client {} has no secret", self.client_id))
        }
        .await;
        ClientSecretRead { client_id: self.client_id, then: self.then, result }
    }

    fn failed(&self, error: String) -> ClientSecretRead {
        ClientSecretRead { client_id: self.client_id.clone(), then: self.then, result: Err(error) }
    }
}

impl Deliver for ClientSecretRead {
    fn deliver(self, _request: u64, sh: &mut To<'_>) {
        super::take_secret(self.client_id, self.then, self.result, sh);
    }
}

/// The partners, the partner pool, and what reconcile would do.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadPartners;

#[derive(Debug, Clone, PartialEq)]
pub struct PartnersLoaded(pub Result<PartnersView, String>);

/// Check a partner change into the plan its review shows (nothing changes).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanChange(pub PartnerOp);

#[derive(Debug, Clone, PartialEq)]
pub struct ChangePlanned(pub Result<Box<Change>, String>);

/// The reviewed change, carried out as it was reviewed (one at a time).
#[derive(Debug, Clone, PartialEq)]
pub struct RunChange(pub Change);

/// A change finished: the credentials it handed over, if it made any, and what to warn of.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeDone {
    pub description: String,
    pub result: Result<crate::partners::run::Executed, String>,
}

impl Job for LoadPartners {
    type Output = PartnersLoaded;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Partners)
    }

    async fn run(self, env: Env) -> PartnersLoaded {
        let result = match env.clients() {
            Ok(c) => crate::partners::run::load_view(c, &env.settings.partner_policy()).await,
            Err(e) => Err(e),
        };
        PartnersLoaded(result)
    }

    fn failed(&self, error: String) -> PartnersLoaded {
        PartnersLoaded(Err(error))
    }
}

impl Deliver for PartnersLoaded {
    fn deliver(self, request: u64, sh: &mut To<'_>) {
        sh.store.take_partners(request, self.0);
    }
}

impl Job for PlanChange {
    type Output = ChangePlanned;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::PartnerPlan)
    }

    async fn run(self, env: Env) -> ChangePlanned {
        let result = match env.clients() {
            Ok(c) => crate::partners::run::plan(c, &env.settings.partner_policy(), &self.0).await.map(Box::new),
            Err(e) => Err(e),
        };
        ChangePlanned(result)
    }

    fn failed(&self, error: String) -> ChangePlanned {
        ChangePlanned(Err(error))
    }
}

impl Deliver for ChangePlanned {
    fn deliver(self, request: u64, sh: &mut To<'_>) {
        super::take_plan(request, self.0, sh);
    }
}

impl Job for RunChange {
    type Output = ChangeDone;

    /// Alongside the loads: a change is never cancelled or replaced.
    fn slot(&self) -> Option<Slot> {
        None
    }

    async fn run(self, env: Env) -> ChangeDone {
        let result = match env.clients() {
            Ok(c) => crate::partners::run::execute(c, &env.settings.partner_policy(), &self.0).await,
            Err(e) => Err(e),
        };
        ChangeDone { description: self.0.title(), result }
    }

    fn failed(&self, error: String) -> ChangeDone {
        ChangeDone { description: self.0.title(), result: Err(error) }
    }
}

impl Deliver for ChangeDone {
    fn deliver(self, request: u64, sh: &mut To<'_>) {
        if let Some(result) = sh.store.take_partner_change(request, self.result) {
            super::finish_change(self.description, result, sh);
        }
    }
}
