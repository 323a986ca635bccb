//! Spreadsheet formula escaping of CSV text cells: the one rule every CSV file Linli
//! writes (register export, allocation exports, workshop minutes) and reads (register
//! import) follows.
//!
//! A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some versions a
//! cell starting with tab or CR) as a formula, so a name such as `=HYPERLINK(…)` typed by
//! someone could run when a guide opens the file. [`escape`] therefore prefixes such a
//! cell with a single quote `'`, which spreadsheets show as plain text: `=1+1` is written
//! `'=1+1`. A cell that already starts with `'` gets the prefix too, so that [`unescape`]
//! can undo the escape exactly: it removes one leading `'` only when the character after
//! it is one of [`TRIGGERS`]. For every text, `unescape(&escape(text)) == text`.
//!
//! Only text cells are escaped: numbers written by Linli itself (a negative amount such
//! as `-12.50`) are written as they are.
//!
//! ```
//! use linli_domain::csv_cell::{escape, needs_escape, unescape};
//!
//! assert!(needs_escape("=SUM(A1:A9)"));
//! assert_eq!(escape("=SUM(A1:A9)"), "'=SUM(A1:A9)");
//! assert_eq!(escape("3幢"), "3幢");
//! assert_eq!(unescape("'=SUM(A1:A9)"), "=SUM(A1:A9)");
//! assert_eq!(unescape("'plain quote"), "'plain quote");
//! ```

/// The first characters that make a cell need [`escape`]: the four formula characters
/// `= + - @`, tab and CR, and the escape character `'` itself.
pub const TRIGGERS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// Whether `cell` starts with one of [`TRIGGERS`], so that a writer must prefix it
/// with `'` ([`escape`]).
///
/// ```
/// use linli_domain::csv_cell::needs_escape;
/// assert!(needs_escape("+86 138 0000 0000"));
/// assert!(needs_escape("'quoted"));
/// assert!(!needs_escape("138 0000 0000"));
/// assert!(!needs_escape(""));
/// ```
pub fn needs_escape(cell: &str) -> bool {
    cell.starts_with(TRIGGERS)
}

/// `cell` made safe for a spreadsheet: with a leading `'` when [`needs_escape`], else
/// unchanged.
///
/// ```
/// use linli_domain::csv_cell::escape;
/// assert_eq!(escape("@home"), "'@home");
/// assert_eq!(escape("'=already quoted"), "''=already quoted");
/// assert_eq!(escape("a = b"), "a = b");
/// ```
pub fn escape(cell: &str) -> String {
    if needs_escape(cell) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// Undoes [`escape`]: removes one leading `'` when the character after it is one of
/// [`TRIGGERS`]; any other text is returned as it is.
///
/// ```
/// use linli_domain::csv_cell::unescape;
/// assert_eq!(unescape("'-1"), "-1");
/// assert_eq!(unescape("''=already quoted"), "'=already quoted");
/// assert_eq!(unescape("'plain"), "'plain");
/// assert_eq!(unescape("-1"), "-1");
/// ```
pub fn unescape(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_escape(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_trigger_is_escaped_and_nothing_else() {
        for t in TRIGGERS {
            let cell = format!("{t}x");
            assert!(needs_escape(&cell), "{cell:?}");
            assert_eq!(escape(&cell), format!("'{cell}"));
            assert_eq!(unescape(&escape(&cell)), cell);
        }
        for cell in ["", "x", " =1", "１", "\n=1", "1-2", "中文", "\"=1\""] {
            assert!(!needs_escape(cell), "{cell:?}");
            assert_eq!(escape(cell), cell);
            assert_eq!(unescape(cell), cell);
        }
    }

    #[test]
    fn unescape_removes_exactly_one_quote() {
        assert_eq!(unescape("'"), "'");
        assert_eq!(unescape("''"), "'");
        assert_eq!(unescape("'''"), "''");
        assert_eq!(unescape("'\t"), "\t");
        assert_eq!(unescape("'\r\n"), "\r\n");
        assert_eq!(unescape("'x'=1"), "'x'=1");
    }

    proptest! {
        #[test]
        fn escape_round_trips_and_never_starts_a_formula(
            cell in prop::collection::vec(
                prop_oneof![
                    3 => any::<char>(),
                    2 => prop::sample::select(TRIGGERS.to_vec()),
                ],
                0..8,
            ).prop_map(String::from_iter)
        ) {
            let e = escape(&cell);
            prop_assert_eq!(unescape(&e), cell.as_str());
            prop_assert!(!e.starts_with(['=', '+', '-', '@', '\t', '\r']));
            prop_assert_eq!(e.len(), cell.len() + usize::from(needs_escape(&cell)));
        }
    }
}
