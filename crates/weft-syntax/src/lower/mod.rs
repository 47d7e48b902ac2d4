//! pest's tree to the AST, one `lower_<rule>` function per grammar rule (as
//! tera v1 does), so that nothing after this crate sees pest. This file holds
//! the program, its top-level items, types and the helpers shared by all.

mod expr;
mod literal;
mod stmt;

use std::iter::{Filter, Peekable};

use pest::iterators::{Pair, Pairs};

use crate::ast::{
    ConstDecl, FinalAssertDecl, FnDecl, Ident, InvariantDecl, Item, ObjectDecl, ObjectKind, Param,
    Program, Span, ThreadDecl, TypeExpr, VarDecl, VarKind,
};
use crate::error::SyntaxError;
use crate::grammar::{is_token, Rule};

use expr::lower_expr;
use literal::lower_string;
use stmt::lower_body;

type Result<T> = std::result::Result<T, SyntaxError>;

/// Converts every item of a parsed `program`. An item that fails is left out
/// and its error recorded, so one run reports the errors of all items.
pub(crate) fn lower_program(pairs: Pairs<'_, Rule>, errors: &mut Vec<SyntaxError>) -> Program {
    let mut items = Vec::new();
    for pair in pairs.flat_map(Pair::into_inner) {
        match pair.as_rule() {
            Rule::item => match lower_item(pair) {
                Ok(item) => items.push(item),
                Err(e) => errors.push(e),
            },
            Rule::EOI => {}
            _ => errors.push(unexpected_child(&pair, Rule::program)),
        }
    }
    Program { items }
}

fn lower_item(pair: Pair<'_, Rule>) -> Result<Item> {
    let inner = Parts::new(pair).next_any()?;
    Ok(match inner.as_rule() {
        Rule::const_decl => Item::Const(lower_const_decl(inner)?),
        Rule::var_decl => Item::Var(lower_var_decl(inner)?),
        Rule::object_decl => Item::Object(lower_object_decl(inner)?),
        Rule::fn_decl => Item::Fn(lower_fn_decl(inner)?),
        Rule::thread_decl => Item::Thread(lower_thread_decl(inner)?),
        Rule::invariant_decl => Item::Invariant(lower_invariant_decl(inner)?),
        Rule::final_decl => Item::FinalAssert(lower_final_decl(inner)?),
        _ => return Err(unexpected_child(&inner, Rule::item)),
    })
}

fn lower_const_decl(pair: Pair<'_, Rule>) -> Result<ConstDecl> {
    let span = span_of(&pair);
    let mut parts = Parts::new(pair);
    Ok(ConstDecl {
        name: lower_name(parts.next(Rule::name)?),
        value: lower_expr(parts.next(Rule::expr)?)?,
        span,
    })
}

fn lower_var_decl(pair: Pair<'_, Rule>) -> Result<VarDecl> {
    let span = span_of(&pair);
    let mut parts = Parts::new(pair);
    let kind = lower_var_kind(parts.next(Rule::var_kind)?)?;
    let name = lower_name(parts.next(Rule::name)?);
    let ty = parts.next_if(Rule::ty).map(lower_ty).transpose()?;
    let init = parts.next_if(Rule::expr).map(lower_expr).transpose()?;
    Ok(VarDecl {
        kind,
        name,
        ty,
        init,
        span,
    })
}

fn lower_var_kind(pair: Pair<'_, Rule>) -> Result<VarKind> {
    let keyword = first_child(pair)?;
    Ok(match keyword.as_rule() {
        Rule::kw_shared => VarKind::Shared,
        Rule::kw_atomic => VarKind::Atomic,
        Rule::kw_ghost => VarKind::Ghost,
        _ => return Err(unexpected_child(&keyword, Rule::var_kind)),
    })
}

fn lower_object_decl(pair: Pair<'_, Rule>) -> Result<ObjectDecl> {
    let span = span_of(&pair);
    let (mut kind, mut fair_span, mut name, mut count, mut param) = (None, None, None, None, None);
    // Read by rule rather than position: `fair` and the kind are keywords,
    // which `Parts` skips.
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::kw_fair => fair_span = Some(span_of(&part)),
            Rule::kw_channel => kind = Some(ObjectKind::Channel),
            Rule::object_kind => kind = Some(lower_object_kind(part)?),
            Rule::name => name = Some(lower_name(part)),
            Rule::count => count = Some(lower_count(part)?),
            Rule::expr => param = Some(lower_expr(part)?),
            _ => {}
        }
    }
    let missing = |what: &str| SyntaxError::internal(format!("a declaration without {what}"), span);
    Ok(ObjectDecl {
        kind: kind.ok_or_else(|| missing("its kind"))?,
        fair: fair_span.is_some(),
        name: name.ok_or_else(|| missing("a name"))?,
        count,
        param,
        fair_span,
        span,
    })
}

fn lower_object_kind(pair: Pair<'_, Rule>) -> Result<ObjectKind> {
    let keyword = first_child(pair)?;
    Ok(match keyword.as_rule() {
        Rule::kw_mutex => ObjectKind::Mutex,
        Rule::kw_rwlock => ObjectKind::RwLock,
        Rule::kw_semaphore => ObjectKind::Semaphore,
        Rule::kw_condvar => ObjectKind::Condvar,
        Rule::kw_barrier => ObjectKind::Barrier,
        Rule::kw_waitgroup => ObjectKind::WaitGroup,
        _ => return Err(unexpected_child(&keyword, Rule::object_kind)),
    })
}

/// `[N]` after the name of an object array or a thread group.
fn lower_count(pair: Pair<'_, Rule>) -> Result<crate::ast::Expr> {
    lower_expr(Parts::new(pair).next(Rule::expr)?)
}

fn lower_fn_decl(pair: Pair<'_, Rule>) -> Result<FnDecl> {
    let span = span_of(&pair);
    let mut parts = Parts::new(pair);
    let name = lower_name(parts.next(Rule::name)?);
    let mut params = Vec::new();
    while let Some(param) = parts.next_if(Rule::param) {
        params.push(lower_param(param)?);
    }
    let body = lower_body(parts.next(Rule::block)?)?;
    Ok(FnDecl {
        name,
        params,
        body,
        span,
    })
}

fn lower_param(pair: Pair<'_, Rule>) -> Result<Param> {
    let mut parts = Parts::new(pair);
    Ok(Param {
        name: lower_name(parts.next(Rule::name)?),
        ty: parts.next_if(Rule::ty).map(lower_ty).transpose()?,
    })
}

fn lower_thread_decl(pair: Pair<'_, Rule>) -> Result<ThreadDecl> {
    let span = span_of(&pair);
    let mut parts = Parts::new(pair);
    Ok(ThreadDecl {
        name: lower_name(parts.next(Rule::name)?),
        count: parts.next_if(Rule::count).map(lower_count).transpose()?,
        body: lower_body(parts.next(Rule::block)?)?,
        span,
    })
}

fn lower_invariant_decl(pair: Pair<'_, Rule>) -> Result<InvariantDecl> {
    let span = span_of(&pair);
    let mut parts = Parts::new(pair);
    Ok(InvariantDecl {
        name: parts.next_if(Rule::string).map(lower_string).transpose()?,
        cond: lower_expr(parts.next(Rule::expr)?)?,
        span,
    })
}

fn lower_final_decl(pair: Pair<'_, Rule>) -> Result<FinalAssertDecl> {
    let span = span_of(&pair);
    let mut parts = Parts::new(pair);
    Ok(FinalAssertDecl {
        cond: lower_expr(parts.next(Rule::expr)?)?,
        message: parts.next_if(Rule::string).map(lower_string).transpose()?,
        span,
    })
}

/// Types nest only through `[...]`, which the scan bounds, so this recursion
/// is bounded too.
fn lower_ty(pair: Pair<'_, Rule>) -> Result<TypeExpr> {
    let inner = Parts::new(pair).next_any()?;
    let span = span_of(&inner);
    Ok(match inner.as_rule() {
        Rule::int_ty => {
            let mut parts = Parts::new(inner);
            let range = match parts.next_if(Rule::expr) {
                Some(lo) => Some((lower_expr(lo)?, lower_expr(parts.next(Rule::expr)?)?)),
                None => None,
            };
            TypeExpr::Int { range, span }
        }
        Rule::bool_ty => TypeExpr::Bool { span },
        Rule::array_ty => {
            let mut parts = Parts::new(inner);
            TypeExpr::Array {
                elem: Box::new(lower_ty(parts.next(Rule::ty)?)?),
                len: lower_expr(parts.next(Rule::expr)?)?,
                span,
            }
        }
        _ => return Err(unexpected_child(&inner, Rule::ty)),
    })
}

// ---------------------------------------------------------------- helpers --

/// The bytes a pair covers. pest's own span of a rule that ends in an
/// optional part or a repetition takes in the whitespace and comments that
/// were skipped before trying it; the span ends at the last token inside
/// instead. (The last pair to start inside a pair is a leaf: a child of it
/// would start later still.)
pub(crate) fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let span = pair.as_span();
    let end = pair
        .clone()
        .into_inner()
        .flatten()
        .next_back()
        .map_or(span.end(), |last| last.as_span().end());
    Span::new(span.start(), end)
}

fn lower_name(pair: Pair<'_, Rule>) -> Ident {
    Ident {
        name: pair.as_str().to_string(),
        span: span_of(&pair),
    }
}

/// The first child of a pair, tokens included (for rules whose only child is
/// a keyword that says which variant it is).
fn first_child(pair: Pair<'_, Rule>) -> Result<Pair<'_, Rule>> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    pair.into_inner()
        .next()
        .ok_or_else(|| SyntaxError::internal(format!("an empty {rule:?}"), span))
}

fn unexpected_child(pair: &Pair<'_, Rule>, parent: Rule) -> SyntaxError {
    SyntaxError::internal(
        format!("a {:?} inside a {parent:?}", pair.as_rule()),
        span_of(pair),
    )
}

type Meaningful<'i> = Filter<Pairs<'i, Rule>, fn(&Pair<'i, Rule>) -> bool>;

/// The children of a pair that carry meaning, in order: punctuation and
/// keywords are skipped. A child missing where the grammar promises one is an
/// `Internal` error, never a panic.
struct Parts<'i> {
    parent: Rule,
    span: Span,
    inner: Peekable<Meaningful<'i>>,
}

impl<'i> Parts<'i> {
    fn new(pair: Pair<'i, Rule>) -> Self {
        let keep: fn(&Pair<'i, Rule>) -> bool = |p| !is_token(p.as_rule());
        Parts {
            parent: pair.as_rule(),
            span: span_of(&pair),
            inner: pair.into_inner().filter(keep).peekable(),
        }
    }

    /// The next child, which must be a `rule`.
    fn next(&mut self, rule: Rule) -> Result<Pair<'i, Rule>> {
        self.next_if(rule).ok_or_else(|| {
            SyntaxError::internal(format!("no {rule:?} inside a {:?}", self.parent), self.span)
        })
    }

    /// The next child if it is a `rule`.
    fn next_if(&mut self, rule: Rule) -> Option<Pair<'i, Rule>> {
        self.inner.next_if(|p| p.as_rule() == rule)
    }

    /// The next child, whatever its rule.
    fn next_any(&mut self) -> Result<Pair<'i, Rule>> {
        self.inner
            .next()
            .ok_or_else(|| SyntaxError::internal(format!("an empty {:?}", self.parent), self.span))
    }
}
