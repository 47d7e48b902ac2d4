//! Statements and expressions of threads and functions, as Rust over the
//! `Shared` struct `s` and the locks this thread holds, `held`.

use std::fmt::Write;

use weft_ir::{ObjectKind, Ty, VarKind};
use weft_syntax::ast::{self, BinOp, Expr, ExprKind, Place, RwMode, Stmt, StmtKind, UnOp};

use crate::globals::{ident, Global, Names};

/// How plain shared reads are written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// An access of the program: `s.x.get()`, checked for races by loom.
    Program,
    /// An assertion's read: `s.x.peek()`, never a race (LANGUAGE.md 6.8).
    Spec,
}

/// One thread or function body being translated.
pub(crate) struct Body<'n> {
    names: &'n Names,
    out: String,
    indent: usize,
    /// Locals in scope, innermost last: name, type, whether an array.
    scopes: Vec<Vec<(String, Ty, bool)>>,
    /// The unlock statement of each open `with`, innermost last.
    withs: Vec<String>,
    /// `withs.len()` when each enclosing loop was entered.
    loops: Vec<usize>,
    /// The types of the values `return`ed.
    returns: Vec<Ty>,
}

impl<'n> Body<'n> {
    fn new(names: &'n Names) -> Self {
        Body {
            names,
            out: String::new(),
            indent: 1,
            scopes: vec![Vec::new()],
            withs: Vec::new(),
            loops: Vec::new(),
            returns: Vec::new(),
        }
    }

    /// A function: its Rust text and its return type.
    pub(crate) fn function(names: &'n Names, f: &ast::FnDecl) -> (String, Option<Ty>) {
        let mut b = Body::new(names);
        let params = names
            .fns
            .get(&f.name.name)
            .map(|s| s.0.clone())
            .unwrap_or_default();
        let mut list = String::new();
        for (p, ty) in f
            .params
            .iter()
            .zip(params.iter().chain(std::iter::repeat(&Ty::Int)))
        {
            let _ = write!(list, ", mut {}: {}", ident(&p.name.name), rust_ty(*ty));
            b.declare(&p.name.name, *ty, false);
        }
        b.block_stmts(&f.body);
        let ret = b.returns.first().copied();
        let arrow = ret.map_or(String::new(), |t| format!(" -> {}", rust_ty(t)));
        let text = format!(
            "fn {}<'a>(s: &'a Shared, held: &mut Held<'a>{list}){arrow} {{\n{}}}\n",
            ident(&f.name.name),
            b.out
        );
        (text, ret)
    }

    /// A thread declaration: one Rust function run by each instance.
    pub(crate) fn thread(names: &'n Names, t: &ast::ThreadDecl) -> String {
        let mut b = Body::new(names);
        let group = t.count.is_some();
        let watched = names.watched.contains(&t.name.name);
        let me = if group { ", me: i64" } else { "" };
        let mut text = format!(
            "/// Thread `{}`.\nfn {}(s: &Shared{me}) {{\n    let held = &mut Held::new();\n",
            t.name.name,
            ident(&t.name.name)
        );
        // weft has no `return` in a thread body, so the end is always reached.
        b.block_stmts(&t.body);
        text.push_str(&b.out);
        if watched {
            let index = if group { "[ix(me)]" } else { "" };
            let _ = writeln!(text, "    s.finished_{}{index}.finish();", t.name.name);
        }
        text.push_str("}\n");
        text
    }

    /// A specification expression (a final assertion's condition).
    pub(crate) fn spec(names: &'n Names, e: &Expr) -> (String, Ty) {
        let mut b = Body::new(names);
        b.expr(e, Mode::Spec)
    }

    fn declare(&mut self, name: &str, ty: Ty, array: bool) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name.to_string(), ty, array));
        }
    }

    fn local(&self, name: &str) -> Option<(Ty, bool)> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _, _)| n == name)
            .map(|(_, t, a)| (*t, *a))
    }

    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn block_stmts(&mut self, b: &ast::Block) {
        for s in &b.stmts {
            self.stmt(s);
        }
    }

    /// `{ ... }` with its own scope of locals.
    fn nested(&mut self, open: &str, b: &ast::Block, prefix: &[String], close: &str) {
        self.line(open);
        self.indent += 1;
        self.scopes.push(Vec::new());
        for p in prefix {
            self.line(p);
        }
        self.block_stmts(b);
        self.scopes.pop();
        self.indent -= 1;
        self.line(close);
    }

    fn stmt(&mut self, s: &Stmt) {
        if let Some(label) = &s.label {
            self.line(&format!("// {}:", label.name));
        }
        match &s.kind {
            StmtKind::Let { name, ty, init } => {
                let (value, vty, array) = match (init, ty) {
                    (Some(e), _) => {
                        let array =
                            matches!(e.kind, ExprKind::ArrayLit(_) | ExprKind::ArrayRepeat { .. });
                        let (v, t) = self.expr(e, Mode::Program);
                        (v, t, array)
                    }
                    (None, Some(t)) => default_of(t),
                    (None, None) => ("0".to_string(), Ty::Int, false),
                };
                let vty = match ty {
                    Some(ast::TypeExpr::Bool { .. }) => Ty::Bool,
                    Some(ast::TypeExpr::Int { .. }) => Ty::Int,
                    _ => vty,
                };
                self.line(&format!("let mut {} = {value};", ident(&name.name)));
                self.declare(&name.name, vty, array);
            }
            StmtKind::Assign { target, value } => {
                let (v, _) = self.expr(value, Mode::Program);
                self.store(target, v);
            }
            StmtKind::Compound {
                target, op, value, ..
            } => {
                let (old, _) = self.load(target, Mode::Program);
                let (v, _) = self.expr(value, Mode::Program);
                let sym = match op {
                    ast::CompoundOp::Add => "+",
                    ast::CompoundOp::Sub => "-",
                    ast::CompoundOp::Mul => "*",
                };
                self.store(target, format!("{old} {sym} {}", paren(value, v)));
            }
            StmtKind::If {
                cond,
                then_block,
                else_block,
            } => self.if_chain(cond, then_block, else_block.as_ref(), "if"),
            StmtKind::While { cond, body } => {
                let (c, _) = self.expr(cond, Mode::Program);
                self.looped(&format!("while {c} {{"), body);
            }
            StmtKind::Loop { body } => self.looped("loop {", body),
            StmtKind::ForRange { var, lo, hi, body } => {
                let (l, _) = self.expr(lo, Mode::Program);
                let (h, _) = self.expr(hi, Mode::Program);
                self.loops.push(self.withs.len());
                self.scopes.push(vec![(var.name.clone(), Ty::Int, false)]);
                self.nested(
                    &format!("for {} in {} {{", ident(&var.name), range(&l, lo, &h, hi)),
                    body,
                    &[],
                    "}",
                );
                self.scopes.pop();
                self.loops.pop();
            }
            StmtKind::ForChannel { var, channel, body } => {
                let ch = self.object(channel);
                self.loops.push(self.withs.len());
                self.scopes.push(vec![(var.name.clone(), Ty::Int, false)]);
                self.nested(
                    &format!("while let Some({}) = {ch}.next() {{", ident(&var.name)),
                    body,
                    &[],
                    "}",
                );
                self.scopes.pop();
                self.loops.pop();
            }
            StmtKind::Break => {
                self.unlock_to(self.loops.last().copied().unwrap_or(0));
                self.line("break;");
            }
            StmtKind::Continue => {
                self.unlock_to(self.loops.last().copied().unwrap_or(0));
                self.line("continue;");
            }
            StmtKind::Return { value } => {
                let v = value.as_ref().map(|e| self.expr(e, Mode::Program));
                if let Some((_, t)) = &v {
                    self.returns.push(*t);
                }
                self.unlock_to(0);
                match v {
                    Some((v, _)) => self.line(&format!("return {v};")),
                    None => self.line("return;"),
                }
            }
            StmtKind::With { lock, mode, body } => {
                let obj = self.object(lock);
                let (take, give) = match mode {
                    None => ("lock", "unlock"),
                    Some(RwMode::Read) => ("read_lock", "read_unlock"),
                    Some(RwMode::Write) => ("write_lock", "write_unlock"),
                };
                let unlock = format!("held.{give}(&{obj});");
                self.line("{");
                self.indent += 1;
                self.line(&format!("held.{take}(&{obj});"));
                self.withs.push(unlock.clone());
                self.scopes.push(Vec::new());
                self.block_stmts(body);
                self.scopes.pop();
                self.withs.pop();
                self.line(&unlock);
                self.indent -= 1;
                self.line("}");
            }
            StmtKind::Atomic { body } => {
                self.nested(
                    "{",
                    body,
                    &[
                        "let _atomic = s.atomic_section.lock().expect(\"atomic section\");"
                            .to_string(),
                    ],
                    "}",
                );
            }
            StmtKind::Await { cond } => {
                let (c, _) = self.expr(cond, Mode::Program);
                self.line(&format!("await_until(|| {c});"));
            }
            StmtKind::Assert { cond, message } => {
                let (c, _) = self.expr(cond, Mode::Spec);
                let text = message
                    .as_ref()
                    .map_or_else(|| source_text(cond), |m| m.value.clone());
                self.line(&format!(
                    "assert!({c}, {});",
                    message_of("assertion", &text)
                ));
            }
            StmtKind::Progress => {}
            StmtKind::Fence => self.line("// fence: no effect under sequential consistency"),
            StmtKind::Join { thread } => {
                let t = self.finished(thread);
                self.line(&format!("{t}.join();"));
            }
            StmtKind::Expr(e) => {
                let (v, _) = self.expr(e, Mode::Program);
                self.line(&format!("{v};"));
            }
            StmtKind::Block(b) => self.nested("{", b, &[], "}"),
        }
    }

    fn if_chain(&mut self, cond: &Expr, then: &ast::Block, els: Option<&ast::Block>, kw: &str) {
        let (c, _) = self.expr(cond, Mode::Program);
        let close = if els.is_some() { "} else {" } else { "}" };
        self.nested(&format!("{kw} {c} {{"), then, &[], close);
        if let Some(b) = els {
            // `else if`: the nested `if` alone in the else block.
            if let [Stmt {
                label: None,
                kind:
                    StmtKind::If {
                        cond,
                        then_block,
                        else_block,
                    },
                ..
            }] = b.stmts.as_slice()
            {
                let start = self.out.len();
                self.if_chain(cond, then_block, else_block.as_ref(), "if");
                // Join `} else {` and the nested `if` line into `} else if ... {`.
                let nested = self.out.split_off(start);
                let trimmed = nested.trim_start();
                if self.out.ends_with("} else {\n") {
                    self.out.truncate(self.out.len() - 2);
                    self.out.push_str(trimmed);
                } else {
                    self.out.push_str(&nested);
                }
                return;
            }
            self.indent += 1;
            self.scopes.push(Vec::new());
            self.block_stmts(b);
            self.scopes.pop();
            self.indent -= 1;
            self.line("}");
        }
    }

    /// A `while` or `loop`. A loop that never blocks is a spin loop: it
    /// yields to loom's scheduler in every round, as loom requires.
    fn looped(&mut self, open: &str, body: &ast::Block) {
        let spins = !body.stmts.iter().any(blocks);
        let prefix = if spins {
            vec!["loom::thread::yield_now();".to_string()]
        } else {
            Vec::new()
        };
        self.loops.push(self.withs.len());
        self.nested(open, body, &prefix, "}");
        self.loops.pop();
    }

    fn unlock_to(&mut self, depth: usize) {
        let unlocks: Vec<String> = self.withs[depth.min(self.withs.len())..]
            .iter()
            .rev()
            .cloned()
            .collect();
        for u in unlocks {
            self.line(&u);
        }
    }

    /// An index: a literal as it is, anything else through `ix` (which
    /// turns a negative index into weft's runtime error).
    fn index(&mut self, e: &Expr) -> String {
        match e.kind {
            ExprKind::Int(n) if n >= 0 => n.to_string(),
            _ => format!("ix({})", self.expr(e, Mode::Program).0),
        }
    }

    /// `s.m`, `s.fork[ix(i)]`: an object (or atomic variable) as a place.
    fn object(&mut self, p: &Place) -> String {
        let name = ident(&p.name.name);
        match &p.index {
            Some(i) => {
                let i = self.index(i);
                format!("s.{name}[{i}]")
            }
            None => format!("s.{name}"),
        }
    }

    fn finished(&mut self, p: &Place) -> String {
        match &p.index {
            Some(i) => {
                let i = self.index(i);
                format!("s.finished_{}[{i}]", p.name.name)
            }
            None => format!("s.finished_{}", p.name.name),
        }
    }

    fn load(&mut self, p: &Place, mode: Mode) -> (String, Ty) {
        if let Some((ty, _)) = self.local(&p.name.name) {
            let name = ident(&p.name.name);
            return match &p.index {
                Some(i) => {
                    let i = self.index(i);
                    (format!("{name}[{i}]"), ty)
                }
                None => (name, ty),
            };
        }
        match self.names.globals.get(&p.name.name).cloned() {
            Some(Global::Var { kind, ty, .. }) => {
                let cell = self.object(p);
                let read = match (kind, mode) {
                    (VarKind::Shared, Mode::Program) => format!("{cell}.get()"),
                    (VarKind::Shared, Mode::Spec) => format!("{cell}.peek()"),
                    (VarKind::Atomic, _) => format!("{cell}.load(SeqCst)"),
                    (VarKind::Ghost, _) => format!("{cell}.get()"),
                };
                (read, ty)
            }
            Some(Global::Const(ty)) => (ident(&p.name.name), ty),
            _ => (ident(&p.name.name), Ty::Int),
        }
    }

    fn store(&mut self, p: &Place, value: String) {
        if self.local(&p.name.name).is_some() {
            let name = ident(&p.name.name);
            match &p.index {
                Some(i) => {
                    let i = self.index(i);
                    self.line(&format!("{name}[{i}] = {value};"));
                }
                None => self.line(&format!("{name} = {value};")),
            }
            return;
        }
        if let Some(Global::Var { kind, range, .. }) = self.names.globals.get(&p.name.name).cloned()
        {
            let cell = self.object(p);
            let value = match range {
                Some((lo, hi)) => format!("in_range({value}, {lo}, {hi})"),
                None => value,
            };
            match kind {
                VarKind::Atomic => self.line(&format!("{cell}.store({value}, SeqCst);")),
                VarKind::Shared | VarKind::Ghost => self.line(&format!("{cell}.set({value});")),
            }
        }
    }

    /// An expression: its Rust text and type.
    pub(crate) fn expr(&mut self, e: &Expr, mode: Mode) -> (String, Ty) {
        match &e.kind {
            ExprKind::Int(n) if *n < 0 => (format!("({n})"), Ty::Int),
            ExprKind::Int(n) => (n.to_string(), Ty::Int),
            ExprKind::Bool(b) => (b.to_string(), Ty::Bool),
            ExprKind::SelfIdx => ("me".to_string(), Ty::Int),
            ExprKind::Name(id) => self.load(
                &Place {
                    name: id.clone(),
                    index: None,
                    span: id.span,
                },
                mode,
            ),
            ExprKind::Index { base, index } => self.load(
                &Place {
                    name: base.clone(),
                    index: Some(index.clone()),
                    span: e.span,
                },
                mode,
            ),
            ExprKind::Unary { op, operand } => {
                let (v, _) = self.expr(operand, mode);
                match op {
                    UnOp::Neg => (format!("-{}", paren(operand, v)), Ty::Int),
                    UnOp::Not => (format!("!{}", paren(operand, v)), Ty::Bool),
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let (l, _) = self.expr(lhs, mode);
                let (r, _) = self.expr(rhs, mode);
                let ty = match op {
                    BinOp::Mul | BinOp::Div | BinOp::Rem | BinOp::Add | BinOp::Sub => Ty::Int,
                    _ => Ty::Bool,
                };
                (
                    format!("{} {} {}", paren(lhs, l), op.symbol(), paren(rhs, r)),
                    ty,
                )
            }
            ExprKind::Call { func, args } => {
                let mut list = String::new();
                for a in args {
                    let (v, _) = self.expr(a, mode);
                    let _ = write!(list, ", {v}");
                }
                let ret = self
                    .names
                    .fns
                    .get(&func.name)
                    .and_then(|s| s.1)
                    .unwrap_or(Ty::Int);
                (format!("{}(s, held{list})", ident(&func.name)), ret)
            }
            ExprKind::Method {
                receiver,
                method,
                args,
            } => self.method(receiver, &method.name, args, mode),
            ExprKind::Choose { lo, hi } => {
                let (l, _) = self.expr(lo, mode);
                let (h, _) = self.expr(hi, mode);
                (format!("choose({l}, {h})"), Ty::Int)
            }
            ExprKind::Done { thread } => {
                let t = self.finished(thread);
                (format!("{t}.peek()"), Ty::Bool)
            }
            ExprKind::ArrayLit(items) => {
                let mut ty = Ty::Int;
                let list: Vec<String> = items
                    .iter()
                    .map(|i| {
                        let (v, t) = self.expr(i, mode);
                        ty = t;
                        v
                    })
                    .collect();
                (format!("vec![{}]", list.join(", ")), ty)
            }
            ExprKind::ArrayRepeat { value, len } => {
                let (v, ty) = self.expr(value, mode);
                let (n, _) = self.expr(len, mode);
                (format!("vec![{v}; ix({n})]"), ty)
            }
            // Refused before translation (`refuse`).
            ExprKind::At { .. } => ("false".to_string(), Ty::Bool),
        }
    }

    fn method(
        &mut self,
        receiver: &Place,
        method: &str,
        args: &[Expr],
        mode: Mode,
    ) -> (String, Ty) {
        let global = self.names.globals.get(&receiver.name.name).cloned();
        let obj = self.object(receiver);
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.expr(a, mode).0);
        }
        let arg = |i: usize| vals.get(i).cloned().unwrap_or_default();
        match global {
            Some(Global::Object { kind }) => match (kind, method) {
                (ObjectKind::Mutex, "try_lock") => (format!("held.try_lock(&{obj})"), Ty::Bool),
                (ObjectKind::Mutex | ObjectKind::RwLock, m) => {
                    (format!("held.{m}(&{obj})"), Ty::Int)
                }
                (ObjectKind::Condvar, "wait") => {
                    let m = match args.first().map(|a| &a.kind) {
                        Some(ExprKind::Name(id)) => format!("s.{}", ident(&id.name)),
                        Some(ExprKind::Index { base, index }) => {
                            format!("s.{}[{}]", ident(&base.name), self.index(index))
                        }
                        _ => arg(0),
                    };
                    (format!("held.wait(&{obj}, &{m})"), Ty::Int)
                }
                (ObjectKind::Semaphore, "try_acquire") => {
                    (format!("{obj}.try_acquire()"), Ty::Bool)
                }
                (ObjectKind::Channel, "recv") => (format!("{obj}.recv()"), Ty::Int),
                (_, m) => (format!("{obj}.{m}({})", vals.join(", ")), Ty::Int),
            },
            Some(Global::Var { ty, .. }) => match method {
                "load" => (format!("{obj}.load(SeqCst)"), ty),
                "store" => (format!("{obj}.store({}, SeqCst)", arg(0)), ty),
                "cas" => (
                    format!(
                        "{obj}.compare_exchange({}, {}, SeqCst, SeqCst).is_ok()",
                        arg(0),
                        arg(1)
                    ),
                    Ty::Bool,
                ),
                "fetch_add" | "fetch_sub" => (format!("{method}(&{obj}, {})", arg(0)), ty),
                m => (format!("{obj}.{m}({}, SeqCst)", arg(0)), ty),
            },
            _ => (format!("{obj}.{method}({})", vals.join(", ")), Ty::Int),
        }
    }
}

/// `lo..hi` as Rust, without parentheses where none are needed.
fn range(l: &str, lo: &Expr, h: &str, hi: &Expr) -> String {
    format!("{}..{}", paren(lo, l.to_string()), paren(hi, h.to_string()))
}

/// Parenthesize an operand that is itself an operator expression.
fn paren(e: &Expr, text: String) -> String {
    match e.kind {
        ExprKind::Binary { .. } | ExprKind::Unary { .. } => format!("({text})"),
        _ => text,
    }
}

fn rust_ty(t: Ty) -> &'static str {
    match t {
        Ty::Int => "i64",
        Ty::Bool => "bool",
    }
}

/// The default value of a local declared with a type and no value.
fn default_of(t: &ast::TypeExpr) -> (String, Ty, bool) {
    match t {
        ast::TypeExpr::Int { .. } => ("0".to_string(), Ty::Int, false),
        ast::TypeExpr::Bool { .. } => ("false".to_string(), Ty::Bool, false),
        ast::TypeExpr::Array { elem, len, .. } => {
            let (v, ty, _) = default_of(elem);
            (format!("vec![{v}; ix({})]", source_text(len)), ty, true)
        }
    }
}

/// Whether a statement can block (a spin loop contains none).
fn blocks(s: &Stmt) -> bool {
    let found = std::cell::Cell::new(false);
    visit_stmt(
        s,
        &mut |s| {
            if matches!(
                s.kind,
                StmtKind::With { .. }
                    | StmtKind::Await { .. }
                    | StmtKind::Join { .. }
                    | StmtKind::ForChannel { .. }
            ) {
                found.set(true);
            }
        },
        &mut |e| {
            if let ExprKind::Method { method, .. } = &e.kind {
                if matches!(
                    method.name.as_str(),
                    "lock" | "read_lock" | "write_lock" | "acquire" | "wait" | "send" | "recv"
                ) {
                    found.set(true);
                }
            }
        },
    );
    found.get()
}

/// `assert!`'s message: `"assertion: text"`, escaped for a format string.
pub(crate) fn message_of(kind: &str, text: &str) -> String {
    let s = format!("{kind}: {text}")
        .replace('{', "{{")
        .replace('}', "}}");
    format!("{s:?}")
}

/// Alias used by `globals`.
pub(crate) fn message(kind: &str, text: &str) -> String {
    message_of(kind, text)
}

/// The type of a constant's value.
pub(crate) fn const_type(e: &Expr, names: &Names) -> Ty {
    match &e.kind {
        ExprKind::Bool(_) => Ty::Bool,
        ExprKind::Unary { op: UnOp::Not, .. } => Ty::Bool,
        ExprKind::Binary { op, .. } => match op {
            BinOp::Mul | BinOp::Div | BinOp::Rem | BinOp::Add | BinOp::Sub => Ty::Int,
            _ => Ty::Bool,
        },
        ExprKind::Name(id) => match names.globals.get(&id.name) {
            Some(Global::Const(t)) => *t,
            _ => Ty::Int,
        },
        _ => Ty::Int,
    }
}

/// A constant's value as a Rust constant expression.
pub(crate) fn const_expr(e: &Expr, names: &Names) -> String {
    let mut b = Body::new(names);
    b.expr(e, Mode::Program).0
}

/// A parameter's type: as written, else `bool` when the body uses it as a
/// condition or with `!`, `&&`, `||`, else `int`.
pub(crate) fn param_type(p: &ast::Param, body: &ast::Block) -> Ty {
    match &p.ty {
        Some(ast::TypeExpr::Bool { .. }) => return Ty::Bool,
        Some(_) => return Ty::Int,
        None => {}
    }
    let is_p = |e: &Expr| matches!(&e.kind, ExprKind::Name(id) if id.name == p.name.name);
    let mut boolish = false;
    let mut check_cond = |c: &Expr| {
        if is_p(c) {
            boolish = true;
        }
    };
    for s in &body.stmts {
        visit_stmt(
            s,
            &mut |s| match &s.kind {
                StmtKind::If { cond, .. } | StmtKind::While { cond, .. } => check_cond(cond),
                StmtKind::Assert { cond, .. } | StmtKind::Await { cond } => check_cond(cond),
                _ => {}
            },
            &mut |_| {},
        );
    }
    for s in &body.stmts {
        visit_stmt(s, &mut |_| {}, &mut |e| match &e.kind {
            ExprKind::Unary {
                op: UnOp::Not,
                operand,
            } if is_p(operand) => boolish = true,
            ExprKind::Binary {
                op: BinOp::And | BinOp::Or,
                lhs,
                rhs,
            } if is_p(lhs) || is_p(rhs) => boolish = true,
            _ => {}
        });
    }
    if boolish {
        Ty::Bool
    } else {
        Ty::Int
    }
}

/// Visit a statement and everything in it: `on_stmt` for each statement,
/// `on_expr` for each expression.
pub(crate) fn visit_stmt(s: &Stmt, on_stmt: &mut dyn FnMut(&Stmt), on_expr: &mut dyn FnMut(&Expr)) {
    on_stmt(s);
    let block = |b: &ast::Block, on_stmt: &mut dyn FnMut(&Stmt), on_expr: &mut dyn FnMut(&Expr)| {
        for s in &b.stmts {
            visit_stmt(s, on_stmt, on_expr);
        }
    };
    let place = |p: &Place, on_expr: &mut dyn FnMut(&Expr)| {
        if let Some(i) = &p.index {
            visit_expr(i, on_expr);
        }
    };
    match &s.kind {
        StmtKind::Let { init, .. } => {
            if let Some(e) = init {
                visit_expr(e, on_expr);
            }
        }
        StmtKind::Assign { target, value } | StmtKind::Compound { target, value, .. } => {
            place(target, on_expr);
            visit_expr(value, on_expr);
        }
        StmtKind::If {
            cond,
            then_block,
            else_block,
        } => {
            visit_expr(cond, on_expr);
            block(then_block, on_stmt, on_expr);
            if let Some(b) = else_block {
                block(b, on_stmt, on_expr);
            }
        }
        StmtKind::While { cond, body } => {
            visit_expr(cond, on_expr);
            block(body, on_stmt, on_expr);
        }
        StmtKind::Loop { body } | StmtKind::Atomic { body } | StmtKind::Block(body) => {
            block(body, on_stmt, on_expr)
        }
        StmtKind::ForRange { lo, hi, body, .. } => {
            visit_expr(lo, on_expr);
            visit_expr(hi, on_expr);
            block(body, on_stmt, on_expr);
        }
        StmtKind::ForChannel { channel, body, .. } => {
            place(channel, on_expr);
            block(body, on_stmt, on_expr);
        }
        StmtKind::With { lock, body, .. } => {
            place(lock, on_expr);
            block(body, on_stmt, on_expr);
        }
        StmtKind::Await { cond } | StmtKind::Assert { cond, .. } => visit_expr(cond, on_expr),
        StmtKind::Return { value: Some(e) } | StmtKind::Expr(e) => visit_expr(e, on_expr),
        StmtKind::Join { thread } => place(thread, on_expr),
        StmtKind::Return { value: None }
        | StmtKind::Break
        | StmtKind::Continue
        | StmtKind::Progress
        | StmtKind::Fence => {}
    }
}

/// Visit an expression and each expression inside it.
pub(crate) fn visit_expr(e: &Expr, on_expr: &mut dyn FnMut(&Expr)) {
    on_expr(e);
    match &e.kind {
        ExprKind::Index { index, .. } => visit_expr(index, on_expr),
        ExprKind::Unary { operand, .. } => visit_expr(operand, on_expr),
        ExprKind::Binary { lhs, rhs, .. } => {
            visit_expr(lhs, on_expr);
            visit_expr(rhs, on_expr);
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|a| visit_expr(a, on_expr)),
        ExprKind::Method { receiver, args, .. } => {
            if let Some(i) = &receiver.index {
                visit_expr(i, on_expr);
            }
            args.iter().for_each(|a| visit_expr(a, on_expr));
        }
        ExprKind::Choose { lo, hi } => {
            visit_expr(lo, on_expr);
            visit_expr(hi, on_expr);
        }
        ExprKind::At { thread, .. } | ExprKind::Done { thread } => {
            if let Some(i) = &thread.index {
                visit_expr(i, on_expr);
            }
        }
        ExprKind::ArrayLit(items) => items.iter().for_each(|a| visit_expr(a, on_expr)),
        ExprKind::ArrayRepeat { value, len } => {
            visit_expr(value, on_expr);
            visit_expr(len, on_expr);
        }
        ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::Name(_) | ExprKind::SelfIdx => {}
    }
}

/// An expression as weft source (for assertion messages).
pub(crate) fn source_text(e: &Expr) -> String {
    let place = |p: &Place| match &p.index {
        Some(i) => format!("{}[{}]", p.name.name, source_text(i)),
        None => p.name.name.clone(),
    };
    let sub = |e: &Expr| match e.kind {
        ExprKind::Binary { .. } => format!("({})", source_text(e)),
        _ => source_text(e),
    };
    match &e.kind {
        ExprKind::Int(n) => n.to_string(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Name(id) => id.name.clone(),
        ExprKind::SelfIdx => "self".to_string(),
        ExprKind::Index { base, index } => format!("{}[{}]", base.name, source_text(index)),
        ExprKind::Unary { op, operand } => {
            let sym = if *op == UnOp::Neg { "-" } else { "!" };
            format!("{sym}{}", sub(operand))
        }
        ExprKind::Binary { op, lhs, rhs } => format!("{} {} {}", sub(lhs), op.symbol(), sub(rhs)),
        ExprKind::Call { func, args } => {
            let a: Vec<String> = args.iter().map(source_text).collect();
            format!("{}({})", func.name, a.join(", "))
        }
        ExprKind::Method {
            receiver,
            method,
            args,
        } => {
            let a: Vec<String> = args.iter().map(source_text).collect();
            format!("{}.{}({})", place(receiver), method.name, a.join(", "))
        }
        ExprKind::Choose { lo, hi } => format!("choose({}..{})", source_text(lo), source_text(hi)),
        ExprKind::At { thread, label } => format!("{}@{}", place(thread), label.name),
        ExprKind::Done { thread } => format!("done({})", place(thread)),
        ExprKind::ArrayLit(items) => {
            let a: Vec<String> = items.iter().map(source_text).collect();
            format!("[{}]", a.join(", "))
        }
        ExprKind::ArrayRepeat { value, len } => {
            format!("[{}; {}]", source_text(value), source_text(len))
        }
    }
}
