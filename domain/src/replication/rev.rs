//! Revision trees with CouchDB's semantics.
//!
//! A revision id is `N-<hex>`: `N` is the generation (1 for a new document, parent + 1
//! after), `<hex>` 32 lowercase hex digits of SHA-256 over the parent revision, the
//! deleted flag and the body ([`RevId::derive`]). The same edit on the same parent gives
//! the same id on every device, so two devices that make the same merge or the same
//! deletion converge without a conflict.
//!
//! A [`RevTree`] is a forest (stemming can cut a path into several roots): every node
//! knows its parent when known. Its **leaves** are the nodes without children; the
//! **winning revision** is chosen exactly like CouchDB: non-deleted leaves first, then the
//! highest generation, then the highest hash (byte order of the string). The other
//! non-deleted leaves are the **conflicts**. [`RevTree::merge_path`] grafts a revision
//! with its `_revisions` ancestry into the tree, as `_bulk_docs` with `new_edits=false`
//! does; it never removes anything.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

/// Hex digits kept of the SHA-256 in a revision id (CouchDB's are 32 too).
pub const HASH_HEX: usize = 32;
/// Largest generation accepted (far beyond any real document; keeps `gen + 1` exact).
pub const MAX_GEN: u64 = 1 << 48;
/// CouchDB's default `_revs_limit`.
pub const DEFAULT_REVS_LIMIT: usize = 1000;

/// Why a revision id or a `_revisions` path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevError {
    /// Not `N-<hex>` with `N ≥ 1`.
    #[error("bad revision id {0:?}")]
    BadRev(String),
    /// `_revisions` is empty, longer than its start, or does not end in the document's rev.
    #[error("bad _revisions for {0}")]
    BadPath(String),
}

/// A revision id: generation and hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RevId {
    pub gen: u64,
    pub hash: String,
}

impl Ord for RevId {
    /// CouchDB's order: generation, then hash.
    fn cmp(&self, other: &Self) -> Ordering {
        (self.gen, self.hash.as_bytes()).cmp(&(other.gen, other.hash.as_bytes()))
    }
}

impl PartialOrd for RevId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for RevId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.gen, self.hash)
    }
}

impl RevId {
    /// Reads `N-<hash>`: `1 ≤ N ≤ MAX_GEN`, a non-empty hash of ASCII letters and digits.
    ///
    /// # Errors
    ///
    /// [`RevError::BadRev`].
    pub fn parse(s: &str) -> Result<Self, RevError> {
        let bad = || RevError::BadRev(s.to_owned());
        let (n, hash) = s.split_once('-').ok_or_else(bad)?;
        let gen: u64 = n.parse().map_err(|_| bad())?;
        if gen == 0 || gen > MAX_GEN || !valid_hash(hash) {
            return Err(bad());
        }
        Ok(Self {
            gen,
            hash: hash.to_owned(),
        })
    }

    /// The id of a new revision: generation `parent + 1` (1 without parent), hash
    /// SHA-256 of `linli-rev/1`, the parent, the deleted flag and the body.
    ///
    /// ```
    /// use linli_domain::replication::rev::RevId;
    /// let a = RevId::derive(None, false, "body");
    /// assert_eq!(a.gen, 1);
    /// assert_eq!(a, RevId::derive(None, false, "body"));
    /// let b = RevId::derive(Some(&a), false, "body 2");
    /// assert_eq!(b.gen, 2);
    /// assert_ne!(RevId::derive(Some(&a), true, "body 2"), b);
    /// ```
    pub fn derive(parent: Option<&RevId>, deleted: bool, body: &str) -> Self {
        let mut h = Sha256::new();
        h.update(b"linli-rev/1\n");
        if let Some(p) = parent {
            h.update(p.to_string().as_bytes());
        }
        h.update(if deleted { b"\n1\n" } else { b"\n0\n" });
        h.update(body.as_bytes());
        let digest = h.finalize();
        let mut hash = String::with_capacity(HASH_HEX);
        for b in digest.iter().take(HASH_HEX / 2) {
            hash.push_str(&format!("{b:02x}"));
        }
        Self {
            gen: parent.map_or(1, |p| p.gen.saturating_add(1)),
            hash,
        }
    }
}

fn valid_hash(h: &str) -> bool {
    !h.is_empty() && h.len() <= 128 && h.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl Serialize for RevId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RevId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// `_revisions` as CouchDB sends it with `revs=true`: the newest generation and the
/// hashes from the revision back to its oldest known ancestor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revisions {
    pub start: u64,
    pub ids: Vec<String>,
}

impl Revisions {
    /// The revision ids of the path, newest first.
    ///
    /// # Errors
    ///
    /// [`RevError::BadPath`] when empty, longer than `start` or a hash is malformed.
    pub fn revs(&self) -> Result<Vec<RevId>, RevError> {
        let bad = || RevError::BadPath(format!("{}-…", self.start));
        if self.ids.is_empty() || self.ids.len() as u64 > self.start || self.start > MAX_GEN {
            return Err(bad());
        }
        self.ids
            .iter()
            .enumerate()
            .map(|(i, h)| {
                if !valid_hash(h) {
                    return Err(bad());
                }
                Ok(RevId {
                    gen: self.start - i as u64,
                    hash: h.clone(),
                })
            })
            .collect()
    }
}

/// One node of a tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// The parent when known (`None` for a root or a stemmed path's oldest node).
    pub parent: Option<RevId>,
    pub deleted: bool,
}

/// The revision tree of one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevTree {
    nodes: BTreeMap<RevId, Node>,
}

impl RevTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the tree holds `rev`.
    pub fn contains(&self, rev: &RevId) -> bool {
        self.nodes.contains_key(rev)
    }

    /// The node of `rev`.
    pub fn node(&self, rev: &RevId) -> Option<&Node> {
        self.nodes.get(rev)
    }

    /// Number of revisions.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tree has no revision.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every revision, in [`RevId`] order.
    pub fn revs(&self) -> impl Iterator<Item = &RevId> {
        self.nodes.keys()
    }

    /// Adds a local edit: `rev`'s parent must be in the tree (or `None` for a root).
    /// Returns `false` (and changes nothing) when the revision is already there.
    ///
    /// # Errors
    ///
    /// [`RevError::BadPath`] when the parent is missing or the generation does not follow it.
    pub fn insert(&mut self, rev: RevId, parent: Option<RevId>, deleted: bool) -> Result<bool, RevError> {
        if self.nodes.contains_key(&rev) {
            return Ok(false);
        }
        let ok = match &parent {
            None => rev.gen == 1,
            Some(p) => self.nodes.contains_key(p) && p.gen.checked_add(1) == Some(rev.gen),
        };
        if !ok {
            return Err(RevError::BadPath(rev.to_string()));
        }
        self.nodes.insert(rev, Node { parent, deleted });
        Ok(true)
    }

    /// Grafts `rev` with its ancestry `path` (as `_revisions` gives it, newest first,
    /// `path[0] == rev`) into the tree, like `new_edits=false`. Known nodes are kept; a
    /// node whose parent was unknown (stemmed) learns it. Returns whether `rev` was new.
    ///
    /// # Errors
    ///
    /// [`RevError::BadPath`] when `path` does not start with `rev` or its generations do
    /// not fall by one.
    pub fn merge_path(&mut self, path: &[RevId], deleted: bool) -> Result<bool, RevError> {
        let Some(first) = path.first() else {
            return Err(RevError::BadPath(String::new()));
        };
        if path.windows(2).any(|w| w[1].gen.checked_add(1) != Some(w[0].gen)) {
            return Err(RevError::BadPath(first.to_string()));
        }
        let new = !self.nodes.contains_key(first);
        for (i, rev) in path.iter().enumerate() {
            let parent = path.get(i + 1).cloned();
            match self.nodes.get_mut(rev) {
                Some(node) => {
                    if node.parent.is_none() {
                        node.parent = parent;
                    }
                }
                None => {
                    self.nodes.insert(
                        rev.clone(),
                        Node {
                            parent,
                            deleted: i == 0 && deleted,
                        },
                    );
                }
            }
        }
        Ok(new)
    }

    fn children(&self) -> BTreeSet<&RevId> {
        self.nodes.values().filter_map(|n| n.parent.as_ref()).collect()
    }

    /// The leaves, in [`RevId`] order.
    pub fn leaves(&self) -> Vec<RevId> {
        let parents = self.children();
        self.nodes
            .keys()
            .filter(|r| !parents.contains(r))
            .cloned()
            .collect()
    }

    /// The leaves sorted the way CouchDB picks the winner: non-deleted first, then
    /// highest generation, then highest hash. The first is the winner.
    pub fn sorted_leaves(&self) -> Vec<(RevId, bool)> {
        let mut l: Vec<(RevId, bool)> = self
            .leaves()
            .into_iter()
            .map(|r| {
                let d = self.nodes.get(&r).is_some_and(|n| n.deleted);
                (r, d)
            })
            .collect();
        l.sort_by(|a, b| (!b.1, &b.0).cmp(&(!a.1, &a.0)));
        l
    }

    /// The winning revision (`None` for an empty tree).
    pub fn winner(&self) -> Option<RevId> {
        self.sorted_leaves().into_iter().next().map(|(r, _)| r)
    }

    /// Whether the winner is a deletion (the document reads as deleted).
    pub fn is_deleted(&self) -> bool {
        self.sorted_leaves().first().is_some_and(|(_, d)| *d)
    }

    /// The non-deleted leaves other than the winner (CouchDB's `_conflicts`), winner order.
    pub fn conflicts(&self) -> Vec<RevId> {
        self.sorted_leaves()
            .into_iter()
            .skip(1)
            .filter(|(_, d)| !d)
            .map(|(r, _)| r)
            .collect()
    }

    /// The non-deleted leaves, winner first.
    pub fn live_leaves(&self) -> Vec<RevId> {
        self.sorted_leaves()
            .into_iter()
            .filter(|(_, d)| !d)
            .map(|(r, _)| r)
            .collect()
    }

    /// `rev` and its known ancestors, newest first (empty when `rev` is unknown).
    pub fn path(&self, rev: &RevId) -> Vec<RevId> {
        let mut out = Vec::new();
        let mut cur = self.nodes.get_key_value(rev);
        while let Some((r, n)) = cur {
            out.push(r.clone());
            cur = n.parent.as_ref().and_then(|p| self.nodes.get_key_value(p));
        }
        out
    }

    /// Whether `a` is `b` or one of its ancestors.
    pub fn is_ancestor_or_self(&self, a: &RevId, b: &RevId) -> bool {
        self.path(b).iter().any(|r| r == a)
    }

    /// `_revisions` of `rev`, at most `limit` ids (CouchDB's `revs=true`).
    pub fn revisions(&self, rev: &RevId, limit: usize) -> Option<Revisions> {
        let path = self.path(rev);
        if path.is_empty() {
            return None;
        }
        Some(Revisions {
            start: rev.gen,
            ids: path.into_iter().take(limit.max(1)).map(|r| r.hash).collect(),
        })
    }

    /// Stems the tree: keeps only revisions within `limit` of a leaf (CouchDB's
    /// `_revs_limit`); a kept node whose parent is dropped becomes a root.
    pub fn stem(&mut self, limit: usize) {
        let mut keep = BTreeSet::new();
        for leaf in self.leaves() {
            keep.extend(self.path(&leaf).into_iter().take(limit.max(1)));
        }
        self.nodes.retain(|r, _| keep.contains(r));
        for n in self.nodes.values_mut() {
            if n.parent.as_ref().is_some_and(|p| !keep.contains(p)) {
                n.parent = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> RevId {
        RevId::parse(s).unwrap()
    }

    #[test]
    fn parse_and_display_round_trip_and_bad_ids_are_refused() {
        assert_eq!(r("3-abc").to_string(), "3-abc");
        for bad in [
            "",
            "0-abc",
            "x-abc",
            "3-",
            "3",
            "3-a-b",
            "-1-a",
            "18446744073709551615-a",
            "281474976710657-a",
        ] {
            assert!(RevId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn winner_follows_couchdb_order() {
        let mut t = RevTree::new();
        let a1 = r("1-a");
        t.insert(a1.clone(), None, false).unwrap();
        t.insert(r("2-b"), Some(a1.clone()), false).unwrap();
        t.insert(r("2-c"), Some(a1.clone()), false).unwrap();
        assert_eq!(t.winner(), Some(r("2-c")));
        assert_eq!(t.conflicts(), vec![r("2-b")]);
        // A longer branch wins over a higher hash.
        t.insert(r("3-a"), Some(r("2-b")), false).unwrap();
        assert_eq!(t.winner(), Some(r("3-a")));
        // A deleted leaf loses to any live leaf, whatever its generation.
        t.insert(r("4-0"), Some(r("3-a")), true).unwrap();
        assert_eq!(t.winner(), Some(r("2-c")));
        assert!(t.conflicts().is_empty());
        assert!(!t.is_deleted());
        t.insert(r("3-z"), Some(r("2-c")), true).unwrap();
        assert_eq!(t.winner(), Some(r("4-0")));
        assert!(t.is_deleted());
    }

    #[test]
    fn revisions_encode_newest_first_and_merge_path_grafts() {
        let mut t = RevTree::new();
        let p = [r("3-c"), r("2-b"), r("1-a")];
        assert!(t.merge_path(&p, false).unwrap());
        assert!(!t.merge_path(&p, false).unwrap());
        let revs = t.revisions(&r("3-c"), 10).unwrap();
        assert_eq!(revs.start, 3);
        assert_eq!(revs.ids, ["c", "b", "a"]);
        assert_eq!(revs.revs().unwrap(), p.to_vec());
        assert_eq!(t.revisions(&r("3-c"), 2).unwrap().ids, ["c", "b"]);
        // A stemmed path learns its parent later.
        let mut s = RevTree::new();
        s.merge_path(&[r("3-c"), r("2-b")], false).unwrap();
        assert_eq!(s.path(&r("3-c")).len(), 2);
        s.merge_path(&[r("2-b"), r("1-a")], false).unwrap();
        assert_eq!(s.path(&r("3-c")), p.to_vec());
        assert!(t.merge_path(&[r("3-c"), r("1-a")], false).is_err());
        assert!(Revisions {
            start: 1,
            ids: vec!["a".into(), "b".into()]
        }
        .revs()
        .is_err());
    }

    #[test]
    fn stem_keeps_the_last_revisions_of_each_leaf() {
        let mut t = RevTree::new();
        let mut prev: Option<RevId> = None;
        for i in 1..=6u64 {
            let rev = RevId::derive(prev.as_ref(), false, &i.to_string());
            t.insert(rev.clone(), prev, false).unwrap();
            prev = Some(rev);
        }
        let leaf = prev.unwrap();
        t.stem(3);
        assert_eq!(t.len(), 3);
        assert_eq!(t.winner(), Some(leaf.clone()));
        assert_eq!(t.path(&leaf).len(), 3);
    }

    #[test]
    fn insert_refuses_a_missing_parent_or_wrong_generation() {
        let mut t = RevTree::new();
        assert!(t.insert(r("2-a"), None, false).is_err());
        assert!(t.insert(r("2-a"), Some(r("1-x")), false).is_err());
        t.insert(r("1-x"), None, false).unwrap();
        assert!(t.insert(r("3-a"), Some(r("1-x")), false).is_err());
    }
}
