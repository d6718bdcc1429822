//! The auth a call carries, from the method's own definition or chosen (`--auth`):
//! `none`, `key:KEY_ID` (`x-api-key`, its value read at send time), `partner:ID` (the partner's
//! key where the method requires one, and a client-credentials token where it takes one),
//! `iam` (SigV4 with the current credentials), `bearer:ENV_VAR`.

use super::send::Value;
use super::target::Operation;
use super::token::TokenCache;
use crate::aws::{AwsContext, cognito, keys, plans};
use crate::domain::{Api, Secret};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthChoice {
    /// What the method demands (only `none` and `iam` need nothing chosen).
    Auto,
    None,
    Key(String),
    Partner(String),
    Iam,
    Bearer(String),
}

/// The reference the history keeps (`partner:acme`): never a secret.
impl std::fmt::Display for AuthChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthChoice::Auto => f.write_str("auto"),
            AuthChoice::None => f.write_str("none"),
            AuthChoice::Iam => f.write_str("iam"),
            AuthChoice::Key(id) => write!(f, "key:{id}"),
            AuthChoice::Partner(id) => write!(f, "partner:{id}"),
            AuthChoice::Bearer(var) => write!(f, "bearer:{var}"),
        }
    }
}

impl std::str::FromStr for AuthChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.split_once(':') {
            None if s == "auto" => AuthChoice::Auto,
            None if s == "none" => AuthChoice::None,
            None if s == "iam" => AuthChoice::Iam,
            Some(("key", id)) if !id.is_empty() => AuthChoice::Key(id.into()),
            Some(("partner", id)) if !id.is_empty() => AuthChoice::Partner(id.into()),
            Some(("bearer", var)) if !var.is_empty() => AuthChoice::Bearer(var.into()),
            _ => {
                return Err(format!("`{s}` is not an auth: auto, none, key:KEY_ID, partner:ID, iam or bearer:ENV_VAR"));
            }
        })
    }
}

/// What the auth adds: headers, and whether the request is signed (SigV4) at send time.
#[derive(Debug, Default)]
pub struct Resolved {
    pub headers: Vec<(String, Value)>,
    pub sign: bool,
    /// The credentials that sign are temporary (a curl command then sends their session token).
    pub session_token: bool,
    /// What was used, for people (`x-api-key from key k1`).
    pub said: Vec<String>,
}

/// Where a call resolves what it needs.
pub struct AuthEnv<'a> {
    pub ctx: &'a AwsContext,
    pub http: &'a reqwest::Client,
    pub tokens: &'a TokenCache,
    /// `[token_urls] "POOL_ID" = "URL"` from the config.
    pub token_urls: &'a BTreeMap<String, String>,
}

/// The user pool an authorizer trusts: a REST Cognito authorizer's provider ARN, or an HTTP
/// JWT authorizer's issuer (`https://cognito-idp.<region>.amazonaws.com/<pool>`).
pub fn authorizer_pool(api: &Api, op: &Operation) -> Option<String> {
    let a = api.authorizers.iter().find(|a| Some(&a.id) == op.authorizer_id.as_ref())?;
    a.provider.iter().find_map(|p| p.rsplit('/').next().filter(|id| id.contains('_')).map(str::to_string))
}

fn needs_token(op: &Operation) -> bool {
    matches!(op.authorization.as_str(), "COGNITO_USER_POOLS" | "JWT")
}

/// Why an auth cannot be used: what was asked does not fit the method (usage), or something it
/// needs could not be had (failed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Failed(String),
}

fn failed(e: impl ToString) -> AuthError {
    AuthError::Failed(e.to_string())
}

/// Does `choice` fit the method? Checked before anything is read or sent.
pub fn check(op: &Operation, choice: &AuthChoice) -> Result<(), AuthError> {
    let usage = |m: String| Err(AuthError::Usage(m));
    match choice {
        AuthChoice::Auto if op.api_key_required => {
            usage(format!("{} requires an API key: pass --auth key:KEY_ID or --auth partner:ID", op.label))
        }
        AuthChoice::Auto if needs_token(op) => usage(format!(
            "{} takes a {} token: pass --auth partner:ID (client credentials) or --auth bearer:ENV_VAR",
            op.label, op.authorization
        )),
        AuthChoice::Auto if op.authorization == "CUSTOM" => {
            usage(format!("{} has a Lambda authorizer: pass what it expects with --header and --auth none", op.label))
        }
        AuthChoice::Partner(_) if op.authorization == "COGNITO_USER_POOLS" && op.scopes.is_empty() => usage(format!(
            "{} has a Cognito authorizer and no OAuth scopes, so it expects an ID token, which client credentials cannot give; pass one with --auth bearer:ENV_VAR",
            op.label
        )),
        AuthChoice::Bearer(var) if std::env::var_os(var).is_none() => {
            usage(format!("--auth bearer:{var}: the environment has no {var}"))
        }
        _ => Ok(()),
    }
}

/// What the auth adds, with every secret left out (empty): for a curl command with
/// placeholders, which needs nothing read and sends nothing.
pub fn placeholders(op: &Operation, choice: &AuthChoice) -> Result<Resolved, AuthError> {
    check(op, choice)?;
    let mut out = Resolved::default();
    let empty = || Value::Secret(Secret::new(""));
    let partner = matches!(choice, AuthChoice::Partner(_));
    if matches!(choice, AuthChoice::Key(_)) || partner && op.api_key_required {
        out.headers.push(("x-api-key".into(), empty()));
    }
    if matches!(choice, AuthChoice::Bearer(_)) || partner && needs_token(op) {
        out.headers.push(("authorization".into(), empty()));
    }
    let iam_method = op.authorization == "AWS_IAM";
    if matches!(choice, AuthChoice::Iam) || iam_method && matches!(choice, AuthChoice::Auto | AuthChoice::Partner(_)) {
        iam(&mut out);
    }
    Ok(out)
}

pub async fn resolve(
    env: &AuthEnv<'_>,
    api: &Api,
    stage: &str,
    op: &Operation,
    choice: &AuthChoice,
) -> Result<Resolved, AuthError> {
    check(op, choice)?;
    let mut out = Resolved::default();
    match choice {
        AuthChoice::None => {}
        AuthChoice::Iam => iam(&mut out),
        AuthChoice::Bearer(var) => {
            let token = std::env::var(var).map_err(|_| AuthError::Usage(format!("the environment has no {var}")))?;
            out.headers.push(("authorization".into(), Value::Secret(Secret::new(format!("Bearer {token}")))));
            out.said.push(format!("bearer token from ${var}"));
        }
        AuthChoice::Key(id) => {
            let value = keys::key_value(env.ctx, id).await.map_err(failed)?;
            out.headers.push(("x-api-key".into(), Value::Secret(value)));
            out.said.push(format!("x-api-key of key {id}"));
        }
        AuthChoice::Partner(partner) => {
            if op.api_key_required {
                let id = partner_key(env, api, stage, partner).await.map_err(failed)?;
                let value = keys::key_value(env.ctx, &id).await.map_err(failed)?;
                out.headers.push(("x-api-key".into(), Value::Secret(value)));
                out.said.push(format!("x-api-key of {partner}'s key {id}"));
            }
            if needs_token(op) {
                let token = partner_token(env, api, op, partner).await.map_err(failed)?;
                out.headers
                    .push(("authorization".into(), Value::Secret(Secret::new(format!("Bearer {}", token.expose())))));
                out.said.push(format!("client-credentials token of {partner} ({})", op.scopes.join(" ")));
            }
            if op.authorization == "AWS_IAM" {
                iam(&mut out);
            }
        }
        AuthChoice::Auto => {
            if op.authorization == "AWS_IAM" {
                iam(&mut out);
            }
        }
    }
    Ok(out)
}

fn iam(out: &mut Resolved) {
    out.sign = true;
    out.said.push("SigV4 (execute-api) with the current AWS credentials".into());
}

/// The partner's enabled key in a plan that covers this API stage (the newest).
async fn partner_key(env: &AuthEnv<'_>, api: &Api, stage: &str, partner: &str) -> Result<String, String> {
    let listed = keys::list_keys(env.ctx, Some(partner)).await.map_err(|e| e.to_string())?;
    let all_plans = plans::list_plans(env.ctx).await.map_err(|e| e.to_string())?;
    let covers = |plan_id: &String| {
        all_plans
            .iter()
            .any(|p| &p.id == plan_id && p.api_stages.iter().any(|s| s.api_id == api.id && s.stage == stage))
    };
    let found = listed.iter().filter(|k| k.enabled && k.plan_ids.iter().any(covers));
    if let Some(k) = found.max_by(|a, b| a.created_date.cmp(&b.created_date)) {
        return Ok(k.id.clone());
    }
    Err(no_key_advice(partner, api, stage, &all_plans, &listed))
}

/// Why the partner has no key for this stage, and what would fix it: the plans that cover the
/// stage, and the partner's enabled keys to attach to one.
pub fn no_key_advice(
    partner: &str,
    api: &Api,
    stage: &str,
    plans: &[crate::domain::UsagePlan],
    keys: &[crate::domain::ApiKey],
) -> String {
    let covering: Vec<String> = plans
        .iter()
        .filter(|p| p.api_stages.iter().any(|s| s.api_id == api.id && s.stage == stage))
        .map(|p| format!("{} ({})", p.name, p.id))
        .collect();
    let keys: Vec<&str> = keys.iter().filter(|k| k.enabled).map(|k| k.id.as_str()).collect();
    let what =
        format!("partner {partner} has no enabled key in a usage plan covering {} ({}/{stage})", api.name, api.id);
    match (covering.as_slice(), keys.as_slice()) {
        ([], _) => format!("{what}: no usage plan covers that stage; add it to one (its API stages)"),
        (plans, []) => {
            format!("{what}: the plans covering it are {}; the partner has no enabled key to attach", plans.join(", "))
        }
        (plans, keys) => format!(
            "{what}: the plans covering it are {}; attach one of its keys ({}) to one: `a` on the key in :keys, \
             or `portcullis keys attach KEY --plan PLAN`",
            plans.join(", "),
            keys.join(", ")
        ),
    }
}

/// A client-credentials token for the partner's app client in the authorizer's pool.
async fn partner_token(env: &AuthEnv<'_>, api: &Api, op: &Operation, partner: &str) -> Result<Secret, String> {
    if op.authorization == "COGNITO_USER_POOLS" && op.scopes.is_empty() {
        return Err(format!(
            "{} has a Cognito authorizer and no OAuth scopes, so it expects an ID token, which client credentials cannot give; pass one with --auth bearer:ENV_VAR",
            op.label
        ));
    }
    let pool =
        authorizer_pool(api, op).ok_or_else(|| format!("the authorizer of {} names no Cognito user pool", op.label))?;
    // A token in hand for this partner, pool and scopes: no lookups at all.
    if let Some(t) = env.tokens.for_partner(&pool, partner, &op.scopes) {
        return Ok(t);
    }
    let clients = cognito::partner_clients(env.ctx, &pool, Some(partner)).await.map_err(|e| e.to_string())?;
    // The newest client (a rotation's second one, when there is one).
    let client = clients
        .iter()
        .max_by(|a, b| a.created_date.cmp(&b.created_date))
        .ok_or_else(|| format!("partner {partner} has no app client in pool {pool}"))?;
    let (_, secret) = cognito::describe(env.ctx, &pool, &client.client_id).await.map_err(|e| e.to_string())?;
    let secret = secret.ok_or_else(|| format!("app client {} has no secret", client.client_id))?;
    let token_url = match env.token_urls.get(&pool) {
        Some(u) => u.clone(),
        None => cognito::pool_info(env.ctx, &pool).await.map_err(|e| e.to_string())?.token_url.ok_or_else(|| {
            format!("user pool {pool} has no domain, so no token URL ([token_urls] in the config sets one)")
        })?,
    };
    let token = env.tokens.token(env.http, &token_url, &client.client_id, &secret, &op.scopes).await?;
    env.tokens.remember_partner(&pool, partner, &op.scopes, &token_url, &client.client_id);
    Ok(token)
}
