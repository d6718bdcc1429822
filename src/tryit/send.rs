//! Sending a call: never following redirects, within a timeout, timed to the first byte and
//! to the end of the body.

use crate::domain::Secret;
use std::time::{Duration, Instant};

/// A header's value: secrets stay `Secret` until the request is built.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Plain(String),
    Secret(Secret),
}

impl Value {
    pub fn expose(&self) -> &str {
        match self {
            Value::Plain(s) => s,
            Value::Secret(s) => s.expose(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CallRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, Value)>,
    pub body: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CallResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// From sending to the end of the body.
    pub time_ms: u64,
    /// From sending to the response's headers.
    pub first_byte_ms: u64,
    pub body: Vec<u8>,
}

impl CallResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The HTTP client for calls: rustls, no redirects followed, `timeout` for the whole call.
pub fn client(timeout: Duration) -> Result<reqwest::Client, String> {
    client_with(timeout, false)
}

/// [`client`], following redirects when `follow` is set: up to 10, and only to the same origin
/// (scheme, host and port), since the request carries its credentials (an `x-api-key` is not
/// a header the HTTP client strips on the way to another host). A redirect elsewhere is
/// answered as it came.
pub fn client_with(timeout: Duration, follow: bool) -> Result<reqwest::Client, String> {
    let policy = if follow {
        reqwest::redirect::Policy::custom(|attempt| {
            let same = attempt.previous().first().is_some_and(|first| first.origin() == attempt.url().origin());
            match attempt.previous().len() {
                n if n > 10 => attempt.error("more than 10 redirects"),
                _ if same => attempt.follow(),
                _ => attempt.stop(),
            }
        })
    } else {
        reqwest::redirect::Policy::none()
    };
    reqwest::Client::builder()
        .redirect(policy)
        .timeout(timeout)
        .build()
        .map_err(|e| format!("the HTTP client could not start: {e}"))
}

pub async fn send(http: &reqwest::Client, req: &CallRequest) -> Result<CallResponse, String> {
    let method = reqwest::Method::from_bytes(req.method.as_bytes())
        .map_err(|_| format!("`{}` is not an HTTP method", req.method))?;
    let mut builder = http.request(method, &req.url);
    for (k, v) in &req.headers {
        builder = builder.header(k, v.expose());
    }
    if let Some(b) = &req.body {
        builder = builder.body(b.clone());
    }
    let start = Instant::now();
    let resp = builder.send().await.map_err(|e| describe(&req.url, &e))?;
    let first_byte_ms = start.elapsed().as_millis() as u64;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let body = resp.bytes().await.map_err(|e| describe(&req.url, &e))?.to_vec();
    Ok(CallResponse { status, headers, time_ms: start.elapsed().as_millis() as u64, first_byte_ms, body })
}

fn describe(url: &str, e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!("no answer from {url} in time (timeout)")
    } else if e.is_connect() {
        format!("could not connect to {url}: {e}")
    } else {
        format!("the call to {url} failed: {e}")
    }
}
