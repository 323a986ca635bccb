//! The multiprofile: identical ballots merged into weighted groups (pabutools'
//! `profile.as_multiprofile()`, which the README says gives the same outcomes, only faster).

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use super::instance::Instance;

/// Approval ballots grouped by content.
#[derive(Debug, Clone)]
pub(crate) struct Profile {
    /// Number of voters n, empty ballots included.
    pub n: u64,
    /// Number of voters in each group (below 2^32).
    pub weights: Vec<u64>,
    /// For each project, the groups that approve it (ascending).
    pub supporters: Vec<Vec<u32>>,
    /// For each project, the number of voters that approve it.
    pub approvals: Vec<u64>,
}

impl Profile {
    /// Groups the ballots of `inst`, in order of first appearance. Out-of-range project
    /// indices are ignored (a validated instance has none).
    ///
    /// The groups' ballots are kept end to end in one buffer and found through a hash of
    /// each ballot, so grouping a million distinct ballots costs a few bytes per approval,
    /// not one map entry with its own copy of the ballot.
    pub fn new(inst: &Instance) -> Self {
        const NONE: u32 = u32::MAX;
        let np = inst.projects.len();
        // Group g's sorted ballot is keys[key_end[g - 1]..key_end[g]].
        let mut keys: Vec<u32> = Vec::new();
        let mut key_end: Vec<u32> = Vec::new();
        let mut weights: Vec<u64> = Vec::new();
        // Hash of a ballot → the newest group with that hash; per group, the previous one.
        let mut head: HashMap<u32, u32> = HashMap::new();
        let mut prev: Vec<u32> = Vec::new();
        let mut key: Vec<u32> = Vec::new();
        for v in inst.voters.iter() {
            key.clear();
            key.extend(v.ballot.iter().copied().filter(|&p| (p as usize) < np));
            key.sort_unstable();
            key.dedup();
            let mut h = DefaultHasher::new();
            key.hash(&mut h);
            // 32 bits of the hash: a collision only lengthens a chain.
            let h = h.finish() as u32;
            // The newest group with this ballot (older ones with it are full).
            let mut g = head.get(&h).copied().unwrap_or(NONE);
            while g != NONE {
                let start = if g == 0 {
                    0
                } else {
                    key_end[g as usize - 1] as usize
                };
                if keys[start..key_end[g as usize] as usize] == key[..] {
                    break;
                }
                g = prev[g as usize];
            }
            match g {
                // Group weights stay below 2^32 (MES packs them with the class in a u64);
                // a fuller group is continued in a new group with the same ballot.
                g if g != NONE && weights[g as usize] < u64::from(u32::MAX) => weights[g as usize] += 1,
                _ => {
                    let g = u32::try_from(weights.len()).unwrap_or(NONE);
                    prev.push(head.insert(h, g).unwrap_or(NONE));
                    keys.extend_from_slice(&key);
                    key_end.push(u32::try_from(keys.len()).unwrap_or(u32::MAX));
                    weights.push(1);
                }
            }
        }
        drop(head);
        drop(prev);
        let mut approvals = vec![0u64; np];
        let mut counts = vec![0usize; np];
        for &p in &keys {
            counts[p as usize] += 1;
        }
        let mut supporters: Vec<Vec<u32>> = counts.into_iter().map(Vec::with_capacity).collect();
        let mut start = 0;
        for (g, &end) in key_end.iter().enumerate() {
            let (g32, end) = (u32::try_from(g).unwrap_or(NONE), end as usize);
            for &p in &keys[start..end] {
                supporters[p as usize].push(g32);
                approvals[p as usize] += weights[g];
            }
            start = end;
        }
        Self {
            n: inst.voters.len() as u64,
            weights,
            supporters,
            approvals,
        }
    }

    /// Number of distinct ballots.
    pub fn num_groups(&self) -> usize {
        self.weights.len()
    }
}
