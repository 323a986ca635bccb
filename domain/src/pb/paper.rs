//! Paper ballots typed from the keyboard: the proposal numbers ticked on
//! one ballot, as the volunteer types them.

/// Why a typed paper ballot was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaperBallotError {
    /// Nothing was typed (`0` is the empty ballot).
    Empty,
    /// These typed parts are not numbers on the period's ballot, in the
    /// order typed, separated by one space.
    NotOnBallot(String),
}

/// Parses a paper ballot typed as proposal numbers: `1 3 5`, `1,3,5`, `1、3`
/// (spaces, ASCII or full-width commas and semicolons, `、`). `0` alone is an
/// empty ballot. Repeated numbers count once; the order typed is kept.
///
/// # Errors
///
/// [`PaperBallotError::Empty`] when nothing was typed,
/// [`PaperBallotError::NotOnBallot`] naming every part that is not in `on_ballot`.
///
/// # Examples
///
/// ```
/// use linli_domain::pb::paper::{parse_paper_ballot, PaperBallotError};
/// assert_eq!(parse_paper_ballot("3、1", &[1, 3]), Ok(vec![3, 1]));
/// assert_eq!(parse_paper_ballot("1 9", &[1, 3]), Err(PaperBallotError::NotOnBallot("9".into())));
/// ```
pub fn parse_paper_ballot(text: &str, on_ballot: &[u32]) -> Result<Vec<u32>, PaperBallotError> {
    let mut out = Vec::new();
    let parts: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        return Err(PaperBallotError::Empty);
    }
    if parts == ["0"] {
        return Ok(out);
    }
    let mut bad = Vec::new();
    for p in parts {
        match p.parse::<u32>() {
            Ok(n) if on_ballot.contains(&n) => {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            _ => bad.push(p.to_owned()),
        }
    }
    if bad.is_empty() {
        Ok(out)
    } else {
        Err(PaperBallotError::NotOnBallot(bad.join(" ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_ballots_parse_with_any_separator_and_refuse_unknown_numbers() {
        let on = [1, 2, 3, 5];
        assert_eq!(parse_paper_ballot("1 3  5", &on), Ok(vec![1, 3, 5]));
        assert_eq!(parse_paper_ballot("5，1、1", &on), Ok(vec![5, 1]));
        assert_eq!(parse_paper_ballot("2;3；1,5", &on), Ok(vec![2, 3, 1, 5]));
        assert_eq!(parse_paper_ballot("0", &on), Ok(vec![]));
        assert_eq!(parse_paper_ballot("  ", &on), Err(PaperBallotError::Empty));
        assert_eq!(parse_paper_ballot("", &on), Err(PaperBallotError::Empty));
        assert_eq!(
            parse_paper_ballot("1 4 x", &on),
            Err(PaperBallotError::NotOnBallot("4 x".into()))
        );
        // `0` beside other numbers is not the empty ballot.
        assert_eq!(
            parse_paper_ballot("0 1", &on),
            Err(PaperBallotError::NotOnBallot("0".into()))
        );
    }
}
