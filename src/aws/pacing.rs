//! Client-side token buckets, so our calls stay under AWS's account-wide limits
//! (which CI/CD, CloudFormation and the console share with us).

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// governor's buckets on tokio's clock: waits are tokio sleeps, so a test on tokio's paused
/// clock sees exact times (and a runtime's clock is the one the pacing follows).
#[derive(Debug, Clone)]
struct TokioClock {
    start: tokio::time::Instant,
}

impl Clock for TokioClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        tokio::time::Instant::now().saturating_duration_since(self.start)
    }
}

type Limiter = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<Duration>>;

fn limiter(quota: Quota) -> Arc<(Limiter, TokioClock)> {
    let clock = TokioClock { start: tokio::time::Instant::now() };
    Arc::new((RateLimiter::direct_with_clock(quota, clock.clone()), clock))
}

/// Wait until the bucket has a token, and take it.
async fn take(bucket: &(Limiter, TokioClock)) {
    let (limiter, clock) = bucket;
    while let Err(not_until) = limiter.check() {
        tokio::time::sleep(not_until.wait_time_from(clock.now())).await;
    }
}

/// AWS's published API Gateway control-plane limit is 10 requests/s, burst 40,
/// for the whole account: we default well below it.
pub const DEFAULT_APIGATEWAY_RPS: f64 = 8.0;
pub const DEFAULT_APIGATEWAY_BURST: u32 = 20;

/// The burst for a rate given without one: three seconds' worth, at most 32, which leaves a
/// quarter of API Gateway's account burst (40) to the other tools of the account.
fn burst_for(rps: f64) -> u32 {
    ((rps * 3.0).ceil() as u32).clamp(1, MAX_BURST)
}

const MAX_BURST: u32 = 32;

/// A token bucket; `Pacer::off()` never waits.
#[derive(Clone, Default)]
pub struct Pacer {
    limiter: Option<Arc<(Limiter, TokioClock)>>,
    rps: f64,
    /// GetResources has its own, lower limit (5 per 2 s): paced on top of the control-plane bucket.
    resources: Option<Arc<(Limiter, TokioClock)>>,
}

/// GetResources: 5 requests per 2 seconds per account.
const RESOURCES_PERIOD: Duration = Duration::from_millis(400);
const RESOURCES_BURST: u32 = 5;

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.limiter {
            Some(_) => write!(f, "Pacer({} req/s)", self.rps),
            None => f.write_str("Pacer(off)"),
        }
    }
}

impl Pacer {
    pub fn off() -> Pacer {
        Pacer::default()
    }

    /// `rps <= 0` turns pacing off.
    pub fn new(rps: f64, burst: u32) -> Pacer {
        if rps <= 0.0 || !rps.is_finite() {
            return Pacer::off();
        }
        let period = Duration::from_secs_f64(1.0 / rps);
        let burst = NonZeroU32::new(burst.max(1)).expect("burst is at least 1");
        let quota = Quota::with_period(period).expect("period is positive").allow_burst(burst);
        let resources = Quota::with_period(RESOURCES_PERIOD.max(period))
            .expect("period is positive")
            .allow_burst(NonZeroU32::new(RESOURCES_BURST).expect("non-zero"));
        Pacer { limiter: Some(limiter(quota)), rps, resources: Some(limiter(resources)) }
    }

    /// The pacing for the API Gateway control plane: on (8/s, burst 20) for AWS's own
    /// endpoints, off against a custom endpoint unless `rps` is given.
    pub fn for_apigateway(custom_endpoint: bool, rps: Option<f64>, burst: Option<u32>) -> Pacer {
        match (rps, custom_endpoint) {
            (Some(r), _) => Pacer::new(r, burst.unwrap_or_else(|| burst_for(r))),
            (None, true) => Pacer::off(),
            (None, false) => Pacer::new(DEFAULT_APIGATEWAY_RPS, burst.unwrap_or(DEFAULT_APIGATEWAY_BURST)),
        }
    }

    pub fn is_on(&self) -> bool {
        self.limiter.is_some()
    }

    pub fn rps(&self) -> Option<f64> {
        self.limiter.as_ref().map(|_| self.rps)
    }

    /// Wait for a token.
    pub async fn wait(&self) {
        if let Some(l) = &self.limiter {
            take(l).await;
        }
    }

    /// Wait for a GetResources token (and a control-plane one).
    pub async fn wait_resources(&self) {
        if let Some(l) = &self.resources {
            take(l).await;
        }
        self.wait().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_depend_on_the_endpoint() {
        assert_eq!(Pacer::for_apigateway(false, None, None).rps(), Some(8.0));
        assert!(!Pacer::for_apigateway(true, None, None).is_on());
        assert_eq!(Pacer::for_apigateway(true, Some(3.0), None).rps(), Some(3.0));
        assert!(!Pacer::for_apigateway(false, Some(0.0), None).is_on());
    }

    #[tokio::test(start_paused = true)]
    async fn burst_then_paced() {
        // 20 requests/s, burst 2: the 2 first pass at once, 4 more need 200 ms (50 ms each).
        // On tokio's paused clock the times are exact, so the bounds hold both ways.
        let p = Pacer::new(20.0, 2);
        let start = tokio::time::Instant::now();
        for _ in 0..2 {
            p.wait().await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO, "the burst passes at once");
        for _ in 0..4 {
            p.wait().await;
        }
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(200), "paced: took {took:?}");
        assert!(took <= Duration::from_millis(210), "no slower than the rate: took {took:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn get_resources_is_paced_at_five_per_two_seconds() {
        // The control plane allows 100/s here; GetResources still waits for its own bucket:
        // 5 at once, then one every 400 ms.
        let p = Pacer::new(100.0, 100);
        let start = tokio::time::Instant::now();
        for _ in 0..7 {
            p.wait_resources().await;
        }
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(800) && took <= Duration::from_millis(820), "took {took:?}");
    }
}
