//! Partners against moto, through the real binary, each result read back through the SDK:
//! onboard (export file and Secrets Manager), both rotations (the client secret by the
//! second-app-client fallback: moto has no AddUserPoolClientSecret), offboard, reconcile.

mod common;

use common::partners::{Fixture, exported, fixture};
use common::unique_region;
use serde_json::Value;

fn ok(out: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "exit {:?}: {stderr}", out.status.code());
    stderr
}

fn failed(out: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    stderr
}

async fn key_value(f: &Fixture, id: &str) -> (String, aws_sdk_apigateway::operation::get_api_key::GetApiKeyOutput) {
    let k = f.ctx.apigw.get_api_key().api_key(id).include_value(true).send().await.unwrap();
    (k.value().unwrap_or_default().to_string(), k)
}

async fn plan_keys(f: &Fixture, plan: &str) -> Vec<String> {
    let out = f.ctx.apigw.get_usage_plan_keys().usage_plan_id(plan).send().await.unwrap();
    out.items().iter().filter_map(|k| k.id().map(str::to_string)).collect()
}

async fn clients(f: &Fixture) -> Vec<(String, String)> {
    let out = f.ctx.cognito.list_user_pool_clients().user_pool_id(&f.pool).max_results(60).send().await.unwrap();
    out.user_pool_clients()
        .iter()
        .map(|c| (c.client_id().unwrap_or_default().to_string(), c.client_name().unwrap_or_default().to_string()))
        .collect()
}

async fn onboard(f: &Fixture, partner: &str) -> Value {
    let file = f.path(&format!("{partner}.json"));
    let out = f.partners(
        &["onboard", partner, "--plan", &f.plans[0], "--plan", &f.plans[1], "--scope", "partners/read", "--export"]
            .into_iter()
            .chain([file.to_str().unwrap(), "--yes", "--output", "json"])
            .collect::<Vec<_>>(),
        &[],
    );
    ok(&out);
    let said: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(said.get("apiKey").is_none() && said.get("clientSecret").is_none(), "no values on stdout: {said}");
    assert_eq!(said["exportedTo"], file.to_str().unwrap());
    exported(&file)
}

#[tokio::test]
async fn onboarding_makes_a_working_credential_set_in_every_plan() {
    let f = fixture(unique_region()).await;
    let creds = onboard(&f, "acme").await;
    // The app client: client credentials, the scope, the secret handed over.
    let client_id = creds["clientId"].as_str().unwrap();
    let c = f.ctx.cognito.describe_user_pool_client().user_pool_id(&f.pool).client_id(client_id).send().await.unwrap();
    let c = c.user_pool_client().unwrap();
    assert_eq!(c.client_name(), Some("acme"));
    assert_eq!(c.allowed_o_auth_flows_user_pool_client(), Some(true));
    assert_eq!(c.allowed_o_auth_flows().iter().map(|x| x.as_str()).collect::<Vec<_>>(), ["client_credentials"]);
    assert_eq!(c.allowed_o_auth_scopes(), ["partners/read"]);
    assert_eq!(c.client_secret(), creds["clientSecret"].as_str(), "the secret handed over is the client's");
    // The key: customer id, tag, enabled, its value handed over, in both plans.
    let key_id = creds["apiKeyId"].as_str().unwrap();
    let (value, k) = key_value(&f, key_id).await;
    assert_eq!(Some(value.as_str()), creds["apiKey"].as_str());
    assert_eq!(value.len(), 40);
    assert!(k.enabled());
    assert_eq!(k.customer_id(), Some("acme"));
    assert_eq!(k.tags().and_then(|t| t.get("partner")).map(String::as_str), Some("acme"));
    for plan in &f.plans {
        assert!(plan_keys(&f, plan).await.contains(&key_id.to_string()), "in plan {plan}");
    }
    assert!(creds["tokenUrl"].as_str().unwrap().ends_with(".amazoncognito.com/oauth2/token"), "{creds}");
    assert_eq!(creds["invokeUrls"].as_array().map(Vec::len), Some(2), "{creds}");
    // Listed, ok; nothing left in the journal.
    let listed = f.listed();
    let p = &listed[0];
    assert_eq!((p["id"].as_str(), p["status"].as_str()), (Some("acme"), Some("ok")), "{listed}");
    assert_eq!(p["keys"][0]["planIds"].as_array().map(Vec::len), Some(2));
    assert_eq!(p["appClients"][0]["clientId"], client_id);
    assert_eq!(p["scopes"], serde_json::json!(["partners/read"]));
    let journal = f.state().join("portcullis/journal");
    let left: Vec<_> = std::fs::read_dir(&journal)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        .collect();
    assert!(left.is_empty(), "a finished operation leaves no journal: {left:?}");
    // Twice is refused, and the export file is never overwritten.
    let again = f.partners(&["onboard", "acme", "--plan", &f.plans[0], "--scope", "partners/read", "--yes"], &[]);
    assert!(failed(&again).contains("exists already"));
    let file = f.path("acme.json");
    let other = f.partners(
        &[
            "onboard",
            "bolt",
            "--plan",
            &f.plans[0],
            "--scope",
            "partners/read",
            "--export",
            file.to_str().unwrap(),
            "--yes",
        ],
        &[],
    );
    assert!(failed(&other).contains("already exists"));
    assert!(clients(&f).await.iter().all(|(_, n)| n != "bolt"), "refused before anything was made");
}

#[tokio::test]
async fn onboarding_checks_before_it_makes_anything() {
    let f = fixture(unique_region()).await;
    for (args, said) in [
        (
            vec!["onboard", "Acme", "--plan", f.plans[0].as_str(), "--scope", "partners/read", "--yes"],
            "not a partner id",
        ),
        (vec!["onboard", "acme", "--plan", "nope", "--scope", "partners/read", "--yes"], "usage plan nope not found"),
        (
            vec!["onboard", "acme", "--plan", f.plans[0].as_str(), "--scope", "partners/admin", "--yes"],
            "not in user pool",
        ),
        (
            vec![
                "onboard",
                "acme",
                "--plan",
                f.plans[0].as_str(),
                "--plan",
                f.plans[0].as_str(),
                "--scope",
                "partners/read",
                "--yes",
            ],
            "both cover",
        ),
    ] {
        let err = failed(&f.partners(&args, &[]));
        assert!(err.contains(said), "{args:?}: {err}");
    }
    let dry = f.partners(&["onboard", "acme", "--plan", &f.plans[0], "--scope", "partners/read", "--dry-run"], &[]);
    ok(&dry);
    let cli = String::from_utf8_lossy(&dry.stdout);
    assert!(
        cli.contains("aws cognito-idp create-user-pool-client") && cli.contains("aws apigateway create-api-key"),
        "{cli}"
    );
    let ro = f
        .partners(&["onboard", "acme", "--plan", &f.plans[0], "--scope", "partners/read", "--yes", "--read-only"], &[]);
    assert!(failed(&ro).contains("read-only"));
    assert!(clients(&f).await.is_empty(), "nothing was made");
    let keys = f.ctx.apigw.get_api_keys().send().await.unwrap();
    assert!(keys.items().is_empty(), "no key was made");
}

#[tokio::test]
async fn a_key_rotation_keeps_both_keys_working_then_reconcile_retires_and_deletes_the_old_one() {
    let f = fixture(unique_region()).await;
    let first = onboard(&f, "acme").await;
    let old = first["apiKeyId"].as_str().unwrap().to_string();
    let file = f.path("rotated.json");
    let out =
        f.partners(&["rotate", "acme", "--key", "--grace", "7d", "--export", file.to_str().unwrap(), "--yes"], &[]);
    assert!(ok(&out).contains("strategy: new API key"));
    let creds = exported(&file);
    let new = creds["apiKeyId"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert!(creds.get("clientSecret").is_none(), "a key rotation hands over the key alone: {creds}");
    let (value, k) = key_value(&f, &new).await;
    assert_eq!(Some(value.as_str()), creds["apiKey"].as_str());
    let tags = k.tags().unwrap();
    assert_eq!(tags.get("portcullis:rotates"), Some(&old));
    let retire = tags.get("portcullis:retire-after").unwrap().clone();
    assert_eq!(tags.get("partner").map(String::as_str), Some("acme"));
    for plan in &f.plans {
        let in_plan = plan_keys(&f, plan).await;
        assert!(in_plan.contains(&old) && in_plan.contains(&new), "both keys in {plan}: {in_plan:?}");
    }
    let p = &f.listed()[0];
    assert_eq!(p["status"].as_str(), Some(format!("rotating until {retire}").as_str()), "{p}");
    let old_listed = p["keys"].as_array().unwrap().iter().find(|k| k["id"] == old.as_str()).unwrap();
    assert_eq!(old_listed["retireAfter"], retire.as_str(), "retireAfter is on the key that will be retired");
    assert!(failed(&f.partners(&["rotate", "acme", "--key", "--yes"], &[])).contains("rotating key"));
    // Nothing is due yet.
    let due = f.partners(&["reconcile", "--yes", "--output", "json"], &[]);
    ok(&due);
    assert_eq!(serde_json::from_slice::<Value>(&due.stdout).unwrap(), serde_json::json!([]));
    assert!(key_value(&f, &old).await.1.enabled());

    // A second partner rotated with no grace: reconcile retires the old key at once, and with
    // retire_delete_after = 0s deletes it on the next run.
    let second = onboard(&f, "bolt").await;
    let old2 = second["apiKeyId"].as_str().unwrap().to_string();
    ok(&f.partners(&["rotate", "bolt", "--key", "--grace", "0s", "--yes"], &[]));
    let dry = f.partners(&["reconcile", "bolt", "--dry-run"], &[]);
    ok(&dry);
    assert!(String::from_utf8_lossy(&dry.stdout).contains(&format!("update-api-key --api-key {old2}")));
    assert!(key_value(&f, &old2).await.1.enabled(), "a dry run changes nothing");
    let run = f.partners(&["reconcile", "bolt", "--yes", "--output", "json"], &[]);
    ok(&run);
    let actions: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(actions[0]["kind"], "retire", "{actions}");
    assert_eq!(actions[0]["done"], true);
    assert!(!key_value(&f, &old2).await.1.enabled(), "retired: disabled");
    f.set_config("retire_delete_after = \"0s\"\n");
    ok(&f.partners(&["reconcile", "bolt", "--yes"], &[]));
    let gone = f.ctx.apigw.get_api_key().api_key(&old2).send().await;
    assert!(gone.is_err(), "deleted after retire_delete_after");
    let p = f.listed();
    let bolt = p.as_array().unwrap().iter().find(|p| p["id"] == "bolt").unwrap();
    assert_eq!((bolt["status"].as_str(), bolt["keys"].as_array().map(Vec::len)), (Some("ok"), Some(1)), "{bolt}");
}

#[tokio::test]
async fn a_secret_rotation_under_moto_takes_a_second_app_client_and_reconcile_retires_the_first() {
    let f = fixture(unique_region()).await;
    let first = onboard(&f, "acme").await;
    let old_client = first["clientId"].as_str().unwrap().to_string();
    let file = f.path("secret.json");
    let out = f.partners(&["rotate", "acme", "--secret", "--export", file.to_str().unwrap(), "--yes"], &[]);
    assert!(ok(&out).contains("strategy: second app client"), "the output says which way was taken");
    let creds = exported(&file);
    assert_eq!(creds["strategy"], "second app client");
    let new_client = creds["clientId"].as_str().unwrap().to_string();
    assert_ne!(new_client, old_client);
    let c =
        f.ctx.cognito.describe_user_pool_client().user_pool_id(&f.pool).client_id(&new_client).send().await.unwrap();
    let c = c.user_pool_client().unwrap();
    assert!(c.client_name().unwrap().starts_with("acme/"), "{:?}", c.client_name());
    assert_eq!(c.allowed_o_auth_scopes(), ["partners/read"], "same scopes");
    assert_eq!(c.allowed_o_auth_flows().iter().map(|x| x.as_str()).collect::<Vec<_>>(), ["client_credentials"]);
    assert_eq!(c.client_secret(), creds["clientSecret"].as_str());
    assert!(creds.get("apiKey").is_none(), "a secret rotation hands over the secret alone");
    assert_eq!(clients(&f).await.len(), 2, "both clients work during the grace");
    let p = &f.listed()[0];
    assert!(p["status"].as_str().unwrap().starts_with("rotating until"), "{p}");
    // With no grace left, reconcile deletes the first client.
    f.set_config("rotation_grace = \"0s\"\n");
    let run = f.partners(&["reconcile", "--yes", "--output", "json"], &[]);
    ok(&run);
    let actions: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(actions[0]["kind"], "delete", "{actions}");
    let left = clients(&f).await;
    assert_eq!(left.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(), [new_client.as_str()]);
}

#[tokio::test]
async fn offboarding_removes_every_key_and_app_client() {
    let f = fixture(unique_region()).await;
    let creds = onboard(&f, "acme").await;
    onboard(&f, "bolt").await;
    ok(&f.partners(&["rotate", "acme", "--key", "--yes"], &[]));
    let refused = f.partners(&["offboard", "acme"], &[]);
    assert!(failed(&refused).contains("not confirmed"), "no terminal and no --yes");
    let dry = f.partners(&["offboard", "acme", "--dry-run"], &[]);
    ok(&dry);
    assert!(String::from_utf8_lossy(&dry.stdout).contains("delete-user-pool-client"));
    let out = f.partners(&["offboard", "acme", "--yes"], &[]);
    let said = ok(&out);
    let first_delete = said.find("deleted").unwrap();
    assert!(said.rfind("disabled").unwrap() < first_delete, "every key is disabled before anything is deleted: {said}");
    let keys = f.ctx.apigw.get_api_keys().customer_id("acme").send().await.unwrap();
    assert!(keys.items().iter().all(|k| k.customer_id() != Some("acme")), "no acme key is left");
    for plan in &f.plans {
        assert!(!plan_keys(&f, plan).await.contains(&creds["apiKeyId"].as_str().unwrap().to_string()));
    }
    let names: Vec<String> = clients(&f).await.into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["bolt"], "the other partner is untouched");
    let listed = f.listed();
    assert_eq!(listed.as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect::<Vec<_>>(), ["bolt"]);
}

#[tokio::test]
async fn credentials_can_go_to_secrets_manager() {
    let f = fixture(unique_region()).await;
    let out = f.partners(
        &[
            "onboard",
            "acme",
            "--plan",
            &f.plans[0],
            "--scope",
            "partners/read",
            "--secret-name",
            "partners/acme",
            "--yes",
        ],
        &[],
    );
    ok(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("secretsmanager:partners/acme") && !stdout.contains("apiKey "), "{stdout}");
    let secret = f.ctx.secrets.get_secret_value().secret_id("partners/acme").send().await.unwrap();
    let stored: Value = serde_json::from_str(secret.secret_string().unwrap()).unwrap();
    let (value, _) = key_value(&f, stored["apiKeyId"].as_str().unwrap()).await;
    assert_eq!(stored["apiKey"].as_str(), Some(value.as_str()), "the secret holds the live key's value");
    assert!(!stdout.contains(&value), "the value is not printed");
    let again = f.partners(
        &[
            "onboard",
            "bolt",
            "--plan",
            &f.plans[1],
            "--scope",
            "partners/read",
            "--secret-name",
            "partners/acme",
            "--yes",
        ],
        &[],
    );
    assert!(failed(&again).contains("already exists"));
}

/// With trace logging on, no value handed over (API keys, client secrets) reaches the log,
/// a listing, or the Debug rendering of what the library returns.
#[tokio::test]
async fn partner_secrets_never_reach_logs_listings_or_debug_output() {
    let f = fixture(unique_region()).await;
    let trace = [("RUST_LOG", "trace".as_ref())];
    let mut logs = String::new();
    let mut values = Vec::new();
    let path = |name: &str| f.path(name).to_str().unwrap().to_string();
    let (first, key, secret) = (path("first.json"), path("key.json"), path("secret.json"));
    let runs: [(Vec<&str>, &str); 3] = [
        (
            vec!["onboard", "acme", "--plan", &f.plans[0], "--scope", "partners/read", "--export", &first, "--yes"],
            "first.json",
        ),
        (vec!["rotate", "acme", "--key", "--export", &key, "--yes"], "key.json"),
        (vec!["rotate", "acme", "--secret", "--export", &secret, "--yes"], "secret.json"),
    ];
    for (args, file) in &runs {
        let out = f.partners(args, &trace);
        logs.push_str(&ok(&out));
        let e = exported(&f.path(file));
        values.extend(["apiKey", "clientSecret"].iter().filter_map(|k| e[*k].as_str().map(str::to_string)));
    }
    for args in [&["--output", "json"][..], &[], &["reconcile", "--dry-run"]] {
        let out = f.partners(args, &trace);
        logs.push_str(&ok(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(values.iter().all(|v| !stdout.contains(v.as_str())), "a listing printed a value: {stdout}");
    }
    assert_eq!(values.len(), 4, "two keys and two secrets were handed over");
    assert!(logs.lines().count() > 100, "trace logging was on ({} lines)", logs.lines().count());
    for v in &values {
        assert!(!logs.contains(v.as_str()), "a value reached the log");
    }
    // The library's own types.
    let listed =
        portcullis::partners::list(&f.ctx, Some(&f.pool), None, std::time::Duration::ZERO, None).await.unwrap();
    let (_, secret) =
        portcullis::aws::cognito::describe(&f.ctx, &f.pool, listed[0].app_clients[0].client_id.as_str()).await.unwrap();
    let creds = portcullis::partners::Credentials::from_json(&exported(&f.path("first.json")));
    let rendered = format!("{listed:?} {secret:?} {creds:?} {creds:#?}");
    for v in &values {
        assert!(!rendered.contains(v.as_str()), "a Debug rendering shows a value");
    }
    assert!(secret.is_some() && creds.api_key.is_some(), "there were values to hide");
}

/// The sample estate's partners show every status AWS alone can give: ok, rotating until a
/// date (a key with its successor), incomplete (keys and no app client).
#[tokio::test]
async fn the_sample_estate_has_a_partner_in_every_state() {
    use portcullis::dev::estate::{self, EstateSpec, data};
    let region = unique_region();
    let ctx =
        portcullis::aws::connect(&portcullis::config::Settings::for_endpoint(&[region], common::moto().endpoint()))
            .await
            .unwrap()
            .remove(0);
    let built =
        estate::build(&ctx, &EstateSpec { rest_apis: 3, http_apis: 0, with_trail: false, ..Default::default() })
            .await
            .unwrap();
    let listed = portcullis::partners::list(
        &ctx,
        Some(&built.user_pool_id),
        None,
        std::time::Duration::from_secs(7 * 86_400),
        None,
    )
    .await
    .unwrap();
    let status = |id: &str| listed.iter().find(|p| p.id == id).map(|p| p.status.clone()).unwrap_or_default();
    assert_eq!(listed.len(), data::PARTNERS.len());
    assert_eq!(status("northpeak-outdoor"), "ok");
    assert!(status(data::PARTNER_ROTATING).starts_with("rotating until "), "{}", status(data::PARTNER_ROTATING));
    assert_eq!(status(data::PARTNER_WITHOUT_CLIENT), "incomplete: no app client");
    let rotating = listed.iter().find(|p| p.id == data::PARTNER_ROTATING).unwrap();
    assert_eq!(rotating.keys.iter().filter(|k| k.retire_after.is_some()).count(), 1, "the key being retired says when");
    let pool = portcullis::aws::cognito::pool_info(&ctx, &built.user_pool_id).await.unwrap();
    assert!(pool.token_url.is_some_and(|u| u.contains("kestrel-partners.auth.")), "the pool has a domain");
}

/// The exit code and stderr of a refusal for want of the pool (exit 2: a usage error).
fn refused_for_the_pool(out: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--user-pool") && stderr.contains("nothing was changed"), "says what to pass: {stderr}");
    stderr
}

/// Onboarded with `--user-pool` and no `partner_pool` in the config: the partner's keys record its
/// pool, so a key rotation, a secret rotation and the offboarding work without the flag and leave
/// nothing of the partner behind. A partner whose keys record no pool is refused with exit 2
/// before anything changes (offboard, rotate --secret, reconcile).
#[tokio::test]
async fn the_pool_is_recorded_on_the_keys_and_nothing_is_left_without_the_flag() {
    let f = fixture(unique_region()).await;
    onboard(&f, "acme").await;
    let tagged = f.ctx.apigw.get_api_keys().customer_id("acme").send().await.unwrap();
    let acme: Vec<_> = tagged.items().iter().filter(|k| k.customer_id() == Some("acme")).collect();
    assert_eq!(acme.len(), 1);
    assert_eq!(acme[0].tags().and_then(|t| t.get("portcullis:user-pool")), Some(&f.pool), "the key records the pool");

    ok(&f.partners_without_pool(&["rotate", "acme", "--key", "--yes", "--output", "json"]));
    let keys = f.ctx.apigw.get_api_keys().customer_id("acme").send().await.unwrap();
    let recorded: Vec<Option<&String>> = keys
        .items()
        .iter()
        .filter(|k| k.customer_id() == Some("acme"))
        .map(|k| k.tags().and_then(|t| t.get("portcullis:user-pool")))
        .collect();
    assert_eq!(recorded, [Some(&f.pool), Some(&f.pool)], "the rotated key records it too");
    ok(&f.partners_without_pool(&["rotate", "acme", "--secret", "--yes", "--output", "json"]));
    let acme_clients = |all: Vec<(String, String)>| all.into_iter().filter(|(_, n)| n.starts_with("acme")).count();
    assert_eq!(acme_clients(clients(&f).await), 2, "moto: the rotation made a second app client");

    ok(&f.partners_without_pool(&["offboard", "acme", "--yes"]));
    let keys = f.ctx.apigw.get_api_keys().customer_id("acme").send().await.unwrap();
    assert!(keys.items().iter().all(|k| k.customer_id() != Some("acme")), "no key of acme is left");
    assert_eq!(acme_clients(clients(&f).await), 0, "no app client of acme is left");

    // A partner whose keys record no pool (made before portcullis recorded it, or by hand).
    let key = f.ctx.apigw.create_api_key().name("legacy-1").customer_id("legacy").enabled(true);
    let key = key.tags("partner", "legacy").send().await.unwrap().id().unwrap().to_string();
    let client = f.ctx.cognito.create_user_pool_client().user_pool_id(&f.pool).client_name("legacy");
    client.generate_secret(true).send().await.unwrap();
    refused_for_the_pool(&f.partners_without_pool(&["offboard", "legacy", "--yes"]));
    refused_for_the_pool(&f.partners_without_pool(&["rotate", "legacy", "--secret", "--yes"]));
    refused_for_the_pool(&f.partners_without_pool(&["reconcile", "legacy", "--yes"]));
    let still = f.ctx.apigw.get_api_key().api_key(&key).send().await.unwrap();
    assert!(still.enabled(), "the key is untouched");
    assert_eq!(clients(&f).await.into_iter().filter(|(_, n)| n == "legacy").count(), 1, "the client is untouched");
    // With the pool named, it is offboarded whole.
    ok(&f.partners(&["offboard", "legacy", "--yes"], &[]));
    assert_eq!(clients(&f).await.into_iter().filter(|(_, n)| n == "legacy").count(), 0);
}
