//! A finding as a miette diagnostic: code `weft::<kind>`, a label on every
//! source location involved, and a help line saying how such bugs are fixed.

use crate::help::{finding_help, weak_help};
use crate::labels::{merge_labels, untangle};
use crate::source::Source;
use miette::{Diagnostic, LabeledSpan, Severity, SourceCode, SourceSpan};
use std::fmt;
use weft_explore::Finding;

/// A finding ready for a miette handler. It borrows the finding and the
/// source: the report is built just before it is printed.
#[derive(Debug)]
pub struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    /// One label per distinct span; locations sharing a span share a label.
    labels: Vec<(SourceSpan, String)>,
    source: &'a Source,
}

impl<'a> FindingDiagnostic<'a> {
    pub fn new(finding: &'a Finding, source: &'a Source) -> Self {
        let mut spans: Vec<(usize, usize)> = finding
            .locations
            .iter()
            .map(|l| (l.span.start as usize, l.span.end.max(l.span.start) as usize))
            .collect();
        untangle(&mut spans, source.text());
        // Two instances of one thread group at the same statement give two
        // locations on one span; miette would draw two arrows at the same
        // place, so they become one label.
        let mut grouped: Vec<((usize, usize), Vec<&str>)> = Vec::new();
        for (span, loc) in spans.into_iter().zip(&finding.locations) {
            match grouped.iter_mut().find(|(s, _)| *s == span) {
                Some((_, texts)) if !texts.contains(&loc.label.as_str()) => texts.push(&loc.label),
                Some(_) => {}
                None => grouped.push((span, vec![&loc.label])),
            }
        }
        let labels = grouped
            .into_iter()
            .map(|((start, end), texts)| {
                (SourceSpan::from((start, end - start)), merge_labels(&texts))
            })
            .collect();
        FindingDiagnostic {
            finding,
            labels,
            source,
        }
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("weft::{}", self.finding.kind.name())))
    }

    fn severity(&self) -> Option<Severity> {
        Some(match self.finding.kind.severity() {
            weft_explore::Severity::Error => Severity::Error,
            weft_explore::Severity::Warning => Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let f = self.finding;
        let flushed = (f.schedule.iter().chain(&f.cycle)).any(|s| s.branch >= weft_explore::FLUSH);
        match weak_help(f.kind) {
            Some(weak) if flushed => Some(Box::new(format!("{}; {weak}", finding_help(f)))),
            _ => Some(Box::new(finding_help(f))),
        }
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().enumerate().map(
            |(i, (span, text))| {
                let text = Some(text.clone()).filter(|t| !t.is_empty());
                if i == 0 {
                    LabeledSpan::new_primary_with_span(text, *span)
                } else {
                    LabeledSpan::new_with_span(text, *span)
                }
            },
        )))
    }
}

/// Any diagnostic with a file's source attached, for diagnostics that carry
/// spans but not the text (every error type of weft's stages).
#[derive(Debug)]
pub struct WithSource<'a> {
    pub inner: &'a dyn Diagnostic,
    /// `None` when there is no text to show, as for a file that could not be read.
    pub source: Option<&'a Source>,
}

impl fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.inner, f)
    }
}

impl std::error::Error for WithSource<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source()
    }
}

impl Diagnostic for WithSource<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.code()
    }
    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.help()
    }
    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.inner.url()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        match self.source {
            Some(source) => Some(source),
            None => self.inner.source_code(),
        }
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        // A label pointing past the end of the text would make miette give
        // up on the whole snippet; clamp it to the last byte instead.
        let len = self.source.map(|s| s.text().len());
        let labels = self.inner.labels()?;
        Some(Box::new(labels.map(move |l| match len {
            Some(len) if l.offset() + l.len() > len => {
                let start = l.offset().min(len);
                let span = SourceSpan::from((start, l.len().min(len - start)));
                let text = l.label().map(str::to_string);
                if l.primary() {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                }
            }
            _ => l,
        })))
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        self.inner.related()
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.inner.diagnostic_source()
    }
}
