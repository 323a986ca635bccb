//! `linli publish` publishes the adopted decisions and the plans exactly as the workspace
//! does (`snapshot::prepare`, byte for byte), never recomputes the allocation, and no
//! internal field of a plan or a decision reaches the published folder.

use std::path::PathBuf;

use linli_domain::alloc::{self, run_record, AllocConfig};
use linli_domain::backup;
use linli_domain::dataset::Dataset;
use linli_domain::decisions::{adopt_run, adopted_run, Decision, DecisionKind, Header};
use linli_domain::demo::{generate, DemoConfig};
use linli_domain::plans::{
    Budget, CivilDate, CouncilVote, Funder, Internal, ObjectionChannel, ObjectionInput, PlanCase,
    PlanContent, PlanRules, SpendingInput, Stamp,
};
use linli_domain::snapshot::file;
use linli_domain::snapshot::prepare::{prepare, PrepareOptions};
use serde_json::Value;

mod common;
use common::{bin, run};

const CREATED_AT: i64 = 1_790_000_000_000;
/// 2026-11-24 12:00 China time.
const AT: i64 = 1_795_492_800_000;
const MARKERS: [&str; 6] = [
    "MARKGUIDE",
    "MARKNOTES",
    "MARKOBJECTION",
    "MARKVOUCHER",
    "MARKACTOR",
    "MARKAPPROVER",
];

fn tmp(name: &str) -> PathBuf {
    common::tmp("linli-cli-decisions", name)
}

fn day(s: &str) -> CivilDate {
    CivilDate::parse(s).unwrap()
}

/// The demo with the period's run adopted (if the demo has none) and one plan taken to
/// execution with markers in its internal fields, plus a reserve release.
fn community() -> Dataset {
    let mut d = generate(&DemoConfig {
        seed: 2026,
        households: 600,
        ..DemoConfig::default()
    });
    if adopted_run(&d.decisions, "2026-Q3").is_none() {
        let config = AllocConfig::from_dataset(&d).unwrap();
        let inputs = alloc::prepare(&d, &config, "2026-Q3").unwrap();
        let result = alloc::allocate_inputs(&inputs, &config).unwrap();
        let run_id = d.allocation_runs.iter().map(|r| r.id).max().unwrap_or(0) + 1;
        d.allocation_runs
            .push(run_record(&inputs, &config, &result, run_id, CREATED_AT));
        let header = Header {
            id: d.decisions.iter().map(|x| x.id).max().unwrap_or(0) + 1,
            period: "2026-Q3".into(),
            on: day("2026-10-01"),
            by: Stamp::new("MARKACTOR adopter", CREATED_AT),
        };
        let dec = adopt_run(&d.decisions, &d.allocation_runs, run_id, &header).unwrap();
        d.decisions.push(dec);
    }
    let by = Stamp::new("MARKACTOR guide", CREATED_AT);
    let id = d.plans.iter().map(PlanCase::id).max().unwrap_or(0) + 1;
    let plan = PlanCase::new(
        id,
        &by,
        day("2026-09-01"),
        PlanContent {
            title: "单元门禁维修".into(),
            category: "housing_repair".into(),
            period: "2026-Q3".into(),
            budget: Budget::new(50_000, 0, 0, 10_000).unwrap(),
            description: "修复 5 幢单元门禁".into(),
        },
        Internal {
            guide: "MARKGUIDE 张".into(),
            notes: "MARKNOTES 报价待核".into(),
        },
    )
    .and_then(|p| p.start_notice(&by, day("2026-09-02"), &PlanRules::default()))
    .and_then(|p| {
        p.record_objection(
            &by,
            ObjectionInput {
                on: day("2026-09-03"),
                channel: ObjectionChannel::InPerson,
                internal_text: "MARKOBJECTION 3 楼李某".into(),
                public_summary: "希望周末不施工".into(),
            },
        )
    })
    .and_then(|p| p.answer_objection(&by, 1, day("2026-09-04"), "只在工作日施工"))
    .and_then(|p| p.close_notice(&by, day("2026-09-09")))
    .and_then(|p| {
        p.council(
            &by,
            day("2026-09-10"),
            CouncilVote {
                votes_for: 12,
                votes_against: 1,
                abstain: 0,
                quorum_met: true,
            },
            "",
        )
    })
    .and_then(|p| p.assessment(&by, day("2026-09-11"), "MARKACTOR assessor", "可行", true, ""))
    .and_then(|p| p.street_review(&by, day("2026-09-12"), "街审 7 号", true, ""))
    .and_then(|p| {
        p.spend(
            &by,
            SpendingInput {
                on: day("2026-09-20"),
                amount: 12_345,
                funder: Funder::Government,
                purpose: "门禁主板".into(),
                voucher: "MARKVOUCHER-001".into(),
            },
        )
    })
    .unwrap();
    d.plans.push(plan);
    d.decisions.push(Decision {
        id: d.decisions.iter().map(|x| x.id).max().unwrap_or(0) + 1,
        period: "2026-Q3".into(),
        on: day("2026-09-15"),
        actor: "MARKACTOR".into(),
        at: CREATED_AT,
        kind: DecisionKind::ReserveReleased {
            amount_fen: 2_000,
            reason: "门禁故障影响独居老人出行".into(),
            approver: "MARKAPPROVER 街道".into(),
            plan_id: id,
        },
    });
    d.check_integrity().unwrap();
    d
}

fn write_backup(d: &Dataset, name: &str) -> PathBuf {
    let path = tmp(name);
    std::fs::write(&path, backup::encode(d, "test", CREATED_AT)).unwrap();
    path
}

fn allocation_figures(content: &Value) -> Value {
    serde_json::json!([
        content["allocation_status"],
        content["adopted_allocation"],
        content["pools"],
        content["allocation"],
        content["groups"],
        content["cost_sharing"],
        content["headline"]["budget_fen"],
    ])
}

#[test]
fn publish_publishes_the_adopted_decisions_as_the_workspace_does() {
    let d = community();
    let path = write_backup(&d, "decisions.json");
    let out = tmp("decisions-site");
    let _ = std::fs::remove_dir_all(&out);
    run(bin().arg("publish").arg(&path).arg("--out").arg(&out).args([
        "--data-only",
        "--at",
        &AT.to_string(),
    ]));
    let text = std::fs::read_to_string(out.join("snapshot.json")).unwrap();
    // Byte-identical to the workspace's preparation of the same data at the same time.
    let (_, stored) = backup::decode(&std::fs::read(&path).unwrap()).unwrap();
    let ws = prepare(
        &stored,
        &[] as &[Vec<u8>],
        &PrepareOptions {
            at: AT,
            period: None,
            url: None,
        },
    )
    .unwrap();
    // `snapshot.json` is the prepared file without its requests section.
    let (head, _) = file::split_requests(ws.text.as_bytes()).unwrap();
    assert_eq!(text.as_bytes(), head.as_slice());
    for f in &ws.files {
        assert_eq!(std::fs::read(out.join(&f.path)).unwrap(), f.bytes, "{}", f.path);
    }

    // The adopted run, the plan's life cycle and the release, and nothing internal.
    let snap = file::decode(text.as_bytes()).unwrap();
    let c: Value = serde_json::from_str(&text).unwrap();
    let c = &c["content"];
    assert_eq!(c["allocation_status"], "adopted");
    let run_id = snap.content.adopted_allocation.as_ref().unwrap().run;
    let adopted = d.allocation_runs.iter().find(|r| r.id == run_id).unwrap();
    assert_eq!(
        c["adopted_allocation"]["inputs_sha256"],
        adopted.inputs_sha256.as_str()
    );
    let plan = snap
        .content
        .plans
        .iter()
        .find(|p| p.title == "单元门禁维修")
        .unwrap();
    assert_eq!(plan.stage, "execution");
    assert_eq!((plan.objection_count, plan.objections_answered), (1, 1));
    assert_eq!(plan.spending.len(), 1);
    assert_eq!(
        (plan.spending[0].amount_fen, plan.spending[0].purpose.as_str()),
        (12_345, "门禁主板")
    );
    assert_eq!(plan.approvals.len(), 3);
    let release = snap.content.reserve_releases.last().unwrap();
    assert_eq!((release.amount_fen, release.plan_id), (2_000, plan.id));
    for entry in std::fs::read_dir(&out).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            let body = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            for m in MARKERS {
                assert!(!body.contains(m), "{m} in {}", p.display());
            }
        }
    }

    // The register changes, nothing new is adopted: the second publication carries the
    // same allocation figures.
    let mut changed = d.clone();
    for h in changed.households.iter_mut().take(300) {
        h.needs.clear();
        h.group = "young_tenants".into();
    }
    let path2 = write_backup(&changed, "decisions-changed.json");
    let second = run(bin().arg("publish").arg(&path2).arg("--out").arg(&out).args([
        "--data-only",
        "--at",
        &(AT + 3_600_000).to_string(),
    ]));
    let second: Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(second["sequence"], 2);
    let text2 = std::fs::read_to_string(out.join("snapshot.json")).unwrap();
    let c2: Value = serde_json::from_str(&text2).unwrap();
    assert_eq!(allocation_figures(&c2["content"]), allocation_figures(c));
    assert_ne!(c2["content"]["coverage"], c["coverage"]);
    let ok: Value = serde_json::from_slice(&run(bin().arg("verify").arg(&out)).stdout).unwrap();
    assert_eq!(ok["snapshots"], 2);
}
