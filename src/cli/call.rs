//! `portcullis call API [--stage S] METHOD PATH ...`: try an operation from the shell,
//! authenticated the way the method demands.

use super::write_stdout;
use crate::aws::{self, catalog};
use crate::config::Settings;
use crate::domain::Api;
use crate::tryit::auth::{AuthChoice, AuthEnv};
use crate::tryit::token::TokenCache;
use crate::tryit::{self, CallError, CallSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum CallOutput {
    /// `{status, headers, timeMs, body}` (`bodyBase64` for a binary body).
    Json,
    /// The body alone.
    #[default]
    Body,
    /// The status line and the headers.
    Headers,
}

/// call's exit codes (its `--help` says them).
pub const EXIT_CODES: &str = "Exit codes:
  0  an answer came back (whatever its status, unless --check-status)
  1  no answer: the connection failed or timed out
  2  usage: an unknown API, stage or path, a body that is not JSON, an auth the method cannot take
  3  with --check-status: a 3xx answer (4 a 4xx, 5 a 5xx)";

#[derive(Debug, clap::Args)]
pub struct CallArgs {
    /// The API: its id, or a unique name.
    pub api: String,
    /// The HTTP method (GET, POST, ...).
    pub method: String,
    /// The path, parameters filled in (`/orders/42`).
    pub path: String,
    /// The stage (default: the API's only stage, or `$default`).
    #[arg(long)]
    pub stage: Option<String>,
    /// A query parameter `k=v` (repeatable).
    #[arg(long = "query", value_parser = parse_query)]
    pub query: Vec<(String, String)>,
    /// A header `'k: v'` (repeatable).
    #[arg(long = "header", value_parser = parse_header)]
    pub headers: Vec<(String, String)>,
    /// The body: JSON, or `@FILE`.
    #[arg(long)]
    pub data: Option<String>,
    /// auto (what the method demands), none, key:KEY_ID, partner:ID, iam or bearer:ENV_VAR.
    #[arg(long, default_value = "auto")]
    pub auth: AuthChoice,
    /// A jq filter on the (JSON) body; each output is printed as JSON.
    #[arg(long)]
    pub jq: Option<String>,
    /// Seconds to wait for the whole call (default: call_timeout_secs, 30).
    #[arg(long)]
    pub timeout: Option<u64>,
    /// What to print: the body (default), the status and headers too, or JSON.
    #[arg(long, short, value_enum, default_value_t)]
    pub output: CallOutput,
    /// Print the curl command (secrets as environment variables) and send nothing.
    #[arg(long)]
    pub curl: bool,
    /// Exit 3, 4 or 5 for a 3xx, 4xx or 5xx answer.
    #[arg(long)]
    pub check_status: bool,
    /// Follow redirects (up to 10) to the same origin only: the request carries its credentials.
    #[arg(long)]
    pub follow: bool,
}

fn parse_query(s: &str) -> Result<(String, String), String> {
    s.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())).ok_or_else(|| format!("`{s}` is not k=v"))
}

fn parse_header(s: &str) -> Result<(String, String), String> {
    s.split_once(':')
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .ok_or_else(|| format!("`{s}` is not 'name: value'"))
}

pub use super::Exit;

fn usage(message: impl Into<String>) -> anyhow::Error {
    Exit { code: 2, message: message.into() }.into()
}

/// The body: JSON checked (the error at its line and column), or a file's bytes as they are.
fn body(data: &Option<String>) -> anyhow::Result<Option<Vec<u8>>> {
    let Some(d) = data else { return Ok(None) };
    let (bytes, what) = match d.strip_prefix('@') {
        Some(path) => {
            (std::fs::read(path).map_err(|e| usage(format!("--data @{path}: {e}")))?, format!("--data @{path}"))
        }
        None => (d.clone().into_bytes(), "--data".to_string()),
    };
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(&bytes) {
        return Err(usage(format!("{what} is not valid JSON: {e} (line {}, column {})", e.line(), e.column())));
    }
    Ok(Some(bytes))
}

async fn find_api(contexts: &[aws::AwsContext], wanted: &str) -> anyhow::Result<(usize, Api)> {
    let listed = catalog::list_all(contexts, catalog::Depth::Summary).await?;
    let hits: Vec<&Api> = listed.apis.iter().filter(|a| a.id == wanted || a.name == wanted).collect();
    let api = match hits.as_slice() {
        [one] => (*one).clone(),
        [] => return Err(usage(format!("no API with the id or name {wanted}"))),
        many => {
            // Where each one is, and the flags that pick it.
            let ids: Vec<String> = many
                .iter()
                .map(|a| match &a.account.id {
                    Some(acct) => format!("{} ({}, account {acct})", a.id, a.region),
                    None => format!("{} ({})", a.id, a.region),
                })
                .collect();
            return Err(usage(format!(
                "several APIs are named {wanted}: {}; pass the id (and --accounts ID --region REGION)",
                ids.join(", ")
            )));
        }
    };
    let index = contexts.iter().position(|c| c.is_at(api.account.id.as_deref(), &api.region)).unwrap_or(0);
    let detailed = catalog::reread(&contexts[index], api, catalog::Depth::Detail).await?;
    let api = detailed.ok_or_else(|| usage(format!("API {wanted} was deleted meanwhile")))?;
    if let Some(e) = &api.error {
        anyhow::bail!("API {} could not be read completely: {e}", api.id);
    }
    Ok((index, api))
}

fn stage_of(api: &Api, wanted: &Option<String>) -> anyhow::Result<String> {
    let names: Vec<&str> = api.stages.iter().map(|s| s.name.as_str()).collect();
    match (wanted, names.as_slice()) {
        (Some(s), _) if names.contains(&s.as_str()) => Ok(s.clone()),
        (Some(s), _) => Err(usage(format!("API {} has no stage {s} (it has: {})", api.id, names.join(", ")))),
        (None, [one]) => Ok(one.to_string()),
        (None, _) if names.contains(&"$default") => Ok("$default".into()),
        (None, []) => Err(usage(format!("API {} has no deployed stage", api.id))),
        (None, _) => {
            Err(usage(format!("API {} has several stages ({}): name one with --stage", api.id, names.join(", "))))
        }
    }
}

/// A `curl` command needs no secret: nothing is read, nothing is sent.
fn curl_secrets(curl: bool) -> tryit::Secrets {
    if curl { tryit::Secrets::Placeholders } else { tryit::Secrets::Read }
}

pub async fn run(args: CallArgs, settings: &Settings) -> anyhow::Result<()> {
    let data = body(&args.data)?;
    if let Some(f) = &args.jq {
        tryit::jq::check(f).map_err(usage)?;
    }
    let contexts = aws::connect(settings).await?;
    let (index, api) = find_api(&contexts, &args.api).await?;
    let ctx = &contexts[index];
    let stage = stage_of(&api, &args.stage)?;
    let timeout = args.timeout.map_or(settings.call_timeout, std::time::Duration::from_secs);
    let follow = args.follow || settings.follow_redirects;
    let http = tryit::send::client_with(timeout, follow).map_err(|e| anyhow::anyhow!(e))?;
    let tokens = TokenCache::default();
    let env = AuthEnv { ctx, http: &http, tokens: &tokens, token_urls: &settings.token_urls };
    let spec = CallSpec {
        method: args.method.clone(),
        path: args.path.clone(),
        query: args.query,
        headers: args.headers,
        body: data,
    };
    let (req, resolved, op) =
        tryit::prepare_with(&env, &api, &stage, &spec, &args.auth, &settings.invoke_urls, curl_secrets(args.curl))
            .await
            .map_err(|e| match e {
                CallError::Usage(m) => usage(m),
                CallError::Failed(m) => anyhow::anyhow!(m),
            })?;
    if args.curl {
        return Ok(write_stdout(&format!("{}\n", tryit::curl(&req, &resolved, &api.region, false)))?);
    }
    for s in &resolved.said {
        tracing::info!(operation = %op.label, auth = %s, "calling");
    }
    let sent = tryit::send(&http, ctx, &req, &resolved, &api.region).await;
    if let Some(state) = &settings.state_dir {
        let entry = tryit::history_entry(&api, &stage, &spec, &op, &args.auth, &sent);
        if let Err(e) = tryit::history::append(state, entry) {
            tracing::warn!(error = %e, "could not add the call to the history");
        }
    }
    let mut resp = sent.map_err(|e| anyhow::anyhow!(e))?;
    let mut jq_failed = false;
    if let Some(f) = &args.jq {
        // The body becomes the filter's outputs (one JSON value per line in `body` output); a
        // body the filter cannot take is shown as it came, with jq's error on stderr.
        match tryit::jq::run(f, &resp.body) {
            Ok(outputs) => {
                resp.body = match (args.output, outputs.as_slice()) {
                    (CallOutput::Json, [one]) => one.clone().into_bytes(),
                    (CallOutput::Json, many) => format!("[{}]", many.join(",")).into_bytes(),
                    _ => outputs.join("\n").into_bytes(),
                };
            }
            Err(e) => {
                eprintln!("{e}; the body is shown as it came");
                jq_failed = true;
            }
        }
    }
    let text = match args.output {
        CallOutput::Json => {
            let body = match serde_json::from_slice::<serde_json::Value>(&resp.body) {
                Ok(v) => ("body", v),
                Err(_) => match std::str::from_utf8(&resp.body) {
                    Ok(s) => ("body", serde_json::Value::String(s.to_string())),
                    Err(_) => {
                        use base64::Engine;
                        ("bodyBase64", base64::engine::general_purpose::STANDARD.encode(&resp.body).into())
                    }
                },
            };
            let headers: serde_json::Map<String, serde_json::Value> =
                resp.headers.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect();
            let mut out = serde_json::json!({
                "status": resp.status, "headers": headers, "timeMs": resp.time_ms,
                "apiId": api.id, "region": api.region, "account": api.account.id, "accountName": api.account.name,
            });
            out[body.0] = body.1;
            serde_json::to_string_pretty(&out)? + "\n"
        }
        CallOutput::Body => {
            // The bytes as they came (a binary body stays whole); text ends with a newline.
            let mut out = std::io::stdout().lock();
            let tail: &[u8] = if std::str::from_utf8(&resp.body).is_ok_and(|t| !t.is_empty() && !t.ends_with('\n')) {
                b"\n"
            } else {
                b""
            };
            use std::io::Write;
            match out.write_all(&resp.body).and_then(|()| out.write_all(tail)).and_then(|()| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
                _ => {}
            }
            String::new()
        }
        CallOutput::Headers => {
            let mut t = format!("HTTP {}\n", resp.status);
            for (k, v) in &resp.headers {
                t.push_str(&format!("{k}: {v}\n"));
            }
            t
        }
    };
    write_stdout(&text)?;
    match resp.status / 100 {
        _ if jq_failed && !args.check_status => anyhow::bail!("the jq filter failed on the body"),
        3..=5 if args.check_status => Err(Exit {
            code: i32::from(resp.status / 100),
            message: format!("HTTP {}{}", resp.status, gateway_error(&resp)),
        }
        .into()),
        _ => Ok(()),
    }
}

/// API Gateway's own error type and message, said plainly.
fn gateway_error(resp: &tryit::send::CallResponse) -> String {
    let kind = resp.header("x-amzn-ErrorType").map(|t| t.split(':').next().unwrap_or(t).to_string());
    let message = serde_json::from_slice::<serde_json::Value>(&resp.body)
        .ok()
        .and_then(|v| v.get("message").or_else(|| v.get("Message")).and_then(|m| m.as_str()).map(str::to_string));
    match (kind, message) {
        (Some(k), Some(m)) => format!(" {k}: {m}"),
        (Some(k), None) => format!(" {k}"),
        (None, Some(m)) => format!(": {m}"),
        (None, None) => String::new(),
    }
}
