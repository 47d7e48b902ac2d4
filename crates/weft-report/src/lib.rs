//! Turns findings into miette diagnostics, swim-lane schedules and JSON.
