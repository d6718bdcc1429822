//! The demo's front (`scripts/demo_upstream.py --front`): what moto lacks answered in AWS's wire
//! format, the rest passed through to moto. Each answer is read here by the same `aws/`
//! functions the app uses, through the real SDK.

mod common;

use aws_sdk_apigateway::types::{ApiStage, QuotaPeriodType, QuotaSettings};
use common::{moto, unique_region};
use portcullis::config::Settings;
use std::io::BufRead;

struct Front(std::process::Child, String);

impl Drop for Front {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_front(region: &str, dir: &std::path::Path) -> Front {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut child = std::process::Command::new(format!("{root}/.venv/bin/python"))
        .arg(format!("{root}/scripts/demo_upstream.py"))
        .args(["--front", "--moto", &moto().endpoint(), "--regions", region, "--config-out"])
        .arg(dir.join("upstream.toml"))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the test virtual environment runs scripts/demo_upstream.py");
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    let port = line.trim().strip_prefix("FRONT_PORT=").unwrap_or_else(|| panic!("no front: {line:?}")).to_string();
    Front(child, format!("http://127.0.0.1:{port}"))
}

#[tokio::test]
async fn get_usage_is_answered_and_everything_else_passes_through() {
    let region = unique_region();
    let direct =
        portcullis::aws::connect(&Settings::for_endpoint(&[region], moto().endpoint())).await.unwrap().remove(0);
    let api = direct.apigw.create_rest_api().name("front-test").send().await.unwrap();
    let api_id = api.id().unwrap().to_string();
    let root = direct.apigw.get_resources().rest_api_id(&api_id).send().await.unwrap();
    let root = root.items()[0].id().unwrap().to_string();
    let put = direct.apigw.put_method().rest_api_id(&api_id).resource_id(&root).http_method("GET");
    put.authorization_type("NONE").send().await.unwrap();
    let integ = direct.apigw.put_integration().rest_api_id(&api_id).resource_id(&root).http_method("GET");
    integ.r#type(aws_sdk_apigateway::types::IntegrationType::Mock).send().await.unwrap();
    let dep = direct.apigw.create_deployment().rest_api_id(&api_id).stage_name("prod").send().await.unwrap();
    assert!(dep.id().is_some());
    let plan = direct
        .apigw
        .create_usage_plan()
        .name("front-plan")
        .api_stages(ApiStage::builder().api_id(&api_id).stage("prod").build())
        .quota(QuotaSettings::builder().limit(30_000).period(QuotaPeriodType::Month).build())
        .send()
        .await
        .unwrap();
    let plan_id = plan.id().unwrap().to_string();
    let mut key_ids = vec![];
    for name in ["a-prod", "b-prod"] {
        let key = direct.apigw.create_api_key().name(name).enabled(true).send().await.unwrap();
        let id = key.id().unwrap().to_string();
        let req = direct.apigw.create_usage_plan_key().usage_plan_id(&plan_id).key_id(&id).key_type("API_KEY");
        req.send().await.unwrap();
        key_ids.push(id);
    }
    // moto alone has no GetUsage.
    let e = portcullis::aws::plans::usage(&direct, &plan_id, None, 90).await.unwrap_err();
    assert!(e.to_string().contains("does not implement GetUsage"), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let front = start_front(region, dir.path());
    let ctx = portcullis::aws::connect(&Settings::for_endpoint(&[region], front.1.clone())).await.unwrap().remove(0);
    let usage = portcullis::aws::plans::usage(&ctx, &plan_id, None, 90).await.unwrap();
    assert_eq!(usage.keys.len(), 2, "every key of the plan");
    for (key, days) in &usage.keys {
        assert!(key_ids.contains(key));
        assert_eq!(days.len(), 90, "a row per day");
        // Within each month the used and the remaining add up to the quota.
        let mut used_in_month = 0;
        let mut month = None;
        for d in days {
            if month != Some(d.date[..7].to_string()) {
                (month, used_in_month) = (Some(d.date[..7].to_string()), 0);
            }
            used_in_month += d.used;
            assert_eq!(used_in_month + d.remaining, 30_000, "{key} {}", d.date);
        }
    }
    let near = usage.keys.values().filter(|days| days.iter().any(|d| d.remaining < 30_000 / 5)).count();
    assert!(near >= 1, "one key runs close to its quota: {:?}", usage.keys);
    // One key asked for: that key alone; the same numbers on every call.
    let one = portcullis::aws::plans::usage(&ctx, &plan_id, Some(&key_ids[1]), 90).await.unwrap();
    assert_eq!(one.keys.keys().collect::<Vec<_>>(), [&key_ids[1]]);
    assert_eq!(one.keys[&key_ids[1]], usage.keys[&key_ids[1]]);
    // An unknown plan: API Gateway's NotFoundException.
    let e = portcullis::aws::plans::usage(&ctx, "nosuchplan", None, 7).await.unwrap_err();
    assert!(e.to_string().contains("nosuchplan") || e.to_string().to_lowercase().contains("not found"), "{e}");
    // Everything else passes through to moto untouched: the same plans, read both ways.
    let through = portcullis::aws::plans::list_plans(&ctx).await.unwrap();
    let straight = portcullis::aws::plans::list_plans(&direct).await.unwrap();
    assert_eq!(through, straight);
}
