//! Rendering what people read: templates (pages and emails) and the theme's assets,
//! embedded, each overridable from `--theme DIR`. Used by the web layer and by the
//! notifications alike; knows nothing of requests.

pub mod assets;
pub mod templates;

pub use assets::{Asset, Assets};
pub use templates::Templates;
