//! Random weft programs for property tests: thread bodies drawn from a
//! list of statements that use every object kind, races, choices, loops that
//! end and loops that may not. Shared by `tests/random_programs.rs` and the
//! partial-order reduction's tests (`src/por/tests.rs`).

use proptest::prelude::*;

/// Statements a thread body is made of: every object kind, races, choices,
/// loops that end and loops that may not.
pub const STATEMENTS: &[&str] = &[
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

pub fn program(bodies: &[Vec<usize>], looping: bool) -> String {
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

pub fn bodies() -> impl Strategy<Value = (Vec<Vec<usize>>, bool)> {
    (
        prop::collection::vec(prop::collection::vec(0..STATEMENTS.len(), 1..4), 2..=3),
        any::<bool>(),
    )
}
