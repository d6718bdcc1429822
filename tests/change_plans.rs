//! What a person approves is what runs: for every kind of change (partner onboard, key and
//! secret rotation, offboard, reconcile; key create, enable, disable, attach, detach, delete)
//! the TUI review's lines, the CLI's `--dry-run` lines and the calls the execution makes are
//! the same steps, in the same order, with the same arguments.
//!
//! The execution runs through the real SDK against moto, behind the dev proxy recording every
//! request it forwards (the two-secret rotation, which moto lacks, behind the demo's front that
//! answers Cognito's client-secret operations in their wire format). Each recorded request that
//! changes something is read back as the AWS CLI names it (service, command, one field per
//! flag) and compared with the plan's call: every flag the plan shows was sent with that value,
//! and nothing was sent that the plan does not show.

mod common;

use common::partners::{Fixture, fixture};
use common::{moto, run_cli, unique_region};
use portcullis::aws::{self, AwsContext};
use portcullis::config::Settings;
use portcullis::dev::standin::proxy::{Proxy, Weather};
use portcullis::domain::{Arg, Call, Mutation, NewKey, Plan};
use portcullis::partners::Destination;
use portcullis::partners::ops::{self, Change, Credential, Env, Show};
use portcullis::tui::context::Shared;
use portcullis::tui::dialogs::{Confirm, Review, TypedConfirm};
use portcullis::tui::keymap::Keymap;
use portcullis::tui::store::Store;
use portcullis::tui::theme::Styles;
use serde_json::Value;
use std::collections::BTreeMap;

/// A recording proxy in front of `upstream` and a context whose calls go through it.
async fn recorded(region: &str, upstream: &str) -> (Proxy, AwsContext) {
    let proxy = Proxy::start(upstream, Weather { record: true, ..Default::default() }).await.unwrap();
    let ctx = aws::connect(&Settings::for_endpoint(&[region], proxy.url())).await.unwrap().remove(0);
    (proxy, ctx)
}

fn env<'a>(ctx: &'a AwsContext, f: &'a Fixture) -> Env<'a> {
    let state = Box::leak(Box::new(f.state()));
    Env {
        ctx,
        all: std::slice::from_ref(ctx),
        state: Some(state.as_path()),
        grace: std::time::Duration::from_secs(7 * 86_400),
        retire_delete_after: std::time::Duration::from_secs(30 * 86_400),
        show: Show::Caller,
    }
}

// ------------------------------------------------------------------ the wire, read back

/// A request that changed something, as the AWS CLI names it.
#[derive(Debug)]
struct Made {
    service: String,
    command: String,
    /// `--flag` -> the value sent.
    fields: BTreeMap<String, Value>,
}

/// `CreateUserPoolClient` -> `create-user-pool-client`; `customerId` -> `customer-id`.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn split(raw: &[u8]) -> (String, BTreeMap<String, String>, Value) {
    let at = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("a head");
    let head = String::from_utf8_lossy(&raw[..at]).to_string();
    let mut lines = head.lines();
    let first = lines.next().unwrap_or_default().to_string();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let body = serde_json::from_slice(&raw[at + 4..]).unwrap_or(Value::Null);
    (first, headers, body)
}

fn fields_of(body: &Value) -> BTreeMap<String, Value> {
    body.as_object()
        .map(|o| o.iter().map(|(k, v)| (format!("--{}", kebab(k)), v.clone())).collect())
        .unwrap_or_default()
}

/// The JSON protocols (Cognito, Secrets Manager): the operation is in `X-Amz-Target`.
fn json_call(target: &str, body: &Value) -> Option<Made> {
    let (prefix, op) = target.split_once('.')?;
    let service = match prefix {
        "AWSCognitoIdentityProviderService" => "cognito-idp",
        "secretsmanager" => "secretsmanager",
        _ => return None,
    };
    let reads = ["Describe", "List", "Get"];
    if reads.iter().any(|r| op.starts_with(r)) {
        return None;
    }
    Some(Made { service: service.into(), command: kebab(op), fields: fields_of(body) })
}

/// API Gateway's REST routes for the changes portcullis makes.
fn rest_call(method: &str, path: &str, body: &Value) -> Option<Made> {
    let seg: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let id = |s: &str| Value::String(s.to_string());
    let mut fields = fields_of(body);
    let command = match (method, seg.as_slice()) {
        ("GET", _) => return None,
        ("POST", ["apikeys"]) => "create-api-key",
        ("PATCH", ["apikeys", key]) => {
            fields.insert("--api-key".into(), id(key));
            "update-api-key"
        }
        ("DELETE", ["apikeys", key]) => {
            fields.insert("--api-key".into(), id(key));
            "delete-api-key"
        }
        ("POST", ["usageplans", plan, "keys"]) => {
            fields.insert("--usage-plan-id".into(), id(plan));
            "create-usage-plan-key"
        }
        ("DELETE", ["usageplans", plan, "keys", key]) => {
            fields.insert("--usage-plan-id".into(), id(plan));
            fields.insert("--key-id".into(), id(key));
            "delete-usage-plan-key"
        }
        other => panic!("a change this test does not know: {other:?}"),
    };
    Some(Made { service: "apigateway".into(), command: command.into(), fields })
}

/// The recorded requests that changed something, in the order they were sent.
fn changes(raw: &[Vec<u8>]) -> Vec<Made> {
    raw.iter()
        .filter_map(|r| {
            let (first, headers, body) = split(r);
            let mut parts = first.split_whitespace();
            let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            let path = target.split('?').next().unwrap_or("");
            match headers.get("x-amz-target") {
                Some(t) => json_call(t, &body),
                None if path.starts_with("/apikeys") || path.starts_with("/usageplans") => {
                    rest_call(method, path, &body)
                }
                None => None,
            }
        })
        .collect()
}

/// The AWS CLI's text for a value sent: a string as it is, a map as `k=v,k2=v2`, a list of
/// patch operations as `op=..,path=..,value=..`, a list of tags as `Key=..,Value=..`.
fn as_cli(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Object(m) => {
            let sorted: BTreeMap<&String, &Value> = m.iter().collect();
            sorted.iter().map(|(k, v)| format!("{k}={}", as_cli(v))).collect::<Vec<_>>().join(",")
        }
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::Object(o) if o.contains_key("op") => ["op", "path", "value"]
                    .iter()
                    .map(|k| format!("{k}={}", as_cli(&o[*k])))
                    .collect::<Vec<_>>()
                    .join(","),
                Value::Object(o) if o.contains_key("Key") => {
                    format!("Key={},Value={}", as_cli(&o["Key"]), as_cli(&o["Value"]))
                }
                other => as_cli(other),
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// The call made is the call planned: the same command, the same flags, the same values.
fn same(planned: &Call, made: &Made) -> Result<(), String> {
    if planned.service != made.service || planned.command != made.command {
        return Err(format!("planned {} {}, made {} {}", planned.service, planned.command, made.service, made.command));
    }
    let flag = |a: &Arg| if a.flag() == "--no-enabled" { "--enabled" } else { a.flag() };
    let planned_flags: Vec<&str> = planned.args.iter().map(flag).collect();
    // The SDK fills in an idempotency token of its own; the AWS CLI does the same.
    let made_flags: Vec<&str> =
        made.fields.keys().map(String::as_str).filter(|f| *f != "--client-request-token").collect();
    let mut sorted = planned_flags.clone();
    sorted.sort();
    if sorted != made_flags {
        return Err(format!("{}: planned flags {planned_flags:?}, sent {made_flags:?}", planned.command));
    }
    for a in &planned.args {
        let sent = &made.fields[flag(a)];
        let ok = match a {
            Arg::Switch("--no-enabled") => sent == &Value::Bool(false),
            Arg::Switch(_) => sent == &Value::Bool(true),
            Arg::Value(_, v) => as_cli(sent) == *v,
            Arg::Values(_, vs) => sent.as_array().is_some_and(|a| a.iter().map(as_cli).collect::<Vec<_>>() == *vs),
            Arg::Later(..) => !sent.is_null(),
        };
        if !ok {
            return Err(format!("{} {}: planned {a:?}, sent {sent}", planned.command, a.flag()));
        }
    }
    Ok(())
}

fn assert_ran_as_planned(plan: &Plan, raw: &[Vec<u8>]) {
    let made = changes(raw);
    let planned: Vec<String> = plan.calls.iter().map(|c| format!("{} {}", c.service, c.command)).collect();
    let sent: Vec<String> = made.iter().map(|m| format!("{} {}", m.service, m.command)).collect();
    assert_eq!(planned, sent, "the calls made are the plan's, in its order");
    for (p, m) in plan.calls.iter().zip(&made) {
        same(p, m).unwrap_or_else(|e| panic!("{e}\nplanned: {}\nmade: {m:?}", p.cli(&plan.region)));
    }
}

// ------------------------------------------------------------------ the three readings

/// Times (`2026-12-14T10:00:00Z`, `20261207T100000Z`) masked: the CLI checks its plan a moment
/// apart from the test's.
fn masked(line: &str) -> String {
    let shapes = ["dddd-dd-ddTdd:dd:ddZ", "ddddddddTddddddZ"];
    let b = line.as_bytes();
    let fits = |at: usize, shape: &str| {
        shape.len() <= b.len() - at
            && shape.bytes().zip(&b[at..]).all(|(s, c)| if s == b'd' { c.is_ascii_digit() } else { s == *c })
    };
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        match shapes.iter().find(|s| fits(i, s)) {
            Some(s) => {
                out.push_str("<time>");
                i += s.len();
            }
            None => {
                out.push(b[i] as char);
                i += 1;
            }
        }
    }
    out
}

fn dry_run_lines(out: std::process::Output) -> Vec<String> {
    assert!(out.status.success(), "the dry run: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).lines().map(masked).collect()
}

/// The AWS CLI lines a dialog draws (before they wrap to its width).
fn drawn_calls(lines: Vec<ratatui::text::Line<'static>>) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect::<String>())
        .filter_map(|t| t.strip_prefix("  aws ").map(|rest| format!("aws {rest}")))
        .collect()
}

fn paint_with<R>(f: impl FnOnce(&portcullis::tui::context::Paint) -> R) -> R {
    let shared = Shared::new(Store::default(), Keymap::default());
    let styles = Styles::default();
    f(&shared.paint(&styles))
}

/// The review (TUI), the dry run (CLI) and the plan say the same; then it runs as planned.
async fn check_partner_change(change: Change, dry_run: std::process::Output, proxy: &Proxy, e: Env<'_>) {
    let plan = change.plan();
    let review = Review::of(change.clone());
    assert_eq!(paint_with(|p| drawn_calls(review.lines(p))), plan.cli(), "the TUI review draws the plan");
    let plan_lines: Vec<String> = plan.cli().iter().map(|l| masked(l)).collect();
    assert_eq!(dry_run_lines(dry_run), plan_lines, "the CLI's --dry-run prints the plan");
    let before = proxy.recorded().len();
    ops::execute(e, &change).await.expect("the change runs");
    assert_ran_as_planned(&plan, &proxy.recorded()[before..]);
}

// ------------------------------------------------------------------ partners

async fn onboarded(f: &Fixture, ctx: &AwsContext, partner: &str) {
    let req = ops::OnboardRequest {
        partner: partner.into(),
        pool: f.pool.clone(),
        plans: vec![f.plans[0].clone()],
        scopes: vec!["partners/read".into()],
        destination: Destination::Stdout,
    };
    let plan = ops::check_onboard(env(ctx, f), req).await.unwrap();
    ops::onboard(env(ctx, f), &plan).await.unwrap();
}

#[tokio::test]
async fn an_onboarding_runs_as_reviewed() {
    let region = unique_region();
    let f = fixture(region).await;
    let (proxy, ctx) = recorded(region, &moto().endpoint()).await;
    let secret = "partners/acme's credentials";
    let (gold, silver) = (f.plans[0].as_str(), f.plans[1].as_str());
    let args = ["onboard", "acme", "--plan", gold, "--plan", silver, "--scope", "partners/read"];
    let dry = f.partners(&[&args[..], &["--secret-name", secret, "--dry-run"]].concat(), &[]);
    let req = ops::OnboardRequest {
        partner: "acme".into(),
        pool: f.pool.clone(),
        plans: f.plans.clone(),
        scopes: vec!["partners/read".into()],
        destination: Destination::SecretsManager { name: secret.into(), kms_key: None },
    };
    let change = Change::Onboard(Box::new(ops::check_onboard(env(&ctx, &f), req).await.unwrap()));
    let lines = change.plan().cli();
    assert!(lines[0].contains(r#"--name "partners/acme's credentials""#), "quoted for the shell: {}", lines[0]);
    check_partner_change(change, dry, &proxy, env(&ctx, &f)).await;
}

#[tokio::test]
async fn a_key_rotation_runs_as_reviewed() {
    let region = unique_region();
    let f = fixture(region).await;
    let (proxy, ctx) = recorded(region, &moto().endpoint()).await;
    onboarded(&f, &ctx, "bolt").await;
    let dry = f.partners(&["rotate", "bolt", "--key", "--dry-run"], &[]);
    let plan = ops::check_rotate(env(&ctx, &f), "bolt", Some(&f.pool), Credential::Key, Destination::Stdout, false);
    let change = Change::Rotate(Box::new(plan.await.unwrap()));
    let lines = change.plan().cli();
    assert!(lines[0].contains("portcullis:retire-after=") && lines[0].contains("partner=bolt"), "{}", lines[0]);
    assert!(lines.iter().any(|l| l.contains("create-usage-plan-key")), "{lines:?}");
    check_partner_change(change, dry, &proxy, env(&ctx, &f)).await;
}

#[tokio::test]
async fn a_secret_rotation_by_a_second_client_runs_as_reviewed() {
    let region = unique_region();
    let f = fixture(region).await;
    let (proxy, ctx) = recorded(region, &moto().endpoint()).await;
    onboarded(&f, &ctx, "cedar").await;
    let dry = f.partners(&["rotate", "cedar", "--secret", "--now", "--dry-run"], &[]);
    let plan = ops::check_rotate(env(&ctx, &f), "cedar", Some(&f.pool), Credential::Secret, Destination::Stdout, true);
    let change = Change::Rotate(Box::new(plan.await.unwrap()));
    let lines = change.plan().cli();
    assert!(lines[0].contains("create-user-pool-client") && lines[1].contains("delete-user-pool-client "), "{lines:?}");
    check_partner_change(change, dry, &proxy, env(&ctx, &f)).await;
}

#[tokio::test]
async fn a_two_secret_rotation_runs_as_reviewed() {
    let region = unique_region();
    let f = fixture(region).await;
    let demo = common::demo::start(region, f.dir.path(), true, false);
    let (proxy, ctx) = recorded(region, &demo.front()).await;
    onboarded(&f, &ctx, "delta").await;
    let front = demo.front();
    let dry = common::run_cli_at(
        &front,
        region,
        &["partners", "rotate", "delta", "--secret", "--now", "--dry-run", "--user-pool", &f.pool],
        &[("XDG_STATE_HOME", f.state().as_os_str())],
    );
    let plan = ops::check_rotate(env(&ctx, &f), "delta", Some(&f.pool), Credential::Secret, Destination::Stdout, true);
    let change = Change::Rotate(Box::new(plan.await.unwrap()));
    let lines = change.plan().cli();
    assert!(lines[0].contains("add-user-pool-client-secret"), "{lines:?}");
    assert!(
        lines[1].contains("delete-user-pool-client-secret") && lines[1].contains("--client-secret-id"),
        "{lines:?}"
    );
    check_partner_change(change, dry, &proxy, env(&ctx, &f)).await;
}

#[tokio::test]
async fn an_offboarding_runs_as_reviewed() {
    let region = unique_region();
    let f = fixture(region).await;
    let (proxy, ctx) = recorded(region, &moto().endpoint()).await;
    onboarded(&f, &ctx, "ember").await;
    let dry = f.partners(&["offboard", "ember", "--dry-run"], &[]);
    let change = Change::Offboard(Box::new(ops::check_offboard(env(&ctx, &f), "ember", Some(&f.pool)).await.unwrap()));
    let lines = change.plan().cli();
    let commands: Vec<&str> = lines.iter().map(|l| l.split_whitespace().nth(2).unwrap()).collect();
    assert_eq!(
        commands,
        ["update-api-key", "delete-usage-plan-key", "delete-api-key", "delete-user-pool-client"],
        "disabled first, out of its plan, deleted, then the client"
    );
    check_partner_change(change, dry, &proxy, env(&ctx, &f)).await;
}

#[tokio::test]
async fn a_reconcile_runs_as_reviewed() {
    let region = unique_region();
    let f = fixture(region).await;
    let (proxy, ctx) = recorded(region, &moto().endpoint()).await;
    onboarded(&f, &ctx, "fjord").await;
    // A rotation whose grace is over at once: its old key is due to retire.
    let short = Env { grace: std::time::Duration::ZERO, ..env(&ctx, &f) };
    let plan = ops::check_rotate(short, "fjord", Some(&f.pool), Credential::Key, Destination::Stdout, false);
    ops::rotate(short, &plan.await.unwrap()).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let dry = f.partners(&["reconcile", "fjord", "--dry-run"], &[]);
    let actions = ops::due(env(&ctx, &f), Some(&f.pool), Some("fjord")).await.unwrap();
    let change = Change::Reconcile(Box::new(ops::ReconcilePlan { region: region.into(), actions }));
    let lines = change.plan().cli();
    assert!(lines.len() == 1 && lines[0].contains("path=/enabled,value=false"), "the old key retires: {lines:?}");
    // The dry run prints the calls, then the table of actions.
    let out = String::from_utf8_lossy(&dry.stdout).to_string();
    let calls: String = out.lines().take_while(|l| l.starts_with("aws ")).map(|l| format!("{l}\n")).collect();
    let dry = std::process::Output { stdout: calls.into_bytes(), ..dry };
    check_partner_change(change, dry, &proxy, env(&ctx, &f)).await;
}

// ------------------------------------------------------------------ keys

async fn check_key_change(m: Mutation, cli: &[&str], proxy: &Proxy, ctx: &AwsContext) -> Option<String> {
    let plan = m.plan(&ctx.region);
    // A deletion is confirmed by typing the key's name; the other changes by a plain yes.
    let drawn = match &m {
        Mutation::DeleteKey { name, .. } => {
            let typed = TypedConfirm::new(m.clone(), ctx.region.clone(), name.clone());
            paint_with(|p| drawn_calls(typed.lines(p)))
        }
        _ => paint_with(|p| drawn_calls(Confirm::new(m.clone(), ctx.region.clone()).lines(p))),
    };
    assert_eq!(drawn, plan.cli(), "the TUI's confirmation draws the plan");
    let mut args = cli.to_vec();
    args.push("--dry-run");
    let dry = dry_run_lines(run_cli(&ctx.region, &args, &[]));
    assert_eq!(dry, plan.cli(), "the CLI's --dry-run");
    let before = proxy.recorded().len();
    let made = aws::keys::apply(ctx, &m).await.expect("the change runs");
    assert_ran_as_planned(&plan, &proxy.recorded()[before..]);
    made.map(|k| k.key.id)
}

#[tokio::test]
async fn every_key_change_runs_as_reviewed() {
    let region = unique_region();
    let f = fixture(region).await;
    let (proxy, ctx) = recorded(region, &moto().endpoint()).await;
    let (gold, silver) = (f.plans[0].as_str(), f.plans[1].as_str());
    let new = NewKey {
        name: "acme's prod key".into(),
        customer_id: Some("acme".into()),
        description: Some("for the $PARTNER portal; rm -rf /".into()),
        plan_ids: vec![gold.into()],
        enabled: true,
    };
    let create = ["keys", "create", "--name", &new.name, "--customer-id", "acme", "--plan", gold];
    let mut create = create.to_vec();
    create.extend(["--description", new.description.as_deref().unwrap()]);
    let m = Mutation::CreateKey(new.clone());
    let line = &m.plan(region).cli()[0];
    assert_eq!(
        shlex::split(line).unwrap()[4..6],
        ["acme's prod key".to_string(), "--customer-id".to_string()],
        "a name with a quote is one word: {line}"
    );
    let id = check_key_change(m, &create, &proxy, &ctx).await.expect("the key made");
    let named = || "acme's prod key".to_string();
    let changes = [
        (Mutation::SetEnabled { key_id: id.clone(), name: named(), enabled: false }, vec!["keys", "disable", &id]),
        (Mutation::SetEnabled { key_id: id.clone(), name: named(), enabled: true }, vec!["keys", "enable", &id]),
        (
            Mutation::Attach { key_id: id.clone(), plan_id: silver.into() },
            vec!["keys", "attach", &id, "--plan", silver],
        ),
        (Mutation::Detach { key_id: id.clone(), plan_id: gold.into() }, vec!["keys", "detach", &id, "--plan", gold]),
        (Mutation::DeleteKey { key_id: id.clone(), name: named() }, vec!["keys", "delete", &id]),
    ];
    for (m, cli) in changes {
        check_key_change(m, &cli, &proxy, &ctx).await;
    }
}

/// A key the partner gained after the review is not removed unseen: the reviewed steps run,
/// and what is left is said (the CLI exits non-zero with it; the TUI shows it).
#[tokio::test]
async fn what_a_partner_gained_after_the_review_is_named_not_removed() {
    let region = unique_region();
    let f = fixture(region).await;
    onboarded(&f, &f.ctx, "gale").await;
    let plan = ops::check_offboard(env(&f.ctx, &f), "gale", Some(&f.pool)).await.unwrap();
    let new =
        NewKey { name: "gale-late".into(), customer_id: Some("gale".into()), enabled: true, ..Default::default() };
    let late = aws::keys::create_key(&f.ctx, &new).await.unwrap().key.id;
    let done = ops::offboard(env(&f.ctx, &f), &plan).await.unwrap();
    let warning = done.warning().expect("something is left");
    assert!(warning.contains(&late) && warning.contains("offboard again"), "{warning}");
    assert!(aws::keys::get_key(&f.ctx, &late).await.is_ok(), "the late key was not in the review: it is still there");
    assert!(done.done.iter().any(|l| l.starts_with("deleted app client")), "the reviewed steps ran: {:?}", done.done);
}
