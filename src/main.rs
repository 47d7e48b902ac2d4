//! `weft`: the command line. Reads files, runs the pipeline of the library
//! crates on each, prints the reports and sets the exit code. The only part
//! of weft that does IO.

mod cli;
mod emit;
mod graph;
mod load;
mod progress;
mod replay;
mod run;
mod schedules;

use clap::{CommandFactory, Parser};
use cli::{CheckArgs, Cli, Color, Command, Format};
use run::{Report, Settings, Status};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

/// Miette's width for reports that are not going to a terminal, fixed so
/// that piped output (and snapshots of it) does not depend on the machine.
const PIPED_WIDTH: usize = 100;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check(args),
        Command::Schedules(args) => schedules::main(args),
        Command::Emit(args) => emit::main(args),
        Command::Run(args) => replay::main(args),
        Command::Graph(args) => graph::main(args),
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let kinds = args.kinds();
    if kinds.is_empty() {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--check and --skip leave no kind of violation to look for",
            )
            .exit();
    }
    let settings = settings(&args, kinds);
    let mut status = Status::Ok;
    let mut json = Vec::new();
    let mut stdout = std::io::stdout().lock();
    for (i, path) in args.files.iter().enumerate() {
        let (report, file_status) = check_on_big_stack(path, &settings);
        status = status.worst(file_status);
        match report {
            Report::Json(value) => json.push(value),
            Report::Text(text) => {
                let gap = if i > 0 && !settings.quiet { "\n" } else { "" };
                // A closed pipe (`weft check ... | head`) is not worth a panic.
                let _ = write!(stdout, "{gap}{text}");
                let _ = stdout.flush();
            }
        }
    }
    if settings.json {
        let doc = if json.len() == 1 {
            json.pop().unwrap_or_default()
        } else {
            serde_json::Value::Array(json)
        };
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        let _ = writeln!(stdout, "{text}");
    }
    ExitCode::from(status.code())
}

fn settings(args: &CheckArgs, kinds: Vec<weft_explore::Kind>) -> Settings {
    let stdout_tty = std::io::stdout().is_terminal();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => stdout_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let mut handler = miette::MietteHandlerOpts::new()
        .force_graphical(true)
        .color(color)
        .unicode(true)
        .terminal_links(false);
    if !stdout_tty {
        handler = handler.width(PIPED_WIDTH);
    }
    let json = args.format == Format::Json;
    Settings {
        json,
        quiet: args.quiet,
        human: weft_report::HumanOptions {
            color,
            // Timings only for a person watching; piped output stays stable.
            elapsed: stdout_tty,
            deny_warnings: args.deny_warnings(),
        },
        handler: handler.build(),
        defines: args.defines.clone(),
        memory: args.memory.memory(),
        options: weft_explore::Options {
            checks: kinds,
            max_states: args.max_states,
            max_depth: args.max_depth,
            timeout: args.timeout,
            max_memory: args.max_memory.or_else(weft_explore::default_max_memory),
            fairness: args.fairness.into(),
            record_graph: false,
            exact: args.exact,
            jobs: args.jobs.map_or(0, usize::from),
            symmetry: !args.no_symmetry,
            reduction: !args.no_reduction,
            settle: !args.no_settle,
        },
        progress: std::io::stderr().is_terminal() && !json && !args.quiet,
    }
}

/// Check one file on a thread with a large stack; a panic in any stage
/// becomes an internal-error report for that file instead of a crash.
fn check_on_big_stack(path: &std::path::Path, settings: &Settings) -> (Report, Status) {
    load::on_big_stack(|| run::check_file(path, settings))
        .unwrap_or_else(|message| run::crashed(path, message, settings))
}
