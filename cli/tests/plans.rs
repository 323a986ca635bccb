//! Runs the built `linli` binary: `linli demo` → `linli plans`, checked against
//! the plans' own rules and the domain's records.

use std::collections::BTreeSet;
use std::path::PathBuf;

use linli_domain::backup;
use linli_domain::plans::{PlanCase, Stage};
use serde_json::Value;

mod common;
use common::{bin, run};

const CREATED_AT: i64 = 1_795_492_800_000; // 2026-11-24 12:00 China time

fn tmp(name: &str) -> PathBuf {
    common::tmp("linli-cli-plans-tests", name)
}

/// A demo backup written by `linli demo`.
fn demo_file(name: &str, households: u32) -> PathBuf {
    let path = tmp(name);
    run(bin()
        .args(["demo", "--seed", "2026", "--households", &households.to_string()])
        .args(["--created-at", &CREATED_AT.to_string(), "--out"])
        .arg(&path));
    path
}

fn plans_json(file: &PathBuf, extra: &[&str]) -> (Value, Vec<u8>) {
    let out = run(bin().arg("plans").arg(file).args(extra));
    (serde_json::from_slice(&out.stdout).unwrap(), out.stdout)
}

fn stage(v: &Value) -> Stage {
    serde_json::from_value(v.clone()).unwrap()
}

fn fen(v: &Value) -> i64 {
    v.as_i64().unwrap()
}

const FUNDERS: [&str; 4] = ["government", "market", "society", "residents"];

#[test]
fn plans_prints_every_stage_history_spending_and_accounts() {
    let file = demo_file("plans-demo.json", 400);
    let (v, bytes) = plans_json(&file, &[]);
    // The same bytes every time.
    assert_eq!(plans_json(&file, &[]).1, bytes);
    assert_eq!(v["file"]["format_version"], backup::FORMAT_VERSION);
    assert_eq!(v["file"]["created_at"], CREATED_AT);

    // The domain's view of the same file.
    let (_, d) = backup::decode(&std::fs::read(&file).unwrap()).unwrap();
    let plans = v["plans"].as_array().unwrap();
    assert_eq!(plans.len(), d.plans.len());
    let ids: Vec<u64> = plans.iter().map(|p| p["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "plans by id: {ids:?}");

    // Plans per stage: every stage of the life cycle, in its order, adding up.
    let by_stage = v["by_stage"].as_object().unwrap();
    assert_eq!(by_stage.len(), Stage::ALL.len());
    // In life-cycle order in the file (a parsed object forgets the order).
    let text = String::from_utf8(bytes.clone()).unwrap();
    let object = &text[text.find("\"by_stage\":{").unwrap()..text.find("\"plans\":").unwrap()];
    let at: Vec<usize> = Stage::ALL
        .iter()
        .map(|s| object.find(&format!("\"{}\":", s.code())).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{object}");
    for s in Stage::ALL {
        let n = by_stage[s.code()].as_u64().unwrap();
        assert!(n >= 1, "no plan {}", s.code());
        assert_eq!(
            n as usize,
            plans.iter().filter(|p| stage(&p["stage"]) == s).count()
        );
    }

    let mut seen_reversal = false;
    let mut seen_answer = false;
    let mut seen_rejection = false;
    for p in plans {
        let id = p["id"].as_u64().unwrap() as u32;
        let case: &PlanCase = d.plans.iter().find(|c| c.id() == id).unwrap();
        // History: numbered from 1, starts with the draft's creation, every step an
        // edge of the life cycle, ends in the current stage, equal to the record's.
        let history = p["history"].as_array().unwrap();
        assert_eq!(history[0]["event"]["event"], "created");
        for (i, t) in history.iter().enumerate() {
            assert_eq!(t["seq"].as_u64().unwrap() as usize, i + 1);
            assert!(stage(&t["from"]).may_become(stage(&t["to"])), "plan {id}: {t}");
        }
        assert_eq!(stage(&history.last().unwrap()["to"]), stage(&p["stage"]));
        assert_eq!(p["history"], serde_json::to_value(case.history()).unwrap());
        assert_eq!(p["approvals"], serde_json::to_value(case.approvals()).unwrap());
        assert_eq!(p["objections"], serde_json::to_value(case.objections()).unwrap());

        // Notices with their last day and first closing day.
        for n in p["notices"].as_array().unwrap() {
            let start = linli_domain::plans::CivilDate::parse(n["start"].as_str().unwrap()).unwrap();
            let days = n["days"].as_i64().unwrap();
            assert_eq!(n["last_day"], start.add_days(days - 1).unwrap().to_string());
            assert_eq!(n["closes_from"], start.add_days(days).unwrap().to_string());
        }
        let objections = p["objections"].as_array().unwrap();
        let answered = objections.iter().filter(|o| !o["response"].is_null()).count();
        assert_eq!(
            p["unanswered_objections"].as_u64().unwrap() as usize,
            objections.len() - answered
        );
        seen_answer |= answered > 0;
        seen_rejection |= p["approvals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["approved"] == false && a["reason"].as_str().is_some_and(|r| !r.is_empty()));

        // Spending: the net by funder is the sum of the entries, reversals deducted,
        // and stays within each funder's budget.
        let spending = p["spending"].as_array().unwrap();
        let mut total = 0;
        for f in FUNDERS {
            let sum: i64 = spending
                .iter()
                .filter(|e| e["funder"] == f)
                .map(|e| fen(&e["amount"]))
                .sum();
            assert_eq!(fen(&p["spent"][f]), sum, "plan {id} {f}");
            assert!(sum <= fen(&p["budget"][f]), "plan {id} {f} over budget");
            total += sum;
        }
        assert_eq!(fen(&p["spent"]["total"]), total);
        for e in spending.iter().filter(|e| !e["reverses"].is_null()) {
            let original = spending.iter().find(|o| o["id"] == e["reverses"]).unwrap();
            assert_eq!(fen(&e["amount"]), -fen(&original["amount"]));
            assert_eq!(e["funder"], original["funder"]);
            seen_reversal = true;
        }
        if stage(&p["stage"]) < Stage::Execution {
            assert!(spending.is_empty(), "plan {id} spent before approval");
        }

        // Final accounts: budget against actual by funder, actual = the spending.
        if stage(&p["stage"]) >= Stage::Accounts {
            let a = &p["accounts"];
            assert_eq!(fen(&a["actual"]), total, "plan {id}");
            assert_eq!(fen(&a["budget"]), fen(&a["actual"]) + fen(&a["remainder"]));
            assert!(!a["returned_to"].as_str().unwrap().is_empty());
            for line in a["lines"].as_array().unwrap() {
                let f = line["funder"].as_str().unwrap();
                assert_eq!(fen(&line["actual"]), fen(&p["spent"][f]), "plan {id} {f}");
                assert_eq!(fen(&line["budget"]), fen(&p["budget"][f]), "plan {id} {f}");
            }
        } else {
            assert!(p["accounts"].is_null());
        }
        assert_eq!(p["evaluation"].is_null(), stage(&p["stage"]) != Stage::Closed);
        // Milestones never go back.
        let percents: Vec<u64> = p["milestones"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["percent"].as_u64().unwrap())
            .collect();
        assert!(percents.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(
            p["progress"].as_u64().unwrap(),
            percents.last().copied().unwrap_or(0)
        );
    }
    assert!(seen_reversal && seen_answer && seen_rejection);
    assert!(plans
        .iter()
        .any(|p| !p["budget_changes"].as_array().unwrap().is_empty()));
}

#[test]
fn plans_public_prints_only_what_a_snapshot_may_publish() {
    let file = demo_file("plans-public.json", 200);
    let (full, _) = plans_json(&file, &[]);
    let (public, bytes) = plans_json(&file, &["--public", "--today", "2026-09-30"]);
    let text = String::from_utf8(bytes).unwrap();
    // Exactly the plans that have been on notice.
    let noticed: BTreeSet<u64> = full["plans"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["notices"].as_array().unwrap().is_empty())
        .map(|p| p["id"].as_u64().unwrap())
        .collect();
    let shown: BTreeSet<u64> = public["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_u64().unwrap())
        .collect();
    assert_eq!(shown, noticed);
    assert!(!shown.is_empty());
    // Nothing internal: no guide, internal note, objection text or actor.
    for p in full["plans"].as_array().unwrap() {
        let mut secrets = vec![p["guide"].as_str().unwrap().to_owned()];
        let notes = p["internal_notes"].as_str().unwrap();
        if !notes.is_empty() {
            secrets.push(notes.to_owned());
        }
        for o in p["objections"].as_array().unwrap() {
            secrets.push(o["internal"]["text"].as_str().unwrap().to_owned());
        }
        for t in p["history"].as_array().unwrap() {
            secrets.push(t["actor"].as_str().unwrap().to_owned());
        }
        for s in secrets.iter().filter(|s| !s.is_empty()) {
            assert!(!text.contains(s.as_str()), "published: {s}");
        }
    }
    assert!(!text.contains("\"guide\"") && !text.contains("internal"));
    // Countdowns as of --today: the plan on notice from 2026-09-24 for 7 days has one day left.
    let on_notice = public["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["stage"] == "notice")
        .unwrap();
    let n = on_notice["notices"].as_array().unwrap().last().unwrap();
    assert_eq!(n["start"], "2026-09-24");
    assert_eq!(n["days_left"], 1);
}

#[test]
fn plans_reads_a_version_1_backup_and_refuses_bad_input() {
    let v1 = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../domain/tests/fixtures/backup-v1-demo.json");
    let (v, _) = plans_json(&v1, &[]);
    assert_eq!(v["file"]["format_version"], 1);
    let plans = v["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 10);
    assert_eq!(v["by_stage"]["execution"], 5);
    assert_eq!(v["by_stage"]["accounts"], 3);
    assert!(plans
        .iter()
        .flat_map(|p| p["history"].as_array().unwrap())
        .all(|t| t["actor"] == linli_domain::plans::legacy::IMPORT_ACTOR));

    // Not a backup; a bad --today; --today without --public.
    let junk = tmp("junk.json");
    std::fs::write(&junk, b"{\"hello\": 1}").unwrap();
    let out = bin().arg("plans").arg(&junk).output().unwrap();
    assert!(!out.status.success() && out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid Linli backup"));
    let file = demo_file("plans-bad.json", 30);
    let out = bin()
        .args(["plans", "--public", "--today", "2026-13-01"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success() && out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--today"));
    let out = bin()
        .args(["plans", "--today", "2026-10-01"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
