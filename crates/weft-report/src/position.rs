//! Byte offsets to the 1-based line and column numbers users see.

/// The start of every line of one source text, for offset lookups.
#[derive(Clone, Debug)]
pub struct LineIndex<'a> {
    source: &'a str,
    /// Byte offset of the first byte of each line; `starts[0] == 0`.
    starts: Vec<usize>,
}

/// The byte offset of the first byte of each line of `source`.
pub fn line_starts(source: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The position of a byte offset in `source`, whose [`line_starts`] are
/// `starts` ([`LineIndex::position`]).
pub fn position(source: &str, starts: &[usize], offset: usize) -> Position {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let line = starts.partition_point(|&s| s <= offset).max(1) - 1;
    let start = starts.get(line).copied().unwrap_or(0);
    let column = source[start..offset].chars().count() + 1;
    Position {
        line: line + 1,
        column,
    }
}

/// A position as editors show it: line and column both count from 1, and
/// the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl<'a> LineIndex<'a> {
    pub fn new(source: &'a str) -> Self {
        LineIndex {
            source,
            starts: line_starts(source),
        }
    }

    /// The position of a byte offset. Offsets past the end, or inside a
    /// multi-byte character, clamp to the nearest valid place instead of
    /// failing: a report must never crash on a span that is slightly off.
    pub fn position(&self, offset: usize) -> Position {
        position(self.source, &self.starts, offset)
    }

    /// The 1-based line number of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.position(offset).line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_from_one() {
        let ix = LineIndex::new("ab\ncd\n\nxé z");
        assert_eq!(ix.position(0), Position { line: 1, column: 1 });
        assert_eq!(ix.position(1), Position { line: 1, column: 2 });
        assert_eq!(ix.position(2), Position { line: 1, column: 3 });
        assert_eq!(ix.position(3), Position { line: 2, column: 1 });
        assert_eq!(ix.position(6), Position { line: 3, column: 1 });
        // 'é' is two bytes but one column
        assert_eq!(ix.position(10), Position { line: 4, column: 3 });
    }

    #[test]
    fn bad_offsets_clamp_instead_of_panicking() {
        let ix = LineIndex::new("xé");
        // offset 2 is inside 'é'
        assert_eq!(ix.position(2), Position { line: 1, column: 2 });
        assert_eq!(ix.position(99), Position { line: 1, column: 3 });
        assert_eq!(
            LineIndex::new("").position(5),
            Position { line: 1, column: 1 }
        );
    }
}
