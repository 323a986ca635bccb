//! `linli sync` and `linli sync-file` end to end: backups made by `linli demo`, edited,
//! replicated through a pouchdb-server started by the test (`scripts/couch.sh`), or
//! exchanged by sync files.
//!
//! The server tests need node and npm (the script installs pouchdb-server@4.2.0 on first
//! use); without them they print why and return.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::{bin, fails, json, run, tmp};
use linli_domain::backup;
use linli_domain::dataset::Dataset;
use serde_json::Value;

/// A pouchdb-server started by `scripts/couch.sh`, stopped (SIGTERM, so the script stops
/// the server too) on drop.
struct Couch {
    child: Child,
    url: String,
}

impl Drop for Couch {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

fn couch() -> Option<Couch> {
    for tool in ["node", "npm"] {
        if Command::new(tool)
            .arg("--version")
            .output()
            .map_or(true, |o| !o.status.success())
        {
            eprintln!("SKIPPED: `{tool}` is not available; the sync server tests need node and npm");
            return None;
        }
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/couch.sh");
    let mut child = Command::new("bash")
        .arg(script)
        .arg("--port")
        .arg(port.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start scripts/couch.sh");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "couch.sh printed {url:?}");
    Some(Couch { child, url })
}

fn get(url: &str) -> Value {
    let mut r = ureq::get(url).call().unwrap();
    serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap()
}

fn demo(group: &str, name: &str) -> PathBuf {
    let p = tmp(group, name);
    let _ = std::fs::remove_file(&p);
    run(bin()
        .args([
            "demo",
            "--seed",
            "2026",
            "--households",
            "50",
            "--created-at",
            "1795000000000",
            "--out",
        ])
        .arg(&p));
    p
}

fn key_file(group: &str) -> PathBuf {
    let p = tmp(group, "sync.key");
    std::fs::write(
        &p,
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
    )
    .unwrap();
    p
}

fn read(p: &Path) -> Dataset {
    backup::decode(&std::fs::read(p).unwrap()).unwrap().1
}

fn write(p: &Path, ds: &Dataset) {
    std::fs::write(p, backup::encode(ds, "test", 1_795_000_000_000)).unwrap();
}

/// The dataset without the backup-local `_sync` setting.
fn records(p: &Path) -> Dataset {
    let mut d = read(p);
    d.settings.retain(|s| s.key != "_sync");
    d
}

fn sync(p: &Path, remote: &str, key: &Path, extra: &[&str]) -> Value {
    json(&run(bin()
        .arg("sync")
        .arg(p)
        .args(["--remote", remote, "--allow-plain", "--sync-key-file"])
        .arg(key)
        .args(extra)))
}

fn household(d: &Dataset, id: u32) -> &linli_domain::model::Household {
    d.households.iter().find(|h| h.id == id).unwrap()
}

const NAME: &str = "种植者林晓梅";
const PHONE: &str = "13987654321";
const NOTE: &str = "PLANTED-独居老人钥匙在邻居家";

#[test]
fn two_backups_converge_through_the_server_with_the_same_field_conflict_on_both_and_no_plaintext_on_it() {
    let Some(server) = couch() else { return };
    let g = "sync-converge";
    let remote = format!("{}/community-a", server.url);
    let key = key_file(g);
    let a = demo(g, "a.json");
    let b = demo(g, "b.json");
    let first = sync(&a, &remote, &key, &[]);
    assert_eq!(first["pull"]["docs_read"], 0);
    let total = first["push"]["docs_written"].as_u64().unwrap();
    assert!(total > 50, "every record is a document: {first}");
    // The second device starts from the same demo: it finds every record on the server
    // and writes nothing of its own.
    let joined = sync(&b, &remote, &key, &[]);
    assert_eq!(joined["local_edits"], 0, "{joined}");
    assert_eq!(joined["push"]["docs_written"], 0, "{joined}");
    // Its push does not ask the server about what the pull has just brought.
    assert_eq!(joined["push"]["docs_read"], 0, "{joined}");
    assert_eq!(
        joined["push"]["skipped"], joined["pull"]["docs_written"],
        "{joined}"
    );

    let (h1, h2) = (read(&a).households[0].id, read(&a).households[1].id);
    // A: room and planted personal strings of h1, notes of h2, a new household in device 1's space.
    let mut da = read(&a);
    let x = da.households.iter_mut().find(|h| h.id == h1).unwrap();
    x.room = "9901".into();
    x.contact_name = NAME.into();
    x.notes = NOTE.into();
    da.households.iter_mut().find(|h| h.id == h2).unwrap().notes = "A says".into();
    let mut new_a = da.households[2].clone();
    new_a.id = (1 << 24) | 1;
    da.households.push(new_a);
    write(&a, &da);
    // B: phone of h1 (another field), notes of h2 (the same field), a household in device 2's space.
    let mut db = read(&b);
    db.households
        .iter_mut()
        .find(|h| h.id == h1)
        .unwrap()
        .contact_phone = PHONE.into();
    db.households.iter_mut().find(|h| h.id == h2).unwrap().notes = "B says".into();
    let mut new_b = db.households[3].clone();
    new_b.id = (2 << 24) | 1;
    db.households.push(new_b);
    write(&b, &db);

    let s1 = sync(&a, &remote, &key, &[]);
    assert_eq!(s1["local_edits"], 2 + 1, "{s1}");
    sync(&b, &remote, &key, &[]);
    sync(&a, &remote, &key, &[]);
    // Both now hold the same records.
    let (ra, rb) = (records(&a), records(&b));
    assert_eq!(ra, rb, "both backups converge");
    let m = household(&ra, h1);
    assert_eq!(
        (m.room.as_str(), m.contact_phone.as_str(), m.contact_name.as_str()),
        ("9901", PHONE, NAME)
    );
    assert!(["A says", "B says"].contains(&household(&ra, h2).notes.as_str()));
    assert!(
        ra.households.iter().any(|h| h.id == (1 << 24) | 1)
            && ra.households.iter().any(|h| h.id == (2 << 24) | 1)
    );
    // The same-field edit is a conflict waiting on both; a run with nothing new writes
    // nothing (the first may still record a checkpoint that moved).
    for p in [&a, &b] {
        let s = sync(p, &remote, &key, &[]);
        assert_eq!(s["conflicts_waiting"], 1, "{s}");
        let c = &s["conflicts"][0];
        assert_eq!(
            (c["store"].as_str(), c["field"].as_str()),
            (Some("households"), Some("notes"))
        );
        assert_eq!(c["key"], h2.to_string());
        assert_eq!(s["push"]["docs_written"], 0);
        let again = sync(p, &remote, &key, &[]);
        assert_eq!(again["backup_written"], false, "{again}");
        assert_eq!(again["conflicts_waiting"], 1, "{again}");
    }

    // (b) The server's documents: no planted personal string, no store or field name.
    let all = get(&format!("{remote}/_all_docs?include_docs=true"));
    let text = all.to_string();
    assert_eq!(all["rows"].as_array().unwrap().len() as u64, total + 2);
    // Every store name long enough not to turn up by chance in 3 MB of base64, and field names.
    let stores = linli_domain::dataset::STORE_NAMES
        .into_iter()
        .filter(|s| s.len() >= 8);
    let needles: Vec<&str> = [NAME, PHONE, NOTE, "contact_name", "contact_phone", "building_id"]
        .into_iter()
        .chain(stores)
        .collect();
    assert!(needles.len() >= 15);
    for needle in needles {
        assert!(!text.contains(needle), "the server holds {needle:?}");
    }
    // And the planted strings are really in the backups (the search above can fail).
    let plain = String::from_utf8(std::fs::read(&a).unwrap()).unwrap();
    assert!(plain.contains(NAME) && plain.contains(PHONE));
}

#[test]
fn a_push_cut_off_half_way_resumes_from_the_checkpoint_without_duplicates() {
    let Some(server) = couch() else { return };
    let g = "sync-resume";
    let remote = format!("{}/resume", server.url);
    let key = key_file(g);
    let a = demo(g, "a.json");
    let err = fails(
        bin()
            .arg("sync")
            .arg(&a)
            .args([
                "--remote",
                &remote,
                "--allow-plain",
                "--batch-size",
                "50",
                "--fail-after-writes",
                "3",
                "--sync-key-file",
            ])
            .arg(&key),
    );
    assert!(err.contains("run the same command again to resume"), "{err}");
    let info = get(&remote);
    assert_eq!(info["doc_count"], 150, "three batches of 50 landed: {info}");
    let again = sync(&a, &remote, &key, &["--batch-size", "50"]);
    assert_eq!(
        again["local_edits"], 0,
        "the first run's edits were kept: {again}"
    );
    assert_eq!(
        again["push"]["started_at"], 150,
        "resumed from the checkpoint: {again}"
    );
    let total = records(&a).counts().values().sum::<u64>();
    assert_eq!(
        again["push"]["docs_written"].as_u64().unwrap() + 150,
        total,
        "{again}"
    );
    let info = get(&remote);
    assert_eq!(info["doc_count"].as_u64(), Some(total));
    // One revision per document: nothing was written twice.
    let changes = get(&format!("{remote}/_changes?style=all_docs"));
    let rows = changes["results"].as_array().unwrap();
    assert_eq!(rows.len() as u64, total);
    for r in rows {
        let revs = r["changes"].as_array().unwrap();
        assert_eq!(revs.len(), 1, "{r}");
        assert!(revs[0]["rev"].as_str().unwrap().starts_with("1-"), "{r}");
    }
}

#[test]
fn sync_files_carry_edits_and_a_second_import_writes_nothing() {
    let g = "sync-file";
    let key = key_file(g);
    let a = demo(g, "a.json");
    let b = demo(g, "b.json");
    let export = |name: &str| {
        let file = tmp(g, name);
        let out = json(&run(bin()
            .args(["sync-file", "export"])
            .arg(&a)
            .args(["--peer", "b", "--allow-plain", "--out"])
            .arg(&file)
            .arg("--sync-key-file")
            .arg(&key)));
        (file, out)
    };
    let import = |p: &Path, file: &Path| {
        json(&run(bin()
            .args(["sync-file", "import"])
            .arg(p)
            .arg(file)
            .args(["--allow-plain", "--sync-key-file"])
            .arg(&key)))
    };
    // B joins from A's first file: same records, nothing of its own.
    let (f1, out1) = export("a-1.sync.json");
    let total = out1["docs"].as_u64().unwrap();
    assert!(total > 50, "{out1}");
    let joined = import(&b, &f1);
    assert_eq!(joined["written"].as_u64(), Some(total), "{joined}");
    assert_eq!(joined["local_edits"], 0, "{joined}");
    // A edits a household; its next file carries the edit, B takes exactly that revision.
    let mut da = read(&a);
    let id = da.households[5].id;
    da.households[5].notes = "changed on A".into();
    write(&a, &da);
    let (file, out) = export("a-2.sync.json");
    assert_eq!(out["local_edits"], 1, "{out}");
    let first = import(&b, &file);
    assert_eq!(first["written"], 1, "{first}");
    assert_eq!(first["backup_written"], true);
    assert_eq!(first["conflicts_waiting"], 0);
    assert_eq!(household(&read(&b), id).notes, "changed on A");
    assert_eq!(records(&a), records(&b));
    let before = std::fs::read(&b).unwrap();
    let second = import(&b, &file);
    assert_eq!(second["written"], 0, "{second}");
    assert_eq!(second["already_held"], out["docs"]);
    assert_eq!(second["backup_written"], false);
    assert_eq!(std::fs::read(&b).unwrap(), before, "the backup is untouched");
    // A's own file is refused by A; another community's key opens nothing.
    let e = fails(
        bin()
            .args(["sync-file", "import"])
            .arg(&a)
            .arg(&file)
            .args(["--allow-plain", "--sync-key-file"])
            .arg(&key),
    );
    assert!(e.contains("made by this device"), "{e}");
    let other = tmp(g, "other.key");
    std::fs::write(&other, "ff".repeat(32)).unwrap();
    let c = demo(g, "c.json");
    let e = fails(
        bin()
            .args(["sync-file", "import"])
            .arg(&c)
            .arg(&file)
            .args(["--allow-plain", "--sync-key-file"])
            .arg(&other),
    );
    assert!(e.contains("does not open with this community's sync key"), "{e}");
}

#[test]
fn a_backup_without_a_vault_or_sync_key_is_refused_before_any_request() {
    let g = "sync-refused";
    let a = demo(g, "a.json");
    let before = std::fs::read(&a).unwrap();
    let e = fails(
        bin()
            .arg("sync")
            .arg(&a)
            .args(["--remote", "http://127.0.0.1:9/x", "--allow-plain"]),
    );
    assert!(
        e.contains("holds no vault") && e.contains("--sync-key-file"),
        "{e}"
    );
    let key = key_file(g);
    let e = fails(
        bin()
            .arg("sync")
            .arg(&a)
            .args([
                "--remote",
                "http://u:p@127.0.0.1:9/x",
                "--allow-plain",
                "--sync-key-file",
            ])
            .arg(&key),
    );
    assert!(e.contains("must not contain credentials"), "{e}");
    let e = fails(
        bin()
            .arg("sync")
            .arg(&a)
            .args([
                "--remote",
                "http://127.0.0.1:9/x",
                "--allow-plain",
                "--sync-key-file",
            ])
            .arg(&key),
    );
    assert!(e.contains("127.0.0.1:9"), "{e}");
    assert_eq!(std::fs::read(&a).unwrap(), before, "nothing written");
}

#[test]
fn basic_auth_is_sent_and_a_wrong_password_is_refused_in_plain_words() {
    let Some(server) = couch() else { return };
    let g = "sync-auth";
    // Leave pouchdb-server's admin party: creating a database now needs the admin.
    ureq::put(&format!("{}/_config/admins/alice", server.url))
        .send("\"s3cret-pass\"")
        .unwrap();
    let remote = format!("{}/guarded", server.url);
    let key = key_file(g);
    let a = demo(g, "a.json");
    let before = std::fs::read(&a).unwrap();
    let (good, bad) = (tmp(g, "good.pw"), tmp(g, "bad.pw"));
    std::fs::write(&good, "s3cret-pass\n").unwrap();
    std::fs::write(&bad, "not-the-password\n").unwrap();
    let e = fails(
        bin()
            .arg("sync")
            .arg(&a)
            .args([
                "--remote",
                &remote,
                "--allow-plain",
                "--user",
                "alice",
                "--password-file",
            ])
            .arg(&bad)
            .arg("--sync-key-file")
            .arg(&key),
    );
    assert!(e.contains("401 unauthorized"), "{e}");
    assert!(
        !e.contains("not-the-password"),
        "the password is never printed: {e}"
    );
    assert_eq!(std::fs::read(&a).unwrap(), before, "nothing written");
    let ok = sync(
        &a,
        &remote,
        &key,
        &["--user", "alice", "--password-file", good.to_str().unwrap()],
    );
    assert!(ok["push"]["docs_written"].as_u64().unwrap() > 50, "{ok}");
}

#[test]
fn an_age_backup_is_written_back_encrypted_with_its_passphrase() {
    let g = "sync-age";
    let key = key_file(g);
    let pass = tmp(g, "backup.pass");
    std::fs::write(&pass, "a long backup passphrase\n").unwrap();
    let a = tmp(g, "a.age");
    let _ = std::fs::remove_file(&a);
    run(bin()
        .args([
            "demo",
            "--seed",
            "2026",
            "--households",
            "20",
            "--passphrase-file",
        ])
        .arg(&pass)
        .arg("--out")
        .arg(&a));
    let file = tmp(g, "a.sync.json");
    let out = json(&run(bin()
        .args(["sync-file", "export"])
        .arg(&a)
        .args(["--peer", "b", "--out"])
        .arg(&file)
        .arg("--passphrase-file")
        .arg(&pass)
        .arg("--sync-key-file")
        .arg(&key)));
    assert_eq!(out["backup_written"], true, "{out}");
    let bytes = std::fs::read(&a).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1"), "still an age file");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&a).unwrap().permissions().mode() & 0o777, 0o600);
    // It opens with the same passphrase and now carries the sync state.
    let plans = run(bin().arg("plans").arg(&a).arg("--passphrase-file").arg(&pass));
    assert!(plans.status.success());
    let again = json(&run(bin()
        .args(["sync-file", "export"])
        .arg(&a)
        .args(["--peer", "b", "--out"])
        .arg(&file)
        .arg("--passphrase-file")
        .arg(&pass)
        .arg("--sync-key-file")
        .arg(&key)));
    assert_eq!(again["local_edits"], 0, "{again}");
    assert_eq!(again["backup_written"], false, "{again}");
}

#[test]
fn a_backup_with_a_vault_syncs_with_a_guides_passphrase_or_the_recovery_code_only() {
    use linli_domain::model::Setting;
    use linli_domain::vault::{
        wrap_for_guide, wrap_for_recovery, DataKey, Guide, KdfParams, Keyring, RecoveryCode, Role,
    };
    let g = "sync-vault";
    let dk = DataKey::from_bytes([42; 32]);
    let code = RecoveryCode::from_random([9; 20]);
    let mut ring = Keyring::default();
    ring.put(
        wrap_for_guide(
            &dk,
            1,
            "guide passphrase",
            &KdfParams::insecure_for_tests([1; 16]),
            [2; 24],
        )
        .unwrap(),
    );
    ring.put(wrap_for_recovery(&dk, &code, [3; 24]));
    let vault = serde_json::json!({
        "guides": [Guide { id: 1, name: "王芳".into(), role: Role::Guide }],
        "next_guide_id": 2, "keyring": ring, "idle_minutes": 15
    });
    let with_vault = |name: &str| {
        let p = demo(g, name);
        let mut d = read(&p);
        d.settings.push(Setting {
            key: "vault".into(),
            value: vault.to_string(),
        });
        d.normalize();
        write(&p, &d);
        p
    };
    let (a, b) = (with_vault("a.json"), with_vault("b.json"));
    let (pw, bad, rec) = (tmp(g, "guide.pw"), tmp(g, "bad.pw"), tmp(g, "recovery.txt"));
    std::fs::write(&pw, "guide passphrase\n").unwrap();
    std::fs::write(&bad, "wrong passphrase\n").unwrap();
    std::fs::write(&rec, format!("{}\n", code.format())).unwrap();
    let file = tmp(g, "a.sync.json");
    let export = |secret: &[&str]| {
        bin()
            .args(["sync-file", "export"])
            .arg(&a)
            .args(["--peer", "b", "--allow-plain", "--out"])
            .arg(&file)
            .args(secret)
            .output()
            .unwrap()
    };
    let locked = export(&[]);
    assert!(String::from_utf8_lossy(&locked.stderr).contains("vault is locked"));
    let wrong = export(&[
        "--guide",
        "王芳",
        "--guide-passphrase-file",
        bad.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("cannot open the community data key"));
    let ok = export(&["--guide", "王芳", "--guide-passphrase-file", pw.to_str().unwrap()]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    // The other device opens the same key with the recovery code and takes the file.
    let imported = json(&run(bin()
        .args(["sync-file", "import"])
        .arg(&b)
        .arg(&file)
        .args(["--allow-plain", "--recovery-file"])
        .arg(&rec)));
    assert!(imported["written"].as_u64().unwrap() > 50, "{imported}");
    assert_eq!(imported["local_edits"], 0, "same records, same keys: {imported}");
    // The vault stays in the backup, local: not a document.
    assert!(read(&b).settings.iter().any(|s| s.key == "vault"));
    assert_eq!(
        imported["written"].as_u64().unwrap() as usize,
        records(&a).counts().values().sum::<u64>() as usize - 1
    );
}

#[test]
fn a_record_added_then_removed_on_one_side_is_removed_on_the_other() {
    use linli_domain::model::Setting;
    let g = "sync-delete";
    let key = key_file(g);
    let a = demo(g, "a.json");
    let b = demo(g, "b.json");
    let exchange = |name: &str| {
        let file = tmp(g, name);
        run(bin()
            .args(["sync-file", "export"])
            .arg(&a)
            .args(["--peer", "b", "--allow-plain", "--out"])
            .arg(&file)
            .arg("--sync-key-file")
            .arg(&key));
        json(&run(bin()
            .args(["sync-file", "import"])
            .arg(&b)
            .arg(&file)
            .args(["--allow-plain", "--sync-key-file"])
            .arg(&key)))
    };
    exchange("1.json");
    let has = |p: &Path| read(p).settings.iter().any(|s| s.key == "test_marker");
    let mut da = read(&a);
    da.settings.push(Setting {
        key: "test_marker".into(),
        value: "1".into(),
    });
    da.normalize();
    write(&a, &da);
    assert_eq!(exchange("2.json")["written"], 1);
    assert!(has(&b));
    let mut da = read(&a);
    da.settings.retain(|s| s.key != "test_marker");
    write(&a, &da);
    let gone = exchange("3.json");
    assert_eq!(gone["written"], 1, "one deletion revision: {gone}");
    assert!(!has(&b), "deleted on the other side too");
    assert_eq!(records(&a), records(&b));
}

#[test]
fn a_backup_encrypted_to_age_keys_is_written_back_to_the_recipients_given() {
    use age::secrecy::ExposeSecret;
    let g = "sync-age-keys";
    let key = key_file(g);
    let id = age::x25519::Identity::generate();
    let recipient = id.to_public().to_string();
    let id_file = tmp(g, "office.key");
    std::fs::write(&id_file, format!("{}\n", id.to_string().expose_secret())).unwrap();
    let a = tmp(g, "a.age");
    let _ = std::fs::remove_file(&a);
    run(bin()
        .args([
            "demo",
            "--seed",
            "2026",
            "--households",
            "10",
            "--recipient",
            &recipient,
            "--out",
        ])
        .arg(&a));
    let before = std::fs::read(&a).unwrap();
    let file = tmp(g, "a.sync.json");
    let export = |extra: &[&str]| {
        bin()
            .args(["sync-file", "export"])
            .arg(&a)
            .args(["--peer", "b", "--out"])
            .arg(&file)
            .arg("--identity")
            .arg(&id_file)
            .arg("--sync-key-file")
            .arg(&key)
            .args(extra)
            .output()
            .unwrap()
    };
    let refused = export(&[]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("pass --recipient"));
    let bad = export(&["--recipient", "age1notakey"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not an age X25519 public key"));
    assert_eq!(std::fs::read(&a).unwrap(), before, "nothing written when refused");
    let ok = export(&["--recipient", &recipient]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let bytes = std::fs::read(&a).unwrap();
    assert!(bytes.starts_with(b"age-encryption.org/v1") && bytes != before);
    run(bin().arg("plans").arg(&a).arg("--identity").arg(&id_file));
}
