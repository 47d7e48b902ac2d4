//! `weft emit loom FILE`: print a Rust test that runs the program under loom
//! (the translation is `weft-loom`; this module reads the file and prints).

use crate::run::ReadError;
use clap::{Args, Subcommand};
use miette::Diagnostic;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use weft_report::{human, HumanOptions};

pub const EMIT_EXAMPLES: &str = "\
Examples:
  weft emit loom programs/03_counter_locked.weft > tests/counter_locked.rs
  weft emit loom -D N=3 programs/04_counter_atomic.weft
  weft emit loom --module programs/09_lock_order_deadlock.weft

Constructs loom cannot express (`fair`, `progress;`, invariants, `t@label`,
more than 5 threads) are refused with a diagnostic and exit code 2.
See docs/loom.md.";

/// The flags of `weft emit`.
#[derive(Debug, Args)]
pub struct EmitArgs {
    #[command(subcommand)]
    pub target: EmitTarget,
}

#[derive(Debug, Subcommand)]
pub enum EmitTarget {
    /// A Rust test that runs the program under loom.
    #[command(after_help = EMIT_EXAMPLES)]
    Loom(LoomArgs),
}

/// The flags of `weft emit loom`.
#[derive(Debug, Args)]
pub struct LoomArgs {
    /// The weft program to translate.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Override a `const` of the program, e.g. `-D N=3` (repeatable).
    #[arg(short = 'D', long = "define", value_name = "NAME=VALUE", value_parser = crate::cli::parse_define)]
    pub defines: Vec<(String, String)>,

    /// Print only the model module, which uses `crate::shim` (how the
    /// fixtures under tests/loom/generated/ are written), instead of a
    /// self-contained test file.
    #[arg(long)]
    pub module: bool,
}

pub fn main(args: EmitArgs) -> ExitCode {
    let EmitTarget::Loom(args) = args.target;
    match loom(&args) {
        Ok(text) => {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(text.as_bytes());
            let _ = stdout.flush();
            ExitCode::SUCCESS
        }
        Err(report) => {
            let _ = std::io::stderr().write_all(report.as_bytes());
            ExitCode::from(2)
        }
    }
}

/// The translation, or the diagnostics to print.
fn loom(args: &LoomArgs) -> Result<String, String> {
    let file = args.file.display().to_string();
    let bytes = std::fs::read(&args.file).map_err(|e| {
        let error = ReadError {
            path: file.clone(),
            reason: e.to_string(),
        };
        invalid(&file, None, &[&error])
    })?;
    let source = match weft_syntax::decode(&bytes) {
        Ok(source) => source,
        Err(error) => {
            let lossy = String::from_utf8_lossy(&bytes);
            return Err(invalid(&file, Some(&lossy), &[&error]));
        }
    };
    let ast = weft_syntax::parse(source).map_err(|errors| {
        let d: Vec<&dyn Diagnostic> = errors.iter().map(|e| e as _).collect();
        invalid(&file, Some(source), &d)
    })?;
    let program = weft_lower::compile(&ast, &args.defines).map_err(|errors| {
        let d: Vec<&dyn Diagnostic> = errors.iter().map(|e| e as _).collect();
        invalid(&file, Some(source), &d)
    })?;
    let options = weft_loom::Options {
        source_name: file.clone(),
        defines: args.defines.clone(),
        module_only: args.module,
    };
    weft_loom::emit(&ast, &program, &options).map_err(|errors| {
        let d: Vec<&dyn Diagnostic> = errors.iter().map(|e| e as _).collect();
        invalid(&file, Some(source), &d)
    })
}

fn invalid(file: &str, source: Option<&str>, diagnostics: &[&dyn Diagnostic]) -> String {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let handler = miette::MietteHandlerOpts::new()
        .force_graphical(true)
        .color(color)
        .unicode(true)
        .terminal_links(false)
        .width(100)
        .build();
    let options = HumanOptions {
        color,
        elapsed: false,
        deny_warnings: false,
    };
    human::render_invalid(file, source, diagnostics, &options, &handler)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(file: &str, module: bool) -> LoomArgs {
        LoomArgs {
            file: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(file),
            defines: Vec::new(),
            module,
        }
    }

    #[test]
    fn module_output_is_the_checked_in_fixture() {
        let text = loom(&args("programs/09_lock_order_deadlock.weft", true)).expect("translates");
        let fixture = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/loom/generated/p09_lock_order_deadlock.rs"),
        )
        .expect("the fixture exists");
        // The fixture names the program by its path from the repository root.
        let here = args("programs/09_lock_order_deadlock.weft", true).file;
        let text = text.replace(
            &here.display().to_string(),
            "programs/09_lock_order_deadlock.weft",
        );
        assert_eq!(text, fixture);
    }

    #[test]
    fn self_contained_output_has_the_shim_and_a_test() {
        let text = loom(&args("programs/03_counter_locked.weft", false)).expect("translates");
        assert!(text.contains("mod shim {"));
        assert!(text.contains("pub struct Held<'a>"));
        assert!(text.contains("mod model {"));
        assert!(text.contains("#[test]\nfn p03_counter_locked() {\n    model::check();\n}"));
    }

    #[test]
    fn refusals_are_diagnostics_on_the_construct() {
        let report = loom(&args("programs/51_fair_mutex.weft", false)).expect_err("refused");
        assert!(report.contains("weft::loom_unsupported"), "{report}");
        assert!(
            report.contains("loom cannot express a `fair` object"),
            "{report}"
        );
        assert!(report.contains("fair mutex m;"), "{report}");
        assert!(
            report.contains("loom cannot express `progress;`"),
            "{report}"
        );
    }

    #[test]
    fn a_missing_file_is_reported() {
        let report = loom(&args("programs/no_such_program.weft", false)).expect_err("no file");
        assert!(report.contains("cannot read"), "{report}");
    }
}
