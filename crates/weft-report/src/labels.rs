//! Source labels drawn well by miette: nested spans untangled, and labels
//! that share a span merged into one.

/// Miette cannot draw a label whose span holds another label's span: the
/// inner arrow lands at the end of the outer one. The usual case is a write
/// whose span is the whole assignment, holding a read of the same variable.
/// The outer span shrinks to the text in front of the inner one, without the
/// operator (`counter = counter + 1` -> `counter`), or, when both start at
/// the same place (`hits += 1`), to the inner span itself, so the two labels
/// share it. JSON keeps the true spans.
pub fn untangle(spans: &mut [(usize, usize)], text: &str) {
    let original = spans.to_vec();
    for (outer, span) in spans.iter_mut().enumerate() {
        let (start, end) = original[outer];
        let inner = original
            .iter()
            .enumerate()
            .filter(|&(i, &(s, e))| i != outer && s >= start && e <= end && (s, e) != (start, end))
            .map(|(_, &inner)| inner)
            .min();
        let Some((inner_start, inner_end)) = inner else {
            continue;
        };
        let operator = |c: char| c.is_whitespace() || "=+-*/%<>!&|".contains(c);
        let front = text.get(start..inner_start).unwrap_or_default();
        let kept = front.trim_end_matches(operator).len();
        *span = if kept > 0 {
            (start, start + kept)
        } else {
            (inner_start, inner_end)
        };
    }
}

/// Labels of one span as one: `inc[0], inc[1]: writes counter` when they
/// differ only in the thread named first, otherwise joined with `; `.
pub fn merge_labels(texts: &[&str]) -> String {
    let split: Vec<Option<(&str, &str)>> = texts.iter().map(|t| t.split_once(' ')).collect();
    let rests: Vec<&str> = split.iter().flatten().map(|(_, rest)| *rest).collect();
    if texts.len() > 1 && rests.len() == texts.len() && rests.iter().all(|r| *r == rests[0]) {
        let names: Vec<&str> = split.iter().flatten().map(|(name, _)| *name).collect();
        format!("{}: {}", names.join(", "), rests[0])
    } else {
        texts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::{merge_labels, untangle};

    #[test]
    fn an_outer_span_keeps_the_text_before_the_inner_one() {
        let text = "    counter = counter + 1;";
        let mut spans = vec![(4, 26), (14, 21), (0, 2), (4, 26)];
        untangle(&mut spans, text);
        assert_eq!(spans, vec![(4, 11), (14, 21), (0, 2), (4, 11)]);
    }

    #[test]
    fn an_outer_span_starting_with_the_inner_one_becomes_it() {
        let text = "hits += 1;";
        let mut spans = vec![(0, 10), (0, 4)];
        untangle(&mut spans, text);
        assert_eq!(spans, vec![(0, 4), (0, 4)]);
    }

    #[test]
    fn labels_that_differ_only_in_the_thread_merge() {
        assert_eq!(
            merge_labels(&["inc[0] writes counter", "inc[1] writes counter"]),
            "inc[0], inc[1]: writes counter"
        );
        assert_eq!(
            merge_labels(&["inc[0] writes counter", "inc[1] overwrites it"]),
            "inc[0] writes counter; inc[1] overwrites it"
        );
        assert_eq!(merge_labels(&["one"]), "one");
    }
}
