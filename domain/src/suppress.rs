//! Small-cell suppression for published counts (SPEC §2.9): a count of people or
//! households below the minimum cell size could single someone out, so it is not
//! published; and when a table's total is published, one more cell is withheld
//! (complementary suppression) so that the hidden count cannot be worked out as
//! "total minus the others".
//!
//! Rules, for one table of counts whose total is published:
//! 1. **Primary**: every count in `1..min` is withheld. A zero is published (it
//!    reveals no one).
//! 2. **Complementary**: if the withheld cells add up to less than `min` (one
//!    withheld cell, or several small ones), the smallest published non-zero cells
//!    are withheld too, one by one, until the withheld cells add up to at least
//!    `min` — so the total minus the published cells never pins a small group down —
//!    or nothing is left to withhold (then every non-zero cell is withheld).
//!    Ties: the smaller value first, then the later cell.
//!
//! The default minimum is 5; counts about health, disability, income and minors use
//! 10 ([`MIN_CELL`], [`MIN_CELL_SENSITIVE`]).

/// Default minimum cell size.
pub const MIN_CELL: u64 = 5;
/// Minimum cell size for health, disability, income and minors.
pub const MIN_CELL_SENSITIVE: u64 = 10;

/// The publishable version of `counts` (whose total is published): `None` where a
/// count is withheld. See the [module documentation](self) for the rules.
///
/// # Examples
///
/// ```
/// use linli_domain::suppress::suppress;
/// // 3 is withheld; alone it could be derived from the total (33), so the
/// // smallest other non-zero cell (12) is withheld with it.
/// assert_eq!(suppress(&[18, 3, 12, 0], 5), vec![Some(18), None, None, Some(0)]);
/// // Nothing small: everything is published.
/// assert_eq!(suppress(&[18, 6, 12], 5), vec![Some(18), Some(6), Some(12)]);
/// ```
pub fn suppress(counts: &[u64], min: u64) -> Vec<Option<u64>> {
    let mut out: Vec<Option<u64>> = counts
        .iter()
        .map(|&c| (c == 0 || c >= min).then_some(c))
        .collect();
    let mut hidden: u64 = counts
        .iter()
        .zip(&out)
        .filter(|(_, o)| o.is_none())
        .map(|(c, _)| *c)
        .sum();
    if hidden == 0 {
        return out;
    }
    while hidden < min {
        // The smallest published non-zero cell; on ties the later one.
        let next = out
            .iter()
            .enumerate()
            .filter_map(|(i, o)| o.filter(|&c| c > 0).map(|c| (c, i)))
            .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let Some((c, i)) = next else { break };
        out[i] = None;
        hidden += c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn worked_examples() {
        assert_eq!(suppress(&[], 5), Vec::<Option<u64>>::new());
        assert_eq!(suppress(&[0, 0], 5), vec![Some(0), Some(0)]);
        // Two small cells adding up to 4 < 5: a third is withheld (the 7, smallest).
        assert_eq!(suppress(&[2, 2, 7, 30], 5), vec![None, None, None, Some(30)]);
        // Two small cells adding up to 5: enough on their own.
        assert_eq!(suppress(&[2, 3, 7], 5), vec![None, None, Some(7)]);
        // Ties among the candidates: the later cell goes.
        assert_eq!(suppress(&[9, 1, 9], 5), vec![Some(9), None, None]);
        // A single non-zero cell that is small: withheld, nothing else to withhold.
        assert_eq!(suppress(&[0, 4, 0], 5), vec![Some(0), None, Some(0)]);
        // The sensitive minimum.
        assert_eq!(suppress(&[9, 40], MIN_CELL_SENSITIVE), vec![None, None]);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5_000))]

        #[test]
        fn no_small_count_is_published_or_derivable(
            counts in proptest::collection::vec(prop_oneof![0u64..12, 0u64..1_000], 0..12),
            min in 1u64..12,
        ) {
            let out = suppress(&counts, min);
            prop_assert_eq!(out.len(), counts.len());
            for (c, o) in counts.iter().zip(&out) {
                // Published cells are the true counts, and never small.
                if let Some(v) = o {
                    prop_assert_eq!(v, c);
                    prop_assert!(*v == 0 || *v >= min);
                }
            }
            let hidden: Vec<u64> = counts.iter().zip(&out).filter(|(_, o)| o.is_none()).map(|(c, _)| *c).collect();
            // Total minus the published cells = the hidden sum: never a small group
            // pinned down, unless nothing is published at all except zeros.
            let sum: u64 = hidden.iter().sum();
            let all_nonzero_hidden = counts.iter().zip(&out).all(|(c, o)| *c == 0 || o.is_none());
            prop_assert!(hidden.is_empty() || sum >= min || all_nonzero_hidden);
            // Never exactly one hidden non-zero cell next to other published non-zero cells.
            let published_nonzero = out.iter().filter(|o| matches!(o, Some(v) if *v > 0)).count();
            prop_assert!(!(hidden.len() == 1 && published_nonzero > 0 && sum < min));
        }

        #[test]
        fn deterministic_and_independent_of_unrelated_zero_cells(
            counts in proptest::collection::vec(0u64..50, 0..10),
            min in 1u64..12,
        ) {
            let a = suppress(&counts, min);
            prop_assert_eq!(&a, &suppress(&counts, min));
            let mut with_zero = counts.clone();
            with_zero.push(0);
            let b = suppress(&with_zero, min);
            prop_assert_eq!(&b[..counts.len()], &a[..]);
            prop_assert_eq!(b[counts.len()], Some(0));
        }
    }
}
