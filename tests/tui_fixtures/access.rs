//! Usage plans, API keys and usage, fixed for the TUI tests: the factories, the store that
//! holds them, and apps opened on the keys and plan screens.

use super::{apis, command, done, job, loaded_at, new_store, request_of};
use portcullis::domain::{ApiKey, DayUsage, PlanStage, Quota, Secret, Throttle, Usage, UsagePlan};
use portcullis::tui::app::App;
use portcullis::tui::loadable::Loadable;
use portcullis::tui::screens::Nav;
use portcullis::tui::screens::plans::PlanDetailScreen;
use portcullis::tui::screens::plans::jobs::{LoadUsage, UsageLoaded};
use portcullis::tui::store::Store;
use std::collections::BTreeMap;

/// The value of key `k1`, as `key("k1", ..)` makes it.
pub const VALUE_K1: &str = "k1VALUEabcdefghij0123456789k1";

/// A plan in eu-west-1 (50/s burst 100, 1000 a month) on `stages` (API id, stage), each with
/// one method override, holding `keys`.
pub fn plan(id: &str, name: &str, stages: &[(&str, &str)], keys: &[&str]) -> UsagePlan {
    UsagePlan {
        id: id.into(),
        name: name.into(),
        description: Some(format!("{name} partner tier")),
        throttle: Some(Throttle { rate_limit: Some(50.0), burst_limit: Some(100) }),
        quota: Some(Quota { limit: 1000, period: "MONTH".into(), offset: 0 }),
        api_stages: stages
            .iter()
            .map(|(a, s)| PlanStage {
                api_id: a.to_string(),
                stage: s.to_string(),
                throttle: BTreeMap::from([(
                    "/payments/GET".to_string(),
                    Throttle { rate_limit: Some(5.0), burst_limit: Some(10) },
                )]),
            })
            .collect(),
        key_ids: keys.iter().map(|k| k.to_string()).collect(),
        tags: BTreeMap::new(),
        region: "eu-west-1".into(),
        account: Default::default(),
        error: None,
    }
}

/// A key in eu-west-1; its customer is the name up to the first `-`, its value ends in its id.
pub fn key(id: &str, name: &str, plans: &[&str], enabled: bool) -> ApiKey {
    ApiKey {
        id: id.into(),
        name: name.into(),
        description: None,
        enabled,
        customer_id: Some(name.split('-').next().unwrap_or("").into()),
        created_date: Some("2026-10-01T08:00:00Z".into()),
        last_updated_date: Some("2026-11-02T09:00:00Z".into()),
        plan_ids: plans.iter().map(|p| p.to_string()).collect(),
        tags: BTreeMap::from([("tier".into(), "gold".into())]),
        region: "eu-west-1".into(),
        account: Default::default(),
        error: None,
        value: Some(Secret::new(format!("{id}VALUEabcdefghij0123456789{}", &id[..2]))),
    }
}

/// Seven days of plan p1's usage: k1 uses 30, 60, ... 210 a day (840 of its 1000 by the
/// last day), k2 a sixth of that.
pub fn usage() -> Usage {
    let days = |base: i64| -> Vec<DayUsage> {
        (0..7)
            .map(|i| DayUsage {
                date: format!("2026-11-{:02}", 21 + i),
                used: base * (i + 1),
                remaining: 1000 - base * (i + 1) * (i + 2) / 2,
            })
            .collect()
    };
    Usage {
        plan_id: "p1".into(),
        start_date: "2026-11-21".into(),
        end_date: "2026-11-27".into(),
        keys: BTreeMap::from([("k1".into(), days(30)), ("k2".into(), days(5))]),
    }
}

/// gold (p1: payments prod, keys k1 and k2) and sandbox (p2: payments dev, key k3).
pub fn usage_plans() -> Vec<UsagePlan> {
    vec![
        plan("p1", "gold", &[("a1b2c3d4e5", "prod")], &["k1", "k2"]),
        plan("p2", "sandbox", &[("a1b2c3d4e5", "dev")], &["k3"]),
    ]
}

/// acme-prod (k1) and globex-prod (k2) in gold, acme-sandbox (k3, disabled) in sandbox.
pub fn api_keys() -> Vec<ApiKey> {
    vec![
        key("k1", "acme-prod", &["p1"], true),
        key("k2", "globex-prod", &["p1"], true),
        key("k3", "acme-sandbox", &["p2"], false),
    ]
}

/// A store with the plans and keys loaded.
pub fn access_store(read_only: bool) -> Store {
    let mut store = new_store(read_only);
    store.plans = Loadable::Loaded(usage_plans());
    store.keys = Loadable::Loaded(api_keys());
    store
}

/// The catalog (refreshed at 09:30:00) over the store with plans and keys loaded.
pub fn access_app(read_only: bool) -> App {
    loaded_at(access_store(read_only), apis(), "09:30:00")
}

/// The keys screen over the catalog, nothing left in the outbox.
pub fn keys_app_with(read_only: bool) -> App {
    let mut app = access_app(read_only);
    command(&mut app, "keys");
    let sent = app.take_commands();
    assert!(sent.is_empty(), "keys and plans are loaded: nothing to ask for, got {sent:?}");
    app
}

pub fn keys_app() -> App {
    keys_app_with(false)
}

/// The plan's detail over the catalog, its usage load (the one command it sends) answered
/// with `usage`.
pub fn plan_detail_app(plan: &str, usage: Result<Usage, String>) -> App {
    let mut app = access_app(false);
    let detail = PlanDetailScreen::open(plan, &mut app.shared);
    app.navigate(Nav::Push(detail));
    let request = match app.take_commands().as_slice() {
        [c] if job::<LoadUsage>(c).is_some_and(|j| j.plan == plan) => request_of(c),
        other => panic!("expected the usage of {plan} to load, got {other:?}"),
    };
    app.handle(done(request, UsageLoaded { plan: plan.into(), result: usage }));
    app
}
