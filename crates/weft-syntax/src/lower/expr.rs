//! Expressions and places. Every tree is built with its height: a long chain
//! of operators (`1 + 1 + ... + 1`) nests as deep as brackets do, so it is held
//! to `MAX_DEPTH` while it is built; once too deep a tree could not even be
//! dropped without overflowing the stack.

use pest::iterators::Pair;

use super::literal::{lower_int_lit, out_of_range, MAGNITUDE_OF_MIN};
use super::{first_child, lower_name, span_of, unexpected_child, Parts, Result};
use crate::ast::{BinOp, Expr, ExprKind, Place, Span, UnOp};
use crate::error::SyntaxError;
use crate::grammar::Rule;
use crate::MAX_DEPTH;

/// An expression and the height of its tree (a leaf is 1).
struct Tree {
    expr: Expr,
    height: usize,
}

impl Tree {
    /// A node over children of the given heights; too deep is an error at `at`.
    fn node(kind: ExprKind, span: Span, children: &[usize], at: Span) -> Result<Tree> {
        let height = 1 + children.iter().copied().max().unwrap_or(0);
        if height > MAX_DEPTH {
            return Err(SyntaxError::too_deep(at));
        }
        Ok(Tree {
            expr: Expr { kind, span },
            height,
        })
    }

    fn leaf(kind: ExprKind, span: Span) -> Tree {
        Tree {
            expr: Expr { kind, span },
            height: 1,
        }
    }
}

pub(super) fn lower_expr(pair: Pair<'_, Rule>) -> Result<Expr> {
    lower_tree(pair).map(|tree| tree.expr)
}

/// Any expression-level rule. A level with a single operand adds nothing to
/// the tree, so it is stepped through in a loop: recursing once per level
/// would spend ten stack frames on every pair of parentheses.
fn lower_tree(mut pair: Pair<'_, Rule>) -> Result<Tree> {
    loop {
        match pair.as_rule() {
            Rule::expr
            | Rule::or_expr
            | Rule::and_expr
            | Rule::eq_expr
            | Rule::cmp_expr
            | Rule::add_expr
            | Rule::mul_expr => {
                let mut inner = pair.clone().into_inner();
                match (inner.next(), inner.next()) {
                    (Some(only), None) => pair = only,
                    _ => return lower_binary(pair),
                }
            }
            Rule::unary => return lower_unary(pair),
            _ => return Err(unexpected_child(&pair, Rule::expr)),
        }
    }
}

/// One precedence level: operands and operators alternate, folded to the left.
fn lower_binary(pair: Pair<'_, Rule>) -> Result<Tree> {
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let first = inner
        .next()
        .ok_or_else(|| SyntaxError::internal("an operator level without operands", span))?;
    let mut lhs = lower_tree(first)?;
    while let Some(op) = inner.next() {
        let at = span_of(&op);
        let op = lower_binop(&op)?;
        let rhs = inner
            .next()
            .ok_or_else(|| SyntaxError::internal("an operator without its right operand", at))?;
        let rhs = lower_tree(rhs)?;
        let span = lhs.expr.span.to(rhs.expr.span);
        let heights = [lhs.height, rhs.height];
        let kind = ExprKind::Binary {
            op,
            lhs: Box::new(lhs.expr),
            rhs: Box::new(rhs.expr),
        };
        lhs = Tree::node(kind, span, &heights, at)?;
    }
    Ok(lhs)
}

fn lower_binop(pair: &Pair<'_, Rule>) -> Result<BinOp> {
    Ok(match pair.as_str() {
        "||" => BinOp::Or,
        "&&" => BinOp::And,
        "==" => BinOp::Eq,
        "!=" => BinOp::Ne,
        "<" => BinOp::Lt,
        "<=" => BinOp::Le,
        ">" => BinOp::Gt,
        ">=" => BinOp::Ge,
        "+" => BinOp::Add,
        "-" => BinOp::Sub,
        "*" => BinOp::Mul,
        "/" => BinOp::Div,
        "%" => BinOp::Rem,
        other => {
            let what = format!("the operator `{other}`");
            return Err(SyntaxError::internal(what, span_of(pair)));
        }
    })
}

/// Prefix operators apply from the inside out: `- !x` is `-(!x)`.
///
/// This function and `lower_primary` recurse once per pair of parentheses,
/// so their frames are kept lean (debug builds give every temporary its own
/// stack slot): the work that does not recurse is in helpers.
fn lower_unary(pair: Pair<'_, Rule>) -> Result<Tree> {
    let (ops, primary) = split_unary(pair)?;
    let operand = match negated_min(ops.last(), &primary)? {
        Some(min) => return apply_prefix(&ops[..ops.len() - 1], min),
        None => lower_primary(primary)?,
    };
    apply_prefix(&ops, operand)
}

fn split_unary(pair: Pair<'_, Rule>) -> Result<(Vec<Pair<'_, Rule>>, Pair<'_, Rule>)> {
    let span = span_of(&pair);
    let mut ops = Vec::new();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::unary_op => ops.push(part),
            Rule::primary => return Ok((ops, part)),
            _ => return Err(unexpected_child(&part, Rule::unary)),
        }
    }
    Err(SyntaxError::internal(
        "an operator without its operand",
        span,
    ))
}

fn apply_prefix(ops: &[Pair<'_, Rule>], mut operand: Tree) -> Result<Tree> {
    for op in ops.iter().rev() {
        let at = span_of(op);
        let op = if op.as_str() == "-" {
            UnOp::Neg
        } else {
            UnOp::Not
        };
        let span = at.to(operand.expr.span);
        let heights = [operand.height];
        let kind = ExprKind::Unary {
            op,
            operand: Box::new(operand.expr),
        };
        operand = Tree::node(kind, span, &heights, at)?;
    }
    Ok(operand)
}

/// `-9223372036854775808` is `i64::MIN`, although the literal alone does not
/// fit: it is read as one literal when the minus is right in front of it.
fn negated_min(op: Option<&Pair<'_, Rule>>, primary: &Pair<'_, Rule>) -> Result<Option<Tree>> {
    let Some(op) = op.filter(|op| op.as_str() == "-") else {
        return Ok(None);
    };
    let Some(literal) = primary.clone().into_inner().next() else {
        return Ok(None);
    };
    if literal.as_rule() != Rule::int_lit || lower_int_lit(&literal)? != MAGNITUDE_OF_MIN {
        return Ok(None);
    }
    let span = span_of(op).to(span_of(&literal));
    Ok(Some(Tree::leaf(ExprKind::Int(i64::MIN), span)))
}

fn lower_primary(pair: Pair<'_, Rule>) -> Result<Tree> {
    let inner = first_child(pair)?;
    match inner.as_rule() {
        Rule::paren_expr => lower_paren_expr(inner),
        Rule::call => lower_call_tree(inner),
        Rule::place_expr => lower_place_expr(inner),
        Rule::array_expr => lower_array_expr(inner),
        Rule::choose_expr => lower_choose_expr(inner),
        Rule::done_expr => lower_done_expr(inner),
        _ => lower_literal(&inner),
    }
}

/// `42`, `true`, `false`, `self`.
fn lower_literal(pair: &Pair<'_, Rule>) -> Result<Tree> {
    let span = span_of(pair);
    let kind = match pair.as_rule() {
        Rule::int_lit => {
            ExprKind::Int(i64::try_from(lower_int_lit(pair)?).map_err(|_| out_of_range(span))?)
        }
        Rule::kw_true => ExprKind::Bool(true),
        Rule::kw_false => ExprKind::Bool(false),
        Rule::kw_self => ExprKind::SelfIdx,
        _ => return Err(unexpected_child(pair, Rule::primary)),
    };
    Ok(Tree::leaf(kind, span))
}

/// `(e)` is `e`, spanning the parentheses so that messages point at them too.
fn lower_paren_expr(pair: Pair<'_, Rule>) -> Result<Tree> {
    let span = span_of(&pair);
    let mut tree = lower_tree(Parts::new(pair).next(Rule::expr)?)?;
    tree.expr.span = span;
    Ok(tree)
}

fn lower_choose_expr(pair: Pair<'_, Rule>) -> Result<Tree> {
    let span = span_of(&pair);
    let mut parts = Parts::new(pair);
    let lo = lower_tree(parts.next(Rule::expr)?)?;
    let hi = lower_tree(parts.next(Rule::expr)?)?;
    let heights = [lo.height, hi.height];
    let kind = ExprKind::Choose {
        lo: Box::new(lo.expr),
        hi: Box::new(hi.expr),
    };
    Tree::node(kind, span, &heights, span)
}

fn lower_done_expr(pair: Pair<'_, Rule>) -> Result<Tree> {
    let span = span_of(&pair);
    let (thread, height) = lower_place_tree(Parts::new(pair).next(Rule::place)?)?;
    Tree::node(ExprKind::Done { thread }, span, &[height], span)
}

/// `[1, 2, 3]` or `[v; N]`: the `;` (a token, so read from the raw children)
/// tells them apart.
fn lower_array_expr(pair: Pair<'_, Rule>) -> Result<Tree> {
    let span = span_of(&pair);
    let repeat = pair.clone().into_inner().any(|p| p.as_rule() == Rule::semi);
    let mut parts = Parts::new(pair);
    let mut elems = Vec::new();
    while let Some(elem) = parts.next_if(Rule::expr) {
        elems.push(lower_tree(elem)?);
    }
    let heights: Vec<usize> = elems.iter().map(|t| t.height).collect();
    let mut exprs = elems.into_iter().map(|t| t.expr);
    let kind = if repeat {
        match (exprs.next(), exprs.next()) {
            (Some(value), Some(len)) => ExprKind::ArrayRepeat {
                value: Box::new(value),
                len: Box::new(len),
            },
            _ => return Err(SyntaxError::internal("`[v; N]` without both parts", span)),
        }
    } else {
        ExprKind::ArrayLit(exprs.collect())
    };
    Tree::node(kind, span, &heights, span)
}

pub(super) fn lower_call(pair: Pair<'_, Rule>) -> Result<Expr> {
    lower_call_tree(pair).map(|tree| tree.expr)
}

/// `f(a, b)`.
fn lower_call_tree(pair: Pair<'_, Rule>) -> Result<Tree> {
    let span = span_of(&pair);
    let mut parts = Parts::new(pair);
    let func = lower_name(parts.next(Rule::name)?);
    let (args, heights) = lower_args(&mut parts)?;
    Tree::node(ExprKind::Call { func, args }, span, &heights, span)
}

fn lower_args(parts: &mut Parts<'_>) -> Result<(Vec<Expr>, Vec<usize>)> {
    let mut args = Vec::new();
    let mut heights = Vec::new();
    while let Some(arg) = parts.next_if(Rule::expr) {
        let tree = lower_tree(arg)?;
        heights.push(tree.height);
        args.push(tree.expr);
    }
    Ok((args, heights))
}

/// `x`, `a[i]`, `x.m(args)`, `t@label`, `t[i]@label`.
fn lower_place_expr(pair: Pair<'_, Rule>) -> Result<Tree> {
    let span = span_of(&pair);
    let mut parts = Parts::new(pair);
    let (place, height) = lower_place_tree(parts.next(Rule::place)?)?;
    if let Some(suffix) = parts.next_if(Rule::method_suffix) {
        return lower_method_tree(place, height, suffix, span);
    }
    if let Some(suffix) = parts.next_if(Rule::at_suffix) {
        let label = lower_name(Parts::new(suffix).next(Rule::name)?);
        return Tree::node(
            ExprKind::At {
                thread: place,
                label,
            },
            span,
            &[height],
            span,
        );
    }
    let kind = match place.index {
        None => ExprKind::Name(place.name),
        Some(index) => ExprKind::Index {
            base: place.name,
            index,
        },
    };
    Tree::node(kind, span, &[height], span)
}

/// A method call statement: `receiver` is the `place`, `suffix` the
/// `method_suffix` after it.
pub(super) fn lower_method(receiver: Pair<'_, Rule>, suffix: Pair<'_, Rule>) -> Result<Expr> {
    let span = span_of(&receiver).to(span_of(&suffix));
    let (place, height) = lower_place_tree(receiver)?;
    lower_method_tree(place, height, suffix, span).map(|tree| tree.expr)
}

fn lower_method_tree(
    receiver: Place,
    receiver_height: usize,
    suffix: Pair<'_, Rule>,
    span: Span,
) -> Result<Tree> {
    let mut parts = Parts::new(suffix);
    let method = lower_name(parts.next(Rule::method_name)?);
    let (args, mut heights) = lower_args(&mut parts)?;
    heights.push(receiver_height);
    let kind = ExprKind::Method {
        receiver,
        method,
        args,
    };
    Tree::node(kind, span, &heights, span)
}

pub(super) fn lower_place(pair: Pair<'_, Rule>) -> Result<Place> {
    lower_place_tree(pair).map(|(place, _)| place)
}

/// A place and the height of its index expression (0 without one).
fn lower_place_tree(pair: Pair<'_, Rule>) -> Result<(Place, usize)> {
    let span = span_of(&pair);
    let mut parts = Parts::new(pair);
    let name = lower_name(parts.next(Rule::name)?);
    let index = parts.next_if(Rule::expr).map(lower_tree).transpose()?;
    let height = index.as_ref().map_or(0, |tree| tree.height);
    let place = Place {
        name,
        index: index.map(|tree| Box::new(tree.expr)),
        span,
    };
    Ok((place, height))
}
