//! The stand-ins' one request-to-operation parser: which AWS operation a request is. Its
//! service and region come from the SigV4 credential scope, its name from `X-Amz-Target` (the
//! JSON protocols: CloudTrail, Cognito), from `Action=` (the query protocols: STS), or from the
//! method and path (API Gateway's REST protocol, v1 and v2). The proxy counts, limits and
//! records by it, and names it to the front in [`HEADER`] (and [`REGION_HEADER`]); the front answers by that name what
//! moto lacks and passes the rest through.

/// The header the proxy adds for the front: `apigateway:GetUsage`, `cloudtrail:LookupEvents`.
pub const HEADER: &str = "x-standin-operation";
/// And the region the request is signed for.
pub const REGION_HEADER: &str = "x-standin-region";

/// One request, as an AWS operation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Operation {
    /// The SigV4 service (`apigateway`, `cloudtrail`, `cognito-idp`, `sts`); empty when unsigned.
    pub service: String,
    /// The operation's name, when known (`GetUsage`, `LookupEvents`).
    pub name: Option<String>,
    /// The region it is signed for.
    pub region: Option<String>,
    /// The method and the path with ids replaced (`GET /restapis/{}/stages`), for counting.
    pub shape: String,
    /// The access key id it is signed with (which session, so which account).
    pub access_key: Option<String>,
    /// The account of that session, when the proxy saw it issued (else the credentials' own).
    pub account: Option<String>,
}

impl Operation {
    /// The operation of a request: its head (request line and headers) and its body.
    pub fn of(head: &str, body: &[u8]) -> Operation {
        let mut lines = head.lines();
        let mut parts = lines.next().unwrap_or_default().split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let path = target.split('?').next().unwrap_or("");
        let headers: Vec<(String, &str)> =
            lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim())).collect();
        let header = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
        let (region, service) = header("authorization").and_then(scope).unzip();
        let service = service.unwrap_or_default();
        let name = match header("x-amz-target") {
            Some(t) => t.rsplit('.').next().map(str::to_string),
            None if service == "apigateway" => rest_name(method, path).map(str::to_string),
            None => query_action(header("content-type"), body),
        };
        let access_key = header("authorization").and_then(access_key);
        Operation { service, name, region, shape: shape(method, path), access_key, account: None }
    }

    /// `service:Name`, as the front is told; `None` when the name is not known.
    pub fn label(&self) -> Option<String> {
        Some(format!("{}:{}", self.service, self.name.as_deref()?))
    }

    pub fn is(&self, service: &str, name: &str) -> bool {
        self.service == service && self.name.as_deref() == Some(name)
    }
}

/// The region and service of `Credential=AKID/DATE/REGION/SERVICE/aws4_request`.
fn scope(authorization: &str) -> Option<(String, String)> {
    let credential = authorization.split("Credential=").nth(1)?.split([',', ' ']).next()?;
    let mut parts = credential.split('/').skip(2);
    Some((parts.next()?.to_string(), parts.next()?.to_string()))
}

/// The access key id of `Credential=AKID/DATE/REGION/SERVICE/aws4_request`.
fn access_key(authorization: &str) -> Option<String> {
    let credential = authorization.split("Credential=").nth(1)?;
    Some(credential.split('/').next()?.to_string()).filter(|k| !k.is_empty())
}

/// `Action=GetCallerIdentity&...` in a form body.
fn query_action(content_type: Option<&str>, body: &[u8]) -> Option<String> {
    if !content_type.is_some_and(|c| c.starts_with("application/x-www-form-urlencoded")) {
        return None;
    }
    let body = std::str::from_utf8(body).ok()?;
    body.split('&').find_map(|kv| kv.strip_prefix("Action=")).map(str::to_string)
}

/// API Gateway's REST operations the stand-ins and the counts name: the method, the path's
/// segments (`*` an id), the name.
const REST: &[(&str, &str, &str)] = &[
    ("GET", "restapis", "GetRestApis"),
    ("GET", "restapis/*", "GetRestApi"),
    ("DELETE", "restapis/*", "DeleteRestApi"),
    ("GET", "restapis/*/stages", "GetStages"),
    ("GET", "restapis/*/resources", "GetResources"),
    ("GET", "restapis/*/authorizers", "GetAuthorizers"),
    ("GET", "restapis/*/stages/*/exports/*", "GetExport"),
    ("POST", "restapis/*/documentation/parts", "CreateDocumentationPart"),
    ("GET", "restapis/*/documentation/parts", "GetDocumentationParts"),
    ("GET", "restapis/*/documentation/parts/*", "GetDocumentationPart"),
    ("PATCH", "restapis/*/documentation/parts/*", "UpdateDocumentationPart"),
    ("DELETE", "restapis/*/documentation/parts/*", "DeleteDocumentationPart"),
    ("GET", "usageplans", "GetUsagePlans"),
    ("GET", "usageplans/*/usage", "GetUsage"),
    ("GET", "usageplans/*/keys", "GetUsagePlanKeys"),
    ("POST", "usageplans/*/keys", "CreateUsagePlanKey"),
    ("DELETE", "usageplans/*/keys/*", "DeleteUsagePlanKey"),
    ("GET", "apikeys", "GetApiKeys"),
    ("POST", "apikeys", "CreateApiKey"),
    ("GET", "apikeys/*", "GetApiKey"),
    ("PATCH", "apikeys/*", "UpdateApiKey"),
    ("DELETE", "apikeys/*", "DeleteApiKey"),
    ("GET", "domainnames", "GetDomainNames"),
    ("GET", "v2/apis", "GetApis"),
    ("GET", "v2/apis/*", "GetApi"),
    ("GET", "v2/apis/*/routes", "GetRoutes"),
    ("GET", "v2/apis/*/stages", "GetStages"),
    ("GET", "v2/apis/*/authorizers", "GetAuthorizers"),
    ("GET", "v2/apis/*/authorizers/*", "GetAuthorizer"),
    ("GET", "v2/apis/*/integrations", "GetIntegrations"),
    ("GET", "v2/apis/*/exports/*", "ExportApi"),
    ("GET", "v2/domainnames", "GetDomainNames"),
];

fn rest_name(method: &str, path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    REST.iter().find_map(|(m, pattern, name)| {
        let wanted: Vec<&str> = pattern.split('/').collect();
        let fits = wanted.len() == segments.len() && wanted.iter().zip(&segments).all(|(w, s)| *w == "*" || w == s);
        (*m == method && fits).then_some(*name)
    })
}

/// Path segments that name a collection (the others are ids).
const WORDS: [&str; 18] = [
    "restapis",
    "stages",
    "authorizers",
    "resources",
    "methods",
    "usageplans",
    "apikeys",
    "keys",
    "usage",
    "v2",
    "apis",
    "routes",
    "integrations",
    "deployments",
    "exports",
    "tags",
    "documentation",
    "parts",
];

/// `GET /restapis/{}/stages`: the method and the path with ids replaced.
fn shape(method: &str, path: &str) -> String {
    let segments: Vec<&str> =
        path.split('/').map(|seg| if seg.is_empty() || WORDS.contains(&seg) { seg } else { "{}" }).collect();
    format!("{method} {}", segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNED: &str = "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261207/eu-west-1/apigateway/aws4_request, \
                          SignedHeaders=host;x-amz-date, Signature=abc";

    #[test]
    fn api_gateway_operations_are_named_from_the_method_and_path() {
        let op = Operation::of(&format!("GET /usageplans/p1/usage?startDate=x HTTP/1.1\r\n{SIGNED}\r\n"), b"");
        assert_eq!(op.label().as_deref(), Some("apigateway:GetUsage"));
        assert_eq!(op.region.as_deref(), Some("eu-west-1"));
        assert_eq!(op.shape, "GET /usageplans/{}/usage");
        let op = Operation::of(&format!("GET /v2/apis/a1/exports/OAS30 HTTP/1.1\r\n{SIGNED}\r\n"), b"");
        assert!(op.is("apigateway", "ExportApi"));
        let op = Operation::of(&format!("PUT /restapis/a1 HTTP/1.1\r\n{SIGNED}\r\n"), b"");
        assert_eq!(op.name, None, "not one the table names");
    }

    #[test]
    fn json_and_query_operations_are_named_from_the_target_and_the_action() {
        let head = "POST / HTTP/1.1\r\nX-Amz-Target: CloudTrail_20131101.LookupEvents\r\nauthorization: AWS4-HMAC-SHA256 \
                    Credential=AKID/20261207/us-east-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=1\r\n";
        assert_eq!(Operation::of(head, b"{}").label().as_deref(), Some("cloudtrail:LookupEvents"));
        let head = "POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nAuthorization: AWS4-HMAC-SHA256 \
                    Credential=AKID/20261207/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=1\r\n";
        let op = Operation::of(head, b"Action=GetCallerIdentity&Version=2011-06-15");
        assert!(op.is("sts", "GetCallerIdentity"));
    }

    #[test]
    fn an_unsigned_request_has_no_service_and_is_counted_by_its_shape() {
        let op = Operation::of("GET /restapis/a1b2/stages?limit=500 HTTP/1.1\r\n", b"");
        assert_eq!((op.service.as_str(), op.name.clone(), op.label()), ("", None, None));
        assert_eq!(op.shape, "GET /restapis/{}/stages");
        assert_eq!(Operation::of("GET /restapis HTTP/1.1\r\n", b"").shape, "GET /restapis");
        assert_eq!(Operation::of("GET /v2/apis/x1/routes HTTP/1.1\r\n", b"").shape, "GET /v2/apis/{}/routes");
    }
}
