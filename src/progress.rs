//! The progress bar on stderr while a search runs.

use indicatif::{HumanBytes, HumanCount, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::{Duration, Instant};

/// A spinner with the search's counters, or nothing when not wanted.
pub struct Progress {
    bar: Option<ProgressBar>,
    start: Instant,
}

impl Progress {
    /// Start a spinner if `show` (stderr is a terminal, human format, not quiet).
    pub fn start(show: bool) -> Progress {
        let bar = show.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            // A template that fails to parse would be our bug; fall back to
            // the default style rather than crash.
            if let Ok(style) = ProgressStyle::with_template("{spinner} exploring: {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            start: Instant::now(),
        }
    }

    pub fn update(&self, p: &weft_explore::Progress) {
        let Some(bar) = &self.bar else { return };
        let seconds = self.start.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!(
            "{} states ({}/s), frontier {}, depth {}, memory {}",
            HumanCount(p.states),
            HumanCount((p.states as f64 / seconds) as u64),
            HumanCount(p.frontier),
            p.depth,
            HumanBytes(p.bytes)
        ));
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
