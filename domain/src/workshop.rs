//! Workshop mode (社区工作坊, SPEC §2.8): the pure part of a session on a projector.
//!
//! - [`Plan`]: the buildings on the community plan's grid, with the facilitator's
//!   rearrangements (a building dropped on an occupied cell swaps places with it).
//! - [`Session`]: needs dots by category on the plan and dot voting on the period's
//!   proposals, with one undo stack over both, live counts, and a fixed number of
//!   voting dots per participant.
//! - [`Timer`]: the facilitator's countdown (time is passed in).
//! - Saving: [`Session::ballots`] turns each participant's voting dots into an approval
//!   ballot (source [`SOURCE`]); [`Session::needs_record`] turns the needs dots into a
//!   per-building needs tally, kept in the setting [`NEEDS_SETTING`] ([`WorkshopNeeds`]).
//! - [`session_csv`]: the session as a CSV file for the minutes.
//! - [`voting_list`]: the proposals the dot voting is on.
//! - [`keys`]: the keyboard map (keyboard and presenter clicker).
//! - [`draft`]: the session in progress, kept in the setting `workshop_draft` so that a
//!   reload resumes it (read back by replaying it through the checked operations).
//! - [`saved`]: saved sessions kept whole (settings `workshop_session:<started>`), listed,
//!   reopened and continued.
//! - [`layout`]: the plan on screen: cell size for the window, reading order of the
//!   tiles, label font size, dot size.
//! - [`tally`]: the saved tallies beside the register's needs, per building and category.
//!
//! # How a session becomes data
//!
//! *Needs data on buildings.* A needs dot placed on a building counts one expressed
//! need of that category for that building; a dot on open ground (a cell without a
//! building) counts for the open space of the community. Buildings have no needs field
//! and households must not be invented, so no schema change is made: each saved
//! session is one [`SessionNeeds`] entry of the JSON setting `workshop_needs`
//! (`{"sessions": [...]}`), with its counts by building and category;
//! [`WorkshopNeeds::totals_by_building`] adds up all sessions. Saving the same session
//! again replaces its entry (and its ballots), so a save is idempotent.
//!
//! *Ballots.* Dot voting gives every participant the same number of dots; a participant
//! may put several on one proposal (the bar chart counts dots). An approval ballot
//! approves each proposal that got at least one of the participant's dots; a
//! participant who placed no dot casts no ballot. Nothing personal is stored: a
//! participant is a number within the session.

use crate::order::SortDyn;
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::model::{Ballot, Building, Millis, Proposal, ProposalStatus};

pub mod draft;
pub mod keys;
pub mod layout;
pub mod saved;
pub mod tally;

/// `Ballot::source` of ballots from a workshop.
pub const SOURCE: &str = "workshop";
/// The setting holding the saved sessions' needs tallies ([`WorkshopNeeds`]).
pub const NEEDS_SETTING: &str = "workshop_needs";
/// The setting holding the uploaded plan image, a `data:image/…;base64,` URL.
pub const PLAN_IMAGE_SETTING: &str = "workshop_plan_image";
/// Largest plan image file accepted (bytes); its data URL is about 4/3 of it.
pub const MAX_PLAN_IMAGE_BYTES: u64 = 3 * 1024 * 1024;
/// Image types accepted for the plan. SVG is shown as an image, never as markup.
pub const PLAN_IMAGE_TYPES: [&str; 3] = ["image/png", "image/jpeg", "image/svg+xml"];
/// Number keys 1–9 choose a category, so at most nine are on the keyboard.
pub const MAX_KEYED: usize = 9;
/// Default number of voting dots per participant.
pub const DEFAULT_DOTS_PER_PARTICIPANT: u32 = 3;

/// One building on the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanBuilding {
    pub id: u32,
    /// User text: drawn as text only.
    pub name: String,
    pub x: u16,
    pub y: u16,
}

/// The community plan: buildings on grid cells, one building per cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    buildings: Vec<PlanBuilding>,
    cells: HashMap<(u16, u16), usize>,
}

impl Plan {
    /// The plan of `buildings` at their `(plan_x, plan_y)`; a building whose cell is
    /// taken by an earlier one (by id) moves right to the next free cell, as on the
    /// needs heat map, so none is hidden.
    pub fn new(buildings: &[Building]) -> Self {
        let mut sorted: Vec<&Building> = buildings.iter().collect();
        sorted.sort_by_key_dyn(|b| b.id);
        let mut plan = Self {
            buildings: Vec::with_capacity(sorted.len()),
            cells: HashMap::with_capacity(sorted.len()),
        };
        for b in sorted {
            let (mut x, y) = (b.plan_x, b.plan_y);
            while plan.cells.contains_key(&(x, y)) {
                x = x.saturating_add(1);
            }
            plan.cells.insert((x, y), plan.buildings.len());
            plan.buildings.push(PlanBuilding {
                id: b.id,
                name: b.name.clone(),
                x,
                y,
            });
        }
        plan
    }

    /// The buildings, by id.
    pub fn buildings(&self) -> &[PlanBuilding] {
        &self.buildings
    }

    /// Columns and rows of the plan: one free column and row beyond the furthest
    /// building (room to place open-ground dots and to move buildings), at least 6 × 4.
    pub fn extent(&self) -> (u16, u16) {
        let cols = self
            .buildings
            .iter()
            .map(|b| b.x.saturating_add(2))
            .max()
            .unwrap_or(0);
        let rows = self
            .buildings
            .iter()
            .map(|b| b.y.saturating_add(2))
            .max()
            .unwrap_or(0);
        (cols.max(6), rows.max(4))
    }

    /// The building on cell `(x, y)`.
    pub fn building_at(&self, x: u16, y: u16) -> Option<&PlanBuilding> {
        self.cells.get(&(x, y)).map(|&i| &self.buildings[i])
    }

    /// The building with `id`.
    pub fn building(&self, id: u32) -> Option<&PlanBuilding> {
        self.buildings.iter().find(|b| b.id == id)
    }

    /// Moves building `id` to `(x, y)`; a building already there takes the moved
    /// building's old cell. Returns the id of the building swapped, if any; `None`
    /// also when `id` is unknown (nothing changes).
    pub fn move_building(&mut self, id: u32, x: u16, y: u16) -> Option<u32> {
        let i = self.buildings.iter().position(|b| b.id == id)?;
        let from = (self.buildings[i].x, self.buildings[i].y);
        if from == (x, y) {
            return None;
        }
        let other = self.cells.remove(&(x, y));
        self.cells.remove(&from);
        self.buildings[i].x = x;
        self.buildings[i].y = y;
        self.cells.insert((x, y), i);
        other.map(|j| {
            self.buildings[j].x = from.0;
            self.buildings[j].y = from.1;
            self.cells.insert(from, j);
            self.buildings[j].id
        })
    }

    /// The records of `stored` whose place on this plan differs from their stored
    /// `plan_x`/`plan_y`, with the new place: what saving the layout writes.
    pub fn changed(&self, stored: &[Building]) -> Vec<Building> {
        stored
            .iter()
            .filter_map(|b| {
                let p = self.building(b.id)?;
                (p.x != b.plan_x || p.y != b.plan_y).then(|| Building {
                    plan_x: p.x,
                    plan_y: p.y,
                    ..b.clone()
                })
            })
            .collect()
    }
}

/// Where a needs dot is: on a building (it moves with the building) or on open ground.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Spot {
    Building(u32),
    Open { x: u16, y: u16 },
}

impl Spot {
    /// The spot of cell `(x, y)` on `plan`.
    pub fn of_cell(plan: &Plan, x: u16, y: u16) -> Self {
        plan.building_at(x, y)
            .map_or(Self::Open { x, y }, |b| Self::Building(b.id))
    }
}

/// A resident's need placed on the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dot {
    /// Index into [`Session::categories`].
    pub category: u8,
    pub spot: Spot,
}

/// One voting dot of a participant on a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vote {
    /// 1, 2, … within the session.
    pub participant: u32,
    /// A [`crate::model::Proposal::id`].
    pub proposal: u32,
}

/// What undo takes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Act {
    Dot,
    Vote,
    NextParticipant,
}

/// Why an action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkshopError {
    #[error("no category {0}")]
    NoCategory(usize),
    #[error("proposal {0} is not on this session's ballot")]
    NotOnBallot(u32),
    #[error("participant {participant} has used all {limit} dots")]
    NoDotsLeft { participant: u32, limit: u32 },
    #[error("participant {participant} already placed {used} dots, more than {limit}")]
    LimitBelowUsed { participant: u32, used: u32, limit: u32 },
    #[error("the dot limit must be at least 1")]
    ZeroLimit,
    #[error("the current participant has placed no dot yet")]
    ParticipantUnused,
}

/// Counts of one spot, by category.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SpotCounts {
    pub total: u32,
    pub by_category: Vec<u32>,
}

/// A workshop session: needs dots, voting dots, an undo stack and live counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// When the session started (its id).
    pub started_at: Millis,
    /// Category codes in key order (key 1 = index 0).
    pub categories: Vec<String>,
    /// Proposal ids on the voting list, in order.
    pub proposals: Vec<u32>,
    dots_per_participant: u32,
    dots: Vec<Dot>,
    votes: Vec<Vote>,
    participant: u32,
    log: Vec<Act>,
    #[serde(skip)]
    live: Live,
}

/// Counts kept up to date with every action (rebuilt after deserialising).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Live {
    by_spot: HashMap<Spot, SpotCounts>,
    by_category: Vec<u32>,
    by_proposal: Vec<u32>,
    used: HashMap<u32, u32>,
    max_spot: u32,
}

impl Session {
    /// A new session at `started_at` over `categories` (codes) and the `proposals`
    /// on the voting list.
    pub fn new(started_at: Millis, categories: Vec<String>, proposals: Vec<u32>) -> Self {
        let mut s = Self {
            started_at,
            categories,
            proposals,
            dots_per_participant: DEFAULT_DOTS_PER_PARTICIPANT,
            dots: Vec::new(),
            votes: Vec::new(),
            participant: 1,
            log: Vec::new(),
            live: Live::default(),
        };
        s.rebuild();
        s
    }

    /// Recomputes the live counts from the dots and votes (after deserialising).
    pub fn rebuild(&mut self) {
        let mut live = Live {
            by_category: vec![0; self.categories.len()],
            by_proposal: vec![0; self.proposals.len()],
            ..Live::default()
        };
        for d in &self.dots {
            Self::count_dot(&mut live, self.categories.len(), d, true);
        }
        for v in &self.votes {
            Self::count_vote(&mut live, &self.proposals, v, true);
        }
        self.live = live;
    }

    fn count_dot(live: &mut Live, n: usize, d: &Dot, add: bool) {
        let c = live.by_spot.entry(d.spot).or_insert_with(|| SpotCounts {
            total: 0,
            by_category: vec![0; n],
        });
        let i = usize::from(d.category);
        if add {
            c.total += 1;
            c.by_category[i] += 1;
            live.by_category[i] += 1;
            live.max_spot = live.max_spot.max(c.total);
        } else {
            let was_max = c.total == live.max_spot;
            c.total -= 1;
            c.by_category[i] -= 1;
            live.by_category[i] -= 1;
            if c.total == 0 {
                live.by_spot.remove(&d.spot);
            }
            if was_max {
                live.max_spot = live.by_spot.values().map(|c| c.total).max().unwrap_or(0);
            }
        }
    }

    fn count_vote(live: &mut Live, proposals: &[u32], v: &Vote, add: bool) {
        if let Some(i) = proposals.iter().position(|&p| p == v.proposal) {
            let used = live.used.entry(v.participant).or_insert(0);
            if add {
                live.by_proposal[i] += 1;
                *used += 1;
            } else {
                live.by_proposal[i] -= 1;
                *used -= 1;
                if *used == 0 {
                    live.used.remove(&v.participant);
                }
            }
        }
    }

    /// The needs dots, in the order placed.
    pub fn dots(&self) -> &[Dot] {
        &self.dots
    }

    /// The voting dots, in the order placed.
    pub fn votes(&self) -> &[Vote] {
        &self.votes
    }

    /// The participant now voting (1, 2, …).
    pub fn participant(&self) -> u32 {
        self.participant
    }

    /// Voting dots each participant has.
    pub fn dots_per_participant(&self) -> u32 {
        self.dots_per_participant
    }

    /// Voting dots `participant` has placed.
    pub fn used(&self, participant: u32) -> u32 {
        self.live.used.get(&participant).copied().unwrap_or(0)
    }

    /// Voting dots the current participant has left.
    pub fn left(&self) -> u32 {
        self.dots_per_participant
            .saturating_sub(self.used(self.participant))
    }

    /// Needs dots by category (index as in [`Session::categories`]).
    pub fn by_category(&self) -> &[u32] {
        &self.live.by_category
    }

    /// Voting dots by proposal (index as in [`Session::proposals`]).
    pub fn by_proposal(&self) -> &[u32] {
        &self.live.by_proposal
    }

    /// The counts of `spot` (`None` when it has no dot).
    pub fn spot(&self, spot: Spot) -> Option<&SpotCounts> {
        self.live.by_spot.get(&spot)
    }

    /// Every spot with dots and its counts.
    pub fn spots(&self) -> impl Iterator<Item = (&Spot, &SpotCounts)> {
        self.live.by_spot.iter()
    }

    /// The largest number of dots on one spot (the heat map's top).
    pub fn max_spot(&self) -> u32 {
        self.live.max_spot
    }

    /// Whether there is anything to undo.
    pub fn can_undo(&self) -> bool {
        !self.log.is_empty()
    }

    /// Places a needs dot of category `category` (index) on `spot`.
    ///
    /// # Errors
    ///
    /// [`WorkshopError::NoCategory`] for an index without a category.
    pub fn place(&mut self, category: usize, spot: Spot) -> Result<&Dot, WorkshopError> {
        if category >= self.categories.len() || category > usize::from(u8::MAX) {
            return Err(WorkshopError::NoCategory(category));
        }
        let d = Dot {
            category: category as u8,
            spot,
        };
        Self::count_dot(&mut self.live, self.categories.len(), &d, true);
        self.dots.push(d);
        self.log.push(Act::Dot);
        Ok(&self.dots[self.dots.len() - 1])
    }

    /// Places one of the current participant's voting dots on `proposal`.
    ///
    /// # Errors
    ///
    /// [`WorkshopError::NotOnBallot`], or [`WorkshopError::NoDotsLeft`] when the
    /// participant has used all their dots.
    pub fn vote(&mut self, proposal: u32) -> Result<(), WorkshopError> {
        if !self.proposals.contains(&proposal) {
            return Err(WorkshopError::NotOnBallot(proposal));
        }
        if self.left() == 0 {
            return Err(WorkshopError::NoDotsLeft {
                participant: self.participant,
                limit: self.dots_per_participant,
            });
        }
        let v = Vote {
            participant: self.participant,
            proposal,
        };
        Self::count_vote(&mut self.live, &self.proposals, &v, true);
        self.votes.push(v);
        self.log.push(Act::Vote);
        Ok(())
    }

    /// Hands the dots to the next participant.
    ///
    /// # Errors
    ///
    /// [`WorkshopError::ParticipantUnused`] when the current participant placed no
    /// dot (numbers stay dense: participant `n` voted).
    pub fn next_participant(&mut self) -> Result<u32, WorkshopError> {
        if self.used(self.participant) == 0 {
            return Err(WorkshopError::ParticipantUnused);
        }
        self.participant += 1;
        self.log.push(Act::NextParticipant);
        Ok(self.participant)
    }

    /// Sets the number of voting dots per participant.
    ///
    /// # Errors
    ///
    /// [`WorkshopError::ZeroLimit`], or [`WorkshopError::LimitBelowUsed`] when a
    /// participant already placed more dots than `limit`.
    pub fn set_dots_per_participant(&mut self, limit: u32) -> Result<(), WorkshopError> {
        if limit == 0 {
            return Err(WorkshopError::ZeroLimit);
        }
        if let Some((&participant, &used)) = self
            .live
            .used
            .iter()
            .filter(|(_, &u)| u > limit)
            .min_by_key(|(&p, _)| p)
        {
            return Err(WorkshopError::LimitBelowUsed {
                participant,
                used,
                limit,
            });
        }
        self.dots_per_participant = limit;
        Ok(())
    }

    /// Takes back the last action (a needs dot, a voting dot, or a change of
    /// participant). Returns what was undone, `None` when there was nothing.
    pub fn undo(&mut self) -> Option<Undone> {
        match self.log.pop()? {
            Act::Dot => {
                let d = self.dots.pop()?;
                Self::count_dot(&mut self.live, self.categories.len(), &d, false);
                Some(Undone::Dot(d))
            }
            Act::Vote => {
                let v = self.votes.pop()?;
                Self::count_vote(&mut self.live, &self.proposals, &v, false);
                Some(Undone::Vote(v))
            }
            Act::NextParticipant => {
                self.participant -= 1;
                Some(Undone::NextParticipant)
            }
        }
    }

    /// Participants who placed at least one voting dot.
    pub fn participants(&self) -> u32 {
        self.live.used.len() as u32
    }

    /// One approval ballot per participant who placed a voting dot, approving each
    /// proposal that got at least one of their dots (ascending ids), numbered from
    /// `first_id`, for `period`, created at `created_at`.
    pub fn ballots(&self, period: &str, first_id: u32, created_at: Millis) -> Vec<Ballot> {
        let mut by: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for v in &self.votes {
            let a = by.entry(v.participant).or_default();
            if !a.contains(&v.proposal) {
                a.push(v.proposal);
            }
        }
        by.into_values()
            .zip(first_id..)
            .map(|(mut approvals, id)| {
                approvals.sort_unstable();
                Ballot {
                    id,
                    period: period.to_owned(),
                    approvals,
                    source: SOURCE.to_owned(),
                    building_id: None,
                    created_at,
                }
            })
            .collect()
    }

    /// The session's needs tally: dots by building and category, dots on open ground
    /// by category, and the voting dots by proposal.
    pub fn needs_record(&self, held_at: Millis, period: &str, ballot_ids: Vec<u32>) -> SessionNeeds {
        let mut buildings: BTreeMap<u32, BTreeMap<String, u32>> = BTreeMap::new();
        let mut open_space: BTreeMap<String, u32> = BTreeMap::new();
        for d in &self.dots {
            let code = self.categories[usize::from(d.category)].clone();
            let m = match d.spot {
                Spot::Building(id) => buildings.entry(id).or_default(),
                Spot::Open { .. } => &mut open_space,
            };
            *m.entry(code).or_insert(0) += 1;
        }
        let votes = self
            .proposals
            .iter()
            .zip(&self.live.by_proposal)
            .filter(|(_, &n)| n > 0)
            .map(|(&p, &n)| (p, n))
            .collect();
        SessionNeeds {
            session: self.started_at,
            held_at,
            period: period.to_owned(),
            dots: self.dots.len() as u32,
            buildings: buildings
                .into_iter()
                .map(|(building_id, needs)| BuildingNeeds { building_id, needs })
                .collect(),
            open_space,
            votes,
            participants: self.participants(),
            ballot_ids,
        }
    }
}

/// What [`Session::undo`] took back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undone {
    Dot(Dot),
    Vote(Vote),
    NextParticipant,
}

/// One building's needs from a session: dots by category code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildingNeeds {
    pub building_id: u32,
    pub needs: BTreeMap<String, u32>,
}

/// A saved session's results (one entry of [`WorkshopNeeds`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionNeeds {
    /// [`Session::started_at`]: identifies the session.
    pub session: Millis,
    /// When it was saved.
    pub held_at: Millis,
    /// The period its ballots belong to.
    pub period: String,
    /// Needs dots in all.
    pub dots: u32,
    pub buildings: Vec<BuildingNeeds>,
    /// Dots on open ground, by category.
    pub open_space: BTreeMap<String, u32>,
    /// Voting dots by proposal id.
    pub votes: BTreeMap<u32, u32>,
    pub participants: u32,
    /// The ballots the session wrote (replaced when it is saved again).
    pub ballot_ids: Vec<u32>,
}

/// The setting [`NEEDS_SETTING`]: every saved workshop session's needs tally.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WorkshopNeeds {
    pub sessions: Vec<SessionNeeds>,
}

impl WorkshopNeeds {
    /// Reads the setting's value; a missing setting is `None` → empty.
    ///
    /// # Errors
    ///
    /// The JSON error when the stored value is damaged.
    pub fn parse(value: Option<&str>) -> Result<Self, serde_json::Error> {
        value.map_or_else(|| Ok(Self::default()), serde_json::from_str)
    }

    /// Adds `record`, replacing an earlier save of the same session; returns the
    /// ballot ids of the replaced save (to delete), empty when it is new.
    pub fn upsert(&mut self, record: SessionNeeds) -> Vec<u32> {
        match self.sessions.iter_mut().find(|s| s.session == record.session) {
            Some(s) => std::mem::replace(s, record).ballot_ids,
            None => {
                self.sessions.push(record);
                Vec::new()
            }
        }
    }

    /// Needs dots of all sessions by building and category code.
    pub fn totals_by_building(&self) -> BTreeMap<u32, BTreeMap<String, u32>> {
        let mut out: BTreeMap<u32, BTreeMap<String, u32>> = BTreeMap::new();
        for s in &self.sessions {
            for b in &s.buildings {
                let m = out.entry(b.building_id).or_default();
                for (c, n) in &b.needs {
                    *m.entry(c.clone()).or_insert(0) += n;
                }
            }
        }
        out
    }
}

/// The facilitator's countdown. Times are passed in (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timer {
    pub duration_ms: i64,
    elapsed_ms: i64,
    started_at: Option<Millis>,
}

impl Timer {
    /// A stopped timer of `duration_ms`.
    pub fn new(duration_ms: i64) -> Self {
        Self {
            duration_ms: duration_ms.max(0),
            elapsed_ms: 0,
            started_at: None,
        }
    }

    pub fn running(&self) -> bool {
        self.started_at.is_some()
    }

    /// Starts or stops at `now`.
    pub fn toggle(&mut self, now: Millis) {
        match self.started_at.take() {
            Some(t) => self.elapsed_ms += (now - t).max(0),
            None => self.started_at = Some(now),
        }
    }

    /// Stops and sets the time back to the full duration.
    pub fn reset(&mut self) {
        self.elapsed_ms = 0;
        self.started_at = None;
    }

    /// Changes the duration by `delta_ms` (at least one minute remains).
    pub fn adjust(&mut self, delta_ms: i64) {
        self.duration_ms = (self.duration_ms + delta_ms).max(60_000);
    }

    /// Time left at `now`, never negative.
    pub fn remaining(&self, now: Millis) -> i64 {
        let run = self.started_at.map_or(0, |t| (now - t).max(0));
        (self.duration_ms - self.elapsed_ms - run).max(0)
    }
}

/// `mm:ss` of `ms`, seconds rounded up (a countdown shows 00:00 only at the end).
pub fn format_mmss(ms: i64) -> String {
    let s = (ms.max(0) + 999) / 1000;
    format!("{:02}:{:02}", s / 60, s % 60)
}

/// The proposals of the dot voting: those that passed review (feasible, funded or
/// not funded) in the latest period that has any, by id, and that period (`None`
/// when no proposal passed review).
pub fn voting_list(proposals: Vec<Proposal>) -> (Option<String>, Vec<Proposal>) {
    let on_ballot = |p: &Proposal| {
        matches!(
            p.status,
            ProposalStatus::Feasible | ProposalStatus::Funded | ProposalStatus::NotFunded
        )
    };
    let period = proposals
        .iter()
        .filter(|p| on_ballot(p))
        .map(|p| p.period.clone())
        .max();
    let mut list: Vec<Proposal> = proposals
        .into_iter()
        .filter(|p| on_ballot(p) && Some(&p.period) == period.as_ref())
        .collect();
    list.sort_by_key_dyn(|p| p.id);
    (period, list)
}

/// Names used in the CSV file.
#[derive(Debug, Clone)]
pub struct CsvNames<'a> {
    pub zh: bool,
    /// Category display names, in the session's category order.
    pub categories: &'a [String],
    /// Building id → name.
    pub buildings: &'a HashMap<u32, String>,
    /// Proposal id → title.
    pub proposals: &'a HashMap<u32, String>,
}

/// A text cell made safe for spreadsheets ([`crate::csv_cell::escape`]).
fn text(cell: &str) -> String {
    crate::csv_cell::escape(cell)
}

/// The session as one CSV table for the minutes (UTF-8 with BOM, CRLF): a row per
/// building (or open-ground cell) and category with needs dots, then a row per
/// proposal with its voting dots and the participants who approved it. Text cells
/// (building names, titles) are formula-escaped.
pub fn session_csv(s: &Session, n: &CsvNames<'_>) -> String {
    let pick = |zh: &'static str, en: &'static str| if n.zh { zh } else { en };
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{feff}".as_bytes().to_vec());
    let _ = w.write_record([
        pick("类型", "kind"),
        pick("楼栋编号", "building id"),
        pick("位置", "place"),
        pick("类别代码", "category code"),
        pick("类别", "category"),
        pick("提案编号", "proposal id"),
        pick("提案", "proposal"),
        pick("圆点数", "dots"),
        pick("支持人数", "participants approving"),
    ]);
    let mut spots: Vec<(&Spot, &SpotCounts)> = s.spots().collect();
    spots.sort_by_key_dyn(|(spot, _)| **spot);
    for (spot, counts) in spots {
        let (id, place) = match *spot {
            Spot::Building(id) => (
                id.to_string(),
                n.buildings.get(&id).cloned().unwrap_or_else(|| id.to_string()),
            ),
            Spot::Open { x, y } => (
                String::new(),
                format!("{} ({}, {})", pick("空地", "open ground"), x + 1, y + 1),
            ),
        };
        for (i, &count) in counts.by_category.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let code = &s.categories[i];
            let name = n.categories.get(i).cloned().unwrap_or_else(|| code.clone());
            let _ = w.write_record([
                pick("需求", "need").to_owned(),
                id.clone(),
                text(&place),
                text(code),
                text(&name),
                String::new(),
                String::new(),
                count.to_string(),
                String::new(),
            ]);
        }
    }
    let ballots = s.ballots("", 1, 0);
    for (i, &p) in s.proposals.iter().enumerate() {
        let approving = ballots.iter().filter(|b| b.approvals.contains(&p)).count();
        let title = n.proposals.get(&p).cloned().unwrap_or_default();
        let _ = w.write_record([
            pick("投票", "vote").to_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            p.to_string(),
            text(&title),
            s.by_proposal()[i].to_string(),
            approving.to_string(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests;
