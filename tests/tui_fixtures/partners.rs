//! Partners for the TUI tests: one in every status, over the access fixtures' plans and keys.

use super::access::access_store;
use portcullis::aws::cognito::PoolInfo;
use portcullis::domain::{AppClient, ClientSecretInfo, Partner, PartnerKey};
use portcullis::partners::ops::{Action as Due, Todo};
use portcullis::tui::loadable::Loadable;
use portcullis::tui::store::{PartnersView, Store};

fn key(id: &str, name: &str, enabled: bool, plans: &[&str], retire_after: Option<&str>) -> PartnerKey {
    PartnerKey {
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
        user_pool_id: Some("eu-west-1_pool".into()),
        app_clients: clients,
        keys,
        plan_ids,
        scopes,
        status: status.into(),
        oldest_credential_date: Some("2026-06-01T08:00:00Z".into()),
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
        read_at: "2026-12-01T12:00:00Z".into(),
    }
}

/// What reconcile finds: the interrupted onboarding of dune.
pub fn dune_due() -> Vec<Due> {
    vec![Due {
        partner: "dune".into(),
        kind: "undo".into(),
        what: "onboard begun 2026-12-01T11:58:00Z".into(),
        aws_cli: None,
        done: false,
        todo: Todo::Resume("/state/journal/dune--x.jsonl".into()),
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
