//! `trusted_proxies`: the reverse proxies whose forwarding headers are believed, as a
//! setting. How a request's reader is worked out from them is `web::client`'s job.

use std::net::IpAddr;

use ipnet::IpNet;

/// The reverse proxies whose forwarding headers are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses and networks: `127.0.0.1`, `::1`, `10.0.0.0/8`, `fd00::/8`.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, String> {
        let mut nets = Vec::new();
        for item in items {
            let item = item.as_ref().trim();
            if item.is_empty() {
                continue;
            }
            let net = item
                .parse::<IpNet>()
                .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    format!("trusted proxy `{item}` is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/8, ::1)")
                })?;
            nets.push(net);
        }
        Ok(TrustedProxies(nets))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// An IPv4 address that arrived as IPv6 (`::ffff:1.2.3.4`) is the IPv4 address.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_ipv4_is_ipv4_and_bad_entries_are_refused() {
        let trusted = TrustedProxies::parse(&["127.0.0.0/8"]).unwrap();
        assert!(trusted.contains("::ffff:127.0.0.1".parse().unwrap()));
        let err = TrustedProxies::parse(&["localhost"]).unwrap_err();
        assert!(err.contains("not an IP address"), "{err}");
    }
}
