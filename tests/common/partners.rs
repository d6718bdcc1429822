//! A small partner estate in moto, made through the SDK: a user pool with a domain and a
//! resource server (`partners/read`, `partners/write`), one REST API with stages `prod` and
//! `beta`, and usage plans `gold` (prod) and `silver` (beta). The CLI runs against it with its
//! own state and config directories.

use super::moto;
use portcullis::aws::{self, AwsContext};
use portcullis::config::Settings;
use std::path::{Path, PathBuf};

pub struct Fixture {
    pub region: &'static str,
    pub ctx: AwsContext,
    pub pool: String,
    pub plans: Vec<String>,
    pub dir: tempfile::TempDir,
}

pub async fn fixture(region: &'static str) -> Fixture {
    let ctx = aws::connect(&Settings::for_endpoint(&[region], moto().endpoint())).await.unwrap().remove(0);
    let pool = ctx.cognito.create_user_pool().pool_name("partners").send().await.unwrap();
    let pool = pool.user_pool().and_then(|p| p.id()).unwrap().to_string();
    ctx.cognito.create_user_pool_domain().user_pool_id(&pool).domain(format!("p-{region}")).send().await.unwrap();
    let scope = |n: &str| {
        aws_sdk_cognitoidentityprovider::types::ResourceServerScopeType::builder()
            .scope_name(n)
            .scope_description(n)
            .build()
            .unwrap()
    };
    let rs = ctx.cognito.create_resource_server().user_pool_id(&pool).identifier("partners").name("partners");
    rs.scopes(scope("read")).scopes(scope("write")).send().await.unwrap();
    let api = ctx.apigw.create_rest_api().name("shipping").send().await.unwrap();
    let (id, root) = (api.id().unwrap().to_string(), api.root_resource_id().unwrap().to_string());
    let m = ctx.apigw.put_method().rest_api_id(&id).resource_id(&root).http_method("GET").authorization_type("NONE");
    m.api_key_required(true).send().await.unwrap();
    let i = ctx.apigw.put_integration().rest_api_id(&id).resource_id(&root).http_method("GET");
    i.r#type(aws_sdk_apigateway::types::IntegrationType::Mock).send().await.unwrap();
    let mut plans = Vec::new();
    for (stage, plan) in [("prod", "gold"), ("beta", "silver")] {
        ctx.apigw.create_deployment().rest_api_id(&id).stage_name(stage).send().await.unwrap();
        let s = aws_sdk_apigateway::types::ApiStage::builder().api_id(&id).stage(stage).build();
        let p = ctx.apigw.create_usage_plan().name(plan).api_stages(s).send().await.unwrap();
        plans.push(p.id().unwrap().to_string());
    }
    Fixture { region, ctx, pool, plans, dir: tempfile::tempdir().unwrap() }
}

impl Fixture {
    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// Write the config file (`portcullis/config.toml` under [`Fixture::config`]).
    pub fn set_config(&self, text: &str) {
        let dir = self.config().join("portcullis");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), text).unwrap();
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `portcullis partners ARGS --user-pool POOL` with this fixture's state and config.
    pub fn partners(&self, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> std::process::Output {
        let mut all = vec!["partners"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--user-pool", &self.pool]);
        let (state, config) = (self.state(), self.config());
        let mut vars: Vec<(&str, &std::ffi::OsStr)> =
            vec![("XDG_STATE_HOME", state.as_os_str()), ("XDG_CONFIG_HOME", config.as_os_str())];
        vars.extend_from_slice(env);
        super::run_cli(self.region, &all, &vars)
    }

    /// `portcullis partners ARGS` without `--user-pool` (and no partner_pool unless the config sets it).
    pub fn partners_without_pool(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["partners"];
        all.extend_from_slice(args);
        let (state, config) = (self.state(), self.config());
        let vars = [("XDG_STATE_HOME", state.as_os_str()), ("XDG_CONFIG_HOME", config.as_os_str())];
        super::run_cli(self.region, &all, &vars)
    }

    /// The partners, as `partners --output json` lists them.
    pub fn listed(&self) -> serde_json::Value {
        let out = self.partners(&["--output", "json"], &[]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

/// The hand-over JSON in an export file (checked to be the owner's only).
pub fn exported(path: &Path) -> serde_json::Value {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(path).unwrap().permissions().mode() & 0o777, 0o600, "{}", path.display());
    }
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}
