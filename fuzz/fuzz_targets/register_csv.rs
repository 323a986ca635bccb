//! Feeds arbitrary bytes to the household register CSV import (SPEC §2.1).
//!
//! Checks, besides "never panics": the stepwise importer agrees with the
//! one-shot import for an arbitrary step size; a refusal carries at least one
//! error and at most the cap (plus one stopping error); whatever imports passes
//! the household form's validation (`household::validate`); and whatever imports
//! exports and imports back to the same households, in both header languages.

#![no_main]

use libfuzzer_sys::fuzz_target;
use linli_domain::household::validate;
use linli_domain::model::{Building, Grid};
use linli_domain::register_csv::{export_households, import_households, Headers, ImportLimits, Importer};

const YEAR: i64 = 2026;

fn existing() -> (Vec<Grid>, Vec<Building>) {
    let grids = vec![Grid {
        id: 5,
        name: "G".to_owned(),
        guide: String::new(),
    }];
    let buildings = vec![Building {
        id: 9,
        grid_id: 5,
        name: "B".to_owned(),
        units: 2,
        floors: 6,
        year_built: 1990,
        plan_x: 0,
        plan_y: 0,
    }];
    (grids, buildings)
}

fuzz_target!(|data: &[u8]| {
    let (grids, buildings) = existing();
    let limits = ImportLimits {
        max_cell_bytes: 2048,
        max_rows: 500,
        max_errors: 20,
        ..ImportLimits::default()
    };
    let once = import_households(data, &buildings, &grids, YEAR, &limits);

    let step = data.len() % 5 + 1;
    let mut importer = Importer::new(data, &buildings, &grids, YEAR, &limits);
    loop {
        let p = importer.step(step);
        assert!(p.bytes_done <= p.total_bytes);
        if p.done {
            assert_eq!(p.bytes_done, p.total_bytes);
            break;
        }
    }
    assert_eq!(importer.finish(), once);

    match once {
        Err(report) => {
            assert!(report.total_errors >= 1);
            assert!(!report.errors.is_empty());
            assert!(report.errors.len() <= limits.max_errors + 1);
            assert!(report.total_errors >= report.errors.len());
        }
        Ok(result) => {
            let mut all_grids = grids.clone();
            all_grids.extend(result.new_grids.iter().cloned());
            let mut all_buildings = buildings.clone();
            all_buildings.extend(result.new_buildings.iter().cloned());
            for h in &result.households {
                let problems = validate(h, &all_buildings, &limits.categories, YEAR);
                assert!(
                    problems.is_empty(),
                    "imported but refused by the form: {problems:?}"
                );
            }
            for headers in [Headers::Chinese, Headers::English] {
                let csv = export_households(&result.households, &all_buildings, &all_grids, headers);
                let again = import_households(
                    csv.as_bytes(),
                    &all_buildings,
                    &all_grids,
                    YEAR,
                    &ImportLimits::default(),
                );
                match again {
                    Ok(again) => {
                        assert!(again.new_grids.is_empty() && again.new_buildings.is_empty());
                        assert_eq!(again.households, result.households);
                    }
                    Err(report) => panic!("an exported import was refused: {report}\n{csv}"),
                }
            }
        }
    }
});
