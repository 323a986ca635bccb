//! Validation and change tracking of household records (SPEC §2.1).

use crate::model::{Building, Household, NeedCategory};

/// Longest text accepted in a free-text field, in characters.
pub const MAX_TEXT: usize = 2_000;

/// A problem with one field of a household, for a message next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field: `room`, `contact_phone`, `members.0.birth_year`, `needs.1`, …
    pub field: String,
    /// A stable code the UI translates: see [`validate`].
    pub code: &'static str,
}

fn err(field: impl Into<String>, code: &'static str) -> FieldError {
    FieldError {
        field: field.into(),
        code,
    }
}

/// Every code [`validate`] may return, in the order of its checks.
pub const CODES: [&str; 13] = [
    "building_unknown",
    "unit_range",
    "required",
    "phone_format",
    "phone_mobile_length",
    "too_long",
    "no_members",
    "lives_alone_mismatch",
    "birth_year_future",
    "birth_year_too_old",
    "disability_grade_range",
    "need_unknown",
    "need_duplicate",
];

/// The household form's English message for a [`validate`] code (the workspace shows
/// the same text, translated, from its catalogue key `e_<code>`); `None` for a code
/// that is not in [`CODES`]. The register CSV import uses it, so that a row refused by
/// these rules reads as the form would.
///
/// ```
/// use linli_domain::household::{message_en, CODES};
/// assert_eq!(message_en("lives_alone_mismatch"), Some("A household living alone has one member."));
/// assert!(CODES.iter().all(|c| message_en(c).is_some()));
/// ```
pub fn message_en(code: &str) -> Option<&'static str> {
    Some(match code {
        "required" => "Required.",
        "building_unknown" => "Choose an existing building.",
        "unit_range" => "Unit is outside the building's units.",
        "no_members" => "At least one member is needed.",
        "birth_year_future" => "Birth year cannot be in the future.",
        "birth_year_too_old" => "Birth year is more than 120 years ago.",
        "disability_grade_range" => "Disability grade must be 1–4.",
        "phone_format" => "Enter an 11-digit mobile or a fixed line with its area code (e.g. 010-62345678).",
        "phone_mobile_length" => "A mobile number has 11 digits.",
        "lives_alone_mismatch" => "A household living alone has one member.",
        "need_unknown" => "Unknown need category.",
        "need_duplicate" => "This need category is listed twice.",
        "too_long" => "Too long (2,000 characters at most).",
        _ => return None,
    })
}

/// Checks a household before it is saved: the rules of the household form, which the
/// register CSV import applies to every row too.
///
/// Codes: `required` (empty room or member name), `building_unknown`,
/// `unit_range` (unit 0 or above the building's units), `no_members`,
/// `birth_year_future`, `birth_year_too_old` (more than 120 years before
/// `year`), `disability_grade_range` (not 1–4), `phone_mobile_length` and
/// `phone_format` (not empty and not a Chinese number, [`crate::phone::check`]), `lives_alone_mismatch`
/// (living alone with more than one member), `need_unknown`,
/// `need_duplicate`, `too_long` (over [`MAX_TEXT`] characters).
///
/// # Examples
///
/// ```
/// use linli_domain::{demo, household::validate};
/// let d = demo::generate(&demo::DemoConfig { households: 5, ..Default::default() });
/// let cats = demo::default_categories();
/// let mut h = d.households[0].clone();
/// assert!(validate(&h, &d.buildings, &cats, 2026).is_empty());
/// h.members[0].birth_year = 2030;
/// assert_eq!(validate(&h, &d.buildings, &cats, 2026)[0].code, "birth_year_future");
/// ```
pub fn validate(
    h: &Household,
    buildings: &[Building],
    categories: &[NeedCategory],
    year: i64,
) -> Vec<FieldError> {
    let mut out = Vec::new();
    match buildings.iter().find(|b| b.id == h.building_id) {
        None => out.push(err("building_id", "building_unknown")),
        Some(b) if h.unit == 0 || h.unit > b.units => out.push(err("unit", "unit_range")),
        Some(_) => {}
    }
    if h.room.trim().is_empty() {
        out.push(err("room", "required"));
    }
    let phone = h.contact_phone.trim();
    if !phone.is_empty() {
        match crate::phone::check(phone) {
            Ok(_) => {}
            Err(crate::phone::PhoneError::MobileLength) => {
                out.push(err("contact_phone", "phone_mobile_length"))
            }
            Err(crate::phone::PhoneError::Format) => out.push(err("contact_phone", "phone_format")),
        }
    }
    for (field, text) in [
        ("room", &h.room),
        ("contact_name", &h.contact_name),
        ("contact_phone", &h.contact_phone),
        ("notes", &h.notes),
        ("group", &h.group),
    ] {
        if text.chars().count() > MAX_TEXT {
            out.push(err(field, "too_long"));
        }
    }
    if h.members.is_empty() {
        out.push(err("members", "no_members"));
    }
    if h.lives_alone && h.members.len() > 1 {
        out.push(err("lives_alone", "lives_alone_mismatch"));
    }
    for (i, m) in h.members.iter().enumerate() {
        if m.name.trim().is_empty() {
            out.push(err(format!("members.{i}.name"), "required"));
        } else if m.name.chars().count() > MAX_TEXT {
            out.push(err(format!("members.{i}.name"), "too_long"));
        }
        let by = i64::from(m.birth_year);
        if by > year {
            out.push(err(format!("members.{i}.birth_year"), "birth_year_future"));
        } else if by < year - 120 {
            out.push(err(format!("members.{i}.birth_year"), "birth_year_too_old"));
        }
        if m.disability_grade.is_some_and(|g| !(1..=4).contains(&g)) {
            out.push(err(
                format!("members.{i}.disability_grade"),
                "disability_grade_range",
            ));
        }
    }
    for (i, n) in h.needs.iter().enumerate() {
        if !categories.iter().any(|c| c.code == n.category) {
            out.push(err(format!("needs.{i}"), "need_unknown"));
        } else if h.needs[..i].iter().any(|m| m.category == n.category) {
            out.push(err(format!("needs.{i}"), "need_duplicate"));
        }
    }
    out
}

/// Other households at `h`'s address (building, unit and room; the room
/// compared without surrounding spaces and case), ids ascending: a new or
/// moved household there is probably a duplicate, which the form warns about.
///
/// ```
/// use linli_domain::household::same_address;
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig { households: 30, ..Default::default() });
/// let mut copy = d.households[4].clone();
/// copy.id = 999;
/// copy.room = format!(" {} ", copy.room);
/// assert_eq!(same_address(&d.households, &copy), vec![d.households[4].id]);
/// assert!(same_address(&d.households, &d.households[4]).is_empty());
/// ```
pub fn same_address(all: &[Household], h: &Household) -> Vec<u32> {
    let room = h.room.trim().to_lowercase();
    all.iter()
        .filter(|o| {
            o.id != h.id
                && o.building_id == h.building_id
                && o.unit == h.unit
                && o.room.trim().to_lowercase() == room
        })
        .map(|o| o.id)
        .collect()
}

/// The household's fields a history entry can name, once for
/// [`changed_fields`] and [`FIELD_CODES`].
macro_rules! household_fields {
    ($m:ident) => {
        $m!(
            building_id,
            unit,
            room,
            tenure,
            income_band,
            subsistence,
            housing,
            skills,
            needs,
            willingness,
            group,
            contact_name,
            contact_phone,
            notes,
            lives_alone,
            members
        )
    };
}

/// Names of the fields that differ between two versions of a household,
/// for the change history. `updated_at` is not a change of its own.
pub fn changed_fields(old: &Household, new: &Household) -> Vec<&'static str> {
    let mut out = Vec::new();
    macro_rules! cmp {
        ($($f:ident),*) => {
            $( if old.$f != new.$f { out.push(stringify!($f)); } )*
        };
    }
    household_fields!(cmp);
    out
}

/// The household to save from a form opened on `base`, filled in as `mine`, when the
/// stored record became `theirs` meanwhile (another device's edit arrived by sync,
/// another tab saved): the fields the guide changed from `mine`, every other field from
/// `theirs`, so neither side's edit is lost. Also the fields both changed, to different
/// values (the guide's value is kept: the form said so before the save).
///
/// ```
/// use linli_domain::household::rebase;
/// let data = linli_domain::demo::generate(&linli_domain::demo::DemoConfig::default());
/// let base = data.households[0].clone();
/// let mut mine = base.clone();
/// mine.notes = "门铃坏了".into();
/// let mut theirs = base.clone();
/// theirs.contact_phone = "13900000000".into();
/// let (saved, both) = rebase(&base, &mine, &theirs);
/// assert_eq!((saved.notes.as_str(), saved.contact_phone.as_str()), ("门铃坏了", "13900000000"));
/// assert!(both.is_empty());
/// theirs.notes = "另一条".into();
/// assert_eq!(rebase(&base, &mine, &theirs).1, vec!["notes"]);
/// ```
pub fn rebase(base: &Household, mine: &Household, theirs: &Household) -> (Household, Vec<&'static str>) {
    let mut out = theirs.clone();
    let mut both = Vec::new();
    macro_rules! take {
        ($($f:ident),*) => {
            $( if mine.$f != base.$f {
                if theirs.$f != base.$f && theirs.$f != mine.$f {
                    both.push(stringify!($f));
                }
                out.$f = mine.$f.clone();
            } )*
        };
    }
    household_fields!(take);
    (out, both)
}

/// Every code [`changed_fields`] can name, in its order (a history view
/// translates them; [`crate::audit::changed_household_fields`]).
pub const FIELD_CODES: &[&str] = {
    macro_rules! codes {
        ($($f:ident),*) => { &[$(stringify!($f)),*] };
    }
    household_fields!(codes)
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{default_categories, generate, DemoConfig};

    fn data() -> crate::dataset::Dataset {
        generate(&DemoConfig {
            households: 40,
            ..DemoConfig::default()
        })
    }

    #[test]
    fn demo_households_are_valid() {
        let d = data();
        let cats = default_categories();
        for h in &d.households {
            assert_eq!(
                validate(h, &d.buildings, &cats, 2026),
                vec![],
                "household {}",
                h.id
            );
        }
    }

    #[test]
    fn each_rule_fires() {
        let d = data();
        let cats = default_categories();
        let base = d
            .households
            .iter()
            .find(|h| h.members.len() >= 2)
            .unwrap()
            .clone();
        let codes = |h: &Household| -> Vec<&'static str> {
            validate(h, &d.buildings, &cats, 2026)
                .into_iter()
                .map(|e| e.code)
                .collect()
        };
        let mut h = base.clone();
        h.building_id = 9_999;
        assert_eq!(codes(&h), ["building_unknown"]);
        let mut h = base.clone();
        h.unit = 0;
        assert_eq!(codes(&h), ["unit_range"]);
        let mut h = base.clone();
        h.room = "  ".into();
        assert_eq!(codes(&h), ["required"]);
        let mut h = base.clone();
        h.contact_phone = "abc".into();
        assert_eq!(codes(&h), ["phone_format"]);
        let mut h = base.clone();
        h.contact_phone = "138 0000 0000".into();
        assert_eq!(codes(&h), Vec::<&str>::new());
        let mut h = base.clone();
        h.members.clear();
        h.lives_alone = false;
        assert_eq!(codes(&h), ["no_members"]);
        let mut h = base.clone();
        h.lives_alone = true;
        assert_eq!(codes(&h), ["lives_alone_mismatch"]);
        let mut h = base.clone();
        h.members[1].birth_year = 2027;
        assert_eq!(codes(&h), ["birth_year_future"]);
        let mut h = base.clone();
        h.members[1].birth_year = 1900;
        assert_eq!(codes(&h), ["birth_year_too_old"]);
        let mut h = base.clone();
        h.members[0].disability_grade = Some(5);
        assert_eq!(codes(&h), ["disability_grade_range"]);
        let mut h = base.clone();
        h.needs = vec![
            crate::model::Need {
                category: "sport".into(),
                urgency: crate::model::Urgency::Low,
            },
            crate::model::Need {
                category: "sport".into(),
                urgency: crate::model::Urgency::High,
            },
            crate::model::Need {
                category: "nope".into(),
                urgency: crate::model::Urgency::High,
            },
        ];
        assert_eq!(codes(&h), ["need_duplicate", "need_unknown"]);
        let mut h = base;
        h.notes = "长".repeat(MAX_TEXT + 1);
        assert_eq!(codes(&h), ["too_long"]);
    }

    #[test]
    fn codes_are_listed_with_a_message() {
        let d = data();
        let cats = default_categories();
        let base = d.households.iter().find(|h| h.members.len() >= 2).unwrap();
        // Break every rule at once: each code returned is listed.
        let mut h = base.clone();
        h.building_id = 9_999;
        h.room = " ".into();
        h.contact_phone = "abc".into();
        h.notes = "x".repeat(MAX_TEXT + 1);
        h.lives_alone = true;
        h.members[0].birth_year = 2030;
        h.members[1].birth_year = 1800;
        h.members[1].disability_grade = Some(0);
        h.members[1].name = String::new();
        h.needs = vec![
            crate::model::Need {
                category: "nope".into(),
                urgency: crate::model::Urgency::Low,
            },
            crate::model::Need {
                category: "sport".into(),
                urgency: crate::model::Urgency::Low,
            },
            crate::model::Need {
                category: "sport".into(),
                urgency: crate::model::Urgency::Low,
            },
        ];
        let mut found: Vec<&str> = validate(&h, &d.buildings, &cats, 2026)
            .into_iter()
            .map(|e| e.code)
            .collect();
        h.building_id = base.building_id;
        h.unit = 0;
        h.members.clear();
        let mut short = base.clone();
        short.contact_phone = "1381234567".into();
        found.extend(
            validate(&short, &d.buildings, &cats, 2026)
                .into_iter()
                .map(|e| e.code),
        );
        found.extend(
            validate(&h, &d.buildings, &cats, 2026)
                .into_iter()
                .map(|e| e.code),
        );
        for code in &found {
            assert!(CODES.contains(code), "{code} is not in CODES");
        }
        for code in CODES {
            assert!(found.contains(&code), "{code} never fired");
            assert!(message_en(code).is_some_and(|m| m.ends_with('.')), "{code}");
        }
        assert_eq!(message_en("nope"), None);
    }

    #[test]
    fn changed_fields_lists_differences_only() {
        let d = data();
        let a = d.households[0].clone();
        let mut b = a.clone();
        assert!(changed_fields(&a, &b).is_empty());
        b.updated_at += 1;
        assert!(changed_fields(&a, &b).is_empty());
        b.room = "999".into();
        b.members[0].chronic_illness = !b.members[0].chronic_illness;
        assert_eq!(changed_fields(&a, &b), ["room", "members"]);
    }

    #[test]
    fn rebase_keeps_both_sides_edits_and_names_the_fields_both_changed() {
        let d = data();
        let base = d.households[3].clone();
        let mut mine = base.clone();
        mine.room = "1808".into();
        mine.members[0].chronic_illness = !base.members[0].chronic_illness;
        mine.notes = "我的".into();
        let mut theirs = base.clone();
        theirs.lives_alone = !base.lives_alone;
        theirs.updated_at = base.updated_at + 5;
        theirs.notes = "他们的".into();
        theirs.room = "1808".into();
        let (out, both) = rebase(&base, &mine, &theirs);
        // Mine where I changed, theirs everywhere else (their updated_at included).
        assert_eq!(out.room, "1808");
        assert_eq!(out.members, mine.members);
        assert_eq!(out.notes, "我的");
        assert_eq!(out.lives_alone, theirs.lives_alone);
        assert_eq!(out.updated_at, theirs.updated_at);
        // The same change on both sides is no clash; different values are.
        assert_eq!(both, ["notes"]);
        // Nothing changed on either side: the stored record as it is.
        assert_eq!(rebase(&base, &base, &theirs).0, theirs);
        assert_eq!(rebase(&base, &mine, &base).0, mine);
    }
}
