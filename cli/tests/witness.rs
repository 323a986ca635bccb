//! `linli witness add`: a street office cosigns heads that extend what it saw, and refuses
//! a rewritten history, a rollback, a fork and a tampered signature (issue #15, item 4).

use std::path::{Path, PathBuf};

use linli_domain::signing::{checkpoint, witness, Note, SigningKey};
use linli_domain::snapshot::publish;
use serde_json::Value;

mod common;
use common::{bin, fails, json, run};

const CREATED_AT: i64 = 1_790_000_000_000;
const AT: i64 = 1_795_492_800_000;
const HOUR: i64 = 3_600_000;

fn tmp(name: &str) -> PathBuf {
    common::tmp("linli-witness-tests", name)
}

/// A test's world: a demo backup, a publishing key and a witness key, in their own folder.
struct World {
    root: PathBuf,
    backup: PathBuf,
    key: PathBuf,
    witness_key: PathBuf,
    state: PathBuf,
}

fn world(name: &str) -> World {
    let root = tmp(name);
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let backup = root.join("demo.json");
    run(bin()
        .args(["demo", "--seed", "7", "--households", "300", "--created-at"])
        .arg(CREATED_AT.to_string())
        .arg("--out")
        .arg(&backup));
    let key = root.join("community.key");
    // Fixed keys: the tests do not depend on randomness.
    std::fs::write(
        &key,
        SigningKey::new("linli/community", [31; 32])
            .unwrap()
            .to_private_text(),
    )
    .unwrap();
    let witness_key = root.join("witness.key");
    std::fs::write(
        &witness_key,
        SigningKey::cosigner("street.example/witness", [32; 32])
            .unwrap()
            .to_private_text(),
    )
    .unwrap();
    World {
        state: root.join("state"),
        root,
        backup,
        key,
        witness_key,
    }
}

impl World {
    /// Publishes into `dir` at each time, signed.
    fn publish(&self, dir: &str, times: &[i64]) -> PathBuf {
        let d = self.root.join(dir);
        for t in times {
            run(bin()
                .arg("publish")
                .arg(&self.backup)
                .arg("--out")
                .arg(&d)
                .args(["--data-only", "--at", &t.to_string(), "--key"])
                .arg(&self.key));
        }
        d
    }

    fn add(&self, dir: &Path, at: u64) -> Result<Value, String> {
        let out = bin()
            .args(["witness", "add"])
            .arg(&self.state)
            .arg(dir)
            .arg("--key")
            .arg(&self.witness_key)
            .args(["--at", &at.to_string()])
            .output()
            .unwrap();
        if out.status.success() {
            Ok(json(&out))
        } else {
            assert!(out.stdout.is_empty());
            Err(String::from_utf8(out.stderr).unwrap())
        }
    }

    fn log(&self) -> witness::WitnessLog {
        let files: Vec<_> = std::fs::read_dir(&self.state)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn witness_vkey() -> String {
    SigningKey::cosigner("street.example/witness", [32; 32])
        .unwrap()
        .verifier()
        .to_string()
}

#[test]
fn a_good_extension_is_cosigned_and_kept_across_publications() {
    let w = world("good");
    let dir = w.publish("public", &[AT]);
    let first = w.add(&dir, 1_795_492_900).unwrap();
    assert_eq!(
        (first["cosigned"].as_bool(), first["sequence"].as_u64()),
        (Some(true), Some(1))
    );
    // The head's checkpoint carries a cosignature that verifies with the witness's key.
    let note = Note::parse(&std::fs::read(dir.join(publish::CHECKPOINT_PATH)).unwrap()).unwrap();
    let wkey = linli_domain::signing::VerifierKey::parse(&witness_vkey()).unwrap();
    assert_eq!(checkpoint::verify_cosignature(&note, &wkey), Ok(1_795_492_900));
    let ok = json(&run(bin()
        .arg("verify")
        .arg(&dir)
        .arg("--witness")
        .arg(witness_vkey())));
    assert_eq!(ok["cosignatures"][0]["name"], "street.example/witness");
    assert_eq!(ok["cosignatures"][0]["verified"], true);
    // Published again: the old head's cosignature stays in its history checkpoint.
    w.publish("public", &[AT + HOUR]);
    let old = std::fs::read_dir(dir.join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("000001-") && p.to_string_lossy().ends_with(".checkpoint"))
        .unwrap();
    let old = Note::parse(&std::fs::read(old).unwrap()).unwrap();
    assert_eq!(checkpoint::verify_cosignature(&old, &wkey), Ok(1_795_492_900));
    // The new head extends the first: cosigned, and the log holds both heads.
    let second = w.add(&dir, 1_795_496_500).unwrap();
    assert_eq!(second["sequence"], 2);
    let log = w.log();
    assert_eq!(
        log.heads.iter().map(|h| h.sequence).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert_eq!(log.heads[1].sha256, second["sha256"].as_str().unwrap());
    run(bin().arg("verify").arg(&dir).arg("--witness").arg(witness_vkey()));
    // The same head again is fine (a fresh cosignature time).
    w.add(&dir, 1_795_496_600).unwrap();
    assert_eq!(w.log().heads.len(), 2);
}

#[test]
fn a_rewritten_history_is_refused() {
    let w = world("rewritten");
    let dir = w.publish("public", &[AT, AT + HOUR]);
    w.add(&dir, 1).unwrap();
    // The same two sequences, published again with other content (another time), and
    // correctly signed: a valid chain, but not the one the witness saw.
    let other = w.publish("rewritten", &[AT + 5, AT + HOUR]);
    let before = std::fs::read(other.join(publish::CHECKPOINT_PATH)).unwrap();
    let err = w.add(&other, 2).unwrap_err();
    assert!(
        err.contains("rewritten history") && err.contains("sequence 2"),
        "{err}"
    );
    assert_eq!(
        std::fs::read(other.join(publish::CHECKPOINT_PATH)).unwrap(),
        before,
        "nothing written"
    );
    assert_eq!(w.log().heads.len(), 1);
}

#[test]
fn a_rollback_is_refused() {
    let w = world("rollback");
    let dir = w.publish("public", &[AT]);
    let old = w.root.join("old-copy");
    copy_dir(&dir, &old);
    w.publish("public", &[AT + HOUR]);
    w.add(&dir, 1).unwrap();
    // The host serves the older copy again.
    let err = w.add(&old, 2).unwrap_err();
    assert!(
        err.contains("rollback") && err.contains("sequence 2") && err.contains("sequence 1"),
        "{err}"
    );
}

#[test]
fn a_fork_is_refused() {
    let w = world("fork");
    let dir = w.publish("public", &[AT, AT + HOUR]);
    w.add(&dir, 1).unwrap();
    // Another history, longer, that does not hold the head the witness cosigned.
    let fork = w.publish("fork", &[AT + 5, AT + HOUR, AT + 2 * HOUR]);
    let err = w.add(&fork, 2).unwrap_err();
    assert!(err.contains("fork") && err.contains("sequence 2"), "{err}");
    // The real history extended is still accepted.
    w.publish("public", &[AT + 2 * HOUR]);
    w.add(&dir, 3).unwrap();
}

#[test]
fn a_tampered_signature_or_an_unsigned_folder_is_refused() {
    let w = world("tampered");
    let dir = w.publish("public", &[AT]);
    let path = dir.join(publish::CHECKPOINT_PATH);
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text.rfind(' ').unwrap() + 12;
    let mut bytes = text.into_bytes();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&path, &bytes).unwrap();
    let err = w.add(&dir, 1).unwrap_err();
    assert!(
        err.contains("signature") && err.contains("does not verify"),
        "{err}"
    );
    assert!(!w.state.exists() || std::fs::read_dir(&w.state).unwrap().next().is_none());
    // An unsigned folder.
    let unsigned = w.root.join("unsigned");
    run(bin()
        .arg("publish")
        .arg(&w.backup)
        .arg("--out")
        .arg(&unsigned)
        .args(["--data-only", "--at", &AT.to_string()]));
    let err = w.add(&unsigned, 1).unwrap_err();
    assert!(err.contains("not signed"), "{err}");
    // A publishing key cannot cosign.
    let err = fails(
        bin()
            .args(["witness", "add"])
            .arg(&w.state)
            .arg(&unsigned)
            .arg("--key")
            .arg(&w.key),
    );
    assert!(err.contains("linli keygen --witness"), "{err}");
}

#[test]
fn a_changed_publishing_key_is_refused() {
    let w = world("rekeyed");
    let dir = w.publish("public", &[AT]);
    w.add(&dir, 1).unwrap();
    std::fs::write(
        &w.key,
        SigningKey::new("linli/community", [33; 32])
            .unwrap()
            .to_private_text(),
    )
    .unwrap();
    w.publish("public", &[AT + HOUR]);
    let err = w.add(&dir, 2).unwrap_err();
    assert!(err.contains("publishing key changed"), "{err}");
}
