//! What the governance rules read beyond the catalog: custom domain names with their TLS
//! security policy (GetDomainNames, REST and v2: a domain can be made through either), and the
//! HTTP APIs' integrations over a VPC link with their TLS configuration (GetIntegrations).

use super::AwsContext;
use super::error::AwsError;
use super::paging::{all_pages, next};

/// A custom domain name and its security policy (`TLS_1_2`, `SecurityPolicy_TLS13_1_3_2025_09`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainName {
    pub name: String,
    pub region: String,
    #[serde(flatten)]
    pub account: crate::domain::AccountRef,
    pub security_policy: Option<String>,
}

/// An HTTP API's integration: how it connects, and the server name its TLS verifies.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    pub api_id: String,
    pub region: String,
    #[serde(flatten)]
    pub account: crate::domain::AccountRef,
    pub id: String,
    /// `INTERNET` or `VPC_LINK`.
    pub connection_type: Option<String>,
    pub tls_server_name: Option<String>,
}

/// A domain name of either listing (the REST and v2 SDK types differ).
fn domain(ctx: &AwsContext, name: Option<&str>, policy: Option<&str>) -> DomainName {
    DomainName {
        name: name.unwrap_or_default().to_string(),
        region: ctx.region.clone(),
        account: ctx.account_ref(),
        security_policy: policy.map(str::to_string),
    }
}

/// Every custom domain name of the region (the REST listing, then those only the v2 one has).
pub async fn domain_names(ctx: &AwsContext) -> Result<Vec<DomainName>, AwsError> {
    let mut out = all_pages(|position| async move {
        ctx.pacer.wait().await;
        let page = ctx
            .apigw
            .get_domain_names()
            .limit(500)
            .set_position(position)
            .send()
            .await
            .map_err(|e| ctx.err("GetDomainNames", e))?;
        let items = page.items();
        let names =
            items.iter().map(|d| domain(ctx, d.domain_name(), d.security_policy().map(|p| p.as_str()))).collect();
        Ok((names, next(page.position(), items.len())))
    })
    .await?;
    let v2 = all_pages(|token| async move {
        ctx.pacer.wait().await;
        let page = ctx
            .apigw2
            .get_domain_names()
            .max_results("500")
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| ctx.err("GetDomainNames", e))?;
        let items = page.items();
        let names = items
            .iter()
            .map(|d| {
                let policy = d.domain_name_configurations().iter().find_map(|c| c.security_policy());
                domain(ctx, d.domain_name(), policy.map(|p| p.as_str()))
            })
            .collect();
        Ok((names, next(page.next_token(), items.len())))
    })
    .await?;
    for d in v2 {
        if !out.iter().any(|o| o.name == d.name) {
            out.push(d);
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// The integrations of an HTTP API.
pub async fn integrations(ctx: &AwsContext, api_id: &str) -> Result<Vec<Integration>, AwsError> {
    all_pages(|token| async move {
        ctx.pacer.wait().await;
        let page = ctx
            .apigw2
            .get_integrations()
            .api_id(api_id)
            .max_results("500")
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| ctx.err("GetIntegrations", e))?;
        let items = page.items();
        let out = items
            .iter()
            .map(|i| Integration {
                api_id: api_id.to_string(),
                region: ctx.region.clone(),
                account: ctx.account_ref(),
                id: i.integration_id().unwrap_or_default().to_string(),
                connection_type: i.connection_type().map(|c| c.as_str().to_string()),
                tls_server_name: i.tls_config().and_then(|t| t.server_name_to_verify()).map(str::to_string),
            })
            .collect();
        Ok((out, next(page.next_token(), items.len())))
    })
    .await
}
