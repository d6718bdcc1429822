//! Builds every SDK client from one aws-config load (profile, region, endpoint, retry, pacing).

use super::error::{AwsError, ErrorKind};
use super::pacing::Pacer;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::sync::Arc;
use std::time::Duration;

/// Requests that can run concurrently do, up to this many in flight per region.
pub const MAX_IN_FLIGHT: usize = 8;

/// The clients for one region.
#[derive(Clone, Debug)]
pub struct AwsContext {
    pub region: String,
    pub profile: Option<String>,
    pub apigw: Lazy<aws_sdk_apigateway::Client>,
    pub apigw2: Lazy<aws_sdk_apigatewayv2::Client>,
    pub cognito: Lazy<aws_sdk_cognitoidentityprovider::Client>,
    pub trail: Lazy<aws_sdk_cloudtrail::Client>,
    pub s3: Lazy<aws_sdk_s3::Client>,
    /// Where onboarding can hand credentials over (`--secret-name`).
    pub secrets: Lazy<aws_sdk_secretsmanager::Client>,
    /// GetCallerIdentity: the account, for the audit cache.
    pub sts: Lazy<aws_sdk_sts::Client>,
    /// The custom endpoint, when there is one (the cache keeps emulators apart from AWS).
    pub endpoint: Option<String>,
    /// CloudTrail LookupEvents: 2 requests/s per account and region, always paced.
    pub trail_pacer: Pacer,
    /// Shared by both API Gateway clients: the limit is per account and region.
    pub pacer: Pacer,
    /// Cognito's app-client reads and updates: about 15/s per account, shared; paced below it.
    pub cognito_pacer: Pacer,
    /// CreateApiKey and DeleteApiKey: 5/s each.
    pub key_pacer: Pacer,
    pub read_only: bool,
    /// What this endpoint was found not to support (emulators), learned once per region.
    pub quirks: Arc<Quirks>,
    /// The account id (GetCallerIdentity), asked once and shared by every region's context.
    pub account: Arc<tokio::sync::OnceCell<String>>,
    /// The credentials the clients use, for SigV4 outside the SDK (try it).
    pub credentials: Option<aws_credential_types::provider::SharedCredentialsProvider>,
    /// The account these clients read, when accounts were asked for (`[accounts]`,
    /// `--accounts`); `None` for the credentials' own account read alone (no call is made to
    /// learn its id then).
    pub account_id: Option<String>,
    /// Every account of the connection and its status (shared by all its contexts).
    pub reach: Arc<super::accounts::Reach>,
}

/// An SDK client made on first use (`*` or a method call reaches it). Making one costs about
/// 0.2 ms; an organisation read in every region has thousands of contexts, most of which never
/// call most services.
#[derive(Clone)]
pub struct Lazy<T> {
    cell: Arc<std::sync::OnceLock<T>>,
    make: Arc<dyn Fn() -> T + Send + Sync>,
}

impl<T> Lazy<T> {
    pub fn new(make: impl Fn() -> T + Send + Sync + 'static) -> Lazy<T> {
        Lazy { cell: Arc::default(), make: Arc::new(make) }
    }
}

impl<T> std::ops::Deref for Lazy<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.cell.get_or_init(|| (self.make)())
    }
}

impl<T> std::fmt::Debug for Lazy<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.cell.get().is_some() { "Lazy(made)" } else { "Lazy(not made yet)" })
    }
}

/// Operations an endpoint lacks, so we stop asking (and stop paying for retries).
#[derive(Debug, Default)]
pub struct Quirks {
    /// moto has no list operation for HTTP API authorizers.
    pub no_http_authorizer_list: std::sync::atomic::AtomicBool,
    /// Whether the endpoint lists HTTP API authorizers has been asked (once, when first needed).
    pub http_authorizer_list_probed: tokio::sync::OnceCell<()>,
    /// moto has no Add/List/DeleteUserPoolClientSecret (Cognito's two-secret model).
    pub no_client_secrets: std::sync::atomic::AtomicBool,
}

impl AwsContext {
    /// Map an SDK error for `action` into our error type.
    pub fn err<E>(
        &self,
        action: &str,
        e: aws_sdk_apigateway::error::SdkError<E, aws_sdk_apigateway::config::http::HttpResponse>,
    ) -> AwsError
    where
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        AwsError::from_sdk(action, self.profile.as_deref(), e)
    }

    /// The account as the listings' objects carry it: its id and name (both `None` when the
    /// credentials' own account is read alone).
    pub fn account_ref(&self) -> crate::domain::AccountRef {
        let name = self.account_id.as_deref().and_then(|id| self.reach.find(id)).and_then(|a| a.name.clone());
        crate::domain::AccountRef::new(self.account_id.clone(), name)
    }

    /// Where this context reads, as messages say it: `eu-west-1`, or `payments eu-west-1`.
    pub fn place(&self) -> String {
        super::accounts::place(self.account_id.as_deref().and_then(|id| self.reach.find(id)), &self.region)
    }

    /// Whether this context reads the credentials' own account (always, when it is read alone).
    pub fn is_own(&self) -> bool {
        self.account_id.as_deref().is_none_or(|id| self.reach.find(id).is_some_and(|a| a.own))
    }

    /// Whether this context reads `region` of `account` (any account when `None`).
    pub fn is_at(&self, account: Option<&str>, region: &str) -> bool {
        self.region == region && account.is_none_or(|a| self.account_id.as_deref().is_none_or(|mine| mine == a))
    }

    /// Refuse a mutation in read-only mode, in the AWS layer itself.
    pub fn check_writable(&self, action: &str) -> Result<(), AwsError> {
        if self.read_only {
            return Err(AwsError::new(
                ErrorKind::Refused,
                action,
                format!("{action} refused: portcullis is in read-only mode (--read-only or read_only = true)"),
            ));
        }
        Ok(())
    }
}

/// Reads are idempotent: they get more attempts than the SDK's standard 3, with capped
/// exponential backoff and full jitter (the SDK's standard strategy, which also decides what is
/// retryable: throttling, transient errors, 5xx, timeouts and dropped connections), inside an
/// overall time budget per call. Changes override this with [`change_retries`].
pub const READ_ATTEMPTS: u32 = 8;
const READ_BUDGET: Duration = Duration::from_secs(90);

/// Changes keep the standard 3 attempts: each change checks after a lost answer itself (and
/// CreateApiKey is not retried blindly at all).
pub const CHANGE_ATTEMPTS: u32 = 3;

fn read_retries() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(READ_ATTEMPTS)
        .with_initial_backoff(Duration::from_millis(100))
        .with_max_backoff(Duration::from_secs(5))
}

/// The retry override for an API Gateway change.
pub fn change_retries() -> aws_sdk_apigateway::config::Builder {
    aws_sdk_apigateway::config::Builder::default()
        .retry_config(RetryConfig::standard().with_max_attempts(CHANGE_ATTEMPTS))
}

/// What the clients are made from; the settings (config file, flags, environment) give it.
#[derive(Debug, Clone, Default)]
pub struct ClientConfig {
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    /// Region names, or `all`; empty for the profile's region.
    pub regions: Vec<String>,
    pub pace_rps: Option<f64>,
    pub pace_burst: Option<u32>,
    pub read_only: bool,
    /// The accounts read (`None`: the credentials' own alone).
    pub accounts: Option<super::accounts::AccountsPlan>,
}

/// Whatever can say how to make the clients (the settings, or a `ClientConfig` itself).
pub trait Clients {
    fn clients(&self) -> ClientConfig;
}

impl<T: Clients> Clients for Arc<T> {
    fn clients(&self) -> ClientConfig {
        self.as_ref().clients()
    }
}

impl Clients for ClientConfig {
    fn clients(&self) -> ClientConfig {
        self.clone()
    }
}

async fn load_sdk_config(settings: &ClientConfig) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(read_retries()).timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(5))
            .operation_attempt_timeout(Duration::from_secs(30))
            .operation_timeout(READ_BUDGET)
            .build(),
    );
    if let Some(p) = &settings.profile {
        loader = loader.profile_name(p);
    }
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    if let Some(first) = settings.regions.first().filter(|r| r.as_str() != "all") {
        loader = loader.region(Region::new(first.clone()));
    }
    loader.load().await
}

/// One load of the AWS configuration, then one set of clients per region.
pub async fn connect(settings: &impl Clients) -> Result<Vec<AwsContext>, AwsError> {
    let settings = &settings.clients();
    let sdk = load_sdk_config(settings).await;
    let regions = resolve_regions(settings, &sdk)?;
    let custom = sdk.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_API_GATEWAY").is_some();
    let Some(plan) = &settings.accounts else {
        let own = Slot { account: Arc::new(tokio::sync::OnceCell::new()), id: None, reach: Arc::default() };
        return Ok(regions.into_iter().map(|r| context_for(settings, &sdk, r, custom, own.clone())).collect());
    };
    let (opened, reach) = super::accounts::open(plan, &sdk, settings.profile.as_deref()).await?;
    let reach = Arc::new(reach);
    let mut out = Vec::new();
    for o in opened {
        let Some(account_sdk) = &o.sdk else { continue };
        let slot = Slot {
            account: Arc::new(tokio::sync::OnceCell::new_with(Some(o.info.id.clone()))),
            id: Some(o.info.id.clone()),
            reach: reach.clone(),
        };
        out.extend(regions.iter().map(|r| context_for(settings, account_sdk, r.clone(), custom, slot.clone())));
    }
    Ok(out)
}

/// What the contexts of one account share.
#[derive(Clone)]
struct Slot {
    account: Arc<tokio::sync::OnceCell<String>>,
    id: Option<String>,
    reach: Arc<super::accounts::Reach>,
}

fn resolve_regions(settings: &ClientConfig, sdk: &SdkConfig) -> Result<Vec<String>, AwsError> {
    if settings.regions.iter().any(|r| r == "all") {
        return Ok(ALL_REGIONS.iter().map(|s| s.to_string()).collect());
    }
    if !settings.regions.is_empty() {
        return Ok(settings.regions.clone());
    }
    match sdk.region() {
        Some(r) => Ok(vec![r.to_string()]),
        None => Err(AwsError::new(
            ErrorKind::Other,
            "configure",
            "no AWS region: pass --region, set AWS_REGION, or set a region in the profile",
        )),
    }
}

fn context_for(settings: &ClientConfig, sdk: &SdkConfig, region: String, custom: bool, slot: Slot) -> AwsContext {
    let r = Region::new(region.clone());
    // Each client is made when first used, from this region's share of the configuration.
    macro_rules! lazy {
        ($crate_:ident $(, $extra:ident($value:expr))?) => {{
            let (sdk, r) = (sdk.clone(), r.clone());
            Lazy::new(move || {
                let conf = $crate_::config::Builder::from(&sdk).region(r.clone())$(.$extra($value))?.build();
                $crate_::Client::from_conf(conf)
            })
        }};
    }
    AwsContext {
        region,
        profile: settings.profile.clone(),
        apigw: lazy!(aws_sdk_apigateway),
        apigw2: lazy!(aws_sdk_apigatewayv2),
        cognito: lazy!(aws_sdk_cognitoidentityprovider),
        trail: lazy!(aws_sdk_cloudtrail),
        // Path-style addressing works with emulators and with every bucket name.
        s3: lazy!(aws_sdk_s3, force_path_style(true)),
        secrets: lazy!(aws_sdk_secretsmanager),
        sts: lazy!(aws_sdk_sts),
        endpoint: sdk.endpoint_url().map(str::to_string),
        trail_pacer: Pacer::new(2.0, 2),
        cognito_pacer: Pacer::new(12.0, 12),
        key_pacer: Pacer::new(5.0, 5),
        pacer: Pacer::for_apigateway(custom, settings.pace_rps, settings.pace_burst),
        read_only: settings.read_only,
        quirks: Arc::default(),
        account: slot.account,
        credentials: sdk.credentials_provider(),
        account_id: slot.id,
        reach: slot.reach,
    }
}

/// Commercial regions where API Gateway is offered (`--region all`).
pub const ALL_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-east-1",
    "me-south-1",
    "af-south-1",
];

/// Shared handle type used by the TUI.
pub type Contexts = Arc<Vec<AwsContext>>;
