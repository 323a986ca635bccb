//! Stable sorting through one compiled sort.
//!
//! The standard stable sort (`slice::sort_by`, `sort_by_key`, `sort`) is compiled
//! anew for every element type *and* every comparison closure: about 3.5 KB of
//! wasm each, and the workspace sorted in about a hundred places (400 KB of its
//! code was sort instances before this module). [`SortDyn`] sorts the positions
//! `0..n` with the one instance of the standard stable sort over `usize`, calling
//! the comparison through `&mut dyn FnMut`, then moves the elements into that
//! order by following its cycles. Each call site adds only a small closure.
//!
//! The result is the same as the standard stable sort's: equal elements keep
//! their order (a property test checks it against `sort_by`). Costs: one `usize`
//! per element and an indirect call per comparison; sorts here are of at most a
//! few hundred thousand records.

use std::cmp::Ordering;

/// The stable order of `n` positions by `cmp`: `out[i]` is the position of the
/// element that goes to `i`.
fn stable_order(n: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

/// Moves the elements of `v` so that position `i` holds the element that was at
/// `order[i]` (`order` is a permutation of `0..v.len()`).
fn apply<T>(v: &mut [T], mut order: Vec<usize>) {
    const DONE: usize = usize::MAX;
    for start in 0..v.len() {
        if order[start] == DONE {
            continue;
        }
        // Walk the cycle through `start`: each swap puts one element in place and
        // carries the one displaced from `start` along to where it belongs.
        let mut at = start;
        loop {
            let from = order[at];
            order[at] = DONE;
            if from == start {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

/// Stable sorts with one compiled sort for the whole program (see the module docs).
///
/// ```
/// use linli_domain::order::SortDyn;
/// let mut v = vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd')];
/// v.sort_by_key_dyn(|p| p.0);
/// assert_eq!(v, [(1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]);
/// ```
pub trait SortDyn<T> {
    /// As `slice::sort_by`: stable, by `cmp`.
    fn sort_by_dyn(&mut self, cmp: impl FnMut(&T, &T) -> Ordering);
    /// As `slice::sort_by_key`: stable, by the key `key` gives (computed per comparison).
    fn sort_by_key_dyn<K: Ord>(&mut self, key: impl FnMut(&T) -> K);
    /// As `slice::sort`: stable, by `T`'s order.
    fn sort_dyn(&mut self)
    where
        T: Ord;
}

impl<T> SortDyn<T> for [T] {
    fn sort_by_dyn(&mut self, mut cmp: impl FnMut(&T, &T) -> Ordering) {
        let this: &[T] = self;
        let order = stable_order(this.len(), &mut |a, b| cmp(&this[a], &this[b]));
        apply(self, order);
    }

    fn sort_by_key_dyn<K: Ord>(&mut self, mut key: impl FnMut(&T) -> K) {
        self.sort_by_dyn(|a, b| key(a).cmp(&key(b)));
    }

    fn sort_dyn(&mut self)
    where
        T: Ord,
    {
        self.sort_by_dyn(Ord::cmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Same result as the standard stable sort, ties included (the second
        /// component tells equal keys apart after sorting).
        #[test]
        fn equals_the_standard_stable_sort(v in proptest::collection::vec((0u8..6, any::<u16>()), 0..300)) {
            let mut want = v.clone();
            want.sort_by_key(|p| p.0);
            let mut got = v.clone();
            got.sort_by_key_dyn(|p| p.0);
            prop_assert_eq!(&got, &want);
            let mut want = v.clone();
            want.sort_by_key(|p| std::cmp::Reverse(p.1));
            let mut got = v.clone();
            got.sort_by_dyn(|a, b| b.1.cmp(&a.1));
            prop_assert_eq!(&got, &want);
            let mut want = v.clone();
            want.sort();
            let mut got = v;
            got.sort_dyn();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn moves_owned_elements_without_loss() {
        let mut v: Vec<String> = ["d", "b", "a", "c", "b"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        v.sort_dyn();
        assert_eq!(v, ["a", "b", "b", "c", "d"]);
        let mut e: Vec<String> = Vec::new();
        e.sort_dyn();
        assert!(e.is_empty());
    }
}
