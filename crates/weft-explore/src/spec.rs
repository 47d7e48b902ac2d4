//! Evaluation of specifications (`invariant`, `final assert`): their code is
//! run atomically against one state, in a frame of its own.

use crate::eval::{local_step, rt_err, Env, EvalResult};
use crate::exec::Exec;
use weft_ir::{Op, Spec, Value};

/// Most instructions one specification may run.
const BUDGET: u32 = 1_000_000;

/// Does `spec` hold in `state`? A runtime error in the specification
/// itself (say, an index out of bounds) is returned as such.
pub fn holds(exec: &Exec, spec: &Spec, state: &[Value]) -> EvalResult<bool> {
    let code = &spec.code;
    let mut locals = vec![0; code.n_locals.max(1) as usize];
    let mut pc = 0usize;
    let mut budget = BUDGET;
    while let Some(instr) = code.instrs.get(pc) {
        if budget == 0 {
            return rt_err(instr.span, "this specification runs too long");
        }
        budget -= 1;
        if let Some(next) = local_step(exec.program, &exec.layout, state, &mut locals, pc, instr) {
            pc = next?;
            continue;
        }
        let env = Env {
            program: exec.program,
            layout: &exec.layout,
            state,
            locals: &locals,
        };
        match &instr.op {
            Op::Read { dst, cell, .. } => {
                let c = env.cell(cell, instr.span)?;
                locals[*dst as usize] = state[c as usize];
            }
            Op::Check { cond, .. } | Op::Assert { cond, .. } => {
                if env.eval(cond)? == 0 {
                    return Ok(false);
                }
            }
            Op::AtomicBegin { .. } | Op::AtomicEnd | Op::Fence => {}
            _ => {
                return rt_err(
                    instr.span,
                    "a specification can only read variables and compute with them",
                )
            }
        }
        pc += 1;
    }
    Ok(true)
}
