//! Client-side token buckets, so our calls stay under AWS's account-wide limits
//! (which CI/CD, CloudFormation and the console share with us).

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// AWS's published API Gateway control-plane limit is 10 requests/s, burst 40,
/// for the whole account: we default well below it.
pub const DEFAULT_APIGATEWAY_RPS: f64 = 8.0;
pub const DEFAULT_APIGATEWAY_BURST: u32 = 20;

/// A token bucket; `Pacer::off()` never waits.
#[derive(Clone, Default)]
pub struct Pacer {
    limiter: Option<Arc<DefaultDirectRateLimiter>>,
    rps: f64,
    /// GetResources has its own, lower limit (5 per 2 s): paced on top of the control-plane bucket.
    resources: Option<Arc<DefaultDirectRateLimiter>>,
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
        Pacer {
            limiter: Some(Arc::new(RateLimiter::direct(quota))),
            rps,
            resources: Some(Arc::new(RateLimiter::direct(resources))),
        }
    }

    /// The pacing for the API Gateway control plane: on (8/s, burst 20) for AWS's own
    /// endpoints, off against a custom endpoint unless `rps` is given.
    pub fn for_apigateway(custom_endpoint: bool, rps: Option<f64>, burst: Option<u32>) -> Pacer {
        match (rps, custom_endpoint) {
            (Some(r), _) => Pacer::new(r, burst.unwrap_or(DEFAULT_APIGATEWAY_BURST.min(r.ceil().max(1.0) as u32 * 2))),
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
            l.until_ready().await;
        }
    }

    /// Wait for a GetResources token (and a control-plane one).
    pub async fn wait_resources(&self) {
        if let Some(l) = &self.resources {
            l.until_ready().await;
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

    #[tokio::test]
    async fn burst_then_paced() {
        // 20 requests/s, burst 2: the 2 first pass at once, 4 more need ~200 ms.
        let p = Pacer::new(20.0, 2);
        let start = std::time::Instant::now();
        for _ in 0..6 {
            p.wait().await;
        }
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(180), "took {took:?}");
    }
}
