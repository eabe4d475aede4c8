#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test, with its line
//! Tribune's integration tests: the real server on a random loopback port, driven over
//! HTTP, against SQLite and (when `TRIBUNE_TEST_POSTGRES_URL` is set) PostgreSQL, each
//! run in a database of its own. One test binary keeps link time down.

mod browser;
mod cli;
mod comment_edit;
mod comment_pages;
mod compression;
mod discussion;
mod faults;
mod findable;
mod hardening;
mod journey;
mod languages;
mod mail;
mod media;
mod moderation;
mod moving;
mod ops;
mod posts_list;
mod properties;
mod proxy;
mod scale;
mod signin;
mod snapshots;
mod spam;
mod staff;
mod staff_bar;
mod support;
mod webmention;
