//! The front (`src/dev/standin/upstream.py --front`, behind the proxy): what moto lacks answered in AWS's wire
//! format, the rest passed through to moto. Each answer is read here by the same `aws/`
//! functions the app uses, through the real SDK.

mod common;

use aws_sdk_apigateway::types::{ApiStage, QuotaPeriodType, QuotaSettings};
use common::{moto, unique_region};
use portcullis::config::Settings;

fn start_front(region: &str, dir: &std::path::Path) -> common::demo::Demo {
    common::demo::start(region, dir, true, true)
}

#[tokio::test]
async fn get_usage_is_answered_and_everything_else_passes_through() {
    let region = unique_region();
    let direct =
        portcullis::aws::connect(&Settings::for_endpoint(&[region], moto().endpoint())).await.unwrap().remove(0);
    let api = direct.apigw.create_rest_api().name("front-test").send().await.unwrap();
    let api_id = api.id().unwrap().to_string();
    let root = direct.apigw.get_resources().rest_api_id(&api_id).send().await.unwrap();
    let root = root.items()[0].id().unwrap().to_string();
    let put = direct.apigw.put_method().rest_api_id(&api_id).resource_id(&root).http_method("GET");
    put.authorization_type("NONE").send().await.unwrap();
    let integ = direct.apigw.put_integration().rest_api_id(&api_id).resource_id(&root).http_method("GET");
    integ.r#type(aws_sdk_apigateway::types::IntegrationType::Mock).send().await.unwrap();
    let dep = direct.apigw.create_deployment().rest_api_id(&api_id).stage_name("prod").send().await.unwrap();
    assert!(dep.id().is_some());
    let plan = direct
        .apigw
        .create_usage_plan()
        .name("front-plan")
        .api_stages(ApiStage::builder().api_id(&api_id).stage("prod").build())
        .quota(QuotaSettings::builder().limit(30_000).period(QuotaPeriodType::Month).build())
        .send()
        .await
        .unwrap();
    let plan_id = plan.id().unwrap().to_string();
    let mut key_ids = vec![];
    for name in ["a-prod", "b-prod"] {
        let key = direct.apigw.create_api_key().name(name).enabled(true).send().await.unwrap();
        let id = key.id().unwrap().to_string();
        let req = direct.apigw.create_usage_plan_key().usage_plan_id(&plan_id).key_id(&id).key_type("API_KEY");
        req.send().await.unwrap();
        key_ids.push(id);
    }
    // moto alone has no GetUsage.
    let e = portcullis::aws::plans::usage(&direct, &plan_id, None, 90).await.unwrap_err();
    assert!(e.to_string().contains("does not implement GetUsage"), "{e}");

    let dir = tempfile::tempdir().unwrap();
    let front = start_front(region, dir.path());
    let ctx = portcullis::aws::connect(&Settings::for_endpoint(&[region], front.front())).await.unwrap().remove(0);
    let usage = portcullis::aws::plans::usage(&ctx, &plan_id, None, 90).await.unwrap();
    assert_eq!(usage.keys.len(), 2, "every key of the plan");
    for (key, days) in &usage.keys {
        assert!(key_ids.contains(key));
        assert_eq!(days.len(), 90, "a row per day");
        // Within each month the used and the remaining add up to the quota.
        let mut used_in_month = 0;
        let mut month = None;
        for d in days {
            if month != Some(d.date[..7].to_string()) {
                (month, used_in_month) = (Some(d.date[..7].to_string()), 0);
            }
            used_in_month += d.used;
            assert_eq!(used_in_month + d.remaining, 30_000, "{key} {}", d.date);
        }
    }
    let near = usage.keys.values().filter(|days| days.iter().any(|d| d.remaining < 30_000 / 5)).count();
    assert!(near >= 1, "one key runs close to its quota: {:?}", usage.keys);
    // One key asked for: that key alone; the same numbers on every call.
    let one = portcullis::aws::plans::usage(&ctx, &plan_id, Some(&key_ids[1]), 90).await.unwrap();
    assert_eq!(one.keys.keys().collect::<Vec<_>>(), [&key_ids[1]]);
    assert_eq!(one.keys[&key_ids[1]], usage.keys[&key_ids[1]]);
    // An unknown plan: API Gateway's NotFoundException.
    let e = portcullis::aws::plans::usage(&ctx, "nosuchplan", None, 7).await.unwrap_err();
    assert!(e.to_string().contains("nosuchplan") || e.to_string().to_lowercase().contains("not found"), "{e}");
    // Everything else passes through to moto untouched: the same plans, read both ways.
    let through = portcullis::aws::plans::list_plans(&ctx).await.unwrap();
    let straight = portcullis::aws::plans::list_plans(&direct).await.unwrap();
    assert_eq!(through, straight);
}

/// The estate's trail logs in moto's S3, and the region's context through the front.
async fn trail_estate(region: &'static str) -> (portcullis::aws::AwsContext, usize, common::demo::Demo) {
    let direct =
        portcullis::aws::connect(&Settings::for_endpoint(&[region], moto().endpoint())).await.unwrap().remove(0);
    let summary = portcullis::dev::estate::EstateSummary {
        user_pool_id: "us-east-1_pool".into(),
        plan_ids: vec!["plan-a".into(), "plan-b".into(), "plan-c".into()],
        key_ids: (0..11).map(|i| format!("key{i:02}")).collect(),
        clients: vec![("tidewater-shipping".into(), "client-t".into())],
        second_secret: true,
        ..Default::default()
    };
    let (_, written) = portcullis::dev::estate::trail::write(&direct, &summary).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let front = start_front(region, dir.path());
    let ctx = portcullis::aws::connect(&Settings::for_endpoint(&[region], front.front())).await.unwrap().remove(0);
    (ctx, written, front)
}

fn window(hours: i64) -> portcullis::domain::Window {
    let now = time::OffsetDateTime::now_utc();
    portcullis::domain::Window {
        start: now - time::Duration::hours(hours),
        end: now,
        token: None,
        below: true,
        reached: now,
    }
}

#[tokio::test]
async fn lookup_events_pages_the_trail_logs_by_one_attribute() {
    use portcullis::aws::audit::{ServerFilter, lookup_page};
    let (ctx, written, _front) = trail_estate(unique_region()).await;
    // The whole week, page by page: 50 at most a page, newest first, each event once.
    let mut w = window(8 * 24);
    let mut events = Vec::new();
    let mut pages = 0;
    loop {
        let page = lookup_page(&ctx, &w, None).await.unwrap();
        assert!(page.events.len() <= 50);
        pages += 1;
        events.extend(page.events);
        match page.next_token {
            Some(t) => w.token = Some(t),
            None => break,
        }
    }
    assert_eq!(events.len(), written, "every event of the trail");
    assert!(pages >= written / 50, "{pages} pages");
    let times: Vec<_> = events.iter().map(|e| portcullis::domain::parse_time(&e.event_time).unwrap()).collect();
    assert!(times.windows(2).all(|t| t[0] >= t[1]), "newest first");
    let ids: std::collections::BTreeSet<_> = events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids.len(), events.len());
    // The record came along and was read: user, address, error.
    let denied = events.iter().find(|e| e.error_code.as_deref() == Some("AccessDenied")).unwrap();
    assert_eq!((denied.event_name.as_str(), denied.username.as_deref()), ("DeleteApiKey", Some("intern")));
    assert!(denied.resources.iter().any(|r| r.name == "key00" && r.kind == "AWS::ApiGateway::ApiKey"));
    // The last 24 hours hold most of them.
    let day = lookup_page(&ctx, &window(24), None).await.unwrap();
    assert_eq!(day.events.len(), 50);
    assert!(day.next_token.is_some(), "a second page within the last day");
    // One attribute: a resource, a source, an event name.
    let of_key = ServerFilter::new("ResourceName", "key03");
    let page = lookup_page(&ctx, &window(8 * 24), Some(&of_key)).await.unwrap();
    assert!(!page.events.is_empty() && page.events.iter().all(|e| e.resources.iter().any(|r| r.name == "key03")));
    let cognito = ServerFilter::new("EventSource", "cognito-idp.amazonaws.com");
    let page = lookup_page(&ctx, &window(8 * 24), Some(&cognito)).await.unwrap();
    assert!(!page.events.is_empty() && page.events.iter().all(|e| e.event_source == "cognito-idp.amazonaws.com"));
    let named = ServerFilter::new("EventName", "AddUserPoolClientSecret");
    assert_eq!(lookup_page(&ctx, &window(8 * 24), Some(&named)).await.unwrap().events.len(), 1);
    // CloudTrail's errors, as the SDK reads them.
    use aws_sdk_cloudtrail::error::ProvideErrorMetadata;
    use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
    let attr = |k: &str, v: &str| {
        LookupAttribute::builder().attribute_key(LookupAttributeKey::from(k)).attribute_value(v).build().unwrap()
    };
    let two = ctx.trail.lookup_events().lookup_attributes(attr("EventName", "GetApiKey"));
    let e = two.lookup_attributes(attr("Username", "intern")).send().await.unwrap_err();
    assert_eq!(e.code(), Some("InvalidLookupAttributesException"), "one attribute a call");
    let e = ctx.trail.lookup_events().max_results(51).send().await.unwrap_err();
    assert_eq!(e.code(), Some("InvalidMaxResultsException"));
    let e = ctx.trail.lookup_events().next_token("not-a-token").send().await.unwrap_err();
    assert_eq!(e.code(), Some("InvalidNextTokenException"));
    let now = aws_smithy_types::DateTime::from_secs(time::OffsetDateTime::now_utc().unix_timestamp());
    let before = aws_smithy_types::DateTime::from_secs(now.secs() - 3600);
    let e = ctx.trail.lookup_events().start_time(now).end_time(before).send().await.unwrap_err();
    assert_eq!(e.code(), Some("InvalidTimeRangeException"));
}

#[tokio::test]
async fn client_secrets_follow_the_two_secret_model() {
    use portcullis::aws::cognito;
    use portcullis::domain::Secret;
    let region = unique_region();
    let direct =
        portcullis::aws::connect(&Settings::for_endpoint(&[region], moto().endpoint())).await.unwrap().remove(0);
    let pool = direct.cognito.create_user_pool().pool_name("front-secrets").send().await.unwrap();
    let pool = pool.user_pool().unwrap().id().unwrap().to_string();
    let scope = aws_sdk_cognitoidentityprovider::types::ResourceServerScopeType::builder()
        .scope_name("read")
        .scope_description("read")
        .build()
        .unwrap();
    let server = direct.cognito.create_resource_server().user_pool_id(&pool).identifier("https://api.example");
    server.name("api").scopes(scope).send().await.unwrap();
    let made = direct
        .cognito
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("acme/20260115T090000Z")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(aws_sdk_cognitoidentityprovider::types::OAuthFlowType::ClientCredentials)
        .allowed_o_auth_scopes("https://api.example/read")
        .send()
        .await
        .unwrap();
    let client = made.user_pool_client().unwrap();
    let (client_id, first_value) =
        (client.client_id().unwrap().to_string(), client.client_secret().unwrap().to_string());
    // moto alone has none of it.
    assert_eq!(cognito::list_secrets(&direct, &pool, &client_id).await.unwrap(), None);

    let dir = tempfile::tempdir().unwrap();
    let front = start_front(region, dir.path());
    let ctx = portcullis::aws::connect(&Settings::for_endpoint(&[region], front.front())).await.unwrap().remove(0);
    // The client's own secret, dated by its name.
    let listed = cognito::list_secrets(&ctx, &pool, &client_id).await.unwrap().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].created_date.as_deref(), Some("2026-01-15T09:00:00Z"));
    assert!(listed[0].id.as_deref().is_some_and(|id| id.starts_with(&format!("{client_id}--"))));
    // A second secret of our choosing: its id and date, never its value.
    let second = Secret::new("portcullisDemoSecondSecret0123456789".to_string());
    let added = cognito::add_secret(&ctx, &pool, &client_id, &second).await.unwrap().unwrap();
    assert!(added.id.is_some() && added.created_date.is_some());
    assert_eq!(cognito::list_secrets(&ctx, &pool, &client_id).await.unwrap().unwrap().len(), 2);
    // Both work at the token endpoint; a third is over Cognito's limit.
    let token_url = format!("{}/{pool}/oauth2/token", front.upstream);
    assert_eq!(token_status(&token_url, &client_id, &first_value).await, 200);
    assert_eq!(token_status(&token_url, &client_id, second.expose()).await, 200);
    let third = Secret::new("portcullisDemoThirdSecret01234567890".to_string());
    let e = cognito::add_secret(&ctx, &pool, &client_id, &third).await.unwrap_err();
    assert_eq!(e.kind, portcullis::aws::ErrorKind::LimitExceeded, "{e}");
    // The old one retired: it no longer gets a token; the last one cannot be deleted.
    let old = listed[0].id.clone().unwrap();
    cognito::delete_secret(&ctx, &pool, &client_id, &old).await.unwrap();
    assert_eq!(token_status(&token_url, &client_id, &first_value).await, 400, "invalid_client");
    assert_eq!(token_status(&token_url, &client_id, second.expose()).await, 200);
    let last = added.id.clone().unwrap();
    let e = cognito::delete_secret(&ctx, &pool, &client_id, &last).await.unwrap_err();
    assert!(e.to_string().to_lowercase().contains("last"), "{e}");
    // A value Cognito makes comes back once; an unknown client is not found.
    let generated = ctx.cognito.add_user_pool_client_secret().user_pool_id(&pool).client_id(&client_id);
    let out = generated.send().await.unwrap();
    let value = out.client_secret_descriptor().and_then(|d| d.client_secret_value()).unwrap_or_default();
    assert!(value.len() >= 24, "a generated value is returned");
    let e = cognito::list_secrets(&ctx, &pool, "nosuchclient").await.unwrap_err();
    assert_eq!(e.kind, portcullis::aws::ErrorKind::NotFound, "{e}");
}

/// The token endpoint's status for client credentials.
async fn token_status(url: &str, client: &str, secret: &str) -> u16 {
    let resp = reqwest::Client::new()
        .post(url)
        .basic_auth(client, Some(secret))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    resp.status().as_u16()
}

#[tokio::test]
async fn exports_carry_parameters_schemas_and_documentation() {
    use aws_sdk_apigateway::types::{DocumentationPartLocation, DocumentationPartType};
    let region = unique_region();
    let direct =
        portcullis::aws::connect(&Settings::for_endpoint(&[region], moto().endpoint())).await.unwrap().remove(0);
    // A REST API with a model, parameters and responses, in moto.
    let api = direct.apigw.create_rest_api().name("docs-rest").description("Orders").send().await.unwrap();
    let api_id = api.id().unwrap().to_string();
    let root = api.root_resource_id().unwrap().to_string();
    let res = direct.apigw.create_resource().rest_api_id(&api_id).parent_id(&root).path_part("orders");
    let res = res.send().await.unwrap().id().unwrap().to_string();
    let schema =
        r#"{"type":"object","required":["id"],"properties":{"id":{"type":"string"},"total":{"type":"number"}}}"#;
    let model = direct.apigw.create_model().rest_api_id(&api_id).name("Order").content_type("application/json");
    model.schema(schema).send().await.unwrap();
    for verb in ["GET", "POST"] {
        let m = direct.apigw.put_method().rest_api_id(&api_id).resource_id(&res).http_method(verb);
        let m = m.authorization_type("NONE").api_key_required(verb == "POST");
        let m = if verb == "GET" {
            m.request_parameters("method.request.querystring.limit", false)
        } else {
            m.request_models("application/json", "Order")
        };
        m.send().await.unwrap();
        let r = direct.apigw.put_method_response().rest_api_id(&api_id).resource_id(&res).http_method(verb);
        r.status_code("200").response_models("application/json", "Order").send().await.unwrap();
        let i = direct.apigw.put_integration().rest_api_id(&api_id).resource_id(&res).http_method(verb);
        i.r#type(aws_sdk_apigateway::types::IntegrationType::Mock).send().await.unwrap();
    }
    direct.apigw.create_deployment().rest_api_id(&api_id).stage_name("prod").send().await.unwrap();
    // An HTTP API with a parameterised route.
    let http =
        direct.apigw2.create_api().name("docs-http").protocol_type(aws_sdk_apigatewayv2::types::ProtocolType::Http);
    let http_id = http.send().await.unwrap().api_id().unwrap().to_string();
    direct.apigw2.create_route().api_id(&http_id).route_key("GET /items/{id}").send().await.unwrap();
    direct.apigw2.create_stage().api_id(&http_id).stage_name("$default").send().await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let front = start_front(region, dir.path());
    let ctx = portcullis::aws::connect(&Settings::for_endpoint(&[region], front.front())).await.unwrap().remove(0);
    // Documentation parts, which moto lacks, through the front.
    let part = |t: DocumentationPartType, method: Option<&str>, name: Option<&str>| {
        DocumentationPartLocation::builder()
            .r#type(t)
            .path("/orders")
            .set_method(method.map(str::to_string))
            .set_name(name.map(str::to_string))
            .build()
            .unwrap()
    };
    let docs = [
        (part(DocumentationPartType::Method, Some("GET"), None), r#"{"summary":"List orders"}"#),
        (part(DocumentationPartType::QueryParameter, Some("GET"), Some("limit")), r#"{"description":"Page size"}"#),
    ];
    for (location, properties) in docs {
        let req = ctx.apigw.create_documentation_part().rest_api_id(&api_id).location(location);
        req.properties(properties).send().await.unwrap();
    }
    let parts = ctx.apigw.get_documentation_parts().rest_api_id(&api_id).send().await.unwrap();
    assert_eq!(parts.items().len(), 2);
    let listed = portcullis::aws::catalog::list_apis(&ctx, portcullis::aws::catalog::Depth::Summary).await.unwrap();
    let find = |id: &str| listed.iter().find(|a| a.id == id).unwrap().clone();

    // GetExport as OpenAPI 3.0, read by the docs screen's parser.
    let text = portcullis::aws::catalog::export_definition(&ctx, &find(&api_id), "prod").await.unwrap();
    let doc = portcullis::openapi::parse(&text).unwrap();
    assert_eq!(doc.spec, portcullis::openapi::SpecVersion::OpenApi3);
    let get = doc.operations.iter().find(|o| o.method == "GET" && o.path == "/orders").unwrap();
    assert_eq!(get.summary.as_deref(), Some("List orders"));
    let limit = get.parameters.iter().find(|p| p.name == "limit").unwrap();
    assert_eq!(
        (limit.location.as_str(), limit.required, limit.description.as_deref()),
        ("query", false, Some("Page size"))
    );
    let post = doc.operations.iter().find(|o| o.method == "POST").unwrap();
    let body = post.request_body.as_ref().and_then(|b| b.schema.as_ref()).unwrap();
    let fields: Vec<_> = body.children.iter().filter_map(|c| c.name.as_deref()).collect();
    assert_eq!(fields, ["id", "total"], "the model's schema");
    assert!(!post.security.is_empty(), "the API key the method requires");

    // ExportApi for the HTTP API.
    let text = portcullis::aws::catalog::export_definition(&ctx, &find(&http_id), "$default").await.unwrap();
    let doc = portcullis::openapi::parse(&text).unwrap();
    let op = doc.operations.iter().find(|o| o.path == "/items/{id}").unwrap();
    assert_eq!(op.method, "GET");
    assert!(op.parameters.iter().any(|p| p.name == "id" && p.location == "path" && p.required));
    // Unknown APIs: API Gateway's NotFoundException.
    let e = ctx.apigw2.export_api().api_id("nosuch").specification("OAS30").output_type("JSON").send().await;
    assert!(e.unwrap_err().into_service_error().is_not_found_exception());
}
