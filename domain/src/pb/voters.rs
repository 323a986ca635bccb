//! The voters of an instance, stored column by column.
//!
//! A pabulib file can hold millions of ballots. One `struct` per voter with a `String` id,
//! a `Vec` ballot and a `Vec<String>` of extra cells costs five or more heap blocks per
//! voter: a 150 MB file took 3.5 GB (23× its size). Here every column is one buffer: the ids
//! end to end in one `String`, the ballots end to end in one `Vec<u32>`, the extra cells end
//! to end in one `String`, each with its `u32` end offsets, so a voter costs about its bytes
//! in the file plus a few offsets (about 2× the file in all). Offsets are `u32`: a column
//! holds at most 4 GiB, which [`Instance::from_pb_str`](super::Instance::from_pb_str)
//! guarantees by refusing larger files.
//!
//! Voters are read as [`VoterRef`]s ([`Voters::get`], [`Voters::iter`]); an owned
//! [`Voter`] is the unit of building ([`Voters::push`], `collect()`) and of serde (a
//! `Voters` serialises as a list of `Voter`s).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One voter (a row of VOTES) with an approval ballot, owned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voter {
    /// Its id (first column).
    pub id: String,
    /// Approved projects, as indices into [`Instance::projects`](super::Instance::projects),
    /// without repetition, in the order of the `vote` cell. May be empty (an empty ballot
    /// still counts as a voter).
    pub ballot: Vec<usize>,
    /// The other cells of the row, in header order, skipping the id column and `vote`.
    pub extra: Vec<String>,
}

/// One voter as stored in [`Voters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VoterRef<'a> {
    /// Its id (first column).
    pub id: &'a str,
    /// Approved projects, as indices into [`Instance::projects`](super::Instance::projects),
    /// without repetition, in the order of the `vote` cell. May be empty.
    pub ballot: &'a [u32],
    extra_text: &'a str,
    extra_ends: &'a [u32],
    extra_start: u32,
}

impl<'a> VoterRef<'a> {
    /// The other cells of the row, in header order, skipping the id column and `vote`.
    pub fn extra(&self) -> impl ExactSizeIterator<Item = &'a str> + 'a {
        let (text, ends, mut start) = (self.extra_text, self.extra_ends, self.extra_start);
        ends.iter().map(move |&end| {
            let cell = &text[start as usize..end as usize];
            start = end;
            cell
        })
    }

    /// The number of extra cells.
    #[must_use]
    pub fn extra_len(&self) -> usize {
        self.extra_ends.len()
    }

    /// An owned copy.
    #[must_use]
    pub fn to_voter(&self) -> Voter {
        Voter {
            id: self.id.to_owned(),
            ballot: self.ballot.iter().map(|&p| p as usize).collect(),
            extra: self.extra().map(str::to_owned).collect(),
        }
    }
}

/// A column would pass 4 GiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the voters take more than 4 GiB")]
pub struct VotersFull;

/// The voters of an instance in file order, column by column (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Voters {
    ids: String,
    id_end: Vec<u32>,
    approvals: Vec<u32>,
    ballot_end: Vec<u32>,
    extra: String,
    /// End of each extra cell, all voters together.
    extra_end: Vec<u32>,
    /// Per voter: the index in `extra_end` after its last cell.
    extra_cells_end: Vec<u32>,
}

fn offset(n: usize) -> Result<u32, VotersFull> {
    u32::try_from(n).map_err(|_| VotersFull)
}

impl Voters {
    /// No voters.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of voters.
    #[must_use]
    pub fn len(&self) -> usize {
        self.id_end.len()
    }

    /// Whether there are no voters.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.id_end.is_empty()
    }

    /// Voter `i`, or `None` past the end.
    #[must_use]
    pub fn get(&self, i: usize) -> Option<VoterRef<'_>> {
        let id_end = *self.id_end.get(i)? as usize;
        let id_start = if i == 0 { 0 } else { self.id_end[i - 1] as usize };
        let b_end = self.ballot_end[i] as usize;
        let b_start = if i == 0 {
            0
        } else {
            self.ballot_end[i - 1] as usize
        };
        let c_end = self.extra_cells_end[i] as usize;
        let c_start = if i == 0 {
            0
        } else {
            self.extra_cells_end[i - 1] as usize
        };
        let extra_start = if c_start == 0 {
            0
        } else {
            self.extra_end[c_start - 1]
        };
        Some(VoterRef {
            id: &self.ids[id_start..id_end],
            ballot: &self.approvals[b_start..b_end],
            extra_text: &self.extra,
            extra_ends: &self.extra_end[c_start..c_end],
            extra_start,
        })
    }

    /// Every voter, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = VoterRef<'_>> + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or_else(|| unreachable!("i < len")))
    }

    /// Appends a voter.
    ///
    /// # Errors
    /// [`VotersFull`] if a column would pass 4 GiB (nothing is appended then).
    pub fn push<'s>(
        &mut self,
        id: &str,
        ballot: impl IntoIterator<Item = u32>,
        extra: impl IntoIterator<Item = &'s str>,
    ) -> Result<(), VotersFull> {
        let (ids, approvals, text, cells) = (
            self.ids.len(),
            self.approvals.len(),
            self.extra.len(),
            self.extra_end.len(),
        );
        let result = self.push_inner(id, ballot, extra);
        if result.is_err() {
            self.ids.truncate(ids);
            self.approvals.truncate(approvals);
            self.extra.truncate(text);
            self.extra_end.truncate(cells);
        }
        result
    }

    fn push_inner<'s>(
        &mut self,
        id: &str,
        ballot: impl IntoIterator<Item = u32>,
        extra: impl IntoIterator<Item = &'s str>,
    ) -> Result<(), VotersFull> {
        self.ids.push_str(id);
        let id_end = offset(self.ids.len())?;
        self.approvals.extend(ballot);
        let ballot_end = offset(self.approvals.len())?;
        for cell in extra {
            self.extra.push_str(cell);
            self.extra_end.push(offset(self.extra.len())?);
        }
        let cells_end = offset(self.extra_end.len())?;
        self.id_end.push(id_end);
        self.ballot_end.push(ballot_end);
        self.extra_cells_end.push(cells_end);
        Ok(())
    }

    /// Appends an owned voter (ballot indices above `u32::MAX` are kept as `u32::MAX`, which
    /// [`Instance::validate`](super::Instance::validate) refuses as out of range).
    ///
    /// # Errors
    /// [`VotersFull`].
    pub fn push_voter(&mut self, v: &Voter) -> Result<(), VotersFull> {
        self.push(
            &v.id,
            v.ballot.iter().map(|&p| u32::try_from(p).unwrap_or(u32::MAX)),
            v.extra.iter().map(String::as_str),
        )
    }

    /// Replaces the extra cells of the last voter (a no-op without voters).
    pub fn set_last_extra<'s>(&mut self, extra: impl IntoIterator<Item = &'s str>) -> Result<(), VotersFull> {
        let Some(last) = self.len().checked_sub(1) else {
            return Ok(());
        };
        let c_start = if last == 0 {
            0
        } else {
            self.extra_cells_end[last - 1] as usize
        };
        let text_start = if c_start == 0 {
            0
        } else {
            self.extra_end[c_start - 1] as usize
        };
        self.extra.truncate(text_start);
        self.extra_end.truncate(c_start);
        for cell in extra {
            self.extra.push_str(cell);
            self.extra_end.push(offset(self.extra.len())?);
        }
        self.extra_cells_end[last] = offset(self.extra_end.len())?;
        Ok(())
    }

    /// The bytes this takes on the heap (capacities of its buffers).
    #[must_use]
    pub fn heap_bytes(&self) -> usize {
        self.ids.capacity()
            + self.extra.capacity()
            + 4 * (self.id_end.capacity()
                + self.approvals.capacity()
                + self.ballot_end.capacity()
                + self.extra_end.capacity()
                + self.extra_cells_end.capacity())
    }

    /// Frees spare capacity (after reading a file).
    pub fn shrink_to_fit(&mut self) {
        self.ids.shrink_to_fit();
        self.id_end.shrink_to_fit();
        self.approvals.shrink_to_fit();
        self.ballot_end.shrink_to_fit();
        self.extra.shrink_to_fit();
        self.extra_end.shrink_to_fit();
        self.extra_cells_end.shrink_to_fit();
    }

    /// The ids, for a lookup structure that keeps only indices.
    pub(crate) fn id(&self, i: usize) -> &str {
        let end = self.id_end[i] as usize;
        let start = if i == 0 { 0 } else { self.id_end[i - 1] as usize };
        &self.ids[start..end]
    }
}

impl FromIterator<Voter> for Voters {
    /// # Panics
    /// If the voters take more than 4 GiB.
    fn from_iter<I: IntoIterator<Item = Voter>>(iter: I) -> Self {
        let mut out = Voters::new();
        for v in iter {
            out.push_voter(&v).unwrap_or_else(|e| panic!("{e}"));
        }
        out
    }
}

impl Serialize for Voters {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Row<'a> {
            id: &'a str,
            ballot: &'a [u32],
            extra: Vec<&'a str>,
        }
        s.collect_seq(self.iter().map(|v| Row {
            id: v.id,
            ballot: v.ballot,
            extra: v.extra().collect(),
        }))
    }
}

impl<'de> Deserialize<'de> for Voters {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let rows = Vec::<Voter>::deserialize(d)?;
        let mut out = Voters::new();
        for v in &rows {
            out.push_voter(v).map_err(serde::de::Error::custom)?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_give_back_every_voter() {
        let owned = vec![
            Voter {
                id: "v1".into(),
                ballot: vec![2, 0],
                extra: vec!["34".into(), "".into()],
            },
            Voter {
                id: "投票人".into(),
                ballot: vec![],
                extra: vec![],
            },
            Voter {
                id: "v3".into(),
                ballot: vec![1],
                extra: vec!["a;b".into()],
            },
        ];
        let mut voters: Voters = owned.iter().cloned().collect();
        assert_eq!(voters.len(), 3);
        let back: Vec<Voter> = voters.iter().map(|v| v.to_voter()).collect();
        assert_eq!(back, owned);
        assert_eq!(voters.get(0).unwrap().ballot, [2, 0]);
        assert_eq!(voters.get(2).unwrap().extra().collect::<Vec<_>>(), ["a;b"]);
        assert!(voters.get(3).is_none());
        voters.set_last_extra(["x", "y"]).unwrap();
        assert_eq!(voters.get(2).unwrap().extra().collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(voters.get(0).unwrap().extra_len(), 2);
        let json = serde_json::to_string(&voters).unwrap();
        assert_eq!(serde_json::from_str::<Voters>(&json).unwrap(), voters);
        assert!(
            json.starts_with(r#"[{"id":"v1","ballot":[2,0],"extra":["34",""]}"#),
            "{json}"
        );
    }
}
