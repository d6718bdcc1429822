//! SARIF 2.1.0 for GitHub code scanning (the serde-sarif types): one run per account and
//! region (`automationDetails.id`), every rule with `properties.security-severity`, every
//! result with a physical location (a stable pseudo-path such as
//! `aws/<account>/<region>/apigateway/restapis/<id>/stages/<stage>`, line 1), a logical
//! location with the ARN, and a partial fingerprint (a hash of rule, account, region and
//! resource: API Gateway ARNs hold no account). Waived results are left out (GitHub ignores
//! suppressions), or with `include_waived` kept and marked as suppressed.

use super::rules::RULES;
use super::{Finding, Report, Severity};
use serde_sarif::sarif;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Each path segment percent-encoded (RFC 3986: a partner id is free text); `/` separates.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b'$' | b'@' | b'+' | b'=' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    // `..` would climb out of the pseudo-tree.
    out.replace("/../", "/%2E%2E/")
}

/// The stable relative path a finding is reported at.
pub fn pseudo_path(account: &str, f: &Finding) -> String {
    let (service, rest) = match f.resource.split_once("::/") {
        Some((_, rest)) => ("apigateway", rest.to_string()),
        None => ("cognito-idp", f.resource.rsplit_once("::").map_or(f.resource.clone(), |(_, r)| r.to_string())),
    };
    encode_path(&format!("aws/{account}/{}/{service}/{rest}", f.region))
}

/// Stable across runs: the same rule on the same resource of the same account and region (and
/// the same message: a rule that reports twice on one resource, such as two missing tags,
/// gives two alerts).
pub fn fingerprint(account: &str, f: &Finding) -> String {
    let text = format!("{}|{account}|{}|{}|{}", f.rule_id, f.region, f.resource, f.message);
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium => sarif::ResultLevel::Warning,
        Severity::Low | Severity::Info => sarif::ResultLevel::Note,
    }
}

fn text(t: impl Into<String>) -> sarif::Message {
    sarif::Message { text: Some(t.into()), ..Default::default() }
}

fn descriptor(i: usize) -> sarif::ReportingDescriptor {
    let r = &RULES[i];
    let mut props = BTreeMap::new();
    props.insert("security-severity".to_string(), serde_json::json!(r.severity.security_severity()));
    props.insert("severity".to_string(), serde_json::json!(r.severity.label()));
    if let Some(sh) = r.security_hub {
        props.insert("securityHub".to_string(), serde_json::json!(sh));
    }
    if let Some(p) = r.prowler {
        props.insert("prowler".to_string(), serde_json::json!(p));
    }
    let plain = |t: &str| sarif::MultiformatMessageString::builder().text(t).build();
    let help = sarif::MultiformatMessageString::builder()
        .text(format!("{} Fix: {}", r.why, r.fix))
        .markdown(format!("{}\n\n**Fix:** `{}`", r.why, r.fix))
        .build();
    let properties = sarif::PropertyBag {
        tags: Some(vec!["security".into(), "aws".into(), "api-gateway".into()]),
        additional_properties: props,
    };
    let d = sarif::ReportingDescriptor::builder()
        .id(r.id)
        .name(r.id)
        .short_description(plain(r.title))
        .full_description(plain(r.why))
        .help(help)
        .properties(properties);
    match r.references.first() {
        Some(u) => d.help_uri(*u).build(),
        None => d.build(),
    }
}

fn result(account: &str, f: &Finding) -> sarif::Result {
    let index = RULES.iter().position(|r| r.id == f.rule_id).unwrap_or(0);
    let physical = sarif::PhysicalLocation {
        artifact_location: Some(sarif::ArtifactLocation { uri: Some(pseudo_path(account, f)), ..Default::default() }),
        region: Some(sarif::Region { start_line: Some(1), ..Default::default() }),
        ..Default::default()
    };
    let logical = sarif::LogicalLocation {
        fully_qualified_name: Some(f.resource.clone()),
        kind: Some(
            serde_json::to_value(f.resource_type).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
        ),
        ..Default::default()
    };
    let location = sarif::Location {
        physical_location: Some(physical),
        logical_locations: Some(vec![logical]),
        ..Default::default()
    };
    let built = sarif::Result::builder()
        .rule_id(f.rule_id)
        .rule_index(index as i64)
        .level(level(f.severity))
        .message(text(format!("{}. Fix: {}", f.message, f.remediation)))
        .locations(vec![location])
        .partial_fingerprints(BTreeMap::from([("portcullisResource/v1".to_string(), fingerprint(account, f))]));
    if f.waived {
        let s = sarif::Suppression::builder()
            .kind(serde_json::json!("external"))
            .justification(f.waiver.clone().unwrap_or_default())
            .build();
        built.suppressions(vec![s]).build()
    } else {
        built.build()
    }
}

/// The report as a SARIF log: one run per account and region that was read (a clean one too,
/// so that code scanning closes its alerts). `places` are the (account, region) pairs read; a
/// place or finding without an account is `account`'s (the credentials' own).
pub fn log(report: &Report, account: &str, places: &[(Option<String>, String)], include_waived: bool) -> sarif::Sarif {
    let of = |a: &Option<String>| a.clone().unwrap_or_else(|| account.to_string());
    let mut places: Vec<(String, String)> = places.iter().map(|(a, r)| (of(a), r.clone())).collect();
    places.extend(report.findings.iter().map(|f| (of(&f.account.id), f.region.clone())));
    places.sort_unstable();
    places.dedup();
    let runs: Vec<sarif::Run> = places
        .into_iter()
        .map(|(account, region)| {
            let account = account.as_str();
            let region = region.as_str();
            let results: Vec<sarif::Result> = report
                .findings
                .iter()
                .filter(|f| of(&f.account.id) == account && f.region == region && (include_waived || !f.waived))
                .map(|f| result(account, f))
                .collect();
            let driver = sarif::ToolComponent::builder()
                .name("portcullis")
                .version(env!("CARGO_PKG_VERSION"))
                .rules((0..RULES.len()).map(descriptor).collect::<Vec<_>>())
                .build();
            let automation = sarif::RunAutomationDetails {
                id: Some(format!("portcullis/lint/{account}/{region}/")),
                ..Default::default()
            };
            sarif::Run::builder()
                .tool(sarif::Tool::builder().driver(driver).build())
                .automation_details(automation)
                .results(results)
                .build()
        })
        .collect();
    sarif::Sarif::builder()
        .schema(serde_sarif::sarif::SCHEMA_URL)
        .version(serde_json::json!("2.1.0"))
        .runs(runs)
        .build()
}
