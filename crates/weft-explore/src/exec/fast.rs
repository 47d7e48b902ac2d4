//! The hot local instructions, compiled once per program.
//!
//! Nearly all local work is `l = l + 1` or `while l < K`: an operation on
//! two operands, each a constant or a local. `Env::eval` walks the tree of
//! such an expression at some hundred instructions a time; compiled here to
//! a flat form, it is a few loads and one operation. Only the answer is
//! fast: where an expression would fail (overflow, division by zero), the
//! fast form says nothing and the caller asks `Env::eval` for the error.

use super::Local;
use crate::eval::{binary, in_range};
use weft_ir::{BinOp, Code, Expr, Op, SrcSpan, Value};

/// A constant or a local (by index).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Operand {
    Const(Value),
    Local(u32),
}

impl Operand {
    fn of(e: &Expr) -> Option<Operand> {
        match e {
            Expr::Const(v) => Some(Operand::Const(*v)),
            Expr::Local(i) => Some(Operand::Local(*i)),
            _ => None,
        }
    }

    #[inline(always)]
    fn get(self, locals: &[Value]) -> Value {
        match self {
            Operand::Const(v) => v,
            Operand::Local(i) => locals[i as usize],
        }
    }
}

/// An expression of at most one operation on two operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fast {
    Operand(Operand),
    Binary(BinOp, Operand, Operand),
}

impl Fast {
    /// The fast form of `e`, if it has one.
    pub(super) fn of(e: &Expr) -> Option<Fast> {
        match e {
            Expr::Binary(op, a, b, _) => Some(Fast::Binary(*op, Operand::of(a)?, Operand::of(b)?)),
            e => Operand::of(e).map(Fast::Operand),
        }
    }

    /// The value `Env::eval` gives over `locals`, or `None` where it fails.
    #[inline(always)]
    pub(super) fn eval(self, locals: &[Value]) -> Option<Value> {
        match self {
            Fast::Operand(a) => Some(a.get(locals)),
            Fast::Binary(op, a, b) => {
                let (a, b) = (a.get(locals), b.get(locals));
                match op {
                    BinOp::Lt => Some((a < b) as Value),
                    BinOp::Le => Some((a <= b) as Value),
                    BinOp::Gt => Some((a > b) as Value),
                    BinOp::Ge => Some((a >= b) as Value),
                    BinOp::Eq => Some((a == b) as Value),
                    BinOp::Ne => Some((a != b) as Value),
                    BinOp::Add => a.checked_add(b),
                    BinOp::Sub => a.checked_sub(b),
                    op => binary(op, a, b, SrcSpan::default()).ok(),
                }
            }
        }
    }
}

/// A local instruction whose expressions all have fast forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FastLocal {
    Set {
        dst: u32,
        value: Fast,
        range: Option<(Value, Value)>,
    },
    JumpIfNot {
        cond: Fast,
        target: u32,
    },
}

impl FastLocal {
    /// The effect `local_effect` gives at `pc` over `locals`, or `None`
    /// where it fails.
    #[inline(always)]
    pub(super) fn effect(self, locals: &[Value], pc: usize) -> Option<Local> {
        match self {
            FastLocal::Set { dst, value, range } => {
                let v = value.eval(locals)?;
                in_range(v, range).then_some(Local::Write(dst, v, pc + 1))
            }
            FastLocal::JumpIfNot { cond, target } => Some(match cond.eval(locals)? {
                0 => Local::Goto(target as usize),
                _ => Local::Goto(pc + 1),
            }),
        }
    }
}

/// For each pc of `code`: the fast form of the local instruction there.
pub(super) fn fast_locals(code: &Code) -> Vec<Option<FastLocal>> {
    code.instrs
        .iter()
        .map(|i| match &i.op {
            Op::Set { dst, value, range } => Some(FastLocal::Set {
                dst: *dst,
                value: Fast::of(value)?,
                range: *range,
            }),
            Op::JumpIfNot { cond, target } => Some(FastLocal::JumpIfNot {
                cond: Fast::of(cond)?,
                target: *target,
            }),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::fast_locals;
    use crate::eval::Env;
    use crate::exec::local_effect;
    use crate::exec::tests::catalogue_states;

    /// On every catalogue state (threads resting anywhere in their local
    /// work), every thread's next instruction with a fast form: it has the
    /// effect `local_effect` has, and fails exactly where that fails.
    #[test]
    fn fast_locals_agree_with_local_effect() {
        let mut checked = 0usize;
        catalogue_states(false, |name, exec, states| {
            let tables: Vec<_> = exec.program.codes.iter().map(fast_locals).collect();
            for state in states {
                for (t, th) in exec.program.threads.iter().enumerate() {
                    let c = th.code as usize;
                    let slot = exec.layout.thread[t];
                    let Ok(pc) = usize::try_from(state[slot]) else {
                        continue;
                    };
                    let Some(Some(fast)) = tables[c].get(pc) else {
                        continue;
                    };
                    let instr = &exec.program.codes[c].instrs[pc];
                    let env = Env {
                        program: exec.program,
                        layout: &exec.layout,
                        state,
                        locals: &state[slot + 1..],
                    };
                    let slow = match local_effect(&env, &instr.op, instr.span, pc) {
                        Ok(Some(e)) => Some(e),
                        Ok(None) => panic!("{name}: pc {pc} is no local work"),
                        Err(_) => None,
                    };
                    checked += 1;
                    let fast = fast.effect(&state[slot + 1..], pc);
                    assert_eq!(
                        format!("{fast:?}"),
                        format!("{slow:?}"),
                        "{name}: thread {t} at {state:?}"
                    );
                }
            }
        });
        assert!(
            checked > 1000,
            "only {checked} fast local instructions checked"
        );
    }
}
