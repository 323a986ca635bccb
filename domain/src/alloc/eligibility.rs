//! Counting a household's eligible units for a category's eligibility [`Indicator`], with
//! exactly the semantics of [`Indicator::count`] (tested against it), but without a fact
//! plan: allocation may name any number of categories, while a needs matrix is limited to a
//! few (see [`crate::needs::MAX_CATEGORIES`]).

use crate::model::{Household, Tenure};
use crate::needs::Indicator;

/// `u8::from(b)` as a count.
fn one(b: bool) -> u32 {
    u32::from(b)
}

/// The count of `ind` for `h` with ages counted in `year` (see [`Indicator`]).
pub(crate) fn count(ind: &Indicator, h: &Household, year: i64) -> u32 {
    let aged = |t: u8| {
        h.members
            .iter()
            .filter(|m| year - i64::from(m.birth_year) >= i64::from(t))
            .count() as u32
    };
    let members = h.members.len() as u32;
    match ind {
        Indicator::MembersAged { min_age } => aged(*min_age),
        Indicator::ChildrenUnder { age } => members - aged(*age),
        Indicator::ElderlyOnly { min_age } => one(members > 0 && aged(*min_age) >= members),
        Indicator::LivesAlone => one(h.lives_alone),
        Indicator::ElderLivingAlone { min_age } => one(h.lives_alone && aged(*min_age) > 0),
        Indicator::HouseholdSize { min_members } => one(members >= u32::from(*min_members)),
        Indicator::ChronicIllness => h.members.iter().filter(|m| m.chronic_illness).count() as u32,
        Indicator::Disability { max_grade } => h
            .members
            .iter()
            .filter(|m| m.disability_grade.is_some_and(|g| g.clamp(1, 4) <= *max_grade))
            .count() as u32,
        Indicator::Dementia => h.members.iter().filter(|m| m.dementia).count() as u32,
        Indicator::Subsistence { at_least } => one(h.subsistence.rank() >= at_least.rank()),
        Indicator::IncomeAtMost { band } => one(h.income_band.rank() <= band.rank()),
        Indicator::Unemployed => h
            .members
            .iter()
            .filter(|m| m.employment == crate::model::Employment::Unemployed)
            .count() as u32,
        Indicator::HousingAtMost { condition } => one(h.housing.rank() <= condition.rank()),
        Indicator::Tenure { tenure } => one(tenure_eq(h.tenure, *tenure)),
        Indicator::WillingnessAtMost { level } => one(h.willingness.rank() <= level.rank()),
        Indicator::Needs {
            min_urgency,
            category,
        } => h
            .needs
            .iter()
            .filter(|n| {
                n.urgency.rank() >= min_urgency.rank() && category.as_ref().is_none_or(|c| *c == n.category)
            })
            .count() as u32,
        Indicator::AloneWithCareNeed { min_age } => {
            let care = h
                .members
                .iter()
                .any(|m| m.dementia || m.disability_grade.is_some_and(|g| g.clamp(1, 4) <= 2));
            one(h.lives_alone && (care || aged(*min_age) > 0))
        }
    }
}

fn tenure_eq(a: Tenure, b: Tenure) -> bool {
    a == b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{HousingCondition, IncomeBand, Subsistence, Tenure, Urgency, Willingness};

    #[test]
    fn agrees_with_the_needs_indicators() {
        let d = crate::demo::generate(&crate::demo::DemoConfig {
            households: 600,
            ..Default::default()
        });
        let inds = vec![
            Indicator::MembersAged { min_age: 60 },
            Indicator::MembersAged { min_age: 0 },
            Indicator::ChildrenUnder { age: 6 },
            Indicator::ElderlyOnly { min_age: 65 },
            Indicator::LivesAlone,
            Indicator::ElderLivingAlone { min_age: 70 },
            Indicator::HouseholdSize { min_members: 4 },
            Indicator::ChronicIllness,
            Indicator::Disability { max_grade: 2 },
            Indicator::Disability { max_grade: 4 },
            Indicator::Dementia,
            Indicator::Subsistence {
                at_least: Subsistence::Dibian,
            },
            Indicator::IncomeAtMost {
                band: IncomeBand::LowerMiddle,
            },
            Indicator::Unemployed,
            Indicator::HousingAtMost {
                condition: HousingCondition::Fair,
            },
            Indicator::Tenure {
                tenure: Tenure::Tenant,
            },
            Indicator::WillingnessAtMost {
                level: Willingness::Low,
            },
            Indicator::Needs {
                min_urgency: Urgency::Medium,
                category: None,
            },
            Indicator::Needs {
                min_urgency: Urgency::Low,
                category: Some("childcare".into()),
            },
            Indicator::AloneWithCareNeed { min_age: 80 },
        ];
        for h in &d.households {
            for ind in &inds {
                assert_eq!(
                    count(ind, h, 2026),
                    u32::from(ind.count(h, 2026)),
                    "{ind:?} household {}",
                    h.id
                );
            }
        }
    }
}
