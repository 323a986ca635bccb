//! The saved workshop tallies beside the register's needs, per building and
//! category (the needs page's "工作坊计数" table).
//!
//! For each building and need category that got needs dots in the chosen sessions
//! (all saved sessions, or one), a row gives the dots and, beside them, the number
//! of the building's households in the register that declare a need of that
//! category (each household counted once per category, whatever the urgency), and
//! the sessions the dots come from. Dots on open ground form rows without a
//! building; the register has nothing beside them.

use crate::order::SortDyn;
use std::collections::{BTreeMap, BTreeSet};

use super::WorkshopNeeds;
use crate::model::{Household, Millis};

/// One building (or open ground) and category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyRow {
    /// `None`: open ground.
    pub building: Option<u32>,
    /// The need category's code.
    pub category: String,
    /// Needs dots placed in the chosen sessions.
    pub dots: u32,
    /// Households of the building declaring this need in the register (`None` for
    /// open ground).
    pub register: Option<u32>,
    /// The sessions (their `held_at`, when saved) the dots come from, oldest first.
    pub sessions: Vec<Millis>,
}

/// The rows for the sessions `only` names (`None`: every saved session), ordered by
/// building id (open ground last), then category code.
///
/// # Examples
///
/// ```
/// use linli_domain::workshop::{WorkshopNeeds, tally::beside_register};
/// let saved: WorkshopNeeds = serde_json::from_str(r#"{"sessions":[{"session":1,"held_at":5,"period":"2026-Q4","dots":3,
///   "buildings":[{"building_id":2,"needs":{"childcare":2}}],"open_space":{"sport":1},"votes":{},"participants":0,"ballot_ids":[]}]}"#).unwrap();
/// let rows = beside_register(&saved, &[], None);
/// assert_eq!(rows.len(), 2);
/// assert_eq!((rows[0].building, rows[0].dots, rows[0].register), (Some(2), 2, Some(0)));
/// assert_eq!((rows[1].building, rows[1].category.as_str()), (None, "sport"));
/// ```
pub fn beside_register(
    saved: &WorkshopNeeds,
    households: &[Household],
    only: Option<Millis>,
) -> Vec<TallyRow> {
    type Key = (Option<u32>, String);
    let mut dots: BTreeMap<Key, (u32, BTreeSet<Millis>)> = BTreeMap::new();
    for s in saved
        .sessions
        .iter()
        .filter(|s| only.is_none_or(|o| o == s.session))
    {
        let spots = s
            .buildings
            .iter()
            .map(|b| (Some(b.building_id), &b.needs))
            .chain(std::iter::once((None, &s.open_space)));
        for (building, needs) in spots {
            for (category, n) in needs {
                if *n == 0 {
                    continue;
                }
                let e = dots.entry((building, category.clone())).or_default();
                e.0 = e.0.saturating_add(*n);
                e.1.insert(s.held_at);
            }
        }
    }
    let mut register: BTreeMap<(u32, &str), u32> = BTreeMap::new();
    for h in households {
        let mut seen = BTreeSet::new();
        for n in &h.needs {
            if seen.insert(n.category.as_str()) {
                *register.entry((h.building_id, n.category.as_str())).or_insert(0) += 1;
            }
        }
    }
    let mut rows: Vec<TallyRow> = dots
        .into_iter()
        .map(|((building, category), (n, sessions))| TallyRow {
            register: building.map(|b| register.get(&(b, category.as_str())).copied().unwrap_or(0)),
            building,
            category,
            dots: n,
            sessions: sessions.into_iter().collect(),
        })
        .collect();
    // Buildings by id, open ground last.
    rows.sort_by_dyn(|a, b| {
        (a.building.is_none(), a.building, &a.category).cmp(&(b.building.is_none(), b.building, &b.category))
    });
    rows
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::workshop::{BuildingNeeds, SessionNeeds};

    fn session(id: Millis, held_at: Millis, b: &[(u32, &str, u32)], open: &[(&str, u32)]) -> SessionNeeds {
        let mut buildings: BTreeMap<u32, BTreeMap<String, u32>> = BTreeMap::new();
        for (bid, c, n) in b {
            *buildings
                .entry(*bid)
                .or_default()
                .entry((*c).to_owned())
                .or_insert(0) += n;
        }
        SessionNeeds {
            session: id,
            held_at,
            period: "2026-Q4".into(),
            dots: 0,
            buildings: buildings
                .into_iter()
                .map(|(building_id, needs)| BuildingNeeds { building_id, needs })
                .collect(),
            open_space: open.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect(),
            votes: BTreeMap::new(),
            participants: 0,
            ballot_ids: Vec::new(),
        }
    }

    fn household(id: u32, building_id: u32, needs: &[&str]) -> Household {
        let mut h = crate::demo::generate(&crate::demo::DemoConfig {
            households: 1,
            ..Default::default()
        })
        .households
        .remove(0);
        h.id = id;
        h.building_id = building_id;
        h.needs = needs
            .iter()
            .map(|c| crate::model::Need {
                category: (*c).to_owned(),
                urgency: crate::model::Urgency::Medium,
            })
            .collect();
        h
    }

    #[test]
    fn sessions_add_up_beside_the_register() {
        let saved = WorkshopNeeds {
            sessions: vec![
                session(
                    1,
                    100,
                    &[(3, "childcare", 2), (1, "elderly_care", 1)],
                    &[("sport", 4)],
                ),
                session(2, 200, &[(3, "childcare", 1), (3, "health", 5)], &[]),
            ],
        };
        let hh = [
            household(1, 3, &["childcare", "childcare"]),
            household(2, 3, &["childcare", "health"]),
            household(3, 1, &["health"]),
        ];
        let rows = beside_register(&saved, &hh, None);
        type Brief<'a> = (Option<u32>, &'a str, u32, Option<u32>, Vec<Millis>);
        let brief: Vec<Brief<'_>> = rows
            .iter()
            .map(|r| {
                (
                    r.building,
                    r.category.as_str(),
                    r.dots,
                    r.register,
                    r.sessions.clone(),
                )
            })
            .collect();
        assert_eq!(
            brief,
            vec![
                (Some(1), "elderly_care", 1, Some(0), vec![100]),
                (Some(3), "childcare", 3, Some(2), vec![100, 200]),
                (Some(3), "health", 5, Some(1), vec![200]),
                (None, "sport", 4, None, vec![100]),
            ]
        );
        let one = beside_register(&saved, &hh, Some(2));
        assert_eq!(one.len(), 2);
        assert!(one.iter().all(|r| r.sessions == vec![200]));
        assert!(beside_register(&saved, &hh, Some(9)).is_empty());
    }

    proptest! {
        /// The rows' dots add up to every dot of the chosen sessions, per category.
        #[test]
        fn rows_account_for_every_dot(cells in proptest::collection::vec((0u32..4, 0usize..3, 0u32..5, 0usize..2), 0..30)) {
            let cats = ["childcare", "health", "sport"];
            let mut sessions = vec![session(1, 10, &[], &[]), session(2, 20, &[], &[])];
            for (b, c, n, s) in &cells {
                let target = &mut sessions[*s];
                if *b == 0 {
                    *target.open_space.entry(cats[*c].to_owned()).or_insert(0) += n;
                } else {
                    match target.buildings.iter_mut().find(|x| x.building_id == *b) {
                        Some(x) => *x.needs.entry(cats[*c].to_owned()).or_insert(0) += n,
                        None => target.buildings.push(BuildingNeeds { building_id: *b, needs: [(cats[*c].to_owned(), *n)].into() }),
                    }
                }
            }
            let saved = WorkshopNeeds { sessions };
            for only in [None, Some(1), Some(2)] {
                let rows = beside_register(&saved, &[], only);
                for c in cats {
                    let want: u32 = cells.iter().filter(|(_, ci, _, s)| cats[*ci] == c && only.is_none_or(|o| o == *s as i64 + 1)).map(|(_, _, n, _)| n).sum();
                    let got: u32 = rows.iter().filter(|r| r.category == c).map(|r| r.dots).sum();
                    prop_assert_eq!(got, want);
                }
                prop_assert!(rows.iter().all(|r| r.dots > 0));
            }
        }
    }
}
