//! The TUI tests' one harness: fixture factories (APIs, stages, resource trees, routes, docs;
//! plans, keys and usage in access.rs; audit events and feeds in audit.rs; all fixed so rendered
//! screens are stable), key helpers, drivers that take the app where a test starts (through the
//! same Messages the worker sends), and rendering helpers.

#![allow(dead_code)]

pub mod access;
pub mod audit;
pub mod partners;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use portcullis::domain::{
    AccessLog, Api, ApiKind, Authorizer, Method, ResourceNode, Route, Stage, Throttle, resource_tree,
};
use portcullis::openapi::DocLine;
use portcullis::tui::app::App;
use portcullis::tui::command::Command;
use portcullis::tui::keymap::Keymap;
use portcullis::tui::message::Message;
pub use portcullis::tui::screens::catalog::jobs::*;
use portcullis::tui::store::{ApiRef, Connection, DetailData, Store};
use portcullis::tui::theme::Styles;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::collections::BTreeMap;

pub const WIDTH: u16 = 120;
pub const HEIGHT: u16 = 30;

/// A small but realistic Swagger 2.0 export of the payments API.
pub const SWAGGER_JSON: &str = r##"{
  "swagger": "2.0",
  "info": {"title": "Payments API", "version": "2024-03-01", "description": "Take card payments and issue refunds."},
  "host": "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
  "basePath": "/prod",
  "schemes": ["https"],
  "securityDefinitions": {
    "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
    "payments-cognito": {"type": "apiKey", "name": "Authorization", "in": "header",
                         "x-amazon-apigateway-authtype": "cognito_user_pools"}
  },
  "paths": {
    "/payments": {
      "get": {
        "operationId": "listPayments",
        "summary": "List payments",
        "tags": ["payments"],
        "security": [{"payments-cognito": []}],
        "parameters": [{"name": "limit", "in": "query", "type": "integer", "format": "int32", "description": "Page size"}],
        "responses": {"200": {"description": "A page of payments",
                              "schema": {"type": "array", "items": {"$ref": "#/definitions/Payment"}}}},
        "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST",
                                            "uri": "arn:aws:apigateway:eu-west-1:lambda:path/functions/list/invocations"}
      },
      "post": {
        "operationId": "createPayment",
        "summary": "Take a payment",
        "tags": ["payments"],
        "security": [{"payments-cognito": [], "api_key": []}],
        "parameters": [{"name": "body", "in": "body", "required": true, "schema": {"$ref": "#/definitions/NewPayment"}}],
        "responses": {
          "400": {"description": "Invalid card"},
          "201": {"description": "Created", "schema": {"$ref": "#/definitions/Payment"}}
        }
      }
    },
    "/payments/{paymentId}": {
      "get": {
        "operationId": "getPayment",
        "parameters": [{"name": "paymentId", "in": "path", "type": "string", "description": "Payment id"}],
        "responses": {"200": {"description": "The payment", "schema": {"$ref": "#/definitions/Payment"}},
                      "404": {"description": "No such payment"}}
      }
    }
  },
  "definitions": {
    "NewPayment": {"type": "object", "required": ["amount", "currency"],
                   "properties": {"amount": {"type": "integer", "description": "Minor units"},
                                  "currency": {"type": "string"}}},
    "Payment": {"type": "object", "required": ["id"],
                "properties": {"id": {"type": "string"}, "amount": {"type": "integer"},
                               "status": {"type": "string", "enum": ["pending", "settled", "refunded"]}}}
  }
}"##;

pub fn connection(read_only: bool) -> Connection {
    Connection {
        profile: "dev".into(),
        regions: "eu-west-1,us-east-1".into(),
        endpoint: None,
        read_only,
        ..Default::default()
    }
}

pub fn new_app(store: Store) -> App {
    let mut app = App::new(store, Keymap::default_map(), Styles::default());
    // As the event loop tells it: the test terminal's width.
    app.shared.width = WIDTH;
    app
}

pub fn new_store(read_only: bool) -> Store {
    Store::new(connection(read_only))
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn authorizer(id: &str, name: &str, kind: &str) -> Authorizer {
    Authorizer {
        id: id.into(),
        name: name.into(),
        kind: kind.into(),
        identity_source: Some("method.request.header.Authorization".into()),
        provider: vec![],
        audience: vec![],
    }
}

pub fn api_ref(api: &Api) -> ApiRef {
    ApiRef::of(api)
}

// ---------------------------------------------------------------- APIs

/// REST, three stages that differ in every respect the stage screens show.
pub fn payments_api() -> Api {
    let prod = Stage {
        name: "prod".into(),
        deployment_id: Some("dep7x1".into()),
        description: Some("Production".into()),
        tracing_enabled: true,
        cache_enabled: true,
        cache_size: Some("0.5".into()),
        cache_encrypted: Some(true),
        web_acl_arn: Some("arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/edge/abc".into()),
        throttle: Some(Throttle { rate_limit: Some(100.0), burst_limit: Some(200) }),
        execution_logging: Some("INFO".into()),
        data_trace: Some(false),
        metrics_enabled: Some(true),
        access_log: Some(AccessLog {
            destination_arn: Some("arn:aws:logs:eu-west-1:123456789012:log-group:payments-access".into()),
            format: Some("$context.requestId $context.status".into()),
        }),
        client_certificate_id: None,
        variables: map(&[("backend", "https://payments.internal"), ("lambdaAlias", "live")]),
        tags: map(&[("env", "prod")]),
        auto_deploy: None,
        created_date: Some("2024-01-15T09:30:00Z".into()),
        last_updated_date: Some("2024-03-01T12:00:00Z".into()),
    };
    let staging = Stage {
        name: "staging".into(),
        deployment_id: Some("dep8y2".into()),
        description: Some("Pre-production".into()),
        tracing_enabled: false,
        execution_logging: Some("ERROR".into()),
        data_trace: Some(true),
        metrics_enabled: Some(false),
        variables: map(&[("lambdaAlias", "beta")]),
        created_date: Some("2024-01-15T09:31:00Z".into()),
        last_updated_date: Some("2024-02-20T08:00:00Z".into()),
        ..Stage::default()
    };
    let dev = Stage {
        name: "dev".into(),
        deployment_id: Some("dep9z3".into()),
        throttle: Some(Throttle { rate_limit: Some(5.0), burst_limit: None }),
        created_date: Some("2024-01-16T10:00:00Z".into()),
        ..Stage::default()
    };
    Api {
        id: "a1b2c3d4e5".into(),
        name: "payments-api".into(),
        kind: ApiKind::Rest,
        region: "eu-west-1".into(),
        account: Default::default(),
        description: Some("Card payments and refunds".into()),
        endpoint_type: Some("REGIONAL".into()),
        tags: map(&[("cost-centre", "cc-104"), ("owner", "team-payments")]),
        created_date: Some("2024-01-15T09:00:00Z".into()),
        api_endpoint: None,
        stages: vec![prod, staging, dev],
        authorizers: vec![
            authorizer("auth01", "payments-cognito", "COGNITO_USER_POOLS"),
            authorizer("auth02", "legacy-token", "TOKEN"),
        ],
        methods: None,
        routes: None,
        error: None,
    }
}

/// HTTP API with the `$default` stage.
pub fn orders_api() -> Api {
    let default = Stage {
        name: "$default".into(),
        deployment_id: Some("hdep01".into()),
        auto_deploy: Some(true),
        throttle: Some(Throttle { rate_limit: Some(50.0), burst_limit: Some(100) }),
        created_date: Some("2024-02-01T14:00:00Z".into()),
        ..Stage::default()
    };
    Api {
        id: "h7t7k9q2r1".into(),
        name: "orders-api".into(),
        kind: ApiKind::Http,
        region: "us-east-1".into(),
        account: Default::default(),
        description: Some("Order intake".into()),
        endpoint_type: Some("REGIONAL".into()),
        tags: map(&[("owner", "team-orders")]),
        created_date: Some("2024-02-01T13:45:00Z".into()),
        api_endpoint: Some("https://h7t7k9q2r1.execute-api.us-east-1.amazonaws.com".into()),
        stages: vec![default],
        authorizers: vec![authorizer("jwt001", "orders-jwt", "JWT")],
        methods: None,
        routes: None,
        error: None,
    }
}

/// REST, edge-optimised, owned through a `team` tag.
pub fn inventory_api() -> Api {
    Api {
        id: "z9y8x7w6v5".into(),
        name: "inventory-api".into(),
        kind: ApiKind::Rest,
        region: "us-east-1".into(),
        account: Default::default(),
        description: None,
        endpoint_type: Some("EDGE".into()),
        tags: map(&[("team", "warehouse")]),
        created_date: Some("2023-11-02T08:15:00Z".into()),
        api_endpoint: None,
        stages: vec![Stage { name: "v1".into(), deployment_id: Some("inv001".into()), ..Stage::default() }],
        authorizers: vec![],
        methods: None,
        routes: None,
        error: None,
    }
}

/// REST, private, never deployed, untagged.
pub fn legacy_api() -> Api {
    Api {
        id: "q1w2e3r4t5".into(),
        name: "legacy-admin".into(),
        kind: ApiKind::Rest,
        region: "eu-west-1".into(),
        account: Default::default(),
        description: Some("Old admin console backend".into()),
        endpoint_type: Some("PRIVATE".into()),
        tags: BTreeMap::new(),
        created_date: Some("2021-06-30T17:00:00Z".into()),
        api_endpoint: None,
        stages: vec![],
        authorizers: vec![],
        methods: None,
        routes: None,
        error: None,
    }
}

/// The catalog, in an order that differs from every sort order.
pub fn apis() -> Vec<Api> {
    vec![payments_api(), orders_api(), legacy_api(), inventory_api()]
}

/// `count` near-identical APIs `svc-00`, `svc-01`, ...
pub fn many_apis(count: usize) -> Vec<Api> {
    (0..count)
        .map(|i| Api {
            id: format!("svc{i:07}"),
            name: format!("svc-{i:02}"),
            stages: vec![],
            authorizers: vec![],
            tags: BTreeMap::new(),
            ..inventory_api()
        })
        .collect()
}

// ---------------------------------------------------------------- detail data

fn method(path: &str, verb: &str, auth: &str, authorizer: Option<&str>, key: bool, integration: &str) -> Method {
    Method {
        path: path.into(),
        method: verb.into(),
        authorization: auth.into(),
        authorizer_id: authorizer.map(Into::into),
        api_key_required: key,
        integration_type: Some(integration.into()),
        integration_uri: None,
        resource_id: format!("r-{}", path.len()),
        operation_name: None,
        authorization_scopes: vec![],
    }
}

/// The payments API's resource tree.
pub fn payments_tree() -> Vec<ResourceNode> {
    let methods = vec![
        method("/payments", "POST", "COGNITO_USER_POOLS", Some("auth01"), true, "AWS_PROXY"),
        method("/payments", "GET", "COGNITO_USER_POOLS", Some("auth01"), false, "AWS_PROXY"),
        method("/payments/{paymentId}", "GET", "COGNITO_USER_POOLS", Some("auth01"), false, "AWS_PROXY"),
        method("/payments/{paymentId}", "DELETE", "AWS_IAM", None, false, "AWS_PROXY"),
        method("/payments/{paymentId}/refunds", "POST", "CUSTOM", Some("auth02"), true, "HTTP_PROXY"),
        method("/health", "GET", "NONE", None, false, "MOCK"),
    ];
    let paths: Vec<String> = ["/", "/health", "/payments", "/payments/{paymentId}", "/payments/{paymentId}/refunds"]
        .map(String::from)
        .into();
    resource_tree(&methods, &paths)
}

fn route(key: &str, auth: &str, authorizer: Option<&str>, target: &str) -> Route {
    Route {
        route_key: key.into(),
        authorization: auth.into(),
        authorizer_id: authorizer.map(Into::into),
        route_id: format!("rt-{}", key.len()),
        target: Some(target.into()),
        authorization_scopes: vec![],
    }
}

/// The orders API's routes.
pub fn orders_routes() -> Vec<Route> {
    vec![
        route("GET /orders", "JWT", Some("jwt001"), "integrations/int0001"),
        route("POST /orders", "JWT", Some("jwt001"), "integrations/int0001"),
        route("GET /orders/{orderId}", "JWT", Some("jwt001"), "integrations/int0002"),
        route("$default", "NONE", None, "integrations/int0003"),
    ]
}

pub fn doc_lines() -> Vec<DocLine> {
    portcullis::openapi::render_lines(&portcullis::openapi::parse(SWAGGER_JSON).expect("the fixture document parses"))
}

// ---------------------------------------------------------------- rendering

pub fn render(app: &mut App) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("test terminal");
    terminal.draw(|f| app.draw(f)).expect("draw");
    terminal
}

/// Every row of the buffer as text.
pub fn rows(buffer: &Buffer) -> Vec<String> {
    (0..buffer.area.height)
        .map(|y| (0..buffer.area.width).map(|x| buffer[(x, y)].symbol()).collect::<String>())
        .collect()
}

/// The whole screen as text, one line per row.
pub fn screen(app: &mut App) -> String {
    rows(render(app).backend().buffer()).join("\n")
}

/// The index of the first row containing `needle`.
pub fn row_of(buffer: &Buffer, needle: &str) -> u16 {
    let all = rows(buffer);
    let y = all.iter().position(|r| r.contains(needle));
    y.unwrap_or_else(|| panic!("no row contains {needle:?}:\n{}", all.join("\n"))) as u16
}

// ---------------------------------------------------------------- keys

pub fn key_with(code: KeyCode, modifiers: KeyModifiers) -> Message {
    Message::Key(KeyEvent::new(code, modifiers))
}

pub fn press(app: &mut App, code: KeyCode) {
    app.handle(key_with(code, KeyModifiers::NONE));
}

/// A character key; upper case comes with SHIFT, as terminals send it.
pub fn char_key(app: &mut App, c: char) {
    let modifiers = if c.is_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
    app.handle(key_with(KeyCode::Char(c), modifiers));
}

pub fn ctrl(app: &mut App, c: char) {
    app.handle(key_with(KeyCode::Char(c), KeyModifiers::CONTROL));
}

/// Each character of `text` as a key press.
pub fn chars(app: &mut App, text: &str) {
    for c in text.chars() {
        char_key(app, c);
    }
}

pub fn type_text(app: &mut App, text: &str) {
    chars(app, text);
}

/// `:name` and enter.
pub fn command(app: &mut App, name: &str) {
    chars(app, &format!(":{name}"));
    press(app, KeyCode::Enter);
}

pub fn scroll(app: &mut App, kind: MouseEventKind) {
    app.handle(Message::Mouse(MouseEvent { kind, column: 10, row: 5, modifiers: KeyModifiers::NONE }));
}

// ---------------------------------------------------------------- drivers

/// A command that carries `job`, for `request`.
pub fn cmd(request: u64, job: impl portcullis::tui::jobs::Job) -> Command {
    Command::Job { request, job: portcullis::tui::jobs::JobBox::new(job) }
}

/// The job of type `J` a command carries, if it is one.
pub fn job<J: portcullis::tui::jobs::Job>(command: &Command) -> Option<&J> {
    match command {
        Command::Job { job, .. } => job.get::<J>(),
        _ => None,
    }
}

/// A feature's job finished with `output`, for `request`.
pub fn done(request: u64, output: impl portcullis::tui::jobs::Deliver) -> Message {
    Message::Done { request, output: portcullis::tui::jobs::Output::new(output) }
}

/// The request id a command carries (0 for those without one).
pub fn request_of(command: &Command) -> u64 {
    command.request()
}

/// The app started, its catalog loaded (refreshed at `at`), and the outbox emptied.
pub fn loaded_at(store: Store, apis: Vec<Api>, at: &str) -> App {
    let mut app = new_app(store);
    app.start();
    let commands = app.take_commands();
    assert_eq!(commands, vec![cmd(1, LoadApis)]);
    app.handle(done(1, ApisLoaded { result: Ok(apis), at: at.into() }));
    app
}

/// The catalog app of the snapshots (refreshed at 09:30:00).
pub fn catalog_app_with(apis: Vec<Api>, read_only: bool) -> App {
    loaded_at(new_store(read_only), apis, "09:30:00")
}

/// Select the API named `name` on the list (moving down from the top).
pub fn select_api(app: &mut App, name: &str) {
    use portcullis::tui::screens::catalog::CatalogScreen;
    press(app, KeyCode::Home);
    for _ in 0..100 {
        let screen = app.screen::<CatalogScreen>().expect("on the API list");
        if screen.selected_api(app.store()).is_some_and(|a| a.name == name) {
            return;
        }
        press(app, KeyCode::Down);
    }
    panic!("no API named {name} on the list");
}

/// Open the API's detail (enter on the list) and answer its load with `data`.
pub fn open_detail(app: &mut App, api: &Api, data: DetailData) {
    select_api(app, &api.name);
    press(app, KeyCode::Enter);
    let commands = app.take_commands();
    let request = match commands.as_slice() {
        [c] if job::<LoadDetail>(c).is_some_and(|j| j.0.id == api.id) => request_of(c),
        other => panic!("expected one LoadApiDetail for {}, got {other:?}", api.id),
    };
    app.handle(done(request, ApiDetailLoaded { api: api_ref(api), result: Ok(data) }));
}

/// Answer the one LoadDocs just sent (for `api`'s `stage`) with `lines`.
pub fn answer_docs(app: &mut App, api: &Api, stage: &str, lines: Vec<DocLine>) {
    let commands = app.take_commands();
    let request = match commands.as_slice() {
        [c] if job::<LoadDocs>(c).is_some_and(|j| j.api.id == api.id && j.stage == stage) => request_of(c),
        other => panic!("expected one LoadDocs for {} {stage}, got {other:?}", api.id),
    };
    app.handle(done(request, DocsLoaded { api: api_ref(api), stage: stage.into(), result: Ok(lines) }));
}

/// Only the top screen, drawn into a `width` x `height` area of its own (no header, footer or
/// dialog): for snapshots where the whole frame is not the point.
pub fn render_top(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    let p = app.shared.paint(&app.styles);
    terminal.draw(|f| app.top().draw(f, f.area(), &p)).expect("draw");
    terminal
}
