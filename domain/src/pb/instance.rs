//! A participatory-budgeting instance with approval ballots, and the pabulib `.pb` format.
//!
//! # Format (pabulib, read as pabutools 1.2.3 reads it: SEMANTICS.md §1)
//!
//! ```text
//! META
//! key;value
//! budget;1000
//! vote_type;approval
//! PROJECTS
//! project_id;cost;name
//! 1;600;"Park; phase 1"
//! 2;500;Library
//! VOTES
//! voter_id;vote;age
//! v1;1,2;34
//! v2;;51
//! ```
//!
//! * A UTF-8 byte-order mark is dropped; lines end in `\n`, `\r\n` or `\r`.
//! * Cells are separated by `;`, may be quoted with `"` (`""` is a quote inside quotes) and
//!   may then contain `;`. Every cell is trimmed after unquoting, as pabutools does.
//! * Rows that are empty or hold only whitespace are skipped. A row whose first cell is
//!   `META`, `PROJECTS` or `VOTES` (any case) starts that section; the next row is its header.
//! * META: `key;value`, every key kept, in file order. `budget` is required and must be a
//!   positive number. `vote_type` must be `approval` or `choose-1` if present (missing means
//!   approval).
//! * PROJECTS: the **first column** is the project id, whatever its name; the `cost` column is
//!   required; costs are exact rationals (`75000.0` = 75000, `,` accepted as decimal mark,
//!   see [`parse_rational`]). All other columns are kept verbatim.
//! * VOTES: the first column is the voter id; the `vote` cell is trimmed and split on `,`;
//!   empty pieces are dropped; pieces are **not** trimmed one by one (`"9, 10"` is an error,
//!   as in pabutools). A project listed twice in one ballot counts once.
//! * **Empty ballots** (empty `vote` cell) are kept: such a voter approves nothing but still
//!   counts in the number of voters n, which sets MES's per-voter share B/n (SEMANTICS.md §1,
//!   §6), exactly as in pabutools.
//!
//! Stricter than pabutools (which would raise a Python exception or silently drop data):
//! duplicate project or voter ids, duplicate META keys or header columns, rows with more cells
//! than their header, a META row with more than two cells, unterminated quotes or text after a
//! closing quote, and non-numeric, negative or missing costs are all [`ParseError`]s. A quote
//! inside an unquoted cell is kept literally, as Python's `csv` module does. Quoted cells cannot
//! span lines. Sections may come in any order. The parser never panics.
//!
//! Hardened for untrusted files (issue #15): a cost or budget above [`MAX_AMOUNT`] (10¹⁵),
//! or whose denominator (the costs' common one) is above [`MAX_DENOMINATOR`] (10⁶), is
//! [`ParseError::AmountOutOfRange`], so the rules' arithmetic stays on its fast path; a file
//! of 4 GiB or more is [`ParseError::TooLarge`]; every error quotes at most [`QUOTE_CHARS`]
//! characters of a value. Memory stays within a few times the file: cells are borrowed
//! from the text, voters are stored column by column ([`Voters`]), ballots are resolved as
//! they are read, and duplicate ids are found through hashes of the ids already stored
//! (a 50 MB file with 1.7 million ballots: 955 MB before, 193 MB now, run included).

use std::borrow::Cow;
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{Hash, Hasher};

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use serde::{Deserialize, Serialize};

use super::csv::{lines, split_record, write_record};
use super::number::{format_rational, parse_rational};
pub use super::voters::{Voter, VoterRef, Voters, VotersFull};

/// The largest cost or budget accepted: 10¹⁵ currency units.
///
/// The rules' exact arithmetic is sized for it: with at most [`MAX_DENOMINATOR`] as the
/// common denominator, every scaled cost and share stays within the 128-bit fast path of
/// MES, and an Add1 loop has at most 10¹⁵ steps to count. A file with a larger cost or
/// budget (such as 60-digit costs, which made MES run for minutes) is refused when read
/// ([`ParseError::AmountOutOfRange`]); [`Instance::validate`] refuses it too.
pub const MAX_AMOUNT: u64 = 1_000_000_000_000_000;

/// The largest common denominator of the costs, and the largest denominator of the budget:
/// 10⁶ (six decimals, or fractions such as `1/3` whose denominators have a small common
/// multiple).
pub const MAX_DENOMINATOR: u64 = 1_000_000;

/// The most characters of a value that an error message quotes; a longer value is cut
/// there and ends with `…` (a 200,000-digit cost is not repeated whole).
pub const QUOTE_CHARS: usize = 40;

/// `s`, cut to [`QUOTE_CHARS`] characters (then ending with `…`), for an error message.
fn quote(s: &str) -> String {
    match s.char_indices().nth(QUOTE_CHARS) {
        None => s.to_owned(),
        Some((i, _)) => format!("{}…", &s[..i]),
    }
}

/// Whether a cost or budget is within [`MAX_AMOUNT`] and has a denominator of at most
/// [`MAX_DENOMINATOR`].
fn amount_ok(v: &BigRational) -> bool {
    v.denom() <= &BigInt::from(MAX_DENOMINATOR)
        && v.abs() <= BigRational::from_integer(BigInt::from(MAX_AMOUNT))
}

/// The id of a project: the first cell of its row in PROJECTS, trimmed.
///
/// Ordering is Python string order (code-point order, which is byte order for UTF-8), the
/// order pabutools' default tie-breaking uses (SEMANTICS.md §3): `"10" < "9"`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProjectId(pub String);

impl ProjectId {
    /// The id as a string slice.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for ProjectId {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

impl From<String> for ProjectId {
    fn from(s: String) -> Self {
        Self(s)
    }
}

/// Serde helpers writing exact rationals as strings (`"75732773/100"`, `"8697250"`).
pub mod serde_rational {
    use num_rational::BigRational;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes as `"p/q"` (or `"p"` for an integer).
    ///
    /// # Errors
    /// Only the serializer's own errors.
    pub fn serialize<S: Serializer>(v: &BigRational, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// Reads any notation accepted by [`super::parse_rational`].
    ///
    /// # Errors
    /// A string that is not an exact number.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BigRational, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_rational(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("not an exact number: {s:?}")))
    }

    /// The same for `Option<BigRational>`.
    pub mod option {
        use num_rational::BigRational;
        use serde::{Deserialize, Deserializer, Serializer};

        /// Serializes `None` as null.
        ///
        /// # Errors
        /// Only the serializer's own errors.
        pub fn serialize<S: Serializer>(v: &Option<BigRational>, s: S) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => s.serialize_some(&v.to_string()),
                None => s.serialize_none(),
            }
        }

        /// Reads null or an exact number.
        ///
        /// # Errors
        /// A string that is not an exact number.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<BigRational>, D::Error> {
            let s = Option::<String>::deserialize(d)?;
            s.map(|s| {
                super::super::parse_rational(&s)
                    .ok_or_else(|| serde::de::Error::custom(format!("not an exact number: {s:?}")))
            })
            .transpose()
        }
    }
}

/// One project (a row of PROJECTS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Project {
    /// Its id (first column).
    pub id: ProjectId,
    /// Its exact cost (column `cost`), never negative.
    #[serde(with = "serde_rational")]
    pub cost: BigRational,
    /// The other cells of the row, in header order, skipping the id column and `cost`
    /// (so `extra[i]` belongs to the i-th name of [`Instance::project_extra_columns`]).
    pub extra: Vec<String>,
}

/// A participatory-budgeting instance with approval ballots (a parsed `.pb` file).
///
/// Build one with [`Instance::from_pb_str`] or [`Instance::new`] and
/// [`Instance::add_project`] / [`Instance::add_voter`]; write it with
/// [`Instance::to_pb_string`]. Exporting and re-parsing gives an equal instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// All META rows, in file order, values as written (trimmed). Includes `budget`.
    pub meta: Vec<(String, String)>,
    /// The budget limit B (exact), read from META `budget`. The exporter writes this value.
    #[serde(with = "serde_rational")]
    pub budget: BigRational,
    /// The PROJECTS header: `[id column, ..., "cost", ...]`, as in the file.
    pub project_columns: Vec<String>,
    /// Projects in file order.
    pub projects: Vec<Project>,
    /// The VOTES header: `[voter id column, ..., "vote", ...]`, as in the file.
    pub voter_columns: Vec<String>,
    /// Voters in file order, empty ballots included (stored column by column, see
    /// [`Voters`]).
    pub voters: Voters,
}

/// A `.pb` file could not be read. Every variant that concerns one row carries its 1-based
/// line number ([`ParseError::line`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Malformed quoting in a row.
    #[error("line {line}: bad quoting: {reason}")]
    BadQuoting {
        /// Line number.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A non-empty row before the first section marker.
    #[error("line {line}: row outside of any section (expected META, PROJECTS or VOTES first)")]
    RowOutsideSection {
        /// Line number.
        line: usize,
    },
    /// A section marker appears twice.
    #[error("line {line}: section {section} appears a second time")]
    DuplicateSection {
        /// Line number.
        line: usize,
        /// `META`, `PROJECTS` or `VOTES`.
        section: &'static str,
    },
    /// A section is missing altogether.
    #[error("missing section {section}")]
    MissingSection {
        /// `META`, `PROJECTS` or `VOTES`.
        section: &'static str,
    },
    /// A section marker is not followed by a header row.
    #[error("line {line}: section {section} has no header row")]
    MissingHeader {
        /// Line of the section marker.
        line: usize,
        /// The section.
        section: &'static str,
    },
    /// A header lacks a required column (`cost` in PROJECTS, `vote` in VOTES), or has it first
    /// (the first column is always the id).
    #[error("line {line}: the {section} header needs a column named {column:?} after the id column")]
    MissingColumn {
        /// Line of the header.
        line: usize,
        /// The section.
        section: &'static str,
        /// The missing column.
        column: &'static str,
    },
    /// The same column name twice in a header.
    #[error("line {line}: column {column:?} appears twice in the header")]
    DuplicateColumn {
        /// Line of the header.
        line: usize,
        /// The repeated name.
        column: String,
    },
    /// A row has more cells than its header (or a META row more than two).
    #[error("line {line}: row has {found} cells but the header has {expected}")]
    TooManyCells {
        /// Line number.
        line: usize,
        /// Cells in the row.
        found: usize,
        /// Cells in the header.
        expected: usize,
    },
    /// A META row without a key or without a value cell.
    #[error("line {line}: a META row needs a non-empty key and a value")]
    BadMetaRow {
        /// Line number.
        line: usize,
    },
    /// The same META key twice.
    #[error("line {line}: META key {key:?} appears twice")]
    DuplicateMetaKey {
        /// Line number of the second one.
        line: usize,
        /// The key.
        key: String,
    },
    /// META has no `budget`.
    #[error("META has no budget")]
    MissingBudget,
    /// The budget is not a number, or is zero or negative.
    #[error("line {line}: budget {value:?} is not a positive number")]
    InvalidBudget {
        /// Line number.
        line: usize,
        /// The cell.
        value: String,
    },
    /// META `vote_type` is not `approval` or `choose-1`.
    #[error("line {line}: vote_type {vote_type:?} is not supported (only approval and choose-1)")]
    UnsupportedVoteType {
        /// Line number.
        line: usize,
        /// The value.
        vote_type: String,
    },
    /// A project row with an empty id.
    #[error("line {line}: empty project id")]
    EmptyProjectId {
        /// Line number.
        line: usize,
    },
    /// Two projects with the same id.
    #[error("line {line}: duplicate project id {id:?} (first on line {first_line})")]
    DuplicateProjectId {
        /// Line of the second one.
        line: usize,
        /// The id.
        id: String,
        /// Line of the first one.
        first_line: usize,
    },
    /// A cost that is missing, not a number, or negative.
    #[error("line {line}: invalid cost {value:?} for project {id:?} (must be a number >= 0)")]
    InvalidCost {
        /// Line number.
        line: usize,
        /// The project.
        id: String,
        /// The cell.
        value: String,
    },
    /// A voter row with an empty id.
    #[error("line {line}: empty voter id")]
    EmptyVoterId {
        /// Line number.
        line: usize,
    },
    /// Two voters with the same id.
    #[error("line {line}: duplicate voter id {id:?} (first on line {first_line})")]
    DuplicateVoterId {
        /// Line of the second one.
        line: usize,
        /// The id.
        id: String,
        /// Line of the first one.
        first_line: usize,
    },
    /// A voter row without a `vote` cell (or with `None` there, which pabutools rejects too).
    #[error("line {line}: voter {voter:?} has no vote cell")]
    MissingVote {
        /// Line number.
        line: usize,
        /// The voter.
        voter: String,
    },
    /// A project or voter id the format cannot carry (e.g. a project id with a comma,
    /// which ballots use to separate ids).
    #[error("line {line}: {kind} id {id:?} is not usable: {reason}")]
    InvalidId {
        /// Line number.
        line: usize,
        /// `project` or `voter`.
        kind: &'static str,
        /// The id.
        id: String,
        /// Why.
        reason: &'static str,
    },
    /// The file parsed but describes an instance that cannot be written back or run.
    #[error("the instance is not consistent: {0}")]
    Inconsistent(InstanceError),
    /// A cost or the budget beyond what the rules' arithmetic is sized for: above
    /// [`MAX_AMOUNT`], or a denominator (the costs' common one) above [`MAX_DENOMINATOR`].
    #[error(
        "line {line}: {what} {value:?} is out of range: costs and the budget must be at most \
         1000000000000000 (10^15), with at most 6 decimals (a common denominator of at most 1000000)"
    )]
    AmountOutOfRange {
        /// Line number.
        line: usize,
        /// `budget` or `cost of project "…"`.
        what: String,
        /// The cell (its first [`QUOTE_CHARS`] characters).
        value: String,
    },
    /// The file is 4 GiB or more.
    #[error("the file is too large (4 GiB or more)")]
    TooLarge,
    /// A ballot names a project that is not in PROJECTS.
    #[error("line {line}: voter {voter:?} approves unknown project {project:?}")]
    UnknownProject {
        /// Line number.
        line: usize,
        /// The voter.
        voter: String,
        /// The unknown id, exactly as written between commas.
        project: String,
    },
}

impl ParseError {
    /// The 1-based line the error concerns, if it concerns one row.
    #[must_use]
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::BadQuoting { line, .. }
            | Self::RowOutsideSection { line }
            | Self::DuplicateSection { line, .. }
            | Self::MissingHeader { line, .. }
            | Self::MissingColumn { line, .. }
            | Self::DuplicateColumn { line, .. }
            | Self::TooManyCells { line, .. }
            | Self::BadMetaRow { line }
            | Self::DuplicateMetaKey { line, .. }
            | Self::InvalidBudget { line, .. }
            | Self::UnsupportedVoteType { line, .. }
            | Self::EmptyProjectId { line }
            | Self::DuplicateProjectId { line, .. }
            | Self::InvalidCost { line, .. }
            | Self::EmptyVoterId { line }
            | Self::DuplicateVoterId { line, .. }
            | Self::MissingVote { line, .. }
            | Self::InvalidId { line, .. }
            | Self::AmountOutOfRange { line, .. }
            | Self::UnknownProject { line, .. } => Some(*line),
            Self::MissingSection { .. } | Self::MissingBudget | Self::Inconsistent(_) | Self::TooLarge => {
                None
            }
        }
    }
}

/// An [`Instance`] that cannot be written as a `.pb` file (or run), because re-reading it
/// would fail or give a different instance.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstanceError {
    /// The budget is zero or negative.
    #[error("the budget must be positive")]
    NonPositiveBudget,
    /// A project cost is negative.
    #[error("project {0:?} has a negative cost")]
    NegativeCost(String),
    /// An id that the format cannot carry (empty, surrounding whitespace, a line break, a `,`
    /// in a project id, `none`, or a section name such as `votes`).
    #[error("invalid {kind} id {id:?}: {reason}")]
    InvalidId {
        /// `project` or `voter`.
        kind: &'static str,
        /// The id.
        id: String,
        /// Why.
        reason: &'static str,
    },
    /// Two projects or two voters share an id.
    #[error("duplicate {kind} id {id:?}")]
    DuplicateId {
        /// `project` or `voter`.
        kind: &'static str,
        /// The id.
        id: String,
    },
    /// A ballot refers to a project index out of range, or twice to the same project.
    #[error("voter {voter:?}: {reason}")]
    BadBallot {
        /// The voter.
        voter: String,
        /// Why.
        reason: &'static str,
    },
    /// The headers are inconsistent with the rows, or a header or META key is invalid.
    #[error("invalid columns or META: {0}")]
    BadColumns(String),
    /// A cost or the budget above [`MAX_AMOUNT`], or a denominator above [`MAX_DENOMINATOR`].
    #[error(
        "{0} is out of range: costs and the budget must be at most 10^15, with a common \
         denominator of at most 1000000"
    )]
    AmountOutOfRange(String),
    /// The voters take more than 4 GiB.
    #[error("{0}")]
    Full(#[from] VotersFull),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Section {
    Meta,
    Projects,
    Votes,
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Self::Meta => "META",
            Self::Projects => "PROJECTS",
            Self::Votes => "VOTES",
        }
    }
}

fn section_of(cell: &str) -> Option<Section> {
    // pabutools: `row[0].strip().lower() in ["meta", "projects", "votes"]`. Python's
    // `lower()` is Unicode-aware, but no non-ASCII character lowercases to ASCII letters
    // except the Kelvin sign (K), which cannot occur in these words.
    let c = cell.trim();
    if c.eq_ignore_ascii_case("meta") {
        Some(Section::Meta)
    } else if c.eq_ignore_ascii_case("projects") {
        Some(Section::Projects)
    } else if c.eq_ignore_ascii_case("votes") {
        Some(Section::Votes)
    } else {
        None
    }
}

impl Instance {
    /// An empty instance with budget `budget`, META `budget` and `vote_type;approval`, and
    /// minimal headers (`project_id;cost`, `voter_id;vote`).
    #[must_use]
    pub fn new(budget: BigRational) -> Self {
        Self {
            meta: vec![
                ("budget".to_string(), format_rational(&budget)),
                ("vote_type".to_string(), "approval".to_string()),
            ],
            budget,
            project_columns: vec!["project_id".to_string(), "cost".to_string()],
            projects: Vec::new(),
            voter_columns: vec!["voter_id".to_string(), "vote".to_string()],
            voters: Voters::new(),
        }
    }

    /// Adds a project (extra cells left empty) and returns its index.
    ///
    /// # Errors
    /// [`InstanceError::InvalidId`], [`InstanceError::DuplicateId`] or
    /// [`InstanceError::NegativeCost`].
    pub fn add_project(&mut self, id: &str, cost: BigRational) -> Result<usize, InstanceError> {
        check_id("project", id)?;
        if self.project_index(id).is_some() {
            return Err(InstanceError::DuplicateId {
                kind: "project",
                id: id.to_string(),
            });
        }
        if cost.is_negative() {
            return Err(InstanceError::NegativeCost(id.to_string()));
        }
        let extra = vec![String::new(); self.project_columns.len().saturating_sub(2)];
        self.projects.push(Project {
            id: ProjectId(id.to_string()),
            cost,
            extra,
        });
        Ok(self.projects.len() - 1)
    }

    /// Adds a voter approving the projects with the given ids (repetitions count once; an
    /// empty list is an empty ballot) and returns its index.
    ///
    /// # Errors
    /// [`InstanceError::InvalidId`], [`InstanceError::DuplicateId`], or
    /// [`InstanceError::BadBallot`] for an unknown project id.
    pub fn add_voter(&mut self, id: &str, approved: &[&str]) -> Result<usize, InstanceError> {
        let empty = vec![""; self.voter_columns.len().saturating_sub(2)];
        self.add_voter_with_extra(id, approved, &empty)
    }

    /// [`Instance::add_voter`] with the voter's extra cells (see [`VoterRef::extra`]).
    ///
    /// # Errors
    /// As [`Instance::add_voter`], and [`InstanceError::Full`].
    pub fn add_voter_with_extra(
        &mut self,
        id: &str,
        approved: &[&str],
        extra: &[&str],
    ) -> Result<usize, InstanceError> {
        check_id("voter", id)?;
        if self.voters.iter().any(|v| v.id == id) {
            return Err(InstanceError::DuplicateId {
                kind: "voter",
                id: quote(id),
            });
        }
        let mut ballot: Vec<u32> = Vec::with_capacity(approved.len());
        for p in approved {
            let i = self
                .project_index(p)
                .and_then(|i| u32::try_from(i).ok())
                .ok_or_else(|| InstanceError::BadBallot {
                    voter: quote(id),
                    reason: "unknown project id",
                })?;
            if !ballot.contains(&i) {
                ballot.push(i);
            }
        }
        self.voters.push(id, ballot, extra.iter().copied())?;
        Ok(self.voters.len() - 1)
    }

    /// The index of the project with this id.
    #[must_use]
    pub fn project_index(&self, id: &str) -> Option<usize> {
        self.projects.iter().position(|p| p.id.0 == id)
    }

    /// The value of a META key.
    #[must_use]
    pub fn meta_value(&self, key: &str) -> Option<&str> {
        self.meta.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Sets a META key (replacing its value in place, or appending it).
    pub fn set_meta(&mut self, key: &str, value: &str) {
        match self.meta.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value.to_string(),
            None => self.meta.push((key.to_string(), value.to_string())),
        }
    }

    /// Sets META `num_projects` and `num_votes` to the actual counts (pabutools ignores them;
    /// other tools read them).
    pub fn sync_meta_counts(&mut self) {
        let (np, nv) = (self.projects.len().to_string(), self.voters.len().to_string());
        self.set_meta("num_projects", &np);
        self.set_meta("num_votes", &nv);
    }

    /// The names of the extra project columns (header minus the id column and `cost`).
    #[must_use]
    pub fn project_extra_columns(&self) -> Vec<&str> {
        extra_columns(&self.project_columns, "cost")
    }

    /// The names of the extra voter columns (header minus the id column and `vote`).
    #[must_use]
    pub fn voter_extra_columns(&self) -> Vec<&str> {
        extra_columns(&self.voter_columns, "vote")
    }

    /// Number of approvals of each project (index-aligned with [`Instance::projects`]).
    #[must_use]
    pub fn approval_counts(&self) -> Vec<u64> {
        let mut counts = vec![0u64; self.projects.len()];
        for v in self.voters.iter() {
            for &p in v.ballot {
                if let Some(c) = counts.get_mut(p as usize) {
                    *c += 1;
                }
            }
        }
        counts
    }

    /// Reads a pabulib `.pb` file (see the module documentation for the exact rules).
    ///
    /// # Errors
    /// A [`ParseError`] with the line number and the reason. Never panics.
    pub fn from_pb_str(text: &str) -> Result<Self, ParseError> {
        parse(text)
    }

    /// Writes the instance as a pabulib `.pb` file (`\n` line endings).
    ///
    /// META rows are written in order and verbatim, except `budget`, which is written from
    /// [`Instance::budget`] (the original text is kept when it denotes the same number).
    /// Costs are written exactly ([`format_rational`]). Free-text cells (META values, extra
    /// columns) are trimmed and their line breaks replaced by spaces, since the format cannot
    /// carry them; cells containing `;` or `"` are quoted.
    ///
    /// # Errors
    /// An [`InstanceError`] if [`Instance::validate`] fails.
    pub fn to_pb_string(&self) -> Result<String, InstanceError> {
        self.validate()?;
        let mut out = String::new();
        out.push_str("META\n");
        write_record(["key", "value"], &mut out);
        let budget_text = format_rational(&self.budget);
        let mut wrote_budget = false;
        for (k, v) in &self.meta {
            if k == "budget" {
                wrote_budget = true;
                let keep = parse_rational(&v.replace(',', ".")).is_some_and(|b| b == self.budget);
                let value = if keep { clean_text(v) } else { budget_text.clone() };
                write_record([k.as_str(), value.as_str()], &mut out);
            } else {
                write_record([k.as_str(), clean_text(v).as_str()], &mut out);
            }
        }
        if !wrote_budget {
            write_record(["budget", budget_text.as_str()], &mut out);
        }
        out.push_str("PROJECTS\n");
        write_record(self.project_columns.iter().map(String::as_str), &mut out);
        let cost_col = column_index(&self.project_columns, "cost").unwrap_or(1);
        for p in &self.projects {
            let cost = format_rational(&p.cost);
            let extras: Vec<String> = p.extra.iter().map(|e| clean_text(e)).collect();
            let row = assemble_row(p.id.as_str(), cost_col, &cost, &extras);
            write_record(row.iter().map(String::as_str), &mut out);
        }
        out.push_str("VOTES\n");
        write_record(self.voter_columns.iter().map(String::as_str), &mut out);
        let vote_col = column_index(&self.voter_columns, "vote").unwrap_or(1);
        for v in self.voters.iter() {
            let vote: Vec<&str> = v
                .ballot
                .iter()
                .map(|&i| self.projects[i as usize].id.as_str())
                .collect();
            let vote = vote.join(",");
            let extras: Vec<String> = v.extra().map(clean_text).collect();
            let row = assemble_row(v.id, vote_col, &vote, &extras);
            write_record(row.iter().map(String::as_str), &mut out);
        }
        Ok(out)
    }

    /// Checks that the instance can be exported and re-read identically, and run.
    ///
    /// # Errors
    /// The first problem found, as an [`InstanceError`].
    pub fn validate(&self) -> Result<(), InstanceError> {
        if !self.budget.is_positive() {
            return Err(InstanceError::NonPositiveBudget);
        }
        if !amount_ok(&self.budget) {
            return Err(InstanceError::AmountOutOfRange("the budget".into()));
        }
        let mut keys = HashSet::new();
        for (k, _) in &self.meta {
            if k.is_empty() || k.trim() != k || k.contains(['\n', '\r']) || section_of(k).is_some() {
                return Err(InstanceError::BadColumns(format!(
                    "invalid META key {:?}",
                    quote(k)
                )));
            }
            if !keys.insert(k.as_str()) {
                return Err(InstanceError::BadColumns(format!(
                    "META key {:?} twice",
                    quote(k)
                )));
            }
        }
        check_header(&self.project_columns, "cost")?;
        check_header(&self.voter_columns, "vote")?;
        let mut ids = HashSet::new();
        let mut common = CommonDenominator::default();
        for p in &self.projects {
            check_id("project", &p.id.0)?;
            if !ids.insert(p.id.0.as_str()) {
                return Err(InstanceError::DuplicateId {
                    kind: "project",
                    id: quote(&p.id.0),
                });
            }
            if p.cost.is_negative() {
                return Err(InstanceError::NegativeCost(quote(&p.id.0)));
            }
            if !amount_ok(&p.cost) || !common.add(&p.cost) {
                return Err(InstanceError::AmountOutOfRange(format!(
                    "the cost of project {:?}",
                    quote(&p.id.0)
                )));
            }
            if p.extra.len() + 2 != self.project_columns.len() {
                return Err(InstanceError::BadColumns(format!(
                    "project {:?} has the wrong number of cells",
                    quote(&p.id.0)
                )));
            }
        }
        let mut vids = IdIndex::default();
        let mut seen = vec![usize::MAX; self.projects.len()];
        for (vi, v) in self.voters.iter().enumerate() {
            check_id("voter", v.id)?;
            if vids.find(v.id, |i| self.voters.id(i)).is_some() {
                return Err(InstanceError::DuplicateId {
                    kind: "voter",
                    id: quote(v.id),
                });
            }
            vids.insert(v.id, vi);
            if v.extra_len() + 2 != self.voter_columns.len() {
                return Err(InstanceError::BadColumns(format!(
                    "voter {:?} has the wrong number of cells",
                    quote(v.id)
                )));
            }
            for &p in v.ballot {
                match seen.get_mut(p as usize) {
                    None => {
                        return Err(InstanceError::BadBallot {
                            voter: quote(v.id),
                            reason: "project index out of range",
                        })
                    }
                    Some(s) if *s == vi => {
                        return Err(InstanceError::BadBallot {
                            voter: quote(v.id),
                            reason: "project approved twice",
                        })
                    }
                    Some(s) => *s = vi,
                }
            }
        }
        Ok(())
    }
}

/// The common denominator of costs, kept while it stays within [`MAX_DENOMINATOR`].
#[derive(Default)]
struct CommonDenominator(Option<BigInt>);

impl CommonDenominator {
    /// Takes `v`'s denominator in; `false` once the common one passes the maximum.
    fn add(&mut self, v: &BigRational) -> bool {
        let d = match &self.0 {
            None => v.denom().clone(),
            Some(d) => d.lcm(v.denom()),
        };
        let ok = d <= BigInt::from(MAX_DENOMINATOR);
        self.0 = Some(d);
        ok
    }
}

/// Finds ids among many without copying them: a hash of each id to the last index with
/// that hash, and for each index the previous one with the same hash.
#[derive(Default)]
struct IdIndex {
    head: HashMap<u32, u32>,
    prev: Vec<u32>,
}

impl IdIndex {
    const NONE: u32 = u32::MAX;

    /// 32 bits of the id's hash (collisions only lengthen a chain).
    fn hash(id: &str) -> u32 {
        let mut h = DefaultHasher::new();
        id.hash(&mut h);
        h.finish() as u32
    }

    /// The index of `id`, given how to read the id at an index.
    fn find<'s>(&self, id: &str, get: impl Fn(usize) -> &'s str) -> Option<usize> {
        let mut i = *self.head.get(&Self::hash(id))?;
        while i != Self::NONE {
            if get(i as usize) == id {
                return Some(i as usize);
            }
            i = self.prev[i as usize];
        }
        None
    }

    /// Records that index `i` (the next one, in order) holds `id`.
    fn insert(&mut self, id: &str, i: usize) {
        debug_assert_eq!(i, self.prev.len());
        let i = u32::try_from(i).unwrap_or(Self::NONE);
        let prev = self.head.insert(Self::hash(id), i).unwrap_or(Self::NONE);
        self.prev.push(prev);
    }
}

fn extra_columns<'a>(cols: &'a [String], special: &str) -> Vec<&'a str> {
    cols.iter()
        .skip(1)
        .filter(|c| c.as_str() != special)
        .map(String::as_str)
        .collect()
}

fn column_index(cols: &[String], name: &str) -> Option<usize> {
    cols.iter().skip(1).position(|c| c == name).map(|i| i + 1)
}

fn assemble_row(id: &str, special_col: usize, special: &str, extras: &[String]) -> Vec<String> {
    let mut row = Vec::with_capacity(extras.len() + 2);
    row.push(id.to_string());
    let mut it = extras.iter();
    let total = extras.len() + 2;
    for col in 1..total {
        if col == special_col {
            row.push(special.to_string());
        } else {
            row.push(it.next().cloned().unwrap_or_default());
        }
    }
    row
}

fn clean_text(s: &str) -> String {
    let s = if s.contains(['\n', '\r']) {
        s.replace(['\n', '\r'], " ")
    } else {
        s.to_string()
    };
    s.trim().to_string()
}

fn check_id(kind: &'static str, id: &str) -> Result<(), InstanceError> {
    let bad = |reason| {
        Err(InstanceError::InvalidId {
            kind,
            id: quote(id),
            reason,
        })
    };
    if id.is_empty() {
        return bad("empty");
    }
    if id.trim() != id {
        return bad("surrounding whitespace");
    }
    if id.contains(['\n', '\r']) {
        return bad("line break");
    }
    if kind == "project" && id.contains(',') {
        return bad("a comma (ballots separate ids by commas)");
    }
    if kind == "project" && id.eq_ignore_ascii_case("none") {
        return bad("`none` means an empty cell in pabulib");
    }
    if section_of(id).is_some() {
        return bad("a section name");
    }
    Ok(())
}

fn check_header(cols: &[String], special: &'static str) -> Result<(), InstanceError> {
    if cols.len() < 2
        || column_index(cols, special).is_none()
        || cols.iter().filter(|c| c.as_str() == special).count() != 1
    {
        return Err(InstanceError::BadColumns(format!(
            "header {} needs exactly one {special:?} column after the id",
            quote(&format!("{cols:?}"))
        )));
    }
    let mut seen = HashSet::new();
    for (i, c) in cols.iter().enumerate() {
        if c.trim() != c || c.contains(['\n', '\r']) || (i == 0 && section_of(c).is_some()) {
            return Err(InstanceError::BadColumns(format!(
                "invalid column name {:?}",
                quote(c)
            )));
        }
        if !seen.insert(c.as_str()) {
            return Err(InstanceError::BadColumns(format!("column {:?} twice", quote(c))));
        }
    }
    Ok(())
}

fn parse_header(
    cells: &[Cow<'_, str>],
    line: usize,
    section: Section,
    special: &'static str,
) -> Result<(Vec<String>, usize), ParseError> {
    let header: Vec<String> = cells.iter().map(|c| c.trim().to_string()).collect();
    let mut seen = HashSet::new();
    for c in &header {
        if !seen.insert(c.as_str()) {
            return Err(ParseError::DuplicateColumn {
                line,
                column: quote(c),
            });
        }
    }
    let col = column_index(&header, special).ok_or(ParseError::MissingColumn {
        line,
        section: section.name(),
        column: special,
    })?;
    Ok((header, col))
}

/// The cells of a row other than the id and `special`, trimmed, as many as the header has.
fn extras_of<'c>(
    cells: &'c [Cow<'_, str>],
    len: usize,
    special: usize,
) -> impl Iterator<Item = &'c str> + 'c {
    (1..len)
        .filter(move |&i| i != special)
        .map(move |i| cells.get(i).map_or("", |c| c.trim()))
}

/// How the `vote` cells become ballots: at once when PROJECTS came first (the usual
/// order), else kept as text until the end of the file.
enum Ballots {
    Resolve(HashMap<String, u32>),
    Later { text: String, ends: Vec<u32> },
}

/// Splits a `vote` cell into project indices (SEMANTICS.md §1: split on `,`, empty pieces
/// dropped, pieces not trimmed, repetitions counted once). `stamp[p]` is the last voter
/// (+1) that approved p. `Err(piece)` for an unknown id.
fn resolve<'v>(
    vote: &'v str,
    index: &HashMap<String, u32>,
    stamp: &mut [u32],
    voter: u32,
    out: &mut Vec<u32>,
) -> Result<(), &'v str> {
    out.clear();
    for piece in vote.split(',') {
        if piece.is_empty() {
            continue;
        }
        let &p = index.get(piece).ok_or(piece)?;
        if stamp[p as usize] != voter + 1 {
            stamp[p as usize] = voter + 1;
            out.push(p);
        }
    }
    Ok(())
}

/// Reads a `.pb` file, keeping memory within a few times its size: cells are borrowed from
/// the text (copied only when unquoting), voters go straight into the columns of
/// [`Voters`], ballots are resolved as they are read, and duplicate voter ids are found
/// through hashes of the ids already stored (no second copy of them).
#[allow(clippy::too_many_lines)]
fn parse(text: &str) -> Result<Instance, ParseError> {
    if u32::try_from(text.len()).is_err() {
        return Err(ParseError::TooLarge);
    }
    let mut meta: Vec<(String, String)> = Vec::new();
    let mut meta_line: HashMap<String, usize> = HashMap::new();
    let mut section: Option<Section> = None;
    let mut awaiting_header: Option<usize> = None;
    let mut seen_sections: Vec<(Section, usize)> = Vec::new();
    let mut project_header: Option<(Vec<String>, usize)> = None;
    let mut voter_header: Option<(Vec<String>, usize)> = None;
    let mut projects: Vec<Project> = Vec::new();
    let mut project_line: HashMap<String, usize> = HashMap::new();
    let mut common = CommonDenominator::default();
    let mut voters = Voters::new();
    // Line of each voter (for duplicate ids and unknown projects), and its id's hash.
    let mut voter_lines: Vec<u32> = Vec::new();
    let mut voter_ids = IdIndex::default();
    let mut ballots: Option<Ballots> = None;
    let mut stamp: Vec<u32> = Vec::new();
    let mut ballot: Vec<u32> = Vec::new();
    // Reported after every structural error, as when ballots were resolved at the end.
    let mut unknown: Option<ParseError> = None;

    for (line, text_line) in lines(text) {
        let cells = split_record(text_line).map_err(|e| ParseError::BadQuoting {
            line,
            reason: e.reason(),
        })?;
        if cells.len() == 1 && cells[0].trim().is_empty() {
            continue;
        }
        if let Some(s) = section_of(&cells[0]) {
            if seen_sections.iter().any(|(x, _)| *x == s) {
                return Err(ParseError::DuplicateSection {
                    line,
                    section: s.name(),
                });
            }
            if let (Some(prev), Some(marker)) = (section, awaiting_header) {
                return Err(ParseError::MissingHeader {
                    line: marker,
                    section: prev.name(),
                });
            }
            seen_sections.push((s, line));
            section = Some(s);
            awaiting_header = Some(line);
            continue;
        }
        let Some(sec) = section else {
            return Err(ParseError::RowOutsideSection { line });
        };
        if awaiting_header.take().is_some() {
            match sec {
                Section::Meta => {}
                Section::Projects => project_header = Some(parse_header(&cells, line, sec, "cost")?),
                Section::Votes => {
                    voter_header = Some(parse_header(&cells, line, sec, "vote")?);
                    // Sections come one after the other: if PROJECTS was seen, it is complete.
                    ballots = Some(if seen_sections.iter().any(|(x, _)| *x == Section::Projects) {
                        stamp = vec![0; projects.len()];
                        Ballots::Resolve(project_index(&projects))
                    } else {
                        Ballots::Later {
                            text: String::new(),
                            ends: Vec::new(),
                        }
                    });
                }
            }
            continue;
        }
        match sec {
            Section::Meta => {
                if cells.len() > 2 {
                    return Err(ParseError::TooManyCells {
                        line,
                        found: cells.len(),
                        expected: 2,
                    });
                }
                let key = cells[0].trim();
                if key.is_empty() || cells.len() < 2 {
                    return Err(ParseError::BadMetaRow { line });
                }
                if meta_line.contains_key(key) {
                    return Err(ParseError::DuplicateMetaKey {
                        line,
                        key: quote(key),
                    });
                }
                meta_line.insert(key.to_string(), line);
                meta.push((key.to_string(), cells[1].trim().to_string()));
            }
            Section::Projects => {
                let Some((header, cost_col)) = &project_header else {
                    return Err(ParseError::RowOutsideSection { line });
                };
                if cells.len() > header.len() {
                    return Err(ParseError::TooManyCells {
                        line,
                        found: cells.len(),
                        expected: header.len(),
                    });
                }
                let id = cells[0].trim().to_string();
                if id.is_empty() {
                    return Err(ParseError::EmptyProjectId { line });
                }
                if let Some(&first_line) = project_line.get(&id) {
                    return Err(ParseError::DuplicateProjectId {
                        line,
                        id: quote(&id),
                        first_line,
                    });
                }
                id_usable("project", &id, line)?;
                let cost_cell = cells.get(*cost_col).map_or("", |c| c.trim());
                let cost = parse_rational(&cost_cell.replace(',', "."))
                    .filter(|c| !c.is_negative())
                    .ok_or_else(|| ParseError::InvalidCost {
                        line,
                        id: quote(&id),
                        value: quote(cost_cell),
                    })?;
                if !amount_ok(&cost) || !common.add(&cost) {
                    return Err(ParseError::AmountOutOfRange {
                        line,
                        what: format!("cost of project {:?}", quote(&id)),
                        value: quote(cost_cell),
                    });
                }
                let extra = extras_of(&cells, header.len(), *cost_col)
                    .map(str::to_owned)
                    .collect();
                project_line.insert(id.clone(), line);
                projects.push(Project {
                    id: ProjectId(id),
                    cost,
                    extra,
                });
            }
            Section::Votes => {
                let Some((header, vote_col)) = &voter_header else {
                    return Err(ParseError::RowOutsideSection { line });
                };
                if cells.len() > header.len() {
                    return Err(ParseError::TooManyCells {
                        line,
                        found: cells.len(),
                        expected: header.len(),
                    });
                }
                let id = cells[0].trim();
                if id.is_empty() {
                    return Err(ParseError::EmptyVoterId { line });
                }
                if let Some(first) = voter_ids.find(id, |i| voters.id(i)) {
                    return Err(ParseError::DuplicateVoterId {
                        line,
                        id: quote(id),
                        first_line: voter_lines[first] as usize,
                    });
                }
                id_usable("voter", id, line)?;
                let vote = match cells.get(*vote_col) {
                    Some(v) if !v.trim().eq_ignore_ascii_case("none") => v.trim(),
                    _ => {
                        return Err(ParseError::MissingVote {
                            line,
                            voter: quote(id),
                        })
                    }
                };
                let vi = voters.len();
                let voter = u32::try_from(vi).map_err(|_| ParseError::TooLarge)?;
                ballot.clear();
                match &mut ballots {
                    Some(Ballots::Resolve(index)) => {
                        if let Err(piece) = resolve(vote, index, &mut stamp, voter, &mut ballot) {
                            if unknown.is_none() {
                                unknown = Some(ParseError::UnknownProject {
                                    line,
                                    voter: quote(id),
                                    project: quote(piece),
                                });
                            }
                        }
                    }
                    Some(Ballots::Later { text, ends }) => {
                        text.push_str(vote);
                        ends.push(u32::try_from(text.len()).map_err(|_| ParseError::TooLarge)?);
                    }
                    None => return Err(ParseError::RowOutsideSection { line }),
                }
                voters
                    .push(
                        id,
                        ballot.iter().copied(),
                        extras_of(&cells, header.len(), *vote_col),
                    )
                    .map_err(|_| ParseError::TooLarge)?;
                voter_ids.insert(id, vi);
                voter_lines.push(u32::try_from(line).map_err(|_| ParseError::TooLarge)?);
            }
        }
    }
    if let (Some(s), Some(marker)) = (section, awaiting_header) {
        return Err(ParseError::MissingHeader {
            line: marker,
            section: s.name(),
        });
    }
    for s in [Section::Meta, Section::Projects, Section::Votes] {
        if !seen_sections.iter().any(|(x, _)| *x == s) {
            return Err(ParseError::MissingSection { section: s.name() });
        }
    }
    // Budget (SEMANTICS.md §1: mpq(meta["budget"].replace(",", "."))).
    let budget_value = meta.iter().find(|(k, _)| k == "budget").map(|(_, v)| v.clone());
    let Some(budget_text) = budget_value else {
        return Err(ParseError::MissingBudget);
    };
    let budget_line = meta_line.get("budget").copied().unwrap_or(0);
    let budget = parse_rational(&budget_text.replace(',', "."))
        .filter(|b| b > &BigRational::zero())
        .ok_or_else(|| ParseError::InvalidBudget {
            line: budget_line,
            value: quote(&budget_text),
        })?;
    if !amount_ok(&budget) {
        return Err(ParseError::AmountOutOfRange {
            line: budget_line,
            what: "budget".into(),
            value: quote(&budget_text),
        });
    }
    if let Some((_, vt)) = meta.iter().find(|(k, _)| k == "vote_type") {
        if vt != "approval" && vt != "choose-1" {
            let line = meta_line.get("vote_type").copied().unwrap_or(0);
            return Err(ParseError::UnsupportedVoteType {
                line,
                vote_type: quote(vt),
            });
        }
    }
    if let Some(e) = unknown {
        return Err(e);
    }
    drop(voter_ids);
    // VOTES came before PROJECTS: resolve the ballots now, in voter order.
    if let Some(Ballots::Later { text: votes, ends }) = ballots {
        let index = project_index(&projects);
        stamp = vec![0; projects.len()];
        let mut with_ballots = Voters::new();
        let mut start = 0usize;
        for (vi, (v, &end)) in voters.iter().zip(&ends).enumerate() {
            let vote = &votes[start..end as usize];
            start = end as usize;
            let voter = u32::try_from(vi).map_err(|_| ParseError::TooLarge)?;
            if let Err(piece) = resolve(vote, &index, &mut stamp, voter, &mut ballot) {
                return Err(ParseError::UnknownProject {
                    line: voter_lines[vi] as usize,
                    voter: quote(v.id),
                    project: quote(piece),
                });
            }
            with_ballots
                .push(v.id, ballot.iter().copied(), v.extra())
                .map_err(|_| ParseError::TooLarge)?;
        }
        voters = with_ballots;
    }
    drop(voter_lines);
    voters.shrink_to_fit();
    let (project_columns, _) = project_header.unwrap_or_default();
    let (voter_columns, _) = voter_header.unwrap_or_default();
    let inst = Instance {
        meta,
        budget,
        project_columns,
        projects,
        voter_columns,
        voters,
    };
    // Whatever parses can be written back and run (found by fuzzing: ids the rows
    // allow but the format cannot carry).
    inst.validate().map_err(ParseError::Inconsistent)?;
    Ok(inst)
}

/// Project ids to indices.
fn project_index(projects: &[Project]) -> HashMap<String, u32> {
    projects
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.0.clone(), u32::try_from(i).unwrap_or(u32::MAX)))
        .collect()
}

fn id_usable(kind: &'static str, id: &str, line: usize) -> Result<(), ParseError> {
    match check_id(kind, id) {
        Err(InstanceError::InvalidId { reason, .. }) => Err(ParseError::InvalidId {
            line,
            kind,
            id: quote(id),
            reason,
        }),
        _ => Ok(()),
    }
}

/// Convenience: an exact rational from an integer.
#[must_use]
pub fn int(v: i64) -> BigRational {
    BigRational::from_integer(BigInt::from(v))
}
