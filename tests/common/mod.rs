//! Shared helpers for the integration tests (`mod common;` in each test file).
// Not every test binary uses every helper (or every re-export below).
#![allow(dead_code, unused_imports)]

pub mod moto;

pub use moto::{Moto, moto, test_env, unique_region};

static REPLAY_CREDENTIALS: std::sync::Once = std::sync::Once::new();

/// Dummy credentials for the replay (wiremock) tests; every test calls this first, before
/// anything reads the environment.
pub fn replay_credentials() {
    // SAFETY: called first in every test of the binary, so no other thread reads the environment yet.
    REPLAY_CREDENTIALS.call_once(|| unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "replay");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "replay");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    });
}
