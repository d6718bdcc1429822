//! The API catalog: REST and HTTP APIs, their stages, methods and routes.
//!
//! Field names serialise in camelCase; they are the `apis --output json` contract
//! documented in docs/cli/apis.md. Add fields freely, never rename.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiKind {
    Rest,
    Http,
}

impl ApiKind {
    pub fn label(self) -> &'static str {
        match self {
            ApiKind::Rest => "rest",
            ApiKind::Http => "http",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Api {
    pub id: String,
    pub name: String,
    pub kind: ApiKind,
    pub region: String,
    #[serde(flatten)]
    pub account: super::AccountRef,
    pub description: Option<String>,
    pub endpoint_type: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub created_date: Option<String>,
    /// HTTP APIs: the `https://{id}.execute-api.{region}.amazonaws.com` base.
    pub api_endpoint: Option<String>,
    pub stages: Vec<Stage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorizers: Vec<Authorizer>,
    /// REST APIs with `--detail` (or once the detail screen loaded them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub methods: Option<Vec<Method>>,
    /// HTTP APIs with `--detail`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routes: Option<Vec<Route>>,
    /// What could not be read after every retry (its stages, authorizers, methods or routes);
    /// the fields that did load are there. Absent when everything loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Api {
    pub fn owner(&self) -> Option<&str> {
        ["owner", "Owner", "team", "Team"].iter().find_map(|k| self.tags.get(*k)).map(String::as_str)
    }

    pub fn authorizer_name(&self, id: Option<&str>) -> Option<&str> {
        let id = id?;
        self.authorizers.iter().find(|a| a.id == id).map(|a| a.name.as_str())
    }

    /// Invoke URL for a stage of this API.
    pub fn invoke_url(&self, stage: &str) -> String {
        let base = self
            .api_endpoint
            .clone()
            .unwrap_or_else(|| format!("https://{}.execute-api.{}.amazonaws.com", self.id, self.region));
        if stage == "$default" { format!("{base}/") } else { format!("{base}/{stage}") }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Throttle {
    pub rate_limit: Option<f64>,
    pub burst_limit: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessLog {
    pub destination_arn: Option<String>,
    pub format: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    pub name: String,
    pub deployment_id: Option<String>,
    pub description: Option<String>,
    pub tracing_enabled: bool,
    pub cache_enabled: bool,
    pub cache_size: Option<String>,
    pub cache_encrypted: Option<bool>,
    pub web_acl_arn: Option<String>,
    pub throttle: Option<Throttle>,
    /// Execution logging level (`OFF`, `ERROR`, `INFO`) from the `*/*` method setting.
    pub execution_logging: Option<String>,
    pub data_trace: Option<bool>,
    pub metrics_enabled: Option<bool>,
    pub access_log: Option<AccessLog>,
    pub client_certificate_id: Option<String>,
    pub variables: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    pub auto_deploy: Option<bool>,
    pub created_date: Option<String>,
    pub last_updated_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authorizer {
    pub id: String,
    pub name: String,
    /// `COGNITO_USER_POOLS`, `TOKEN`, `REQUEST` (REST) or `JWT`, `REQUEST` (HTTP).
    pub kind: String,
    pub identity_source: Option<String>,
    /// Cognito user pool ARNs (REST) or JWT issuer (HTTP).
    pub provider: Vec<String>,
    pub audience: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Method {
    pub path: String,
    pub method: String,
    /// API Gateway's value: NONE, AWS_IAM, COGNITO_USER_POOLS or CUSTOM.
    pub authorization: String,
    pub authorizer_id: Option<String>,
    pub api_key_required: bool,
    pub integration_type: Option<String>,
    pub integration_uri: Option<String>,
    pub resource_id: String,
    pub operation_name: Option<String>,
    pub authorization_scopes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    pub route_key: String,
    /// NONE, AWS_IAM, JWT or CUSTOM.
    pub authorization: String,
    pub authorizer_id: Option<String>,
    pub route_id: String,
    pub target: Option<String>,
    pub authorization_scopes: Vec<String>,
}

/// A resource-tree row for the REST detail view: the resource path and its methods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceNode {
    pub path: String,
    pub depth: usize,
    pub methods: Vec<Method>,
}

/// Group methods by path into a sorted tree listing (parents before children).
pub fn resource_tree(methods: &[Method], paths: &[String]) -> Vec<ResourceNode> {
    let mut all: BTreeMap<String, Vec<Method>> = paths.iter().map(|p| (p.clone(), vec![])).collect();
    for m in methods {
        all.entry(m.path.clone()).or_default().push(m.clone());
    }
    all.into_iter()
        .map(|(path, mut methods)| {
            methods.sort_by(|a, b| a.method.cmp(&b.method));
            let depth = path.split('/').filter(|s| !s.is_empty()).count();
            ResourceNode { path, depth, methods }
        })
        .collect()
}
