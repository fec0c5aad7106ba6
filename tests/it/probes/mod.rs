//! HTTP(S) probes against real servers on 127.0.0.1: statuses, headers,
//! TLS and certificates, DNS, timeouts, redirects and bursts. The probe
//! tests that put a secret in this process's environment are in
//! `tests/setenv/probes.rs`.

mod safety;
mod servers;
