//! Webmention as the site does it, from the job queue only (never while a reader
//! waits): verifying a mention received (fetch the source, keep, update or remove the
//! comment) and telling the pages a post links to (discover each endpoint, send).
//!
//! Every fetch goes through one client: http(s) only, 10 s, five redirects, 1 MB read
//! at most, and — unless `allow_private` — never to a loopback, private, link-local or
//! otherwise non-public address (a mention's source is a stranger's URL: it must not
//! reach the machine's own services). Names are resolved by a resolver that drops such
//! addresses, so a name that resolves to 127.0.0.1 is refused too.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::domain::site_url::SiteUrl;
use crate::domain::webmention::{self, Source};
use crate::store::{Kept, Mention, Store};

/// What a source or target page may weigh when read.
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// Whether an address is one a stranger's URL may lead to.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                // 100.64.0.0/10, carrier-grade NAT; 0.0.0.0/8.
                || (v4.octets()[0] == 100 && (v4.octets()[1] & 0xc0) == 64)
                || v4.octets()[0] == 0)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // fc00::/7 unique local, fe80::/10 link-local.
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

/// Resolves names, keeping only public addresses.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| is_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Why a fetch gave nothing.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0} is not an http or https address on a public host")]
    NotAllowed(String),
    #[error("{0}")]
    Http(#[from] reqwest::Error),
}

/// A page as fetched.
pub struct Page {
    pub status: u16,
    /// After redirects.
    pub url: Url,
    pub html: bool,
    pub links: Vec<String>,
    pub body: String,
}

/// The site's Webmention client.
pub struct Webmention {
    client: reqwest::Client,
    allow_private: bool,
}

impl Webmention {
    pub fn new(allow_private: bool) -> Self {
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 5 {
                attempt.error("more than five redirects")
            } else if !allowed(attempt.url(), allow_private) {
                let url = attempt.url().to_string();
                attempt.error(format!("redirected to {url}, which is not allowed"))
            } else {
                attempt.follow()
            }
        });
        let mut builder = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .redirect(policy)
            .user_agent(concat!(
                "Tribune/",
                env!("CARGO_PKG_VERSION"),
                " (Webmention)"
            ));
        if !allow_private {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        Webmention {
            client: builder.build().expect("a client with rustls builds"),
            allow_private,
        }
    }

    /// GETs `url`, reading at most [`MAX_PAGE_BYTES`].
    pub async fn fetch(&self, url: &Url) -> Result<Page, FetchError> {
        if !allowed(url, self.allow_private) {
            return Err(FetchError::NotAllowed(url.to_string()));
        }
        let mut res = self
            .client
            .get(url.clone())
            .header(
                "Accept",
                "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
            )
            .send()
            .await?;
        let status = res.status().as_u16();
        let final_url = res.url().clone();
        let html = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.contains("html"));
        let links = res
            .headers()
            .get_all(reqwest::header::LINK)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = res.chunk().await? {
            let room = MAX_PAGE_BYTES.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() >= MAX_PAGE_BYTES {
                break;
            }
        }
        Ok(Page {
            status,
            url: final_url,
            html,
            links,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }

    /// Verifies a mention of post `post_id` (at `target`) by `source`, and keeps it
    /// (new: `Kept::New`, then moderators are told), updates it, or removes it when the
    /// source is gone (410) or no longer links here. `Err` is worth another try.
    pub async fn receive(
        &self,
        store: &Store,
        post_id: i64,
        source: &str,
        target: &str,
    ) -> Result<Option<Kept>, String> {
        let (Ok(source_url), Ok(target_url)) = (Url::parse(source), Url::parse(target)) else {
            return Ok(None);
        };
        let page = match self.fetch(&source_url).await {
            Ok(page) => page,
            Err(FetchError::NotAllowed(why)) => {
                tracing::info!(source, "webmention source refused: {why}");
                return Ok(None);
            }
            Err(err) => return Err(format!("fetching {source}: {err}")),
        };
        let forget = |why: &'static str| async move {
            let n = store
                .forget_mention(post_id, source)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(source, post_id, removed = n, "webmention: {why}");
            Ok::<_, String>(None)
        };
        match page.status {
            200..=299 => {}
            410 => return forget("source gone").await,
            400..=499 => {
                tracing::info!(
                    source,
                    status = page.status,
                    "webmention source not readable"
                );
                return Ok(None);
            }
            s => return Err(format!("{source} answered {s}")),
        }
        let read = if page.html {
            webmention::read_source(&page.body, &page.url, &target_url)
        } else {
            Source {
                links_to_target: webmention::text_links_to(&page.body, &target_url),
                ..Source::default()
            }
        };
        if !read.links_to_target {
            return forget("source does not link to the target").await;
        }
        let mention = compose(post_id, source, &source_url, &read);
        store
            .keep_mention(mention)
            .await
            .map(Some)
            .map_err(|e| e.to_string())
    }

    /// Tells `target` that `source` (a post of ours) links to it: finds its endpoint
    /// and sends. `Ok(None)`: the target has no endpoint (or cannot be read for
    /// good); `Ok(Some((endpoint, status)))`: sent; `Err`: worth another try.
    pub async fn send(&self, source: &str, target: &str) -> Result<Option<(Url, u16)>, String> {
        let Ok(target_url) = Url::parse(target) else {
            return Ok(None);
        };
        let page = match self.fetch(&target_url).await {
            Ok(p) => p,
            Err(FetchError::NotAllowed(_)) => return Ok(None),
            Err(err) => return Err(format!("fetching {target}: {err}")),
        };
        if page.status >= 500 {
            return Err(format!("{target} answered {}", page.status));
        }
        let Some(endpoint) = webmention::discover(
            &page.url,
            &page.links,
            page.html.then_some(page.body.as_str()),
        ) else {
            return Ok(None);
        };
        if !allowed(&endpoint, self.allow_private) {
            return Ok(None);
        }
        let res = self
            .client
            .post(endpoint.clone())
            .form(&[("source", source), ("target", target)])
            .send()
            .await
            .map_err(|e| format!("sending to {endpoint}: {e}"))?;
        let status = res.status().as_u16();
        match status {
            200..=299 | 400..=499 => Ok(Some((endpoint, status))),
            s => Err(format!("{endpoint} answered {s}")),
        }
    }
}

/// A URL a fetch may go to: http(s), a host, and no literal non-public address.
fn allowed(url: &Url, allow_private: bool) -> bool {
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    match url.host() {
        None => false,
        Some(_) if allow_private => true,
        Some(url::Host::Ipv4(ip)) => is_public(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => is_public(IpAddr::V6(ip)),
        Some(url::Host::Domain(d)) => {
            !d.eq_ignore_ascii_case("localhost") && !d.ends_with(".localhost")
        }
    }
}

/// The comment a mention becomes: its author's name (the source's host when the page
/// names none), their address, what the source says, and the link to it.
pub fn compose(post_id: i64, source: &str, source_url: &Url, read: &Source) -> Mention {
    let host = source_url.host_str().unwrap_or("?").to_string();
    let author = read.author.clone().unwrap_or_default();
    let author_name = author
        .name
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| host.clone());
    // Addresses from a stranger's page go into `href`s: kept as written when they
    // pass the check a guest's website gets (http(s), a real host), else not at all.
    let web = |u: &String| crate::domain::comment::normalise_url(u).is_some();
    let author_url = author
        .url
        .filter(web)
        .or_else(|| Some(format!("{}://{}/", source_url.scheme(), host)));
    let said = read
        .content
        .clone()
        .or_else(|| read.name.clone())
        .unwrap_or_default();
    let mut body_html = String::new();
    if !said.is_empty() {
        body_html.push_str("<p>");
        body_html.push_str(&crate::domain::feed::text(&said));
        body_html.push_str("</p>\n");
    }
    let link = read
        .url
        .clone()
        .filter(web)
        .unwrap_or_else(|| source.to_string());
    let link = crate::domain::feed::text(&link);
    body_html.push_str(&format!(
        "<p><a href=\"{link}\" rel=\"nofollow ugc\" class=\"webmention-source\">{link}</a></p>"
    ));
    Mention {
        post_id,
        source: source.to_string(),
        author_name,
        author_url,
        body: said,
        body_html,
    }
}

/// Which post of this site `target` names, as a path: the target's path when it is on
/// `site` (scheme and host as configured; `www.` either way), else `None`.
pub fn target_path(site: &SiteUrl, target: &Url) -> Option<String> {
    let own = Url::parse(site.as_str()).ok()?;
    let strip = |h: &str| h.trim_start_matches("www.").to_ascii_lowercase();
    if strip(own.host_str()?) != strip(target.host_str()?)
        || own.port_or_known_default() != target.port_or_known_default()
    {
        return None;
    }
    let path = percent_encoding::percent_decode_str(target.path())
        .decode_utf8()
        .ok()?
        .into_owned();
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_fetched() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.1.1",
            "172.16.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.1.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(!allowed(&u("http://127.0.0.1:6379/"), false));
        assert!(!allowed(&u("http://[::1]/"), false));
        assert!(!allowed(&u("http://localhost/"), false));
        assert!(!allowed(&u("file:///etc/passwd"), false));
        assert!(!allowed(&u("gopher://a.example/"), true));
        assert!(allowed(&u("https://a.example/"), false));
        assert!(allowed(&u("http://127.0.0.1:6379/"), true));
    }

    #[test]
    fn a_target_is_a_path_on_this_site() {
        let site = SiteUrl::parse("https://news.example.org").unwrap();
        let t = |s: &str| target_path(&site, &Url::parse(s).unwrap());
        assert_eq!(
            t("https://news.example.org/2026/12/01/a/").as_deref(),
            Some("/2026/12/01/a/")
        );
        assert_eq!(
            t("https://www.news.example.org/about/?x#y").as_deref(),
            Some("/about/")
        );
        assert_eq!(
            t("https://news.example.org/2026/12/01/%D8%A8/").as_deref(),
            Some("/2026/12/01/ب/")
        );
        assert_eq!(t("https://evil.example/2026/12/01/a/"), None);
        assert_eq!(t("https://news.example.org:8443/a/"), None);
    }

    #[test]
    fn a_mention_names_its_author_or_its_host() {
        let src = Url::parse("https://bob.example/p").unwrap();
        let m = compose(
            1,
            src.as_str(),
            &src,
            &Source {
                links_to_target: true,
                content: Some("<b>hi</b>".into()),
                ..Source::default()
            },
        );
        assert_eq!(m.author_name, "bob.example");
        assert_eq!(m.author_url.as_deref(), Some("https://bob.example/"));
        assert!(
            m.body_html.starts_with("<p>&lt;b&gt;hi&lt;/b&gt;</p>"),
            "{}",
            m.body_html
        );
        assert!(m
            .body_html
            .contains("href=\"https://bob.example/p\" rel=\"nofollow ugc\""));

        // A page's own addresses are kept only when they are http(s).
        let hostile = compose(
            1,
            src.as_str(),
            &src,
            &Source {
                links_to_target: true,
                url: Some("javascript:alert(1)".into()),
                author: Some(crate::domain::webmention::Author {
                    name: Some("Eve".into()),
                    url: Some("javascript:alert(2)".into()),
                    photo: None,
                }),
                ..Source::default()
            },
        );
        assert_eq!(hostile.author_url.as_deref(), Some("https://bob.example/"));
        assert!(
            !hostile.body_html.contains("javascript"),
            "{}",
            hostile.body_html
        );
        assert!(hostile.body_html.contains("href=\"https://bob.example/p\""));
    }
}
