//! The value types of a plan case: dates, stamps, funders, budgets, stages.
//!
//! [`CivilDate`] and [`Budget`] check themselves when built and when
//! deserialised, so a value of either type is always valid.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::PlanError;
use crate::date::iso_date;
use crate::model::{Fen, Millis};
use crate::money::MAX_FEN;

/// First day a [`CivilDate`] may name: 1900-01-01.
const MIN_DAYS: i64 = -25_567;
/// Last day a [`CivilDate`] may name: 9999-12-31.
const MAX_DAYS: i64 = 2_932_896;

/// A calendar date between 1900-01-01 and 9999-12-31, written `YYYY-MM-DD` in JSON.
///
/// # Examples
///
/// ```
/// use linli_domain::plans::CivilDate;
/// let d = CivilDate::parse("2026-02-28").unwrap();
/// assert_eq!(d.add_days(1).unwrap().to_string(), "2026-03-01");
/// assert!(CivilDate::parse("2026-02-30").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CivilDate(i64);

impl CivilDate {
    /// Parses `YYYY-MM-DD` (exactly ten characters, a real calendar day).
    ///
    /// # Errors
    ///
    /// [`PlanError::BadDate`] for anything else or a year outside 1900–9999.
    pub fn parse(text: &str) -> Result<Self, PlanError> {
        let bad = || PlanError::BadDate(text.chars().take(40).collect());
        let days = crate::requests::calendar::parse_date(text).map_err(|_| bad())?;
        Self::from_days(days).ok_or_else(bad)
    }

    /// The date `days` days after 1970-01-01 (`None` outside 1900–9999).
    pub fn from_days(days: i64) -> Option<Self> {
        (MIN_DAYS..=MAX_DAYS).contains(&days).then_some(Self(days))
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        self.0
    }

    /// The date `n` days later (earlier when negative); `None` outside 1900–9999.
    pub fn add_days(self, n: i64) -> Option<Self> {
        self.0.checked_add(n).and_then(Self::from_days)
    }

    /// Days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Self) -> i64 {
        later.0 - self.0
    }
}

impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&iso_date(self.0))
    }
}

impl TryFrom<String> for CivilDate {
    type Error = PlanError;
    fn try_from(s: String) -> Result<Self, PlanError> {
        Self::parse(&s)
    }
}

impl From<CivilDate> for String {
    fn from(d: CivilDate) -> String {
        d.to_string()
    }
}

/// Who does something and when it is recorded: every operation takes one and
/// writes it into the history. `at` is the device clock's instant, passed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// The guide's name (never published).
    pub actor: String,
    /// Milliseconds since the Unix epoch.
    pub at: Millis,
}

impl Stamp {
    /// A stamp for `actor` at `at`.
    pub fn new(actor: impl Into<String>, at: Millis) -> Self {
        Self {
            actor: actor.into(),
            at,
        }
    }
}

/// The four funders of cost sharing (SPEC §2.4); codes as in `model::Spending`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Funder {
    Government,
    Market,
    Society,
    Residents,
}

impl Funder {
    /// Every funder, in the order budgets list them.
    pub const ALL: [Self; 4] = [Self::Government, Self::Market, Self::Society, Self::Residents];

    /// `government`, `market`, `society`, `residents`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Government => "government",
            Self::Market => "market",
            Self::Society => "society",
            Self::Residents => "residents",
        }
    }

    /// The funder of a code (`None` for anything else).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    pub(super) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Funder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A budget split by funder, exact to the fen: every part is between 0 and
/// [`MAX_FEN`] and so is their sum, the total. Written in JSON as
/// `{"government": …, "market": …, "society": …, "residents": …}`.
///
/// # Examples
///
/// ```
/// use linli_domain::plans::{Budget, Funder};
/// let b = Budget::from_split(100_000, &[(Funder::Government, 70_000), (Funder::Residents, 30_000)]).unwrap();
/// assert_eq!(b.total(), 100_000);
/// assert_eq!(b.get(Funder::Market), 0);
/// // The parts must add up to the total, to the fen.
/// assert!(Budget::from_split(100_000, &[(Funder::Government, 99_999)]).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "BudgetRecord", into = "BudgetRecord")]
pub struct Budget([Fen; 4]);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BudgetRecord {
    government: Fen,
    market: Fen,
    society: Fen,
    residents: Fen,
}

impl Budget {
    /// A budget from its four parts.
    ///
    /// # Errors
    ///
    /// [`PlanError::NegativeAmount`], [`PlanError::AmountTooLarge`] for a part, or
    /// [`PlanError::AmountTooLarge`] for the total.
    pub fn new(government: Fen, market: Fen, society: Fen, residents: Fen) -> Result<Self, PlanError> {
        let parts = [government, market, society, residents];
        for p in parts {
            check_amount("budget part", p, 0)?;
        }
        let total = parts.iter().try_fold(0, |s: Fen, &p| s.checked_add(p));
        match total {
            Some(t) if t <= MAX_FEN => Ok(Self(parts)),
            _ => Err(PlanError::AmountTooLarge {
                what: "budget total",
                fen: total.unwrap_or(Fen::MAX),
            }),
        }
    }

    /// A budget of `total` split as listed (unlisted funders get 0).
    ///
    /// # Errors
    ///
    /// As [`Budget::new`], plus [`PlanError::DuplicateFunder`] and
    /// [`PlanError::SplitMismatch`] when the parts do not add up to `total`.
    pub fn from_split(total: Fen, parts: &[(Funder, Fen)]) -> Result<Self, PlanError> {
        check_amount("budget total", total, 0)?;
        let mut p = [0; 4];
        let mut seen = [false; 4];
        for &(f, fen) in parts {
            if std::mem::replace(&mut seen[f.index()], true) {
                return Err(PlanError::DuplicateFunder(f));
            }
            check_amount("budget part", fen, 0)?;
            p[f.index()] = fen;
        }
        let b = Self::new(p[0], p[1], p[2], p[3])?;
        if b.total() != total {
            return Err(PlanError::SplitMismatch {
                total,
                sum: b.total(),
            });
        }
        Ok(b)
    }

    /// The part of `funder`.
    pub fn get(&self, funder: Funder) -> Fen {
        self.0[funder.index()]
    }

    /// The sum of the parts (never above [`MAX_FEN`]).
    pub fn total(&self) -> Fen {
        self.0.iter().sum()
    }

    /// `(funder, part)` for every funder, in [`Funder::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Funder, Fen)> + '_ {
        Funder::ALL.into_iter().map(|f| (f, self.get(f)))
    }
}

impl TryFrom<BudgetRecord> for Budget {
    type Error = PlanError;
    fn try_from(r: BudgetRecord) -> Result<Self, PlanError> {
        Self::new(r.government, r.market, r.society, r.residents)
    }
}

impl From<Budget> for BudgetRecord {
    fn from(b: Budget) -> Self {
        let [government, market, society, residents] = b.0;
        Self {
            government,
            market,
            society,
            residents,
        }
    }
}

/// `Ok` when `min <= fen <= MAX_FEN`.
pub(super) fn check_amount(what: &'static str, fen: Fen, min: Fen) -> Result<(), PlanError> {
    if fen < 0 {
        Err(PlanError::NegativeAmount { what, fen })
    } else if fen < min {
        Err(PlanError::ZeroAmount { what })
    } else if fen > MAX_FEN {
        Err(PlanError::AmountTooLarge { what, fen })
    } else {
        Ok(())
    }
}

/// Where a plan is in its life cycle. The order of the variants is the order of
/// the life cycle ([`ChangeNotice`](Stage::ChangeNotice) is a detour of execution).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Being written; not public yet (or returned by a rejection).
    Draft,
    /// On public notice (公示): objections are recorded.
    Notice,
    /// Awaiting the residents' council (居民议事会), approval level 1.
    Council,
    /// Awaiting the professional assessment, approval level 2.
    Assessment,
    /// Awaiting the street office's review, approval level 3.
    StreetReview,
    /// Approved: spending, budget changes and progress are recorded.
    Execution,
    /// A budget increase above the configured share on public notice; spending
    /// waits until it closes.
    ChangeNotice,
    /// Final accounts drawn; awaiting the evaluation.
    Accounts,
    /// Evaluated; nothing more happens.
    Closed,
}

impl Stage {
    /// Every stage, in life-cycle order.
    pub const ALL: [Self; 9] = [
        Self::Draft,
        Self::Notice,
        Self::Council,
        Self::Assessment,
        Self::StreetReview,
        Self::Execution,
        Self::ChangeNotice,
        Self::Accounts,
        Self::Closed,
    ];

    /// The snake_case code, as in JSON.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Notice => "notice",
            Self::Council => "council",
            Self::Assessment => "assessment",
            Self::StreetReview => "street_review",
            Self::Execution => "execution",
            Self::ChangeNotice => "change_notice",
            Self::Accounts => "accounts",
            Self::Closed => "closed",
        }
    }

    /// Whether a case may go from `self` to `to` in one transition (staying put
    /// is always allowed). These are the only edges of the life cycle:
    /// draft → notice → council → assessment → street review → execution →
    /// accounts → closed; a rejection at any approval level → draft; execution ⇄
    /// change notice.
    pub fn may_become(self, to: Self) -> bool {
        use Stage::*;
        self == to
            || matches!(
                (self, to),
                (Draft, Notice)
                    | (Notice, Council)
                    | (Council, Assessment | Draft)
                    | (Assessment, StreetReview | Draft)
                    | (StreetReview, Execution | Draft)
                    | (Execution, ChangeNotice | Accounts)
                    | (ChangeNotice, Execution)
                    | (Accounts, Closed)
            )
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Draft => "a draft",
            Self::Notice => "on public notice",
            Self::Council => "awaiting the residents' council",
            Self::Assessment => "awaiting the professional assessment",
            Self::StreetReview => "awaiting the street review",
            Self::Execution => "in execution",
            Self::ChangeNotice => "on notice for a budget change",
            Self::Accounts => "in final accounts",
            Self::Closed => "closed",
        })
    }
}
