//! The spam filter as this process holds it: every feature's counts in memory (about
//! 20 bytes a feature), read from the database — where moderators' decisions write
//! them, for every instance — and read again within a second of any change
//! (`spam_tokens`' version row, polled by the web layer; at once after a decision
//! made in this process). Scoring a comment is then a few lookups, no query.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::domain::spam_filter::{self, Counts, Feature, Score};
use crate::store::{Store, StoreResult};

/// What the filter learned, as of one version.
#[derive(Debug, Default)]
pub struct Model {
    pub version: i64,
    pub documents: Counts,
    counts: HashMap<i64, (u32, u32)>,
}

impl Model {
    /// The score of a comment with these features; `None` until the filter has
    /// learned from one comment of each kind.
    pub fn score(&self, features: &[Feature]) -> Option<Score> {
        spam_filter::score(features, self.documents, |k| {
            self.counts.get(&k).map(|(spam, ham)| Counts {
                spam: i64::from(*spam),
                ham: i64::from(*ham),
            })
        })
    }

    /// Whether it has learned enough to decide (`spam_filter::MIN_TRAINED` of each).
    pub fn decides(&self) -> bool {
        self.documents.spam >= spam_filter::MIN_TRAINED
            && self.documents.ham >= spam_filter::MIN_TRAINED
    }
}

/// The current model, swapped whole when a newer one is read.
#[derive(Default)]
pub struct Filter {
    current: RwLock<Arc<Model>>,
    /// One reload at a time.
    loading: tokio::sync::Mutex<()>,
}

impl Filter {
    pub fn model(&self) -> Arc<Model> {
        self.current.read().expect("filter lock").clone()
    }

    /// Reads the model again if the database holds a newer one; true if it did.
    pub async fn refresh(&self, store: &Store) -> StoreResult<bool> {
        let _one = self.loading.lock().await;
        let version = store.filter_version().await?;
        if version == self.model().version && version != 0 {
            return Ok(false);
        }
        let (version, documents, rows) = store.filter_model().await?;
        let counts = rows
            .into_iter()
            .map(|(k, s, h)| (k, (clamp(s), clamp(h))))
            .collect();
        *self.current.write().expect("filter lock") = Arc::new(Model {
            version,
            documents,
            counts,
        });
        Ok(true)
    }
}

fn clamp(n: i64) -> u32 {
    n.clamp(0, i64::from(u32::MAX)) as u32
}
