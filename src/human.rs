//! Figures as people read them: ages like kubectl's, counts with commas.

/// Seconds as kubectl shows ages: 45s, 12m, 3h, 2d.
pub fn age(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..120 => format!("{s}s"),
        120..7200 => format!("{}m", s / 60),
        7200..172_800 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}

/// 10000 as "10,000".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Millicores as `kubectl top` shows CPU: "250m"; from 10 cores on, whole
/// cores ("12").
pub fn cpu(millicores: u64) -> String {
    if millicores >= 10_000 {
        format!("{}", millicores / 1000)
    } else {
        format!("{millicores}m")
    }
}

/// Bytes as `kubectl top` shows memory: whole MiB ("210Mi"), and GiB with
/// one decimal from 10 GiB on ("12.5Gi").
pub fn memory(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    if bytes >= 10 << 30 {
        format!("{:.1}Gi", bytes as f64 / (1u64 << 30) as f64)
    } else {
        format!("{}Mi", bytes / MIB)
    }
}

/// A per mille as a whole percentage ("82%"), "-" for none.
pub fn percent(per_mille: Option<u32>) -> String {
    per_mille.map_or("-".into(), |p| format!("{}%", (p + 5) / 10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_reads_like_kubectl_top() {
        assert_eq!(cpu(0), "0m");
        assert_eq!(cpu(250), "250m");
        assert_eq!(cpu(12_345), "12");
        assert_eq!(memory(210 << 20), "210Mi");
        assert_eq!(memory((210 << 20) + 1000), "210Mi");
        assert_eq!(memory(12_884_901_888 + (1 << 29)), "12.5Gi");
        assert_eq!(percent(Some(824)), "82%");
        assert_eq!(percent(Some(995)), "100%");
        assert_eq!(percent(None), "-");
    }

    #[test]
    fn ages_read_like_kubectl() {
        assert_eq!(age(45), "45s");
        assert_eq!(age(600), "10m");
        assert_eq!(age(3 * 3600), "3h");
        assert_eq!(age(3 * 86400), "3d");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
