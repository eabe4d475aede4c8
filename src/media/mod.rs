//! The media library as the site runs it: an upload checked and prepared
//! (`domain::media`), its files stored (`files.rs`: a folder, or a bucket through
//! `s3.rs`), then its row added — in that order, so a row never names a missing file,
//! and an upload that fails anywhere removes the files it wrote. Deleting takes the
//! row away first (refused while a post uses it), then the files.

pub mod files;
pub mod s3;

use std::sync::Arc;

use bytes::Bytes;

use crate::domain::media::{self, MediaProblem, Prepared};
use crate::store::{MediaRow, NewMedia, Store, StoreError};
pub use files::{FileError, Files};

/// Why an upload or a deletion did not happen.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error(transparent)]
    Refused(#[from] MediaProblem),
    #[error(transparent)]
    Files(#[from] FileError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the file could not be fetched from {url}: {reason}")]
    Fetch { url: String, reason: String },
}

/// `[media]`: the upload limit and where files go.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    pub max_upload_bytes: u64,
    /// `None`: the `media` folder in the data directory.
    pub bucket: Option<s3::BucketConfig>,
}

impl Default for MediaConfig {
    fn default() -> Self {
        MediaConfig {
            max_upload_bytes: media::DEFAULT_MAX_BYTES,
            bucket: None,
        }
    }
}

/// The library: the store's rows and the files beside them.
#[derive(Clone)]
pub struct Library {
    pub files: Files,
    store: Store,
    pub max_bytes: u64,
    /// Images are decoded one at a time: a 60-megapixel photo takes 240 MB while it is
    /// resized, and two cores are better spent answering readers meanwhile.
    gate: Arc<tokio::sync::Semaphore>,
}

/// What an uploader says about a file.
#[derive(Debug, Clone, Default)]
pub struct Upload {
    pub file_name: String,
    pub alt: String,
    pub uploaded_by: Option<i64>,
    /// Where an import fetched it from.
    pub source_url: Option<String>,
}

impl Library {
    pub fn new(
        store: Store,
        config: &MediaConfig,
        data_dir: &std::path::Path,
    ) -> Result<Library, FileError> {
        let files = match &config.bucket {
            Some(bucket) => Files::Bucket(Box::new(s3::Bucket::new(bucket)?)),
            None => Files::in_data_dir(data_dir),
        };
        Ok(Library {
            files,
            store,
            max_bytes: config.max_upload_bytes,
            gate: Arc::new(tokio::sync::Semaphore::new(1)),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Checks, prepares and stores `bytes`; the same bytes uploaded again give the row
    /// they already have.
    pub async fn upload(&self, bytes: Bytes, about: Upload) -> Result<MediaRow, MediaError> {
        let max = self.max_bytes;
        let prepared = {
            let _turn = self.gate.acquire().await.expect("the gate is never closed");
            tokio::task::spawn_blocking(move || media::prepare(&bytes, max))
                .await
                .map_err(|e| MediaError::Store(StoreError::Interrupted(e.to_string())))??
        };
        if let Some(existing) = self.store.media_by_hash(&prepared.hash).await? {
            return Ok(existing);
        }
        let new = NewMedia {
            hash: prepared.hash.clone(),
            kind: prepared.kind,
            ext: prepared.format.ext().into(),
            file_name: media::clean_file_name(&about.file_name),
            alt: about.alt.trim().chars().take(500).collect(),
            bytes: prepared.original.len() as i64,
            width: i64::from(prepared.width),
            height: i64::from(prepared.height),
            widths: prepared
                .variants
                .iter()
                .map(|(w, _)| w.to_string())
                .collect::<Vec<_>>()
                .join(","),
            variant_ext: prepared.variant_format.ext().into(),
            source_url: about.source_url,
            uploaded_by: about.uploaded_by,
        };
        let hash = prepared.hash.clone();
        let written = self.write_files(prepared).await?;
        match self.store.add_media(new).await {
            Ok(row) => Ok(row),
            Err(e) => {
                // The same bytes may have arrived at the same moment: their row names
                // these very files, which then stay.
                if !matches!(self.store.media_by_hash(&hash).await, Ok(Some(_))) {
                    self.remove_files(&written).await;
                }
                Err(e.into())
            }
        }
    }

    /// Writes every file of `prepared` (its bytes moved, not copied), copies first and
    /// the original last; on a failure, removes what it wrote and says why.
    async fn write_files(&self, prepared: Prepared) -> Result<Vec<String>, MediaError> {
        let mut written = Vec::new();
        let (hash, copies) = (&prepared.hash, prepared.variant_format);
        let mut all: Vec<(String, Bytes, &'static str)> = prepared
            .variants
            .into_iter()
            .map(|(w, bytes)| {
                (
                    format!("{hash}-{w}.{}", copies.ext()),
                    Bytes::from(bytes),
                    copies.mime(),
                )
            })
            .collect();
        all.push((
            format!("{hash}.{}", prepared.format.ext()),
            Bytes::from(prepared.original),
            prepared.format.mime(),
        ));
        for (name, bytes, mime) in all {
            if let Err(e) = self.files.put(&name, bytes, mime).await {
                tracing::warn!(error = %e, file = %name, "a media file could not be stored");
                self.remove_files(&written).await;
                return Err(e.into());
            }
            written.push(name);
        }
        Ok(written)
    }

    async fn remove_files(&self, names: &[String]) {
        for name in names {
            if let Err(e) = self.files.delete(name).await {
                tracing::warn!(error = %e, file = %name, "a media file could not be removed");
            }
        }
    }

    /// Deletes file `id` — refused while a post shows it — row first, then its files.
    pub async fn remove(&self, id: i64) -> Result<MediaRow, MediaError> {
        let row = self.store.remove_media(id).await?;
        self.remove_files(&row.file_names()).await;
        Ok(row)
    }

    /// Fetches `url` (an import's attachment) into the library, once: a file fetched
    /// from the same address before is returned as it is.
    pub async fn fetch(
        &self,
        http: &reqwest::Client,
        url: &str,
        alt: &str,
        uploaded_by: Option<i64>,
    ) -> Result<MediaRow, MediaError> {
        if let Some(row) = self.store.media_by_source(url).await? {
            return Ok(row);
        }
        let fail = |reason: String| MediaError::Fetch {
            url: url.to_string(),
            reason,
        };
        let mut answer = http
            .get(url)
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        if !answer.status().is_success() {
            return Err(fail(answer.status().to_string()));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = answer.chunk().await.map_err(|e| fail(e.to_string()))? {
            bytes.extend_from_slice(&chunk);
            if bytes.len() as u64 > self.max_bytes {
                return Err(MediaProblem::TooLarge {
                    bytes: bytes.len() as u64,
                    max: self.max_bytes,
                }
                .into());
            }
        }
        let name = url::Url::parse(url)
            .ok()
            .and_then(|u| {
                u.path_segments()
                    .and_then(|mut s| s.next_back().map(str::to_string))
            })
            .map(|s| {
                percent_encoding::percent_decode_str(&s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .unwrap_or_default();
        self.upload(
            bytes.into(),
            Upload {
                file_name: name,
                alt: alt.to_string(),
                uploaded_by,
                source_url: Some(url.to_string()),
            },
        )
        .await
    }
}
