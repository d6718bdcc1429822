//! The rules on who may call: usage plans (OWASP API4: throttle and quota), API keys (age,
//! left disabled, in no plan, no customer id) and partners (client secret age, rotations left
//! unfinished).

use super::{Check, OWASP, Out, throttles};
use crate::domain::{ApiKey, Partner, UsagePlan};
use crate::governance::{
    Estate, Finding, ResourceType, Rule, Severity, age_days, epoch, key_arn, partner_arn, plan_arn,
};
use std::fmt::Display;

const KEYS_DOC: &str = "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-setup-api-keys.html";
const CLIENTS_DOC: &str =
    "https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-client-apps.html";

impl Out<'_> {
    /// A finding on a usage plan: "usage plan NAME said".
    fn plan(&mut self, p: &UsagePlan, said: &str) -> &mut Finding {
        let message = format!("usage plan {} {said}", p.name);
        let f = self.finding(plan_arn(p), ResourceType::UsagePlan, &p.region, message);
        f.plan_id = Some(p.id.clone());
        f.remediation = f.remediation.replace("{plan}", &p.id);
        f
    }

    /// A finding on an API key: "key NAME said"; the partner is its customer id.
    fn key(&mut self, k: &ApiKey, said: impl Display) -> &mut Finding {
        let message = format!("key {} {said}", k.name);
        let f = self.finding(key_arn(&k.region, &k.id), ResourceType::ApiKey, &k.region, message);
        f.key_id = Some(k.id.clone());
        f.partner = k.customer_id.clone();
        let partner = k.customer_id.as_deref().unwrap_or("PARTNER");
        f.remediation = f.remediation.replace("{key}", &k.id).replace("{partner}", partner);
        f
    }

    /// A finding on a partner: "PARTNER: said".
    fn partner(&mut self, p: &Partner, said: impl Display) -> &mut Finding {
        let f = self.finding(partner_arn(p), ResourceType::Partner, &p.region, format!("{}: {said}", p.id));
        f.partner = Some(p.id.clone());
        f.remediation = f.remediation.replace("{partner}", &p.id);
        f
    }
}

pub(super) const PLAN_NO_THROTTLE: Rule = Rule {
    id: "owasp-api4-plan-no-throttle",
    title: "Usage plan without throttling",
    severity: Severity::Medium,
    why: "OWASP API4:2023: a key in this plan can send as fast as the account allows, starving other callers.",
    fix: "aws apigateway update-usage-plan --usage-plan-id {plan} --patch-operations op=replace,path=/throttle/rateLimit,value=100 op=replace,path=/throttle/burstLimit,value=200",
    references: &[OWASP],
    security_hub: None,
    prowler: None,
    counterpart: Some("OWASP API4:2023"),
    check: Check::Plan(plan_no_throttle),
};

fn plan_no_throttle(p: &UsagePlan, out: &mut Out) {
    if !throttles(p.throttle.as_ref()) {
        out.plan(p, "has no throttle");
    }
}

pub(super) const PLAN_NO_QUOTA: Rule = Rule {
    id: "owasp-api4-plan-no-quota",
    title: "Usage plan without a quota",
    severity: Severity::Low,
    why: "OWASP API4:2023: without a quota a key's total use has no bound.",
    fix: "aws apigateway update-usage-plan --usage-plan-id {plan} --patch-operations op=replace,path=/quota/limit,value=100000 op=replace,path=/quota/period,value=MONTH",
    references: &[OWASP],
    security_hub: None,
    prowler: None,
    counterpart: Some("OWASP API4:2023"),
    check: Check::Plan(plan_no_quota),
};

fn plan_no_quota(p: &UsagePlan, out: &mut Out) {
    if p.quota.is_none() {
        out.plan(p, "has no quota");
    }
}

pub(super) const KEY_MAX_AGE: Rule = Rule {
    id: "key-max-age",
    title: "API key older than the maximum age",
    severity: Severity::Medium,
    why: "A key never rotated has had the most chances to leak; rotation bounds the damage.",
    fix: "portcullis partners rotate {partner} --key (or create a new key, move callers, disable the old one)",
    references: &[KEYS_DOC],
    security_hub: None,
    prowler: None,
    counterpart: None,
    check: Check::Key(key_max_age),
};

/// Enabled keys, by their creation date.
fn key_max_age(e: &Estate, k: &ApiKey, out: &mut Out) {
    let max = e.config.max_key_age_days;
    if let Some(age) = age_days(k.created_date.as_deref(), e.now)
        && k.enabled
        && age > max
    {
        out.key(k, format!("is {age} days old (maximum {max})"));
    }
}

pub(super) const KEY_DISABLED_KEPT: Rule = Rule {
    id: "key-disabled-kept",
    title: "Disabled API key kept for a long time",
    severity: Severity::Low,
    why: "A disabled key serves no one and can be re-enabled by mistake; delete it once its grace is over.",
    fix: "aws apigateway delete-api-key --api-key {key}",
    references: &[KEYS_DOC],
    security_hub: None,
    prowler: None,
    counterpart: None,
    check: Check::Key(key_disabled_kept),
};

/// Disabled since its last update (or, without one, its creation).
fn key_disabled_kept(e: &Estate, k: &ApiKey, out: &mut Out) {
    let since = k.last_updated_date.as_deref().or(k.created_date.as_deref());
    if !k.enabled
        && let Some(age) = age_days(since, e.now)
        && age > e.config.disabled_key_days
    {
        out.key(k, format!("has been disabled for {age} days"));
    }
}

pub(super) const KEY_NO_PLAN: Rule = Rule {
    id: "key-no-plan",
    title: "API key in no usage plan",
    severity: Severity::Low,
    why: "A key in no plan opens nothing: it is left over, or a caller is missing access.",
    fix: "aws apigateway create-usage-plan-key --usage-plan-id {plan} --key-id {key} --key-type API_KEY, or delete the key",
    references: &["https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-usage-plans.html"],
    security_hub: None,
    prowler: None,
    counterpart: None,
    check: Check::Key(key_no_plan),
};

/// Not when its plans could not all be read.
fn key_no_plan(_: &Estate, k: &ApiKey, out: &mut Out) {
    if k.plan_ids.is_empty() && k.error.is_none() {
        out.key(k, "is in no usage plan");
    }
}

pub(super) const KEY_NO_CUSTOMER: Rule = Rule {
    id: "key-no-customer",
    title: "API key without a customer id",
    severity: Severity::Info,
    why: "The customer id ties a key to the partner it was issued to (audits, offboarding, usage per partner).",
    fix: "aws apigateway update-api-key --api-key {key} --patch-operations op=replace,path=/customerId,value={partner}",
    references: &["https://docs.aws.amazon.com/apigateway/latest/api/API_ApiKey.html"],
    security_hub: None,
    prowler: None,
    counterpart: None,
    check: Check::Key(key_no_customer),
};

fn key_no_customer(_: &Estate, k: &ApiKey, out: &mut Out) {
    if k.customer_id.as_deref().is_none_or(str::is_empty) {
        out.key(k, "has no customer id");
    }
}

pub(super) const SECRET_MAX_AGE: Rule = Rule {
    id: "secret-max-age",
    title: "Partner client secret older than the maximum age",
    severity: Severity::Medium,
    why: "A client secret never rotated has had the most chances to leak.",
    fix: "portcullis partners rotate {partner} --secret",
    references: &[CLIENTS_DOC],
    security_hub: None,
    prowler: None,
    counterpart: None,
    check: Check::Partner(secret_max_age),
};

/// Each app client with a secret (a public client has nothing to age), by its newest secret:
/// an older one is what a rotation keeps for its grace. Without dates on the secrets, the
/// client's own date counts.
fn secret_max_age(e: &Estate, p: &Partner, out: &mut Out) {
    let max = e.config.max_secret_age_days;
    for client in p.app_clients.iter().filter(|c| !c.secrets.is_empty()) {
        let newest = client.secrets.iter().filter_map(|s| s.created_date.as_deref()).filter_map(epoch).max();
        let Some(t) = newest.or_else(|| client.created_date.as_deref().and_then(epoch)) else { continue };
        let age = (e.now - t) / 86_400;
        if age > max {
            out.partner(p, format!("the client secret of {} is {age} days old (maximum {max})", client.client_id));
        }
    }
}

pub(super) const ROTATION_UNFINISHED: Rule = Rule {
    id: "rotation-unfinished",
    title: "Credential rotation left unfinished past its grace",
    severity: Severity::High,
    why: "Both the old and the new credential still work: the rotation's point (the old one stops) has not happened.",
    fix: "portcullis partners reconcile",
    references: &[CLIENTS_DOC],
    security_hub: None,
    prowler: None,
    counterpart: None,
    check: Check::Partner(rotation_unfinished),
};

/// An enabled key whose retirement date (set by the rotation that replaced it) has passed.
fn rotation_unfinished(e: &Estate, p: &Partner, out: &mut Out) {
    for k in p.keys.iter().filter(|k| k.enabled) {
        if let Some(t) = k.retire_after.as_deref().and_then(epoch)
            && t < e.now
        {
            let days = (e.now - t) / 86_400;
            let f = out.partner(p, format!("key {} was to be retired {days} day(s) ago and still works", k.id));
            f.key_id = Some(k.id.clone());
        }
    }
}
