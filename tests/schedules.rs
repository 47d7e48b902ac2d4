//! `weft schedules` and `weft run`: exact counts worked out by hand,
//! counts and classes checked against brute-force enumeration, every
//! catalogue counterexample replayed to the same violation, snapshots.
// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use common::{root, weft, weft_files};
use num_bigint::BigUint;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use weft_explore::{
    classes, conflict, count_schedules, countable, explore, list_schedules, mark, walk, Exec,
    Footprints, Kind, Options, StateGraph, Stuck,
};

fn compile(source: &str) -> weft_ir::Program {
    let ast = weft_syntax::parse(source).unwrap();
    weft_lower::compile(&ast, &[]).unwrap()
}

fn kinds() -> Vec<Kind> {
    Kind::ALL.into_iter().filter(|&k| countable(k)).collect()
}

fn graph(program: &weft_ir::Program) -> StateGraph {
    let options = Options {
        checks: kinds(),
        ..Options::default()
    };
    let (outcome, graph) = explore(program, &options, &mut |_| {});
    assert!(outcome.limit.is_none());
    graph
}

fn binomial(n: u32, k: u32) -> BigUint {
    let mut r = BigUint::from(1u32);
    for i in 0..k {
        r = r * (n - i) / (i + 1);
    }
    r
}

/// Threads `a`, `b`, ... each writing its own variable `steps[i]` times:
/// every step is independent of the other threads'.
fn independent(steps: &[u32]) -> String {
    let mut src = String::new();
    for (i, _) in steps.iter().enumerate() {
        src.push_str(&format!("shared v{i} = 0;\n"));
    }
    for (i, &n) in steps.iter().enumerate() {
        src.push_str(&format!("thread t{i} {{\n"));
        for k in 0..n {
            src.push_str(&format!("    v{i} = {};\n", k + 1));
        }
        src.push_str("}\n");
    }
    src
}

#[test]
fn two_threads_of_n_and_m_independent_steps_have_n_plus_m_choose_n_schedules() {
    for (n, m) in [(1, 1), (2, 3), (4, 4), (5, 2), (7, 6)] {
        let g = graph(&compile(&independent(&[n, m])));
        let counts = count_schedules(&g, &kinds(), None).unwrap();
        assert_eq!(counts.total, binomial(n + m, n), "{n} and {m} steps");
        assert_eq!(counts.bad, BigUint::default());
        assert_eq!(
            (counts.shortest, counts.longest),
            (Some(n + m), Some(n + m))
        );
        assert!(!counts.cyclic);
    }
}

#[test]
fn three_threads_of_twenty_steps_count_exactly_past_2_to_the_64() {
    // 60! / (20!)^3 = 577831214478475823831865900 (multinomial), about 2^89.
    let g = graph(&compile(&independent(&[20, 20, 20])));
    let counts = count_schedules(&g, &kinds(), None).unwrap();
    let expected = binomial(60, 20) * binomial(40, 20);
    assert_eq!(expected.to_string(), "577831214478475823831865900");
    assert_eq!(counts.total, expected);
}

#[test]
fn independent_steps_form_one_class() {
    let program = compile(&independent(&[3, 2, 2]));
    let g = graph(&program);
    let exec = Exec::new(&program);
    let cls = classes(&exec, &g, &kinds(), None, 10_000).unwrap();
    assert_eq!(cls.len(), 1);
    assert_eq!(cls[0].size, 210); // 7! / (3! 2! 2!)
}

const COUNTER: &str = "
shared counter = 0;
thread inc[2] {
    counter = counter + 1;
}
final assert counter == 2, \"both increments are kept\";
";

#[test]
fn the_racy_counter_has_6_schedules_4_of_which_lose_the_update_in_2_of_4_classes() {
    let program = compile(COUNTER);
    let g = graph(&program);
    let counts = count_schedules(&g, &kinds(), None).unwrap();
    assert_eq!(counts.total, BigUint::from(6u32));
    let by: BTreeMap<Kind, BigUint> = counts.by_kind.iter().cloned().collect();
    assert_eq!(by[&Kind::LostUpdate], BigUint::from(4u32));
    assert_eq!(by[&Kind::Final], BigUint::from(4u32));
    assert_eq!(by[&Kind::DataRace], BigUint::from(6u32));
    assert_eq!(by[&Kind::Deadlock], BigUint::default());
    let exec = Exec::new(&program);
    let cls = classes(&exec, &g, &kinds(), None, 100).unwrap();
    assert_eq!(cls.len(), 4);
    let losing: Vec<usize> = cls
        .iter()
        .filter(|c| c.kinds & mark(Kind::LostUpdate) != 0)
        .map(|c| c.size)
        .collect();
    assert_eq!(losing, vec![2, 2]);
}

/// Union-find over schedule indices.
fn find(parent: &mut [usize], i: usize) -> usize {
    let mut r = i;
    while parent[r] != r {
        r = parent[r];
    }
    parent[i] = r;
    r
}

/// Enumerate every schedule, check the DP counts against the enumeration,
/// then build the classes by brute force (union of schedules that differ by
/// swapping two adjacent steps of different threads that do not conflict)
/// and compare with `classes`. Every swap must give a schedule of the
/// program, and every member of a class must end in the same state.
fn check_against_brute_force(name: &str, program: &weft_ir::Program) {
    let g = graph(program);
    let kinds = kinds();
    let counts = count_schedules(&g, &kinds, None).unwrap();
    let all = list_schedules(&g, &kinds, None, false, 100_000);
    assert_eq!(BigUint::from(all.len()), counts.total, "{name}: total");
    let bad = all.iter().filter(|l| l.kinds != 0).count();
    assert_eq!(BigUint::from(bad), counts.bad, "{name}: bad");
    for (k, n) in &counts.by_kind {
        let listed = all.iter().filter(|l| l.kinds & mark(*k) != 0).count();
        assert_eq!(BigUint::from(listed), *n, "{name}: {}", k.name());
    }
    let only_bad = list_schedules(&g, &kinds, None, true, 100_000);
    assert_eq!(only_bad.len(), bad, "{name}: --bad lists the bad ones");

    let exec = Exec::new(program);
    let mut fps = Footprints::new(&exec, &g);
    let index: HashMap<Vec<(u32, u32)>, usize> = all
        .iter()
        .enumerate()
        .map(|(i, l)| (l.steps.clone(), i))
        .collect();
    let mut parent: Vec<usize> = (0..all.len()).collect();
    for (i, l) in all.iter().enumerate() {
        let fp = fps.of(&l.steps);
        for j in 0..l.steps.len().saturating_sub(1) {
            let (a, b) = (l.steps[j], l.steps[j + 1]);
            if a.0 == b.0 || conflict(&fp[j], &fp[j + 1]) {
                continue;
            }
            let mut swapped = l.steps.clone();
            swapped.swap(j, j + 1);
            let k = *index.get(&swapped).unwrap_or_else(|| {
                panic!(
                    "{name}: swapping independent steps {j} and {} of {:?} is not a schedule",
                    j + 1,
                    l.steps
                )
            });
            let (ri, rk) = (find(&mut parent, i), find(&mut parent, k));
            parent[ri] = rk;
        }
    }
    let brute: HashSet<usize> = (0..all.len()).map(|i| find(&mut parent, i)).collect();
    let cls = classes(&exec, &g, &kinds, None, 100_000).unwrap();
    assert_eq!(cls.len(), brute.len(), "{name}: classes");
    assert_eq!(cls.iter().map(|c| c.size).sum::<usize>(), all.len());

    // Members of one class end in the same state.
    let mut end: HashMap<usize, Vec<i64>> = HashMap::new();
    for (i, l) in all.iter().enumerate() {
        let (steps, _) = weft_explore::replay(&exec, &g.states[0], &l.steps);
        let last = steps.last().map(|s| s.values.clone()).unwrap_or_default();
        let root = find(&mut parent, i);
        let first = end.entry(root).or_insert_with(|| last.clone());
        assert_eq!(
            *first, last,
            "{name}: {:?} ends elsewhere than its class",
            l.steps
        );
    }
}

#[test]
fn counts_and_classes_match_brute_force_enumeration() {
    let mut checked = 0;
    for path in weft_files(&root().join("programs")) {
        let source = std::fs::read_to_string(&path).unwrap();
        if source.contains("// args:") {
            continue;
        }
        let program = compile(&source);
        let g = graph(&program);
        let Some(counts) = count_schedules(&g, &kinds(), None) else {
            continue; // cyclic
        };
        if counts.total > BigUint::from(3000u32) {
            continue;
        }
        check_against_brute_force(&path.display().to_string(), &program);
        checked += 1;
    }
    for (i, src) in [COUNTER.to_string(), independent(&[2, 3])]
        .iter()
        .enumerate()
    {
        check_against_brute_force(&format!("inline {i}"), &compile(src));
    }
    assert!(
        checked >= 20,
        "only {checked} catalogue programs were small enough"
    );
}

#[test]
fn every_catalogue_counterexample_replays_to_its_violation() {
    let mut replayed = 0;
    for path in weft_files(&root().join("programs")) {
        let source = std::fs::read_to_string(&path).unwrap();
        if source.contains("// args:") {
            continue;
        }
        let program = compile(&source);
        let outcome = weft_explore::check(&program, &Options::default(), &mut |_| {});
        let exec = Exec::new(&program);
        for f in &outcome.findings {
            let steps: Vec<(u32, u32)> = f
                .schedule
                .iter()
                .chain(&f.cycle)
                .map(|s| (s.thread, s.branch))
                .collect();
            let w = walk(&exec, &steps);
            let name = format!("{}: {}", path.display(), f.message);
            match &w.stuck {
                None => assert_eq!(w.steps.len(), steps.len(), "{name}"),
                Some((n, Stuck::Failed { kind })) => {
                    assert_eq!(*n, steps.len(), "{name}: fails early");
                    assert_eq!(*kind, f.kind, "{name}");
                }
                Some((n, stuck)) => panic!("{name}: step {n} not possible: {stuck:?}"),
            }
            assert_eq!(
                w.steps,
                [f.schedule.clone(), f.cycle.clone()].concat(),
                "{name}"
            );
            // A liveness finding's loop ends in the state it began in.
            if !f.cycle.is_empty() {
                assert!(
                    w.returns_to(f.schedule.len()),
                    "{name}: the loop does not close"
                );
            }
            if countable(f.kind) {
                assert!(
                    w.seen
                        .iter()
                        .any(|s| s.kind == f.kind && s.message == f.message),
                    "{name}: not seen on replay: {:?}",
                    w.seen
                );
            }
            replayed += 1;
        }
    }
    assert!(replayed > 60, "only {replayed} findings replayed");
}

fn text(args: &[&str]) -> (String, Option<i32>) {
    let out = weft().args(args).output().unwrap();
    (String::from_utf8(out.stdout).unwrap(), out.status.code())
}

/// `weft check --format json program`, written to `report` for
/// `weft run --trace`; the report.
fn check_report(program: &str, report: &std::path::Path) -> Value {
    let out = weft()
        .args(["check", "--format", "json", program])
        .output()
        .unwrap();
    std::fs::write(report, &out.stdout).unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn json(args: &[&str]) -> (Value, Option<i32>) {
    let out = weft().args(args).output().unwrap();
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (doc, out.status.code())
}

#[test]
fn schedules_json_has_total_bad_and_by_kind() {
    let (doc, code) = json(&[
        "schedules",
        "--format",
        "json",
        "programs/01_counter_race.weft",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["total"], 6);
    assert_eq!(doc["bad"], 6);
    assert_eq!(doc["by_kind"]["lost-update"], 4);
    assert_eq!(doc["by_kind"]["final"], 4);
    assert_eq!(doc["by_kind"]["deadlock"], 0);
    let (doc, code) = json(&[
        "schedules",
        "--format",
        "json",
        "programs/03_counter_locked.weft",
    ]);
    assert_eq!((doc["bad"].clone(), code), (Value::from(0), Some(0)));
    let (doc, _) = json(&[
        "schedules",
        "--classes",
        "--format",
        "json",
        "programs/01_counter_race.weft",
    ]);
    assert_eq!(doc["classes"], 4);
    assert_eq!(doc["bad_classes"], 4);
    assert_eq!(doc["classes_by_kind"]["lost-update"], 2);
    assert_eq!(doc["representatives"].as_array().unwrap().len(), 4);
    assert_eq!(doc["representatives"][1]["size"], 2);
}

#[test]
fn counts_past_2_to_the_53_are_strings() {
    let dir = std::env::temp_dir().join(format!("weft-schedules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("wide.weft");
    std::fs::write(&file, independent(&[30, 30])).unwrap();
    let (doc, code) = json(&["schedules", "--format", "json", file.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert_eq!(doc["total"], binomial(60, 30).to_string());
    assert_eq!(doc["total"], "118264581564861424");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cyclic_programs_are_counted_up_to_max_depth() {
    let (out, code) = text(&[
        "schedules",
        "--max-depth",
        "6",
        "programs/48_polite_livelock.weft",
    ]);
    assert!(out.contains("the state graph has a cycle"), "{out}");
    assert!(out.contains("at most 6 steps"), "{out}");
    assert_eq!(code, Some(3), "{out}");
    // The command explores only as deep as it counts; the counts are those
    // of the whole graph with the same bound.
    for file in [
        "48_polite_livelock",
        "41_peterson_plain",
        "11_philosophers_naive",
    ] {
        let path = format!("programs/{file}.weft");
        let g = graph(&compile(
            &std::fs::read_to_string(root().join(&path)).unwrap(),
        ));
        for depth in [5u32, 9] {
            let counts = count_schedules(&g, &kinds(), Some(depth)).unwrap();
            let d = depth.to_string();
            let (doc, _) = json(&["schedules", "--format", "json", "--max-depth", &d, &path]);
            assert_eq!(
                doc["total"],
                Value::from(u64::try_from(&counts.total).unwrap()),
                "{path}"
            );
            assert_eq!(
                doc["bad"],
                Value::from(u64::try_from(&counts.bad).unwrap()),
                "{path}"
            );
            assert_eq!(
                doc["cut"],
                Value::from(u64::try_from(&counts.cut).unwrap()),
                "{path}"
            );
        }
    }
}

/// `weft run --trace` on a livelock shows its loop closing, and exits 1.
#[test]
fn a_replayed_livelock_says_its_loop_repeats() {
    let program = "programs/47_spinlock_forgotten_release.weft";
    let report = std::env::temp_dir().join(format!("weft-livelock-{}.json", std::process::id()));
    let doc = check_report(program, &report);
    let which = doc["violations"]
        .as_array()
        .unwrap()
        .iter()
        .position(|v| v["kind"] == "livelock")
        .expect("47 livelocks")
        + 1;
    let which = which.to_string();
    let trace = report.to_str().unwrap();
    let (text_out, code) = text(&["run", program, "--trace", trace, "--violation", &which]);
    let (json_out, _) = json(&[
        "run",
        program,
        "--trace",
        trace,
        "--violation",
        &which,
        "--format",
        "json",
    ]);
    std::fs::remove_file(&report).ok();
    assert!(
        text_out.contains("livelock: ") && text_out.contains("so the loop can repeat forever"),
        "{text_out}"
    );
    assert_eq!(code, Some(1), "{text_out}");
    assert_eq!(json_out["repeats"]["kind"], "livelock", "{json_out}");
}

/// One step, two states, one transition: singular words.
#[test]
fn a_single_schedule_of_one_step_is_counted_in_the_singular() {
    let path = std::env::temp_dir().join(format!("weft-one-step-{}.weft", std::process::id()));
    std::fs::write(&path, "shared x = 0;\nthread t { x = 1; }\n").unwrap();
    let (out, code) = text(&["schedules", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert!(
        out.contains("every schedule has 1 step; 2 states, 1 transition\n"),
        "{out}"
    );
    assert_eq!(code, Some(0));
}

#[test]
fn run_stops_at_a_step_that_is_not_possible() {
    let (out, code) = text(&[
        "run",
        "programs/01_counter_race.weft",
        "--schedule",
        "inc[0] inc[0] inc[0]",
    ]);
    assert!(
        out.contains("step 3 is not possible: inc[0] has finished"),
        "{out}"
    );
    assert_eq!(code, Some(2));
    let (out, code) = text(&[
        "run",
        "programs/09_lock_order_deadlock.weft",
        "--schedule",
        "left right left",
    ]);
    assert!(
        out.contains("step 3 is not possible: left is blocked at L15, waiting for lock b"),
        "{out}"
    );
    assert_eq!(code, Some(2));
    let (out, code) = text(&[
        "run",
        "programs/01_counter_race.weft",
        "--schedule",
        "inc[2]",
    ]);
    assert!(
        out.contains("no thread is named `inc[2]`; the threads are: inc[0], inc[1]"),
        "{out}"
    );
    assert_eq!(code, Some(2));
}

#[test]
fn run_replays_a_check_report() {
    let dir = std::env::temp_dir().join(format!("weft-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let report = dir.join("report.json");
    check_report("programs/09_lock_order_deadlock.weft", &report);
    let (doc, code) = json(&[
        "run",
        "--format",
        "json",
        "programs/09_lock_order_deadlock.weft",
        "--trace",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["violations"][0]["kind"], "deadlock");
    assert_eq!(doc["steps"].as_array().unwrap().len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Under `tso` a replayed lost update names the same other thread as the
/// check does, not the thread's own buffered write.
#[test]
fn run_names_the_other_writer_of_a_lost_update_under_tso() {
    let dir = std::env::temp_dir().join(format!("weft-run-tso-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let program = "programs/01_counter_race.weft";
    let report = dir.join("report.json");
    let out = weft()
        .args([
            "check",
            "--format",
            "json",
            "--memory-model",
            "tso",
            program,
        ])
        .output()
        .unwrap();
    std::fs::write(&report, &out.stdout).unwrap();
    let check: Value = serde_json::from_slice(&out.stdout).unwrap();
    let violations = check["violations"].as_array().unwrap();
    let (which, lost) = (violations.iter().enumerate())
        .find(|(_, v)| v["kind"] == "lost-update")
        .expect("a lost update under tso");
    let which = (which + 1).to_string();
    let (doc, _) = json(&[
        "run",
        "--format",
        "json",
        "--memory-model",
        "tso",
        program,
        "--trace",
        report.to_str().unwrap(),
        "--violation",
        &which,
    ]);
    let seen = doc["violations"].as_array().unwrap();
    assert!(
        seen.iter().any(|v| v["message"] == lost["message"]),
        "{}\nnot among\n{seen:#?}",
        lost["message"]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A step's branch must be a whole number from 0 up (none is branch 0):
/// anything else is bad input, not branch 0.
#[test]
fn run_refuses_a_trace_step_with_a_bad_branch() {
    let dir = std::env::temp_dir().join(format!("weft-run-branch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let program = "programs/01_counter_race.weft";
    let trace = dir.join("trace.json");
    let run = |steps: &str| {
        std::fs::write(&trace, steps).unwrap();
        text(&["run", program, "--trace", trace.to_str().unwrap()])
    };
    for bad in ["-1", "1e30", "\"x\"", "1.5", "null"] {
        let (out, code) = run(&format!("[{{\"thread\": \"inc[0]\", \"branch\": {bad}}}]"));
        assert_eq!(code, Some(2), "branch {bad}: {out}");
        assert!(
            out.contains("must be a whole number"),
            "branch {bad}: {out}"
        );
    }
    // Both steps run (the race they show makes it exit 1).
    let (out, code) = run("[{\"thread\": \"inc[0]\"}, {\"thread\": \"inc[0]\", \"branch\": 0}]");
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("2 steps of the schedule taken"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A violation in the initial state has a schedule of no step; running
/// it shows the initial state and the violation there.
#[test]
fn run_replays_a_violation_of_the_initial_state() {
    let dir = std::env::temp_dir().join(format!("weft-run-start-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let program = dir.join("start.weft");
    std::fs::write(
        &program,
        "shared x = 1;\ninvariant x == 0;\nthread t { x = 0; }\n",
    )
    .unwrap();
    let program = program.to_str().unwrap();
    let report = dir.join("report.json");
    let check = check_report(program, &report);
    assert_eq!(check["violations"][0]["schedule"], Value::Array(vec![]));
    let report = report.to_str().unwrap();
    let (doc, code) = json(&["run", "--format", "json", program, "--trace", report]);
    assert_eq!(code, Some(1));
    assert_eq!(doc["steps"].as_array().unwrap().len(), 0);
    assert_eq!(doc["violations"][0]["kind"], "invariant");
    assert_eq!(doc["violations"][0]["after_steps"][0], 0);
    let (text_out, code) = text(&["run", program, "--trace", report]);
    assert_eq!(code, Some(1));
    assert!(
        text_out.contains("0 steps of the schedule taken"),
        "{text_out}"
    );
    assert!(text_out.contains("does not hold"), "{text_out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn snapshots_of_list_classes_and_run() {
    let cases: [(&str, &[&str]); 4] = [
        (
            "list_counter",
            &["schedules", "--list", "programs/01_counter_race.weft"],
        ),
        (
            "classes_counter",
            &["schedules", "--classes", "programs/01_counter_race.weft"],
        ),
        (
            "bad_list_and_classes_lock_order",
            &[
                "schedules",
                "--list",
                "--bad",
                "--classes",
                "programs/09_lock_order_deadlock.weft",
            ],
        ),
        (
            "run_counter",
            &[
                "run",
                "--color",
                "never",
                "programs/01_counter_race.weft",
                "--schedule",
                "inc[0] inc[1] inc[0] inc[1]",
            ],
        ),
    ];
    for (name, args) in cases {
        let (out, _) = text(args);
        insta::assert_snapshot!(name, out, &args.join(" "));
    }
}

#[test]
fn graph_draws_every_state_and_step_with_violations_and_cycles() {
    let (dot, code) = text(&["graph", "programs/01_counter_race.weft"]);
    assert_eq!(code, Some(0));
    assert!(dot.starts_with("digraph weft {"), "{dot}");
    let states = dot
        .lines()
        .filter(|l| l.trim_start().starts_with('s') && !l.contains(" -> "))
        .count();
    let edges = dot.lines().filter(|l| l.contains(" -> ")).count();
    assert_eq!((states, edges), (12, 14), "{dot}");
    assert!(dot.contains("! final"), "{dot}");
    assert!(dot.contains("! lost-update"), "{dot}");

    let (doc, code) = json(&[
        "graph",
        "--format",
        "json",
        "programs/48_polite_livelock.weft",
    ]);
    assert_eq!(code, Some(0));
    let edges = doc["edges"].as_array().unwrap();
    assert!(edges.iter().any(|e| e["on_cycle"] == true));
    assert!(edges.iter().any(|e| e["on_cycle"] == false));
    let states = doc["states"].as_array().unwrap();
    assert!(states.iter().any(|s| s["cycle"].is_number()));
    let (check, _) = json(&[
        "check",
        "--format",
        "json",
        "programs/48_polite_livelock.weft",
    ]);
    assert_eq!(Value::from(states.len()), check["stats"]["states"]);

    // A failed step leads to a red octagon.
    let (dot, _) = text(&["graph", "programs/55_divide_by_zero.weft"]);
    assert!(
        dot.contains("shape=octagon") && dot.contains("runtime"),
        "{dot}"
    );
}

#[test]
fn graph_refuses_large_graphs_and_says_when_graphviz_is_missing() {
    let (out, code) = text(&[
        "graph",
        "--max-nodes",
        "20",
        "programs/11_philosophers_naive.weft",
    ]);
    assert!(out.contains("more than 20 states (--max-nodes)"), "{out}");
    assert_eq!(code, Some(2));
    // The limit is exact: a graph of one state more is refused too, one
    // of exactly as many drawn.
    let (json, code) = text(&["graph", "--format", "json", "programs/01_counter_race.weft"]);
    assert_eq!(code, Some(0));
    let n = serde_json::from_str::<Value>(&json).expect("json")["states"]
        .as_array()
        .map_or(0, Vec::len);
    let (below, above) = ((n - 1).to_string(), n.to_string());
    let (out, code) = text(&[
        "graph",
        "--max-nodes",
        &below,
        "programs/01_counter_race.weft",
    ]);
    assert!(out.contains("(--max-nodes)"), "{out}");
    assert_eq!(code, Some(2));
    let (_, code) = text(&[
        "graph",
        "--max-nodes",
        &above,
        "programs/01_counter_race.weft",
    ]);
    assert_eq!(code, Some(0));
    let (out, code) = text(&["graph", "--format", "svg", "programs/01_counter_race.weft"]);
    let has_dot = std::process::Command::new("dot").arg("-V").output().is_ok();
    if has_dot {
        assert!(out.contains("<svg"), "{out}");
        assert_eq!(code, Some(0));
    } else {
        assert!(out.contains("Graphviz is not installed"), "{out}");
        assert_eq!(code, Some(2));
    }
}

#[test]
fn bounded_counts_of_cyclic_programs_match_enumeration() {
    let mut checked = 0;
    for path in weft_files(&root().join("programs")) {
        let source = std::fs::read_to_string(&path).unwrap();
        if source.contains("// args:") {
            continue;
        }
        let g = graph(&compile(&source));
        if weft_explore::topological_order(&g.edges).is_some() {
            continue;
        }
        let name = path.display().to_string();
        for bound in [0, 3, 7] {
            let counts = count_schedules(&g, &kinds(), Some(bound)).unwrap();
            assert!(counts.cyclic, "{name}");
            if counts.total > BigUint::from(20_000u32) {
                continue;
            }
            let all = list_schedules(&g, &kinds(), Some(bound), false, 20_000);
            assert_eq!(BigUint::from(all.len()), counts.total, "{name} at {bound}");
            let cut = all.iter().filter(|l| l.cut).count();
            assert_eq!(BigUint::from(cut), counts.cut, "{name} at {bound}: cut");
            assert!(all.iter().all(|l| l.steps.len() <= bound as usize));
            for (k, n) in &counts.by_kind {
                let listed = all.iter().filter(|l| l.kinds & mark(*k) != 0).count();
                assert_eq!(BigUint::from(listed), *n, "{name} at {bound}: {}", k.name());
            }
            let bad = list_schedules(&g, &kinds(), Some(bound), true, 20_000);
            assert_eq!(
                BigUint::from(bad.len()),
                counts.bad,
                "{name} at {bound}: bad"
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} bounded counts checked");
}
