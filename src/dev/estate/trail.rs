//! Trail logs for the sample estate: a bucket of CloudTrail log files (in CloudTrail's layout and
//! record format) telling how the estate's keys, plans and stages were made and changed over the
//! last days, so `portcullis audit --source s3://BUCKET` has something true to show.

use super::EstateSummary;
use crate::aws::clients::AwsContext;
use crate::aws::error::AwsError;
use serde_json::{Value, json};
use std::io::Write;

const ACCOUNT: &str = "123456789012";

/// The bucket the estate's trail writes to in this region.
pub fn bucket_name(region: &str) -> String {
    format!("kestrel-trail-{region}")
}

fn record(
    region: &str,
    id: String,
    at: time::OffsetDateTime,
    name: &str,
    user: &str,
    params: Value,
    error: bool,
) -> Value {
    let source = if name.contains("UserPool") { "cognito-idp.amazonaws.com" } else { "apigateway.amazonaws.com" };
    let time = at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let mut r = json!({
        "eventVersion": "1.09", "eventID": id, "eventTime": time, "eventSource": source, "eventName": name,
        "awsRegion": region, "sourceIPAddress": "198.51.100.24", "userAgent": "portcullis-estate",
        "userIdentity": {"type": "IAMUser", "userName": user, "arn": format!("arn:aws:iam::{ACCOUNT}:user/{user}"), "accountId": ACCOUNT},
        "requestParameters": params, "responseElements": null, "requestID": format!("req-{id}"),
        "readOnly": name.starts_with("Get"), "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": ACCOUNT
    });
    if error {
        r["errorCode"] = json!("AccessDenied");
        r["errorMessage"] =
            json!(format!("User: arn:aws:iam::{ACCOUNT}:user/{user} is not authorized to perform: apigateway:DELETE"));
    }
    r
}

/// One day's records: plans on day 5, keys on day 4, stage updates on day 2, a denied delete on day 1.
fn records(ctx: &AwsContext, s: &EstateSummary, days_ago: i64, now: time::OffsetDateTime) -> Vec<Value> {
    let at = |i: usize| {
        now - time::Duration::days(days_ago) + time::Duration::minutes(i as i64 * 7) - time::Duration::hours(3)
    };
    let id = |i: usize| format!("estate-{days_ago}-{i:04}");
    let r =
        |i, name: &str, user: &str, params: Value, error| record(&ctx.region, id(i), at(i), name, user, params, error);
    match days_ago {
        5 => s
            .plan_ids
            .iter()
            .enumerate()
            .map(|(i, p)| r(i, "CreateUsagePlan", "platform-admin", json!({"usagePlanId": p}), false))
            .collect(),
        4 => s
            .key_ids
            .iter()
            .enumerate()
            .map(|(i, k)| r(i, "CreateApiKey", "onboarding-bot", json!({"apiKey": k}), false))
            .collect(),
        2 => s
            .apis
            .iter()
            .filter(|a| a.kind == "rest")
            .enumerate()
            .map(|(i, a)| {
                r(i, "UpdateStage", "deploy-pipeline", json!({"restApiId": a.id, "stageName": "prod"}), false)
            })
            .collect(),
        1 => s
            .key_ids
            .first()
            .map(|k| vec![r(0, "DeleteApiKey", "intern", json!({"apiKey": k}), true)])
            .unwrap_or_default(),
        _ => vec![r(0, "DescribeUserPoolClient", "platform-admin", json!({"userPoolId": s.user_pool_id}), false)],
    }
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

/// Write six days of trail logs for the estate; returns the bucket and the number of events.
pub async fn write(ctx: &AwsContext, s: &EstateSummary) -> Result<(String, usize), AwsError> {
    let bucket = bucket_name(&ctx.region);
    create_bucket(ctx, &bucket).await?;
    // A trail that writes there, so the audit screen's trail picker finds the bucket.
    let trail = ctx.trail.create_trail().name(format!("kestrel-{}", ctx.region)).s3_bucket_name(&bucket);
    trail.send().await.map_err(|e| ctx.err("CreateTrail", e))?;
    // CloudTrail writes whole seconds.
    let now = time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    let mut count = 0;
    for days_ago in 0..6 {
        let day = (now - time::Duration::days(days_ago)).date();
        let recs = records(ctx, s, days_ago, now);
        count += recs.len();
        let (y, m, d) = (day.year(), u8::from(day.month()), day.day());
        let key = format!(
            "AWSLogs/{ACCOUNT}/CloudTrail/{r}/{y:04}/{m:02}/{d:02}/{ACCOUNT}_CloudTrail_{r}_{y:04}{m:02}{d:02}T0000Z_estate{days_ago}.json.gz",
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
