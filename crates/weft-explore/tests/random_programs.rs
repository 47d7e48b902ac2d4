//! Random programs through the whole pipeline: the explorer never panics,
//! always finishes, gives the same answer twice, and every reported schedule
//! replays step for step.

use proptest::prelude::*;
use weft_explore::{check, replay, Exec, Fairness, Kind, Options};

/// Statements a thread body is made of: every object kind, races, choices,
/// loops that end and loops that may not.
const STATEMENTS: &[&str] = &[
    "x = x + 1;",
    "x = y;",
    "let t = x; y = t + 1;",
    "a.fetch_add(1);",
    "with m { x = x + 1; }",
    "with m { with n { y = y + 1; } }",
    "with n { with m { y = y + 1; } }",
    "s.acquire(); x = 1; s.release();",
    "if x == 0 { y = 1; }",
    "assert x >= 0;",
    "assert y < 2, \"y stays small\";",
    "ch.send(1);",
    "let v = ch.recv(); y = v;",
    "let c = choose(0..2); if c == 1 { a.store(2); }",
    "while a.load() < 1 { a.fetch_add(1); }",
    "if m.try_lock() { x = 2; m.unlock(); }",
    "atomic { x = x + 1; y = y + 1; }",
    "await a.load() >= 0;",
    "with rw.read { let r = y; }",
    "with rw.write { y = 0; }",
    "b.wait();",
    "g = g + 1;",
    "for i in 0..2 { a.fetch_add(i); }",
];

fn program(bodies: &[Vec<usize>], looping: bool) -> String {
    let mut src = String::from(
        // Ranges keep looping programs finite: a value out of range is a
        // runtime error, which ends that branch.
        "shared x: int in 0..4 = 0;\nshared y: int in 0..4 = 0;\natomic a: int in 0..4 = 0;\n\
         ghost g: int in 0..4 = 0;\nmutex m;\nmutex n;\nrwlock rw;\nsemaphore s = 1;\n\
         channel ch capacity 1;\nbarrier b = 2;\n",
    );
    for (i, body) in bodies.iter().enumerate() {
        src.push_str(&format!("thread t{i} {{\n"));
        if looping && i == 0 {
            src.push_str("    loop {\n");
        }
        for &k in body {
            // A block each, so that two `let`s of one name do not clash.
            src.push_str(&format!("    {{ {} }}\n", STATEMENTS[k]));
        }
        if looping && i == 0 {
            src.push_str("    progress;\n    }\n");
        }
        src.push_str("}\n");
    }
    src.push_str("final assert x >= 0;\ninvariant y >= 0;\n");
    src
}

fn bodies() -> impl Strategy<Value = (Vec<Vec<usize>>, bool)> {
    (
        prop::collection::vec(prop::collection::vec(0..STATEMENTS.len(), 1..4), 2..=3),
        any::<bool>(),
    )
}

/// What a finding says and the (thread, branch) steps of its schedule.
type Summary = Vec<(Kind, String, Vec<(u32, u32)>)>;

fn summary(out: &weft_explore::Outcome) -> Summary {
    out.findings
        .iter()
        .map(|f| {
            let steps = f.schedule.iter().map(|s| (s.thread, s.branch)).collect();
            (f.kind, f.message.clone(), steps)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_programs_explore_deterministically_and_replay((bodies, looping) in bodies()) {
        let src = program(&bodies, looping);
        let ast = weft_syntax::parse(&src).map_err(|e| TestCaseError::fail(format!("{e:?}\n{src}")))?;
        let program = weft_lower::compile(&ast, &[]).map_err(|e| TestCaseError::fail(format!("{e:?}\n{src}")))?;
        // A limit keeps the debug-build test fast; the search is
        // deterministic whether or not it stops early.
        let options = Options { max_states: Some(20_000), ..Options::default() };
        let first = check(&program, &options, &mut |_| {});
        let second = check(&program, &options, &mut |_| {});
        prop_assert_eq!(summary(&first), summary(&second));

        // Every schedule replays in full, from the initial state.
        let exec = Exec::new(&program);
        let init = exec.layout.initial(&program);
        for f in &first.findings {
            let path: Vec<(u32, u32)> = f.schedule.iter().chain(&f.cycle).map(|s| (s.thread, s.branch)).collect();
            let (steps, _) = replay(&exec, &init, &path);
            prop_assert_eq!(steps.len(), path.len(), "{:?} does not replay:\n{}", f.kind, src);
        }

        // Dropping fairness only adds liveness findings (on a whole graph).
        if first.limit.is_some() {
            return Ok(());
        }
        let unfair = check(&program, &Options { fairness: Fairness::None, ..options.clone() }, &mut |_| {});
        let live = |o: &weft_explore::Outcome, k: Kind| o.findings.iter().filter(|f| f.kind == k).count();
        prop_assert!(live(&first, Kind::Livelock) <= live(&unfair, Kind::Livelock));
        prop_assert!(live(&first, Kind::Starvation) <= live(&unfair, Kind::Starvation));
    }
}
