//! How each instruction runs, worked out once per program.
//!
//! The executor's loops ask of every instruction they meet whether it is
//! local work, a step or a `choose`. Asked of the `Op`, that looks up the
//! variable of every read and write (a ghost access is no step); asked of
//! this table, it is one load.

use super::is_visible;
use weft_ir::{Code, Op, Program};

/// What one instruction is to the executor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// Pure local work, run by `local_effect`: `Set`, `SetIdx`, `Clear`,
    /// `Jump`, `JumpIfNot`.
    Local,
    /// `progress;`
    Progress,
    /// `choose`: local, but it branches.
    Choose,
    /// A step: a visible instruction (`is_visible`).
    Step,
    /// Anything else a step runs on the way: ghost accesses, `check`.
    Other,
}

/// The kind of each instruction of `code`.
pub(super) fn kinds(program: &Program, code: &Code) -> Vec<Kind> {
    code.instrs.iter().map(|i| kind(program, &i.op)).collect()
}

fn kind(program: &Program, op: &Op) -> Kind {
    match op {
        Op::Set { .. }
        | Op::SetIdx { .. }
        | Op::Clear { .. }
        | Op::Jump(_)
        | Op::JumpIfNot { .. } => Kind::Local,
        Op::Progress => Kind::Progress,
        Op::Choose { .. } => Kind::Choose,
        _ if is_visible(program, op) => Kind::Step,
        _ => Kind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::Kind;
    use crate::eval::Env;
    use crate::exec::tests::catalogue_states;
    use crate::exec::{is_visible, local_effect};
    use weft_ir::Op;

    /// On every catalogue state, every thread's next instruction: the table
    /// says `Step` exactly where `is_visible` does, and `Local` exactly
    /// where `local_effect` has an effect (or an error) to give.
    #[test]
    fn kinds_agree_with_the_instructions() {
        let mut checked = 0usize;
        catalogue_states(false, |name, exec, states| {
            for state in states {
                for (t, th) in exec.program.threads.iter().enumerate() {
                    let c = th.code as usize;
                    let slot = exec.layout.thread[t];
                    let Some(pc) = usize::try_from(state[slot]).ok() else {
                        continue;
                    };
                    let Some(instr) = exec.program.codes[c].instrs.get(pc) else {
                        continue;
                    };
                    let kind = exec.kinds[c][pc];
                    checked += 1;
                    let visible = is_visible(exec.program, &instr.op);
                    assert_eq!(kind == Kind::Step, visible, "{name}: pc {pc}");
                    let env = Env {
                        program: exec.program,
                        layout: &exec.layout,
                        state,
                        locals: &state[slot + 1..],
                    };
                    let local = !matches!(local_effect(&env, &instr.op, instr.span, pc), Ok(None));
                    assert_eq!(kind == Kind::Local, local, "{name}: pc {pc}");
                    assert_eq!(kind == Kind::Progress, matches!(instr.op, Op::Progress));
                    assert_eq!(kind == Kind::Choose, matches!(instr.op, Op::Choose { .. }));
                }
            }
        });
        assert!(checked > 1000, "only {checked} instructions checked");
    }
}
