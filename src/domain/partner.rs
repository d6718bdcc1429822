//! Partners: an external company's credentials across Cognito and API Gateway, derived from AWS
//! every time (API keys whose `customerId` is the partner id, app clients in the partner pool
//! named `id` or `id/suffix`). Field names serialise in camelCase: the `partners --output json`
//! contract. No secret value is ever part of these types.

use super::ApiKey;
use serde::Serialize;
use std::collections::BTreeSet;

/// The tag on a key made by a rotation: the id of the key it replaces.
pub const TAG_ROTATES: &str = "portcullis:rotates";
/// The tag on a key made by a rotation: when the key it replaces is retired (RFC 3339).
pub const TAG_RETIRE_AFTER: &str = "portcullis:retire-after";
/// The tag every partner key carries (as `keys create --customer-id` sets it).
pub const TAG_PARTNER: &str = "partner";
/// The tag on a partner's keys that records its user pool (where its app clients are), so every
/// later operation knows it without being told.
pub const TAG_USER_POOL: &str = "portcullis:user-pool";

/// The user pool `partner`'s keys record: `Ok(None)` when none does, an error when they
/// disagree (nobody can tell which is the partner's).
pub fn recorded_pool(keys: &[ApiKey], partner: &str) -> Result<Option<String>, String> {
    let pools: BTreeSet<&str> = keys
        .iter()
        .filter(|k| k.customer_id.as_deref() == Some(partner))
        .filter_map(|k| k.tags.get(TAG_USER_POOL).map(String::as_str))
        .collect();
    match pools.len() {
        0 | 1 => Ok(pools.first().map(|p| p.to_string())),
        _ => Err(format!(
            "the keys of partner {partner} record several user pools ({}): fix their {TAG_USER_POOL} tags",
            pools.into_iter().collect::<Vec<_>>().join(", ")
        )),
    }
}

/// A partner key's tags: the partner, and the user pool its app clients are in.
pub fn partner_key_tags(partner: &str, pool: Option<&str>) -> std::collections::BTreeMap<String, String> {
    let mut tags = super::new_key_tags(Some(partner));
    if let Some(pool) = pool {
        tags.insert(TAG_USER_POOL.to_string(), pool.to_string());
    }
    tags
}

/// One of an app client's secrets (Cognito's two-secret model: at most two at once).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientSecretInfo {
    /// `<client id>--<epoch>`; `None` where the endpoint cannot list secrets (the client's
    /// own secret, made with it).
    pub id: Option<String>,
    pub created_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppClient {
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_date: Option<String>,
    pub secrets: Vec<ClientSecretInfo>,
    /// `client_credentials` for a partner client.
    #[serde(skip)]
    pub flows: Vec<String>,
}

impl AppClient {
    /// The partner this client belongs to: its name up to the first `/`.
    pub fn partner(&self) -> &str {
        self.name.split('/').next().unwrap_or_default()
    }

    /// One of the clients a secret rotation replaces or makes: the partner's own (`<id>`) or
    /// a second one (`<id>/<UTC time>`). Others (`<id>/console`) are the operator's, never
    /// retired by a rotation.
    pub fn rotates(&self) -> bool {
        !self.name.contains('/') || client_stamp(&self.name).is_some()
    }
}

/// The time in a second app client's name, `<partner>/20261201T120000Z`.
pub fn client_stamp(name: &str) -> Option<time::OffsetDateTime> {
    let suffix = name.split_once('/')?.1;
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    Some(time::PrimitiveDateTime::parse(suffix, &format).ok()?.assume_utc())
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerKey {
    pub id: String,
    /// Where the key is (a partner's keys may be in several regions and accounts).
    pub region: String,
    #[serde(flatten)]
    pub account: super::AccountRef,
    pub name: String,
    pub enabled: bool,
    pub created_date: Option<String>,
    pub plan_ids: Vec<String>,
    /// On a key a rotation replaced: when it is retired (the new key's tag says).
    pub retire_after: Option<String>,
    /// On a key a rotation made: the key it replaces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rotates: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Partner {
    pub id: String,
    pub region: String,
    #[serde(flatten)]
    pub account: super::AccountRef,
    pub user_pool_id: Option<String>,
    pub app_clients: Vec<AppClient>,
    pub keys: Vec<PartnerKey>,
    pub plan_ids: Vec<String>,
    pub scopes: Vec<String>,
    pub status: String,
    pub oldest_credential_date: Option<String>,
    /// Every region its keys and app clients are in (one partner across regions and accounts).
    #[serde(default)]
    pub regions: Vec<String>,
    /// Every account its keys and app clients are in (ids; empty when the credentials' own
    /// account is read alone).
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Why this partner could not be read completely (absent when it was).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Partner {
    pub fn enabled_keys(&self) -> usize {
        self.keys.iter().filter(|k| k.enabled).count()
    }
}

/// An unfinished operation found in the journal: its partner and what it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unfinished {
    pub partner: String,
    pub operation: String,
}

/// What the partner view is made of, as read from AWS (and the journal).
#[derive(Debug, Clone, Default)]
pub struct PartnerSources<'a> {
    pub region: &'a str,
    pub account: super::AccountRef,
    pub user_pool_id: Option<&'a str>,
    pub keys: &'a [ApiKey],
    pub clients: &'a [AppClient],
    pub unfinished: &'a [Unfinished],
    /// How long old and new credentials both work after a rotation.
    pub grace: std::time::Duration,
}

/// A partner id: a slug of lowercase letters, digits and `-`, 2 to 63 characters, starting
/// with a letter or digit (it becomes a key's customer id and an app client's name).
pub fn check_partner_id(id: &str) -> Result<(), String> {
    let ok_chars = id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    let ok_start = id.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if (2..=63).contains(&id.len()) && ok_chars && ok_start {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not a partner id: use 2 to 63 lowercase letters, digits and `-`, starting with a letter or digit"
        ))
    }
}

/// Join keys and app clients into partners, sorted by id, each with its status at `now`.
pub fn assemble(src: &PartnerSources, now: time::OffsetDateTime) -> Vec<Partner> {
    let mut ids: BTreeSet<&str> = src.keys.iter().filter_map(|k| k.customer_id.as_deref()).collect();
    ids.extend(src.clients.iter().map(AppClient::partner));
    ids.extend(src.unfinished.iter().map(|u| u.partner.as_str()));
    ids.retain(|id| !id.is_empty());
    ids.into_iter().map(|id| partner(src, id, now)).collect()
}

fn partner(src: &PartnerSources, id: &str, now: time::OffsetDateTime) -> Partner {
    let api_keys: Vec<&ApiKey> = src.keys.iter().filter(|k| k.customer_id.as_deref() == Some(id)).collect();
    let keys: Vec<PartnerKey> = api_keys.iter().map(|k| partner_key(k, &api_keys)).collect();
    let app_clients: Vec<AppClient> = src.clients.iter().filter(|c| c.partner() == id).cloned().collect();
    let plan_ids: BTreeSet<String> = keys.iter().flat_map(|k| k.plan_ids.iter().cloned()).collect();
    let scopes: BTreeSet<String> = app_clients.iter().flat_map(|c| c.scopes.iter().cloned()).collect();
    let oldest = keys
        .iter()
        .filter(|k| k.enabled)
        .filter_map(|k| k.created_date.clone())
        .chain(app_clients.iter().flat_map(|c| c.secrets.iter().filter_map(|s| s.created_date.clone())))
        .min_by_key(|d| super::parse_time(d));
    let error = api_keys.iter().find_map(|k| k.error.clone());
    let mut p = Partner {
        id: id.to_string(),
        region: src.region.to_string(),
        account: src.account.clone(),
        user_pool_id: src.user_pool_id.map(str::to_string),
        app_clients,
        keys,
        plan_ids: plan_ids.into_iter().collect(),
        scopes: scopes.into_iter().collect(),
        status: String::new(),
        oldest_credential_date: oldest,
        regions: vec![],
        accounts: vec![],
        error,
    };
    spread(&mut p);
    p.status = status(&p, src, now);
    p
}

/// The regions and accounts a partner's credentials are in.
fn spread(p: &mut Partner) {
    let regions: BTreeSet<String> =
        p.keys.iter().map(|k| k.region.clone()).chain(std::iter::once(p.region.clone())).collect();
    let accounts: BTreeSet<String> =
        p.keys.iter().filter_map(|k| k.account.id.clone()).chain(p.account.id.clone()).collect();
    p.regions = regions.into_iter().collect();
    p.accounts = accounts.into_iter().collect();
}

/// One row per partner: the rows read in each region and account joined (its keys wherever
/// they are, its app clients in the partner pool, its plans), the status worked out again from
/// all of them. `unfinished` is every operation the journal holds unfinished.
pub fn join(
    rows: Vec<Partner>,
    unfinished: &[Unfinished],
    grace: std::time::Duration,
    now: time::OffsetDateTime,
) -> Vec<Partner> {
    let mut by_id: std::collections::BTreeMap<String, Partner> = Default::default();
    for row in rows {
        match by_id.entry(row.id.clone()) {
            std::collections::btree_map::Entry::Vacant(v) => {
                v.insert(row);
            }
            std::collections::btree_map::Entry::Occupied(mut o) => absorb(o.get_mut(), row),
        }
    }
    by_id
        .into_values()
        .map(|mut p| {
            spread(&mut p);
            let src = PartnerSources {
                region: "",
                user_pool_id: p.user_pool_id.as_deref(),
                unfinished,
                grace,
                ..Default::default()
            };
            p.status = status(&p, &src, now);
            p
        })
        .collect()
}

/// Take `other`'s credentials into `p`; the row with the app clients (the partner pool's
/// region) is the partner's home.
fn absorb(p: &mut Partner, other: Partner) {
    if p.app_clients.is_empty() && !other.app_clients.is_empty() {
        p.region = other.region.clone();
        p.account = other.account.clone();
    }
    if p.user_pool_id.is_none() {
        p.user_pool_id = other.user_pool_id;
    }
    for c in other.app_clients {
        if !p.app_clients.iter().any(|x| x.client_id == c.client_id) {
            p.app_clients.push(c);
        }
    }
    p.keys.extend(other.keys);
    let union = |a: &mut Vec<String>, b: Vec<String>| {
        let all: BTreeSet<String> = a.drain(..).chain(b).collect();
        *a = all.into_iter().collect();
    };
    union(&mut p.plan_ids, other.plan_ids);
    union(&mut p.scopes, other.scopes);
    p.oldest_credential_date = [p.oldest_credential_date.take(), other.oldest_credential_date]
        .into_iter()
        .flatten()
        .min_by_key(|d| super::parse_time(d));
    if p.error.is_none() {
        p.error = other.error;
    }
}

fn partner_key(k: &ApiKey, all: &[&ApiKey]) -> PartnerKey {
    // The key that replaces this one carries the date this one retires.
    let successor = all.iter().find(|n| n.tags.get(TAG_ROTATES) == Some(&k.id));
    PartnerKey {
        region: k.region.clone(),
        account: k.account.clone(),
        id: k.id.clone(),
        name: k.name.clone(),
        enabled: k.enabled,
        created_date: k.created_date.clone(),
        plan_ids: k.plan_ids.clone(),
        retire_after: successor.and_then(|n| n.tags.get(TAG_RETIRE_AFTER).cloned()),
        rotates: k.tags.get(TAG_ROTATES).cloned(),
    }
}

/// `interrupted: <operation>`, `incomplete: <what>`, `rotating until <date>`, `rotation due
/// since <date>` or `ok`, in that order of precedence.
fn status(p: &Partner, src: &PartnerSources, now: time::OffsetDateTime) -> String {
    if let Some(u) = src.unfinished.iter().find(|u| u.partner == p.id) {
        return format!("interrupted: {}", u.operation);
    }
    let mut missing = Vec::new();
    if p.keys.is_empty() {
        missing.push("no API key".to_string());
    }
    // Only the partner pool's region can hold app clients: elsewhere (or with no pool named)
    // a partner is its keys, and none is missing.
    if p.app_clients.is_empty() && src.user_pool_id.is_some() {
        missing.push("no app client".to_string());
    }
    if !p.keys.is_empty() && p.enabled_keys() == 0 {
        missing.push("every key disabled".to_string());
    }
    for k in p.keys.iter().filter(|k| k.enabled && k.plan_ids.is_empty()) {
        missing.push(format!("key {} in no plan", k.id));
    }
    if !missing.is_empty() {
        return format!("incomplete: {}", missing.join(", "));
    }
    match rotation_end(p, src.grace) {
        Some(end) if end > now => format!("rotating until {}", super::rfc3339(end)),
        Some(end) => format!("rotation due since {}", super::rfc3339(end)),
        None => "ok".into(),
    }
}

/// When the rotation in progress ends (the old credential retires), if one is: the latest
/// retire-after of a key still enabled, a second client secret's creation plus the grace, or
/// the newest of several app clients' creation plus the grace.
pub fn rotation_end(p: &Partner, grace: std::time::Duration) -> Option<time::OffsetDateTime> {
    let grace = time::Duration::try_from(grace).unwrap_or(time::Duration::days(7));
    let keys =
        p.keys.iter().filter(|k| k.enabled).filter_map(|k| k.retire_after.as_deref().and_then(super::parse_time));
    let newest = |dates: Vec<Option<time::OffsetDateTime>>| dates.into_iter().flatten().max();
    let secrets = p.app_clients.iter().filter(|c| c.secrets.len() > 1).filter_map(|c| {
        newest(c.secrets.iter().map(|s| s.created_date.as_deref().and_then(super::parse_time)).collect())
            .map(|d| d + grace)
    });
    let rotating: Vec<&AppClient> = p.app_clients.iter().filter(|c| c.rotates()).collect();
    let clients = (rotating.len() > 1 && rotating.iter().any(|c| c.name.contains('/')))
        .then(|| newest(rotating.iter().map(|c| c.created_date.as_deref().and_then(super::parse_time)).collect()))
        .flatten()
        .map(|d| d + grace);
    keys.chain(secrets).chain(clients).max()
}

/// `3 days`, `5 months`: how old a credential is.
pub fn credential_age(date: Option<&str>, now: time::OffsetDateTime) -> String {
    let Some(t) = date.and_then(super::parse_time) else { return "-".into() };
    let days = (now - t).whole_days().max(0);
    match days {
        0 => "today".into(),
        1..60 => format!("{days} days"),
        60..730 => format!("{} months", days / 30),
        _ => format!("{} years", days / 365),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn key(id: &str, partner: &str, enabled: bool, plans: &[&str], tags: &[(&str, &str)]) -> ApiKey {
        ApiKey {
            id: id.into(),
            name: format!("{partner}-{id}"),
            description: None,
            enabled,
            customer_id: Some(partner.into()),
            created_date: Some("2026-01-10T00:00:00Z".into()),
            last_updated_date: None,
            plan_ids: plans.iter().map(|p| p.to_string()).collect(),
            tags: tags.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<BTreeMap<_, _>>(),
            region: "eu-west-1".into(),
            account: Default::default(),
            error: None,
            value: None,
        }
    }

    fn client(name: &str, created: &str, secrets: &[&str]) -> AppClient {
        AppClient {
            client_id: format!("c-{name}"),
            name: name.into(),
            scopes: vec!["partners/read".into()],
            created_date: Some(created.into()),
            secrets: secrets
                .iter()
                .map(|d| ClientSecretInfo { id: Some(format!("c--{d}")), created_date: Some(d.to_string()) })
                .collect(),
            flows: vec!["client_credentials".into()],
        }
    }

    fn statuses(keys: &[ApiKey], clients: &[AppClient], unfinished: &[Unfinished]) -> Vec<(String, String)> {
        let src = PartnerSources {
            region: "eu-west-1",
            account: Default::default(),
            user_pool_id: Some("pool"),
            keys,
            clients,
            unfinished,
            grace: std::time::Duration::from_secs(7 * 86_400),
        };
        let now = super::super::parse_time("2026-12-01T12:00:00Z").unwrap();
        assemble(&src, now).into_iter().map(|p| (p.id, p.status)).collect()
    }

    #[test]
    fn every_status() {
        let keys = [
            key("k1", "acme", true, &["p1"], &[]),
            key("k2", "bolt", true, &["p1"], &[]),
            key("k3", "bolt", true, &["p1"], &[(TAG_ROTATES, "k2"), (TAG_RETIRE_AFTER, "2026-12-05T00:00:00Z")]),
            key("k4", "cargo", true, &[], &[]),
            key("k5", "dune", false, &["p1"], &[]),
            key("k6", "echo", true, &["p1"], &[]),
            key("k7", "fjord", true, &["p1"], &[(TAG_ROTATES, "k8"), (TAG_RETIRE_AFTER, "2026-11-20T00:00:00Z")]),
            key("k8", "fjord", true, &["p1"], &[]),
        ];
        let clients = [
            client("acme", "2026-01-10T00:00:00Z", &["2026-01-10T00:00:00Z"]),
            client("bolt", "2026-01-10T00:00:00Z", &["2026-01-10T00:00:00Z"]),
            client("cargo", "2026-01-10T00:00:00Z", &[]),
            client("dune", "2026-01-10T00:00:00Z", &[]),
            client("echo", "2026-01-10T00:00:00Z", &[]),
            client("fjord", "2026-01-10T00:00:00Z", &[]),
            client("glade", "2026-01-10T00:00:00Z", &[]),
            client("hive", "2026-01-10T00:00:00Z", &["2026-01-10T00:00:00Z", "2026-11-28T12:00:00Z"]),
            client("iris", "2026-01-10T00:00:00Z", &[]),
            client("iris/20261130T000000Z", "2026-11-30T00:00:00Z", &[]),
            client("jade", "2026-01-10T00:00:00Z", &[]),
            client("jade/console", "2026-11-30T00:00:00Z", &[]),
        ];
        let hive_key = key("k9", "hive", true, &["p1"], &[]);
        let iris_key = key("k10", "iris", true, &["p1"], &[]);
        let jade_key = key("k11", "jade", true, &["p1"], &[]);
        let all_keys: Vec<ApiKey> = keys.iter().cloned().chain([hive_key, iris_key, jade_key]).collect();
        let unfinished = [Unfinished { partner: "echo".into(), operation: "rotate key".into() }];
        let got = statuses(&all_keys, &clients, &unfinished);
        let want = [
            ("acme", "ok"),
            ("bolt", "rotating until 2026-12-05T00:00:00Z"),
            ("cargo", "incomplete: key k4 in no plan"),
            ("dune", "incomplete: every key disabled"),
            ("echo", "interrupted: rotate key"),
            ("fjord", "rotation due since 2026-11-20T00:00:00Z"),
            ("glade", "incomplete: no API key"),
            ("hive", "rotating until 2026-12-05T12:00:00Z"),
            ("iris", "rotating until 2026-12-07T00:00:00Z"),
            // An operator's own second client is not a rotation.
            ("jade", "ok"),
        ];
        let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
        assert_eq!(got, want);
        let lone = statuses(&[key("k1", "kilo", true, &["p1"], &[])], &[], &[]);
        assert_eq!(lone, [("kilo".to_string(), "incomplete: no app client".to_string())]);
        // Outside the partner pool's region (or with no pool) a partner is its keys alone.
        let keys = [key("k1", "kilo", true, &["p1"], &[])];
        let src = PartnerSources {
            region: "us-east-1",
            account: Default::default(),
            user_pool_id: None,
            keys: &keys,
            clients: &[],
            unfinished: &[],
            grace: std::time::Duration::from_secs(7 * 86_400),
        };
        let now = super::super::parse_time("2026-12-01T12:00:00Z").unwrap();
        assert_eq!(assemble(&src, now)[0].status, "ok");
    }

    #[test]
    fn the_retiring_key_carries_its_retire_after() {
        let keys = [
            key("old", "bolt", true, &["p1"], &[]),
            key("new", "bolt", true, &["p1"], &[(TAG_ROTATES, "old"), (TAG_RETIRE_AFTER, "2026-12-05T00:00:00Z")]),
        ];
        let src = PartnerSources { region: "r", keys: &keys, grace: std::time::Duration::ZERO, ..Default::default() };
        let p = &assemble(&src, time::OffsetDateTime::UNIX_EPOCH)[0];
        let by_id = |id: &str| p.keys.iter().find(|k| k.id == id).unwrap();
        assert_eq!(by_id("old").retire_after.as_deref(), Some("2026-12-05T00:00:00Z"));
        assert_eq!((by_id("new").retire_after.as_deref(), by_id("new").rotates.as_deref()), (None, Some("old")));
        assert_eq!(p.plan_ids, ["p1"]);
    }

    #[test]
    fn partner_ids_are_slugs() {
        assert!(check_partner_id("acme-logistics").is_ok());
        for bad in ["", "a", "Acme", "-acme", "acme/x", "acme logistics", &"a".repeat(64)] {
            assert!(check_partner_id(bad).is_err(), "{bad}");
        }
    }
}
