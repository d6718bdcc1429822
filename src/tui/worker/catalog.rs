//! The catalog: the API list, an API read again, its detail and docs, and the warm cache
//! (what was kept is shown at once while the fresh answer loads).

use super::{Worker, region_warning};
use crate::aws::AwsContext;
use crate::aws::catalog;
use crate::domain::{Api, ApiKind, resource_tree};
use crate::openapi::DocLine;
use crate::tui::data::cache::{self, CachedItem, Item, KeptDetail};
use crate::tui::data::{ApiRef, DetailData, now_hms};
use crate::tui::message::{Cached, Message};
use std::path::PathBuf;

impl Worker {
    /// An incomplete API of the catalog read again (its stages).
    pub(super) async fn reread(&self, request: u64, api: Api) -> Message {
        let api_ref = ApiRef::of(&api);
        let result = async {
            let ctx = self.context_for(self.contexts().await?, &api)?;
            catalog::reread(&ctx, api, catalog::Depth::Summary).await.map_err(|e| e.to_string())
        }
        .await;
        Message::ApiReread { request, api: api_ref, result }
    }

    /// Keep the catalog for the next start (nothing comes back).
    pub(super) async fn save_catalog(&self, apis: Vec<Api>) -> Option<Message> {
        if let Some(path) = cache::path(&self.settings) {
            let now = time::OffsetDateTime::now_utc();
            let save = move || cache::save(&path, &apis, now).map(|()| cache::prune(&path, &apis));
            if let Ok(Err(e)) = tokio::task::spawn_blocking(save).await {
                tracing::warn!(error = %e, "could not keep the catalog for the next start");
            }
        }
        None
    }

    pub(super) async fn load_apis(&self, request: u64) -> Message {
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

    pub(super) fn context_for(&self, contexts: &[AwsContext], api: &Api) -> Result<AwsContext, String> {
        contexts
            .iter()
            .find(|c| c.region == api.region)
            .cloned()
            .ok_or_else(|| format!("no client for region {}", api.region))
    }

    pub(super) async fn load_detail(&self, request: u64, api: Api) -> Message {
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

    pub(super) async fn load_docs(&self, request: u64, api: Api, stage: String) -> Message {
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

    /// Where the warm cache keeps `item` of `api`; `None` with `--no-cache`.
    pub(super) fn kept_path(&self, api: &ApiRef, item: Item) -> Option<PathBuf> {
        cache::path(&self.settings).map(|catalog| cache::item_path(&catalog, api, item))
    }
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
