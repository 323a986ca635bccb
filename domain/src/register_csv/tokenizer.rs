//! Splitting CSV text into records and cells (RFC 4180 as Excel writes it).
//!
//! Cells are separated by `,`, records by CRLF, LF or CR. A cell that starts
//! with `"` is quoted: it runs to the next lone `"`, `""` inside stands for
//! one `"`, and it may contain separators and line breaks. Like Excel, text
//! between a closing quote and the next separator is appended as it is, and
//! a `"` inside an unquoted cell is an ordinary character. Every cell is
//! measured while it is scanned, so an oversized cell is rejected after
//! reading at most the limit plus one byte of it: no work grows faster than
//! the input.

use std::borrow::Cow;

/// Why a record could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenError {
    /// The cell with this 0-based index in its record is larger than allowed.
    CellTooLarge(usize),
    /// The quoted cell with this 0-based index is not closed before the end.
    Unterminated(usize),
}

/// Reads records from text, one at a time.
#[derive(Debug, Clone)]
pub(super) struct Tokenizer<'a> {
    text: &'a str,
    pos: usize,
    max_cell: usize,
}

fn is_break(b: u8) -> bool {
    b == b',' || b == b'\r' || b == b'\n'
}

/// First index in `bytes[from..to]` holding a separator or line break.
fn find_break(bytes: &[u8], from: usize, to: usize) -> Option<usize> {
    bytes
        .get(from..to)?
        .iter()
        .position(|&b| is_break(b))
        .map(|i| from + i)
}

/// First index in `bytes[from..to]` holding `"`.
fn find_quote(bytes: &[u8], from: usize, to: usize) -> Option<usize> {
    bytes
        .get(from..to)?
        .iter()
        .position(|&b| b == b'"')
        .map(|i| from + i)
}

impl<'a> Tokenizer<'a> {
    /// A tokenizer over `text` whose cells may have at most `max_cell` bytes.
    pub(super) fn new(text: &'a str, max_cell: usize) -> Self {
        Self {
            text,
            pos: 0,
            max_cell,
        }
    }

    /// Bytes consumed so far.
    pub(super) fn position(&self) -> usize {
        self.pos
    }

    /// Reads the next record into `cells` (cleared first). Returns `false`
    /// at the end of the text. After an error the tokenizer is at the end.
    pub(super) fn next_record(&mut self, cells: &mut Vec<Cow<'a, str>>) -> Result<bool, TokenError> {
        cells.clear();
        let text = self.text;
        let bytes = text.as_bytes();
        let len = bytes.len();
        if self.pos >= len {
            return Ok(false);
        }
        loop {
            let index = cells.len();
            let cell = match self.cell(text, index) {
                Ok(c) => c,
                Err(e) => {
                    self.pos = len;
                    return Err(e);
                }
            };
            cells.push(cell);
            match bytes.get(self.pos) {
                None => return Ok(true),
                Some(b',') => self.pos += 1,
                Some(b'\r') => {
                    self.pos += 1;
                    if bytes.get(self.pos) == Some(&b'\n') {
                        self.pos += 1;
                    }
                    return Ok(true);
                }
                Some(_) => {
                    // `\n`: the only other byte a cell stops at.
                    self.pos += 1;
                    return Ok(true);
                }
            }
        }
    }

    /// Reads one cell starting at `self.pos`, leaving `self.pos` on the
    /// separator, line break or end after it.
    fn cell(&mut self, text: &'a str, index: usize) -> Result<Cow<'a, str>, TokenError> {
        let bytes = text.as_bytes();
        let len = bytes.len();
        let start = self.pos;
        let max = self.max_cell;
        if bytes.get(start) != Some(&b'"') {
            let window = len.min(start.saturating_add(max).saturating_add(1));
            let end = match find_break(bytes, start, window) {
                Some(e) => e,
                None if window >= len => len,
                None => return Err(TokenError::CellTooLarge(index)),
            };
            if end - start > max {
                return Err(TokenError::CellTooLarge(index));
            }
            self.pos = end;
            return Ok(Cow::Borrowed(text.get(start..end).unwrap_or("")));
        }
        // Quoted cell. `content` counts the bytes of the cell's value so far.
        let mut owned: Option<String> = None;
        let mut content = 0usize;
        let mut seg = start + 1;
        loop {
            let budget = max.saturating_sub(content);
            let window = len.min(seg.saturating_add(budget).saturating_add(1));
            let q = match find_quote(bytes, seg, window) {
                Some(q) => q,
                None if window >= len => return Err(TokenError::Unterminated(index)),
                None => return Err(TokenError::CellTooLarge(index)),
            };
            content += q - seg;
            if bytes.get(q + 1) == Some(&b'"') {
                // `""`: one quote character of the value.
                content += 1;
                if content > max {
                    return Err(TokenError::CellTooLarge(index));
                }
                owned
                    .get_or_insert_with(String::new)
                    .push_str(text.get(seg..=q).unwrap_or(""));
                seg = q + 2;
                continue;
            }
            let body = text.get(seg..q).unwrap_or("");
            let mut value = match owned {
                Some(mut o) => {
                    o.push_str(body);
                    Cow::Owned(o)
                }
                None => Cow::Borrowed(body),
            };
            // Text after the closing quote, up to the next break, is kept.
            let after = q + 1;
            let budget = max.saturating_sub(content);
            let window = len.min(after.saturating_add(budget).saturating_add(1));
            let end = match find_break(bytes, after, window) {
                Some(e) => e,
                None if window >= len => len,
                None => return Err(TokenError::CellTooLarge(index)),
            };
            if end - after > budget {
                return Err(TokenError::CellTooLarge(index));
            }
            if end > after {
                value.to_mut().push_str(text.get(after..end).unwrap_or(""));
            }
            self.pos = end;
            return Ok(value);
        }
    }
}

/// The 1-based record number (Excel row) at byte `offset` of CSV bytes that
/// need not be valid UTF-8: counts line breaks outside quotes.
pub(super) fn row_at(bytes: &[u8], offset: usize) -> u64 {
    let mut row = 1u64;
    let mut quoted = false;
    let end = offset.min(bytes.len());
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => row += 1,
            b'\r' if !quoted => {
                row += 1;
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str, max: usize) -> Result<Vec<Vec<String>>, TokenError> {
        let mut t = Tokenizer::new(text, max);
        let mut cells = Vec::new();
        let mut out = Vec::new();
        while t.next_record(&mut cells)? {
            out.push(cells.iter().map(|c| c.to_string()).collect());
        }
        Ok(out)
    }

    #[test]
    fn splits_like_excel() {
        let r = records("a,b\r\n\"x,\"\"y\"\"\r\nz\",\n\rlast", 100).unwrap();
        assert_eq!(
            r,
            vec![
                vec!["a".to_owned(), "b".to_owned()],
                vec!["x,\"y\"\r\nz".to_owned(), String::new()],
                vec![String::new()],
                vec!["last".to_owned()],
            ]
        );
        assert_eq!(records("\"ab\"cd,e\"f", 100).unwrap(), vec![vec!["abcd", "e\"f"]]);
        assert_eq!(records("a,", 100).unwrap(), vec![vec!["a", ""]]);
    }

    #[test]
    fn limits_and_errors() {
        assert_eq!(records("abcd", 4).unwrap(), vec![vec!["abcd"]]);
        assert_eq!(records("abcde", 4), Err(TokenError::CellTooLarge(0)));
        assert_eq!(records("x,\"abcd\"", 4).unwrap(), vec![vec!["x", "abcd"]]);
        assert_eq!(records("x,\"ab\"\"c\"", 4).unwrap(), vec![vec!["x", "ab\"c"]]);
        assert_eq!(records("x,\"ab\"\"cd\"", 4), Err(TokenError::CellTooLarge(1)));
        assert_eq!(records("x,\"abcd\"e", 4), Err(TokenError::CellTooLarge(1)));
        assert_eq!(records("x\n\"abc", 100), Err(TokenError::Unterminated(0)));
        assert_eq!(records("x,\"ab\"cd", 4).unwrap(), vec![vec!["x", "abcd"]]);
        assert_eq!(records("x,\"ab\"cde", 4), Err(TokenError::CellTooLarge(1)));
        assert_eq!(records("x,\"ab\"cd\n", 4).unwrap(), vec![vec!["x", "abcd"]]);
        assert_eq!(
            records("x,abcd\ny", 4).unwrap(),
            vec![vec!["x", "abcd"], vec!["y"]]
        );
    }

    #[test]
    fn rows_of_offsets() {
        let b = b"a\r\n\"b\nc\"\rd\ne";
        assert_eq!(row_at(b, 0), 1);
        assert_eq!(row_at(b, 3), 2);
        assert_eq!(row_at(b, 8), 2);
        assert_eq!(row_at(b, 9), 3);
        assert_eq!(row_at(b, 11), 4);
        assert_eq!(row_at(b, 99), 4);
    }
}
