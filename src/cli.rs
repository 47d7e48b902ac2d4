//! The command line: `weft check FILE...` and its flags (clap derive).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;
use weft_explore::Kind;

const TOP_EXAMPLES: &str = "\
Examples:
  weft check programs/01_counter_race.weft
  weft check --format json programs/*.weft > report.json
  weft check -D N=5 --max-states 1000000 programs/philosophers.weft
  weft schedules --classes programs/01_counter_race.weft
  weft run programs/01_counter_race.weft --schedule 'inc[0] inc[1] inc[0] inc[1]'
  weft graph --format svg programs/01_counter_race.weft > counter.svg

Exit codes: 0 no error found (exhaustive), 1 errors found, 2 bad input or
usage, 3 inconclusive (a limit stopped the search before it was exhaustive).
See docs/cli.md for every flag.";

const CHECK_EXAMPLES: &str = "\
Examples:
  weft check programs/01_counter_race.weft       every violation, with schedules
  weft check -q programs/*.weft                   one verdict line per file
  weft check --format json a.weft b.weft          a JSON list, one report per file
  weft check -D N=4 --timeout 30 philosophers.weft
  weft check --skip data-race,lost-update counter.weft
  weft check --check deadlock --deny warnings server.weft

Kinds for --check/--skip: assertion, invariant, final, deadlock, data-race,
lost-update, livelock, runtime, starvation.

Exit codes: 0 no error found (exhaustive), 1 errors found (or warnings with
--deny warnings), 2 bad input or usage, 3 inconclusive (a limit stopped the
search and no error was found). With several files, the worst one counts:
2, then 1, then 3, then 0.";

/// Find every bad schedule of a small concurrent program.
#[derive(Debug, Parser)]
#[command(name = "weft", version, after_help = TOP_EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Explore every interleaving of each file and report every violation.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Count every complete schedule and the bad ones; list them, group them.
    #[command(after_help = crate::schedules::SCHEDULES_EXAMPLES)]
    Schedules(crate::schedules::SchedulesArgs),
    /// Translate a program for another checker: `weft emit loom FILE`.
    Emit(crate::emit::EmitArgs),
    /// Run one schedule step by step, showing every state.
    #[command(after_help = crate::replay::RUN_EXAMPLES)]
    Run(crate::replay::RunArgs),
    /// Draw the state graph (DOT, JSON or SVG), violations and cycles highlighted.
    #[command(after_help = crate::graph::GRAPH_EXAMPLES)]
    Graph(crate::graph::GraphArgs),
}

/// The flags of `weft check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The weft programs to check.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Override a `const` of the program, e.g. `-D N=5` (repeatable).
    #[arg(short = 'D', long = "define", value_name = "NAME=VALUE", value_parser = parse_define)]
    pub defines: Vec<(String, String)>,

    /// How to print the report.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Stop after storing this many states (the verdict is then inconclusive
    /// unless an error was found).
    #[arg(long, value_name = "N")]
    pub max_states: Option<u64>,

    /// Do not explore schedules longer than this many steps.
    #[arg(long, value_name = "N")]
    pub max_depth: Option<u32>,

    /// Stop the search of each file after this many seconds (decimals allowed).
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub timeout: Option<Duration>,

    /// Stop the search of each file when weft holds more than this much
    /// memory, as in `512M` or `4G` (default: half the memory available
    /// when weft starts).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,

    #[command(flatten)]
    pub memory: MemoryArgs,

    /// Which infinite schedules count for livelock and starvation: `weak`
    /// (a thread that stays able to step is eventually scheduled) or `none`
    /// (every infinite schedule counts).
    #[arg(long, value_enum, default_value_t = Fairness::Weak)]
    pub fairness: Fairness,

    /// Store whole states instead of 64-bit fingerprints: no chance of a
    /// missed state, several times the memory.
    #[arg(long)]
    pub exact: bool,

    /// Worker threads expanding each layer of the search (default: one per
    /// core). Verdicts and schedules are the same for every value.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub jobs: Option<u16>,

    /// Explore states that differ only by a permutation of a thread group's
    /// instances separately (turns symmetry reduction off).
    #[arg(long)]
    pub no_symmetry: bool,

    /// Explore every interleaving of independent steps (turns
    /// partial-order reduction off).
    #[arg(long)]
    pub no_reduction: bool,

    /// Let a thread rest inside the local work in front of its next step
    /// between steps (turns settling off: more states, same verdicts).
    #[arg(long)]
    pub no_settle: bool,

    /// Look only for these kinds of violation (comma-separated).
    #[arg(long, value_name = "KIND,...", value_delimiter = ',', value_parser = parse_kind)]
    pub check: Vec<Kind>,

    /// Do not look for these kinds of violation (comma-separated).
    #[arg(long, value_name = "KIND,...", value_delimiter = ',', value_parser = parse_kind)]
    pub skip: Vec<Kind>,

    /// Treat warnings as errors: `--deny warnings` exits 1 on a warning.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub deny: Vec<Deny>,

    /// Print only the verdict line of each file.
    #[arg(short, long)]
    pub quiet: bool,

    /// Colour the human report: `auto` colours when stdout is a terminal
    /// and NO_COLOR is not set.
    #[arg(long, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,
}

impl CheckArgs {
    /// The kinds to look for: `--check` (or every kind) minus `--skip`.
    pub fn kinds(&self) -> Vec<Kind> {
        let base: &[Kind] = if self.check.is_empty() {
            &Kind::ALL
        } else {
            &self.check
        };
        Kind::ALL
            .into_iter()
            .filter(|k| base.contains(k) && !self.skip.contains(k))
            .collect()
    }

    pub fn deny_warnings(&self) -> bool {
        self.deny.contains(&Deny::Warnings)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics on the source, swim-lane schedules, a verdict line.
    Human,
    /// The versioned JSON report (docs/json-schema.md).
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MemoryModel {
    /// Sequential consistency: every write reaches memory as it happens.
    Sc,
    /// Total store order (x86): one first-in, first-out store buffer per thread.
    Tso,
    /// Partial store order: one store buffer per thread and variable.
    Pso,
}

/// The memory model flags, shared by every command that explores or
/// replays (LANGUAGE.md section 8).
#[derive(Debug, Args)]
pub struct MemoryArgs {
    /// The memory model: `sc` (sequential consistency, the default), `tso`
    /// (a store buffer per thread, like x86) or `pso` (a store buffer per
    /// thread and variable).
    #[arg(long, value_enum)]
    pub memory_model: Option<MemoryModel>,

    /// Most writes one store buffer holds under `tso` and `pso`; a thread
    /// whose buffer is full flushes before it writes again.
    #[arg(long, value_name = "N", default_value_t = 4, requires = "memory_model",
          value_parser = clap::value_parser!(u32).range(1..=16))]
    pub store_buffer: u32,
}

impl MemoryArgs {
    pub fn memory(&self) -> weft_ir::Memory {
        let buffer = self.store_buffer;
        match self.memory_model.unwrap_or(MemoryModel::Sc) {
            MemoryModel::Sc => weft_ir::Memory::Sc,
            MemoryModel::Tso => weft_ir::Memory::Tso { buffer },
            MemoryModel::Pso => weft_ir::Memory::Pso { buffer },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Fairness {
    /// Weak fairness: a thread that stays able to step is eventually scheduled.
    Weak,
    /// Every infinite schedule counts.
    None,
}

impl From<Fairness> for weft_explore::Fairness {
    fn from(f: Fairness) -> Self {
        match f {
            Fairness::Weak => weft_explore::Fairness::Weak,
            Fairness::None => weft_explore::Fairness::None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Deny {
    /// Exit 1 when a warning (starvation) is found.
    Warnings,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

pub(crate) fn parse_define(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() && !value.trim().is_empty() => {
            Ok((name.trim().to_string(), value.trim().to_string()))
        }
        _ => Err(format!(
            "expected NAME=VALUE, as in `-D N=5`, but got `{text}`"
        )),
    }
}

pub(crate) fn parse_seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text.parse().map_err(|_| {
        format!("expected a number of seconds, as in `--timeout 30`, but got `{text}`")
    })?;
    if !(seconds.is_finite() && seconds > 0.0) {
        Err(format!(
            "the timeout must be a positive number of seconds, not `{text}`"
        ))
    } else if seconds >= 1e9 {
        Err(format!(
            "the timeout must be less than 1000000000 seconds (about 31 years), not `{text}`"
        ))
    } else {
        Ok(Duration::from_secs_f64(seconds))
    }
}

/// A size in bytes: a number, optionally with a decimal part, and a unit
/// `K`, `M`, `G` or `T` (powers of 1024; `KB`, `MiB`, ... too).
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let bad = || format!("expected a size, as in `--max-memory 512M` or `4G`, but got `{text}`");
    let trimmed = text.trim();
    let digits = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits);
    let number: f64 = number.parse().map_err(|_| bad())?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => return Err(bad()),
    };
    let bytes = number * (1u64 << shift) as f64;
    if !(1.0..1.8e19).contains(&bytes) {
        return Err(format!(
            "the memory limit must be at least one byte and at most 16 EiB, not `{text}`"
        ));
    }
    Ok(bytes as u64)
}

fn parse_kind(text: &str) -> Result<Kind, String> {
    let text = text.trim();
    if let Some(kind) = Kind::from_name(text) {
        return Ok(kind);
    }
    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
    let hint = closest(text, &names)
        .map(|n| format!("did you mean `{n}`? "))
        .unwrap_or_default();
    Err(format!(
        "unknown kind `{text}`; {hint}the kinds are: {}",
        names.join(", ")
    ))
}

/// The known name nearest to a misspelling, if one is near enough.
fn closest<'a>(text: &str, names: &[&'a str]) -> Option<&'a str> {
    let text = text.to_ascii_lowercase().replace('_', "-");
    if text.is_empty() {
        return None;
    }
    names
        .iter()
        .map(|&n| (edit_distance(&text, n), n))
        .filter(|&(d, n)| d <= 2 || n.contains(text.as_str()))
        .min_by_key(|&(d, _)| d)
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_suggest_the_nearest_name() {
        assert_eq!(parse_kind("data-race"), Ok(Kind::DataRace));
        let err = parse_kind("race").expect_err("not a kind");
        assert!(err.contains("did you mean `data-race`?"), "{err}");
        let err = parse_kind("deadlok").expect_err("not a kind");
        assert!(err.contains("did you mean `deadlock`?"), "{err}");
        let err = parse_kind("lost_update").expect_err("not a kind");
        assert!(err.contains("did you mean `lost-update`?"), "{err}");
        let err = parse_kind("zzzzzzzz").expect_err("not a kind");
        assert!(!err.contains("did you mean"), "{err}");
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("1.5gib"), Ok(3 << 29));
        assert_eq!(parse_size("100 KB"), Ok(100 << 10));
        assert_eq!(parse_size("4096"), Ok(4096));
        for bad in ["", "G", "4X", "-1G", "0", "1.2.3M", "99999999T"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn defines_and_timeouts_parse() {
        assert_eq!(parse_define("N=5"), Ok(("N".into(), "5".into())));
        assert!(parse_define("N").is_err());
        assert!(parse_define("=5").is_err());
        assert_eq!(parse_seconds("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_seconds("-1").is_err());
        assert!(parse_seconds("NaN").is_err());
        assert!(parse_seconds("soon").is_err());
    }

    #[test]
    fn skip_removes_from_check() {
        let cli = Cli::parse_from([
            "weft",
            "check",
            "--check",
            "deadlock,final",
            "--skip",
            "final",
            "a.weft",
        ]);
        let Command::Check(args) = cli.command else {
            panic!("not parsed as check");
        };
        assert_eq!(args.kinds(), vec![Kind::Deadlock]);
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
