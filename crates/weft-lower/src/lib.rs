//! Checks a weft AST (names, constants, types, object operations) and lowers
//! it to the `weft_ir` state machine, following the step rules of
//! LANGUAGE.md section 6.
//!
//! Stages, in the order [`compile`] runs them:
//! - `declare`: the global namespace; `consts`: constants and `-D`;
//!   `layout` and `vars`: cells, objects, thread instances, labels;
//!   `recursion`: call cycles.
//! - `codes`: one code per thread declaration and specification (and each
//!   function checked on its own), built by a `context::Lower` over a
//!   `builder::Builder`: statements in `stmt`, `locals`, `assign`, `loops`,
//!   `control`; expressions in `expr`, `choice`, `threads`; calls in `calls`,
//!   `methods`, `objects`, `atomics`; placement rules in `effects`.
//! - `taint`: which writes may depend on a read of the same variable.

mod assign;
mod atomics;
mod builder;
mod calls;
mod choice;
mod codes;
mod consts;
mod context;
mod control;
mod declare;
mod effects;
mod error;
mod expr;
mod layout;
mod locals;
mod loops;
mod methods;
mod objects;
mod recursion;
mod stmt;
mod suggest;
mod taint;
mod threads;
mod types;
mod unparse;
mod vars;
mod walk;

pub use error::{Detail, LowerError};

use std::collections::HashSet;

use weft_syntax::ast;

use crate::consts::Consts;
use crate::context::Env;
use crate::declare::Decls;
use crate::layout::Layout;

/// Check the program (with `-D NAME=VALUE` overrides) and compile it. On
/// failure, every independent error is reported, in source order.
pub fn compile(
    program: &ast::Program,
    defines: &[(String, String)],
) -> Result<weft_ir::Program, Vec<LowerError>> {
    let mut errors = Vec::new();
    let decls = Decls::collect(program, &mut errors);
    let (consts, layout) = {
        let mut consts = Consts::evaluate(&decls, defines, &mut errors);
        let layout = Layout::build(&decls, &mut consts, &mut errors);
        (consts.values(), layout)
    };
    let recursive = recursion::find(&decls, &mut errors);
    let has_value = decls
        .fns
        .iter()
        .map(|f| walk::returns_value(&f.body))
        .collect();
    let env = Env {
        decls,
        consts,
        layout,
        recursive,
        has_value,
    };

    for f in 0..env.decls.fns.len() {
        errors.extend(codes::function_alone(&env, f));
    }
    let mut codes = Vec::new();
    for g in 0..env.layout.thread_groups.len() {
        let (code, errs) = codes::thread(&env, g);
        codes.push(code);
        errors.extend(errs);
    }
    let mut invariants = Vec::new();
    for inv in &env.decls.invariants {
        let name = inv
            .name
            .as_ref()
            .map_or_else(|| unparse::expr(&inv.cond), |n| n.value.clone());
        let (spec, errs) = codes::spec(&env, &inv.cond, name, None, inv.span);
        invariants.push(spec);
        errors.extend(errs);
    }
    let mut finals = Vec::new();
    for fin in &env.decls.finals {
        let (spec, errs) = codes::spec(
            &env,
            &fin.cond,
            unparse::expr(&fin.cond),
            fin.message.as_ref(),
            fin.span,
        );
        finals.push(spec);
        errors.extend(errs);
    }

    if !errors.is_empty() {
        return Err(tidy(errors));
    }
    let Env { decls, layout, .. } = env;
    let object_groups = layout
        .obj_groups
        .iter()
        .zip(&decls.objects)
        .map(|(g, d)| weft_ir::ObjectGroup {
            name: d.name.name.clone(),
            base: g.base,
            len: g.len,
            is_array: g.is_array,
        })
        .collect();
    let thread_groups = layout
        .thread_groups
        .iter()
        .map(|g| weft_ir::ThreadGroup {
            name: g.decl.name.name.clone(),
            base: g.base,
            len: g.len,
            is_array: g.is_array,
        })
        .collect();
    Ok(weft_ir::Program {
        vars: layout.vars,
        n_cells: layout.n_cells,
        objects: layout.objects,
        object_groups,
        threads: layout.threads,
        thread_groups,
        codes,
        invariants,
        finals,
        memory: weft_ir::Memory::Sc,
    })
}

/// Drop repeats (a function inlined at several calls reports its errors once)
/// and sort by position.
fn tidy(errors: Vec<LowerError>) -> Vec<LowerError> {
    let mut seen = HashSet::new();
    let mut out: Vec<LowerError> = errors
        .into_iter()
        .filter(|e| {
            let code = miette::Diagnostic::code(e)
                .map(|c| c.to_string())
                .unwrap_or_default();
            seen.insert((code, e.span()))
        })
        .collect();
    out.sort_by_key(|e| e.span().map(|s| (s.start, s.end)));
    out
}
