//! Try it: call an operation of an API stage, authenticated the way the method demands
//! (auth.rs), at the stage's invoke URL (target.rs), signed again at every send (sigv4.rs),
//! with client-credentials tokens cached until shortly before they expire (token.rs).

pub mod auth;
pub mod history;
pub mod jq;
pub mod send;
pub mod sigv4;
pub mod target;
pub mod token;

use crate::aws::AwsContext;
use crate::domain::Api;
use auth::{AuthChoice, AuthEnv, Resolved};
use send::{CallRequest, CallResponse, Value};
use target::Operation;

/// What the caller asks for (before auth).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallSpec {
    pub method: String,
    /// The concrete path (`/orders/42`), parameters filled in.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

/// Why a call could not be made: what was asked is wrong (exit 2), or it failed (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Failed(String),
}

/// Whether the auth's secrets are read (to send), or left as placeholders (a curl command:
/// nothing is read or sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrets {
    Read,
    Placeholders,
}

/// The request for `spec` on `api`'s `stage`, with the auth the operation takes (or `choice`).
pub async fn prepare(
    env: &AuthEnv<'_>,
    api: &Api,
    stage: &str,
    spec: &CallSpec,
    choice: &AuthChoice,
    invoke_urls: &std::collections::BTreeMap<String, String>,
) -> Result<(CallRequest, Resolved, Operation), CallError> {
    prepare_with(env, api, stage, spec, choice, invoke_urls, Secrets::Read).await
}

/// [`prepare`], reading the secrets or leaving placeholders.
pub async fn prepare_with(
    env: &AuthEnv<'_>,
    api: &Api,
    stage: &str,
    spec: &CallSpec,
    choice: &AuthChoice,
    invoke_urls: &std::collections::BTreeMap<String, String>,
    secrets: Secrets,
) -> Result<(CallRequest, Resolved, Operation), CallError> {
    if let Some(p) = target::missing_parameter(&spec.path) {
        return Err(CallError::Usage(format!("the path still has the parameter {p}: put its value in the path")));
    }
    let op = target::find(api, &spec.method, &spec.path).ok_or_else(|| {
        CallError::Usage(format!(
            "{} {} matches no method or route of API {} ({})",
            spec.method, spec.path, api.name, api.id
        ))
    })?;
    let base = target::invoke_url(api, stage, invoke_urls);
    let mut url = reqwest::Url::parse(&format!(
        "{base}{}",
        if spec.path.starts_with('/') { spec.path.clone() } else { format!("/{}", spec.path) }
    ))
    .map_err(|e| CallError::Usage(format!("not a URL: {base}{}: {e}", spec.path)))?;
    if !spec.query.is_empty() {
        // Sent exactly as SigV4 signs it (for every auth mode, so the curl copied matches too).
        url.set_query(Some(&sigv4_query(&spec.query)));
    }
    let resolved = match secrets {
        Secrets::Read => auth::resolve(env, api, stage, &op, choice).await,
        Secrets::Placeholders => auth::placeholders(&op, choice),
    }
    .map_err(|e| match e {
        auth::AuthError::Usage(m) => CallError::Usage(m),
        auth::AuthError::Failed(m) => CallError::Failed(m),
    })?;
    let mut headers: Vec<(String, Value)> =
        spec.headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), Value::Plain(v.clone()))).collect();
    if spec.body.is_some() && !headers.iter().any(|(k, _)| k == "content-type") {
        headers.push(("content-type".into(), Value::Plain("application/json".into())));
    }
    headers.extend(resolved.headers.iter().cloned());
    let mut resolved = resolved;
    if resolved.sign
        && let Some(provider) = &env.ctx.credentials
    {
        use aws_credential_types::provider::ProvideCredentials;
        resolved.session_token = provider.provide_credentials().await.is_ok_and(|c| c.session_token().is_some());
    }
    let req = CallRequest {
        method: spec.method.to_ascii_uppercase(),
        url: url.to_string(),
        headers,
        body: spec.body.clone(),
    };
    Ok((req, resolved, op))
}

/// The characters SigV4 leaves as they are: RFC 3986's unreserved ones; everything else is
/// `%XX` of its UTF-8 bytes (a space is `%20`, never `+`).
const SIGV4_ENCODE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// `k=v&k=v` encoded the SigV4 way, in the order given (repeated keys and empty values kept):
/// a verifier that decodes the query strictly gets back the very values signed.
pub fn sigv4_query(pairs: &[(String, String)]) -> String {
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, SIGV4_ENCODE).to_string();
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// Send, signing first (SigV4, the API's region, now) when the auth says so.
pub async fn send(
    http: &reqwest::Client,
    ctx: &AwsContext,
    req: &CallRequest,
    resolved: &Resolved,
    region: &str,
) -> Result<CallResponse, String> {
    let mut req = req.clone();
    if resolved.sign {
        use aws_credential_types::provider::ProvideCredentials;
        let provider = ctx.credentials.as_ref().ok_or("no AWS credentials to sign with (SigV4)")?;
        let creds =
            provider.provide_credentials().await.map_err(|e| format!("no AWS credentials to sign with: {e}"))?;
        let plain: Vec<(String, String)> =
            req.headers.iter().map(|(k, v)| (k.clone(), v.expose().to_string())).collect();
        let body = req.body.clone().unwrap_or_default();
        let signed =
            sigv4::sign_headers(&req.method, &req.url, &plain, &body, &creds, region, std::time::SystemTime::now())?;
        req.headers.extend(signed.into_iter().map(|(k, v)| (k, Value::Secret(crate::domain::Secret::new(v)))));
    }
    send::send(http, &req).await
}

/// The call as a curl command. Secrets are placeholders (`$PORTCULLIS_API_KEY`,
/// `$PORTCULLIS_TOKEN`, and curl's own SigV4 with `$AWS_ACCESS_KEY_ID`...) unless `secrets`.
pub fn curl(req: &CallRequest, resolved: &Resolved, region: &str, secrets: bool) -> String {
    let q = crate::domain::plan::quote;
    let mut parts = vec!["curl".to_string(), "-sS".into(), "-X".into(), q(&req.method), q(&req.url)];
    for (k, v) in &req.headers {
        let header = match (k.as_str(), v, secrets) {
            // A header that can carry a secret is a placeholder, whoever set it (the auth or you).
            (_, _, true) => q(&format!("{k}: {}", v.expose())),
            ("x-api-key", _, false) => "\"x-api-key: $PORTCULLIS_API_KEY\"".into(),
            ("authorization", _, false) => "\"Authorization: Bearer $PORTCULLIS_TOKEN\"".into(),
            (_, Value::Plain(p), false) if !history::secret_header(k) => q(&format!("{k}: {p}")),
            (_, _, false) => {
                let var = k.to_ascii_uppercase().replace(|c: char| !c.is_ascii_alphanumeric(), "_");
                format!("\"{k}: $PORTCULLIS_{var}\"")
            }
        };
        parts.extend(["-H".into(), header]);
    }
    if resolved.sign {
        parts.extend([
            "--aws-sigv4".into(),
            q(&format!("aws:amz:{region}:execute-api")),
            "--user".into(),
            "\"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\"".into(),
        ]);
        if resolved.session_token {
            parts.extend(["-H".into(), "\"x-amz-security-token: $AWS_SESSION_TOKEN\"".into()]);
        }
    }
    if let Some(b) = &req.body {
        parts.extend(["--data-binary".into(), q(&String::from_utf8_lossy(b))]);
    }
    parts.join(" ")
}

/// The history entry of a call sent (`result`: its answer or why there was none).
pub fn history_entry(
    api: &Api,
    stage: &str,
    spec: &CallSpec,
    op: &Operation,
    choice: &AuthChoice,
    result: &Result<CallResponse, String>,
) -> history::Entry {
    history::Entry {
        at: crate::domain::rfc3339(time::OffsetDateTime::now_utc()),
        api_id: api.id.clone(),
        region: api.region.clone(),
        stage: stage.to_string(),
        method: spec.method.to_ascii_uppercase(),
        path: spec.path.clone(),
        operation: op.label.clone(),
        query: spec.query.clone(),
        headers: spec.headers.clone(),
        body: spec.body.as_ref().map(|b| String::from_utf8_lossy(b).into_owned()),
        body_cut: false,
        auth: choice.to_string(),
        status: result.as_ref().ok().map(|r| r.status),
        time_ms: result.as_ref().ok().map(|r| r.time_ms),
        error: result.as_ref().err().cloned(),
    }
}
