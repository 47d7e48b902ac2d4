//! Reading and compiling one program for the commands that work on its
//! state graph (`schedules`, `run`): the same stages as `weft check`, with
//! a diagnostic report (exit 2) for a file that cannot be used.

use crate::run::{InternalError, ReadError};
use miette::Diagnostic;
use std::io::IsTerminal;
use std::path::Path;
use weft_report::{human, HumanOptions};

/// A program ready to explore, with its text for line numbers.
pub struct Loaded {
    pub file: String,
    pub source: String,
    pub program: weft_ir::Program,
}

/// How to print a diagnostic report.
pub struct Look {
    pub json: bool,
    pub color: bool,
}

/// Read, decode, parse and compile `path`. On failure, the report to print
/// (diagnostics on the source, or the JSON invalid report).
pub fn load(path: &Path, defines: &[(String, String)], look: &Look) -> Result<Loaded, String> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| {
        let error = ReadError {
            path: file.clone(),
            reason: e.to_string(),
        };
        invalid(&file, None, &[&error], look)
    })?;
    let source = match weft_syntax::decode(&bytes) {
        Ok(source) => source.to_string(),
        Err(error) => {
            let lossy = String::from_utf8_lossy(&bytes);
            return Err(invalid(&file, Some(&lossy), &[&error], look));
        }
    };
    let program = match weft_syntax::parse(&source) {
        Ok(ast) => match weft_lower::compile(&ast, defines) {
            Ok(program) => program,
            Err(errors) => {
                let d: Vec<&dyn Diagnostic> = errors.iter().map(|e| e as _).collect();
                return Err(invalid(&file, Some(&source), &d, look));
            }
        },
        Err(errors) => {
            let d: Vec<&dyn Diagnostic> = errors.iter().map(|e| e as _).collect();
            return Err(invalid(&file, Some(&source), &d, look));
        }
    };
    Ok(Loaded {
        file,
        source,
        program,
    })
}

/// The report of a stage that panicked.
pub fn crashed(path: &Path, message: String, look: &Look) -> String {
    let file = path.display().to_string();
    invalid(&file, None, &[&InternalError { message }], look)
}

fn invalid(
    file: &str,
    source: Option<&str>,
    diagnostics: &[&dyn Diagnostic],
    look: &Look,
) -> String {
    if look.json {
        let doc = weft_report::invalid_report(file, source, diagnostics);
        return serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
    }
    let options = HumanOptions {
        color: look.color,
        elapsed: false,
        deny_warnings: false,
    };
    let mut handler = miette::MietteHandlerOpts::new()
        .force_graphical(true)
        .color(look.color)
        .unicode(true)
        .terminal_links(false);
    if !std::io::stdout().is_terminal() {
        handler = handler.width(100);
    }
    human::render_invalid(file, source, diagnostics, &options, &handler.build())
}

/// Run `f` on a thread with a large stack (deeply nested input must not
/// overflow a recursive stage); a panic becomes `Err(message)`.
pub fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T, String> {
    const STACK_SIZE: usize = 256 * 1024 * 1024;
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("weft-schedules".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, f)
            .map_err(|e| format!("cannot start a thread: {e}"))?;
        handle.join().map_err(|panic| {
            panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a stage panicked".to_string())
        })
    })
}
