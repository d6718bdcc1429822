//! Usage plans, API keys, a plan's usage, and key changes (one executor: `aws::keys::apply`).

use super::{RegionLoad, USAGE_DAYS, Worker, region_warning};
use crate::aws::AwsContext;
use crate::domain::Mutation;
use crate::tui::message::Message;

impl Worker {
    pub(super) fn region(&self, contexts: &[AwsContext], region: &str) -> Result<AwsContext, String> {
        contexts.iter().find(|c| c.region == region).cloned().ok_or_else(|| format!("no client for region {region}"))
    }

    /// Run `load` in every region at once; a region that fails becomes a warning, and only
    /// when every region fails is it an error (as for the catalog).
    pub(super) async fn per_region<T>(
        &self,
        load: impl for<'a> Fn(&'a AwsContext) -> RegionLoad<'a, T>,
    ) -> Result<Vec<T>, String> {
        let contexts = self.contexts().await?;
        let results = futures::future::join_all(contexts.iter().map(&load)).await;
        let (mut all, mut errors) = (Vec::new(), Vec::new());
        for (ctx, r) in contexts.iter().zip(results) {
            match r {
                Ok(items) => all.extend(items),
                Err(e) => errors.push((ctx.region.clone(), e)),
            }
        }
        match errors.first() {
            Some((_, e)) if errors.len() == contexts.len() => Err(e.to_string()),
            Some(_) => {
                let _ = self.tx.send(Message::Warning(region_warning(&errors)));
                Ok(all)
            }
            None => Ok(all),
        }
    }

    pub(super) async fn load_plans(&self, request: u64) -> Message {
        let result = self.per_region(|c| Box::pin(crate::aws::plans::list_plans(c))).await;
        if let Ok(plans) = &result {
            let unread: Vec<&str> = plans.iter().filter(|p| p.error.is_some()).map(|p| p.name.as_str()).collect();
            self.incomplete("usage plan", &unread);
        }
        Message::PlansLoaded { request, result }
    }

    pub(super) async fn load_keys(&self, request: u64) -> Message {
        let result = self
            .per_region(|c| Box::pin(crate::aws::keys::list_keys_with(c, None, crate::aws::keys::Values::Read)))
            .await;
        if let Ok(keys) = &result {
            let unread: Vec<&str> = keys.iter().filter(|k| k.error.is_some()).map(|k| k.name.as_str()).collect();
            self.incomplete("key", &unread);
        }
        Message::KeysLoaded { request, result }
    }

    /// Items listed with an `error` (some of their reads failed after every retry): said on
    /// the status line, with how to read them again.
    pub(super) fn incomplete(&self, noun: &str, names: &[&str]) {
        let Some(first) = names.first() else { return };
        let more = if names.len() > 1 { format!(" and {} more", names.len() - 1) } else { String::new() };
        let text = format!("{noun} {first}{more} could not be read completely (marked !); ctrl-r reads again");
        let _ = self.tx.send(Message::Warning(text));
    }

    pub(super) async fn load_usage(&self, request: u64, plan: String, region: String) -> Message {
        let result = async {
            let ctx = self.region(self.contexts().await?, &region)?;
            crate::aws::plans::usage(&ctx, &plan, None, USAGE_DAYS).await.map_err(|e| e.to_string())
        }
        .await;
        Message::UsageLoaded { request, plan, result }
    }

    pub(super) async fn mutate(&self, request: u64, mutation: Mutation, region: String) -> Message {
        use crate::aws::keys;
        let description = mutation.describe();
        let result = async {
            let ctx = self.region(self.contexts().await?, &region)?;
            let done = keys::apply(&ctx, &mutation).await;
            done.map_err(|e| e.to_string())
        }
        .await;
        Message::Mutated { request, description, result }
    }
}
