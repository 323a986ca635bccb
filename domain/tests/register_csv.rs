//! Household register CSV import/export (SPEC §2.1): round trips, every kind
//! of bad file, the stepwise importer and property tests.

use std::time::Instant;

use linli_domain::dataset::Dataset;
use linli_domain::demo::{default_categories, generate, DemoConfig};
use linli_domain::household::{self, validate};
use linli_domain::model::*;
use linli_domain::register_csv::{
    export_households, import_households, ErrorCode, Headers, ImportError, ImportLimits, ImportReport,
    Importer,
};
use proptest::prelude::*;

const YEAR: i64 = 2026;
const MIN_HEADER: &str =
    "户编号,网格,楼栋,单元,房号,产权,收入档,低保状态,住房状况,成员1姓名,成员1出生年份,成员1性别";

fn demo(households: u32) -> Dataset {
    generate(&DemoConfig {
        households,
        ..Default::default()
    })
}

/// Households as import returns them: `updated_at` is the caller's to set.
fn unstamped(hs: &[Household]) -> Vec<Household> {
    hs.iter()
        .cloned()
        .map(|h| Household { updated_at: 0, ..h })
        .collect()
}

fn row(id: u32) -> String {
    format!("{id},第一网格,1幢,1,101,业主,中,无,好,王芳,1950,女")
}

fn file(rows: &[String]) -> String {
    let mut s = format!("{MIN_HEADER}\r\n");
    for r in rows {
        s.push_str(r);
        s.push_str("\r\n");
    }
    s
}

fn import(text: &str) -> Result<linli_domain::register_csv::ImportResult, ImportReport> {
    import_households(text.as_bytes(), &[], &[], YEAR, &ImportLimits::default())
}

fn refused(bytes: &[u8]) -> ImportReport {
    match import_households(bytes, &[], &[], YEAR, &ImportLimits::default()) {
        Ok(r) => panic!("expected a refusal, got {} households", r.households.len()),
        Err(report) => report,
    }
}

/// The only error of a report, checked against row, column and code.
fn only(report: &ImportReport, row: Option<u64>, column: Option<&str>, code: ErrorCode) -> ImportError {
    assert_eq!(report.total_errors, 1, "{report}");
    let e = report.errors[0].clone();
    assert_eq!((e.row, e.column.as_deref(), e.code), (row, column, code), "{e}");
    assert!(!e.message.is_empty());
    e
}

// ---------------------------------------------------------------- round trips

#[test]
fn demo_round_trip_with_chinese_headers() {
    let d = demo(500);
    let csv = export_households(&d.households, &d.buildings, &d.grids, Headers::Chinese);
    assert!(
        csv.starts_with("\u{feff}户编号,网格,楼栋,单元,房号,产权,收入档,低保状态,住房状况,技能,服务需求,")
    );
    let back = import_households(
        csv.as_bytes(),
        &d.buildings,
        &d.grids,
        YEAR,
        &ImportLimits::default(),
    )
    .unwrap_or_else(|r| panic!("{r}"));
    assert!(back.new_grids.is_empty() && back.new_buildings.is_empty());
    assert_eq!(back.households.len(), 500);
    assert_eq!(back.households, unstamped(&d.households));
    // The demo has needs, skills, notes and large households: all came back.
    assert!(back.households.iter().any(|h| h.needs.len() >= 2));
    assert!(back.households.iter().any(|h| !h.skills.is_empty()));
    assert!(back.households.iter().any(|h| !h.notes.is_empty()));
    assert!(back.households.iter().any(|h| h.members.len() >= 5));
}

#[test]
fn demo_round_trip_with_english_headers() {
    let d = demo(300);
    let csv = export_households(&d.households, &d.buildings, &d.grids, Headers::English);
    assert!(csv.starts_with("\u{feff}household_id,grid,building,unit,room,tenure,income_band,"));
    assert!(csv.contains("member1_birth_year"));
    let back = import_households(
        csv.as_bytes(),
        &d.buildings,
        &d.grids,
        YEAR,
        &ImportLimits::default(),
    )
    .unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(back.households, unstamped(&d.households));
}

#[test]
fn export_is_utf8_with_bom_crlf_and_standard_csv() {
    let d = demo(200);
    let csv = export_households(&d.households, &d.buildings, &d.grids, Headers::Chinese);
    let bytes = csv.as_bytes();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    assert!(csv.ends_with("\r\n"));
    assert_eq!(
        csv.matches("\r\n").count(),
        201,
        "header + one line per household"
    );
    assert!(!csv.replace("\r\n", "").contains('\n'));
    // An independent CSV reader sees the same grid: header + 200 records of equal width.
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&bytes[3..]);
    let records: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 201);
    let width = records[0].len();
    let groups = d.households.iter().map(|h| h.members.len()).max().unwrap();
    assert_eq!(width, 17 + 8 * groups);
    assert!(records.iter().all(|r| r.len() == width));
    assert_eq!(&records[0][17], "成员1姓名");
    assert_eq!(&records[0][width - 1], format!("成员{groups}学段"));
}

#[test]
fn import_into_an_empty_community_recreates_grids_and_buildings() {
    let d = demo(400);
    let csv = export_households(&d.households, &d.buildings, &d.grids, Headers::Chinese);
    let back = import(&csv).unwrap_or_else(|r| panic!("{r}"));
    let grids: Vec<(u32, &str)> = back.new_grids.iter().map(|g| (g.id, g.name.as_str())).collect();
    let want: Vec<(u32, &str)> = d.grids.iter().map(|g| (g.id, g.name.as_str())).collect();
    assert_eq!(grids, want);
    let bs: Vec<(u32, u32, &str)> = back
        .new_buildings
        .iter()
        .map(|b| (b.id, b.grid_id, b.name.as_str()))
        .collect();
    let want: Vec<(u32, u32, &str)> = d
        .buildings
        .iter()
        .map(|b| (b.id, b.grid_id, b.name.as_str()))
        .collect();
    assert_eq!(bs, want);
    for b in &back.new_buildings {
        let used = d
            .households
            .iter()
            .filter(|h| h.building_id == b.id)
            .map(|h| h.unit)
            .max();
        assert_eq!(Some(b.units), used);
    }
    assert_eq!(back.households, unstamped(&d.households));
}

#[test]
fn new_ids_come_after_the_existing_maximum_in_order_of_appearance() {
    let grids = vec![Grid {
        id: 7,
        name: "第一网格".into(),
        guide: "陈".into(),
    }];
    let buildings = vec![Building {
        id: 40,
        grid_id: 7,
        name: "1幢".into(),
        units: 2,
        floors: 6,
        year_built: 1990,
        plan_x: 0,
        plan_y: 0,
    }];
    let text = file(&[
        row(1),
        row(2).replace("1幢", "9幢"),
        row(3).replace("第一网格", "新网格").replace("1幢", "9幢"),
        row(4).replace(",1,101,", ",3,101,").replace("1幢", "9幢"),
    ]);
    let r = import_households(
        text.as_bytes(),
        &buildings,
        &grids,
        YEAR,
        &ImportLimits::default(),
    )
    .unwrap();
    let ids: Vec<u32> = r.households.iter().map(|h| h.building_id).collect();
    assert_eq!(ids, [40, 41, 42, 41]);
    assert_eq!(
        r.new_grids,
        vec![Grid {
            id: 8,
            name: "新网格".into(),
            guide: String::new()
        }]
    );
    assert_eq!(r.new_buildings.len(), 2);
    assert_eq!(
        (
            r.new_buildings[0].id,
            r.new_buildings[0].grid_id,
            r.new_buildings[0].units
        ),
        (41, 7, 3)
    );
    assert_eq!(
        (
            r.new_buildings[1].id,
            r.new_buildings[1].grid_id,
            r.new_buildings[1].units
        ),
        (42, 8, 1)
    );
}

#[test]
fn formula_cells_are_escaped_and_round_trip() {
    let d = demo(5);
    let mut hs = d.households.clone();
    hs[0].notes = "=1+1".into();
    hs[1].notes = "'=already quoted".into();
    hs[1].contact_phone = "+86 13800000000".into();
    hs[2].room = "-1".into();
    hs[2].group = "@home".into();
    hs[3].members[0].name = "=HYPERLINK(\"http://x\",\"y\")".into();
    hs[3].notes = "\tcmd|' /C calc'!A0".into();
    hs[4].notes = "'plain quote, kept".into();
    let csv = export_households(&hs, &d.buildings, &d.grids, Headers::Chinese);
    assert!(csv.contains(",'=1+1,"));
    assert!(csv.contains(",''=already quoted,"));
    assert!(csv.contains(",'+86 13800000000,"));
    assert!(csv.contains(",'-1,"));
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""));
    // No cell, as a spreadsheet reads it, starts with a formula character.
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&csv.as_bytes()[3..]);
    for rec in r.records() {
        for cell in rec.unwrap().iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{cell:?}");
        }
    }
    let back = import_households(
        csv.as_bytes(),
        &d.buildings,
        &d.grids,
        YEAR,
        &ImportLimits::default(),
    )
    .unwrap();
    assert_eq!(back.households, unstamped(&hs));
}

// ---------------------------------------------------------------- headers

#[test]
fn chinese_english_and_mixed_headers_in_any_order() {
    let zh = "备注,户编号,网格,楼栋,单元,房号,产权,收入档,低保状态,住房状况,服务需求,成员1姓名,成员1出生年份,成员1性别\n\
              hi,5,G,B,2,0301,租户,中低,低保,差,养老服务:高,李雷,1980,男\n";
    let en = " Notes , HOUSEHOLD_ID,grid,Building,unit,room,Tenure,income band,subsistence,housing,needs,Member 1 Name,member1-birth-year,MEMBER1_SEX\n\
              hi,5,G,B,2,0301,tenant,lower_middle,dibao,poor,elderly_care:high,李雷,1980,male\n";
    let mixed = "household_id,网格,building,单元,room,产权,income_band,低保状态,housing,needs,成员1姓名,member1_birth_year,成员1性别,notes\n\
                 5,G,B,2,0301,tenant,中低,dibao,差,Elderly Care:高,李雷,1980,M,hi\n";
    let a = import(zh).unwrap_or_else(|r| panic!("{r}"));
    let b = import(en).unwrap_or_else(|r| panic!("{r}"));
    let c = import(mixed).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(a, b);
    assert_eq!(a, c);
    let h = &a.households[0];
    assert_eq!((h.id, h.unit, h.room.as_str()), (5, 2, "0301"));
    assert_eq!(
        (h.tenure, h.income_band, h.subsistence),
        (Tenure::Tenant, IncomeBand::LowerMiddle, Subsistence::Dibao)
    );
    assert_eq!(h.housing, HousingCondition::Poor);
    assert_eq!(
        h.needs,
        vec![Need {
            category: "elderly_care".into(),
            urgency: Urgency::High
        }]
    );
    assert_eq!(h.notes, "hi");
    assert_eq!(h.willingness, Willingness::None);
    assert!(h.lives_alone, "one member and no 独居 column");
    let m = &h.members[0];
    assert_eq!((m.name.as_str(), m.birth_year, m.sex), ("李雷", 1980, Sex::Male));
    assert_eq!(
        (m.chronic_illness, m.disability_grade, m.dementia),
        (false, None, false)
    );
    assert_eq!((m.employment, m.school_stage), (Employment::NotApplicable, None));
}

#[test]
fn missing_columns_are_named() {
    let text = "户编号,网格,单元,房号,产权,收入档,住房状况\n1,G,1,101,业主,中,好\n";
    let r = refused(text.as_bytes());
    let missing: Vec<(Option<u64>, Option<&str>, ErrorCode)> = r
        .errors
        .iter()
        .map(|e| (e.row, e.column.as_deref(), e.code))
        .collect();
    assert_eq!(
        missing,
        vec![
            (Some(1), Some("楼栋"), ErrorCode::MissingColumn),
            (Some(1), Some("低保状态"), ErrorCode::MissingColumn),
        ]
    );
    assert!(r.errors[0].message.contains("楼栋 (building)"));
    // English headers get English names.
    let r = refused(
        b"household_id,grid,building,unit,room,tenure,income_band,subsistence\n1,G,B,1,1,owner,low,none\n",
    );
    only(&r, Some(1), Some("housing"), ErrorCode::MissingColumn);
    // A member group needs name, birth year and sex columns.
    let r = refused(format!("{MIN_HEADER},成员2姓名,成员2性别\n{},张三,男\n", row(1)).as_bytes());
    only(&r, Some(1), Some("成员2出生年份"), ErrorCode::MissingColumn);
}

#[test]
fn unknown_and_duplicate_columns() {
    let r = refused(format!("{MIN_HEADER},成员1年龄\n{},60\n", row(1)).as_bytes());
    only(&r, Some(1), Some("成员1年龄"), ErrorCode::UnknownColumn);
    let r = refused(format!("{MIN_HEADER},Household ID\n{},2\n", row(1)).as_bytes());
    only(&r, Some(1), Some("Household ID"), ErrorCode::DuplicateColumn);
}

#[test]
fn cells_without_header_and_trailing_empty_columns() {
    // Excel's trailing empty columns are fine.
    let ok = format!("{MIN_HEADER},,\r\n{},,\r\n,,,,\r\n", row(1));
    assert_eq!(import(&ok).unwrap().households.len(), 1);
    let r = refused(format!("{MIN_HEADER}\n{},stray\n", row(1)).as_bytes());
    only(&r, Some(2), Some("M"), ErrorCode::CellWithoutHeader);
}

// ---------------------------------------------------------------- whole-file errors

#[test]
fn gbk_file_is_refused_with_advice_to_save_as_utf8() {
    let gbk: &[u8] = b"\xBB\xA7\xB1\xE0\xBA\xC5,\xCD\xF8\xB8\xF1,\xC2\xA5\xB6\xB0\r\n1,\xB5\xDA\xD2\xBB\xCD\xF8\xB8\xF1,1\xB4\xB1\r\n";
    let r = refused(gbk);
    let e = only(&r, Some(1), None, ErrorCode::NotUtf8);
    assert!(e.message.contains("GBK"), "{e}");
    assert!(e.message.contains("CSV UTF-8"), "{e}");
    // A bad byte further down is reported on its row.
    let mut bytes = file(&[row(1), row(2)]).into_bytes();
    bytes.extend_from_slice(b"3,\xFF\xFE\xFD,x\r\n");
    let e = only(&refused(&bytes), Some(4), None, ErrorCode::NotUtf8);
    assert!(!e.message.contains("GBK"));
    // UTF-16 (Excel's "Unicode text").
    only(&refused(b"\xFF\xFEa\x00,\x00"), None, None, ErrorCode::NotUtf8);
}

#[test]
fn empty_files_are_refused() {
    for text in ["", "\u{feff}", "\r\n\r\n", " , ,\n,,\n"] {
        only(&refused(text.as_bytes()), None, None, ErrorCode::EmptyFile);
    }
    only(
        &refused(format!("\u{feff}{MIN_HEADER}\r\n,,\r\n").as_bytes()),
        None,
        None,
        ErrorCode::NoRows,
    );
}

#[test]
fn a_10_mb_cell_is_rejected_quickly() {
    let big = "x".repeat(10 * 1024 * 1024);
    for cell in [
        big.clone(),
        format!("\"{big}\""),
        format!("\"{}\"", "\"\"".repeat(5 * 1024 * 1024)),
    ] {
        let text = format!("{MIN_HEADER},备注\r\n{},{cell}\r\n{}\r\n", row(1), row(2));
        let t = Instant::now();
        let r = refused(text.as_bytes());
        assert!(t.elapsed().as_secs_f64() < 2.0, "took {:?}", t.elapsed());
        only(&r, Some(2), Some("备注"), ErrorCode::CellTooLarge);
    }
    // The limit is configurable and exact.
    // (A household needs a member, as on the form: the longest header is then
    // `member1birthyear`, 16 bytes.)
    let limits = ImportLimits {
        max_cell_bytes: 16, // member1birthyear is 16 bytes
        ..ImportLimits::default()
    };
    let ok =
        "户编号,网格,楼栋,单元,房号,产权,收入档,低保状态,住房状况,member1name,member1birthyear,member1sex\n\
              1,G,B,1,\"1234567\"\"89012345\",业主,中,无,好,王芳,1950,女\n";
    assert!(import_households(ok.as_bytes(), &[], &[], YEAR, &limits).is_ok());
    let bad = ok.replace("89012345", "890123456");
    let r = import_households(bad.as_bytes(), &[], &[], YEAR, &limits).unwrap_err();
    only(&r, Some(2), Some("房号"), ErrorCode::CellTooLarge);
}

#[test]
fn too_many_rows() {
    let limits = ImportLimits {
        max_rows: 3,
        ..ImportLimits::default()
    };
    let text = file(&(1..=3).map(row).collect::<Vec<_>>());
    assert!(import_households(text.as_bytes(), &[], &[], YEAR, &limits).is_ok());
    let text = file(&(1..=10).map(row).collect::<Vec<_>>());
    let r = import_households(text.as_bytes(), &[], &[], YEAR, &limits).unwrap_err();
    only(&r, Some(5), None, ErrorCode::TooManyRows);
}

#[test]
fn unterminated_quote() {
    let text = format!(
        "{MIN_HEADER},备注\n{},ok\n{},\"never closed\n{}\n",
        row(1),
        row(2),
        row(3)
    );
    only(
        &refused(text.as_bytes()),
        Some(3),
        Some("备注"),
        ErrorCode::UnterminatedQuote,
    );
}

// ---------------------------------------------------------------- row errors

#[test]
fn bad_numbers() {
    let cases = [
        (row(1).replacen("1,", "abc,", 1), "户编号", ErrorCode::BadNumber),
        (row(1).replacen("1,", "0,", 1), "户编号", ErrorCode::OutOfRange),
        (
            row(1).replacen("1,", "4294967296,", 1),
            "户编号",
            ErrorCode::OutOfRange,
        ),
        (row(1).replace("1幢,1,", "1幢,1.5,"), "单元", ErrorCode::BadNumber),
        (
            row(1).replace("1幢,1,", "1幢,300,"),
            "单元",
            ErrorCode::OutOfRange,
        ),
        (row(1).replace("1幢,1,", "1幢,-1,"), "单元", ErrorCode::BadNumber),
        (
            row(1).replace("1950", "一九五〇"),
            "成员1出生年份",
            ErrorCode::BadNumber,
        ),
        (
            row(1).replace("1950", "99999999999999999999999"),
            "成员1出生年份",
            ErrorCode::BirthYearInFuture,
        ),
    ];
    for (r, column, code) in cases {
        let report = refused(file(&[row(7), r.clone()]).as_bytes());
        only(&report, Some(3), Some(column), code);
    }
}

#[test]
fn birth_years_in_the_future_or_over_120_years_ago() {
    let r = refused(file(&[row(1).replace("1950", "2027")]).as_bytes());
    let e = only(&r, Some(2), Some("成员1出生年份"), ErrorCode::BirthYearInFuture);
    assert!(e.message.contains("2027") && e.message.contains("2026"), "{e}");
    let r = refused(file(&[row(1).replace("1950", "1905")]).as_bytes());
    only(&r, Some(2), Some("成员1出生年份"), ErrorCode::BirthYearTooOld);
    for y in ["1906", "2026", "１９５０"] {
        assert!(import(&file(&[row(1).replace("1950", y)])).is_ok(), "{y}");
    }
}

#[test]
fn duplicate_household_ids() {
    let r = refused(file(&[row(1), row(2), row(1)]).as_bytes());
    let e = only(&r, Some(4), Some("户编号"), ErrorCode::DuplicateHouseholdId);
    assert!(e.message.contains("row 2"), "{e}");
}

#[test]
fn unknown_words() {
    let cases = [
        (row(1).replace("业主", "房东"), "产权", ErrorCode::UnknownValue),
        (
            row(1).replace(",中,", ",很高,"),
            "收入档",
            ErrorCode::UnknownValue,
        ),
        (
            row(1).replace(",无,", ",特困,"),
            "低保状态",
            ErrorCode::UnknownValue,
        ),
        (
            row(1).replace(",好,", ",极好,"),
            "住房状况",
            ErrorCode::UnknownValue,
        ),
        (
            row(1).replace(",女", ",其他"),
            "成员1性别",
            ErrorCode::UnknownValue,
        ),
        (row(1).replace(",业主,", ",,"), "产权", ErrorCode::Required),
        (row(1).replace(",101,", ",  ,"), "房号", ErrorCode::Required),
    ];
    for (r, column, code) in cases {
        let report = refused(file(&[r]).as_bytes());
        let e = only(&report, Some(2), Some(column), code);
        if code == ErrorCode::UnknownValue {
            assert!(e.message.contains(" or "), "lists the allowed words: {e}");
        }
    }
    let opt = "户编号,网格,楼栋,单元,房号,产权,收入档,低保状态,住房状况,参与意愿,独居,成员1姓名,成员1出生年份,成员1性别,成员1慢性病,成员1残疾等级,成员1就业,成员1学段";
    let good = "1,G,B,1,1,业主,中,无,好,高,否,王,1950,女,是,2,退休,";
    let ok = import(&format!("{opt}\n{good}\n")).unwrap_or_else(|r| panic!("{r}"));
    let h = &ok.households[0];
    assert_eq!((h.willingness, h.lives_alone), (Willingness::High, false));
    let m = &h.members[0];
    assert_eq!(
        (m.chronic_illness, m.disability_grade, m.employment),
        (true, Some(2), Employment::Retired)
    );
    let cases = [
        (
            good.replace(",高,否,", ",非常,否,"),
            "参与意愿",
            ErrorCode::UnknownValue,
        ),
        (
            good.replace(",高,否,", ",高,也许,"),
            "独居",
            ErrorCode::UnknownValue,
        ),
        (
            good.replace(",是,2,", ",可能,2,"),
            "成员1慢性病",
            ErrorCode::UnknownValue,
        ),
        (
            good.replace(",是,2,", ",是,5,"),
            "成员1残疾等级",
            ErrorCode::OutOfRange,
        ),
        (
            good.replace(",是,2,", ",是,重度,"),
            "成员1残疾等级",
            ErrorCode::BadNumber,
        ),
        (
            good.replace("退休,", "退伍,"),
            "成员1就业",
            ErrorCode::UnknownValue,
        ),
        (format!("{good}大学"), "成员1学段", ErrorCode::UnknownValue),
    ];
    for (r, column, code) in cases {
        only(
            &refused(format!("{opt}\n{r}\n").as_bytes()),
            Some(2),
            Some(column),
            code,
        );
    }
}

#[test]
fn needs_by_code_or_name_and_their_errors() {
    let header = format!("{MIN_HEADER},服务需求");
    let text = format!("{header}\n{},养老服务:高；Health:low; childcare：中 ;\n", row(1));
    let h = &import(&text).unwrap_or_else(|r| panic!("{r}")).households[0];
    let got: Vec<(&str, Urgency)> = h.needs.iter().map(|n| (n.category.as_str(), n.urgency)).collect();
    assert_eq!(
        got,
        [
            ("elderly_care", Urgency::High),
            ("health", Urgency::Low),
            ("childcare", Urgency::Medium)
        ]
    );
    let cases = [
        ("飞行:高", ErrorCode::UnknownCategory),
        ("elderly_care", ErrorCode::BadNeed),
        ("elderly_care:紧急", ErrorCode::UnknownValue),
        ("elderly_care:高；养老服务:低", ErrorCode::DuplicateNeed),
    ];
    for (needs, code) in cases {
        let report = refused(format!("{header}\n{},{needs}\n", row(1)).as_bytes());
        only(&report, Some(2), Some("服务需求"), code);
    }
    // Categories come from the limits (the community's settings).
    let limits = ImportLimits {
        categories: vec![NeedCategory {
            code: "legal_aid".into(),
            name_zh: "法律援助".into(),
            name_en: "Legal aid".into(),
            class: NeedClass::Special,
        }],
        ..ImportLimits::default()
    };
    let text = format!("{header}\n{},法律援助:中\n", row(1));
    let r = import_households(text.as_bytes(), &[], &[], YEAR, &limits).unwrap();
    assert_eq!(r.households[0].needs[0].category, "legal_aid");
    assert_eq!(
        default_categories().len(),
        ImportLimits::default().categories.len()
    );
}

#[test]
fn member_groups_with_partial_data() {
    let header = format!("{MIN_HEADER},成员2姓名,成员2出生年份,成员2性别,成员2慢性病");
    let cases = [
        (",张三,,男,", "成员2出生年份"),
        (",,1960,男,", "成员2姓名"),
        (",张三,1960,,", "成员2性别"),
        (",,,,是", "成员2姓名"),
    ];
    for (cells, column) in cases {
        let report = refused(format!("{header}\n{}{cells}\n", row(1)).as_bytes());
        let e = report
            .errors
            .iter()
            .find(|e| e.column.as_deref() == Some(column))
            .unwrap();
        assert_eq!(
            (e.row, e.code),
            (Some(2), ErrorCode::MemberIncomplete),
            "{report}"
        );
    }
    // An all-empty group is no member; groups may have gaps.
    let text = format!("{header}\n{},,,,\n", row(1));
    assert_eq!(import(&text).unwrap().households[0].members.len(), 1);
    let text = format!(
        "{header}\n{},张三,1960,男,否\n",
        row(1).replace(",王芳,1950,女", ",,,")
    );
    let ms = &import(&text).unwrap().households[0].members;
    assert_eq!((ms.len(), ms[0].name.as_str()), (1, "张三"));
}

#[test]
fn quoted_multi_line_cells_are_one_row() {
    let text = format!(
        "{MIN_HEADER},备注\r\n{},\"line 1\r\nline 2, with comma\nline \"\"3\"\"\"\r\n{}\r\n",
        row(1),
        row(1)
    );
    let r = refused(text.as_bytes());
    only(&r, Some(3), Some("户编号"), ErrorCode::DuplicateHouseholdId);
    let ok = import(&text.replacen(&row(1), &row(2), 1)).unwrap();
    assert_eq!(ok.households[0].notes, "line 1\r\nline 2, with comma\nline \"3\"");
}

#[test]
fn one_bad_row_refuses_the_whole_file() {
    let mut rows: Vec<String> = (1..=500).map(row).collect();
    rows[321] = rows[321].replace("1950", "2100");
    let r = refused(file(&rows).as_bytes());
    only(&r, Some(323), Some("成员1出生年份"), ErrorCode::BirthYearInFuture);
}

#[test]
fn errors_are_capped_at_50_with_the_total_count() {
    let rows: Vec<String> = (1..=120)
        .map(|i| row(i).replace("业主", "?").replace("1950", "3000"))
        .collect();
    let r = refused(file(&rows).as_bytes());
    assert_eq!(r.total_errors, 240);
    assert_eq!(r.errors.len(), 50);
    assert_eq!(r.omitted(), 190);
    assert_eq!(r.errors[0].row, Some(2));
    assert_eq!(r.errors[49].row, Some(26));
    assert!(r.has(ErrorCode::UnknownValue) && r.has(ErrorCode::BirthYearInFuture));
    let shown = r.to_string();
    assert!(shown.starts_with("import refused, 240 error(s)"));
    assert!(shown.contains("row 2, column 产权: "));
    assert!(shown.ends_with("… and 190 more"));
    // A limit that stops reading is reported even past the cap.
    let limits = ImportLimits {
        max_rows: 100,
        ..ImportLimits::default()
    };
    let r = import_households(file(&rows).as_bytes(), &[], &[], YEAR, &limits).unwrap_err();
    assert_eq!(r.errors.len(), 51);
    assert_eq!(r.errors[50].code, ErrorCode::TooManyRows);
    assert_eq!(r.total_errors, 201);
}

#[test]
fn error_codes_are_stable_strings() {
    assert_eq!(ErrorCode::BirthYearInFuture.as_str(), "birth_year_in_future");
    assert_eq!(ErrorCode::NotUtf8.to_string(), "not_utf8");
    assert!(ErrorCode::MissingColumn.is_file_level());
    assert!(!ErrorCode::DuplicateHouseholdId.is_file_level());
    let e = serde_json::to_string(&ErrorCode::DuplicateHouseholdId).unwrap();
    assert_eq!(e, "\"duplicate_household_id\"");
}

// ---------------------------------------------------------------- the household form's rules

/// A file of [`MIN_HEADER`] plus `extra` columns, with one row: [`row`] plus `cells`.
fn with_columns(extra: &str, cells: &str) -> String {
    format!("{MIN_HEADER},{extra}\r\n{}{cells}\r\n", row(1))
}

#[test]
fn a_phone_the_form_refuses_is_refused() {
    let r = refused(with_columns("联系电话", ",abc").as_bytes());
    let e = only(&r, Some(2), Some("联系电话"), ErrorCode::PhoneFormat);
    assert_eq!(e.code.as_str(), "phone_format", "the form's code");
    assert!(e.message.contains("'abc'"), "{e}");
    assert!(
        e.message.contains(household::message_en("phone_format").unwrap()),
        "the form's message: {e}"
    );
    // English headers name the column as written.
    let text = "household_id,grid,building,unit,room,tenure,income_band,subsistence,housing,\
                member1_name,member1_birth_year,member1_sex,Contact Phone\n\
                1,G,B,1,101,owner,middle,none,good,Wang,1950,female,0123\n";
    only(
        &refused(text.as_bytes()),
        Some(2),
        Some("Contact Phone"),
        ErrorCode::PhoneFormat,
    );
    for phone in [
        "",
        "138 0000 0000",
        "+86-571-8888 8888",
        "'+86 13800000000",
        "0571 8888888",
    ] {
        let text = with_columns("联系电话", &format!(",{phone}"));
        assert!(import(&text).is_ok(), "{phone}");
    }
}

#[test]
fn living_alone_with_two_members_is_refused() {
    let extra = "成员2姓名,成员2出生年份,成员2性别,独居";
    let r = refused(with_columns(extra, ",张三,1960,男,是").as_bytes());
    let e = only(&r, Some(2), Some("独居"), ErrorCode::LivesAloneMismatch);
    assert_eq!(e.code.as_str(), "lives_alone_mismatch", "the form's code");
    assert!(e.message.contains("2 members"), "{e}");
    assert!(
        e.message
            .contains(household::message_en("lives_alone_mismatch").unwrap()),
        "{e}"
    );
    // Not living alone, or alone with one member, or no 独居 column: accepted.
    for (extra, cells, alone) in [
        (extra, ",张三,1960,男,否", false),
        (extra, ",,,,是", true),
        (extra, ",张三,1960,男,", false),
        ("独居", ",yes", true),
    ] {
        let ok = import(&with_columns(extra, cells)).unwrap_or_else(|r| panic!("{cells}: {r}"));
        assert_eq!(ok.households[0].lives_alone, alone, "{cells}");
    }
}

#[test]
fn the_other_rules_of_the_form() {
    // Unit 0, and a unit beyond an existing building's units.
    let r = refused(file(&[row(1).replace("1幢,1,", "1幢,0,")]).as_bytes());
    let e = only(&r, Some(2), Some("单元"), ErrorCode::UnitRange);
    assert!(e.message.contains("numbered from 1"), "{e}");
    let grids = vec![Grid {
        id: 1,
        name: "第一网格".into(),
        guide: String::new(),
    }];
    let buildings = vec![Building {
        id: 1,
        grid_id: 1,
        name: "1幢".into(),
        units: 2,
        floors: 6,
        year_built: 1990,
        plan_x: 0,
        plan_y: 0,
    }];
    let at = |unit: u8| {
        let text = file(&[row(1).replace("1幢,1,", &format!("1幢,{unit},"))]);
        import_households(
            text.as_bytes(),
            &buildings,
            &grids,
            YEAR,
            &ImportLimits::default(),
        )
    };
    assert!(at(2).is_ok());
    let r = at(3).unwrap_err();
    let e = only(&r, Some(2), Some("单元"), ErrorCode::UnitRange);
    assert!(e.message.contains("1幢 has units 1 to 2"), "{e}");
    // A new building gets as many units as its households use.
    assert!(import(&file(&[row(1).replace("1幢,1,", "1幢,9,")])).is_ok());

    // No member at all: in the first member group's name column, or on the row.
    let r = refused(file(&[row(1).replace(",王芳,1950,女", ",,,")]).as_bytes());
    let e = only(&r, Some(2), Some("成员1姓名"), ErrorCode::NoMembers);
    assert!(
        e.message.contains(household::message_en("no_members").unwrap()),
        "{e}"
    );
    let r = refused(b"household_id,grid,building,unit,room,tenure,income_band,subsistence,housing\n1,G,B,1,101,owner,middle,none,good\n");
    only(&r, Some(2), None, ErrorCode::NoMembers);

    // Texts longer than the form allows; a member's column follows its group.
    let long = "长".repeat(household::MAX_TEXT + 1);
    let r = refused(with_columns("备注", &format!(",{long}")).as_bytes());
    let e = only(&r, Some(2), Some("备注"), ErrorCode::TooLong);
    assert!(e.message.contains("2001 characters"), "{e}");
    let text = with_columns("成员2姓名,成员2出生年份,成员2性别", &format!(",{long},1960,男"));
    let text = text.replacen(",王芳,1950,女,", ",,,,", 1);
    let r = refused(text.as_bytes());
    let e = only(&r, Some(2), Some("成员2姓名"), ErrorCode::TooLong);
    assert!(e.message.starts_with("member 2 name (姓名)"), "{e}");
    assert!(import(&with_columns("备注", &format!(",{}", &long[3..]))).is_ok());

    // Several rules on one row are all reported, in the form's order; rows with
    // cells that cannot be read are not checked against the form as well.
    let extra = "成员2姓名,成员2出生年份,成员2性别,独居,联系电话";
    let r = refused(with_columns(extra, ",张三,1960,男,是,x").as_bytes());
    let got: Vec<(Option<&str>, ErrorCode)> =
        r.errors.iter().map(|e| (e.column.as_deref(), e.code)).collect();
    assert_eq!(
        got,
        [
            (Some("联系电话"), ErrorCode::PhoneFormat),
            (Some("独居"), ErrorCode::LivesAloneMismatch)
        ]
    );
    let r = refused(
        with_columns(extra, ",张三,1960,男,是,x")
            .replace(",业主,", ",?,")
            .as_bytes(),
    );
    only(&r, Some(2), Some("产权"), ErrorCode::UnknownValue);
}

/// The workspace's demo register, exported and imported as the end-to-end test does:
/// every household passes the form, so the import is accepted.
#[test]
fn the_default_demo_passes_the_form_and_imports() {
    let d = generate(&DemoConfig::default());
    let cats = default_categories();
    for h in &d.households {
        assert_eq!(
            validate(h, &d.buildings, &cats, YEAR),
            vec![],
            "household {}",
            h.id
        );
    }
    let csv = export_households(&d.households, &d.buildings, &d.grids, Headers::Chinese);
    let back = import_households(
        csv.as_bytes(),
        &d.buildings,
        &d.grids,
        YEAR,
        &ImportLimits::default(),
    )
    .unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(back.households, unstamped(&d.households));
}

#[test]
fn every_form_code_has_an_import_code() {
    for code in household::CODES {
        let c = ErrorCode::from_form_code(code).unwrap_or_else(|| panic!("{code}"));
        assert!(!c.is_file_level(), "{code}");
        assert!(household::message_en(code).is_some(), "{code}");
    }
    assert_eq!(ErrorCode::from_form_code("nope"), None);
    for (form, import) in [
        ("unit_range", ErrorCode::UnitRange),
        ("no_members", ErrorCode::NoMembers),
        ("phone_format", ErrorCode::PhoneFormat),
        ("lives_alone_mismatch", ErrorCode::LivesAloneMismatch),
        ("too_long", ErrorCode::TooLong),
        ("building_unknown", ErrorCode::BuildingUnknown),
    ] {
        assert_eq!(ErrorCode::from_form_code(form), Some(import));
        assert_eq!(import.as_str(), form, "the same code as the form");
        assert_eq!(serde_json::to_string(&import).unwrap(), format!("\"{form}\""));
    }
}

/// Every key `e_<code>` of the workspace's English catalogue (locales/en/*.json), at any
/// depth: the form's messages as the user reads them.
fn catalogue_messages() -> Vec<(String, String)> {
    fn walk(v: &serde_json::Value, out: &mut Vec<(String, String)>) {
        if let Some(o) = v.as_object() {
            for (k, v) in o {
                match v {
                    serde_json::Value::String(s) if k.starts_with("e_") => {
                        out.push((k[2..].to_owned(), s.clone()))
                    }
                    _ => walk(v, out),
                }
            }
        }
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../locales/en");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            walk(&serde_json::from_str(&text).unwrap(), &mut out);
        }
    }
    out
}

#[test]
fn import_messages_are_the_forms_messages() {
    let catalogue = catalogue_messages();
    for code in household::CODES {
        let found: Vec<&str> = catalogue
            .iter()
            .filter(|(k, _)| k == code)
            .map(|(_, v)| v.as_str())
            .collect();
        assert!(!found.is_empty(), "no key e_{code} in locales/en");
        for text in found {
            assert_eq!(household::message_en(code), Some(text), "e_{code}");
        }
    }
}

// ---------------------------------------------------------------- stepwise import

#[test]
fn stepwise_import_reports_progress_and_matches_one_shot() {
    let d = demo(1_000);
    let csv = export_households(&d.households, &d.buildings, &d.grids, Headers::Chinese);
    let limits = ImportLimits::default();
    let mut imp = Importer::new(csv.as_bytes(), &d.buildings, &d.grids, YEAR, &limits);
    let p0 = imp.progress();
    assert_eq!(
        (p0.rows_done, p0.bytes_done, p0.total_bytes, p0.done),
        (0, 0, csv.len(), false)
    );
    let mut last = p0;
    let mut steps = 0;
    loop {
        let p = imp.step(64);
        steps += 1;
        assert!(p.bytes_done >= last.bytes_done && p.rows_done >= last.rows_done);
        assert!(p.bytes_done <= p.total_bytes);
        last = p;
        if p.done {
            break;
        }
    }
    assert_eq!((last.rows_done, last.bytes_done), (1_000, csv.len()));
    assert!((16..=17).contains(&steps), "{steps}");
    let stepped = imp.finish().unwrap();
    let once = import_households(csv.as_bytes(), &d.buildings, &d.grids, YEAR, &limits).unwrap();
    assert_eq!(stepped, once);
    // Cancelling is dropping: nothing was produced.
    let mut imp = Importer::new(csv.as_bytes(), &d.buildings, &d.grids, YEAR, &limits);
    assert!(!imp.step(10).done);
    drop(imp);
    // A whole-file error ends the first step.
    let mut imp = Importer::new(b"\xC0\xC1", &[], &[], YEAR, &limits);
    assert!(imp.step(1).done);
    assert!(imp.finish().unwrap_err().has(ErrorCode::NotUtf8));
}

// ---------------------------------------------------------------- properties

fn text_with_specials() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => any::<char>(),
            1 => prop::sample::select(vec![',', ';', '；', '"', '\r', '\n', '=', '+', '-', '@', '\'', '\t', ' ', '\u{feff}']),
        ],
        0..24,
    )
    .prop_map(String::from_iter)
}

/// Text for trimmed columns: import trims them, so they are generated trimmed.
fn trimmed_text() -> impl Strategy<Value = String> {
    text_with_specials().prop_map(|s| s.trim().to_owned())
}

fn member() -> impl Strategy<Value = Member> {
    (
        "[a-zA-Z一-龥]{1,6}",
        (YEAR - 120) as u16..=YEAR as u16,
        any::<bool>(),
        any::<bool>(),
        prop::option::of(1u8..=4),
        any::<bool>(),
        prop::sample::select(vec![
            Employment::Employed,
            Employment::Unemployed,
            Employment::Retired,
            Employment::Student,
            Employment::NotApplicable,
        ]),
        prop::option::of(prop::sample::select(vec![
            SchoolStage::Infant,
            SchoolStage::Preschool,
            SchoolStage::Primary,
            SchoolStage::Secondary,
        ])),
    )
        .prop_map(
            |(name, birth_year, female, chronic, grade, dementia, employment, stage)| Member {
                name,
                birth_year,
                sex: if female { Sex::Female } else { Sex::Male },
                chronic_illness: chronic,
                disability_grade: grade,
                dementia,
                employment,
                school_stage: stage,
            },
        )
}

/// A contact phone the form accepts ([`linli_domain::phone::check`]): mobiles,
/// fixed lines with or without an area code, `+86` forms (which start with a
/// formula character).
fn phone() -> impl Strategy<Value = String> {
    prop_oneof![
        "1[3-9][0-9]{9}",
        "1[3-9][0-9] [0-9]{4} [0-9]{4}",
        "\\+86 ?1[3-9][0-9]{9}",
        "0(10|2[0-9])-[2-9][0-9]{7}",
        "0[3-9][0-9]{2}-[2-9][0-9]{6,7}",
        "[2-9][0-9]{6,7}",
    ]
}

/// A household as the household form saves it (it passes `household::validate` with
/// the buildings of [`places`]): what export writes and import must give back.
fn household() -> impl Strategy<Value = Household> {
    (any_household(), 1u8..=4, prop::option::of(phone()), member()).prop_map(|(mut h, unit, phone, first)| {
        h.unit = unit;
        h.contact_phone = phone.unwrap_or_default();
        if h.members.is_empty() {
            h.members.push(first);
        }
        h.lives_alone &= h.members.len() == 1;
        h
    })
}

/// Any household with texts and members import can read, whether or not the
/// household form accepts it (unit 0 or beyond the building, no members, any
/// phone text, living alone with several members).
fn any_household() -> impl Strategy<Value = Household> {
    let codes: Vec<String> = default_categories().into_iter().map(|c| c.code).collect();
    (
        (
            1u32..=3,
            any::<u8>(),
            trimmed_text(),
            0usize..3,
            0usize..4,
            0usize..3,
            0usize..3,
        ),
        (
            prop::collection::vec("[a-z一-龥]{1,5}", 0..3),
            prop::sample::subsequence(codes, 0..=4),
            prop::collection::vec(0usize..3, 4),
            0usize..4,
            trimmed_text(),
            trimmed_text(),
            trimmed_text(),
        ),
        (
            text_with_specials(),
            any::<bool>(),
            prop::collection::vec(member(), 0..5),
        ),
    )
        .prop_map(|(a, b, c)| {
            let (building_id, unit, room, tenure, income, subsistence, housing) = a;
            let (skills, cats, urgencies, willingness, group, contact_name, contact_phone) = b;
            let (notes, lives_alone, members) = c;
            let urgency = [Urgency::Low, Urgency::Medium, Urgency::High];
            Household {
                id: 0,
                building_id,
                unit,
                room: if room.is_empty() { "1".into() } else { room },
                tenure: [Tenure::Owner, Tenure::Tenant, Tenure::PublicRental][tenure],
                income_band: [
                    IncomeBand::Low,
                    IncomeBand::LowerMiddle,
                    IncomeBand::Middle,
                    IncomeBand::Upper,
                ][income],
                subsistence: [Subsistence::None, Subsistence::Dibao, Subsistence::Dibian][subsistence],
                housing: [
                    HousingCondition::Good,
                    HousingCondition::Fair,
                    HousingCondition::Poor,
                ][housing],
                skills,
                needs: cats
                    .into_iter()
                    .zip(urgencies)
                    .map(|(category, u)| Need {
                        category,
                        urgency: urgency[u],
                    })
                    .collect(),
                willingness: [
                    Willingness::None,
                    Willingness::Low,
                    Willingness::Medium,
                    Willingness::High,
                ][willingness],
                group,
                contact_name,
                contact_phone,
                notes,
                lives_alone,
                members,
                updated_at: 0,
            }
        })
}

fn places() -> (Vec<Grid>, Vec<Building>) {
    let grids = vec![
        Grid {
            id: 1,
            name: "第一网格".into(),
            guide: String::new(),
        },
        Grid {
            id: 2,
            name: "=2+2".into(),
            guide: String::new(),
        },
    ];
    let b = |id, grid_id, name: &str| Building {
        id,
        grid_id,
        name: name.into(),
        units: 4,
        floors: 6,
        year_built: 1990,
        plan_x: 0,
        plan_y: 0,
    };
    (
        grids,
        vec![b(1, 1, "1幢"), b(2, 1, "2, \"南\"幢"), b(3, 2, "1幢")],
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2_000)) {
        let limits = ImportLimits { max_cell_bytes: 64, max_rows: 20, ..ImportLimits::default() };
        let _ = import_households(&bytes, &[], &[], YEAR, &limits);
        let mut with_header = format!("{MIN_HEADER},备注,服务需求\n").into_bytes();
        with_header.extend_from_slice(&bytes);
        let _ = import_households(&with_header, &[], &[], YEAR, &limits);
    }

    #[test]
    fn csv_like_text_never_panics_and_steps_agree(
        parts in prop::collection::vec(prop::sample::select(vec![
            "户编号", "网格", "楼栋", "单元", "房号", "产权", "收入档", "低保状态", "住房状况", "服务需求",
            "成员1姓名", "成员1出生年份", "成员1性别", "成员2姓名", "成员1残疾等级", "独居", "备注",
            ",", ",", ",", "\n", "\r\n", "\r", "\"", "\"\"", "'", "'=", "1", "2026", "1950", "99999999999",
            "业主", "中", "无", "好", "女", "是", "elderly_care:高", "；", ":", "\u{feff}", " ", "x",
        ]), 0..200),
        step in 1usize..7,
    ) {
        let text: String = parts.concat();
        let limits = ImportLimits { max_cell_bytes: 32, ..ImportLimits::default() };
        let once = import_households(text.as_bytes(), &[], &[], YEAR, &limits);
        let mut imp = Importer::new(text.as_bytes(), &[], &[], YEAR, &limits);
        while !imp.step(step).done {}
        prop_assert_eq!(&imp.finish(), &once);
        if let Ok(r) = once {
            // Whatever imports, exports and imports back the same.
            let csv = export_households(&r.households, &r.new_buildings, &r.new_grids, Headers::English);
            let again = import_households(
                csv.as_bytes(), &r.new_buildings, &r.new_grids, YEAR, &ImportLimits::default());
            prop_assert_eq!(again.map(|a| a.households), Ok(r.households));
        }
    }

    #[test]
    fn arbitrary_households_round_trip(
        mut hs in prop::collection::vec(household(), 0..12),
        english in any::<bool>(),
    ) {
        for (i, h) in hs.iter_mut().enumerate() {
            h.id = i as u32 * 7 + 1;
        }
        let (grids, buildings) = places();
        let headers = if english { Headers::English } else { Headers::Chinese };
        let csv = export_households(&hs, &buildings, &grids, headers);
        let has_bom = csv.starts_with('\u{feff}');
        prop_assert!(has_bom);
        let result = import_households(csv.as_bytes(), &buildings, &grids, YEAR, &ImportLimits::default());
        match result {
            Ok(r) => {
                prop_assert!(r.new_grids.is_empty() && r.new_buildings.is_empty());
                prop_assert_eq!(r.households, hs);
            }
            Err(report) if hs.is_empty() => prop_assert!(report.has(ErrorCode::NoRows)),
            Err(report) => prop_assert!(false, "{}\n{}", report, csv),
        }
    }
}

/// One of `usual` four times in five, else one of `other`.
fn mostly(usual: &[&'static str], other: &[&'static str]) -> impl Strategy<Value = &'static str> {
    prop_oneof![
        4 => prop::sample::select(usual.to_vec()),
        1 => prop::sample::select(other.to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Whatever the file, every household import accepts passes the household form's
    /// validation, against the buildings it ends up in.
    #[test]
    fn every_imported_household_passes_the_form(
        rows in prop::collection::vec(
            (
                1u32..6,
                prop::sample::select(vec!["1幢", "2, \"南\"幢", "新楼"]),
                mostly(&["1", "2", "4"], &["0", "5", "255"]),
                mostly(&["", "138 0000 0000", "+86-571-8888 8888"], &["abc", "12345", "=1+1", "１３８０００００００"]),
                mostly(&["", "否"], &["是", "yes"]),
                prop::collection::vec(mostly(&["张三,1960,男", "李四,1990,女", "x,2026,M"], &[",,"]), 3),
                mostly(&["", "elderly_care:高"], &["sport:低；sport:中", "法律:高"]),
            ),
            1..6,
        ),
    ) {
        let header = "户编号,网格,楼栋,单元,房号,产权,收入档,低保状态,住房状况,联系电话,独居,服务需求,\
                      成员1姓名,成员1出生年份,成员1性别,成员2姓名,成员2出生年份,成员2性别,成员3姓名,成员3出生年份,成员3性别";
        let mut text = format!("{header}\n");
        for (i, (grid, building, unit, phone, alone, members, needs)) in rows.iter().enumerate() {
            let grid = if *grid == 1 { "第一网格".to_owned() } else { format!("G{grid}") };
            let building = building.replace('"', "\"\"");
            text.push_str(&format!(
                "{},{grid},\"{building}\",{unit},101,业主,中,无,好,{phone},{alone},{needs},{}\n",
                i + 1,
                members.join(",")
            ));
        }
        let (grids, buildings) = places();
        let cats = default_categories();
        if let Ok(r) = import_households(text.as_bytes(), &buildings, &grids, YEAR, &ImportLimits::default()) {
            let mut all = buildings.clone();
            all.extend(r.new_buildings.iter().cloned());
            for h in &r.households {
                let problems = validate(h, &all, &cats, YEAR);
                prop_assert!(problems.is_empty(), "{:?}: {:?}\n{}", h, problems, text);
            }
        }
    }

    /// Households written by export are imported exactly when the form accepts all of
    /// them; otherwise each refusal is the form's, on the household's row, in a column.
    #[test]
    fn exported_households_import_exactly_when_the_form_accepts_them(
        mut hs in prop::collection::vec(prop_oneof![3 => household(), 1 => any_household()], 1..12),
        english in any::<bool>(),
    ) {
        for (i, h) in hs.iter_mut().enumerate() {
            h.id = i as u32 * 7 + 1;
        }
        let (grids, buildings) = places();
        let cats = default_categories();
        let headers = if english { Headers::English } else { Headers::Chinese };
        let csv = export_households(&hs, &buildings, &grids, headers);
        let want: Vec<(Option<u64>, ErrorCode)> = hs
            .iter()
            .enumerate()
            .flat_map(|(i, h)| {
                validate(h, &buildings, &cats, YEAR)
                    .into_iter()
                    .map(move |e| (Some(i as u64 + 2), ErrorCode::from_form_code(e.code).unwrap()))
            })
            .collect();
        match import_households(csv.as_bytes(), &buildings, &grids, YEAR, &ImportLimits::default()) {
            Ok(r) => {
                prop_assert_eq!(want, vec![]);
                prop_assert_eq!(r.households, hs);
            }
            Err(report) => {
                let got: Vec<(Option<u64>, ErrorCode)> = report.errors.iter().map(|e| (e.row, e.code)).collect();
                prop_assert_eq!(got, want, "{}", report);
                prop_assert!(report.errors.iter().all(|e| e.column.is_some()), "{}", report);
            }
        }
    }
}
