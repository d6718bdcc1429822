//! What a call goes to: the operation of an API (its method or route, and the auth it
//! demands) that a concrete path matches, and the stage's invoke URL.

use crate::domain::{Api, ApiKind};
use std::collections::BTreeMap;

/// The operation a call matched: how API Gateway will authorise it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// `GET /orders/{id}` (REST: method and resource path; HTTP: the route key).
    pub label: String,
    /// NONE, AWS_IAM, COGNITO_USER_POOLS, JWT or CUSTOM.
    pub authorization: String,
    pub authorizer_id: Option<String>,
    pub api_key_required: bool,
    pub scopes: Vec<String>,
}

/// Does the concrete `path` match the `template` (`{name}` one segment, `{name+}` the rest)?
pub fn path_matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    let p: Vec<&str> =
        path.split('?').next().unwrap_or_default().trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
    for (i, seg) in t.iter().enumerate() {
        if seg.starts_with('{') && seg.ends_with("+}") {
            return p.len() > i;
        }
        match p.get(i) {
            Some(_) if seg.starts_with('{') && seg.ends_with('}') => {}
            Some(x) if x == seg => {}
            _ => return false,
        }
    }
    t.len() == p.len()
}

/// How specific a template is (literal segments first), to prefer `/orders/new` over `/orders/{id}`.
fn specificity(template: &str) -> (usize, usize) {
    let segs: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    (segs.iter().filter(|s| !s.starts_with('{')).count(), segs.len())
}

/// The operation of `api` that `method path` would reach (its methods or routes must be
/// loaded: the catalog's `--detail`).
pub fn find(api: &Api, method: &str, path: &str) -> Option<Operation> {
    let method = method.to_ascii_uppercase();
    match api.kind {
        ApiKind::Rest => {
            let methods = api.methods.as_ref()?;
            let hit = methods
                .iter()
                .filter(|m| (m.method == method || m.method == "ANY") && path_matches(&m.path, path))
                .max_by_key(|m| (specificity(&m.path), m.method != "ANY"))?;
            Some(Operation {
                label: format!("{} {}", hit.method, hit.path),
                authorization: hit.authorization.clone(),
                authorizer_id: hit.authorizer_id.clone(),
                api_key_required: hit.api_key_required,
                scopes: hit.authorization_scopes.clone(),
            })
        }
        ApiKind::Http => {
            let routes = api.routes.as_ref()?;
            let key_of = |k: &str| k.split_once(' ').map(|(m, p)| (m.to_string(), p.to_string()));
            let hit = routes
                .iter()
                .filter_map(|r| key_of(&r.route_key).map(|(m, p)| (r, m, p)))
                .filter(|(_, m, p)| (*m == method || m == "ANY") && path_matches(p, path))
                .max_by_key(|(_, m, p)| (specificity(p), m != "ANY"))
                .map(|(r, ..)| r)
                .or_else(|| routes.iter().find(|r| r.route_key == "$default"))?;
            Some(Operation {
                label: hit.route_key.clone(),
                authorization: hit.authorization.clone(),
                authorizer_id: hit.authorizer_id.clone(),
                api_key_required: false,
                scopes: hit.authorization_scopes.clone(),
            })
        }
    }
}

/// The stage's base URL: an override from the config (`[invoke_urls] "API_ID/STAGE" = "URL"`,
/// for custom domains, `sam local`, the demo), else API Gateway's: REST
/// `https://{id}.execute-api.{region}.amazonaws.com/{stage}`, HTTP the same without a stage
/// segment for `$default`.
pub fn invoke_url(api: &Api, stage: &str, overrides: &BTreeMap<String, String>) -> String {
    if let Some(u) = overrides.get(&format!("{}/{stage}", api.id)) {
        return u.trim_end_matches('/').to_string();
    }
    let base = api
        .api_endpoint
        .clone()
        .unwrap_or_else(|| format!("https://{}.execute-api.{}.amazonaws.com", api.id, api.region));
    match (api.kind, stage) {
        (ApiKind::Http, "$default") => base,
        _ => format!("{}/{stage}", base.trim_end_matches('/')),
    }
}

/// A path still holding a `{parameter}` names what is missing.
pub fn missing_parameter(path: &str) -> Option<String> {
    let start = path.find('{')?;
    let end = path[start..].find('}').map_or(path.len(), |e| start + e + 1);
    Some(path[start..end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_match_templates() {
        assert!(path_matches("/orders/{id}", "/orders/42"));
        assert!(path_matches("/orders/{id}", "/orders/42?x=1"));
        assert!(!path_matches("/orders/{id}", "/orders"));
        assert!(!path_matches("/orders/{id}", "/orders/42/items"));
        assert!(path_matches("/{proxy+}", "/a/b/c"));
        assert!(path_matches("/", "/"));
        assert!(!path_matches("/", "/x"));
        assert_eq!(missing_parameter("/orders/{id}/items"), Some("{id}".into()));
        assert_eq!(missing_parameter("/orders/1"), None);
    }
}
