//! AWS Secrets Manager: the one secret a partner's credentials can be handed over to.

use super::{AwsContext, AwsError, ErrorKind};

/// Whether a secret of this name exists (any error but "not found" is said).
pub async fn exists(ctx: &AwsContext, name: &str) -> Result<bool, AwsError> {
    let found = ctx.secrets.describe_secret().secret_id(name).send().await;
    match found.map_err(|e| ctx.err("DescribeSecret", e)) {
        Ok(_) => Ok(true),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// CreateSecret with the text, tagged with its partner.
pub async fn create(
    ctx: &AwsContext,
    name: &str,
    kms_key: Option<&str>,
    text: String,
    partner: &str,
) -> Result<(), AwsError> {
    ctx.check_writable("CreateSecret")?;
    let tag = aws_sdk_secretsmanager::types::Tag::builder().key(crate::domain::TAG_PARTNER).value(partner).build();
    let req = ctx.secrets.create_secret().name(name).secret_string(text).tags(tag);
    req.set_kms_key_id(kms_key.map(str::to_string)).send().await.map_err(|e| ctx.err("CreateSecret", e))?;
    Ok(())
}

/// PutSecretValue: the secret's text replaced.
pub async fn put(ctx: &AwsContext, name: &str, text: String) -> Result<(), AwsError> {
    ctx.check_writable("PutSecretValue")?;
    let out = ctx.secrets.put_secret_value().secret_id(name).secret_string(text).send().await;
    out.map_err(|e| ctx.err("PutSecretValue", e)).map(|_| ())
}

/// The secret's text; `None` when there is no such secret.
pub async fn read(ctx: &AwsContext, name: &str) -> Result<Option<String>, AwsError> {
    let got = ctx.secrets.get_secret_value().secret_id(name).send().await;
    match got.map_err(|e| ctx.err("GetSecretValue", e)) {
        Ok(o) => Ok(Some(o.secret_string().unwrap_or_default().to_string())),
        Err(e) if e.kind == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}
