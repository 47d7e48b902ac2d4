//! What the search finds: violations as plain data, each with the shortest
//! schedule that shows it. Printing them is `weft-report`'s job.

use std::time::Duration;
use weft_ir::{SrcSpan, Value};

/// The kinds of violation, named exactly as in LANGUAGE.md section 7.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Assertion,
    Invariant,
    Final,
    Deadlock,
    DataRace,
    LostUpdate,
    Livelock,
    Runtime,
    Starvation,
}

/// How bad a finding is: errors fail the check (exit 1), warnings do not
/// unless `--deny warnings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Assertion,
        Kind::Invariant,
        Kind::Final,
        Kind::Deadlock,
        Kind::DataRace,
        Kind::LostUpdate,
        Kind::Livelock,
        Kind::Runtime,
        Kind::Starvation,
    ];

    /// The name used in JSON, in `--check`/`--skip` and in LANGUAGE.md.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Assertion => "assertion",
            Kind::Invariant => "invariant",
            Kind::Final => "final",
            Kind::Deadlock => "deadlock",
            Kind::DataRace => "data-race",
            Kind::LostUpdate => "lost-update",
            Kind::Livelock => "livelock",
            Kind::Runtime => "runtime",
            Kind::Starvation => "starvation",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn severity(self) -> Severity {
        match self {
            Kind::Starvation => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

/// A source location involved in a finding, with what happens there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub span: SrcSpan,
    /// The thread acting there, if one is.
    pub thread: Option<u32>,
    /// What happens there, in a few words: `inc[0] reads counter`.
    pub label: String,
}

/// One step of a schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The thread that took the step (index into `Program::threads`).
    pub thread: u32,
    /// Which branch of a `choose` or `notify_one` the step took (0 when none);
    /// `(thread, branch)` pairs replay the schedule exactly.
    pub branch: u32,
    /// The step's visible instruction.
    pub span: SrcSpan,
    /// What the step did: "read counter = 0", "lock m", "assert failed".
    pub action: String,
    /// The value of every global cell after the step (index = cell).
    pub values: Vec<Value>,
}

/// Why one stuck thread waits, in a deadlock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wait {
    pub thread: u32,
    /// The blocking operation.
    pub span: SrcSpan,
    /// `lock fork[1]`, "receive from ch", "join(worker)"...
    pub waits_for: String,
    /// Threads that hold the resource (lock owners, the joined thread).
    pub holders: Vec<u32>,
    /// `held by philosopher[1]`, "channel is empty and no sender is left"...
    pub why: String,
    /// The locks this thread holds while it waits: `fork[0]`, "rw (read)".
    pub holds: Vec<String>,
}

/// The details of a deadlock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadlock {
    /// Every thread that has not finished, and why it waits.
    pub waits: Vec<Wait>,
    /// A wait-for cycle among threads, if there is one: each waits for the
    /// next, and the last for the first.
    pub cycle: Vec<u32>,
}

/// One violation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: Kind,
    /// One sentence: `data race on counter between inc[0] and inc[1]`.
    pub message: String,
    /// Every source location involved, most important first.
    pub locations: Vec<Location>,
    /// The shortest schedule from the initial state that shows it.
    pub schedule: Vec<Step>,
    /// For liveness findings: the schedule around the cycle, after `schedule`.
    pub cycle: Vec<Step>,
    /// For deadlocks: who waits for what.
    pub deadlock: Option<Deadlock>,
}

/// Why a search stopped before it was exhaustive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    MaxStates(u64),
    MaxDepth(u32),
    Timeout(Duration),
    /// The process held more than this many bytes (`--max-memory`).
    Memory(u64),
    /// The schedule log could not be written (a full disk, say).
    Storage(std::io::ErrorKind),
}

/// Counters of a search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Distinct states stored.
    pub states: u64,
    /// Transitions taken (edges of the state graph, including ones to
    /// states already seen).
    pub transitions: u64,
    /// Length of the longest shortest path explored.
    pub depth: u32,
    pub elapsed: Duration,
    /// States were told apart by 64-bit fingerprints (not `--exact`).
    pub fingerprints: bool,
    /// Peak bytes of the visited set (the table and what it keeps in memory).
    pub store_bytes: u64,
    /// Which reductions the search used, and why others were off: one line
    /// each (`"symmetry: w[4]: instances permuted"`).
    pub reductions: Vec<String>,
}

impl Stats {
    /// Chance that two of the stored states shared a fingerprint, so that
    /// one of them was never explored (0 with `--exact`).
    pub fn collision_probability(&self) -> f64 {
        if self.fingerprints {
            crate::store::collision_probability(self.states)
        } else {
            0.0
        }
    }
}

/// The result of checking one program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub stats: Stats,
    /// Set when a limit ended the search before it was exhaustive.
    pub limit: Option<Limit>,
}

impl Outcome {
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.kind.severity() == Severity::Error)
    }
}
