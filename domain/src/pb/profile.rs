//! The multiprofile: identical ballots merged into weighted groups (pabutools'
//! `profile.as_multiprofile()`, which the README says gives the same outcomes, only faster).

use std::collections::HashMap;

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
    /// Groups the ballots of `inst`. Out-of-range project indices are ignored (a validated
    /// instance has none).
    pub fn new(inst: &Instance) -> Self {
        let np = inst.projects.len();
        let mut index: HashMap<Vec<u32>, u32> = HashMap::new();
        let mut weights: Vec<u64> = Vec::new();
        let mut keys: Vec<Vec<u32>> = Vec::new();
        for v in &inst.voters {
            let mut key: Vec<u32> = v
                .ballot
                .iter()
                .filter(|&&p| p < np)
                .filter_map(|&p| u32::try_from(p).ok())
                .collect();
            key.sort_unstable();
            key.dedup();
            match index.get(&key) {
                // Group weights stay below 2^32 (MES packs them with the class in a u64);
                // a fuller group is continued in a new group with the same ballot.
                Some(&g) if weights[g as usize] < u64::from(u32::MAX) => weights[g as usize] += 1,
                _ => {
                    let g = u32::try_from(weights.len()).unwrap_or(u32::MAX);
                    index.insert(key.clone(), g);
                    weights.push(1);
                    keys.push(key);
                }
            }
        }
        let mut supporters = vec![Vec::new(); np];
        let mut approvals = vec![0u64; np];
        for (g, key) in keys.iter().enumerate() {
            let g32 = u32::try_from(g).unwrap_or(u32::MAX);
            for &p in key {
                supporters[p as usize].push(g32);
                approvals[p as usize] += weights[g];
            }
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
