//! Plain async functions over the SDK clients, returning domain types. No UI imports.

pub mod accounts;
pub mod audit;
pub mod catalog;
pub mod clients;
pub mod cognito;
pub mod domains;
pub mod error;
pub mod keys;
pub mod pacing;
pub mod paging;
pub mod plans;
pub mod secrets;

pub use clients::{AwsContext, ClientConfig, Clients, connect};
pub use error::{AwsError, ErrorKind};

/// A listing across regions (and accounts): what loaded, and the places that failed.
#[derive(Debug, Clone)]
pub struct Regional<T> {
    pub items: Vec<T>,
    /// One error per region (of an account) that could not be read, named by its place
    /// (`eu-west-1`, or `payments eu-west-1`); the others still count.
    pub region_errors: Vec<(String, AwsError)>,
}

/// The context of `region` in the credentials' own account (where changes to what is not yet
/// anyone's go: a new key, an onboarding, the partner pool).
pub fn own_in<'a>(contexts: &'a [AwsContext], region: &str) -> Option<&'a AwsContext> {
    contexts.iter().find(|c| c.region == region && c.is_own())
}

/// Contexts read at once: every region of up to `ACCOUNTS_AT_ONCE` accounts.
pub fn at_once(contexts: &[AwsContext]) -> usize {
    let accounts: std::collections::BTreeSet<Option<&str>> = contexts.iter().map(|c| c.account_id.as_deref()).collect();
    let per_account = contexts.len().div_ceil(accounts.len().max(1));
    (per_account * accounts::ACCOUNTS_AT_ONCE).max(1)
}

/// Run `f` over `items`, as many at once as [`at_once`] allows for `contexts` (every region of
/// up to `ACCOUNTS_AT_ONCE` accounts), the results in order.
pub async fn bounded<I, Fut>(
    contexts: &[AwsContext],
    items: impl IntoIterator<Item = I>,
    f: impl FnMut(I) -> Fut,
) -> Vec<Fut::Output>
where
    Fut: std::future::Future,
{
    use futures::StreamExt;
    // The futures made first, so the stream holds no closure (its lifetimes stay concrete).
    let futures: Vec<Fut> = items.into_iter().map(f).collect();
    futures::stream::iter(futures).buffered(at_once(contexts)).collect().await
}

/// Run `load` in every context, all regions of up to `ACCOUNTS_AT_ONCE` accounts at once. A
/// place that fails does not hide the others; only when every one fails is it an error.
pub async fn across_regions<'a, T, F, Fut>(contexts: &'a [AwsContext], load: F) -> Result<Regional<T>, AwsError>
where
    F: Fn(&'a AwsContext) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, AwsError>>,
{
    let results = bounded(contexts, contexts, load).await;
    let mut out = Regional { items: Vec::new(), region_errors: Vec::new() };
    for (ctx, r) in contexts.iter().zip(results) {
        match r {
            Ok(items) => out.items.extend(items),
            Err(e) => out.region_errors.push((ctx.place(), e)),
        }
    }
    match out.region_errors.last() {
        Some((_, e)) if out.region_errors.len() == contexts.len() => Err(e.clone()),
        _ => Ok(out),
    }
}
