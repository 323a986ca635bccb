//! The cost-benefit indicator (投入产出比, SPEC §2.10: target "> 1:3"), computed from the
//! plans' final accounts.
//!
//! # Definition
//!
//! Over every plan whose **final accounts** (决算) are dated in the 365 days up to the day
//! (the day included), with *actual* meaning net spending, reversals deducted, as the
//! accounts state it:
//!
//! ```text
//! cost_benefit = Σ actual spending of all funders × 100 / Σ actual spending of the government
//! ```
//!
//! in hundredths (unit `ratio_centi`), rounded down: the yuan of work delivered for each
//! yuan of public money. 300 reads "1 : 3.00": every yuan the government put in brought
//! two more from the market, society organisations and residents (the source's 撬动,
//! leverage of public money). The default target is 300 with direction `gt`, the source's
//! "> 1:3". A plan funded by the government alone gives 100 (1 : 1).
//!
//! This is what the published data can support: plans record money by funder, exact to
//! the fen, not a money value of their outcomes. What the plans achieved for residents is
//! published beside it (each plan's evaluation and the satisfaction indicators), not
//! folded into this number.
//!
//! Not measured, with a reason code, when no plan closed its accounts in the window
//! ([`NO_FINAL_ACCOUNTS`]) or the government spent nothing on those plans
//! ([`NO_PUBLIC_MONEY`]). The value is capped at [`MAX_FEN`](crate::money::MAX_FEN)
//! (a snapshot's bound on every number).

use crate::plans::{Funder, PlanCase};

/// Why cost-benefit is not measured: no plan's final accounts in the 365 days.
pub const NO_FINAL_ACCOUNTS: &str = "no_final_accounts";
/// Why cost-benefit is not measured: the government spent nothing on those plans.
pub const NO_PUBLIC_MONEY: &str = "no_public_money";

/// Cost-benefit as of a day, with what it was computed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostBenefit {
    /// Plans whose final accounts are in the window.
    pub plans: u32,
    /// Their actual spending, all funders and the government's (fen).
    pub actual_fen: i64,
    pub government_fen: i64,
    /// The ratio × 100, or why it is not measured.
    pub ratio_centi: Result<i64, &'static str>,
}

/// Cost-benefit of the plans whose final accounts fall in the 365 days up to `today`
/// (days since 1970-01-01, the community's calendar). See the [module
/// documentation](self).
///
/// # Examples
///
/// ```
/// use linli_domain::snapshot::cost_benefit::{cost_benefit, NO_FINAL_ACCOUNTS};
/// let r = cost_benefit(&[], linli_domain::date::days_from_civil(2026, 11, 24));
/// assert_eq!(r.ratio_centi, Err(NO_FINAL_ACCOUNTS));
/// ```
pub fn cost_benefit(plans: &[PlanCase], today: i64) -> CostBenefit {
    let mut n = 0u32;
    let mut all: i128 = 0;
    let mut gov: i128 = 0;
    for p in plans {
        let Some(a) = p.accounts() else { continue };
        let day = a.on.days();
        if day <= today - 365 || day > today {
            continue;
        }
        n += 1;
        all += i128::from(a.actual);
        gov += a
            .lines
            .iter()
            .filter(|l| l.funder == Funder::Government)
            .map(|l| i128::from(l.actual))
            .sum::<i128>();
    }
    let cap = i128::from(crate::money::MAX_FEN);
    let ratio_centi = if n == 0 {
        Err(NO_FINAL_ACCOUNTS)
    } else if gov <= 0 {
        Err(NO_PUBLIC_MONEY)
    } else {
        Ok(i64::try_from((all.max(0) * 100 / gov).min(cap)).unwrap_or(i64::MAX))
    };
    let clamp = |v: i128| i64::try_from(v.clamp(-cap, cap)).unwrap_or(0);
    CostBenefit {
        plans: n,
        actual_fen: clamp(all),
        government_fen: clamp(gov),
        ratio_centi,
    }
}
