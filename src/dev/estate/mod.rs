//! The sample API estate: one builder, used by `scripts/demo` (through `portcullis-dev estate`)
//! and by the integration tests. It only ever builds into an emulator: [`build`] refuses a
//! context without a custom endpoint, whoever calls it.
//!
//! Everything is created through the SDK, as a platform team's tooling would.

use crate::aws::clients::AwsContext;
use crate::aws::error::{AwsError, ErrorKind};
use aws_sdk_apigateway::types::{
    ApiStage, EndpointConfiguration, EndpointType, IntegrationType, Op, PatchOperation, QuotaPeriodType, QuotaSettings,
    ThrottleSettings,
};
use aws_sdk_apigatewayv2::types::{
    AuthorizerType, IntegrationType as IntegrationType2, JwtConfiguration, ProtocolType, RouteSettings,
};
use aws_sdk_cognitoidentityprovider::types::ResourceServerScopeType;
use futures::stream::{self, StreamExt, TryStreamExt};
use std::collections::HashMap;

pub mod data;
mod docs;
pub mod org;
pub mod trail;
pub use data::{ExpectedApi, ExpectedMethod, ExpectedRoute, ExpectedStage};

/// How big an estate to build.
#[derive(Debug, Clone)]
pub struct EstateSpec {
    pub rest_apis: usize,
    pub http_apis: usize,
    /// Base URL of an upstream that HTTP_PROXY integrations forward to.
    pub upstream: String,
    pub with_plans_and_keys: bool,
    /// Also write trail logs to an S3 bucket (`trail::bucket_name`).
    pub with_trail: bool,
}

impl Default for EstateSpec {
    fn default() -> Self {
        EstateSpec {
            rest_apis: 7,
            http_apis: 2,
            upstream: "https://backend.internal.kestrel-freight.example".into(),
            with_plans_and_keys: true,
            with_trail: true,
        }
    }
}

/// What was built, for the demo's summary and the tests' expectations.
#[derive(Debug, Clone, Default)]
pub struct EstateSummary {
    pub user_pool_id: String,
    pub apis: Vec<ExpectedApi>,
    pub plan_ids: Vec<String>,
    pub key_ids: Vec<String>,
    /// The partners' app clients: (partner, client id).
    pub clients: Vec<(String, String)>,
    /// Whether a partner's app client got a second secret (the endpoint has the two-secret model).
    pub second_secret: bool,
    /// How many documentation parts the REST APIs have (none where the endpoint lacks them).
    pub documentation_parts: usize,
    /// The trail-log bucket and how many events it holds.
    pub trail: Option<(String, usize)>,
}

const CONCURRENCY: usize = 4;

pub async fn build(ctx: &AwsContext, spec: &EstateSpec) -> Result<EstateSummary, AwsError> {
    ctx.check_writable("BuildEstate")?;
    if ctx.endpoint.is_none() {
        return Err(AwsError::new(
            ErrorKind::Refused,
            "BuildEstate",
            "the sample estate is only built into an emulator: pass --endpoint-url (never a real account)",
        ));
    }
    let pool = user_pool(ctx).await?;
    let pool_arn = format!("arn:aws:cognito-idp:{}:123456789012:userpool/{}", ctx.region, pool);
    let rest_specs = data::rest_specs(spec.rest_apis);
    let http_specs = data::http_specs(spec.http_apis);
    let mut apis: Vec<ExpectedApi> = stream::iter(rest_specs)
        .map(|s| rest_api(ctx, s, &pool_arn, &spec.upstream))
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    let issuer = format!("https://cognito-idp.{}.amazonaws.com/{}", ctx.region, pool);
    let http: Vec<ExpectedApi> = stream::iter(http_specs)
        .map(|s| http_api(ctx, s, &issuer, &spec.upstream))
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    apis.extend(http);
    let mut summary = EstateSummary { user_pool_id: pool, apis, ..Default::default() };
    // Documentation parts go through the demo's front (moto has none): tried on the first API,
    // skipped for the rest when the endpoint lacks them.
    for api in summary.apis.iter().filter(|a| a.kind == "rest") {
        match docs::documentation(ctx, &api.id, &api.description, &api.methods).await? {
            Some(n) => summary.documentation_parts += n,
            None => break,
        }
    }
    if spec.with_plans_and_keys {
        plans_and_keys(ctx, &mut summary).await?;
        custom_domain(ctx).await?;
    }
    if spec.with_trail {
        summary.trail = Some(trail::write(ctx, &summary).await?);
    }
    Ok(summary)
}

async fn user_pool(ctx: &AwsContext) -> Result<String, AwsError> {
    let pool = ctx
        .cognito
        .create_user_pool()
        .pool_name("kestrel-partners")
        .user_pool_tags("owner", "team-partner-platform")
        .send()
        .await
        .map_err(|e| ctx.err("CreateUserPool", e))?;
    let id = pool.user_pool().and_then(|p| p.id()).unwrap_or_default().to_string();
    let scopes = data::SCOPES.iter().map(|(n, d)| {
        ResourceServerScopeType::builder().scope_name(*n).scope_description(*d).build().expect("scope fields set")
    });
    ctx.cognito
        .create_resource_server()
        .user_pool_id(&id)
        .identifier(data::RESOURCE_SERVER)
        .name("Kestrel Freight public APIs")
        .set_scopes(Some(scopes.collect()))
        .send()
        .await
        .map_err(|e| ctx.err("CreateResourceServer", e))?;
    // A domain: the token URL of client credentials (`https://<domain>.auth.<region>.amazoncognito.com`).
    ctx.cognito
        .create_user_pool_domain()
        .user_pool_id(&id)
        .domain(data::POOL_DOMAIN)
        .send()
        .await
        .map_err(|e| ctx.err("CreateUserPoolDomain", e))?;
    Ok(id)
}

async fn rest_api(
    ctx: &AwsContext,
    s: data::RestSpec,
    pool_arn: &str,
    upstream: &str,
) -> Result<ExpectedApi, AwsError> {
    let endpoint = EndpointConfiguration::builder().types(EndpointType::from(s.endpoint_type)).build();
    let api = ctx
        .apigw
        .create_rest_api()
        .name(&s.name)
        .description(&s.description)
        .endpoint_configuration(endpoint)
        .set_tags(Some(s.tags.clone()))
        .send()
        .await
        .map_err(|e| ctx.err("CreateRestApi", e))?;
    let api_id = api.id().unwrap_or_default().to_string();
    let root = api.root_resource_id().unwrap_or_default().to_string();
    let auth = ctx
        .apigw
        .create_authorizer()
        .rest_api_id(&api_id)
        .name("partners-cognito")
        .r#type(aws_sdk_apigateway::types::AuthorizerType::CognitoUserPools)
        .provider_arns(pool_arn)
        .identity_source("method.request.header.Authorization")
        .send()
        .await
        .map_err(|e| ctx.err("CreateAuthorizer", e))?;
    let auth_id = auth.id().unwrap_or_default().to_string();
    let mut ids: HashMap<String, String> = HashMap::from([("/".to_string(), root)]);
    let item = docs::item_name(&s.methods);
    docs::models(ctx, &api_id, &item).await?;
    let mut methods = Vec::new();
    for m in &s.methods {
        let rid = ensure_resource(ctx, &api_id, &mut ids, &m.path).await?;
        put_method(ctx, &api_id, &rid, m, &auth_id, upstream, &item).await?;
        methods.push(ExpectedMethod {
            authorizer_id: (m.authorization == "COGNITO_USER_POOLS").then(|| auth_id.clone()),
            ..m.clone()
        });
    }
    let stages = rest_stages(ctx, &api_id, &s).await?;
    Ok(ExpectedApi {
        id: api_id,
        name: s.name,
        kind: "rest",
        tags: s.tags,
        description: s.description,
        stages,
        methods,
        routes: vec![],
    })
}

async fn ensure_resource(
    ctx: &AwsContext,
    api_id: &str,
    ids: &mut HashMap<String, String>,
    path: &str,
) -> Result<String, AwsError> {
    if let Some(id) = ids.get(path) {
        return Ok(id.clone());
    }
    let (parent_path, part) = path.rsplit_once('/').expect("paths start with /");
    let parent_path = if parent_path.is_empty() { "/" } else { parent_path };
    let parent = Box::pin(ensure_resource(ctx, api_id, ids, parent_path)).await?;
    let r = ctx
        .apigw
        .create_resource()
        .rest_api_id(api_id)
        .parent_id(parent)
        .path_part(part)
        .send()
        .await
        .map_err(|e| ctx.err("CreateResource", e))?;
    let id = r.id().unwrap_or_default().to_string();
    ids.insert(path.to_string(), id.clone());
    Ok(id)
}

async fn put_method(
    ctx: &AwsContext,
    api_id: &str,
    rid: &str,
    m: &ExpectedMethod,
    auth_id: &str,
    upstream: &str,
    item: &str,
) -> Result<(), AwsError> {
    let mut req = ctx
        .apigw
        .put_method()
        .rest_api_id(api_id)
        .resource_id(rid)
        .http_method(&m.method)
        .authorization_type(&m.authorization)
        .api_key_required(m.api_key_required)
        .set_request_parameters(Some(docs::request_parameters(m)))
        .set_request_models(docs::request_model(m, item));
    if m.authorization == "COGNITO_USER_POOLS" {
        req = req.authorizer_id(auth_id).authorization_scopes(format!("{}/read", data::RESOURCE_SERVER));
    }
    req.send().await.map_err(|e| ctx.err("PutMethod", e))?;
    let kind = IntegrationType::from(m.integration_type.as_str());
    let mut integ =
        ctx.apigw.put_integration().rest_api_id(api_id).resource_id(rid).http_method(&m.method).r#type(kind.clone());
    integ = match kind {
        IntegrationType::HttpProxy => integ.integration_http_method(&m.method).uri(format!("{upstream}{}", m.path)),
        IntegrationType::AwsProxy => integ.integration_http_method("POST").uri(data::lambda_uri(&ctx.region)),
        _ => integ.request_templates("application/json", "{\"statusCode\": 200}"),
    };
    integ.send().await.map_err(|e| ctx.err("PutIntegration", e))?;
    docs::method_responses(ctx, api_id, rid, m, item).await
}

async fn rest_stages(ctx: &AwsContext, api_id: &str, s: &data::RestSpec) -> Result<Vec<ExpectedStage>, AwsError> {
    let dep = ctx
        .apigw
        .create_deployment()
        .rest_api_id(api_id)
        .description("initial deployment")
        .send()
        .await
        .map_err(|e| ctx.err("CreateDeployment", e))?;
    let dep_id = dep.id().unwrap_or_default().to_string();
    let mut out = Vec::new();
    for st in data::rest_stage_specs(s) {
        let mut req = ctx
            .apigw
            .create_stage()
            .rest_api_id(api_id)
            .deployment_id(&dep_id)
            .stage_name(st.name)
            .description(st.description)
            .tracing_enabled(st.tracing)
            .cache_cluster_enabled(st.cache)
            .variables("backendHost", format!("{}.backend.internal", st.name))
            .tags("environment", st.name);
        if let Some((name, value)) = st.secret {
            req = req.variables(name, value);
        }
        if st.owned {
            req = req.tags("owner", s.tags.get("owner").cloned().unwrap_or_default());
        }
        if st.cache {
            req = req.cache_cluster_size(aws_sdk_apigateway::types::CacheClusterSize::Size0Point5Gb);
        }
        req.send().await.map_err(|e| ctx.err("CreateStage", e))?;
        ctx.apigw
            .update_stage()
            .rest_api_id(api_id)
            .stage_name(st.name)
            .set_patch_operations(Some(stage_patches(&st)))
            .send()
            .await
            .map_err(|e| ctx.err("UpdateStage", e))?;
        out.push(ExpectedStage {
            name: st.name.to_string(),
            deployment_id: dep_id.clone(),
            description: st.description.to_string(),
            tracing: st.tracing,
            cache: st.cache,
        });
    }
    Ok(out)
}

fn patch(path: &str, value: impl Into<String>) -> PatchOperation {
    PatchOperation::builder().op(Op::Replace).path(path).value(value).build()
}

fn stage_patches(st: &data::StageSpec) -> Vec<PatchOperation> {
    let mut ops = vec![
        patch("/*/*/logging/loglevel", st.logging),
        patch("/*/*/metrics/enabled", "true"),
        patch("/*/*/throttling/rateLimit", st.rate.to_string()),
        patch("/*/*/throttling/burstLimit", st.burst.to_string()),
    ];
    if st.data_trace {
        ops.push(patch("/*/*/logging/dataTrace", "true"));
    }
    if st.access_log {
        ops.push(patch(
            "/accessLogSettings/destinationArn",
            "arn:aws:logs:us-east-1:123456789012:log-group:apigw-access",
        ));
        ops.push(patch("/accessLogSettings/format", "$context.requestId $context.status"));
    }
    ops
}

async fn http_api(ctx: &AwsContext, s: data::HttpSpec, issuer: &str, upstream: &str) -> Result<ExpectedApi, AwsError> {
    let api = ctx.apigw2.create_api().name(&s.name).protocol_type(ProtocolType::Http).description(&s.description);
    let api = api.set_tags(Some(s.tags.clone())).send().await.map_err(|e| ctx.err("CreateApi", e))?;
    let api_id = api.api_id().unwrap_or_default().to_string();
    let auth_id = jwt_authorizer(ctx, &api_id, issuer).await?;
    let integ = ctx.apigw2.create_integration().api_id(&api_id).integration_type(IntegrationType2::HttpProxy);
    let integ = integ.integration_method("ANY").integration_uri(format!("{upstream}/{}", s.name));
    let integ = integ.payload_format_version("1.0").send().await.map_err(|e| ctx.err("CreateIntegration", e))?;
    let target = format!("integrations/{}", integ.integration_id().unwrap_or_default());
    let mut routes = Vec::new();
    for r in &s.routes {
        routes.push(http_route(ctx, &api_id, r, &target, &auth_id).await?);
    }
    // The first HTTP API's stage passes every stage rule (access log, detailed metrics, owner).
    let governed = s.name == "tracking-events";
    let stages = vec![default_stage(ctx, &api_id, governed, s.tags.get("owner")).await?];
    Ok(ExpectedApi {
        id: api_id,
        name: s.name,
        kind: "http",
        tags: s.tags,
        description: s.description,
        stages,
        methods: vec![],
        routes,
    })
}

async fn jwt_authorizer(ctx: &AwsContext, api_id: &str, issuer: &str) -> Result<String, AwsError> {
    let jwt = JwtConfiguration::builder().audience("kestrel-partner-portal").issuer(issuer).build();
    let req = ctx.apigw2.create_authorizer().api_id(api_id).name("partners-jwt").authorizer_type(AuthorizerType::Jwt);
    let auth = req.identity_source("$request.header.Authorization").jwt_configuration(jwt).send().await;
    Ok(auth.map_err(|e| ctx.err("CreateAuthorizer", e))?.authorizer_id().unwrap_or_default().to_string())
}

async fn http_route(
    ctx: &AwsContext,
    api_id: &str,
    r: &ExpectedRoute,
    target: &str,
    auth_id: &str,
) -> Result<ExpectedRoute, AwsError> {
    let auth = aws_sdk_apigatewayv2::types::AuthorizationType::from(r.authorization.as_str());
    let mut req =
        ctx.apigw2.create_route().api_id(api_id).route_key(&r.route_key).target(target).authorization_type(auth);
    if r.authorization == "JWT" {
        req = req.authorizer_id(auth_id).authorization_scopes(format!("{}/read", data::RESOURCE_SERVER));
    }
    req.send().await.map_err(|e| ctx.err("CreateRoute", e))?;
    Ok(ExpectedRoute { authorizer_id: (r.authorization == "JWT").then(|| auth_id.to_string()), ..r.clone() })
}

async fn default_stage(
    ctx: &AwsContext,
    api_id: &str,
    governed: bool,
    owner: Option<&String>,
) -> Result<ExpectedStage, AwsError> {
    let description = "default stage, auto-deployed";
    let settings = RouteSettings::builder()
        .throttling_rate_limit(50.0)
        .throttling_burst_limit(100)
        .detailed_metrics_enabled(governed)
        .build();
    let mut req = ctx.apigw2.create_stage().api_id(api_id).stage_name("$default").auto_deploy(true);
    if governed {
        let log = aws_sdk_apigatewayv2::types::AccessLogSettings::builder()
            .destination_arn("arn:aws:logs:us-east-1:123456789012:log-group:apigw-v2-access")
            .format("$context.requestId $context.status")
            .build();
        req = req.access_log_settings(log);
        if let Some(o) = owner {
            req = req.tags("owner", o);
        }
    }
    req.description(description)
        .default_route_settings(settings)
        .send()
        .await
        .map_err(|e| ctx.err("CreateStage", e))?;
    Ok(ExpectedStage {
        name: "$default".into(),
        deployment_id: String::new(),
        description: description.into(),
        tracing: false,
        cache: false,
    })
}

/// The partners' custom domain, still on TLS_1_2 (governance's APIGateway.11 finds it).
async fn custom_domain(ctx: &AwsContext) -> Result<(), AwsError> {
    ctx.apigw
        .create_domain_name()
        .domain_name(format!("partners.{}.kestrel-logistics.example", ctx.region))
        .regional_certificate_arn(format!("arn:aws:acm:{}:123456789012:certificate/kestrel-partners", ctx.region))
        .endpoint_configuration(
            aws_sdk_apigateway::types::EndpointConfiguration::builder()
                .types(aws_sdk_apigateway::types::EndpointType::Regional)
                .build(),
        )
        .security_policy(aws_sdk_apigateway::types::SecurityPolicy::Tls12)
        .send()
        .await
        .map_err(|e| ctx.err("CreateDomainName", e))?;
    Ok(())
}

async fn plans_and_keys(ctx: &AwsContext, summary: &mut EstateSummary) -> Result<(), AwsError> {
    let rest: Vec<&ExpectedApi> = summary.apis.iter().filter(|a| a.kind == "rest").collect();
    for (i, p) in data::PLANS.iter().enumerate() {
        let stages = rest
            .iter()
            .skip(i)
            .step_by(2)
            .take(3)
            .map(|a| ApiStage::builder().api_id(&a.id).stage(if i == 0 { "dev" } else { "prod" }).build());
        let plan = ctx
            .apigw
            .create_usage_plan()
            .name(p.name)
            .description(p.description)
            .set_api_stages(Some(stages.collect()))
            .throttle(ThrottleSettings::builder().rate_limit(p.rate).burst_limit(p.burst).build())
            .quota(QuotaSettings::builder().limit(p.quota).period(QuotaPeriodType::from(p.period)).offset(0).build())
            .tags("owner", "team-partner-platform")
            .send()
            .await
            .map_err(|e| ctx.err("CreateUsagePlan", e))?;
        summary.plan_ids.push(plan.id().unwrap_or_default().to_string());
    }
    for k in data::keys() {
        let key = ctx
            .apigw
            .create_api_key()
            .name(&k.name)
            .description(&k.description)
            .enabled(k.enabled)
            .customer_id(k.partner)
            .tags("partner", k.partner)
            .send()
            .await
            .map_err(|e| ctx.err("CreateApiKey", e))?;
        let key_id = key.id().unwrap_or_default().to_string();
        for plan in k.plans.iter().filter_map(|p| summary.plan_ids.get(*p)) {
            ctx.apigw
                .create_usage_plan_key()
                .usage_plan_id(plan)
                .key_id(&key_id)
                .key_type("API_KEY")
                .send()
                .await
                .map_err(|e| ctx.err("CreateUsagePlanKey", e))?;
        }
        summary.key_ids.push(key_id);
    }
    partners(ctx, summary).await
}

/// The HTTP APIs' JWT authorizers accept the partners' client-credentials tokens: API Gateway
/// checks such a token's `client_id` against the audience (the token has no `aud`), so each
/// partner's app client id joins `kestrel-partner-portal` there.
async fn jwt_audiences(ctx: &AwsContext, summary: &EstateSummary, client_ids: &[String]) -> Result<(), AwsError> {
    let issuer = format!("https://cognito-idp.{}.amazonaws.com/{}", ctx.region, summary.user_pool_id);
    let mut audience = vec!["kestrel-partner-portal".to_string()];
    audience.extend(client_ids.iter().cloned());
    for api in summary.apis.iter().filter(|a| a.kind == "http") {
        let Some(auth_id) = api.routes.iter().find_map(|r| r.authorizer_id.clone()) else { continue };
        let jwt = JwtConfiguration::builder().set_audience(Some(audience.clone())).issuer(&issuer).build();
        ctx.apigw2
            .update_authorizer()
            .api_id(&api.id)
            .authorizer_id(&auth_id)
            .jwt_configuration(jwt)
            .send()
            .await
            .map_err(|e| ctx.err("UpdateAuthorizer", e))?;
    }
    Ok(())
}

/// The partners' app clients in the partner pool (client credentials, the read scope), and a
/// key rotation in progress: every status shows on `:partners` (one partner has no app client).
async fn partners(ctx: &AwsContext, summary: &mut EstateSummary) -> Result<(), AwsError> {
    let mut client_ids = Vec::new();
    let now = time::OffsetDateTime::now_utc();
    for partner in data::PARTNERS.iter().filter(|p| **p != data::PARTNER_WITHOUT_CLIENT) {
        let days = data::CLIENT_AGE_DAYS.iter().find(|(p, _)| p == partner).map_or(0, |(_, d)| *d);
        let name = format!("{partner}/{}", crate::partners::ops::stamp(now - time::Duration::days(days)));
        let made = ctx
            .cognito
            .create_user_pool_client()
            .user_pool_id(&summary.user_pool_id)
            .client_name(name)
            .generate_secret(true)
            .allowed_o_auth_flows_user_pool_client(true)
            .allowed_o_auth_flows(aws_sdk_cognitoidentityprovider::types::OAuthFlowType::ClientCredentials)
            .allowed_o_auth_scopes(format!("{}/read", data::RESOURCE_SERVER))
            .send()
            .await
            .map_err(|e| ctx.err("CreateUserPoolClient", e))?;
        let id = made.user_pool_client().and_then(|c| c.client_id()).unwrap_or_default().to_string();
        summary.clients.push((partner.to_string(), id.clone()));
        client_ids.push(id);
    }
    jwt_audiences(ctx, summary, &client_ids).await?;
    // One partner is half-way through a secret rotation: a second secret, handed over, the
    // first still valid (Cognito's two-secret model; an endpoint without it is left alone).
    if let Some((_, client)) = summary.clients.iter().find(|(p, _)| p == data::PARTNER_SECRET_ROTATING) {
        let value = crate::partners::values::client_secret_value()
            .map_err(|e| AwsError::new(ErrorKind::Other, "AddUserPoolClientSecret", e))?;
        let added = crate::aws::cognito::add_secret(ctx, &summary.user_pool_id, client, &value).await?;
        summary.second_secret = added.is_some();
    }
    // The rotating partner's production key has a successor; both work until retire-after.
    let keys = data::keys();
    let Some(i) = keys.iter().position(|k| k.partner == data::PARTNER_ROTATING && k.name.ends_with("-prod")) else {
        return Ok(());
    };
    let old = summary.key_ids[i].clone();
    let retire = crate::domain::rfc3339(time::OffsetDateTime::now_utc() + time::Duration::days(4));
    let key = ctx
        .apigw
        .create_api_key()
        .name(format!("{}-prod-2", data::PARTNER_ROTATING))
        .description(format!("{} production access (rotated)", data::PARTNER_ROTATING))
        .enabled(true)
        .customer_id(data::PARTNER_ROTATING)
        .tags("partner", data::PARTNER_ROTATING)
        .tags(crate::domain::TAG_ROTATES, &old)
        .tags(crate::domain::TAG_RETIRE_AFTER, retire)
        .send()
        .await
        .map_err(|e| ctx.err("CreateApiKey", e))?;
    let key_id = key.id().unwrap_or_default().to_string();
    for plan in keys[i].plans.iter().filter_map(|p| summary.plan_ids.get(*p)) {
        let req = ctx.apigw.create_usage_plan_key().usage_plan_id(plan).key_id(&key_id).key_type("API_KEY");
        req.send().await.map_err(|e| ctx.err("CreateUsagePlanKey", e))?;
    }
    summary.key_ids.push(key_id);
    Ok(())
}
