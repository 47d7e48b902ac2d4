//! Evaluation of specifications (`invariant`, `final assert`): their code is
//! run atomically against one state, in a frame of its own.

use crate::eval::{rt_err, Env, EvalResult};
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
        let env = Env {
            program: exec.program,
            layout: &exec.layout,
            state,
            locals: &locals,
        };
        let mut next = pc + 1;
        match &instr.op {
            Op::Read { dst, cell, .. } => {
                let var = &exec.program.vars[cell.var as usize];
                let c = match &cell.idx {
                    None => var.base,
                    Some(e) => {
                        let i = env.eval(e)?;
                        if i < 0 || i >= var.len as Value {
                            return rt_err(
                                instr.span,
                                format!(
                                    "index {i} is out of bounds: {} has {} cells",
                                    var.name, var.len
                                ),
                            );
                        }
                        var.base + i as u32
                    }
                };
                locals[*dst as usize] = state[c as usize];
            }
            Op::Set { dst, value, .. } => {
                let v = env.eval(value)?;
                locals[*dst as usize] = v;
            }
            Op::SetIdx {
                base,
                len,
                idx,
                value,
                ..
            } => {
                let i = env.eval(idx)?;
                if i < 0 || i >= *len as Value {
                    return rt_err(
                        instr.span,
                        format!("index {i} is out of bounds for an array of length {len}"),
                    );
                }
                let v = env.eval(value)?;
                locals[(*base as usize) + i as usize] = v;
            }
            Op::Clear { from, to } => {
                for l in &mut locals[*from as usize..*to as usize] {
                    *l = 0;
                }
            }
            Op::Jump(t) => next = *t as usize,
            Op::JumpIfNot { cond, target } => {
                if env.eval(cond)? == 0 {
                    next = *target as usize;
                }
            }
            Op::Check { cond, .. } | Op::Assert { cond, .. } => {
                if env.eval(cond)? == 0 {
                    return Ok(false);
                }
            }
            Op::AtomicBegin | Op::AtomicEnd | Op::Progress | Op::Fence => {}
            _ => {
                return rt_err(
                    instr.span,
                    "a specification can only read variables and compute with them",
                )
            }
        }
        pc = next;
    }
    Ok(true)
}
