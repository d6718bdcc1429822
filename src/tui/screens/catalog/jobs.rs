//! The catalog data source's jobs (the API list, an incomplete API read again, the list kept
//! for the next start) and the API detail's and docs' loads, with the warm cache: what was
//! kept is shown at once (`Cached`) while the fresh answer loads.

use crate::aws::catalog;
use crate::domain::{Api, ApiKind, Authorizer, resource_tree};
use crate::openapi::DocLine;
use crate::tui::command::Slot;
use crate::tui::data::cache::{self, CachedItem, Item, KeptDetail};
use crate::tui::data::{ApiRef, Cached, DetailData, now_hms};
use crate::tui::jobs::{Deliver, Env, Job, To, region_warning};
use std::path::PathBuf;

/// The API list (every region, stages included).
#[derive(Debug, Clone, PartialEq)]
pub struct LoadApis;

#[derive(Debug, Clone, PartialEq)]
pub struct ApisLoaded {
    pub result: Result<Vec<Api>, String>,
    /// When it was read (HH:MM:SS), for the header.
    pub at: String,
}

/// An incomplete API of the catalog read again (its stages).
#[derive(Debug, Clone, PartialEq)]
pub struct RereadApi(pub Box<Api>);

/// `None` when it was deleted since.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiReread {
    pub api: ApiRef,
    pub result: Result<Option<Box<Api>>, String>,
}

/// Keep the catalog for the next start (the warm start).
#[derive(Debug, Clone, PartialEq)]
pub struct SaveCatalog(pub Box<Vec<Api>>);

/// Kept (or not: a failure is only logged); nothing to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Kept;

/// An API's methods (REST) or routes (HTTP), and the authorizers they name.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadDetail(pub Box<Api>);

#[derive(Debug, Clone, PartialEq)]
pub struct ApiDetailLoaded {
    pub api: ApiRef,
    pub result: Result<DetailData, String>,
}

/// An API's authorizers, read with its detail (the catalog does not read them).
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizersLoaded {
    pub api: ApiRef,
    pub result: Result<Vec<Authorizer>, String>,
}

/// A stage's OpenAPI document, rendered as the docs' lines.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadDocs {
    pub api: Box<Api>,
    pub stage: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DocsLoaded {
    pub api: ApiRef,
    pub stage: String,
    pub result: Result<Vec<DocLine>, String>,
}

impl Job for LoadApis {
    type Output = ApisLoaded;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Apis)
    }

    async fn run(self, env: Env) -> ApisLoaded {
        let result = match env.clients() {
            Ok(c) => catalog::list_all(c, catalog::Depth::Summary).await.map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        let result = result.map(|catalog| {
            if !catalog.region_errors.is_empty() {
                env.warn(region_warning(&catalog.region_errors));
            }
            let incomplete: Vec<&Api> = catalog.apis.iter().filter(|a| a.error.is_some()).collect();
            if let Some(first) = incomplete.first() {
                let n = incomplete.len();
                let why = first.error.as_deref().unwrap_or_default();
                env.warn(format!("{n} API(s) could not be read completely (marked !; the detail says what): {why}"));
            }
            catalog.apis
        });
        ApisLoaded { result, at: now_hms() }
    }

    fn failed(&self, error: String) -> ApisLoaded {
        ApisLoaded { result: Err(error), at: now_hms() }
    }
}

impl Deliver for ApisLoaded {
    fn deliver(self, request: u64, sh: &mut To<'_>) {
        super::take_apis(request, self.result, self.at, sh);
    }
}

impl Job for RereadApi {
    type Output = ApiReread;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Api(ApiRef::of(&self.0)))
    }

    async fn run(self, env: Env) -> ApiReread {
        let api_ref = ApiRef::of(&self.0);
        let result = async {
            let ctx = env.place(self.0.account.id.as_deref(), &self.0.region)?;
            catalog::reread(&ctx, *self.0, catalog::Depth::Summary).await.map_err(|e| e.to_string())
        }
        .await;
        ApiReread { api: api_ref, result: result.map(|a| a.map(Box::new)) }
    }

    fn failed(&self, error: String) -> ApiReread {
        ApiReread { api: ApiRef::of(&self.0), result: Err(error) }
    }
}

impl Deliver for ApiReread {
    fn deliver(self, request: u64, sh: &mut To<'_>) {
        super::take_reread(request, &self.api, self.result.map(|a| a.map(|a| *a)), sh);
    }
}

impl Job for SaveCatalog {
    type Output = Kept;

    fn slot(&self) -> Option<Slot> {
        None
    }

    async fn run(self, env: Env) -> Kept {
        if let Some(path) = cache::path(&env.settings) {
            let now = time::OffsetDateTime::now_utc();
            let apis = *self.0;
            let save = move || cache::save(&path, &apis, now).map(|()| cache::prune(&path, &apis));
            if let Ok(Err(e)) = tokio::task::spawn_blocking(save).await {
                tracing::warn!(error = %e, "could not keep the catalog for the next start");
            }
        }
        Kept
    }

    fn failed(&self, error: String) -> Kept {
        tracing::warn!(error = %error, "could not keep the catalog for the next start");
        Kept
    }
}

impl Deliver for Kept {
    /// The next start reads it; nothing changes now.
    fn deliver(self, _request: u64, _to: &mut To<'_>) {}
}

impl Job for LoadDetail {
    type Output = ApiDetailLoaded;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Detail(ApiRef::of(&self.0)))
    }

    async fn run(self, env: Env) -> ApiDetailLoaded {
        let api = *self.0;
        let api_ref = ApiRef::of(&api);
        let kept = kept_path(&env, &api_ref, Item::Detail);
        if let Some(c) = load_kept::<KeptDetail>(kept.clone()).await {
            let (data, authorizers) = (c.data.detail, c.data.authorizers);
            let request = env.request;
            env.emit(Cached::Detail { request, api: api_ref.clone(), data, authorizers, saved_at: c.saved_at });
        }
        let result = async {
            let ctx = env.place(api.account.id.as_deref(), &api.region)?;
            // The catalog does not read authorizers: the detail does, when a method or route names one.
            let wanted = api.authorizers.is_empty();
            let mut authorizers = api.authorizers.clone();
            let detail = match api.kind {
                ApiKind::Rest => {
                    let (methods, paths) = catalog::rest_methods(&ctx, &api.id).await.map_err(|e| e.to_string())?;
                    if wanted && methods.iter().any(|m| m.authorizer_id.is_some()) {
                        let found = catalog::rest_authorizers(&ctx, &api.id).await.map_err(|e| e.to_string());
                        authorizers = found.clone().unwrap_or_default();
                        env.emit(AuthorizersLoaded { api: api_ref.clone(), result: found });
                    }
                    DetailData::Rest(resource_tree(&methods, &paths))
                }
                ApiKind::Http => {
                    let routes = catalog::http_routes(&ctx, &api.id).await.map_err(|e| e.to_string())?;
                    if wanted && routes.iter().any(|r| r.authorizer_id.is_some()) {
                        let found = catalog::referenced_http_authorizers(&ctx, &api.id, &routes).await;
                        let result = found.map_err(|e| e.to_string());
                        authorizers = result.clone().unwrap_or_default();
                        env.emit(AuthorizersLoaded { api: api_ref.clone(), result });
                    }
                    DetailData::Http(routes)
                }
            };
            keep(kept, KeptDetail { detail: detail.clone(), authorizers }).await;
            Ok(detail)
        }
        .await;
        ApiDetailLoaded { api: api_ref, result }
    }

    fn failed(&self, error: String) -> ApiDetailLoaded {
        ApiDetailLoaded { api: ApiRef::of(&self.0), result: Err(error) }
    }
}

impl Deliver for ApiDetailLoaded {
    fn deliver(self, request: u64, sh: &mut To<'_>) {
        sh.store.take_detail(request, &self.api, self.result);
    }
}

impl Deliver for AuthorizersLoaded {
    fn deliver(self, _request: u64, sh: &mut To<'_>) {
        super::take_authorizers(&self.api, self.result, sh);
    }
}

impl Deliver for Cached {
    /// Shown until the fresh answer of the request it names (that request's, not the outer one).
    fn deliver(self, _request: u64, sh: &mut To<'_>) {
        sh.store.take_cached(self);
    }
}

impl Job for LoadDocs {
    type Output = DocsLoaded;

    fn slot(&self) -> Option<Slot> {
        Some(Slot::Docs(ApiRef::of(&self.api), self.stage.clone()))
    }

    /// The kept document (not its lines: a big one's lines are many times its size) shows at
    /// once while the stage's export is read afresh; both are parsed and rendered off the
    /// async threads, stopped when the job is dropped (the screen left, a newer load).
    async fn run(self, env: Env) -> DocsLoaded {
        let (api, stage) = (*self.api, self.stage);
        let api_ref = ApiRef::of(&api);
        let kept = kept_path(&env, &api_ref, Item::Docs(&stage));
        let (stop, _stop_on_drop) = crate::tui::jobs::stop_flag();
        if let Some(c) = load_kept::<String>(kept.clone()).await
            && let Ok(lines) = render_docs(c.data, stop.clone()).await
        {
            let (request, api, stage) = (env.request, api_ref.clone(), stage.clone());
            env.emit(Cached::Docs { request, api, stage, lines, saved_at: c.saved_at });
        }
        let result = async {
            let ctx = env.place(api.account.id.as_deref(), &api.region)?;
            let text = catalog::export_definition(&ctx, &api, &stage).await.map_err(|e| e.to_string())?;
            let lines = render_docs(text.clone(), stop).await?;
            keep(kept, text).await;
            Ok(lines)
        }
        .await;
        DocsLoaded { api: api_ref, stage, result }
    }

    fn failed(&self, error: String) -> DocsLoaded {
        DocsLoaded { api: ApiRef::of(&self.api), stage: self.stage.clone(), result: Err(error) }
    }
}

impl Deliver for DocsLoaded {
    fn deliver(self, request: u64, sh: &mut To<'_>) {
        sh.store.take_docs(request, (self.api, self.stage), self.result);
    }
}

/// An API definition's lines, parsed and rendered in `spawn_blocking` (a document can be huge
/// or hostile): `stop` ends the work as soon as nobody waits for it.
async fn render_docs(
    text: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Result<Vec<DocLine>, String> {
    let render = move || -> Result<Vec<DocLine>, String> {
        let doc = crate::openapi::parse_within(&text, &stop).map_err(|e| e.to_string())?;
        crate::openapi::render_lines_within(&doc, &stop).ok_or_else(|| "stopped".to_string())
    };
    tokio::task::spawn_blocking(render).await.map_err(|e| e.to_string())?
}

/// Where the warm cache keeps `item` of `api`; `None` with `--no-cache`.
fn kept_path(env: &Env, api: &ApiRef, item: Item) -> Option<PathBuf> {
    cache::path(&env.settings).map(|catalog| cache::item_path(&catalog, api, item))
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
