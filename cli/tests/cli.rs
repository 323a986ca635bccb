//! Runs the built `linli` binary: demo → score, compared with the domain functions.

use std::path::PathBuf;

use linli_domain::alloc;
use linli_domain::backup;
use linli_domain::dataset::Dataset;
use linli_domain::demo::{generate, DemoConfig};
use linli_domain::model::Setting;
use linli_domain::needs::{self, af, NeedsMatrix};
use serde_json::Value;

mod common;
use common::{bin, fails, run};

const CREATED_AT: i64 = 1_790_000_000_000; // 2026-09-21 UTC

fn tmp(name: &str) -> PathBuf {
    common::tmp("linli-cli-tests", name)
}

/// The app's first-start demo (src/state/storage.rs) with another seed and size.
fn app_demo(seed: u64, households: u32) -> Dataset {
    let mut d = generate(&DemoConfig {
        seed,
        households,
        ..DemoConfig::default()
    });
    d.settings.push(Setting {
        key: "initialized".to_owned(),
        value: "true".to_owned(),
    });
    d.normalize();
    d
}

fn demo_file(name: &str, seed: u64, households: u32) -> PathBuf {
    let path = tmp(name);
    run(bin()
        .args([
            "demo",
            "--seed",
            &seed.to_string(),
            "--households",
            &households.to_string(),
            "--created-at",
            &CREATED_AT.to_string(),
            "--out",
        ])
        .arg(&path));
    path
}

fn score_json(args: &[&str], file: &PathBuf) -> Value {
    let out = run(bin().arg("score").arg(file).args(args));
    serde_json::from_slice(&out.stdout).expect("score prints JSON")
}

fn check_scores(json: &Value, d: &Dataset, matrix: &NeedsMatrix, year: i64) {
    let want = needs::score_all(matrix, &d.households, year).unwrap();
    let got = json["households"].as_array().unwrap();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g["id"], w.household_id);
        assert_eq!(g["score"], w.score);
        assert_eq!(g["tier"], w.tier.code());
    }
    let agg = needs::aggregate(&d.households, &want, &d.buildings).unwrap();
    assert_eq!(json["aggregates"], serde_json::to_value(&agg).unwrap());
    let r = af::analyse(&matrix.af, &d.households, &d.buildings, year).unwrap();
    assert_eq!(json["af"]["h"]["exact"], af::exact_string(&r.h));
    assert_eq!(json["af"]["a"]["exact"], af::exact_string(&r.a));
    assert_eq!(json["af"]["m0"]["exact"], af::exact_string(&r.m0));
    assert_eq!(json["af"]["m0"]["decimal"], af::decimal(&r.m0, 6));
    assert_eq!(json["af"], serde_json::to_value(&r).unwrap());
    let evals = af::evaluate(&matrix.af, &d.households, year).unwrap();
    for (g, e) in got.iter().zip(&evals) {
        assert_eq!(g["af_score_bp"], e.score_bp);
        assert_eq!(g["af_poor"], e.poor);
    }
}

#[test]
fn demo_equals_the_apps_demo_byte_for_byte() {
    let path = demo_file("demo-120.json", 7, 120);
    let bytes = std::fs::read(&path).unwrap();
    let expected = app_demo(7, 120);
    assert_eq!(
        String::from_utf8(bytes.clone()).unwrap(),
        backup::encode(&expected, env!("CARGO_PKG_VERSION"), CREATED_AT)
    );
    let (header, d) = backup::decode(&bytes).unwrap();
    assert_eq!(d, expected);
    assert_eq!(header.created_at, CREATED_AT);
    assert!(d
        .settings
        .iter()
        .any(|s| s.key == "initialized" && s.value == "true"));

    // `--out -` writes the same bytes to standard output.
    let out = run(bin().args([
        "demo",
        "--seed",
        "7",
        "--households",
        "120",
        "--created-at",
        &CREATED_AT.to_string(),
        "--out",
        "-",
    ]));
    assert_eq!(out.stdout, bytes);
}

#[test]
fn demo_without_created_at_uses_the_clock() {
    let path = tmp("demo-clock.json");
    run(bin()
        .args(["demo", "--seed", "1", "--households", "10", "--out"])
        .arg(&path));
    let (header, d) = backup::decode(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(d.households.len(), 10);
    assert!(header.created_at > 1_700_000_000_000, "{}", header.created_at);
}

#[test]
fn score_equals_the_domain_functions() {
    let path = demo_file("demo-300.json", 11, 300);
    let d = app_demo(11, 300);
    let json = score_json(&[], &path);
    assert_eq!(json["year"], 2026, "year of created_at");
    assert_eq!(json["matrix_source"], "default");
    assert_eq!(json["file"]["households"], 300);
    check_scores(&json, &d, &NeedsMatrix::default(), 2026);

    let json = score_json(&["--year", "2031", "--pretty"], &path);
    assert_eq!(json["year"], 2031);
    check_scores(&json, &d, &NeedsMatrix::default(), 2031);

    let json = score_json(&["--explain"], &path);
    let e = &json["households"][5]["explanation"];
    let want = needs::explain(&NeedsMatrix::default(), &d.households[5], 2026).unwrap();
    assert_eq!(*e, serde_json::to_value(&want).unwrap());
}

#[test]
fn score_reads_the_needs_matrix_setting() {
    let mut d = app_demo(3, 150);
    let mut m = NeedsMatrix::default();
    m.dimensions[0].weight_bp = 4000; // population 40 %
    m.dimensions[3].weight_bp = 0; // willingness 0 %
    m.tiers.high_min = 300;
    m.af.k_bp = 2500;
    d.settings.push(m.to_setting());
    d.normalize();
    let path = tmp("custom-matrix.json");
    std::fs::write(&path, backup::encode(&d, "0.1.0", CREATED_AT)).unwrap();
    let json = score_json(&[], &path);
    assert_eq!(json["matrix_source"], "setting");
    assert_eq!(json["tiers"]["high_min"], 300);
    assert_eq!(json["af"]["k_bp"], 2500);
    check_scores(&json, &d, &m, 2026);

    // --matrix overrides the setting.
    let mpath = tmp("matrix.json");
    std::fs::write(&mpath, NeedsMatrix::default().to_json()).unwrap();
    let json = score_json(&["--matrix", mpath.to_str().unwrap()], &path);
    assert_eq!(json["matrix_source"], "file");
    check_scores(&json, &d, &NeedsMatrix::default(), 2026);
}

#[test]
fn bad_input_fails_with_a_message() {
    let err = fails(bin().args(["score", "/nonexistent/linli.json"]));
    assert!(err.contains("cannot read `/nonexistent/linli.json`"), "{err}");

    let garbage = tmp("garbage.json");
    std::fs::write(&garbage, "hello").unwrap();
    // --allow-plain: the error is the first line (no unencrypted-backup warning before it).
    let err = fails(bin().arg("score").arg(&garbage).arg("--allow-plain"));
    assert!(
        err.starts_with("linli: error:") && err.contains("not a valid Linli backup"),
        "{err}"
    );
    assert!(err.contains("not valid JSON"), "{err}");

    let good = std::fs::read(demo_file("demo-trunc.json", 5, 40)).unwrap();
    let truncated = tmp("truncated.json");
    std::fs::write(&truncated, &good[..good.len() / 2]).unwrap();
    let err = fails(bin().arg("score").arg(&truncated));
    assert!(err.contains("truncated"), "{err}");

    let mut d = app_demo(5, 40);
    let mut m = NeedsMatrix::default();
    m.dimensions[1].weight_bp = 1000;
    d.settings.push(m.to_setting());
    d.normalize();
    let bad_matrix = tmp("bad-matrix.json");
    std::fs::write(&bad_matrix, backup::encode(&d, "0.1.0", CREATED_AT)).unwrap();
    let err = fails(bin().arg("score").arg(&bad_matrix));
    assert!(err.contains("needs_matrix") && err.contains("9000"), "{err}");

    let err = fails(
        bin()
            .args(["demo", "--seed", "1", "--households", "0", "--out"])
            .arg(tmp("zero.json")),
    );
    assert!(err.contains("--households"), "{err}");

    let err = fails(bin().args(["demo", "--seed", "1", "--out", "/nonexistent/dir/x.json"]));
    assert!(err.contains("cannot write"), "{err}");

    // A wrong command line is a usage error (exit code 2).
    let out = bin().args(["score"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = bin().args(["demo", "--out", "x.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `linli pb` prints pabutools' outcome for a reference instance.
#[test]
fn pb_prints_the_reference_outcome() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/pabulib");
    let dir = std::env::var_os("LINLI_PABULIB_DIR").map_or(dir, std::path::PathBuf::from);
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).expect("expected.json"))
            .unwrap();
    let name = "Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb";
    for rule in ["greedy_cost", "mes_cost", "mes_cost_add1_greedy"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_linli"))
            .args(["pb", "--rule", rule])
            .arg(dir.join(name))
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let got: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let want = &expected["instances"][name]["rules"][rule];
        assert_eq!(got["selected"], want["selected"], "{rule}");
        assert_eq!(got["cost"], want["total_cost"], "{rule}");
    }
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_linli"))
        .args(["pb", "--rule", "no_such_rule"])
        .arg(dir.join(name))
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown rule"));
}

fn allocate_json(args: &[&str], file: &PathBuf) -> Value {
    let out = run(bin().arg("allocate").arg(file).args(args));
    serde_json::from_slice(&out.stdout).expect("allocate prints JSON")
}

/// Every pool adds up exactly: reserve + base + flexible = total, and the categories' base,
/// flexible and total parts add up to the base pool, the flexible pool and both; funders add
/// up to the money total.
fn check_allocation_sums(json: &Value) {
    let kinds = json["kinds"].as_array().unwrap();
    assert!(!kinds.is_empty());
    for k in kinds {
        let p = &k["pools"];
        let int = |v: &Value| v.as_i64().unwrap();
        assert_eq!(
            int(&p["reserve"]) + int(&p["base"]) + int(&p["flexible"]),
            int(&k["total"])
        );
        let cats = k["categories"].as_array().unwrap();
        let sum = |f: &str| cats.iter().map(|c| int(&c[f])).sum::<i64>();
        assert_eq!(sum("base"), int(&p["base"]));
        assert_eq!(sum("flexible"), int(&p["flexible"]));
        assert_eq!(sum("total"), int(&p["allocated"]));
        assert!(cats
            .iter()
            .all(|c| int(&c["base"]) >= 0 && int(&c["flexible"]) >= 0));
        let groups: i64 = k["fairness"]["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| int(&g["resources"]))
            .sum();
        assert_eq!(groups, int(&p["allocated"]));
    }
    let money = &kinds[0];
    assert_eq!(money["kind"], "money");
    assert_eq!(money["unit"], "fen");
    let m = &money["indicators"]["mismatch"];
    assert_eq!(
        m["mismatch_bp"].as_u64().unwrap() + m["precise_targeting_bp"].as_u64().unwrap(),
        10_000
    );
    let cs = &json["cost_sharing"];
    let funders: i64 = cs["by_funder"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["amount_fen"].as_i64().unwrap())
        .sum();
    assert_eq!(funders, money["total"].as_i64().unwrap());
    assert_eq!(cs["by_funder"][0]["funder"], "government");
}

#[test]
fn allocate_equals_the_domain_result() {
    let path = demo_file("demo-alloc-600.json", 11, 600);
    let d = app_demo(11, 600);
    let config = alloc::AllocConfig::from_dataset(&d).unwrap();
    // Default period: the latest with resources (the demo has 2026-Q1 to Q3).
    let json = allocate_json(&[], &path);
    assert_eq!(json["period"], "2026-Q3");
    let want = alloc::allocate(&d, &config, "2026-Q3").unwrap();
    assert_eq!(json, serde_json::to_value(&want).unwrap());
    check_allocation_sums(&json);
    // The demo stores and adopts the runs of Q1–Q3 (issue #14): Q3 compares with Q2's run.
    assert_eq!(json["previous_source"]["source"], "run");
    assert_eq!(json["previous_source"]["id"], 2);
    assert_eq!(d.allocation_runs[1].period, "2026-Q2");

    let json = allocate_json(&["--period", "2026-Q1", "--pretty"], &path);
    assert_eq!(json["period"], "2026-Q1");
    assert_eq!(json["previous_source"]["source"], "none");
    check_allocation_sums(&json);
    let want = alloc::allocate(&d, &config, "2026-Q1").unwrap();
    assert_eq!(json, serde_json::to_value(&want).unwrap());

    // Re-running gives the same bytes.
    let a = run(bin().arg("allocate").arg(&path)).stdout;
    let b = run(bin().arg("allocate").arg(&path)).stdout;
    assert_eq!(a, b);
}

#[test]
fn allocate_reads_the_alloc_config_setting_and_file() {
    let mut d = app_demo(4, 600);
    let mut c = alloc::AllocConfig::from_dataset(&d).unwrap();
    c.reserve_bp = 1000;
    c.max_change_bp = Some(500);
    d.settings.push(c.to_setting());
    d.normalize();
    let path = tmp("alloc-setting.json");
    std::fs::write(&path, backup::encode(&d, "0.1.0", CREATED_AT)).unwrap();
    let json = allocate_json(&["--period", "2026-Q3"], &path);
    check_allocation_sums(&json);
    let money = &json["kinds"][0];
    assert_eq!(money["pools"]["reserve"], money["total"].as_i64().unwrap() / 10);
    assert_eq!(money["change_limit"], "applied");
    let want = alloc::allocate(&d, &c, "2026-Q3").unwrap();
    assert_eq!(json, serde_json::to_value(&want).unwrap());

    // --config overrides the setting.
    let cpath = tmp("alloc-config.json");
    std::fs::write(&cpath, alloc::AllocConfig::default().to_json()).unwrap();
    let json = allocate_json(&["--config", cpath.to_str().unwrap()], &path);
    assert_eq!(json["kinds"][0]["change_limit"], "not_set");
    let want = alloc::allocate(&d, &alloc::AllocConfig::default(), "2026-Q3").unwrap();
    assert_eq!(json, serde_json::to_value(&want).unwrap());
}

#[test]
fn allocate_bad_input_fails_with_a_message() {
    let write = |name: &str, d: &Dataset| {
        let path = tmp(name);
        std::fs::write(&path, backup::encode(d, "0.1.0", CREATED_AT)).unwrap();
        path
    };
    // Ratios that do not add up.
    let mut d = app_demo(5, 120);
    let c = alloc::AllocConfig {
        base_bp: 6000,
        ..alloc::AllocConfig::default()
    };
    d.settings.push(c.to_setting());
    d.normalize();
    let out = bin()
        .arg("allocate")
        .arg(write("alloc-bad-ratio.json", &d))
        .arg("--allow-plain")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with("linli: error: setting `alloc_config`: base_bp + flexible_bp:")
            && err.contains("9000 basis points"),
        "{err}"
    );

    // A negative amount names the record.
    let mut d = app_demo(5, 120);
    let r = d.resources.iter_mut().find(|r| r.period == "2026-Q3").unwrap();
    r.quantity = -1;
    let id = r.id;
    let err = fails(bin().arg("allocate").arg(write("alloc-negative.json", &d)));
    assert!(
        err.contains(&format!("resources {id}")) && err.contains("negative"),
        "{err}"
    );

    // Floors above the pool (¥100,000 for each of 8 categories, ¥465,000 to allocate).
    let mut d = app_demo(5, 600);
    let mut c = alloc::AllocConfig::default();
    for r in &mut c.categories {
        r.min_fen = 10_000_000;
    }
    d.settings.push(c.to_setting());
    d.normalize();
    let err = fails(bin().arg("allocate").arg(write("alloc-floors.json", &d)));
    assert!(
        err.contains("categories.*.floor_bp / min_fen: the floors of the money pool add up to 80000000 fen"),
        "{err}"
    );

    // A category nobody is eligible for.
    let mut d = app_demo(5, 600);
    let mut c = alloc::AllocConfig::default();
    c.categories[0].eligibility = linli_domain::needs::Indicator::ChildrenUnder { age: 0 };
    d.settings.push(c.to_setting());
    d.normalize();
    let err = fails(bin().arg("allocate").arg(write("alloc-zero.json", &d)));
    assert!(
        err.contains("categories.childcare.eligibility: no one in the register is eligible"),
        "{err}"
    );

    let path = demo_file("demo-alloc-40.json", 5, 120);
    let err = fails(bin().arg("allocate").arg(&path).args(["--period", "2026-Q9"]));
    assert!(err.contains("YYYY-Qn"), "{err}");
    let err = fails(bin().arg("allocate").arg(&path).args(["--period", "2030-Q1"]));
    assert!(err.contains("no resources for period 2030-Q1"), "{err}");
    let bad = tmp("alloc-bad-config.json");
    std::fs::write(&bad, "{\"reserve_bp\": 1}").unwrap();
    let err = fails(
        bin()
            .arg("allocate")
            .arg(&path)
            .args(["--config", bad.to_str().unwrap()]),
    );
    assert!(
        err.contains("alloc-bad-config.json") && err.contains("alloc_config"),
        "{err}"
    );
}

#[test]
fn pb_export_writes_the_periods_ballots_and_counts_like_the_domain() {
    let backup = demo_file("pb-export.json", 2026, 600);
    let d = app_demo(2026, 600);
    let out = tmp("pb-export.pb");
    run(bin().args(["pb", "--export"]).arg(&backup).arg("--out").arg(&out));
    let text = std::fs::read_to_string(&out).unwrap();
    let inst = linli_domain::pb::Instance::from_pb_str(&text).unwrap();
    let want = linli_domain::pb::community::instance_for_period(&d, "2026-Q4", None).unwrap();
    assert_eq!(inst, want.instance);
    assert_eq!(inst.meta_value("budget"), Some("30000000"));
    // The exported file counts with `linli pb` exactly as the domain counts the period.
    let counted = run(bin().args(["pb", "--rule", "mes_cost_add1_greedy"]).arg(&out));
    let got: Value = serde_json::from_slice(&counted.stdout).unwrap();
    let outcome = linli_domain::pb::run(
        &want.instance,
        linli_domain::pb::Rule::from_name("mes_cost_add1_greedy").unwrap(),
    )
    .unwrap();
    let ids: Vec<String> = outcome.selected.iter().map(|p| p.as_str().to_owned()).collect();
    assert_eq!(got["selected"], serde_json::json!(ids));
    // An explicit budget, and clear refusals.
    let small = run(bin()
        .args(["pb", "--export", "--budget-fen", "500", "--period", "2026-Q4"])
        .arg(&backup));
    assert!(String::from_utf8_lossy(&small.stdout).contains("budget;500"));
    let msg = fails(bin().args(["pb", "--export", "--budget-fen", "0"]).arg(&backup));
    assert!(msg.contains("must be more than 0"), "{msg}");
    let msg = fails(bin().args(["pb", "--export", "--period", "1999-Q1"]).arg(&backup));
    assert!(msg.contains("1999-Q1"), "{msg}");
    let msg = fails(bin().args(["pb"]).arg(&backup));
    assert!(msg.contains("--rule"), "{msg}");
}

/// `linli publish` twice into one folder, then `linli verify`; tampering is caught.
#[test]
fn publish_and_verify_a_folder() {
    let backup_path = tmp("publish-demo.json");
    run(bin()
        .args([
            "demo",
            "--seed",
            "2026",
            "--households",
            "600",
            "--created-at",
            &CREATED_AT.to_string(),
            "--out",
        ])
        .arg(&backup_path));
    let dir = tmp("published");
    let _ = std::fs::remove_dir_all(&dir);
    // No dashboard files where --site points: refused, nothing written.
    let err = fails(
        bin()
            .arg("publish")
            .arg(&backup_path)
            .arg("--out")
            .arg(&dir)
            .args(["--site", "/nonexistent-site"]),
    );
    assert!(err.contains("index.html"), "{err}");
    assert!(!dir.exists());

    let site = tmp("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::write(site.join("index.html"), "<!DOCTYPE html><title>dashboard</title>").unwrap();
    let first = run(bin()
        .arg("publish")
        .arg(&backup_path)
        .arg("--out")
        .arg(&dir)
        .arg("--site")
        .arg(&site)
        .args(["--at", "1795492800000", "--url", "https://example.org/a/"]));
    let first: Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(first["sequence"], 1);
    assert!(dir.join("index.html").is_file());
    // The snapshot is exactly the domain's for the same backup and time.
    let (_, d) = backup::decode(&std::fs::read(&backup_path).unwrap()).unwrap();
    let content =
        linli_domain::snapshot::build(&d, &linli_domain::snapshot::BuildOptions::at(1_795_492_800_000))
            .unwrap();
    let (text, hash) = linli_domain::snapshot::file::encode(&content);
    // `snapshot.json` without the requests section, which is `requests.json`.
    let (head, requests) = linli_domain::snapshot::file::split_requests(text.as_bytes()).unwrap();
    assert_eq!(std::fs::read(dir.join("snapshot.json")).unwrap(), head);
    assert_eq!(std::fs::read(dir.join("requests.json")).unwrap(), requests);
    assert_eq!(first["sha256"], hash.as_str());
    assert!(std::fs::read_to_string(dir.join("notice.html"))
        .unwrap()
        .contains(&hash));

    let second = run(bin()
        .arg("publish")
        .arg(&backup_path)
        .arg("--out")
        .arg(&dir)
        .args(["--data-only", "--at", "1795496400000"]));
    let second: Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(second["sequence"], 2);
    assert_eq!(second["previous_sha256"], hash.as_str());
    let ok = run(bin().arg("verify").arg(&dir));
    let ok: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(ok["snapshots"], 2);

    // A host that edits requests.json (a request shown closed) is caught, naming the file.
    let req = dir.join("requests.json");
    let good = std::fs::read_to_string(&req).unwrap();
    let bad = good.replacen("\"status\":\"received\"", "\"status\":\"closed\"", 1);
    assert_ne!(bad, good);
    std::fs::write(&req, bad).unwrap();
    let err = fails(bin().arg("verify").arg(&dir));
    assert!(err.contains("requests.json"), "{err}");
    std::fs::remove_file(&req).unwrap();
    let err = fails(bin().arg("verify").arg(&dir));
    assert!(err.contains("requests.json") && err.contains("missing"), "{err}");
    std::fs::write(&req, good).unwrap();
    run(bin().arg("verify").arg(&dir));

    // Change one figure of the first snapshot in place: verify fails and says where.
    let hist = std::fs::read_dir(dir.join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("000001-"))
        .unwrap();
    let t = std::fs::read_to_string(&hist).unwrap();
    std::fs::write(&hist, t.replacen("\"budget_fen\":", "\"budget_fen\":1", 1)).unwrap();
    let err = fails(bin().arg("verify").arg(&dir));
    assert!(err.contains("000001-"), "{err}");
    // Publishing on top of a broken history is refused.
    let err = fails(
        bin()
            .arg("publish")
            .arg(&backup_path)
            .arg("--out")
            .arg(&dir)
            .arg("--data-only"),
    );
    assert!(err.contains("do not verify"), "{err}");
}
