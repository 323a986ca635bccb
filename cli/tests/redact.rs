//! Free text (issue #15, item 3): `linli publish` refuses a personal text naming the field,
//! `linli redact` removes a published field in place, and `linli verify` still accepts the
//! folder, signatures included; a changed text is refused naming the field.

mod common;

use std::path::PathBuf;

use common::{bin, fails, json, run};
use linli_domain::backup;
use linli_domain::dataset::Dataset;
use linli_domain::model::Setting;
use linli_domain::snapshot::{file, publish};

const CREATED_AT: i64 = 1_790_000_000_000;
const AT: i64 = 1_795_492_800_000;

fn tmp(name: &str) -> PathBuf {
    common::tmp("linli-redact-tests", name)
}

fn demo() -> Dataset {
    let mut d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
        seed: 7,
        households: 300,
        year: 2026,
    });
    d.normalize();
    d.settings.push(Setting {
        key: linli_domain::signing::PUBLISHING_KEY_SETTING.into(),
        value: serde_json::to_string(&"11".repeat(32)).unwrap(),
    });
    d
}

fn write_backup(name: &str, d: &Dataset) -> PathBuf {
    let p = tmp(name);
    std::fs::write(&p, backup::encode(d, "test", CREATED_AT)).unwrap();
    p
}

fn publish(backup: &PathBuf, out: &PathBuf, at: i64) -> serde_json::Value {
    json(&run(bin()
        .arg("publish")
        .arg(backup)
        .arg("--out")
        .arg(out)
        .arg("--data-only")
        .args(["--at", &at.to_string()])))
}

#[test]
fn a_personal_title_is_refused_naming_the_field_and_nothing_is_written() {
    let mut d = demo();
    let mut id = 0;
    for x in &mut d.decisions {
        if let linli_domain::decisions::DecisionKind::ReserveReleased { reason, .. } = &mut x.kind {
            *reason = "为张家做坡道，联系 153-1615-5514".into();
            id = x.id;
        }
    }
    assert!(id > 0, "the demo has a reserve release");
    let b = write_backup("personal.json", &d);
    let out = tmp("personal-out");
    let _ = std::fs::remove_dir_all(&out);
    let err = fails(
        bin()
            .arg("publish")
            .arg(&b)
            .arg("--out")
            .arg(&out)
            .arg("--data-only")
            .args(["--at", &AT.to_string()]),
    );
    assert!(
        err.contains(&format!("reserve_releases/{id}/reason")) && err.contains("phone"),
        "{err}"
    );
    assert!(!err.contains("5514"), "the value is not repeated: {err}");
    assert!(!out.join(publish::SNAPSHOT_PATH).exists());
}

#[test]
fn redact_rewrites_the_folder_and_verify_accepts_it() {
    let d = demo();
    let b = write_backup("redact.json", &d);
    let out = tmp("redact-out");
    let _ = std::fs::remove_dir_all(&out);
    publish(&b, &out, AT);
    publish(&b, &out, AT + 3_600_000);
    let head = file::decode(&std::fs::read(out.join(publish::SNAPSHOT_PATH)).unwrap()).unwrap();
    let plan = &head.content.plans[0];
    let field = format!("plans/{}/title", plan.id);
    let title = plan.title.clone();
    let checkpoint = std::fs::read(out.join(publish::CHECKPOINT_PATH)).unwrap();
    let index = std::fs::read(out.join(publish::INDEX_PATH)).unwrap();

    // Every snapshot showing the field (both here).
    let s = json(&run(bin().arg("redact").arg(&out).args([
        "--field",
        &field,
        "--at",
        "2026-12-10",
    ])));
    assert_eq!(s["sequences"], serde_json::json!([1, 2]));
    assert_eq!(s["redacted_on"], "2026-12-10");
    let snap = std::fs::read_to_string(out.join(publish::SNAPSHOT_PATH)).unwrap();
    assert!(snap.contains("\"redacted_on\":\"2026-12-10\""));
    assert!(!snap.contains(&format!("\"text\":\"{title}\"")));
    let notice = std::fs::read_to_string(out.join(publish::NOTICE_PATH)).unwrap();
    assert!(notice.contains("已于 2026-12-10 删除"));
    // Hashes, index and signatures untouched; verify accepts, with the key required.
    assert_eq!(
        std::fs::read(out.join(publish::CHECKPOINT_PATH)).unwrap(),
        checkpoint
    );
    assert_eq!(std::fs::read(out.join(publish::INDEX_PATH)).unwrap(), index);
    let vkey = std::fs::read_to_string(out.join(publish::VKEY_PATH)).unwrap();
    run(bin().arg("verify").arg(&out).args(["--key", vkey.trim()]));
    let again = file::decode(snap.as_bytes()).unwrap();
    assert_eq!(again.sha256, head.sha256);

    // Again: refused, the folder unchanged.
    let err = fails(bin().arg("redact").arg(&out).args([
        "--field",
        &field,
        "--sequence",
        "2",
        "--at",
        "2026-12-11",
    ]));
    assert!(err.contains("already redacted on 2026-12-10"), "{err}");
    let err = fails(bin().arg("redact").arg(&out).args(["--field", "plans/999/title"]));
    assert!(err.contains("plans/999/title"), "{err}");
    let err = fails(
        bin()
            .arg("redact")
            .arg(&out)
            .args(["--field", &field, "--sequence", "9"]),
    );
    assert!(err.contains("snapshot 9"), "{err}");

    // A changed text is refused by verify: the texts no longer match their root.
    let other = &head.content.plans[1];
    let changed = snap.replacen(
        &format!("\"text\":{}", serde_json::to_string(&other.title).unwrap()),
        "\"text\":\"改过的标题\"",
        1,
    );
    assert_ne!(changed, snap);
    let head_file = out.join("snapshots").join(file::history_name(2, &head.sha256));
    std::fs::write(out.join(publish::SNAPSHOT_PATH), &changed).unwrap();
    std::fs::write(&head_file, &changed).unwrap();
    let err = fails(bin().arg("verify").arg(&out));
    assert!(err.contains("texts_sha256") && err.contains("000002-"), "{err}");

    // A later publication follows the redacted history, which stays redacted.
    std::fs::write(out.join(publish::SNAPSHOT_PATH), &snap).unwrap();
    std::fs::write(&head_file, &snap).unwrap();
    let s = publish(&b, &out, AT + 7_200_000);
    assert_eq!(s["sequence"], 3);
    let first = std::fs::read_dir(out.join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name().unwrap().to_string_lossy().starts_with("000001-")
                && p.extension().unwrap() == "json"
        })
        .unwrap();
    let first = std::fs::read_to_string(first).unwrap();
    assert!(
        first.contains("\"redacted_on\":\"2026-12-10\""),
        "the redaction is kept"
    );
    run(bin().arg("verify").arg(&out));
}
