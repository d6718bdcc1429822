//! What the REST APIs' docs are made of: models (request and response schemas), request
//! parameters, method responses, and documentation parts (summaries and descriptions), all put
//! through the SDK as a team documenting its API would.

use super::data::ExpectedMethod;
use crate::aws::clients::AwsContext;
use crate::aws::error::{AwsError, ErrorKind};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The model name of one item of the API's collection: `/payments` → `Payment`.
pub fn item_name(methods: &[ExpectedMethod]) -> String {
    let coll = methods.first().and_then(|m| m.path.split('/').nth(1)).unwrap_or("item");
    let one = coll.strip_suffix('s').unwrap_or(coll);
    let mut chars = one.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_else(|| "Item".into())
}

fn item_schema(item: &str) -> Value {
    json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": item,
        "type": "object",
        "required": ["id", "status"],
        "properties": {
            "id": {"type": "string", "description": format!("The {} id", item.to_lowercase())},
            "status": {"type": "string", "enum": ["pending", "active", "completed", "cancelled"]},
            "reference": {"type": "string", "description": "The partner's own reference", "maxLength": 64},
            "createdAt": {"type": "string", "format": "date-time"},
            "amount": {"type": "number", "minimum": 0}
        }
    })
}

/// The models of an API: the item, a page of items, a new item, and the error body (`Problem`:
/// API Gateway makes `Empty` and `Error` models of its own with every REST API).
pub async fn models(ctx: &AwsContext, api_id: &str, item: &str) -> Result<(), AwsError> {
    let list = json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": format!("{item}List"),
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": {"type": "array", "items": item_schema(item)},
            "nextToken": {"type": "string", "description": "Pass as nextToken for the next page"}
        }
    });
    let new = json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": format!("New{item}"),
        "type": "object",
        "required": ["reference"],
        "properties": {
            "reference": {"type": "string", "maxLength": 64},
            "amount": {"type": "number", "minimum": 0},
            "notes": {"type": "string"}
        }
    });
    let error = json!({
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": "Problem",
        "type": "object",
        "properties": {"message": {"type": "string"}, "code": {"type": "string"}}
    });
    let all = [
        (item.to_string(), item_schema(item), format!("One {}", item.to_lowercase())),
        (format!("{item}List"), list, format!("A page of {}s", item.to_lowercase())),
        (format!("New{item}"), new, format!("What creating a {} takes", item.to_lowercase())),
        ("Problem".to_string(), error, "Why a call failed".to_string()),
    ];
    for (name, schema, description) in all {
        let req = ctx.apigw.create_model().rest_api_id(api_id).name(name).content_type("application/json");
        let req = req.description(description).schema(schema.to_string());
        req.send().await.map_err(|e| ctx.err("CreateModel", e))?;
    }
    Ok(())
}

fn path_ids(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
}

fn is_collection(m: &ExpectedMethod) -> bool {
    !m.path.ends_with('}')
}

/// Each `{id}` of the path (required); a page size and token on lists; an idempotency key on creates.
pub fn request_parameters(m: &ExpectedMethod) -> HashMap<String, bool> {
    let mut out: HashMap<String, bool> =
        path_ids(&m.path).map(|id| (format!("method.request.path.{id}"), true)).collect();
    match m.method.as_str() {
        "GET" if is_collection(m) => {
            out.insert("method.request.querystring.limit".into(), false);
            out.insert("method.request.querystring.nextToken".into(), false);
        }
        "POST" => {
            out.insert("method.request.header.Idempotency-Key".into(), false);
        }
        _ => {}
    }
    out
}

/// The body a create or a change takes.
pub fn request_model(m: &ExpectedMethod, item: &str) -> Option<HashMap<String, String>> {
    matches!(m.method.as_str(), "POST" | "PUT")
        .then(|| HashMap::from([("application/json".into(), format!("New{item}"))]))
}

/// What a method answers: its success with the item or a page, and its errors with `Error`.
pub async fn method_responses(
    ctx: &AwsContext,
    api_id: &str,
    rid: &str,
    m: &ExpectedMethod,
    item: &str,
) -> Result<(), AwsError> {
    let ok = match (m.method.as_str(), is_collection(m)) {
        ("GET", true) => vec![("200", Some(format!("{item}List")))],
        ("GET", false) | ("PUT", _) => vec![("200", Some(item.to_string())), ("404", Some("Problem".into()))],
        ("POST", _) => vec![("201", Some(item.to_string())), ("400", Some("Problem".into()))],
        ("DELETE", _) => vec![("204", None), ("404", Some("Problem".into()))],
        _ => vec![("200", None)],
    };
    for (status, model) in ok {
        let mut req = ctx
            .apigw
            .put_method_response()
            .rest_api_id(api_id)
            .resource_id(rid)
            .http_method(&m.method)
            .status_code(status);
        if let Some(model) = model {
            req = req.response_models("application/json", model);
        }
        if status == "200" && is_collection(m) {
            req = req.response_parameters("method.response.header.X-Total-Count", false);
        }
        req.send().await.map_err(|e| ctx.err("PutMethodResponse", e))?;
    }
    Ok(())
}

fn summary(m: &ExpectedMethod, item: &str) -> String {
    let what = item.to_lowercase();
    let sub = m.path.rsplit('/').next().unwrap_or_default();
    match (m.method.as_str(), path_ids(&m.path).count(), is_collection(m)) {
        ("GET", 0, _) => format!("List {what}s"),
        ("POST", 0, _) => format!("Create a {what}"),
        ("GET", _, false) => format!("Get one {what}"),
        ("PUT", _, _) => format!("Replace a {what}"),
        ("DELETE", _, _) => format!("Delete a {what}"),
        ("GET", _, true) => format!("List the {sub} of a {what}"),
        ("POST", _, true) => format!("Add to the {sub} of a {what}"),
        (verb, _, _) => format!("{verb} {}", m.path),
    }
}

/// The documentation parts of one REST API: the API, each method's summary, each parameter,
/// the models, the error responses. `None` when the endpoint has no documentation parts (moto).
pub async fn documentation(
    ctx: &AwsContext,
    api_id: &str,
    description: &str,
    methods: &[ExpectedMethod],
) -> Result<Option<usize>, AwsError> {
    let item = item_name(methods);
    let what = item.to_lowercase();
    let mut parts: Vec<(Value, Value)> = vec![(
        json!({"type": "API"}),
        json!({"description": format!("{description}. Authenticate with a partner API key (x-api-key) and, where a method says so, a bearer token from the partner user pool."), "contact": {"name": "Kestrel Freight API programme", "email": "api@kestrel-freight.example"}}),
    )];
    for m in methods {
        let mut props = json!({"summary": summary(m, &item)});
        if m.api_key_required {
            props["description"] = json!("Counts against the usage plan of the partner's API key.");
        }
        parts.push((json!({"type": "METHOD", "path": m.path, "method": m.method}), props));
        for id in path_ids(&m.path) {
            let text =
                if id.ends_with("Id") { format!("The {} id", id.trim_end_matches("Id")) } else { id.to_string() };
            parts.push((
                json!({"type": "PATH_PARAMETER", "path": m.path, "method": m.method, "name": id}),
                json!({"description": text}),
            ));
        }
        if m.method == "GET" && is_collection(m) {
            parts.push((
                json!({"type": "QUERY_PARAMETER", "path": m.path, "method": m.method, "name": "limit"}),
                json!({"description": "Most items in one page (1-100, default 25)"}),
            ));
        }
        if m.method == "POST" {
            parts.push((
                json!({"type": "REQUEST_HEADER", "path": m.path, "method": m.method, "name": "Idempotency-Key"}),
                json!({"description": "Repeat a create safely: the same key gives the same result for 24 hours"}),
            ));
        }
        if m.method != "POST" && !is_collection(m) {
            parts.push((
                json!({"type": "RESPONSE", "path": m.path, "method": m.method, "statusCode": "404"}),
                json!({"description": format!("No such {what}")}),
            ));
        }
    }
    parts.push((
        json!({"type": "MODEL", "name": item}),
        json!({"description": format!("A {what} as the API returns it")}),
    ));
    let mut made = 0;
    for (location, properties) in parts {
        let location: aws_sdk_apigateway::types::DocumentationPartLocation = location_of(&location);
        let req = ctx.apigw.create_documentation_part().rest_api_id(api_id).location(location);
        match req.properties(properties.to_string()).send().await.map_err(|e| ctx.err("CreateDocumentationPart", e)) {
            Ok(_) => made += 1,
            // moto has no documentation parts: its answer is a 404 page (or "not implemented").
            Err(e) if made == 0 && matches!(e.kind, ErrorKind::NotFound | ErrorKind::NotImplemented) => {
                return Ok(None);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Some(made))
}

fn location_of(v: &Value) -> aws_sdk_apigateway::types::DocumentationPartLocation {
    use aws_sdk_apigateway::types::{DocumentationPartLocation, DocumentationPartType};
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    DocumentationPartLocation::builder()
        .r#type(DocumentationPartType::from(s("type").unwrap_or_default().as_str()))
        .set_path(s("path"))
        .set_method(s("method"))
        .set_status_code(s("statusCode"))
        .set_name(s("name"))
        .build()
        .expect("the location has a type")
}
