//! Runs every loom model (generated from the catalogue, and the hand-written
//! classics) and asserts that loom's outcome matches weft's verdict.
//!
//! loom aborts the whole process on a deadlock (a second panic while
//! unwinding), so each model runs in a child process of this same binary,
//! selected by the `WEFT_LOOM_MODEL` environment variable; the parent reads
//! the child's exit status and output. The loom runs are heavy, so a plain
//! `cargo test` only compiles the models; run them with
//!
//!     cargo test -p weft-loom --test loom -- --ignored [NAME-FILTER...]
//!
//! The models too large for an exhaustive loom run (`BOUNDED`) run with
//! loom's preemption bound; `WEFT_LOOM_ALL=1` runs them exhaustively.

#[path = "classic/mod.rs"]
mod classic;
// Exactly what `weft emit loom --module` prints (tests/loom/fixtures.rs
// checks it), so rustfmt must leave it alone.
#[rustfmt::skip]
#[path = "generated/mod.rs"]
mod generated;
#[path = "shim.rs"]
mod shim;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use weft_explore::Kind;

const MODEL_VAR: &str = "WEFT_LOOM_MODEL";

/// A model that takes longer than this is a failure (and belongs in `BOUNDED`);
/// `WEFT_LOOM_SECONDS` changes it.
fn time_limit() -> Duration {
    let seconds = std::env::var("WEFT_LOOM_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    Duration::from_secs(seconds)
}

/// What loom did with a model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// Every execution passed.
    Passes,
    /// An `assert` of a thread failed (`assertion: ...`).
    Assertion,
    /// A `final assert` failed (`final: ...`).
    Final,
    /// A runtime error of weft's list panicked (`runtime: ...`, overflow,
    /// division by zero, index out of bounds).
    Runtime,
    /// loom reported a deadlock.
    Deadlock,
    /// loom's causality checker reported a data race on an `UnsafeCell`.
    Race,
    /// loom gave up: "Model exceeded maximum number of branches".
    BranchLimit,
    /// Anything else (a crash, a time-out).
    Other,
}

/// Where loom is known to differ from weft: the model, loom's outcome, why.
/// The test asserts the documented outcome (docs/loom.md explains each).
const KNOWN: &[(&str, Outcome, &str)] = &[
    (
        "46_spinlock_swap",
        Outcome::BranchLimit,
        "weft: ok; a `swap` spin loop has an endless loom path (the spinner is rescheduled \
         at its own yield), so loom gives up",
    ),
    (
        "47_spinlock_forgotten_release",
        Outcome::BranchLimit,
        "weft: livelock; loom has no livelock check and gives up on the endless spin",
    ),
    (
        "classic_peterson",
        Outcome::Race,
        "weft: ok; loom treats SeqCst loads as Acquire (loom #180), so a thread may read \
         the other's flag stale and both enter",
    ),
];

/// Models an exhaustive loom run cannot finish: the default run explores
/// every execution with at most this many preemptions (loom's
/// `LOOM_MAX_PREEMPTIONS`, which its documentation recommends for large
/// models), and why. `WEFT_LOOM_ALL=1` runs them without a bound.
const BOUNDED: &[(&str, u32, &str)] = &[
    (
        "14_bounded_buffer_semaphores",
        3,
        "3 threads over 2 semaphores and a mutex: exhaustively over 187,000 executions \
         in 150 s (debug build); see docs/loom.md",
    ),
    (
        "22_channel_fan_in",
        3,
        "4 threads, a rendezvous channel and two `join`s: exhaustively over 392,000 \
         executions in 150 s (debug build), over 2,600,000 in 300 s (release); see docs/loom.md",
    ),
];

fn main() -> ExitCode {
    if let Ok(name) = std::env::var(MODEL_VAR) {
        return child(&name);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args
        .iter()
        .any(|a| a == "--ignored" || a == "--include-ignored")
    {
        println!(
            "loom agreement: {} models compiled, none run (they take minutes); run them with\n  \
             cargo test -p weft-loom --test loom -- --ignored",
            all_models().len()
        );
        return ExitCode::SUCCESS;
    }
    for name in KNOWN.iter().map(|k| k.0).chain(BOUNDED.iter().map(|h| h.0)) {
        assert!(
            all_models().iter().any(|(n, _)| *n == name),
            "KNOWN or BOUNDED names {name}, which is not a model"
        );
    }
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let everything = std::env::var_os("WEFT_LOOM_ALL").is_some_and(|v| v == "1");
    let mut failed = 0;
    let mut passed = 0;
    println!(
        "{:<36} {:<34} {:<12} {:>11} {:>8}",
        "model", "weft verdict", "loom", "executions", "seconds"
    );
    let total = Instant::now();
    for (name, _) in all_models() {
        if !filters.is_empty() && !filters.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let bound = BOUNDED
            .iter()
            .find(|(n, _, _)| *n == name)
            .filter(|_| !everything);
        let (kinds, expected) = expectation(name);
        let run = run_child(name, bound.map(|b| b.1));
        let verdict = if kinds.is_empty() {
            "ok".to_string()
        } else {
            kinds
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let executions = run.executions.map_or("-".to_string(), |n| n.to_string());
        let known = KNOWN.iter().find(|(n, _, _)| *n == name);
        let ok = match known {
            Some((_, documented, _)) => run.outcome == *documented,
            None => expected.contains(&run.outcome),
        };
        let note = match (ok, known, bound) {
            (true, Some((_, _, why)), _) => format!("  (documented: {why})"),
            (true, None, Some((_, b, why))) => format!("  (at most {b} preemptions: {why})"),
            (true, None, None) => String::new(),
            (false, _, _) => format!(
                "  MISMATCH: expected {expected:?}{}\n{}",
                known.map_or(String::new(), |k| format!(" (documented {:?})", k.1)),
                run.tail
            ),
        };
        println!(
            "{name:<36} {verdict:<34} {:<12} {executions:>11} {:>8.1}{note}",
            format!("{:?}", run.outcome),
            run.seconds
        );
        if ok {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    println!("loom agreement took {:.0} s", total.elapsed().as_secs_f64());
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Every model: generated ones by program name, then the classics.
fn all_models() -> Vec<(&'static str, fn())> {
    let generated = generated::MODELS.iter().map(|(n, f)| (*n, *f));
    let classics = classic::MODELS.iter().map(|(n, _, f)| (*n, *f));
    generated.chain(classics).collect()
}

/// The weft program a model stands for.
fn program_of(name: &str) -> String {
    match classic::MODELS.iter().find(|(n, _, _)| *n == name) {
        Some((_, program, _)) => program.to_string(),
        None => name.to_string(),
    }
}

/// Run in the child: one model under loom, then print how many executions
/// it took. A failure panics (or aborts) before that line.
fn child(name: &str) -> ExitCode {
    let Some((_, model)) = all_models().into_iter().find(|(n, _)| *n == name) else {
        eprintln!("no loom model named {name}");
        return ExitCode::from(2);
    };
    // A failure panics (and a deadlock may abort): say how far loom got first.
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        eprintln!("executions: {}", shim::executions());
        report(info);
    }));
    // Progress, so that a model stopped at the time limit still says how
    // many executions it got through.
    std::thread::spawn(|| loop {
        std::thread::sleep(Duration::from_secs(5));
        println!("executions: {}", shim::executions());
    });
    model();
    println!("executions: {}", shim::executions());
    ExitCode::SUCCESS
}

struct Run {
    outcome: Outcome,
    executions: Option<u64>,
    seconds: f64,
    /// The end of the child's stderr, to show on a mismatch.
    tail: String,
}

/// Run one model in a child process, with loom's preemption bound if given.
fn run_child(name: &str, preemptions: Option<u32>) -> Run {
    let start = Instant::now();
    let exe = std::env::current_exe().expect("the test binary's path");
    let mut command = Command::new(exe);
    match preemptions {
        Some(b) => command.env("LOOM_MAX_PREEMPTIONS", b.to_string()),
        None => command.env_remove("LOOM_MAX_PREEMPTIONS"),
    };
    let mut child = command
        .env(MODEL_VAR, name)
        .env("RUST_BACKTRACE", "0")
        .env_remove("LOOM_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start a child process");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() > time_limit() => {
                let _ = child.kill();
                timed_out = true;
                break child.wait().ok();
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => break None,
        }
    };
    let out = out_reader.join().unwrap_or_default();
    let err = err_reader.join().unwrap_or_default();
    let seconds = start.elapsed().as_secs_f64();
    let executions = out
        .lines()
        .chain(err.lines())
        .filter_map(|l| l.strip_prefix("executions: "))
        .filter_map(|n| n.trim().parse().ok())
        .max();
    let outcome = if timed_out {
        Outcome::Other
    } else if status.is_some_and(|s| s.success()) {
        Outcome::Passes
    } else {
        classify(&err)
    };
    let tail: Vec<&str> = err.lines().rev().take(12).collect();
    let tail = tail.into_iter().rev().collect::<Vec<_>>().join("\n");
    let tail = if timed_out {
        format!("timed out after {} s\n{tail}", time_limit().as_secs())
    } else {
        tail
    };
    Run {
        outcome,
        executions,
        seconds,
        tail,
    }
}

/// The first failure the child printed.
fn classify(stderr: &str) -> Outcome {
    const MARKERS: &[(&str, Outcome)] = &[
        ("Causality violation", Outcome::Race),
        ("deadlock", Outcome::Deadlock),
        (
            "Model exceeded maximum number of branches",
            Outcome::BranchLimit,
        ),
        ("assertion: ", Outcome::Assertion),
        ("final: ", Outcome::Final),
        ("runtime: ", Outcome::Runtime),
        ("attempt to add with overflow", Outcome::Runtime),
        ("attempt to subtract with overflow", Outcome::Runtime),
        ("attempt to multiply with overflow", Outcome::Runtime),
        ("attempt to negate with overflow", Outcome::Runtime),
        ("attempt to divide by zero", Outcome::Runtime),
        (
            "attempt to calculate the remainder with a divisor of zero",
            Outcome::Runtime,
        ),
        ("index out of bounds", Outcome::Runtime),
    ];
    MARKERS
        .iter()
        .filter_map(|(m, o)| stderr.find(m).map(|at| (at, *o)))
        .min_by_key(|(at, _)| *at)
        .map_or(Outcome::Other, |(_, o)| o)
}

/// weft's error kinds for the model's program, and the loom outcomes that
/// agree with them: a data race shows as loom's causality violation (loom
/// stops at the first failure, and a race is found on the first unordered
/// access); otherwise a deadlock as loom's deadlock; otherwise a failed
/// assertion, final assertion or runtime error as the matching panic;
/// no error as a pass.
fn expectation(name: &str) -> (Vec<Kind>, BTreeSet<Outcome>) {
    let program = program_of(name);
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../programs")
        .join(format!("{program}.weft"));
    let source = std::fs::read_to_string(&path).expect("the model's program exists");
    let ast = weft_syntax::parse(&source).expect("a catalogue program parses");
    let defines = header_defines(&source);
    let ir = weft_lower::compile(&ast, &defines).expect("a catalogue program compiles");
    let outcome = weft_explore::check(&ir, &weft_explore::Options::default(), &mut |_| {});
    let kinds: BTreeSet<Kind> = outcome
        .findings
        .iter()
        .map(|f| f.kind)
        .filter(|k| k.severity() == weft_explore::Severity::Error)
        .collect();
    let mut expected = BTreeSet::new();
    if kinds.contains(&Kind::DataRace) {
        expected.insert(Outcome::Race);
    } else if kinds.contains(&Kind::Deadlock) {
        expected.insert(Outcome::Deadlock);
    } else {
        for (kind, outcome) in [
            (Kind::Assertion, Outcome::Assertion),
            (Kind::Final, Outcome::Final),
            (Kind::Runtime, Outcome::Runtime),
        ] {
            if kinds.contains(&kind) {
                expected.insert(outcome);
            }
        }
        if kinds.is_empty() {
            expected.insert(Outcome::Passes);
        }
    }
    let mut kinds: Vec<Kind> = kinds.into_iter().collect();
    kinds.sort_by_key(|k| k.name());
    (kinds, expected)
}

/// The `-D` pairs of a program's `// args:` header.
fn header_defines(source: &str) -> Vec<(String, String)> {
    let Some(line) = source.lines().find_map(|l| l.strip_prefix("// args:")) else {
        return Vec::new();
    };
    line.split("-D")
        .filter_map(|p| p.trim().split_once('='))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect()
}
