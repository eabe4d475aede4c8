//! The S3 option: library files in a bucket of any S3-compatible service (AWS S3,
//! MinIO, Garage, Ceph, Cloudflare R2, Backblaze B2 …). Each request is signed with
//! AWS Signature V4 by `rusty-s3` as a short-lived URL and sent with reqwest; the
//! site still serves `/media/…` itself, so addresses, cache headers and `nosniff` are
//! the same as with the folder.

use std::time::Duration;

use bytes::Bytes;
use rusty_s3::{Credentials, S3Action, UrlStyle};

/// What the bucket (or the way to it) answered instead of a success.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BucketError(pub String);

/// Where the bucket is and how to sign for it (`[media]` in `tribune.toml`,
/// `TRIBUNE_S3_*`).
#[derive(Clone)]
pub struct BucketConfig {
    /// The service's address, e.g. `https://s3.eu-central-1.amazonaws.com` or
    /// `http://127.0.0.1:9000`.
    pub endpoint: url::Url,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    /// Put before every object name, e.g. `tribune/`.
    pub prefix: String,
}

impl std::fmt::Debug for BucketConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BucketConfig")
            .field("endpoint", &self.endpoint.as_str())
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// A bucket ready for requests.
#[derive(Clone)]
pub struct Bucket {
    bucket: rusty_s3::Bucket,
    credentials: Credentials,
    prefix: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bucket")
            .field("name", &self.bucket.name())
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// How long a signed request stays valid: long enough for a slow upload.
const SIGNED_FOR: Duration = Duration::from_secs(600);

impl Bucket {
    pub fn new(config: &BucketConfig) -> Result<Bucket, BucketError> {
        // Path style works with every S3-compatible service and with an IP address.
        let bucket = rusty_s3::Bucket::new(
            config.endpoint.clone(),
            UrlStyle::Path,
            config.bucket.clone(),
            config.region.clone(),
        )
        .map_err(|e| BucketError(e.to_string()))?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| BucketError(e.to_string()))?;
        Ok(Bucket {
            bucket,
            credentials: Credentials::new(&config.access_key, &config.secret_key),
            prefix: config.prefix.clone(),
            http,
        })
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    pub async fn put(
        &self,
        name: &str,
        bytes: Bytes,
        content_type: &str,
    ) -> Result<(), BucketError> {
        let key = self.key(name);
        let url = self
            .bucket
            .put_object(Some(&self.credentials), &key)
            .sign(SIGNED_FOR);
        let answer = self
            .http
            .put(url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(bytes)
            .send()
            .await
            .map_err(|e| BucketError(e.to_string()))?;
        ok(answer).await.map(drop)
    }

    pub async fn get(&self, name: &str) -> Result<Option<Bytes>, BucketError> {
        let key = self.key(name);
        let url = self
            .bucket
            .get_object(Some(&self.credentials), &key)
            .sign(SIGNED_FOR);
        let answer = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| BucketError(e.to_string()))?;
        if answer.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let answer = ok(answer).await?;
        answer
            .bytes()
            .await
            .map(Some)
            .map_err(|e| BucketError(e.to_string()))
    }

    pub async fn delete(&self, name: &str) -> Result<(), BucketError> {
        let key = self.key(name);
        let url = self
            .bucket
            .delete_object(Some(&self.credentials), &key)
            .sign(SIGNED_FOR);
        let answer = self
            .http
            .delete(url)
            .send()
            .await
            .map_err(|e| BucketError(e.to_string()))?;
        if answer.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(());
        }
        ok(answer).await.map(drop)
    }
}

/// The answer when it is a success, else its status and the start of its body (S3's
/// error XML names the problem: `NoSuchBucket`, `SignatureDoesNotMatch` …).
async fn ok(answer: reqwest::Response) -> Result<reqwest::Response, BucketError> {
    if answer.status().is_success() {
        return Ok(answer);
    }
    let status = answer.status();
    let body = answer.text().await.unwrap_or_default();
    let body: String = body.chars().take(300).collect();
    Err(BucketError(format!("{status}: {body}")))
}
