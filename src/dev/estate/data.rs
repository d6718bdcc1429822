//! The sample estate's content: a freight company's API programme.

use std::collections::HashMap;

/// The partner pool's domain prefix.
pub const POOL_DOMAIN: &str = "kestrel-partners";
pub const RESOURCE_SERVER: &str = "https://api.kestrel-freight.example";
pub const SCOPES: &[(&str, &str)] = &[
    ("read", "Read shipments, orders and tracking"),
    ("write", "Create and change orders and shipments"),
    ("webhooks", "Manage webhook subscriptions"),
];

/// What the estate builder created, for tests to compare against.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedApi {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub description: String,
    pub tags: HashMap<String, String>,
    pub stages: Vec<ExpectedStage>,
    pub methods: Vec<ExpectedMethod>,
    pub routes: Vec<ExpectedRoute>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedStage {
    pub name: String,
    pub deployment_id: String,
    pub description: String,
    pub tracing: bool,
    pub cache: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedMethod {
    pub path: String,
    pub method: String,
    pub authorization: String,
    pub authorizer_id: Option<String>,
    pub api_key_required: bool,
    pub integration_type: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedRoute {
    pub route_key: String,
    pub authorization: String,
    pub authorizer_id: Option<String>,
}

pub struct RestSpec {
    pub name: String,
    pub description: String,
    pub endpoint_type: &'static str,
    pub tags: HashMap<String, String>,
    pub methods: Vec<ExpectedMethod>,
    pub index: usize,
}

pub struct HttpSpec {
    pub name: String,
    pub description: String,
    pub tags: HashMap<String, String>,
    pub routes: Vec<ExpectedRoute>,
}

/// (name, collection, id parameter, sub-collection, owner team, lifecycle, description)
const DOMAINS: &[(&str, &str, &str, &str, &str, &str, &str)] = &[
    (
        "payments-api",
        "payments",
        "paymentId",
        "refunds",
        "team-payments",
        "ga",
        "Card and invoice payments for freight bookings",
    ),
    ("orders-api", "orders", "orderId", "items", "team-commerce", "ga", "Create and track customer freight orders"),
    (
        "shipments-api",
        "shipments",
        "shipmentId",
        "tracking",
        "team-logistics",
        "ga",
        "Shipment lifecycle: booking, pickup, delivery",
    ),
    (
        "customers-api",
        "customers",
        "customerId",
        "addresses",
        "team-crm",
        "ga",
        "Customer accounts, contacts and delivery addresses",
    ),
    (
        "inventory-api",
        "warehouses",
        "warehouseId",
        "stock",
        "team-warehousing",
        "beta",
        "Warehouse stock levels and reservations",
    ),
    (
        "invoicing-legacy",
        "invoices",
        "invoiceId",
        "pdf",
        "team-finance",
        "deprecated",
        "Legacy invoicing (to be retired, use payments-api)",
    ),
    (
        "partner-webhooks",
        "webhooks",
        "webhookId",
        "deliveries",
        "team-partner-platform",
        "ga",
        "Webhook subscriptions for partner integrations",
    ),
];

fn tags(owner: &str, lifecycle: &str, cost: usize) -> HashMap<String, String> {
    HashMap::from([
        ("owner".to_string(), owner.to_string()),
        ("lifecycle".to_string(), lifecycle.to_string()),
        ("cost-center".to_string(), format!("CC-{}", 1040 + cost)),
    ])
}

fn method(path: String, verb: &str, auth: &str, key: bool, integration: &str) -> ExpectedMethod {
    ExpectedMethod {
        path,
        method: verb.into(),
        authorization: auth.into(),
        authorizer_id: None,
        api_key_required: key,
        integration_type: integration.into(),
    }
}

fn rest_methods(i: usize, coll: &str, id: &str, sub: &str) -> Vec<ExpectedMethod> {
    let (c, one, nested) = (format!("/{coll}"), format!("/{coll}/{{{id}}}"), format!("/{coll}/{{{id}}}/{sub}"));
    let public_list = if i.is_multiple_of(3) { "NONE" } else { "COGNITO_USER_POOLS" };
    let proxy = if i.is_multiple_of(2) { "HTTP_PROXY" } else { "AWS_PROXY" };
    vec![
        method(c.clone(), "GET", public_list, i % 2 == 1, proxy),
        method(c, "POST", "COGNITO_USER_POOLS", true, proxy),
        method(one.clone(), "GET", "COGNITO_USER_POOLS", false, proxy),
        method(one.clone(), "PUT", "AWS_IAM", false, "AWS_PROXY"),
        method(one, "DELETE", "AWS_IAM", false, "AWS_PROXY"),
        method(nested.clone(), "GET", "NONE", true, "MOCK"),
        // partner-webhooks left its deliveries' POST open to anyone: governance finds it.
        if i % DOMAINS.len() == 6 {
            method(nested, "POST", "NONE", false, proxy)
        } else {
            method(nested, "POST", "COGNITO_USER_POOLS", true, proxy)
        },
    ]
}

/// `n` REST APIs: the seven named ones first, then numbered services.
pub fn rest_specs(n: usize) -> Vec<RestSpec> {
    (0..n).map(rest_spec).collect()
}

fn rest_spec(i: usize) -> RestSpec {
    let (name, coll, id, sub, owner, life, desc) = DOMAINS[i % DOMAINS.len()];
    let round = i / DOMAINS.len();
    let name = if round == 0 { name.to_string() } else { format!("{}-{:03}", name.trim_end_matches("-api"), i) };
    RestSpec {
        name,
        description: desc.to_string(),
        endpoint_type: match i % DOMAINS.len() {
            5 => "EDGE",
            6 if round == 0 => "REGIONAL",
            _ => "REGIONAL",
        },
        tags: tags(owner, life, i % 7),
        methods: rest_methods(i, coll, id, sub),
        index: i,
    }
}

pub fn lambda_uri(region: &str) -> String {
    format!(
        "arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/arn:aws:lambda:{region}:123456789012:function:kestrel-backend/invocations"
    )
}

pub struct StageSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub tracing: bool,
    pub cache: bool,
    pub logging: &'static str,
    pub rate: f64,
    pub burst: i32,
    pub access_log: bool,
    /// Full request and response logging (a governance finding on a production stage).
    pub data_trace: bool,
    /// A stage variable that looks like a secret (a critical finding), if planted.
    pub secret: Option<(&'static str, &'static str)>,
    /// Tagged with an owner (prod stages are; dev stages are left for governance to find).
    pub owned: bool,
}

/// `prod` and `dev` differ the way real stages do; some APIs leave gaps for governance to find.
pub fn rest_stage_specs(s: &RestSpec) -> Vec<StageSpec> {
    let gaps = s.index % 3 == 2;
    vec![
        StageSpec {
            name: "dev",
            description: "Development: latest build, partners' sandbox",
            tracing: false,
            cache: false,
            logging: "INFO",
            rate: 20.0,
            burst: 40,
            access_log: false,
            data_trace: false,
            // One API's sandbox token pasted into a stage variable.
            secret: (s.index == 4).then_some(("partnerApiToken", "tok_9fQ2xL7pA3vR8mZ1cN4tB6")),
            owned: false,
        },
        StageSpec {
            name: "prod",
            description: "Production",
            tracing: !gaps,
            cache: s.index.is_multiple_of(2),
            logging: if gaps { "OFF" } else { "ERROR" },
            rate: 500.0,
            burst: 1000,
            access_log: !gaps,
            // Someone debugging production left data trace on.
            data_trace: s.index == 3,
            secret: None,
            owned: true,
        },
    ]
}

const HTTP: &[(&str, &str, &str)] = &[
    ("tracking-events", "Real-time shipment tracking events for partners", "team-logistics"),
    ("rates-quotes", "Freight rate quotes (HTTP API)", "team-commerce"),
];

pub fn http_specs(n: usize) -> Vec<HttpSpec> {
    (0..n).map(http_spec).collect()
}

fn route(key: &str, auth: &str) -> ExpectedRoute {
    ExpectedRoute { route_key: key.into(), authorization: auth.into(), authorizer_id: None }
}

fn http_spec(i: usize) -> HttpSpec {
    let (name, desc, owner) = HTTP[i % HTTP.len()];
    let name = if i < HTTP.len() { name.to_string() } else { format!("{name}-{i:03}") };
    let base = name.split('-').next().unwrap_or("items").to_string();
    HttpSpec {
        routes: vec![
            route(&format!("GET /{base}"), "JWT"),
            route(&format!("POST /{base}"), "JWT"),
            route(&format!("GET /{base}/{{id}}"), "JWT"),
            route("GET /health", "NONE"),
            route(&format!("DELETE /{base}/{{id}}"), "AWS_IAM"),
        ],
        name,
        description: desc.to_string(),
        tags: tags(owner, "ga", i),
    }
}

pub struct PlanSpec {
    pub name: &'static str,
    pub description: &'static str,
    pub rate: f64,
    pub burst: i32,
    pub quota: i32,
    /// DAY, WEEK or MONTH.
    pub period: &'static str,
}

pub const PLANS: &[PlanSpec] = &[
    // A daily quota: the sandbox key that tries hardest is close to it every day.
    PlanSpec {
        name: "sandbox",
        description: "Partner sandbox on dev stages",
        rate: 5.0,
        burst: 10,
        quota: 1_000,
        period: "DAY",
    },
    PlanSpec {
        name: "standard",
        description: "Standard partner tier",
        rate: 50.0,
        burst: 100,
        quota: 1_000_000,
        period: "MONTH",
    },
    PlanSpec {
        name: "premium",
        description: "Premium partner tier with higher limits",
        rate: 200.0,
        burst: 400,
        quota: 10_000_000,
        period: "MONTH",
    },
];

pub struct KeySpec {
    pub name: String,
    pub description: String,
    pub partner: &'static str,
    pub enabled: bool,
    pub plans: Vec<usize>,
}

pub const PARTNERS: &[&str] =
    &["northpeak-outdoor", "bluefin-markets", "copperleaf-pharma", "tidewater-shipping", "lumen-grocers"];
/// The partner in the middle of a key rotation.
pub const PARTNER_ROTATING: &str = "bluefin-markets";
/// The partner with keys and no app client (incomplete).
pub const PARTNER_WITHOUT_CLIENT: &str = "lumen-grocers";
/// The partner in the middle of a client-secret rotation (two secrets, where the endpoint has
/// Cognito's two-secret model).
pub const PARTNER_SECRET_ROTATING: &str = "tidewater-shipping";
/// How many days ago each partner's app client (and so its first secret) was made: its name
/// says so (`<partner>/<UTC time>`, the product's own naming), since Cognito's creation dates
/// cannot be set. One is past the maximum secret age, one is rotating.
pub const CLIENT_AGE_DAYS: &[(&str, i64)] =
    &[("northpeak-outdoor", 41), ("bluefin-markets", 75), ("copperleaf-pharma", 400), ("tidewater-shipping", 200)];

/// Two keys per partner: a sandbox key and a production key; one partner's production key is disabled.
pub fn keys() -> Vec<KeySpec> {
    PARTNERS
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            [
                KeySpec {
                    name: format!("{p}-sandbox"),
                    description: format!("{p} sandbox access"),
                    partner: p,
                    enabled: true,
                    plans: vec![0],
                },
                KeySpec {
                    name: format!("{p}-prod"),
                    description: format!("{p} production access"),
                    partner: p,
                    enabled: i != 3,
                    plans: vec![1 + i % 2],
                },
            ]
        })
        .collect()
}
