//! The audit screen's filter form over the view the store keeps (tui/data/audit.rs).

use crate::domain::{AuditQuery, DEFAULT_SOURCES, parse_since, parse_time};
pub use crate::tui::data::audit::{AUTO_PAGES, AuditView};
use crate::tui::dialogs::{Field, Form, FormKind};

/// The filter form's fields: since, until, event name, event sources, user, resource, then
/// errors only and read-only/mutating.
pub const AUDIT_FORM_LABELS: [&str; 6] = [
    "since (1h, 24h, 7d or RFC 3339)",
    "until (RFC 3339, empty: now)",
    "event name",
    "event sources",
    "user",
    "resource",
];

/// Read-only / mutating: any → mutating → read-only → any.
const KINDS: [&str; 3] = ["any", "mutating only", "read-only only"];

/// The filter form, filled from the view.
pub fn filter_form(v: &AuditView) -> Form {
    let q = &v.query;
    let sources = if q.event_sources.is_empty() { "all".to_string() } else { q.event_sources.join(",") };
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let values = [v.since.clone(), opt(&v.until), opt(&q.event_name), sources, opt(&q.user), opt(&q.resource)];
    let mut fields: Vec<Field> = AUDIT_FORM_LABELS.iter().zip(values).map(|(l, v)| Form::text(l, &v)).collect();
    fields.push(Form::check("errors only", q.errors_only));
    let kind = match q.read_only {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    };
    fields.push(Field::Choice { label: "read-only / mutating", choices: KINDS.to_vec(), chosen: kind });
    Form {
        kind: FormKind::AuditFilters,
        fields,
        focus: 0,
        error: None,
        label_width: 32,
        notes: vec!["sources: comma-separated, empty for API Gateway + Cognito, `all` for every source".into()],
        toggles: "",
        submit: "applies",
    }
}

/// The query the form describes, with the since/until text, or what is wrong.
pub fn form_query(f: &Form, now: time::OffsetDateTime) -> Result<(AuditQuery, String, Option<String>), String> {
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let since = opt(f.value(0)).unwrap_or_else(|| "24h".into());
    let until_text = opt(f.value(1));
    let until = match &until_text {
        Some(u) => parse_time(u).ok_or_else(|| format!("until: `{u}` is not an RFC 3339 time"))?,
        None => now,
    };
    let since_t = parse_since(&since, now).map_err(|e| format!("since: {e}"))?;
    if since_t >= until {
        return Err("since must be before until".into());
    }
    let sources = match f.value(3).trim() {
        "" => DEFAULT_SOURCES.iter().map(|s| s.to_string()).collect(),
        "all" => vec![],
        list => list.split([',', ' ']).filter(|s| !s.is_empty()).map(String::from).collect(),
    };
    let q = AuditQuery {
        since: since_t,
        until,
        event_name: opt(f.value(2)),
        event_sources: sources,
        user: opt(f.value(4)),
        resource: opt(f.value(5)),
        errors_only: f.chosen(6) == 1,
        read_only: match f.chosen(7) {
            1 => Some(false),
            2 => Some(true),
            _ => None,
        },
        limit: usize::MAX,
    };
    Ok((q, since, until_text))
}

/// The query the audit screen opens with: the last 24 hours of the default sources.
pub fn default_query(now: time::OffsetDateTime, resource: Option<String>) -> AuditQuery {
    AuditQuery {
        since: now - time::Duration::hours(24),
        until: now,
        event_name: None,
        event_sources: DEFAULT_SOURCES.iter().map(|s| s.to_string()).collect(),
        user: None,
        resource,
        errors_only: false,
        read_only: None,
        limit: usize::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_round_trips_and_checks_times() {
        let now = parse_time("2026-11-27T12:00:00Z").unwrap();
        let v = AuditView::new(
            default_query(now, Some("k1".into())),
            "24h".into(),
            None,
            crate::domain::AuditSource::Lookup,
        );
        let mut f = filter_form(&v);
        assert_eq!(f.value(3), DEFAULT_SOURCES.join(","));
        f.fields[0] = Form::text("since", "7d");
        f.fields[6] = Form::check("errors only", true);
        let (q, since, _) = form_query(&f, now).unwrap();
        assert_eq!((q.since, since.as_str(), q.errors_only), (parse_time("2026-11-20T12:00:00Z").unwrap(), "7d", true));
        assert_eq!(q.resource.as_deref(), Some("k1"));
        f.fields[1] = Form::text("until", "2026-11-01T00:00:00Z");
        assert_eq!(form_query(&f, now).unwrap_err(), "since must be before until");
        f.fields[1] = Form::text("until", "yesterday");
        assert!(form_query(&f, now).unwrap_err().contains("RFC 3339"));
    }
}
