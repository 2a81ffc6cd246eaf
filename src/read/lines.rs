//! Physical lines of a CSV stream, as a person counts them in an editor:
//! `\n`, `\r\n` and a lone `\r` each end a line. The CSV parser counts only
//! `\n` and skips empty lines without saying so; [`LineIndex`] sees the same
//! bytes the parser reads and tells, for a record starting at a byte offset,
//! the line it starts on and the blank lines skipped before it.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::{Arc, Mutex};

/// One physical line: where it starts, whether it is empty, and how many
/// quote characters (`"`) came before it in the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Line {
    start: u64,
    empty: bool,
    quotes_before: u64,
}

/// The lines seen but not yet claimed by a record (bounded by the parser's
/// read-ahead and by the longest record).
#[derive(Debug, Default)]
pub(crate) struct LineIndex {
    /// Lines not yet claimed, in order.
    lines: VecDeque<Line>,
    /// Lines claimed so far (the number of the first line in `lines` is
    /// this plus one).
    claimed: u64,
    /// Bytes seen.
    offset: u64,
    /// Quote characters seen.
    quotes: u64,
    /// Whether the last byte seen was `\r`.
    after_cr: bool,
    /// Where the next line starts, once a line break has been seen and
    /// the line's first byte not yet.
    pending: Option<u64>,
}

/// Where a record starts, and the blank lines skipped before it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RecordLines {
    /// The physical line (1-based) of the record's first byte.
    pub line: u64,
    /// The empty lines between the previous record and this one.
    pub blank: Vec<u64>,
}

impl LineIndex {
    /// An index of a stream not read yet.
    pub(crate) fn new() -> LineIndex {
        LineIndex {
            pending: Some(0),
            ..LineIndex::default()
        }
    }

    /// Takes note of the next bytes of the stream.
    fn feed(&mut self, buf: &[u8]) {
        let base = self.offset;
        for i in memchr::memchr3_iter(b'\r', b'\n', b'"', buf) {
            let at = base + i as u64;
            self.start_plain_line_before(at);
            let b = buf[i];
            // The `\n` of a `\r\n` starts no line: the line starts after it.
            if self.pending == Some(at) && !(b == b'\n' && self.after_cr) {
                self.push(at, b != b'"');
            }
            match b {
                b'"' => self.quotes += 1,
                _ => self.pending = Some(at + 1),
            }
            self.after_cr = b == b'\r';
        }
        self.offset += buf.len() as u64;
        self.start_plain_line_before(self.offset);
    }

    /// Starts the pending line if it starts before `limit`: its first byte
    /// is then neither a quote nor a line break.
    fn start_plain_line_before(&mut self, limit: u64) {
        if let Some(start) = self.pending.filter(|&p| p < limit) {
            self.push(start, false);
        }
    }

    fn push(&mut self, start: u64, empty: bool) {
        self.lines.push_back(Line {
            start,
            empty,
            quotes_before: self.quotes,
        });
        self.pending = None;
    }

    /// The line of a record that the parser began reading at byte `from`
    /// (just past the previous record's line break, or in the middle of a
    /// `\r\n`), and the empty lines it skipped to reach it. Lines before it
    /// are forgotten.
    pub(crate) fn record_at(&mut self, from: u64) -> RecordLines {
        let mut blank = Vec::new();
        loop {
            let Some(first) = self.lines.front().copied() else {
                // Not seen yet (cannot happen for a record the parser
                // returned); the next line's number.
                return RecordLines {
                    line: self.claimed + 1,
                    blank,
                };
            };
            if first.start < from {
                self.lines.pop_front();
                self.claimed += 1;
                continue;
            }
            if first.empty {
                self.lines.pop_front();
                self.claimed += 1;
                blank.push(self.claimed);
                continue;
            }
            return RecordLines {
                line: self.claimed + 1,
                blank,
            };
        }
    }

    /// The empty lines from byte `from` to the end of the stream (after the
    /// last record); every line is forgotten.
    pub(crate) fn at_end(&mut self, from: u64) -> Vec<u64> {
        let mut blank = Vec::new();
        while let Some(first) = self.lines.pop_front() {
            self.claimed += 1;
            if first.start >= from && first.empty {
                blank.push(self.claimed);
            }
        }
        blank
    }

    /// Quote characters from the start of line `line` (not yet forgotten)
    /// to the end of what was seen; `None` when the line is gone.
    pub(crate) fn quotes_since_line(&self, line: u64) -> Option<u64> {
        let i = line.checked_sub(self.claimed + 1)?;
        let l = self.lines.get(i as usize)?;
        Some(self.quotes - l.quotes_before)
    }
}

/// Feeds the bytes the parser reads to a shared [`LineIndex`].
pub(crate) struct Lines<R> {
    /// The stream.
    pub inner: R,
    /// The index it feeds.
    pub index: Arc<Mutex<LineIndex>>,
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut index) = self.index.lock() {
            index.feed(&buf[..n]);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Lines of `text` fed in pieces of `step` bytes.
    fn index(text: &[u8], step: usize) -> LineIndex {
        let mut ix = LineIndex::new();
        for piece in text.chunks(step.max(1)) {
            ix.feed(piece);
        }
        ix
    }

    fn starts(ix: &LineIndex) -> Vec<(u64, bool)> {
        ix.lines.iter().map(|l| (l.start, l.empty)).collect()
    }

    #[test]
    fn every_kind_of_line_break_ends_a_line() {
        for step in [1, 2, 3, 100] {
            let ix = index(b"a\r\nb\rc\n\nd\r\n\r\ne", step);
            assert_eq!(
                starts(&ix),
                vec![
                    (0, false),
                    (3, false),
                    (5, false),
                    (7, true),
                    (8, false),
                    (11, true),
                    (13, false)
                ],
                "step {step}"
            );
        }
        // A line break at the very end starts no line.
        assert_eq!(starts(&index(b"a\r\n", 1)), vec![(0, false)]);
        assert_eq!(starts(&index(b"a\r", 1)), vec![(0, false)]);
    }

    #[test]
    fn records_get_their_line_and_the_blank_lines_before_them() {
        let mut ix = index(b"H\r\n1\r\n\r\n\r\n2\r\n", 4);
        // The parser stops after the `\r` of a `\r\n`.
        assert_eq!(ix.record_at(0).line, 1);
        assert_eq!(ix.record_at(2).line, 2);
        assert_eq!(
            ix.record_at(5),
            RecordLines {
                line: 5,
                blank: vec![3, 4]
            }
        );
        assert!(ix.at_end(12).is_empty());
    }

    #[test]
    fn quotes_are_counted_per_line() {
        let mut ix = index(b"A\n\"x\ny\";1\n\"open\nz", 2);
        ix.record_at(0);
        assert_eq!(ix.record_at(2).line, 2);
        assert_eq!(ix.quotes_since_line(2), Some(3));
        assert_eq!(ix.quotes_since_line(4), Some(1));
    }

    proptest! {
        /// Whatever the line breaks and however the stream is cut, the
        /// index finds every line a person would count.
        #[test]
        fn lines_match_a_plain_count(
            lines in proptest::collection::vec(("[a\"]{0,3}", 0usize..3), 0..20),
            step in 1usize..9,
        ) {
            let mut text = Vec::new();
            let mut expected = Vec::new();
            let mut after_cr = false;
            for (content, brk) in &lines {
                // A lone `\r` then an empty line ending in `\n` is a `\r\n`.
                let brk = if after_cr && content.is_empty() && *brk == 0 { &2 } else { brk };
                after_cr = *brk == 2;
                expected.push((text.len() as u64, content.is_empty()));
                text.extend_from_slice(content.as_bytes());
                text.extend_from_slice([&b"\n"[..], b"\r\n", b"\r"][*brk]);
            }
            let ix = index(&text, step);
            prop_assert_eq!(starts(&ix), expected);
        }
    }
}
