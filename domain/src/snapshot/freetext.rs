//! Published free text: the gate that keeps personal data out of it, the salted per-field
//! commitments that seal it, and redaction.
//!
//! # Which fields
//!
//! [`for_each_text`] visits every user-written text of a [`Content`] with its **path**, a
//! stable `/`-separated name built from ids where the item has one (so the same path names
//! the same field in every snapshot):
//!
//! | path | field |
//! |---|---|
//! | `plans/{id}/title`, `plans/{id}/description` | a plan's title and description |
//! | `plans/{id}/stages/{i}/reason` | why a plan was returned (a rejection) |
//! | `plans/{id}/objections/{i}/summary`, `…/response` | an objection's public summary, the response |
//! | `plans/{id}/approvals/{i}/reason`, `…/conclusion`, `…/reference` | an approval level's texts |
//! | `plans/{id}/spending/{id}/purpose` | a spending entry's purpose |
//! | `plans/{id}/budget_changes/{id}/reason` | a budget change's reason |
//! | `plans/{id}/milestones/{i}/note` | a milestone's note |
//! | `plans/{id}/evaluation/summary` | the evaluation's summary |
//! | `pb/{decision}/projects/{proposal}/title` | a PB proposal's title |
//! | `reserve_releases/{decision}/reason` | why the reserve was released |
//!
//! Configured labels (category and catalogue names, the community's name) are not free
//! text about people and are not listed; [`super::privacy::check`] still runs the pattern
//! rules of [`looks_personal`] on every published string.
//!
//! # The gate
//!
//! [`gate`] checks each of these texts against the register of the [`Dataset`] before
//! anything is published; a hit blocks publication ([`super::prepare`]) and names the field
//! and the kind of hit ([`HitKind`]), never the value found:
//!
//! * **names**: every member's name and every contact name of ≥ 2 characters found as a
//!   substring of the text (after removing spaces). A **2-character name is matched as a
//!   whole substring too**: `张明` blocks `张明家` and also `主张明确`; the guide rewords the
//!   text (a false positive costs a rewording, a false negative a resident's privacy). Names
//!   of ASCII letters only are matched as whole words, ignoring case, from 3 letters;
//! * **rooms**: a register household's building number and room in the forms people
//!   write them, `3幢1203室`, `3栋1203`, `3号楼1203`, `3-1203`, `3幢2单元1203`, `3-2-1203`
//!   (digits full-width or not, spaces anywhere); and any `N幢/栋/号楼/座 … NNN室` even when
//!   the register has no such room;
//! * **phones and identity numbers**: the register's contact numbers, and any mainland
//!   mobile number, landline with area code or 18-character identity number
//!   ([`looks_personal`]), after [normalising](normalize_digits) full-width digits and
//!   removing spaces, dashes and dots between digits (`153-1615-5514`,
//!   `１５３ １６１５ ５５１４`, `+86 153 1615 5514`).
//!
//! # Commitments and redaction
//!
//! Each non-empty text field has a **commitment** `SHA-256(salt ‖ path ‖ 0x00 ‖ text)`
//! (lower-case hex), with a 128-bit salt from [`super::salt::Salter`] (`purpose "text"`,
//! the snapshot's sequence, the path) that an outsider cannot predict. A snapshot file
//! (layout 4, [`super::file`]) keeps the text fields of the hashed `content` empty and
//! seals the texts with one root in it, `texts_sha256`: SHA-256 over each committed
//! field's path and commitment, in the order of the paths
//! ([`super::file::texts_sha256`]). The texts and their salts travel next to the content,
//! outside the hash, in `texts`; a redacted field keeps its commitment there:
//!
//! ```text
//! "texts":{"plans/3/title":{"salt":"<32 hex>","text":"无障碍坡道"},
//!          "plans/3/description":{"commitment":"<64 hex>","redacted_on":"2026-12-10"}}
//! ```
//!
//! (One root rather than a commitment per field inside the content: 90 commitments cost
//! 3 KB of the residents' 200 KiB first load.) Reading a file recomputes the root from
//! every text and salt and every redacted field's commitment (a changed, added or dropped
//! byte is [`super::file::DecodeError::TextMismatch`]). [`redact_file`] replaces a field's
//! text and salt by its commitment and records the day: the root, the content, its hash,
//! the history index and every signed checkpoint stay as they were, so the chain and the
//! signatures still verify, and the commitment shows that something was published there.
//! A redacted text cannot be recovered from the commitment: the salt is secret and gone.

use std::collections::{BTreeMap, HashSet};

use sha2::{Digest, Sha256};

use super::salt::{hex, Salter, SALT_LEN};
use super::Content;
use crate::dataset::Dataset;

/// The salt purpose of text commitments ([`Salter::salt`]).
pub const SALT_PURPOSE: &str = "text";

/// A redacted field: its commitment (sealed by the content's `texts_sha256`) and the day
/// it was redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redaction {
    pub commitment: String,
    /// `YYYY-MM-DD`.
    pub on: String,
}

/// What seals a content's texts besides the texts themselves: each field's salt, and the
/// fields that were redacted. Not part of the JSON content (`#[serde(skip)]`): [`build`]
/// fills the salts, [`super::file::decode`] fills both from a file, and
/// [`super::file::encode`] writes them, so decoding and encoding a file gives it back
/// byte for byte.
///
/// [`build`]: super::build
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TextSeals {
    /// Salt of each text field, by path.
    pub salts: BTreeMap<String, [u8; SALT_LEN]>,
    /// Redacted fields, by path (their text in the content is empty).
    pub redacted: BTreeMap<String, Redaction>,
}

impl TextSeals {
    /// The redaction of the field at `path`, if it was redacted.
    pub fn redacted(&self, path: &str) -> Option<&Redaction> {
        self.redacted.get(path)
    }
}

/// Visits every free-text field of `c` (see the module documentation for the list and
/// the paths), in a fixed order; `None` fields are skipped, empty ones visited.
pub fn for_each_text(c: &mut Content, mut f: impl FnMut(&str, &mut String)) {
    // One non-generic body for every caller (the residents' bundle links several).
    visit_texts(c, &mut f);
}

fn visit_texts(c: &mut Content, f: &mut dyn FnMut(&str, &mut String)) {
    let mut path = String::new();
    let mut at = |p: &mut String, base: usize, tail: std::fmt::Arguments<'_>, t: &mut String| {
        use std::fmt::Write;
        p.truncate(base);
        let _ = p.write_fmt(tail);
        f(p, t);
    };
    for r in &mut c.reserve_releases {
        at(
            &mut path,
            0,
            format_args!("reserve_releases/{}/reason", r.decision),
            &mut r.reason,
        );
    }
    for o in &mut c.pb {
        for p in &mut o.projects {
            at(
                &mut path,
                0,
                format_args!("pb/{}/projects/{}/title", o.decision, p.proposal_id),
                &mut p.title,
            );
        }
    }
    for p in &mut c.plans {
        path.clear();
        {
            use std::fmt::Write;
            let _ = write!(path, "plans/{}/", p.id);
        }
        let b = path.len();
        at(&mut path, b, format_args!("title"), &mut p.title);
        at(&mut path, b, format_args!("description"), &mut p.description);
        for (i, s) in p.stages.iter_mut().enumerate() {
            at(&mut path, b, format_args!("stages/{i}/reason"), &mut s.reason);
        }
        for (i, o) in p.objections.iter_mut().enumerate() {
            at(
                &mut path,
                b,
                format_args!("objections/{i}/summary"),
                &mut o.summary,
            );
            if let Some(r) = &mut o.response {
                at(&mut path, b, format_args!("objections/{i}/response"), r);
            }
        }
        for (i, a) in p.approvals.iter_mut().enumerate() {
            at(&mut path, b, format_args!("approvals/{i}/reason"), &mut a.reason);
            if let Some(x) = &mut a.conclusion {
                at(&mut path, b, format_args!("approvals/{i}/conclusion"), x);
            }
            if let Some(x) = &mut a.reference {
                at(&mut path, b, format_args!("approvals/{i}/reference"), x);
            }
        }
        for e in &mut p.spending {
            at(
                &mut path,
                b,
                format_args!("spending/{}/purpose", e.id),
                &mut e.purpose,
            );
        }
        for x in &mut p.budget_changes {
            at(
                &mut path,
                b,
                format_args!("budget_changes/{}/reason", x.id),
                &mut x.reason,
            );
        }
        for (i, m) in p.milestones.iter_mut().enumerate() {
            at(&mut path, b, format_args!("milestones/{i}/note"), &mut m.note);
        }
        if let Some(e) = &mut p.evaluation {
            at(&mut path, b, format_args!("evaluation/summary"), &mut e.summary);
        }
    }
}

/// Every free-text field of `c` as `(path, text)`, in [`for_each_text`] order.
pub fn texts(c: &Content) -> Vec<(String, String)> {
    let mut c = c.clone();
    let mut out = Vec::new();
    for_each_text(&mut c, |p, t| out.push((p.to_owned(), std::mem::take(t))));
    out
}

/// `SHA-256(salt ‖ path ‖ 0x00 ‖ text)` in lower-case hex.
///
/// ```
/// use linli_domain::snapshot::freetext::commitment;
/// let a = commitment(&[1; 16], "plans/1/title", "坡道");
/// assert_eq!(a.len(), 64);
/// assert_ne!(a, commitment(&[2; 16], "plans/1/title", "坡道"));
/// assert_ne!(a, commitment(&[1; 16], "plans/2/title", "坡道"));
/// ```
pub fn commitment(salt: &[u8; SALT_LEN], path: &str, text: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(path.as_bytes());
    h.update([0u8]);
    h.update(text.as_bytes());
    hex(&h.finalize())
}

/// Fills `c.texts.salts` for every non-empty text field from `salter` (the snapshot's sequence and
/// each field's path): what [`super::build`] does.
pub fn salt_all(c: &mut Content, salter: &Salter) {
    let seq = c.sequence;
    let mut salts = BTreeMap::new();
    for_each_text(c, |p, t| {
        // Empty fields are not committed (nothing to redact).
        if !t.is_empty() {
            salts.insert(p.to_owned(), salter.salt(SALT_PURPOSE, seq, p));
        }
    });
    c.texts.salts = salts;
}

/// The kind of personal data a text seems to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HitKind {
    /// A name from the register.
    Name,
    /// A household's building and room (or any `N幢…NNN室`).
    Room,
    /// A phone number (the register's, or any mobile or landline pattern).
    Phone,
    /// An identity number.
    Id,
}

impl HitKind {
    /// `name`, `room`, `phone`, `id`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Room => "room",
            Self::Phone => "phone",
            Self::Id => "id",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Self::Name => "a name from the register",
            Self::Room => "a household's building and room",
            Self::Phone => "a phone number",
            Self::Id => "an identity number",
        }
    }
}

/// A free-text field the gate blocks: where, and what kind of personal data (never the
/// value itself, so the message can be logged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub path: String,
    pub kind: HitKind,
}

impl std::fmt::Display for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: contains {}", self.path, self.kind.words())
    }
}

/// The register's personal data the gate looks for.
#[derive(Debug, Clone, Default)]
pub struct Register {
    /// Names of at least 2 characters, spaces removed (not ASCII-only).
    names: HashSet<String>,
    /// Lengths (in chars) of `names`, for the sliding window.
    name_lens: Vec<usize>,
    /// ASCII-only names, lower case, at least 3 letters (matched as whole words).
    ascii_names: Vec<String>,
    /// `(building number, room)` in digits.
    rooms: HashSet<(String, String)>,
    /// Contact numbers, digits only, at least 7 digits.
    phones: Vec<String>,
}

impl Register {
    /// The register of `d`: members' names, contact names and phones, buildings and
    /// rooms.
    pub fn of(d: &Dataset) -> Self {
        let mut r = Self::default();
        let buildings: BTreeMap<u32, String> = d
            .buildings
            .iter()
            .map(|b| (b.id, digits_of(&normalize_digits(&b.name))))
            .collect();
        for h in &d.households {
            for n in h.members.iter().map(|m| &m.name).chain([&h.contact_name]) {
                r.add_name(n);
            }
            let phone = digits_of(&normalize_digits(&h.contact_phone));
            if phone.len() >= 7 && !r.phones.contains(&phone) {
                r.phones.push(phone);
            }
            let room = digits_of(&normalize_digits(&h.room));
            if let Some(b) = buildings.get(&h.building_id).filter(|b| !b.is_empty()) {
                if !room.is_empty() {
                    r.rooms.insert((trim_zeros(b), trim_zeros(&room)));
                }
            }
        }
        r
    }

    fn add_name(&mut self, n: &str) {
        let n = normalize_digits(n);
        if n.is_ascii() {
            let l = words_of(&n);
            if l.chars().filter(char::is_ascii_alphabetic).count() >= 3
                && l.chars().all(|c| c.is_ascii_alphabetic() || c == ' ')
                && !self.ascii_names.contains(&l)
            {
                self.ascii_names.push(l);
            }
            return;
        }
        let n: String = n.chars().filter(|c| !c.is_whitespace()).collect();
        let len = n.chars().count();
        if len >= 2 {
            if !self.name_lens.contains(&len) {
                self.name_lens.push(len);
            }
            self.names.insert(n);
        }
    }

    /// Every kind of personal data found in `text`, in [`HitKind`] order.
    pub fn check(&self, text: &str) -> Vec<HitKind> {
        let mut out = Vec::new();
        let norm = normalize_digits(text);
        let compact: String = norm.chars().filter(|c| !c.is_whitespace()).collect();
        if self.has_name(&compact, &norm) {
            out.push(HitKind::Name);
        }
        if self.has_room(&compact) {
            out.push(HitKind::Room);
        }
        let joined = join_digits(&norm);
        let (phone, id) = pattern(&joined);
        let register_phone = digit_runs(&joined)
            .iter()
            .any(|run| self.phones.iter().any(|p| run.contains(p.as_str())));
        if phone || register_phone {
            out.push(HitKind::Phone);
        }
        if id {
            out.push(HitKind::Id);
        }
        out.dedup();
        out
    }

    fn has_name(&self, compact: &str, norm: &str) -> bool {
        let chars: Vec<(usize, char)> = compact.char_indices().collect();
        for (i, &(start, _)) in chars.iter().enumerate() {
            for &len in &self.name_lens {
                if i + len > chars.len() {
                    continue;
                }
                let end = chars.get(i + len).map_or(compact.len(), |x| x.0);
                if self.names.contains(&compact[start..end]) {
                    return true;
                }
            }
        }
        if !self.ascii_names.is_empty() {
            let text = format!(" {} ", words_of(norm));
            if self.ascii_names.iter().any(|n| text.contains(&format!(" {n} "))) {
                return true;
            }
        }
        false
    }

    fn has_room(&self, compact: &str) -> bool {
        rooms_in(compact)
            .into_iter()
            .any(|(b, room, explicit)| self.rooms.contains(&(trim_zeros(&b), trim_zeros(&room))) || explicit)
    }
}

/// `s` in lower case, every run of characters other than ASCII letters and digits made
/// one space, trimmed: `"Anna  Smith's"` → `"anna smith s"`.
fn words_of(s: &str) -> String {
    s.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Leading zeros dropped (`03` and `3` are the same building), `0` kept.
fn trim_zeros(s: &str) -> String {
    let t = s.trim_start_matches('0');
    if t.is_empty() {
        "0".to_owned()
    } else {
        t.to_owned()
    }
}

/// The ASCII digits of `s`.
fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Every `(building, room, explicit)` written in `compact` (normalised, no spaces):
/// `B幢R`, `B栋R`, `B号楼R`, `B座R`, `B楼R`, `B#R`, `B-R`, each with an optional unit
/// (`U单元` or `U-`) before the room, and `explicit` when the building marker is a word
/// (幢, 栋, 号楼, 座) and the room is followed by `室`.
fn rooms_in(compact: &str) -> Vec<(String, String, bool)> {
    const MARKERS: [(&str, bool); 8] = [
        ("号楼", true),
        ("幢", true),
        ("栋", true),
        ("座", true),
        ("楼", false),
        ("#", false),
        ("-", false),
        ("号", false),
    ];
    let mut out = Vec::new();
    let b = compact;
    let mut i = 0;
    while i < b.len() {
        let rest = &b[i..];
        let Some(c) = rest.chars().next() else { break };
        let prev_digit = b[..i].chars().next_back().is_some_and(|p| p.is_ascii_digit());
        if !c.is_ascii_digit() || prev_digit {
            i += c.len_utf8();
            continue;
        }
        let building: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let mut j = i + building.len();
        let Some(&(m, word)) = MARKERS.iter().find(|(m, _)| b[j..].starts_with(m)) else {
            i = j;
            continue;
        };
        j += m.len();
        let first: String = b[j..].chars().take_while(char::is_ascii_digit).collect();
        if first.is_empty() {
            i = j;
            continue;
        }
        let mut k = j + first.len();
        let mut room = first;
        // A unit before the room: `2单元1203` or `2-1203`.
        for sep in ["单元", "-"] {
            if b[k..].starts_with(sep) {
                let r: String = b[k + sep.len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if !r.is_empty() {
                    k += sep.len() + r.len();
                    room = r;
                }
                break;
            }
        }
        let explicit = word && room.len() >= 3 && b[k..].starts_with('室');
        out.push((building, room, explicit));
        i = j;
    }
    out
}

/// Full-width ASCII (digits, letters, `－`, `．`, `＋`…) to ASCII, the ideographic space
/// and other spaces to `' '`, dashes (`‐`, `–`, `—`, `−`) to `-`.
///
/// ```
/// use linli_domain::snapshot::freetext::normalize_digits;
/// assert_eq!(normalize_digits("１５３　１６１５－５５１４"), "153 1615-5514");
/// ```
pub fn normalize_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' | '\u{00A0}' | '\u{2000}'..='\u{200B}' => ' ',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{00B7}' | '\u{30FB}' => '.',
            c => c,
        })
        .collect()
}

/// `s` (normalised) with spaces, dashes and dots between two digits removed, so a number
/// written in groups reads as one run: `153-1615 5514` → `15316155514`.
fn join_digits(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, ' ' | '-' | '.' | '\t') && out.chars().next_back().is_some_and(|p| p.is_ascii_digit())
        {
            let mut j = i;
            while j < chars.len() && matches!(chars[j], ' ' | '-' | '.' | '\t') {
                j += 1;
            }
            if j < chars.len() && chars[j].is_ascii_digit() && j - i <= 3 {
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The runs of ASCII digits of `s`.
fn digit_runs(s: &str) -> Vec<&str> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|r| !r.is_empty())
        .collect()
}

/// The pattern rules on a joined text: a mobile number (11 digits starting with 1,
/// optionally after `86`), a landline with its area code (10–12 digits starting with `0`,
/// then not `0`), an identity number (18 digits, or 17 and `X`).
fn pattern(joined: &str) -> (bool, bool) {
    let b = joined.as_bytes();
    let (mut phone, mut id) = (false, false);
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let run = &b[start..i];
        let x_after = i < b.len() && matches!(b[i], b'X' | b'x');
        if run.len() == 18 || (run.len() == 17 && x_after) {
            id = true;
        }
        let mobile = |r: &[u8]| r.len() == 11 && r[0] == b'1';
        let landline = run.len() >= 10 && run.len() <= 12 && run[0] == b'0' && run[1] != b'0';
        if mobile(run) || (run.len() == 13 && run.starts_with(b"86") && mobile(&run[2..])) || landline {
            phone = true;
        }
    }
    (phone, id)
}

/// The rules that need no register, on any published string: `Some("a phone number")`
/// or `Some("an identity number")` when `t`, [normalised](normalize_digits) with spaces,
/// dashes and dots between digits removed, holds a mobile number (11 digits starting with
/// 1, or after `86`), a landline with area code (10–12 digits starting with `0`) or an
/// identity number (18 digits, or 17 and `X`). The one place of these rules:
/// [`super::privacy::check`] runs it on every published string and [`gate`] on free text.
///
/// ```
/// use linli_domain::snapshot::freetext::looks_personal;
/// assert_eq!(looks_personal("联系153-1615-5514"), Some("a phone number"));
/// assert_eq!(looks_personal("联系１５３ １６１５ ５５１４"), Some("a phone number"));
/// assert_eq!(looks_personal("11010519491231002X"), Some("an identity number"));
/// assert_eq!(looks_personal("2026-11-24 至 2026-12-01，预算 12.5 万元"), None);
/// ```
pub fn looks_personal(t: &str) -> Option<&'static str> {
    match pattern(&join_digits(&normalize_digits(t))) {
        (_, true) => Some(HitKind::Id.words()),
        (true, false) => Some(HitKind::Phone.words()),
        _ => None,
    }
}

/// Every free-text field of `c` that holds personal data of the register of `d` or looks
/// like a phone or identity number: the field's path and the kinds found (one [`Hit`]
/// per field and kind). Empty: `c` may be published.
///
/// # Examples
///
/// ```
/// use linli_domain::snapshot::{build, freetext, BuildOptions};
/// let mut d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
///     households: 60,
///     ..Default::default()
/// });
/// let mut c = build(&d, &BuildOptions::at(1_790_000_000_000)).unwrap();
/// assert!(freetext::gate(&d, &c).is_empty());
/// c.plans[0].title = "联系 153-1615-5514".into();
/// let hits = freetext::gate(&d, &c);
/// assert_eq!(hits[0].path, format!("plans/{}/title", c.plans[0].id));
/// assert_eq!(hits[0].kind, freetext::HitKind::Phone);
/// assert!(!hits[0].to_string().contains("5514"));
/// ```
pub fn gate(d: &Dataset, c: &Content) -> Vec<Hit> {
    let r = Register::of(d);
    gate_with(&r, c)
}

/// [`gate`] with a register already made.
pub fn gate_with(r: &Register, c: &Content) -> Vec<Hit> {
    let mut out = Vec::new();
    for (path, text) in texts(c) {
        if text.trim().is_empty() {
            continue;
        }
        for kind in r.check(&text) {
            out.push(Hit {
                path: path.clone(),
                kind,
            });
        }
    }
    out
}

/// Why a field cannot be redacted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedactError {
    #[error("the snapshot does not verify: {0}")]
    Decode(#[from] super::file::DecodeError),
    #[error("snapshot {sequence} is not in the history")]
    NoSuchSnapshot { sequence: u32 },
    #[error("snapshot {sequence} has layout version {version}, published before texts were committed: it cannot be redacted without breaking the chain")]
    NotCommitted { sequence: u32, version: u32 },
    #[error("snapshot {sequence} has no published text at `{path}`")]
    NoSuchField { sequence: u32, path: String },
    #[error("`{path}` of snapshot {sequence} was already redacted on {on}")]
    Already { sequence: u32, path: String, on: String },
    #[error("`{0}` is not a YYYY-MM-DD date")]
    Date(String),
    #[error("the history does not verify: {0}")]
    Chain(#[from] super::file::ChainError),
}

/// `bytes` (a snapshot file of layout 4 or later) with the text of `path` redacted on the
/// day `on` (`YYYY-MM-DD`): the text and its salt dropped, the commitment and so the
/// content, its hash and every signature over it unchanged.
///
/// # Errors
///
/// [`RedactError`]: a file that does not verify, of an older layout, without that field
/// (or with it empty), already redacted there, or a bad date.
pub fn redact_file(bytes: &[u8], path: &str, on: &str) -> Result<Vec<u8>, RedactError> {
    if !super::privacy::is_date(on) {
        return Err(RedactError::Date(on.chars().take(20).collect()));
    }
    let s = super::file::decode(bytes)?;
    let sequence = s.content.sequence;
    if s.version < super::file::COMMITTED_FROM {
        return Err(RedactError::NotCommitted {
            sequence,
            version: s.version,
        });
    }
    let mut c = s.content;
    if let Some(r) = c.texts.redacted.get(path) {
        return Err(RedactError::Already {
            sequence,
            path: path.to_owned(),
            on: r.on.clone(),
        });
    }
    let mut found = None;
    let salts = c.texts.salts.clone();
    for_each_text(&mut c, |p, t| {
        if p == path && !t.is_empty() {
            if let Some(salt) = salts.get(p) {
                found = Some(commitment(salt, p, t));
                t.clear();
            }
        }
    });
    let Some(commit) = found else {
        return Err(RedactError::NoSuchField {
            sequence,
            path: path.to_owned(),
        });
    };
    c.texts.salts.remove(path);
    c.texts.redacted.insert(
        path.to_owned(),
        Redaction {
            commitment: commit,
            on: on.to_owned(),
        },
    );
    let (text, hash) = super::file::encode_version(&c, s.version);
    debug_assert_eq!(hash, s.sha256);
    Ok(text.into_bytes())
}

/// `history` (snapshot files, oldest first, verifying as a chain) with the field `path` of
/// the snapshot with `sequence` redacted on `on` ([`redact_file`]); the other files as
/// they were.
///
/// # Errors
///
/// [`RedactError`], and nothing is changed.
pub fn redact_history<B: AsRef<[u8]>>(
    history: &[B],
    sequence: u32,
    path: &str,
    on: &str,
) -> Result<Vec<Vec<u8>>, RedactError> {
    let chain = super::file::verify_chain(history)?;
    let Some(i) = chain.iter().position(|s| s.content.sequence == sequence) else {
        return Err(RedactError::NoSuchSnapshot { sequence });
    };
    let mut out: Vec<Vec<u8>> = history.iter().map(|b| b.as_ref().to_vec()).collect();
    out[i] = redact_file(&out[i], path, on)?;
    Ok(out)
}

#[cfg(test)]
mod tests;
