//! Statements and blocks. A block knows its nesting depth: braces are already
//! bounded by the scan, but every `else if` nests one more block in the tree
//! without a brace in the text, so a long chain is held to `MAX_DEPTH` here.

use pest::iterators::Pair;

use super::expr::{lower_call, lower_expr, lower_method, lower_place};
use super::literal::lower_string;
use super::{lower_name, lower_ty, span_of, unexpected_child, Parts, Result};
use crate::ast::{Block, CompoundOp, Expr, ExprKind, RwMode, Span, Stmt, StmtKind};
use crate::error::SyntaxError;
use crate::grammar::Rule;
use crate::MAX_DEPTH;

/// The body of a thread or a function: the outermost block.
pub(super) fn lower_body(pair: Pair<'_, Rule>) -> Result<Block> {
    lower_block(pair, 1)
}

/// A block at `depth` (a body is 1).
fn lower_block(pair: Pair<'_, Rule>, depth: usize) -> Result<Block> {
    let span = span_of(&pair);
    if depth > MAX_DEPTH {
        return Err(SyntaxError::too_deep(Span::new(span.start, span.start + 1)));
    }
    let mut parts = Parts::new(pair);
    let mut stmts = Vec::new();
    while let Some(stmt) = parts.next_if(Rule::stmt) {
        lower_stmt(stmt, depth, &mut stmts)?;
    }
    Ok(Block { stmts, span })
}

/// A statement with its optional label, pushed onto `out` (rather than
/// returned, which would cost the caller's frame a slot for a whole `Stmt`);
/// its span leaves the label out.
fn lower_stmt(pair: Pair<'_, Rule>, depth: usize, out: &mut Vec<Stmt>) -> Result<()> {
    let mut parts = Parts::new(pair);
    let label = match parts.next_if(Rule::label) {
        Some(label) => Some(lower_name(Parts::new(label).next(Rule::name)?)),
        None => None,
    };
    let statement = parts.next(Rule::statement)?;
    let span = span_of(&statement);
    let kind = lower_statement(statement, depth)?;
    out.push(Stmt { label, kind, span });
    Ok(())
}

/// Dispatches the statements that hold blocks; the others go through
/// `lower_simple_statement`. This frame recurses once per nested block, and a
/// debug build gives each arm's temporaries their own stack slot, so the
/// fewer arms here, the deeper a program can nest on a small stack.
fn lower_statement(pair: Pair<'_, Rule>, depth: usize) -> Result<StmtKind> {
    let inner = Parts::new(pair).next_any()?;
    match inner.as_rule() {
        Rule::if_stmt => lower_if_stmt(inner, depth),
        Rule::while_stmt => lower_while_stmt(inner, depth),
        Rule::loop_stmt => lower_loop_stmt(inner, depth),
        Rule::for_stmt => lower_for_stmt(inner, depth),
        Rule::with_stmt => lower_with_stmt(inner, depth),
        Rule::atomic_stmt => lower_atomic_stmt(inner, depth),
        Rule::block => lower_block(inner, depth + 1).map(StmtKind::Block),
        _ => lower_simple_statement(inner),
    }
}

/// Statements without a block of their own.
fn lower_simple_statement(pair: Pair<'_, Rule>) -> Result<StmtKind> {
    match pair.as_rule() {
        Rule::let_stmt => lower_let_stmt(pair),
        Rule::break_stmt => Ok(StmtKind::Break),
        Rule::continue_stmt => Ok(StmtKind::Continue),
        Rule::return_stmt => lower_return_stmt(pair),
        Rule::await_stmt => lower_await_stmt(pair),
        Rule::assert_stmt => lower_assert_stmt(pair),
        Rule::progress_stmt => Ok(StmtKind::Progress),
        Rule::fence_stmt => Ok(StmtKind::Fence),
        Rule::join_stmt => lower_join_stmt(pair),
        Rule::assign_stmt => lower_assign_stmt(pair),
        Rule::compound_stmt => lower_compound_stmt(pair),
        Rule::incdec_stmt => lower_incdec_stmt(pair),
        Rule::call_stmt => lower_call_stmt(pair),
        _ => Err(unexpected_child(&pair, Rule::statement)),
    }
}

fn lower_let_stmt(pair: Pair<'_, Rule>) -> Result<StmtKind> {
    let mut parts = Parts::new(pair);
    Ok(StmtKind::Let {
        name: lower_name(parts.next(Rule::name)?),
        ty: parts.next_if(Rule::ty).map(lower_ty).transpose()?,
        init: parts.next_if(Rule::expr).map(lower_expr).transpose()?,
    })
}

fn lower_while_stmt(pair: Pair<'_, Rule>, depth: usize) -> Result<StmtKind> {
    let mut parts = Parts::new(pair);
    Ok(StmtKind::While {
        cond: lower_expr(parts.next(Rule::expr)?)?,
        body: lower_block(parts.next(Rule::block)?, depth + 1)?,
    })
}

fn lower_loop_stmt(pair: Pair<'_, Rule>, depth: usize) -> Result<StmtKind> {
    let body = lower_block(Parts::new(pair).next(Rule::block)?, depth + 1)?;
    Ok(StmtKind::Loop { body })
}

fn lower_return_stmt(pair: Pair<'_, Rule>) -> Result<StmtKind> {
    let value = Parts::new(pair)
        .next_if(Rule::expr)
        .map(lower_expr)
        .transpose()?;
    Ok(StmtKind::Return { value })
}

/// `with m { }`, `with fork[i] { }`, `with rw.read { }`, `with rw.write { }`.
fn lower_with_stmt(pair: Pair<'_, Rule>, depth: usize) -> Result<StmtKind> {
    let mut parts = Parts::new(pair);
    let lock = lower_place(parts.next(Rule::place)?)?;
    let mode = parts
        .next_if(Rule::rw_mode)
        .map(|mode| match mode.as_str() {
            "read" => RwMode::Read,
            _ => RwMode::Write,
        });
    let body = lower_block(parts.next(Rule::block)?, depth + 1)?;
    Ok(StmtKind::With { lock, mode, body })
}

fn lower_atomic_stmt(pair: Pair<'_, Rule>, depth: usize) -> Result<StmtKind> {
    let body = lower_block(Parts::new(pair).next(Rule::block)?, depth + 1)?;
    Ok(StmtKind::Atomic { body })
}

fn lower_await_stmt(pair: Pair<'_, Rule>) -> Result<StmtKind> {
    let cond = lower_expr(Parts::new(pair).next(Rule::expr)?)?;
    Ok(StmtKind::Await { cond })
}

fn lower_assert_stmt(pair: Pair<'_, Rule>) -> Result<StmtKind> {
    let mut parts = Parts::new(pair);
    Ok(StmtKind::Assert {
        cond: lower_expr(parts.next(Rule::expr)?)?,
        message: parts.next_if(Rule::string).map(lower_string).transpose()?,
    })
}

fn lower_join_stmt(pair: Pair<'_, Rule>) -> Result<StmtKind> {
    let thread = lower_place(Parts::new(pair).next(Rule::place)?)?;
    Ok(StmtKind::Join { thread })
}

fn lower_assign_stmt(pair: Pair<'_, Rule>) -> Result<StmtKind> {
    let mut parts = Parts::new(pair);
    Ok(StmtKind::Assign {
        target: lower_place(parts.next(Rule::place)?)?,
        value: lower_expr(parts.next(Rule::expr)?)?,
    })
}

/// `f(a);` or `x.m(a);`.
fn lower_call_stmt(pair: Pair<'_, Rule>) -> Result<StmtKind> {
    let mut parts = Parts::new(pair);
    let call = match parts.next_if(Rule::call) {
        Some(call) => lower_call(call)?,
        None => lower_method(parts.next(Rule::place)?, parts.next(Rule::method_suffix)?)?,
    };
    Ok(StmtKind::Expr(call))
}

/// `if c { } else if c { } else { }`. The AST nests each `else if` as an
/// `if` alone in the `else` block of the one before; those implicit blocks
/// and `if`s span from their `if` to the end of the whole chain.
fn lower_if_stmt(pair: Pair<'_, Rule>, depth: usize) -> Result<StmtKind> {
    let end = span_of(&pair).end;
    let (clauses, else_block) = lower_if_clauses(pair, depth)?;
    nest_if_chain(clauses, else_block, end)
}

/// One `if` or `else if`: where its `if` starts, its condition and block.
struct Clause {
    start: usize,
    cond: Expr,
    block: Block,
}

/// Every clause in source order (so errors come out in that order), and the
/// final `else`. Clause k sits k implicit blocks deeper than the first.
fn lower_if_clauses(pair: Pair<'_, Rule>, depth: usize) -> Result<(Vec<Clause>, Option<Block>)> {
    let start = span_of(&pair).start;
    let mut parts = Parts::new(pair);
    let mut clauses = vec![lower_clause(start, &mut parts, depth)?];
    let mut nested = depth;
    while let Some(else_if) = parts.next_if(Rule::else_if) {
        nested += 1;
        let start = else_if
            .clone()
            .into_inner()
            .find(|p| p.as_rule() == Rule::kw_if)
            .map_or(span_of(&else_if).start, |kw| span_of(&kw).start);
        clauses.push(lower_clause(start, &mut Parts::new(else_if), nested)?);
    }
    let else_block = match parts.next_if(Rule::else_block) {
        Some(last) => Some(lower_block(
            Parts::new(last).next(Rule::block)?,
            nested + 1,
        )?),
        None => None,
    };
    Ok((clauses, else_block))
}

fn lower_clause(start: usize, parts: &mut Parts<'_>, depth: usize) -> Result<Clause> {
    let cond = lower_expr(parts.next(Rule::expr)?)?;
    let block = lower_block(parts.next(Rule::block)?, depth + 1)?;
    Ok(Clause { start, cond, block })
}

/// Folds the clauses from the last one back: each becomes the `else` of the
/// one before it.
fn nest_if_chain(
    mut clauses: Vec<Clause>,
    mut else_block: Option<Block>,
    end: usize,
) -> Result<StmtKind> {
    while let Some(clause) = clauses.pop() {
        let kind = StmtKind::If {
            cond: clause.cond,
            then_block: clause.block,
            else_block,
        };
        if clauses.is_empty() {
            return Ok(kind);
        }
        let span = Span::new(clause.start, end);
        let stmts = vec![Stmt {
            label: None,
            kind,
            span,
        }];
        else_block = Some(Block { stmts, span });
    }
    Err(SyntaxError::internal(
        "an `if` without a condition",
        Span::new(end, end),
    ))
}

/// `for i in lo..hi { }` or `for v in ch { }`.
fn lower_for_stmt(pair: Pair<'_, Rule>, depth: usize) -> Result<StmtKind> {
    let mut parts = Parts::new(pair);
    let var = lower_name(parts.next(Rule::name)?);
    if let Some(range) = parts.next_if(Rule::for_range) {
        let mut bounds = Parts::new(range);
        return Ok(StmtKind::ForRange {
            var,
            lo: lower_expr(bounds.next(Rule::expr)?)?,
            hi: lower_expr(bounds.next(Rule::expr)?)?,
            body: lower_block(parts.next(Rule::block)?, depth + 1)?,
        });
    }
    Ok(StmtKind::ForChannel {
        var,
        channel: lower_place(parts.next(Rule::place)?)?,
        body: lower_block(parts.next(Rule::block)?, depth + 1)?,
    })
}

/// `x += e;`, `x -= e;`, `x *= e;`.
fn lower_compound_stmt(pair: Pair<'_, Rule>) -> Result<StmtKind> {
    let mut parts = Parts::new(pair);
    let target = lower_place(parts.next(Rule::place)?)?;
    let op_pair = parts.next(Rule::compound_op)?;
    let op_span = span_of(&op_pair);
    let op = match op_pair.as_str() {
        "+=" => CompoundOp::Add,
        "-=" => CompoundOp::Sub,
        "*=" => CompoundOp::Mul,
        other => {
            return Err(SyntaxError::internal(
                format!("the operator `{other}`"),
                op_span,
            ))
        }
    };
    Ok(StmtKind::Compound {
        target,
        op,
        value: lower_expr(parts.next(Rule::expr)?)?,
        incdec: false,
        op_span,
    })
}

/// `x++;` / `x--;`: a compound assignment of a literal 1 that spans the operator.
fn lower_incdec_stmt(pair: Pair<'_, Rule>) -> Result<StmtKind> {
    let mut parts = Parts::new(pair);
    let target = lower_place(parts.next(Rule::place)?)?;
    let op_pair = parts.next(Rule::incdec)?;
    let op_span = span_of(&op_pair);
    let op = if op_pair.as_str() == "++" {
        CompoundOp::Add
    } else {
        CompoundOp::Sub
    };
    Ok(StmtKind::Compound {
        target,
        op,
        value: Expr {
            kind: ExprKind::Int(1),
            span: op_span,
        },
        incdec: true,
        op_span,
    })
}
