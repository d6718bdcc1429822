//! Shared helpers for the integration tests (`mod common;` in each test file).
// Not every test binary uses every helper (or every re-export below).
#![allow(dead_code, unused_imports)]

pub mod moto;

pub use moto::{Moto, moto, test_env, unique_region};
