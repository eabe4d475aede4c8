//! Where library files live: a folder under the data directory (the default) or an
//! S3-compatible bucket. Names are the domain's (`HASH.ext`, `HASH-W.ext`), checked
//! before they get here, so no name leads outside the folder or the bucket's prefix.
//!
//! A file is written whole or not at all: into a temporary file first, flushed to disk,
//! then renamed to its name (a reader never sees half a file; a full disk leaves only
//! the temporary file, which is removed).

use std::path::{Path, PathBuf};

use bytes::Bytes;
use tokio::io::AsyncWriteExt;

use super::s3::Bucket;

/// Why a file could not be stored, read or removed.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the media folder cannot be written: {0}")]
    Io(#[from] std::io::Error),
    #[error("the media bucket answered: {0}")]
    Bucket(#[from] super::s3::BucketError),
}

/// The file store the site was started with.
#[derive(Debug, Clone)]
pub enum Files {
    /// `DATA_DIR/media/ab/abcdef….jpg`
    Dir(PathBuf),
    Bucket(Box<Bucket>),
}

impl Files {
    /// The folder `media` under `data_dir`.
    pub fn in_data_dir(data_dir: &Path) -> Files {
        Files::Dir(data_dir.join("media"))
    }

    /// Where file `name` lives in the folder (`None` for a bucket).
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        match self {
            Files::Dir(root) => Some(root.join(&name[..2]).join(name)),
            Files::Bucket(_) => None,
        }
    }

    /// Stores `bytes` as `name`, whole.
    pub async fn put(&self, name: &str, bytes: Bytes, content_type: &str) -> Result<(), FileError> {
        match self {
            Files::Dir(_) => {
                let path = self.path(name).expect("a folder has paths");
                let dir = path.parent().expect("a file has a folder").to_path_buf();
                tokio::fs::create_dir_all(&dir).await?;
                let tmp = dir.join(format!(".{}.{}.tmp", name, crate::token::random_hex(6)));
                let written = async {
                    let mut file = tokio::fs::File::create(&tmp).await?;
                    file.write_all(&bytes).await?;
                    file.sync_all().await?;
                    drop(file);
                    tokio::fs::rename(&tmp, &path).await
                }
                .await;
                if let Err(e) = written {
                    let _ = tokio::fs::remove_file(&tmp).await;
                    return Err(e.into());
                }
                Ok(())
            }
            Files::Bucket(bucket) => Ok(bucket.put(name, bytes, content_type).await?),
        }
    }

    /// The bytes of `name`, or `None` when there is no such file.
    pub async fn get(&self, name: &str) -> Result<Option<Bytes>, FileError> {
        match self {
            Files::Dir(_) => match tokio::fs::read(self.path(name).expect("a path")).await {
                Ok(bytes) => Ok(Some(bytes.into())),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            },
            Files::Bucket(bucket) => Ok(bucket.get(name).await?),
        }
    }

    /// Removes `name`; a file already gone is no error.
    pub async fn delete(&self, name: &str) -> Result<(), FileError> {
        match self {
            Files::Dir(_) => match tokio::fs::remove_file(self.path(name).expect("a path")).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e.into()),
            },
            Files::Bucket(bucket) => Ok(bucket.delete(name).await?),
        }
    }
}
