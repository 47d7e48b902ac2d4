//! A plain-text table with aligned columns and full-width note rows, the
//! layout of every swim lane.

use crate::style::Paint;

/// How one table cell is painted when colour is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Bold,
    Dim,
    /// A value that changed in this step.
    Changed,
}

/// One cell: its text and its tone.
#[derive(Clone, Debug)]
pub struct Cell {
    pub text: String,
    pub tone: Tone,
}

impl Cell {
    pub fn new(text: impl Into<String>, tone: Tone) -> Self {
        Cell {
            text: text.into(),
            tone,
        }
    }
    pub fn plain(text: impl Into<String>) -> Self {
        Cell::new(text, Tone::Plain)
    }
}

#[derive(Clone, Debug)]
enum Row {
    Cells(Vec<Cell>),
    /// A line of its own, not split into columns ("the steps below repeat").
    Note(String),
}

/// Columns are sized to their widest cell; the first column is right-aligned
/// (step numbers), the others left-aligned.
#[derive(Clone, Debug, Default)]
pub struct Table {
    header: Vec<Cell>,
    rows: Vec<Row>,
}

const INDENT: &str = "  ";

impl Table {
    pub fn new(header: Vec<Cell>) -> Self {
        Table {
            header,
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(Row::Cells(cells));
    }

    pub fn note(&mut self, text: impl Into<String>) {
        self.rows.push(Row::Note(text.into()));
    }

    /// The table as lines, each ending in a newline, without trailing blanks.
    pub fn render(&self, paint: Paint) -> String {
        let columns = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|c| width(&c.text)).collect();
        for row in &self.rows {
            if let Row::Cells(cells) = row {
                for (i, cell) in cells.iter().enumerate().take(columns) {
                    widths[i] = widths[i].max(width(&cell.text));
                }
            }
        }
        let mut out = String::new();
        out.push_str(&self.line(&self.header, &widths, paint));
        // Under each cell and the spaces beside it: the first column has no
        // space on its left, the last none on its right.
        let last = widths.len().saturating_sub(1);
        let rule: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(i, w)| "─".repeat(w + usize::from(i > 0) + usize::from(i < last)))
            .collect();
        out.push_str(&format!("{INDENT}{}\n", paint.dim(rule.join("┼").trim())));
        for row in &self.rows {
            match row {
                Row::Cells(cells) => out.push_str(&self.line(cells, &widths, paint)),
                Row::Note(text) => out.push_str(&format!("{INDENT}{}\n", paint.cyan(text))),
            }
        }
        out
    }

    fn line(&self, cells: &[Cell], widths: &[usize], paint: Paint) -> String {
        let empty = Cell::plain("");
        let parts: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                let cell = cells.get(i).unwrap_or(&empty);
                let pad = " ".repeat(w - width(&cell.text).min(w));
                let text = match cell.tone {
                    Tone::Plain => cell.text.clone(),
                    Tone::Bold => paint.bold(&cell.text),
                    Tone::Dim => paint.dim(&cell.text),
                    Tone::Changed => paint.yellow(&cell.text),
                };
                if i == 0 {
                    format!("{pad}{text}")
                } else {
                    format!("{text}{pad}")
                }
            })
            .collect();
        let sep = format!(" {} ", paint.dim("│"));
        format!("{INDENT}{}", parts.join(&sep))
            .trim_end()
            .to_string()
            + "\n"
    }
}

/// Display width: characters, which is right for the names and numbers
/// that fill these tables.
fn width(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_notes_span() {
        let mut t = Table::new(vec![
            Cell::plain("step"),
            Cell::plain("a"),
            Cell::plain("x"),
        ]);
        t.row(vec![
            Cell::plain("1"),
            Cell::plain("read x = 0"),
            Cell::plain("0"),
        ]);
        t.note("loop:");
        t.row(vec![Cell::plain("12"), Cell::plain(""), Cell::plain("10")]);
        let expected = "  step │ a          │ x
  ─────┼────────────┼───
     1 │ read x = 0 │ 0
  loop:
    12 │            │ 10
";
        assert_eq!(t.render(Paint::new(false)), expected);
    }
}
