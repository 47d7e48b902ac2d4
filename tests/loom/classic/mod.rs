//! Hand-written loom tests of the classic programs, each paired with the
//! weft program it mirrors; the agreement harness runs them like the
//! generated models and checks loom's outcome against that program's verdict.

pub mod bounded_buffer;
pub mod counter;
pub mod lost_wakeup;
pub mod peterson;
pub mod two_locks;

/// Each fixture: its name, the weft program it mirrors, the model.
pub const MODELS: &[(&str, &str, fn())] = &[
    ("classic_counter_race", "01_counter_race", counter::racy),
    (
        "classic_counter_locked",
        "03_counter_locked",
        counter::locked,
    ),
    (
        "classic_counter_atomic",
        "04_counter_atomic",
        counter::atomic,
    ),
    (
        "classic_two_locks",
        "09_lock_order_deadlock",
        two_locks::opposite_orders,
    ),
    (
        "classic_two_locks_fixed",
        "10_lock_order_fixed",
        two_locks::one_order,
    ),
    (
        "classic_bounded_buffer",
        "15_bounded_buffer_condvar",
        bounded_buffer::with_while,
    ),
    (
        "classic_bounded_buffer_if",
        "16_bounded_buffer_if_not_while",
        bounded_buffer::with_if,
    ),
    (
        "classic_lost_wakeup",
        "17_lost_wakeup",
        lost_wakeup::notify_first,
    ),
    (
        "classic_condvar_flag",
        "19_condvar_flag_fixed",
        lost_wakeup::flag_under_lock,
    ),
    ("classic_peterson", "42_peterson_atomic", peterson::seqcst),
];
