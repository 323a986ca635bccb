//! `linli verify` applies the disclosure rules to what was published, pairs of consecutive
//! snapshots included (issue #15): a history re-hashed by its host so that the chain
//! verifies, but whose newest snapshot differs from the one before in a way the rules
//! forbid, is refused with the figure named.

mod common;

use common::{bin, fails, json, run, tmp};
use linli_domain::snapshot::file;
use linli_domain::snapshot::publish::{HistoryIndex, INDEX_PATH, SNAPSHOT_PATH};

const AT: i64 = 1_795_492_800_000;

#[test]
fn verify_refuses_a_rehashed_history_that_breaks_the_disclosure_rules() {
    let backup = tmp("linli-verify-privacy", "demo.json");
    let dir = tmp("linli-verify-privacy", "site");
    let _ = std::fs::remove_dir_all(&dir);
    run(bin()
        .args(["demo", "--seed", "11", "--created-at"])
        .arg(AT.to_string())
        .arg("--out")
        .arg(&backup));
    for at in [AT, AT + 3_600_000] {
        run(bin().arg("publish").arg(&backup).arg("--out").arg(&dir).args([
            "--data-only",
            "--at",
            &at.to_string(),
        ]));
    }
    let ok = json(&run(bin().arg("verify").arg(&dir)));
    assert_eq!(ok["ok"], true);

    // The host rewrites the newest snapshot, which publishes the same adopted run as the
    // one before: one resident group left out (each file alone keeps the rules; the pair
    // would show which group's figures moved), and seals it again (an unsigned history
    // has nothing else to break).
    let text = std::fs::read(dir.join(SNAPSHOT_PATH)).unwrap();
    let snap = file::decode(&text).unwrap();
    let mut content = snap.content.clone();
    assert!(content.adopted_allocation.is_some() && content.groups.len() > 1);
    content.groups.pop();
    let (new_text, new_sha) = file::encode(&content);
    let index_path = dir.join(INDEX_PATH);
    let mut index: HistoryIndex = serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    let last = index.snapshots.last_mut().unwrap();
    std::fs::remove_file(dir.join(&last.file)).unwrap();
    last.sha256.clone_from(&new_sha);
    last.file = format!("snapshots/{}", file::history_name(content.sequence, &new_sha));
    std::fs::write(dir.join(&last.file), &new_text).unwrap();
    std::fs::write(dir.join(SNAPSHOT_PATH), &new_text).unwrap();
    std::fs::write(&index_path, serde_json::to_vec_pretty(&index).unwrap()).unwrap();

    let err = fails(bin().arg("verify").arg(&dir));
    assert!(err.contains("privacy: #2 against #1 groups"), "{err}");
}
