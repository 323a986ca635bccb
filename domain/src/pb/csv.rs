//! The small CSV dialect of pabulib files: `;` separator, `"` quotes, `""` for a quote inside
//! quotes, one record per line (SEMANTICS.md §1).

use std::borrow::Cow;

/// Why a line could not be split into cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QuoteError {
    /// A quoted cell is not closed before the end of the line.
    Unterminated,
    /// A closing quote is followed by something other than `;` or the end of the line.
    TextAfterClosingQuote,
}

impl QuoteError {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::Unterminated => "quoted cell not closed before the end of the line",
            Self::TextAfterClosingQuote => "text after the closing quote of a cell",
        }
    }
}

/// Splits text into lines like Python's `str.splitlines()` restricted to `\n`, `\r\n` and `\r`,
/// after dropping a leading UTF-8 byte-order mark. Yields `(1-based line number, line)`.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bytes = text.as_bytes();
    let mut pos = 0usize;
    let mut number = 0usize;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let mut end = pos;
        while end < bytes.len() && bytes[end] != b'\n' && bytes[end] != b'\r' {
            end += 1;
        }
        pos = end;
        if pos < bytes.len() {
            if bytes[pos] == b'\r' && pos + 1 < bytes.len() && bytes[pos + 1] == b'\n' {
                pos += 2;
            } else {
                pos += 1;
            }
        }
        number += 1;
        // `start` and `end` are at ASCII bytes or the ends of the string: char boundaries.
        Some((number, &text[start..end]))
    })
}

/// Splits one line into cells like Python's `csv.reader(..., delimiter=";")`, except that
/// malformed quoting is an error instead of being repaired silently.
///
/// A quote inside an unquoted cell is kept literally (as Python does). Unquoted cells are
/// borrowed from the line; only a quoted cell is copied (to drop its quotes).
pub(crate) fn split_record(line: &str) -> Result<Vec<Cow<'_, str>>, QuoteError> {
    let b = line.as_bytes();
    let mut cells = Vec::new();
    let mut i = 0usize;
    loop {
        if b.get(i) == Some(&b'"') {
            let mut cell = String::new();
            i += 1;
            let mut from = i;
            loop {
                match b.get(i) {
                    None => return Err(QuoteError::Unterminated),
                    Some(b'"') => {
                        // `from` and `i` are at ASCII bytes: char boundaries.
                        cell.push_str(&line[from..i]);
                        match b.get(i + 1) {
                            Some(b'"') => {
                                cell.push('"');
                                i += 2;
                                from = i;
                            }
                            Some(b';') | None => {
                                i += 1;
                                break;
                            }
                            Some(_) => return Err(QuoteError::TextAfterClosingQuote),
                        }
                    }
                    Some(_) => i += 1,
                }
            }
            cells.push(Cow::Owned(cell));
        } else {
            let start = i;
            while i < b.len() && b[i] != b';' {
                i += 1;
            }
            cells.push(Cow::Borrowed(&line[start..i]));
        }
        match b.get(i) {
            Some(b';') => i += 1,
            None => return Ok(cells),
            // Unreachable by construction: both branches stop only at `;` or the end.
            Some(_) => return Err(QuoteError::TextAfterClosingQuote),
        }
    }
}

/// Quotes a cell if it needs it (contains `;` or `"`, or starts or ends with whitespace).
pub(crate) fn quote_cell(cell: &str, out: &mut String) {
    let needs = cell.contains([';', '"']) || cell.trim() != cell;
    if needs {
        out.push('"');
        for c in cell.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(cell);
    }
}

/// Writes a record (cells joined by `;`) and a `\n`.
pub(crate) fn write_record<'a>(cells: impl IntoIterator<Item = &'a str>, out: &mut String) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        quote_cell(cell, out);
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_python_csv() {
        assert_eq!(split_record("a;b;c").unwrap(), vec!["a", "b", "c"]);
        assert_eq!(split_record("a;;").unwrap(), vec!["a", "", ""]);
        assert_eq!(split_record("").unwrap(), vec![""]);
        assert_eq!(split_record(r#"1;"x; y";z"#).unwrap(), vec!["1", "x; y", "z"]);
        assert_eq!(
            split_record(r#""""Konikowo"" - x";2"#).unwrap(),
            vec![r#""Konikowo" - x"#, "2"]
        );
        assert_eq!(split_record(r#"ab"c;d"#).unwrap(), vec![r#"ab"c"#, "d"]);
        assert_eq!(split_record(r#""abc"#), Err(QuoteError::Unterminated));
        assert_eq!(
            split_record(r#""abc"d;e"#),
            Err(QuoteError::TextAfterClosingQuote)
        );
        assert_eq!(split_record(r#""";"""#).unwrap(), vec!["", ""]);
    }

    #[test]
    fn splits_lines() {
        let v: Vec<_> = lines("\u{feff}a\r\nb\nc\rd\r\n").collect();
        assert_eq!(v, vec![(1, "a"), (2, "b"), (3, "c"), (4, "d")]);
        let v: Vec<_> = lines("a\n\nb").collect();
        assert_eq!(v, vec![(1, "a"), (2, ""), (3, "b")]);
    }

    #[test]
    fn quoting_round_trips() {
        for cell in ["plain", "a;b", r#"say "hi""#, " pad ", "", r#"""#] {
            let mut s = String::new();
            quote_cell(cell, &mut s);
            assert_eq!(split_record(&s).unwrap(), vec![cell.to_string()]);
        }
    }
}
