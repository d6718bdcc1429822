//! The partner user pool: its token URL and scopes, the partners' app clients (client
//! credentials), and their secrets (Cognito's two-secret model, where the endpoint has it).
//!
//! Client secrets become `Secret`s at this boundary; nothing here logs or prints them. Every
//! change checks read-only mode first, and every call waits for the Cognito pacer.

use super::catalog::date;
use super::clients::AwsContext;
use super::error::{AwsError, ErrorKind};
use crate::domain::{AppClient, ClientSecretInfo, Secret};
use aws_config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::types::{OAuthFlowType, UserPoolClientType};
use std::sync::atomic::Ordering;

/// What onboarding needs to know of the pool.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoolInfo {
    pub id: String,
    /// `https://<domain>.auth.<region>.amazoncognito.com/oauth2/token` (or the custom domain's);
    /// `None` when the pool has no domain (client credentials need one).
    pub token_url: Option<String>,
    /// Every `<resource server>/<scope>` a client may be given.
    pub scopes: Vec<String>,
}

/// Changes keep the standard 3 attempts (none of them has an idempotency token: each step
/// checks what exists before it acts).
fn change_retries() -> aws_sdk_cognitoidentityprovider::config::Builder {
    aws_sdk_cognitoidentityprovider::config::Builder::default()
        .retry_config(RetryConfig::standard().with_max_attempts(3))
}

pub async fn pool_info(ctx: &AwsContext, pool: &str) -> Result<PoolInfo, AwsError> {
    ctx.cognito_pacer.wait().await;
    let out = ctx.cognito.describe_user_pool().user_pool_id(pool).send().await;
    let out = out.map_err(|e| ctx.err("DescribeUserPool", e).with_subject("user pool", pool))?;
    let p = out.user_pool();
    let token_url = match (p.and_then(|p| p.custom_domain()), p.and_then(|p| p.domain())) {
        (Some(custom), _) if !custom.is_empty() => Some(format!("https://{custom}/oauth2/token")),
        (_, Some(prefix)) if !prefix.is_empty() => {
            Some(format!("https://{prefix}.auth.{}.amazoncognito.com/oauth2/token", ctx.region))
        }
        _ => None,
    };
    let mut scopes = Vec::new();
    let mut token = None;
    loop {
        ctx.cognito_pacer.wait().await;
        let req = ctx.cognito.list_resource_servers().user_pool_id(pool).max_results(50).set_next_token(token);
        let page = req.send().await.map_err(|e| ctx.err("ListResourceServers", e))?;
        for rs in page.resource_servers() {
            let id = rs.identifier().unwrap_or_default();
            scopes.extend(rs.scopes().iter().map(|s| format!("{id}/{}", s.scope_name())));
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    scopes.sort();
    Ok(PoolInfo { id: pool.to_string(), token_url, scopes })
}

/// Every app client in the pool (id and name), sorted by name.
pub async fn client_names(ctx: &AwsContext, pool: &str) -> Result<Vec<(String, String)>, AwsError> {
    let mut out = Vec::new();
    let mut token = None;
    loop {
        ctx.cognito_pacer.wait().await;
        let req = ctx.cognito.list_user_pool_clients().user_pool_id(pool).max_results(60).set_next_token(token);
        let page = req.send().await.map_err(|e| ctx.err("ListUserPoolClients", e).with_subject("user pool", pool))?;
        for c in page.user_pool_clients() {
            out.push((c.client_id().unwrap_or_default().to_string(), c.client_name().unwrap_or_default().to_string()));
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    out.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    Ok(out)
}

/// Whether an app client name is partner `id`'s: the id itself or `id/suffix`.
pub fn names_partner(name: &str, id: &str) -> bool {
    name == id || name.strip_prefix(id).is_some_and(|rest| rest.starts_with('/'))
}

/// The app clients of every partner (or of one), each described and with its secrets listed.
pub async fn partner_clients(ctx: &AwsContext, pool: &str, only: Option<&str>) -> Result<Vec<AppClient>, AwsError> {
    let names = client_names(ctx, pool).await?;
    let mut out = Vec::new();
    for (id, _) in names.iter().filter(|(_, n)| only.is_none_or(|p| names_partner(n, p))) {
        match describe(ctx, pool, id).await {
            Ok((client, _secret)) => out.push(client),
            // Deleted between the list and the read: not there.
            Err(e) if e.kind == ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// One app client, its secrets listed (two-secret model) and its current secret value as the
/// endpoint holds it (DescribeUserPoolClient), for hand-over only.
pub async fn describe(ctx: &AwsContext, pool: &str, client_id: &str) -> Result<(AppClient, Option<Secret>), AwsError> {
    ctx.cognito_pacer.wait().await;
    let out = ctx.cognito.describe_user_pool_client().user_pool_id(pool).client_id(client_id).send().await;
    let out = out.map_err(|e| ctx.err("DescribeUserPoolClient", e).with_subject("app client", client_id))?;
    let Some(c) = out.user_pool_client() else {
        return Err(AwsError::new(
            ErrorKind::NotFound,
            "DescribeUserPoolClient",
            format!("app client {client_id} not found"),
        ));
    };
    let secret = c.client_secret().filter(|s| !s.is_empty()).map(Secret::new);
    let mut client = app_client(c);
    client.secrets = match list_secrets(ctx, pool, client_id).await? {
        Some(listed) => listed,
        // The endpoint cannot list secrets: the client's own one, made with it.
        None if secret.is_some() => vec![ClientSecretInfo { id: None, created_date: client.created_date.clone() }],
        None => vec![],
    };
    Ok((client, secret))
}

fn app_client(c: &UserPoolClientType) -> AppClient {
    let name = c.client_name().unwrap_or_default().to_string();
    AppClient {
        client_id: c.client_id().unwrap_or_default().to_string(),
        scopes: c.allowed_o_auth_scopes().to_vec(),
        // An endpoint that gives no creation date (moto): a second client's name says it.
        created_date: date(c.creation_date()).or_else(|| name_stamp(&name)),
        name,
        secrets: vec![],
        flows: c.allowed_o_auth_flows().iter().map(|f| f.as_str().to_string()).collect(),
    }
}

/// The time in a `<partner>/20261201T120000Z` name, as RFC 3339.
fn name_stamp(name: &str) -> Option<String> {
    crate::domain::client_stamp(name).map(crate::domain::rfc3339)
}

/// ListUserPoolClientSecrets; `None` when the endpoint does not have it (learned once).
pub async fn list_secrets(
    ctx: &AwsContext,
    pool: &str,
    client_id: &str,
) -> Result<Option<Vec<ClientSecretInfo>>, AwsError> {
    if ctx.quirks.no_client_secrets.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let mut out = Vec::new();
    let mut token = None;
    loop {
        ctx.cognito_pacer.wait().await;
        // Two attempts: an endpoint without the operation answers 5xx, and each retry costs time.
        let probe = aws_sdk_cognitoidentityprovider::config::Builder::default()
            .retry_config(RetryConfig::standard().with_max_attempts(2));
        let req = ctx.cognito.list_user_pool_client_secrets().user_pool_id(pool).client_id(client_id);
        let page = req.set_next_token(token).customize().config_override(probe).send().await;
        let page = match page.map_err(|e| ctx.err("ListUserPoolClientSecrets", e)) {
            Ok(p) => p,
            Err(e) if e.kind == ErrorKind::NotImplemented => {
                ctx.quirks.no_client_secrets.store(true, Ordering::Relaxed);
                return Ok(None);
            }
            Err(e) => return Err(e.with_subject("app client", client_id)),
        };
        out.extend(page.client_secrets().iter().map(|s| ClientSecretInfo {
            id: s.client_secret_id().map(str::to_string),
            created_date: date(s.client_secret_create_date()),
        }));
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    out.sort_by(|a, b| a.created_date.cmp(&b.created_date));
    Ok(Some(out))
}

/// A partner app client for the client-credentials flow with `scopes`, and its secret: the
/// one given (generated by the caller, already handed over) where the endpoint takes it.
/// Returns the new client's id.
pub async fn create_client(
    ctx: &AwsContext,
    pool: &str,
    name: &str,
    scopes: &[String],
    secret: &Secret,
) -> Result<String, AwsError> {
    ctx.check_writable("CreateUserPoolClient")?;
    ctx.cognito_pacer.wait().await;
    let req = ctx
        .cognito
        .create_user_pool_client()
        .user_pool_id(pool)
        .client_name(name)
        .client_secret(secret.expose())
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::ClientCredentials)
        .set_allowed_o_auth_scopes(Some(scopes.to_vec()));
    // No blind retry: Cognito allows two clients of one name, so a retried create that had
    // worked would leave one nobody knows. A lost answer is checked by listing the names.
    let no_retry = aws_sdk_cognitoidentityprovider::config::Builder::default().retry_config(RetryConfig::disabled());
    let out =
        match req.customize().config_override(no_retry).send().await.map_err(|e| ctx.err("CreateUserPoolClient", e)) {
            Ok(out) => out,
            Err(e) if e.outcome_unknown() || e.kind == ErrorKind::Throttled => {
                let named: Vec<String> =
                    client_names(ctx, pool).await?.into_iter().filter(|(_, n)| n == name).map(|(id, _)| id).collect();
                return match (named.as_slice(), e.kind) {
                    ([id], _) if e.kind != ErrorKind::Throttled => Ok(id.clone()),
                    _ => Err(e),
                };
            }
            Err(e) => return Err(e),
        };
    let id = out.user_pool_client().and_then(|c| c.client_id()).unwrap_or_default().to_string();
    if id.is_empty() {
        return Err(AwsError::new(ErrorKind::Other, "CreateUserPoolClient", "the endpoint returned no client id"));
    }
    Ok(id)
}

/// Delete an app client; one already gone is done.
pub async fn delete_client(ctx: &AwsContext, pool: &str, client_id: &str) -> Result<(), AwsError> {
    ctx.check_writable("DeleteUserPoolClient")?;
    ctx.cognito_pacer.wait().await;
    let req = ctx.cognito.delete_user_pool_client().user_pool_id(pool).client_id(client_id);
    match req.customize().config_override(change_retries()).send().await.map_err(|e| ctx.err("DeleteUserPoolClient", e))
    {
        Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
        other => other.map(|_| ()),
    }
}

/// AddUserPoolClientSecret with a value chosen (and handed over) by the caller; the new
/// secret's id and creation date. `Ok(None)` when the endpoint has no two-secret model.
pub async fn add_secret(
    ctx: &AwsContext,
    pool: &str,
    client_id: &str,
    value: &Secret,
) -> Result<Option<ClientSecretInfo>, AwsError> {
    ctx.check_writable("AddUserPoolClientSecret")?;
    if ctx.quirks.no_client_secrets.load(Ordering::Relaxed) {
        return Ok(None);
    }
    ctx.cognito_pacer.wait().await;
    let req = ctx.cognito.add_user_pool_client_secret().user_pool_id(pool).client_id(client_id);
    let out = req.client_secret(value.expose()).customize().config_override(change_retries()).send().await;
    match out.map_err(|e| ctx.err("AddUserPoolClientSecret", e)) {
        Ok(o) => Ok(Some(ClientSecretInfo {
            id: o.client_secret_descriptor().and_then(|d| d.client_secret_id()).map(str::to_string),
            created_date: date(o.client_secret_descriptor().and_then(|d| d.client_secret_create_date())),
        })),
        Err(e) if e.kind == ErrorKind::NotImplemented => {
            ctx.quirks.no_client_secrets.store(true, Ordering::Relaxed);
            Ok(None)
        }
        Err(e) => Err(e.with_subject("app client", client_id)),
    }
}

/// DeleteUserPoolClientSecret; one already gone is done.
pub async fn delete_secret(ctx: &AwsContext, pool: &str, client_id: &str, secret_id: &str) -> Result<(), AwsError> {
    ctx.check_writable("DeleteUserPoolClientSecret")?;
    ctx.cognito_pacer.wait().await;
    let req = ctx.cognito.delete_user_pool_client_secret().user_pool_id(pool).client_id(client_id);
    let out = req.client_secret_id(secret_id).customize().config_override(change_retries()).send().await;
    match out.map_err(|e| ctx.err("DeleteUserPoolClientSecret", e)) {
        Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
        other => other.map(|_| ()),
    }
}
