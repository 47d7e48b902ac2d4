//! The program's global names and how each appears in Rust; the `Shared`
//! struct that holds every variable and object; the model's `run` and
//! `check` functions.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use weft_ir::{ObjectKind, Ty, VarKind};
use weft_syntax::ast::{self, ExprKind, Item, StmtKind};

use crate::body::{self, Body};

/// What a global name is.
#[derive(Clone, Debug)]
pub(crate) enum Global {
    Var {
        kind: VarKind,
        ty: Ty,
        range: Option<(i64, i64)>,
    },
    Object {
        kind: ObjectKind,
    },
    Const(Ty),
    Thread,
    Fn,
}

/// Every global name, with what the Rust needs to know about it.
pub(crate) struct Names {
    pub globals: HashMap<String, Global>,
    /// Each function's parameter types and return type (`None`: no value).
    pub fns: HashMap<String, (Vec<Ty>, Option<Ty>)>,
    /// Thread groups another thread joins or asks `done(t)` about: they get
    /// a `Finished` per instance.
    pub watched: HashSet<String>,
    /// Whether some thread has an `atomic { }` block.
    pub atomic_blocks: bool,
    /// Whether the program calls `choose`.
    pub chooses: bool,
}

/// Names the generated Rust uses itself; a weft name equal to one of them
/// (or to a Rust keyword) gets a trailing `_`.
const TAKEN: &[&str] = &[
    "s",
    "me",
    "held",
    "handles",
    "run",
    "check",
    "Shared",
    "ix",
    "in_range",
    "choose",
    "await_until",
    "start_execution",
    "model_with_choices",
    "Plain",
    "Ghost",
    "Held",
    "Semaphore",
    "Channel",
    "Barrier",
    "WaitGroup",
    "Finished",
    "SeqCst",
    "Arc",
    "Mutex",
    "Condvar",
    "RwLock",
    "AtomicI64",
    "AtomicBool",
    "loom",
    "std",
    "core",
    "crate",
    "drop",
    "vec",
    "assert",
    "Vec",
    "Some",
    "None",
    "Ok",
    "Err",
    "Option",
    "Result",
    "String",
    // Rust keywords that weft allows as names
    "as",
    "async",
    "dyn",
    "enum",
    "extern",
    "impl",
    "macro",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "static",
    "struct",
    "super",
    "trait",
    "type",
    "unsafe",
    "use",
    "where",
    "yield",
    "abstract",
    "become",
    "box",
    "do",
    "final",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "gen",
    "try",
];

/// A weft name as a Rust identifier.
pub(crate) fn ident(name: &str) -> String {
    if TAKEN.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

impl Names {
    pub(crate) fn collect(
        program: &ast::Program,
        ir: &weft_ir::Program,
        _defines: &[(String, String)],
    ) -> Names {
        let mut globals = HashMap::new();
        for v in &ir.vars {
            globals.insert(
                v.name.clone(),
                Global::Var {
                    kind: v.kind,
                    ty: v.ty,
                    range: v.range,
                },
            );
        }
        for g in &ir.object_groups {
            if let Some(o) = ir.objects.get(g.base as usize) {
                globals.insert(g.name.clone(), Global::Object { kind: o.kind });
            }
        }
        for g in &ir.thread_groups {
            globals.insert(g.name.clone(), Global::Thread);
        }
        let mut names = Names {
            globals,
            fns: HashMap::new(),
            watched: HashSet::new(),
            atomic_blocks: false,
            chooses: false,
        };
        // Constants in order: a constant's type follows from earlier ones.
        for item in &program.items {
            match item {
                Item::Const(c) => {
                    let ty = body::const_type(&c.value, &names);
                    names.globals.insert(c.name.name.clone(), Global::Const(ty));
                }
                Item::Fn(f) => {
                    names.globals.insert(f.name.name.clone(), Global::Fn);
                }
                _ => {}
            }
        }
        let mut scan = Scan::default();
        for item in &program.items {
            match item {
                Item::Thread(t) => scan.block(&t.body),
                Item::Fn(f) => scan.block(&f.body),
                Item::FinalAssert(f) => scan.expr(&f.cond),
                _ => {}
            }
        }
        names.watched = scan.watched;
        names.atomic_blocks = scan.atomic_blocks;
        names.chooses = scan.chooses;
        // Parameter types from how each body uses them; return types from
        // its `return`s, twice so that calls between functions settle.
        for item in &program.items {
            if let Item::Fn(f) = item {
                let params = f
                    .params
                    .iter()
                    .map(|p| body::param_type(p, &f.body))
                    .collect();
                names.fns.insert(f.name.name.clone(), (params, None));
            }
        }
        for _ in 0..2 {
            for item in &program.items {
                if let Item::Fn(f) = item {
                    let ret = Body::function(&names, f).1;
                    if let Some(sig) = names.fns.get_mut(&f.name.name) {
                        sig.1 = ret;
                    }
                }
            }
        }
        names
    }
}

/// Which constructs a program uses, for the fields and helpers it needs.
#[derive(Default)]
struct Scan {
    watched: HashSet<String>,
    atomic_blocks: bool,
    chooses: bool,
}

impl Scan {
    fn block(&mut self, b: &ast::Block) {
        for s in &b.stmts {
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &ast::Stmt) {
        let mut joined = Vec::new();
        let mut atomic = false;
        body::visit_stmt(
            s,
            &mut |s| match &s.kind {
                StmtKind::Join { thread } => joined.push(thread.name.name.clone()),
                StmtKind::Atomic { .. } => atomic = true,
                _ => {}
            },
            &mut |e| self.note(e),
        );
        self.watched.extend(joined);
        self.atomic_blocks |= atomic;
    }

    fn expr(&mut self, e: &ast::Expr) {
        body::visit_expr(e, &mut |e| self.note(e));
    }

    fn note(&mut self, e: &ast::Expr) {
        match &e.kind {
            ExprKind::Done { thread } => {
                self.watched.insert(thread.name.name.clone());
            }
            ExprKind::Choose { .. } => self.chooses = true,
            _ => {}
        }
    }
}

/// The model module: constants, `Shared`, functions, threads, `run`, `check`.
pub(crate) fn module(
    program: &ast::Program,
    ir: &weft_ir::Program,
    names: &Names,
    options: &crate::Options,
) -> String {
    let mut out = String::new();
    let defines = if options.defines.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = options
            .defines
            .iter()
            .map(|(n, v)| format!("-D {n}={v}"))
            .collect();
        format!(" {}", list.join(" "))
    };
    let _ = writeln!(
        out,
        "//! `{}`{defines} under loom. Generated by `weft emit loom`: do not edit;\n\
         //! regenerate instead (see docs/loom.md).",
        options.source_name
    );
    out.push_str(
        "#![allow(unused, unreachable_code, non_upper_case_globals, non_snake_case)]\n\
         #![allow(clippy::all)]\n\n\
         use crate::shim::*;\n",
    );

    // Constants, with the `-D` overrides.
    let mut consts = String::new();
    for item in &program.items {
        if let Item::Const(c) = item {
            let ty = match names.globals.get(&c.name.name) {
                Some(Global::Const(Ty::Bool)) => "bool",
                _ => "i64",
            };
            let value = options
                .defines
                .iter()
                .find(|(n, _)| *n == c.name.name)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| body::const_expr(&c.value, names));
            let _ = writeln!(consts, "const {}: {ty} = {value};", ident(&c.name.name));
        }
    }
    if !consts.is_empty() {
        out.push('\n');
        out.push_str(&consts);
    }

    shared_struct(&mut out, ir, names);

    for item in &program.items {
        if let Item::Fn(f) = item {
            out.push('\n');
            out.push_str(&Body::function(names, f).0);
        }
    }
    for item in &program.items {
        if let Item::Thread(t) = item {
            out.push('\n');
            out.push_str(&Body::thread(names, t));
        }
    }
    run_fn(&mut out, program, ir, names);
    out
}

fn field_type(kind: VarKind, ty: Ty) -> &'static str {
    match (kind, ty) {
        (VarKind::Shared, Ty::Int) => "Plain<i64>",
        (VarKind::Shared, Ty::Bool) => "Plain<bool>",
        (VarKind::Atomic, Ty::Int) => "AtomicI64",
        (VarKind::Atomic, Ty::Bool) => "AtomicBool",
        (VarKind::Ghost, Ty::Int) => "Ghost<i64>",
        (VarKind::Ghost, Ty::Bool) => "Ghost<bool>",
    }
}

fn value(ty: Ty, v: i64) -> String {
    match ty {
        Ty::Int => v.to_string(),
        Ty::Bool => (v != 0).to_string(),
    }
}

fn object_type(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Mutex => "Mutex<()>",
        ObjectKind::RwLock => "RwLock<()>",
        ObjectKind::Semaphore => "Semaphore",
        ObjectKind::Condvar => "Condvar",
        ObjectKind::Channel => "Channel",
        ObjectKind::Barrier => "Barrier",
        ObjectKind::WaitGroup => "WaitGroup",
    }
}

fn object_new(kind: ObjectKind, param: i64) -> String {
    match kind {
        ObjectKind::Mutex => "Mutex::new(())".to_string(),
        ObjectKind::RwLock => "RwLock::new(())".to_string(),
        ObjectKind::Semaphore => format!("Semaphore::new({param})"),
        ObjectKind::Condvar => "Condvar::new()".to_string(),
        ObjectKind::Channel => format!("Channel::new({param})"),
        ObjectKind::Barrier => format!("Barrier::new({param})"),
        ObjectKind::WaitGroup => "WaitGroup::new()".to_string(),
    }
}

fn shared_struct(out: &mut String, ir: &weft_ir::Program, names: &Names) {
    let mut fields = String::new();
    let mut inits = String::new();
    for v in &ir.vars {
        let ty = field_type(v.kind, v.ty);
        let ctor = match v.kind {
            VarKind::Shared => "Plain::new",
            VarKind::Atomic if v.ty == Ty::Int => "AtomicI64::new",
            VarKind::Atomic => "AtomicBool::new",
            VarKind::Ghost => "Ghost::new",
        };
        let name = ident(&v.name);
        if v.is_array {
            let _ = writeln!(fields, "    {name}: Vec<{ty}>,");
            let values: Vec<String> = v.init.iter().map(|&x| value(v.ty, x)).collect();
            let all_same = v.init.windows(2).all(|w| w[0] == w[1]);
            if all_same && v.init.len() > 1 {
                let _ = writeln!(
                    inits,
                    "            {name}: (0..{}).map(|_| {ctor}({})).collect(),",
                    v.init.len(),
                    values[0]
                );
            } else {
                let _ = writeln!(
                    inits,
                    "            {name}: [{}].into_iter().map({ctor}).collect(),",
                    values.join(", ")
                );
            }
        } else {
            let _ = writeln!(fields, "    {name}: {ty},");
            let init = v.init.first().copied().unwrap_or(0);
            let _ = writeln!(inits, "            {name}: {ctor}({}),", value(v.ty, init));
        }
    }
    for g in &ir.object_groups {
        let objects = &ir.objects[g.base as usize..(g.base + g.len) as usize];
        let Some(first) = objects.first() else {
            continue;
        };
        let ty = object_type(first.kind);
        let name = ident(&g.name);
        if g.is_array {
            let _ = writeln!(fields, "    {name}: Vec<{ty}>,");
            let all_same = objects.windows(2).all(|w| w[0].param == w[1].param);
            if all_same {
                let _ = writeln!(
                    inits,
                    "            {name}: (0..{}).map(|_| {}).collect(),",
                    objects.len(),
                    object_new(first.kind, first.param)
                );
            } else {
                let list: Vec<String> = objects
                    .iter()
                    .map(|o| object_new(o.kind, o.param))
                    .collect();
                let _ = writeln!(inits, "            {name}: vec![{}],", list.join(", "));
            }
        } else {
            let _ = writeln!(fields, "    {name}: {ty},");
            let _ = writeln!(
                inits,
                "            {name}: {},",
                object_new(first.kind, first.param)
            );
        }
    }
    if names.atomic_blocks {
        fields.push_str("    /// Held by every `atomic { }` block, so no two of them overlap.\n");
        fields.push_str("    atomic_section: Mutex<()>,\n");
        inits.push_str("            atomic_section: Mutex::new(()),\n");
    }
    for g in &ir.thread_groups {
        if !names.watched.contains(&g.name) {
            continue;
        }
        let field = format!("finished_{}", g.name);
        if g.is_array {
            let _ = writeln!(fields, "    {field}: Vec<Finished>,");
            let _ = writeln!(
                inits,
                "            {field}: (0..{}).map(|_| Finished::new()).collect(),",
                g.len
            );
        } else {
            let _ = writeln!(fields, "    {field}: Finished,");
            let _ = writeln!(inits, "            {field}: Finished::new(),");
        }
    }
    let _ = write!(
        out,
        "\n/// Every shared variable and object of the program.\nstruct Shared {{\n{fields}}}\n\n\
         impl Shared {{\n    fn new() -> Self {{\n        Shared {{\n{inits}        }}\n    }}\n}}\n"
    );
}

fn run_fn(out: &mut String, program: &ast::Program, ir: &weft_ir::Program, names: &Names) {
    let mut instances = Vec::new();
    for g in &ir.thread_groups {
        for i in 0..g.len {
            let call = if g.is_array {
                format!("{}(s, {i})", ident(&g.name))
            } else {
                format!("{}(s)", ident(&g.name))
            };
            instances.push(call);
        }
    }
    out.push_str("\n/// One execution: every thread, then the final assertions.\npub fn run() {\n");
    // Leaked, not in an `Arc`: loom would branch at every clone and drop of
    // an `Arc`, which multiplies the executions without changing outcomes.
    out.push_str("    start_execution();\n    let s: &'static Shared = Box::leak(Box::new(Shared::new()));\n");
    // The last instance runs on the model's own thread once the others are
    // spawned (loom allows 4 spawned threads, so a fifth must): a thread
    // that only waited in `join` would add its own steps (each `join` and
    // each spawned thread's exit is a loom operation) to every schedule
    // (33, the wait-group start gun: 81,783 executions with every
    // instance spawned, 20,369 so).
    let on_main = instances.pop();
    out.push_str("    let mut handles = Vec::new();\n");
    for call in &instances {
        let _ = writeln!(
            out,
            "    handles.push(loom::thread::spawn(move || {call}));"
        );
    }
    if let Some(call) = on_main {
        let _ = writeln!(out, "    {call};");
    }
    out.push_str(
        "    for h in handles {\n        h.join().expect(\"a thread panicked\");\n    }\n",
    );
    for item in &program.items {
        if let Item::FinalAssert(f) = item {
            let (cond, _) = Body::spec(names, &f.cond);
            let text = f
                .message
                .as_ref()
                .map_or_else(|| body::source_text(&f.cond), |m| m.value.clone());
            let _ = writeln!(
                out,
                "    assert!({cond}, {});",
                body::message("final", &text)
            );
        }
    }
    out.push_str("}\n\n/// Run every execution loom finds (and every value of each `choose`).\npub fn check() {\n");
    if names.chooses {
        out.push_str("    model_with_choices(run);\n}\n");
    } else {
        out.push_str("    loom::model(run);\n}\n");
    }
}
