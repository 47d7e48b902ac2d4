//! Settling without the interpreter. Most local work in front of a step
//! needs no local's value: the clears of dead locals, jumps, `progress;`,
//! and tests whose answer is known beforehand (`while ROUNDS == 0 || r <
//! ROUNDS` with `ROUNDS = 0`, an `if` on a constant). Where settling from a
//! pc is only that, where it ends and what it does on the way are worked
//! out once, before the search, and [`Exec::settle`] takes the shortcut.

use super::Exec;
use crate::eval::constant;
use weft_ir::{Code, Op};

/// What settling from one pc does, when it needs no local's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Shortcut {
    /// Where the thread rests after it (settling may go on from there).
    pub to: u32,
    /// The locals zeroed on the way (`from..to` each).
    pub clears: Vec<(u32, u32)>,
    /// It passes `progress;`.
    pub progress: bool,
}

impl Exec<'_> {
    /// For each pc of `code`: the shortcut of settling from there, if
    /// settling moves the thread and needs no local's value. Follows the
    /// same rules as [`Exec::settle`]: never to the thread's end, never out
    /// of a watched label.
    pub(super) fn shortcuts(&self, code: &Code) -> Vec<Option<Shortcut>> {
        let end = code.instrs.len();
        (0..end)
            .map(|start| {
                let mut sc = Shortcut {
                    to: start as u32,
                    clears: Vec::new(),
                    progress: false,
                };
                let mut pc = start;
                // A loop of jumps alone would never end: give up on it.
                for _ in 0..end {
                    let op = &code.instrs[pc].op;
                    let next = match op {
                        Op::Clear { .. } | Op::Progress => pc + 1,
                        Op::Jump(target) => *target as usize,
                        Op::JumpIfNot { cond, target } => match constant(cond) {
                            Some(0) => *target as usize,
                            Some(_) => pc + 1,
                            None => break,
                        },
                        _ => break,
                    };
                    if next >= end || self.leaves_label(code, pc, next) {
                        break;
                    }
                    match op {
                        Op::Clear { from, to } => sc.clears.push((*from, *to)),
                        Op::Progress => sc.progress = true,
                        _ => {}
                    }
                    pc = next;
                    sc.to = pc as u32;
                }
                (sc.to as usize != start).then_some(sc)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::exec::tests::catalogue_states;
    use crate::exec::Exec;

    /// Settling with the shortcuts ends where settling one instruction at a
    /// time ends, with the same locals and the same `progress;`, on every
    /// state of the catalogue reachable without settling (threads rest
    /// anywhere in their local work there).
    #[test]
    fn shortcuts_settle_like_the_interpreter() {
        let mut taken = 0usize;
        catalogue_states(false, |name, plain, states| {
            let fast = Exec::new(plain.program);
            let mut slow = Exec::new(plain.program);
            slow.shortcuts.clear();
            slow.plans = (plain.program.codes.iter().enumerate())
                .map(|(c, code)| slow.plans(c, code))
                .collect();
            for state in states {
                for (t, th) in plain.program.threads.iter().enumerate() {
                    let pc = state[plain.layout.thread[t]];
                    let code = &fast.shortcuts[th.code as usize];
                    if usize::try_from(pc).is_ok_and(|pc| code.get(pc).is_some_and(Option::is_some))
                    {
                        taken += 1;
                    }
                    let (mut a, mut b) = (state.clone(), state.clone());
                    let pa = fast.settle(&mut a, t);
                    let pb = slow.settle(&mut b, t);
                    assert_eq!((a, pa), (b, pb), "{name}: thread {t} at {state:?}");
                }
            }
        });
        assert!(taken > 400, "only {taken} shortcuts taken");
    }
}
