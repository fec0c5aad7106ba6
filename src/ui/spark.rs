//! Sparklines as text, so they sit inside a row.

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last `width` values as bars scaled between their min and max
/// (`None` values show as a space).
pub fn sparkline(values: &[Option<f64>], width: usize) -> String {
    let start = values.len().saturating_sub(width);
    let shown = &values[start..];
    let finite = shown.iter().flatten().filter(|v| v.is_finite());
    let (min, max) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(*v), hi.max(*v))
    });
    shown
        .iter()
        .map(|v| match v {
            Some(v) if v.is_finite() => {
                let span = max - min;
                let level = if span > 0.0 {
                    ((v - min) / span * 7.0).round() as usize
                } else {
                    0
                };
                BARS[level.min(7)]
            }
            _ => ' ',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_between_min_and_max_and_gaps_stay_gaps() {
        assert_eq!(
            sparkline(&[Some(0.0), Some(7.0), None, Some(3.5)], 10),
            "▁█ ▅"
        );
        assert_eq!(sparkline(&[Some(2.0), Some(2.0)], 10), "▁▁");
        assert_eq!(sparkline(&[Some(1.0), Some(2.0), Some(3.0)], 2), "▁█");
    }
}
