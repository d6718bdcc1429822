//! What moto's STS does not do, in front of it (moto lets any role be assumed and accepts a
//! session's credentials for ever): a role that cannot be assumed in some accounts (STS's own
//! `AccessDenied` answer), sessions that end (the `Expiration` AssumeRole answers is made
//! short, and a request signed with an ended session is refused as AWS refuses it:
//! `ExpiredToken`), and which account each session's access key is, so the proxy can keep each
//! account's buckets and counts apart.

use super::operation::Operation;
use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

/// The sessions issued through the proxy, and what STS is to refuse.
#[derive(Debug, Clone, Default)]
pub struct Sessions {
    /// Accounts whose role cannot be assumed.
    pub denied: BTreeSet<String>,
    /// Sessions last this long (moto's are an hour or more); `None`: as moto says.
    pub length: Option<Duration>,
    /// Access key id -> the session's account, and when it ends (with `length`).
    issued: HashMap<String, (String, Option<Instant>)>,
    /// AssumeRole calls answered, per account.
    pub assumed: HashMap<String, usize>,
}

impl Sessions {
    pub fn new(denied: impl IntoIterator<Item = String>, length: Option<Duration>) -> Sessions {
        Sessions { denied: denied.into_iter().collect(), length, ..Default::default() }
    }

    /// The account of the session a request is signed with, when the proxy saw it issued.
    pub fn account_of(&self, op: &Operation) -> Option<String> {
        self.issued.get(op.access_key.as_deref()?).map(|(a, _)| a.clone())
    }

    /// The answer STS or the service gives instead of forwarding: an AssumeRole into a denied
    /// account, or a request signed with a session that has ended.
    pub fn refuse(&self, op: &Operation, body: &[u8], now: Instant) -> Option<Vec<u8>> {
        if op.is("sts", "AssumeRole") {
            let role = form_value(body, "RoleArn")?;
            let account = role.split(':').nth(4)?.to_string();
            return self.denied.contains(&account).then(|| {
                let caller = "arn:aws:iam::123456789012:user/portcullis";
                sts_error(
                    403,
                    "AccessDenied",
                    &format!("User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role}"),
                )
            });
        }
        let (_, ends) = self.issued.get(op.access_key.as_deref()?)?;
        ends.filter(|end| now >= *end).map(|_| expired(op))
    }

    /// After an AssumeRole was answered: remember the session's access key and account, and
    /// make its `Expiration` `length` from now.
    pub fn issued(&mut self, body: &[u8], answer: Vec<u8>, now: Instant) -> Vec<u8> {
        let Some(account) = form_value(body, "RoleArn").and_then(|r| r.split(':').nth(4).map(str::to_string)) else {
            return answer;
        };
        let text = String::from_utf8_lossy(&answer).to_string();
        let Some(key) = between(&text, "<AccessKeyId>", "</AccessKeyId>") else { return answer };
        *self.assumed.entry(account.clone()).or_default() += 1;
        self.issued.insert(key.to_string(), (account, self.length.map(|l| now + l)));
        match (self.length, between(&text, "<Expiration>", "</Expiration>")) {
            (Some(l), Some(old)) => {
                let end = time::OffsetDateTime::now_utc() + l;
                let end = crate::domain::rfc3339(end);
                with_body(&text, &text.replacen(&format!("<Expiration>{old}<"), &format!("<Expiration>{end}<"), 1))
            }
            _ => answer,
        }
    }
}

/// A form body's value (percent-decoded).
fn form_value(body: &[u8], name: &str) -> Option<String> {
    let body = std::str::from_utf8(body).ok()?;
    let raw = body.split('&').find_map(|kv| kv.strip_prefix(&format!("{name}=")))?;
    Some(percent_encoding::percent_decode_str(&raw.replace('+', " ")).decode_utf8_lossy().to_string())
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(&text[start..end])
}

/// `answer` (a whole HTTP response) with its body replaced by the body of `changed`, and the
/// Content-Length to match.
fn with_body(answer: &str, changed: &str) -> Vec<u8> {
    let Some((head, _)) = answer.split_once("\r\n\r\n") else { return changed.as_bytes().to_vec() };
    let body = changed.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let lines: Vec<String> = head
        .lines()
        .map(|l| match l.to_ascii_lowercase().starts_with("content-length:") {
            true => format!("Content-Length: {}", body.len()),
            false => l.to_string(),
        })
        .collect();
    format!("{}\r\n\r\n{body}", lines.join("\r\n")).into_bytes()
}

/// STS's (the query protocol's) error answer.
fn sts_error(status: u16, code: &str, message: &str) -> Vec<u8> {
    let body = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
         <Code>{code}</Code><Message>{message}</Message></Error><RequestId>standin</RequestId></ErrorResponse>"
    );
    let reason = if status == 403 { "Forbidden" } else { "Bad Request" };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A request signed with an ended session, refused in the service's own protocol.
fn expired(op: &Operation) -> Vec<u8> {
    const MESSAGE: &str = "The security token included in the request is expired";
    match op.service.as_str() {
        "sts" => sts_error(400, "ExpiredToken", MESSAGE),
        "apigateway" | "s3" => {
            let body = format!("{{\"message\":\"{MESSAGE}\"}}");
            format!(
                "HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nx-amzn-ErrorType: ExpiredTokenException\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        }
        _ => {
            let body = format!("{{\"__type\":\"ExpiredTokenException\",\"message\":\"{MESSAGE}\"}}");
            format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assume(account: &str) -> (Operation, Vec<u8>) {
        let op = Operation {
            service: "sts".into(),
            name: Some("AssumeRole".into()),
            access_key: Some("testing".into()),
            ..Default::default()
        };
        let body = format!(
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A{account}%3Arole%2FPortcullisReadOnly"
        );
        (op, body.into_bytes())
    }

    #[test]
    fn a_denied_account_is_refused_and_the_others_pass() {
        let s = Sessions::new(["222233334444".to_string()], None);
        let now = Instant::now();
        let (op, body) = assume("222233334444");
        let answer = String::from_utf8(s.refuse(&op, &body, now).unwrap()).unwrap();
        assert!(answer.starts_with("HTTP/1.1 403") && answer.contains("<Code>AccessDenied</Code>"), "{answer}");
        assert!(answer.contains("arn:aws:iam::222233334444:role/PortcullisReadOnly"), "{answer}");
        let (op, body) = assume("111122223333");
        assert!(s.refuse(&op, &body, now).is_none());
    }

    #[test]
    fn a_session_ends_and_its_requests_are_refused_then() {
        let mut s = Sessions::new([], Some(Duration::from_secs(20)));
        let now = Instant::now();
        let (_, body) = assume("111122223333");
        let xml = "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAX1</AccessKeyId>\
                   <Expiration>2099-01-01T00:00:00.000Z</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>";
        let answer = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{xml}", xml.len());
        let out = String::from_utf8(s.issued(&body, answer.into_bytes(), now)).unwrap();
        assert!(!out.contains("2099-01-01"), "the expiration is made short: {out}");
        let (_, body_out) = out.split_once("\r\n\r\n").unwrap();
        assert!(out.contains(&format!("Content-Length: {}", body_out.len())), "{out}");
        let op = Operation { service: "apigateway".into(), access_key: Some("ASIAX1".into()), ..Default::default() };
        assert_eq!(s.account_of(&op).as_deref(), Some("111122223333"));
        assert!(s.refuse(&op, b"", now + Duration::from_secs(19)).is_none());
        let refused = String::from_utf8(s.refuse(&op, b"", now + Duration::from_secs(20)).unwrap()).unwrap();
        assert!(refused.contains("403") && refused.contains("ExpiredTokenException"), "{refused}");
    }
}
