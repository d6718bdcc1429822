//! The plans and keys data sources' loads, as jobs (several screens read them: plans, keys,
//! partners, the catalog's pivots), and a plan's usage.

use crate::domain::{ApiKey, Usage, UsagePlan};
use crate::tui::command::Slot;
use crate::tui::jobs::{Deliver, Env, Job, To, per_region};

/// Days of usage the plan screen charts.
pub const USAGE_DAYS: u32 = 14;

#[derive(Debug, Clone, PartialEq)]
pub struct LoadPlans;

#[derive(Debug, Clone, PartialEq)]
pub struct PlansLoaded(pub Result<Vec<UsagePlan>, String>);

#[derive(Debug, Clone, PartialEq)]
pub struct LoadKeys;

#[derive(Debug, Clone, PartialEq)]
pub struct KeysLoaded(pub Result<Vec<ApiKey>, String>);

#[derive(Debug, Clone, PartialEq)]
pub struct LoadUsage {
    pub plan: String,
    pub region: String,
    /// The plan's account, when accounts are read.
    pub account: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UsageLoaded {
    pub plan: String,
    pub result: Result<Usage, String>,
}

/// Items listed with an `error` (some of their reads failed after every retry): said on the
/// status line, with how to read them again.
fn incomplete(env: &Env, noun: &str, names: &[&str]) {
    let Some(first) = names.first() else { return };
    let more = if names.len() > 1 { format!(" and {} more", names.len() - 1) } else { String::new() };
    env.warn(format!("{noun} {first}{more} could not be read completely (marked !); ctrl-r reads again"));
}

impl Job for LoadPlans {
    type Output = PlansLoaded;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Plans)
    }

    async fn run(self, env: Env) -> PlansLoaded {
        let result = per_region(&env, |c| Box::pin(crate::aws::plans::list_plans(c))).await;
        if let Ok(plans) = &result {
            let unread: Vec<&str> = plans.iter().filter(|p| p.error.is_some()).map(|p| p.name.as_str()).collect();
            incomplete(&env, "usage plan", &unread);
        }
        PlansLoaded(result)
    }

    fn failed(&self, error: String) -> PlansLoaded {
        PlansLoaded(Err(error))
    }
}

impl Deliver for PlansLoaded {
    fn deliver(self, request: u64, sh: &mut To<'_>) {
        sh.store.take_plans(request, self.0);
    }
}

impl Job for LoadKeys {
    type Output = KeysLoaded;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Keys)
    }

    async fn run(self, env: Env) -> KeysLoaded {
        let read = crate::aws::keys::Values::Read;
        let result = per_region(&env, |c| Box::pin(crate::aws::keys::list_keys_with(c, None, read))).await;
        if let Ok(keys) = &result {
            let unread: Vec<&str> = keys.iter().filter(|k| k.error.is_some()).map(|k| k.name.as_str()).collect();
            incomplete(&env, "key", &unread);
        }
        KeysLoaded(result)
    }

    fn failed(&self, error: String) -> KeysLoaded {
        KeysLoaded(Err(error))
    }
}

impl Deliver for KeysLoaded {
    fn deliver(self, request: u64, sh: &mut To<'_>) {
        sh.store.take_keys(request, self.0);
    }
}

impl Job for LoadUsage {
    type Output = UsageLoaded;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Usage(self.plan.clone()))
    }

    async fn run(self, env: Env) -> UsageLoaded {
        let result = async {
            let ctx = env.place(self.account.as_deref(), &self.region)?;
            crate::aws::plans::usage(&ctx, &self.plan, None, USAGE_DAYS).await.map_err(|e| e.to_string())
        }
        .await;
        UsageLoaded { plan: self.plan, result }
    }

    fn failed(&self, error: String) -> UsageLoaded {
        UsageLoaded { plan: self.plan.clone(), result: Err(error) }
    }
}

impl Deliver for UsageLoaded {
    fn deliver(self, request: u64, to: &mut To<'_>) {
        let asked = |s: &super::detail::PlanDetailScreen| s.plan == self.plan && s.usage.waits_for(request);
        to.owner(asked, |s, _| _ = s.usage.accept(request, self.result));
    }
}
