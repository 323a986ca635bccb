//! CSV files of an allocation result's tables, for Excel: the allocation per category, the
//! group-fairness table and the cost sharing — the same figures the app shows and
//! `linli allocate` prints, in the same units.
//!
//! Every file is UTF-8 with a byte-order mark and CRLF line ends, headers in Chinese or
//! English. Money is in yuan with exactly two decimals and no separators (`1234.50`, exact:
//! written from the integer fen, never through a float), slots and hours are integers,
//! shares are percentages with two decimals (`35.00%`). Text cells (category and group names,
//! codes) starting with `=`, `+`, `-`, `@`, tab, CR or `'` get a leading `'` so that a
//! spreadsheet never runs them as formulas; numeric cells are written by this module and
//! never need it.

use crate::model::{NeedCategory, NeedClass, ResourceKind};

use super::config::kind_code;
use super::pools::{AllocationResult, Binding, KindResult};

/// The language of headers and labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Simplified Chinese (default).
    #[default]
    Zh,
    En,
}

/// How codes are named in the files.
pub struct CsvLabels<'a> {
    pub lang: Lang,
    /// The need categories (names); a code not found is written as is.
    pub categories: &'a [NeedCategory],
    /// The display name of a resident-group code (the app's translation).
    pub group: &'a dyn Fn(&str) -> String,
}

impl std::fmt::Debug for CsvLabels<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CsvLabels")
            .field("lang", &self.lang)
            .field("categories", &self.categories.len())
            .finish_non_exhaustive()
    }
}

impl CsvLabels<'_> {
    fn pick(&self, zh: &'static str, en: &'static str) -> &'static str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    fn category(&self, code: &str) -> String {
        self.categories.iter().find(|c| c.code == code).map_or_else(
            || code.to_owned(),
            |c| match self.lang {
                Lang::Zh => c.name_zh.clone(),
                Lang::En => c.name_en.clone(),
            },
        )
    }
}

/// The name of a need class.
pub fn class_name(class: NeedClass, lang: Lang) -> &'static str {
    match (class, lang) {
        (NeedClass::Basic, Lang::Zh) => "基本民生",
        (NeedClass::Basic, Lang::En) => "basic livelihood",
        (NeedClass::Improvement, Lang::Zh) => "提升类",
        (NeedClass::Improvement, Lang::En) => "improvement",
        (NeedClass::Special, Lang::Zh) => "特殊类",
        (NeedClass::Special, Lang::En) => "special",
    }
}

/// The name of a resource kind.
pub fn kind_name(kind: ResourceKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (ResourceKind::Money, Lang::Zh) => "资金",
        (ResourceKind::Money, Lang::En) => "money",
        (ResourceKind::Slots, Lang::Zh) => "服务名额",
        (ResourceKind::Slots, Lang::En) => "service slots",
        (ResourceKind::RoomHours, Lang::Zh) => "场地时段",
        (ResourceKind::RoomHours, Lang::En) => "room hours",
    }
}

/// The unit of a resource kind as shown: yuan (money is shown in yuan), slots, hours.
pub fn unit_name(kind: ResourceKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (ResourceKind::Money, Lang::Zh) => "元",
        (ResourceKind::Money, Lang::En) => "yuan",
        (ResourceKind::Slots, Lang::Zh) => "个",
        (ResourceKind::Slots, Lang::En) => "slots",
        (ResourceKind::RoomHours, Lang::Zh) => "小时",
        (ResourceKind::RoomHours, Lang::En) => "hours",
    }
}

/// The name of a funder code; other codes as they are.
pub fn funder_name(code: &str, lang: Lang) -> String {
    match (code, lang) {
        ("government", Lang::Zh) => "政府".to_owned(),
        ("government", Lang::En) => "government".to_owned(),
        ("market", Lang::Zh) => "市场".to_owned(),
        ("market", Lang::En) => "market".to_owned(),
        ("society", Lang::Zh) => "社会".to_owned(),
        ("society", Lang::En) => "society".to_owned(),
        ("residents", Lang::Zh) => "居民".to_owned(),
        ("residents", Lang::En) => "residents".to_owned(),
        (other, _) => other.to_owned(),
    }
}

/// The name of what bound a category's amount.
pub fn binding_name(b: Binding, lang: Lang) -> &'static str {
    match (b, lang) {
        (Binding::None, Lang::Zh) => "无",
        (Binding::None, Lang::En) => "none",
        (Binding::Floor, Lang::Zh) => "下限",
        (Binding::Floor, Lang::En) => "floor",
        (Binding::MinFen, Lang::Zh) => "最低金额",
        (Binding::MinFen, Lang::En) => "money floor",
        (Binding::Cap, Lang::Zh) => "上限",
        (Binding::Cap, Lang::En) => "cap",
        (Binding::ChangeLimit, Lang::Zh) => "变动幅度限制",
        (Binding::ChangeLimit, Lang::En) => "change limit",
        (Binding::Rebalanced, Lang::Zh) => "随其他类别调整",
        (Binding::Rebalanced, Lang::En) => "rebalanced",
    }
}

/// Fen as plain yuan with two decimals: `123450` → `1234.50`, `-7` → `-0.07`. Exact.
///
/// # Examples
///
/// ```
/// use linli_domain::alloc::export::yuan_plain;
/// assert_eq!(yuan_plain(123_450), "1234.50");
/// assert_eq!(yuan_plain(-7), "-0.07");
/// ```
pub fn yuan_plain(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// An amount of a kind in its display unit: yuan for money, else the integer.
pub fn amount_plain(kind: ResourceKind, amount: i64) -> String {
    match kind {
        ResourceKind::Money => yuan_plain(amount),
        _ => amount.to_string(),
    }
}

/// Basis points as a percentage with two decimals: `3500` → `35.00%`, `-150` → `-1.50%`.
pub fn percent_plain(bp: i64) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let abs = bp.unsigned_abs();
    format!("{sign}{}.{:02}%", abs / 100, abs % 100)
}

/// A ratio in basis points as a factor: `15000` → `1.50`.
fn factor_plain(bp: u64) -> String {
    let hundredths = (bp + 50) / 100;
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// A text cell made safe for spreadsheets ([`crate::csv_cell::escape`]).
fn text(cell: &str) -> String {
    crate::csv_cell::escape(cell)
}

/// Builds a CSV file: BOM, CRLF, quoting by the `csv` crate.
struct Sheet {
    w: csv::Writer<Vec<u8>>,
}

impl Sheet {
    fn new(header: &[&str]) -> Self {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer("\u{feff}".as_bytes().to_vec());
        // Writing to a Vec cannot fail.
        let _ = w.write_record(header);
        Self { w }
    }

    fn row(&mut self, cells: &[String]) {
        let _ = self.w.write_record(cells);
    }

    fn finish(self) -> String {
        let bytes = self.w.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }
}

fn option_percent(bp: Option<u32>) -> String {
    bp.map(|b| percent_plain(i64::from(b))).unwrap_or_default()
}

fn kind_rows(sheet: &mut Sheet, k: &KindResult, l: &CsvLabels<'_>) {
    let kind = kind_name(k.kind, l.lang).to_owned();
    let unit = unit_name(k.kind, l.lang).to_owned();
    let code = kind_code(k.kind).to_owned();
    let amount = |v: i64| amount_plain(k.kind, v);
    for c in &k.categories {
        sheet.row(&[
            code.clone(),
            kind.clone(),
            unit.clone(),
            l.pick("类别", "category").to_owned(),
            text(&c.code),
            text(&l.category(&c.code)),
            class_name(c.class, l.lang).to_owned(),
            amount(c.base),
            amount(c.flexible),
            amount(c.total),
            percent_plain(i64::from(c.share_bp)),
            c.previous.map(amount).unwrap_or_default(),
            option_percent(c.previous_share_bp),
            c.change_bp.map(percent_plain).unwrap_or_default(),
            binding_name(c.explanation.binding, l.lang).to_owned(),
        ]);
    }
    let p = &k.pools;
    sheet.row(&[
        code.clone(),
        kind.clone(),
        unit.clone(),
        l.pick("应急储备金", "emergency reserve").to_owned(),
        String::new(),
        l.pick(
            "应急储备金（按决议动用，不分配）",
            "emergency reserve (released by decision only)",
        )
        .to_owned(),
        String::new(),
        String::new(),
        String::new(),
        amount(p.reserve),
        percent_plain(i64::from(super::bp_of(p.reserve as u128, k.total.max(0) as u128))),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]);
    sheet.row(&[
        code,
        kind,
        unit,
        l.pick("合计", "total").to_owned(),
        String::new(),
        l.pick("本期合计", "period total").to_owned(),
        String::new(),
        amount(p.base),
        amount(p.flexible),
        amount(k.total),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]);
}

/// The allocation per category: one row per category of each kind (base pool, flexible
/// pool, total, share of the allocated pools, previous amount and share, change of share,
/// what bound it), then the kind's emergency reserve and its total.
///
/// # Examples
///
/// ```
/// use linli_domain::alloc::export::{allocation_csv, CsvLabels, Lang};
/// use linli_domain::alloc::{allocate, AllocConfig};
/// let d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig { households: 200, ..Default::default() });
/// let r = allocate(&d, &AllocConfig::default(), "2026-Q3").unwrap();
/// let cats = linli_domain::demo::default_categories();
/// let group = |g: &str| g.to_owned();
/// let csv = allocation_csv(&r, &CsvLabels { lang: Lang::Zh, categories: &cats, group: &group });
/// assert!(csv.starts_with("\u{feff}资源代码,资源类型,单位,行类型,类别代码,类别,"));
/// assert!(csv.contains("\r\nmoney,资金,元,类别,childcare,托育服务,基本民生,"));
/// ```
pub fn allocation_csv(r: &AllocationResult, l: &CsvLabels<'_>) -> String {
    let header: &[&str] = match l.lang {
        Lang::Zh => &[
            "资源代码",
            "资源类型",
            "单位",
            "行类型",
            "类别代码",
            "类别",
            "类别属性",
            "基础池",
            "机动池",
            "合计",
            "占比",
            "上期",
            "上期占比",
            "占比变化",
            "约束",
        ],
        Lang::En => &[
            "kind_code",
            "kind",
            "unit",
            "row",
            "category_code",
            "category",
            "class",
            "base",
            "flexible",
            "total",
            "share",
            "previous",
            "previous_share",
            "share_change",
            "bound",
        ],
    };
    let mut sheet = Sheet::new(header);
    for k in &r.kinds {
        kind_rows(&mut sheet, k, l);
    }
    sheet.finish()
}

/// The group-fairness table of each kind: households, residents, need, resources and the
/// shares and ratios, and the elite-capture warning.
pub fn fairness_csv(r: &AllocationResult, l: &CsvLabels<'_>) -> String {
    let header: &[&str] = match l.lang {
        Lang::Zh => &[
            "资源代码",
            "资源类型",
            "单位",
            "群体代码",
            "群体",
            "户数",
            "人口",
            "需求分",
            "所获资源",
            "资源占比",
            "人口占比",
            "需求占比",
            "资源占比÷人口占比",
            "资源占比÷需求占比",
            "单位需求资源÷其他群体",
            "精英俘获预警",
        ],
        Lang::En => &[
            "kind_code",
            "kind",
            "unit",
            "group_code",
            "group",
            "households",
            "residents",
            "need_score",
            "resources",
            "resource_share",
            "population_share",
            "need_share",
            "per_population",
            "per_need",
            "per_need_vs_others",
            "capture_warning",
        ],
    };
    let mut sheet = Sheet::new(header);
    for k in &r.kinds {
        for g in &k.fairness.groups {
            sheet.row(&[
                kind_code(k.kind).to_owned(),
                kind_name(k.kind, l.lang).to_owned(),
                unit_name(k.kind, l.lang).to_owned(),
                text(&g.key),
                text(&(l.group)(&g.label)),
                g.households.to_string(),
                g.residents.to_string(),
                format!("{}.{}", g.need_score / 10, g.need_score % 10),
                amount_plain(k.kind, g.resources),
                percent_plain(i64::from(g.resource_share_bp)),
                percent_plain(i64::from(g.population_share_bp)),
                percent_plain(i64::from(g.need_share_bp)),
                g.per_population_bp.map(factor_plain).unwrap_or_default(),
                g.per_need_bp.map(factor_plain).unwrap_or_default(),
                g.per_need_vs_others_bp.map(factor_plain).unwrap_or_default(),
                if g.capture_warning {
                    l.pick("是", "yes")
                } else {
                    l.pick("否", "no")
                }
                .to_owned(),
            ]);
        }
    }
    sheet.finish()
}

/// The cost sharing of the money: one row per category (its money split among the funders
/// of its class's rule), one per need class, the emergency reserve and the total, one column
/// per funder, in yuan exact to the fen. Empty (header only) without money.
pub fn cost_sharing_csv(r: &AllocationResult, l: &CsvLabels<'_>) -> String {
    let funders: Vec<&str> = r
        .cost_sharing
        .as_ref()
        .map(|c| c.by_funder.iter().map(|f| f.funder.as_str()).collect())
        .unwrap_or_default();
    let mut header: Vec<String> = match l.lang {
        Lang::Zh => ["行类型", "类别代码", "类别", "类别属性", "合计（元）"],
        Lang::En => ["row", "category_code", "category", "class", "total_yuan"],
    }
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for f in &funders {
        let name = funder_name(f, l.lang);
        header.push(match l.lang {
            Lang::Zh => format!("{}（元）", text(&name)),
            Lang::En => format!("{}_yuan", text(&name)),
        });
    }
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut sheet = Sheet::new(&header_refs);
    let Some(cs) = &r.cost_sharing else {
        return sheet.finish();
    };
    let cells = |list: &[super::FunderAmount]| -> Vec<String> {
        funders
            .iter()
            .map(|f| yuan_plain(list.iter().filter(|x| x.funder == *f).map(|x| x.amount_fen).sum()))
            .collect()
    };
    for c in &cs.by_category {
        let mut row = vec![
            l.pick("类别", "category").to_owned(),
            text(&c.code),
            text(&l.category(&c.code)),
            class_name(c.class, l.lang).to_owned(),
            yuan_plain(c.total_fen),
        ];
        row.extend(cells(&c.funders));
        sheet.row(&row);
    }
    for c in &cs.by_class {
        let mut row = vec![
            l.pick("类别属性小计", "class subtotal").to_owned(),
            String::new(),
            String::new(),
            class_name(c.class, l.lang).to_owned(),
            yuan_plain(c.total_fen),
        ];
        row.extend(cells(&c.funders));
        sheet.row(&row);
    }
    let reserve: i64 = cs.reserve.iter().map(|f| f.amount_fen).sum();
    let mut row = vec![
        l.pick("应急储备金", "emergency reserve").to_owned(),
        String::new(),
        String::new(),
        String::new(),
        yuan_plain(reserve),
    ];
    row.extend(cells(&cs.reserve));
    sheet.row(&row);
    let mut row = vec![
        l.pick("合计", "total").to_owned(),
        String::new(),
        String::new(),
        String::new(),
        yuan_plain(cs.total_fen),
    ];
    row.extend(cells(&cs.by_funder));
    sheet.row(&row);
    sheet.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alloc::{allocate, AllocConfig};
    use crate::demo::{default_categories, generate, DemoConfig};

    fn rows(csv: &str) -> Vec<Vec<String>> {
        let body = csv.strip_prefix('\u{feff}').expect("BOM");
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(body.as_bytes());
        r.records()
            .map(|x| x.unwrap().iter().map(str::to_owned).collect())
            .collect()
    }

    fn fen(cell: &str) -> i64 {
        let (int, frac) = cell.split_once('.').unwrap();
        assert_eq!(frac.len(), 2, "{cell}");
        let v = int.trim_start_matches('-').parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap();
        if cell.starts_with('-') {
            -v
        } else {
            v
        }
    }

    #[test]
    fn allocation_csv_holds_every_amount_exactly() {
        let d = generate(&DemoConfig {
            households: 300,
            ..Default::default()
        });
        let r = allocate(&d, &AllocConfig::default(), "2026-Q3").unwrap();
        let cats = default_categories();
        let group = |g: &str| g.to_owned();
        let l = CsvLabels {
            lang: Lang::Zh,
            categories: &cats,
            group: &group,
        };
        let csv = allocation_csv(&r, &l);
        assert!(csv.contains("\r\n"));
        let table = rows(&csv);
        let money = r.kind(ResourceKind::Money).unwrap();
        let mine: Vec<&Vec<String>> = table
            .iter()
            .filter(|x| x[0] == "money" && x[3] == "类别")
            .collect();
        assert_eq!(mine.len(), money.categories.len());
        for (row, c) in mine.iter().zip(&money.categories) {
            assert_eq!(row[4], c.code);
            assert_eq!(
                (fen(&row[7]), fen(&row[8]), fen(&row[9])),
                (c.base, c.flexible, c.total)
            );
        }
        let reserve = table
            .iter()
            .find(|x| x[0] == "money" && x[3] == "应急储备金")
            .unwrap();
        let total = table.iter().find(|x| x[0] == "money" && x[3] == "合计").unwrap();
        let sum: i64 = mine.iter().map(|x| fen(&x[9])).sum();
        assert_eq!(sum + fen(&reserve[9]), fen(&total[9]));
        assert_eq!(fen(&total[9]), money.total);
        // Slots are integers.
        if let Some(slots) = r.kind(ResourceKind::Slots) {
            let s: i64 = table
                .iter()
                .filter(|x| x[0] == "slots" && x[3] == "类别")
                .map(|x| x[9].parse::<i64>().unwrap())
                .sum();
            assert_eq!(s, slots.pools.allocated);
        }

        let cost = rows_of_cost(&r, &l);
        let total = cost.iter().find(|x| x[0] == "合计").unwrap();
        assert_eq!(fen(&total[4]), money.total);
        let by_funder: i64 = total[5..].iter().map(|c| fen(c)).sum();
        assert_eq!(by_funder, money.total);
        assert_eq!(cost[0][5], "政府（元）");

        let fair = rows(&fairness_csv(&r, &l));
        assert_eq!(fair[0][15], "精英俘获预警");
        let res: i64 = fair[1..]
            .iter()
            .filter(|x| x[0] == "money")
            .map(|x| fen(&x[8]))
            .sum();
        assert_eq!(res, money.pools.allocated);
    }

    fn rows_of_cost(r: &AllocationResult, l: &CsvLabels<'_>) -> Vec<Vec<String>> {
        rows(&cost_sharing_csv(r, l))
    }

    #[test]
    fn text_cells_are_escaped_numbers_are_not() {
        let d = generate(&DemoConfig {
            households: 120,
            ..Default::default()
        });
        let r = allocate(&d, &AllocConfig::default(), "2026-Q3").unwrap();
        let mut cats = default_categories();
        for c in &mut cats {
            c.name_zh = format!("=HYPERLINK(\"x\",\"{}\")", c.code);
        }
        let group = |g: &str| format!("@{g}");
        let l = CsvLabels {
            lang: Lang::Zh,
            categories: &cats,
            group: &group,
        };
        let table = rows(&allocation_csv(&r, &l));
        assert!(table[1..]
            .iter()
            .filter(|x| x[3] == "类别")
            .all(|x| x[5].starts_with("'=HYPERLINK")));
        let fair = rows(&fairness_csv(&r, &l));
        assert!(fair[1..].iter().all(|x| x[4].starts_with("'@")));
        // A negative change of share stays a number.
        assert_eq!(percent_plain(-150), "-1.50%");
        assert_eq!(yuan_plain(-1), "-0.01");
    }
}
