//! The human report of one file: a miette diagnostic per finding, its
//! schedule as a swim lane, deadlock waits, then the verdict and statistics.

use crate::diagnostic::{FindingDiagnostic, WithSource};
use crate::position::LineIndex;
use crate::source::Source;
use crate::style::Paint;
use crate::verdict::{kinds_summary, limit_text, seconds_text, Verdict};
use crate::waits::{cycle_text, wait_text};
use crate::{schedule, Checked};
use miette::{Diagnostic, ReportHandler};
use std::fmt;
use weft_explore::{Finding, Severity};

/// Choices the caller makes about the human report.
#[derive(Clone, Copy, Debug, Default)]
pub struct HumanOptions {
    /// ANSI colour in the tables and verdict (the handler colours diagnostics).
    pub color: bool,
    /// Print the search time; off for snapshots, which must not change.
    pub elapsed: bool,
    /// `--deny warnings`: say on the verdict line that warnings fail.
    pub deny_warnings: bool,
}

/// The whole human report. `handler` draws the diagnostics, so the caller
/// chooses their theme and width (and this crate needs no terminal).
pub fn render(checked: &Checked, options: &HumanOptions, handler: &dyn ReportHandler) -> String {
    let paint = Paint::new(options.color);
    let source = Source::new(checked.file, checked.source);
    let lines = LineIndex::new(checked.source);
    let mut out = String::new();
    for finding in &checked.outcome.findings {
        let diagnostic = FindingDiagnostic::new(finding, &source);
        out.push_str(&draw(handler, &diagnostic));
        ensure_blank_line(&mut out);
        out.push_str(&schedule::render(checked.program, finding, &lines, paint));
        out.push_str(&deadlock_section(checked, finding, &lines, paint));
        out.push('\n');
    }
    out.push_str(&verdict_line(checked, options));
    out.push('\n');
    out.push_str(&stats_line(checked, options));
    out.push('\n');
    out
}

/// One diagnostic drawn by a miette handler, source attached. A label
/// further right than `MAX_COLUMN` is told in words instead
/// (`NarratableReportHandler`): the graphical handler pads up to a label's
/// column, and Rust's formatting cannot pad that far (it panics).
pub fn draw(handler: &dyn ReportHandler, diagnostic: &dyn Diagnostic) -> String {
    struct Drawn<'a>(&'a dyn ReportHandler, &'a dyn Diagnostic);
    impl fmt::Display for Drawn<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.debug(self.1, f)
        }
    }
    if too_wide(diagnostic) {
        let words = miette::NarratableReportHandler::new();
        return Drawn(&words, diagnostic).to_string();
    }
    Drawn(handler, diagnostic).to_string()
}

/// The widest column the graphical handler is given: formatting pads to
/// at most `u16::MAX` characters, and a label's line is drawn with room
/// around it.
const MAX_COLUMN: usize = 60_000;

/// Whether some label of `diagnostic` (or of one related to it) ends
/// further right than [`MAX_COLUMN`].
fn too_wide(diagnostic: &dyn Diagnostic) -> bool {
    let own = match (diagnostic.source_code(), diagnostic.labels()) {
        (Some(source), Some(mut labels)) => labels.any(|label| {
            source
                .read_span(label.inner(), 0, 0)
                .is_ok_and(|at| at.column() + label.len() > MAX_COLUMN)
        }),
        _ => false,
    };
    own || diagnostic
        .related()
        .is_some_and(|mut related| related.any(too_wide))
}

/// Diagnostics of bad input, each with the file's text attached, then the
/// verdict line. `source` is `None` when the file could not be read.
pub fn render_invalid(
    file: &str,
    source: Option<&str>,
    diagnostics: &[&dyn Diagnostic],
    options: &HumanOptions,
    handler: &dyn ReportHandler,
) -> String {
    let named = source.map(|s| Source::new(file, s));
    let mut out = String::new();
    for &inner in diagnostics {
        let diagnostic = WithSource {
            inner,
            source: named.as_ref(),
        };
        out.push_str(&draw(handler, &diagnostic));
        ensure_blank_line(&mut out);
    }
    out.push_str(&invalid_verdict_line(file, diagnostics.len(), options));
    out.push('\n');
    out
}

/// `file: invalid: 2 problems, so nothing was checked`.
pub fn invalid_verdict_line(file: &str, count: usize, options: &HumanOptions) -> String {
    let paint = Paint::new(options.color);
    let detail = match count {
        1 => "1 problem, so nothing was checked".to_string(),
        n => format!("{n} problems, so nothing was checked"),
    };
    format!("{file}: {}: {detail}", paint.red(Verdict::Invalid.name()))
}

/// The one line `--quiet` prints: `file: errors: final, data-race`.
pub fn verdict_line(checked: &Checked, options: &HumanOptions) -> String {
    let paint = Paint::new(options.color);
    let outcome = checked.outcome;
    let verdict = Verdict::of(outcome);
    let errors = kinds_summary(outcome, Severity::Error);
    let warnings = kinds_summary(outcome, Severity::Warning);
    let denied = if options.deny_warnings {
        " (denied by --deny warnings)"
    } else {
        ""
    };
    let limit = outcome
        .limit
        .map(|l| format!("{}, before it was exhaustive", limit_text(l)));
    let word = match verdict {
        Verdict::Ok => paint.green(verdict.name()),
        Verdict::Errors | Verdict::Invalid => paint.red(verdict.name()),
        Verdict::Warnings if options.deny_warnings => paint.red(verdict.name()),
        Verdict::Warnings | Verdict::Inconclusive => paint.yellow(verdict.name()),
    };
    let mut parts = Vec::new();
    match verdict {
        Verdict::Errors => parts.push(errors),
        Verdict::Ok => parts.push("no violation in any schedule".to_string()),
        Verdict::Inconclusive => parts.push(format!(
            "{}; no error found so far",
            limit.clone().unwrap_or_default()
        )),
        Verdict::Warnings | Verdict::Invalid => {}
    }
    if !warnings.is_empty() {
        let label = if verdict == Verdict::Warnings {
            ""
        } else {
            "warnings: "
        };
        parts.push(format!("{label}{warnings}{denied}"));
    }
    if let (Some(limit), false) = (limit, verdict == Verdict::Inconclusive) {
        parts.push(limit);
    }
    let detail = parts.join("; ");
    format!("{}: {word}: {detail}", checked.file)
}

/// `explored 13 states, 18 transitions, depth 6` (and the time if asked).
pub fn stats_line(checked: &Checked, options: &HumanOptions) -> String {
    let stats = &checked.outcome.stats;
    let mut line = format!(
        "explored {} {}, {} {}, depth {}",
        stats.states,
        plural(stats.states, "state"),
        stats.transitions,
        plural(stats.transitions, "transition"),
        stats.depth
    );
    if options.elapsed {
        line.push_str(&format!(
            " in {} s",
            seconds_text(stats.elapsed.as_secs_f64())
        ));
    }
    if checked.outcome.limit.is_some() {
        line.push_str(" (incomplete)");
    }
    let memory = checked.program.memory;
    if let Some(n) = memory.buffer() {
        line.push_str(&format!(
            "; memory model {} (store buffers of {n} {})",
            memory.name(),
            plural(u64::from(n), "write")
        ));
    }
    if stats.fingerprints {
        line.push_str(&format!(
            "; chance a state was missed (fingerprint collision): {}",
            chance_text(stats.collision_probability())
        ));
    }
    Paint::new(options.color).dim(&line)
}

/// A small probability in scientific notation with two digits: `4.2e-18`.
pub fn chance_text(p: f64) -> String {
    if p >= 0.01 {
        format!("{:.0}%", p * 100.0)
    } else if p == 0.0 {
        "0".to_string()
    } else {
        format!("{p:.1e}")
    }
}

fn deadlock_section(
    checked: &Checked,
    finding: &Finding,
    lines: &LineIndex,
    paint: Paint,
) -> String {
    let Some(deadlock) = &finding.deadlock else {
        return String::new();
    };
    let mut out = String::from("\n");
    if !deadlock.waits.is_empty() {
        out.push_str(&format!("  {}\n", paint.bold("waiting:")));
        for wait in &deadlock.waits {
            let line = lines.line(wait.span.start as usize);
            out.push_str(&format!("    {}\n", wait_text(checked.program, wait, line)));
        }
    }
    if let Some(cycle) = cycle_text(checked.program, deadlock) {
        out.push_str(&format!("  {} {cycle}\n", paint.bold("wait-for cycle:")));
    }
    out
}

fn ensure_blank_line(out: &mut String) {
    while !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        word.to_string()
    } else {
        format!("{word}s")
    }
}
