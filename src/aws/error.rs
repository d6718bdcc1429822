//! One error type: throttling, credentials, access denied and "not implemented"
//! become short, clear messages.

use aws_sdk_apigateway::config::http::HttpResponse;
use aws_sdk_apigateway::error::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Throttled,
    ExpiredCredentials,
    NoCredentials,
    AccessDenied,
    NotImplemented,
    NotFound,
    /// The change clashes with what exists (e.g. the key is already in the plan).
    Conflict,
    /// An AWS quota is used up (e.g. 10,000 API keys per region).
    LimitExceeded,
    /// Refused by portcullis itself (read-only mode).
    Refused,
    Network,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    pub kind: ErrorKind,
    /// The API action that failed, e.g. `GetRestApis`.
    pub action: String,
    pub message: String,
    /// The HTTP status, when a response arrived.
    pub status: Option<u16>,
}

impl fmt::Display for AwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AwsError {}

const THROTTLING: &[&str] = &["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"];
const EXPIRED: &[&str] =
    &["ExpiredTokenException", "ExpiredToken", "RequestExpired", "InvalidClientTokenId", "UnrecognizedClientException"];
const DENIED: &[&str] = &["AccessDeniedException", "AccessDenied", "UnauthorizedOperation"];

impl AwsError {
    /// The outcome is unknown: the request may or may not have taken effect (a lost answer,
    /// a 5xx from a proxy, a 2xx that did not parse).
    pub fn outcome_unknown(&self) -> bool {
        self.kind == ErrorKind::Network || self.status.is_some_and(|s| s >= 500 || (200..300).contains(&s))
    }

    pub fn new(kind: ErrorKind, action: &str, message: impl Into<String>) -> Self {
        AwsError { kind, action: action.to_string(), message: message.into(), status: None }
    }

    /// Name what was not found: "usage plan p123 not found (GetUsagePlan)".
    pub fn with_subject(mut self, what: &str, id: &str) -> Self {
        if self.kind == ErrorKind::NotFound {
            self.message = format!("{what} {id} not found ({})", self.action);
        }
        self
    }

    /// Classify an SDK error for `action`; `profile` names the profile for the SSO hint.
    pub fn from_sdk<E>(action: &str, profile: Option<&str>, err: SdkError<E, HttpResponse>) -> AwsError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let status = match &err {
            SdkError::ServiceError(e) => Some(e.raw().status().as_u16()),
            SdkError::ResponseError(e) => Some(e.raw().status().as_u16()),
            _ => None,
        };
        let code = err.code().map(str::to_string);
        let service_message = err.message().map(str::to_string);
        let detail = DisplayErrorContext(&err).to_string();
        classify(action, profile, code.as_deref(), service_message.as_deref(), status, &detail)
    }
}

fn sso_hint(profile: Option<&str>) -> String {
    match profile {
        Some(p) => format!("run `aws sso login --profile {p}` (or refresh the credentials) and retry"),
        None => "run `aws sso login --profile NAME` (or refresh the credentials) and retry".into(),
    }
}

/// Pure classification, separated for tests.
pub fn classify(
    action: &str,
    profile: Option<&str>,
    code: Option<&str>,
    service_message: Option<&str>,
    status: Option<u16>,
    detail: &str,
) -> AwsError {
    let lower = detail.to_ascii_lowercase();
    let kind = kind_of(code, status, &lower);
    let msg = service_message.unwrap_or("").trim();
    AwsError { status, ..AwsError::new(kind, action, message(kind, action, profile, msg, status, detail)) }
}

fn kind_of(code: Option<&str>, status: Option<u16>, lower: &str) -> ErrorKind {
    let has = |list: &[&str]| code.is_some_and(|c| list.contains(&c));
    // The error code decides first: API Gateway also sends quota errors as 429.
    let rate = ["rate limit", "rate exceeded", "too many requests", "retry after"].iter().any(|n| lower.contains(n));
    if code == Some("LimitExceededException") && !rate {
        ErrorKind::LimitExceeded
    } else if has(THROTTLING) || code == Some("LimitExceededException") || status == Some(429) && code.is_none() {
        ErrorKind::Throttled
    } else if has(EXPIRED) || lower.contains("expired") && lower.contains("token") {
        ErrorKind::ExpiredCredentials
    } else if has(DENIED) || status == Some(403) && code.is_none() {
        ErrorKind::AccessDenied
    } else if is_not_implemented(code, status, lower) || code.is_none() && status.is_some_and(|s| s == 404 || s >= 500)
    {
        ErrorKind::NotImplemented
    } else if code == Some("NotFoundException") || code == Some("ResourceNotFoundException") {
        ErrorKind::NotFound
    } else if code == Some("ConflictException") {
        ErrorKind::Conflict
    } else if is_missing_credentials(lower) {
        ErrorKind::NoCredentials
    } else if code.is_none() && status.is_none() && is_network(lower) {
        ErrorKind::Network
    } else {
        ErrorKind::Other
    }
}

fn message(
    kind: ErrorKind,
    action: &str,
    profile: Option<&str>,
    msg: &str,
    status: Option<u16>,
    detail: &str,
) -> String {
    match kind {
        ErrorKind::Throttled => {
            format!("{action} was throttled by AWS (account-wide limit); wait a moment and retry, or lower --pace-rps")
        }
        ErrorKind::ExpiredCredentials => {
            format!("{action}: the AWS credentials are expired or invalid; {}", sso_hint(profile))
        }
        ErrorKind::AccessDenied => {
            format!("access denied: the credentials are not allowed to call {action}{}", suffix(msg))
        }
        ErrorKind::NotImplemented => match status {
            Some(s) if s == 404 || s >= 500 && s != 501 => {
                format!("{action} is not supported by this endpoint (HTTP {s} without an AWS error code; an emulator?)")
            }
            _ => format!("{action} is not supported by this endpoint (an emulator?)"),
        },
        ErrorKind::NotFound => format!("{action}: not found{}", suffix(msg)),
        ErrorKind::Conflict => format!("{action}: conflicts with what exists{}", suffix(msg)),
        ErrorKind::LimitExceeded => format!("{action}: an AWS limit is reached{}", suffix(msg)),
        ErrorKind::Refused => format!("{action} refused"),
        ErrorKind::NoCredentials => {
            format!("{action}: no AWS credentials found; set a profile with --profile, or {}", sso_hint(profile))
        }
        ErrorKind::Network => format!("{action}: could not reach the endpoint ({})", short(detail)),
        ErrorKind::Other if msg.is_empty() => format!("{action} failed: {}", short(detail)),
        ErrorKind::Other => format!("{action} failed: {msg}"),
    }
}

fn is_network(lower: &str) -> bool {
    ["dispatch failure", "io error", "timeout", "connection"].iter().any(|n| lower.contains(n))
}

fn is_missing_credentials(lower: &str) -> bool {
    [
        "no credentials",
        "failed to load credentials",
        "credentials provider",
        "credential provider",
        "no providers in chain",
        // IMDS refusing or unreachable, after every other provider found nothing.
        "while loading credentials",
        "imds session token",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
}

fn is_not_implemented(code: Option<&str>, status: Option<u16>, lower: &str) -> bool {
    code == Some("NotImplemented")
        || code == Some("NotImplementedException")
        || status == Some(501)
        || lower.contains("not yet implemented")
        || lower.contains("has not been implemented")
}

fn suffix(msg: &str) -> String {
    if msg.is_empty() { String::new() } else { format!(" ({msg})") }
}

fn short(detail: &str) -> String {
    let one = detail.replace('\n', " ");
    if one.chars().count() > 200 { format!("{}…", one.chars().take(200).collect::<String>()) } else { one }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttling_is_named() {
        let e = classify("GetRestApis", None, Some("TooManyRequestsException"), None, Some(429), "");
        assert_eq!(e.kind, ErrorKind::Throttled);
        assert!(e.message.contains("throttled"));
    }

    #[test]
    fn limit_exceeded_is_a_quota_unless_it_is_a_rate() {
        let quota = classify(
            "CreateApiKey",
            None,
            Some("LimitExceededException"),
            Some("API Key limit exceeded"),
            Some(429),
            "API Key limit exceeded",
        );
        assert_eq!(quota.kind, ErrorKind::LimitExceeded);
        let rate = classify(
            "CreateApiKey",
            None,
            Some("LimitExceededException"),
            Some("Rate exceeded"),
            Some(429),
            "rate exceeded",
        );
        assert_eq!(rate.kind, ErrorKind::Throttled);
    }

    #[test]
    fn expired_token_gives_sso_hint() {
        let e = classify("GetRestApis", Some("prod"), Some("ExpiredTokenException"), None, Some(403), "");
        assert_eq!(e.kind, ErrorKind::ExpiredCredentials);
        assert!(e.message.contains("aws sso login --profile prod"), "{}", e.message);
    }

    #[test]
    fn access_denied_names_the_action() {
        let e =
            classify("GetStages", None, Some("AccessDeniedException"), Some("User is not authorized"), Some(403), "");
        assert_eq!(e.kind, ErrorKind::AccessDenied);
        assert!(e.message.contains("GetStages"));
    }

    #[test]
    fn emulator_not_implemented() {
        let e = classify("GetUsage", None, None, None, Some(501), "");
        assert_eq!(e.kind, ErrorKind::NotImplemented);
        let e = classify("ExportApi", None, None, None, Some(500), "The export_api action has not been implemented");
        assert_eq!(e.kind, ErrorKind::NotImplemented);
    }

    #[test]
    fn emulator_crash_without_code() {
        let e = classify("GetAuthorizers", None, None, None, Some(500), "unexpected token '<' connection");
        assert_eq!(e.kind, ErrorKind::NotImplemented);
        assert!(e.message.contains("HTTP 500"), "{}", e.message);
    }

    #[test]
    fn emulator_404_without_code_is_unsupported() {
        let e = classify("ExportApi", None, None, None, Some(404), "unexpected token '<'");
        assert_eq!(e.kind, ErrorKind::NotImplemented);
        let real = classify("GetStages", None, Some("NotFoundException"), Some("Invalid API id"), Some(404), "");
        assert_eq!(real.kind, ErrorKind::NotFound);
    }

    #[test]
    fn missing_credentials() {
        // The SDK's own wording when the default chain finds nothing.
        let imds =
            "dispatch failure: other: an error occurred while loading credentials: failed to load IMDS session token";
        let e = classify("GetRestApis", None, None, None, None, imds);
        assert_eq!(e.kind, ErrorKind::NoCredentials, "{}", e.message);
        assert!(
            e.message.starts_with("GetRestApis: no AWS credentials found; set a profile with --profile"),
            "{}",
            e.message
        );
        let sdk = "dispatch failure: other: the credential provider was not enabled: no providers in chain provided credentials";
        let e = classify("GetRestApis", None, None, None, None, sdk);
        assert_eq!(e.kind, ErrorKind::NoCredentials);
        assert!(e.message.contains("no AWS credentials"), "{}", e.message);
    }
}
