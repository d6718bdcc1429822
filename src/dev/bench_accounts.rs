//! `portcullis-dev bench-accounts`: the catalog of many accounts against one account's, through
//! the dev proxy, which adds a latency to every call and keeps a separate API Gateway bucket per
//! account and region (as AWS does). Each account holds `apis` REST APIs in each region, made
//! through a role assumed in it (moto's account isolation). It prints the wall time of one
//! account and of all of them (connect, the roles assumed, the catalog with its detail), and
//! the calls: each account's, and their sum against the total. Figures only: `scripts/bench
//! accounts` prints them.

use crate::aws::accounts::{AccountEntry, AccountsConfig, AccountsPlan};
use crate::aws::catalog::{self, Depth};
use crate::config::Settings;
use crate::dev::standin::limits::Limit;
use crate::dev::standin::proxy::{Proxy, Weather};
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct BenchAccountsArgs {
    /// The emulator (moto) to build the accounts in.
    #[arg(long)]
    pub upstream: String,
    #[arg(long, default_value_t = 20)]
    pub accounts: usize,
    #[arg(long, default_value_t = 2)]
    pub regions: usize,
    /// REST APIs per account and region.
    #[arg(long, default_value_t = 10)]
    pub apis: usize,
    /// Added to every call by the proxy.
    #[arg(long, default_value_t = 60)]
    pub latency_ms: u64,
}

/// Runs of each measurement.
const RUNS: usize = 3;

fn best(times: &[Duration]) -> Duration {
    times.iter().copied().min().unwrap_or_default()
}

fn median(times: &[Duration]) -> Duration {
    let mut t = times.to_vec();
    t.sort();
    t.get(t.len() / 2).copied().unwrap_or_default()
}

const REGIONS: [&str; 4] = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"];

fn account_id(i: usize) -> String {
    format!("{:012}", 300_000_000_000usize + i)
}

fn settings(endpoint: &str, regions: &[&str], accounts: usize) -> anyhow::Result<Settings> {
    let mut s = Settings::for_endpoint(regions, endpoint);
    let list = (0..accounts)
        .map(|i| AccountEntry {
            id: account_id(i),
            name: Some(format!("member-{i:02}")),
            profile: None,
            role_arn: None,
        })
        .collect();
    let config = AccountsConfig { list, ..Default::default() };
    s.accounts = AccountsPlan::from(Some(&config), &[]).map_err(anyhow::Error::msg)?;
    Ok(s)
}

/// Each member account's APIs, made through its role, straight to the emulator.
async fn build(args: &BenchAccountsArgs, regions: &[&str]) -> anyhow::Result<()> {
    let contexts = crate::aws::connect(&settings(&args.upstream, regions, args.accounts)?).await?;
    let made = contexts.iter().filter(|c| c.account_id.as_deref().is_some_and(|id| id != own(c))).map(|c| async move {
        for n in 0..args.apis {
            let name = format!("{}-api-{n:02}", c.account_id.as_deref().unwrap_or("own"));
            c.apigw.create_rest_api().name(name).send().await?;
        }
        Ok::<_, anyhow::Error>(())
    });
    for r in futures::future::join_all(made).await {
        r?;
    }
    Ok(())
}

fn own(c: &crate::aws::AwsContext) -> &str {
    c.reach.accounts.iter().find(|a| a.own).map_or("", |a| a.id.as_str())
}

/// Connect and read the catalog of `accounts` members through the proxy: the time, the APIs
/// read, the calls per account.
async fn read(proxy: &Proxy, regions: &[&str], accounts: usize) -> anyhow::Result<(Duration, usize)> {
    // Every account's bucket full again (40 at 10/s) before a run: one run never pays for another.
    tokio::time::sleep(Duration::from_secs(5)).await;
    proxy.reset_counts();
    let start = Instant::now();
    let contexts = crate::aws::connect(&settings(&proxy.url(), regions, accounts)?).await?;
    let listed = catalog::list_all(&contexts, Depth::Detail).await?;
    if !listed.region_errors.is_empty() {
        anyhow::bail!("some places failed: {:?}", listed.region_errors);
    }
    Ok((start.elapsed(), listed.apis.len()))
}

pub fn run(args: BenchAccountsArgs) -> anyhow::Result<()> {
    let regions: Vec<&str> = REGIONS.iter().copied().take(args.regions.clamp(1, REGIONS.len())).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        println!(
            "building {} accounts x {} regions x {} REST APIs in {}",
            args.accounts,
            regions.len(),
            args.apis,
            args.upstream
        );
        build(&args, &regions).await?;
        // Live (every call to moto: its one Python process is then the limit), and replayed (each
        // answer moto gave for that account and request, at the proxy's speed: what portcullis
        // itself takes).
        measure(&args, &regions, false).await?;
        measure(&args, &regions, true).await
    })
}

async fn measure(args: &BenchAccountsArgs, regions: &[&str], replay: bool) -> anyhow::Result<()> {
    let weather = Weather {
        latency: Duration::from_millis(args.latency_ms),
        // API Gateway's account bucket, one per account and region.
        limits: vec![Limit::api_gateway(10.0, 40.0)],
        replay,
        ..Default::default()
    };
    let proxy = Proxy::start(&args.upstream, weather).await?;
    println!(
        "{}: through the proxy, +{} ms a call, API Gateway's bucket (10/s, burst 40) per account and region",
        if replay { "replayed answers (moto's, recorded on a first pass)" } else { "live, every call to moto" },
        args.latency_ms
    );
    if replay {
        // The first pass records what moto answers.
        read(&proxy, regions, 1).await?;
        read(&proxy, regions, args.accounts).await?;
    }
    // Runs of one account and of all, alternating; the best of each (and the median) reported.
    let (mut ones, mut alls) = (Vec::new(), Vec::new());
    let (mut one_apis, mut all_apis) = (0, 0);
    let (mut one_counts, mut counts) = (Default::default(), Default::default());
    for _ in 0..RUNS {
        let (t, n) = read(&proxy, regions, 1).await?;
        (one_apis, one_counts) = (n, proxy.counts());
        ones.push(t);
        let (t, n) = read(&proxy, regions, args.accounts).await?;
        (all_apis, counts) = (n, proxy.counts());
        alls.push(t);
    }
    let (one, all) = (best(&ones), best(&alls));
    println!(
        "  (best of {RUNS}; medians {:.3} s and {:.3} s: {:.2}x)",
        median(&ones).as_secs_f64(),
        median(&alls).as_secs_f64(),
        median(&alls).as_secs_f64() / median(&ones).as_secs_f64()
    );
    let member = |c: &crate::dev::standin::proxy::Counts, id: &str| c.accounts.get(id).copied().unwrap_or(0);
    println!("  one account:   {:7.3} s  {one_apis:5} APIs  {:6} calls", one.as_secs_f64(), one_counts.requests);
    println!(
        "  {:2} accounts:   {:7.3} s  {all_apis:5} APIs  {:6} calls",
        args.accounts,
        all.as_secs_f64(),
        counts.requests
    );
    let ratio = all.as_secs_f64() / one.as_secs_f64();
    println!("  wall time, all accounts / one: {ratio:.2}x (target: at most 1.5x)");
    let per: Vec<usize> = (0..args.accounts).map(|i| member(&counts, &account_id(i))).collect();
    let sum: usize = per.iter().sum::<usize>() + member(&counts, "own");
    println!(
        "  calls per member account: min {} max {} (one account alone: {}); sum of each account's {} = total {}",
        per.iter().min().unwrap_or(&0),
        per.iter().max().unwrap_or(&0),
        member(&one_counts, &account_id(0)),
        sum,
        counts.requests
    );
    println!("  throttled by the per-account buckets: {}", counts.throttled);
    if sum != counts.requests {
        anyhow::bail!("the calls per account do not add up to the total");
    }
    if all_apis != one_apis * args.accounts {
        anyhow::bail!("read {all_apis} APIs, expected {}", one_apis * args.accounts);
    }
    Ok(())
}
