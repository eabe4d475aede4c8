//! Who is asking: the reader's address and whether they came over HTTPS, as the
//! connection tells it or, from a trusted reverse proxy only, as the proxy says.
//!
//! Behind nginx or Caddy every connection comes from the proxy; without this every
//! reader would share the proxy's address (one rate limit for the whole readership,
//! every comment stored with 127.0.0.1). Forwarding headers are believed only from a
//! peer listed in `trusted_proxies`; from anyone else they are ignored, so a stranger
//! cannot pick their own address. In a chain of proxies the reader is the right-most
//! hop that is not itself a trusted proxy (the left part of the header is whatever the
//! client sent, and may be forged).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::HeaderMap;

use crate::config::proxies::{canonical, TrustedProxies};

/// The reader behind a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    /// The reader's address: the peer's, or the one a trusted proxy forwarded.
    pub ip: IpAddr,
    /// Whether the reader's browser used HTTPS (a trusted proxy said so).
    pub https: bool,
}

/// Resolves the reader of a request that arrived from `peer` with `headers`.
pub fn resolve(proxies: &TrustedProxies, peer: IpAddr, headers: &HeaderMap) -> Client {
    let peer = canonical(peer);
    if !proxies.contains(peer) {
        return Client {
            ip: peer,
            https: false,
        };
    }
    let hops = forwarded_hops(headers);
    // Right to left: skip our own proxies; the first other hop is the reader. Its
    // element also says which protocol the reader used to reach our proxy.
    let mut ip = peer;
    let mut proto = None;
    for hop in hops.iter().rev() {
        match hop.addr {
            Some(addr) => {
                ip = addr;
                proto = hop.proto.as_deref();
                if !proxies.contains(addr) {
                    break;
                }
            }
            // "unknown" or an obfuscated name: nothing to the left can be trusted,
            // and the nearest address we know is the last proxy's.
            None => {
                proto = hop.proto.as_deref().or(proto);
                break;
            }
        }
    }
    let https = match proto {
        Some(p) => p.eq_ignore_ascii_case("https"),
        None => headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https")),
    };
    Client { ip, https }
}

#[derive(Debug, Default, PartialEq)]
struct Hop {
    addr: Option<IpAddr>,
    proto: Option<String>,
}

/// The hops a request passed, left (the client's claim) to right (the nearest proxy):
/// from `Forwarded` (RFC 7239) if present, else `X-Forwarded-For`.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Hop> {
    let forwarded: Vec<&str> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .map(|element| {
                let mut hop = Hop::default();
                for pair in element.split(';') {
                    let Some((key, value)) = pair.split_once('=') else {
                        continue;
                    };
                    let value = value.trim().trim_matches('"');
                    match key.trim().to_ascii_lowercase().as_str() {
                        "for" => hop.addr = node_addr(value),
                        "proto" => hop.proto = Some(value.to_string()),
                        _ => {}
                    }
                }
                hop
            })
            .collect();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|item| Hop {
            addr: node_addr(item.trim()),
            proto: None,
        })
        .collect()
}

/// An address from a forwarding header: `192.0.2.1`, `192.0.2.1:4711`, `[2001:db8::1]`,
/// `[2001:db8::1]:4711`, `2001:db8::1`. Names such as `unknown` or `_proxy1` give none.
fn node_addr(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(sock) = node.parse::<SocketAddr>() {
        return Some(canonical(sock.ip()));
    }
    let inner = node.strip_prefix('[')?.split(']').next()?;
    inner.parse::<IpAddr>().ok().map(canonical)
}

/// Works out the reader of a request (`web::edge` does it once per request and leaves
/// it in the extensions, where the [`Client`] extractor finds it).
pub fn identify(proxies: &TrustedProxies, req: &Request) -> Client {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    resolve(proxies, peer, req.headers())
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(client) = parts.extensions.get::<Client>() {
            return Ok(*client);
        }
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| canonical(c.0.ip()))
            .unwrap_or(IpAddr::from([127, 0, 0, 1]));
        Ok(Client { ip, https: false })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarding_headers_from_a_stranger_are_ignored() {
        let trusted = TrustedProxies::parse(&["127.0.0.1"]).unwrap();
        let forged = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("x-forwarded-proto", "https"),
        ]);
        let c = resolve(&trusted, ip("198.51.100.7"), &forged);
        assert_eq!(c.ip, ip("198.51.100.7"));
        assert!(!c.https);
        // No proxies configured: nobody's headers count.
        let c = resolve(&TrustedProxies::default(), ip("127.0.0.1"), &forged);
        assert_eq!(c.ip, ip("127.0.0.1"));
    }

    #[test]
    fn the_reader_is_the_right_most_hop_that_is_not_our_proxy() {
        let trusted = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).unwrap();
        // The client forged the left part; nginx appended the real address.
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.1.2.3"),
            ("x-forwarded-proto", "https"),
        ]);
        let c = resolve(&trusted, ip("127.0.0.1"), &h);
        assert_eq!(c.ip, ip("203.0.113.9"));
        assert!(c.https);
        // Two header lines count as one list.
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "203.0.113.10"),
        ]);
        assert_eq!(resolve(&trusted, ip("10.0.0.1"), &h).ip, ip("203.0.113.10"));
        // Every hop is ours: the left-most is as far as we can see.
        let h = headers(&[("x-forwarded-for", "10.0.0.5, 10.0.0.6")]);
        assert_eq!(resolve(&trusted, ip("127.0.0.1"), &h).ip, ip("10.0.0.5"));
    }

    #[test]
    fn forwarded_header_is_read_as_rfc_7239_says() {
        let trusted = TrustedProxies::parse(&["::1", "192.0.2.60"]).unwrap();
        let h = headers(&[(
            "forwarded",
            "for=1.1.1.1, for=\"[2001:db8:cafe::17]:4711\";proto=https, for=192.0.2.60;proto=http",
        )]);
        let c = resolve(&trusted, ip("::1"), &h);
        assert_eq!(c.ip, ip("2001:db8:cafe::17"));
        // The reader's own element says how they reached the proxy.
        assert!(c.https);
        let h = headers(&[("forwarded", "for=unknown;proto=https")]);
        let c = resolve(&trusted, ip("::1"), &h);
        assert_eq!(c.ip, ip("::1"), "an unknown hop leaves the proxy's address");
        assert!(c.https);
    }

    #[test]
    fn addresses_in_forwarding_headers_take_every_form() {
        assert_eq!(node_addr("203.0.113.1:80"), Some(ip("203.0.113.1")));
        assert_eq!(node_addr("[2001:db8::1]:4711"), Some(ip("2001:db8::1")));
        assert_eq!(node_addr("::ffff:10.0.0.1"), Some(ip("10.0.0.1")));
        assert_eq!(node_addr("_hidden"), None);
    }
}
