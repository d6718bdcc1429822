//! Waivers: a TOML file of `[[waiver]]` entries, each with `rule` (an id, or a glob over ids),
//! `resource` (a glob over ARNs: `*` within one `/` segment, `**` across them), `reason` and
//! `expires` (both required; at most a year ahead).
//! A waived finding stays in the output, counted as waived; an expired waiver no longer applies
//! and is a warning; a waiver that matches nothing is a warning.

use super::Finding;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    pub rule: String,
    pub resource: String,
    pub reason: String,
    /// `YYYY-MM-DD`: the waiver holds through this day (UTC).
    pub expires: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    waiver: Vec<Waiver>,
}

/// The waivers of `text` (named `source` in errors), checked against `now` (epoch seconds).
pub fn parse(text: &str, source: &str, now: i64) -> Result<Vec<Waiver>, String> {
    let file: File = toml::from_str(text).map_err(|e| format!("{source}: {e}"))?;
    for (i, w) in file.waiver.iter().enumerate() {
        let at = format!("{source}: waiver {} ({} on {})", i + 1, w.rule, w.resource);
        if w.reason.trim().is_empty() {
            return Err(format!("{at}: a reason is required"));
        }
        let end =
            expiry(&w.expires).ok_or_else(|| format!("{at}: expires `{}` is not a date YYYY-MM-DD", w.expires))?;
        if end > now + 366 * 86_400 {
            return Err(format!("{at}: expires {} is more than a year ahead; waive for at most a year", w.expires));
        }
        glob::Pattern::new(&w.resource).map_err(|e| format!("{at}: resource is not a valid glob: {e}"))?;
        glob::Pattern::new(&w.rule).map_err(|e| format!("{at}: rule is not a valid glob: {e}"))?;
    }
    Ok(file.waiver)
}

/// The file the CLI and `:findings` take when none is named.
pub const DEFAULT_FILE: &str = "portcullis-waivers.toml";

/// The waivers of `path`, else of [`DEFAULT_FILE`] in the current directory if there is one
/// (none when there is not): the file is read and checked against `now`.
pub fn load(path: Option<&std::path::Path>, now: i64) -> Result<Vec<Waiver>, String> {
    let default = std::path::Path::new(DEFAULT_FILE);
    let path = match path {
        Some(p) => p,
        None if default.exists() => default,
        None => return Ok(vec![]),
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text, &path.display().to_string(), now)
}

/// The end of the expiry day, as epoch seconds.
fn expiry(date: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(date, &format).ok()?;
    Some(d.midnight().assume_utc().unix_timestamp() + 86_399)
}

/// Mark the findings the live waivers match; the warnings (expired, unmatched) come back.
pub fn apply(findings: &mut [Finding], waivers: &[Waiver], now: i64) -> Vec<String> {
    let mut warnings = Vec::new();
    for w in waivers {
        let (Ok(rule), Ok(resource)) = (glob::Pattern::new(&w.rule), glob::Pattern::new(&w.resource)) else {
            continue;
        };
        if expiry(&w.expires).is_none_or(|end| end < now) {
            warnings.push(format!(
                "waiver for {} on {} expired on {}: it no longer applies",
                w.rule, w.resource, w.expires
            ));
            continue;
        }
        // `*` stays within one `/` segment of the ARN; `**` crosses them (`.../restapis/a1/**`).
        let options = glob::MatchOptions { require_literal_separator: true, ..Default::default() };
        let mut matched = 0;
        for f in findings.iter_mut().filter(|f| rule.matches(f.rule_id) && resource.matches_with(&f.resource, options))
        {
            matched += 1;
            if !f.waived {
                f.waived = true;
                f.waiver = Some(format!("{} (until {})", w.reason, w.expires));
            }
        }
        if matched == 0 {
            warnings.push(format!("waiver for {} on {} matches no finding", w.rule, w.resource));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::ResourceType;

    const NOW: i64 = 1_796_083_200; // 2026-12-01T00:00:00Z

    fn finding(rule: &'static str, resource: &str) -> Finding {
        Finding {
            rule_id: rule,
            severity: crate::governance::Severity::Medium,
            title: "t",
            resource: resource.into(),
            resource_type: ResourceType::Stage,
            region: "eu-west-1".into(),
            account: Default::default(),
            api_id: None,
            stage: None,
            path: None,
            method: None,
            route_key: None,
            plan_id: None,
            key_id: None,
            partner: None,
            message: String::new(),
            remediation: String::new(),
            security_hub: None,
            prowler: None,
            waived: false,
            waiver: None,
        }
    }

    #[test]
    fn waivers_match_expire_and_warn() {
        let text = r#"
[[waiver]]
rule = "stage-waf"
resource = "arn:aws:apigateway:*::/restapis/a1/stages/*"
reason = "behind CloudFront with its own WAF"
expires = "2027-03-01"

[[waiver]]
rule = "stage-xray-tracing"
resource = "arn:aws:apigateway:eu-west-1::/restapis/a1/stages/dev"
reason = "old"
expires = "2026-11-30"

[[waiver]]
rule = "key-*"
resource = "arn:aws:apigateway:*::/apikeys/nothing"
reason = "matches nothing"
expires = "2027-01-01"
"#;
        let waivers = parse(text, "w.toml", NOW).unwrap();
        let mut findings = vec![
            finding("stage-waf", "arn:aws:apigateway:eu-west-1::/restapis/a1/stages/prod"),
            finding("stage-waf", "arn:aws:apigateway:eu-west-1::/restapis/b2/stages/prod"),
            finding("stage-xray-tracing", "arn:aws:apigateway:eu-west-1::/restapis/a1/stages/dev"),
        ];
        let warnings = apply(&mut findings, &waivers, NOW);
        assert!(
            findings[0].waived
                && findings[0].waiver.as_deref() == Some("behind CloudFront with its own WAF (until 2027-03-01)")
        );
        assert!(!findings[1].waived, "another API");
        assert!(!findings[2].waived, "the expired waiver no longer applies");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("expired on 2026-11-30") && warnings[1].contains("matches no finding"));
    }

    #[test]
    fn a_waiver_needs_a_reason_and_at_most_a_year() {
        let one = |reason: &str, expires: &str| {
            format!(
                "[[waiver]]\nrule = \"stage-waf\"\nresource = \"*\"\nreason = \"{reason}\"\nexpires = \"{expires}\"\n"
            )
        };
        assert!(parse(&one("", "2027-01-01"), "w", NOW).unwrap_err().contains("a reason is required"));
        assert!(parse(&one("r", "2028-01-01"), "w", NOW).unwrap_err().contains("more than a year ahead"));
        assert!(parse(&one("r", "soon"), "w", NOW).unwrap_err().contains("not a date"));
        assert!(
            parse("[[waiver]]\nrule = \"x\"\nresource = \"*\"\nreason = \"r\"\n", "w", NOW).is_err(),
            "expires is required"
        );
        assert!(parse(&one("r", "2027-11-30"), "w", NOW).is_ok());
    }
}
