//! The register's one search box: a guide types what they know — a building
//! (`12幢`, `12`), a room (`1203`, `2-1203`), a name (`王`, `王芳`) or the last
//! digits of a phone (`5678`) — and every household that matches each typed
//! word is found.
//!
//! Each word (split at spaces and `，`/`,`) must match one of:
//! - the building: its name contains the word (`12幢`), or a word of digits
//!   is the building's number (`12` for `12幢`, but `1` does not find `12幢`);
//! - the room: equal (`1203`), or `unit-room` (`2-1203`);
//! - the contact's name contains the word (the name the list shows);
//! - the phone: ends with the word, when the word is 3 or more digits.
//!
//! Matching ignores case and spaces around a word. The search runs in memory on
//! the register's loaded households (100,000 in a few milliseconds).
//!
//! ```
//! use linli_domain::register_search::{matches, Query};
//! let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig { households: 20, ..Default::default() });
//! let h = &d.households[3];
//! let b = d.buildings.iter().find(|b| b.id == h.building_id).unwrap();
//! assert!(matches(&Query::new(&b.name), h, &b.name));
//! assert!(matches(&Query::new(&h.room), h, &b.name));
//! let tail = &h.contact_phone[h.contact_phone.len() - 4..];
//! assert!(matches(&Query::new(tail), h, &b.name));
//! assert!(!matches(&Query::new("不存在的名字"), h, &b.name));
//! ```

use crate::model::Household;

/// A parsed search text: its words, lower-cased.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    words: Vec<String>,
}

impl Query {
    /// Parses what was typed.
    pub fn new(text: &str) -> Self {
        let words = text
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、'))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        Self { words }
    }

    /// Whether nothing was typed (every household matches).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }
}

/// Whether household `h`, in the building named `building`, matches every word of `q`.
pub fn matches(q: &Query, h: &Household, building: &str) -> bool {
    q.words.iter().all(|w| word_matches(w, h, building))
}

fn word_matches(w: &str, h: &Household, building: &str) -> bool {
    let building = building.to_lowercase();
    let digits_only = w.bytes().all(|b| b.is_ascii_digit());
    if number_of(&building).is_some_and(|n| n == w) || (!digits_only && building.contains(w)) {
        return true;
    }
    let room = h.room.trim().to_lowercase();
    if room == w || format!("{}-{room}", h.unit) == w {
        return true;
    }
    if h.contact_name.to_lowercase().contains(w) {
        return true;
    }
    let digits: String = h.contact_phone.chars().filter(char::is_ascii_digit).collect();
    digits_only && w.len() >= 3 && digits.ends_with(w)
}

/// The leading number of a building name (`12` of `12幢`, of `12号楼`).
fn number_of(name: &str) -> Option<&str> {
    let end = name.find(|c: char| !c.is_ascii_digit()).unwrap_or(name.len());
    (end > 0).then(|| &name[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{generate, DemoConfig};
    use proptest::prelude::*;

    fn data() -> crate::dataset::Dataset {
        generate(&DemoConfig {
            households: 60,
            ..DemoConfig::default()
        })
    }

    fn name_of(d: &crate::dataset::Dataset, h: &Household) -> String {
        d.buildings
            .iter()
            .find(|b| b.id == h.building_id)
            .map(|b| b.name.clone())
            .unwrap_or_default()
    }

    #[test]
    fn building_number_room_and_unit_room() {
        let d = data();
        let h = &d.households[7];
        let b = name_of(&d, h);
        let n = number_of(&b).expect("demo buildings are numbered").to_owned();
        assert!(matches(&Query::new(&n), h, &b));
        assert!(matches(&Query::new(&format!("{}-{}", h.unit, h.room)), h, &b));
        assert!(matches(&Query::new(&format!("{b} {}", h.room)), h, &b));
        // A building number is not a prefix: 1 does not find 12幢 (through the building).
        let bare = Household {
            room: "x".into(),
            contact_name: String::new(),
            contact_phone: String::new(),
            members: Vec::new(),
            ..h.clone()
        };
        assert!(matches(&Query::new("12"), &bare, "12幢"));
        assert!(!matches(&Query::new("1"), &bare, "12幢"));
        assert!(matches(&Query::new("12幢"), &bare, "12幢"));
        assert!(!matches(&Query::new("13幢"), &bare, "12幢"));
        // Two digits are too few for a phone's end.
        let two = &h.contact_phone[h.contact_phone.len() - 2..];
        let only_phone = Household {
            room: "x".into(),
            contact_name: String::new(),
            members: Vec::new(),
            ..h.clone()
        };
        assert!(!matches(&Query::new(two), &only_phone, "楼"));
    }

    proptest! {
        /// Every household is found by its building, its room, its contact's
        /// surname and its phone's last 4 digits; a word found nowhere finds nothing.
        #[test]
        fn each_household_is_found_by_what_a_guide_knows(i in 0usize..60, k in 3usize..=6) {
            let d = data();
            let h = &d.households[i];
            let b = name_of(&d, h);
            let tail = &h.contact_phone[h.contact_phone.len() - k..];
            for text in [b.clone(), h.room.clone(), h.contact_name.chars().take(1).collect(), tail.to_owned()] {
                prop_assert!(matches(&Query::new(&text), h, &b), "{text} does not find {}", h.id);
            }
            prop_assert!(!matches(&Query::new("zz-not-there"), h, &b));
            // More words narrow: the result for two words is in the result for each.
            let two = Query::new(&format!("{b} {}", h.room));
            for o in &d.households {
                let ob = name_of(&d, o);
                if matches(&two, o, &ob) {
                    prop_assert!(matches(&Query::new(&b), o, &ob) && matches(&Query::new(&h.room), o, &ob));
                }
            }
        }
    }
}
