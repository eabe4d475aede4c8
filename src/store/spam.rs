//! What the spam filter learned, shared by every instance: per feature, how many
//! comments moderators called spam and not spam held it (`spam_tokens`), and what
//! each comment was learned as (`comments.trained_as`). Learning happens in the
//! transaction of the moderator's decision (`comments::set_comment_status`).

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

/// The row whose `spam` counts the transactions that changed what the filter learned.
const VERSION_KEY: &str = "#version";

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

/// Writes `deltas` in the caller's transaction, in key order, and bumps the version.
/// A count never goes below 0 where it exists (reads treat a negative count, possible only for a feature
/// unlearned that was never learned, as 0).
pub(super) async fn learn(
    conn: &mut sqlx::AnyConnection,
    mut deltas: Deltas,
) -> Result<(), sqlx::Error> {
    if deltas.is_empty() {
        return Ok(());
    }
    deltas.insert(spam_filter::key(VERSION_KEY), (1, 0));
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
    /// How many comments the filter learned from, of each kind.
    pub async fn filter_documents(&self) -> StoreResult<Counts> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT spam, ham FROM spam_tokens WHERE token = $1")
                .bind(spam_filter::key(DOCUMENTS_KEY))
                .fetch_optional(&self.read)
                .await?;
        Ok(row.map_or(Counts::default(), |(spam, ham)| Counts { spam, ham }))
    }

    /// The version of what the filter learned: it goes up with every decision
    /// learned from, by any instance.
    pub async fn filter_version(&self) -> StoreResult<i64> {
        let v: Option<i64> = sqlx::query_scalar("SELECT spam FROM spam_tokens WHERE token = $1")
            .bind(spam_filter::key(VERSION_KEY))
            .fetch_optional(&self.read)
            .await?;
        Ok(v.unwrap_or(0))
    }

    /// Everything the filter learned: its version, the documents it learned from,
    /// and each feature's (key, spam, ham). One query, read in one transaction.
    pub async fn filter_model(&self) -> StoreResult<(i64, Counts, Vec<(i64, i64, i64)>)> {
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as("SELECT token, spam, ham FROM spam_tokens")
            .fetch_all(&self.read)
            .await?;
        let (documents, version) = (
            spam_filter::key(DOCUMENTS_KEY),
            spam_filter::key(VERSION_KEY),
        );
        let mut out = (0, Counts::default(), Vec::with_capacity(rows.len()));
        for (token, spam, ham) in rows {
            if token == documents {
                out.1 = Counts { spam, ham };
            } else if token == version {
                out.0 = spam;
            } else {
                out.2.push((token, spam, ham));
            }
        }
        Ok(out)
    }
}
