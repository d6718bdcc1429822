//! Partners for the TUI tests: one in every status, over the access fixtures' plans and keys.

use super::access::access_store;
use portcullis::aws::cognito::PoolInfo;
use portcullis::domain::{AppClient, ClientSecretInfo, Partner, PartnerKey, Place};
use portcullis::partners::Destination;
use portcullis::partners::ops::{
    Action as Due, ActionKind, Change, Cleanup, Credential, OffboardPlan, OnboardPlan, OnboardRequest, Placed,
    RotatePlan, Strategy, Todo,
};
use portcullis::tui::loadable::Loadable;
use portcullis::tui::store::{PartnersView, Store};
use std::collections::BTreeMap;

fn key(id: &str, name: &str, enabled: bool, plans: &[&str], retire_after: Option<&str>) -> PartnerKey {
    PartnerKey {
        region: "eu-west-1".into(),
        account: Default::default(),
        id: id.into(),
        name: name.into(),
        enabled,
        created_date: Some("2026-06-01T08:00:00Z".into()),
        plan_ids: plans.iter().map(|p| p.to_string()).collect(),
        retire_after: retire_after.map(String::from),
        rotates: None,
    }
}

fn client(id: &str, name: &str, secrets: &[(&str, &str)]) -> AppClient {
    AppClient {
        client_id: id.into(),
        name: name.into(),
        scopes: vec!["partners/read".into()],
        created_date: Some("2026-06-01T08:00:00Z".into()),
        secrets: secrets
            .iter()
            .map(|(id, at)| ClientSecretInfo { id: Some(id.to_string()), created_date: Some(at.to_string()) })
            .collect(),
        flows: vec!["client_credentials".into()],
    }
}

fn partner(id: &str, keys: Vec<PartnerKey>, clients: Vec<AppClient>, status: &str) -> Partner {
    let mut plan_ids: Vec<String> = keys.iter().flat_map(|k| k.plan_ids.clone()).collect();
    plan_ids.sort();
    plan_ids.dedup();
    let scopes = if clients.is_empty() { vec![] } else { vec!["partners/read".to_string()] };
    Partner {
        id: id.into(),
        region: "eu-west-1".into(),
        account: Default::default(),
        user_pool_id: Some("eu-west-1_pool".into()),
        app_clients: clients,
        keys,
        plan_ids,
        scopes,
        status: status.into(),
        oldest_credential_date: Some("2026-06-01T08:00:00Z".into()),
        regions: vec!["eu-west-1".into()],
        accounts: vec![],
        error: None,
    }
}

/// acme (ok, keys k1 and k3), bolt (rotating), cargo (no app client), dune (interrupted).
pub fn partners() -> Vec<Partner> {
    vec![
        partner(
            "acme",
            vec![key("k1", "acme-prod", true, &["p1"], None), key("k3", "acme-sandbox", false, &["p2"], None)],
            vec![client("c-acme", "acme", &[("c-acme--1780300800", "2026-06-01T08:00:00Z")])],
            "ok",
        ),
        partner(
            "bolt",
            vec![
                key("k2", "bolt-20260601", true, &["p1"], Some("2026-12-05T00:00:00Z")),
                key("k4", "bolt-20261128", true, &["p1"], None),
            ],
            vec![client("c-bolt", "bolt", &[])],
            "rotating until 2026-12-05T00:00:00Z",
        ),
        partner("cargo", vec![key("k5", "cargo-20260601", true, &["p2"], None)], vec![], "incomplete: no app client"),
        partner("dune", vec![], vec![client("c-dune", "dune", &[])], "interrupted: onboard"),
    ]
}

pub fn pool() -> PoolInfo {
    PoolInfo {
        id: "eu-west-1_pool".into(),
        token_url: Some("https://kestrel.auth.eu-west-1.amazoncognito.com/oauth2/token".into()),
        scopes: vec!["partners/read".into(), "partners/write".into()],
    }
}

/// The view, read at 2026-12-01T12:00:00Z, with `due` to reconcile.
pub fn view(due: Vec<Due>) -> PartnersView {
    PartnersView {
        partners: partners(),
        pool: Some(pool()),
        due,
        region: "eu-west-1".into(),
        account: None,
        read_at: "2026-12-01T12:00:00Z".into(),
    }
}

/// What reconcile finds: the interrupted onboarding of dune.
pub fn dune_due() -> Vec<Due> {
    vec![Due {
        partner: "dune".into(),
        kind: ActionKind::Undo,
        what: "onboard begun 2026-12-01T11:58:00Z".into(),
        aws_cli: None,
        done: false,
        todo: Todo::Resume("/state/journal/dune--x.jsonl".into()),
        place: None,
    }]
}

/// The access fixtures' store, with the partner pool set.
pub fn partners_store(read_only: bool) -> Store {
    let mut store = access_store(read_only);
    store.connection.partner_pool = Some("eu-west-1_pool".into());
    store
}

/// A loaded partners view in the store.
pub fn with_view(mut store: Store, view: PartnersView) -> Store {
    store.partners = Loadable::Loaded(view);
    store
}

fn the(id: &str) -> Partner {
    partners().into_iter().find(|p| p.id == id).expect("a fixture partner")
}

fn acme_key() -> portcullis::domain::ApiKey {
    let mut k = super::access::api_keys().into_iter().find(|k| k.id == "k1").expect("k1");
    k.tags = BTreeMap::from([("partner".to_string(), "acme".to_string()), ("team".to_string(), "sales".to_string())]);
    k
}

fn at(text: &str) -> time::OffsetDateTime {
    portcullis::domain::parse_time(text).expect("a time")
}

/// What the worker's check of a rotation of acme's key returns (as `ops::check_rotate` builds it).
pub fn rotate_key_change() -> Change {
    let tags = BTreeMap::from([
        ("partner".to_string(), "acme".to_string()),
        ("portcullis:retire-after".to_string(), "2026-12-08T12:00:00Z".to_string()),
        ("portcullis:rotates".to_string(), "k1".to_string()),
        ("team".to_string(), "sales".to_string()),
    ]);
    Change::Rotate(Box::new(RotatePlan {
        partner: the("acme"),
        region: "eu-west-1".into(),
        credential: Credential::Key,
        destination: Destination::Stdout,
        now: false,
        old_key: Some(acme_key()),
        key_name: "acme-20261201".into(),
        key_tags: tags,
        client_id: None,
        strategy: Strategy::NewApiKey,
        fallback_client: None,
        pool: None,
        retire_after: at("2026-12-08T12:00:00Z"),
        existing_secrets: vec![],
    }))
}

/// A rotation of acme's client secret by the two-secret model.
pub fn rotate_secret_change() -> Change {
    Change::Rotate(Box::new(RotatePlan {
        partner: the("acme"),
        region: "eu-west-1".into(),
        credential: Credential::Secret,
        destination: Destination::Stdout,
        now: false,
        old_key: None,
        key_name: String::new(),
        key_tags: BTreeMap::new(),
        client_id: Some("c-acme".into()),
        strategy: Strategy::SecondSecret,
        fallback_client: None,
        pool: Some(pool()),
        retire_after: at("2026-12-08T12:00:00Z"),
        existing_secrets: vec!["c-acme--1780300800".into()],
    }))
}

/// Offboarding acme: its enabled key disabled, both keys out of their plans and deleted, its client.
pub fn offboard_change() -> Change {
    let (k1, k3) = ("k1".to_string(), "k3".to_string());
    let pool = "eu-west-1_pool".to_string();
    let home = Place::new(None, "eu-west-1");
    let steps = vec![
        Cleanup::DisableKey { key: k1.clone() },
        Cleanup::Detach { key: k1.clone(), plan: "p1".into() },
        Cleanup::DeleteKey { key: k1 },
        Cleanup::Detach { key: k3.clone(), plan: "p2".into() },
        Cleanup::DeleteKey { key: k3 },
        Cleanup::DeleteClient { pool, client: "c-acme".into() },
    ];
    Change::Offboard(Box::new(OffboardPlan {
        partner: the("acme"),
        region: "eu-west-1".into(),
        steps: steps.into_iter().map(|step| Placed { at: home.clone(), step }).collect(),
        home,
    }))
}

/// Onboarding echo into plan p1 with partners/read.
pub fn onboard_change() -> Change {
    let plan = super::access::usage_plans().into_iter().find(|p| p.id == "p1").expect("p1");
    Change::Onboard(Box::new(OnboardPlan {
        request: OnboardRequest {
            partner: "echo".into(),
            pool: "eu-west-1_pool".into(),
            plans: vec!["p1".into()],
            scopes: vec!["partners/read".into()],
            destination: Destination::Stdout,
        },
        region: "eu-west-1".into(),
        pool: pool(),
        plans: vec![plan],
        key_name: "echo-20261201".into(),
        key_tags: BTreeMap::from([("partner".to_string(), "echo".to_string())]),
    }))
}
