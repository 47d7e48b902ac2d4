//! Cross-check of the liveness checks on the whole catalogue: dropping the
//! fairness condition can only add livelocks and starving threads.

use std::collections::BTreeSet;
use std::path::Path;
use weft_explore::{check, Fairness, Kind, Options};

/// (livelock found, starving threads) of one run.
fn liveness(program: &weft_ir::Program, fairness: Fairness) -> (bool, BTreeSet<String>) {
    let options = Options {
        fairness,
        ..Options::default()
    };
    let out = check(program, &options, &mut |_| {});
    assert!(
        out.limit.is_none(),
        "catalogue programs are explored exhaustively"
    );
    let livelock = out.findings.iter().any(|f| f.kind == Kind::Livelock);
    let starving = out
        .findings
        .iter()
        .filter(|f| f.kind == Kind::Starvation)
        .map(|f| f.message.clone())
        .filter_map(|m| {
            m.strip_prefix("starvation: ")
                .and_then(|r| r.split(" can wait").next())
                .map(str::to_string)
        })
        .collect();
    (livelock, starving)
}

/// `-D NAME=VALUE` pairs from a program's `// args:` header.
fn defines(src: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in src.lines().take_while(|l| l.trim_start().starts_with("//")) {
        if let Some(args) = line
            .trim_start()
            .trim_start_matches("//")
            .trim()
            .strip_prefix("args:")
        {
            let words: Vec<&str> = args.split_whitespace().collect();
            for pair in words.windows(2) {
                if pair[0] == "-D" {
                    if let Some((k, v)) = pair[1].split_once('=') {
                        out.push((k.to_string(), v.to_string()));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn no_fairness_finds_a_superset_of_weak_fairness() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut dirs = vec![root.join("programs")];
    let acceptance = root.join("../shared/acceptance/programs");
    if acceptance.is_dir() {
        dirs.push(acceptance);
    }
    let mut checked = 0;
    for dir in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("program folder")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "weft"))
            .collect();
        files.sort();
        for path in files {
            let src = std::fs::read_to_string(&path).expect("readable");
            let ast = weft_syntax::parse(&src).expect("catalogue programs parse");
            let program = weft_lower::compile(&ast, &defines(&src)).expect("and compile");
            let (weak_live, weak_starving) = liveness(&program, Fairness::Weak);
            let (none_live, none_starving) = liveness(&program, Fairness::None);
            assert!(
                !weak_live || none_live,
                "{}: livelock under weak fairness only",
                path.display()
            );
            assert!(
                weak_starving.is_subset(&none_starving),
                "{}: {weak_starving:?} starve under weak fairness, only {none_starving:?} without",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} programs found");
}
