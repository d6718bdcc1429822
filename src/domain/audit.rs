//! CloudTrail audit events, from LookupEvents or from a trail's log files in S3.
//!
//! Field names serialise in camelCase: the `audit --output json` contract.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditResource {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEvent {
    pub event_id: String,
    /// RFC 3339, UTC.
    pub event_time: String,
    pub event_name: String,
    pub event_source: String,
    pub username: Option<String>,
    pub source_ip: Option<String>,
    pub region: Option<String>,
    #[serde(flatten)]
    pub account: super::AccountRef,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub read_only: Option<bool>,
    pub resources: Vec<AuditResource>,
    pub user_agent: Option<String>,
    /// The full record as CloudTrail wrote it (for the detail view); not in JSON output.
    #[serde(skip)]
    pub record: Option<String>,
}

/// A resource an event touched that the app has a screen for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touched {
    Key(String),
    Plan(String),
    Api { id: String, stage: Option<String> },
}

impl AuditEvent {
    /// The resource to jump to: a key, else a plan, else an API (with its stage when named).
    /// Resources come as ids typed by kind, or as ARNs (`…::/restapis/ID/stages/NAME`).
    pub fn touched(&self) -> Option<Touched> {
        let mut key = None;
        let mut plan = None;
        let mut api = None;
        let mut stage = None;
        for r in &self.resources {
            let seg = |part: &str| {
                let rest = r.name.split(part).nth(1)?;
                rest.split('/').next().filter(|s| !s.is_empty()).map(str::to_string)
            };
            key = key.or_else(|| seg("/apikeys/"));
            plan = plan.or_else(|| seg("/usageplans/"));
            api = api.or_else(|| seg("/restapis/")).or_else(|| seg("/apis/"));
            stage = stage.or_else(|| seg("/stages/"));
            let id = || Some(r.name.clone()).filter(|n| !n.contains('/') && !n.is_empty());
            match r.kind.as_str() {
                "AWS::ApiGateway::ApiKey" => key = key.or_else(id),
                "AWS::ApiGateway::UsagePlan" => plan = plan.or_else(id),
                "AWS::ApiGateway::RestApi" | "AWS::ApiGatewayV2::Api" => api = api.or_else(id),
                "AWS::ApiGateway::Stage" => stage = stage.or_else(id),
                _ => {}
            }
        }
        key.map(Touched::Key).or(plan.map(Touched::Plan)).or_else(|| Some(Touched::Api { id: api?, stage }))
    }
}

/// The parts of a CloudTrail record we read (the CloudTrail user guide's "record contents").
/// The request, response and extra data stay raw text: only a few ids are read from them, and
/// they are the parts that can hold a secret.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Record<'a> {
    event_time: Option<String>,
    event_source: Option<String>,
    event_name: Option<String>,
    aws_region: Option<String>,
    #[serde(rename = "sourceIPAddress")]
    source_ip_address: Option<String>,
    user_agent: Option<String>,
    user_identity: Option<Identity>,
    #[serde(borrow)]
    request_parameters: Option<&'a RawValue>,
    #[serde(borrow)]
    response_elements: Option<&'a RawValue>,
    #[serde(borrow)]
    additional_event_data: Option<&'a RawValue>,
    #[serde(borrow)]
    service_event_details: Option<&'a RawValue>,
    error_code: Option<String>,
    error_message: Option<String>,
    recipient_account_id: Option<String>,
    #[serde(rename = "eventID")]
    event_id: Option<String>,
    read_only: Option<serde_json::Value>,
    resources: Option<Vec<RecordResource>>,
}

/// The request parameters that name an API Gateway or Cognito resource.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Params {
    rest_api_id: Option<String>,
    api_id: Option<String>,
    stage_name: Option<String>,
    api_key: Option<String>,
    key_id: Option<String>,
    usage_plan_id: Option<String>,
    user_pool_id: Option<String>,
    client_id: Option<String>,
}

impl Params {
    /// Each id with the resource type to give it.
    fn ids(self) -> [(Option<String>, &'static str); 8] {
        [
            (self.rest_api_id, "AWS::ApiGateway::RestApi"),
            (self.api_id, "AWS::ApiGatewayV2::Api"),
            (self.stage_name, "AWS::ApiGateway::Stage"),
            (self.api_key, "AWS::ApiGateway::ApiKey"),
            (self.key_id, "AWS::ApiGateway::ApiKey"),
            (self.usage_plan_id, "AWS::ApiGateway::UsagePlan"),
            (self.user_pool_id, "AWS::Cognito::UserPool"),
            (self.client_id, "AWS::Cognito::UserPoolClient"),
        ]
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Identity {
    user_name: Option<String>,
    arn: Option<String>,
    principal_id: Option<String>,
    session_context: Option<SessionContext>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct SessionContext {
    session_issuer: Option<Identity2>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct Identity2 {
    user_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RecordResource {
    #[serde(rename = "ARN")]
    arn: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

impl Identity {
    fn username(&self) -> Option<String> {
        let issuer =
            self.session_context.as_ref().and_then(|s| s.session_issuer.as_ref()).and_then(|i| i.user_name.clone());
        let from_arn = self.arn.as_deref().and_then(|a| a.rsplit('/').next()).map(str::to_string);
        self.user_name.clone().or(issuer).or(from_arn).or_else(|| self.principal_id.clone())
    }
}

fn read_only(v: &Option<serde_json::Value>) -> Option<bool> {
    match v {
        Some(serde_json::Value::Bool(b)) => Some(*b),
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        _ => None,
    }
}

fn resources(r: &Record) -> Vec<AuditResource> {
    let mut out: Vec<AuditResource> = r
        .resources
        .iter()
        .flatten()
        .filter_map(|x| Some(AuditResource { kind: x.kind.clone().unwrap_or_default(), name: x.arn.clone()? }))
        .collect();
    // Parameters of another shape (an id that is not a string) are not resources we know.
    let params: Params = r.request_parameters.and_then(|p| serde_json::from_str(p.get()).ok()).unwrap_or_default();
    for (id, kind) in params.ids() {
        if let Some(v) = id
            && !out.iter().any(|x| x.name == v)
        {
            out.push(AuditResource { kind: kind.to_string(), name: v });
        }
    }
    out
}

/// One CloudTrail record (a JSON object) as an event; an error when it lacks an id or time.
pub fn event_from_record(raw: &str) -> Result<AuditEvent, String> {
    let r: Record = serde_json::from_str(raw).map_err(|e| format!("not a CloudTrail record: {e}"))?;
    let name = r.event_name.clone().unwrap_or_default();
    let parts = [r.request_parameters, r.response_elements, r.additional_event_data, r.service_event_details];
    let secret = parts.iter().flatten().any(|p| super::redact::may_hold_secrets(p.get(), &name));
    let record = if secret { redact_record(raw, &name) } else { raw.to_string() };
    let resources = resources(&r);
    let username = r.user_identity.as_ref().and_then(Identity::username);
    Ok(AuditEvent {
        event_id: r.event_id.ok_or("record without eventID")?,
        event_time: r.event_time.ok_or("record without eventTime")?,
        event_name: name,
        event_source: r.event_source.unwrap_or_default(),
        username,
        source_ip: r.source_ip_address,
        region: r.aws_region,
        // The account the record was delivered for (an organisation trail holds every member's).
        account: crate::domain::AccountRef::new(r.recipient_account_id, None),
        error_code: r.error_code,
        error_message: r.error_message,
        read_only: read_only(&r.read_only),
        resources,
        user_agent: r.user_agent,
        record: Some(record),
    })
}

pub use super::redact::{HIDDEN, redact_record};

/// A trail log file's `{"Records": [...]}`, each record kept as raw text (no DOM for the file).
#[derive(Deserialize)]
struct TrailFile<'a> {
    #[serde(rename = "Records", borrow)]
    records: Vec<&'a RawValue>,
}

/// Parse a decompressed trail log file; records that are not valid records are counted, not fatal.
pub fn events_from_trail_file(json: &[u8]) -> Result<(Vec<AuditEvent>, usize), String> {
    let file: TrailFile = serde_json::from_slice(json).map_err(|e| format!("not a CloudTrail log file: {e}"))?;
    let mut bad = 0;
    let mut events = Vec::with_capacity(file.records.len());
    for r in file.records {
        match event_from_record(r.get()) {
            Ok(e) => events.push(e),
            Err(_) => bad += 1,
        }
    }
    Ok((events, bad))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r#"{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROA:jane","arn":"arn:aws:sts::123456789012:assumed-role/Admin/jane","sessionContext":{"sessionIssuer":{"type":"Role","userName":"Admin"}}},"eventTime":"2026-11-20T10:00:00Z","eventSource":"apigateway.amazonaws.com","eventName":"CreateApiKey","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2","requestParameters":{"name":"acme","usagePlanId":"p1"},"responseElements":null,"requestID":"r1","eventID":"e1","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"123456789012"}"#;

    #[test]
    fn a_record_becomes_an_event() {
        let e = event_from_record(RECORD).unwrap();
        assert_eq!((e.event_id.as_str(), e.event_name.as_str()), ("e1", "CreateApiKey"));
        assert_eq!(e.username.as_deref(), Some("Admin"));
        assert_eq!(e.source_ip.as_deref(), Some("203.0.113.9"));
        assert_eq!(e.read_only, Some(false));
        assert_eq!(e.resources, vec![AuditResource { kind: "AWS::ApiGateway::UsagePlan".into(), name: "p1".into() }]);
    }

    #[test]
    fn secrets_in_a_record_are_hidden_where_the_record_enters() {
        let raw = r#"{"eventID":"e","eventTime":"2026-11-20T10:00:00Z","eventName":"CreateApiKey","requestParameters":{"name":"acme","apiKey":"k1"},"responseElements":{"id":"k1","value":"s3cr3tKEYvalue0123456789"}}"#;
        let e = event_from_record(raw).unwrap();
        let rec = e.record.unwrap();
        assert!(!rec.contains("s3cr3tKEYvalue") && rec.contains(HIDDEN), "{rec}");
        assert_eq!(e.resources, vec![AuditResource { kind: "AWS::ApiGateway::ApiKey".into(), name: "k1".into() }]);
        let raw = r#"{"eventID":"e","eventTime":"2026-11-20T10:00:00Z","eventName":"RespondToAuthChallenge","additionalEventData":{"sub":"x"},"requestParameters":{"challengeResponses":{"NEW_PASSWORD":"pw-123"}}}"#;
        assert!(!event_from_record(raw).unwrap().record.unwrap().contains("pw-123"));
        assert_eq!(event_from_record(RECORD).unwrap().record.as_deref(), Some(RECORD), "nothing to hide: as it was");
    }

    #[test]
    fn a_file_counts_bad_records() {
        let file = format!(r#"{{"Records":[{RECORD},{{"eventName":"NoId"}},{RECORD}]}}"#);
        let (events, bad) = events_from_trail_file(file.as_bytes()).unwrap();
        assert_eq!((events.len(), bad), (2, 1));
        assert!(events_from_trail_file(b"{\"Records\":[{").is_err());
    }
}

/// What to look for. Everything is applied client-side; LookupEvents also gets the most
/// selective single attribute (it takes only one).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditQuery {
    pub since: time::OffsetDateTime,
    pub until: time::OffsetDateTime,
    pub event_name: Option<String>,
    /// Empty: any source.
    pub event_sources: Vec<String>,
    pub user: Option<String>,
    pub resource: Option<String>,
    pub errors_only: bool,
    pub read_only: Option<bool>,
    pub limit: usize,
}

/// The sources the audit screen shows by default.
pub const DEFAULT_SOURCES: [&str; 2] = ["apigateway.amazonaws.com", "cognito-idp.amazonaws.com"];

fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.to_lowercase().contains(&needle.to_lowercase())
}

impl AuditQuery {
    pub fn matches(&self, e: &AuditEvent) -> bool {
        let time_ok = parse_time(&e.event_time).is_some_and(|t| t >= self.since && t <= self.until);
        time_ok
            && self.event_name.as_ref().is_none_or(|n| e.event_name.eq_ignore_ascii_case(n))
            && (self.event_sources.is_empty() || self.event_sources.iter().any(|s| s == &e.event_source))
            && self.user.as_ref().is_none_or(|u| e.username.as_deref().is_some_and(|x| contains_ci(x, u)))
            && self.resource.as_ref().is_none_or(|r| {
                r.split(',').map(str::trim).any(|one| e.resources.iter().any(|x| contains_ci(&x.name, one)))
            })
            && (!self.errors_only || e.error_code.is_some())
            && self.read_only.is_none_or(|ro| e.read_only == Some(ro))
    }
}

/// A time as RFC 3339 in whole seconds (`2026-12-01T10:00:00Z`).
pub fn rfc3339(t: time::OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// `7d`, `12h`, `30m`, `90s` (or a plain number of seconds) as a duration.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    let (number, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = number.parse().map_err(|_| format!("`{text}` is not a duration (like 7d, 12h, 30m or 90s)"))?;
    let secs = match unit {
        "d" => n * 86_400,
        "h" => n * 3600,
        "m" => n * 60,
        "s" | "" => n,
        _ => return Err(format!("`{text}` is not a duration (like 7d, 12h, 30m or 90s)")),
    };
    Ok(std::time::Duration::from_secs(secs))
}

/// RFC 3339 to a time.
pub fn parse_time(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

/// `1h`, `24h`, `7d`, `30m` before `now`, or an absolute RFC 3339 time.
pub fn parse_since(s: &str, now: time::OffsetDateTime) -> Result<time::OffsetDateTime, String> {
    if let Some(t) = parse_time(s) {
        return Ok(t);
    }
    let (num, unit) = s.split_at(s.len().saturating_sub(1));
    let n: i64 =
        num.parse().map_err(|_| format!("`{s}` is neither a duration like 1h, 24h, 7d nor an RFC 3339 time"))?;
    let d = match unit {
        "m" => time::Duration::minutes(n),
        "h" => time::Duration::hours(n),
        "d" => time::Duration::days(n),
        _ => return Err(format!("`{s}`: the unit must be m, h or d")),
    };
    Ok(now - d)
}

/// Newest first, then by id for a stable order.
pub fn sort_newest_first(events: &mut [AuditEvent]) {
    events.sort_by(|a, b| b.event_time.cmp(&a.event_time).then_with(|| a.event_id.cmp(&b.event_id)));
}

#[cfg(test)]
mod query_tests {
    use super::*;

    fn event(name: &str, time: &str, user: &str, error: Option<&str>) -> AuditEvent {
        AuditEvent {
            event_id: format!("{name}-{time}"),
            event_time: time.into(),
            event_name: name.into(),
            event_source: "apigateway.amazonaws.com".into(),
            username: Some(user.into()),
            source_ip: None,
            region: None,
            account: Default::default(),
            error_code: error.map(String::from),
            error_message: None,
            read_only: Some(false),
            resources: vec![AuditResource { kind: "AWS::ApiGateway::ApiKey".into(), name: "k123".into() }],
            user_agent: None,
            record: None,
        }
    }

    #[test]
    fn the_touched_resource_comes_from_ids_or_arns() {
        let mut e = event("UpdateStage", "2026-11-02T00:00:00Z", "jane", None);
        assert_eq!(e.touched(), Some(Touched::Key("k123".into())));
        e.resources = vec![
            AuditResource { kind: "AWS::ApiGateway::RestApi".into(), name: "a1b2".into() },
            AuditResource { kind: "AWS::ApiGateway::Stage".into(), name: "prod".into() },
        ];
        assert_eq!(e.touched(), Some(Touched::Api { id: "a1b2".into(), stage: Some("prod".into()) }));
        e.resources = vec![AuditResource {
            kind: "AWS::ApiGateway::Stage".into(),
            name: "arn:aws:apigateway:eu-west-1::/restapis/x9/stages/dev".into(),
        }];
        assert_eq!(e.touched(), Some(Touched::Api { id: "x9".into(), stage: Some("dev".into()) }));
        e.resources =
            vec![AuditResource { kind: String::new(), name: "arn:aws:apigateway:eu-west-1::/usageplans/p7".into() }];
        assert_eq!(e.touched(), Some(Touched::Plan("p7".into())));
        e.resources.clear();
        assert_eq!(e.touched(), None);
    }

    #[test]
    fn since_accepts_durations_and_times() {
        let now = parse_time("2026-11-27T12:00:00Z").unwrap();
        assert_eq!(parse_since("1h", now).unwrap(), parse_time("2026-11-27T11:00:00Z").unwrap());
        assert_eq!(parse_since("7d", now).unwrap(), parse_time("2026-11-20T12:00:00Z").unwrap());
        assert_eq!(parse_since("2026-11-01T00:00:00Z", now).unwrap(), parse_time("2026-11-01T00:00:00Z").unwrap());
        assert!(parse_since("soon", now).is_err());
        assert!(parse_since("5y", now).is_err());
    }

    #[test]
    fn every_filter_applies() {
        let q = AuditQuery {
            since: parse_time("2026-11-01T00:00:00Z").unwrap(),
            until: parse_time("2026-11-30T00:00:00Z").unwrap(),
            event_name: Some("createapikey".into()),
            event_sources: DEFAULT_SOURCES.iter().map(|s| s.to_string()).collect(),
            user: Some("jane".into()),
            resource: Some("K123".into()),
            errors_only: true,
            read_only: Some(false),
            limit: 10,
        };
        assert!(q.matches(&event("CreateApiKey", "2026-11-02T00:00:00Z", "Jane.Doe", Some("AccessDenied"))));
        assert!(!q.matches(&event("CreateApiKey", "2026-11-02T00:00:00Z", "Jane.Doe", None)), "errors only");
        assert!(!q.matches(&event("DeleteApiKey", "2026-11-02T00:00:00Z", "jane", Some("x"))), "name");
        assert!(!q.matches(&event("CreateApiKey", "2026-12-02T00:00:00Z", "jane", Some("x"))), "time");
        assert!(!q.matches(&event("CreateApiKey", "2026-11-02T00:00:00Z", "bob", Some("x"))), "user");
        // Several resources (a partner's): any of them.
        let any = AuditQuery { resource: Some("k9, k123,c1".into()), ..q.clone() };
        assert!(any.matches(&event("CreateApiKey", "2026-11-02T00:00:00Z", "Jane.Doe", Some("AccessDenied"))));
        let none = AuditQuery { resource: Some("k9,c1".into()), ..q };
        assert!(!none.matches(&event("CreateApiKey", "2026-11-02T00:00:00Z", "Jane.Doe", Some("AccessDenied"))));
        let filters = crate::domain::server_filters(&any);
        let names: Vec<String> = filters.iter().flatten().map(|f| f.value.clone()).collect();
        assert_eq!(names, ["k9", "k123", "c1"], "one LookupEvents cursor per resource");
    }
}
