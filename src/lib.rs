//! Tribune: a self-hosted publishing and discussion platform.
//!
//! See `ARCHITECTURE.md` for the map. In short: [`cli`] wires [`config`] to
//! [`web`] (HTTP) and [`store`] (SQLite or PostgreSQL); [`domain`] holds the rules
//! and does no I/O.

pub mod auth;
pub mod cli;
pub mod config;
pub mod domain;
pub mod export;
pub mod filter;
pub mod i18n;
pub mod import;
pub mod jobs;
pub mod links;
pub mod logging;
pub mod mail;
pub mod media;
pub mod metrics;
pub mod notify;
pub mod passwords;
pub mod publish;
pub mod render;
pub mod site;
pub mod spam_service;
pub mod store;
pub mod token;
pub mod web;
pub mod webmention;
