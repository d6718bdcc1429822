//! portcullis: a terminal developer portal for AWS API Gateway.

pub mod aws;
pub mod cache;
pub mod cli;
pub mod config;
pub mod docs;
pub mod domain;
pub mod sanitize;
pub mod tui;
