//! Executes commands off the input/render loop: each in its own task, each result sent back
//! as a Message. Loads run one per slot, latest wins: the same load asked for again while one
//! runs waits behind it (only the newest waits: the ones it replaced never run), a different
//! load in the slot cancels the one running, and `Cancel` stops a slot. A panic in a task
//! becomes the command's failed result, so no spinner spins forever.
//!
//! What each command does is in the file of its domain: catalog.rs (the API list, details,
//! docs, the warm cache), access.rs (plans, keys, usage, key changes), audit.rs, partners.rs,
//! findings.rs, tryit.rs (calls, jq, the history).

mod access;
mod audit;
mod catalog;
mod findings;
mod partners;
mod tryit;

pub use tryit::BODY_START;

use super::command::{Command, Slot};
use super::message::Message;
use crate::aws::{self, AwsContext};
use crate::config::Settings;
use futures::FutureExt;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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

    /// Every command, matched exhaustively; each domain's work is in its own file.
    async fn run(&self, command: Command) -> Option<Message> {
        Some(match command {
            Command::LoadApis { request } => self.load_apis(request).await,
            Command::LoadApiDetail { request, api } => self.load_detail(request, *api).await,
            Command::LoadDocs { request, api, stage } => self.load_docs(request, *api, stage).await,
            Command::RereadApi { request, api } => self.reread(request, *api).await,
            Command::SaveCatalog { apis } => return self.save_catalog(*apis).await,
            Command::LoadPlans { request } => self.load_plans(request).await,
            Command::LoadKeys { request } => self.load_keys(request).await,
            Command::LoadUsage { request, plan, region } => self.load_usage(request, plan, region).await,
            Command::Mutate { request, mutation, region } => self.mutate(request, mutation, region).await,
            Command::OpenAudit { request, query, source } => self.open_audit(request, *query, source).await,
            Command::LoadAuditPage { request, cursors } => self.audit_page(request, cursors).await,
            Command::SaveAuditCache { feed, changed } => return self.save_audit_cache(*feed, changed).await,
            Command::LoadTrails { request } => self.load_trails(request).await,
            Command::LoadPartners { request } => self.load_partners(request).await,
            Command::PlanPartnerChange { request, op } => self.plan_partner_change(request, *op).await,
            Command::PartnerChange { request, change } => self.partner_change(request, *change).await,
            Command::ReadClientSecret { request: _, region, client_id, then } => {
                self.read_client_secret(region, client_id, then).await
            }
            Command::Call { request, api, stage, spec, auth } => {
                Message::Called { request, result: self.call(*api, stage, *spec, auth).await }
            }
            Command::Jq { request, filter, body } => self.jq(request, filter, body).await,
            Command::LoadHistory { request } => self.history(request, None).await,
            Command::DeleteHistory { request, entry } => self.history(request, Some(*entry)).await,
            Command::LoadFindings { request } => Message::FindingsLoaded { request, result: self.findings().await },
            Command::After { millis, message } => {
                tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
                *message
            }
            // Done by the loop (it owns the terminal) and by `execute`; nothing to run here.
            Command::Clipboard(_) | Command::Cancel(_) => return None,
        })
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

pub use super::data::{capture_local_offset, now_hms};
