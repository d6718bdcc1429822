//! The crash matrix: the real binary killed with SIGKILL at every step boundary of onboard,
//! rotate and offboard (`PORTCULLIS_KILL_AT=<step>:<phase>`, a hook built with the dev-tools
//! feature only): `before` (intent written, the AWS call not made), `sent` (the call made and
//! answered, its outcome not yet written: the process died in the middle of the call as far
//! as it knows), `after` (outcome written). Then `partners reconcile --yes`, and the guarantee
//! is checked through the SDK: a partner is fully onboarded (one working credential set, in
//! every plan, its values where they were handed over) or not there at all; a rotation ends
//! with old and new both working or with nothing new; no orphan key or app client; no live
//! credential whose value is lost; no journal left.

mod common;

use common::partners::{Fixture, fixture};
use common::unique_region;
use serde_json::Value;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;

const PHASES: [&str; 3] = ["before", "sent", "after"];

fn killed(f: &Fixture, args: &[&str], at: &str) {
    let out = f.partners(args, &[("PORTCULLIS_KILL_AT", at.as_ref())]);
    assert_eq!(
        out.status.signal(),
        Some(9),
        "{at}: the run was to be killed there, but it ended with {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn reconcile(f: &Fixture, at: &str) {
    let out = f.partners(&["reconcile", "--yes", "--output", "json"], &[]);
    assert!(out.status.success(), "{at}: reconcile failed: {}", String::from_utf8_lossy(&out.stderr));
    let journal = f.state().join("portcullis/journal");
    let left: Vec<String> = std::fs::read_dir(&journal)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".jsonl"))
                .collect()
        })
        .unwrap_or_default();
    assert!(left.is_empty(), "{at}: reconcile left journals: {left:?}");
}

struct Seen {
    keys: Vec<(String, bool, String)>,
    clients: Vec<(String, String)>,
}

/// The partner's keys (id, enabled, value) and app clients (id, secret), as AWS has them.
async fn seen(f: &Fixture, partner: &str) -> Seen {
    let out = f.ctx.apigw.get_api_keys().include_values(true).limit(500).send().await.unwrap();
    let keys = out
        .items()
        .iter()
        .filter(|k| k.customer_id() == Some(partner))
        .map(|k| (k.id().unwrap().to_string(), k.enabled(), k.value().unwrap_or_default().to_string()))
        .collect();
    let listed = f.ctx.cognito.list_user_pool_clients().user_pool_id(&f.pool).max_results(60).send().await.unwrap();
    let mut clients = Vec::new();
    for c in listed.user_pool_clients() {
        let name = c.client_name().unwrap_or_default();
        if name == partner || name.starts_with(&format!("{partner}/")) {
            let id = c.client_id().unwrap().to_string();
            let d =
                f.ctx.cognito.describe_user_pool_client().user_pool_id(&f.pool).client_id(&id).send().await.unwrap();
            clients.push((id, d.user_pool_client().and_then(|c| c.client_secret()).unwrap_or_default().to_string()));
        }
    }
    Seen { keys, clients }
}

async fn plan_keys(f: &Fixture, plan: &str) -> Vec<String> {
    let out = f.ctx.apigw.get_usage_plan_keys().usage_plan_id(plan).send().await.unwrap();
    out.items().iter().filter_map(|k| k.id().map(str::to_string)).collect()
}

fn export(path: &Path) -> Option<Value> {
    std::fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok())
}

/// Fully onboarded (true) or nothing (false); anything else fails.
async fn onboarded_or_nothing(f: &Fixture, partner: &str, file: Option<&Path>, at: &str) -> bool {
    let s = seen(f, partner).await;
    match (s.keys.as_slice(), s.clients.as_slice()) {
        ([], []) => false,
        ([(key, true, value)], [(_, secret)]) => {
            for plan in &f.plans {
                assert!(plan_keys(f, plan).await.contains(key), "{at}: the key is not in plan {plan}");
            }
            if let Some(path) = file {
                let e = export(path).unwrap_or_else(|| panic!("{at}: onboarded, but {} holds nothing", path.display()));
                assert_eq!(e["apiKey"].as_str(), Some(value.as_str()), "{at}: the live key's value is handed over");
                assert_eq!(e["clientSecret"].as_str(), Some(secret.as_str()), "{at}: the live secret is handed over");
                assert_eq!(e["apiKeyId"].as_str(), Some(key.as_str()), "{at}: the hand-over is complete");
            }
            true
        }
        (keys, clients) => panic!("{at}: half onboarded or orphans: keys {keys:?}, clients {}", clients.len()),
    }
}

fn onboard_args<'a>(f: &'a Fixture, partner: &'a str, file: Option<&'a str>) -> Vec<&'a str> {
    let mut a =
        vec!["onboard", partner, "--plan", &f.plans[0], "--plan", &f.plans[1], "--scope", "partners/read", "--yes"];
    if let Some(file) = file {
        a.extend(["--export", file]);
    }
    a
}

fn onboard_steps(f: &Fixture) -> Vec<String> {
    let mut steps = vec!["handover".to_string(), "create-client".into(), "create-key".into()];
    steps.extend(f.plans.iter().map(|p| format!("attach:{p}")));
    steps.push("finalize".into());
    steps
}

#[tokio::test]
async fn onboarding_killed_anywhere_ends_whole_or_not_at_all() {
    let f = fixture(unique_region()).await;
    let mut case = 0;
    let (mut whole, mut nothing) = (0, 0);
    for durable in [true, false] {
        for step in onboard_steps(&f) {
            for phase in PHASES {
                case += 1;
                let partner = format!("crash-{case}");
                let file = f.path(&format!("{partner}.json"));
                let file_arg = durable.then(|| file.to_str().unwrap().to_string());
                let at = format!("{step}:{phase}");
                let label = format!("onboard to {} killed at {at}", if durable { "a file" } else { "stdout" });
                killed(&f, &onboard_args(&f, &partner, file_arg.as_deref()), &at);
                reconcile(&f, &label);
                if onboarded_or_nothing(&f, &partner, durable.then_some(file.as_path()), &label).await {
                    whole += 1;
                } else {
                    nothing += 1;
                    assert!(!durable || step == "handover", "{label}: a handed-over onboarding goes forward");
                }
            }
        }
    }
    assert!(whole > 0 && nothing > 0, "both outcomes were reached ({whole} whole, {nothing} not at all)");
}

#[tokio::test]
async fn a_key_rotation_killed_anywhere_keeps_the_old_key_and_ends_with_both_or_nothing_new() {
    let f = fixture(unique_region()).await;
    let mut steps = vec!["handover".to_string(), "create-key".into()];
    steps.extend(f.plans.iter().map(|p| format!("attach:{p}")));
    steps.push("finalize".into());
    let mut case = 0;
    for step in &steps {
        for phase in PHASES {
            case += 1;
            let partner = format!("rot-{case}");
            let first = f.path(&format!("{partner}-1.json"));
            let out = f.partners(&onboard_args(&f, &partner, Some(first.to_str().unwrap())), &[]);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let old = export(&first).unwrap()["apiKeyId"].as_str().unwrap().to_string();
            let file = f.path(&format!("{partner}-2.json"));
            let at = format!("{step}:{phase}");
            killed(&f, &["rotate", &partner, "--key", "--export", file.to_str().unwrap(), "--yes"], &at);
            reconcile(&f, &format!("rotate killed at {at}"));
            let s = seen(&f, &partner).await;
            let old_key = s.keys.iter().find(|k| k.0 == old).unwrap_or_else(|| panic!("{at}: the old key is gone"));
            assert!(old_key.1, "{at}: the old key still works");
            let new: Vec<_> = s.keys.iter().filter(|k| k.0 != old).collect();
            match new.as_slice() {
                [] => {}
                [(id, true, value)] => {
                    for plan in &f.plans {
                        let in_plan = plan_keys(&f, plan).await;
                        assert!(in_plan.contains(id) && in_plan.contains(&old), "{at}: both keys in plan {plan}");
                    }
                    let e = export(&file).unwrap_or_else(|| panic!("{at}: a new key without its hand-over"));
                    assert_eq!(e["apiKey"].as_str(), Some(value.as_str()), "{at}: the new key's value is handed over");
                }
                many => panic!("{at}: orphan keys: {many:?}"),
            }
        }
    }
}

#[tokio::test]
async fn offboarding_killed_anywhere_finishes_on_reconcile() {
    let f = fixture(unique_region()).await;
    let mut case = 0;
    for phase in PHASES {
        for kind in ["disable", "detach-0", "detach-1", "delete-key", "delete-client"] {
            case += 1;
            let partner = format!("off-{case}");
            let file = f.path(&format!("{partner}.json"));
            let out = f.partners(&onboard_args(&f, &partner, Some(file.to_str().unwrap())), &[]);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let e = export(&file).unwrap();
            let (key, client) = (e["apiKeyId"].as_str().unwrap(), e["clientId"].as_str().unwrap());
            let step = match kind {
                "disable" => format!("disable:{key}"),
                "detach-0" => format!("detach:{key}:{}", f.plans[0]),
                "detach-1" => format!("detach:{key}:{}", f.plans[1]),
                "delete-key" => format!("delete-key:{key}"),
                _ => format!("delete-client:{client}"),
            };
            let at = format!("{step}:{phase}");
            killed(&f, &["offboard", &partner, "--yes"], &at);
            if !(kind == "disable" && phase == "before") {
                let s = seen(&f, &partner).await;
                assert!(s.keys.iter().all(|k| !k.1), "{at}: every key is disabled before anything else");
            }
            reconcile(&f, &format!("offboard killed at {at}"));
            let s = seen(&f, &partner).await;
            assert!(
                s.keys.is_empty() && s.clients.is_empty(),
                "{at}: offboarding finished ({} keys, {} clients left)",
                s.keys.len(),
                s.clients.len()
            );
            for plan in &f.plans {
                assert!(!plan_keys(&f, plan).await.contains(&key.to_string()), "{at}: out of plan {plan}");
            }
        }
    }
}

/// The journal of an interrupted operation holds ids and fingerprints, never a value.
#[tokio::test]
async fn an_interrupted_journal_holds_no_secret() {
    let f = fixture(unique_region()).await;
    let file = f.path("leak.json");
    killed(&f, &onboard_args(&f, "leak", Some(file.to_str().unwrap())), "finalize:before");
    let e = export(&file).expect("handed over before the crash");
    let journal = f.state().join("portcullis/journal");
    let text: String = std::fs::read_dir(&journal)
        .unwrap()
        .flatten()
        .filter(|x| x.path().extension().is_some_and(|e| e == "jsonl"))
        .map(|x| std::fs::read_to_string(x.path()).unwrap())
        .collect();
    assert!(text.contains("\"record\":\"begin\"") && text.contains("sha256:"), "{text}");
    for field in ["apiKey", "clientSecret"] {
        let value = e[field].as_str().unwrap();
        assert!(!text.contains(value), "the journal holds the {field}");
    }
    #[cfg(unix)]
    for x in std::fs::read_dir(&journal).unwrap().flatten() {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(x.metadata().unwrap().permissions().mode() & 0o777, 0o600, "{}", x.path().display());
    }
    let listed = f.listed();
    assert_eq!(listed[0]["status"], "interrupted: onboard", "{listed}");
    let busy = f.partners(&["rotate", "leak", "--key", "--yes"], &[]);
    assert!(String::from_utf8_lossy(&busy.stderr).contains("reconcile"), "{}", String::from_utf8_lossy(&busy.stderr));
    reconcile(&f, "leak");
    assert!(onboarded_or_nothing(&f, "leak", Some(&file), "leak").await, "finished forward");
}

/// The client-secret rotation (under moto by a second app client): killed anywhere, the old
/// client keeps working and there is at most one new one, whose secret is where it was handed.
#[tokio::test]
async fn a_secret_rotation_killed_anywhere_keeps_the_old_client_and_hands_over_any_new_one() {
    let f = fixture(unique_region()).await;
    let mut case = 0;
    for step in ["handover", "create-client", "finalize"] {
        for phase in PHASES {
            case += 1;
            let partner = format!("sec-{case}");
            let first = f.path(&format!("{partner}-1.json"));
            let out = f.partners(&onboard_args(&f, &partner, Some(first.to_str().unwrap())), &[]);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let old = export(&first).unwrap()["clientId"].as_str().unwrap().to_string();
            let file = f.path(&format!("{partner}-2.json"));
            let at = format!("{step}:{phase}");
            killed(&f, &["rotate", &partner, "--secret", "--export", file.to_str().unwrap(), "--yes"], &at);
            reconcile(&f, &format!("secret rotation killed at {at}"));
            let s = seen(&f, &partner).await;
            assert!(s.clients.iter().any(|c| c.0 == old), "{at}: the old client is still there");
            let new: Vec<_> = s.clients.iter().filter(|c| c.0 != old).collect();
            match new.as_slice() {
                [] => {}
                [(id, secret)] => {
                    let e = export(&file).unwrap_or_else(|| panic!("{at}: a new client without its hand-over"));
                    assert_eq!(
                        (e["clientId"].as_str(), e["clientSecret"].as_str()),
                        (Some(id.as_str()), Some(secret.as_str())),
                        "{at}"
                    );
                }
                many => panic!("{at}: orphan clients: {}", many.len()),
            }
        }
    }
}

/// `rotate --key --now` killed: to stdout (undone by reconcile) the old key keeps working and
/// nothing is retired after the undo; to a file (taken forward) the old key is retired by the
/// resumed run, even when the kill came just before the retirement.
#[tokio::test]
async fn a_rotation_at_once_killed_is_undone_or_finished_with_its_retirement() {
    let f = fixture(unique_region()).await;
    for (case, (durable, at)) in [
        (false, format!("attach:{}:before", f.plans[0])),
        (true, "retire-old:before".to_string()),
        (true, "finalize:sent".into()),
    ]
    .into_iter()
    .enumerate()
    {
        let partner = format!("now-{case}");
        let first = f.path(&format!("{partner}-1.json"));
        let out = f.partners(&onboard_args(&f, &partner, Some(first.to_str().unwrap())), &[]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let old = export(&first).unwrap()["apiKeyId"].as_str().unwrap().to_string();
        let file = f.path(&format!("{partner}-2.json"));
        let mut args = vec!["rotate", partner.as_str(), "--key", "--now", "--yes"];
        if durable {
            args.extend(["--export", file.to_str().unwrap()]);
        }
        killed(&f, &args, &at);
        reconcile(&f, &at);
        let s = seen(&f, &partner).await;
        let old_enabled = s.keys.iter().find(|k| k.0 == old).map(|k| k.1);
        let new: Vec<_> = s.keys.iter().filter(|k| k.0 != old).collect();
        if durable {
            assert_eq!(old_enabled, Some(false), "{at}: the leaked key is retired by the resumed rotation");
            assert!(
                matches!(new.as_slice(), [(_, true, v)] if export(&file).unwrap()["apiKey"].as_str() == Some(v.as_str())),
                "{at}"
            );
        } else {
            assert_eq!(old_enabled, Some(true), "{at}: the rotation was undone, so the old key keeps working");
            assert!(new.is_empty(), "{at}: the new key is gone: {new:?}");
            // And a later reconcile does not retire it either.
            reconcile(&f, &at);
            assert_eq!(seen(&f, &partner).await.keys.iter().find(|k| k.0 == old).map(|k| k.1), Some(true));
        }
    }
}
