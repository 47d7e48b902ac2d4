//! How much memory the process holds, and how much a search may take
//! (`--max-memory`), so that a search too big for the machine (or with no
//! end: a counter that grows forever) stops with a verdict rather than
//! being killed.
//!
//! Linux only (it reads /proc); elsewhere there is no default limit and a
//! given one is never reached.

use std::time::{Duration, Instant};

/// The resident memory of this process in bytes (`VmRSS`).
pub fn resident() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    field_kib(&status, "VmRSS:")
}

/// The default `--max-memory`: half the memory available when weft
/// starts, and at most half the process's address-space limit (`ulimit
/// -v`) if it has one. Half leaves room for what a search allocates
/// between two looks at its size (a growing table briefly holds its old
/// and new slots) and for the checks that run after it.
pub fn default_limit() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let available = field_kib(&meminfo, "MemAvailable:")?;
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let address_space = address_space_limit(&limits).unwrap_or(u64::MAX);
    Some(available.min(address_space) / 2)
}

/// A `Name:   1234 kB` line of a /proc file, in bytes.
fn field_kib(text: &str, name: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kib: u64 = line[name.len()..].split_whitespace().next()?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

/// The soft limit of `Max address space` in /proc/self/limits, in bytes;
/// `None` when unlimited.
fn address_space_limit(limits: &str) -> Option<u64> {
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max address space"))?;
    line["Max address space".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Looks at the process's size now and then during a search.
pub struct Watch {
    limit: Option<u64>,
    last: Option<Instant>,
}

/// How often a search looks at its size: reading it costs tens of
/// microseconds.
const EVERY: Duration = Duration::from_millis(50);

impl Watch {
    pub fn new(limit: Option<u64>) -> Watch {
        Watch { limit, last: None }
    }

    /// Whether the process holds more than the limit, looked at most
    /// every [`EVERY`].
    pub fn over(&mut self, now: Instant) -> bool {
        let Some(limit) = self.limit else {
            return false;
        };
        if self
            .last
            .is_some_and(|last| now.duration_since(last) < EVERY)
        {
            return false;
        }
        self.last = Some(now);
        resident().is_some_and(|bytes| bytes > limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_fields_read_in_bytes() {
        let status = "Name:\tweft\nVmPeak:\t  20000 kB\nVmRSS:\t   1500 kB\n";
        assert_eq!(field_kib(status, "VmRSS:"), Some(1_536_000));
        assert_eq!(field_kib(status, "VmSwap:"), None);
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max address space         unlimited            unlimited            bytes     \n";
        assert_eq!(address_space_limit(limits), None);
        let limits =
            "Max address space         8589934592           unlimited            bytes     \n";
        assert_eq!(address_space_limit(limits), Some(8_589_934_592));
    }

    #[test]
    fn this_process_has_a_size_and_a_default_limit() {
        if cfg!(target_os = "linux") {
            assert!(resident().is_some_and(|b| b > 0));
            assert!(default_limit().is_some_and(|b| b > 0));
        }
    }

    #[test]
    fn a_watch_looks_now_and_then() {
        let start = Instant::now();
        let mut tiny = Watch::new(Some(1));
        if cfg!(target_os = "linux") {
            assert!(tiny.over(start));
            // Looked a moment ago: not again yet.
            assert!(!tiny.over(start + Duration::from_millis(1)));
            assert!(tiny.over(start + EVERY));
        }
        assert!(!Watch::new(None).over(start));
        assert!(!Watch::new(Some(u64::MAX)).over(start));
    }
}
