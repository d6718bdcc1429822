//! The sample estate as an organisation: the account the estate is built in becomes the
//! management account (Organizations CreateOrganization), with member accounts made by
//! CreateAccount. Two hold APIs, plans and partner keys of their own (built through a role
//! assumed in each, as portcullis reads them); the third has no role portcullis may assume (the
//! demo's proxy is told to deny it, as STS would), so the demo shows how a denied account looks.

use crate::aws::accounts::{AccountEntry, AccountsConfig, AccountsPlan};
use crate::config::Settings;

/// The member accounts: the two with an estate, then the one without the role.
pub const WORKLOADS: [&str; 2] = ["payments-prod", "logistics-prod"];
pub const LOCKED: &str = "sandbox";

/// What was made: each member account's name and id.
#[derive(Debug, Clone, Default)]
pub struct Organization {
    pub members: Vec<(String, String)>,
    pub locked: String,
}

/// Make the organisation and its member accounts; tell the proxy in front (`endpoint`) to deny
/// the locked account's role.
pub async fn create(settings: &Settings) -> anyhow::Result<Organization> {
    let endpoint = settings.endpoint_url.clone().ok_or_else(|| anyhow::anyhow!("an emulator's endpoint is needed"))?;
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .load()
        .await;
    let org = aws_sdk_organizations::Client::new(&sdk);
    org.create_organization().feature_set("ALL".into()).send().await?;
    let mut out = Organization::default();
    for name in WORKLOADS.iter().chain(std::iter::once(&LOCKED)) {
        let made = org
            .create_account()
            .account_name(*name)
            .email(format!("aws+{name}@kestrel-freight.example"))
            .send()
            .await?;
        let id = made.create_account_status().and_then(|s| s.account_id()).unwrap_or_default().to_string();
        match *name {
            LOCKED => out.locked = id,
            _ => out.members.push((name.to_string(), id)),
        }
    }
    // The proxy's own endpoint (src/dev/standin/proxy.rs); against a bare emulator this fails,
    // and every member's role can be assumed.
    let deny = format!("{}/_proxy/deny/{}", endpoint.trim_end_matches('/'), out.locked);
    if let Err(e) = reqwest::Client::new().post(&deny).send().await.and_then(|r| r.error_for_status()) {
        eprintln!("  note: the locked account's role could not be denied ({e}): it reads like the others");
    }
    Ok(out)
}

/// Settings that reach the workload accounts through their roles.
pub fn member_settings(settings: &Settings, org: &Organization) -> anyhow::Result<Settings> {
    let list = org
        .members
        .iter()
        .map(|(name, id)| AccountEntry { id: id.clone(), name: Some(name.clone()), profile: None, role_arn: None })
        .collect();
    let mut s = settings.clone();
    s.accounts =
        AccountsPlan::from(Some(&AccountsConfig { list, ..Default::default() }), &[]).map_err(anyhow::Error::msg)?;
    Ok(s)
}
