//! An Akismet-compatible spam-checking service, spoken to from jobs only (never while
//! a reader waits): `comment-check` for a new comment, `submit-spam` / `submit-ham`
//! for a moderator's decision. Off unless `[akismet]` has a key.

use crate::config::SpamService;

/// What the service is told about a comment (Akismet's field names).
#[derive(Debug, Clone, Default)]
pub struct Asked {
    pub blog: String,
    pub permalink: String,
    pub user_ip: String,
    pub user_agent: String,
    pub author: String,
    pub author_email: String,
    pub author_url: String,
    pub content: String,
    pub lang: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("the spam service could not be reached: {0}")]
    Unreachable(String),
    /// An answer that is not one the API gives (a bad key, an outage page).
    #[error("the spam service answered {status} “{body}”{help}")]
    Unexpected {
        status: u16,
        body: String,
        help: String,
    },
}

pub struct Checker {
    service: SpamService,
    http: reqwest::Client,
}

impl Checker {
    pub fn new(service: SpamService) -> Self {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .user_agent(concat!("Tribune/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Checker { service, http }
    }

    /// `comment-check`: true when the service calls it spam.
    pub async fn check(&self, c: &Asked) -> Result<bool, ServiceError> {
        let (status, body, help) = self.call("comment-check", c).await?;
        match body.trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err(ServiceError::Unexpected {
                status,
                body: other.chars().take(200).collect(),
                help,
            }),
        }
    }

    /// `submit-spam` (true) or `submit-ham` (false).
    pub async fn report(&self, c: &Asked, spam: bool) -> Result<(), ServiceError> {
        let method = if spam { "submit-spam" } else { "submit-ham" };
        let (status, body, help) = self.call(method, c).await?;
        if (200..300).contains(&status) && !body.trim().eq_ignore_ascii_case("invalid") {
            return Ok(());
        }
        Err(ServiceError::Unexpected {
            status,
            body: body.chars().take(200).collect(),
            help,
        })
    }

    async fn call(&self, method: &str, c: &Asked) -> Result<(u16, String, String), ServiceError> {
        let url = format!(
            "{}/{method}",
            self.service.endpoint.as_str().trim_end_matches('/')
        );
        let form = [
            ("api_key", self.service.key.as_str()),
            ("blog", &c.blog),
            ("permalink", &c.permalink),
            ("user_ip", &c.user_ip),
            ("user_agent", &c.user_agent),
            ("comment_type", "comment"),
            ("comment_author", &c.author),
            ("comment_author_email", &c.author_email),
            ("comment_author_url", &c.author_url),
            ("comment_content", &c.content),
            ("blog_lang", &c.lang),
            ("blog_charset", "UTF-8"),
        ];
        let res = self
            .http
            .post(url)
            .form(&form)
            .send()
            .await
            .map_err(|e| ServiceError::Unreachable(e.to_string()))?;
        let status = res.status().as_u16();
        let help = res
            .headers()
            .get("x-akismet-debug-help")
            .and_then(|v| v.to_str().ok())
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        let body = res
            .text()
            .await
            .map_err(|e| ServiceError::Unreachable(e.to_string()))?;
        Ok((status, body, help))
    }
}
