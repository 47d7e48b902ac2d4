//! The pest parser generated from `grammar/weft.pest`, and the prose name of
//! every rule for error messages (pest's `renamed_rules`, as a table).

use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "../../grammar/weft.pest"]
pub(crate) struct WeftParser;

/// How a rule reads in "expected ..." when a parse fails where it could start.
/// Rules of one construct share a phrase (all expression levels read "an
/// expression") so that the list of what was expected stays short.
pub(crate) fn describe(rule: Rule) -> &'static str {
    use Rule::*;
    match rule {
        EOI => "end of input",
        program | item | const_decl | var_decl | var_kind | object_decl | object_kind | fn_decl
        | thread_decl | invariant_decl | final_decl => "a declaration",
        stmt | statement | let_stmt | if_stmt | while_stmt | loop_stmt | for_stmt | break_stmt
        | continue_stmt | return_stmt | with_stmt | atomic_stmt | await_stmt | assert_stmt
        | progress_stmt | fence_stmt | join_stmt | assign_stmt | compound_stmt | incdec_stmt
        | call_stmt => "a statement",
        label => "a label",
        block => "a block `{ ... }`",
        expr | or_expr | and_expr | eq_expr | cmp_expr | add_expr | mul_expr | unary | primary
        | paren_expr | choose_expr | done_expr | array_expr | call | place_expr | int_lit => {
            "an expression"
        }
        name | keyword | place => "a name",
        method_name | method_suffix => "a method name",
        at_suffix => "`@`",
        rw_mode => "`read` or `write`",
        ty | int_ty | bool_ty | array_ty => "a type",
        string | string_body => "a string",
        count => "`[`",
        param => "a parameter name",
        for_range => "a range `lo..hi`",
        else_if | else_block => "`else`",
        semi => "`;`",
        comma => "`,`",
        colon => "`:`",
        dotdot => "`..`",
        dot => "`.`",
        at => "`@`",
        lparen => "`(`",
        rparen => "`)`",
        lbrack => "`[`",
        rbrack => "`]`",
        lbrace => "`{`",
        rbrace => "`}`",
        assign => "`=`",
        compound_op => "`+=`, `-=` or `*=`",
        incdec => "`++` or `--`",
        or_op | and_op | eq_op | cmp_op | add_op | mul_op => "an operator",
        unary_op => "an expression",
        kw_const => "`const`",
        kw_shared => "`shared`",
        kw_atomic => "`atomic`",
        kw_ghost => "`ghost`",
        kw_mutex => "`mutex`",
        kw_rwlock => "`rwlock`",
        kw_semaphore => "`semaphore`",
        kw_condvar => "`condvar`",
        kw_channel => "`channel`",
        kw_capacity => "`capacity`",
        kw_barrier => "`barrier`",
        kw_waitgroup => "`waitgroup`",
        kw_fair => "`fair`",
        kw_fn => "`fn`",
        kw_thread => "`thread`",
        kw_invariant => "`invariant`",
        kw_final => "`final`",
        kw_assert => "`assert`",
        kw_let => "`let`",
        kw_if => "`if`",
        kw_else => "`else`",
        kw_while => "`while`",
        kw_loop => "`loop`",
        kw_for => "`for`",
        kw_in => "`in`",
        kw_break => "`break`",
        kw_continue => "`continue`",
        kw_return => "`return`",
        kw_with => "`with`",
        kw_await => "`await`",
        kw_progress => "`progress`",
        kw_fence => "`fence`",
        kw_self => "`self`",
        kw_true => "`true`",
        kw_false => "`false`",
        kw_int => "`int`",
        kw_bool => "`bool`",
        kw_join => "`join`",
        kw_done => "`done`",
        kw_choose => "`choose`",
        ident_char => "a letter, digit or `_`",
        WHITESPACE | COMMENT => "a space",
    }
}

/// Punctuation and keywords whose only job is to be there: the lowering skips
/// them when walking a rule's children, and reads the few that carry meaning
/// (`fair`, the kind of a declaration, `true`) from the raw children.
pub(crate) fn is_token(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        semi | comma
            | colon
            | dotdot
            | dot
            | at
            | lparen
            | rparen
            | lbrack
            | rbrack
            | lbrace
            | rbrace
            | assign
            | kw_const
            | kw_shared
            | kw_atomic
            | kw_ghost
            | kw_mutex
            | kw_rwlock
            | kw_semaphore
            | kw_condvar
            | kw_channel
            | kw_capacity
            | kw_barrier
            | kw_waitgroup
            | kw_fair
            | kw_fn
            | kw_thread
            | kw_invariant
            | kw_final
            | kw_assert
            | kw_let
            | kw_if
            | kw_else
            | kw_while
            | kw_loop
            | kw_for
            | kw_in
            | kw_break
            | kw_continue
            | kw_return
            | kw_with
            | kw_await
            | kw_progress
            | kw_fence
            | kw_self
            | kw_true
            | kw_false
            | kw_int
            | kw_bool
            | kw_join
            | kw_done
            | kw_choose
    )
}

/// The reserved words, as the grammar's `keyword` rule lists them.
pub(crate) const RESERVED: &[&str] = &[
    "const",
    "shared",
    "atomic",
    "ghost",
    "mutex",
    "rwlock",
    "semaphore",
    "condvar",
    "channel",
    "capacity",
    "barrier",
    "waitgroup",
    "fair",
    "fn",
    "thread",
    "invariant",
    "final",
    "assert",
    "let",
    "if",
    "else",
    "while",
    "loop",
    "for",
    "in",
    "break",
    "continue",
    "return",
    "with",
    "await",
    "progress",
    "fence",
    "self",
    "true",
    "false",
    "int",
    "bool",
    "join",
    "done",
    "choose",
];
