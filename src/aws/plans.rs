//! Usage plans and their usage (GetUsage).

use super::catalog::{PAGE_SIZE, tags};
use super::clients::{AwsContext, MAX_IN_FLIGHT};
use super::error::AwsError;
use super::paging::{all_pages, next};
use crate::domain::{DayUsage, PlanStage, Quota, Throttle, Usage, UsagePlan};
use aws_sdk_apigateway::types as gw;
use futures::stream::{self, StreamExt};
use std::collections::BTreeMap;

/// Every usage plan with the ids of its keys. A plan whose keys cannot be read after every
/// retry is still listed, with no key ids and its `error` saying so; only the plan list itself
/// failing is an error.
pub async fn list_plans(ctx: &AwsContext) -> Result<Vec<UsagePlan>, AwsError> {
    let plans = plan_pages(ctx).await?;
    let mut out: Vec<UsagePlan> = stream::iter(plans)
        .map(|p| async move {
            match plan_key_ids(ctx, p.id().unwrap_or_default()).await {
                Ok(key_ids) => plan(ctx, &p, key_ids),
                Err(e) => {
                    UsagePlan { error: Some(format!("its keys could not be read: {e}")), ..plan(ctx, &p, vec![]) }
                }
            }
        })
        .buffered(MAX_IN_FLIGHT)
        .collect()
        .await;
    out.sort_by(|a, b| (a.name.to_lowercase(), &a.id).cmp(&(b.name.to_lowercase(), &b.id)));
    Ok(out)
}

async fn plan_pages(ctx: &AwsContext) -> Result<Vec<gw::UsagePlan>, AwsError> {
    all_pages(|position| async move {
        ctx.pacer.wait().await;
        let page = ctx.apigw.get_usage_plans().limit(PAGE_SIZE).set_position(position).send().await;
        let page = page.map_err(|e| ctx.err("GetUsagePlans", e))?;
        Ok((page.items().to_vec(), next(page.position(), page.items().len())))
    })
    .await
}

/// One plan by id (a clear NotFound when it does not exist).
pub async fn get_plan(ctx: &AwsContext, plan_id: &str) -> Result<UsagePlan, AwsError> {
    ctx.pacer.wait().await;
    let p = ctx.apigw.get_usage_plan().usage_plan_id(plan_id).send().await;
    let p = p.map_err(|e| ctx.err("GetUsagePlan", e).with_subject("usage plan", plan_id))?;
    let gw_plan = gw::UsagePlan::builder()
        .set_id(p.id().map(str::to_string))
        .set_name(p.name().map(str::to_string))
        .set_description(p.description().map(str::to_string))
        .set_api_stages(Some(p.api_stages().to_vec()))
        .set_throttle(p.throttle().cloned())
        .set_quota(p.quota().cloned())
        .set_tags(p.tags().cloned())
        .build();
    let key_ids = plan_key_ids(ctx, plan_id).await?;
    Ok(plan(ctx, &gw_plan, key_ids))
}

/// The ids of the keys in a plan. GetUsagePlanKeys also returns each key's value: it is
/// dropped here, at the SDK boundary, and never kept.
/// The plans a key is in: GetUsagePlans with `keyId`, one call (a page) instead of reading
/// every plan's keys. Each plan's key list holds just this key (the others are not read).
pub async fn plans_of_key(ctx: &AwsContext, key_id: &str) -> Result<Vec<UsagePlan>, AwsError> {
    let found = all_pages(|position| async move {
        ctx.pacer.wait().await;
        let req = ctx.apigw.get_usage_plans().key_id(key_id).limit(PAGE_SIZE).set_position(position);
        let page = req.send().await.map_err(|e| ctx.err("GetUsagePlans", e).with_subject("API key", key_id))?;
        Ok((page.items().to_vec(), next(page.position(), page.items().len())))
    })
    .await?;
    let mut out: Vec<UsagePlan> = found.iter().map(|p| plan(ctx, p, vec![key_id.to_string()])).collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

pub async fn plan_key_ids(ctx: &AwsContext, plan_id: &str) -> Result<Vec<String>, AwsError> {
    let mut out = all_pages(|position| async move {
        ctx.pacer.wait().await;
        let req = ctx.apigw.get_usage_plan_keys().usage_plan_id(plan_id).limit(PAGE_SIZE).set_position(position);
        let page = req.send().await.map_err(|e| ctx.err("GetUsagePlanKeys", e).with_subject("usage plan", plan_id))?;
        let ids = page.items().iter().filter_map(|k| k.id().map(str::to_string)).collect();
        Ok((ids, next(page.position(), page.items().len())))
    })
    .await?;
    out.sort();
    Ok(out)
}

fn throttle(t: &gw::ThrottleSettings) -> Throttle {
    Throttle { rate_limit: Some(t.rate_limit()), burst_limit: Some(t.burst_limit()) }
}

fn plan(ctx: &AwsContext, p: &gw::UsagePlan, key_ids: Vec<String>) -> UsagePlan {
    let stages = p.api_stages().iter().map(|s| PlanStage {
        api_id: s.api_id().unwrap_or_default().to_string(),
        stage: s.stage().unwrap_or_default().to_string(),
        throttle: s.throttle().map(|m| m.iter().map(|(k, v)| (k.clone(), throttle(v))).collect()).unwrap_or_default(),
    });
    UsagePlan {
        id: p.id().unwrap_or_default().to_string(),
        name: p.name().unwrap_or_default().to_string(),
        description: p.description().map(str::to_string),
        throttle: p.throttle().map(throttle),
        quota: p.quota().map(|q| Quota {
            limit: q.limit(),
            period: q.period().map(|x| x.as_str().to_string()).unwrap_or_default(),
            offset: q.offset(),
        }),
        api_stages: stages.collect(),
        key_ids,
        tags: tags(p.tags()),
        region: ctx.region.clone(),
        account: ctx.account_ref(),
        error: None,
    }
}

/// Requests per day for the plan's keys (or one key) over the last `days` days, today included.
pub async fn usage(ctx: &AwsContext, plan_id: &str, key_id: Option<&str>, days: u32) -> Result<Usage, AwsError> {
    let today = time::OffsetDateTime::now_utc().date();
    let start = today - time::Duration::days(i64::from(days.max(1)) - 1);
    let (start, end) = (ymd(start), ymd(today));
    let mut keys = BTreeMap::new();
    let mut position = None;
    loop {
        ctx.pacer.wait().await;
        let req = ctx.apigw.get_usage().usage_plan_id(plan_id).start_date(&start).end_date(&end).limit(PAGE_SIZE);
        let page = req.set_key_id(key_id.map(str::to_string)).set_position(position).send().await;
        let page = page.map_err(|e| usage_error(ctx.err("GetUsage", e).with_subject("usage plan", plan_id)))?;
        // Days count from the start date the reply gives (it may differ from the one asked for).
        let first = page.start_date().unwrap_or(&start).to_string();
        for (key, rows) in page.items().into_iter().flatten() {
            keys.insert(key.clone(), day_rows(&first, rows));
        }
        position = page.position().map(str::to_string);
        if position.is_none() {
            return Ok(Usage { plan_id: plan_id.to_string(), start_date: start, end_date: end, keys });
        }
    }
}

/// The message users see when an endpoint (moto) has no GetUsage.
pub const USAGE_UNAVAILABLE: &str = "usage data not available from this endpoint (it does not implement GetUsage)";

fn usage_error(e: AwsError) -> AwsError {
    match e.kind {
        super::error::ErrorKind::NotImplemented => AwsError { message: USAGE_UNAVAILABLE.to_string(), ..e },
        _ => e,
    }
}

fn ymd(d: time::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// GetUsage gives, per key, one `[used, remaining]` pair per day from the start date.
pub fn day_rows(start: &str, rows: &[Vec<i64>]) -> Vec<DayUsage> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let Ok(first) = time::Date::parse(start, &format) else { return vec![] };
    rows.iter()
        .enumerate()
        .map(|(i, r)| DayUsage {
            date: ymd(first + time::Duration::days(i as i64)),
            used: r.first().copied().unwrap_or(0),
            remaining: r.get(1).copied().unwrap_or(0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_rows_get_their_dates() {
        let rows = day_rows("2026-02-27", &[vec![3, 97], vec![0, 97], vec![10, 87]]);
        let dates: Vec<&str> = rows.iter().map(|d| d.date.as_str()).collect();
        assert_eq!(dates, ["2026-02-27", "2026-02-28", "2026-03-01"]);
        assert_eq!((rows[2].used, rows[2].remaining), (10, 87));
    }
}
