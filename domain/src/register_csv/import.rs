//! Reading and validating the register file.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use crate::csv_cell::unescape;
use crate::household::{self, FieldError};
use crate::model::{Building, Employment, Grid, Household, Member, Need, NeedCategory, Willingness};

use super::columns::{
    column_letter, read_header, Col, HField, Header, MField, HOUSEHOLD_COLUMNS, MEMBER_COLUMNS,
};
use super::tokenizer::{row_at, TokenError, Tokenizer};
use super::vocab::{self, allowed, lookup, parse_uint, same_word, split_list, NumberError, Table};
use super::{ErrorCode, ImportError, ImportLimits, ImportReport, ImportResult, Progress};

/// Imports a register CSV file: reads and validates every row, and returns
/// either all households or the reasons for refusing the file.
///
/// `existing_buildings` and `existing_grids` are the community's current
/// records: grid and building names in the file are looked up among them
/// (a building by grid and name), and unknown names become new records in
/// [`ImportResult`]. `year` is the current year, against which birth years
/// are checked (at most `year`, at least `year − 120`).
///
/// This is [`Importer`] run to the end in one call.
///
/// # Errors
///
/// An [`ImportReport`] with the first [`ImportLimits::max_errors`] problems
/// and their total count when the file is not UTF-8, is empty, lacks a
/// required column, has an unknown or repeated column, has a cell larger
/// than [`ImportLimits::max_cell_bytes`], more than
/// [`ImportLimits::max_rows`] rows, or when any row has a bad value (see
/// [`ErrorCode`]). Nothing is returned then: an import is all or nothing.
///
/// # Examples
///
/// ```
/// use linli_domain::register_csv::{import_households, ErrorCode, ImportLimits};
///
/// let csv = "户编号,网格,楼栋,单元,房号,产权,收入档,低保状态,住房状况,成员1姓名,成员1出生年份,成员1性别\n\
///            7,第一网格,3幢,1,101,业主,中,无,好,王芳,1950,女\n";
/// let ok = import_households(csv.as_bytes(), &[], &[], 2026, &ImportLimits::default()).unwrap();
/// assert_eq!(ok.households[0].id, 7);
/// assert_eq!(ok.new_buildings[0].name, "3幢");
///
/// let bad = csv.replace("1950", "2030");
/// let report = import_households(bad.as_bytes(), &[], &[], 2026, &ImportLimits::default()).unwrap_err();
/// let e = &report.errors[0];
/// assert_eq!((e.row, e.column.as_deref(), e.code), (Some(2), Some("成员1出生年份"), ErrorCode::BirthYearInFuture));
/// ```
pub fn import_households(
    bytes: &[u8],
    existing_buildings: &[Building],
    existing_grids: &[Grid],
    year: i64,
    limits: &ImportLimits,
) -> Result<ImportResult, ImportReport> {
    Importer::new(bytes, existing_buildings, existing_grids, year, limits).finish()
}

/// An import driven in steps, for progress display and cancellation.
///
/// Call [`Importer::step`] until [`Progress::done`], showing the progress
/// between steps, then [`Importer::finish`]. To cancel, drop the importer:
/// nothing has been written anywhere, since every result comes out of
/// `finish`, and only once all rows are valid.
///
/// ```
/// use linli_domain::register_csv::{Importer, ImportLimits};
///
/// let csv = "household_id,grid,building,unit,room,tenure,income_band,subsistence,housing,\
///            member1_name,member1_birth_year,member1_sex\n\
///            1,G1,B1,1,101,owner,middle,none,good,Wang Fang,1950,female\n\
///            2,G1,B1,1,102,tenant,low,dibao,poor,Li Lei,1980,male\n";
/// let limits = ImportLimits::default();
/// let mut importer = Importer::new(csv.as_bytes(), &[], &[], 2026, &limits);
/// let mut steps = 0;
/// while !importer.step(1).done {
///     steps += 1;
/// }
/// assert!(steps >= 2);
/// let result = importer.finish().unwrap();
/// assert_eq!(result.households.len(), 2);
/// ```
#[derive(Debug)]
pub struct Importer<'a> {
    bytes: &'a [u8],
    /// Length of a UTF-8 byte-order mark at the start, if any.
    bom: usize,
    stage: Stage<'a>,
    cells: Vec<Cow<'a, str>>,
    /// Excel row number of the last record read.
    row: u64,
    rows_done: u64,
    households_seen: usize,
    errors: Sink,
    year: i64,
    limits: ImportLimits,
    households: Vec<Household>,
    ids: HashMap<u32, u64>,
    places: Places,
}

#[derive(Debug)]
enum Stage<'a> {
    /// Nothing read yet.
    Start,
    /// Reading rows after the header.
    Rows(Tokenizer<'a>, Box<Header>),
    /// Finished (end of file or a whole-file error).
    Done,
}

impl<'a> Importer<'a> {
    /// Prepares an import of `bytes`; no work is done until [`Importer::step`].
    /// See [`import_households`] for the parameters.
    pub fn new(
        bytes: &'a [u8],
        existing_buildings: &[Building],
        existing_grids: &[Grid],
        year: i64,
        limits: &ImportLimits,
    ) -> Self {
        let bom = if bytes.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        Self {
            bytes,
            bom,
            stage: Stage::Start,
            cells: Vec::new(),
            row: 0,
            rows_done: 0,
            households_seen: 0,
            errors: Sink::new(limits.max_errors),
            year,
            limits: limits.clone(),
            households: Vec::new(),
            ids: HashMap::new(),
            places: Places::new(existing_grids, existing_buildings),
        }
    }

    /// Reads up to `max_rows` more rows (at least one) and tells how far the
    /// import is. The first call also checks the encoding and the header.
    pub fn step(&mut self, max_rows: usize) -> Progress {
        if matches!(self.stage, Stage::Start) {
            self.start();
        }
        let mut left = max_rows.max(1);
        while left > 0 {
            if !self.next_row() {
                break;
            }
            left -= 1;
        }
        self.progress()
    }

    /// How far the import is, without doing any work.
    pub fn progress(&self) -> Progress {
        let bytes_done = match &self.stage {
            Stage::Start => 0,
            Stage::Rows(t, _) => self.bom + t.position(),
            Stage::Done => self.bytes.len(),
        };
        Progress {
            rows_done: self.rows_done,
            bytes_done,
            total_bytes: self.bytes.len(),
            done: matches!(self.stage, Stage::Done),
        }
    }

    /// Reads whatever is left and returns the households, or the report.
    ///
    /// # Errors
    ///
    /// As [`import_households`]: any problem anywhere in the file refuses
    /// the whole file.
    pub fn finish(mut self) -> Result<ImportResult, ImportReport> {
        while !self.step(usize::MAX).done {}
        if self.errors.total > 0 {
            return Err(ImportReport {
                errors: self.errors.kept,
                total_errors: self.errors.total,
            });
        }
        let (new_grids, new_buildings) = self.places.into_new();
        Ok(ImportResult {
            households: self.households,
            new_grids,
            new_buildings,
        })
    }

    /// Checks the encoding and reads the header.
    fn start(&mut self) {
        self.stage = Stage::Done;
        let bytes: &'a [u8] = self.bytes;
        let body = bytes.get(self.bom..).unwrap_or_default();
        if body.starts_with(b"\xFF\xFE") || body.starts_with(b"\xFE\xFF") {
            self.errors.push(
                None,
                None,
                ErrorCode::NotUtf8,
                "the file is UTF-16 (Excel's \"Unicode Text\"); save it as \"CSV UTF-8 (Comma delimited)\""
                    .to_owned(),
            );
            return;
        }
        let text = match std::str::from_utf8(body) {
            Ok(t) => t,
            Err(e) => {
                let at = e.valid_up_to();
                let hint = if looks_like_gbk(body) {
                    "it looks like GBK/ANSI, what Excel writes for plain \"CSV\""
                } else {
                    "it has bytes that are not UTF-8"
                };
                self.errors.push(
                    Some(row_at(body, at)),
                    None,
                    ErrorCode::NotUtf8,
                    format!(
                        "the file is not UTF-8 ({hint}); in Excel use Save As → \"CSV UTF-8 (Comma delimited)\" \
                         (first bad byte at offset {})",
                        at + self.bom
                    ),
                );
                return;
            }
        };
        let mut tokens = Tokenizer::new(text, self.limits.max_cell_bytes);
        // The header is the first non-blank record.
        loop {
            match tokens.next_record(&mut self.cells) {
                Ok(true) => {
                    self.row += 1;
                    if self.cells.iter().all(|c| c.trim().is_empty()) {
                        continue;
                    }
                    let names: Vec<&str> = self.cells.iter().map(|c| c.as_ref()).collect();
                    match read_header(&names) {
                        Ok(h) => self.stage = Stage::Rows(tokens, Box::new(h)),
                        Err(problems) => {
                            for (code, column, message) in problems {
                                self.errors.push(Some(self.row), column, code, message);
                            }
                        }
                    }
                    return;
                }
                Ok(false) => {
                    self.errors.push(
                        None,
                        None,
                        ErrorCode::EmptyFile,
                        "the file is empty: it needs a header row and one row per household".to_owned(),
                    );
                    return;
                }
                Err(e) => {
                    self.token_error(e, None);
                    return;
                }
            }
        }
    }

    fn token_error(&mut self, e: TokenError, header: Option<&Header>) {
        let row = self.row + 1;
        let (index, code, message) = match e {
            TokenError::CellTooLarge(i) => (
                i,
                ErrorCode::CellTooLarge,
                format!(
                    "a cell is larger than {} bytes; the register has no such values",
                    self.limits.max_cell_bytes
                ),
            ),
            TokenError::Unterminated(i) => (
                i,
                ErrorCode::UnterminatedQuote,
                "a cell opens a quote \" that is never closed".to_owned(),
            ),
        };
        let column = header.map(|h| column_name(h, index));
        self.errors.push(Some(row), column, code, message);
    }

    /// Reads and checks one row. Returns `false` when there are no more.
    fn next_row(&mut self) -> bool {
        let Stage::Rows(tokens, header) = &mut self.stage else {
            return false;
        };
        match tokens.next_record(&mut self.cells) {
            Ok(true) => {}
            Ok(false) => {
                if self.households_seen == 0 && self.errors.total == 0 {
                    self.errors.push(
                        None,
                        None,
                        ErrorCode::NoRows,
                        "the file has a header but no household rows".to_owned(),
                    );
                }
                self.stage = Stage::Done;
                return false;
            }
            Err(e) => {
                let header = std::mem::replace(&mut self.stage, Stage::Done);
                if let Stage::Rows(_, h) = header {
                    self.token_error(e, Some(&h));
                }
                return false;
            }
        }
        self.row += 1;
        self.rows_done += 1;
        if self.cells.iter().all(|c| c.trim().is_empty()) {
            return true;
        }
        self.households_seen += 1;
        if self.households_seen > self.limits.max_rows {
            self.errors.push(
                Some(self.row),
                None,
                ErrorCode::TooManyRows,
                format!(
                    "the file has more than {} household rows; split it into smaller files",
                    self.limits.max_rows
                ),
            );
            self.stage = Stage::Done;
            return false;
        }
        let mut check = RowCheck {
            row: self.row,
            header,
            cells: &self.cells,
            errors: &mut self.errors,
            failed: false,
        };
        let parsed = check.household(self.year, &self.limits.categories, &mut self.ids);
        if let (false, Some((h, grid, building, groups))) = (check.failed, parsed) {
            match self.places.building_id(&grid, &building, h.unit) {
                Ok(id) => {
                    let h = Household { building_id: id, ..h };
                    // The household form's rules, against the household's building.
                    let b = self.places.building(id);
                    let problems = household::validate(
                        &h,
                        b.map(std::slice::from_ref).unwrap_or_default(),
                        &self.limits.categories,
                        self.year,
                    );
                    if problems.is_empty() {
                        self.households.push(h);
                    } else if let Stage::Rows(_, header) = &self.stage {
                        for p in &problems {
                            let (column, code, message) = form_error(header, &groups, &h, b, p);
                            self.errors.push(Some(self.row), column, code, message);
                        }
                    }
                }
                Err(which) => {
                    let row = self.row;
                    let column = match &self.stage {
                        Stage::Rows(_, header) => {
                            let f = if which == "grid" {
                                HField::Grid
                            } else {
                                HField::Building
                            };
                            header.household[f as usize].map(|c| column_name(header, c))
                        }
                        _ => None,
                    };
                    self.errors.push(
                        Some(row),
                        column,
                        ErrorCode::NoFreeId,
                        format!("no id is left for a new {which}"),
                    );
                }
            }
        }
        if self.errors.total > 0 {
            // The result will be refused: keep validating, but hold nothing.
            self.households = Vec::new();
        }
        true
    }
}

/// Whether non-UTF-8 bytes look like GBK: more invalid bytes than valid
/// non-ASCII characters, and the non-ASCII bytes mostly form GBK pairs.
fn looks_like_gbk(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let (mut utf8_chars, mut invalid) = (0usize, 0usize);
    for chunk in sample.utf8_chunks() {
        utf8_chars += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += chunk.invalid().len();
    }
    if invalid <= utf8_chars {
        return false;
    }
    let (mut pairs, mut bad) = (0usize, 0usize);
    let mut i = 0;
    while i < sample.len() {
        let b = sample[i];
        if b < 0x80 {
            i += 1;
            continue;
        }
        match sample.get(i + 1) {
            Some(&t) if (0x81..=0xFE).contains(&b) && (0x40..=0xFE).contains(&t) && t != 0x7F => {
                pairs += 1;
                i += 2;
            }
            _ => {
                bad += 1;
                i += 1;
            }
        }
    }
    pairs > 0 && bad * 10 <= pairs
}

/// The header text of column `index`, or its Excel letter when blank.
fn column_name(header: &Header, index: usize) -> String {
    match header.names.get(index) {
        Some(n) if !n.is_empty() => n.clone(),
        _ => column_letter(index),
    }
}

/// At most 40 characters of `v`, for a message.
fn short(v: &str) -> Cow<'_, str> {
    match v.char_indices().nth(40) {
        Some((i, _)) => Cow::Owned(format!("{}…", &v[..i])),
        None => Cow::Borrowed(v),
    }
}

/// A refusal by the household form's rules ([`household::validate`]) as an import
/// error: the file column of the field (`None` when the field has none), the
/// import code ([`ErrorCode::from_form_code`]) and the form's English message
/// ([`household::message_en`]) with the value in question. `groups` holds the
/// header group of each of `h`'s members.
fn form_error(
    header: &Header,
    groups: &[usize],
    h: &Household,
    building: Option<&Building>,
    e: &FieldError,
) -> (Option<String>, ErrorCode, String) {
    let code = ErrorCode::from_form_code(e.code).unwrap_or(ErrorCode::OutOfRange);
    let form = household::message_en(e.code).unwrap_or(e.code);
    let column = |f: HField| header.household[f as usize].map(|c| column_name(header, c));
    let label = |f: HField| {
        let (_, zh, en, _) = HOUSEHOLD_COLUMNS[f as usize];
        Label(zh, en)
    };
    let chars = |t: &str| t.chars().count();
    let text = |f: HField, t: &str| {
        let m = if e.code == "too_long" {
            format!("{}: {form} (it has {} characters)", label(f), chars(t))
        } else {
            format!("{} '{}': {form}", label(f), short(t))
        };
        (column(f), code, m)
    };
    match e.field.as_str() {
        "room" => text(HField::Room, &h.room),
        "contact_name" => text(HField::ContactName, &h.contact_name),
        "contact_phone" => text(HField::ContactPhone, &h.contact_phone),
        "notes" => text(HField::Notes, &h.notes),
        "group" => text(HField::Group, &h.group),
        "building_id" => (
            column(HField::Building),
            code,
            format!("{}: {form}", label(HField::Building)),
        ),
        "unit" => {
            let detail = match building {
                Some(b) if h.unit > 0 && b.units > 0 => {
                    format!("building {} has units 1 to {}", b.name, b.units)
                }
                Some(b) if h.unit > 0 => format!("building {} has no units", b.name),
                _ => "units are numbered from 1".to_owned(),
            };
            let m = format!("{} {}: {form} ({detail})", label(HField::Unit), h.unit);
            (column(HField::Unit), code, m)
        }
        "lives_alone" => {
            let m = format!(
                "{} is yes but the row has {} members: {form}",
                label(HField::LivesAlone),
                h.members.len()
            );
            (column(HField::LivesAlone), code, m)
        }
        "members" => {
            let first = header.groups.first().and_then(|g| g.cols[MField::Name as usize]);
            let m = format!(
                "{form} Fill in a member's name, birth year and sex (成员1姓名, 成员1出生年份, 成员1性别)."
            );
            (first.map(|c| column_name(header, c)), code, m)
        }
        f => {
            if let Some(i) = f.strip_prefix("needs.").and_then(|i| i.parse::<usize>().ok()) {
                let cat = h.needs.get(i).map_or("", |n| n.category.as_str());
                let m = format!("{} '{cat}': {form}", label(HField::Needs));
                return (column(HField::Needs), code, m);
            }
            let member = f.strip_prefix("members.").and_then(|rest| {
                let (i, sub) = rest.split_once('.')?;
                let i: usize = i.parse().ok()?;
                let mf = match sub {
                    "name" => MField::Name,
                    "birth_year" => MField::BirthYear,
                    "disability_grade" => MField::Disability,
                    _ => return None,
                };
                Some((i, mf))
            });
            if let Some((i, mf)) = member {
                let group = groups.get(i).and_then(|&g| header.groups.get(g));
                let (_, zh, en, _) = MEMBER_COLUMNS[mf as usize];
                let n = group.map_or(0, |g| g.number);
                let extra = match (mf, h.members.get(i)) {
                    (MField::Name, Some(m)) if e.code == "too_long" => {
                        format!(" (it has {} characters)", chars(&m.name))
                    }
                    _ => String::new(),
                };
                let m = format!("member {n} {en} ({zh}): {form}{extra}");
                let col = group.and_then(|g| g.cols[mf as usize]);
                return (col.map(|c| column_name(header, c)), code, m);
            }
            (None, code, format!("{f}: {form}"))
        }
    }
}

/// The kept errors and the count of all.
#[derive(Debug)]
struct Sink {
    kept: Vec<ImportError>,
    total: usize,
    max: usize,
}

impl Sink {
    fn new(max: usize) -> Self {
        Self {
            kept: Vec::new(),
            total: 0,
            max,
        }
    }

    fn push(&mut self, row: Option<u64>, column: Option<String>, code: ErrorCode, message: String) {
        self.total += 1;
        // Errors that stop the import are kept even past the cap: they
        // explain why later rows were not checked.
        let stops = matches!(
            code,
            ErrorCode::TooManyRows | ErrorCode::CellTooLarge | ErrorCode::UnterminatedQuote
        );
        if self.kept.len() < self.max || stops {
            self.kept.push(ImportError {
                row,
                column,
                code,
                message,
            });
        }
    }
}

/// Grids and buildings by name, existing and new.
#[derive(Debug)]
struct Places {
    grids: HashMap<String, u32>,
    /// grid id → building name → building id.
    buildings: HashMap<u32, HashMap<String, u32>>,
    next_grid: Option<u32>,
    next_building: Option<u32>,
    new_grids: Vec<Grid>,
    new_buildings: Vec<Building>,
    /// Index in `new_buildings` of each new building id.
    new_building_index: HashMap<u32, usize>,
    /// The existing buildings by id, for the household form's unit check.
    existing: HashMap<u32, Building>,
}

impl Places {
    fn new(grids: &[Grid], buildings: &[Building]) -> Self {
        let mut by_name: HashMap<String, u32> = HashMap::new();
        for g in grids {
            let e = by_name.entry(g.name.trim().to_owned()).or_insert(g.id);
            *e = (*e).min(g.id);
        }
        let mut b_by_name: HashMap<u32, HashMap<String, u32>> = HashMap::new();
        for b in buildings {
            let e = b_by_name
                .entry(b.grid_id)
                .or_default()
                .entry(b.name.trim().to_owned())
                .or_insert(b.id);
            *e = (*e).min(b.id);
        }
        let next = |max: Option<u32>| match max {
            None => Some(1),
            Some(m) => m.checked_add(1),
        };
        Self {
            grids: by_name,
            buildings: b_by_name,
            next_grid: next(grids.iter().map(|g| g.id).max()),
            next_building: next(buildings.iter().map(|b| b.id).max()),
            new_grids: Vec::new(),
            new_buildings: Vec::new(),
            new_building_index: HashMap::new(),
            existing: buildings.iter().map(|b| (b.id, b.clone())).collect(),
        }
    }

    /// The building with id `id`, new or existing.
    fn building(&self, id: u32) -> Option<&Building> {
        match self.new_building_index.get(&id) {
            Some(&i) => self.new_buildings.get(i),
            None => self.existing.get(&id),
        }
    }

    /// The id of building `building` of grid `grid`, creating either if new.
    /// `Err("grid" | "building")` when ids have run out.
    fn building_id(&mut self, grid: &str, building: &str, unit: u8) -> Result<u32, &'static str> {
        let grid_id = match self.grids.get(grid) {
            Some(id) => *id,
            None => {
                let id = self.next_grid.ok_or("grid")?;
                self.next_grid = id.checked_add(1);
                self.grids.insert(grid.to_owned(), id);
                self.new_grids.push(Grid {
                    id,
                    name: grid.to_owned(),
                    guide: String::new(),
                });
                id
            }
        };
        let in_grid = self.buildings.entry(grid_id).or_default();
        let id = match in_grid.get(building) {
            Some(id) => *id,
            None => {
                let id = self.next_building.ok_or("building")?;
                self.next_building = id.checked_add(1);
                in_grid.insert(building.to_owned(), id);
                self.new_building_index.insert(id, self.new_buildings.len());
                self.new_buildings.push(Building {
                    id,
                    grid_id,
                    name: building.to_owned(),
                    units: 0,
                    floors: 0,
                    year_built: 0,
                    plan_x: 0,
                    plan_y: 0,
                });
                id
            }
        };
        if let Some(b) = self
            .new_building_index
            .get(&id)
            .and_then(|&i| self.new_buildings.get_mut(i))
        {
            b.units = b.units.max(unit);
        }
        Ok(id)
    }

    fn into_new(self) -> (Vec<Grid>, Vec<Building>) {
        (self.new_grids, self.new_buildings)
    }
}

/// A column named in messages: `性别 (sex)`.
struct Label(&'static str, &'static str);

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.0, self.1)
    }
}

/// The checking of one row.
struct RowCheck<'r, 'a> {
    row: u64,
    header: &'r Header,
    cells: &'r [Cow<'a, str>],
    errors: &'r mut Sink,
    failed: bool,
}

/// A household parsed from a row, with its grid and building names and, for
/// each of its members, the index of its group in [`Header::groups`].
type Parsed = (Household, String, String, Vec<usize>);

impl<'r, 'a: 'r> RowCheck<'r, 'a> {
    fn err(&mut self, col: usize, code: ErrorCode, message: String) {
        self.failed = true;
        let column = column_name(self.header, col);
        self.errors.push(Some(self.row), Some(column), code, message);
    }

    /// The raw cell of file column `col`, empty if the row is short.
    fn raw(&self, col: usize) -> &'r str {
        let cells: &'r [Cow<'a, str>] = self.cells;
        cells.get(col).map_or("", |c| c.as_ref())
    }

    /// Trimmed and unescaped value of household field `f`, with its column.
    fn field(&self, f: HField) -> (&'r str, Option<usize>) {
        match self.header.household[f as usize] {
            Some(c) => (unescape(self.raw(c).trim()), Some(c)),
            None => ("", None),
        }
    }

    /// A required text field: `None` (and an error) when empty.
    fn required_text(&mut self, f: HField) -> Option<String> {
        let (v, col) = self.field(f);
        if !v.is_empty() {
            return Some(v.to_owned());
        }
        if let Some(c) = col {
            let (_, zh, en, _) = HOUSEHOLD_COLUMNS[f as usize];
            self.err(c, ErrorCode::Required, format!("{zh} ({en}) is empty"));
        }
        None
    }

    fn text(&self, f: HField) -> String {
        self.field(f).0.to_owned()
    }

    /// A whole number in `lo..=hi` from field value `v` of column `col`.
    fn number(&mut self, v: &str, col: usize, what: &str, lo: u64, hi: u64) -> Option<u64> {
        if v.is_empty() {
            self.err(col, ErrorCode::Required, format!("{what} is empty"));
            return None;
        }
        match parse_uint(v) {
            Ok(n) if (lo..=hi).contains(&n) => Some(n),
            Ok(_) | Err(NumberError::TooLarge) => {
                self.err(
                    col,
                    ErrorCode::OutOfRange,
                    format!("{what} '{v}' is out of range: it must be {lo} to {hi}"),
                );
                None
            }
            Err(NumberError::NotANumber) => {
                self.err(
                    col,
                    ErrorCode::BadNumber,
                    format!("{what} '{v}' is not a whole number (digits only)"),
                );
                None
            }
        }
    }

    /// A required enum field.
    fn required_enum<T: Copy>(&mut self, f: HField, table: &Table<T>) -> Option<T> {
        let (v, col) = self.field(f);
        let col = col?;
        let (_, zh, en, _) = HOUSEHOLD_COLUMNS[f as usize];
        self.word(v, col, table, &Label(zh, en), true)
    }

    /// A word of `table` in column `col`; empty is `None`, an error if `required`.
    fn word<T: Copy>(
        &mut self,
        v: &str,
        col: usize,
        table: &Table<T>,
        what: &dyn fmt::Display,
        required: bool,
    ) -> Option<T> {
        if v.is_empty() {
            if required {
                self.err(col, ErrorCode::Required, format!("{what} is empty"));
            }
            return None;
        }
        let found = lookup(table, v);
        if found.is_none() {
            let message = format!("{what}: unknown value '{v}'; use {}", allowed(table));
            self.err(col, ErrorCode::UnknownValue, message);
        }
        found
    }

    fn household(
        &mut self,
        year: i64,
        categories: &[NeedCategory],
        ids: &mut HashMap<u32, u64>,
    ) -> Option<Parsed> {
        self.blank_columns();
        let (v, col) = self.field(HField::Id);
        let id = col.and_then(|c| {
            let n = self.number(v, c, "household id (户编号)", 1, u64::from(u32::MAX))?;
            let id = u32::try_from(n).ok()?;
            if let Some(first) = ids.get(&id) {
                let first = *first;
                self.err(
                    c,
                    ErrorCode::DuplicateHouseholdId,
                    format!("household id {id} is already used on row {first}"),
                );
            } else {
                ids.insert(id, self.row);
            }
            Some(id)
        });
        let grid = self.required_text(HField::Grid);
        let building = self.required_text(HField::Building);
        let (v, col) = self.field(HField::Unit);
        let unit = col.and_then(|c| self.number(v, c, "unit (单元)", 0, 255));
        let room = self.required_text(HField::Room);
        let tenure = self.required_enum(HField::Tenure, vocab::TENURE);
        let income_band = self.required_enum(HField::Income, vocab::INCOME);
        let subsistence = self.required_enum(HField::Subsistence, vocab::SUBSISTENCE);
        let housing = self.required_enum(HField::Housing, vocab::HOUSING);
        let skills: Vec<String> = split_list(self.field(HField::Skills).0)
            .map(str::to_owned)
            .collect();
        let needs = self.needs(categories);
        let (v, col) = self.field(HField::Willingness);
        let willingness = match col {
            Some(c) => self.word(v, c, vocab::WILLINGNESS, &Label("参与意愿", "willingness"), false),
            None => None,
        }
        .unwrap_or(Willingness::None);
        let group = self.text(HField::Group);
        let contact_name = self.text(HField::ContactName);
        let contact_phone = self.text(HField::ContactPhone);
        let notes = match self.header.household[HField::Notes as usize] {
            Some(c) => unescape(self.raw(c)).to_owned(),
            None => String::new(),
        };
        let (v, col) = self.field(HField::LivesAlone);
        let lives_alone = match col {
            Some(c) => self.word(v, c, vocab::BOOL, &Label("独居", "lives alone"), false),
            None => None,
        };
        let (members, groups) = self.members(year);
        let household = Household {
            id: id?,
            building_id: 0,
            unit: u8::try_from(unit?).ok()?,
            room: room?,
            tenure: tenure?,
            income_band: income_band?,
            subsistence: subsistence?,
            housing: housing?,
            skills,
            needs: needs?,
            willingness,
            group,
            contact_name,
            contact_phone,
            notes,
            lives_alone: lives_alone.unwrap_or(members.len() == 1),
            members,
            updated_at: 0,
        };
        Some((household, grid?, building?, groups))
    }

    /// Cells under blank headers, or past the last header, must be empty.
    fn blank_columns(&mut self) {
        let n = self.cells.len();
        for i in 0..n {
            let blank = !matches!(
                self.header.kinds.get(i),
                Some(Col::Household(_) | Col::Member(..))
            );
            if blank && !self.raw(i).trim().is_empty() {
                self.err(
                    i,
                    ErrorCode::CellWithoutHeader,
                    format!(
                        "column {} has a value but no header; add a header or clear the column",
                        column_letter(i)
                    ),
                );
            }
        }
    }

    fn needs(&mut self, categories: &[NeedCategory]) -> Option<Vec<Need>> {
        let (v, col) = self.field(HField::Needs);
        let Some(col) = col else {
            return Some(Vec::new());
        };
        let mut needs: Vec<Need> = Vec::new();
        let mut ok = true;
        for item in split_list(v) {
            let Some((cat, urg)) = item.split_once([':', '：']) else {
                self.err(
                    col,
                    ErrorCode::BadNeed,
                    format!("need '{item}' must be written category:urgency, e.g. elderly_care:高"),
                );
                ok = false;
                continue;
            };
            let (cat, urg) = (cat.trim(), urg.trim());
            let category = categories.iter().find(|c| {
                same_word(cat, &c.code) || cat == c.name_zh.trim() || same_word(cat, c.name_en.trim())
            });
            let Some(category) = category else {
                let codes: Vec<&str> = categories.iter().map(|c| c.code.as_str()).collect();
                self.err(
                    col,
                    ErrorCode::UnknownCategory,
                    format!(
                        "unknown need category '{cat}'; use a code ({}) or its Chinese or English name",
                        codes.join(", ")
                    ),
                );
                ok = false;
                continue;
            };
            let Some(urgency) = self.word(urg, col, vocab::URGENCY, &"need urgency", true) else {
                ok = false;
                continue;
            };
            if needs.iter().any(|n| n.category == category.code) {
                self.err(
                    col,
                    ErrorCode::DuplicateNeed,
                    format!("need category '{}' is listed twice", category.code),
                );
                ok = false;
                continue;
            }
            needs.push(Need {
                category: category.code.clone(),
                urgency,
            });
        }
        ok.then_some(needs)
    }

    /// The members of the row, and the index in [`Header::groups`] of each one's group.
    fn members(&mut self, year: i64) -> (Vec<Member>, Vec<usize>) {
        let header: &'r Header = self.header;
        let mut members = Vec::new();
        let mut groups = Vec::new();
        for (gi, group) in header.groups.iter().enumerate() {
            let n = group.number;
            let values: [(&'r str, Option<usize>); MEMBER_COLUMNS.len()] =
                std::array::from_fn(|f| match group.cols.get(f).copied().flatten() {
                    Some(c) => (unescape(self.raw(c).trim()), Some(c)),
                    None => ("", None),
                });
            if values.iter().all(|(v, _)| v.is_empty()) {
                continue;
            }
            let mut complete = true;
            for (f, (_, zh, en, required)) in MEMBER_COLUMNS.iter().enumerate() {
                if let (true, (v, Some(c))) = (*required, &values[f]) {
                    if v.is_empty() {
                        complete = false;
                        self.err(
                            *c,
                            ErrorCode::MemberIncomplete,
                            format!("member {n} has data but no {en} ({zh}); fill it in or clear the member"),
                        );
                    }
                }
            }
            let name = values[0].0.to_owned();
            let birth_year = match (&values[1], complete) {
                ((v, Some(c)), true) => self.birth_year(v, *c, year),
                _ => None,
            };
            let sex = match &values[2] {
                (v, Some(c)) if !v.is_empty() => self.word(v, *c, vocab::SEX, &Label("性别", "sex"), true),
                _ => None,
            };
            let flag = |s: &mut Self, f: usize, what: &Label| -> Option<bool> {
                match &values[f] {
                    (v, Some(c)) => s
                        .word(v, *c, vocab::BOOL, what, false)
                        .or(v.is_empty().then_some(false)),
                    (_, None) => Some(false),
                }
            };
            let chronic = flag(self, 3, &Label("慢性病", "chronic illness"));
            let dementia = flag(self, 5, &Label("失智", "dementia"));
            let disability = match &values[4] {
                (v, Some(c))
                    if !v.is_empty()
                        && lookup(vocab::BOOL, v) != Some(false)
                        && *v != "无"
                        && !same_word(v, "none") =>
                {
                    self.number(v, *c, "disability grade (残疾等级)", 1, 4)
                        .map(|g| Some(g as u8))
                }
                _ => Some(None),
            };
            let employment = match &values[6] {
                (v, Some(c)) if !v.is_empty() => {
                    self.word(v, *c, vocab::EMPLOYMENT, &Label("就业", "employment"), false)
                }
                _ => Some(Employment::NotApplicable),
            };
            let school_stage = match &values[7] {
                (v, Some(c)) if !v.is_empty() && *v != "无" && !same_word(v, "none") => self
                    .word(v, *c, vocab::SCHOOL_STAGE, &Label("学段", "school stage"), false)
                    .map(Some),
                _ => Some(None),
            };
            if let (
                Some(birth_year),
                Some(sex),
                Some(chronic_illness),
                Some(dementia),
                Some(d),
                Some(e),
                Some(s),
            ) = (
                birth_year,
                sex,
                chronic,
                dementia,
                disability,
                employment,
                school_stage,
            ) {
                groups.push(gi);
                members.push(Member {
                    name,
                    birth_year,
                    sex,
                    chronic_illness,
                    disability_grade: d,
                    dementia,
                    employment: e,
                    school_stage: s,
                });
            }
        }
        (members, groups)
    }

    fn birth_year(&mut self, v: &str, col: usize, year: i64) -> Option<u16> {
        let what = "birth year (出生年份)";
        let n = match parse_uint(v) {
            Ok(n) => n,
            Err(NumberError::TooLarge) => u64::MAX,
            Err(NumberError::NotANumber) => {
                self.err(
                    col,
                    ErrorCode::BadNumber,
                    format!("{what} '{v}' is not a year (digits only, e.g. 1950)"),
                );
                return None;
            }
        };
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        let oldest = year.saturating_sub(120);
        if n > year {
            self.err(
                col,
                ErrorCode::BirthYearInFuture,
                format!("{what} {v} is after {year}"),
            );
            return None;
        }
        if n < oldest {
            self.err(
                col,
                ErrorCode::BirthYearTooOld,
                format!("{what} {v} is before {oldest} (more than 120 years ago)"),
            );
            return None;
        }
        match u16::try_from(n) {
            Ok(y) => Some(y),
            Err(_) => {
                self.err(col, ErrorCode::OutOfRange, format!("{what} {v} is out of range"));
                None
            }
        }
    }
}
