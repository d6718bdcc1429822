//! What stands in for AWS in the tests, the demo and the benchmarks (never in the product
//! binary), in one place, stacked in this order:
//!
//! ```text
//! portcullis (the real SDK)
//!   -> proxy.rs     names each request's operation (operation.rs, the one parser), imposes AWS's
//!                   limits (limits.rs, the one throttle), faults and latency; counts and records
//!   -> front.py     what moto lacks, answered by the operation the proxy named, in AWS's wire
//!                   format, one part a file: front_usage.py (GetUsage), front_cloudtrail.py
//!                   (LookupEvents), front_cognito.py (the client secrets), front_documentation.py
//!                   (documentation parts), front_exports.py (the OpenAPI exports), front_common.py
//!                   (errors, log, paging tokens); every other request passed through untouched
//!   -> moto         the control planes (scripts/moto_run.py)
//! upstream.py       the stages' data plane (execute-api) and Cognito's /oauth2/token
//! ```
//!
//! The proxy is Rust because the tests drive it in-process; the front and the upstream are
//! Python because they read and extend moto's own state through boto3. `front_check.py` reads
//! every answer of the front with a second SDK (boto3), through the proxy.

pub mod limits;
pub mod operation;
pub mod proxy;
pub mod sts;
