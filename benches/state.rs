//! Rendering benchmarks (filled in below).
fn main() {}
