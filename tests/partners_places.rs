//! One partner across two accounts and two regions (moto's account isolation: the second
//! account's key is made through a role assumed there): listed as one row; its offboarding plans
//! every key, each step with its place; killed with SIGKILL in the middle of it, `reconcile`
//! takes it up in every place and nothing is left half-done. The real binary against moto.

mod common;

use common::partners::{Fixture, fixture};
use common::{moto, sdk_of, unique_region};
use serde_json::Value;
use std::os::unix::process::ExitStatusExt;

const MEMBER: &str = "210000000042";

struct Spread {
    f: Fixture,
    /// The member account's region.
    r2: &'static str,
    /// Its usage plan.
    plan: String,
    /// A config file without accounts (onboarding goes to the one account and region).
    plain: std::path::PathBuf,
}

async fn spread() -> Spread {
    let f = fixture(unique_region()).await;
    let r2 = unique_region();
    let sdk = sdk_of(&moto().endpoint(), MEMBER, r2).await;
    let gw = aws_sdk_apigateway::Client::new(&sdk);
    gw.create_rest_api().name("member-shipping").send().await.unwrap();
    let plan = gw.create_usage_plan().name("member-gold").send().await.unwrap();
    f.set_config(&format!(
        "[accounts]\nsource = \"list\"\n\n[[accounts.list]]\nid = \"{MEMBER}\"\nname = \"member\"\n"
    ));
    let plain = f.path("plain.toml");
    std::fs::write(&plain, "").unwrap();
    Spread { f, r2, plan: plan.id().unwrap().to_string(), plain }
}

impl Spread {
    /// `partners ARGS` over both accounts and both regions.
    fn everywhere(&self, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> std::process::Output {
        // Both regions after the subcommand: a global flag given there replaces the one before it.
        let regions = format!("{},{}", self.f.region, self.r2);
        let mut all = args.to_vec();
        all.extend(["--region", &regions]);
        self.f.partners(&all, env)
    }

    /// Onboard `partner` in the credentials' own account and region, then give it a key in the
    /// member account (as another onboarding there would: its customer id and pool tag).
    async fn partner(&self, partner: &str) -> (String, String, String) {
        let file = self.f.path(&format!("{partner}.json"));
        let plain = self.plain.to_str().unwrap();
        let args = ["onboard", partner, "--plan", &self.f.plans[0], "--scope", "partners/read", "--yes"];
        let mut args = args.to_vec();
        args.extend(["--export", file.to_str().unwrap(), "--config", plain]);
        let out = self.f.partners(&args, &[]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let e: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let sdk = sdk_of(&moto().endpoint(), MEMBER, self.r2).await;
        let gw = aws_sdk_apigateway::Client::new(&sdk);
        let key = gw
            .create_api_key()
            .name(format!("{partner}-member"))
            .customer_id(partner)
            .enabled(true)
            .tags("portcullis:user-pool", &self.f.pool)
            .send()
            .await
            .unwrap();
        let member_key = key.id().unwrap().to_string();
        gw.create_usage_plan_key()
            .usage_plan_id(&self.plan)
            .key_id(&member_key)
            .key_type("API_KEY")
            .send()
            .await
            .unwrap();
        (e["apiKeyId"].as_str().unwrap().to_string(), member_key, e["clientId"].as_str().unwrap().to_string())
    }

    /// What is left of `partner`: keys in either account (id, enabled), app clients.
    async fn left(&self, partner: &str) -> (Vec<(String, bool)>, usize) {
        let mut keys = Vec::new();
        for gw in [
            (*self.f.ctx.apigw).clone(),
            aws_sdk_apigateway::Client::new(&sdk_of(&moto().endpoint(), MEMBER, self.r2).await),
        ] {
            let out = gw.get_api_keys().limit(500).send().await.unwrap();
            keys.extend(
                out.items()
                    .iter()
                    .filter(|k| k.customer_id() == Some(partner))
                    .map(|k| (k.id().unwrap().to_string(), k.enabled())),
            );
        }
        let clients = self.f.ctx.cognito.list_user_pool_clients().user_pool_id(&self.f.pool).max_results(60);
        let clients = clients.send().await.unwrap();
        let n = clients.user_pool_clients().iter().filter(|c| c.client_name() == Some(partner)).count();
        (keys, n)
    }
}

#[tokio::test]
async fn a_partner_in_two_accounts_and_regions_is_one_row_and_offboarded_everywhere() {
    let s = spread().await;
    let (own_key, member_key, _) = s.partner("tern").await;
    let out = s.everywhere(&["--output", "json"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<&Value> = listed.as_array().unwrap().iter().filter(|p| p["id"] == "tern").collect();
    assert_eq!(rows.len(), 1, "one row: {listed:#}");
    let keys: Vec<(&str, &str)> = rows[0]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["id"].as_str().unwrap(), k["region"].as_str().unwrap()))
        .collect();
    assert!(
        keys.contains(&(own_key.as_str(), s.f.region)) && keys.contains(&(member_key.as_str(), s.r2)),
        "{keys:?}: {listed:#} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(rows[0]["status"], "ok", "{:#}", rows[0]);

    // The plan lists every key, each step where it goes.
    let out = s.everywhere(&["offboard", "tern", "--dry-run"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let line = |needle: &str| text.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle}: {text}"));
    let member_delete = line(&format!("delete-api-key --api-key {member_key}"));
    assert!(member_delete.contains(&format!("--region {}", s.r2)), "{member_delete}");
    assert!(member_delete.contains(&format!("--profile <account {MEMBER}>")), "{member_delete}");
    let own_delete = line(&format!("delete-api-key --api-key {own_key}"));
    assert!(
        own_delete.contains(&format!("--region {}", s.f.region)) && !own_delete.contains("--profile"),
        "{own_delete}"
    );
    line(&format!("delete-usage-plan-key --usage-plan-id {} --key-id {member_key}", s.plan));
    line("delete-user-pool-client");
    // Both keys are disabled before anything is deleted.
    let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("{needle}: {text}"));
    let disables = at(&format!("--api-key {member_key} --patch-operations"))
        .max(at(&format!("--api-key {own_key} --patch-operations")));
    assert!(disables < at("delete-usage-plan-key"), "{text}");

    // A key rotation hands over one new key: with both accounts connected it is refused, with
    // what to pass, and nothing changes.
    let out = s.everywhere(&["rotate", "tern", "--key", "--yes"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--accounts ID and --region"));
    assert_eq!(s.left("tern").await.0.len(), 2, "nothing rotated");

    let out = s.everywhere(&["offboard", "tern", "--yes"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(s.left("tern").await, (vec![], 0), "nothing of tern anywhere");
}

#[tokio::test]
async fn an_offboarding_killed_in_either_account_is_finished_by_reconcile() {
    let s = spread().await;
    let mut case = 0;
    for (kind, phase) in [
        ("disable-member", "sent"),
        ("disable-own", "after"),
        ("detach-member", "before"),
        ("delete-member", "sent"),
        ("delete-own", "before"),
        ("client", "before"),
    ] {
        case += 1;
        let partner = format!("tern-{case}");
        let (own_key, member_key, client) = s.partner(&partner).await;
        let step = match kind {
            "disable-member" => format!("disable:{member_key}"),
            "disable-own" => format!("disable:{own_key}"),
            "detach-member" => format!("detach:{member_key}:{}", s.plan),
            "delete-member" => format!("delete-key:{member_key}"),
            "delete-own" => format!("delete-key:{own_key}"),
            _ => format!("delete-client:{client}"),
        };
        let at = format!("{step}:{phase}");
        let out = s.everywhere(&["offboard", &partner, "--yes"], &[("PORTCULLIS_KILL_AT", at.as_ref())]);
        assert_eq!(out.status.signal(), Some(9), "{at}: {:?} {}", out.status, String::from_utf8_lossy(&out.stderr));
        if kind != "disable-own" {
            let (keys, _) = s.left(&partner).await;
            assert!(
                keys.iter().all(|(_, enabled)| !enabled),
                "{at}: every key in both accounts disabled first: {keys:?}"
            );
        }
        let out = s.everywhere(&["reconcile", "--yes", "--output", "json"], &[]);
        assert!(out.status.success(), "{at}: reconcile failed: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(s.left(&partner).await, (vec![], 0), "{at}: nothing half-done in either account");
        let journals = std::fs::read_dir(s.f.state().join("portcullis/journal"))
            .map(|d| d.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "jsonl")).count())
            .unwrap_or(0);
        assert_eq!(journals, 0, "{at}: no journal left");
    }
}

/// A key rotated in the member account (its successor tagged with a retire-after date gone by):
/// reconcile with both accounts connected retires it there, its line saying where.
#[tokio::test]
async fn reconcile_retires_a_key_in_another_account() {
    let s = spread().await;
    let (_, old, _) = s.partner("wren").await;
    let gw = aws_sdk_apigateway::Client::new(&sdk_of(&moto().endpoint(), MEMBER, s.r2).await);
    let past = "2026-01-01T00:00:00Z";
    gw.create_api_key()
        .name("wren-member-2")
        .customer_id("wren")
        .enabled(true)
        .tags("portcullis:rotates", &old)
        .tags("portcullis:retire-after", past)
        .tags("portcullis:user-pool", &s.f.pool)
        .send()
        .await
        .unwrap();
    let out = s.everywhere(&["reconcile", "wren", "--dry-run", "--output", "json"], &[]);
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let line = text
        .lines()
        .find(|l| l.contains(&format!("update-api-key --api-key {old}")))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains(&format!("--region {}", s.r2)) && line.contains(&format!("--profile <account {MEMBER}>")),
        "{line}"
    );
    let out = s.everywhere(&["reconcile", "wren", "--yes", "--output", "json"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = gw.get_api_key().api_key(&old).send().await.unwrap();
    assert!(!key.enabled(), "retired in the member account");
}
