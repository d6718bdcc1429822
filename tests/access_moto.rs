//! Usage plans and API keys against moto, through the same `aws/` functions the app uses;
//! every mutation is verified by reading back through the SDK directly.

mod common;

use common::{moto, unique_region};
use portcullis::aws::{self, AwsContext, ErrorKind, keys, plans};
use portcullis::config::Settings;
use portcullis::dev::estate::{self, EstateSpec};
use portcullis::domain::NewKey;

fn settings(region: &str, read_only: bool) -> Settings {
    moto();
    Settings { read_only, ..Settings::for_endpoint(&[region], moto().endpoint()) }
}

async fn context(region: &str) -> AwsContext {
    aws::connect(&settings(region, false)).await.unwrap().remove(0)
}

/// A small estate with the default 3 plans and 11 keys (one partner mid-rotation).
async fn estate(ctx: &AwsContext) -> estate::EstateSummary {
    estate::build(ctx, &EstateSpec { rest_apis: 6, http_apis: 0, ..Default::default() }).await.unwrap()
}

async fn sdk_plan_keys(ctx: &AwsContext, plan: &str) -> Vec<String> {
    let out = ctx.apigw.get_usage_plan_keys().usage_plan_id(plan).send().await.unwrap();
    let mut ids: Vec<String> = out.items().iter().filter_map(|k| k.id().map(String::from)).collect();
    ids.sort();
    ids
}

fn new_key(name: &str, plans: &[&str]) -> NewKey {
    NewKey {
        name: name.into(),
        customer_id: Some("acme-logistics".into()),
        description: Some("integration test".into()),
        plan_ids: plans.iter().map(|p| p.to_string()).collect(),
        enabled: true,
    }
}

#[tokio::test]
async fn plans_and_keys_list_what_aws_holds() {
    let ctx = context(unique_region()).await;
    let built = estate(&ctx).await;
    let all = plans::list_plans(&ctx).await.unwrap();
    assert_eq!(all.len(), 3);
    for p in &all {
        assert_eq!(p.key_ids, sdk_plan_keys(&ctx, &p.id).await, "keys of plan {}", p.name);
        let stages = if p.name == "premium" { 2 } else { 3 }; // plans over every 2nd of 6 APIs
        assert_eq!(p.api_stages.len(), stages, "stages of {}", p.name);
        let period = if p.name == "sandbox" { "DAY" } else { "MONTH" };
        assert!(p.throttle.is_some() && p.quota.as_ref().is_some_and(|q| q.period == period), "{p:?}");
    }
    let keys = keys::list_keys(&ctx, None).await.unwrap();
    assert_eq!(keys.len(), built.key_ids.len());
    let partner = keys::list_keys(&ctx, Some("northpeak-outdoor")).await.unwrap();
    let names: Vec<&str> = partner.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["northpeak-outdoor-prod", "northpeak-outdoor-sandbox"]);
    let disabled: Vec<&str> = keys.iter().filter(|k| !k.enabled).map(|k| k.name.as_str()).collect();
    assert_eq!(disabled, ["tidewater-shipping-prod"]);
}

#[tokio::test]
async fn create_enable_disable_attach_detach_delete_read_back() {
    let ctx = context(unique_region()).await;
    let built = estate(&ctx).await;
    let (sandbox, standard) = (built.plan_ids[0].clone(), built.plan_ids[1].clone());
    let created = keys::create_key(&ctx, &new_key("acme-prod", &[&standard])).await.unwrap();
    let id = created.key.id.clone();
    assert!(created.value.expose().len() >= 20, "AWS generates a value of 20+ characters");
    assert_eq!(created.key.plan_ids, vec![standard.clone()]);
    let sdk = ctx.apigw.get_api_key().api_key(&id).include_value(true).send().await.unwrap();
    assert_eq!(sdk.customer_id(), Some("acme-logistics"));
    assert_eq!(sdk.value(), Some(created.value.expose()));
    assert!(sdk.enabled());
    assert!(sdk_plan_keys(&ctx, &standard).await.contains(&id));

    keys::set_enabled(&ctx, &id, false).await.unwrap();
    assert!(!ctx.apigw.get_api_key().api_key(&id).send().await.unwrap().enabled());
    keys::set_enabled(&ctx, &id, true).await.unwrap();
    assert!(ctx.apigw.get_api_key().api_key(&id).send().await.unwrap().enabled());

    keys::attach(&ctx, &id, &sandbox).await.unwrap();
    assert!(sdk_plan_keys(&ctx, &sandbox).await.contains(&id));
    let mut both = vec![sandbox.clone(), standard.clone()];
    both.sort();
    assert_eq!(keys::get_key(&ctx, &id).await.unwrap().plan_ids, both, "GetUsagePlans by keyId: exactly its plans");
    keys::detach(&ctx, &id, &standard).await.unwrap();
    assert!(!sdk_plan_keys(&ctx, &standard).await.contains(&id));
    assert_eq!(keys::get_key(&ctx, &id).await.unwrap().plan_ids, vec![sandbox.clone()]);

    assert_eq!(keys::key_value(&ctx, &id).await.unwrap().expose(), created.value.expose());
    keys::delete_key(&ctx, &id).await.unwrap();
    assert!(ctx.apigw.get_api_key().api_key(&id).send().await.is_err(), "the key is gone");
}

#[tokio::test]
async fn bad_input_gives_clear_errors_and_changes_nothing() {
    let ctx = context(unique_region()).await;
    let built = estate(&ctx).await;
    let before = keys::list_keys(&ctx, None).await.unwrap().len();
    let key = built.key_ids[0].clone(); // northpeak-outdoor-sandbox, in the sandbox plan

    let e = keys::set_enabled(&ctx, "nokey12345", false).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.contains("API key nokey12345 not found"), "{}", e.message);

    let e = keys::attach(&ctx, &key, "noplan1234").await.unwrap_err();
    assert!(e.message.contains("usage plan noplan1234 not found"), "{}", e.message);

    let e = keys::attach(&ctx, &key, &built.plan_ids[0]).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert!(e.message.contains("already in usage plan sandbox"), "{}", e.message);

    let e = keys::detach(&ctx, &key, &built.plan_ids[2]).await.unwrap_err();
    assert!(e.message.contains("is not in usage plan"), "{}", e.message);

    let e = keys::create_key(&ctx, &new_key("never-created", &["noplan1234"])).await.unwrap_err();
    assert!(e.message.contains("usage plan noplan1234 not found"), "{}", e.message);
    assert_eq!(keys::list_keys(&ctx, None).await.unwrap().len(), before, "nothing was created");
}

#[tokio::test]
async fn one_plan_per_api_stage_per_key() {
    let ctx = context(unique_region()).await;
    let built = estate(&ctx).await;
    let stage = plans::get_plan(&ctx, &built.plan_ids[1]).await.unwrap().api_stages[0].clone();
    // A second plan over one of the standard plan's API stages.
    let overlap = ctx
        .apigw
        .create_usage_plan()
        .name("overlap")
        .api_stages(aws_sdk_apigateway::types::ApiStage::builder().api_id(&stage.api_id).stage(&stage.stage).build())
        .send()
        .await
        .unwrap();
    let overlap_id = overlap.id().unwrap().to_string();
    let before = keys::list_keys(&ctx, None).await.unwrap().len();
    let e = keys::create_key(&ctx, &new_key("two-plans", &[&built.plan_ids[1], &overlap_id])).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert!(e.message.contains("only one plan per API stage"), "{}", e.message);
    assert_eq!(keys::list_keys(&ctx, None).await.unwrap().len(), before, "nothing was created");

    let k = keys::create_key(&ctx, &new_key("one-plan", &[&built.plan_ids[1]])).await.unwrap();
    let e = keys::attach(&ctx, &k.key.id, &overlap_id).await.unwrap_err();
    assert!(e.message.contains(&format!("for API stage {}/{}", stage.api_id, stage.stage)), "{}", e.message);
    assert!(sdk_plan_keys(&ctx, &overlap_id).await.is_empty());
}

#[tokio::test]
async fn read_only_refuses_every_mutation_and_changes_nothing() {
    let region = unique_region();
    let ctx = context(region).await;
    let built = estate(&ctx).await;
    let ro = aws::connect(&settings(region, true)).await.unwrap().remove(0);
    let key = &built.key_ids[0];
    let errors = [
        keys::create_key(&ro, &new_key("ro", &[])).await.unwrap_err(),
        keys::set_enabled(&ro, key, false).await.unwrap_err(),
        keys::delete_key(&ro, key).await.unwrap_err(),
        keys::attach(&ro, key, &built.plan_ids[1]).await.unwrap_err(),
        keys::detach(&ro, key, &built.plan_ids[0]).await.unwrap_err(),
    ];
    for e in errors {
        assert_eq!(e.kind, ErrorKind::Refused, "{e}");
        assert!(e.message.contains("read-only"), "{}", e.message);
    }
    let after = keys::get_key(&ctx, key).await.unwrap();
    assert!(after.enabled);
    assert_eq!(after.plan_ids, vec![built.plan_ids[0].clone()]);
    assert_eq!(keys::list_keys(&ctx, None).await.unwrap().len(), built.key_ids.len());
}
