//! The domain: what posts, comments, threads, roles and moderation mean.
//!
//! No I/O here: nothing in this module touches the database, the network or the clock
//! (callers pass `now`). Everything is testable with plain values.

pub mod account;
pub mod activity;
pub mod bot_trap;
pub mod comment;
pub mod comment_pages;
pub mod discussion;
pub mod email;
pub mod feed;
pub mod html;
pub mod html_guard;
pub mod identicon;
pub mod job;
pub mod language_guess;
pub mod media;
pub mod moderation_note;
pub mod names;
pub mod post;
pub mod role;
pub mod search;
pub mod settings;
pub mod signin_throttle;
pub mod site_url;
pub mod sitemap;
pub mod spam_filter;
pub mod subscription;
pub mod term;
pub mod text;
pub mod thread;
pub mod user_agent;
pub mod webmention;
