//! The steps that take a partner's credentials away (offboarding, reconcile's retirements):
//! each one AWS call, idempotent (what is gone already is done), with its journal step name.

use crate::aws::{AwsContext, AwsError, ErrorKind, cognito, keys};
use crate::domain::{Call, set_enabled_call};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cleanup {
    DisableKey { key: String },
    Detach { key: String, plan: String },
    DeleteKey { key: String },
    DeleteClient { pool: String, client: String },
    DeleteSecret { pool: String, client: String, secret: String },
}

impl Cleanup {
    pub fn call(&self) -> Call {
        let cognito = |command| Call::new("cognito-idp", command);
        match self {
            Cleanup::DisableKey { key } => set_enabled_call(key, false),
            Cleanup::Detach { key, plan } => {
                Call::new("apigateway", "delete-usage-plan-key").arg("--usage-plan-id", plan).arg("--key-id", key)
            }
            Cleanup::DeleteKey { key } => Call::new("apigateway", "delete-api-key").arg("--api-key", key),
            Cleanup::DeleteClient { pool, client } => {
                cognito("delete-user-pool-client").arg("--user-pool-id", pool).arg("--client-id", client)
            }
            Cleanup::DeleteSecret { pool, client, secret } => cognito("delete-user-pool-client-secret")
                .arg("--user-pool-id", pool)
                .arg("--client-id", client)
                .arg("--client-secret-id", secret),
        }
    }

    /// Its name in the journal.
    pub fn step(&self) -> String {
        match self {
            Cleanup::DisableKey { key } => format!("disable:{key}"),
            Cleanup::Detach { key, plan } => format!("detach:{key}:{plan}"),
            Cleanup::DeleteKey { key } => format!("delete-key:{key}"),
            Cleanup::DeleteClient { client, .. } => format!("delete-client:{client}"),
            Cleanup::DeleteSecret { client, secret, .. } => format!("delete-secret:{client}:{secret}"),
        }
    }

    /// What was done, one line.
    pub fn done(&self) -> Option<String> {
        match self {
            Cleanup::DisableKey { key } => Some(format!("disabled API key {key}")),
            Cleanup::Detach { .. } => None,
            Cleanup::DeleteKey { key } => Some(format!("deleted API key {key}")),
            Cleanup::DeleteClient { client, .. } => Some(format!("deleted app client {client}")),
            Cleanup::DeleteSecret { secret, .. } => Some(format!("deleted client secret {secret}")),
        }
    }

    pub async fn run(&self, ctx: &AwsContext) -> Result<(), AwsError> {
        match self {
            Cleanup::DisableKey { key } => match keys::set_enabled(ctx, key, false).await {
                Err(e) if e.kind != ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
            Cleanup::Detach { key, plan } => keys::remove_from_plan(ctx, key, plan).await,
            Cleanup::DeleteKey { key } => keys::delete_if_there(ctx, key).await,
            Cleanup::DeleteClient { pool, client } => cognito::delete_client(ctx, pool, client).await,
            Cleanup::DeleteSecret { pool, client, secret } => cognito::delete_secret(ctx, pool, client, secret).await,
        }
    }
}
