//! Scaffolding for the demo, the tests and the benchmarks, behind the `dev-tools` feature:
//! the sample-estate builder, the stand-ins for AWS (standin/) and the benchmark runners. The product binary (`portcullis`)
//! never contains it; `portcullis-dev` (src/bin/portcullis-dev.rs) is its command line.

pub mod bench_accounts;
pub mod bench_docs;
pub mod bench_parse;
pub mod bench_tui;
pub mod estate;
pub mod estate_cli;
pub mod standin;
