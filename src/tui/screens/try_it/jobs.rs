//! Try it's jobs: a call sent (signed when the method says so) and kept in the history, and a
//! jq filter over its body (off the async threads, stopped when cancelled). The history's load
//! is here too.

use crate::domain::Api;
use crate::tryit::history::{self, Entry};
use crate::tryit::{CallSpec, auth::AuthChoice};
use crate::tui::command::{Body, Slot};
use crate::tui::data::Called;
use crate::tui::jobs::{Deliver, Env, Job, To};
use std::path::PathBuf;
use std::sync::Arc;

/// Call an operation of an API stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub api: Box<Api>,
    pub stage: String,
    pub spec: Box<CallSpec>,
    pub auth: AuthChoice,
}

/// A call's answer, with how it was authenticated.
#[derive(Debug, Clone, PartialEq)]
pub struct CallDone(pub Result<Called, String>);

/// A jq filter over a call's body (a filter can take long).
#[derive(Debug, Clone, PartialEq)]
pub struct Jq {
    pub filter: String,
    pub body: Body,
}

/// The filter's outputs (each a JSON text), or its error.
#[derive(Debug, Clone, PartialEq)]
pub struct JqDone(pub Result<Vec<String>, String>);

impl Job for Call {
    type Output = CallDone;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Call)
    }

    async fn run(self, env: Env) -> CallDone {
        CallDone(call(&env, *self.api, self.stage, *self.spec, self.auth).await)
    }

    fn failed(&self, error: String) -> CallDone {
        CallDone(Err(error))
    }
}

impl Deliver for CallDone {
    fn deliver(self, request: u64, to: &mut To<'_>) {
        to.owner(|s: &super::TryScreen| s.call.waits_for(request), |s, _| s.take_call(request, self.0));
    }
}

/// Prepare, send (signed when the method says so), keep it in the history.
async fn call(env: &Env, api: Api, stage: String, spec: CallSpec, auth: AuthChoice) -> Result<Called, String> {
    use crate::tryit;
    let ctx = env.place(api.account.id.as_deref(), &api.region)?;
    let http = tryit::send::client_with(env.settings.call_timeout, env.settings.follow_redirects)?;
    let auth_env =
        tryit::auth::AuthEnv { ctx: &ctx, http: &http, tokens: &env.tokens, token_urls: &env.settings.token_urls };
    let (req, resolved, op) = tryit::prepare(&auth_env, &api, &stage, &spec, &auth, &env.settings.invoke_urls)
        .await
        .map_err(|e| e.to_string())?;
    let sent = tryit::send(&http, &ctx, &req, &resolved, &api.region).await;
    if let Some(state) = env.settings.state_dir.clone() {
        let entry = tryit::history_entry(&api, &stage, &spec, &op, &auth, &sent);
        let _ = tokio::task::spawn_blocking(move || tryit::history::append(&state, entry)).await;
    }
    let curl = tryit::curl(&req, &resolved, &api.region, false);
    let curl_with_secrets = crate::domain::Secret::new(tryit::curl(&req, &resolved, &api.region, true));
    let mut response = sent?;
    let body_size = response.body.len() as u64;
    let limit = env.settings.body_limit;
    let body_file = if response.body.len() > limit {
        let body = std::mem::take(&mut response.body);
        let (path, start) = tokio::task::spawn_blocking(move || big_body(body))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("the body ({body_size} bytes) is over the limit and could not be kept: {e}"))?;
        response.body = start;
        Some(path)
    } else {
        None
    };
    Ok(Called {
        response,
        said: resolved.said,
        operation: op.label,
        url: req.url,
        curl,
        curl_with_secrets,
        body_file,
        body_size,
    })
}

impl Job for Jq {
    type Output = JqDone;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Jq)
    }

    /// A cancelled (or replaced) filter stops at its next output: the blocking thread is not
    /// aborted with the task, the flag set when the task is dropped is seen.
    async fn run(self, _env: Env) -> JqDone {
        let (stop, _stop_on_drop) = crate::tui::jobs::stop_flag();
        let (filter, body) = (self.filter, self.body);
        let run = move || {
            let bytes = match body {
                Body::Bytes(b) => Ok(b),
                Body::File(p) => {
                    std::fs::read(&p).map(Arc::new).map_err(|e| format!("cannot read {}: {e}", p.display()))
                }
            }?;
            crate::tryit::jq::run_within(&filter, &bytes, JQ_OUTPUT_LIMIT, &stop)
        };
        JqDone(tokio::task::spawn_blocking(run).await.unwrap_or_else(|e| Err(e.to_string())))
    }

    fn failed(&self, error: String) -> JqDone {
        JqDone(Err(error))
    }
}

impl Deliver for JqDone {
    fn deliver(self, request: u64, to: &mut To<'_>) {
        to.owner(|s: &super::TryScreen| s.outputs.waits_for(request), |s, _| s.take_outputs(request, self.0));
    }
}

/// A jq filter's outputs stop with an error past this size (a filter without end cannot fill memory).
const JQ_OUTPUT_LIMIT: usize = 64 * 1024 * 1024;

/// How much of a body over the limit is kept in memory and shown.
pub const BODY_START: usize = 64 * 1024;

/// A body over the limit: written whole to a temporary file of the owner's only (kept after
/// the app ends, for the user to open), its start returned to show.
fn big_body(body: Vec<u8>) -> std::io::Result<(PathBuf, Vec<u8>)> {
    use std::io::Write;
    let mut file = tempfile::Builder::new().prefix("portcullis-body-").suffix(".bin").tempfile()?;
    file.write_all(&body)?;
    let (_, path) = file.keep().map_err(|e| e.error)?;
    Ok((path, body[..BODY_START.min(body.len())].to_vec()))
}

/// Read the history; with `delete`, remove that entry first.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadHistory {
    pub delete: Option<Box<Entry>>,
}

/// The history, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryLoaded(pub Result<Vec<Entry>, String>);

impl Job for LoadHistory {
    type Output = HistoryLoaded;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::History)
    }

    async fn run(self, env: Env) -> HistoryLoaded {
        let Some(state) = env.settings.state_dir.clone() else {
            return HistoryLoaded(Err("no state directory: no history is kept".into()));
        };
        let read = move || -> Result<Vec<Entry>, String> {
            if let Some(e) = self.delete {
                history::delete(&state, &e).map_err(|e| format!("cannot change the history: {e}"))?;
            }
            Ok(history::load(&state))
        };
        HistoryLoaded(tokio::task::spawn_blocking(read).await.unwrap_or_else(|e| Err(e.to_string())))
    }

    fn failed(&self, error: String) -> HistoryLoaded {
        HistoryLoaded(Err(error))
    }
}

impl Deliver for HistoryLoaded {
    fn deliver(self, request: u64, to: &mut To<'_>) {
        to.owner(|s: &super::history::HistoryScreen| s.history.waits_for(request), |s, _| s.take(request, self.0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_big_body_goes_whole_to_a_file_of_the_owner_and_its_start_is_kept() {
        let body: Vec<u8> = (0..20 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
        let (path, start) = big_body(body.clone()).unwrap();
        assert_eq!(start.as_slice(), &body[..BODY_START]);
        assert_eq!(std::fs::read(&path).unwrap(), body, "the file holds the whole body");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::remove_file(path).unwrap();
    }
}
