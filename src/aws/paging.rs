//! Every page of a listing. API Gateway pages by `position`, API Gateway v2 and S3 by a token;
//! the loop is the same: fetch, keep the items, follow the token until there is none.

use super::error::AwsError;
use std::future::Future;

/// One page's items and the token of the next page.
pub type Page<T> = (Vec<T>, Option<String>);

/// Fetch pages with `page(token)` until one has no next token. A page that comes back empty ends
/// the listing too (see [`next`]), so a misbehaving endpoint cannot make it loop.
pub async fn all_pages<T, F, Fut>(mut page: F) -> Result<Vec<T>, AwsError>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Page<T>, AwsError>>,
{
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let (items, next) = page(token).await?;
        out.extend(items);
        match next {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

/// The next page's token, unless this page held nothing (`count` is the page's size before any
/// filtering of ours).
pub fn next(token: Option<&str>, count: usize) -> Option<String> {
    token.filter(|_| count > 0).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn pages_are_followed_until_no_token() {
        let pages = [(vec![1, 2], Some("a")), (vec![3], Some("b")), (vec![], Some("c")), (vec![9], None)];
        let mut asked = vec![];
        let all = all_pages(|token| {
            asked.push(token.clone());
            let i = asked.len() - 1;
            let (items, t) = pages[i].clone();
            async move { Ok((items.clone(), next(t, items.len()))) }
        })
        .await
        .unwrap();
        assert_eq!(all, vec![1, 2, 3], "an empty page ends the listing");
        assert_eq!(asked, vec![None, Some("a".to_string()), Some("b".to_string())]);
    }
}
