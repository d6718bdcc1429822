//! Usage plans and API keys: who may call which API stage, how often.
//!
//! Field names serialise in camelCase; they are the `plans` / `keys --output json` contract.
//! An API key's value is a `Secret` and is never serialised here.

use super::{Call, Plan, Secret, Throttle};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Quota {
    pub limit: i32,
    /// DAY, WEEK or MONTH.
    pub period: String,
    pub offset: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanStage {
    pub api_id: String,
    pub stage: String,
    /// Per-method overrides, keyed `/resource/path/METHOD`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub throttle: BTreeMap<String, Throttle>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsagePlan {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub throttle: Option<Throttle>,
    pub quota: Option<Quota>,
    pub api_stages: Vec<PlanStage>,
    pub key_ids: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub region: String,
    #[serde(flatten)]
    pub account: super::AccountRef,
    /// What could not be read after every retry (the plan's keys); absent when all loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl UsagePlan {
    /// The API stages this plan shares with `other` (a key may be in only one plan per stage).
    pub fn shared_stages<'a>(&'a self, other: &UsagePlan) -> Vec<&'a PlanStage> {
        self.api_stages
            .iter()
            .filter(|s| other.api_stages.iter().any(|o| o.api_id == s.api_id && o.stage == s.stage))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub enabled: bool,
    /// The partner this key belongs to.
    pub customer_id: Option<String>,
    pub created_date: Option<String>,
    pub last_updated_date: Option<String>,
    pub plan_ids: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub region: String,
    #[serde(flatten)]
    pub account: super::AccountRef,
    /// Why `planIds` may be incomplete (a plan's keys could not be read after every retry);
    /// absent when all loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Only when asked for (the TUI's masked column); never serialised.
    #[serde(skip)]
    pub value: Option<Secret>,
}

impl ApiKey {
    /// `••••••••abcd` when the value is known, else a plain mask.
    pub fn masked(&self) -> String {
        self.value.as_ref().map_or_else(|| "••••••••".to_string(), Secret::masked)
    }
}

/// A key just created: the only time its value is at hand without asking for it.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatedKey {
    pub key: ApiKey,
    pub value: Secret,
    /// True when the create call failed in transit and the key was found by re-listing.
    pub recovered: bool,
}

/// What to create.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewKey {
    pub name: String,
    pub customer_id: Option<String>,
    pub description: Option<String>,
    pub plan_ids: Vec<String>,
    pub enabled: bool,
}

/// Requests per day for one key: (date `YYYY-MM-DD`, used, remaining quota).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayUsage {
    pub date: String,
    pub used: i64,
    pub remaining: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    pub plan_id: String,
    pub start_date: String,
    pub end_date: String,
    /// Key id -> one entry per day from `start_date`.
    pub keys: BTreeMap<String, Vec<DayUsage>>,
}

impl Usage {
    /// Requests per day summed over the keys.
    pub fn totals(&self) -> Vec<DayUsage> {
        let mut days: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for series in self.keys.values() {
            for d in series {
                let e = days.entry(d.date.clone()).or_default();
                e.0 += d.used;
                e.1 += d.remaining;
            }
        }
        days.into_iter().map(|(date, (used, remaining))| DayUsage { date, used, remaining }).collect()
    }
}

/// A change to keys or plans: shown before it happens (with the AWS CLI equivalent), then done.
#[derive(Debug, Clone, PartialEq)]
pub enum Mutation {
    CreateKey(NewKey),
    SetEnabled { key_id: String, name: String, enabled: bool },
    DeleteKey { key_id: String, name: String },
    Attach { key_id: String, plan_id: String },
    Detach { key_id: String, plan_id: String },
}

impl Mutation {
    /// The key it changes (none for a new one).
    pub fn key_id(&self) -> Option<&str> {
        match self {
            Mutation::CreateKey(_) => None,
            Mutation::SetEnabled { key_id, .. }
            | Mutation::DeleteKey { key_id, .. }
            | Mutation::Attach { key_id, .. }
            | Mutation::Detach { key_id, .. } => Some(key_id),
        }
    }

    /// One line: what will change.
    pub fn describe(&self) -> String {
        match self {
            Mutation::CreateKey(k) => {
                let plans = if k.plan_ids.is_empty() {
                    String::new()
                } else {
                    format!(", attached to {}", k.plan_ids.join(", "))
                };
                let state = if k.enabled { "enabled" } else { "disabled" };
                format!(
                    "create API key {} ({state}){}{plans}",
                    k.name,
                    k.customer_id.as_deref().map(|c| format!(" for {c}")).unwrap_or_default()
                )
            }
            Mutation::SetEnabled { name, key_id, enabled: true } => format!("enable API key {name} ({key_id})"),
            Mutation::SetEnabled { name, key_id, enabled: false } => {
                format!("disable API key {name} ({key_id}): calls with it start failing")
            }
            Mutation::DeleteKey { name, key_id } => {
                format!("delete API key {name} ({key_id}) for good: it cannot be restored")
            }
            Mutation::Attach { key_id, plan_id } => format!("attach API key {key_id} to usage plan {plan_id}"),
            Mutation::Detach { key_id, plan_id } => format!("detach API key {key_id} from usage plan {plan_id}"),
        }
    }

    /// The change as one value: its calls in order (what `--dry-run` prints, the review shows
    /// and the worker carries out).
    pub fn plan(&self, region: &str) -> Plan {
        Plan::new(self.describe(), region, self.calls())
    }

    /// The equivalent AWS CLI commands.
    pub fn aws_cli(&self, region: &str) -> Vec<String> {
        self.plan(region).cli()
    }

    fn calls(&self) -> Vec<Call> {
        let api = |command| Call::new("apigateway", command);
        match self {
            Mutation::CreateKey(k) => create_calls(k),
            Mutation::SetEnabled { key_id, enabled, .. } => vec![set_enabled_call(key_id, *enabled)],
            Mutation::DeleteKey { key_id, .. } => vec![api("delete-api-key").arg("--api-key", key_id)],
            Mutation::Attach { key_id, plan_id } => vec![
                api("create-usage-plan-key")
                    .arg("--usage-plan-id", plan_id)
                    .arg("--key-id", key_id)
                    .arg("--key-type", "API_KEY"),
            ],
            Mutation::Detach { key_id, plan_id } => {
                vec![api("delete-usage-plan-key").arg("--usage-plan-id", plan_id).arg("--key-id", key_id)]
            }
        }
    }
}

/// `update-api-key` turning a key on or off.
pub fn set_enabled_call(key_id: &str, enabled: bool) -> Call {
    Call::new("apigateway", "update-api-key")
        .arg("--api-key", key_id)
        .arg("--patch-operations", format!("op=replace,path=/enabled,value={enabled}"))
}

/// `create-usage-plan-key` for a key made earlier in the same change.
pub fn attach_new_key_call(plan_id: &str) -> Call {
    Call::new("apigateway", "create-usage-plan-key")
        .arg("--usage-plan-id", plan_id)
        .later("--key-id", "new key id")
        .arg("--key-type", "API_KEY")
}

/// The tags a new key of `customer` carries (`partner=<customer>`), as `create_key` sets them.
pub fn new_key_tags(customer: Option<&str>) -> BTreeMap<String, String> {
    customer.map(|c| BTreeMap::from([(super::TAG_PARTNER.to_string(), c.to_string())])).unwrap_or_default()
}

fn create_calls(k: &NewKey) -> Vec<Call> {
    let mut create = Call::new("apigateway", "create-api-key").arg("--name", &k.name);
    if let Some(c) = &k.customer_id {
        create = create.arg("--customer-id", c).tags(&new_key_tags(Some(c)));
    }
    create = create.opt("--description", k.description.as_deref());
    create = create.switch(if k.enabled { "--enabled" } else { "--no-enabled" });
    let mut out = vec![create];
    // As `create_key` does: each plan once, in the order given.
    let mut plans = k.plan_ids.clone();
    plans.dedup();
    out.extend(plans.iter().map(|p| attach_new_key_call(p)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_equivalents_quote_what_needs_it() {
        let m = Mutation::CreateKey(NewKey {
            name: "acme prod".into(),
            customer_id: Some("acme".into()),
            description: None,
            plan_ids: vec!["p1".into()],
            enabled: true,
        });
        let cli = m.aws_cli("eu-west-1");
        assert_eq!(
            cli[0],
            "aws apigateway create-api-key --name 'acme prod' --customer-id acme --tags 'partner=acme' --enabled --region eu-west-1"
        );
        assert!(cli[1].starts_with("aws apigateway create-usage-plan-key --usage-plan-id p1 --key-id <new key id>"));
        let d = Mutation::SetEnabled { key_id: "k1".into(), name: "n".into(), enabled: false };
        assert!(d.aws_cli("us-east-1")[0].contains("'op=replace,path=/enabled,value=false'"));
    }

    #[test]
    fn totals_sum_keys_per_day() {
        let day = |d: &str, u, r| DayUsage { date: d.into(), used: u, remaining: r };
        let usage = Usage {
            plan_id: "p".into(),
            start_date: "2026-11-01".into(),
            end_date: "2026-11-02".into(),
            keys: BTreeMap::from([
                ("a".into(), vec![day("2026-11-01", 5, 95), day("2026-11-02", 1, 94)]),
                ("b".into(), vec![day("2026-11-01", 2, 98)]),
            ]),
        };
        assert_eq!(usage.totals(), vec![day("2026-11-01", 7, 193), day("2026-11-02", 1, 94)]);
    }
}
