//! Turns findings into miette diagnostics, swim-lane schedules and JSON.
//!
//! Pure: no IO, no terminal. The caller (the CLI) reads files, decides on
//! colour and passes the miette handler that draws diagnostics.
//!
//! - [`human::render`]: the report a person reads.
//! - [`json::report`]: the versioned machine report (`docs/json-schema.md`).
//! - [`invalid_report`] and [`human::render_invalid`]: the same two for a
//!   file that did not parse or compile.
//! - [`schedules`]: the output of `weft schedules` and `weft run`.

mod diagnostic;
pub mod graph;
mod help;
pub mod human;
mod invalid;
pub mod json;
mod labels;
mod names;
mod position;
mod schedule;
pub mod schedules;
mod source;
mod style;
mod table;
mod verdict;
mod waits;
pub mod walk;

pub use diagnostic::{FindingDiagnostic, WithSource};
pub use help::help;
pub use human::HumanOptions;
pub use invalid::invalid_report;
pub use position::{LineIndex, Position};
pub use verdict::{limit_text, size_text, Verdict};

use weft_explore::Outcome;
use weft_ir::Program;

/// Everything known about one checked file.
#[derive(Clone, Copy, Debug)]
pub struct Checked<'a> {
    /// The file as the user named it; reports show it as given.
    pub file: &'a str,
    /// Its text: spans in the program and outcome point into it.
    pub source: &'a str,
    pub program: &'a Program,
    pub outcome: &'a Outcome,
}
