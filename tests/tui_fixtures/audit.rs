//! Audit events, cursors and feeds for the TUI tests.

use portcullis::domain::{AuditEvent, AuditQuery, AuditResource, Coverage, Cursor, Feed, ServerFilter, parse_time};

pub const APIGW: &str = "apigateway.amazonaws.com";
pub const COGNITO: &str = "cognito-idp.amazonaws.com";

/// An RFC 3339 time.
pub fn t(s: &str) -> time::OffsetDateTime {
    parse_time(s).unwrap()
}

/// The week up to 2026-11-27 12:00, API Gateway and Cognito.
pub fn query() -> AuditQuery {
    AuditQuery {
        since: t("2026-11-20T12:00:00Z"),
        until: t("2026-11-27T12:00:00Z"),
        event_name: None,
        event_sources: vec![APIGW.into(), COGNITO.into()],
        user: None,
        resource: None,
        errors_only: false,
        read_only: None,
        limit: usize::MAX,
    }
}

/// A CloudTrail record, as JSON text, for an API Gateway call by `user` (an assumed role).
pub fn record(id: &str, time: &str, name: &str, user: &str, params: serde_json::Value) -> String {
    serde_json::json!({
        "eventVersion": "1.09", "eventID": id, "eventTime": time, "eventSource": APIGW,
        "eventName": name, "awsRegion": "eu-west-1", "sourceIPAddress": "203.0.113.7", "userAgent": "aws-cli/2.15",
        "userIdentity": {"type": "AssumedRole", "arn": format!("arn:aws:sts::123456789012:assumed-role/Admin/{user}"),
                         "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Admin"},
                                            "attributes": {"mfaAuthenticated": "true"}}},
        "requestParameters": params, "responseElements": null, "readOnly": name.starts_with("Get"),
        "eventType": "AwsApiCall", "recipientAccountId": "123456789012"
    })
    .to_string()
}

/// An event touching `res` (request parameter, value), with its record.
#[allow(clippy::too_many_arguments)]
pub fn ev(
    id: &str,
    time: &str,
    name: &str,
    source: &str,
    user: &str,
    error: Option<&str>,
    res: &[(&str, &str)],
) -> AuditEvent {
    let params: serde_json::Map<String, serde_json::Value> =
        res.iter().map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string()))).collect();
    AuditEvent {
        event_id: id.into(),
        event_time: time.into(),
        event_name: name.into(),
        event_source: source.into(),
        username: Some(user.into()),
        source_ip: Some("203.0.113.7".into()),
        region: Some("eu-west-1".into()),
        account: Default::default(),
        error_code: error.map(String::from),
        error_message: None,
        read_only: Some(name.starts_with("Get") || name.starts_with("Describe")),
        resources: res
            .iter()
            .map(|(k, v)| {
                let kind = match *k {
                    "apiKey" => "AWS::ApiGateway::ApiKey",
                    "usagePlanId" => "AWS::ApiGateway::UsagePlan",
                    "restApiId" => "AWS::ApiGateway::RestApi",
                    "stageName" => "AWS::ApiGateway::Stage",
                    _ => "AWS::Cognito::UserPool",
                };
                AuditResource { kind: kind.into(), name: v.to_string() }
            })
            .collect(),
        user_agent: Some("aws-cli/2.15".into()),
        record: Some(record(id, time, name, user, serde_json::Value::Object(params))),
    }
}

/// Six events, newest first: a key created (k1), a denied delete (k9, gone), a stage update
/// (payments-api prod), a Cognito read, a user name with an escape sequence, and an event
/// whose record is cut short (not valid JSON).
pub fn events() -> Vec<AuditEvent> {
    let mut broken = ev("e6", "2026-11-23T08:00:00Z", "UpdateUsagePlan", APIGW, "ops", None, &[("usagePlanId", "p1")]);
    broken.record = Some("{\"eventVersion\":\"1.09\",\"eventID\":\"e6\",\"requestParameters\":{\"usag".into());
    vec![
        ev("e1", "2026-11-27T09:15:02Z", "CreateApiKey", APIGW, "jane", None, &[("apiKey", "k1")]),
        ev("e2", "2026-11-27T08:40:11Z", "DeleteApiKey", APIGW, "intern", Some("AccessDenied"), &[("apiKey", "k9")]),
        ev(
            "e3",
            "2026-11-26T17:02:45Z",
            "UpdateStage",
            APIGW,
            "deploy-pipeline",
            None,
            &[("restApiId", "a1b2c3d4e5"), ("stageName", "prod")],
        ),
        ev(
            "e4",
            "2026-11-25T11:30:00Z",
            "DescribeUserPoolClient",
            COGNITO,
            "platform",
            None,
            &[("userPoolId", "eu-west-1_AbCdEf")],
        ),
        ev("e5", "2026-11-24T10:00:00Z", "GetApiKeys", APIGW, "evil\u{1b}[31mred", None, &[]),
        broken,
    ]
}

/// A LookupEvents cursor for `source` in eu-west-1, fetched down to the 21st after two pages;
/// with `more`, its window still has older events to fetch.
pub fn cursor(source: &str, more: bool) -> Cursor {
    let mut c = Cursor::plan(
        "eu-west-1",
        Some(ServerFilter::new("EventSource", source)),
        &query(),
        None,
        t("2026-11-27T12:00:00Z"),
    );
    c.coverage = Coverage { oldest: t("2026-11-21T00:00:00Z"), newest: t("2026-11-27T11:45:00Z") };
    // Fetched down to the 21st so far.
    c.windows[0].reached = t("2026-11-21T00:00:00Z");
    if !more {
        c.windows.clear();
    }
    c.pages = 2;
    c
}

/// The API Gateway and Cognito cursors with [`events`], four of them from the cache of
/// account 123456789012.
pub fn feed(more: bool) -> Feed {
    let mut f = Feed { cursors: vec![cursor(APIGW, more), cursor(COGNITO, more)], ..Default::default() };
    f.add(events());
    f.from_cache = 4;
    f.account = Some("123456789012".into());
    f
}
