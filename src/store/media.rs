//! The media library's rows: one per stored file (named by its content hash), and which
//! posts use which (`media_uses`, rewritten in the transaction that saves a post). The
//! files themselves are the file store's (`crate::media`).

use std::collections::HashMap;

use sqlx::Row;

use super::{Store, StoreError, StoreResult};
use crate::domain::media::{parse_widths, Format, MediaKind, Picture};

/// A library file as the admin lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MediaRow {
    pub id: i64,
    pub hash: String,
    pub kind: MediaKind,
    pub ext: String,
    pub file_name: String,
    pub title: String,
    pub alt: String,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
    pub widths: String,
    pub variant_ext: String,
    pub source_url: Option<String>,
    pub uploaded_by: Option<i64>,
    pub uploaded_by_name: Option<String>,
    pub created_at: i64,
    /// How many posts show it.
    pub uses: i64,
}

impl MediaRow {
    pub fn format(&self) -> Format {
        Format::from_ext(&self.ext).unwrap_or(Format::Pdf)
    }

    /// As a post shows it (an image) — `None` for a PDF.
    pub fn picture(&self) -> Option<Picture> {
        (self.kind == MediaKind::Image).then(|| Picture {
            hash: self.hash.clone(),
            format: self.format(),
            variant_format: Format::from_ext(&self.variant_ext).unwrap_or(self.format()),
            width: self.width.max(0) as u32,
            height: self.height.max(0) as u32,
            widths: parse_widths(&self.widths),
            alt: self.alt.clone(),
        })
    }

    /// The original's address.
    pub fn url(&self) -> String {
        crate::domain::media::original_path(&self.hash, self.format())
    }

    /// Every file name stored for it: the original and each copy.
    pub fn file_names(&self) -> Vec<String> {
        let mut names = vec![format!("{}.{}", self.hash, self.ext)];
        for w in parse_widths(&self.widths) {
            names.push(format!("{}-{w}.{}", self.hash, self.variant_ext));
        }
        names
    }
}

/// A new row, once its files are stored.
#[derive(Debug, Clone)]
pub struct NewMedia {
    pub hash: String,
    pub kind: MediaKind,
    pub ext: String,
    pub file_name: String,
    pub alt: String,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
    pub widths: String,
    pub variant_ext: String,
    pub source_url: Option<String>,
    pub uploaded_by: Option<i64>,
}

/// What the library page asks for.
#[derive(Debug, Clone, Default)]
pub struct MediaFilter {
    /// Words in the file name, title or alt text.
    pub search: String,
    pub kind: Option<MediaKind>,
    /// Only files nobody uses.
    pub unused: bool,
}

const SELECT: &str = "SELECT m.id, m.hash, m.kind, m.ext, m.file_name, m.title, m.alt, m.bytes, \
     m.width, m.height, m.widths, m.variant_ext, m.source_url, m.uploaded_by, \
     u.display_name AS uploaded_by_name, m.created_at, \
     (SELECT COUNT(*) FROM media_uses mu WHERE mu.media_id = m.id) AS uses \
     FROM media m LEFT JOIN users u ON u.id = m.uploaded_by";

fn from_row(row: &sqlx::any::AnyRow) -> Result<MediaRow, sqlx::Error> {
    Ok(MediaRow {
        id: row.try_get("id")?,
        hash: row.try_get("hash")?,
        kind: row.try_get("kind")?,
        ext: row.try_get("ext")?,
        file_name: row.try_get("file_name")?,
        title: row.try_get("title")?,
        alt: row.try_get("alt")?,
        bytes: row.try_get("bytes")?,
        width: row.try_get("width")?,
        height: row.try_get("height")?,
        widths: row.try_get("widths")?,
        variant_ext: row.try_get("variant_ext")?,
        source_url: row.try_get("source_url")?,
        uploaded_by: row.try_get("uploaded_by")?,
        uploaded_by_name: row.try_get("uploaded_by_name")?,
        created_at: row.try_get("created_at")?,
        uses: row.try_get("uses")?,
    })
}

/// `LIKE` text that matches `words` literally, anywhere.
fn like(words: &str) -> String {
    let escaped = words
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Records that post `post_id` shows exactly `media_ids` (in its text or as its
/// featured image); ids that are no longer in the library are skipped.
pub(super) async fn record_uses(
    tx: &mut sqlx::AnyConnection,
    post_id: i64,
    media_ids: &[i64],
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM media_uses WHERE post_id = $1")
        .bind(post_id)
        .execute(&mut *tx)
        .await?;
    let mut seen = Vec::new();
    for &id in media_ids {
        if seen.contains(&id) {
            continue;
        }
        seen.push(id);
        sqlx::query(
            "INSERT INTO media_uses (media_id, post_id) SELECT id, $2 FROM media WHERE id = $1",
        )
        .bind(id)
        .bind(post_id)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Adds a stored file to the library; a file with the same hash already there is
    /// returned instead (the same bytes uploaded twice are one file).
    pub async fn add_media(&self, new: NewMedia) -> StoreResult<MediaRow> {
        let hash = new.hash.clone();
        self.write(move |tx| {
            Box::pin(async move {
                sqlx::query(
                    "INSERT INTO media (hash, kind, ext, file_name, alt, bytes, width, height, \
                     widths, variant_ext, source_url, uploaded_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                     ON CONFLICT (hash) DO NOTHING",
                )
                .bind(&new.hash)
                .bind(new.kind)
                .bind(&new.ext)
                .bind(&new.file_name)
                .bind(&new.alt)
                .bind(new.bytes)
                .bind(new.width)
                .bind(new.height)
                .bind(&new.widths)
                .bind(&new.variant_ext)
                .bind(&new.source_url)
                .bind(new.uploaded_by)
                .bind(super::now())
                .execute(&mut *tx)
                .await?;
                Ok(())
            })
        })
        .await?;
        self.media_by_hash(&hash).await?.ok_or(StoreError::NotFound)
    }

    pub async fn media_by_hash(&self, hash: &str) -> StoreResult<Option<MediaRow>> {
        let sql = format!("{SELECT} WHERE m.hash = $1");
        let row = sqlx::query(&sql)
            .bind(hash)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    pub async fn media_by_id(&self, id: i64) -> StoreResult<Option<MediaRow>> {
        let sql = format!("{SELECT} WHERE m.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// The file fetched from `url` earlier (an import run again fetches nothing twice).
    pub async fn media_by_source(&self, url: &str) -> StoreResult<Option<MediaRow>> {
        let sql = format!("{SELECT} WHERE m.source_url = $1 ORDER BY m.id LIMIT 1");
        let row = sqlx::query(&sql)
            .bind(url)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// The library's files whose `column` is one of `values`: one query per hundred.
    async fn media_where_in<T>(&self, column: &str, values: &[T]) -> StoreResult<Vec<MediaRow>>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Clone + Send + 'static,
    {
        let mut out = Vec::new();
        // A post or a listing shows a handful of files; chunks keep statements small.
        for chunk in values.chunks(100) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("{SELECT} WHERE m.{column} IN ({})", marks.join(", "));
            let mut q = sqlx::query(&sql);
            for v in chunk {
                q = q.bind(v.clone());
            }
            for row in q.fetch_all(&self.read).await? {
                out.push(from_row(&row)?);
            }
        }
        Ok(out)
    }

    /// The library's files among `hashes`, as posts show them, by hash.
    pub async fn pictures(&self, hashes: &[String]) -> StoreResult<HashMap<String, MediaRow>> {
        let rows = self.media_where_in("hash", hashes).await?;
        Ok(rows.into_iter().map(|m| (m.hash.clone(), m)).collect())
    }

    /// The featured images of `ids` (posts' `featured_media_id`), by media id.
    pub async fn media_by_ids(&self, ids: &[i64]) -> StoreResult<HashMap<i64, MediaRow>> {
        let rows = self.media_where_in("id", ids).await?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }

    /// One page of the library, newest first, and how many match in all.
    pub async fn list_media(
        &self,
        filter: &MediaFilter,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<MediaRow>, i64)> {
        let search = like(&filter.search);
        let kind = filter.kind.map(|k| k.as_str().to_string());
        let unused = i64::from(filter.unused);
        let filtering = "WHERE (LOWER(m.file_name) LIKE $1 ESCAPE '\\' \
             OR LOWER(m.title) LIKE $1 ESCAPE '\\' OR LOWER(m.alt) LIKE $1 ESCAPE '\\') \
             AND ($2 IS NULL OR m.kind = $2) \
             AND ($3 = 0 OR NOT EXISTS (SELECT 1 FROM media_uses mu WHERE mu.media_id = m.id))";
        let sql = format!(
            "{SELECT} {filtering} ORDER BY m.created_at DESC, m.id DESC LIMIT $4 OFFSET $5"
        );
        let rows = sqlx::query(&sql)
            .bind(&search)
            .bind(&kind)
            .bind(unused)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.read)
            .await?;
        let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM media m {filtering}"))
            .bind(&search)
            .bind(&kind)
            .bind(unused)
            .fetch_one(&self.read)
            .await?;
        let rows = rows.iter().map(from_row).collect::<Result<_, _>>()?;
        Ok((rows, total))
    }

    /// The posts that show file `id`: (id, title, status), newest first.
    pub async fn media_used_in(&self, id: i64) -> StoreResult<Vec<(i64, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT p.id, p.title, p.status FROM media_uses mu JOIN posts p ON p.id = mu.post_id \
             WHERE mu.media_id = $1 ORDER BY p.id DESC LIMIT 100",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?)
    }

    /// A file's title and alt text, as the library edits them.
    pub async fn describe_media(&self, id: i64, title: &str, alt: &str) -> StoreResult<()> {
        let (title, alt) = (title.to_string(), alt.to_string());
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query("UPDATE media SET title = $1, alt = $2 WHERE id = $3")
                    .bind(&title)
                    .bind(&alt)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            })
        })
        .await
    }

    /// Takes file `id` out of the library — only when no post uses it (checked in the
    /// same statement). Returns the row removed, whose files the caller deletes.
    pub async fn remove_media(&self, id: i64) -> StoreResult<MediaRow> {
        let row = self.media_by_id(id).await?.ok_or(StoreError::NotFound)?;
        self.write(move |tx| {
            Box::pin(async move {
                let done = sqlx::query(
                    "DELETE FROM media WHERE id = $1 AND NOT EXISTS \
                     (SELECT 1 FROM media_uses WHERE media_id = $1) \
                     AND NOT EXISTS (SELECT 1 FROM posts WHERE featured_media_id = $1)",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Refused("media-error-in-use"));
                }
                Ok(())
            })
        })
        .await?;
        Ok(row)
    }
}
