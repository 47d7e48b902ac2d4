//! Which thread groups may be permuted: conservative static conditions on
//! the IR, so that renaming a group's instances maps every run onto a run
//! and every check's verdict onto the same verdict.
//!
//! A group `g` of two or more instances is permuted only when:
//! 1. no liveness check is selected (livelock and starvation are judged per
//!    thread on cycles of the state graph; a cycle between canonical states
//!    may hand a step from one instance to another, so fairness per thread
//!    would be misjudged);
//! 2. no thread names an instance of `g` (`join(g[i])`, `done(g[i])`,
//!    `g[i]@label`), and every invariant or final assertion that does names
//!    them all alike (`specs.rs`): `!(g[0]@cs && g[1]@cs)`;
//! 3. in `g`'s code, `self` (local 0) is never written and appears only as
//!    the whole index of a global array of exactly `g`'s size, `a[self]`;
//! 4. each such array is accessed nowhere else: only by `g`'s code, and
//!    there only as `a[self]`; and all its cells start equal;
//! 5. `self` never indexes an object array (`m[self]`) or a thread group.

use super::specs;
use crate::Kind;
use weft_ir::{CellRef, Code, Expr, ObjRef, Op, Program, ThreadRef};

/// The decision for one thread group.
pub(super) struct Verdict {
    pub group: usize,
    /// The arrays indexed by `self` (variable indices), or why not.
    pub result: Result<Vec<usize>, String>,
}

/// A verdict for every thread group of two or more instances.
pub(super) fn analyze(program: &Program, checks: &[Kind]) -> Vec<Verdict> {
    let liveness = checks
        .iter()
        .any(|k| matches!(k, Kind::Livelock | Kind::Starvation));
    program
        .thread_groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.is_array && g.len >= 2)
        .map(|(group, _)| Verdict {
            group,
            result: if liveness {
                Err(
                    "the livelock and starvation checks judge fairness per thread, \
                     which permuting instances would mix up"
                        .to_string(),
                )
            } else {
                group_verdict(program, group)
            },
        })
        .collect()
}

fn group_verdict(program: &Program, group: usize) -> Result<Vec<usize>, String> {
    let g = &program.thread_groups[group];
    let (base, n) = (g.base, g.len);
    let threads = &program.threads[base as usize..(base + n) as usize];
    let code_id = threads[0].code;
    if n as usize > crate::MAX_THREADS {
        return Err(format!("it has more than {} instances", crate::MAX_THREADS));
    }
    if threads
        .iter()
        .enumerate()
        .any(|(i, t)| t.code != code_id || t.index != i as u32)
    {
        return Err("its instances do not share one code".to_string());
    }
    if program
        .threads
        .iter()
        .enumerate()
        .any(|(t, th)| th.code == code_id && !(base..base + n).contains(&(t as u32)))
    {
        return Err("its code is shared with threads outside it".to_string());
    }
    let all_codes = || {
        program
            .codes
            .iter()
            .enumerate()
            .map(|(i, c)| (Some(i as u32), c))
            .chain(program.invariants.iter().map(|s| (None, &s.code)))
            .chain(program.finals.iter().map(|s| (None, &s.code)))
    };

    // 2: nobody names an instance.
    for (id, code) in all_codes() {
        let mut named = false;
        visit(code, &mut |p| {
            if let Part::Thread(ThreadRef::Fixed(t)) = p {
                named |= (base..base + n).contains(t);
            }
            if let Part::Thread(ThreadRef::Group { group: h, .. }) = p {
                named |= *h as usize == group;
            }
        });
        if named {
            // A specification may name every instance alike:
            // `!(t[0]@cs && t[1]@cs)`.
            if id.is_none() && specs::symmetric(code, base, n) {
                continue;
            }
            let what = if id.is_none() {
                "and is not the same for every order of them"
            } else {
                "(join, done or @label)"
            };
            return Err(format!("`{}` names an instance of it {what}", code.name));
        }
    }

    // 3 and 5: how the group's own code uses `self`.
    let code = &program.codes[code_id as usize];
    let mut arrays: Vec<usize> = Vec::new();
    let mut why: Option<String> = None;
    visit(code, &mut |p| {
        let problem = match p {
            Part::Expr(e) => mentions_self(e).then(|| "`self` is used in a computation".into()),
            Part::Cell(CellRef {
                var,
                idx: Some(Expr::Local(0)),
            }) => {
                let v = &program.vars[*var as usize];
                if v.is_array && v.len == n {
                    if !arrays.contains(&(*var as usize)) {
                        arrays.push(*var as usize);
                    }
                    None
                } else {
                    Some(format!(
                        "`self` indexes `{}`, whose size is not the group's",
                        v.name
                    ))
                }
            }
            Part::Cell(CellRef { idx: Some(e), .. }) => {
                mentions_self(e).then(|| "`self` is used in a computation of an index".into())
            }
            Part::Cell(_) => None,
            Part::Obj(ObjRef::Group { idx, .. }) => {
                mentions_self(idx).then(|| "`self` indexes an object array".into())
            }
            Part::Obj(ObjRef::Fixed(_)) => None,
            Part::Thread(ThreadRef::Group { idx, .. }) => {
                mentions_self(idx).then(|| "`self` indexes a thread group".into())
            }
            Part::Thread(ThreadRef::Fixed(_)) => None,
            Part::Writes(from, to) => {
                (*from == 0 && *to > 0).then(|| "`self` is overwritten".into())
            }
        };
        if why.is_none() {
            why = problem;
        }
    });
    if let Some(why) = why {
        return Err(why);
    }

    // 4: the self-indexed arrays belong to the group.
    for &var in &arrays {
        let v = &program.vars[var];
        if v.init.windows(2).any(|w| w[0] != w[1]) {
            return Err(format!(
                "the cells of `{}` start with different values",
                v.name
            ));
        }
        for (id, other) in all_codes() {
            let own = id == Some(code_id);
            let mut bad = false;
            visit(other, &mut |p| {
                if let Part::Cell(c) = p {
                    bad |= c.var as usize == var && !(own && c.idx == Some(Expr::Local(0)));
                }
            });
            if bad {
                return Err(format!(
                    "`{}` is accessed other than as `{}[self]` in `{}`",
                    v.name, v.name, other.name
                ));
            }
        }
    }
    Ok(arrays)
}

/// One thing an instruction refers to.
enum Part<'a> {
    /// A value computed (never an index of a global cell: that is `Cell`).
    Expr(&'a Expr),
    Cell(&'a CellRef),
    Obj(&'a ObjRef),
    Thread(&'a ThreadRef),
    /// Locals `from..to` are written.
    Writes(u32, u32),
}

/// Call `f` on every part of every instruction of `code`, including the
/// thread references inside expressions.
fn visit<'a>(code: &'a Code, f: &mut dyn FnMut(&Part<'a>)) {
    for instr in &code.instrs {
        parts(&instr.op, &mut |p| {
            match p {
                Part::Expr(e) => threads_in(e, f),
                Part::Cell(CellRef { idx: Some(e), .. }) => threads_in(e, f),
                Part::Obj(ObjRef::Group { idx, .. }) => threads_in(idx, f),
                Part::Thread(ThreadRef::Group { idx, .. }) => threads_in(idx, f),
                _ => {}
            }
            f(&p);
        });
    }
}

fn threads_in<'a>(e: &'a Expr, f: &mut dyn FnMut(&Part<'a>)) {
    match e {
        Expr::Const(_) | Expr::Local(_) => {}
        Expr::LocalIdx { idx, .. } => threads_in(idx, f),
        Expr::Unary(_, a, _) => threads_in(a, f),
        Expr::Binary(_, a, b, _) => {
            threads_in(a, f);
            threads_in(b, f);
        }
        Expr::At { thread, .. } | Expr::Done(thread) => {
            if let ThreadRef::Group { idx, .. } = thread {
                threads_in(idx, f);
            }
            f(&Part::Thread(thread));
        }
    }
}

/// Does `e` read `self` (local 0), directly or through a local array?
fn mentions_self(e: &Expr) -> bool {
    match e {
        Expr::Const(_) => false,
        Expr::Local(i) => *i == 0,
        Expr::LocalIdx { base, idx, .. } => *base == 0 || mentions_self(idx),
        Expr::Unary(_, a, _) => mentions_self(a),
        Expr::Binary(_, a, b, _) => mentions_self(a) || mentions_self(b),
        Expr::At { thread, .. } | Expr::Done(thread) => match thread {
            ThreadRef::Fixed(_) => false,
            ThreadRef::Group { idx, .. } => mentions_self(idx),
        },
    }
}

/// The parts of one instruction.
fn parts<'a>(op: &'a Op, f: &mut dyn FnMut(Part<'a>)) {
    let out = |d: &Option<u32>| d.map_or(Part::Writes(0, 0), |d| Part::Writes(d, d + 1));
    match op {
        Op::Set { dst, value, .. } => {
            f(Part::Writes(*dst, dst + 1));
            f(Part::Expr(value));
        }
        Op::SetIdx {
            base,
            len,
            idx,
            value,
            ..
        } => {
            f(Part::Writes(*base, base + len));
            f(Part::Expr(idx));
            f(Part::Expr(value));
        }
        Op::Clear { from, to } => f(Part::Writes(*from, *to)),
        Op::Jump(_) | Op::Progress | Op::AtomicBegin { .. } | Op::AtomicEnd | Op::Fence => {}
        Op::JumpIfNot { cond, .. }
        | Op::Check { cond, .. }
        | Op::Assert { cond, .. }
        | Op::Await { cond } => f(Part::Expr(cond)),
        Op::Choose { dst, lo, hi } => {
            f(Part::Writes(*dst, dst + 1));
            f(Part::Expr(lo));
            f(Part::Expr(hi));
        }
        Op::Read { dst, cell, .. } => {
            f(Part::Writes(*dst, dst + 1));
            f(Part::Cell(cell));
        }
        Op::Write { cell, value, .. } => {
            f(Part::Cell(cell));
            f(Part::Expr(value));
        }
        Op::Rmw {
            dst, cell, value, ..
        } => {
            f(out(dst));
            f(Part::Cell(cell));
            f(Part::Expr(value));
        }
        Op::Cas {
            dst,
            cell,
            expected,
            new,
        } => {
            f(out(dst));
            f(Part::Cell(cell));
            f(Part::Expr(expected));
            f(Part::Expr(new));
        }
        Op::Join { thread } => f(Part::Thread(thread)),
        Op::Lock { obj }
        | Op::LockGrant { obj }
        | Op::Unlock { obj }
        | Op::ReadLock { obj }
        | Op::WriteLock { obj }
        | Op::RwGrant { obj }
        | Op::ReadUnlock { obj }
        | Op::WriteUnlock { obj }
        | Op::Acquire { obj }
        | Op::AcquireGrant { obj }
        | Op::Release { obj }
        | Op::BarrierArrive { obj }
        | Op::BarrierLeave { obj }
        | Op::WgDone { obj }
        | Op::WgWait { obj } => f(Part::Obj(obj)),
        Op::TryLock { dst, obj } | Op::TryAcquire { dst, obj } => {
            f(out(dst));
            f(Part::Obj(obj));
        }
        Op::CvWait { cv, mutex } | Op::CvRelock { cv, mutex } => {
            f(Part::Obj(cv));
            f(Part::Obj(mutex));
        }
        Op::Notify { cv, .. } => f(Part::Obj(cv)),
        Op::Send { ch, value } => {
            f(Part::Obj(ch));
            f(Part::Expr(value));
        }
        Op::SendWait { ch } | Op::Close { ch } => f(Part::Obj(ch)),
        Op::Recv { dst, ch } => {
            f(out(dst));
            f(Part::Obj(ch));
        }
        Op::RecvOrEnd { dst, ch, .. } => {
            f(Part::Writes(*dst, dst + 1));
            f(Part::Obj(ch));
        }
        Op::WgAdd { obj, value } => {
            f(Part::Obj(obj));
            f(Part::Expr(value));
        }
    }
}
