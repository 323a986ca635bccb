//! The requests section of a snapshot: statuses keyed by a salted hash of the tracking
//! code, so that a resident who has a code can find their request and nobody can list the
//! codes or tell a request's urgency colour from what is published (issue #15, item 5).
//!
//! # Layout (snapshot layout version 4)
//!
//! The section is kept **outside** the hashed content, sealed by it: the content holds
//! `requests_sha256`, the SHA-256 of the section's bytes ([`digest`]). A history file
//! carries the section after the content (`…,"content":{…},"texts":{…},"requests":{…}}`);
//! the published `snapshot.json` leaves it out and `requests.json` beside it holds exactly
//! those bytes, so the residents' first load does not carry every request (about 10 KB
//! brotli for the demo's 562): the dashboard fetches it when a resident looks a code up and
//! checks it against the content ([`super::file::decode_requests`]).
//!
//! ```json
//! "requests": {
//!   "salt": "<32 hex: 128-bit salt of this snapshot>",
//!   "entries": [ { "key": "<20 hex>", "status": "in_progress",
//!                  "history": [ {"status": "received", "date": "2026-03-02"}, … ] }, … ]
//! }
//! ```
//!
//! - `salt` = [`Salter::for_dataset`]`(d).salt("requests", sequence, "")`: secret-derived,
//!   new for every snapshot (so keys of one snapshot cannot be matched with the next one's
//!   without the code), deterministic (the workspace and `linli publish` write the same
//!   bytes).
//! - `key` = lower-case hex of the first [`KEY_BYTES`] (10) bytes of SHA-256(salt bytes ‖
//!   canonical code), the canonical code being the 17 upper-case symbols
//!   [`TrackingCode::parse`] reads from whatever the resident types (case, spaces, hyphens,
//!   `O`→`0`, `I`/`L`→`1`). [`request_key`] is the one function that computes it, for the
//!   builder and for the dashboard.
//! - `history`: each status reached and its day (`YYYY-MM-DD`, China Standard Time). No
//!   due day and no time of day: the received→due gap gave the urgency colour away (red 24
//!   hours, yellow 3 and blue 7 working days). The resident was told their due day when the
//!   request was taken in.
//! - `overdue_since` (issue #17, item 11; absent otherwise): for a request still open
//!   (received, assigned, in progress) whose due time had passed at publication, the first
//!   day it was overdue (China Standard Time), so the dashboard can say "overdue since"
//!   rather than a bare "in progress". Residual: for these requests only, the gap from the
//!   received day tells the urgency colour; published because a resident waiting past the
//!   promised day must be told so.
//! - entries sorted by key, so their order says nothing about when they were received.
//!
//! [`violations`] is the privacy checker's part for this section: every string in it must
//! have one of the shapes above (hex of the right length, a status code, a date), so a raw
//! tracking code (17 symbols, with or without hyphens) in any of its fields is refused.

use crate::order::SortDyn;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::salt::{hex, Salter, SALT_LEN};
use super::StatusDay;
use crate::dataset::Dataset;
use crate::model::RequestStatus;
use crate::requests::tracking::TrackingCode;

/// The `purpose` of the requests salt ([`Salter::salt`]).
pub const SALT_PURPOSE: &str = "requests";
/// Bytes of SHA-256 kept in a key: 80 bits, as many as a code's random bits, so a key is
/// no shortcut for guessing codes (finding a code with a given key takes about 2^80 tries,
/// as guessing a code does), and two codes of one snapshot share a key with a chance of
/// about n²/2^81 (10^-16 for 10,000 requests). Each further byte costs about 560 bytes
/// brotli on the demo's snapshot (562 requests) in the dashboard's 200 KiB first load; the
/// whole digest would cost 10 KiB.
pub const KEY_BYTES: usize = 10;
/// Hex digits of a key.
pub const KEY_HEX_LEN: usize = KEY_BYTES * 2;

/// The requests section of a snapshot (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestsPublic {
    /// This snapshot's salt, [`SALT_LEN`] bytes as lower-case hex; empty only when there
    /// are no entries (a snapshot read for its seal only).
    pub salt: String,
    /// By key.
    pub entries: Vec<RequestPublic>,
}

/// A request as published: the salted hash of its code, its status and the day of each
/// status change. Nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestPublic {
    /// [`request_key`] of the tracking code with the section's salt.
    pub key: String,
    pub status: String,
    /// Each status change: status and day, oldest first.
    pub history: Vec<StatusDay>,
    /// For a request open past its due time at publication: the first overdue day
    /// (`YYYY-MM-DD`, China Standard Time). Left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue_since: Option<String>,
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    let nib = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    b.chunks(2)
        .map(|p| Some((nib(p[0])? << 4) | nib(p[1])?))
        .collect()
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// The lookup key of a typed tracking `code` under the section's `salt_hex`: lower-case hex
/// of the first [`KEY_BYTES`] bytes of SHA-256(salt ‖ canonical code). `None` when the salt is not [`SALT_LEN`] bytes of
/// lower-case hex or the code does not read as a tracking code ([`TrackingCode::parse`]:
/// wrong length, a foreign character, a check symbol that does not match).
///
/// The same request gives the same key however the resident types its code.
///
/// # Examples
///
/// ```
/// use linli_domain::snapshot::request_key;
/// use linli_domain::requests::tracking::TrackingCode;
/// let salt = "00112233445566778899aabbccddeeff";
/// let code = TrackingCode::from_random([7, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
/// let key = request_key(salt, code.as_str()).unwrap();
/// assert_eq!(key.len(), 20);
/// // Lower case, hyphens, spaces: the same key.
/// let typed = format!(" {} ", code.display().to_lowercase());
/// assert_eq!(request_key(salt, &typed), Some(key.clone()));
/// // Another salt, another key; a mistyped code or a bad salt, none.
/// assert_ne!(request_key("ffeeddccbbaa99887766554433221100", code.as_str()), Some(key));
/// assert_eq!(request_key(salt, "ZZZZ-ZZZZ"), None);
/// assert_eq!(request_key("xyz", code.as_str()), None);
/// ```
#[must_use]
pub fn request_key(salt_hex: &str, code: &str) -> Option<String> {
    if !is_hex(salt_hex, SALT_LEN * 2) {
        return None;
    }
    let salt = unhex(salt_hex)?;
    let code = TrackingCode::parse(code).ok()?;
    let mut h = Sha256::new();
    h.update(&salt);
    h.update(code.as_str().as_bytes());
    Some(hex(&h.finalize()[..KEY_BYTES]))
}

/// The section as written in a snapshot file and in `requests.json` (compact JSON).
#[must_use]
pub fn encode(r: &RequestsPublic) -> String {
    // A plain struct of strings cannot fail to serialise.
    serde_json::to_string(r).unwrap_or_default()
}

/// The SHA-256 (lower-case hex) of [`encode`]`(r)`: what the content's `requests_sha256`
/// holds, so the content's hash seals the section kept outside it.
#[must_use]
pub fn digest(r: &RequestsPublic) -> String {
    crate::backup::sha256_hex(encode(r).as_bytes())
}

/// The requests section of snapshot `sequence` of `d`: every request, keyed, sorted by key.
/// A stored code that does not read as a tracking code (never written by the app) is left
/// out rather than published raw.
pub(super) fn section(d: &Dataset, sequence: u32, published_at: i64) -> RequestsPublic {
    use crate::requests::{calendar::local_day, lifecycle::is_open};
    let salt = Salter::for_dataset(d).salt_hex(SALT_PURPOSE, sequence, "");
    // The due time is an exclusive midnight: its day is the first overdue day.
    let overdue: std::collections::BTreeMap<&str, String> = d
        .requests
        .iter()
        .filter(|r| is_open(r.status) && published_at >= r.due_at)
        .map(|r| {
            (
                r.tracking_code.as_str(),
                crate::date::iso_date(local_day(r.due_at)),
            )
        })
        .collect();
    let mut entries: Vec<RequestPublic> = crate::requests::public_statuses(&d.requests)
        .into_iter()
        .filter_map(|(code, p)| {
            Some(RequestPublic {
                overdue_since: overdue.get(code.as_str()).cloned(),
                key: request_key(&salt, &code)?,
                status: p.status.code().to_owned(),
                history: p
                    .timeline
                    .into_iter()
                    .map(|(s, date)| StatusDay {
                        status: s.code().to_owned(),
                        date,
                    })
                    .collect(),
            })
        })
        .collect();
    entries.sort_by_dyn(|a, b| a.key.cmp(&b.key));
    RequestsPublic { salt, entries }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// Every rule the requests section of a snapshot breaks, as `(path, reason)`: a salt that
/// is not 32 lower-case hex digits, a key that is not 20, keys not strictly increasing (so
/// order leaks nothing and no key repeats), a status that is not a status code, a date that
/// is not `YYYY-MM-DD`. Since every field must have one of these shapes, a raw tracking
/// code anywhere in the section is refused.
///
/// # Examples
///
/// ```
/// use linli_domain::snapshot::{build, requests_public::violations, BuildOptions};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig { households: 80, ..Default::default() });
/// let mut s = build(&d, &BuildOptions::at(0)).unwrap();
/// assert!(violations(&s.requests).is_empty());
/// s.requests.entries[0].key = d.requests[0].tracking_code.clone();
/// assert_eq!(violations(&s.requests)[0].0, "requests.entries[0].key");
/// ```
#[must_use]
pub fn violations(r: &RequestsPublic) -> Vec<(String, String)> {
    let mut v = Vec::new();
    if !(is_hex(&r.salt, SALT_LEN * 2) || (r.salt.is_empty() && r.entries.is_empty())) {
        v.push((
            "requests.salt".to_owned(),
            format!("not {} lower-case hex digits", SALT_LEN * 2),
        ));
    }
    let status_ok = |s: &str| RequestStatus::from_code(s).is_some();
    for (i, e) in r.entries.iter().enumerate() {
        let path = format!("requests.entries[{i}]");
        if !is_hex(&e.key, KEY_HEX_LEN) {
            v.push((
                format!("{path}.key"),
                format!("not a salted hash of a tracking code ({KEY_HEX_LEN} lower-case hex digits)"),
            ));
        } else if i > 0 && r.entries[i - 1].key >= e.key {
            v.push((
                format!("{path}.key"),
                "entries are not in strictly increasing key order".to_owned(),
            ));
        }
        if !status_ok(&e.status) {
            v.push((format!("{path}.status"), "not a request status".to_owned()));
        }
        for (j, h) in e.history.iter().enumerate() {
            if !status_ok(&h.status) {
                v.push((
                    format!("{path}.history[{j}].status"),
                    "not a request status".to_owned(),
                ));
            }
            if !is_date(&h.date) {
                v.push((
                    format!("{path}.history[{j}].date"),
                    "not a YYYY-MM-DD date".to_owned(),
                ));
            }
        }
        if e.overdue_since.as_deref().is_some_and(|s| !is_date(s)) {
            v.push((
                format!("{path}.overdue_since"),
                "not a YYYY-MM-DD date".to_owned(),
            ));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{generate, DemoConfig};
    use proptest::prelude::*;

    const SALT: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

    /// The ways a resident may type `code`: case, hyphens, spaces, Crockford confusables.
    fn typed_variants(code: &TrackingCode) -> Vec<String> {
        let d = code.display();
        let confusable = |s: &str| s.replace('0', "o").replace('1', "l");
        vec![
            code.as_str().to_owned(),
            d.clone(),
            d.to_lowercase(),
            d.replace('-', " "),
            format!("  {}\t", d.to_lowercase()),
            confusable(&d.to_lowercase()),
            d.replace('1', "I").replace('0', "O"),
            code.as_str().chars().flat_map(|c| [c, ' ']).collect(),
        ]
    }

    proptest! {
        #[test]
        fn key_is_stable_under_typing_variants(bytes in proptest::array::uniform10(any::<u8>()),
                                               salt in proptest::array::uniform16(any::<u8>())) {
            let code = TrackingCode::from_random(bytes);
            let salt = hex(&salt);
            let key = request_key(&salt, code.as_str()).unwrap();
            prop_assert!(is_hex(&key, KEY_HEX_LEN));
            for t in typed_variants(&code) {
                prop_assert_eq!(request_key(&salt, &t), Some(key.clone()), "{}", t);
            }
        }

        #[test]
        fn distinct_codes_give_distinct_keys(a in proptest::array::uniform10(any::<u8>()),
                                             b in proptest::array::uniform10(any::<u8>())) {
            let (ca, cb) = (TrackingCode::from_random(a), TrackingCode::from_random(b));
            prop_assert_eq!(a == b, request_key(SALT, ca.as_str()) == request_key(SALT, cb.as_str()));
        }
    }

    proptest! {
        // Each case generates and publishes a community: a few dozen cases.
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// No tracking code, in any of its typed forms, nor a piece of one, appears in the
        /// serialized snapshot, for communities of any size.
        #[test]
        fn no_code_in_the_serialized_snapshot(households in 8u32..200, seed in 0u64..1000) {
            let d = generate(&DemoConfig { households, seed, ..Default::default() });
            let s = super::super::build(&d, &super::super::BuildOptions::at(1_790_000_000_000)).unwrap();
            let json = serde_json::to_string(&s).unwrap();
            prop_assert_eq!(s.requests.entries.len(), d.requests.len());
            for r in &d.requests {
                let c = TrackingCode::parse(&r.tracking_code).unwrap();
                for form in [c.as_str().to_owned(), c.display(), c.as_str().to_lowercase(), c.display().to_lowercase()] {
                    prop_assert!(!json.contains(&form), "{} published", form);
                }
                // Every 8-symbol piece of the code is absent too.
                for w in c.as_str().as_bytes().windows(8) {
                    let w = std::str::from_utf8(w).unwrap();
                    prop_assert!(!json.contains(w), "a piece {} of a code is published", w);
                }
            }
            prop_assert!(violations(&s.requests).is_empty());
        }
    }

    #[test]
    fn overdue_since_only_for_open_requests_past_their_due_time() {
        use crate::requests::lifecycle::is_open;
        let d = generate(&DemoConfig {
            households: 80,
            ..Default::default()
        });
        let at = d.requests.iter().map(|r| r.due_at).max().unwrap() + 1;
        let s = section(&d, 1, at);
        let mut open = 0;
        for r in &d.requests {
            let key = request_key(&s.salt, &r.tracking_code).unwrap();
            let e = s.entries.iter().find(|e| e.key == key).unwrap();
            if is_open(r.status) {
                open += 1;
                let day = crate::date::iso_date(crate::requests::calendar::local_day(r.due_at));
                assert_eq!(e.overdue_since.as_deref(), Some(day.as_str()));
            } else {
                assert_eq!(e.overdue_since, None);
            }
        }
        assert!(open > 0);
        assert!(violations(&s).is_empty());
        // Before every due time: none.
        let early = d.requests.iter().map(|r| r.due_at).min().unwrap() - 1;
        assert!(section(&d, 1, early)
            .entries
            .iter()
            .all(|e| e.overdue_since.is_none()));
    }

    #[test]
    fn section_keys_every_request_with_the_published_salt() {
        let d = generate(&DemoConfig {
            households: 120,
            ..Default::default()
        });
        let s = section(&d, 3, 0);
        assert_eq!(s.salt, Salter::for_dataset(&d).salt_hex(SALT_PURPOSE, 3, ""));
        assert_eq!(s.entries.len(), d.requests.len());
        assert!(s.entries.windows(2).all(|w| w[0].key < w[1].key), "sorted by key");
        for r in &d.requests {
            let key = request_key(&s.salt, &r.tracking_code).unwrap();
            let e = s
                .entries
                .iter()
                .find(|e| e.key == key)
                .expect("found by its code");
            assert_eq!(e.status, r.status.code());
            assert_eq!(e.history.len(), r.history.len());
        }
        // A new salt every snapshot: no key of snapshot 3 is in snapshot 4.
        let next = section(&d, 4, 0);
        assert_ne!(next.salt, s.salt);
        assert!(next
            .entries
            .iter()
            .all(|e| s.entries.binary_search_by(|x| x.key.cmp(&e.key)).is_err()));
        // Order is not received order: sorting by key shuffles the register's order.
        let by_key: Vec<usize> = s
            .entries
            .iter()
            .map(|e| {
                d.requests
                    .iter()
                    .position(|r| request_key(&s.salt, &r.tracking_code).as_deref() == Some(&e.key))
                    .unwrap()
            })
            .collect();
        assert!(by_key.windows(2).any(|w| w[0] > w[1]));
    }

    #[test]
    fn a_raw_code_anywhere_in_the_section_is_refused() {
        let d = generate(&DemoConfig {
            households: 80,
            ..Default::default()
        });
        let good = section(&d, 1, 0);
        assert!(violations(&good).is_empty());
        let code = d.requests[0].tracking_code.clone();
        let display = TrackingCode::parse(&code).unwrap().display();
        let mut cases: Vec<(RequestsPublic, &str)> = Vec::new();
        let mut s = good.clone();
        s.entries[0].key = code.clone();
        cases.push((s, "requests.entries[0].key"));
        let mut s = good.clone();
        s.entries[1].key = display.to_lowercase();
        cases.push((s, "requests.entries[1].key"));
        let mut s = good.clone();
        s.entries[0].status = code.clone();
        cases.push((s, "requests.entries[0].status"));
        let mut s = good.clone();
        s.entries[0].history[0].date = display.clone();
        cases.push((s, "requests.entries[0].history[0].date"));
        let mut s = good.clone();
        s.entries[0].history[0].status = display.clone();
        cases.push((s, "requests.entries[0].history[0].status"));
        let mut s = good.clone();
        s.salt = code.clone();
        cases.push((s, "requests.salt"));
        for (s, path) in cases {
            let v = violations(&s);
            assert!(v.iter().any(|(p, _)| p == path), "{path}: {v:?}");
        }
        // Out of order or repeated keys.
        let mut s = good.clone();
        s.entries.swap(0, 1);
        assert!(!violations(&s).is_empty());
        let mut s = good;
        s.entries[1] = s.entries[0].clone();
        assert_eq!(violations(&s)[0].0, "requests.entries[1].key");
        // An empty section (an older layout read for its seal) is fine.
        assert!(violations(&RequestsPublic::default()).is_empty());
    }
}
