//! ANSI colour for the human report, switched on only when the caller asks.
//!
//! A handful of SGR codes is all the report needs, so this avoids a
//! colour crate; with colour off every method returns the text unchanged,
//! which keeps plain output byte-for-byte stable for snapshots.

/// Paints text when enabled, passes it through otherwise.
#[derive(Clone, Copy, Debug, Default)]
pub struct Paint {
    pub enabled: bool,
}

impl Paint {
    pub fn new(enabled: bool) -> Self {
        Paint { enabled }
    }

    fn wrap(self, code: &str, text: &str) -> String {
        if self.enabled && !text.is_empty() {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    pub fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }
    pub fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }
    pub fn red(self, text: &str) -> String {
        self.wrap("1;31", text)
    }
    pub fn green(self, text: &str) -> String {
        self.wrap("1;32", text)
    }
    pub fn yellow(self, text: &str) -> String {
        self.wrap("1;33", text)
    }
    pub fn cyan(self, text: &str) -> String {
        self.wrap("36", text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_is_unchanged_and_colour_is_wrapped() {
        assert_eq!(Paint::new(false).red("x"), "x");
        assert_eq!(Paint::new(true).red("x"), "\x1b[1;31mx\x1b[0m");
        assert_eq!(Paint::new(true).red(""), "");
    }
}
