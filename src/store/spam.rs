//! What the spam filter learned, shared by every instance: per feature, how many
//! comments moderators called spam and not spam held it (`spam_tokens`), and what
//! each comment was learned as (`comments.trained_as`). Learning happens in the
//! transaction of the moderator's decision (`comments::set_comment_status`).

use std::collections::HashMap;

use super::{Store, StoreResult};
use crate::domain::discussion::Submission;
use crate::domain::spam_filter::{self, Counts, Feature, DOCUMENTS_KEY};

/// What a comment is learned as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Spam,
    Ham,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Spam => "spam",
            Label::Ham => "ham",
        }
    }

    pub fn parse(s: &str) -> Option<Label> {
        match s {
            "spam" => Some(Label::Spam),
            "ham" => Some(Label::Ham),
            _ => None,
        }
    }
}

/// What the filter knows about some features: the comments it learned from, and the
/// counts of those of `features` it has seen.
#[derive(Debug, Clone, Default)]
pub struct Learned {
    pub documents: Counts,
    pub counts: HashMap<i64, Counts>,
}

/// Rows per upsert statement (3 parameters each).
const BATCH: usize = 300;

/// Changes to the counts, by feature key: (spam, not spam). Collected over a whole
/// transaction and written once, in key order, so transactions learning at once
/// never wait on each other in a circle (PostgreSQL would call it a deadlock).
pub(super) type Deltas = std::collections::BTreeMap<i64, (i64, i64)>;

/// Adds `delta` (1 to learn, -1 to unlearn) of a comment with `features`, labelled
/// `label`, to `deltas` — and to the documents row.
pub(super) fn count(deltas: &mut Deltas, features: &[Feature], label: Label, delta: i64) {
    let documents = spam_filter::key(DOCUMENTS_KEY);
    for key in features.iter().map(|f| f.key).chain([documents]) {
        let entry = deltas.entry(key).or_default();
        match label {
            Label::Spam => entry.0 += delta,
            Label::Ham => entry.1 += delta,
        }
    }
}

/// Writes `deltas` in the caller's transaction, in key order. A count never goes
/// below 0 where it exists (reads treat a negative count, possible only for a feature
/// unlearned that was never learned, as 0).
pub(super) async fn learn(
    conn: &mut sqlx::AnyConnection,
    deltas: &Deltas,
) -> Result<(), sqlx::Error> {
    let rows: Vec<(i64, i64, i64)> = deltas
        .iter()
        .filter(|(_, (s, h))| *s != 0 || *h != 0)
        .map(|(k, (s, h))| (*k, *s, *h))
        .collect();
    for chunk in rows.chunks(BATCH) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
            .collect();
        let sql = format!(
            "INSERT INTO spam_tokens (token, spam, ham) VALUES {} \
             ON CONFLICT (token) DO UPDATE SET \
             spam = CASE WHEN spam_tokens.spam + excluded.spam < 0 THEN 0 \
                    ELSE spam_tokens.spam + excluded.spam END, \
             ham = CASE WHEN spam_tokens.ham + excluded.ham < 0 THEN 0 \
                   ELSE spam_tokens.ham + excluded.ham END",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (key, spam, ham) in chunk {
            q = q.bind(*key).bind(*spam).bind(*ham);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The features of a stored comment's fields, as the filter learns them.
pub(super) fn stored_features(
    body: &str,
    name: &str,
    email: &str,
    url: Option<&str>,
    user_agent: &str,
) -> Vec<Feature> {
    spam_filter::features(&Submission {
        body,
        name,
        email,
        url: url.unwrap_or(""),
        ip: "",
        user_agent,
    })
}

impl Store {
    /// What the filter learned about `features`: one query.
    pub async fn learned(&self, features: &[Feature]) -> StoreResult<Learned> {
        let documents = spam_filter::key(DOCUMENTS_KEY);
        let mut keys: Vec<i64> = features.iter().map(|f| f.key).collect();
        keys.push(documents);
        let placeholders: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT token, spam, ham FROM spam_tokens WHERE token IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query_as::<_, (i64, i64, i64)>(&sql);
        for key in &keys {
            q = q.bind(*key);
        }
        let rows = q.fetch_all(&self.read).await?;
        let mut learned = Learned::default();
        for (token, spam, ham) in rows {
            let c = Counts { spam, ham };
            if token == documents {
                learned.documents = c;
            } else {
                learned.counts.insert(token, c);
            }
        }
        Ok(learned)
    }

    /// How many comments the filter learned from, of each kind.
    pub async fn filter_documents(&self) -> StoreResult<Counts> {
        Ok(self.learned(&[]).await?.documents)
    }
}
