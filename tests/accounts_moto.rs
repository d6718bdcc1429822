//! An organisation of four accounts in moto (Organizations CreateOrganization and CreateAccount;
//! STS AssumeRole with moto's account isolation: an assumed role's calls land in its account),
//! one of which denies portcullis's role. moto lets any role be assumed, so the denial (STS's
//! AccessDenied answer) and sessions that end come from the STS stand-in in the dev proxy
//! (src/dev/standin/sts.rs), in front of moto; everything else is moto's, through the real SDK.

mod common;

use aws_config::SdkConfig;
use common::{moto, run_cli_at, unique_region};
use portcullis::dev::standin::proxy::{Proxy, Weather};
use serde_json::Value;
use std::collections::BTreeSet;

use common::{OWN_ACCOUNT as MANAGEMENT, sdk_of};

struct Org {
    /// The three member accounts: dev, prod, and the one whose role is missing.
    dev: String,
    prod: String,
    locked: String,
    r1: &'static str,
    r2: &'static str,
    /// bluefin's key in prod.
    prod_key: String,
}

async fn create_account(org: &aws_sdk_organizations::Client, name: &str) -> String {
    let out = org
        .create_account()
        .account_name(name)
        .email(format!("{name}@example.com"))
        .send()
        .await
        .expect("CreateAccount");
    out.create_account_status().and_then(|s| s.account_id()).expect("an account id").to_string()
}

async fn rest_api(sdk: &SdkConfig, name: &str) -> String {
    let gw = aws_sdk_apigateway::Client::new(sdk);
    let api = gw.create_rest_api().name(name).tags("owner", "team-a").send().await.expect("CreateRestApi");
    api.id().unwrap().to_string()
}

async fn partner_key(sdk: &SdkConfig, partner: &str, name: &str) -> String {
    let gw = aws_sdk_apigateway::Client::new(sdk);
    let key = gw.create_api_key().name(name).customer_id(partner).enabled(true).send().await.expect("CreateApiKey");
    let plan = gw.create_usage_plan().name(format!("{name}-plan")).send().await.expect("CreateUsagePlan");
    gw.create_usage_plan_key()
        .usage_plan_id(plan.id().unwrap())
        .key_id(key.id().unwrap())
        .key_type("API_KEY")
        .send()
        .await
        .expect("CreateUsagePlanKey");
    key.id().unwrap().to_string()
}

/// The organisation and its estate: an API in the management account, APIs, plans and keys of
/// partner `bluefin` in dev (region 1) and prod (region 2), an API in the locked account.
async fn organisation() -> Org {
    let endpoint = moto().endpoint();
    let (r1, r2) = (unique_region(), unique_region());
    let management = sdk_of(&endpoint, MANAGEMENT, "us-east-1").await;
    let org = aws_sdk_organizations::Client::new(&management);
    org.create_organization().feature_set("ALL".into()).send().await.expect("CreateOrganization");
    let dev = create_account(&org, "dev").await;
    let prod = create_account(&org, "prod").await;
    let locked = create_account(&org, "locked").await;
    rest_api(&sdk_of(&endpoint, MANAGEMENT, r1).await, "mgmt-portal").await;
    let dev1 = sdk_of(&endpoint, &dev, r1).await;
    rest_api(&dev1, "dev-orders").await;
    partner_key(&dev1, "bluefin", "bluefin-dev").await;
    let prod2 = sdk_of(&endpoint, &prod, r2).await;
    rest_api(&prod2, "prod-payments").await;
    let prod_key = partner_key(&prod2, "bluefin", "bluefin-prod").await;
    rest_api(&sdk_of(&endpoint, &locked, r1).await, "locked-ledger").await;
    Org { dev, prod, locked, r1, r2, prod_key }
}

/// What `account` holds in `region`, read through the SDK with its own assumed credentials.
async fn held(account: &str, region: &str) -> (BTreeSet<(String, String)>, BTreeSet<String>, BTreeSet<String>) {
    let sdk = sdk_of(&moto().endpoint(), account, region).await;
    let gw = aws_sdk_apigateway::Client::new(&sdk);
    let apis = gw.get_rest_apis().send().await.unwrap();
    let apis = apis.items().iter().map(|a| (a.id().unwrap().to_string(), a.name().unwrap().to_string())).collect();
    let plans = gw.get_usage_plans().send().await.unwrap();
    let plans = plans.items().iter().map(|p| p.id().unwrap().to_string()).collect();
    let keys = gw.get_api_keys().send().await.unwrap();
    let keys = keys.items().iter().map(|k| k.id().unwrap().to_string()).collect();
    (apis, plans, keys)
}

fn cli(proxy: &str, org: &Org, args: &[&str]) -> (Value, String, Option<i32>) {
    let mut all = vec!["--region", org.r2, "--accounts", "all"];
    all.extend_from_slice(args);
    let out = run_cli_at(proxy, org.r1, &all, &[]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {stdout}"));
    (json, String::from_utf8_lossy(&out.stderr).to_string(), out.status.code())
}

/// The denied account is named on stderr with what to do, and the run exits 1.
fn says_denied(stderr: &str, code: Option<i32>, org: &Org, what: &str) {
    assert_eq!(code, Some(1), "{what}: exit 1 when an account cannot be read: {stderr}");
    let line = format!("cannot assume PortcullisReadOnly in {} (AccessDenied", org.locked);
    assert!(stderr.contains(&line), "{what}: {stderr}");
    assert!(stderr.contains("leave the account out with --accounts"), "{what}: {stderr}");
}

fn of<'a>(items: &'a Value, account: &str) -> Vec<&'a Value> {
    items.as_array().unwrap().iter().filter(|i| i["account"] == account).collect()
}

fn ids(items: &[&Value]) -> BTreeSet<String> {
    items.iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_account_is_read_with_its_own_credentials_and_the_denied_one_is_named() {
    let org = organisation().await;
    let weather = Weather { denied: vec![org.locked.clone()], ..Default::default() };
    let proxy = Proxy::start(&moto().endpoint(), weather).await.unwrap();
    let url = proxy.url();
    let readable = [MANAGEMENT.to_string(), org.dev.clone(), org.prod.clone()];

    // apis --detail: for each readable account, exactly what its own credentials read.
    let (apis, stderr, code) = tokio::task::spawn_blocking({
        let (url, org2) = (url.clone(), clone_org(&org));
        move || cli(&url, &org2, &["apis", "--detail", "--output", "json"])
    })
    .await
    .unwrap();
    says_denied(&stderr, code, &org, "apis");
    for account in &readable {
        let mut expected = BTreeSet::new();
        for region in [org.r1, org.r2] {
            expected.extend(held(account, region).await.0);
        }
        let listed: BTreeSet<(String, String)> = of(&apis, account)
            .iter()
            .map(|a| (a["id"].as_str().unwrap().to_string(), a["name"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(listed, expected, "the APIs of {account}");
        assert!(!expected.is_empty(), "{account} holds an API");
    }
    assert!(of(&apis, &org.locked).is_empty(), "nothing of the denied account");
    assert!(apis.as_array().unwrap().iter().all(|a| a["accountName"].is_string()), "every API has its account name");
    assert!(apis.as_array().unwrap().iter().all(|a| a.get("methods").is_some()), "--detail reads the methods");

    // plans and keys: the same, per account.
    for (command, index) in [("plans", 1), ("keys", 2)] {
        let (items, stderr, code) = tokio::task::spawn_blocking({
            let (url, org2) = (url.clone(), clone_org(&org));
            move || cli(&url, &org2, &[command, "--output", "json"])
        })
        .await
        .unwrap();
        says_denied(&stderr, code, &org, command);
        for account in &readable {
            let mut expected = BTreeSet::new();
            for region in [org.r1, org.r2] {
                let h = held(account, region).await;
                expected.extend(if index == 1 { h.1 } else { h.2 });
            }
            assert_eq!(ids(&of(&items, account)), expected, "the {command} of {account}");
        }
        assert!(of(&items, &org.locked).is_empty());
    }

    // partners: bluefin is one partner, its keys in two accounts and two regions.
    let (partners, stderr, code) = tokio::task::spawn_blocking({
        let (url, org2) = (url.clone(), clone_org(&org));
        move || cli(&url, &org2, &["partners", "--output", "json"])
    })
    .await
    .unwrap();
    says_denied(&stderr, code, &org, "partners");
    let rows: Vec<&Value> = partners.as_array().unwrap().iter().filter(|p| p["id"] == "bluefin").collect();
    assert_eq!(rows.len(), 1, "one row for bluefin: {partners:#}");
    let keys = rows[0]["keys"].as_array().unwrap();
    let places: BTreeSet<(String, String)> = keys
        .iter()
        .map(|k| (k["account"].as_str().unwrap().to_string(), k["region"].as_str().unwrap().to_string()))
        .collect();
    let expected: BTreeSet<(String, String)> =
        [(org.dev.clone(), org.r1.to_string()), (org.prod.clone(), org.r2.to_string())].into();
    assert_eq!(places, expected, "{partners:#}");
    let mut accounts = vec![org.dev.clone(), org.prod.clone()];
    accounts.sort();
    assert_eq!(rows[0]["accounts"], serde_json::json!(accounts));

    // lint: findings of the readable accounts only, each with its account; a SARIF run per
    // account and region.
    let (report, stderr, code) = tokio::task::spawn_blocking({
        let (url, org2) = (url.clone(), clone_org(&org));
        move || cli(&url, &org2, &["lint", "--output", "json"])
    })
    .await
    .unwrap();
    says_denied(&stderr, code, &org, "lint");
    let findings = report["findings"].as_array().unwrap();
    let found: BTreeSet<&str> = findings.iter().filter_map(|f| f["account"].as_str()).collect();
    assert!(found.contains(org.dev.as_str()) && found.contains(org.prod.as_str()), "{found:?}");
    assert!(!found.contains(org.locked.as_str()));
    assert!(findings.iter().all(|f| f["account"].is_string()), "every finding names its account");
    let (sarif, _, _) = tokio::task::spawn_blocking({
        let (url, org2) = (url.clone(), clone_org(&org));
        move || cli(&url, &org2, &["lint", "--output", "sarif"])
    })
    .await
    .unwrap();
    let runs: BTreeSet<String> = sarif["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().unwrap().to_string())
        .collect();
    for account in &readable {
        for region in [org.r1, org.r2] {
            assert!(runs.contains(&format!("portcullis/lint/{account}/{region}/")), "{runs:?}");
        }
    }
    assert_eq!(runs.len(), 6, "{runs:?}");

    // accounts: each with its status, the denied one with what to do.
    let (accounts, stderr, code) = tokio::task::spawn_blocking({
        let (url, org2) = (url.clone(), clone_org(&org));
        move || cli(&url, &org2, &["accounts", "--output", "json"])
    })
    .await
    .unwrap();
    assert_eq!(code, Some(1), "{stderr}");
    let status = |id: &str| {
        accounts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == id)
            .unwrap_or_else(|| panic!("{id}: {accounts:#}"))
            .clone()
    };
    let locked = status(&org.locked);
    assert_eq!(locked["status"], "denied");
    assert!(locked["error"].as_str().unwrap().contains("AccessDenied"), "{locked}");
    assert_eq!(status(&org.dev)["status"], "ok");
    assert_eq!(status(&org.dev)["name"], "dev");
    assert_eq!(status(&org.dev)["apis"], 1);
    assert_eq!(status(&org.prod)["partners"], 1);
    assert_eq!(status(MANAGEMENT)["apis"], 1);
    assert!(status(&org.prod)["error"].is_null());

    // A key change goes to the account that holds the key.
    let out = tokio::task::spawn_blocking({
        let (url, org2) = (url.clone(), clone_org(&org));
        move || {
            let accounts = format!("{},{}", org2.dev, org2.prod);
            let args = ["--region", org2.r2, "--accounts", &accounts, "keys", "disable", &org2.prod_key, "--yes"];
            run_cli_at(&url, org2.r1, &args, &[])
        }
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let gw = aws_sdk_apigateway::Client::new(&sdk_of(&moto().endpoint(), &org.prod, org.r2).await);
    let key = gw.get_api_key().api_key(&org.prod_key).send().await.unwrap();
    assert!(!key.enabled(), "disabled in prod, where it is");

    // Each account's calls were its own: the proxy saw a session per member account.
    let counts = proxy.counts();
    for account in [&org.dev, &org.prod] {
        assert!(counts.accounts.get(account.as_str()).copied().unwrap_or(0) > 0, "{account}: {:?}", counts.accounts);
    }
    assert!(counts.refused > 0, "the locked account's AssumeRole was refused");
}

fn clone_org(o: &Org) -> Org {
    Org {
        dev: o.dev.clone(),
        prod: o.prod.clone(),
        locked: o.locked.clone(),
        r1: o.r1,
        r2: o.r2,
        prod_key: o.prod_key.clone(),
    }
}

/// Sessions of 20 s (the STS stand-in makes them end; moto never does): a read after the
/// first session has ended still works, because aws-config's cache assumed the role again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ended_session_is_renewed_before_the_next_read() {
    use portcullis::aws::accounts::{AccountEntry, AccountsConfig, AccountsPlan};
    let region = unique_region();
    let member = "210987654321";
    rest_api(&sdk_of(&moto().endpoint(), member, region).await, "member-api").await;
    let weather = Weather { session: Some(std::time::Duration::from_secs(20)), ..Default::default() };
    let proxy = Proxy::start(&moto().endpoint(), weather).await.unwrap();
    let mut settings = portcullis::config::Settings::for_endpoint(&[region], proxy.url());
    let config = AccountsConfig {
        list: vec![AccountEntry { id: member.into(), name: Some("member".into()), profile: None, role_arn: None }],
        ..Default::default()
    };
    settings.accounts = AccountsPlan::from(Some(&config), &[]).unwrap();
    let contexts = portcullis::aws::connect(&settings).await.unwrap();
    let depth = portcullis::aws::catalog::Depth::Summary;
    let first = portcullis::aws::catalog::list_all(&contexts, depth).await.unwrap();
    let names = |c: &portcullis::aws::catalog::Catalog| {
        c.apis.iter().filter(|a| a.account.id.as_deref() == Some(member)).map(|a| a.name.clone()).collect::<Vec<_>>()
    };
    assert_eq!(names(&first), ["member-api"]);
    assert_eq!(proxy.counts().assumed.get(member), Some(&1), "one session so far");
    tokio::time::sleep(std::time::Duration::from_secs(21)).await;
    let again = portcullis::aws::catalog::list_all(&contexts, depth).await.unwrap();
    assert!(again.region_errors.is_empty(), "{:?}", again.region_errors);
    assert_eq!(names(&again), ["member-api"], "the reload after the session ended still reads the account");
    assert_eq!(proxy.counts().assumed.get(member), Some(&2), "the role was assumed again");
    assert_eq!(proxy.counts().refused, 0, "no request was sent with the ended session");
}
