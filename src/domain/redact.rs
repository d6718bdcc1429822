//! Secrets in CloudTrail records: client secrets, passwords, tokens, private keys anywhere, and
//! an API key's `value` in API key events. CloudTrail hides most of them itself; this is the
//! backstop, applied where a record enters the app, so no secret reaches the screen or the cache.

/// Field names, compared without case, whose string values are secrets wherever they appear.
const SECRET_FIELDS: &[&str] = &[
    "secret",
    "clientSecret",
    "clientSecretValue",
    "secretHash",
    "secret_hash",
    "password",
    "new_password",
    "previousPassword",
    "proposedPassword",
    "temporaryPassword",
    "accessToken",
    "idToken",
    "refreshToken",
    "refresh_token",
    "secretCode",
    "session",
    "sessionToken",
    "secretAccessKey",
    "privateKey",
    "certificatePrivateKey",
];

/// What a hidden value is replaced with.
pub const HIDDEN: &str = "HIDDEN_BY_PORTCULLIS";

fn is_secret_name(k: &str) -> bool {
    SECRET_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(k))
}

/// Events whose requests or responses can carry an API key's value under `value`.
fn key_value_event(event_name: &str) -> bool {
    event_name.contains("ApiKey") || event_name.contains("UsagePlanKey")
}

/// Every `"key":` of the text, as (index of the key's opening quote, key, index after the colon).
/// A cheap scan with no JSON parse: a `":` inside a string value may be taken for a key, which
/// only ever hides more.
fn keys(raw: &str) -> impl Iterator<Item = (usize, &str, usize)> + '_ {
    raw.match_indices("\":").filter_map(move |(i, _)| {
        let start = raw[..i].rfind('"')?;
        Some((start, &raw[start + 1..i], i + 2))
    })
}

/// Could this part of a record (or a whole record) hold a secret? A cheap check on its keys.
pub fn may_hold_secrets(raw: &str, event_name: &str) -> bool {
    let key_events = key_value_event(event_name);
    keys(raw).any(|(_, k, _)| is_secret_name(k) || (key_events && k == "value"))
}

/// The record with secrets hidden; a record without any is returned as it is.
pub fn redact_record(raw: &str, event_name: &str) -> String {
    let key_events = key_value_event(event_name);
    let suspect = |k: &str| is_secret_name(k) || (key_events && k == "value");
    if !may_hold_secrets(raw, event_name) {
        return raw.to_string();
    }
    match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(mut v) => {
            hide(&mut v, key_events);
            serde_json::to_string(&v).unwrap_or_else(|_| hide_in_text(raw, &suspect))
        }
        // Not JSON (truncated, say): hide by the text, every suspect string value.
        Err(_) => hide_in_text(raw, &suspect),
    }
}

fn hide(v: &mut serde_json::Value, key_events: bool) {
    match v {
        serde_json::Value::Object(map) => {
            // An API key (or a usage plan key) is an object with an `id` and a `value`; a tag is not.
            let a_key = key_events && map.contains_key("id");
            for (k, x) in map.iter_mut() {
                let secret = is_secret_name(k) || (a_key && k == "value");
                if secret && x.is_string() {
                    *x = serde_json::Value::String(HIDDEN.into());
                } else {
                    hide(x, key_events);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|x| hide(x, key_events)),
        _ => {}
    }
}

/// Replace the string value after every suspect key, up to its closing quote (or the end).
fn hide_in_text(raw: &str, suspect: &dyn Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut copied = 0;
    for (_, key, after) in keys(raw) {
        if !suspect(key) || after < copied {
            continue;
        }
        let value_start = after + raw[after..].len() - raw[after..].trim_start().len();
        if !raw[value_start..].starts_with('"') {
            continue;
        }
        let body = value_start + 1;
        let end = string_end(raw, body);
        out.push_str(&raw[copied..body]);
        out.push_str(HIDDEN);
        copied = end;
    }
    out.push_str(&raw[copied..]);
    out
}

/// The index of the closing quote of a string whose body starts at `from` (or the text's end).
fn string_end(raw: &str, from: usize) -> usize {
    let bytes = raw.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    raw.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_values_are_hidden_but_tags_are_not() {
        let raw = r#"{"eventID":"e","eventName":"CreateApiKey","requestParameters":{"name":"acme","tags":{"key":"team","value":"keep"}},"responseElements":{"id":"k1","value":"s3cr3tKEYvalue0123456789","enabled":true}}"#;
        let out = redact_record(raw, "CreateApiKey");
        assert!(!out.contains("s3cr3tKEYvalue"), "{out}");
        assert!(out.contains("\"value\":\"keep\""), "a tag's value stays: {out}");
        assert!(out.find("eventID").unwrap() < out.find("eventName").unwrap(), "field order is kept");
        let plan_key = r#"{"responseElements":{"id":"k1","type":"API_KEY","value":"planKEYvalue","name":"acme"}}"#;
        assert!(!redact_record(plan_key, "CreateUsagePlanKey").contains("planKEYvalue"));
    }

    #[test]
    fn secrets_are_found_in_any_case() {
        let raw = r#"{"requestParameters":{"authParameters":{"USERNAME":"jane","PASSWORD":"hunter2","SECRET_HASH":"abc="}},"responseElements":{"clientSecretDescriptor":{"clientSecretValue":"cs-1"},"authenticationResult":{"AccessToken":"eyJ.a","RefreshToken":"r-1"},"Session":"sess-1","SecretCode":"TOTP1"}}"#;
        let out = redact_record(raw, "InitiateAuth");
        for secret in ["hunter2", "abc=", "cs-1", "eyJ.a", "r-1", "sess-1", "TOTP1"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.contains("\"USERNAME\":\"jane\""));
    }

    #[test]
    fn a_record_that_is_not_json_is_hidden_by_its_text() {
        let raw = r#"{"eventName":"CreateApiKey","responseElements":{"id":"k1","value":"abcDEF\"123","name":"x"},"clientSecret":"trunc"#;
        let out = redact_record(raw, "CreateApiKey");
        assert!(!out.contains("abcDEF") && !out.contains("trunc"), "{out}");
        assert!(out.contains("\"name\":\"x\""), "{out}");
    }

    #[test]
    fn a_record_without_secrets_is_unchanged() {
        let raw = r#"{"eventName":"UpdateStage","sessionContext":{"sessionIssuer":{"userName":"Admin"}},"value":"v"}"#;
        assert_eq!(redact_record(raw, "UpdateStage"), raw);
    }
}
