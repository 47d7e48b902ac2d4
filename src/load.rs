//! Reading and compiling one program, for every command: read, decode,
//! parse, lower; a file that cannot be used becomes a diagnostic report
//! (exit 2). Also the large-stack thread each file is handled on.

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

/// A file the front end refused: what to show, and where.
pub struct Rejected {
    pub file: String,
    /// The text to point into (lossy for a file that is not UTF-8), if any.
    pub source: Option<String>,
    pub diagnostics: Vec<Box<dyn Diagnostic + Send + Sync>>,
}

impl Rejected {
    pub fn diagnostics(&self) -> Vec<&dyn Diagnostic> {
        self.diagnostics.iter().map(|d| d.as_ref() as _).collect()
    }
}

fn boxed<E: Diagnostic + Send + Sync + 'static>(
    errors: Vec<E>,
) -> Vec<Box<dyn Diagnostic + Send + Sync>> {
    errors.into_iter().map(|e| Box::new(e) as _).collect()
}

/// Read, decode, parse and compile `path`: the front end every command
/// shares.
pub fn front_end(path: &Path, defines: &[(String, String)]) -> Result<Loaded, Rejected> {
    let file = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            let error = ReadError {
                path: file.clone(),
                reason: e.to_string(),
            };
            let diagnostics = boxed(vec![error]);
            return Err(Rejected {
                file,
                source: None,
                diagnostics,
            });
        }
    };
    let source = match weft_syntax::decode(&bytes) {
        Ok(source) => source.to_string(),
        Err(error) => {
            // Show what can be shown: the text up to (and around) the bad byte.
            let lossy = String::from_utf8_lossy(&bytes).into_owned();
            let diagnostics = boxed(vec![error]);
            return Err(Rejected {
                file,
                source: Some(lossy),
                diagnostics,
            });
        }
    };
    let compiled = match weft_syntax::parse(&source) {
        Ok(ast) => weft_lower::compile(&ast, defines).map_err(boxed),
        Err(errors) => Err(boxed(errors)),
    };
    match compiled {
        Ok(program) => Ok(Loaded {
            file,
            source,
            program,
        }),
        Err(diagnostics) => Err(Rejected {
            file,
            source: Some(source),
            diagnostics,
        }),
    }
}

/// [`front_end`], with a refusal already rendered as the report to print.
pub fn load(path: &Path, defines: &[(String, String)], look: &Look) -> Result<Loaded, String> {
    front_end(path, defines)
        .map_err(|r| invalid(&r.file, r.source.as_deref(), &r.diagnostics(), look))
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

/// Deeply nested input must not overflow the stack of a recursive stage:
/// each file is handled on a thread with this much room.
const STACK_SIZE: usize = 256 * 1024 * 1024;

/// Run `f` on a thread with a large stack; a panic in any stage becomes
/// `Err(message)` instead of a crash.
pub fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> Result<T, String> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("weft-file".into())
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

/// Run one command on a file: `f` on a large stack (a panic becomes an
/// internal-error report), its text to stdout, its code as the exit code.
pub fn run_command(
    file: &Path,
    look: &Look,
    f: impl FnOnce() -> (String, u8) + Send,
) -> std::process::ExitCode {
    use std::io::Write;
    let (text, code) = match on_big_stack(f) {
        Ok(done) => done,
        Err(message) => (crashed(file, message, look), 2),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = write!(stdout, "{text}");
    let _ = stdout.flush();
    std::process::ExitCode::from(code)
}
