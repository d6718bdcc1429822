//! The accounts portcullis reads: the credentials' own, and the organisation's (Organizations
//! ListAccounts, the ACTIVE ones) or the config's list, each through a role assumed with
//! aws-config's own `AssumeRoleProvider`. The clients' identity cache (aws-config's lazy cache)
//! keeps each account's session and assumes the role again before it expires, so a TUI left
//! open for a day keeps working. An account whose role cannot be assumed is named with what to
//! do; the others are read.

use super::error::{AwsError, ErrorKind};
use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The role assumed in each account when the config names none: read-only (`portcullis
/// iam-policy` prints what it needs).
pub const DEFAULT_ROLE: &str = "PortcullisReadOnly";
/// The role session's name when the config names none (CloudTrail shows it).
pub const DEFAULT_SESSION_NAME: &str = "portcullis";
/// One hour: AssumeRole's default; the cache renews the session before it ends.
pub const DEFAULT_SESSION: Duration = Duration::from_secs(3600);
/// Accounts opened and read at once. API Gateway's limits are per account and region (each
/// account has its own pacing buckets), so reading more at once costs no account anything;
/// this bounds the process's connections (each region of an account has up to 8 in flight).
pub const ACCOUNTS_AT_ONCE: usize = 32;

/// `[accounts]` in the config file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountsConfig {
    /// `organizations` (ListAccounts) or `list` (the `[[accounts.list]]` entries); by default
    /// `list` when there are entries, else `organizations`.
    pub source: Option<Source>,
    /// The role assumed in each account (`arn:aws:iam::ID:role/NAME`); default `PortcullisReadOnly`.
    pub role: Option<String>,
    pub external_id: Option<String>,
    pub session_name: Option<String>,
    /// The session's length (`1h`, `15m`; AWS allows 15 minutes up to the role's maximum).
    pub duration: Option<String>,
    /// Only these account ids (empty: every one).
    #[serde(default)]
    pub include: Vec<String>,
    /// Never these account ids.
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub list: Vec<AccountEntry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Organizations,
    List,
}

/// One account of an explicit list: its credentials from a profile, a role ARN, or the role.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountEntry {
    pub id: String,
    pub name: Option<String>,
    pub profile: Option<String>,
    pub role_arn: Option<String>,
}

/// Which accounts are read and how, from the config and `--accounts`.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountsPlan {
    pub source: Source,
    pub role: String,
    pub external_id: Option<String>,
    pub session_name: String,
    pub session: Duration,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    pub list: Vec<AccountEntry>,
    /// `--accounts ID,...`: these (and the credentials' own); `None`: every one.
    pub only: Option<Vec<String>>,
}

fn check_id(id: &str) -> Result<(), String> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("`{id}` is not an AWS account id (12 digits); use `--accounts all` or ids, comma-separated"))
    }
}

impl AccountsPlan {
    /// `None` when neither the config nor the flag asks for accounts: the credentials' own alone.
    pub fn from(config: Option<&AccountsConfig>, flag: &[String]) -> Result<Option<AccountsPlan>, String> {
        if config.is_none() && flag.is_empty() {
            return Ok(None);
        }
        let only = match flag {
            [] => None,
            [all] if all == "all" => None,
            ids => {
                ids.iter().try_for_each(|id| check_id(id))?;
                Some(ids.to_vec())
            }
        };
        let c = config.cloned().unwrap_or_default();
        for id in c.include.iter().chain(&c.exclude).chain(c.list.iter().map(|e| &e.id)) {
            check_id(id).map_err(|e| format!("[accounts]: {e}"))?;
        }
        let session = match &c.duration {
            Some(d) => crate::domain::parse_duration(d).map_err(|e| format!("[accounts] duration: {e}"))?,
            None => DEFAULT_SESSION,
        };
        if !(900..=43_200).contains(&session.as_secs()) {
            return Err("[accounts] duration: AssumeRole sessions last 15m to 12h".into());
        }
        let source = c.source.unwrap_or(if c.list.is_empty() { Source::Organizations } else { Source::List });
        Ok(Some(AccountsPlan {
            source,
            role: c.role.unwrap_or_else(|| DEFAULT_ROLE.into()),
            external_id: c.external_id,
            session_name: c.session_name.unwrap_or_else(|| DEFAULT_SESSION_NAME.into()),
            session,
            include: c.include,
            exclude: c.exclude,
            list: c.list,
            only,
        }))
    }

    fn wanted(&self, id: &str) -> bool {
        self.only.as_ref().is_none_or(|o| o.iter().any(|x| x == id))
            && (self.include.is_empty() || self.include.iter().any(|x| x == id))
            && !self.exclude.iter().any(|x| x == id)
    }

    /// The role's name, as messages say it.
    pub fn role_name(&self) -> &str {
        self.role.rsplit('/').next().unwrap_or(&self.role)
    }

    fn role_arn(&self, id: &str) -> String {
        if self.role.starts_with("arn:") {
            // A full ARN names one account's role: the same path and name in every account.
            let tail = self.role.split_once(":role/").map_or(self.role.as_str(), |(_, t)| t);
            format!("arn:aws:iam::{id}:role/{tail}")
        } else {
            format!("arn:aws:iam::{id}:role/{}", self.role)
        }
    }
}

/// Whether an account could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    /// Its role could not be assumed (AccessDenied, a missing role, a wrong external id).
    Denied,
    /// Its credentials could not be had otherwise, or its reads failed after the retries.
    Failed,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Denied => "denied",
            Status::Failed => "failed",
        }
    }
}

/// One account as opened: its id, name, how it was reached, and whether it can be read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    pub id: String,
    pub name: Option<String>,
    pub status: Status,
    /// What went wrong, with what to do (absent when ok).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The role assumed (absent for the credentials' own account and profile entries).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// The credentials' own account (no role assumed).
    pub own: bool,
}

impl AccountInfo {
    /// Its name, else its id (the ACCOUNT column).
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

/// The accounts of one connection: each one's status, and what could not be listed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reach {
    pub accounts: Vec<AccountInfo>,
    /// The organisation's account list could not be read (the accounts named are still read).
    pub problems: Vec<String>,
}

impl Reach {
    /// Each account that cannot be read, and each listing problem, as a line for stderr.
    pub fn warnings(&self) -> Vec<String> {
        let failed = self.accounts.iter().filter(|a| a.status != Status::Ok).filter_map(|a| a.error.clone());
        self.problems.iter().cloned().chain(failed).collect()
    }

    pub fn find(&self, id: &str) -> Option<&AccountInfo> {
        self.accounts.iter().find(|a| a.id == id)
    }
}

/// The accounts of a connection, each with its status; with one account read, that account alone
/// (its id asked once, GetCallerIdentity).
pub async fn of_connection(contexts: &[super::AwsContext]) -> Result<Vec<AccountInfo>, AwsError> {
    let Some(first) = contexts.first() else { return Ok(vec![]) };
    if !first.reach.accounts.is_empty() {
        return Ok(first.reach.accounts.clone());
    }
    let id = super::audit::account(first).await?;
    let id = id.split('@').next().unwrap_or_default().to_string();
    Ok(vec![AccountInfo { id, name: None, status: Status::Ok, error: None, role_arn: None, own: true }])
}

/// Where an account's credentials come from.
#[derive(Debug, Clone)]
enum How {
    Own,
    Role(String),
    Profile(String),
}

#[derive(Debug, Clone)]
struct Candidate {
    id: String,
    name: Option<String>,
    how: How,
}

/// An account opened: its status, and its SDK configuration when it can be read.
pub struct Opened {
    pub info: AccountInfo,
    pub sdk: Option<SdkConfig>,
}

/// Open every account the plan names: the credentials' own (always), then each other one
/// through its role, `ACCOUNTS_AT_ONCE` at a time.
pub async fn open(
    plan: &AccountsPlan,
    base: &SdkConfig,
    profile: Option<&str>,
) -> Result<(Vec<Opened>, Reach), AwsError> {
    let own = own_account(base, profile).await?;
    let (listed, problems) = candidates(plan, base, &own, profile).await;
    let opened: Vec<Opened> =
        futures::stream::iter(listed).map(|c| open_one(c, plan, base)).buffered(ACCOUNTS_AT_ONCE).collect().await;
    let reach = Reach { accounts: opened.iter().map(|o| o.info.clone()).collect(), problems };
    Ok((opened, reach))
}

/// The credentials' own account (GetCallerIdentity).
pub async fn own_account(sdk: &SdkConfig, profile: Option<&str>) -> Result<String, AwsError> {
    let sts = aws_sdk_sts::Client::new(sdk);
    let out =
        sts.get_caller_identity().send().await.map_err(|e| AwsError::from_sdk("GetCallerIdentity", profile, e))?;
    Ok(out.account().unwrap_or_default().to_string())
}

/// The accounts to open, the own one first; a listing that fails is a problem, not the end.
async fn candidates(
    plan: &AccountsPlan,
    base: &SdkConfig,
    own: &str,
    profile: Option<&str>,
) -> (Vec<Candidate>, Vec<String>) {
    let mut problems = Vec::new();
    let mut found: Vec<(String, Option<String>)> = match plan.source {
        Source::List => plan.list.iter().map(|e| (e.id.clone(), e.name.clone())).collect(),
        Source::Organizations => match organization_accounts(base, profile).await {
            Ok(accounts) => accounts,
            // Accounts named by id are read without the listing (only their names are missing).
            Err(_) if plan.only.is_some() => vec![],
            Err(e) => {
                problems.push(format!(
                    "cannot list the organisation's accounts ({e}): run portcullis with the management or a \
                     delegated administrator account's credentials, or list the accounts in [accounts] list"
                ));
                vec![]
            }
        },
    };
    // Accounts named with --accounts that the listing does not hold are still tried.
    for id in plan.only.iter().flatten() {
        if !found.iter().any(|(f, _)| f == id) {
            found.push((id.clone(), None));
        }
    }
    let own_name = found.iter().find(|(id, _)| id == own).and_then(|(_, n)| n.clone());
    let mut out = vec![Candidate { id: own.to_string(), name: own_name, how: How::Own }];
    for (id, name) in found.into_iter().filter(|(id, _)| id != own && plan.wanted(id)) {
        let entry = plan.list.iter().find(|e| e.id == id);
        let how = match entry {
            Some(AccountEntry { profile: Some(p), .. }) => How::Profile(p.clone()),
            Some(AccountEntry { role_arn: Some(arn), .. }) => How::Role(arn.clone()),
            _ => How::Role(plan.role_arn(&id)),
        };
        out.push(Candidate { id, name, how });
    }
    (out, problems)
}

/// Organizations ListAccounts, every page, the ACTIVE accounts.
async fn organization_accounts(
    base: &SdkConfig,
    profile: Option<&str>,
) -> Result<Vec<(String, Option<String>)>, AwsError> {
    // Organizations is a global service, served from us-east-1.
    let conf = aws_sdk_organizations::config::Builder::from(base).region(aws_config::Region::new("us-east-1")).build();
    let client = aws_sdk_organizations::Client::from_conf(conf);
    let mut pages = client.list_accounts().into_paginator().send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| AwsError::from_sdk("ListAccounts", profile, e))?;
        for a in page.accounts() {
            let active =
                a.state().is_none_or(|s| s.as_str() == "ACTIVE") && a.status().is_none_or(|s| s.as_str() == "ACTIVE");
            if let (Some(id), true) = (a.id(), active) {
                out.push((id.to_string(), a.name().map(str::to_string)));
            }
        }
    }
    Ok(out)
}

async fn open_one(c: Candidate, plan: &AccountsPlan, base: &SdkConfig) -> Opened {
    let info = |status, error, role_arn| AccountInfo {
        id: c.id.clone(),
        name: c.name.clone(),
        status,
        error,
        role_arn,
        own: matches!(c.how, How::Own),
    };
    match &c.how {
        How::Own => Opened { info: info(Status::Ok, None, None), sdk: Some(base.clone()) },
        How::Profile(p) => {
            let sdk = base.clone().into_builder().credentials_provider(profile_provider(p)).build();
            match check(&sdk, &c.id).await {
                Ok(()) => Opened { info: info(Status::Ok, None, None), sdk: Some(sdk) },
                Err(e) => Opened {
                    info: info(Status::Failed, Some(format!("cannot read {} with profile {p} ({e})", c.id)), None),
                    sdk: None,
                },
            }
        }
        How::Role(arn) => {
            let provider = aws_config::sts::AssumeRoleProvider::builder(arn.clone())
                .session_name(plan.session_name.clone())
                .session_length(plan.session)
                .configure(base);
            let provider = match &plan.external_id {
                Some(x) => provider.external_id(x.clone()),
                None => provider,
            }
            .build()
            .await;
            let sdk =
                base.clone().into_builder().credentials_provider(SharedCredentialsProvider::new(provider)).build();
            match check(&sdk, &c.id).await {
                Ok(()) => Opened { info: info(Status::Ok, None, Some(arn.clone())), sdk: Some(sdk) },
                Err(e) => {
                    let status = if e.kind == ErrorKind::AccessDenied { Status::Denied } else { Status::Failed };
                    let what = plan.role_name();
                    let error = format!(
                        "cannot assume {what} in {} ({}): create the role there or leave the account out with --accounts",
                        c.id, e.message
                    );
                    Opened { info: info(status, Some(error), Some(arn.clone())), sdk: None }
                }
            }
        }
    }
}

fn profile_provider(profile: &str) -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(
        aws_config::profile::ProfileFileCredentialsProvider::builder().profile_name(profile).build(),
    )
}

/// Ask who the account's credentials are (GetCallerIdentity through the account's own identity
/// cache, so the session it assumes is the one the clients then use), and that it is that account.
async fn check(sdk: &SdkConfig, id: &str) -> Result<(), AwsError> {
    let sts = aws_sdk_sts::Client::new(sdk);
    match sts.get_caller_identity().send().await {
        Ok(out) if out.account() == Some(id) => Ok(()),
        Ok(out) => Err(AwsError::new(
            ErrorKind::Other,
            "GetCallerIdentity",
            format!("the credentials are of account {}, not {id}", out.account().unwrap_or("unknown")),
        )),
        Err(e) => Err(assume_error(&e).unwrap_or_else(|| AwsError::from_sdk("GetCallerIdentity", None, e))),
    }
}

/// The AssumeRole error under a call that could not get its credentials: its code and message.
fn assume_error(e: &(dyn std::error::Error + 'static)) -> Option<AwsError> {
    use aws_sdk_sts::operation::assume_role::AssumeRoleError;
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;
    type AssumeFailure = aws_sdk_sts::error::SdkError<AssumeRoleError, aws_sdk_sts::config::http::HttpResponse>;
    let mut at: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = at {
        if let Some(failure) = err.downcast_ref::<AssumeFailure>() {
            let code = failure.code().unwrap_or("AssumeRole failed");
            let message = failure.message().unwrap_or_default();
            let kind = if code.contains("AccessDenied") { ErrorKind::AccessDenied } else { ErrorKind::Other };
            let text = if message.is_empty() { code.to_string() } else { format!("{code}: {message}") };
            return Some(AwsError::new(kind, "AssumeRole", text));
        }
        at = err.source();
    }
    None
}

/// The place of a context as messages say it: `eu-west-1`, or `prod-payments eu-west-1`.
pub fn place(account: Option<&AccountInfo>, region: &str) -> String {
    match account {
        Some(a) => format!("{} {region}", a.label()),
        None => region.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_accounts_asked_is_the_own_account_alone() {
        assert_eq!(AccountsPlan::from(None, &[]), Ok(None));
    }

    #[test]
    fn the_flag_picks_ids_and_checks_them() {
        let p = AccountsPlan::from(None, &["111122223333".into(), "444455556666".into()]).unwrap().unwrap();
        assert_eq!(p.only.as_deref(), Some(&["111122223333".to_string(), "444455556666".to_string()][..]));
        assert_eq!(p.source, Source::Organizations);
        assert_eq!(p.role_arn("111122223333"), "arn:aws:iam::111122223333:role/PortcullisReadOnly");
        assert!(AccountsPlan::from(None, &["prod".into()]).unwrap_err().contains("12 digits"));
        assert_eq!(AccountsPlan::from(None, &["all".into()]).unwrap().unwrap().only, None);
    }

    #[test]
    fn include_and_exclude_narrow_the_list() {
        let c = AccountsConfig {
            include: vec!["111122223333".into(), "444455556666".into()],
            exclude: vec!["444455556666".into()],
            role: Some("arn:aws:iam::999999999999:role/ops/Reader".into()),
            ..Default::default()
        };
        let p = AccountsPlan::from(Some(&c), &[]).unwrap().unwrap();
        assert!(p.wanted("111122223333"));
        assert!(!p.wanted("444455556666"));
        assert!(!p.wanted("777788889999"));
        assert_eq!(p.role_arn("111122223333"), "arn:aws:iam::111122223333:role/ops/Reader");
        assert_eq!(p.role_name(), "Reader");
    }

    #[test]
    fn session_length_is_within_what_aws_allows() {
        let c = AccountsConfig { duration: Some("5m".into()), ..Default::default() };
        assert!(AccountsPlan::from(Some(&c), &[]).unwrap_err().contains("15m to 12h"));
        let c = AccountsConfig { duration: Some("2h".into()), ..Default::default() };
        assert_eq!(AccountsPlan::from(Some(&c), &[]).unwrap().unwrap().session, Duration::from_secs(7200));
    }
}
