//! Writing the register file.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::csv_cell::needs_escape;
use crate::model::{Building, Grid, Household, Member};

use super::columns::{member_header, HField, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS};
use super::vocab::{self, word};
use super::Headers;

/// Writes households as a register CSV file that Excel opens: UTF-8 with a
/// byte-order mark, CRLF line ends, one row per household, household columns
/// then as many member groups as the largest household has members (at
/// least one). Grid and building are written by name; a household whose
/// building (or the building's grid) is not in `buildings` (`grids`) gets an
/// empty cell there, which import refuses. Cells starting with `=`, `+`,
/// `-`, `@`, tab, CR or `'` are prefixed with `'` (see the
/// [module documentation](super)).
///
/// # Examples
///
/// ```
/// use linli_domain::demo::{generate, DemoConfig};
/// use linli_domain::register_csv::{export_households, import_households, Headers, ImportLimits};
///
/// let d = generate(&DemoConfig { households: 20, ..DemoConfig::default() });
/// let csv = export_households(&d.households, &d.buildings, &d.grids, Headers::Chinese);
/// assert!(csv.starts_with("\u{feff}户编号,网格,楼栋,"));
///
/// let back = import_households(csv.as_bytes(), &d.buildings, &d.grids, 2026, &ImportLimits::default())
///     .expect("an export imports");
/// assert_eq!(back.households.len(), 20);
/// assert_eq!(back.households[0].members, d.households[0].members);
/// assert!(back.new_buildings.is_empty());
/// ```
pub fn export_households(
    households: &[Household],
    buildings: &[Building],
    grids: &[Grid],
    headers: Headers,
) -> String {
    let grid_names: HashMap<u32, &str> = grids.iter().map(|g| (g.id, g.name.as_str())).collect();
    let building_of: HashMap<u32, &Building> = buildings.iter().map(|b| (b.id, b)).collect();
    let groups = households
        .iter()
        .map(|h| h.members.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut out = String::with_capacity(households.len().saturating_mul(200).saturating_add(1024));
    out.push('\u{feff}');
    let mut row = Row::new(&mut out);
    for (_, zh, en, _) in HOUSEHOLD_COLUMNS {
        row.cell(if headers == Headers::English { en } else { zh });
    }
    for n in 1..=groups {
        for f in 0..MEMBER_COLUMNS.len() {
            row.cell(&member_header(n as u32, f, headers));
        }
    }
    row.end();
    let mut scratch = String::new();
    for h in households {
        let mut row = Row::new(&mut out);
        let building = building_of.get(&h.building_id);
        for (field, ..) in HOUSEHOLD_COLUMNS {
            scratch.clear();
            let value: &str = match field {
                HField::Id => number(&mut scratch, h.id),
                HField::Grid => building
                    .and_then(|b| grid_names.get(&b.grid_id))
                    .copied()
                    .unwrap_or(""),
                HField::Building => building.map_or("", |b| b.name.as_str()),
                HField::Unit => number(&mut scratch, h.unit),
                HField::Room => &h.room,
                HField::Tenure => word(vocab::TENURE, &h.tenure, headers),
                HField::Income => word(vocab::INCOME, &h.income_band, headers),
                HField::Subsistence => word(vocab::SUBSISTENCE, &h.subsistence, headers),
                HField::Housing => word(vocab::HOUSING, &h.housing, headers),
                HField::Skills => {
                    let sep = list_separator(headers);
                    for (i, s) in h.skills.iter().enumerate() {
                        if i > 0 {
                            scratch.push_str(sep);
                        }
                        scratch.push_str(s);
                    }
                    &scratch
                }
                HField::Needs => {
                    let sep = list_separator(headers);
                    for (i, n) in h.needs.iter().enumerate() {
                        if i > 0 {
                            scratch.push_str(sep);
                        }
                        scratch.push_str(&n.category);
                        scratch.push(':');
                        scratch.push_str(word(vocab::URGENCY, &n.urgency, headers));
                    }
                    &scratch
                }
                HField::Willingness => word(vocab::WILLINGNESS, &h.willingness, headers),
                HField::Group => &h.group,
                HField::ContactName => &h.contact_name,
                HField::ContactPhone => &h.contact_phone,
                HField::LivesAlone => yes_no(h.lives_alone, headers),
                HField::Notes => &h.notes,
            };
            row.cell(value);
        }
        for i in 0..groups {
            member_cells(&mut row, h.members.get(i), headers, &mut scratch);
        }
        row.end();
    }
    out
}

fn list_separator(headers: Headers) -> &'static str {
    match headers {
        Headers::Chinese => "；",
        Headers::English => ";",
    }
}

fn yes_no(b: bool, headers: Headers) -> &'static str {
    word(vocab::BOOL, &b, headers)
}

fn number(scratch: &mut String, n: impl std::fmt::Display) -> &str {
    let _ = write!(scratch, "{n}");
    scratch
}

fn member_cells(row: &mut Row<'_>, m: Option<&Member>, headers: Headers, scratch: &mut String) {
    let Some(m) = m else {
        for _ in MEMBER_COLUMNS {
            row.cell("");
        }
        return;
    };
    row.cell(&m.name);
    scratch.clear();
    row.cell(number(scratch, m.birth_year));
    row.cell(word(vocab::SEX, &m.sex, headers));
    row.cell(yes_no(m.chronic_illness, headers));
    scratch.clear();
    row.cell(match m.disability_grade {
        Some(g) => number(scratch, g),
        None => "",
    });
    row.cell(yes_no(m.dementia, headers));
    row.cell(word(vocab::EMPLOYMENT, &m.employment, headers));
    row.cell(
        m.school_stage
            .map_or("", |s| word(vocab::SCHOOL_STAGE, &s, headers)),
    );
}

/// Writes the cells of one row.
struct Row<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> Row<'a> {
    fn new(out: &'a mut String) -> Self {
        Self { out, first: true }
    }

    fn cell(&mut self, value: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        let escape = needs_escape(value);
        let quote = value.contains([',', '"', '\r', '\n']);
        if quote {
            self.out.push('"');
        }
        if escape {
            self.out.push('\'');
        }
        if quote {
            for (i, part) in value.split('"').enumerate() {
                if i > 0 {
                    self.out.push_str("\"\"");
                }
                self.out.push_str(part);
            }
            self.out.push('"');
        } else {
            self.out.push_str(value);
        }
    }

    fn end(self) {
        self.out.push_str("\r\n");
    }
}
