//! HTTP(S) health probes: one task per probe, at most one request in
//! flight each, results classified and judged by the condition language.
