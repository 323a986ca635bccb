//! Cost sharing (多方协同分配, SPEC §2.4): who pays for each category's money.
//!
//! Each category's money (base + flexible) is split among the funders of its need class's
//! rule, and the emergency reserve by the reserve rule, each by largest remainder over the
//! rule's basis points (ties: larger share, then the funder listed first). So every row is
//! exact to the fen and `Σ by_funder = Σ by_class = Σ by_category + reserve = the money
//! total`.

use crate::order::SortDyn;
use serde::{Deserialize, Serialize};

use crate::model::NeedClass;

use super::apportion::largest_remainder;
use super::config::{AllocConfig, FunderShare};
use super::pools::KindResult;
use super::AllocError;

/// One funder's contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunderAmount {
    pub funder: String,
    pub amount_fen: i64,
}

/// Who pays for one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryCost {
    pub code: String,
    pub class: NeedClass,
    pub total_fen: i64,
    /// In the order of the class's rule.
    pub funders: Vec<FunderAmount>,
}

/// Who pays for one need class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCost {
    pub class: NeedClass,
    pub total_fen: i64,
    pub funders: Vec<FunderAmount>,
}

/// The cost sharing of a period's money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostSharing {
    /// The money total, reserve included.
    pub total_fen: i64,
    /// Per funder: government, market, society, residents first, then others by code.
    pub by_funder: Vec<FunderAmount>,
    /// Per need class (basic, improvement, special), classes without money left out.
    pub by_class: Vec<ClassCost>,
    /// Per category, by code.
    pub by_category: Vec<CategoryCost>,
    /// The emergency reserve by the reserve rule.
    pub reserve: Vec<FunderAmount>,
}

const FUNDER_ORDER: [&str; 4] = ["government", "market", "society", "residents"];

fn split(amount: i64, rule: &[FunderShare]) -> Result<Vec<FunderAmount>, AllocError> {
    let weights: Vec<u128> = rule.iter().map(|s| u128::from(s.bp)).collect();
    let parts = largest_remainder(amount.max(0) as u64, &weights)?;
    Ok(rule
        .iter()
        .zip(parts)
        .map(|(s, p)| FunderAmount {
            funder: s.funder.clone(),
            amount_fen: p as i64,
        })
        .collect())
}

fn add(into: &mut Vec<FunderAmount>, from: &[FunderAmount]) {
    for f in from {
        match into.iter_mut().find(|x| x.funder == f.funder) {
            Some(x) => x.amount_fen += f.amount_fen,
            None => into.push(f.clone()),
        }
    }
}

fn funder_rank(f: &str) -> (usize, &str) {
    (
        FUNDER_ORDER
            .iter()
            .position(|x| *x == f)
            .unwrap_or(FUNDER_ORDER.len()),
        f,
    )
}

/// Shares the money of `money` (a [`KindResult`] of money) by `config.cost_sharing`.
pub(crate) fn share_costs(money: &KindResult, config: &AllocConfig) -> Result<CostSharing, AllocError> {
    let rules = &config.cost_sharing;
    let mut by_category = Vec::with_capacity(money.categories.len());
    let mut by_funder: Vec<FunderAmount> = Vec::new();
    let mut by_class: Vec<ClassCost> = Vec::new();
    for c in &money.categories {
        let funders = split(c.total, rules.of(c.class))?;
        add(&mut by_funder, &funders);
        match by_class.iter_mut().find(|x| x.class == c.class) {
            Some(x) => {
                x.total_fen += c.total;
                add(&mut x.funders, &funders);
            }
            None => by_class.push(ClassCost {
                class: c.class,
                total_fen: c.total,
                funders: funders.clone(),
            }),
        }
        by_category.push(CategoryCost {
            code: c.code.clone(),
            class: c.class,
            total_fen: c.total,
            funders,
        });
    }
    let reserve = split(money.pools.reserve, &rules.reserve)?;
    add(&mut by_funder, &reserve);
    by_funder.sort_by_dyn(|a, b| funder_rank(&a.funder).cmp(&funder_rank(&b.funder)));
    let class_rank = |c: NeedClass| match c {
        NeedClass::Basic => 0,
        NeedClass::Improvement => 1,
        NeedClass::Special => 2,
    };
    by_class.sort_by_key_dyn(|c| class_rank(c.class));
    Ok(CostSharing {
        total_fen: money.total,
        by_funder,
        by_class,
        by_category,
        reserve,
    })
}
