//! The audit screens' jobs: a query opened (LookupEvents' cursors and cache, or a trail's S3
//! logs), its next pages, the cache written, and the trails of every region (DescribeTrails)
//! for the source picker.

use crate::aws::audit;
use crate::domain::{AuditQuery, AuditSource, Cursor, Feed, LookupPage, Trail};
use crate::tui::command::Slot;
use crate::tui::jobs::{Deliver, Env, Job, To};

#[derive(Debug, Clone, PartialEq)]
pub struct LoadTrails;

#[derive(Debug, Clone, PartialEq)]
pub struct TrailsLoaded(pub Result<Vec<Trail>, String>);

impl Job for LoadTrails {
    type Output = TrailsLoaded;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Trails)
    }

    async fn run(self, env: Env) -> TrailsLoaded {
        let result = match env.clients() {
            Ok(c) => crate::aws::audit::describe_trails(c).await.map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        TrailsLoaded(result)
    }

    fn failed(&self, error: String) -> TrailsLoaded {
        TrailsLoaded(Err(error))
    }
}

impl Deliver for TrailsLoaded {
    /// The picker opens when the trails are in (the screen's `sync` sees them).
    fn deliver(self, request: u64, to: &mut To<'_>) {
        let asked = |p: &super::SourcePicker| p.trails.waits_for(request);
        let mut answer = Some(self.0);
        let mut take = |p: &mut super::SourcePicker| {
            if let Some(a) = answer.take() {
                p.trails.accept(request, a);
            }
        };
        // Either audit screen may have asked (the list, or the record viewer over it).
        let _ = to.owner(|s: &super::AuditScreen| asked(&s.source), |s, _| take(&mut s.source))
            || to.owner(|s: &super::record::RecordScreen| asked(&s.source), |s, _| take(&mut s.source));
    }
}

/// Open an audit query: plan its cursors and read the cache (LookupEvents), or read the
/// trail's log files (S3).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAudit {
    pub query: Box<AuditQuery>,
    pub source: AuditSource,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditOpened {
    pub result: Result<Feed, String>,
    /// Trail log files that could not be read (S3), as `key: problem`.
    pub problems: Vec<String>,
}

/// One more page for every cursor that has more.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadAuditPage {
    pub cursors: Vec<Cursor>,
}

/// A page per cursor (its index in the feed), or why it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPageLoaded {
    pub pages: Vec<(usize, Result<LookupPage, String>)>,
}

/// Write the cache files of the cursors a page moved on.
#[derive(Debug, Clone, PartialEq)]
pub struct SaveAuditCache {
    pub feed: Box<Feed>,
    pub changed: Vec<usize>,
}

/// Written (a failure only costs the next run a page).
#[derive(Debug, Clone, PartialEq)]
pub struct CacheSaved;

/// The most events the audit screen keeps from a trail's S3 logs.
pub const S3_EVENTS: usize = 50_000;

impl Job for OpenAudit {
    type Output = AuditOpened;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Audit)
    }

    async fn run(self, env: Env) -> AuditOpened {
        let contexts = match env.clients() {
            Ok(c) => c,
            Err(e) => return AuditOpened { result: Err(e), problems: vec![] },
        };
        let cache = env.settings.cache_dir.as_deref();
        let (bucket, prefix) = match self.source {
            AuditSource::Lookup => {
                let feed = audit::open_lookup(contexts, &self.query, cache).await;
                return AuditOpened { result: Ok(feed), problems: vec![] };
            }
            AuditSource::S3 { bucket, prefix } => (bucket, AuditSource::key_prefix(&prefix)),
        };
        let result = async {
            let ctx = audit::bucket_context(contexts, &bucket).await.ok_or("no region configured")?;
            let mut q = (*self.query).clone();
            q.limit = S3_EVENTS;
            audit::from_s3(ctx, &bucket, &prefix, &q, cache).await.map_err(|e| e.to_string())
        }
        .await;
        match result {
            Ok(found) => {
                let problems: Vec<String> =
                    found.problems.iter().map(|p| format!("{}: {}", p.key, p.problem)).collect();
                let result = if found.files_read == 0 && !problems.is_empty() {
                    Err(format!("none of the {} trail log files could be read", problems.len()))
                } else {
                    let files = Some((found.files_read, found.files_cached));
                    Ok(Feed { events: found.events, files, ..Default::default() })
                };
                AuditOpened { result, problems }
            }
            Err(e) => AuditOpened { result: Err(e), problems: vec![] },
        }
    }

    fn failed(&self, error: String) -> AuditOpened {
        AuditOpened { result: Err(error), problems: vec![] }
    }
}

impl Deliver for AuditOpened {
    fn deliver(self, request: u64, sh: &mut To<'_>) {
        super::take_opened(request, self.result, self.problems, sh);
    }
}

impl Job for LoadAuditPage {
    type Output = AuditPageLoaded;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::AuditPage)
    }

    async fn run(self, env: Env) -> AuditPageLoaded {
        let pages = match env.clients() {
            Ok(c) => audit::fetch_pages(c, &self.cursors)
                .await
                .into_iter()
                .map(|(i, r)| (i, r.map_err(|e| e.to_string())))
                .collect(),
            Err(e) => {
                let more = self.cursors.iter().enumerate().filter(|(_, c)| c.has_more());
                more.map(|(i, _)| (i, Err(e.clone()))).collect()
            }
        };
        AuditPageLoaded { pages }
    }

    /// The page as a whole failed (no cursor named).
    fn failed(&self, error: String) -> AuditPageLoaded {
        AuditPageLoaded { pages: vec![(usize::MAX, Err(error))] }
    }
}

impl Deliver for AuditPageLoaded {
    fn deliver(self, request: u64, sh: &mut To<'_>) {
        super::take_page(request, self.pages, sh);
    }
}

impl Job for SaveAuditCache {
    type Output = CacheSaved;

    fn slot(&self) -> Option<Slot> {
        None
    }

    async fn run(self, env: Env) -> CacheSaved {
        if let Some(root) = env.settings.cache_dir.clone() {
            let (feed, changed) = (self.feed, self.changed);
            let _ = tokio::task::spawn_blocking(move || audit::save_cursors(&root, &feed, &changed)).await;
        }
        CacheSaved
    }

    fn failed(&self, error: String) -> CacheSaved {
        tracing::warn!(error = %error, "could not write the audit cache");
        CacheSaved
    }
}

impl Deliver for CacheSaved {
    /// The next run reads it; nothing changes now.
    fn deliver(self, _request: u64, _to: &mut To<'_>) {}
}
