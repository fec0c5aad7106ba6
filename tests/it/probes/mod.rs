//! HTTP(S) probes against real servers on 127.0.0.1: statuses, headers,
//! TLS and certificates, DNS, timeouts, redirects and bursts.

mod safety;
mod servers;
