//! Signed publication (issue #15, item 4): `linli keygen`, `linli publish` signing with the
//! community's key exactly as the workspace does (`snapshot::prepare`), refusing a folder
//! whose history disagrees with the backup, and `linli verify` checking the signatures.

use std::path::{Path, PathBuf};

use linli_domain::backup;
use linli_domain::dataset::Dataset;
use linli_domain::model::{Setting, SnapshotRecord};
use linli_domain::signing::{self, SigningKey};
use linli_domain::snapshot::prepare::{prepare, PrepareOptions};
use linli_domain::snapshot::publish;
use serde_json::Value;

mod common;
use common::{bin, fails, json, run};

const CREATED_AT: i64 = 1_790_000_000_000;
const AT: i64 = 1_795_492_800_000;

fn tmp(name: &str) -> PathBuf {
    common::tmp("linli-signing-tests", name)
}

fn demo() -> Dataset {
    let mut d = linli_domain::demo::generate(&linli_domain::demo::DemoConfig {
        seed: 7,
        households: 300,
        year: 2026,
    });
    d.normalize();
    d
}

fn write_backup(name: &str, d: &Dataset) -> PathBuf {
    let p = tmp(name);
    std::fs::write(&p, backup::encode(d, "test", CREATED_AT)).unwrap();
    p
}

fn publish(backup: &Path, dir: &Path, at: i64, extra: &[&str]) -> Value {
    json(&run(bin()
        .arg("publish")
        .arg(backup)
        .arg("--out")
        .arg(dir)
        .args(["--data-only", "--at", &at.to_string()])
        .args(extra)))
}

fn fresh(name: &str) -> PathBuf {
    let dir = tmp(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn keygen_writes_a_private_key_once_and_prints_its_vkey() {
    let path = tmp("keygen.key");
    let _ = std::fs::remove_file(&path);
    let out = json(&run(bin().arg("keygen").arg("--out").arg(&path)));
    let key = SigningKey::from_private_text(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(out["vkey"], key.verifier().to_string().as_str());
    assert_eq!(out["fingerprint"], key.verifier().fingerprint().as_str());
    assert_eq!(key.kind(), signing::ED25519);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Never over an existing key.
    let err = fails(bin().arg("keygen").arg("--out").arg(&path));
    assert!(err.contains("never overwritten"), "{err}");
    // Two keys differ (randomness from the system).
    let other = tmp("keygen2.key");
    let _ = std::fs::remove_file(&other);
    let w = json(&run(bin()
        .args(["keygen", "--witness", "--name", "street.example/w1", "--out"])
        .arg(&other)));
    assert_ne!(w["fingerprint"], out["fingerprint"]);
    assert_eq!(w["kind"], "witness");
    assert!(w["vkey"].as_str().unwrap().starts_with("street.example/w1+"));
    let err = fails(
        bin()
            .args(["keygen", "--name", "a b", "--out"])
            .arg(tmp("bad.key")),
    );
    assert!(err.contains("not a valid key name"), "{err}");
}

#[test]
fn a_keyed_backup_publishes_a_signed_folder_like_the_workspace() {
    let mut d = demo();
    d.settings.push(Setting {
        key: signing::PUBLISHING_KEY_SETTING.to_owned(),
        value: format!("\"{}\"", signing::seed_to_hex(&[21; 32])),
    });
    let backup_path = write_backup("keyed.json", &d);
    let dir = fresh("signed");
    let first = publish(&backup_path, &dir, AT, &["--url", "https://example.org/a/"]);
    let second = publish(
        &backup_path,
        &dir,
        AT + 3_600_000,
        &["--url", "https://example.org/a/"],
    );
    let (_, decoded) = backup::decode(&std::fs::read(&backup_path).unwrap()).unwrap();
    let origin = signing::origin("Linli Demo Community, Hangzhou", "");
    let vkey = SigningKey::new(&origin, [21; 32]).unwrap().verifier();
    assert_eq!(second["fingerprint"], vkey.fingerprint().as_str());
    // Byte for byte the domain's files (what the workspace's ZIP holds).
    let p1 = prepare(
        &decoded,
        &[] as &[Vec<u8>],
        &PrepareOptions {
            at: AT,
            period: None,
            url: Some("https://example.org/a/".into()),
        },
    )
    .unwrap();
    let p2 = prepare(
        &decoded,
        std::slice::from_ref(&p1.text),
        &PrepareOptions {
            at: AT + 3_600_000,
            period: None,
            url: Some("https://example.org/a/".into()),
        },
    )
    .unwrap();
    assert_eq!(first["sha256"], p1.sha256.as_str());
    for f in &p2.files {
        assert_eq!(std::fs::read(dir.join(&f.path)).unwrap(), f.bytes, "{}", f.path);
    }
    assert!(dir.join(publish::CHECKPOINT_PATH).is_file());
    // verify: signed, by that key, fingerprint printed.
    let ok = json(&run(bin().arg("verify").arg(&dir)));
    assert_eq!(ok["signature"], "signed");
    assert_eq!(ok["fingerprint"], vkey.fingerprint().as_str());
    assert_eq!(ok["key"], vkey.to_string().as_str());
    run(bin().arg("verify").arg(&dir).arg("--key").arg(vkey.to_string()));
    let other = SigningKey::new(&origin, [22; 32]).unwrap().verifier();
    let err = fails(bin().arg("verify").arg(&dir).arg("--key").arg(other.to_string()));
    assert!(
        err.contains("not by the expected key") && err.contains(&other.fingerprint()),
        "{err}"
    );
    let notice = std::fs::read_to_string(dir.join("notice.html")).unwrap();
    assert!(notice.contains(&vkey.fingerprint()));
}

#[test]
fn publish_key_file_signs_and_verify_refuses_a_tampered_signature() {
    let backup_path = write_backup("plain.json", &demo());
    let key_path = tmp("publisher.key");
    let _ = std::fs::remove_file(&key_path);
    let made = json(&run(bin().arg("keygen").arg("--out").arg(&key_path)));
    let dir = fresh("keyfile");
    let out = publish(&backup_path, &dir, AT, &["--key", key_path.to_str().unwrap()]);
    assert_eq!(out["fingerprint"], made["fingerprint"]);
    let ok = json(&run(bin().arg("verify").arg(&dir)));
    assert_eq!(ok["fingerprint"], made["fingerprint"]);
    // One character of the head's signature changed: refused, naming the file.
    let path = dir.join(publish::CHECKPOINT_PATH);
    let text = std::fs::read_to_string(&path).unwrap();
    let sig_start = text.rfind(' ').unwrap() + 10;
    let mut bytes = text.into_bytes();
    bytes[sig_start] = if bytes[sig_start] == b'A' { b'B' } else { b'A' };
    std::fs::write(&path, &bytes).unwrap();
    let err = fails(bin().arg("verify").arg(&dir));
    assert!(
        err.contains("checkpoint") && err.contains("does not verify"),
        "{err}"
    );
    // The bare seed (as the workspace's setting holds it) signs the same way.
    let seed_path = tmp("publisher.seed");
    let key = SigningKey::from_private_text(&std::fs::read_to_string(&key_path).unwrap()).unwrap();
    std::fs::write(&seed_path, signing::seed_to_hex(&key.seed())).unwrap();
    let dir2 = fresh("seedfile");
    let out2 = publish(&backup_path, &dir2, AT, &["--key", seed_path.to_str().unwrap()]);
    assert_eq!(out2["fingerprint"], made["fingerprint"]);
    // A key that is not a vkey is a command-line error.
    let err = fails(bin().arg("verify").arg(&dir).args(["--key", "nonsense"]));
    assert!(err.contains("--key"), "{err}");
}

#[test]
fn unsigned_folder_says_not_signed_and_a_missing_index_is_not_verifiable() {
    let backup_path = write_backup("unsigned.json", &demo());
    let dir = fresh("unsigned");
    publish(&backup_path, &dir, AT, &[]);
    let ok = json(&run(bin().arg("verify").arg(&dir)));
    assert_eq!(ok["signature"], "not signed");
    assert!(!dir.join(publish::CHECKPOINT_PATH).exists());
    let vkey = SigningKey::new("linli/x", [1; 32]).unwrap().verifier();
    let err = fails(bin().arg("verify").arg(&dir).arg("--key").arg(vkey.to_string()));
    assert!(err.contains("not signed"), "{err}");
    publish(&backup_path, &dir, AT + 1000, &[]);
    std::fs::remove_file(dir.join(publish::INDEX_PATH)).unwrap();
    let err = fails(bin().arg("verify").arg(&dir));
    assert!(
        err.contains("not verifiable") && err.contains("snapshot 2"),
        "{err}"
    );
}

#[test]
fn publish_refuses_a_folder_history_that_disagrees_with_the_backup() {
    // The backup has published snapshot 1 itself (as the workspace stores it).
    let mut d = demo();
    let p = prepare(
        &d,
        &[] as &[Vec<u8>],
        &PrepareOptions {
            at: AT,
            ..Default::default()
        },
    )
    .unwrap();
    d.snapshots.push(SnapshotRecord {
        id: 1,
        published_at: AT,
        sha256: p.sha256.clone(),
        previous_sha256: None,
        json: p.text.clone(),
    });
    let with_history = write_backup("with-history.json", &d);
    // A folder whose snapshot 1 is another one (published at another time).
    let plain = write_backup("no-history.json", &demo());
    let dir = fresh("disagrees");
    let other = publish(&plain, &dir, AT + 5, &[]);
    assert_ne!(other["sha256"], p.sha256.as_str());
    let before = std::fs::read(dir.join("snapshot.json")).unwrap();
    let err = fails(
        bin()
            .arg("publish")
            .arg(&with_history)
            .arg("--out")
            .arg(&dir)
            .args(["--data-only", "--at", &(AT + 10).to_string()]),
    );
    assert!(
        err.contains("disagrees") && err.contains("sequence 1") && err.contains(&p.sha256),
        "{err}"
    );
    assert_eq!(
        std::fs::read(dir.join("snapshot.json")).unwrap(),
        before,
        "nothing written"
    );
    // A folder that agrees (published from the backup's own history) is extended.
    let dir = fresh("agrees");
    let first = publish(&with_history, &dir, AT + 10, &[]);
    assert_eq!(first["sequence"], 2);
    assert_eq!(first["previous_sha256"], p.sha256.as_str());
    let third = publish(&with_history, &dir, AT + 20, &[]);
    assert_eq!(third["sequence"], 3);
}
