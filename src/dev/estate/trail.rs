//! Trail logs for the sample estate: a bucket of CloudTrail log files (in CloudTrail's layout and
//! record format) telling how the estate's keys, plans and stages were made and changed over the
//! last seven days, most of it in the last 24 hours, so `portcullis audit --source s3://BUCKET`
//! (and the demo's LookupEvents, which reads the same files) has something true to show:
//! deployments, onboarding, a key rotation and a client-secret rotation, plan changes, failed
//! calls, the portal's own reads, and a burst of key-value reads from one unknown address.

use super::{EstateSummary, data};
use crate::aws::clients::AwsContext;
use crate::aws::error::AwsError;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::Write;

const ACCOUNT: &str = "123456789012";
/// Where the burst of key reads comes from (a documentation address, TEST-NET-3).
pub const BURST_IP: &str = "203.0.113.77";
/// How many calls the burst makes, within a few minutes.
pub const BURST_CALLS: usize = 48;
/// The user whose delete is denied.
pub const DENIED_USER: &str = "intern";

/// The bucket the estate's trail writes to in this region.
pub fn bucket_name(region: &str) -> String {
    format!("kestrel-trail-{region}")
}

/// Who made a call: the identity CloudTrail records, and where from.
struct Actor {
    name: &'static str,
    role: bool,
    ip: &'static str,
    agent: &'static str,
    access_key: &'static str,
}

const ADMIN: Actor = Actor {
    name: "platform-admin",
    role: false,
    ip: "198.51.100.24",
    agent: "aws-cli/2.22.4 md/arch#x86_64 os/linux",
    access_key: "AKIAEXAMPLEADMIN0001",
};
const BOT: Actor = Actor {
    name: "onboarding-bot",
    role: true,
    ip: "198.51.100.60",
    agent: "portcullis/0.1 aws-sdk-rust",
    access_key: "ASIAEXAMPLEONBOARD01",
};
const DEPLOY: Actor = Actor {
    name: "deploy-pipeline",
    role: true,
    ip: "198.51.100.80",
    agent: "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.23",
    access_key: "ASIAEXAMPLEDEPLOY001",
};
const PORTAL: Actor = Actor {
    name: "portal-readonly",
    role: true,
    ip: "198.51.100.95",
    agent: "Boto3/1.35.2 md/Botocore#1.35.2 Python/3.12",
    access_key: "ASIAEXAMPLEPORTAL001",
};
const INTERN: Actor = Actor {
    name: DENIED_USER,
    role: false,
    ip: "198.51.100.31",
    agent: "console.amazonaws.com",
    access_key: "AKIAEXAMPLEINTERN001",
};
const BURST: Actor = Actor {
    name: "ci-runner",
    role: false,
    ip: BURST_IP,
    agent: "python-requests/2.32.3",
    access_key: "AKIAEXAMPLECIRUNNER1",
};

/// A small deterministic generator, so the estate tells the same story every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

struct Story<'a> {
    region: &'a str,
    now: time::OffsetDateTime,
    rng: Rng,
    records: Vec<Value>,
}

impl Story<'_> {
    /// A call `ago` before now.
    fn call(&mut self, ago: time::Duration, name: &str, who: &Actor, params: Value, error: Option<(&str, String)>) {
        let source = if name.contains("UserPool") || name.contains("ResourceServer") {
            "cognito-idp.amazonaws.com"
        } else {
            "apigateway.amazonaws.com"
        };
        let at = self.now - ago;
        let time = at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
        let (a, b) = (self.rng.next(), self.rng.next());
        let id = format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            a >> 32,
            a & 0xffff,
            (a >> 16) & 0xfff,
            b & 0xfff,
            b >> 16 & 0xffff_ffff_ffff
        );
        let identity = if who.role {
            json!({
                "type": "AssumedRole",
                "principalId": format!("AROAEXAMPLE{}:{}", who.name.len(), who.name),
                "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{}/{}", who.name, who.name),
                "accountId": ACCOUNT,
                "accessKeyId": who.access_key,
                "sessionContext": {"sessionIssuer": {"type": "Role", "arn": format!("arn:aws:iam::{ACCOUNT}:role/{}", who.name), "userName": who.name}}
            })
        } else {
            json!({
                "type": "IAMUser",
                "principalId": format!("AIDAEXAMPLE{}", who.name.len()),
                "arn": format!("arn:aws:iam::{ACCOUNT}:user/{}", who.name),
                "accountId": ACCOUNT,
                "accessKeyId": who.access_key,
                "userName": who.name
            })
        };
        let read_only = ["Get", "Describe", "List"].iter().any(|p| name.starts_with(p));
        let mut r = json!({
            "eventVersion": "1.09", "userIdentity": identity, "eventTime": time, "eventSource": source,
            "eventName": name, "awsRegion": self.region, "sourceIPAddress": who.ip, "userAgent": who.agent,
        });
        // Where CloudTrail puts them: after the user agent.
        if let Some((code, message)) = error {
            r["errorCode"] = json!(code);
            r["errorMessage"] = json!(message);
        }
        let rest = json!({
            "requestParameters": params, "responseElements": null, "requestID": format!("{:016x}", self.rng.next()),
            "eventID": id, "readOnly": read_only, "eventType": "AwsApiCall", "managementEvent": true,
            "recipientAccountId": ACCOUNT, "eventCategory": "Management"
        });
        if let (Some(r), Value::Object(rest)) = (r.as_object_mut(), rest) {
            r.extend(rest);
        }
        self.records.push(r);
    }

    /// The pipeline deploys a REST API (`input` is CreateDeployment's) and updates `stage`
    /// `gap` seconds later.
    fn deploy(&mut self, ago: time::Duration, api: &str, input: Value, stage: &str, gap: i64) {
        let params = json!({"restApiId": api, "createDeploymentInput": input});
        self.call(ago, "CreateDeployment", &DEPLOY, params, None);
        let stage = json!({"restApiId": api, "stageName": stage});
        self.call(ago - time::Duration::seconds(gap), "UpdateStage", &DEPLOY, stage, None);
    }

    /// A time within `[from, to)` hours ago, to the second.
    fn within(&mut self, from_h: i64, to_h: i64) -> time::Duration {
        let span = ((to_h - from_h) * 3600).max(1) as u64;
        time::Duration::seconds(from_h * 3600 + self.rng.below(span) as i64)
    }
}

/// One of `items` (an empty string when there are none).
fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items.get(rng.below(items.len() as u64) as usize).copied().unwrap_or_default()
}

fn minutes(m: i64) -> time::Duration {
    time::Duration::minutes(m)
}

fn hours(h: i64) -> time::Duration {
    time::Duration::hours(h)
}

fn denied(who: &Actor, action: &str) -> Option<(&'static str, String)> {
    Some((
        "AccessDenied",
        format!(
            "User: arn:aws:iam::{ACCOUNT}:user/{} is not authorized to perform: apigateway:{action} on resource",
            who.name
        ),
    ))
}

/// The estate's week, oldest first: building it, onboarding, deployments, then the last day.
fn story(region: &str, s: &EstateSummary, now: time::OffsetDateTime) -> Vec<Value> {
    // Each region tells its own story: event ids must not repeat across regions (a feed of
    // several regions keeps one event per id).
    let seed = region.bytes().fold(0x9e37_79b9_7f4a_7c15_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let mut st = Story { region, now, rng: Rng(seed | 1), records: Vec::new() };
    let pool = json!(s.user_pool_id);
    let rest: Vec<&str> = s.apis.iter().filter(|a| a.kind == "rest").map(|a| a.id.as_str()).collect();
    let http: Vec<&str> = s.apis.iter().filter(|a| a.kind == "http").map(|a| a.id.as_str()).collect();
    let keys = data::keys();
    let plan_of = |i: usize| keys.get(i).and_then(|k| k.plans.first()).and_then(|p| s.plan_ids.get(*p));

    // Six days ago: the partner pool and the plans.
    for (i, name) in ["CreateUserPool", "CreateResourceServer", "CreateUserPoolDomain"].iter().enumerate() {
        st.call(hours(6 * 24 + 5) - minutes(i as i64 * 3), name, &ADMIN, json!({"userPoolId": pool}), None);
    }
    for (i, p) in s.plan_ids.iter().enumerate() {
        st.call(hours(6 * 24 + 4) - minutes(i as i64 * 4), "CreateUsagePlan", &ADMIN, json!({"usagePlanId": p}), None);
    }
    // Five days ago: each partner's keys and app client; a bulk create throttled on the way.
    for (i, k) in s.key_ids.iter().take(keys.len()).enumerate() {
        let at = hours(5 * 24 + 6) - minutes(i as i64 * 2);
        st.call(
            at,
            "CreateApiKey",
            &BOT,
            json!({"apiKey": k, "createApiKeyInput": {"name": keys[i].name, "enabled": true}}),
            None,
        );
        if let Some(plan) = plan_of(i) {
            let params = json!({"usagePlanId": plan, "createUsagePlanKeyInput": {"keyId": k, "keyType": "API_KEY"}});
            st.call(at - time::Duration::seconds(20), "CreateUsagePlanKey", &BOT, params, None);
        }
    }
    for i in 0..3 {
        let throttled = Some(("TooManyRequestsException", "Too Many Requests".to_string()));
        st.call(
            hours(5 * 24 + 6) - minutes(3) - time::Duration::seconds(i),
            "CreateApiKey",
            &BOT,
            json!({}),
            throttled,
        );
    }
    for (i, (partner, client)) in s.clients.iter().enumerate() {
        let params = json!({"userPoolId": pool, "clientId": client, "clientName": partner});
        st.call(hours(5 * 24 + 5) - minutes(i as i64), "CreateUserPoolClient", &BOT, params, None);
    }
    // Four and two days ago: deployments to every stage.
    for day in [4, 2] {
        for (i, api) in rest.iter().enumerate() {
            let at = hours(day * 24 + 2) - minutes(i as i64 * 6);
            st.deploy(at, api, json!({"description": "release"}), "prod", 30);
        }
        for api in &http {
            st.call(hours(day * 24 + 1), "UpdateStage", &DEPLOY, json!({"apiId": api, "stageName": "$default"}), None);
        }
    }
    // Two days ago: the standard plan's quota raised.
    if let Some(p) = s.plan_ids.get(1) {
        let patch = json!({"usagePlanId": p, "patchOperations": [{"op": "replace", "path": "/quota/limit", "value": "1000000"}]});
        st.call(hours(2 * 24 + 7), "UpdateUsagePlan", &ADMIN, patch, None);
    }
    // Every day: the developer portal reads the catalogue.
    for day in 1..7 {
        for _ in 0..8 {
            let at = st.within(day * 24, day * 24 + 24);
            let api = pick(&mut st.rng, &rest);
            let (name, params) = match st.rng.below(4) {
                0 => ("GetRestApis", json!({"limit": 500})),
                1 => ("GetRestApi", json!({"restApiId": api})),
                2 => ("GetStages", json!({"restApiId": api})),
                _ => ("GetUsagePlans", json!({"limit": 500})),
            };
            st.call(at, name, &PORTAL, params, None);
        }
    }

    // The last 24 hours.
    // The portal and the operators read all day.
    for _ in 0..120 {
        let at = st.within(0, 24) + minutes(2);
        let api = pick(&mut st.rng, &rest);
        let plan = s.plan_ids.get(st.rng.below(s.plan_ids.len() as u64) as usize).cloned().unwrap_or_default();
        let client = s.clients.get(st.rng.below(s.clients.len() as u64) as usize).map(|c| c.1.clone());
        let today = now.date();
        let usage = json!({"usagePlanId": plan, "startDate": (today - time::Duration::days(30)).to_string(), "endDate": today.to_string()});
        match st.rng.below(7) {
            0 => st.call(at, "GetRestApis", &PORTAL, json!({"limit": 500}), None),
            1 => st.call(at, "GetResources", &PORTAL, json!({"restApiId": api, "embed": ["methods"]}), None),
            2 => st.call(at, "GetUsagePlans", &PORTAL, json!({"limit": 500}), None),
            3 => st.call(at, "GetUsage", &ADMIN, usage, None),
            4 => st.call(at, "GetApiKeys", &ADMIN, json!({"limit": 500, "includeValues": false}), None),
            5 => st.call(at, "GetStages", &DEPLOY, json!({"restApiId": api}), None),
            _ => st.call(at, "DescribeUserPoolClient", &ADMIN, json!({"userPoolId": pool, "clientId": client}), None),
        }
    }
    // Deployments to the dev stages.
    for (i, api) in rest.iter().take(4).enumerate() {
        st.deploy(hours(18 - 3 * i as i64), api, json!({"stageName": "dev"}), "dev", 25);
    }
    // The rotating partner's production key replaced: the new key, in the old one's plans.
    let rotating = keys.iter().position(|k| k.partner == data::PARTNER_ROTATING && k.name.ends_with("-prod"));
    if let (Some(i), Some(new_key)) = (rotating, s.key_ids.get(keys.len())) {
        let name = format!("{}-prod-2", data::PARTNER_ROTATING);
        st.call(hours(20), "GetApiKey", &BOT, json!({"apiKey": s.key_ids[i], "includeValue": false}), None);
        st.call(
            hours(20) - time::Duration::seconds(40),
            "CreateApiKey",
            &BOT,
            json!({"apiKey": new_key, "createApiKeyInput": {"name": name, "enabled": true}}),
            None,
        );
        for (j, p) in keys[i].plans.iter().filter_map(|p| s.plan_ids.get(*p)).enumerate() {
            let params = json!({"usagePlanId": p, "createUsagePlanKeyInput": {"keyId": new_key, "keyType": "API_KEY"}});
            st.call(hours(20) - minutes(1 + j as i64), "CreateUsagePlanKey", &BOT, params, None);
        }
    }
    // A disabled partner key (the one the estate keeps disabled).
    if let Some(key) = keys.iter().position(|k| !k.enabled).and_then(|i| s.key_ids.get(i)) {
        let patch =
            json!({"apiKey": key, "patchOperations": [{"op": "replace", "path": "/enabled", "value": "false"}]});
        st.call(hours(15), "UpdateApiKey", &ADMIN, patch, None);
    }
    // A client secret rotation started minutes ago (when the estate added the second secret;
    // only where the endpoint has the two-secret model).
    if let Some((_, client)) = s.clients.iter().find(|(p, _)| p == data::PARTNER_SECRET_ROTATING && s.second_secret) {
        let params = json!({"userPoolId": pool, "clientId": client});
        st.call(minutes(3), "ListUserPoolClientSecrets", &BOT, params.clone(), None);
        st.call(minutes(3) - time::Duration::seconds(5), "AddUserPoolClientSecret", &BOT, params, None);
    }
    // Plan changes: the sandbox throttled harder, a key moved between plans, a bad patch, a
    // key added to a plan it is in already.
    if let [sandbox, standard, premium, ..] = s.plan_ids.as_slice() {
        let throttle = json!({"usagePlanId": sandbox, "patchOperations": [{"op": "replace", "path": "/throttle/rateLimit", "value": "5"}]});
        st.call(hours(9), "UpdateUsagePlan", &ADMIN, throttle, None);
        let quota = json!({"usagePlanId": premium, "patchOperations": [{"op": "replace", "path": "/quota/limit", "value": "5000000"}]});
        st.call(hours(3), "UpdateUsagePlan", &ADMIN, quota, None);
        let bad = json!({"usagePlanId": premium, "patchOperations": [{"op": "replace", "path": "/quota/periodd", "value": "WEEK"}]});
        let invalid = Some(("BadRequestException", "Invalid patch path /quota/periodd".to_string()));
        st.call(hours(3) - minutes(2), "UpdateUsagePlan", &ADMIN, bad, invalid);
        if let Some(k) = s.key_ids.get(3) {
            st.call(hours(8), "DeleteUsagePlanKey", &ADMIN, json!({"usagePlanId": standard, "keyId": k}), None);
            let add = json!({"usagePlanId": premium, "createUsagePlanKeyInput": {"keyId": k, "keyType": "API_KEY"}});
            st.call(hours(8) - minutes(1), "CreateUsagePlanKey", &ADMIN, add.clone(), None);
            let conflict = Some((
                "ConflictException",
                format!(
                    "Usage Plan {premium} cannot be added because API Key {k} cannot reference the same API stage twice"
                ),
            ));
            st.call(hours(8) - minutes(3), "CreateUsagePlanKey", &ADMIN, add, conflict);
        }
    }
    // The intern tries to delete a partner's key and a plan, and may not.
    if let Some(k) = s.key_ids.first() {
        st.call(hours(11), "DeleteApiKey", &INTERN, json!({"apiKey": k}), denied(&INTERN, "DELETE"));
    }
    // A burst: someone with a CI runner's keys reads key values one after another from an
    // address never seen before, guessing ids at the end.
    for i in 0..BURST_CALLS {
        let at = minutes(42) - time::Duration::seconds(i as i64 * 4);
        match s.key_ids.get(i % s.key_ids.len().max(1)) {
            Some(k) if i < BURST_CALLS - 8 => {
                st.call(at, "GetApiKey", &BURST, json!({"apiKey": k, "includeValue": true}), None)
            }
            _ => {
                let guess = format!("{:010x}", st.rng.next() & 0xff_ffff_ffff);
                let missing = Some(("NotFoundException", "Invalid API Key identifier specified".to_string()));
                st.call(at, "GetApiKey", &BURST, json!({"apiKey": guess, "includeValue": true}), missing)
            }
        }
        if i % 12 == 0 {
            st.call(
                at - time::Duration::seconds(1),
                "GetApiKeys",
                &BURST,
                json!({"limit": 500, "includeValues": true}),
                None,
            );
        }
    }
    st.records
}

fn gzip(value: &Value) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = e.write_all(value.to_string().as_bytes());
    e.finish().unwrap_or_default()
}

/// Create a bucket in the context's region (outside us-east-1 S3 wants the region named).
pub async fn create_bucket(ctx: &AwsContext, bucket: &str) -> Result<(), AwsError> {
    use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
    let mut req = ctx.s3.create_bucket().bucket(bucket);
    if ctx.region != "us-east-1" {
        let c = CreateBucketConfiguration::builder()
            .location_constraint(BucketLocationConstraint::from(ctx.region.as_str()));
        req = req.create_bucket_configuration(c.build());
    }
    req.send().await.map_err(|e| ctx.err("CreateBucket", e))?;
    Ok(())
}

/// Write the week's trail logs for the estate, one file per hour with events as CloudTrail
/// delivers them; returns the bucket and the number of events.
pub async fn write(ctx: &AwsContext, s: &EstateSummary) -> Result<(String, usize), AwsError> {
    let bucket = bucket_name(&ctx.region);
    create_bucket(ctx, &bucket).await?;
    // A trail that writes there, so the audit screen's trail picker finds the bucket.
    let trail = ctx.trail.create_trail().name(format!("kestrel-{}", ctx.region)).s3_bucket_name(&bucket);
    trail.send().await.map_err(|e| ctx.err("CreateTrail", e))?;
    // CloudTrail writes whole seconds.
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    let records = story(&ctx.region, s, now);
    let count = records.len();
    let mut files: BTreeMap<(time::Date, u8), Vec<Value>> = BTreeMap::new();
    for r in records {
        let at = r["eventTime"]
            .as_str()
            .and_then(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
            .unwrap_or(now);
        files.entry((at.date(), at.hour())).or_default().push(r);
    }
    for ((day, hour), recs) in files {
        let (y, m, d) = (day.year(), u8::from(day.month()), day.day());
        let key = format!(
            "AWSLogs/{ACCOUNT}/CloudTrail/{r}/{y:04}/{m:02}/{d:02}/{ACCOUNT}_CloudTrail_{r}_{y:04}{m:02}{d:02}T{hour:02}55Z_estate.json.gz",
            r = ctx.region
        );
        let body = gzip(&json!({ "Records": recs }));
        ctx.s3
            .put_object()
            .bucket(&bucket)
            .key(key)
            .body(body.into())
            .send()
            .await
            .map_err(|e| ctx.err("PutObject", e))?;
    }
    Ok((bucket, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary() -> EstateSummary {
        EstateSummary {
            user_pool_id: "pool".into(),
            plan_ids: vec!["p1".into(), "p2".into(), "p3".into()],
            key_ids: (0..11).map(|i| format!("k{i}")).collect(),
            ..Default::default()
        }
    }

    fn ids(region: &str, now: time::OffsetDateTime) -> Vec<String> {
        story(region, &summary(), now).iter().map(|r| r["eventID"].as_str().unwrap_or_default().to_string()).collect()
    }

    #[test]
    fn each_region_has_its_own_event_ids_and_none_repeats() {
        let now = time::OffsetDateTime::now_utc();
        let (east, west) = (ids("us-east-1", now), ids("eu-west-1", now));
        let all: std::collections::BTreeSet<&String> = east.iter().chain(&west).collect();
        assert_eq!(all.len(), east.len() + west.len());
    }

    #[test]
    fn the_week_is_in_the_past_and_mostly_in_the_last_day() {
        let now = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
        let records = story("us-east-1", &summary(), now);
        let times: Vec<time::OffsetDateTime> = records
            .iter()
            .filter_map(|r| r["eventTime"].as_str())
            .filter_map(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
            .collect();
        assert_eq!(times.len(), records.len());
        assert!(times.iter().all(|t| *t < now && *t > now - time::Duration::days(7)));
        let recent = times.iter().filter(|t| **t > now - time::Duration::days(1)).count();
        assert!(recent * 2 > times.len(), "{recent} of {}", times.len());
    }
}
