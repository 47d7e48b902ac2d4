//! Checking one file: read, decode, parse, lower, explore, report. Every
//! stage's failure becomes a report; nothing here exits or panics.

use crate::load::{front_end, Loaded};
use crate::progress::Progress;
use miette::Diagnostic;
use serde_json::Value;
use std::path::Path;
use weft_explore::{Options, Outcome, Severity};
use weft_report::{human, json, Checked, HumanOptions};

/// How one file ended, for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Ok,
    Errors,
    Invalid,
    Inconclusive,
}

impl Status {
    /// The exit code of this status alone.
    pub fn code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::Errors => 1,
            Status::Invalid => 2,
            Status::Inconclusive => 3,
        }
    }

    /// Which of two statuses decides the exit code of several files:
    /// bad input, then errors, then inconclusive, then ok.
    pub fn worst(self, other: Status) -> Status {
        let rank = |s: Status| match s {
            Status::Ok => 0,
            Status::Inconclusive => 1,
            Status::Errors => 2,
            Status::Invalid => 3,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }
}

/// What the report of one file looks like.
pub struct Settings {
    pub json: bool,
    pub quiet: bool,
    pub human: HumanOptions,
    pub handler: miette::MietteHandler,
    pub defines: Vec<(String, String)>,
    /// The memory model to run the programs under (`--memory-model`).
    pub memory: weft_ir::Memory,
    pub options: Options,
    /// Show a progress bar on stderr while exploring.
    pub progress: bool,
}

/// One file's report, ready to print.
pub enum Report {
    Text(String),
    Json(Value),
}

/// A file that could not be read.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("cannot read `{path}`: {reason}")]
#[diagnostic(
    code(weft::io),
    help("check the path: weft checks files that end in `.weft`, e.g. `weft check programs/01_counter_race.weft`")
)]
pub struct ReadError {
    pub path: String,
    pub reason: String,
}

/// A stage of weft crashed: a bug in weft, reported instead of a panic.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("weft crashed while checking this file: {message}")]
#[diagnostic(
    code(weft::internal),
    help("this is a bug in weft, not in your program; please report it with the file attached")
)]
pub struct InternalError {
    pub message: String,
}

/// Check one file and build its report.
pub fn check_file(path: &Path, settings: &Settings) -> (Report, Status) {
    let Loaded {
        file,
        source,
        mut program,
    } = match front_end(path, &settings.defines) {
        Ok(loaded) => loaded,
        Err(r) => return invalid(&r.file, r.source.as_deref(), &r.diagnostics(), settings),
    };
    program.memory = settings.memory;
    let bar = Progress::start(settings.progress);
    let outcome = weft_explore::check(&program, &settings.options, &mut |p| bar.update(p));
    bar.finish();
    let checked = Checked {
        file: &file,
        source: &source,
        program: &program,
        outcome: &outcome,
    };
    let report = if settings.json {
        Report::Json(json::report(&checked))
    } else if settings.quiet {
        Report::Text(human::verdict_line(&checked, &settings.human) + "\n")
    } else {
        Report::Text(human::render(&checked, &settings.human, &settings.handler))
    };
    (report, status(&outcome, settings.human.deny_warnings))
}

/// The report of a file whose check crashed.
pub fn crashed(path: &Path, message: String, settings: &Settings) -> (Report, Status) {
    let file = path.display().to_string();
    invalid(&file, None, &[&InternalError { message }], settings)
}

fn status(outcome: &Outcome, deny_warnings: bool) -> Status {
    let warnings = outcome
        .findings
        .iter()
        .any(|f| f.kind.severity() == Severity::Warning);
    if outcome.has_errors() || (deny_warnings && warnings) {
        Status::Errors
    } else if outcome.limit.is_some() {
        Status::Inconclusive
    } else {
        Status::Ok
    }
}

fn invalid(
    file: &str,
    source: Option<&str>,
    diagnostics: &[&dyn Diagnostic],
    settings: &Settings,
) -> (Report, Status) {
    let report = if settings.json {
        Report::Json(weft_report::invalid_report(file, source, diagnostics))
    } else if settings.quiet {
        Report::Text(human::invalid_verdict_line(file, diagnostics.len(), &settings.human) + "\n")
    } else {
        Report::Text(human::render_invalid(
            file,
            source,
            diagnostics,
            &settings.human,
            &settings.handler,
        ))
    };
    (report, Status::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_status_order() {
        use Status::*;
        assert_eq!(Ok.worst(Inconclusive), Inconclusive);
        assert_eq!(Inconclusive.worst(Errors), Errors);
        assert_eq!(Errors.worst(Invalid), Invalid);
        assert_eq!(Invalid.worst(Ok), Invalid);
        assert_eq!(Errors.worst(Inconclusive), Errors);
    }
}
