//! An import held against the register before anything is written (issue #19):
//! which rows are new households, which are the same as the household already
//! registered under their number, and which would change one — and in which
//! fields. An existing household is never overwritten unless the guide picks it
//! ([`choose`]); rows the same as the register are not written again.

use std::collections::{BTreeMap, BTreeSet};

use crate::household::changed_fields;
use crate::model::Household;

use super::ImportResult;

/// How one imported household stands against the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// No household has this number yet: it is added.
    New,
    /// A household with this number holds exactly these values: nothing to write.
    Unchanged,
    /// A household with this number differs in these fields ([`changed_fields`]
    /// codes, in their order): written only if the guide chooses to update it.
    Changes(Vec<&'static str>),
}

/// The standing of every imported household (same order as `imported`) against
/// `existing`, the households registered now.
///
/// ```
/// use linli_domain::register_csv::against::{compare, Standing};
/// use linli_domain::demo::{generate, DemoConfig};
///
/// let d = generate(&DemoConfig { households: 3, ..DemoConfig::default() });
/// let mut edited = d.households[1].clone();
/// edited.contact_phone = "13800000000".into();
/// let mut added = d.households[2].clone();
/// added.id = 9_999;
/// let s = compare(&[d.households[0].clone(), edited, added], &d.households);
/// assert_eq!(s, vec![Standing::Unchanged, Standing::Changes(vec!["contact_phone"]), Standing::New]);
/// ```
#[must_use]
pub fn compare(imported: &[Household], existing: &[Household]) -> Vec<Standing> {
    let by_id: BTreeMap<u32, &Household> = existing.iter().map(|h| (h.id, h)).collect();
    imported
        .iter()
        .map(|h| match by_id.get(&h.id) {
            None => Standing::New,
            Some(old) => {
                let fields = changed_fields(old, h);
                if fields.is_empty() {
                    Standing::Unchanged
                } else {
                    Standing::Changes(fields)
                }
            }
        })
        .collect()
}

/// What is written: every new household, the changed ones whose numbers are in
/// `update`, and the new grids and buildings those households use (a new
/// building only a skipped row named is not created). Unchanged rows are left out.
///
/// # Panics
///
/// If `standings` is not as long as `result.households` (it comes from
/// [`compare`] over the same list).
#[must_use]
pub fn choose(result: ImportResult, standings: &[Standing], update: &BTreeSet<u32>) -> ImportResult {
    assert_eq!(
        standings.len(),
        result.households.len(),
        "one standing per imported household"
    );
    let households: Vec<Household> = result
        .households
        .into_iter()
        .zip(standings)
        .filter(|(h, s)| match s {
            Standing::New => true,
            Standing::Unchanged => false,
            Standing::Changes(_) => update.contains(&h.id),
        })
        .map(|(h, _)| h)
        .collect();
    let used_buildings: BTreeSet<u32> = households.iter().map(|h| h.building_id).collect();
    let new_buildings: Vec<_> = result
        .new_buildings
        .into_iter()
        .filter(|b| used_buildings.contains(&b.id))
        .collect();
    let used_grids: BTreeSet<u32> = new_buildings.iter().map(|b| b.grid_id).collect();
    let new_grids = result
        .new_grids
        .into_iter()
        .filter(|g| used_grids.contains(&g.id))
        .collect();
    ImportResult {
        households,
        new_grids,
        new_buildings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{generate, DemoConfig};
    use crate::register_csv::{export_households, import_households, Headers, ImportLimits};
    use proptest::prelude::*;

    fn demo() -> crate::dataset::Dataset {
        let mut d = generate(&DemoConfig {
            households: 40,
            ..DemoConfig::default()
        });
        d.normalize();
        d
    }

    #[test]
    fn an_exported_register_imported_back_changes_nothing_and_writes_nothing() {
        let d = demo();
        let csv = export_households(&d.households, &d.buildings, &d.grids, Headers::Chinese);
        let r = import_households(
            csv.as_bytes(),
            &d.buildings,
            &d.grids,
            2026,
            &ImportLimits::default(),
        )
        .unwrap();
        let s = compare(&r.households, &d.households);
        assert!(s.iter().all(|s| *s == Standing::Unchanged), "{s:?}");
        let kept = choose(r, &s, &BTreeSet::new());
        assert!(kept.households.is_empty() && kept.new_buildings.is_empty() && kept.new_grids.is_empty());
    }

    #[test]
    fn a_new_building_named_only_by_a_skipped_row_is_not_created() {
        let d = demo();
        let mut h = d.households[0].clone();
        h.room = "9901".into();
        let r = ImportResult {
            households: vec![h.clone()],
            new_grids: vec![],
            new_buildings: vec![crate::model::Building {
                id: 999,
                ..d.buildings[0].clone()
            }],
        };
        // The row moves household 0 into the new building 999.
        let mut moved = r.clone();
        moved.households[0].building_id = 999;
        let s = compare(&moved.households, &d.households);
        assert!(matches!(&s[0], Standing::Changes(f) if f.contains(&"building_id") && f.contains(&"room")));
        let skipped = choose(moved.clone(), &s, &BTreeSet::new());
        assert!(skipped.households.is_empty());
        assert!(skipped.new_buildings.is_empty(), "no household uses it");
        let taken = choose(moved, &s, &BTreeSet::from([h.id]));
        assert_eq!(taken.households.len(), 1);
        assert_eq!(taken.new_buildings.len(), 1);
    }

    proptest! {
        /// Whatever the choice: new rows are always written, unchanged ones never,
        /// changed ones exactly when chosen; nothing else is touched.
        #[test]
        fn only_new_and_chosen_rows_are_written(edits in proptest::collection::vec((0usize..40, 0u8..3), 0..30),
                                               picks in proptest::collection::vec(any::<bool>(), 40),
                                               fresh in 0usize..5) {
            let d = demo();
            let mut imported = d.households.clone();
            for (i, what) in &edits {
                match what {
                    0 => imported[*i].notes.push('改'),
                    1 => imported[*i].contact_phone = format!("1390000{i:04}"),
                    _ => {}
                }
            }
            for k in 0..fresh {
                let mut h = d.households[k].clone();
                h.id = 100_000 + k as u32;
                imported.push(h);
            }
            let s = compare(&imported, &d.households);
            let update: BTreeSet<u32> = d.households.iter().zip(&picks).filter(|(_, p)| **p).map(|(h, _)| h.id).collect();
            let r = ImportResult { households: imported.clone(), ..ImportResult::default() };
            let kept = choose(r, &s, &update);
            let ids: BTreeSet<u32> = kept.households.iter().map(|h| h.id).collect();
            for (h, st) in imported.iter().zip(&s) {
                let old = d.households.iter().find(|o| o.id == h.id);
                match (old, st) {
                    (None, Standing::New) => prop_assert!(ids.contains(&h.id)),
                    (Some(o), Standing::Unchanged) => { prop_assert_eq!(o, h); prop_assert!(!ids.contains(&h.id)); }
                    (Some(o), Standing::Changes(f)) => {
                        prop_assert!(o != h && !f.is_empty());
                        prop_assert_eq!(ids.contains(&h.id), update.contains(&h.id));
                    }
                    other => prop_assert!(false, "wrong standing {other:?}"),
                }
            }
        }
    }
}
