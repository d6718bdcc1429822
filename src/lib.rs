//! portcullis: a terminal developer portal for AWS API Gateway.

pub mod aws;
pub mod cli;
pub mod config;
/// Demo, test and benchmark scaffolding: not part of the product binary.
#[cfg(feature = "dev-tools")]
pub mod dev;
pub mod domain;
pub mod estate;
pub mod governance;
pub mod openapi;
pub mod partners;
pub mod sanitize;
pub mod tryit;
pub mod tui;
