//! A readable listing of a compiled [`Program`]: its layout, then each code
//! instruction by instruction. Meant for people and snapshot tests; the
//! format is not a contract.

use std::fmt::{self, Write as _};

use crate::{BinOp, CellRef, Code, Expr, FromRead, ObjRef, Op, Program, ThreadRef, UnOp, VarKind};

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for v in &self.vars {
            let kind = match v.kind {
                VarKind::Shared => "shared",
                VarKind::Atomic => "atomic",
                VarKind::Ghost => "ghost",
            };
            let ty = format!("{:?}", v.ty).to_lowercase();
            let ty = if v.is_array {
                format!("[{ty}; {}]", v.len)
            } else {
                ty
            };
            let range = v
                .range
                .map(|(lo, hi)| format!(" in {lo}..{hi}"))
                .unwrap_or_default();
            writeln!(
                f,
                "{kind} {}: {ty}{range} = {:?} (cells {}..{})",
                v.name,
                v.init,
                v.base,
                v.base + v.len
            )?;
        }
        for o in &self.objects {
            let fair = if o.fair { "fair " } else { "" };
            let kind = format!("{:?}", o.kind).to_lowercase();
            writeln!(f, "{fair}{kind} {} ({})", o.name, o.param)?;
        }
        for t in &self.threads {
            writeln!(f, "thread {} (code {}, self = {})", t.name, t.code, t.index)?;
        }
        for c in &self.codes {
            write!(f, "\n{}", code_listing(self, c))?;
        }
        for (kind, specs) in [("invariant", &self.invariants), ("final", &self.finals)] {
            for s in specs {
                let msg = s
                    .message
                    .as_ref()
                    .map(|m| format!(" ({m:?})"))
                    .unwrap_or_default();
                write!(
                    f,
                    "\n{kind} {:?}{msg}\n{}",
                    s.name,
                    code_listing(self, &s.code)
                )?;
            }
        }
        Ok(())
    }
}

/// One code as numbered instructions, with its labels.
pub fn code_listing(program: &Program, code: &Code) -> String {
    let p = Names { program };
    let mut out = format!("code {} (locals {})\n", code.name, code.n_locals);
    for l in &code.labels {
        let _ = write!(out, "  label {}: {}..{}", l.name, l.start, l.end);
        for (start, end) in &l.more {
            let _ = write!(out, ", {start}..{end}");
        }
        out.push('\n');
    }
    for (i, instr) in code.instrs.iter().enumerate() {
        let _ = writeln!(out, "  {i:>3}  {}", p.op(&instr.op));
    }
    out
}

/// Resolves indices to names while printing.
struct Names<'p> {
    program: &'p Program,
}

impl Names<'_> {
    fn op(&self, op: &Op) -> String {
        let e = |x: &Expr| self.expr(x, true);
        let dst = |d: &Option<u32>| d.map(|d| format!("{} <- ", local(d))).unwrap_or_default();
        let o = |r: &ObjRef| self.obj(r);
        match op {
            Op::Set { dst, value, range } => {
                format!("set {} <- {}{}", local(*dst), e(value), in_range(range))
            }
            Op::SetIdx {
                base,
                len,
                idx,
                value,
                range,
            } => {
                format!(
                    "set {}[{}; {len}] <- {}{}",
                    local(*base),
                    e(idx),
                    e(value),
                    in_range(range)
                )
            }
            Op::Clear { from, to } => format!("clear {}..{}", local(*from), local(*to)),
            Op::Jump(t) => format!("jump {t}"),
            Op::JumpIfNot { cond, target } => format!("jump {target} unless {}", e(cond)),
            Op::Choose { dst, lo, hi } => format!("choose {} <- {}..{}", local(*dst), e(lo), e(hi)),
            Op::Progress => "progress".into(),
            Op::Check { cond, message } => format!("check {}{}", e(cond), msg(message)),
            Op::Read {
                dst, cell, racy, ..
            } => {
                format!(
                    "read {} <- {}{}",
                    local(*dst),
                    self.cell(cell),
                    if *racy { "" } else { " (not racy)" }
                )
            }
            Op::Write {
                cell,
                value,
                from_read,
                keeps_read,
            } => {
                format!(
                    "write {} <- {}{}{}",
                    self.cell(cell),
                    e(value),
                    match from_read {
                        FromRead::No => String::new(),
                        FromRead::Yes => " (from read)".to_string(),
                        FromRead::Elements(els) => format!(" (from read of elements {els:?})"),
                    },
                    if *keeps_read { " (keeps the read)" } else { "" }
                )
            }
            Op::Rmw {
                dst: d,
                cell,
                op,
                value,
            } => format!("rmw {}{:?} {} {}", dst(d), op, self.cell(cell), e(value)).to_string(),
            Op::Cas {
                dst: d,
                cell,
                expected,
                new,
            } => {
                format!(
                    "cas {}{} {} -> {}",
                    dst(d),
                    self.cell(cell),
                    e(expected),
                    e(new)
                )
            }
            Op::AtomicBegin { .. } => "atomic {".into(),
            Op::AtomicEnd => "} atomic".into(),
            Op::Assert { cond, message } => format!("assert {}{}", e(cond), msg(message)),
            Op::Await { cond } => format!("await {}", e(cond)),
            Op::Fence => "fence".into(),
            Op::Join { thread } => format!("join {}", self.thread(thread)),
            Op::Lock { obj } => format!("lock {}", o(obj)),
            Op::LockGrant { obj } => format!("lock-grant {}", o(obj)),
            Op::Unlock { obj } => format!("unlock {}", o(obj)),
            Op::TryLock { dst: d, obj } => format!("try-lock {}{}", dst(d), o(obj)),
            Op::ReadLock { obj } => format!("read-lock {}", o(obj)),
            Op::WriteLock { obj } => format!("write-lock {}", o(obj)),
            Op::RwGrant { obj } => format!("rw-grant {}", o(obj)),
            Op::ReadUnlock { obj } => format!("read-unlock {}", o(obj)),
            Op::WriteUnlock { obj } => format!("write-unlock {}", o(obj)),
            Op::Acquire { obj } => format!("acquire {}", o(obj)),
            Op::AcquireGrant { obj } => format!("acquire-grant {}", o(obj)),
            Op::Release { obj } => format!("release {}", o(obj)),
            Op::TryAcquire { dst: d, obj } => format!("try-acquire {}{}", dst(d), o(obj)),
            Op::CvWait { cv, mutex } => format!("cv-wait {} releasing {}", o(cv), o(mutex)),
            Op::CvRelock { cv, mutex } => format!("cv-relock {} relocking {}", o(cv), o(mutex)),
            Op::Notify { cv, all } => {
                format!("notify-{} {}", if *all { "all" } else { "one" }, o(cv))
            }
            Op::Send { ch, value } => format!("send {} <- {}", o(ch), e(value)),
            Op::SendWait { ch } => format!("send-wait {}", o(ch)),
            Op::Recv { dst: d, ch } => format!("recv {}{}", dst(d), o(ch)),
            Op::RecvOrEnd { dst, ch, end } => {
                format!("recv {} <- {} or jump {end}", local(*dst), o(ch))
            }
            Op::Close { ch } => format!("close {}", o(ch)),
            Op::BarrierArrive { obj } => format!("barrier-arrive {}", o(obj)),
            Op::BarrierLeave { obj } => format!("barrier-leave {}", o(obj)),
            Op::WgAdd { obj, value } => format!("wg-add {} {}", o(obj), e(value)),
            Op::WgDone { obj } => format!("wg-done {}", o(obj)),
            Op::WgWait { obj } => format!("wg-wait {}", o(obj)),
        }
    }

    /// `top`: no parentheses around a binary expression at the top.
    fn expr(&self, e: &Expr, top: bool) -> String {
        match e {
            Expr::Const(v) => v.to_string(),
            Expr::Local(s) => local(*s),
            Expr::LocalIdx { base, len, idx, .. } => {
                format!("{}[{}; {len}]", local(*base), self.expr(idx, true))
            }
            Expr::Unary(op, x, _) => {
                let sym = match op {
                    UnOp::Neg => "-",
                    UnOp::Not => "!",
                };
                format!("{sym}{}", self.expr(x, false))
            }
            Expr::Binary(op, l, r, _) => {
                let s = format!(
                    "{} {} {}",
                    self.expr(l, false),
                    binop(*op),
                    self.expr(r, false)
                );
                if top {
                    s
                } else {
                    format!("({s})")
                }
            }
            Expr::At { thread, label } => {
                let name = self
                    .code_of(thread)
                    .and_then(|c| c.labels.get(*label as usize))
                    .map_or_else(|| format!("#{label}"), |l| l.name.clone());
                format!("{}@{name}", self.thread(thread))
            }
            Expr::Done(t) => format!("done({})", self.thread(t)),
        }
    }

    fn cell(&self, c: &CellRef) -> String {
        let name = self
            .program
            .vars
            .get(c.var as usize)
            .map_or("?", |v| v.name.as_str());
        match &c.idx {
            Some(i) => format!("{name}[{}]", self.expr(i, true)),
            None => name.to_string(),
        }
    }

    fn obj(&self, r: &ObjRef) -> String {
        match r {
            ObjRef::Fixed(i) => self
                .program
                .objects
                .get(*i as usize)
                .map_or("?".into(), |o| o.name.clone()),
            ObjRef::Group { group, idx } => {
                let name = self
                    .program
                    .object_groups
                    .get(*group as usize)
                    .map_or("?", |g| g.name.as_str());
                format!("{name}[{}]", self.expr(idx, true))
            }
        }
    }

    fn thread(&self, t: &ThreadRef) -> String {
        match t {
            ThreadRef::Fixed(i) => self
                .program
                .threads
                .get(*i as usize)
                .map_or("?".into(), |t| t.name.clone()),
            ThreadRef::Group { group, idx, .. } => {
                let name = self
                    .program
                    .thread_groups
                    .get(*group as usize)
                    .map_or("?", |g| g.name.as_str());
                format!("{name}[{}]", self.expr(idx, true))
            }
        }
    }

    fn code_of(&self, t: &ThreadRef) -> Option<&Code> {
        let thread = match t {
            ThreadRef::Fixed(i) => *i,
            ThreadRef::Group { group, .. } => self.program.thread_groups.get(*group as usize)?.base,
        };
        let code = self.program.threads.get(thread as usize)?.code;
        self.program.codes.get(code as usize)
    }
}

fn local(slot: u32) -> String {
    if slot == 0 {
        "self".into()
    } else {
        format!("l{slot}")
    }
}

fn in_range(range: &Option<(i64, i64)>) -> String {
    range
        .map(|(lo, hi)| format!(" (in {lo}..{hi})"))
        .unwrap_or_default()
}

fn msg(m: &Option<String>) -> String {
    m.as_ref().map(|m| format!(", {m:?}")).unwrap_or_default()
}

fn binop(op: BinOp) -> &'static str {
    match op {
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Rem => "%",
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        BinOp::And => "&&",
        BinOp::Or => "||",
    }
}
