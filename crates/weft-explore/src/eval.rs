//! Evaluation of pure IR expressions over a thread's locals, with the runtime
//! errors of LANGUAGE.md section 7 (overflow, division by zero, index out of
//! bounds).

use crate::exec::{Repeats, LOCAL_BUDGET};
use crate::layout::{Layout, FINISHED};
use weft_ir::{BinOp, CellRef, Expr, Instr, Op, Program, SrcSpan, ThreadRef, UnOp, Value};

/// A runtime error: where, and what went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuntimeError {
    pub span: SrcSpan,
    pub message: String,
}

pub type EvalResult<T> = Result<T, RuntimeError>;

pub fn rt_err<T>(span: SrcSpan, message: impl Into<String>) -> EvalResult<T> {
    Err(RuntimeError {
        span,
        message: message.into(),
    })
}

/// Everything an expression can look at.
pub struct Env<'a> {
    pub program: &'a Program,
    pub layout: &'a Layout,
    pub state: &'a [Value],
    /// Offset of local 0 of the evaluating thread (or of the spec's frame).
    pub locals: &'a [Value],
}

impl Env<'_> {
    pub fn eval(&self, e: &Expr) -> EvalResult<Value> {
        match e {
            Expr::Const(v) => Ok(*v),
            Expr::Local(i) => Ok(self.locals[*i as usize]),
            Expr::LocalIdx {
                base,
                len,
                idx,
                span,
            } => {
                let i = local_index(self.eval(idx)?, *len, *span)?;
                Ok(self.locals[*base as usize + i])
            }
            Expr::Unary(op, a, span) => {
                let a = self.eval(a)?;
                match op {
                    UnOp::Not => Ok((a == 0) as Value),
                    UnOp::Neg => match a.checked_neg() {
                        Some(v) => Ok(v),
                        None => rt_err(*span, format!("overflow: -({a}) does not fit in 64 bits")),
                    },
                }
            }
            Expr::Binary(op, a, b, span) => {
                let a = self.operand(a)?;
                let b = self.operand(b)?;
                binary(*op, a, b, *span)
            }
            Expr::At { thread, label } => {
                let t = self.thread(thread)?;
                Ok(self.at_label(t, *label) as Value)
            }
            Expr::Done(thread) => {
                let t = self.thread(thread)?;
                Ok((self.state[self.layout.thread[t]] == FINISHED) as Value)
            }
        }
    }

    /// [`Env::eval`] of an operand, without a call for a constant or a
    /// local (nearly every operand is one).
    #[inline]
    pub(crate) fn operand(&self, e: &Expr) -> EvalResult<Value> {
        match e {
            Expr::Const(v) => Ok(*v),
            Expr::Local(i) => Ok(self.locals[*i as usize]),
            _ => self.eval(e),
        }
    }

    /// Is thread `t` at label `label`? A thread rests right after its last
    /// step, and the local work in front of its next step is not a step of
    /// its own: the thread is at every instruction that local work passes
    /// through, up to and including its next visible instruction. So after
    /// `while busy { }` a thread whose next step is `cs: x = 1;` is at `cs`.
    fn at_label(&self, t: usize, label: u32) -> bool {
        let code = &self.program.codes[self.program.threads[t].code as usize];
        let l = &code.labels[label as usize];
        let slot = self.layout.thread[t];
        let pc = self.state[slot];
        if pc == FINISHED {
            return false;
        }
        let n = code.n_locals.max(1) as usize;
        let mut locals = self.state[slot + 1..slot + 1 + n].to_vec();
        let mut pc = pc as usize;
        // As far as the thread's next step would run (exec.rs): local work
        // that comes back to where it was never gets further.
        let mut repeats = Repeats::default();
        for _ in 0..LOCAL_BUDGET {
            if l.contains(pc) {
                return true;
            }
            if repeats.seen((pc as Value, 0, false, 0), &locals) {
                return false;
            }
            let Some(instr) = code.instrs.get(pc) else {
                return false;
            };
            // The next step starts at anything but local work (or a local
            // error): the thread is not further along than this.
            match local_step(
                self.program,
                self.layout,
                self.state,
                &mut locals,
                pc,
                instr,
            ) {
                Some(Ok(next)) => pc = next,
                _ => return false,
            }
        }
        false
    }

    /// The cell a cell reference names, its index checked.
    pub fn cell(&self, c: &CellRef, span: SrcSpan) -> EvalResult<u32> {
        let var = &self.program.vars[c.var as usize];
        match &c.idx {
            None => Ok(var.base),
            Some(e) => {
                let i = self.operand(e)?;
                if i < 0 || i >= var.len as Value {
                    return rt_err(
                        span,
                        format!(
                            "index {i} is out of bounds: {} has {} cells",
                            var.name, var.len
                        ),
                    );
                }
                Ok(var.base + i as u32)
            }
        }
    }

    /// The instance a thread reference names.
    pub fn thread(&self, r: &ThreadRef) -> EvalResult<usize> {
        match r {
            ThreadRef::Fixed(t) => Ok(*t as usize),
            ThreadRef::Group { group, idx, span } => {
                let g = &self.program.thread_groups[*group as usize];
                let i = self.eval(idx)?;
                if i < 0 || i >= g.len as Value {
                    return rt_err(
                        *span,
                        format!(
                            "index {i} is out of bounds: {} has {} threads",
                            g.name, g.len
                        ),
                    );
                }
                Ok((g.base + i as u32) as usize)
            }
        }
    }
}

/// Run one instruction of local work on a frame of locals kept apart from
/// the state (a specification's, or a copy of a thread's): the next program
/// counter, or `None` when `instr` is not local work.
pub fn local_step(
    program: &Program,
    layout: &Layout,
    state: &[Value],
    locals: &mut [Value],
    pc: usize,
    instr: &Instr,
) -> Option<EvalResult<usize>> {
    let eval = |locals: &[Value], e: &Expr| {
        Env {
            program,
            layout,
            state,
            locals,
        }
        .eval(e)
    };
    Some(match &instr.op {
        Op::Set { dst, value, range } => eval(locals, value).and_then(|v| {
            check_range(v, *range, "a local", instr.span)?;
            locals[*dst as usize] = v;
            Ok(pc + 1)
        }),
        Op::SetIdx {
            base,
            len,
            idx,
            value,
            range,
        } => (|| {
            let i = local_index(eval(locals, idx)?, *len, instr.span)?;
            let v = eval(locals, value)?;
            check_range(v, *range, "a local", instr.span)?;
            locals[*base as usize + i] = v;
            Ok(pc + 1)
        })(),
        Op::Clear { from, to } => {
            for l in &mut locals[*from as usize..*to as usize] {
                *l = 0;
            }
            Ok(pc + 1)
        }
        Op::Jump(target) => Ok(*target as usize),
        Op::JumpIfNot { cond, target } => {
            eval(locals, cond).map(|c| if c == 0 { *target as usize } else { pc + 1 })
        }
        Op::Progress => Ok(pc + 1),
        _ => return None,
    })
}

/// One binary operation with 64-bit overflow and division checks.
pub fn binary(op: BinOp, a: Value, b: Value, span: SrcSpan) -> EvalResult<Value> {
    let overflow = |sym: &str| -> EvalResult<Value> {
        rt_err(
            span,
            format!("overflow: {a} {sym} {b} does not fit in 64 bits"),
        )
    };
    Ok(match op {
        BinOp::Add => match a.checked_add(b) {
            Some(v) => v,
            None => return overflow("+"),
        },
        BinOp::Sub => match a.checked_sub(b) {
            Some(v) => v,
            None => return overflow("-"),
        },
        BinOp::Mul => match a.checked_mul(b) {
            Some(v) => v,
            None => return overflow("*"),
        },
        BinOp::Div | BinOp::Rem => {
            if b == 0 {
                return rt_err(span, format!("division by zero: {a} {} 0", sym(op)));
            }
            // A remainder always fits (i64::MIN % -1 is 0); only a
            // quotient can overflow.
            let r = if op == BinOp::Div {
                a.checked_div(b)
            } else {
                Some(a.wrapping_rem(b))
            };
            match r {
                Some(v) => v,
                None => return overflow(sym(op)),
            }
        }
        BinOp::Lt => (a < b) as Value,
        BinOp::Le => (a <= b) as Value,
        BinOp::Gt => (a > b) as Value,
        BinOp::Ge => (a >= b) as Value,
        BinOp::Eq => (a == b) as Value,
        BinOp::Ne => (a != b) as Value,
        BinOp::And => (a != 0 && b != 0) as Value,
        BinOp::Or => (a != 0 || b != 0) as Value,
    })
}

fn sym(op: BinOp) -> &'static str {
    match op {
        BinOp::Div => "/",
        BinOp::Rem => "%",
        _ => "?",
    }
}

/// Index `i` of a local array of `len` elements, checked.
pub fn local_index(i: Value, len: u32, span: SrcSpan) -> EvalResult<usize> {
    if i < 0 || i >= Value::from(len) {
        return rt_err(
            span,
            format!("index {i} is out of bounds for an array of length {len}"),
        );
    }
    Ok(i as usize)
}

/// Is `v` inside a declared half-open range (or is there none)?
pub fn in_range(v: Value, range: Option<(Value, Value)>) -> bool {
    match range {
        Some((lo, hi)) => lo <= v && v < hi,
        None => true,
    }
}

/// Check a value against a declared half-open range.
pub fn check_range(
    v: Value,
    range: Option<(Value, Value)>,
    what: &str,
    span: SrcSpan,
) -> EvalResult<()> {
    match range {
        Some((lo, hi)) if v < lo || v >= hi => rt_err(
            span,
            format!("range violation: {what} = {v} is outside its range {lo}..{hi}"),
        ),
        _ => Ok(()),
    }
}

/// The value of `e` whatever the locals are, when it has one that can be
/// known without evaluating it, and evaluating it could not fail: `0 == 0`,
/// `1 || (l1 < 0)` (a side that cannot fail may be skipped).
pub fn constant(e: &Expr) -> Option<Value> {
    match e {
        Expr::Const(v) => Some(*v),
        Expr::Unary(UnOp::Not, a, _) => constant(a).map(|a| (a == 0) as Value),
        Expr::Binary(op @ (BinOp::And | BinOp::Or), a, b, _) => {
            // The side that decides, when the other cannot fail.
            let decides = if *op == BinOp::Or { 1 } else { 0 };
            let (ca, cb) = (constant(a), constant(b));
            let settled = |c: Option<Value>, other: &Expr| {
                c.is_some_and(|c| (c != 0) as Value == decides) && infallible(other)
            };
            if settled(ca, b) || settled(cb, a) {
                return Some(decides);
            }
            binary(*op, ca?, cb?, SrcSpan::default()).ok()
        }
        Expr::Binary(op, a, b, _) => {
            binary(*op, constant(a)?, constant(b)?, SrcSpan::default()).ok()
        }
        _ => None,
    }
}

/// Can evaluating `e` never fail (no arithmetic, indexing or thread
/// lookups)?
pub(crate) fn infallible(e: &Expr) -> bool {
    match e {
        Expr::Const(_) | Expr::Local(_) => true,
        Expr::Unary(UnOp::Not, a, _) => infallible(a),
        Expr::Binary(
            BinOp::Lt
            | BinOp::Le
            | BinOp::Gt
            | BinOp::Ge
            | BinOp::Eq
            | BinOp::Ne
            | BinOp::And
            | BinOp::Or,
            a,
            b,
            _,
        ) => infallible(a) && infallible(b),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{binary, constant};
    use weft_ir::{BinOp, Expr, SrcSpan, UnOp};

    fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
        Expr::Binary(op, Box::new(a), Box::new(b), SrcSpan::default())
    }

    #[test]
    fn constants_are_found_only_where_nothing_can_fail() {
        let (zero, one, local) = (Expr::Const(0), Expr::Const(1), Expr::Local(1));
        let test = bin(BinOp::Lt, local.clone(), zero.clone());
        assert_eq!(
            constant(&bin(BinOp::Eq, zero.clone(), zero.clone())),
            Some(1)
        );
        assert_eq!(
            constant(&bin(BinOp::Or, one.clone(), test.clone())),
            Some(1)
        );
        assert_eq!(
            constant(&bin(BinOp::And, test.clone(), zero.clone())),
            Some(0)
        );
        assert_eq!(constant(&bin(BinOp::Or, zero.clone(), test.clone())), None);
        assert_eq!(
            constant(&Expr::Unary(
                UnOp::Not,
                Box::new(zero.clone()),
                SrcSpan::default()
            )),
            Some(1)
        );
        // `1 || 1 / l1` fails when l1 is 0: it must be evaluated.
        let risky = bin(BinOp::Div, one.clone(), local);
        assert_eq!(constant(&bin(BinOp::Or, one.clone(), risky)), None);
        // Constant arithmetic that fails is no constant either.
        assert_eq!(constant(&bin(BinOp::Div, one, zero)), None);
    }

    /// Only a quotient can leave 64 bits: `i64::MIN % -1` is 0, while
    /// `i64::MIN / -1` overflows and a zero divisor fails either way.
    #[test]
    fn remainders_always_fit_and_quotients_may_overflow() {
        let span = SrcSpan::default();
        assert_eq!(binary(BinOp::Rem, i64::MIN, -1, span).ok(), Some(0));
        assert_eq!(binary(BinOp::Rem, -7, 2, span).ok(), Some(-1));
        assert!(binary(BinOp::Div, i64::MIN, -1, span).is_err());
        assert!(binary(BinOp::Rem, 5, 0, span).is_err());
        assert!(binary(BinOp::Div, 5, 0, span).is_err());
    }
}
