//! Runs any feature's job off the input/render loop: each in its own task, its output sent
//! back as `Message::Done`. Loads run one per slot, latest wins: the same load asked for again
//! while one runs waits behind it (only the newest waits: the ones it replaced never run), a
//! different load in the slot cancels the one running, and `Cancel` stops a slot. A panic in a
//! task becomes the job's failed output, so no spinner spins forever. What a job does is in the
//! folder of the feature that declared it (screens/<name>/jobs.rs); nothing here names one.

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

    /// What a feature's job runs with.
    async fn env(&self, request: u64) -> super::jobs::Env {
        super::jobs::Env {
            contexts: self.contexts().await.cloned(),
            settings: self.settings.clone(),
            tokens: self.tokens.clone(),
            request,
            tx: Some(self.tx.clone()),
        }
    }

    /// Every command, matched exhaustively; each domain's work is in its own file.
    async fn run(&self, command: Command) -> Option<Message> {
        Some(match command {
            Command::Job { request, job } => {
                Message::Done { request, output: job.0.run(self.env(request).await).await }
            }
            Command::After { millis, message } => {
                tokio::time::sleep(std::time::Duration::from_millis(millis)).await;
                *message
            }
            // Done by the loop (it owns the terminal) and by `execute`; nothing to run here.
            Command::Clipboard(_) | Command::Cancel(_) => return None,
        })
    }
}

/// Run a command's future; a panic in it becomes the command's failed result.
pub async fn guarded(command: &Command, run: impl std::future::Future<Output = Option<Message>>) -> Option<Message> {
    let failed = command.failed("internal error while loading (a bug: please report it)");
    std::panic::AssertUnwindSafe(run).catch_unwind().await.unwrap_or(failed)
}

pub use super::data::{capture_local_offset, now_hms};
