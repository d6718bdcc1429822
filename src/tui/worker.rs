//! Executes commands off the input/render loop: each in its own task, each result sent back
//! as a Message. Loads run one per slot, latest wins: the same load asked for again while one
//! runs waits behind it (only the newest waits: the ones it replaced never run), a different
//! load in the slot cancels the one running, and `Cancel` stops a slot. A panic in a task
//! becomes the command's failed result, so no spinner spins forever.

use super::command::{Command, Slot};
use super::message::{Cached, Message};
use super::screens::catalog::cache::{self, CachedItem, Item, KeptDetail};
use super::store::{ApiRef, DetailData};
use crate::aws::{self, AwsContext, audit, catalog};
use crate::config::Settings;
use crate::domain::{Api, ApiKind, AuditQuery, Cursor, Feed, Mutation, resource_tree};
use crate::openapi::DocLine;
use futures::FutureExt;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use tokio::sync::{OnceCell, mpsc};
use tokio::task::AbortHandle;

#[derive(Clone)]
pub struct Worker {
    settings: Arc<Settings>,
    contexts: Arc<OnceCell<Result<Vec<AwsContext>, String>>>,
    tx: mpsc::UnboundedSender<Message>,
    slots: Arc<Mutex<HashMap<Slot, Running>>>,
    /// Client-credentials tokens, kept across calls until shortly before they expire.
    tokens: Arc<crate::tryit::token::TokenCache>,
}

/// The load running in a slot, and the one waiting behind it.
struct Running {
    /// The command without its request id (what it loads).
    what: Command,
    task: u64,
    abort: AbortHandle,
    next: Option<Command>,
}

static TASKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Worker {
    pub fn new(settings: Settings, tx: mpsc::UnboundedSender<Message>) -> Worker {
        Worker {
            settings: Arc::new(settings),
            contexts: Arc::new(OnceCell::new()),
            tx,
            slots: Arc::new(Mutex::new(HashMap::new())),
            tokens: Arc::default(),
        }
    }

    /// Start a command, never awaiting here.
    pub fn execute(&self, command: Command) {
        let slot = match &command {
            Command::Cancel(slot) => return self.cancel(slot),
            c => c.slot(),
        };
        let Some(slot) = slot else {
            self.task(command, None);
            return;
        };
        let mut slots = self.lock();
        match slots.get_mut(&slot) {
            Some(running) if running.what == command.what() => running.next = Some(command),
            Some(_) | None => self.spawn_in(&mut slots, command, slot),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Slot, Running>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn cancel(&self, slot: &Slot) {
        if let Some(running) = self.lock().remove(slot) {
            running.abort.abort();
        }
    }

    /// Start `command` in `slot`, the slot's lock held (so no other command can slip in between):
    /// whatever ran there is stopped.
    fn spawn_in(&self, slots: &mut HashMap<Slot, Running>, command: Command, slot: Slot) {
        let what = command.what();
        let (task, abort) = self.task(command, Some(slot.clone()));
        if let Some(old) = slots.insert(slot, Running { what, task, abort, next: None }) {
            old.abort.abort();
        }
    }

    /// Run `command` in its own task; in a slot, the one waiting there follows it. The task
    /// reports back through `finished`, which waits for the slot's lock (held by the caller
    /// until the task is registered).
    fn task(&self, command: Command, slot: Option<Slot>) -> (u64, AbortHandle) {
        let w = self.clone();
        let task = TASKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let handle = tokio::spawn(async move {
            if let Some(result) = guarded(&command, w.run(command.clone())).await {
                let _ = w.tx.send(result);
            }
            if let Some(slot) = slot {
                w.finished(slot, task);
            }
        });
        (task, handle.abort_handle())
    }

    /// A slot's task is done: the load waiting behind it, if any, starts (under the same lock).
    fn finished(&self, slot: Slot, task: u64) {
        let mut slots = self.lock();
        let next = match slots.get_mut(&slot) {
            Some(running) if running.task == task => running.next.take(),
            Some(_) | None => return,
        };
        slots.remove(&slot);
        if let Some(next) = next {
            self.spawn_in(&mut slots, next, slot);
        }
    }

    async fn contexts(&self) -> Result<&Vec<AwsContext>, String> {
        let r =
            self.contexts.get_or_init(|| async { aws::connect(&self.settings).await.map_err(|e| e.to_string()) }).await;
        r.as_ref().map_err(Clone::clone)
    }

    /// Every command, matched exhaustively.
    async fn run(&self, command: Command) -> Option<Message> {
        match command {
            Command::LoadApis { request } => Some(self.load_apis(request).await),
            Command::LoadApiDetail { request, api } => Some(self.load_detail(request, *api).await),
            Command::LoadDocs { request, api, stage } => Some(self.load_docs(request, *api, stage).await),
            Command::RereadApi { request, api } => {
                let api_ref = ApiRef::of(&api);
                let result = async {
                    let ctx = self.context_for(self.contexts().await?, &api)?;
                    catalog::reread(&ctx, *api, catalog::Depth::Summary).await.map_err(|e| e.to_string())
                }
                .await;
                Some(Message::ApiReread { request, api: api_ref, result })
            }
            Command::LoadPlans { request } => Some(self.load_plans(request).await),
            Command::LoadKeys { request } => Some(self.load_keys(request).await),
            Command::LoadUsage { request, plan, region } => Some(self.load_usage(request, plan, region).await),
            Command::Mutate { request, mutation, region } => Some(self.mutate(request, mutation, region).await),
            Command::OpenAudit { request, query, source } => Some(self.open_audit(request, *query, source).await),
            Command::LoadAuditPage { request, cursors } => Some(self.audit_page(request, cursors).await),
            Command::SaveAuditCache { feed, changed } => {
                if let Some(root) = self.settings.cache_dir.clone() {
                    let _ = tokio::task::spawn_blocking(move || audit::save_cursors(&root, &feed, &changed)).await;
                }
                None
            }
            Command::SaveCatalog { apis } => {
                if let Some(path) = cache::path(&self.settings) {
                    let now = time::OffsetDateTime::now_utc();
                    let save = move || cache::save(&path, &apis, now).map(|()| cache::prune(&path, &apis));
                    if let Ok(Err(e)) = tokio::task::spawn_blocking(save).await {
                        tracing::warn!(error = %e, "could not keep the catalog for the next start");
                    }
                }
                None
            }
            Command::LoadTrails { request } => {
                let result = match self.contexts().await {
                    Ok(c) => audit::describe_trails(c).await.map_err(|e| e.to_string()),
                    Err(e) => Err(e),
                };
                Some(Message::TrailsLoaded { request, result })
            }
            Command::LoadPartners { request } => {
                let result = match self.contexts().await {
                    Ok(c) => crate::partners::run::load_view(c, &self.settings).await,
                    Err(e) => Err(e),
                };
                Some(Message::PartnersLoaded { request, result })
            }
            Command::PartnerChange { request, op } => {
                let result = match self.contexts().await {
                    Ok(c) => crate::partners::run::run(c, &self.settings, &op).await,
                    Err(e) => Err(e),
                };
                Some(Message::PartnerChanged { request, description: op.describe(), result })
            }
            Command::Call { request, api, stage, spec, auth } => {
                let result = self.call(*api, stage, *spec, auth).await;
                Some(Message::Called { request, result })
            }
            Command::Jq { request, filter, body } => {
                // A cancelled (or replaced) filter stops at its next output: the blocking thread
                // is not aborted with the task, the flag set when the task is dropped is seen.
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
                Some(Message::JqDone { request, result })
            }
            Command::LoadHistory { request } => Some(self.history(request, None).await),
            Command::LoadFindings { request } => {
                let result = self.findings().await;
                Some(Message::FindingsLoaded { request, result })
            }
            Command::DeleteHistory { request, entry } => Some(self.history(request, Some(*entry)).await),
            Command::ReadClientSecret { request: _, region, client_id, then } => {
                let result = async {
                    let ctx = self.region(self.contexts().await?, &region)?;
                    let pool = self.settings.partner_pool.as_deref().ok_or("no partner user pool")?;
                    let (_, secret) =
                        aws::cognito::describe(&ctx, pool, &client_id).await.map_err(|e| e.to_string())?;
                    secret.ok_or_else(|| format!("app client {client_id} has no secret"))
                }
                .await;
                Some(Message::ClientSecretRead { client_id, then, result })
            }
            Command::After { millis, message } => {
                tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
                Some(*message)
            }
            // Done by the loop (it owns the terminal) and by `execute`; nothing to run here.
            Command::Clipboard(_) | Command::Cancel(_) => None,
        }
    }

    async fn load_apis(&self, request: u64) -> Message {
        let result = match self.contexts().await {
            Ok(c) => catalog::list_all(c, catalog::Depth::Summary).await.map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        let result = result.map(|catalog| {
            if !catalog.region_errors.is_empty() {
                let _ = self.tx.send(Message::Warning(region_warning(&catalog.region_errors)));
            }
            let incomplete: Vec<&Api> = catalog.apis.iter().filter(|a| a.error.is_some()).collect();
            if let Some(first) = incomplete.first() {
                let n = incomplete.len();
                let why = first.error.as_deref().unwrap_or_default();
                let text = format!("{n} API(s) could not be read completely (marked !; the detail says what): {why}");
                let _ = self.tx.send(Message::Warning(text));
            }
            catalog.apis
        });
        Message::ApisLoaded { request, result, at: now_hms() }
    }

    fn context_for(&self, contexts: &[AwsContext], api: &Api) -> Result<AwsContext, String> {
        contexts
            .iter()
            .find(|c| c.region == api.region)
            .cloned()
            .ok_or_else(|| format!("no client for region {}", api.region))
    }

    async fn load_detail(&self, request: u64, api: Api) -> Message {
        let api_ref = ApiRef { region: api.region.clone(), id: api.id.clone() };
        let kept = self.kept_path(&api_ref, Item::Detail);
        if let Some(c) = load_kept::<KeptDetail>(kept.clone()).await {
            let (data, authorizers) = (c.data.detail, c.data.authorizers);
            let cached = Cached::Detail { request, api: api_ref.clone(), data, authorizers, saved_at: c.saved_at };
            let _ = self.tx.send(Message::Cached(cached));
        }
        let result = async {
            let ctx = self.context_for(self.contexts().await?, &api)?;
            // The catalog does not read authorizers: the detail does, when a method or route names one.
            let wanted = api.authorizers.is_empty();
            let mut authorizers = api.authorizers.clone();
            let detail = match api.kind {
                ApiKind::Rest => {
                    let (methods, paths) = catalog::rest_methods(&ctx, &api.id).await.map_err(|e| e.to_string())?;
                    if wanted && methods.iter().any(|m| m.authorizer_id.is_some()) {
                        let found = catalog::rest_authorizers(&ctx, &api.id).await.map_err(|e| e.to_string());
                        authorizers = found.clone().unwrap_or_default();
                        let _ = self.tx.send(Message::AuthorizersLoaded { api: api_ref.clone(), result: found });
                    }
                    DetailData::Rest(resource_tree(&methods, &paths))
                }
                ApiKind::Http => {
                    let routes = catalog::http_routes(&ctx, &api.id).await.map_err(|e| e.to_string())?;
                    if wanted && routes.iter().any(|r| r.authorizer_id.is_some()) {
                        let found = catalog::referenced_http_authorizers(&ctx, &api.id, &routes).await;
                        let result = found.map_err(|e| e.to_string());
                        authorizers = result.clone().unwrap_or_default();
                        let _ = self.tx.send(Message::AuthorizersLoaded { api: api_ref.clone(), result });
                    }
                    DetailData::Http(routes)
                }
            };
            keep(kept, KeptDetail { detail: detail.clone(), authorizers }).await;
            Ok(detail)
        }
        .await;
        Message::ApiDetailLoaded { request, api: api_ref, result }
    }

    async fn load_docs(&self, request: u64, api: Api, stage: String) -> Message {
        let api_ref = ApiRef { region: api.region.clone(), id: api.id.clone() };
        let kept = self.kept_path(&api_ref, Item::Docs(&stage));
        if let Some(c) = load_kept::<Vec<DocLine>>(kept.clone()).await {
            let (api, stage) = (api_ref.clone(), stage.clone());
            let _ = self.tx.send(Message::Cached(Cached::Docs {
                request,
                api,
                stage,
                lines: c.data,
                saved_at: c.saved_at,
            }));
        }
        let result = async {
            let ctx = self.context_for(self.contexts().await?, &api)?;
            let text = catalog::export_definition(&ctx, &api, &stage).await.map_err(|e| e.to_string())?;
            let doc = crate::openapi::parse(&text).map_err(|e| e.to_string())?;
            let lines = crate::openapi::render_lines(&doc);
            keep(kept, lines.clone()).await;
            Ok(lines)
        }
        .await;
        Message::DocsLoaded { request, api: api_ref, stage, result }
    }

    /// Try it: prepare, send (signed when the method says so), keep it in the history.
    async fn call(
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

    /// Every rule over the estate, read whole once (the loaders `portcullis lint` uses), with
    /// the waivers of `portcullis-waivers.toml` in the current directory when there is one.
    async fn findings(&self) -> Result<crate::tui::message::FindingsView, String> {
        use crate::governance::{Selection, load, waivers};
        let contexts = self.contexts().await?;
        let read = load::read(contexts, &self.settings).await.map_err(|e| e.to_string())?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut warnings = vec![];
        let waivers = tokio::task::spawn_blocking(move || waivers::load(None, now))
            .await
            .map_err(|e| e.to_string())?
            .unwrap_or_else(|e| {
                warnings.push(e);
                vec![]
            });
        let (report, more) = load::lint(&read, &self.settings, &Selection::default(), &waivers, now);
        warnings.extend(more);
        let evaluated = read.apis.iter().map(|a| (a.region.clone(), a.id.clone())).collect();
        Ok(crate::tui::message::FindingsView { report, problems: read.problems, warnings, evaluated })
    }

    /// The history (after deleting `entry`, if given).
    async fn history(&self, request: u64, entry: Option<crate::tryit::history::Entry>) -> Message {
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

    /// Where the warm cache keeps `item` of `api`; `None` with `--no-cache`.
    fn kept_path(&self, api: &ApiRef, item: Item) -> Option<PathBuf> {
        cache::path(&self.settings).map(|catalog| cache::item_path(&catalog, api, item))
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

/// A kept detail or docs page, read off the async threads (`None`: none, or unreadable).
async fn load_kept<T: serde::de::DeserializeOwned + Send + 'static>(path: Option<PathBuf>) -> Option<CachedItem<T>> {
    let path = path?;
    tokio::task::spawn_blocking(move || cache::load_item(&path)).await.ok().flatten()
}

/// Keep a fresh detail or docs page for the next time it opens (a failure is only logged).
async fn keep<T: serde::Serialize + Send + 'static>(path: Option<PathBuf>, data: T) {
    let Some(path) = path else { return };
    let save = move || cache::save_item(&path, &data, time::OffsetDateTime::now_utc());
    if let Ok(Err(e)) = tokio::task::spawn_blocking(save).await {
        tracing::warn!(error = %e, "could not keep a detail for the next start");
    }
}

impl Worker {
    fn region(&self, contexts: &[AwsContext], region: &str) -> Result<AwsContext, String> {
        contexts.iter().find(|c| c.region == region).cloned().ok_or_else(|| format!("no client for region {region}"))
    }

    /// Run `load` in every region at once; a region that fails becomes a warning, and only
    /// when every region fails is it an error (as for the catalog).
    async fn per_region<T>(
        &self,
        load: impl for<'a> Fn(&'a AwsContext) -> RegionLoad<'a, T>,
    ) -> Result<Vec<T>, String> {
        let contexts = self.contexts().await?;
        let results = futures::future::join_all(contexts.iter().map(&load)).await;
        let (mut all, mut errors) = (Vec::new(), Vec::new());
        for (ctx, r) in contexts.iter().zip(results) {
            match r {
                Ok(items) => all.extend(items),
                Err(e) => errors.push((ctx.region.clone(), e)),
            }
        }
        match errors.first() {
            Some((_, e)) if errors.len() == contexts.len() => Err(e.to_string()),
            Some(_) => {
                let _ = self.tx.send(Message::Warning(region_warning(&errors)));
                Ok(all)
            }
            None => Ok(all),
        }
    }

    async fn load_plans(&self, request: u64) -> Message {
        let result = self.per_region(|c| Box::pin(crate::aws::plans::list_plans(c))).await;
        if let Ok(plans) = &result {
            let unread: Vec<&str> = plans.iter().filter(|p| p.error.is_some()).map(|p| p.name.as_str()).collect();
            self.incomplete("usage plan", &unread);
        }
        Message::PlansLoaded { request, result }
    }

    async fn load_keys(&self, request: u64) -> Message {
        let result = self
            .per_region(|c| Box::pin(crate::aws::keys::list_keys_with(c, None, crate::aws::keys::Values::Read)))
            .await;
        if let Ok(keys) = &result {
            let unread: Vec<&str> = keys.iter().filter(|k| k.error.is_some()).map(|k| k.name.as_str()).collect();
            self.incomplete("key", &unread);
        }
        Message::KeysLoaded { request, result }
    }

    /// Items listed with an `error` (some of their reads failed after every retry): said on
    /// the status line, with how to read them again.
    fn incomplete(&self, noun: &str, names: &[&str]) {
        let Some(first) = names.first() else { return };
        let more = if names.len() > 1 { format!(" and {} more", names.len() - 1) } else { String::new() };
        let text = format!("{noun} {first}{more} could not be read completely (marked !); ctrl-r reads again");
        let _ = self.tx.send(Message::Warning(text));
    }

    async fn load_usage(&self, request: u64, plan: String, region: String) -> Message {
        let result = async {
            let ctx = self.region(self.contexts().await?, &region)?;
            crate::aws::plans::usage(&ctx, &plan, None, USAGE_DAYS).await.map_err(|e| e.to_string())
        }
        .await;
        Message::UsageLoaded { request, plan, result }
    }

    async fn mutate(&self, request: u64, mutation: Mutation, region: String) -> Message {
        use crate::aws::keys;
        let description = mutation.describe();
        let result = async {
            let ctx = self.region(self.contexts().await?, &region)?;
            let done = match &mutation {
                Mutation::CreateKey(new) => keys::create_key(&ctx, new).await.map(Some),
                Mutation::SetEnabled { key_id, enabled, .. } => {
                    keys::set_enabled(&ctx, key_id, *enabled).await.map(|()| None)
                }
                Mutation::DeleteKey { key_id, .. } => keys::delete_key(&ctx, key_id).await.map(|()| None),
                Mutation::Attach { key_id, plan_id } => keys::attach(&ctx, key_id, plan_id).await.map(|()| None),
                Mutation::Detach { key_id, plan_id } => keys::detach(&ctx, key_id, plan_id).await.map(|()| None),
            };
            done.map_err(|e| e.to_string())
        }
        .await;
        Message::Mutated { request, description, result }
    }
}

impl Worker {
    async fn open_audit(&self, request: u64, query: AuditQuery, source: String) -> Message {
        let contexts = match self.contexts().await {
            Ok(c) => c,
            Err(e) => return Message::AuditOpened { request, result: Err(e), problems: vec![] },
        };
        if source == "lookup" {
            let feed = audit::open_lookup(contexts, &query, self.settings.cache_dir.as_deref()).await;
            return Message::AuditOpened { request, result: Ok(feed), problems: vec![] };
        }
        let result = async {
            let (bucket, prefix) = audit::parse_s3_url(&source)?;
            let ctx = audit::bucket_context(contexts, &bucket).await.ok_or("no region configured")?;
            let mut q = query.clone();
            q.limit = S3_EVENTS;
            audit::from_s3(ctx, &bucket, &prefix, &q, self.settings.cache_dir.as_deref())
                .await
                .map_err(|e| e.to_string())
        }
        .await;
        match result {
            Ok(found) => {
                let problems: Vec<String> =
                    found.problems.iter().map(|p| format!("{}: {}", p.key, p.problem)).collect();
                let result = if found.files_read == 0 && !problems.is_empty() {
                    Err(format!("none of the {} trail log files could be read", problems.len()))
                } else {
                    Ok(Feed {
                        events: found.events,
                        files: Some((found.files_read, found.files_cached)),
                        ..Default::default()
                    })
                };
                Message::AuditOpened { request, result, problems }
            }
            Err(e) => Message::AuditOpened { request, result: Err(e), problems: vec![] },
        }
    }

    async fn audit_page(&self, request: u64, cursors: Vec<Cursor>) -> Message {
        let pages = match self.contexts().await {
            Ok(c) => audit::fetch_pages(c, &cursors)
                .await
                .into_iter()
                .map(|(i, r)| (i, r.map_err(|e| e.to_string())))
                .collect(),
            Err(e) => {
                cursors.iter().enumerate().filter(|(_, c)| c.has_more()).map(|(i, _)| (i, Err(e.clone()))).collect()
            }
        };
        Message::AuditPageLoaded { request, pages }
    }
}

/// The most events the audit screen keeps from a trail's S3 logs.
pub const S3_EVENTS: usize = 50_000;

/// One region's share of a listing.
type RegionLoad<'a, T> = futures::future::BoxFuture<'a, Result<Vec<T>, aws::AwsError>>;

/// Days of usage the plan screen charts.
pub const USAGE_DAYS: u32 = 14;

/// Run a command's future; a panic in it becomes the command's failed result.
pub async fn guarded(command: &Command, run: impl std::future::Future<Output = Option<Message>>) -> Option<Message> {
    let failed = command.failed("internal error while loading (a bug: please report it)");
    std::panic::AssertUnwindSafe(run).catch_unwind().await.unwrap_or(failed)
}

fn region_warning(errors: &[(String, aws::AwsError)]) -> String {
    let parts: Vec<String> = errors.iter().map(|(r, e)| format!("{r}: {e}")).collect();
    format!("some regions could not be read (the others are shown): {}", parts.join("; "))
}

static LOCAL_OFFSET: OnceLock<Option<time::UtcOffset>> = OnceLock::new();

/// Read the local UTC offset; call before any other thread starts (the OS call is not
/// thread-safe, so the `time` crate refuses it later).
pub fn capture_local_offset() {
    let _ = LOCAL_OFFSET.set(time::UtcOffset::current_local_offset().ok());
}

/// Wall-clock time as HH:MM:SS, local when the offset is known, else marked UTC.
pub fn now_hms() -> String {
    let f = time::macros::format_description!("[hour]:[minute]:[second]");
    let now = time::OffsetDateTime::now_utc();
    match LOCAL_OFFSET.get().copied().flatten() {
        Some(offset) => now.to_offset(offset).format(&f).unwrap_or_default(),
        None => format!("{} UTC", now.format(&f).unwrap_or_default()),
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
