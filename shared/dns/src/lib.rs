//! The DNS adapter: TXT lookups for verified domains through hickory-resolver.
//!
//! Two constructions: `system()` (the host's resolver from `/etc/resolv.conf`: Lambda's VPC
//! resolver, a developer's) and `at(addr)` (one named server: `usher serve --dns-server`, the
//! tests' stub). Answers are never cached: a domain's proof must be read as it is now, and the
//! lookups are rare (an admin's Verify, the schedule's daily look).

use async_trait::async_trait;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::{Resolver, TokioResolver};
use std::net::SocketAddr;
use std::time::Duration;
use usher_domain::ports::{DnsError, TxtResolver};

/// Looks TXT records up with hickory.
pub struct HickoryTxt {
    resolver: TokioResolver,
}

fn options(mut o: ResolverOpts) -> ResolverOpts {
    // Nothing cached: a record just created (or removed) counts at once.
    o.cache_size = 0;
    // A domain's owner's nameservers may be slow; two tries of 3 s stay inside an API request.
    o.timeout = Duration::from_secs(3);
    o.attempts = 2;
    // The names asked are always fully qualified.
    o.ndots = 0;
    o
}

impl HickoryTxt {
    /// The host's resolver (`/etc/resolv.conf`).
    pub fn system() -> Result<Self, DnsError> {
        let mut builder = TokioResolver::builder_tokio().map_err(|e| DnsError(format!("reading the system's DNS configuration: {e}")))?;
        let opts = options(builder.options_mut().clone());
        *builder.options_mut() = opts;
        let resolver = builder.build().map_err(|e| DnsError(e.to_string()))?;
        Ok(Self { resolver })
    }

    /// One named server, over UDP and TCP on its port (tests' stubs listen on loopback).
    pub fn at(addr: SocketAddr) -> Result<Self, DnsError> {
        let mut udp = ConnectionConfig::udp();
        udp.port = addr.port();
        let mut tcp = ConnectionConfig::tcp();
        tcp.port = addr.port();
        let server = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
        let resolver = Resolver::builder_with_config(ResolverConfig::from_name_servers(vec![server]), TokioRuntimeProvider::default())
            .with_options(options(ResolverOpts::default()))
            .build()
            .map_err(|e| DnsError(e.to_string()))?;
        Ok(Self { resolver })
    }
}

#[async_trait]
impl TxtResolver for HickoryTxt {
    async fn txt(&self, name: &str) -> Result<Vec<String>, DnsError> {
        // Fully qualified: no search domain is tried.
        let fqdn = format!("{}.", name.trim_end_matches('.'));
        match self.resolver.txt_lookup(fqdn.as_str()).await {
            Ok(lookup) => Ok(lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    // A record's character-strings are one value, joined (RFC 7208 §3.3).
                    RData::TXT(txt) => Some(txt.txt_data.iter().map(|s| String::from_utf8_lossy(s).into_owned()).collect::<String>()),
                    _ => None,
                })
                .collect()),
            Err(e) if e.is_no_records_found() || e.is_nx_domain() => Ok(Vec::new()),
            Err(e) => Err(DnsError(e.to_string())),
        }
    }
}
