//! The one-word verdict of a file, and the words that explain it.

use weft_explore::{Kind, Limit, Outcome, Severity};

/// What checking one file concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Exhaustive search, no violation.
    Ok,
    /// At least one error was found (a limit may also have been hit).
    Errors,
    /// Exhaustive search, only warnings.
    Warnings,
    /// A limit stopped the search and no error was found.
    Inconclusive,
    /// The input did not parse or compile, or could not be read.
    Invalid,
}

impl Verdict {
    /// Errors win over a limit, because a found error is certain; a limit
    /// wins over warnings, because an unfinished search may hide an error.
    pub fn of(outcome: &Outcome) -> Verdict {
        if outcome.has_errors() {
            Verdict::Errors
        } else if outcome.limit.is_some() {
            Verdict::Inconclusive
        } else if outcome
            .findings
            .iter()
            .any(|f| f.kind.severity() == Severity::Warning)
        {
            Verdict::Warnings
        } else {
            Verdict::Ok
        }
    }

    /// The name used in JSON and on the verdict line.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Errors => "errors",
            Verdict::Warnings => "warnings",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Invalid => "invalid",
        }
    }
}

/// The distinct kinds of the findings of one severity, in `Kind` order, each
/// with how many findings have it: `final, data-race (2)`.
pub fn kinds_summary(outcome: &Outcome, severity: Severity) -> String {
    let mut kinds: Vec<Kind> = outcome
        .findings
        .iter()
        .map(|f| f.kind)
        .filter(|k| k.severity() == severity)
        .collect();
    kinds.sort();
    let mut parts = Vec::new();
    let mut rest = kinds.as_slice();
    while let Some(&kind) = rest.first() {
        let n = rest.iter().take_while(|&&k| k == kind).count();
        parts.push(if n == 1 {
            kind.name().to_string()
        } else {
            format!("{} ({n})", kind.name())
        });
        rest = &rest[n..];
    }
    parts.join(", ")
}

/// What stopped the search, named by the flag that sets the limit:
/// `--max-states stopped the search after 1000 states`.
pub fn limit_text(limit: Limit) -> String {
    match limit {
        Limit::MaxStates(n) => format!(
            "--max-states stopped the search after {n} state{}",
            if n == 1 { "" } else { "s" }
        ),
        Limit::MaxDepth(n) => format!("--max-depth stopped the search at depth {n}"),
        Limit::Timeout(d) => format!(
            "--timeout stopped the search after {} s",
            seconds_text(d.as_secs_f64())
        ),
        Limit::Memory(bytes) => format!(
            "--max-memory stopped the search when weft held more than {} (a state space that never ends, such as a counter that grows forever, stops here too)",
            size_text(bytes)
        ),
        Limit::Storage(kind) => {
            format!("the schedule log could not be written to a temporary file ({kind}); --exact keeps it in memory")
        }
    }
}

/// A size in bytes as people write it: `512 MiB`, `1.5 GiB`.
pub fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 if bytes == 1 => "1 byte".to_string(),
        0 => format!("{bytes} bytes"),
        _ => {
            let text = format!("{value:.1}");
            format!("{} {}", text.trim_end_matches(".0"), UNITS[unit])
        }
    }
}

/// Seconds without trailing zeros: `2`, `0.5`.
pub fn seconds_text(seconds: f64) -> String {
    if seconds > 0.0 && seconds < 0.0005 {
        // Not "0": a timeout of 0.0001 s is not none.
        return format!("{seconds}");
    }
    let text = format!("{seconds:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use weft_explore::{Finding, Stats};

    fn finding(kind: Kind) -> Finding {
        Finding {
            kind,
            message: String::new(),
            locations: vec![],
            schedule: vec![],
            cycle: vec![],
            deadlock: None,
        }
    }

    fn outcome(kinds: &[Kind], limit: Option<Limit>) -> Outcome {
        Outcome {
            findings: kinds.iter().map(|&k| finding(k)).collect(),
            stats: Stats::default(),
            limit,
        }
    }

    #[test]
    fn verdict_precedence() {
        let lim = Some(Limit::MaxStates(1));
        assert_eq!(Verdict::of(&outcome(&[], None)), Verdict::Ok);
        assert_eq!(Verdict::of(&outcome(&[], lim)), Verdict::Inconclusive);
        assert_eq!(
            Verdict::of(&outcome(&[Kind::Starvation], None)),
            Verdict::Warnings
        );
        assert_eq!(
            Verdict::of(&outcome(&[Kind::Starvation], lim)),
            Verdict::Inconclusive
        );
        assert_eq!(
            Verdict::of(&outcome(&[Kind::Starvation, Kind::Final], lim)),
            Verdict::Errors
        );
    }

    #[test]
    fn kinds_are_sorted_and_counted() {
        let o = outcome(
            &[
                Kind::LostUpdate,
                Kind::DataRace,
                Kind::Final,
                Kind::DataRace,
            ],
            None,
        );
        assert_eq!(
            kinds_summary(&o, Severity::Error),
            "final, data-race (2), lost-update"
        );
        assert_eq!(kinds_summary(&o, Severity::Warning), "");
    }

    #[test]
    fn limits_read_like_flags() {
        assert_eq!(
            limit_text(Limit::MaxStates(10)),
            "--max-states stopped the search after 10 states"
        );
        assert_eq!(
            limit_text(Limit::MaxDepth(3)),
            "--max-depth stopped the search at depth 3"
        );
        assert_eq!(
            limit_text(Limit::Timeout(Duration::from_millis(1500))),
            "--timeout stopped the search after 1.5 s"
        );
        assert_eq!(seconds_text(2.0), "2");
        assert!(limit_text(Limit::Memory(3 << 29))
            .starts_with("--max-memory stopped the search when weft held more than 1.5 GiB"));
    }

    #[test]
    fn sizes_read_in_binary_units() {
        assert_eq!(size_text(0), "0 bytes");
        assert_eq!(size_text(1023), "1023 bytes");
        assert_eq!(size_text(1024), "1 KiB");
        assert_eq!(size_text(64 << 20), "64 MiB");
        assert_eq!(size_text((1 << 30) + (1 << 29)), "1.5 GiB");
        assert_eq!(size_text(u64::MAX), "16777216 TiB");
    }
}
