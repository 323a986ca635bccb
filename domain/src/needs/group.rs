//! Accumulating per-household values by building, grid and resident group in one pass.
//!
//! Households of one building are usually consecutive, so the building of the previous
//! household is tried first; a new building is looked up once. Grids are not looked up
//! per household at all: a grid's total is the sum of its buildings' totals. Groups are
//! few, so they are found by a short linear search, with a hash map behind it.

use crate::order::SortDyn;
use std::collections::HashMap;

use crate::model::{Building, Household};

/// A value that can be summed across households.
pub(crate) trait Merge: Default + Clone {
    fn merge(&mut self, other: &Self);
}

/// Linear search covers this many groups before the hash map is used.
const LINEAR_GROUPS: usize = 16;

#[derive(Debug)]
pub(crate) struct Subgroups<A> {
    building_ids: Vec<u32>,
    buildings: Vec<A>,
    building_index: HashMap<u32, usize>,
    last_building: Option<(u32, usize)>,
    group_names: Vec<String>,
    groups: Vec<A>,
    group_index: HashMap<String, usize>,
}

/// The totals by building, grid and group, each sorted by key.
pub(crate) struct Grouped<A> {
    pub by_building: Vec<(u32, A)>,
    pub by_grid: Vec<(u32, A)>,
    pub by_group: Vec<(String, A)>,
}

impl<A: Merge> Subgroups<A> {
    pub(crate) fn new() -> Self {
        Self {
            building_ids: Vec::new(),
            buildings: Vec::new(),
            building_index: HashMap::new(),
            last_building: None,
            group_names: Vec::new(),
            groups: Vec::new(),
            group_index: HashMap::new(),
        }
    }

    fn building(&mut self, id: u32) -> usize {
        if let Some((last, i)) = self.last_building {
            if last == id {
                return i;
            }
        }
        let i = match self.building_index.get(&id) {
            Some(&i) => i,
            None => {
                self.building_ids.push(id);
                self.buildings.push(A::default());
                self.building_index.insert(id, self.buildings.len() - 1);
                self.buildings.len() - 1
            }
        };
        self.last_building = Some((id, i));
        i
    }

    fn group(&mut self, name: &str) -> usize {
        let found = if self.group_names.len() <= LINEAR_GROUPS {
            self.group_names.iter().position(|g| g == name)
        } else {
            self.group_index.get(name).copied()
        };
        match found {
            Some(i) => i,
            None => {
                self.group_names.push(name.to_owned());
                self.groups.push(A::default());
                let i = self.groups.len() - 1;
                self.group_index.insert(name.to_owned(), i);
                i
            }
        }
    }

    /// Adds `value` to the household's building and group.
    #[inline]
    pub(crate) fn add(&mut self, h: &Household, value: &A) {
        let b = self.building(h.building_id);
        self.buildings[b].merge(value);
        let g = self.group(&h.group);
        self.groups[g].merge(value);
    }

    /// Sorted totals; grids through `buildings` (a building that is not listed is in no
    /// grid).
    pub(crate) fn finish(self, buildings: &[Building]) -> Grouped<A> {
        let grid_of: HashMap<u32, u32> = buildings.iter().map(|b| (b.id, b.grid_id)).collect();
        let mut by_grid: HashMap<u32, A> = HashMap::new();
        for (id, a) in self.building_ids.iter().zip(&self.buildings) {
            if let Some(g) = grid_of.get(id) {
                by_grid.entry(*g).or_default().merge(a);
            }
        }
        let mut by_building: Vec<(u32, A)> = self.building_ids.into_iter().zip(self.buildings).collect();
        by_building.sort_by_key_dyn(|(k, _)| *k);
        let mut by_grid: Vec<(u32, A)> = by_grid.into_iter().collect();
        by_grid.sort_by_key_dyn(|(k, _)| *k);
        let mut by_group: Vec<(String, A)> = self.group_names.into_iter().zip(self.groups).collect();
        by_group.sort_by_dyn(|a, b| a.0.cmp(&b.0));
        Grouped {
            by_building,
            by_grid,
            by_group,
        }
    }
}
