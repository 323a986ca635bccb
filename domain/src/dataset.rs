//! Everything a community's workspace holds, as one value: what a backup
//! carries and what the storage layer writes in one transaction.

use crate::order::SortDyn;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::decisions::{Decision, DecisionKind};
use crate::model::*;
use crate::plans::PlanCase;

/// The names of the object stores, in the order they are written and counted.
///
/// The IndexedDB schema (`src/db/`) creates exactly these stores; the backup
/// format carries one array per name.
pub const STORE_NAMES: [&str; 16] = [
    "settings",
    "grids",
    "buildings",
    "households",
    "resources",
    "allocation_runs",
    "proposals",
    "ballots",
    "activities",
    "points_ledger",
    "timebank_ledger",
    "requests",
    "plans",
    "decisions",
    "snapshots",
    "audit_log",
];

/// All records of one community.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    pub settings: Vec<Setting>,
    pub grids: Vec<Grid>,
    pub buildings: Vec<Building>,
    pub households: Vec<Household>,
    pub resources: Vec<Resource>,
    pub allocation_runs: Vec<AllocationRun>,
    pub proposals: Vec<Proposal>,
    pub ballots: Vec<Ballot>,
    pub activities: Vec<Activity>,
    pub points_ledger: Vec<PointsEntry>,
    pub timebank_ledger: Vec<TimeBankEntry>,
    pub requests: Vec<Request>,
    /// Plans with their whole life cycle (spending included).
    pub plans: Vec<PlanCase>,
    /// Adopted decisions (append-only).
    pub decisions: Vec<Decision>,
    pub snapshots: Vec<SnapshotRecord>,
    pub audit_log: Vec<AuditEntry>,
}

/// A record's key in its store: a number, or a setting's name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum StoreKey {
    Id(u32),
    Name(String),
}

/// What turns one dataset into another, record by record ([`Dataset::changes_to`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// The records to put: new, or changed.
    pub puts: Dataset,
    /// The records to delete: `(store, key)`.
    pub deletes: Vec<(&'static str, StoreKey)>,
}

impl Changes {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.deletes.is_empty() && self.puts == Dataset::default()
    }

    /// Number of records put and deleted.
    pub fn len(&self) -> usize {
        self.deletes.len() + self.puts.counts().values().sum::<u64>() as usize
    }

    /// Number of records put and deleted that the views show: every store's, the
    /// replicated settings included (a device's record, the enrolment registry, the
    /// improvement items, …), this device's own settings not
    /// ([`crate::replication::local::is_local_setting`]: a sync run that changes only
    /// its status or its replica leaves the views).
    pub fn records(&self) -> usize {
        let local = |k: &str| crate::replication::local::is_local_setting(k);
        self.len()
            - self.puts.settings.iter().filter(|s| local(&s.key)).count()
            - self
                .deletes
                .iter()
                .filter(|(st, k)| *st == "settings" && matches!(k, StoreKey::Name(n) if local(n)))
                .count()
    }
}

fn diff_store<T: Clone + PartialEq, K: Ord + Clone>(
    store: &'static str,
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> K,
    wrap: impl Fn(K) -> StoreKey,
    puts: &mut Vec<T>,
    deletes: &mut Vec<(&'static str, StoreKey)>,
) {
    let before: BTreeMap<K, &T> = old.iter().map(|r| (key(r), r)).collect();
    let mut seen: BTreeMap<K, ()> = BTreeMap::new();
    for r in new {
        let k = key(r);
        if before.get(&k).is_none_or(|o| *o != r) {
            puts.push(r.clone());
        }
        seen.insert(k, ());
    }
    for k in before.keys() {
        if !seen.contains_key(k) {
            deletes.push((store, wrap(k.clone())));
        }
    }
}

/// A reason a dataset is inconsistent.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IntegrityError {
    /// Two records of one store share a key.
    #[error("{store}: duplicate key {key}")]
    DuplicateKey { store: &'static str, key: String },
    /// A record refers to a record that is not there.
    #[error("{store} {id}: {field} refers to missing {target} {target_id}")]
    DanglingReference {
        store: &'static str,
        id: u32,
        field: &'static str,
        target: &'static str,
        target_id: u32,
    },
}

impl Dataset {
    /// Number of records per store, keyed by store name, in [`STORE_NAMES`] order.
    pub fn counts(&self) -> BTreeMap<String, u64> {
        let lens = [
            self.settings.len(),
            self.grids.len(),
            self.buildings.len(),
            self.households.len(),
            self.resources.len(),
            self.allocation_runs.len(),
            self.proposals.len(),
            self.ballots.len(),
            self.activities.len(),
            self.points_ledger.len(),
            self.timebank_ledger.len(),
            self.requests.len(),
            self.plans.len(),
            self.decisions.len(),
            self.snapshots.len(),
            self.audit_log.len(),
        ];
        STORE_NAMES
            .iter()
            .zip(lens)
            .map(|(n, l)| ((*n).to_owned(), l as u64))
            .collect()
    }

    /// The records to put and delete so that a store holding `self` holds `new`: a sync
    /// run writes only these instead of replacing everything.
    ///
    /// ```
    /// use linli_domain::dataset::{Dataset, StoreKey};
    /// use linli_domain::model::Setting;
    /// let s = |k: &str, v: &str| Setting { key: k.into(), value: v.into() };
    /// let old = Dataset { settings: vec![s("a", "1"), s("b", "1")], ..Dataset::default() };
    /// let new = Dataset { settings: vec![s("a", "2"), s("c", "1")], ..Dataset::default() };
    /// let ch = old.changes_to(&new);
    /// assert_eq!(ch.puts.settings, vec![s("a", "2"), s("c", "1")]);
    /// assert_eq!(ch.deletes, vec![("settings", StoreKey::Name("b".into()))]);
    /// assert!(new.changes_to(&new).is_empty());
    /// assert_eq!((ch.len(), ch.records()), (3, 3), "replicated settings are shown");
    /// // This device's own settings (`_…`: the sync status, the replica) are not.
    /// let own = Dataset { settings: vec![s("_sync_status", "{}")], ..Dataset::default() };
    /// assert_eq!(Dataset::default().changes_to(&own).records(), 0);
    /// assert_eq!(own.changes_to(&Dataset::default()).records(), 0);
    /// ```
    pub fn changes_to(&self, new: &Dataset) -> Changes {
        let mut c = Changes::default();
        let (p, d) = (&mut c.puts, &mut c.deletes);
        let id = StoreKey::Id;
        diff_store(
            "settings",
            &self.settings,
            &new.settings,
            |r| r.key.clone(),
            StoreKey::Name,
            &mut p.settings,
            d,
        );
        diff_store("grids", &self.grids, &new.grids, |r| r.id, id, &mut p.grids, d);
        diff_store(
            "buildings",
            &self.buildings,
            &new.buildings,
            |r| r.id,
            id,
            &mut p.buildings,
            d,
        );
        diff_store(
            "households",
            &self.households,
            &new.households,
            |r| r.id,
            id,
            &mut p.households,
            d,
        );
        diff_store(
            "resources",
            &self.resources,
            &new.resources,
            |r| r.id,
            id,
            &mut p.resources,
            d,
        );
        diff_store(
            "allocation_runs",
            &self.allocation_runs,
            &new.allocation_runs,
            |r| r.id,
            id,
            &mut p.allocation_runs,
            d,
        );
        diff_store(
            "proposals",
            &self.proposals,
            &new.proposals,
            |r| r.id,
            id,
            &mut p.proposals,
            d,
        );
        diff_store(
            "ballots",
            &self.ballots,
            &new.ballots,
            |r| r.id,
            id,
            &mut p.ballots,
            d,
        );
        diff_store(
            "activities",
            &self.activities,
            &new.activities,
            |r| r.id,
            id,
            &mut p.activities,
            d,
        );
        diff_store(
            "points_ledger",
            &self.points_ledger,
            &new.points_ledger,
            |r| r.id,
            id,
            &mut p.points_ledger,
            d,
        );
        diff_store(
            "timebank_ledger",
            &self.timebank_ledger,
            &new.timebank_ledger,
            |r| r.id,
            id,
            &mut p.timebank_ledger,
            d,
        );
        diff_store(
            "requests",
            &self.requests,
            &new.requests,
            |r| r.id,
            id,
            &mut p.requests,
            d,
        );
        diff_store(
            "plans",
            &self.plans,
            &new.plans,
            PlanCase::id,
            id,
            &mut p.plans,
            d,
        );
        diff_store(
            "decisions",
            &self.decisions,
            &new.decisions,
            |r| r.id,
            id,
            &mut p.decisions,
            d,
        );
        diff_store(
            "snapshots",
            &self.snapshots,
            &new.snapshots,
            |r| r.id,
            id,
            &mut p.snapshots,
            d,
        );
        diff_store(
            "audit_log",
            &self.audit_log,
            &new.audit_log,
            |r| r.id,
            id,
            &mut p.audit_log,
            d,
        );
        c
    }

    /// Applies `c` the way a store does: every put replaces the record with its key or
    /// adds it, every delete removes the record with its key; then every store is in key
    /// order ([`Dataset::normalize`]). `old.apply(&old.changes_to(&new))` gives `new`
    /// (normalized).
    pub fn apply(&mut self, c: &Changes) {
        fn one<T: Clone, K: Ord>(
            store: &str,
            list: &mut Vec<T>,
            puts: &[T],
            deletes: &[(&'static str, StoreKey)],
            key: impl Fn(&T) -> K,
            wrap: impl Fn(&K) -> StoreKey,
        ) {
            let gone: BTreeSet<&StoreKey> = deletes
                .iter()
                .filter(|(s, _)| *s == store)
                .map(|(_, k)| k)
                .collect();
            if puts.is_empty() && gone.is_empty() {
                return;
            }
            let mut by: BTreeMap<K, T> = list.drain(..).map(|r| (key(&r), r)).collect();
            by.retain(|k, _| !gone.contains(&wrap(k)));
            for p in puts {
                by.insert(key(p), p.clone());
            }
            *list = by.into_values().collect();
        }
        let (p, d) = (&c.puts, &c.deletes[..]);
        let id = |k: &u32| StoreKey::Id(*k);
        one(
            "settings",
            &mut self.settings,
            &p.settings,
            d,
            |r| r.key.clone(),
            |k| StoreKey::Name(k.clone()),
        );
        one("grids", &mut self.grids, &p.grids, d, |r| r.id, id);
        one("buildings", &mut self.buildings, &p.buildings, d, |r| r.id, id);
        one("households", &mut self.households, &p.households, d, |r| r.id, id);
        one("resources", &mut self.resources, &p.resources, d, |r| r.id, id);
        one(
            "allocation_runs",
            &mut self.allocation_runs,
            &p.allocation_runs,
            d,
            |r| r.id,
            id,
        );
        one("proposals", &mut self.proposals, &p.proposals, d, |r| r.id, id);
        one("ballots", &mut self.ballots, &p.ballots, d, |r| r.id, id);
        one("activities", &mut self.activities, &p.activities, d, |r| r.id, id);
        one(
            "points_ledger",
            &mut self.points_ledger,
            &p.points_ledger,
            d,
            |r| r.id,
            id,
        );
        one(
            "timebank_ledger",
            &mut self.timebank_ledger,
            &p.timebank_ledger,
            d,
            |r| r.id,
            id,
        );
        one("requests", &mut self.requests, &p.requests, d, |r| r.id, id);
        one("plans", &mut self.plans, &p.plans, d, PlanCase::id, id);
        one("decisions", &mut self.decisions, &p.decisions, d, |r| r.id, id);
        one("snapshots", &mut self.snapshots, &p.snapshots, d, |r| r.id, id);
        one("audit_log", &mut self.audit_log, &p.audit_log, d, |r| r.id, id);
        self.normalize();
    }

    /// Total number of residents (members of all households).
    pub fn resident_count(&self) -> usize {
        self.households.iter().map(|h| h.members.len()).sum()
    }

    /// Sorts every store by its key, the order IndexedDB returns records in.
    ///
    /// Two datasets with the same records compare equal after `normalize`.
    pub fn normalize(&mut self) {
        self.settings.sort_by_dyn(|a, b| a.key.cmp(&b.key));
        self.grids.sort_by_key_dyn(|r| r.id);
        self.buildings.sort_by_key_dyn(|r| r.id);
        self.households.sort_by_key_dyn(|r| r.id);
        self.resources.sort_by_key_dyn(|r| r.id);
        self.allocation_runs.sort_by_key_dyn(|r| r.id);
        self.proposals.sort_by_key_dyn(|r| r.id);
        self.ballots.sort_by_key_dyn(|r| r.id);
        self.activities.sort_by_key_dyn(|r| r.id);
        self.points_ledger.sort_by_key_dyn(|r| r.id);
        self.timebank_ledger.sort_by_key_dyn(|r| r.id);
        self.requests.sort_by_key_dyn(|r| r.id);
        self.plans.sort_by_key_dyn(PlanCase::id);
        self.decisions.sort_by_key_dyn(|r| r.id);
        self.snapshots.sort_by_key_dyn(|r| r.id);
        self.audit_log.sort_by_key_dyn(|r| r.id);
    }

    /// Checks keys are unique and references point at existing records.
    ///
    /// # Errors
    ///
    /// The first [`IntegrityError`] found, stores checked in [`STORE_NAMES`] order.
    pub fn check_integrity(&self) -> Result<(), IntegrityError> {
        fn unique<'a, K: std::fmt::Display + Eq + std::hash::Hash + 'a>(
            store: &'static str,
            keys: impl Iterator<Item = K>,
        ) -> Result<HashSet<K>, IntegrityError> {
            let mut seen = HashSet::new();
            for k in keys {
                if seen.contains(&k) {
                    return Err(IntegrityError::DuplicateKey {
                        store,
                        key: k.to_string(),
                    });
                }
                seen.insert(k);
            }
            Ok(seen)
        }
        unique("settings", self.settings.iter().map(|r| r.key.as_str()))?;
        let grids = unique("grids", self.grids.iter().map(|r| r.id))?;
        let buildings = unique("buildings", self.buildings.iter().map(|r| r.id))?;
        let households = unique("households", self.households.iter().map(|r| r.id))?;
        unique("resources", self.resources.iter().map(|r| r.id))?;
        let runs = unique("allocation_runs", self.allocation_runs.iter().map(|r| r.id))?;
        let proposals = unique("proposals", self.proposals.iter().map(|r| r.id))?;
        unique("ballots", self.ballots.iter().map(|r| r.id))?;
        unique("activities", self.activities.iter().map(|r| r.id))?;
        unique("points_ledger", self.points_ledger.iter().map(|r| r.id))?;
        unique("timebank_ledger", self.timebank_ledger.iter().map(|r| r.id))?;
        unique("requests", self.requests.iter().map(|r| r.id))?;
        let plans = unique("plans", self.plans.iter().map(PlanCase::id))?;
        unique("decisions", self.decisions.iter().map(|r| r.id))?;
        unique("snapshots", self.snapshots.iter().map(|r| r.id))?;
        unique("audit_log", self.audit_log.iter().map(|r| r.id))?;

        let dangling = |store, id, field, target, target_id| IntegrityError::DanglingReference {
            store,
            id,
            field,
            target,
            target_id,
        };
        for b in &self.buildings {
            if !grids.contains(&b.grid_id) {
                return Err(dangling("buildings", b.id, "grid_id", "grid", b.grid_id));
            }
        }
        for h in &self.households {
            if !buildings.contains(&h.building_id) {
                return Err(dangling(
                    "households",
                    h.id,
                    "building_id",
                    "building",
                    h.building_id,
                ));
            }
        }
        for a in &self.activities {
            if let Some(&missing) = a.attendance.iter().find(|h| !households.contains(h)) {
                return Err(dangling("activities", a.id, "attendance", "household", missing));
            }
        }
        for p in &self.points_ledger {
            if !households.contains(&p.household_id) {
                return Err(dangling(
                    "points_ledger",
                    p.id,
                    "household_id",
                    "household",
                    p.household_id,
                ));
            }
        }
        for d in &self.decisions {
            match &d.kind {
                DecisionKind::AllocationAdopted { run_id, .. } => {
                    if !runs.contains(run_id) {
                        return Err(dangling("decisions", d.id, "run_id", "allocation run", *run_id));
                    }
                }
                DecisionKind::PbAdopted { projects, .. } => {
                    for p in projects {
                        if !proposals.contains(&p.proposal_id) {
                            return Err(dangling(
                                "decisions",
                                d.id,
                                "proposal_id",
                                "proposal",
                                p.proposal_id,
                            ));
                        }
                        if let Some(plan) = p.plan_id.filter(|id| !plans.contains(id)) {
                            return Err(dangling("decisions", d.id, "plan_id", "plan", plan));
                        }
                    }
                }
                DecisionKind::ReserveReleased { plan_id, .. } => {
                    if !plans.contains(plan_id) {
                        return Err(dangling("decisions", d.id, "plan_id", "plan", *plan_id));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Headline figures of a community, for overviews. Totals only: nothing
/// personal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub households: u32,
    pub residents: u32,
    /// Residents aged 60 or over in `year`.
    pub aged_60_plus: u32,
    /// Households renting (tenants and public rental).
    pub renting: u32,
}

impl Summary {
    /// Computes the summary of `households` with ages counted in `year`.
    ///
    /// # Examples
    ///
    /// ```
    /// use linli_domain::{dataset::Summary, demo};
    /// let d = demo::generate(&demo::DemoConfig { households: 50, ..Default::default() });
    /// let s = Summary::of(&d.households, 2026);
    /// assert_eq!(s.households, 50);
    /// assert!(s.aged_60_plus <= s.residents);
    /// ```
    pub fn of(households: &[Household], year: i64) -> Self {
        let mut s = Self {
            households: households.len() as u32,
            ..Self::default()
        };
        for h in households {
            s.residents += h.members.len() as u32;
            s.aged_60_plus += h
                .members
                .iter()
                .filter(|m| year - i64::from(m.birth_year) >= 60)
                .count() as u32;
            if h.tenure != Tenure::Owner {
                s.renting += 1;
            }
        }
        s
    }

    /// `part / whole` in tenths of a percent, rounded half up (`225` = 22.5 %).
    pub fn permille(part: u32, whole: u32) -> u32 {
        if whole == 0 {
            0
        } else {
            ((u64::from(part) * 2000 + u64::from(whole)) / (2 * u64::from(whole))) as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permille_rounds_half_up() {
        assert_eq!(Summary::permille(1, 8), 125);
        assert_eq!(Summary::permille(1, 3), 333);
        assert_eq!(Summary::permille(2, 3), 667);
        assert_eq!(Summary::permille(0, 0), 0);
        assert_eq!(Summary::permille(5, 5), 1000);
    }

    #[test]
    fn integrity_finds_dangling_building() {
        let mut d = crate::demo::generate(&crate::demo::DemoConfig {
            households: 20,
            ..Default::default()
        });
        assert!(d.check_integrity().is_ok());
        d.buildings[0].grid_id = 99;
        assert!(matches!(
            d.check_integrity(),
            Err(IntegrityError::DanglingReference {
                store: "buildings",
                ..
            })
        ));
    }

    #[test]
    fn integrity_checks_plans_and_decisions() {
        use crate::decisions::{DecisionKind, PbProjectOutcome};
        let d = crate::demo::generate(&crate::demo::DemoConfig {
            households: 60,
            ..Default::default()
        });
        d.check_integrity().unwrap();
        assert!(!d.plans.is_empty() && d.decisions.len() == 5);
        let dangling = |d: &Dataset, field: &str, id: u32| {
            matches!(
                d.check_integrity(),
                Err(IntegrityError::DanglingReference { store: "decisions", field: f, target_id, .. })
                    if f == field && target_id == id
            )
        };
        // Two plans, or two decisions, with one id.
        let mut x = d.clone();
        x.plans.push(x.plans[0].clone());
        assert!(matches!(
            x.check_integrity(),
            Err(IntegrityError::DuplicateKey { store: "plans", .. })
        ));
        let mut x = d.clone();
        x.decisions.push(x.decisions[0].clone());
        assert!(matches!(
            x.check_integrity(),
            Err(IntegrityError::DuplicateKey {
                store: "decisions",
                ..
            })
        ));
        // A run, a proposal or a plan that is not there.
        let mut x = d.clone();
        x.allocation_runs.retain(|r| r.id != 1);
        assert!(dangling(&x, "run_id", 1));
        let mut x = d.clone();
        let pb = x
            .decisions
            .iter_mut()
            .find(|k| matches!(k.kind, DecisionKind::PbAdopted { .. }))
            .unwrap();
        if let DecisionKind::PbAdopted { projects, .. } = &mut pb.kind {
            projects.push(PbProjectOutcome {
                proposal_id: 777,
                title: "x".into(),
                category: "sport".into(),
                cost_fen: 1,
                votes: 0,
                funded: false,
                plan_id: None,
            });
        }
        assert!(dangling(&x, "proposal_id", 777));
        let mut x = d.clone();
        let funded = x
            .decisions
            .iter()
            .find_map(|k| match &k.kind {
                DecisionKind::PbAdopted { projects, .. } => projects.iter().find_map(|p| p.plan_id),
                _ => None,
            })
            .unwrap();
        x.plans.retain(|p| p.id() != funded);
        assert!(dangling(&x, "plan_id", funded));
        let mut x = d.clone();
        x.plans.retain(|p| p.id() != 12);
        assert!(dangling(&x, "plan_id", 12));
    }

    use crate::demo::{generate, DemoConfig};

    /// `old` with `changes` applied, the way the workspace writes them.
    fn apply(old: &Dataset, c: &Changes) -> Dataset {
        let mut d = old.clone();
        d.apply(c);
        d
    }

    proptest::proptest! {
        /// Putting the changes and deleting the keys turns the old dataset into the new,
        /// and only what differs is written.
        #[test]
        fn changes_turn_old_into_new(
            drop in proptest::collection::vec(0usize..40, 0..6),
            edit in proptest::collection::vec(0usize..40, 0..6),
            add in 0u32..4,
            setting in proptest::option::of("[a-z]{1,3}"),
        ) {
            let old = generate(&DemoConfig { households: 40, ..DemoConfig::default() });
            let mut new = old.clone();
            let ids: Vec<u32> = new.households.iter().map(|h| h.id).collect();
            new.households.retain(|h| !drop.iter().any(|&i| ids.get(i) == Some(&h.id)));
            for &i in &edit {
                if let Some(h) = new.households.iter_mut().find(|h| Some(&h.id) == ids.get(i)) {
                    h.notes.push('x');
                }
            }
            for k in 0..add {
                let mut h = old.households[0].clone();
                h.id = 10_000 + k;
                new.households.push(h);
            }
            if let Some(v) = &setting {
                new.settings.push(Setting { key: format!("zz_{v}"), value: v.clone() });
            }
            new.points_ledger.pop();
            new.normalize();
            let c = old.changes_to(&new);
            proptest::prop_assert_eq!(apply(&old, &c), new.clone());
            let changed = old.households.iter().filter(|h| !new.households.contains(h)).count();
            let written = c.puts.households.len() + c.deletes.iter().filter(|(s, _)| *s == "households").count();
            proptest::prop_assert!(written <= changed + add as usize);
            proptest::prop_assert!(new.changes_to(&new).is_empty());
        }
    }
}
