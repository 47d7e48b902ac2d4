//! Bad programs: each exits 2 with diagnostics, pinned as the plain text
//! the CLI prints (syntax errors `s*`, semantic errors `m*`).
// Tests may unwrap: a panic is the failure report.
#![allow(clippy::unwrap_used)]

mod common;

use common::weft;

#[test]
fn bad_programs_get_clear_diagnostics() {
    insta::glob!("bad/*.weft", |path| {
        let source = std::fs::read_to_string(path).unwrap();
        let relative = path.strip_prefix(common::root()).unwrap();
        let output = weft()
            .args(["check", "--color", "never"])
            .arg(relative)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{}", relative.display());
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            stdout.contains(&format!("{}:", relative.display())),
            "no diagnostic points into the file:\n{stdout}"
        );
        insta::with_settings!({
            description => source,
            omit_expression => true,
        }, {
            insta::assert_snapshot!("diagnostics", stdout);
        });
    });
}
