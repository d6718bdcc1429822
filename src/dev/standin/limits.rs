//! The stand-ins' one throttle: a token bucket per limit AWS imposes (and per region, as AWS
//! counts them per account and region), each answering over it the way that service does.

use super::operation::Operation;
use std::collections::HashMap;
use std::time::Instant;

/// How a service says "too many requests".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Over {
    /// API Gateway: HTTP 429, `x-amzn-ErrorType: TooManyRequestsException`.
    TooManyRequests,
    /// The JSON protocols (CloudTrail): HTTP 400, `{"__type": "ThrottlingException"}`.
    Throttling,
}

/// A limit AWS imposes on some operations.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    pub service: &'static str,
    /// One operation, or every operation of the service.
    pub operation: Option<&'static str>,
    /// Requests per second, and the burst.
    pub rate: f64,
    pub burst: f64,
    pub over: Over,
}

impl Limit {
    /// API Gateway's account bucket: every control-plane call (10/s, burst 40 in AWS).
    pub fn api_gateway(rate: f64, burst: f64) -> Limit {
        Limit { service: "apigateway", operation: None, rate, burst, over: Over::TooManyRequests }
    }

    /// CloudTrail's LookupEvents: 2 calls a second (a burst of 5 here).
    pub fn lookup_events() -> Limit {
        Limit { service: "cloudtrail", operation: Some("LookupEvents"), rate: 2.0, burst: 5.0, over: Over::Throttling }
    }

    fn applies(&self, op: &Operation) -> bool {
        op.service == self.service && self.operation.is_none_or(|name| op.name.as_deref() == Some(name))
    }
}

/// The buckets of some limits, filled as time passes.
#[derive(Debug, Clone, Default)]
pub struct Buckets {
    limits: Vec<Limit>,
    /// Tokens per (limit, account, region), and when they were last filled.
    tokens: HashMap<(usize, String, String), (f64, Instant)>,
}

impl Buckets {
    pub fn new(limits: Vec<Limit>) -> Buckets {
        Buckets { limits, tokens: HashMap::new() }
    }

    /// Take a token for `op` from every limit it falls under; the first that has none says how
    /// the request is refused.
    pub fn take(&mut self, op: &Operation, now: Instant) -> Option<Over> {
        let region = op.region.clone().unwrap_or_default();
        let account = op.account.clone().unwrap_or_default();
        for (i, limit) in self.limits.iter().enumerate().filter(|(_, l)| l.applies(op)) {
            let (tokens, at) = self.tokens.entry((i, account.clone(), region.clone())).or_insert((limit.burst, now));
            let filled = (*tokens + now.duration_since(*at).as_secs_f64() * limit.rate).min(limit.burst);
            *at = now;
            if filled < 1.0 {
                *tokens = filled;
                return Some(limit.over);
            }
            *tokens = filled - 1.0;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn op(service: &str, name: &str, region: &str) -> Operation {
        Operation {
            service: service.into(),
            name: Some(name.into()),
            region: Some(region.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_burst_then_the_rate_per_region_and_only_for_the_operations_limited() {
        let mut b = Buckets::new(vec![Limit::lookup_events()]);
        let t0 = Instant::now();
        let lookup = op("cloudtrail", "LookupEvents", "us-east-1");
        let answers: Vec<Option<Over>> = (0..6).map(|_| b.take(&lookup, t0)).collect();
        assert_eq!(answers, [None, None, None, None, None, Some(Over::Throttling)], "a burst of 5");
        assert_eq!(b.take(&op("cloudtrail", "LookupEvents", "eu-west-1"), t0), None, "another region's bucket");
        assert_eq!(b.take(&op("cloudtrail", "DescribeTrails", "us-east-1"), t0), None, "not limited");
        assert_eq!(b.take(&lookup, t0 + Duration::from_millis(500)), None, "2/s: one token after half a second");
        assert_eq!(b.take(&lookup, t0 + Duration::from_millis(600)), Some(Over::Throttling));
    }

    #[test]
    fn the_api_gateway_bucket_covers_every_call_of_the_service() {
        let mut b = Buckets::new(vec![Limit::api_gateway(10.0, 2.0)]);
        let t0 = Instant::now();
        assert_eq!(b.take(&op("apigateway", "GetRestApis", "us-east-1"), t0), None);
        assert_eq!(b.take(&op("apigateway", "GetStages", "us-east-1"), t0), None);
        assert_eq!(b.take(&op("apigateway", "GetUsage", "us-east-1"), t0), Some(Over::TooManyRequests));
        assert_eq!(b.take(&op("sts", "GetCallerIdentity", "us-east-1"), t0), None);
    }
}
