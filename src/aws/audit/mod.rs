//! CloudTrail events: from LookupEvents (paced, one lookup attribute per call, pages of 50)
//! and from a trail's gzipped log files in S3 (date folders in range only, fetched concurrently).

pub mod cache;

use super::clients::{AwsContext, MAX_IN_FLIGHT};
use super::error::{AwsError, ErrorKind};
use super::paging::all_pages;
use crate::aws::audit::cache::{CacheFile, CacheKey, S3Key};

use crate::domain::{
    AuditEvent, AuditQuery, AuditResource, Cursor, Feed, LookupPage, Trail, Window, event_from_record,
    events_from_trail_file, sort_newest_first,
};
pub use crate::domain::{ServerFilter, server_filters};
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use futures::stream::{self, StreamExt};
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// LookupEvents' largest page.
pub const LOOKUP_PAGE: i32 = 50;

fn attribute(f: &ServerFilter) -> LookupAttribute {
    let key = LookupAttributeKey::from(f.key.as_str());
    LookupAttribute::builder().attribute_key(key).attribute_value(&f.value).build().expect("key and value set")
}

/// One page of one window, paced at CloudTrail's 2 requests/s; throttling backs off and
/// retries before it is reported (the SDK retries too).
pub async fn lookup_page(
    ctx: &AwsContext,
    window: &Window,
    filter: Option<&ServerFilter>,
) -> Result<LookupPage, AwsError> {
    let mut attempt = 0u32;
    loop {
        ctx.trail_pacer.wait().await;
        let req = ctx.trail.lookup_events().max_results(LOOKUP_PAGE).set_next_token(window.token.clone());
        let req = req.start_time(to_smithy(window.start)).end_time(to_smithy(window.end));
        let req = req.set_lookup_attributes(filter.map(|f| vec![attribute(f)]));
        match req.send().await.map_err(|e| ctx.err("LookupEvents", e)) {
            Ok(out) => return Ok(page_of(ctx, out)),
            Err(e) if e.kind == ErrorKind::Throttled && attempt < 3 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(500 * 2u64.pow(attempt))).await;
            }
            Err(e) => return Err(e),
        }
    }
}

fn to_smithy(t: time::OffsetDateTime) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs(t.unix_timestamp())
}

fn page_of(ctx: &AwsContext, out: aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput) -> LookupPage {
    let events = out.events().iter().map(|e| lookup_event(ctx, e)).collect();
    LookupPage { events, next_token: out.next_token().map(str::to_string) }
}

/// The listing's own fields, completed from the event's CloudTrail record when that parses.
fn lookup_event(ctx: &AwsContext, e: &aws_sdk_cloudtrail::types::Event) -> AuditEvent {
    let raw = e.cloud_trail_event().unwrap_or_default();
    let parsed = event_from_record(raw).ok();
    let resources = e
        .resources()
        .iter()
        .map(|r| AuditResource {
            kind: r.resource_type().unwrap_or_default().to_string(),
            name: r.resource_name().unwrap_or_default().to_string(),
        })
        .collect();
    AuditEvent {
        event_id: e.event_id().unwrap_or_default().to_string(),
        event_time: e.event_time().and_then(|t| super::catalog::date(Some(t))).unwrap_or_default(),
        event_name: e.event_name().unwrap_or_default().to_string(),
        event_source: e.event_source().unwrap_or_default().to_string(),
        username: e.username().map(str::to_string).or_else(|| parsed.as_ref().and_then(|p| p.username.clone())),
        source_ip: parsed.as_ref().and_then(|p| p.source_ip.clone()),
        region: parsed.as_ref().and_then(|p| p.region.clone()).or_else(|| Some(ctx.region.clone())),
        account: ctx.account_ref(),
        error_code: parsed.as_ref().and_then(|p| p.error_code.clone()),
        error_message: parsed.as_ref().and_then(|p| p.error_message.clone()),
        read_only: e.read_only().and_then(|r| r.parse().ok()),
        resources,
        user_agent: parsed.as_ref().and_then(|p| p.user_agent.clone()),
        // A record that parsed is kept with its secrets hidden; a broken one as received.
        record: parsed.and_then(|p| p.record).or_else(|| {
            let name = e.event_name().unwrap_or_default();
            Some(crate::domain::redact_record(raw, name)).filter(|r| !r.is_empty())
        }),
    }
}

/// The account id (GetCallerIdentity, asked once per run), with the endpoint when it is not AWS:
/// the cache's key.
pub async fn account(ctx: &AwsContext) -> Result<String, AwsError> {
    let id = ctx
        .account
        .get_or_try_init(|| async {
            let out = ctx.sts.get_caller_identity().send().await.map_err(|e| ctx.err("GetCallerIdentity", e))?;
            Ok::<_, AwsError>(out.account().unwrap_or("unknown").to_string())
        })
        .await?;
    Ok(match &ctx.endpoint {
        Some(e) => format!("{id}@{e}"),
        None => id.clone(),
    })
}

/// The cursors of a query in every region, with what the cache already holds. Without a cache
/// directory, or when the account cannot be read, nothing is cached.
pub async fn open_lookup(contexts: &[AwsContext], q: &AuditQuery, cache: Option<&Path>) -> Feed {
    let now = time::OffsetDateTime::now_utc();
    let account = match (cache, contexts.first()) {
        (Some(_), Some(ctx)) => account(ctx).await.map_err(|e| tracing::warn!(error = %e, "no audit cache")).ok(),
        _ => None,
    };
    let mut feed = Feed { account: account.clone(), ..Default::default() };
    for ctx in contexts {
        for filter in server_filters(q) {
            let mine = |a: &String| cache::of_account(a, ctx.account_id.as_deref());
            let key = account.as_ref().map(|a| CacheKey::lookup(&mine(a), &ctx.region, &filter));
            let file = cache.zip(key.as_ref()).and_then(|(root, key)| crate::aws::audit::cache::load(root, key));
            let coverage = file.as_ref().and_then(|f| f.coverage);
            let cached = file.map(CacheFile::into_events).unwrap_or_default();
            feed.from_cache += cached.len();
            feed.add_owned(feed.cursors.len(), cached);
            let mut cursor = Cursor::plan(&ctx.region, filter, q, coverage, now);
            cursor.account = ctx.account_id.clone();
            feed.cursors.push(cursor);
        }
    }
    feed
}

/// One page for every cursor that has more, all at once (each region is paced on its own).
pub async fn fetch_pages(contexts: &[AwsContext], cursors: &[Cursor]) -> Vec<(usize, Result<LookupPage, AwsError>)> {
    let calls =
        cursors.iter().enumerate().filter_map(|(i, c)| Some((i, c, c.windows.first()?))).map(|(i, c, w)| async move {
            let Some(ctx) = contexts.iter().find(|x| x.is_at(c.account.as_deref(), &c.region)) else {
                let e = AwsError::new(ErrorKind::Other, "LookupEvents", format!("no client for region {}", c.region));
                return (i, Err(e));
            };
            (i, lookup_page(ctx, w, c.filter.as_ref()).await)
        });
    futures::future::join_all(calls).await
}

/// Write cache files; a failure is logged, never fatal (the cache only saves work).
/// Write the cache files of the feed's cursors `changed` (those a page moved on).
pub fn save_cursors(root: &Path, feed: &Feed, changed: &[usize]) {
    save_cache(root, &cache::files_for(feed, |i| changed.contains(&i)));
}

pub fn save_cache(root: &Path, files: &[(CacheKey, CacheFile)]) {
    for (key, file) in files {
        if let Err(e) = crate::aws::audit::cache::save(root, key, file) {
            tracing::warn!(path = %key.path(root).display(), error = %e, "could not write the audit cache");
        }
    }
}

/// Events matching the query, newest first, up to its limit: pages are fetched (what the cache
/// holds is not fetched again) until enough match or there are no more. Returns the filters
/// that went to the server.
pub async fn lookup(
    ctx: &AwsContext,
    q: &AuditQuery,
    cache: Option<&Path>,
) -> Result<(Vec<AuditEvent>, Vec<Option<ServerFilter>>), AwsError> {
    let contexts = std::slice::from_ref(ctx);
    let mut feed = open_lookup(contexts, q, cache).await;
    let mut outcome = Ok(());
    while feed.has_more() && feed.visible(q).count() < q.limit {
        let pages = fetch_pages(contexts, &feed.cursors).await;
        let mut error = None;
        let pages = pages.into_iter().map(|(i, r)| (i, r.map_err(|e| error.get_or_insert(e).to_string()))).collect();
        let _ = feed.apply_pages(pages, time::OffsetDateTime::now_utc());
        if let Some(e) = error {
            outcome = Err(e);
            break;
        }
    }
    if let Some(root) = cache {
        save_cache(root, &crate::aws::audit::cache::files_for(&feed, |_| true));
    }
    outcome?;
    let events = feed.visible(q).take(q.limit).cloned().collect();
    Ok((events, feed.cursors.iter().map(|c| c.filter.clone()).collect()))
}

/// The trails of every region (DescribeTrails, shadow trails of multi-region trails once).
pub async fn describe_trails(contexts: &[AwsContext]) -> Result<Vec<Trail>, AwsError> {
    let mut out: Vec<Trail> = Vec::new();
    for ctx in contexts {
        let resp = ctx.trail.describe_trails().include_shadow_trails(true).send().await;
        for t in resp.map_err(|e| ctx.err("DescribeTrails", e))?.trail_list() {
            let (Some(name), Some(bucket)) = (t.name(), t.s3_bucket_name()) else { continue };
            let trail = Trail {
                name: name.to_string(),
                home_region: t.home_region().unwrap_or(&ctx.region).to_string(),
                bucket: bucket.to_string(),
                prefix: t.s3_key_prefix().map(str::to_string),
                multi_region: t.is_multi_region_trail().unwrap_or(false),
            };
            if !out.iter().any(|x| x.name == trail.name && x.home_region == trail.home_region) {
                out.push(trail);
            }
        }
    }
    Ok(out)
}

/// A trail log file that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub key: String,
    pub problem: String,
}

/// What the S3 source found.
#[derive(Debug, Clone, Default)]
pub struct S3Result {
    pub events: Vec<AuditEvent>,
    /// Log files whose events count (read now or earlier).
    pub files_read: usize,
    /// Of those, how many came from the cache (not downloaded again).
    pub files_cached: usize,
    pub problems: Vec<FileProblem>,
}

/// Events from a trail's log files: only the date folders inside the query's range are listed;
/// files are fetched and decompressed concurrently; digest files are skipped; a broken file is
/// reported and the others still count. With a cache directory, files read before (log files
/// never change once delivered) come from the cache instead of S3.
pub async fn from_s3(
    ctx: &AwsContext,
    bucket: &str,
    prefix: &str,
    q: &AuditQuery,
    cache: Option<&Path>,
) -> Result<S3Result, AwsError> {
    let keys = log_keys(ctx, bucket, prefix, q).await?;
    let store = match cache {
        Some(root) => account(ctx).await.ok().map(|a| (root, S3Key::new(&a, &ctx.region, bucket, prefix))),
        None => None,
    };
    let mut files = store.as_ref().map(|(root, key)| key.load(root)).unwrap_or_default();
    let missing: Vec<String> = keys.iter().filter(|k| !files.contains_key(*k)).cloned().collect();
    let fetched: Vec<(String, Result<Vec<AuditEvent>, FileProblem>)> = stream::iter(missing)
        .map(|k| async move {
            let r = read_log_file(ctx, bucket, &k).await;
            (k, r)
        })
        .buffer_unordered(MAX_IN_FLIGHT)
        .collect()
        .await;
    let mut out = S3Result { files_cached: keys.len(), ..Default::default() };
    for (key, r) in fetched {
        out.files_cached -= 1;
        match r {
            Ok(events) => {
                files.insert(key, events);
            }
            Err(p) => out.problems.push(p),
        }
    }
    for key in &keys {
        if let Some(events) = files.get(key) {
            out.files_read += 1;
            out.events.extend(events.iter().filter(|e| q.matches(e)).cloned());
        }
    }
    if let Some((root, key)) = &store {
        key.save(root, files);
    }
    out.problems.sort_by(|a, b| a.key.cmp(&b.key));
    sort_newest_first(&mut out.events);
    out.events.truncate(q.limit);
    Ok(out)
}

/// The client of the bucket's own region when that region is configured (GetBucketLocation),
/// else the first: S3 answers a request sent to the wrong region with a redirect.
pub async fn bucket_context<'a>(contexts: &'a [AwsContext], bucket: &str) -> Option<&'a AwsContext> {
    let first = contexts.first()?;
    if contexts.len() == 1 {
        return Some(first);
    }
    let location = first.s3.get_bucket_location().bucket(bucket).send().await.ok();
    let region = location
        .and_then(|l| l.location_constraint().map(|c| c.as_str().to_string()))
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "us-east-1".into());
    Some(contexts.iter().find(|c| c.region == region).unwrap_or(first))
}

/// `prefix/AWSLogs/[o-xxxxxxxxxx/]<account>/CloudTrail/<region>/YYYY/MM/DD/` for every account,
/// region and day in range.
async fn log_keys(ctx: &AwsContext, bucket: &str, prefix: &str, q: &AuditQuery) -> Result<Vec<String>, AwsError> {
    // An organisation trail writes `AWSLogs/o-xxxxxxxxxx/<account>/...`, an account trail
    // `AWSLogs/<account>/...`.
    let mut accounts = Vec::new();
    for folder in folders(ctx, bucket, &format!("{prefix}AWSLogs/")).await? {
        if folder.trim_end_matches('/').rsplit('/').next().is_some_and(|n| n.starts_with("o-")) {
            accounts.extend(folders(ctx, bucket, &folder).await?);
        } else {
            accounts.push(folder);
        }
    }
    let mut keys = Vec::new();
    for account in accounts {
        for region in folders(ctx, bucket, &format!("{account}CloudTrail/")).await? {
            for day in days(q) {
                keys.extend(objects(ctx, bucket, &format!("{region}{day}/")).await?);
            }
        }
    }
    keys.retain(|k| !k.contains("CloudTrail-Digest"));
    Ok(keys)
}

fn days(q: &AuditQuery) -> Vec<String> {
    let (mut d, last) = (q.since.date(), q.until.date());
    let mut out = Vec::new();
    while d <= last {
        out.push(format!("{:04}/{:02}/{:02}", d.year(), u8::from(d.month()), d.day()));
        d = d.next_day().unwrap_or(last);
        if out.len() > 3660 {
            break;
        }
    }
    out
}

async fn folders(ctx: &AwsContext, bucket: &str, prefix: &str) -> Result<Vec<String>, AwsError> {
    all_pages(|token| async move {
        let req = ctx.s3.list_objects_v2().bucket(bucket).prefix(prefix).delimiter("/").set_continuation_token(token);
        let page = req.send().await.map_err(|e| ctx.err("ListObjectsV2", e))?;
        let found = page.common_prefixes().iter().filter_map(|p| p.prefix().map(str::to_string)).collect();
        // A page may hold only files at this level: follow the token whatever the page held.
        Ok((found, page.next_continuation_token().map(str::to_string)))
    })
    .await
}

async fn objects(ctx: &AwsContext, bucket: &str, prefix: &str) -> Result<Vec<String>, AwsError> {
    all_pages(|token| async move {
        let req = ctx.s3.list_objects_v2().bucket(bucket).prefix(prefix).set_continuation_token(token);
        let page = req.send().await.map_err(|e| ctx.err("ListObjectsV2", e))?;
        let keys = page.contents().iter().filter_map(|o| o.key().map(str::to_string)).collect();
        Ok((keys, page.next_continuation_token().map(str::to_string)))
    })
    .await
}

async fn read_log_file(ctx: &AwsContext, bucket: &str, key: &str) -> Result<Vec<AuditEvent>, FileProblem> {
    let problem = |p: String| FileProblem { key: key.to_string(), problem: p };
    let obj = ctx.s3.get_object().bucket(bucket).key(key).send().await;
    let obj = obj.map_err(|e| problem(ctx.err("GetObject", e).message))?;
    let bytes = obj.body.collect().await.map_err(|e| problem(format!("download failed: {e}")))?.into_bytes();
    let events = tokio::task::spawn_blocking(move || parse_log_bytes(&bytes)).await;
    events.map_err(|e| problem(e.to_string()))?.map_err(problem)
}

/// Decompress and parse one file (gzip of `{"Records": [...]}`).
pub fn parse_log_bytes(gz: &[u8]) -> Result<Vec<AuditEvent>, String> {
    let mut json = Vec::with_capacity(gz.len() * 8);
    flate2::read::GzDecoder::new(gz).read_to_end(&mut json).map_err(|e| format!("not a gzip file: {e}"))?;
    let (events, _bad) = events_from_trail_file(&json)?;
    Ok(events)
}
