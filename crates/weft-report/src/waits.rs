//! A deadlock in words: why each stuck thread waits, and the wait-for cycle
//! (`inc[0] holds a, waits for b -> inc[1] holds b, waits for a`).

use crate::names::{mentions, thread_name};
use weft_explore::{Deadlock, Wait};
use weft_ir::Program;

/// One stuck thread, with the line of its blocking operation:
/// `a waits for lock lock2 at L7: held by b; a holds lock1`.
pub fn wait_text(program: &Program, wait: &Wait, line: usize) -> String {
    let name = thread_name(program, wait.thread);
    let mut text = format!("{name} waits for {} at L{line}", wait.waits_for);
    if !wait.why.is_empty() {
        text.push_str(": ");
        text.push_str(&wait.why);
    }
    if !wait.holds.is_empty() {
        text.push_str(&format!("; {name} holds {}", wait.holds.join(", ")));
    }
    text
}

/// The wait-for cycle, each thread with what it holds and what it waits for,
/// or `None` when the threads wait without a cycle (a lost wake-up, a
/// receive with no sender left).
pub fn cycle_text(program: &Program, deadlock: &Deadlock) -> Option<String> {
    if deadlock.cycle.is_empty() {
        return None;
    }
    let wait_of = |t: u32| deadlock.waits.iter().find(|w| w.thread == t);
    let n = deadlock.cycle.len();
    let parts: Vec<String> = (0..n)
        .map(|i| {
            let thread = deadlock.cycle[i];
            let next = deadlock.cycle[(i + 1) % n];
            let mut text = thread_name(program, thread);
            let Some(wait) = wait_of(thread) else {
                return text;
            };
            if !wait.holds.is_empty() {
                text.push_str(&format!(" holds {},", wait.holds.join(" and ")));
            }
            text.push_str(&format!(
                " waits for {}",
                waited_resource(wait, wait_of(next))
            ));
            text
        })
        .collect();
    Some(parts.join(" -> "))
}

/// What `wait` waits for, named as the next thread in the cycle holds it
/// (`b` rather than `lock b`) when one of its holdings is the thing waited
/// for; otherwise the explorer's words for the operation.
fn waited_resource(wait: &Wait, next: Option<&Wait>) -> String {
    let held = next.into_iter().flat_map(|w| &w.holds).find(|h| {
        // "rw (read)" is held; "write-lock rw" is waited for.
        let name = h.split(" (").next().unwrap_or(h);
        mentions(&wait.waits_for, name)
    });
    match held {
        Some(h) => h.split(" (").next().unwrap_or(h).to_string(),
        None => wait.waits_for.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use weft_ir::{SrcSpan, Thread};

    fn program() -> Program {
        Program {
            threads: (0..2)
                .map(|i| Thread {
                    name: format!("inc[{i}]"),
                    code: 0,
                    index: i,
                })
                .collect(),
            ..Program::default()
        }
    }

    fn wait(thread: u32, waits_for: &str, holder: u32, holds: &[&str]) -> Wait {
        Wait {
            thread,
            span: SrcSpan::new(0, 1),
            waits_for: waits_for.to_string(),
            holders: vec![holder],
            why: format!("held by inc[{holder}]"),
            holds: holds.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn cycle_names_what_each_thread_holds_and_wants() {
        let d = Deadlock {
            waits: vec![wait(0, "lock b", 1, &["a"]), wait(1, "lock a", 0, &["b"])],
            cycle: vec![0, 1],
        };
        assert_eq!(
            cycle_text(&program(), &d).as_deref(),
            Some("inc[0] holds a, waits for b -> inc[1] holds b, waits for a")
        );
        assert_eq!(
            wait_text(&program(), &d.waits[0], 7),
            "inc[0] waits for lock b at L7: held by inc[1]; inc[0] holds a"
        );
    }

    #[test]
    fn unmatched_resources_keep_the_explorers_words() {
        let d = Deadlock {
            waits: vec![
                wait(0, "write-lock rw", 1, &[]),
                wait(1, "join(inc[0])", 0, &["rw (read)"]),
            ],
            cycle: vec![0, 1],
        };
        assert_eq!(
            cycle_text(&program(), &d).as_deref(),
            Some("inc[0] waits for rw -> inc[1] holds rw (read), waits for join(inc[0])")
        );
        assert_eq!(
            cycle_text(
                &program(),
                &Deadlock {
                    waits: vec![],
                    cycle: vec![]
                }
            ),
            None
        );
    }
}
