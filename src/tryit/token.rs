//! Client-credentials access tokens from a Cognito token URL (`POST /oauth2/token`, HTTP basic
//! auth with the app client's id and secret, `grant_type=client_credentials` and the scopes),
//! kept in memory until 60 s before they expire.

use crate::domain::Secret;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// (token URL, client id, scopes).
type TokenFor = (String, String, String);

/// Tokens by what they are for, with the instant they stop being used.
#[derive(Debug, Default)]
pub struct TokenCache {
    tokens: Mutex<HashMap<TokenFor, (Secret, Instant)>>,
    /// (pool, partner, scopes) -> what its token is for, so a cached token needs no lookup.
    partners: Mutex<HashMap<TokenFor, TokenFor>>,
}

/// A token is used until this long before it expires.
const MARGIN: Duration = Duration::from_secs(60);

impl TokenCache {
    /// The partner's token for `pool` and `scopes`, if one is cached and still good.
    pub fn for_partner(&self, pool: &str, partner: &str, scopes: &[String]) -> Option<Secret> {
        let key = (pool.to_string(), partner.to_string(), scopes.join(" "));
        let which = self.partners.lock().expect("token cache").get(&key).cloned()?;
        let tokens = self.tokens.lock().expect("token cache");
        tokens.get(&which).filter(|(_, until)| Instant::now() < *until).map(|(t, _)| t.clone())
    }

    /// Whose token `token_url` and `client_id` gave (for [`TokenCache::for_partner`]).
    pub fn remember_partner(&self, pool: &str, partner: &str, scopes: &[String], token_url: &str, client_id: &str) {
        let key = (pool.to_string(), partner.to_string(), scopes.join(" "));
        let which = (token_url.to_string(), client_id.to_string(), scopes.join(" "));
        self.partners.lock().expect("token cache").insert(key, which);
    }

    /// A token for the client and scopes: the cached one while it is good, else a new one.
    pub async fn token(
        &self,
        http: &reqwest::Client,
        token_url: &str,
        client_id: &str,
        secret: &Secret,
        scopes: &[String],
    ) -> Result<Secret, String> {
        let key = (token_url.to_string(), client_id.to_string(), scopes.join(" "));
        if let Some((t, until)) = self.tokens.lock().expect("token cache").get(&key)
            && Instant::now() < *until
        {
            return Ok(t.clone());
        }
        let (token, expires_in) = fetch(http, token_url, client_id, secret, scopes).await?;
        let until = Instant::now() + Duration::from_secs(expires_in).saturating_sub(MARGIN);
        self.tokens.lock().expect("token cache").insert(key, (token.clone(), until));
        Ok(token)
    }
}

async fn fetch(
    http: &reqwest::Client,
    token_url: &str,
    client_id: &str,
    secret: &Secret,
    scopes: &[String],
) -> Result<(Secret, u64), String> {
    let mut form = vec![("grant_type", "client_credentials".to_string())];
    if !scopes.is_empty() {
        form.push(("scope", scopes.join(" ")));
    }
    let req = http.post(token_url).basic_auth(client_id, Some(secret.expose())).form(&form);
    let resp = req.send().await.map_err(|e| format!("token request to {token_url} failed: {e}"))?;
    let status = resp.status();
    let bytes = resp.bytes().await.unwrap_or_default();
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if !status.is_success() {
        let why = body.get("error").and_then(|e| e.as_str()).unwrap_or("no error code");
        return Err(format!("the token endpoint {token_url} answered {status}: {why}"));
    }
    let token =
        body.get("access_token").and_then(|t| t.as_str()).ok_or("the token endpoint returned no access_token")?;
    let expires = body.get("expires_in").and_then(|e| e.as_u64()).unwrap_or(3600);
    Ok((Secret::new(token), expires))
}
