//! Every reduction, switched on or off, gives the same verdicts: the whole
//! catalogue and random programs (with thread groups, for symmetry) are
//! checked under the plain search (whole states, no reduction, one worker)
//! and under each reduction alone, all of them together, and several
//! workers. Workers must also give the very same findings and schedules.

use proptest::prelude::*;
use std::collections::BTreeSet;
use weft_explore::{check, Kind, Options, Outcome};

#[path = "support/catalogue.rs"]
mod catalogue;

#[path = "support/random_program.rs"]
mod random_program;
use random_program::{bodies, program};

fn compile(src: &str, defines: &[(String, String)]) -> Result<weft_ir::Program, String> {
    let ast = weft_syntax::parse(src).map_err(|e| format!("{e:?}"))?;
    weft_lower::compile(&ast, defines).map_err(|e| format!("{e:?}"))
}

/// The plain search: whole states, no reduction, no settling, one worker.
fn plain(checks: &[Kind]) -> Options {
    Options {
        checks: checks.to_vec(),
        exact: true,
        reduction: false,
        symmetry: false,
        settle: false,
        jobs: 1,
        ..Options::default()
    }
}

/// The variants of the plain search that must agree with it.
fn variants(checks: &[Kind]) -> Vec<(&'static str, Options)> {
    let base = plain(checks);
    vec![
        (
            "fingerprints",
            Options {
                exact: false,
                ..base.clone()
            },
        ),
        (
            "settled local work",
            Options {
                settle: true,
                ..base.clone()
            },
        ),
        (
            "partial-order reduction",
            Options {
                reduction: true,
                ..base.clone()
            },
        ),
        (
            "symmetry",
            Options {
                symmetry: true,
                ..base.clone()
            },
        ),
        (
            "everything, 2 jobs",
            Options {
                exact: false,
                reduction: true,
                symmetry: true,
                settle: true,
                jobs: 2,
                ..base.clone()
            },
        ),
    ]
}

fn kinds(out: &Outcome) -> BTreeSet<Kind> {
    out.findings.iter().map(|f| f.kind).collect()
}

/// What a finding says and the (thread, branch) steps of its schedule.
type Summary = Vec<(Kind, String, Vec<(u32, u32)>)>;

/// Findings with their schedules, for comparing workers.
fn findings(out: &Outcome) -> Summary {
    out.findings
        .iter()
        .map(|f| {
            let steps = f
                .schedule
                .iter()
                .chain(&f.cycle)
                .map(|s| (s.thread, s.branch))
                .collect();
            (f.kind, f.message.clone(), steps)
        })
        .collect()
}

/// The check sets to compare under: everything, and the safety checks
/// alone (the reductions stand down for livelock and starvation).
fn check_sets() -> [Vec<Kind>; 2] {
    let safety = Kind::ALL
        .into_iter()
        .filter(|k| !matches!(k, Kind::Livelock | Kind::Starvation))
        .collect();
    [Kind::ALL.to_vec(), safety]
}

/// Compare every variant with the plain search; an error names the first
/// difference.
fn agree(program: &weft_ir::Program, max_states: Option<u64>) -> Result<(), String> {
    for checks in check_sets() {
        let base_options = Options {
            max_states,
            ..plain(&checks)
        };
        let base = check(program, &base_options, &mut |_| {});
        if base.limit.is_some() {
            continue;
        }
        for (name, options) in variants(&checks) {
            let out = check(
                program,
                &Options {
                    max_states,
                    ..options
                },
                &mut |_| {},
            );
            if out.limit.is_some() {
                return Err(format!("{name}: stopped by {:?}", out.limit));
            }
            if kinds(&out) != kinds(&base) {
                return Err(format!(
                    "{name} with {checks:?}: {:?}, plain search: {:?}",
                    kinds(&out),
                    kinds(&base)
                ));
            }
            if out.stats.states > base.stats.states {
                return Err(format!(
                    "{name}: {} states, more than the plain search's {}",
                    out.stats.states, base.stats.states
                ));
            }
        }
        let two = check(
            program,
            &Options {
                jobs: 2,
                ..base_options.clone()
            },
            &mut |_| {},
        );
        if findings(&two) != findings(&base) || two.stats.states != base.stats.states {
            return Err("2 jobs: other findings or schedules than 1 job".to_string());
        }
    }
    Ok(())
}

/// The safety checks of `src` find exactly `expected` in the plain
/// search, and every reduction agrees.
fn safety_kinds_everywhere(src: &str, expected: Vec<Kind>) {
    let program = compile(src, &[]).expect("compiles");
    let [_, safety] = check_sets();
    let out = check(&program, &plain(&safety), &mut |_| {});
    assert_eq!(kinds(&out), expected.into_iter().collect(), "{src}");
    agree(&program, None).unwrap_or_else(|e| panic!("{e}\n{src}"));
}

#[test]
fn catalogue_verdicts_are_the_same_with_and_without_each_reduction() {
    let paths = catalogue::catalogue();
    let mut failures = Vec::new();
    for path in &paths {
        let src = std::fs::read_to_string(path).expect("readable");
        let program = compile(&src, &[]).expect("catalogue programs compile");
        if let Err(e) = agree(&program, None) {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A random program whose last thread is a group of `n` instances.
fn grouped(bodies: &[Vec<usize>], looping: bool, n: usize) -> String {
    let src = program(bodies, looping);
    let last = format!("thread t{} {{", bodies.len() - 1);
    src.replacen(&last, &format!("thread t{}[{n}] {{", bodies.len() - 1), 1)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_programs_have_the_same_verdicts_under_every_reduction(
        (bodies, looping) in bodies(),
        n in 1usize..=3,
    ) {
        let src = grouped(&bodies, looping, n);
        let program = compile(&src, &[]).map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
        agree(&program, Some(30_000)).map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
    }
}

/// The cycle proviso: a thread that loops forever on its own variable is
/// always a candidate to step alone; without the proviso the other thread
/// would never be scheduled and its failing assertion never seen.
#[test]
fn a_loop_cannot_postpone_another_thread_forever() {
    let src = "shared x: int in 0..2 = 0;\nshared y = 0;\n\
               thread spin { loop { x = 1 - x; } }\n\
               thread other { y = 1; assert y == 0, \"seen\"; }\n";
    let program = compile(src, &[]).expect("compiles");
    let [_, safety] = check_sets();
    let out = check(
        &program,
        &Options {
            reduction: true,
            ..plain(&safety)
        },
        &mut |_| {},
    );
    assert!(
        out.stats
            .reductions
            .iter()
            .any(|r| r == "partial-order reduction: on"),
        "{:?}",
        out.stats.reductions
    );
    assert_eq!(kinds(&out), BTreeSet::from([Kind::Assertion]));
}

/// A thread that took the last step of a labelled statement has left it,
/// though local work of the statement (clearing temporaries, the jump out
/// of an `if`) is still ahead of it; one in front of a label on local
/// work alone (`progress;`) is at it. Settled or not, with every
/// reduction, the same.
#[test]
fn a_thread_past_a_labelled_statement_has_left_it() {
    let cases = [
        // After the write of `y`, only the clear of `x + 1` is left.
        (
            "shared x = 0; shared y = 0; shared z = 0;
             thread a { l: y = x + 1; z = 5; }
             invariant !(a@l && y > 0);",
            vec![],
        ),
        // After `x = 1`, only the jump over the `else` branch is left.
        (
            "shared c = 1; shared x = 0; shared z = 0;
             thread a { l: if c == 1 { x = 1; } else { x = 2; } z = 5; }
             invariant !(a@l && x > 0);",
            vec![],
        ),
        // Between its steps the thread is inside; after the last, not.
        (
            "shared x = 0; shared y = 0;
             thread a { let k = 1; l: { x = k; y = 2; } x = 3; }
             invariant a@l || x != 1;",
            vec![Kind::Invariant],
        ),
        // In front of `progress;`, the thread is at its label.
        (
            "shared x = 0;
             thread a { x = 1; l: progress; x = 2; }
             invariant !(a@l && x == 1);",
            vec![Kind::Invariant],
        ),
    ];
    for (src, expected) in cases {
        safety_kinds_everywhere(src, expected);
    }
}

/// A write computed from a read does not make that read fresh for a later
/// write computed from it too: another thread's write in between is lost
/// (LANGUAGE.md 7). A read that no later write uses is done with, and a
/// read taken again is fresh. Settled or not, with every reduction, the
/// same.
#[test]
fn a_write_from_a_read_keeps_it_for_later_writes_from_it() {
    let handoff = "shared c = 0; semaphore go = 0; semaphore back = 0;
         thread b { go.acquire(); c = 100; back.release(); }";
    let cases = [
        // `c = t + 2` is computed from the read of 0; b wrote 100 since.
        (
            "thread a { let t = c; c = t + 1; go.release(); back.acquire(); c = t + 2; }",
            vec![Kind::LostUpdate],
        ),
        // The same read, written in a loop.
        (
            "thread a { let t = c; for i in 0..2 { c = t + i; go.release(); back.acquire(); } }
             thread d { go.acquire(); back.release(); }",
            vec![Kind::LostUpdate],
        ),
        // `t` no longer holds the read when `c = t` runs.
        (
            "thread a { let t = c; c = t + 1; t = 7; go.release(); back.acquire(); c = t; }",
            vec![],
        ),
        // `c += 1` reads `c` again, but `t` still holds the older read.
        (
            "thread a { let t = c; c += 1; go.release(); back.acquire(); c = t + 5; }",
            vec![Kind::LostUpdate],
        ),
        // Read again: the second write comes from a fresh read.
        (
            "thread a { let t = c; c = t + 1; go.release(); back.acquire(); let u = c; c = u + 1; }",
            vec![],
        ),
    ];
    for (a, expected) in cases {
        safety_kinds_everywhere(&format!("{handoff}\n{a}"), expected);
    }
}

/// A depth limit gives the same verdict with every reduction as without:
/// the partial-order reduction, which can reach a violation later than the
/// limit (here, a race in the first state, which it reports where it takes
/// a racing step), is off under one.
#[test]
fn a_depth_limit_gives_the_same_verdict_with_each_reduction() {
    let src = "shared x = 0; atomic a = 0;
         thread w { x = 1; }
         thread r { let t = x; }
         thread o { a.store(1); a.store(2); }";
    let program = compile(src, &[]).expect("compiles");
    let [_, safety] = check_sets();
    for depth in 0..3 {
        let base = check(
            &program,
            &Options {
                max_depth: Some(depth),
                ..plain(&safety)
            },
            &mut |_| {},
        );
        assert_eq!(kinds(&base), BTreeSet::from([Kind::DataRace]));
        for (name, options) in variants(&safety) {
            let out = check(
                &program,
                &Options {
                    max_depth: Some(depth),
                    ..options
                },
                &mut |_| {},
            );
            assert_eq!(kinds(&out), kinds(&base), "{name}, --max-depth {depth}");
        }
    }
}

/// Local work after a thread's last step runs with that step (LANGUAGE.md
/// 6, rule 3), and fails it when it fails: no other thread sees the state
/// between. In front of a later step it runs with that step instead.
#[test]
fn failing_work_after_the_last_step_fails_that_step() {
    let cases = [
        // The division by zero fails the store: `c` never sees `x == 1`.
        (
            "atomic x = 0; atomic y = 0;
             thread b { let z = y.load(); x.store(1); let d = 1 / z; }
             thread c { assert x == 0; }",
            vec![Kind::Runtime],
        ),
        // So does a local loop that never ends.
        (
            "atomic x = 0;
             thread b { x.store(1); let k = 0; while true { k = 1 - k; } }
             thread c { assert x == 0; }",
            vec![Kind::Runtime],
        ),
        // A `choose` after the last step is resolved in it: `a` has
        // finished by the time anyone sees `x == 1`.
        (
            "atomic x = 0;
             thread a { x.store(1); let k = choose(1..3); }
             thread c { let v = x.load(); assert v == 0 || done(a); }",
            vec![],
        ),
        // Settled or not, the division after the loop fails `x.store(1)`.
        (
            "atomic x = 0;
             thread a { let i = 0; while i < 1 { x.store(1); i = i + 1; } let y = 1 / (1 - i); }
             thread c { let v = x.load(); assert v != 1; }",
            vec![Kind::Runtime],
        ),
        // Here the division runs with `y.store(d)`, after `x.store(1)`.
        (
            "atomic x = 0; atomic y = 0;
             thread b { let z = y.load(); x.store(1); let d = 1 / z; y.store(d); }
             thread c { assert x == 0; }",
            vec![Kind::Assertion, Kind::Runtime],
        ),
    ];
    for (src, expected) in cases {
        safety_kinds_everywhere(src, expected);
    }
}

/// A step whose `choose`s make more than 65,536 branches fails once that
/// many ran, instead of running each of them (2^33 for 33 binary ones).
#[test]
fn a_step_with_too_many_ways_to_go_fails() {
    let src = "shared x = 0;
         thread t { let s = choose(0..65536) + choose(0..2); x = s % 2; }";
    let program = compile(src, &[]).expect("compiles");
    let [_, safety] = check_sets();
    let out = check(&program, &plain(&safety), &mut |_| {});
    assert_eq!(kinds(&out), BTreeSet::from([Kind::Runtime]));
}

/// Arithmetic on the left of a later step runs before it (LANGUAGE.md 6.1,
/// left to right): a division by zero there fails before the right
/// operand's read, `fetch_add` or `recv` happens.
#[test]
fn arithmetic_on_the_left_fails_before_the_steps_on_the_right() {
    let cases = [
        // The read of `y` never happens: no race with `q`.
        "shared x = 0; shared y = 0;
         thread p { let t = x / 0 + y; }
         thread q { y = 1; }",
        // The `fetch_add` never happens: `a` stays 0.
        "shared x = 0; atomic a = 0;
         thread p { let t = x / 0 + a.fetch_add(1); x = t; }
         invariant a == 0;",
        // The `recv` never waits: no deadlock.
        "shared x = 0; channel ch capacity 0;
         thread p { let t = x / 0 + ch.recv(); }",
        // In an `await` condition too.
        "shared x = 0;
         thread p { await 1 / 0 < x; }
         thread q { x = 1; }",
    ];
    for src in cases {
        safety_kinds_everywhere(src, vec![Kind::Runtime]);
    }
}
