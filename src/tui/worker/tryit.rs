//! Try it: a call sent (signed when the method says so) and kept in the history, a jq filter
//! over its body (off the async threads, stopped when cancelled), the history read or changed.

use super::Worker;
use crate::domain::Api;
use crate::tui::message::Message;
use std::path::PathBuf;
use std::sync::Arc;

impl Worker {
    /// A cancelled (or replaced) filter stops at its next output: the blocking thread is not
    /// aborted with the task, the flag set when the task is dropped is seen.
    pub(super) async fn jq(&self, request: u64, filter: String, body: crate::tui::command::Body) -> Message {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let _stop_on_drop = StopOnDrop(stop.clone());
        let run = move || {
            let bytes = match body {
                crate::tui::command::Body::Bytes(b) => Ok(b),
                crate::tui::command::Body::File(p) => {
                    std::fs::read(&p).map(Arc::new).map_err(|e| format!("cannot read {}: {e}", p.display()))
                }
            }?;
            crate::tryit::jq::run_within(&filter, &bytes, JQ_OUTPUT_LIMIT, &stop)
        };
        let result = tokio::task::spawn_blocking(run).await.unwrap_or_else(|e| Err(e.to_string()));
        Message::JqDone { request, result }
    }

    /// Try it: prepare, send (signed when the method says so), keep it in the history.
    pub(super) async fn call(
        &self,
        api: Api,
        stage: String,
        spec: crate::tryit::CallSpec,
        auth: crate::tryit::auth::AuthChoice,
    ) -> Result<crate::tui::message::Called, String> {
        use crate::tryit;
        let ctx = self.region(self.contexts().await?, &api.region)?;
        let http = tryit::send::client_with(self.settings.call_timeout, self.settings.follow_redirects)?;
        let env = tryit::auth::AuthEnv {
            ctx: &ctx,
            http: &http,
            tokens: &self.tokens,
            token_urls: &self.settings.token_urls,
        };
        let (req, resolved, op) = tryit::prepare(&env, &api, &stage, &spec, &auth, &self.settings.invoke_urls)
            .await
            .map_err(|e| e.to_string())?;
        let sent = tryit::send(&http, &ctx, &req, &resolved, &api.region).await;
        if let Some(state) = self.settings.state_dir.clone() {
            let entry = tryit::history_entry(&api, &stage, &spec, &op, &auth, &sent);
            let _ = tokio::task::spawn_blocking(move || tryit::history::append(&state, entry)).await;
        }
        let curl = tryit::curl(&req, &resolved, &api.region, false);
        let curl_with_secrets = crate::domain::Secret::new(tryit::curl(&req, &resolved, &api.region, true));
        let mut response = sent?;
        let body_size = response.body.len() as u64;
        let limit = self.settings.body_limit;
        let body_file = if response.body.len() > limit {
            let body = std::mem::take(&mut response.body);
            let (path, start) =
                tokio::task::spawn_blocking(move || big_body(body)).await.map_err(|e| e.to_string())?.map_err(|e| {
                    format!("the body ({body_size} bytes) is over the limit and could not be kept: {e}")
                })?;
            response.body = start;
            Some(path)
        } else {
            None
        };
        Ok(crate::tui::message::Called {
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

    /// The history (after deleting `entry`, if given).
    pub(super) async fn history(&self, request: u64, entry: Option<crate::tryit::history::Entry>) -> Message {
        use crate::tryit::history;
        let Some(state) = self.settings.state_dir.clone() else {
            return Message::HistoryLoaded { request, result: Err("no state directory: no history is kept".into()) };
        };
        let read = move || -> Result<Vec<history::Entry>, String> {
            if let Some(e) = entry {
                history::delete(&state, &e).map_err(|e| format!("cannot change the history: {e}"))?;
            }
            Ok(history::load(&state))
        };
        let result = tokio::task::spawn_blocking(read).await.unwrap_or_else(|e| Err(e.to_string()));
        Message::HistoryLoaded { request, result }
    }
}

/// A jq filter's outputs stop with an error past this size (a filter without end cannot fill memory).
const JQ_OUTPUT_LIMIT: usize = 64 * 1024 * 1024;

/// Sets its flag when dropped (a cancelled task drops it).
struct StopOnDrop(Arc<std::sync::atomic::AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

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
