//! Held comments on SQLite, written together: group commit.
//!
//! SQLite has one writer. Under a burst of comments each one waited for its own turn
//! on the write connection (a statement, a commit, a hop to SQLite's worker thread and
//! back), and that turn, not the CPU, bounded how many comments a second the site
//! could take. Here one task takes every held comment waiting at that moment and
//! writes them in one transaction; each reader is answered once that `COMMIT` has
//! succeeded, as before. A lone comment is a single statement, as before. If a batch
//! fails, its comments are tried one by one, so one bad row cannot fail the others.
//! PostgreSQL takes concurrent writers and does not use this.

use tokio::sync::{mpsc, oneshot};

use super::comments::{insert_unless_duplicate, Inserted, NewComment};
use super::{Store, StoreError, StoreResult};

/// At most this many comments in one transaction.
const MAX_BATCH: usize = 64;

pub(super) struct Pending {
    comment: NewComment,
    window_secs: i64,
    reply: oneshot::Sender<StoreResult<Inserted>>,
}

/// The sending side, kept in every clone of the store.
#[derive(Clone)]
pub(super) struct HeldWriter(mpsc::Sender<Pending>);

impl HeldWriter {
    /// Starts the writer task for `store` (its write pool).
    pub(super) fn start(store: Store) -> HeldWriter {
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(run(store, rx));
        HeldWriter(tx)
    }

    /// Queues `comment` and waits for its commit.
    pub(super) async fn insert(
        &self,
        comment: NewComment,
        window_secs: i64,
    ) -> StoreResult<Inserted> {
        let (reply, answer) = oneshot::channel();
        let pending = Pending {
            comment,
            window_secs,
            reply,
        };
        if self.0.send(pending).await.is_err() {
            return Err(StoreError::Unavailable(
                "the comment writer has stopped".into(),
            ));
        }
        answer
            .await
            .unwrap_or_else(|_| Err(StoreError::Interrupted("the comment writer stopped".into())))
    }
}

async fn run(store: Store, mut queue: mpsc::Receiver<Pending>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(more) => batch.push(more),
                Err(_) => break,
            }
        }
        if batch.len() == 1 {
            let Pending {
                comment,
                window_secs,
                reply,
            } = batch.remove(0);
            let _ = reply.send(one(&store, comment, window_secs).await);
            continue;
        }
        let work: Vec<(NewComment, i64)> = batch
            .iter()
            .map(|p| (p.comment.clone(), p.window_secs))
            .collect();
        let together = store
            .write(move |tx| {
                Box::pin(async move {
                    let mut done = Vec::with_capacity(work.len());
                    for (comment, window) in &work {
                        done.push(insert_unless_duplicate(tx, comment, *window).await?);
                    }
                    Ok(done)
                })
            })
            .await;
        match together {
            Ok(done) => {
                for (pending, inserted) in batch.into_iter().zip(done) {
                    let _ = pending.reply.send(Ok(inserted));
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, comments = batch.len(), "a batch of comments failed; writing them one by one");
                for p in batch {
                    let _ = p.reply.send(one(&store, p.comment, p.window_secs).await);
                }
            }
        }
    }
}

/// One comment, one statement read to its end (see [`Store::write_statement`]), or a
/// transaction when its log entry comes with it.
async fn one(store: &Store, comment: NewComment, window_secs: i64) -> StoreResult<Inserted> {
    if comment.arrival.is_some() {
        return store
            .write(move |tx| {
                Box::pin(async move { insert_unless_duplicate(tx, &comment, window_secs).await })
            })
            .await;
    }
    store
        .write_statement(move |conn| {
            Box::pin(async move { insert_unless_duplicate(conn, &comment, window_secs).await })
        })
        .await
}
