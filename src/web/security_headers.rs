//! Headers that tell browsers what a page may do, on every answer.
//!
//! The Content-Security-Policy allows scripts and stylesheets from this site only (the
//! default theme has no inline script), media and embeds over HTTPS (imported posts
//! carry YouTube frames and remote images), style attributes (Markdown tables align
//! cells with them), and as `<style>` elements only the theme's stylesheet, inlined in
//! each page (allowed by its SHA-256, computed when the server starts), forms that post
//! here, and no framing by other sites. HSTS is sent once the site's address is
//! `https://`.

use axum::http::{header, HeaderValue};
use axum::response::Response;

use super::AppState;

/// The Content-Security-Policy, with the sources of the stylesheets pages inline
/// (`Assets::inline_style_sources`).
pub fn policy(inline_styles: &[String]) -> HeaderValue {
    let styles: String = inline_styles.iter().map(|s| format!(" {s}")).collect();
    let policy = format!(
        "default-src 'self'; script-src 'self'; \
         style-src 'self'{styles}; style-src-attr 'unsafe-inline'; img-src 'self' https: data:; \
         media-src 'self' https:; frame-src https:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).expect("a policy of printable ASCII")
}

const HSTS: &str = "max-age=31536000";

/// Adds the headers to an answer and checks its redirect (see [`stays_on_site`]);
/// `web::edge` calls it for every response.
pub fn finish(state: &AppState, mut res: Response) -> Response {
    if let Some(location) = res.headers().get(header::LOCATION) {
        // A post's address may be in any script: read the header as UTF-8, and send
        // it percent-encoded (a Location header is ASCII).
        let checked = std::str::from_utf8(location.as_bytes())
            .ok()
            .filter(|l| stays_on_site(l, state.site.url().as_str()))
            .map(|l| {
                percent_encoding::utf8_percent_encode(l, percent_encoding::CONTROLS).to_string()
            });
        match checked {
            Some(l) if l.as_bytes() != location.as_bytes() => {
                if let Ok(v) = HeaderValue::from_str(&l) {
                    res.headers_mut().insert(header::LOCATION, v);
                }
            }
            Some(_) => {}
            None => {
                tracing::error!(?location, "refused a redirect off the site");
                res.headers_mut()
                    .insert(header::LOCATION, HeaderValue::from_static("/"));
            }
        }
    }
    let https = state.site.is_https();
    let headers = res.headers_mut();
    headers.reserve(6);
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert_with(|| state.csp.clone());
    for (name, value) in [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ] {
        headers
            .entry(name)
            .or_insert_with(|| HeaderValue::from_static(value));
    }
    if https {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert_with(|| HeaderValue::from_static(HSTS));
    }
    res
}

/// Whether a `Location` may be sent (a redirect that would leave the site is a bug,
/// e.g. a path built from what a reader typed; it is logged and sent home instead): a
/// path on this site, or an address on the site's
/// own origin. Sign-in providers are reached through a page, never a redirect.
pub fn stays_on_site(location: &str, site_url: &str) -> bool {
    if location.starts_with('/') {
        let second = location.as_bytes().get(1);
        return second != Some(&b'/') && second != Some(&b'\\');
    }
    if location.starts_with('?') || location.starts_with('#') {
        return true;
    }
    match (url::Url::parse(location), url::Url::parse(site_url)) {
        (Ok(to), Ok(site)) => to.origin() == site.origin(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::stays_on_site;

    #[test]
    fn redirects_stay_on_the_site() {
        let site = "https://example.org";
        for ok in [
            "/",
            "/2026/11/26/x/",
            "?saved=1",
            "https://example.org/admin/",
        ] {
            assert!(stays_on_site(ok, site), "{ok}");
        }
        for bad in [
            "//evil.example/x/y/",
            "/\\evil.example",
            "https://evil.example/",
            "http://example.org/",
            "javascript:alert(1)",
            "evil.example",
        ] {
            assert!(!stays_on_site(bad, site), "{bad}");
        }
    }
}
