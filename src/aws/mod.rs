//! Plain async functions over the SDK clients, returning domain types. No UI imports.

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

/// A listing across regions: what loaded, and the regions that failed.
#[derive(Debug, Clone)]
pub struct Regional<T> {
    pub items: Vec<T>,
    /// One error per region that could not be read; the other regions still count.
    pub region_errors: Vec<(String, AwsError)>,
}

/// Run `load` in every context at once. A region that fails does not hide the others; only
/// when every region fails is it an error.
pub async fn across_regions<'a, T, F, Fut>(contexts: &'a [AwsContext], load: F) -> Result<Regional<T>, AwsError>
where
    F: Fn(&'a AwsContext) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, AwsError>>,
{
    let results = futures::future::join_all(contexts.iter().map(load)).await;
    let mut out = Regional { items: Vec::new(), region_errors: Vec::new() };
    for (ctx, r) in contexts.iter().zip(results) {
        match r {
            Ok(items) => out.items.extend(items),
            Err(e) => out.region_errors.push((ctx.region.clone(), e)),
        }
    }
    match out.region_errors.last() {
        Some((_, e)) if out.region_errors.len() == contexts.len() => Err(e.clone()),
        _ => Ok(out),
    }
}
