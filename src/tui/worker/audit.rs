//! The audit screen: a query opened (LookupEvents' cursors and cache, or a trail's S3 logs),
//! its next pages, the cache written, the trails listed.

use super::{S3_EVENTS, Worker};
use crate::aws::audit;
use crate::domain::{AuditQuery, Cursor, Feed};
use crate::tui::message::Message;

impl Worker {
    /// Write the cache files of the cursors a page moved on (nothing comes back).
    pub(super) async fn save_audit_cache(&self, feed: Feed, changed: Vec<usize>) -> Option<Message> {
        if let Some(root) = self.settings.cache_dir.clone() {
            let _ = tokio::task::spawn_blocking(move || audit::save_cursors(&root, &feed, &changed)).await;
        }
        None
    }

    pub(super) async fn load_trails(&self, request: u64) -> Message {
        let result = match self.contexts().await {
            Ok(c) => audit::describe_trails(c).await.map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        Message::TrailsLoaded { request, result }
    }

    pub(super) async fn open_audit(&self, request: u64, query: AuditQuery, source: String) -> Message {
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

    pub(super) async fn audit_page(&self, request: u64, cursors: Vec<Cursor>) -> Message {
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
