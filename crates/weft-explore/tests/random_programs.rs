//! Random programs through the whole pipeline: the explorer never panics,
//! always finishes, gives the same answer twice, and every reported schedule
//! replays step for step.

use proptest::prelude::*;
use weft_explore::{check, replay, Exec, Fairness, Kind, Options};

#[path = "support/random_program.rs"]
mod random_program;
use random_program::{bodies, program};

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
        let init = exec.initial();
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
