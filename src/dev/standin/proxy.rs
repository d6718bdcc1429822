//! A local HTTP proxy in front of the emulator (or of the front) that behaves like AWS under
//! load, for the tests, the demo and `scripts/bench`: it names each request's operation (the
//! stand-ins' one parser, [`super::operation`]), tells the upstream (the `x-standin-operation`
//! header, which the front answers by), and forwards it; on the way it can
//! - answer a share of requests with HTTP 500 `InternalFailure` (some of them as a dropped
//!   connection instead), from a fixed seed, so a run can be repeated exactly;
//! - impose AWS's limits (the stand-ins' one throttle, [`super::limits`]): API Gateway's account
//!   bucket (HTTP 429 `TooManyRequestsException` over it), CloudTrail's LookupEvents rate
//!   (HTTP 400 `ThrottlingException`), each per region;
//! - add a latency to every request;
//! - stand in for what moto's STS lacks ([`super::sts`]): a role denied in some accounts,
//!   sessions that end; and tell each session's account, so that each account has its own
//!   buckets and counts, as in AWS;
//!
//! and counts what it saw (requests per operation, faults, throttles). HTTP/1.1, one request
//! per connection (it answers `Connection: close`), which the SDK handles like any server.

use super::limits::{Buckets, Limit, Over};
use super::operation::{HEADER, Operation, REGION_HEADER};

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy does to the traffic.
#[derive(Debug, Clone)]
pub struct Weather {
    /// Share of requests that fail (0.0 to 1.0).
    pub fault_rate: f64,
    /// Of the failing ones, the share that is a dropped connection rather than a 500.
    pub drop_share: f64,
    pub seed: u64,
    /// The limits imposed (none by default).
    pub limits: Vec<Limit>,
    pub latency: Duration,
    /// Keep every request forwarded, whole (for tests that compare the calls made with a plan).
    pub record: bool,
    /// Accounts whose role cannot be assumed (STS answers AccessDenied).
    pub denied: Vec<String>,
    /// How long an assumed session lasts; `None`: as the upstream says.
    pub session: Option<Duration>,
    /// Answer a request seen before (the same account, request line and body) with what the
    /// upstream answered it then, without asking again: the upstream's own answers, at the
    /// proxy's speed (a benchmark of the caller, not of an emulator's throughput).
    pub replay: bool,
}

impl Default for Weather {
    fn default() -> Self {
        Weather {
            fault_rate: 0.0,
            drop_share: 0.25,
            seed: 1,
            limits: vec![],
            latency: Duration::ZERO,
            record: false,
            denied: vec![],
            session: None,
            replay: false,
        }
    }
}

/// What the proxy saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Requests per operation (`METHOD /path` with ids replaced by `{}`), faults and throttles included.
    pub operations: BTreeMap<String, usize>,
    pub requests: usize,
    pub faults: usize,
    pub dropped: usize,
    pub throttled: usize,
    /// Requests per account (the session's; `own` for the credentials' own), faults included.
    pub accounts: BTreeMap<String, usize>,
    /// AssumeRole calls answered, per account.
    pub assumed: BTreeMap<String, usize>,
    /// Requests refused by the STS stand-in (a denied role, an ended session).
    pub refused: usize,
}

impl Counts {
    /// Requests that reached the upstream (neither a fault nor a throttle).
    pub fn forwarded(&self) -> usize {
        self.requests - self.faults - self.dropped - self.throttled - self.refused
    }

    pub fn of(&self, operation: &str) -> usize {
        self.operations.get(operation).copied().unwrap_or(0)
    }
}

struct State {
    weather: Weather,
    upstream: SocketAddr,
    rng: u64,
    buckets: Buckets,
    counts: Counts,
    recorded: Vec<Vec<u8>>,
    sessions: super::sts::Sessions,
    /// With `replay`: the upstream's answers, by (account, request line and body).
    answers: std::collections::HashMap<(String, Vec<u8>), Vec<u8>>,
}

/// A running proxy; it stops when dropped.
pub struct Proxy {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    /// Listen on a free loopback port and forward to `upstream` (an `http://127.0.0.1:PORT` URL).
    pub async fn start(upstream: &str, weather: Weather) -> std::io::Result<Proxy> {
        let upstream = upstream_addr(upstream)?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            rng: weather.seed.max(1),
            buckets: Buckets::new(weather.limits.clone()),
            sessions: super::sts::Sessions::new(weather.denied.clone(), weather.session),
            answers: Default::default(),
            weather,
            upstream,
            counts: Counts::default(),
            recorded: Vec::new(),
        }));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(serve(client, shared.clone()));
            }
        });
        Ok(Proxy { addr, state, task })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn counts(&self) -> Counts {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).counts.clone()
    }

    /// The requests forwarded so far, whole (head and body), oldest first; with `record` only.
    pub fn recorded(&self) -> Vec<Vec<u8>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).recorded.clone()
    }

    pub fn reset_counts(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).counts = Counts::default();
    }
}

fn upstream_addr(url: &str) -> std::io::Result<SocketAddr> {
    let host = url.trim_start_matches("http://").trim_end_matches('/');
    host.parse().map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{url}: {e}")))
}

/// What happens to one request.
enum Fate {
    Forward,
    Fail,
    Drop,
    Throttle(Over),
}

impl State {
    /// xorshift64*: the same seed gives the same faults in the same order.
    fn next(&mut self) -> f64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn fate(&mut self, operation: &Operation) -> Fate {
        self.counts.requests += 1;
        *self.counts.operations.entry(operation.shape.clone()).or_default() += 1;
        let account = operation.account.clone().unwrap_or_else(|| "own".into());
        *self.counts.accounts.entry(account).or_default() += 1;
        if let Some(over) = self.buckets.take(operation, Instant::now()) {
            self.counts.throttled += 1;
            return Fate::Throttle(over);
        }
        if self.weather.fault_rate > 0.0 && self.next() < self.weather.fault_rate {
            if self.next() < self.weather.drop_share {
                self.counts.dropped += 1;
                return Fate::Drop;
            }
            self.counts.faults += 1;
            return Fate::Fail;
        }
        Fate::Forward
    }
}

async fn serve(mut client: TcpStream, state: Arc<Mutex<State>>) {
    let Some(request) = read_request(&mut client).await else { return };
    if let Some(answer) = control(&request, &state) {
        let _ = client.write_all(&answer).await;
        let _ = client.shutdown().await;
        return;
    }
    let mut operation = operation_of(&request);
    let body = body_of(&request).to_vec();
    let refused = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        operation.account = s.sessions.account_of(&operation);
        let refused = s.sessions.refuse(&operation, &body, Instant::now());
        if refused.is_some() {
            s.counts.requests += 1;
            s.counts.refused += 1;
        }
        refused
    };
    if let Some(answer) = refused {
        let _ = client.write_all(&answer).await;
        let _ = client.shutdown().await;
        return;
    }
    let replay_key = (operation.account.clone().unwrap_or_default(), replay_key(&operation, &request));
    let (fate, upstream, latency, replayed) = {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        let fate = s.fate(&operation);
        if s.weather.record && matches!(fate, Fate::Forward) {
            s.recorded.push(request.clone());
        }
        // A session is never replayed (it must be the upstream's, and may be meant to end).
        let replayable = s.weather.replay && !operation.is("sts", "AssumeRole");
        let replayed = replayable.then(|| s.answers.get(&replay_key).cloned()).flatten();
        (fate, s.upstream, s.weather.latency, replayed)
    };
    tokio::time::sleep(latency).await;
    if let (Fate::Forward, Some(answer)) = (&fate, replayed) {
        let _ = client.write_all(&answer).await;
        let _ = client.shutdown().await;
        return;
    }
    let answer = match fate {
        Fate::Drop => return,
        Fate::Throttle(Over::TooManyRequests) => error_response(429, "TooManyRequestsException", "Too Many Requests"),
        Fate::Throttle(Over::Throttling) => throttling_response(),
        Fate::Fail => error_response(500, "InternalFailure", "Internal server error"),
        Fate::Forward => match forward(&request, &operation, upstream).await {
            Some(a) if operation.is("sts", "AssumeRole") && a.starts_with(b"HTTP/1.1 200") => {
                let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                let a = s.sessions.issued(&body, a, Instant::now());
                s.counts.assumed = s.sessions.assumed.iter().map(|(k, v)| (k.clone(), *v)).collect();
                a
            }
            Some(a) => a,
            None => error_response(502, "BadGateway", "the upstream did not answer"),
        },
    };
    if matches!(fate, Fate::Forward) && answer.starts_with(b"HTTP/1.1 2") {
        let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
        if s.weather.replay && !operation.is("sts", "AssumeRole") {
            s.answers.insert(replay_key, answer.clone());
        }
    }
    let _ = client.write_all(&answer).await;
    let _ = client.shutdown().await;
}

/// The proxy's own endpoints (not forwarded, not counted): `GET /_proxy/counts` answers the
/// counts as JSON, `POST /_proxy/reset` zeroes them, `POST /_proxy/deny/ACCOUNT` makes the role
/// of that account one STS refuses (the demo's account without the role).
fn control(request: &[u8], state: &Arc<Mutex<State>>) -> Option<Vec<u8>> {
    let line = String::from_utf8_lossy(request.split(|b| *b == b'\n').next().unwrap_or_default()).to_string();
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    let body = if line.starts_with("GET /_proxy/counts") {
        counts_json(&s.counts)
    } else if line.starts_with("POST /_proxy/reset") {
        s.counts = Counts::default();
        "{}".to_string()
    } else if let Some(rest) = line.strip_prefix("POST /_proxy/deny/") {
        let account = rest.split_whitespace().next().unwrap_or_default().to_string();
        s.sessions.denied.insert(account);
        "{}".to_string()
    } else {
        return None;
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    Some([head.into_bytes(), body.into_bytes()].concat())
}

fn counts_json(c: &Counts) -> String {
    let map = |m: &BTreeMap<String, usize>| m.iter().map(|(k, v)| format!("{:?}:{v}", k)).collect::<Vec<_>>().join(",");
    format!(
        "{{\"requests\":{},\"forwarded\":{},\"faults\":{},\"dropped\":{},\"throttled\":{},\"refused\":{},\
         \"operations\":{{{}}},\"accounts\":{{{}}},\"assumed\":{{{}}}}}",
        c.requests,
        c.forwarded(),
        c.faults,
        c.dropped,
        c.throttled,
        c.refused,
        map(&c.operations),
        map(&c.accounts),
        map(&c.assumed)
    )
}

/// What makes two requests the same for a replay: the operation (service, name, region: from
/// the SigV4 scope and `X-Amz-Target`), the request line and the body (not the signature,
/// dates or ids in the other headers). The account is the other half of the key.
fn replay_key(operation: &Operation, request: &[u8]) -> Vec<u8> {
    let line_end = find(request, b"\r\n").unwrap_or(request.len());
    let named = format!(
        "{}:{}:{}\n",
        operation.service,
        operation.name.as_deref().unwrap_or_default(),
        operation.region.as_deref().unwrap_or_default()
    );
    [named.as_bytes(), &request[..line_end], b"\n", body_of(request)].concat()
}

/// The request's body.
fn body_of(request: &[u8]) -> &[u8] {
    let end = find(request, b"\r\n\r\n").unwrap_or(request.len());
    request.get(end + 4..).unwrap_or_default()
}

/// The request's operation, from its head and body.
fn operation_of(request: &[u8]) -> Operation {
    let end = find(request, b"\r\n\r\n").unwrap_or(request.len());
    let body = request.get(end + 4..).unwrap_or_default();
    Operation::of(&String::from_utf8_lossy(&request[..end]), body)
}

/// The whole request: head and `Content-Length` body (the SDK sends no chunked requests here).
async fn read_request(client: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = client.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let length = content_length(&buf[..end]);
            while buf.len() < end + 4 + length {
                let n = client.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some(buf);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case("content-length").then(|| v.trim().parse().ok()).flatten()
        })
        .unwrap_or(0)
}

/// Send the request upstream asking it to close the connection after answering, and read the
/// answer to the end.
async fn forward(request: &[u8], operation: &Operation, upstream: SocketAddr) -> Option<Vec<u8>> {
    let end = find(request, b"\r\n\r\n")?;
    let mut head = closing(&request[..end]);
    // Named for the front, after the head's own lines (never one the client signed).
    head.truncate(head.len() - 2);
    if let Some(label) = operation.label() {
        head.push_str(&format!("{HEADER}: {label}\r\n"));
    }
    if let Some(region) = &operation.region {
        head.push_str(&format!("{REGION_HEADER}: {region}\r\n"));
    }
    head.push_str("\r\n");
    let mut up = TcpStream::connect(upstream).await.ok()?;
    up.write_all(head.as_bytes()).await.ok()?;
    up.write_all(&request[end + 4..]).await.ok()?;
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), up.read_to_end(&mut answer)).await.ok()?.ok()?;
    Some(close_after(answer))
}

/// The upstream's answer with `Connection: close` (the proxy closes after each answer).
fn close_after(answer: Vec<u8>) -> Vec<u8> {
    let Some(end) = find(&answer, b"\r\n\r\n") else { return answer };
    let mut bytes = closing(&answer[..end]).into_bytes();
    bytes.extend_from_slice(&answer[end + 4..]);
    bytes
}

/// A message head with its `Connection` header replaced by `Connection: close`, ending the head.
fn closing(head: &[u8]) -> String {
    let head = String::from_utf8_lossy(head);
    let mut out = String::new();
    let dropped = |l: &str| {
        let l = l.to_ascii_lowercase();
        l.starts_with("connection:")
            || l.starts_with(&format!("{HEADER}:"))
            || l.starts_with(&format!("{REGION_HEADER}:"))
    };
    for line in head.lines().filter(|l| !dropped(l)) {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    out
}

/// An error in API Gateway's REST JSON shape.
fn error_response(status: u16, code: &str, message: &str) -> Vec<u8> {
    let body = format!("{{\"message\":\"{message}\"}}");
    let reason = match status {
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        _ => "Internal Server Error",
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nx-amzn-ErrorType: {code}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// CloudTrail's (and the other JSON protocols') throttling answer.
fn throttling_response() -> Vec<u8> {
    let body = r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#;
    format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_weather() {
        let state = |seed| State {
            weather: Weather { fault_rate: 0.1, seed, ..Default::default() },
            upstream: "127.0.0.1:1".parse().unwrap(),
            rng: seed,
            buckets: Buckets::default(),
            counts: Counts::default(),
            recorded: vec![],
            sessions: Default::default(),
            answers: Default::default(),
        };
        let run = |seed| {
            let mut s = state(seed);
            (0..1000).map(|_| matches!(s.fate(&Operation::default()), Fate::Forward)).collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        let failed = run(7).iter().filter(|ok| !**ok).count();
        assert!((60..=140).contains(&failed), "about 10 % fail: {failed}");
    }
}

/// Exit once the parent is gone (this process is then adopted by another).
fn exit_with_parent() {
    #[cfg(unix)]
    {
        let parent = std::os::unix::process::parent_id();
        std::thread::spawn(move || {
            while std::os::unix::process::parent_id() == parent {
                std::thread::sleep(Duration::from_millis(500));
            }
            std::process::exit(0);
        });
    }
}

/// `portcullis-dev proxy`: run the proxy until killed (scripts/bench, the front).
#[derive(Debug, clap::Args)]
pub struct ProxyArgs {
    /// Where to forward (`http://127.0.0.1:PORT`).
    #[arg(long)]
    pub upstream: String,
    /// Share of requests that fail (HTTP 500 InternalFailure, a quarter as dropped connections).
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// API Gateway's account bucket: its rate (requests/s); 0: no limit.
    #[arg(long, default_value_t = 0.0)]
    pub rps: f64,
    #[arg(long, default_value_t = 40.0)]
    pub burst: f64,
    /// CloudTrail's LookupEvents limit: 2 calls a second per region (a burst of 5).
    #[arg(long)]
    pub lookup_events_limit: bool,
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Write the proxy's URL here once it listens.
    #[arg(long)]
    pub url_file: Option<std::path::PathBuf>,
    /// Exit when the process that started it goes (the front's process starts it so).
    #[arg(long)]
    pub exit_with_parent: bool,
    /// An account whose role cannot be assumed (STS answers AccessDenied); repeatable.
    #[arg(long)]
    pub deny_role_in: Vec<String>,
    /// Assumed sessions last this many seconds (then their requests are refused as expired).
    #[arg(long)]
    pub session_secs: Option<u64>,
}

pub fn run(args: ProxyArgs) -> anyhow::Result<()> {
    let mut limits = Vec::new();
    if args.rps > 0.0 {
        limits.push(Limit::api_gateway(args.rps, args.burst));
    }
    if args.lookup_events_limit {
        limits.push(Limit::lookup_events());
    }
    let weather = Weather {
        fault_rate: args.fault_rate,
        seed: args.seed,
        limits,
        latency: Duration::from_millis(args.latency_ms),
        denied: args.deny_role_in.clone(),
        session: args.session_secs.map(Duration::from_secs),
        ..Default::default()
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let proxy = Proxy::start(&args.upstream, weather).await?;
        match &args.url_file {
            Some(path) => std::fs::write(path, proxy.url())?,
            None => println!("{}", proxy.url()),
        }
        if args.exit_with_parent {
            exit_with_parent();
        }
        std::future::pending::<()>().await;
        Ok(())
    })
}
