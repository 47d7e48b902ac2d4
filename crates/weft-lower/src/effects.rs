//! Where an operation may happen: nothing may block inside one indivisible
//! step (`atomic { }`, an `assert` or `await` condition), and
//! specifications may only read.

use weft_syntax::ast::Span;

use crate::context::{Lower, Mode};
use crate::error::{Detail, LowerError};

impl<'e, 'a> Lower<'e, 'a> {
    /// Report `what` (a blocking operation at `at`) inside `atomic { }`,
    /// pointing at the call that leads to it when it sits in a function.
    pub fn check_blocking(&mut self, what: &str, at: Span) {
        let Some(a) = self.atomic else { return };
        let help = format!(
            "{} is one indivisible step and cannot wait: move the blocking operation before or \
             after it (to hold a lock over several steps, use `with m {{ ... }}`)",
            a.what
        );
        let d = if self.calls.len() > a.call_depth {
            let call = self.calls[a.call_depth].call_span;
            Detail::new(format!(
                "a call inside {} can block: it reaches `{what}`",
                a.what
            ))
            .at(call, "this call can block")
            .note(at, format!("`{what}` blocks here"))
            .note(a.span, "one indivisible step from here")
        } else {
            Detail::new(format!(
                "`{what}` can block, so it cannot be inside {}",
                a.what
            ))
            .at(at, "can block")
            .note(a.span, "one indivisible step from here")
        };
        self.error(LowerError::BlockingInAtomic(d.help(help)));
    }

    /// Whether an effect (`what`, at `at`) may happen here; in a specification
    /// it is reported and must be skipped.
    pub fn allow_effect(&mut self, what: &str, at: Span) -> bool {
        if self.mode != Mode::Spec {
            return true;
        }
        let mut d = Detail::new(format!("a specification cannot perform `{what}`"))
            .at(at, "changes or waits on the state");
        if let Some(call) = self.outer_call() {
            d = d.note(call, "in the function called here");
        }
        self.error(LowerError::EffectInSpec(d.help(
            "invariants and final asserts only read the state: move this into a thread",
        )));
        false
    }
}
