//! Checks the pb rules against pabutools 1.2.3's outcomes on the pabulib reference instances
//! (`tests/fixtures/pabulib/expected.json`), and the `.pb` round trip on every file.
//!
//! The directory is `$LINLI_PABULIB_DIR` if set, else the repository's
//! `tests/fixtures/pabulib` (source, commit and citation in its README.md). The three largest instances (Łódź 2022, Warszawa
//! 2026, Wrocław 2017: `reference_big_*`) and the five with the longest Add1 loops
//! (`reference_heavy_*`) have their own test functions, so they run in parallel and can be
//! selected or skipped by name (`-- --skip reference_big --skip reference_heavy`).
//! `cargo test -p linli-domain --release --test pb_reference -- --nocapture` prints timings.
//!
//! Checked for every instance and every rule with a non-null reference: the selected set,
//! the selection order and the exact total cost; for `mes_cost_add1` also the number of MES
//! runs, the stop reason and the initial and final per-voter budgets. Null references
//! (Budapest 2024's Add1 rules, not computed by pabutools in reasonable time) are skipped
//! with a printed note.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use linli_domain::pb::{Add1Stop, Election, Instance, Rule};
use serde_json::Value;

const BIG: [&str; 3] = [
    "Poland_Lodz_2022.pb",
    "Poland_Warszawa_2026.pb",
    "Poland_Wroclaw_2017.pb",
];

/// The pabutools rules of expected.json.
const REFERENCE_RULES: [Rule; 6] = [
    Rule::GreedyCost,
    Rule::GreedyCard,
    Rule::MesCost,
    Rule::MesCard,
    Rule::MesCostAdd1,
    Rule::MesCostAdd1Greedy,
];

fn dir() -> PathBuf {
    if let Ok(d) = std::env::var("LINLI_PABULIB_DIR") {
        return PathBuf::from(d);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pabulib")
}

fn expected() -> Value {
    let path = dir().join("expected.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {} ({e}); set LINLI_PABULIB_DIR", path.display()));
    serde_json::from_str(&text).expect("expected.json is valid JSON")
}

fn load(file: &str) -> Instance {
    let path = dir().join(file);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Instance::from_pb_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_str().expect("string").to_string())
        .collect()
}

/// Runs every reference rule on one instance; returns the list of mismatches.
fn check_instance(file: &str, exp: &Value) -> Vec<String> {
    let mut failures = Vec::new();
    let t0 = Instant::now();
    let inst = load(file);
    let parse = t0.elapsed();
    let election = Election::new(&inst).expect("valid instance");
    assert_eq!(
        inst.budget.to_string(),
        exp["budget"].as_str().unwrap(),
        "{file}: budget"
    );
    assert_eq!(
        inst.projects.len() as u64,
        exp["num_projects"].as_u64().unwrap(),
        "{file}: num_projects"
    );
    assert_eq!(
        inst.voters.len() as u64,
        exp["num_voters"].as_u64().unwrap(),
        "{file}: num_voters"
    );
    // Not compared with expected.json's `num_distinct_ballots`: pabutools keys its
    // multiprofile on tuples built from set iteration order, so its count is not the number
    // of distinct approval sets (and varies between Python runs).
    let _ = election.num_distinct_ballots();
    let mut times = Vec::new();
    for rule in REFERENCE_RULES {
        let e = &exp["rules"][rule.name()];
        if e.is_null() {
            println!(
                "note: {file}: {} has no reference value (null in expected.json), skipped",
                rule.name()
            );
            continue;
        }
        let t = Instant::now();
        let out = election.run(rule).expect("rule runs");
        times.push(format!("{} {:.3}s", rule.name(), t.elapsed().as_secs_f64()));
        let got: Vec<String> = out.selected.iter().map(|p| p.0.clone()).collect();
        let want = strings(&e["selected"]);
        if got != want {
            failures.push(format!(
                "{file} {}: selected {got:?}, expected {want:?}",
                rule.name()
            ));
            continue;
        }
        let order: Vec<String> = out.selection_order.iter().map(|p| p.0.clone()).collect();
        if order != strings(&e["selection_order"]) {
            failures.push(format!(
                "{file} {}: selection order {order:?} differs",
                rule.name()
            ));
        }
        let want_cost = e["total_cost"].as_str().unwrap();
        if out.total_cost.to_string() != want_cost {
            failures.push(format!(
                "{file} {}: total cost {} != {want_cost}",
                rule.name(),
                out.total_cost
            ));
        }
        if rule == Rule::MesCostAdd1 {
            let a = out.add1.as_ref().expect("add1 report");
            let stop = match a.stop {
                Add1Stop::Exhaustive => "exhaustive",
                Add1Stop::NextInfeasible => "next_infeasible",
                _ => "other",
            };
            let (wi, ws) = (e["iterations"].as_u64().unwrap(), e["stop"].as_str().unwrap());
            let (wib, wfb) = (
                e["initial_voter_budget"].as_str().unwrap(),
                e["final_voter_budget"].as_str().unwrap(),
            );
            if a.iterations != wi || stop != ws {
                failures.push(format!(
                    "{file} add1: {} iterations / {stop}, expected {wi} / {ws}",
                    a.iterations
                ));
            }
            if a.initial_voter_budget.to_string() != wib || a.final_voter_budget.to_string() != wfb {
                failures.push(format!(
                    "{file} add1: voter budgets {} .. {}, expected {wib} .. {wfb}",
                    a.initial_voter_budget, a.final_voter_budget
                ));
            }
        }
    }
    println!("{file}: parse {:.3}s; {}", parse.as_secs_f64(), times.join(", "));
    failures
}

fn check(files: &[&str]) {
    let exp = expected();
    let mut failures = Vec::new();
    for file in files {
        let e = &exp["instances"][*file];
        assert!(!e.is_null(), "{file} not in expected.json");
        failures.extend(check_instance(file, e));
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Instances whose Add1 loop is long (hundreds of MES runs or more): each has its own test
/// function, so that the harness runs them in parallel and they can be selected by name.
const HEAVY: [&str; 5] = [
    "France_Toulouse_2022.pb",
    "France_Toulouse_2024.pb",
    "Poland_Warszawa_2020_Praga-Poludnie.pb",
    "Poland_Warszawa_2023_Mokotow.pb",
    "Poland_Warszawa_2022_Wola.pb",
];

#[test]
fn reference_instances_except_the_heavy_ones() {
    let exp = expected();
    let files: Vec<String> = exp["instances"]
        .as_object()
        .expect("instances")
        .keys()
        .filter(|k| !BIG.contains(&k.as_str()) && !HEAVY.contains(&k.as_str()))
        .cloned()
        .collect();
    assert_eq!(
        files.len() + BIG.len() + HEAVY.len(),
        30,
        "expected.json should list 30 instances"
    );
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    check(&refs);
}

macro_rules! reference_test {
    ($name:ident, $file:expr) => {
        #[test]
        fn $name() {
            check(&[$file]);
        }
    };
}

reference_test!(reference_heavy_toulouse_2022, "France_Toulouse_2022.pb");
reference_test!(reference_heavy_toulouse_2024, "France_Toulouse_2024.pb");
reference_test!(
    reference_heavy_warszawa_2020_praga_poludnie,
    "Poland_Warszawa_2020_Praga-Poludnie.pb"
);
reference_test!(
    reference_heavy_warszawa_2023_mokotow,
    "Poland_Warszawa_2023_Mokotow.pb"
);
reference_test!(reference_heavy_warszawa_2022_wola, "Poland_Warszawa_2022_Wola.pb");
reference_test!(reference_big_lodz_2022, "Poland_Lodz_2022.pb");
reference_test!(reference_big_warszawa_2026, "Poland_Warszawa_2026.pb");
reference_test!(reference_big_wroclaw_2017, "Poland_Wroclaw_2017.pb");

/// Every `.pb` file of the directory survives export and re-parse unchanged.
#[test]
fn every_reference_file_round_trips() {
    let mut n = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("reference dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "pb"))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).unwrap();
        let inst = Instance::from_pb_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let out = inst
            .to_pb_string()
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let again =
            Instance::from_pb_str(&out).unwrap_or_else(|e| panic!("{} re-parse: {e}", path.display()));
        assert!(
            again == inst,
            "{}: round trip changed the instance",
            path.display()
        );
        n += 1;
    }
    assert_eq!(n, 30);
}

/// The three real elections run with MES + Add1 (META `rule` = `equalshares/add1…`) published
/// their outcomes in the `selected` column. pabulib-checker's Add1 ([`Rule::EqualSharesAdd1`])
/// reproduces all three (SEMANTICS.md §9); pabutools' `mes_cost_add1` does for Assen and
/// Świecie but not for Wieliczka (its exhaustive stop selects 66 and 67 instead of 46).
#[test]
fn published_equal_shares_outcomes() {
    for file in [
        "Netherlands_Assen_2024.pb",
        "Poland_Swiecie_2023.pb",
        "Poland_Wieliczka_2023_Green_Budget.pb",
    ] {
        let inst = load(file);
        assert!(
            inst.meta_value("rule")
                .unwrap_or("")
                .starts_with("equalshares/add1"),
            "{file}"
        );
        let col = inst
            .project_extra_columns()
            .iter()
            .position(|c| *c == "selected")
            .expect("selected column");
        let mut published: Vec<String> = inst
            .projects
            .iter()
            .filter(|p| p.extra[col] == "1")
            .map(|p| p.id.0.clone())
            .collect();
        published.sort();
        let out = Election::new(&inst).unwrap().run(Rule::EqualSharesAdd1).unwrap();
        let got: Vec<String> = out.selected.iter().map(|p| p.0.clone()).collect();
        let a = out.add1.as_ref().unwrap();
        println!(
            "{file}: checker add1 {} runs, final share {}",
            a.iterations, a.final_voter_budget
        );
        assert_eq!(got, published, "{file}");
    }
}

/// Summary of per-rule totals, to eyeball (run with --nocapture).
#[test]
fn expected_json_lists_every_file() {
    let exp = expected();
    let listed: BTreeMap<String, ()> = exp["instances"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| (k.clone(), ()))
        .collect();
    for e in std::fs::read_dir(dir()).unwrap().filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().to_string();
        if name.ends_with(".pb") {
            assert!(listed.contains_key(&name), "{name} missing from expected.json");
        }
    }
}
