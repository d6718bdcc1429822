//! Jobs owned by the features: a feature (a screen, or a data source several screens share)
//! declares each of its loads as a typed job in its own folder: what to call, and what it
//! returns. The worker runs any job with the guarantees every command has (one per slot, the
//! newest waiting behind the one running, cancelled on leaving, a panic a failed result,
//! nothing awaited on the input loop) and sends its output back as `Message::Done`; the router
//! hands it to whoever asked (`Deliver::deliver`): data several screens share goes into the
//! store, a screen's own data to the open screen that asked for it (`To::owner`). Nothing here
//! names a feature: a new load is a job in the folder that needs it, not a variant in the
//! central enums.

use super::command::Slot;
use super::context::Shared;
use crate::aws::AwsContext;
use crate::config::Settings;
use futures::future::BoxFuture;
use std::any::Any;
use std::sync::Arc;

/// What a job runs with: the region's clients (made once, on first use), the settings, the
/// client-credentials tokens kept across calls, and a way to send something back before the
/// job ends (what the warm cache kept, a warning).
#[derive(Clone)]
pub struct Env {
    pub contexts: Result<Vec<AwsContext>, String>,
    pub settings: Arc<Settings>,
    pub tokens: Arc<crate::tryit::token::TokenCache>,
    /// The job's request id.
    pub request: u64,
    pub tx: Option<tokio::sync::mpsc::UnboundedSender<super::message::Message>>,
}

impl Env {
    /// Hand `output` to the feature now, for this job's request (the job goes on).
    pub fn emit(&self, output: impl Deliver) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(super::message::Message::Done { request: self.request, output: Output::new(output) });
        }
    }

    /// Something went partly wrong (one region failed): said on the status line.
    pub fn warn(&self, text: impl Into<String>) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(super::message::Message::Warning(text.into()));
        }
    }

    /// Every region's clients, or why there are none.
    pub fn clients(&self) -> Result<&[AwsContext], String> {
        self.contexts.as_deref().map_err(Clone::clone)
    }

    /// The client for `region` (of the credentials' own account when accounts are read).
    pub fn region(&self, region: &str) -> Result<AwsContext, String> {
        self.place(None, region)
    }

    /// The client for `region` of `account` (`None`: the credentials' own account).
    pub fn place(&self, account: Option<&str>, region: &str) -> Result<AwsContext, String> {
        let clients = self.clients()?;
        let found = match account {
            Some(_) => clients.iter().find(|c| c.is_at(account, region)),
            None => crate::aws::own_in(clients, region),
        };
        found.cloned().ok_or_else(|| match account {
            Some(a) => format!("no client for account {a} in region {region}"),
            None => format!("no client for region {region}"),
        })
    }
}

/// A job's result, handed to the feature that asked for it.
pub trait Deliver: std::fmt::Debug + Clone + PartialEq + Send + Sync + 'static {
    /// Into the store (shared data), or to the screen that asked (`to.owner`), for the request
    /// `request`: a stale answer (another request is in flight now, or the screen that asked
    /// was closed) is dropped there.
    fn deliver(self, request: u64, to: &mut To<'_>);
}

/// Where a job's output can go: the shared state (`To` derefs to [`Shared`]), or one of the
/// open screens, the top one first (each seen only as what it is, to be downcast by its own
/// feature: nothing here names a screen).
pub struct To<'a> {
    sh: &'a mut Shared,
    owners: Vec<&'a mut dyn Any>,
}

impl<'a> To<'a> {
    /// `owners`: the open screens, the top one first.
    pub fn new(sh: &'a mut Shared, owners: Vec<&'a mut dyn Any>) -> To<'a> {
        To { sh, owners }
    }

    /// Hand the output to the open screen of type `S` that `asked` for it (the top one first):
    /// `take` runs on it with the shared state. False when no open screen asked (the one that
    /// did was closed): the answer is stale and is dropped.
    pub fn owner<S: 'static>(&mut self, asked: impl Fn(&S) -> bool, take: impl FnOnce(&mut S, &mut Shared)) -> bool {
        let found = self.owners.iter_mut().find_map(|o| o.downcast_mut::<S>().filter(|s| asked(s)));
        match found {
            Some(screen) => {
                take(screen, self.sh);
                true
            }
            None => false,
        }
    }
}

impl std::ops::Deref for To<'_> {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        self.sh
    }
}

impl std::ops::DerefMut for To<'_> {
    fn deref_mut(&mut self) -> &mut Shared {
        self.sh
    }
}

/// A load or a change, declared by its feature.
pub trait Job: std::fmt::Debug + Clone + PartialEq + Send + Sync + 'static {
    type Output: Deliver;
    /// Where it runs: at most one at a time per slot (`None`: alongside everything).
    fn slot(&self) -> Option<Slot>;
    /// Do it (on the worker, never on the input loop).
    fn run(self, env: Env) -> impl Future<Output = Self::Output> + Send;
    /// Its output when it cannot run at all (no endpoint, a panic in its task).
    fn failed(&self, error: String) -> Self::Output;
}

/// A flag for work done off the async threads (`spawn_blocking`), which a cancelled task cannot
/// abort: set when the guard is dropped (the task is cancelled or replaced), checked by the work
/// as it goes.
pub fn stop_flag() -> (Arc<std::sync::atomic::AtomicBool>, StopOnDrop) {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    (stop.clone(), StopOnDrop(stop))
}

/// Sets its flag when dropped (see [`stop_flag`]).
pub struct StopOnDrop(Arc<std::sync::atomic::AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// One region's share of a listing.
pub type RegionLoad<'a, T> = BoxFuture<'a, Result<Vec<T>, crate::aws::AwsError>>;

/// Run `load` in every region at once; a region that fails becomes a warning, and only when
/// every region fails is it an error (as for the catalog).
pub async fn per_region<T>(
    env: &Env,
    load: impl for<'a> Fn(&'a AwsContext) -> RegionLoad<'a, T>,
) -> Result<Vec<T>, String> {
    let contexts = env.clients()?;
    let results = crate::aws::bounded(contexts, contexts, &load).await;
    let (mut all, mut errors) = (Vec::new(), Vec::new());
    for (ctx, r) in contexts.iter().zip(results) {
        match r {
            Ok(items) => all.extend(items),
            Err(e) => errors.push((ctx.place(), e)),
        }
    }
    match errors.first() {
        Some((_, e)) if errors.len() == contexts.len() => Err(e.to_string()),
        Some(_) => {
            env.warn(region_warning(&errors));
            Ok(all)
        }
        None => Ok(all),
    }
}

/// Some regions failed, the others are shown: what the status line says.
pub fn region_warning(errors: &[(String, crate::aws::AwsError)]) -> String {
    let parts: Vec<String> = errors.iter().map(|(r, e)| format!("{r}: {e}")).collect();
    format!("some regions could not be read (the others are shown): {}", parts.join("; "))
}

/// Queue `job` with a new request id (the worker runs it); returns the id.
pub fn start(sh: &mut Shared, job: impl Job) -> u64 {
    sh.send(|request| super::command::Command::Job { request, job: JobBox::new(job) })
}

/// `output` as the message a timer sends back (`Command::After`): delivered like a job's.
pub fn done_later(output: impl Deliver) -> super::message::Message {
    super::message::Message::Done { request: 0, output: Output::new(output) }
}

/// A job of any feature, as the commands carry it.
pub trait AnyJob: std::fmt::Debug + Send + Sync {
    fn slot(&self) -> Option<Slot>;
    fn run(self: Box<Self>, env: Env) -> BoxFuture<'static, Output>;
    fn failed(&self, error: String) -> Output;
    fn as_any(&self) -> &dyn Any;
    fn same(&self, other: &dyn AnyJob) -> bool;
    fn clone_job(&self) -> Box<dyn AnyJob>;
}

impl<J: Job> AnyJob for J {
    fn slot(&self) -> Option<Slot> {
        Job::slot(self)
    }

    fn run(self: Box<Self>, env: Env) -> BoxFuture<'static, Output> {
        Box::pin(async move { Output::new(Job::run(*self, env).await) })
    }

    fn failed(&self, error: String) -> Output {
        Output::new(Job::failed(self, error))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn same(&self, other: &dyn AnyJob) -> bool {
        other.as_any().downcast_ref::<J>().is_some_and(|o| o == self)
    }

    fn clone_job(&self) -> Box<dyn AnyJob> {
        Box::new(self.clone())
    }
}

/// A job as a command carries it (compared and cloned like any command).
#[derive(Debug)]
pub struct JobBox(pub Box<dyn AnyJob>);

impl JobBox {
    pub fn new(job: impl Job) -> JobBox {
        JobBox(Box::new(job))
    }

    /// The job, if it is a `J`.
    pub fn get<J: Job>(&self) -> Option<&J> {
        self.0.as_any().downcast_ref::<J>()
    }
}

impl Clone for JobBox {
    fn clone(&self) -> JobBox {
        JobBox(self.0.clone_job())
    }
}

impl PartialEq for JobBox {
    fn eq(&self, other: &JobBox) -> bool {
        self.0.same(other.0.as_ref())
    }
}

/// A job's output of any feature, as a message carries it.
pub trait AnyOutput: std::fmt::Debug + Send + Sync {
    fn deliver(self: Box<Self>, request: u64, to: &mut To<'_>);
    fn as_any(&self) -> &dyn Any;
    fn same(&self, other: &dyn AnyOutput) -> bool;
    fn clone_output(&self) -> Box<dyn AnyOutput>;
}

impl<D: Deliver> AnyOutput for D {
    fn deliver(self: Box<Self>, request: u64, to: &mut To<'_>) {
        Deliver::deliver(*self, request, to)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn same(&self, other: &dyn AnyOutput) -> bool {
        other.as_any().downcast_ref::<D>().is_some_and(|o| o == self)
    }

    fn clone_output(&self) -> Box<dyn AnyOutput> {
        Box::new(self.clone())
    }
}

#[derive(Debug)]
pub struct Output(pub Box<dyn AnyOutput>);

impl Output {
    pub fn new(output: impl Deliver) -> Output {
        Output(Box::new(output))
    }

    /// The output, if it is a `D`.
    pub fn get<D: Deliver>(&self) -> Option<&D> {
        self.0.as_any().downcast_ref::<D>()
    }

    pub fn deliver(self, request: u64, to: &mut To<'_>) {
        self.0.deliver(request, to)
    }
}

impl Clone for Output {
    fn clone(&self) -> Output {
        Output(self.0.clone_output())
    }
}

impl PartialEq for Output {
    fn eq(&self, other: &Output) -> bool {
        self.0.same(other.0.as_ref())
    }
}
