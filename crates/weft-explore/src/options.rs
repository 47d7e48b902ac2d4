//! What to check and when to stop.

use crate::Kind;
use std::time::Duration;

/// Settings of one search.
#[derive(Clone, Debug)]
pub struct Options {
    /// The kinds of violation to look for (`--check` / `--skip`).
    pub checks: Vec<Kind>,
    /// Stop after storing this many states (`--max-states`).
    pub max_states: Option<u64>,
    /// Do not explore past this many steps from the initial state (`--max-depth`).
    pub max_depth: Option<u32>,
    /// Stop after this long (`--timeout`).
    pub timeout: Option<Duration>,
    /// Stop when the process holds more than this many bytes
    /// (`--max-memory`; the CLI's default is [`crate::default_max_memory`]).
    pub max_memory: Option<u64>,
    /// Which infinite schedules count for livelock and starvation (`--fairness`).
    pub fairness: Fairness,
    /// Keep every edge of the state graph and hand it back
    /// ([`crate::explore`]), for counting schedules and drawing the graph.
    pub record_graph: bool,
    /// Store whole states instead of 64-bit fingerprints (`--exact`).
    pub exact: bool,
    /// Threads expanding the frontier (`--jobs`); 0 means one per core.
    pub jobs: usize,
    /// Explore states that differ by a permutation of a thread group's
    /// instances once (off: `--no-symmetry`).
    pub symmetry: bool,
    /// Partial-order reduction (off: `--no-reduction`).
    pub reduction: bool,
    /// Threads rest at their next step, their local work run at the end of
    /// the step before (off: `--no-settle`; see `Exec::settle`).
    pub settle: bool,
}

/// Which infinite schedules the liveness checks consider.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Fairness {
    /// Weak fairness: a thread that stays able to step is eventually scheduled.
    #[default]
    Weak,
    /// Every infinite schedule counts (SPIN's `-l` without `-f`).
    None,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            checks: Kind::ALL.to_vec(),
            max_states: None,
            max_depth: None,
            timeout: None,
            max_memory: None,
            fairness: Fairness::Weak,
            record_graph: false,
            exact: false,
            jobs: 0,
            symmetry: true,
            reduction: true,
            settle: true,
        }
    }
}

impl Options {
    pub fn checks(&self, kind: Kind) -> bool {
        self.checks.contains(&kind)
    }
}

/// A snapshot of a running search, for progress bars.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    pub states: u64,
    pub transitions: u64,
    /// States discovered but not yet expanded.
    pub frontier: u64,
    pub depth: u32,
    /// Approximate bytes held by the visited set and frontier.
    pub bytes: u64,
}
