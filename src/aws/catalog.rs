//! The API catalog: REST APIs (apigateway) and HTTP APIs (apigatewayv2) as domain types.

use super::clients::{AwsContext, MAX_IN_FLIGHT};
use super::error::{AwsError, ErrorKind};
use super::paging::{all_pages, next};
use crate::domain::{AccessLog, Api, ApiKind, Authorizer, Method, Route, Stage, Throttle};
use aws_sdk_apigateway::types as gw;
use aws_sdk_apigatewayv2::types as gw2;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use futures::stream::{self, StreamExt, TryStreamExt};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;

/// AWS's maximum page size for API Gateway lists.
pub const PAGE_SIZE: i32 = 500;

pub(crate) fn date(d: Option<&DateTime>) -> Option<String> {
    d.and_then(|d| d.fmt(Format::DateTime).ok())
}

pub(crate) fn tags(t: Option<&HashMap<String, String>>) -> BTreeMap<String, String> {
    t.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default()
}

/// The catalog across regions: what loaded, and the regions that failed.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub apis: Vec<Api>,
    /// One error per region that could not be read; the other regions still count.
    pub region_errors: Vec<(String, AwsError)>,
}

/// How much of each API a listing reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Stages and authorizers.
    Summary,
    /// Also every method (REST) and route (HTTP).
    Detail,
}

/// Every REST and HTTP API in every context, with stages and authorizers, sorted by name.
/// A region that fails does not hide the others; only when every region fails is it an error.
pub async fn list_all(contexts: &[AwsContext], depth: Depth) -> Result<Catalog, AwsError> {
    let listed = super::across_regions(contexts, |c| list_apis(c, depth)).await?;
    let mut catalog = Catalog { apis: listed.items, region_errors: listed.region_errors };
    sort_apis(&mut catalog.apis);
    Ok(catalog)
}

fn sort_apis(all: &mut [Api]) {
    all.sort_by(|a, b| (a.name.to_lowercase(), &a.region, &a.id).cmp(&(b.name.to_lowercase(), &b.region, &b.id)));
}

/// The APIs of one region, read to `depth`.
pub async fn list_apis(ctx: &AwsContext, depth: Depth) -> Result<Vec<Api>, AwsError> {
    let (rest, http) = tokio::try_join!(list_rest_apis(ctx), list_http_apis(ctx))?;
    let apis: Vec<Api> = rest.into_iter().chain(http).collect();
    let completed: Vec<Option<Api>> = stream::iter(apis)
        .map(|api| complete(ctx, api, depth == Depth::Detail))
        .buffered(MAX_IN_FLIGHT)
        .try_collect()
        .await?;
    Ok(completed.into_iter().flatten().collect())
}

/// Stages, authorizers and (with `detail`) methods or routes; `None` when the API was deleted
/// between the list and these calls. A read that still fails after its retries leaves its field
/// as it is and is named in the API's `error`: one failing call never hides the other APIs.
async fn complete(ctx: &AwsContext, api: Api, detail: bool) -> Result<Option<Api>, AwsError> {
    let (mut api, errors) = complete_api(ctx, api, detail).await;
    if errors.iter().any(|e| e.kind == ErrorKind::NotFound) {
        return Ok(None);
    }
    if !errors.is_empty() {
        let what: Vec<String> = errors.iter().map(ToString::to_string).collect();
        api.error = Some(what.join("; "));
    }
    Ok(Some(api))
}

/// Read one listed API's stages (and with `Depth::Detail` its methods or routes) again:
/// `None` when it was deleted; its `error` says what still failed.
pub async fn reread(ctx: &AwsContext, mut api: Api, depth: Depth) -> Result<Option<Api>, AwsError> {
    api.error = None;
    complete(ctx, api, depth == Depth::Detail).await
}

/// The API with what loaded, and the reads that failed. Only what the fields need is read:
/// stages always; with `detail` the methods or routes, and the authorizers only when one of
/// them references an authorizer (an API without authorizers costs no GetAuthorizers).
async fn complete_api(ctx: &AwsContext, mut api: Api, detail: bool) -> (Api, Vec<AwsError>) {
    let mut errors = Vec::new();
    match (api.kind, detail) {
        (ApiKind::Rest, false) => {
            api.stages = keep_or_note(rest_stages(ctx, &api.id).await, &mut errors).unwrap_or_default()
        }
        (ApiKind::Http, false) => {
            api.stages = keep_or_note(http_stages(ctx, &api.id).await, &mut errors).unwrap_or_default()
        }
        (ApiKind::Rest, true) => {
            let (stages, methods) = tokio::join!(rest_stages(ctx, &api.id), rest_methods(ctx, &api.id));
            api.stages = keep_or_note(stages, &mut errors).unwrap_or_default();
            api.methods = keep_or_note(methods, &mut errors).map(|(methods, _)| methods);
            if api.methods.as_ref().is_some_and(|m| m.iter().any(|m| m.authorizer_id.is_some())) {
                api.authorizers = keep_or_note(rest_authorizers(ctx, &api.id).await, &mut errors).unwrap_or_default();
            }
        }
        (ApiKind::Http, true) => {
            let (stages, routes) = tokio::join!(http_stages(ctx, &api.id), http_routes(ctx, &api.id));
            api.stages = keep_or_note(stages, &mut errors).unwrap_or_default();
            api.routes = keep_or_note(routes, &mut errors);
            if let Some(routes) = api.routes.as_deref().filter(|r| r.iter().any(|r| r.authorizer_id.is_some())) {
                let found = referenced_http_authorizers(ctx, &api.id, routes).await;
                api.authorizers = keep_or_note(found, &mut errors).unwrap_or_default();
            }
        }
    }
    (api, errors)
}

/// The authorizers of an HTTP API whose routes reference some: the list (asked once per
/// region whether the endpoint has it), else each one the routes name.
pub async fn referenced_http_authorizers(
    ctx: &AwsContext,
    api_id: &str,
    routes: &[Route],
) -> Result<Vec<Authorizer>, AwsError> {
    ctx.quirks.http_authorizer_list_probed.get_or_init(|| probe_http_authorizer_list(ctx, api_id)).await;
    http_authorizers_or_derived(ctx, api_id, Some(routes)).await
}

/// The value, or `None` with the error noted.
fn keep_or_note<T>(r: Result<T, AwsError>, errors: &mut Vec<AwsError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

// ---------- REST (apigateway) ----------

pub async fn list_rest_apis(ctx: &AwsContext) -> Result<Vec<Api>, AwsError> {
    all_pages(|position| async move {
        ctx.pacer.wait().await;
        let req = ctx.apigw.get_rest_apis().limit(PAGE_SIZE).set_position(position);
        let page = req.send().await.map_err(|e| ctx.err("GetRestApis", e))?;
        let apis = page.items().iter().map(|a| rest_api(ctx, a)).collect();
        Ok((apis, next(page.position(), page.items().len())))
    })
    .await
}

fn rest_api(ctx: &AwsContext, a: &gw::RestApi) -> Api {
    let endpoint_type = a.endpoint_configuration().and_then(|e| e.types().first()).map(|t| t.as_str().to_string());
    Api {
        id: a.id().unwrap_or_default().to_string(),
        name: a.name().unwrap_or_default().to_string(),
        kind: ApiKind::Rest,
        region: ctx.region.clone(),
        account: ctx.account_ref(),
        description: a.description().map(str::to_string),
        endpoint_type,
        tags: tags(a.tags()),
        created_date: date(a.created_date()),
        api_endpoint: None,
        stages: vec![],
        authorizers: vec![],
        methods: None,
        routes: None,
        error: None,
    }
}

pub async fn rest_stages(ctx: &AwsContext, api_id: &str) -> Result<Vec<Stage>, AwsError> {
    ctx.pacer.wait().await;
    let out = ctx.apigw.get_stages().rest_api_id(api_id).send().await.map_err(|e| ctx.err("GetStages", e))?;
    let mut stages: Vec<Stage> = out.item().iter().map(rest_stage).collect();
    stages.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(stages)
}

fn rest_stage(s: &gw::Stage) -> Stage {
    let all = s.method_settings().and_then(|m| m.get("*/*"));
    Stage {
        name: s.stage_name().unwrap_or_default().to_string(),
        deployment_id: s.deployment_id().map(str::to_string),
        description: s.description().map(str::to_string),
        tracing_enabled: s.tracing_enabled(),
        cache_enabled: s.cache_cluster_enabled(),
        cache_size: s.cache_cluster_size().map(|c| c.as_str().to_string()),
        cache_encrypted: all.map(|m| m.cache_data_encrypted()),
        web_acl_arn: s.web_acl_arn().map(str::to_string),
        throttle: all.map(|m| Throttle {
            rate_limit: Some(m.throttling_rate_limit()),
            burst_limit: Some(m.throttling_burst_limit()),
        }),
        execution_logging: all.and_then(|m| m.logging_level().map(str::to_string)),
        data_trace: all.map(|m| m.data_trace_enabled()),
        metrics_enabled: all.map(|m| m.metrics_enabled()),
        access_log: s.access_log_settings().map(|a| AccessLog {
            destination_arn: a.destination_arn().map(str::to_string),
            format: a.format().map(str::to_string),
        }),
        client_certificate_id: s.client_certificate_id().map(str::to_string),
        variables: tags(s.variables()),
        tags: tags(s.tags()),
        auto_deploy: None,
        created_date: date(s.created_date()),
        last_updated_date: date(s.last_updated_date()),
    }
}

pub async fn rest_authorizers(ctx: &AwsContext, api_id: &str) -> Result<Vec<Authorizer>, AwsError> {
    all_pages(|position| async move {
        ctx.pacer.wait().await;
        let req = ctx.apigw.get_authorizers().rest_api_id(api_id).limit(PAGE_SIZE).set_position(position);
        let page = req.send().await.map_err(|e| ctx.err("GetAuthorizers", e))?;
        Ok((page.items().iter().map(rest_authorizer).collect(), next(page.position(), page.items().len())))
    })
    .await
}

fn rest_authorizer(a: &gw::Authorizer) -> Authorizer {
    Authorizer {
        id: a.id().unwrap_or_default().to_string(),
        name: a.name().unwrap_or_default().to_string(),
        kind: a.r#type().map(|t| t.as_str().to_string()).unwrap_or_default(),
        identity_source: a.identity_source().map(str::to_string),
        provider: a.provider_arns().to_vec(),
        audience: vec![],
    }
}

/// Every method of every resource, and every resource path (some have no methods).
pub async fn rest_methods(ctx: &AwsContext, api_id: &str) -> Result<(Vec<Method>, Vec<String>), AwsError> {
    let resources = rest_resources(ctx, api_id).await?;
    let paths = resources.iter().map(|r| r.path().unwrap_or("/").to_string()).collect();
    let mut methods = Vec::new();
    for r in &resources {
        for (verb, m) in r.resource_methods().into_iter().flatten() {
            methods.push(rest_method(ctx, api_id, r, verb, m).await?);
        }
    }
    methods.sort_by(|a, b| (&a.path, &a.method).cmp(&(&b.path, &b.method)));
    Ok((methods, paths))
}

async fn rest_resources(ctx: &AwsContext, api_id: &str) -> Result<Vec<gw::Resource>, AwsError> {
    all_pages(|position| async move {
        ctx.pacer.wait().await;
        let req = ctx.apigw.get_resources().rest_api_id(api_id).limit(PAGE_SIZE).embed("methods");
        let page = req.set_position(position).send().await.map_err(|e| ctx.err("GetResources", e))?;
        Ok((page.items().to_vec(), next(page.position(), page.items().len())))
    })
    .await
}

/// With `embed=methods` the method arrives inline; if the endpoint left it sparse, ask for it.
async fn rest_method(
    ctx: &AwsContext,
    api_id: &str,
    r: &gw::Resource,
    verb: &str,
    m: &gw::Method,
) -> Result<Method, AwsError> {
    if m.authorization_type().is_some() {
        return Ok(method_of(r, verb, m));
    }
    ctx.pacer.wait().await;
    let full = ctx
        .apigw
        .get_method()
        .rest_api_id(api_id)
        .resource_id(r.id().unwrap_or_default())
        .http_method(verb)
        .send()
        .await
        .map_err(|e| ctx.err("GetMethod", e))?;
    let m = gw::Method::builder()
        .set_http_method(full.http_method().map(str::to_string))
        .set_authorization_type(full.authorization_type().map(str::to_string))
        .set_authorizer_id(full.authorizer_id().map(str::to_string))
        .set_api_key_required(full.api_key_required())
        .set_operation_name(full.operation_name().map(str::to_string))
        .set_method_integration(full.method_integration().cloned())
        .set_authorization_scopes(Some(full.authorization_scopes().to_vec()))
        .build();
    Ok(method_of(r, verb, &m))
}

fn method_of(r: &gw::Resource, verb: &str, m: &gw::Method) -> Method {
    let integration = m.method_integration();
    Method {
        path: r.path().unwrap_or("/").to_string(),
        method: m.http_method().unwrap_or(verb).to_string(),
        authorization: m.authorization_type().unwrap_or("NONE").to_string(),
        authorizer_id: m.authorizer_id().map(str::to_string),
        api_key_required: m.api_key_required().unwrap_or(false),
        integration_type: integration.and_then(|i| i.r#type()).map(|t| t.as_str().to_string()),
        integration_uri: integration.and_then(|i| i.uri()).map(str::to_string),
        resource_id: r.id().unwrap_or_default().to_string(),
        operation_name: m.operation_name().map(str::to_string),
        authorization_scopes: m.authorization_scopes().to_vec(),
    }
}

/// The API's definition as exported by API Gateway (JSON; OpenAPI 3.0 asked, Swagger 2.0 accepted).
pub async fn export_definition(ctx: &AwsContext, api: &Api, stage: &str) -> Result<String, AwsError> {
    match api.kind {
        ApiKind::Rest => {
            ctx.pacer.wait().await;
            let out = ctx
                .apigw
                .get_export()
                .rest_api_id(&api.id)
                .stage_name(stage)
                .export_type("oas30")
                .accepts("application/json")
                .send()
                .await
                .map_err(|e| ctx.err("GetExport", e))?;
            Ok(out.body().map(|b| String::from_utf8_lossy(b.as_ref()).into_owned()).unwrap_or_default())
        }
        ApiKind::Http => {
            ctx.pacer.wait().await;
            let out = ctx
                .apigw2
                .export_api()
                .api_id(&api.id)
                .specification("OAS30")
                .output_type("JSON")
                .stage_name(stage)
                .send()
                .await
                .map_err(|e| ctx.err("ExportApi", e))?;
            Ok(out.body().map(|b| String::from_utf8_lossy(b.as_ref()).into_owned()).unwrap_or_default())
        }
    }
}

// ---------- HTTP (apigatewayv2) ----------

const V2_PAGE: &str = "500";

pub async fn list_http_apis(ctx: &AwsContext) -> Result<Vec<Api>, AwsError> {
    all_pages(|token| async move {
        ctx.pacer.wait().await;
        let req = ctx.apigw2.get_apis().max_results(V2_PAGE).set_next_token(token);
        let page = req.send().await.map_err(|e| ctx.err("GetApis", e))?;
        let http = page.items().iter().filter(|a| a.protocol_type() == Some(&gw2::ProtocolType::Http));
        // The next token follows the page's size before WebSocket APIs are left out.
        Ok((http.map(|a| http_api(ctx, a)).collect(), next(page.next_token(), page.items().len())))
    })
    .await
}

fn http_api(ctx: &AwsContext, a: &gw2::Api) -> Api {
    Api {
        id: a.api_id().unwrap_or_default().to_string(),
        name: a.name().unwrap_or_default().to_string(),
        kind: ApiKind::Http,
        region: ctx.region.clone(),
        account: ctx.account_ref(),
        description: a.description().map(str::to_string),
        // HTTP APIs have no endpoint configuration: they are always regional.
        endpoint_type: Some("REGIONAL".into()),
        tags: tags(a.tags()),
        created_date: date(a.created_date()),
        api_endpoint: a.api_endpoint().map(str::to_string),
        stages: vec![],
        authorizers: vec![],
        methods: None,
        routes: None,
        error: None,
    }
}

pub async fn http_stages(ctx: &AwsContext, api_id: &str) -> Result<Vec<Stage>, AwsError> {
    let mut out = all_pages(|token| async move {
        ctx.pacer.wait().await;
        let req = ctx.apigw2.get_stages().api_id(api_id).max_results(V2_PAGE).set_next_token(token);
        let page = req.send().await.map_err(|e| ctx.err("GetStages", e))?;
        Ok((page.items().iter().map(http_stage).collect(), next(page.next_token(), page.items().len())))
    })
    .await?;
    out.sort_by(|a: &Stage, b| a.name.cmp(&b.name));
    Ok(out)
}

fn http_stage(s: &gw2::Stage) -> Stage {
    let route = s.default_route_settings();
    Stage {
        name: s.stage_name().unwrap_or_default().to_string(),
        deployment_id: s.deployment_id().map(str::to_string),
        description: s.description().map(str::to_string),
        throttle: route
            .filter(|r| r.throttling_rate_limit().is_some() || r.throttling_burst_limit().is_some())
            .map(|r| Throttle { rate_limit: r.throttling_rate_limit(), burst_limit: r.throttling_burst_limit() }),
        execution_logging: route.and_then(|r| r.logging_level()).map(|l| l.as_str().to_string()),
        data_trace: route.and_then(|r| r.data_trace_enabled()),
        metrics_enabled: route.and_then(|r| r.detailed_metrics_enabled()),
        access_log: s.access_log_settings().map(|a| AccessLog {
            destination_arn: a.destination_arn().map(str::to_string),
            format: a.format().map(str::to_string),
        }),
        client_certificate_id: s.client_certificate_id().map(str::to_string),
        variables: tags(s.stage_variables()),
        tags: tags(s.tags()),
        auto_deploy: s.auto_deploy(),
        created_date: date(s.created_date()),
        last_updated_date: date(s.last_updated_date()),
        ..Stage::default()
    }
}

pub async fn http_authorizers(ctx: &AwsContext, api_id: &str) -> Result<Vec<Authorizer>, AwsError> {
    all_pages(|token| async move {
        ctx.pacer.wait().await;
        let req = ctx.apigw2.get_authorizers().api_id(api_id).max_results(V2_PAGE).set_next_token(token);
        let page = req.send().await.map_err(|e| ctx.err("GetAuthorizers", e))?;
        Ok((page.items().iter().map(http_authorizer).collect(), next(page.next_token(), page.items().len())))
    })
    .await
}

/// Some endpoints (moto) lack the GetAuthorizers list for HTTP APIs: then derive the
/// list from the authorizer ids the routes name, with one GetAuthorizer each.
async fn http_authorizers_or_derived(
    ctx: &AwsContext,
    api_id: &str,
    routes: Option<&[Route]>,
) -> Result<Vec<Authorizer>, AwsError> {
    if !ctx.quirks.no_http_authorizer_list.load(Ordering::Relaxed) {
        match http_authorizers(ctx, api_id).await {
            Err(e) if e.kind == ErrorKind::NotImplemented => {
                tracing::debug!(api_id, "GetAuthorizers unsupported here; deriving authorizers from routes");
                ctx.quirks.no_http_authorizer_list.store(true, Ordering::Relaxed);
            }
            // The list still failing after its retries: the routes name the authorizers, each
            // one can be read on its own (the same data); if that fails too, the list's error stands.
            Err(e) => return derive_http_authorizers(ctx, api_id, routes).await.map_err(|_| e),
            ok => return ok,
        }
    }
    derive_http_authorizers(ctx, api_id, routes).await
}

/// Ask once, without retries, whether the endpoint lists HTTP API authorizers, so that an
/// emulator without the operation does not cost every API three attempts with back-off.
/// A transient failure (a throttle, a dropped connection) says nothing: it asks again, up to
/// three times, one attempt each.
async fn probe_http_authorizer_list(ctx: &AwsContext, api_id: &str) {
    for _ in 0..3 {
        let no_retry =
            aws_sdk_apigatewayv2::config::Builder::default().retry_config(aws_config::retry::RetryConfig::disabled());
        ctx.pacer.wait().await;
        let r = ctx.apigw2.get_authorizers().api_id(api_id).customize().config_override(no_retry).send().await;
        match r.map_err(|e| ctx.err("GetAuthorizers", e)) {
            Ok(_) => return,
            Err(e) if e.kind == ErrorKind::NotImplemented => {
                return ctx.quirks.no_http_authorizer_list.store(true, Ordering::Relaxed);
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
}

async fn derive_http_authorizers(
    ctx: &AwsContext,
    api_id: &str,
    routes: Option<&[Route]>,
) -> Result<Vec<Authorizer>, AwsError> {
    let routes = match routes {
        Some(r) => r.to_vec(),
        None => http_routes(ctx, api_id).await?,
    };
    let mut ids: Vec<String> = routes.into_iter().filter_map(|r| r.authorizer_id).collect();
    ids.sort();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        ctx.pacer.wait().await;
        let a = ctx
            .apigw2
            .get_authorizer()
            .api_id(api_id)
            .authorizer_id(&id)
            .send()
            .await
            .map_err(|e| ctx.err("GetAuthorizer", e))?;
        let built = gw2::Authorizer::builder()
            .set_authorizer_id(a.authorizer_id().map(str::to_string))
            .set_name(a.name().map(str::to_string))
            .set_authorizer_type(a.authorizer_type().cloned())
            .set_identity_source(Some(a.identity_source().to_vec()))
            .set_jwt_configuration(a.jwt_configuration().cloned())
            .build();
        out.push(http_authorizer(&built));
    }
    Ok(out)
}

fn http_authorizer(a: &gw2::Authorizer) -> Authorizer {
    let jwt = a.jwt_configuration();
    Authorizer {
        id: a.authorizer_id().unwrap_or_default().to_string(),
        name: a.name().unwrap_or_default().to_string(),
        kind: a.authorizer_type().map(|t| t.as_str().to_string()).unwrap_or_default(),
        identity_source: Some(a.identity_source().join(",")).filter(|s| !s.is_empty()),
        provider: jwt.and_then(|j| j.issuer()).map(|i| vec![i.to_string()]).unwrap_or_default(),
        audience: jwt.map(|j| j.audience().to_vec()).unwrap_or_default(),
    }
}

pub async fn http_routes(ctx: &AwsContext, api_id: &str) -> Result<Vec<Route>, AwsError> {
    let mut out = all_pages(|token| async move {
        ctx.pacer.wait().await;
        let req = ctx.apigw2.get_routes().api_id(api_id).max_results(V2_PAGE).set_next_token(token);
        let page = req.send().await.map_err(|e| ctx.err("GetRoutes", e))?;
        Ok((page.items().iter().map(http_route).collect(), next(page.next_token(), page.items().len())))
    })
    .await?;
    out.sort_by(|a: &Route, b| a.route_key.cmp(&b.route_key));
    Ok(out)
}

fn http_route(r: &gw2::Route) -> Route {
    Route {
        route_key: r.route_key().unwrap_or_default().to_string(),
        authorization: r.authorization_type().map(|t| t.as_str().to_string()).unwrap_or_else(|| "NONE".into()),
        authorizer_id: r.authorizer_id().map(str::to_string),
        route_id: r.route_id().unwrap_or_default().to_string(),
        target: r.target().map(str::to_string),
        authorization_scopes: r.authorization_scopes().to_vec(),
    }
}
