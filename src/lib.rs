//! libcloudconnexa: a client for OpenVPN's CloudConnexa API.
//!
//! The Rust client ([`Client`]) handles configuration, OAuth2 tokens,
//! pacing under the API's rate limits, retries and pagination; it knows
//! nothing of C. The [`ffi`] module exposes it as the C ABI declared in
//! `include/cloudconnexa.h`.

pub mod client;
pub mod config;
pub mod endpoints;
pub mod error;
pub mod ffi;
pub mod log;
mod proxy;
pub mod ratelimit;
mod resolver;
pub mod settings;
pub mod token;
pub mod transport;

pub use client::{ApiRequest, Body, Client, Method};
pub use config::{ApiVersion, Config};
pub use endpoints::{Args, Endpoint, ENDPOINTS};
pub use error::{Error, ErrorKind, Result};
