//! API keys: list, create, enable/disable, delete, attach to and detach from usage plans.
//!
//! Key values become `Secret`s at this boundary and nothing here logs or prints them.
//! Every mutation checks read-only mode first, in this layer, not only in the UI.

use super::catalog::{PAGE_SIZE, date, tags};
use super::clients::AwsContext;
use super::clients::change_retries;
use super::error::{AwsError, ErrorKind};
use super::paging::{all_pages, next};
use super::plans;
use crate::domain::{ApiKey, CreatedKey, Mutation, NewKey, Secret, UsagePlan};
use aws_config::retry::RetryConfig;
use aws_sdk_apigateway::types::{Op, PatchOperation};
use std::collections::BTreeMap;
use std::time::Duration;

/// Whether a key listing reads the keys' values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// Read, straight into a `Secret` (the TUI shows its last four characters).
    Read,
    Skip,
}

/// Every API key (optionally one partner's), each with the plans it is in. Values are not read.
pub async fn list_keys(ctx: &AwsContext, customer_id: Option<&str>) -> Result<Vec<ApiKey>, AwsError> {
    list_keys_with(ctx, customer_id, Values::Skip).await
}

/// Like [`list_keys`], reading the values or not.
pub async fn list_keys_with(
    ctx: &AwsContext,
    customer_id: Option<&str>,
    values: Values,
) -> Result<Vec<ApiKey>, AwsError> {
    Ok(keys_and_plans(ctx, customer_id, values).await?.0)
}

/// The keys and the usage plans they were joined with (each read once: `lint` needs both).
/// The plans are empty when they could not be read (the keys' `error` says so).
pub async fn keys_and_plans(
    ctx: &AwsContext,
    customer_id: Option<&str>,
    values: Values,
) -> Result<(Vec<ApiKey>, Vec<crate::domain::UsagePlan>), AwsError> {
    let values = values == Values::Read;
    let (pages, all_plans) = tokio::join!(key_pages(ctx, customer_id, None, values), plans::list_plans(ctx));
    let pages = pages?;
    // Without the plans (or some plans' keys) the keys are still listed; their `error` says
    // why `planIds` may be incomplete.
    let (all_plans, error) = match all_plans {
        Ok(p) => {
            let unread: Vec<&str> = p.iter().filter(|p| p.error.is_some()).map(|p| p.id.as_str()).collect();
            let error = (!unread.is_empty()).then(|| {
                format!("plans may be incomplete: the keys of usage plan {} could not be read", unread.join(", "))
            });
            (p, error)
        }
        Err(e) => (vec![], Some(format!("plans unknown: the usage plans could not be read: {e}"))),
    };
    let mut keys: Vec<ApiKey> = pages
        .iter()
        .map(|(k, v)| ApiKey { value: v.clone(), error: error.clone(), ..key_of(ctx, k, &all_plans) })
        .collect();
    // The filter also goes to the server; applied here too, for endpoints that ignore it (moto).
    keys.retain(|k| customer_id.is_none_or(|c| k.customer_id.as_deref() == Some(c)));
    keys.sort_by(|a, b| (a.name.to_lowercase(), &a.id).cmp(&(b.name.to_lowercase(), &b.id)));
    Ok((keys, all_plans))
}

/// Keys as the SDK gives them, with the value moved out into a `Secret` (or dropped).
type KeyPage = Vec<(aws_sdk_apigateway::types::ApiKey, Option<Secret>)>;

async fn key_pages(
    ctx: &AwsContext,
    customer_id: Option<&str>,
    name: Option<&str>,
    values: bool,
) -> Result<KeyPage, AwsError> {
    all_pages(|position| async move {
        ctx.pacer.wait().await;
        let req = ctx.apigw.get_api_keys().limit(PAGE_SIZE).include_values(values).set_position(position);
        let req = req.set_customer_id(customer_id.map(str::to_string)).set_name_query(name.map(str::to_string));
        let page = req.send().await.map_err(|e| ctx.err("GetApiKeys", e))?;
        let secret = |k: &aws_sdk_apigateway::types::ApiKey| k.value().filter(|_| values).map(Secret::new);
        let keys = page.items().iter().map(|k| (k.clone().set_value(None), secret(k))).collect();
        Ok((keys, next(page.position(), page.items().len())))
    })
    .await
}

trait DropValue {
    fn set_value(self, v: Option<String>) -> Self;
}

impl DropValue for aws_sdk_apigateway::types::ApiKey {
    fn set_value(self, v: Option<String>) -> Self {
        let b = aws_sdk_apigateway::types::ApiKey::builder()
            .set_id(self.id)
            .set_name(self.name)
            .set_customer_id(self.customer_id)
            .set_description(self.description)
            .enabled(self.enabled)
            .set_created_date(self.created_date)
            .set_last_updated_date(self.last_updated_date)
            .set_stage_keys(self.stage_keys)
            .set_tags(self.tags);
        b.set_value(v).build()
    }
}

fn key_of(ctx: &AwsContext, k: &aws_sdk_apigateway::types::ApiKey, plans: &[UsagePlan]) -> ApiKey {
    let id = k.id().unwrap_or_default().to_string();
    let plan_ids = plans.iter().filter(|p| p.key_ids.contains(&id)).map(|p| p.id.clone()).collect();
    ApiKey {
        name: k.name().unwrap_or_default().to_string(),
        description: k.description().map(str::to_string),
        enabled: k.enabled(),
        customer_id: k.customer_id().map(str::to_string),
        created_date: date(k.created_date()),
        last_updated_date: date(k.last_updated_date()),
        plan_ids,
        tags: tags(k.tags()),
        region: ctx.region.clone(),
        account: ctx.account_ref(),
        error: None,
        value: None,
        id,
    }
}

/// One key by id, with its plans (two calls); a clear NotFound when there is no such key.
pub async fn get_key(ctx: &AwsContext, key_id: &str) -> Result<ApiKey, AwsError> {
    Ok(key_with_plans(ctx, key_id).await?.0)
}

/// The key and the plans it is in (with their API stages, for the one-plan-per-stage check).
async fn key_with_plans(ctx: &AwsContext, key_id: &str) -> Result<(ApiKey, Vec<UsagePlan>), AwsError> {
    ctx.pacer.wait().await;
    let k = ctx.apigw.get_api_key().api_key(key_id).include_value(false).send().await;
    let k = k.map_err(|e| ctx.err("GetApiKey", e).with_subject("API key", key_id))?;
    let gw_key = aws_sdk_apigateway::types::ApiKey::builder()
        .set_id(k.id().map(str::to_string))
        .set_name(k.name().map(str::to_string))
        .set_customer_id(k.customer_id().map(str::to_string))
        .set_description(k.description().map(str::to_string))
        .enabled(k.enabled())
        .set_created_date(k.created_date().cloned())
        .set_last_updated_date(k.last_updated_date().cloned())
        .set_tags(k.tags().cloned())
        .build();
    let key_plans = plans::plans_of_key(ctx, key_id).await?;
    Ok((key_of(ctx, &gw_key, &key_plans), key_plans))
}

/// The key's value, for reveal and copy: asked for only when the user asks.
pub async fn key_value(ctx: &AwsContext, key_id: &str) -> Result<Secret, AwsError> {
    ctx.pacer.wait().await;
    let k = ctx.apigw.get_api_key().api_key(key_id).include_value(true).send().await;
    let k = k.map_err(|e| ctx.err("GetApiKey", e).with_subject("API key", key_id))?;
    k.value()
        .map(Secret::new)
        .ok_or_else(|| AwsError::new(ErrorKind::Other, "GetApiKey", "the endpoint returned no value"))
}

pub async fn set_enabled(ctx: &AwsContext, key_id: &str, enabled: bool) -> Result<(), AwsError> {
    ctx.check_writable("UpdateApiKey")?;
    let op = PatchOperation::builder().op(Op::Replace).path("/enabled").value(enabled.to_string()).build();
    ctx.pacer.wait().await;
    let req = ctx.apigw.update_api_key().api_key(key_id).patch_operations(op);
    let r = req.customize().config_override(change_retries()).send().await;
    r.map_err(|e| ctx.err("UpdateApiKey", e).with_subject("API key", key_id))?;
    Ok(())
}

pub async fn delete_key(ctx: &AwsContext, key_id: &str) -> Result<(), AwsError> {
    ctx.check_writable("DeleteApiKey")?;
    ctx.pacer.wait().await;
    let r = ctx.apigw.delete_api_key().api_key(key_id).customize().config_override(change_retries()).send().await;
    r.map_err(|e| ctx.err("DeleteApiKey", e).with_subject("API key", key_id))?;
    Ok(())
}

/// Attach a key to a plan, after checking both exist, that the key is not in the plan yet,
/// and that none of the key's other plans covers one of this plan's API stages (four calls
/// whatever the number of plans: the key, its plans, the target plan and its keys).
pub async fn attach(ctx: &AwsContext, key_id: &str, plan_id: &str) -> Result<(), AwsError> {
    ctx.check_writable("CreateUsagePlanKey")?;
    let (key, key_plans) = key_with_plans(ctx, key_id).await?;
    let target = target_plan(ctx, plan_id).await?;
    check_attachable(&key, &target, &key_plans)?;
    add_to_plan(ctx, key_id, plan_id).await
}

/// A plan a key is to join; its absence is the plain "not found".
async fn target_plan(ctx: &AwsContext, plan_id: &str) -> Result<UsagePlan, AwsError> {
    plans::get_plan(ctx, plan_id).await.map_err(|e| match e.kind {
        ErrorKind::NotFound => plan_not_found(plan_id),
        _ => e,
    })
}

fn plan_not_found(plan_id: &str) -> AwsError {
    AwsError::new(ErrorKind::NotFound, "GetUsagePlan", format!("usage plan {plan_id} not found"))
}

/// Pure check, shared by attach and create.
pub fn check_attachable(key: &ApiKey, target: &UsagePlan, all: &[UsagePlan]) -> Result<(), AwsError> {
    if key.plan_ids.contains(&target.id) {
        let msg = format!("API key {} is already in usage plan {} ({})", key.name, target.name, target.id);
        return Err(AwsError::new(ErrorKind::Conflict, "CreateUsagePlanKey", msg));
    }
    for other in all.iter().filter(|p| key.plan_ids.contains(&p.id)) {
        if let Some(s) = target.shared_stages(other).first() {
            let msg = format!(
                "API key {} is already in usage plan {} for API stage {}/{}; a key can be in only one plan per API stage",
                key.name, other.name, s.api_id, s.stage
            );
            return Err(AwsError::new(ErrorKind::Conflict, "CreateUsagePlanKey", msg));
        }
    }
    Ok(())
}

pub async fn detach(ctx: &AwsContext, key_id: &str, plan_id: &str) -> Result<(), AwsError> {
    ctx.check_writable("DeleteUsagePlanKey")?;
    let key = get_key(ctx, key_id).await?;
    if !key.plan_ids.iter().any(|p| p == plan_id) {
        plans::get_plan(ctx, plan_id).await?;
        let msg = format!("API key {} is not in usage plan {plan_id}", key.name);
        return Err(AwsError::new(ErrorKind::Conflict, "DeleteUsagePlanKey", msg));
    }
    ctx.pacer.wait().await;
    let req = ctx.apigw.delete_usage_plan_key().usage_plan_id(plan_id).key_id(key_id);
    let r = req.customize().config_override(change_retries()).send().await;
    r.map_err(|e| ctx.err("DeleteUsagePlanKey", e))?;
    Ok(())
}

/// Create a key and attach it to its plans. Everything is checked before anything is created;
/// if an attach still fails, the new key is deleted again, so nothing is left half-done.
pub async fn create_key(ctx: &AwsContext, new: &NewKey) -> Result<CreatedKey, AwsError> {
    ctx.check_writable("CreateApiKey")?;
    let mut new = new.clone();
    new.plan_ids.dedup();
    let mut chosen = Vec::new();
    for plan_id in &new.plan_ids {
        chosen.push(target_plan(ctx, plan_id).await?);
    }
    check_new_key_plans(&new, &chosen)?;
    let (key_id, value, recovered) = create_once(ctx, &new).await?;
    for plan_id in &new.plan_ids {
        if let Err(e) = add_to_plan(ctx, &key_id, plan_id).await {
            // A key found after a lost answer may not be ours to delete: report, do not roll back.
            return Err(if recovered { e } else { roll_back(ctx, &key_id, e).await });
        }
    }
    // The key exists and its value is in hand: a failed read-back must not lose the value.
    let key = get_key(ctx, &key_id).await.unwrap_or_else(|_| known_key(ctx, &key_id, &new));
    Ok(CreatedKey { key, value, recovered })
}

fn known_key(ctx: &AwsContext, id: &str, new: &NewKey) -> ApiKey {
    ApiKey {
        id: id.to_string(),
        name: new.name.clone(),
        description: new.description.clone(),
        enabled: new.enabled,
        customer_id: new.customer_id.clone(),
        created_date: None,
        last_updated_date: None,
        plan_ids: new.plan_ids.clone(),
        tags: BTreeMap::new(),
        region: ctx.region.clone(),
        account: ctx.account_ref(),
        error: None,
        value: None,
    }
}

/// CreateUsagePlanKey; a conflict after an SDK retry of a call that had worked is success.
pub async fn add_to_plan(ctx: &AwsContext, key_id: &str, plan_id: &str) -> Result<(), AwsError> {
    ctx.check_writable("CreateUsagePlanKey")?;
    ctx.pacer.wait().await;
    let req = ctx.apigw.create_usage_plan_key().usage_plan_id(plan_id).key_id(key_id).key_type("API_KEY");
    let r = req.customize().config_override(change_retries()).send().await;
    match r.map_err(|e| ctx.err("CreateUsagePlanKey", e)) {
        Err(e) if e.kind == ErrorKind::Conflict => {
            if plans::plan_key_ids(ctx, plan_id).await?.iter().any(|k| k == key_id) { Ok(()) } else { Err(e) }
        }
        other => other.map(|_| ()),
    }
}

fn check_new_key_plans(new: &NewKey, plans: &[UsagePlan]) -> Result<(), AwsError> {
    let mut chosen: Vec<&UsagePlan> = Vec::new();
    for id in &new.plan_ids {
        let plan = plans.iter().find(|p| &p.id == id).ok_or_else(|| plan_not_found(id))?;
        for earlier in &chosen {
            if let Some(s) = plan.shared_stages(earlier).first() {
                let msg = format!(
                    "usage plans {} and {} both cover API stage {}/{}; a key can be in only one plan per API stage",
                    earlier.name, plan.name, s.api_id, s.stage
                );
                return Err(AwsError::new(ErrorKind::Conflict, "CreateUsagePlanKey", msg));
            }
        }
        chosen.push(plan);
    }
    Ok(())
}

async fn roll_back(ctx: &AwsContext, key_id: &str, cause: AwsError) -> AwsError {
    match delete_key(ctx, key_id).await {
        Ok(()) => AwsError { message: format!("{}; the new key {key_id} was deleted again", cause.message), ..cause },
        Err(e) => AwsError {
            message: format!("{}; deleting the new key {key_id} also failed ({e}): delete it by hand", cause.message),
            ..cause
        },
    }
}

/// CreateApiKey is not idempotent, so the SDK must not retry it blindly: retries are off for
/// this call. Throttling (nothing was created) is retried here with back-off; a failure in
/// transit is checked by listing keys of that name before anything else happens.
async fn create_once(ctx: &AwsContext, new: &NewKey) -> Result<(String, Secret, bool), AwsError> {
    // Keys of this name before the call: after a lost answer only a new one can be ours.
    let before: Vec<String> = same_name(ctx, new).await?.into_iter().filter_map(|k| k.id).collect();
    for attempt in 0..4u32 {
        ctx.pacer.wait().await;
        let no_retry = aws_sdk_apigateway::config::Builder::default().retry_config(RetryConfig::disabled());
        let req = ctx.apigw.create_api_key().name(&new.name).enabled(new.enabled);
        let req = req.set_customer_id(new.customer_id.clone()).set_description(new.description.clone());
        let tags = crate::domain::new_key_tags(new.customer_id.as_deref());
        let req = req.set_tags((!tags.is_empty()).then(|| tags.into_iter().collect()));
        match req.customize().config_override(no_retry).send().await.map_err(|e| ctx.err("CreateApiKey", e)) {
            Ok(k) => {
                let id = k.id().unwrap_or_default().to_string();
                let value = match k.value() {
                    Some(v) => Secret::new(v),
                    None => key_value(ctx, &id).await?,
                };
                return Ok((id, value, false));
            }
            Err(e) if e.kind == ErrorKind::Throttled && attempt < 3 => {
                tokio::time::sleep(Duration::from_millis(500 * 2u64.pow(attempt))).await;
            }
            Err(e) if e.outcome_unknown() => return recover(ctx, new, &before, e).await,
            Err(e) => return Err(e),
        }
    }
    unreachable!("the last attempt returns")
}

async fn same_name(ctx: &AwsContext, new: &NewKey) -> Result<Vec<aws_sdk_apigateway::types::ApiKey>, AwsError> {
    let found = key_pages(ctx, new.customer_id.as_deref(), Some(&new.name), false).await?;
    Ok(found.into_iter().map(|(k, _)| k).filter(|k| k.name() == Some(new.name.as_str())).collect())
}

/// After a create whose outcome is unknown: did it happen? Only a key that was not there
/// before, with the same name, customer and description, can be ours, and only if it is the
/// only one.
async fn recover(
    ctx: &AwsContext,
    new: &NewKey,
    before: &[String],
    cause: AwsError,
) -> Result<(String, Secret, bool), AwsError> {
    let now = same_name(ctx, new).await?;
    let candidates: Vec<String> = now
        .iter()
        .filter(|k| k.id().is_some_and(|id| !before.iter().any(|b| b == id)))
        .filter(|k| k.customer_id() == new.customer_id.as_deref() && k.description() == new.description.as_deref())
        .filter_map(|k| k.id().map(str::to_string))
        .collect();
    match candidates.as_slice() {
        [id] => {
            let value = key_value(ctx, id).await?;
            tracing::warn!(key_id = %id, "CreateApiKey's answer was lost, but the key exists: using it");
            Ok((id.clone(), value, true))
        }
        [] => Err(AwsError {
            message: format!(
                "{} (checked: no new key named {} exists now; it may still appear, list keys before retrying)",
                cause.message, new.name
            ),
            ..cause
        }),
        many => Err(AwsError {
            message: format!(
                "{} (several new keys named {} exist: {}; check them by hand)",
                cause.message,
                new.name,
                many.join(", ")
            ),
            ..cause
        }),
    }
}

/// A partner key whose value the caller chose (and already handed over). The value is unique
/// in the region, so it doubles as an idempotency key: a retried create that had worked is a
/// conflict, and the key with that value is the one made. Returns the key's id.
pub async fn create_with_value(
    ctx: &AwsContext,
    name: &str,
    customer_id: &str,
    value: &Secret,
    tags: &BTreeMap<String, String>,
) -> Result<String, AwsError> {
    ctx.check_writable("CreateApiKey")?;
    ctx.key_pacer.wait().await;
    ctx.pacer.wait().await;
    let tags: std::collections::HashMap<String, String> = tags.clone().into_iter().collect();
    let req = ctx.apigw.create_api_key().name(name).enabled(true).customer_id(customer_id).value(value.expose());
    let out = req.set_tags(Some(tags)).customize().config_override(change_retries()).send().await;
    match out.map_err(|e| ctx.err("CreateApiKey", e)) {
        Ok(k) => Ok(k.id().unwrap_or_default().to_string()),
        Err(e) if e.kind == ErrorKind::Conflict => match find_by_value(ctx, customer_id, value).await? {
            Some(id) => Ok(id),
            None => {
                Err(AwsError { message: format!("{} (and no key of {customer_id} has this value)", e.message), ..e })
            }
        },
        Err(e) => Err(e),
    }
}

/// The id of `customer_id`'s key whose value is `value`, if there is one.
pub async fn find_by_value(ctx: &AwsContext, customer_id: &str, value: &Secret) -> Result<Option<String>, AwsError> {
    let keys = key_pages(ctx, Some(customer_id), None, true).await?;
    Ok(keys.into_iter().find(|(_, v)| v.as_ref() == Some(value)).and_then(|(k, _)| k.id))
}

/// The ids of `customer_id`'s keys whose value has this fingerprint (what a journal holds).
pub async fn find_by_fingerprint(
    ctx: &AwsContext,
    customer_id: &str,
    fingerprint: &str,
    of: impl Fn(&Secret) -> String,
) -> Result<Vec<String>, AwsError> {
    let keys = key_pages(ctx, Some(customer_id), None, true).await?;
    let found = keys
        .into_iter()
        .filter(|(k, v)| k.customer_id() == Some(customer_id) && v.as_ref().is_some_and(|v| of(v) == fingerprint));
    Ok(found.filter_map(|(k, _)| k.id).collect())
}

/// Delete a key; one already gone is done.
pub async fn delete_if_there(ctx: &AwsContext, key_id: &str) -> Result<(), AwsError> {
    ctx.key_pacer.wait().await;
    match delete_key(ctx, key_id).await {
        Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

/// Take a key out of a plan; not in it (or either gone) is done.
pub async fn remove_from_plan(ctx: &AwsContext, key_id: &str, plan_id: &str) -> Result<(), AwsError> {
    ctx.check_writable("DeleteUsagePlanKey")?;
    ctx.pacer.wait().await;
    let req = ctx.apigw.delete_usage_plan_key().usage_plan_id(plan_id).key_id(key_id);
    match req.customize().config_override(change_retries()).send().await.map_err(|e| ctx.err("DeleteUsagePlanKey", e)) {
        Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
        other => other.map(|_| ()),
    }
}

/// Carry out a key change, the one executor of `Mutation` (the CLI and the TUI's worker); a
/// create gives the key made, with its value.
pub async fn apply(ctx: &AwsContext, m: &Mutation) -> Result<Option<CreatedKey>, AwsError> {
    match m {
        Mutation::CreateKey(new) => create_key(ctx, new).await.map(Some),
        Mutation::SetEnabled { key_id, enabled, .. } => set_enabled(ctx, key_id, *enabled).await.map(|()| None),
        Mutation::DeleteKey { key_id, .. } => delete_key(ctx, key_id).await.map(|()| None),
        Mutation::Attach { key_id, plan_id } => attach(ctx, key_id, plan_id).await.map(|()| None),
        Mutation::Detach { key_id, plan_id } => detach(ctx, key_id, plan_id).await.map(|()| None),
    }
}

/// Keys per partner, for the summary line of `keys`.
pub fn by_customer(keys: &[ApiKey]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for k in keys {
        *m.entry(k.customer_id.clone().unwrap_or_default()).or_default() += 1;
    }
    m
}
